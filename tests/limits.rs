//! File-descriptor limits, with processes of their own (so this file has
//! its own `main`): a thousand loopback connections held open at once
//! under a soft limit of 1,024 descriptors, and a server that survives
//! `EMFILE` and serves again once fds free up.
//!
//! Every limit here is a fixed number the test lowers the soft limit to,
//! never "as many as this machine's hard limit allows": the tests do the
//! same on any machine whose hard limit is at least 1,024 (Linux's
//! default soft limit; a lower hard limit is reported as such).
//!
//! The binary runs as the test (no `ROLE`), or, started by the test with
//! `ROLE` set, as the other side of it.

#[allow(unused_macros)]
mod common;

use runtime::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use runtime::net::{TcpListener, TcpStream};
use std::io::{BufRead, Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The soft fd limit of both processes of the many-connections test.
const FD_LIMIT: u64 = 1024;

/// Connections held open at once: each process has one descriptor per
/// connection and at most `FD_LIMIT - CONNECTIONS` (24) for everything
/// else (stdio, the runtime's epoll and wake-up fds, the listener, the
/// pipes to the other process), so a runtime that needed a second
/// descriptor per connection, or leaked some, runs out.
const CONNECTIONS: usize = 1000;

/// Sets the soft `RLIMIT_NOFILE` to `limit` (lowering it, or raising it
/// up to the hard limit); a hard limit below `limit` fails the test with
/// that reason.
fn set_fd_limit(limit: u64) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid, initialised struct.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim), 0);
        assert!(
            lim.rlim_max >= limit,
            "these tests need a hard RLIMIT_NOFILE of at least {limit}, this machine's is {}",
            lim.rlim_max
        );
        lim.rlim_cur = limit;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &lim), 0);
    }
}

/// The accept loop every server here uses, following the runtime's
/// policy: per-connection errors are retried at once, running out of
/// descriptors backs off with a timer (never a spin), and `on_emfile`
/// hears about it.
async fn serve<F, Fut>(listener: TcpListener, on_emfile: impl Fn(), handle: F)
where
    F: Fn(TcpStream) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    loop {
        match listener.accept().await {
            Ok((stream, _)) => drop(runtime::spawn(handle(stream))),
            Err(e) if matches!(e.raw_os_error(), Some(libc::EMFILE) | Some(libc::ENFILE)) => {
                on_emfile();
                runtime::time::sleep(Duration::from_millis(10)).await;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::ConnectionReset
                ) => {}
            Err(e) => panic!("accept failed: {e}"),
        }
    }
}

/// Server side of a connection: echo one line, then hold the connection
/// until the peer closes it.
async fn echo_line_then_hold(stream: TcpStream, open: Arc<AtomicUsize>, served: Arc<AtomicUsize>) {
    open.fetch_add(1, Ordering::SeqCst);
    let (rd, mut wr) = stream.into_split();
    let mut rd = BufReader::new(rd);
    let mut line = String::new();
    if rd.read_line(&mut line).await.is_ok() && !line.is_empty() {
        // Counted before the echo goes out, so a client that has its echo
        // knows the count includes it (counting after `write_all` raced
        // with the client's report).
        served.fetch_add(1, Ordering::SeqCst);
        let _ = wr.write_all(line.as_bytes()).await;
        let mut rest = Vec::new();
        let _ = rd.read_to_end(&mut rest).await;
    }
    open.fetch_sub(1, Ordering::SeqCst);
}

fn a_thousand_connections_at_a_fixed_fd_limit() {
    set_fd_limit(FD_LIMIT);
    let rt = common::multi_thread(2);
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let open = Arc::new(AtomicUsize::new(0));
        let served = Arc::new(AtomicUsize::new(0));
        let (o, s) = (open.clone(), served.clone());
        runtime::spawn(serve(
            listener,
            || {
                // Fails the test (through the clients' report) instead of
                // waiting for descriptors that never come back.
                eprintln!("the server ran out of descriptors under a soft limit of {FD_LIMIT}");
                std::process::abort();
            },
            move |stream| echo_line_then_hold(stream, o.clone(), s.clone()),
        ));
        // The clients live in a child process, under the same limit: both
        // ends of the connections would not fit under one.
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env("ROLE", "clients")
            .env("ADDR", addr.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let line = runtime::spawn_blocking(move || {
            let mut line = String::new();
            out.read_line(&mut line).unwrap();
            line
        })
        .await
        .unwrap();
        assert_eq!(line.trim(), format!("all {CONNECTIONS} echoed"));
        // Every client got its echo and holds its connection open: the
        // server has all of them open at once.
        assert_eq!(served.load(Ordering::SeqCst), CONNECTIONS);
        assert_eq!(open.load(Ordering::SeqCst), CONNECTIONS);
        drop(child.stdin.take());
        let status = runtime::spawn_blocking(move || child.wait().unwrap())
            .await
            .unwrap();
        assert!(status.success(), "client process failed: {status}");
    });
    println!("a_thousand_connections_at_a_fixed_fd_limit ... ok");
}

