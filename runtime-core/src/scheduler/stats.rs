//! Per-worker counters of both schedulers (polls, steals, parks), written only by the worker
//! that owns them and read by `RuntimeMetrics` at any time.
//!
//! Each block sits on its own 128-byte line so that workers never write a
//! shared cache line on the hot path; the single writer updates with a
//! plain load + store (no read-modify-write). These are std atomics even
//! under loom: they are statistics, not part of any protocol.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// One worker's counters.
#[derive(Default)]
#[repr(align(128))]
pub(crate) struct WorkerStats {
    polls: AtomicU64,
    steals: AtomicU64,
    parks: AtomicU64,
}

impl WorkerStats {
    #[inline]
    fn bump(counter: &AtomicU64, by: u64) {
        // Single writer: a load and a store are enough and stay local.
        counter.store(counter.load(Relaxed).wrapping_add(by), Relaxed);
    }

    /// Called by the owning worker only.
    #[inline]
    pub(crate) fn inc_polls(&self) {
        Self::bump(&self.polls, 1);
    }

    /// Called by the owning worker only.
    pub(crate) fn inc_steals(&self) {
        Self::bump(&self.steals, 1);
    }

    /// Called by the owning worker only.
    pub(crate) fn inc_parks(&self) {
        Self::bump(&self.parks, 1);
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
}
