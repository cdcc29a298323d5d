//! System calls per connection and per request, counted with `strace -c
//! -f` on the server process, side by side with the same server on Tokio:
//! `examples/http_hello.rs` against `http_hello_tokio.rs` (one worker
//! each) and `examples/echo_server.rs` against `echo_server_tokio.rs`
//! (default workers).
//!
//! ```text
//! cargo build --release --example http_hello --example http_hello_tokio \
//!     --example echo_server --example echo_server_tokio
//! cargo bench --bench syscalls
//! ```
//!
//! Each server runs three times under strace: one connection with one
//! request (the baseline: start-up and shutdown), 201 connections with one
//! request each, and one connection with 201 requests. (201 - 1) divided
//! into the difference from the baseline gives the calls per connection
//! (including its one request) and per request. The client is this
//! process: blocking sockets, one request in flight, so the server parks
//! between requests (the case where a runtime's wake-ups show).
//!
//! `cargo bench --bench syscalls -- --instructions` runs the same three
//! runs under `valgrind --tool=callgrind` instead and reports the
//! user-space instructions the server executes per connection and per
//! request (all its threads; valgrind runs them one at a time). Unlike
//! time on this shared machine, an instruction count repeats within a
//! percent or two from run to run. Time-driven work is inflated: the
//! server runs tens of times slower under valgrind (the scheduler
//! bench's `yield_many`, about a hundred times), so a thread that wakes
//! on a timer (this runtime's hand-off monitor) looks that much more
//! often per request than it would natively.
//!
//! `-- --inflight K` (default 1) runs every client loop above on K threads
//! at once, each with its own connections, so that K requests are in
//! flight; the differences are divided by K as well. With K > 1 the
//! server rarely parks between requests: the busy case.

#[path = "common/procs.rs"]
mod procs;

use procs::free_port;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const N: usize = 201;

/// What a run counts.
#[derive(Clone, Copy, PartialEq)]
enum Tool {
    /// System calls by name (`strace -f -c`).
    Strace,
    /// User-space instructions (`valgrind --tool=callgrind`), under the
    /// name `instructions`.
    Callgrind,
}

struct Server {
    child: Child,
    out: String,
    tool: Tool,
}

fn start(example: &str, workers: Option<&str>, port: u16, out: &str, tool: Tool) -> Server {
    let bin = procs::release_example(example);
    let mut cmd = match tool {
        Tool::Strace => {
            let mut c = Command::new("strace");
            c.args(["-f", "-c", "-o", out]);
            c
        }
        Tool::Callgrind => {
            let mut c = Command::new("valgrind");
            c.args(["--tool=callgrind", &format!("--callgrind-out-file={out}")]);
            c
        }
    };
    cmd.args([&bin, &format!("127.0.0.1:{port}")]);
    if let Some(w) = workers {
        cmd.arg(w);
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect(
            "strace (or valgrind, for --instructions) is needed: apt-get install strace valgrind",
        );
    procs::wait_until_listening(port, example);
    Server {
        child,
        out: out.to_string(),
        tool,
    }
}

impl Server {
    /// SIGINT to the server, then waits for the tool to write its
    /// summary; returns the counts by name.
    fn stop(mut self) -> std::collections::BTreeMap<String, u64> {
        let pid = self.child.id();
        // Under strace the server is strace's only child; valgrind runs
        // it in its own process.
        let children = match self.tool {
            Tool::Strace => std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
                .unwrap_or_default(),
            Tool::Callgrind => pid.to_string(),
        };
        for c in children.split_whitespace() {
            let _ = Command::new("kill").args(["-INT", c]).status();
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                for c in children.split_whitespace() {
                    let _ = Command::new("kill").args(["-KILL", c]).status();
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let text = std::fs::read_to_string(&self.out).unwrap();
        let mut calls = std::collections::BTreeMap::new();
        if self.tool == Tool::Callgrind {
            let total = text
                .lines()
                .find_map(|l| {
                    l.strip_prefix("summary:")
                        .or_else(|| l.strip_prefix("totals:"))
                })
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| panic!("no instruction total in {}", self.out));
            calls.insert("instructions".to_string(), total);
            return calls;
        }
        for line in text.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() >= 5 && f[0].chars().next().is_some_and(|c| c.is_ascii_digit()) {
                let name = f[f.len() - 1];
                if name != "total" {
                    calls.insert(name.to_string(), f[3].parse().unwrap());
                }
            }
        }
        calls
    }
}

/// One request/response on `s`: HTTP GET, or 64 bytes echoed.
fn exchange(s: &mut TcpStream, http: bool) {
    let mut buf = [0u8; 4096];
    if http {
        s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut got = Vec::new();
        while !got.windows(13).any(|w| w == b"Hello, world!") {
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0, "server closed");
            got.extend_from_slice(&buf[..n]);
        }
    } else {
        s.write_all(&[7u8; 64]).unwrap();
        let mut got = 0;
        while got < 64 {
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0, "server closed");
            got += n;
        }
    }
}

