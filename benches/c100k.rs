//! Memory per idle TCP connection: a server holding N connections that
//! never send anything, on this runtime, on Tokio and on smol's executor
//! with async-io, each the same minimal server (accept, spawn a task that
//! waits to read one byte). The figure is the server's resident memory
//! (VmRSS) with N connections open minus before, divided by N: the
//! runtime's state per connection (task, registration, wakers) plus what
//! the allocator keeps for it, with no application buffer beyond the one
//! byte. The kernel's socket memory is not in it.
//!
//! ```text
//! cargo bench --bench c100k                 # 19,000 connections, 3 rounds
//! cargo bench --bench c100k -- 100000 1 4   # N, rounds, client source addresses
//! ```
//!
//! Server and client are separate processes (this binary, re-run with
//! `server ...` / `client ...`), since each process may hold at most
//! `ulimit -n` descriptors (20,000 on the machine these figures come
//! from; 19,000 leaves room). More connections than one address has
//! ephemeral ports (about 28,000 on Linux) need several client source
//! addresses: the client binds to 127.0.0.1, 127.0.0.2, ... in turn. For
//! 100,000 both processes need `ulimit -n` above 100,000 (raise the hard
//! limit as root, where the machine allows it).

#[path = "common/procs.rs"]
mod procs;

use procs::{fds, status_kb, Killed};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

const RUNTIMES: [&str; 3] = ["ours", "tokio", "smol"];

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.first().map(String::as_str) {
        Some("server") => server(&args[1], &args[2]),
        Some("client") => client(
            args[1].parse().unwrap(),
            args[2].parse().unwrap(),
            args[3].parse().unwrap(),
        ),
        _ => {
            let n: usize = args.first().map_or(19_000, |a| a.parse().expect("N"));
            let rounds: usize = args.get(1).map_or(3, |a| a.parse().expect("ROUNDS"));
            let sources: u8 = args.get(2).map_or(1, |a| a.parse().expect("SOURCES"));
            measure(n, rounds, sources);
        }
    }
}

/// The server: prints its address, then accepts forever; each connection
/// gets a task that reads one byte (never sent) and ends.
fn server(runtime: &str, addr: &str) {
    let listener = TcpListener::bind(addr).unwrap();
    // Said once the runtime is up (its descriptors open), so the measuring
    // side counts from there.
    let local = listener.local_addr().unwrap();
    let ready = move || {
        println!("{local}");
        std::io::stdout().flush().unwrap();
    };
    match runtime {
        "ours" => {
            let rt = runtime::Runtime::new().unwrap();
            rt.block_on(async {
                use runtime::io::AsyncReadExt;
                ready();
                let listener = runtime::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let (mut s, _) = listener.accept().await.unwrap();
                    runtime::spawn(async move {
                        let mut b = [0u8; 1];
                        let _ = s.read(&mut b).await;
                    });
                }
            })
        }
        "tokio" => {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async {
                use tokio::io::AsyncReadExt;
                ready();
                listener.set_nonblocking(true).unwrap();
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let (mut s, _) = listener.accept().await.unwrap();
                    tokio::spawn(async move {
                        let mut b = [0u8; 1];
                        let _ = s.read(&mut b).await;
                    });
                }
            })
        }
        "smol" => {
            use futures_lite::AsyncReadExt;
            let ex = async_executor::Executor::new();
            let listener = async_io::Async::new(listener).unwrap();
            ready();
            // Two executor threads, as the other two run two workers here.
            let ex = &ex;
            std::thread::scope(|scope| {
                scope.spawn(|| async_io::block_on(ex.run(std::future::pending::<()>())));
                async_io::block_on(ex.run(async {
                    loop {
                        let (mut s, _) = listener.accept().await.unwrap();
                        ex.spawn(async move {
                            let mut b = [0u8; 1];
                            let _ = s.read(&mut b).await;
                        })
                        .detach();
                    }
                }))
            })
        }
        other => panic!("unknown runtime {other:?}: ours, tokio or smol"),
    }
}

