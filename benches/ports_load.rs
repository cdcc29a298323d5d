//! Load for the ported servers (run through `benches/ports.sh`, which
//! builds them and their Tokio originals): each server runs as its own
//! process; blocking client threads in this process send requests and
//! wait for each answer; the server's CPU time (the sum of its threads'
//! `/proc/<pid>/task/*/schedstat` run time, nanoseconds) over the sample
//! divided by the requests is the figure. Ours and Tokio's alternate
//! sample by sample; medians and the paired ratio are printed, with the
//! ratio of all samples' CPU together, our monitor thread's share (the
//! thread named `runtime-monitor`), wall time and the servers' context
//! switches per request.
//!
//! - mini-redis: 4 connections, each `SET k<i> v` then `GET k<i>` in
//!   turn (RESP frames, one request in flight per connection).
//! - proxy: 4 connections through the proxy to an echo server, each
//!   sending 64 bytes and reading them back.

#[path = "common/procs.rs"]
mod procs;
#[path = "common/stats.rs"]
mod stats;

use procs::Killed as Server;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 4;
const REQUESTS_PER_CONNECTION: usize = 5_000;

impl Server {
    /// CPU time of all the server's threads so far, in nanoseconds.
    fn cpu_ns(&self) -> u64 {
        self.cpu_ns_of(|_| true)
    }

    /// CPU time so far of the server's threads whose name `pick` accepts.
    fn cpu_ns_of(&self, pick: impl Fn(&str) -> bool) -> u64 {
        let dir = format!("/proc/{}/task", self.0.id());
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|t| {
                let t = t.unwrap().path();
                let name = std::fs::read_to_string(t.join("comm")).ok()?;
                pick(name.trim())
                    .then(|| std::fs::read_to_string(t.join("schedstat")).ok())
                    .flatten()
            })
            .map(|s| s.split_whitespace().next().unwrap().parse::<u64>().unwrap())
            .sum()
    }

    /// Context switches (voluntary and not) of all the server's threads
    /// so far: each voluntary one is a sleep and a later wake-up.
    fn switches(&self) -> u64 {
        let dir = format!("/proc/{}/task", self.0.id());
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|t| std::fs::read_to_string(t.unwrap().path().join("status")).ok())
            .flat_map(|s| {
                s.lines()
                    .filter(|l| l.contains("ctxt_switches:"))
                    .map(|l| l.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap())
                    .collect::<Vec<_>>()
            })
            .sum()
    }
}

/// Starts `bin` on a free port (retried on another if the port was
/// taken meanwhile) and waits until it accepts connections.
fn start(bin: &str, args: impl Fn(u16) -> Vec<String>) -> (Server, u16) {
    for _ in 0..5 {
        let port = procs::free_port();
        let mut server = Server(
            Command::new(bin)
                .args(args(port))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {bin}: {e}")),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return (server, port);
            }
            if server.0.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::yield_now();
        }
    }
    panic!("{bin} did not start");
}

