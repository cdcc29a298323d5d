//! Per-worker counters of both schedulers (polls, steals, parks, busy
//! time), written by the thread that runs the worker and read by
//! `RuntimeMetrics` at any time. (Which poll a thread is in right now is
//! its `PollStamp`, `poll_stamp.rs`.)
//!
//! Each block sits on its own 128-byte line so that workers never write a
//! shared cache line on the hot path; the single writer updates with a
//! plain load + store (no read-modify-write). These are std atomics even
//! under loom: they are statistics, not part of any protocol.

use crate::util::clock;
use std::sync::atomic::{
    AtomicU64,
    Ordering::{Acquire, Relaxed, Release},
};
use std::time::Duration;

/// One worker's counters.
#[derive(Default)]
#[repr(align(128))]
pub(crate) struct WorkerStats {
    polls: AtomicU64,
    steals: AtomicU64,
    parks: AtomicU64,
    /// Nanoseconds spent out of park, on the precise clock (a burst of
    /// short polls between two parks is shorter than a coarse tick).
    busy_ns: AtomicU64,
    /// Nanoseconds that polls kept running on their thread after the
    /// worker's core was handed off (written by those threads, so with a
    /// read-modify-write).
    stuck_busy_ns: AtomicU64,
    /// Schedule latency and poll time of this worker's polls (sampled).
    pub(crate) latency: crate::scheduler::latency::WorkerHistograms,
}

impl WorkerStats {
    #[inline]
    fn bump(counter: &AtomicU64, by: u64) {
        // Single writer: a load and a store are enough and stay local.
        counter.store(counter.load(Relaxed).wrapping_add(by), Relaxed);
    }

    /// Counts a poll (called by the worker's thread before each poll).
    #[inline]
    pub(crate) fn count_poll(&self) {
        Self::bump(&self.polls, 1);
    }

    /// Called by the owning worker only.
    pub(crate) fn inc_steals(&self) {
        Self::bump(&self.steals, 1);
    }

    /// Called by the owning worker only, after [`add_busy`](Self::add_busy):
    /// the release store publishes the busy time with the park.
    pub(crate) fn inc_parks(&self) {
        self.parks
            .store(self.parks.load(Relaxed).wrapping_add(1), Release);
    }

    /// The start of a busy stretch (a worker leaving park), for
    /// [`add_busy`](Self::add_busy).
    #[inline]
    pub(crate) fn busy_start() -> u64 {
        clock::precise_now_ns()
    }

    /// Adds the busy stretch that began at `since` (from [`busy_start`]
    /// or an earlier `add_busy`) and returns the time now, the start of
    /// the next stretch. Called by the owning worker when it parks and at
    /// maintenance ticks.
    ///
    /// [`busy_start`]: Self::busy_start
    pub(crate) fn add_busy(&self, since: u64) -> u64 {
        let now = clock::precise_now_ns();
        Self::bump(&self.busy_ns, now.saturating_sub(since));
        now
    }

    pub(crate) fn polls(&self) -> u64 {
        self.polls.load(Relaxed)
    }

    pub(crate) fn steals(&self) -> u64 {
        self.steals.load(Relaxed)
    }

    pub(crate) fn parks(&self) -> u64 {
        self.parks.load(Acquire)
    }

    pub(crate) fn busy(&self) -> Duration {
        Duration::from_nanos(self.busy_ns.load(Relaxed) + self.stuck_busy_ns.load(Relaxed))
    }

    /// A poll whose worker's core was handed off at `since` (coarse clock)
    /// returned: its time since then still counts as this worker's.
    pub(crate) fn add_stuck_busy(&self, since: u64) {
        let now = clock::coarse_now_ns();
        self.stuck_busy_ns
            .fetch_add(now.saturating_sub(since), Relaxed);
    }
}