/// The client: opens `n` connections to `addr` from `sources` source
/// addresses (127.0.0.1, .2, ...), prints "connected", and holds them
/// until its stdin closes.
fn client(addr: SocketAddr, n: usize, sources: u8) {
    let mut conns = Vec::with_capacity(n);
    for i in 0..n {
        let src: SocketAddr = format!("127.0.0.{}:0", 1 + (i % sources as usize))
            .parse()
            .unwrap();
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        if sources > 1 {
            // The port is picked at connect time, per destination, so
            // ports in TIME_WAIT elsewhere do not run the range out.
            let on: libc::c_int = 1;
            // SAFETY: a valid socket, option and int-sized value.
            let rc = unsafe {
                libc::setsockopt(
                    std::os::fd::AsRawFd::as_raw_fd(&s),
                    libc::IPPROTO_IP,
                    libc::IP_BIND_ADDRESS_NO_PORT,
                    (&on as *const libc::c_int).cast(),
                    std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                )
            };
            assert_eq!(
                rc,
                0,
                "IP_BIND_ADDRESS_NO_PORT: {}",
                std::io::Error::last_os_error()
            );
            s.bind(&src.into()).unwrap();
        }
        // Closed with a reset: no TIME_WAIT left to use up the ports of
        // the next rounds.
        s.set_linger(Some(Duration::ZERO)).unwrap();
        s.connect(&addr.into())
            .unwrap_or_else(|e| panic!("connection {i} of {n}: {e}"));
        conns.push(TcpStream::from(s));
    }
    println!("connected {}", conns.len());
    std::io::stdout().flush().unwrap();
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
}

/// Bytes of server RSS per connection for one runtime.
fn one(runtime: &str, n: usize, sources: u8) -> f64 {
    let exe = std::env::current_exe().unwrap();
    let mut server = Killed(
        Command::new(&exe)
            .args(["server", runtime, "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr: SocketAddr = line.trim().parse().unwrap();
    let pid = server.0.id();
    // Warm up: a first batch of connections, so the runtime's lazily
    // grown tables and the allocator's arenas are not counted.
    let base_fds = fds(pid);
    {
        let warm: Vec<TcpStream> = (0..100)
            .map(|_| TcpStream::connect(addr).unwrap())
            .collect();
        wait_for(|| fds(pid) >= base_fds + 100, "warm-up connections");
        drop(warm);
        wait_for(|| fds(pid) <= base_fds, "warm-up connections to close");
    }
    let before = status_kb(pid, "VmRSS:");
    let mut client = Killed(
        Command::new(&exe)
            .args([
                "client",
                &addr.to_string(),
                &n.to_string(),
                &sources.to_string(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(client.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), format!("connected {n}"), "client failed");
    // Every connection accepted and its task parked on its read.
    wait_for(|| fds(pid) >= base_fds + n, "the server to accept them all");
    let mut after = status_kb(pid, "VmRSS:");
    // Let the last tasks run and settle: take the largest of a few looks.
    for _ in 0..5 {
        std::thread::sleep(Duration::from_millis(100));
        after = after.max(status_kb(pid, "VmRSS:"));
    }
    drop(client);
    (after.saturating_sub(before) * 1024) as f64 / n as f64
}

fn wait_for(done: impl FnMut() -> bool, what: &str) {
    procs::wait_for(Duration::from_secs(120), what, done);
}

fn measure(n: usize, rounds: usize, sources: u8) {
    let mut per: Vec<Vec<f64>> = vec![Vec::new(); RUNTIMES.len()];
    for r in 0..rounds {
        for k in 0..RUNTIMES.len() {
            // Rotate the order round by round.
            let i = (k + r) % RUNTIMES.len();
            let bytes = one(RUNTIMES[i], n, sources);
            eprintln!(
                "round {}: {} {:.0} B per connection",
                r + 1,
                RUNTIMES[i],
                bytes
            );
            per[i].push(bytes);
        }
    }
    println!("\n{n} idle connections, server RSS per connection (median of {rounds}):");
    println!("| runtime | bytes per connection | rounds |");
    println!("|---|---|---|");
    for (i, name) in RUNTIMES.iter().enumerate() {
        let mut v = per[i].clone();
        v.sort_by(f64::total_cmp);
        let shown: Vec<String> = per[i].iter().map(|b| format!("{b:.0}")).collect();
        println!("| {name} | {:.0} | {} |", v[v.len() / 2], shown.join(", "));
    }
}
