//! Long runs: does a server on this runtime stay flat for ten minutes?
//! Each minute it prints the requests served, the errors, the latency
//! (p50/p99/max) and the server's resident memory (median and largest of
//! once-a-second readings) and open descriptors, then a text plot of RSS
//! and p99 over the run.
//!
//! ```text
//! cargo build --release --example http_hello --example echo_server
//! cargo bench --bench soak -- http [MINUTES]           # wrk -t1 -c256
//! cargo bench --bench soak -- echo [MINUTES] [CLIENTS] [EXAMPLE] # 1000 reconnecting clients
//! ```
//!
//! EXAMPLE (default `echo_server`) picks another echo server, such as
//! `echo_server_tokio`, to tell the runtime's behaviour from the
//! allocator's and the application's.
//!
//! With `SOAK_MAPS=1` each minute also prints where the server's memory
//! is: every anonymous mapping holding 256 KiB or more (glibc's main
//! heap, each thread's malloc arena, stacks, large allocations), by
//! address, size and resident KiB, and the server's live threads by
//! name, so that a minute where RSS grows can be traced to one arena.
//!
//! `http` runs `examples/http_hello` under `wrk -t1 -c256 --latency`, one
//! minute-long wrk run per minute (wrk must be installed:
//! `apt-get install wrk`). `echo` runs `examples/echo_server` against
//! CLIENTS client threads in this process, each connecting, making ten
//! 64-byte round trips, closing, and connecting again, so the server
//! accepts and drops connections all the time. The first minute is the
//! warm-up: growth is measured from its figures to the last minute's.

#[path = "common/procs.rs"]
mod procs;

use procs::{fds, free_port, Killed};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn start(example: &str, port: u16) -> Killed {
    let child = Command::new(procs::release_example(example))
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let server = Killed(child);
    procs::wait_until_listening(port, example);
    server
}

fn rss_kb(pid: u32) -> u64 {
    procs::status_kb(pid, "VmRSS:")
}

/// One minute's figures.
struct Minute {
    requests: u64,
    errors: u64,
    p50_us: f64,
    p99_us: f64,
    max_us: f64,
    /// The median and the largest of the minute's once-a-second RSS
    /// readings: under load RSS swings by a third within seconds as
    /// connections come and go, so one reading a minute shows noise, not
    /// growth.
    rss_med_kb: u64,
    rss_max_kb: u64,
    /// The most descriptors open at one reading in the minute.
    fds: usize,
    /// Threads the server started in the minute (new ids in
    /// `/proc/PID/task`): a runtime at a steady load starts none, and
    /// each new thread may take its own allocator arena.
    threads_started: usize,
}

/// One reading: RSS (KiB), open descriptors, threads started since the
/// reading before.
type Reading = (u64, usize, usize);

