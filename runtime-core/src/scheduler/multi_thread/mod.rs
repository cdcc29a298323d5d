//! The multi-thread, work-stealing scheduler.
//!
//! Each worker owns a `Core`: a LIFO slot (the task most recently woken or
//! spawned by this worker, run next for cache locality; at most three in a
//! row, never stolen), a local FIFO run queue (crossbeam-deque `Worker`;
//! others steal half of it), a parker and a tick counter. Tasks scheduled
//! from outside any worker go to the global injector and wake one idle
//! worker. See `worker.rs` for the run loop and `idle.rs` for the searching
//! and parking rules.

mod handle;
mod idle;
mod inject_interval;
mod lease;
pub(crate) mod monitor;
mod queue;
mod worker;

pub(crate) use handle::MultiThreadHandle;
pub(crate) use lease::Lease;
pub(crate) use worker::{block_in_place, create, WorkerContext};
#[cfg(all(test, loom))]
pub(crate) use {lease::TAKEN, worker::Core};

use crate::loom::sync::Arc;
use crate::scheduler;

/// Decides, once per process and before any worker starts, which fences
/// the lease protocol uses (lease rule 6).
pub(crate) fn lease_fences_init() {
    #[cfg(all(target_os = "linux", not(loom)))]
    lease::membarrier::init();
}

/// The runtime's part of a multi-thread scheduler (the workers run on the
/// blocking pool's threads).
pub(crate) struct MultiThread;

impl MultiThread {
    /// Runs `future` on the calling thread, parking between polls; spawned
    /// tasks run on the workers.
    #[track_caller]
    pub(crate) fn block_on<F: std::future::Future>(
        &self,
        handle: &scheduler::SchedulerHandle,
        future: F,
    ) -> F::Output {
        let _current = crate::scheduler::current::set_current(handle);
        let future = crate::scheduler::escaped::WatchPanics::new(handle.escaped(), future);
        crate::context::enter_runtime(true, || crate::park::block_on(future))
    }

    /// Asks every worker to stop; the blocking pool's shutdown then joins
    /// their threads.
    pub(crate) fn shutdown(&self, handle: &Arc<MultiThreadHandle>) {
        handle.close();
    }
}
