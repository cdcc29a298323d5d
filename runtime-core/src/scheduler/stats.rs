//! Per-worker counters of both schedulers (polls, steals, parks, busy
//! time) and the "what is this worker polling right now" slot the
//! slow-poll watchdog reads. Written only by the worker that owns them and
//! read by `RuntimeMetrics` and the watchdog at any time.
//!
//! Each block sits on its own 128-byte line so that workers never write a
//! shared cache line on the hot path; the single writer updates with a
//! plain load + store (no read-modify-write). These are std atomics even
//! under loom: they are statistics, not part of any protocol.

use crate::task::Header;
use crate::util::clock;
use std::panic::Location;
use std::sync::atomic::{
    AtomicPtr, AtomicU64,
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
    /// Nanoseconds spent out of park, on the coarse clock.
    busy_ns: AtomicU64,
    /// Nanoseconds that polls kept running on their thread after the
    /// worker's core was handed off (written by those threads, so with a
    /// read-modify-write).
    stuck_busy_ns: AtomicU64,
    /// The task being polled right now (its id), 0 between polls. Only
    /// written when slow-poll detection is on.
    current_task: AtomicU64,
    /// That task's spawn location (null before the first watched poll).
    current_location: AtomicPtr<Location<'static>>,
}

/// What the watchdog reads of a worker: which poll is running.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct PollSample {
    /// The worker's poll count, which numbers its polls.
    pub(crate) poll: u64,
    /// The task id (non-zero).
    pub(crate) task: u64,
}

impl WorkerStats {
    #[inline]
    fn bump(counter: &AtomicU64, by: u64) {
        // Single writer: a load and a store are enough and stay local.
        counter.store(counter.load(Relaxed).wrapping_add(by), Relaxed);
    }

    /// Called by the owning worker just before it polls the task whose
    /// header is `task`; `watch` says whether slow-poll detection is on.
    #[inline]
    pub(crate) fn poll_start(&self, task: &Header, watch: bool) {
        Self::bump(&self.polls, 1);
        if watch {
            let location = task.location as *const Location<'static> as *mut Location<'static>;
            // Release: a watchdog that reads this location also sees the
            // poll count bumped above (its seqlock re-check relies on it).
            self.current_location.store(location, Release);
            // Release: a watchdog that sees this id sees the poll count and
            // location written before it.
            self.current_task.store(task.id.as_u64(), Release);
        }
    }

    /// Called by the owning worker after the poll started by `poll_start`
    /// returned (and only if it still owns the worker: see block_in_place).
    #[inline]
    pub(crate) fn poll_end(&self, watch: bool) {
        if watch {
            self.current_task.store(0, Release);
        }
    }

    /// Called by the owning worker only.
    pub(crate) fn inc_steals(&self) {
        Self::bump(&self.steals, 1);
    }

    /// Called by the owning worker only.
    pub(crate) fn inc_parks(&self) {
        Self::bump(&self.parks, 1);
    }

    /// Adds the busy stretch that began at `since` (coarse clock) and
    /// returns the time now, the start of the next stretch. Called by the
    /// owning worker when it parks and at maintenance ticks.
    pub(crate) fn add_busy(&self, since: u64) -> u64 {
        let now = clock::coarse_now_ns();
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
        self.parks.load(Relaxed)
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

    /// The poll this worker is in, if it is polling a task, with that
    /// task's spawn location (watchdog). Read seqlock-style: the id and
    /// poll count are read again after the location, and a sample taken
    /// while the worker moved on to another poll is dropped (`None`: the
    /// next tick looks again).
    pub(crate) fn sample(&self) -> Option<(PollSample, Option<&'static Location<'static>>)> {
        // Acquire pairs with the Release in `poll_start`: the location and
        // poll count written before this id are visible.
        let task = self.current_task.load(Acquire);
        if task == 0 {
            return None;
        }
        let poll = self.polls.load(Relaxed);
        let ptr = self.current_location.load(Acquire);
        // Keeps the reads above before the re-check below.
        std::sync::atomic::fence(Acquire);
        if self.current_task.load(Relaxed) != task || self.polls.load(Relaxed) != poll {
            return None;
        }
        let location = if ptr.is_null() {
            None
        } else {
            // SAFETY: every non-null value stored comes from a
            // `&'static Location<'static>` (see `poll_start`), so it is
            // valid for reads forever.
            Some(unsafe { &*ptr })
        };
        Some((PollSample { poll, task }, location))
    }

    /// The poll of task `id` returned on a thread whose core was handed
    /// off meanwhile: clears the published poll if it is still that one
    /// (the core's new thread may have published its own since).
    pub(crate) fn poll_end_after_handoff(&self, id: u64) {
        let _ = self.current_task.compare_exchange(id, 0, Release, Relaxed);
    }

    /// Forgets the poll in progress (the worker lent its core away inside
    /// it, `block_in_place`: blocking there is sanctioned).
    pub(crate) fn clear_current(&self) {
        self.current_task.store(0, Release);
    }
}