fn run(
    example: &str,
    workers: Option<&str>,
    http: bool,
    conns: usize,
    reqs: usize,
    tool: Tool,
    inflight: usize,
) -> std::collections::BTreeMap<String, u64> {
    let port = free_port();
    let out = format!("target/syscalls-{example}-{conns}-{reqs}.txt");
    let server = start(example, workers, port, &out, tool);
    std::thread::scope(|scope| {
        for _ in 0..inflight {
            scope.spawn(|| {
                for _ in 0..conns {
                    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                    s.set_nodelay(true).unwrap();
                    for _ in 0..reqs {
                        exchange(&mut s, http);
                    }
                }
            });
        }
    });
    server.stop()
}

fn main() {
    // `cargo bench` passes `--bench`; `--instructions` picks callgrind,
    // `--inflight K` the client threads.
    let args: Vec<String> = std::env::args().collect();
    let tool = if args.iter().any(|a| a == "--instructions") {
        Tool::Callgrind
    } else {
        Tool::Strace
    };
    let inflight: usize = args.iter().position(|a| a == "--inflight").map_or(1, |i| {
        args.get(i + 1)
            .and_then(|k| k.parse().ok())
            .filter(|&k| k > 0)
            .expect("--inflight takes a thread count of 1 or more")
    });
    let pairs: [(&str, &str, Option<&str>, bool); 2] = [
        ("http_hello", "http_hello_tokio", Some("1"), true),
        ("echo_server", "echo_server_tokio", None, false),
    ];
    for (ours, tokio, workers, http) in pairs {
        let mut rows: Vec<(String, f64, f64, f64, f64)> = Vec::new();
        let mut counts = Vec::new();
        for ex in [ours, tokio] {
            let base = run(ex, workers, http, 1, 1, tool, inflight);
            let per_conn = run(ex, workers, http, N, 1, tool, inflight);
            let per_req = run(ex, workers, http, 1, N, tool, inflight);
            counts.push((base, per_conn, per_req));
        }
        let names: std::collections::BTreeSet<&String> = counts
            .iter()
            .flat_map(|(a, b, c)| a.keys().chain(b.keys()).chain(c.keys()))
            .collect();
        let delta = |m: &std::collections::BTreeMap<String, u64>,
                     b: &std::collections::BTreeMap<String, u64>,
                     n: &str| {
            (*m.get(n).unwrap_or(&0) as f64 - *b.get(n).unwrap_or(&0) as f64)
                / ((N - 1) * inflight) as f64
        };
        for n in names {
            let oc = delta(&counts[0].1, &counts[0].0, n);
            let orq = delta(&counts[0].2, &counts[0].0, n);
            let tc = delta(&counts[1].1, &counts[1].0, n);
            let trq = delta(&counts[1].2, &counts[1].0, n);
            if [oc, orq, tc, trq].iter().any(|v| v.abs() >= 0.05) {
                rows.push((n.clone(), oc, tc, orq, trq));
            }
        }
        let what = match tool {
            Tool::Strace => "system calls",
            Tool::Callgrind => "user-space instructions",
        };
        println!(
            "\n{ours} vs {tokio}: {what} of the server process, {inflight} request(s) in flight"
        );
        println!("| call | per connection: ours | Tokio | per request: ours | Tokio |");
        println!("|---|---|---|---|---|");
        let mut sums = [0.0; 4];
        for (n, oc, tc, orq, trq) in &rows {
            println!("| {n} | {oc:.2} | {tc:.2} | {orq:.2} | {trq:.2} |");
            for (s, v) in sums.iter_mut().zip([oc, tc, orq, trq]) {
                *s += v;
            }
        }
        if tool == Tool::Strace {
            println!(
                "| **all** | {:.2} | {:.2} | {:.2} | {:.2} |",
                sums[0], sums[1], sums[2], sums[3]
            );
        } else {
            println!(
                "ours/Tokio: {:.2}x per connection, {:.2}x per request",
                sums[0] / sums[1],
                sums[2] / sums[3]
            );
        }
    }
}
