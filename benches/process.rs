//! Process spawn + wait: `/bin/true` 1000 times, 64 at a time, on this
//! runtime and on Tokio (2 worker threads each), alternating sample by
//! sample.
//!
//! `cargo bench --bench process -- [SAMPLES]` (default 21) prints the
//! median time per run for each runtime and the paired ratio (ours /
//! Tokio's: median and quartiles). `-- --only ours|tokio` runs one
//! runtime once, for a profiler.

#[path = "common/stats.rs"]
mod stats;

use std::time::{Duration, Instant};

const CHILDREN: usize = 1000;
const AT_ONCE: usize = 64;

/// Defines `$name`: the measured run on runtime `$rt` (`runtime` or
/// `tokio`): `AT_ONCE` tasks that each spawn and wait for their share of
/// the `CHILDREN` children in turn.
macro_rules! spawn_children {
    ($name:ident, $rt:ident) => {
        fn $name(rt: &$rt::runtime::Runtime) -> Duration {
            rt.block_on(async {
                let start = Instant::now();
                let mut tasks = Vec::new();
                for lane in 0..AT_ONCE {
                    tasks.push($rt::spawn(async move {
                        for _ in (lane..CHILDREN).step_by(AT_ONCE) {
                            let status = $rt::process::Command::new("/bin/true")
                                .status()
                                .await
                                .unwrap();
                            assert!(status.success());
                        }
                    }));
                }
                for t in tasks {
                    t.await.unwrap();
                }
                start.elapsed()
            })
        }
    };
}

spawn_children!(ours, runtime);
spawn_children!(tokio, tokio);

fn main() {
    let samples: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(21);
    let ours_rt = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let tokio_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // `--only ours|tokio`: one runtime, once (for profilers).
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--only") {
        let d = match args.get(pos + 1).map(String::as_str) {
            Some("tokio") => tokio(&tokio_rt),
            _ => ours(&ours_rt),
        };
        println!("{:.1} ms", d.as_secs_f64() * 1e3);
        return;
    }
    // Warm up both (first spawns fault in the binary's pages).
    ours(&ours_rt);
    tokio(&tokio_rt);
    let (mut a, mut b, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..samples {
        let (x, y) = if i % 2 == 0 {
            let x = ours(&ours_rt);
            (x, tokio(&tokio_rt))
        } else {
            let y = tokio(&tokio_rt);
            (ours(&ours_rt), y)
        };
        a.push(x.as_secs_f64() * 1e3);
        b.push(y.as_secs_f64() * 1e3);
        ratios.push(x.as_secs_f64() / y.as_secs_f64());
    }
    println!(
        "process spawn+wait /bin/true x{CHILDREN}, {AT_ONCE} at a time, {samples} paired samples"
    );
    println!("| runtime | median ms |");
    println!("|---|---|");
    println!("| ours | {:.1} |", stats::median(&mut a));
    println!("| tokio | {:.1} |", stats::median(&mut b));
    println!("ours/tokio: {}", stats::ratio_cell(&mut ratios));
}
