//! Server CPU per request under sparse load: one connection, one request
//! at a time, with a pause between requests, so that every request finds
//! the server idle (the case of most servers most of the day, and the one
//! where a runtime's own wake-ups cost the most per request). Side by
//! side with the same servers on Tokio (and smol, for HTTP), alternating
//! sample by sample.
//!
//! ```text
//! cargo build --release --example echo_server --example echo_server_tokio \
//!     --example http_hello --example http_hello_tokio --example http_hello_smol
//! cargo bench --bench sparse [-- SAMPLES [GAP_US...]]
//! ```
//!
//! Defaults: 15 samples of 200 requests, pauses of 300 us, 3 ms and
//! 10 ms (a `thread::sleep`, which overshoots by tens of microseconds).
//! For each server and pause it prints the server's CPU time per request
//! (all its threads, from `/proc/PID/task/*/schedstat`), the paired ratio
//! against Tokio (median, p25-p75), how many times per request the
//! server's threads went to sleep and were woken (voluntary context
//! switches) and their CPU time per request, by thread name, and the
//! client's round trip p50 / p99 / max. HTTP runs one worker per server (smol's example runs one executor
//! thread); echo runs the default worker count.

#[path = "common/procs.rs"]
mod procs;
#[path = "common/stats.rs"]
mod stats;

use procs::{free_port, Killed};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const REQUESTS: usize = 200;

/// A set of servers to compare: its title, whether they speak HTTP, and
/// each one's example name and worker-count argument.
type Set = (
    &'static str,
    bool,
    Vec<(&'static str, Option<&'static str>)>,
);

struct Server {
    name: &'static str,
    process: Killed,
    conn: TcpStream,
    http: bool,
}

impl Server {
    fn start(example: &'static str, workers: Option<&str>, http: bool) -> Server {
        let bin = procs::release_example(example);
        let port = free_port();
        let mut cmd = Command::new(&bin);
        cmd.arg(format!("127.0.0.1:{port}"));
        if let Some(w) = workers {
            cmd.arg(w);
        }
        let process = Killed(
            cmd.stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {bin}: {e}")),
        );
        procs::wait_until_listening(port, example);
        let conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
        conn.set_nodelay(true).unwrap();
        Server {
            name: example,
            process,
            conn,
            http,
        }
    }

    /// CPU time of the server's threads so far, in nanoseconds, and their
    /// voluntary context switches (went to sleep, were woken), each by
    /// thread name.
    fn counters(&self) -> BTreeMap<String, (u64, u64)> {
        let dir = format!("/proc/{}/task", self.process.0.id());
        let mut by_name = BTreeMap::new();
        for task in std::fs::read_dir(dir).unwrap() {
            let path = task.unwrap().path();
            let read = |f: &str| std::fs::read_to_string(path.join(f)).unwrap_or_default();
            let cpu = read("schedstat")
                .split_whitespace()
                .next()
                .and_then(|ns| ns.parse::<u64>().ok())
                .unwrap_or(0);
            let name = read("comm").trim().to_string();
            let switches = read("status")
                .lines()
                .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(0);
            let entry: &mut (u64, u64) = by_name.entry(name).or_default();
            entry.0 += cpu;
            entry.1 += switches;
        }
        by_name
    }

    /// One request and its whole answer.
    fn exchange(&mut self) {
        let mut buf = [0u8; 4096];
        if self.http {
            self.conn
                .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            let mut got = Vec::new();
            while !got.windows(13).any(|w| w == b"Hello, world!") {
                let n = self.conn.read(&mut buf).unwrap();
                assert!(n > 0, "{} closed the connection", self.name);
                got.extend_from_slice(&buf[..n]);
            }
        } else {
            self.conn.write_all(&[7u8; 64]).unwrap();
            let mut got = 0;
            while got < 64 {
                let n = self.conn.read(&mut buf).unwrap();
                assert!(n > 0, "{} closed the connection", self.name);
                got += n;
            }
        }
    }
}

/// What one sample of one server gave.
#[derive(Default)]
struct Totals {
    cpu_per_request: Vec<f64>,
    /// CPU ns and sleeps over all samples, by thread name.
    threads: BTreeMap<String, (u64, u64)>,
    rtt_us: Vec<f64>,
}

