//! The always-on latency histograms of both schedulers: schedule latency
//! (a task becoming runnable -> its poll starting) and poll time, per
//! worker, in fixed log-scale buckets.
//!
//! Cheap enough to leave on because they are *sampled*: one schedule in
//! `SAMPLE_EVERY` per thread (a thread-local counter, no atomic) stamps
//! the task's header with the time (`Header::runnable_at`, 4 bytes that
//! the header had spare); the poll that finds a stamp clears it, reads the
//! clock, records the wait, and reads the clock again when the poll
//! returns to record its duration. An unsampled schedule costs a
//! thread-local increment; an unsampled poll one load of a header word it
//! is about to write anyway. Three clock reads (42 ns each here) per 64
//! task runs is under 2 ns per run.
//!
//! Histogram buckets are written with `fetch_add` (a thread whose core was
//! handed off still records its last poll), on the worker's own
//! statistics line.

use crate::raw_task::Header;
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// One schedule in this many is timed (per thread). A power of two.
pub(crate) const SAMPLE_EVERY: u32 = 64;

/// Stamp units: 128 ns, so a `u32` stamp wraps after 549 s (a wait
/// longer than that would be recorded modulo it).
const UNIT_NS: u64 = 128;

/// Buckets: 0 is [0, 64 ns); bucket `i` >= 1 is [64 ns * 2^(i-1),
/// 64 ns * 2^i); the last one is open-ended (from 68.7 s).
pub(crate) const BUCKETS: usize = 32;
const FIRST_BOUND_NS: u64 = 64;

thread_local! {
    static SCHEDULES: Cell<u32> = const { Cell::new(0) };
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// `now` as a non-zero stamp (0 means "not sampled").
fn stamp_of(now: Instant) -> u32 {
    let units = now.duration_since(epoch()).as_nanos() as u64 / UNIT_NS;
    (units as u32).max(1)
}

/// `task` became runnable (spawned, woken, or re-queued after a poll).
#[inline]
pub(crate) fn mark_runnable(task: &Header) {
    // Loom replays schedules and must not see the clock (nor a counter
    // shared by its model threads, which run on one OS thread).
    if cfg!(loom) {
        return;
    }
    let n = SCHEDULES.with(|c| {
        let n = c.get().wrapping_add(1);
        c.set(n);
        n
    });
    if n & (SAMPLE_EVERY - 1) == 0 {
        task.runnable_at.store(stamp_of(Instant::now()), Relaxed);
    }
}

/// A poll of `task` is about to start: records its schedule latency if it
/// was sampled, returning the poll's start time to `poll_returned`.
#[inline]
pub(crate) fn poll_starts(task: &Header, hist: &WorkerHistograms) -> Option<Instant> {
    let stamp = task.runnable_at.load(Relaxed);
    if stamp == 0 {
        return None;
    }
    task.runnable_at.store(0, Relaxed);
    let now = Instant::now();
    let waited = u64::from(stamp_of(now).wrapping_sub(stamp)) * UNIT_NS;
    hist.schedule_latency.record(waited);
    Some(now)
}

/// The poll that `poll_starts` timed returned.
#[inline]
pub(crate) fn poll_returned(started: Option<Instant>, hist: &WorkerHistograms) {
    if let Some(started) = started {
        hist.poll_time.record(started.elapsed().as_nanos() as u64);
    }
}

/// One worker's two histograms.
#[derive(Default)]
pub(crate) struct WorkerHistograms {
    pub(crate) schedule_latency: AtomicHistogram,
    pub(crate) poll_time: AtomicHistogram,
}

/// Bucket counts and the largest value, updated from any thread.
#[derive(Default)]
pub(crate) struct AtomicHistogram {
    buckets: [AtomicU64; BUCKETS],
    max_ns: AtomicU64,
}

impl AtomicHistogram {
    pub(crate) fn record(&self, ns: u64) {
        self.buckets[bucket_of(ns)].fetch_add(1, Relaxed);
        self.max_ns.fetch_max(ns, Relaxed);
    }

    /// Adds this histogram's counts to `counts` and returns its largest
    /// value (the public `Histogram` snapshot is built from these).
    pub(crate) fn add_to(&self, counts: &mut [u64; BUCKETS]) -> Duration {
        for (i, b) in self.buckets.iter().enumerate() {
            counts[i] += b.load(Relaxed);
        }
        Duration::from_nanos(self.max_ns.load(Relaxed))
    }
}

/// The bucket of a value in nanoseconds.
pub(crate) fn bucket_of(ns: u64) -> usize {
    if ns < FIRST_BOUND_NS {
        return 0;
    }
    let i = 64 - (ns / FIRST_BOUND_NS).leading_zeros() as usize;
    i.min(BUCKETS - 1)
}

/// The range of bucket `i` (the last one ends at `Duration::MAX`).
pub(crate) fn bucket_range(i: usize) -> std::ops::Range<Duration> {
    let lower = if i == 0 { 0 } else { FIRST_BOUND_NS << (i - 1) };
    let upper = if i + 1 == BUCKETS {
        Duration::MAX
    } else {
        Duration::from_nanos(FIRST_BOUND_NS << i)
    };
    Duration::from_nanos(lower)..upper
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn buckets_double() {
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(63), 0);
        assert_eq!(bucket_of(64), 1);
        assert_eq!(bucket_of(127), 1);
        assert_eq!(bucket_of(128), 2);
        assert_eq!(bucket_of(1_000_000), 14); // 1 ms in [524 us, 1.05 ms)
        assert_eq!(bucket_of(u64::MAX), BUCKETS - 1);
        for i in 0..BUCKETS {
            let r = bucket_range(i);
            assert_eq!(bucket_of(r.start.as_nanos() as u64), i);
            if i + 1 < BUCKETS {
                assert_eq!(bucket_of(r.end.as_nanos() as u64 - 1), i);
            }
        }
    }

    #[test]
    fn stamps_measure_waits_to_the_unit() {
        let t0 = epoch() + Duration::from_secs(3);
        let t1 = t0 + Duration::from_micros(100);
        let waited = u64::from(stamp_of(t1).wrapping_sub(stamp_of(t0))) * UNIT_NS;
        assert!(waited.abs_diff(100_000) <= UNIT_NS, "{waited}");
    }
}
