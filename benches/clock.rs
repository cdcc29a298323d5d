//! The cost of a clock read, which decided how the runtime times things:
//! `Instant::now()` (what a per-poll slow-poll timer would need) against
//! `CLOCK_MONOTONIC_COARSE` (what `runtime_core::util::clock` reads for
//! task ages and busy time). Not a comparison with other runtimes.
//!
//! ```text
//! cargo bench --bench clock
//! ```
//!
//! Prints the median over 15 rounds of 2 million reads of each, in ns.

#[path = "common/stats.rs"]
mod stats;

use std::hint::black_box;
use std::time::Instant;

const READS: u32 = 2_000_000;

fn per_read(mut read: impl FnMut() -> u64) -> f64 {
    let start = Instant::now();
    let mut acc = 0u64;
    for _ in 0..READS {
        acc = acc.wrapping_add(read());
    }
    black_box(acc);
    start.elapsed().as_nanos() as f64 / f64::from(READS)
}

#[cfg(target_os = "linux")]
fn coarse() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec and the clock id exists
    // on every Linux since 2.6.32.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) };
    ts.tv_nsec as u64
}

fn main() {
    let (mut precise, mut coarse_ns) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        precise.push(per_read(|| {
            black_box(Instant::now());
            1
        }));
        #[cfg(target_os = "linux")]
        coarse_ns.push(per_read(coarse));
    }
    println!("| clock | ns per read (median of 15 rounds) |");
    println!("|---|---|");
    println!("| Instant::now | {:.1} |", stats::median(&mut precise));
    if !coarse_ns.is_empty() {
        println!(
            "| CLOCK_MONOTONIC_COARSE | {:.1} |",
            stats::median(&mut coarse_ns)
        );
    }
}