fn sample(server: &mut Server, gap: Duration, totals: &mut Totals) {
    let before = server.counters();
    for _ in 0..REQUESTS {
        std::thread::sleep(gap);
        let start = Instant::now();
        server.exchange();
        totals.rtt_us.push(start.elapsed().as_secs_f64() * 1e6);
    }
    let after = server.counters();
    let mut cpu = 0;
    for (name, (ns, n)) in after {
        let (ns0, n0) = before.get(&name).copied().unwrap_or_default();
        let t = totals.threads.entry(name).or_default();
        t.0 += ns.saturating_sub(ns0);
        t.1 += n.saturating_sub(n0);
        cpu += ns.saturating_sub(ns0);
    }
    totals.cpu_per_request.push(cpu as f64 / REQUESTS as f64);
}

fn main() {
    // `cargo bench` passes `--bench`; the numbers are ours.
    let nums: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let samples = nums.first().copied().unwrap_or(15) as usize;
    let gaps: Vec<Duration> = if nums.len() > 1 {
        nums[1..]
            .iter()
            .map(|&us| Duration::from_micros(us))
            .collect()
    } else {
        [300, 3_000, 10_000].map(Duration::from_micros).to_vec()
    };
    let sets: [Set; 2] = [
        (
            "HTTP hello, 1 worker",
            true,
            vec![
                ("http_hello", Some("1")),
                ("http_hello_tokio", Some("1")),
                ("http_hello_smol", None),
            ],
        ),
        (
            "echo, default workers",
            false,
            vec![("echo_server", None), ("echo_server_tokio", None)],
        ),
    ];
    println!("{samples} samples of {REQUESTS} requests per server and pause, alternated");
    for (title, http, examples) in sets {
        let mut servers: Vec<Server> = examples
            .iter()
            .map(|&(ex, w)| Server::start(ex, w, http))
            .collect();
        println!("\n{title}");
        println!("| pause | server | CPU/request | /Tokio (median, p25-p75) | sleeps per request, by thread (its CPU per request) | round trip p50 / p99 / max |");
        println!("|---|---|---|---|---|---|");
        for &gap in &gaps {
            let mut totals: Vec<Totals> = servers.iter().map(|_| Totals::default()).collect();
            // Warm up, then alternate, rotating which server goes first.
            for s in servers.iter_mut() {
                for _ in 0..20 {
                    s.exchange();
                }
            }
            for round in 0..samples {
                for k in 0..servers.len() {
                    let i = (round + k) % servers.len();
                    sample(&mut servers[i], gap, &mut totals[i]);
                }
            }
            let tokio = servers
                .iter()
                .position(|s| s.name.ends_with("_tokio"))
                .expect("a Tokio server in each set");
            let tokio_cpu = totals[tokio].cpu_per_request.clone();
            for (s, t) in servers.iter().zip(totals.iter_mut()) {
                let mut ratios: Vec<f64> = t
                    .cpu_per_request
                    .iter()
                    .zip(&tokio_cpu)
                    .map(|(a, b)| a / b)
                    .collect();
                let requests = (samples * REQUESTS) as f64;
                let sleeps: Vec<String> = t
                    .threads
                    .iter()
                    .filter(|(_, &(_, n))| n as f64 / requests >= 0.01)
                    .map(|(name, &(ns, n))| {
                        format!(
                            "{name} {:.2} ({:.1} us)",
                            n as f64 / requests,
                            ns as f64 / requests / 1e3
                        )
                    })
                    .collect();
                let max = t.rtt_us.iter().cloned().fold(0.0, f64::max);
                println!(
                    "| {} us | {} | {:.1} us | {} | {} | {:.0} / {:.0} / {:.0} us |",
                    gap.as_micros(),
                    s.name,
                    stats::median(&mut t.cpu_per_request) / 1e3,
                    stats::ratio_cell(&mut ratios),
                    sleeps.join(", "),
                    stats::quantile(&mut t.rtt_us, 0.5),
                    stats::quantile(&mut t.rtt_us, 0.99),
                    max
                );
            }
        }
    }
}