/// Runs `per_connection` on `CONNECTIONS` threads at once.
fn load(port: u16, per_connection: fn(TcpStream, usize)) {
    let threads: Vec<_> = (0..CONNECTIONS)
        .map(|i| {
            let c = TcpStream::connect(("127.0.0.1", port)).unwrap();
            c.set_nodelay(true).unwrap();
            std::thread::spawn(move || per_connection(c, i))
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

fn redis_client(c: TcpStream, i: usize) {
    let mut reader = BufReader::new(c.try_clone().unwrap());
    let mut w = c;
    let key = format!("k{i}");
    let set = format!(
        "*3\r\n$3\r\nSET\r\n${}\r\n{}\r\n$5\r\nvalue\r\n",
        key.len(),
        key
    );
    let get = format!("*2\r\n$3\r\nGET\r\n${}\r\n{}\r\n", key.len(), key);
    let mut line = String::new();
    for n in 0..REQUESTS_PER_CONNECTION {
        if n % 2 == 0 {
            w.write_all(set.as_bytes()).unwrap();
            line.clear();
            reader.read_line(&mut line).unwrap();
            assert_eq!(line, "+OK\r\n");
        } else {
            w.write_all(get.as_bytes()).unwrap();
            line.clear();
            reader.read_line(&mut line).unwrap();
            assert_eq!(line, "$5\r\n");
            line.clear();
            reader.read_line(&mut line).unwrap();
            assert_eq!(line, "value\r\n");
        }
    }
}

fn echo_client(mut c: TcpStream, _: usize) {
    let msg = [7u8; 64];
    let mut back = [0u8; 64];
    for _ in 0..REQUESTS_PER_CONNECTION {
        c.write_all(&msg).unwrap();
        c.read_exact(&mut back).unwrap();
        assert_eq!(back, msg);
    }
}

/// One paired comparison: CPU ns per request for each server, alternating.
fn compare(
    name: &str,
    samples: usize,
    ours: (&Server, u16),
    tokio: (&Server, u16),
    client: fn(TcpStream, usize),
) {
    let requests = (CONNECTIONS * REQUESTS_PER_CONNECTION) as f64;
    let measure = |(server, port): (&Server, u16)| {
        let before = server.cpu_ns();
        let monitor = server.cpu_ns_of(|name| name == "runtime-monitor");
        let switches = server.switches();
        let start = Instant::now();
        load(port, client);
        let wall = start.elapsed().as_secs_f64();
        (
            (server.cpu_ns() - before) as f64 / requests,
            wall * 1e6 / requests,
            (server.switches() - switches) as f64 / requests,
            (server.cpu_ns_of(|name| name == "runtime-monitor") - monitor) as f64 / requests,
        )
    };
    // Warm both up.
    measure(ours);
    measure(tokio);
    let (mut a, mut b, mut ratio) = (vec![], vec![], vec![]);
    let (mut wa, mut wb, mut sa, mut sb) = (vec![], vec![], vec![], vec![]);
    let mut monitor = vec![];
    for i in 0..samples {
        let (x, y) = if i % 2 == 0 {
            let x = measure(ours);
            (x, measure(tokio))
        } else {
            let y = measure(tokio);
            (measure(ours), y)
        };
        a.push(x.0);
        b.push(y.0);
        ratio.push(x.0 / y.0);
        wa.push(x.1);
        wb.push(y.1);
        sa.push(x.2);
        sb.push(y.2);
        monitor.push(x.3);
    }
    let total = a.iter().sum::<f64>() / b.iter().sum::<f64>();
    println!(
        "| {name} | {:.1} us | {:.1} us | {} | {total:.2}x | {:.2} us | {:.1} / {:.1} us | {:.2} / {:.2} |",
        stats::median(&mut a) / 1e3,
        stats::median(&mut b) / 1e3,
        stats::ratio_cell(&mut ratio),
        stats::median(&mut monitor) / 1e3,
        stats::median(&mut wa),
        stats::median(&mut wb),
        stats::median(&mut sa),
        stats::median(&mut sb),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let after = |flag: &str, n: usize| -> Vec<String> {
        let pos = args
            .iter()
            .position(|a| a == flag)
            .unwrap_or_else(|| panic!("missing {flag}: run benches/ports.sh"));
        args[pos + 1..pos + 1 + n].to_vec()
    };
    let samples: usize = after("--samples", 1)[0].parse().unwrap();
    let redis = after("--redis", 2);
    let proxy = after("--proxy", 2);
    let echo = after("--echo", 1);

    println!(
        "{CONNECTIONS} connections x {REQUESTS_PER_CONNECTION} requests per sample, {samples} paired samples"
    );
    println!("| server | ours CPU/request | Tokio CPU/request | ours/Tokio (median, p25-p75) | ours/Tokio, all samples' CPU | ours: monitor thread's CPU/request | wall/request ours / Tokio | context switches/request ours / Tokio |");
    println!("|---|---|---|---|---|---|---|---|");

    let port_arg = |p: u16| vec!["--port".to_string(), p.to_string()];
    let ours = start(&redis[0], port_arg);
    let tokio = start(&redis[1], port_arg);
    compare(
        "mini-redis (SET/GET)",
        samples,
        (&ours.0, ours.1),
        (&tokio.0, tokio.1),
        redis_client,
    );
    drop((ours, tokio));

    let (_echo, echo_port) = start(&echo[0], |p| vec![format!("127.0.0.1:{p}")]);
    let proxy_args = |p: u16| vec![format!("127.0.0.1:{p}"), format!("127.0.0.1:{echo_port}")];
    let ours = start(&proxy[0], proxy_args);
    let tokio = start(&proxy[1], proxy_args);
    compare(
        "proxy (64-byte echo)",
        samples,
        (&ours.0, ours.1),
        (&tokio.0, tokio.1),
        echo_client,
    );
}