/// Reads the server's RSS, open descriptors and threads once a second on
/// its own thread; `minute` hands over what was read since the last call.
struct Sampler {
    readings: Arc<Mutex<Vec<Reading>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sampler {
    fn start(pid: u32) -> Sampler {
        let readings: Arc<Mutex<Vec<Reading>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s) = (readings.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut seen = thread_ids(pid);
            while !s.load(Relaxed) {
                let now = thread_ids(pid);
                let started = now.difference(&seen).count();
                seen.extend(now);
                let reading = (rss_kb(pid), fds(pid), started);
                r.lock().unwrap().push(reading);
                std::thread::sleep(Duration::from_secs(1));
            }
        });
        Sampler {
            readings,
            stop,
            thread: Some(thread),
        }
    }

    /// (median RSS, largest RSS, most descriptors, threads started)
    /// since the last call.
    fn minute(&self) -> (u64, u64, usize, usize) {
        let got = std::mem::take(&mut *self.readings.lock().unwrap());
        let mut rss: Vec<u64> = got.iter().map(|r| r.0).collect();
        rss.sort_unstable();
        let fds = got.iter().map(|r| r.1).max().unwrap_or(0);
        (
            rss.get(rss.len() / 2).copied().unwrap_or(0),
            rss.last().copied().unwrap_or(0),
            fds,
            got.iter().map(|r| r.2).sum(),
        )
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The ids of the threads of process `pid`.
fn thread_ids(pid: u32) -> std::collections::HashSet<u64> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// With `SOAK_MAPS=1`: the server's anonymous mappings holding 256 KiB
/// or more (address, size, resident KiB) and its live threads by name.
fn print_maps(pid: u32) {
    if std::env::var_os("SOAK_MAPS").is_none() {
        return;
    }
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let (mut head, mut size_kb, mut total_kb) = (String::new(), 0u64, 0u64);
    let mut lines = Vec::new();
    for line in smaps.lines() {
        let field = |name: &str| -> Option<u64> {
            line.strip_prefix(name)?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse()
                .ok()
        };
        if let Some(kb) = field("Size:") {
            size_kb = kb;
        } else if let Some(kb) = field("Rss:") {
            // Anonymous: no path, or a bracketed name such as [heap].
            let fields: Vec<&str> = head.split_whitespace().collect();
            let anon = fields.len() < 6 || fields[5].starts_with('[');
            if anon && kb >= 256 {
                total_kb += kb;
                let name = fields.get(5).copied().unwrap_or("");
                lines.push(format!(
                    "    {} {name} size {size_kb} KiB, rss {kb} KiB",
                    fields[0]
                ));
            }
        } else if line
            .split_whitespace()
            .next()
            .is_some_and(|f| f.contains('-'))
        {
            head = line.to_string();
        }
    }
    println!("  anonymous mappings >= 256 KiB: {total_kb} KiB resident");
    for l in lines {
        println!("{l}");
    }
    let mut names: Vec<String> = thread_ids(pid)
        .into_iter()
        .filter_map(|t| std::fs::read_to_string(format!("/proc/{pid}/task/{t}/comm")).ok())
        .map(|n| n.trim().to_string())
        .collect();
    names.sort();
    println!("  threads: {}", names.join(", "));
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mode = args.first().map(String::as_str).unwrap_or("");
    let minutes: u32 = args.get(1).map_or(10, |a| a.parse().expect("MINUTES"));
    let rows = match mode {
        "http" => http(minutes),
        "echo" => echo(
            minutes,
            args.get(2).map_or(1000, |a| a.parse().expect("CLIENTS")),
            args.get(3).map_or("echo_server", String::as_str),
        ),
        _ => {
            eprintln!("usage: cargo bench --bench soak -- http|echo [MINUTES] [CLIENTS] [EXAMPLE]");
            return;
        }
    };
    report(mode, &rows);
}

fn http(minutes: u32) -> Vec<Minute> {
    let port = free_port();
    let server = start("http_hello", port);
    let pid = server.0.id();
    let mut rows = Vec::new();
    let sampler = Sampler::start(pid);
    for m in 1..=minutes {
        let wrk = Command::new("wrk")
            .args(["-t1", "-c256", "-d60s", "--latency"])
            .arg(format!("http://127.0.0.1:{port}/"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("wrk is needed: apt-get install wrk");
        let out = wrk.wait_with_output().unwrap();
        let (rss_med_kb, rss_max_kb, fds, threads_started) = sampler.minute();
        let text = String::from_utf8_lossy(&out.stdout);
        let field = |key: &str| -> Option<f64> {
            text.lines()
                .find(|l| l.trim_start().starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .map(parse_wrk_time)
        };
        let requests = text
            .lines()
            .find(|l| l.contains("requests in"))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        // "Socket errors: connect 0, read 0, write 0, timeout 0" and
        // "Non-2xx or 3xx responses: N" appear only when nonzero.
        let mut errors = 0;
        for l in text.lines() {
            if let Some(rest) = l.trim().strip_prefix("Socket errors:") {
                errors += rest
                    .split(',')
                    .filter_map(|p| p.split_whitespace().last()?.parse::<u64>().ok())
                    .sum::<u64>();
            }
            if let Some(rest) = l.trim().strip_prefix("Non-2xx or 3xx responses:") {
                errors += rest.trim().parse::<u64>().unwrap_or(0);
            }
        }
        let max_us = text
            .lines()
            .find(|l| l.trim_start().starts_with("Latency"))
            .and_then(|l| l.split_whitespace().nth(3))
            .map(parse_wrk_time)
            .unwrap_or(f64::NAN);
        let row = Minute {
            requests,
            errors,
            p50_us: field("50%").unwrap_or(f64::NAN),
            p99_us: field("99%").unwrap_or(f64::NAN),
            max_us,
            rss_med_kb,
            rss_max_kb,
            fds,
            threads_started,
        };
        print_row(m, &row);
        print_maps(pid);
        rows.push(row);
    }
    rows
}

/// wrk's "1.23ms" / "456.00us" / "1.02s" in microseconds.
fn parse_wrk_time(v: &str) -> f64 {
    if let Some(x) = v.strip_suffix("us") {
        x.parse().unwrap()
    } else if let Some(x) = v.strip_suffix("ms") {
        x.parse::<f64>().unwrap() * 1e3
    } else if let Some(x) = v.strip_suffix('s') {
        x.parse::<f64>().unwrap() * 1e6
    } else {
        f64::NAN
    }
}

fn echo(minutes: u32, clients: usize, example: &str) -> Vec<Minute> {
    let port = free_port();
    let server = start(example, port);
    let pid = server.0.id();
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    // Latencies of the current minute (microseconds), swapped out by the
    // main thread at each minute's end.
    let samples: Arc<Mutex<Vec<u32>>> = Arc::default();
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (stop, errors, samples) = (stop.clone(), errors.clone(), samples.clone());
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || {
                    let mut mine = Vec::with_capacity(256);
                    let mut buf = [0u8; 64];
                    while !stop.load(Relaxed) {
                        let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
                            errors.fetch_add(1, Relaxed);
                            continue;
                        };
                        for _ in 0..10 {
                            let t = Instant::now();
                            if s.write_all(&[7u8; 64])
                                .and_then(|_| s.read_exact(&mut buf))
                                .is_err()
                            {
                                errors.fetch_add(1, Relaxed);
                                break;
                            }
                            mine.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                        }
                        if mine.len() >= 200 {
                            samples.lock().unwrap().append(&mut mine);
                        }
                    }
                    samples.lock().unwrap().append(&mut mine);
                })
                .unwrap()
        })
        .collect();
    let mut rows = Vec::new();
    let mut errors_before = 0;
    let sampler = Sampler::start(pid);
    for m in 1..=minutes {
        std::thread::sleep(Duration::from_secs(60));
        let (rss_med_kb, rss_max_kb, fds, threads_started) = sampler.minute();
        let mut lat = std::mem::take(&mut *samples.lock().unwrap());
        lat.sort_unstable();
        let pct = |p: f64| -> f64 {
            if lat.is_empty() {
                f64::NAN
            } else {
                lat[((lat.len() - 1) as f64 * p) as usize] as f64
            }
        };
        let e = errors.load(Relaxed);
        let row = Minute {
            requests: lat.len() as u64,
            errors: e - errors_before,
            p50_us: pct(0.50),
            p99_us: pct(0.99),
            max_us: lat.last().map_or(f64::NAN, |&v| v as f64),
            rss_med_kb,
            rss_max_kb,
            fds,
            threads_started,
        };
        errors_before = e;
        print_row(m, &row);
        print_maps(pid);
        rows.push(row);
    }
    stop.store(true, Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    rows
}

fn print_row(m: u32, r: &Minute) {
    eprintln!(
        "minute {m:>2}: {:>9} requests, {} errors, p50 {:.0} us, p99 {:.0} us, max {:.0} us, RSS median {:.1} MiB, max {:.1} MiB, {} fds, {} threads started",
        r.requests,
        r.errors,
        r.p50_us,
        r.p99_us,
        r.max_us,
        r.rss_med_kb as f64 / 1024.0,
        r.rss_max_kb as f64 / 1024.0,
        r.fds,
        r.threads_started
    );
}

fn report(mode: &str, rows: &[Minute]) {
    println!("\nsoak ({mode}), one row per minute:");
    println!("| minute | requests | errors | p50 | p99 | max | RSS median | RSS max | fds (max) | threads started |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (i, r) in rows.iter().enumerate() {
        println!(
            "| {} | {} | {} | {:.0} us | {:.0} us | {:.0} us | {:.1} MiB | {:.1} MiB | {} | {} |",
            i + 1,
            r.requests,
            r.errors,
            r.p50_us,
            r.p99_us,
            r.max_us,
            r.rss_med_kb as f64 / 1024.0,
            r.rss_max_kb as f64 / 1024.0,
            r.fds,
            r.threads_started
        );
    }
    if rows.len() >= 2 {
        let (first, last) = (&rows[0], &rows[rows.len() - 1]);
        let growth = |a: f64, b: f64| (b / a - 1.0) * 100.0;
        println!(
            "\nerrors in all: {}; from minute 1 to the last: RSS median {:+.1}%, RSS max {:+.1}%, fds {:+.1}%, p99 {:.0} -> {:.0} us",
            rows.iter().map(|r| r.errors).sum::<u64>(),
            growth(first.rss_med_kb as f64, last.rss_med_kb as f64),
            growth(first.rss_max_kb as f64, last.rss_max_kb as f64),
            growth(first.fds as f64, last.fds as f64),
            first.p99_us,
            last.p99_us
        );
    }
    plot(
        "RSS median (MiB)",
        rows.iter().map(|r| r.rss_med_kb as f64 / 1024.0).collect(),
    );
    plot(
        "RSS max (MiB)",
        rows.iter().map(|r| r.rss_max_kb as f64 / 1024.0).collect(),
    );
    plot("p99 (us)", rows.iter().map(|r| r.p99_us).collect());
}

/// A horizontal bar per minute, scaled to the largest value.
fn plot(title: &str, values: Vec<f64>) {
    let top = values.iter().cloned().fold(0.0, f64::max);
    println!("\n{title}");
    println!("```text");
    for (i, v) in values.iter().enumerate() {
        let width = if top > 0.0 {
            (v / top * 50.0).round() as usize
        } else {
            0
        };
        println!("{:>3} | {:<50} {:.1}", i + 1, "#".repeat(width), v);
    }
    println!("```");
}