/// Child role: open `CONNECTIONS` connections at once on the runtime,
/// echo a line on each, report, and hold them until stdin closes.
fn clients() {
    set_fd_limit(FD_LIMIT);
    let addr: std::net::SocketAddr = std::env::var("ADDR").unwrap().parse().unwrap();
    let rt = common::multi_thread(2);
    let streams = rt.block_on(async {
        let tasks: Vec<_> = (0..CONNECTIONS)
            .map(|i| {
                runtime::spawn(async move {
                    let mut s = TcpStream::connect(addr).await.unwrap();
                    let msg = format!("client {i}\n");
                    s.write_all(msg.as_bytes()).await.unwrap();
                    let mut back = vec![0; msg.len()];
                    s.read_exact(&mut back).await.unwrap();
                    assert_eq!(back, msg.as_bytes());
                    s
                })
            })
            .collect();
        let mut streams = Vec::new();
        for t in tasks {
            streams.push(t.await.unwrap());
        }
        streams
    });
    println!("all {} echoed", streams.len());
    std::io::stdout().flush().unwrap();
    let mut rest = Vec::new();
    std::io::stdin().read_to_end(&mut rest).unwrap();
    drop(streams);
}

fn survives_emfile() {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("ROLE", "emfile_server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let addr: std::net::SocketAddr = line
        .trim()
        .strip_prefix("listening ")
        .unwrap()
        .parse()
        .unwrap();
    // Far more connections than the server has descriptors: the kernel
    // completes them all, the server runs out while accepting.
    let mut conns: Vec<_> = (0..200)
        .map(|i| {
            let mut c = std::net::TcpStream::connect(addr).unwrap();
            writeln!(c, "flood {i}").unwrap();
            c
        })
        .collect();
    line.clear();
    out.read_line(&mut line).unwrap();
    assert_eq!(
        line.trim(),
        "emfile",
        "the server should report running out of fds"
    );
    // Free the server's descriptors, then a new client must be served.
    conns.clear();
    let mut c = std::net::TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    writeln!(c, "after").unwrap();
    let mut echo = String::new();
    std::io::BufReader::new(&c).read_line(&mut echo).unwrap();
    assert_eq!(
        echo, "after\n",
        "the server did not serve again after EMFILE"
    );
    drop(c);
    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "server process failed: {status}");
    println!("survives_emfile ... ok");
}

/// Child role: a server with only 64 descriptors.
fn emfile_server() {
    let rt = common::multi_thread(2);
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("listening {}", listener.local_addr().unwrap());
        std::io::stdout().flush().unwrap();
        // Lowered after the runtime and listener exist (they need a few).
        set_fd_limit(64);
        let reported = Arc::new(AtomicUsize::new(0));
        let r = reported.clone();
        let open = Arc::new(AtomicUsize::new(0));
        let served = Arc::new(AtomicUsize::new(0));
        runtime::spawn(serve(
            listener,
            move || {
                if r.fetch_add(1, Ordering::SeqCst) == 0 {
                    println!("emfile");
                    std::io::stdout().flush().unwrap();
                }
            },
            move |stream| echo_line_then_hold(stream, open.clone(), served.clone()),
        ));
        // Runs until the test closes stdin.
        runtime::spawn_blocking(|| {
            let mut rest = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut rest);
        })
        .await
        .unwrap();
        assert!(reported.load(Ordering::SeqCst) > 0);
    });
}

fn main() {
    match std::env::var("ROLE").as_deref() {
        Ok("clients") => clients(),
        Ok("emfile_server") => emfile_server(),
        Ok(other) => panic!("unknown ROLE {other}"),
        Err(_) => {
            // `cargo test -- --list` and filters: nothing to list here.
            if std::env::args().any(|a| a == "--list") {
                return;
            }
            a_thousand_connections_at_a_fixed_fd_limit();
            survives_emfile();
        }
    }
}
