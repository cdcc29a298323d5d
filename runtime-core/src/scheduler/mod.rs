//! The two schedulers behind one handle type: `multi_thread` (work
//! stealing across worker threads) and `current_thread` (everything on the
//! thread that calls `block_on`).

pub(crate) mod blocking_spawn;
pub(crate) mod current;
pub(crate) mod current_thread;
pub(crate) mod escaped;
pub(crate) mod latency;
#[cfg(target_os = "linux")]
pub(crate) mod monitor_alarm;
pub(crate) mod monitor_shared;
pub(crate) mod multi_thread;
pub(crate) mod poll_stamp;
pub(crate) mod stats;

use crate::blocking;
use crate::loom::sync::Arc;
use crate::raw_task::SpawnMeta;
use crate::task::{Id, JoinHandle};
use std::future::Future;
// Statistics, not part of any protocol: std atomics even under loom.
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// A cloneable reference to a runtime's scheduler.
#[derive(Clone)]
pub(crate) enum SchedulerHandle {
    CurrentThread(Arc<current_thread::CurrentThreadHandle>),
    MultiThread(Arc<multi_thread::MultiThreadHandle>),
}

/// A polling thread's stamp, as the monitor thread holds it (keeping it
/// alive while it looks).
pub(crate) enum StampSource {
    /// A thread running (or stuck with) a multi-thread worker's core.
    Lease(Arc<multi_thread::Lease>),
    /// The current-thread scheduler's thread.
    CurrentThread(Arc<current_thread::CurrentThreadHandle>),
}

impl SchedulerHandle {
    /// Panics caught outside any task of this runtime.
    pub(crate) fn escaped(&self) -> &escaped::Escaped {
        match self {
            SchedulerHandle::CurrentThread(h) => &h.escaped,
            SchedulerHandle::MultiThread(h) => &h.escaped,
        }
    }
}

impl StampSource {
    pub(crate) fn stamp(&self) -> &poll_stamp::PollStamp {
        match self {
            StampSource::Lease(l) => &l.stamp,
            StampSource::CurrentThread(h) => &h.stamp,
        }
    }

    /// The worker the stamp's thread runs (or ran, if its core was handed
    /// off).
    pub(crate) fn worker(&self) -> usize {
        match self {
            StampSource::Lease(l) => l.worker,
            StampSource::CurrentThread(_) => 0,
        }
    }

    pub(crate) fn same(&self, other: &StampSource) -> bool {
        match (self, other) {
            (StampSource::Lease(a), StampSource::Lease(b)) => Arc::ptr_eq(a, b),
            (StampSource::CurrentThread(a), StampSource::CurrentThread(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// The scheduler a thread is driving right now (thread-local, see
/// `crate::scheduler::current::set_scheduler`).
pub(crate) enum SchedulerContext {
    CurrentThread(current_thread::CurrentThreadContext),
    MultiThread(multi_thread::WorkerContext),
}

impl SchedulerHandle {
    pub(crate) fn spawn<F>(&self, future: F, id: Id, meta: SpawnMeta<'_>) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            SchedulerHandle::CurrentThread(h) => {
                current_thread::CurrentThreadHandle::spawn(h, future, id, meta)
            }
            SchedulerHandle::MultiThread(h) => {
                multi_thread::MultiThreadHandle::spawn(h, future, id, meta)
            }
        }
    }

    pub(crate) fn blocking_spawner(&self) -> &blocking::Spawner {
        match self {
            SchedulerHandle::CurrentThread(h) => &h.blocking_spawner,
            SchedulerHandle::MultiThread(h) => &h.blocking_spawner,
        }
    }

    /// The runtime's I/O and time driver, if either is enabled.
    pub(crate) fn driver(&self) -> Option<&std::sync::Arc<crate::driver::Driver>> {
        match self {
            SchedulerHandle::CurrentThread(h) => h.driver.as_ref(),
            SchedulerHandle::MultiThread(h) => h.driver.as_ref(),
        }
    }

    pub(crate) fn num_workers(&self) -> usize {
        match self {
            SchedulerHandle::CurrentThread(_) => 1,
            SchedulerHandle::MultiThread(h) => h.remotes.len(),
        }
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        match self {
            SchedulerHandle::CurrentThread(h) => h.owned.alive(),
            SchedulerHandle::MultiThread(h) => h.owned.alive(),
        }
    }

    pub(crate) fn spawned_tasks_count(&self) -> u64 {
        match self {
            SchedulerHandle::CurrentThread(h) => h.owned.spawned(),
            SchedulerHandle::MultiThread(h) => h.owned.spawned(),
        }
    }

    pub(crate) fn global_queue_depth(&self) -> usize {
        match self {
            SchedulerHandle::CurrentThread(h) => h.inject_len(),
            SchedulerHandle::MultiThread(h) => h.inject.len(),
        }
    }

    pub(crate) fn worker_local_queue_depth(&self, worker: usize) -> usize {
        self.check_worker(worker);
        match self {
            SchedulerHandle::CurrentThread(h) => h.local_len(),
            SchedulerHandle::MultiThread(h) => h.remotes[worker].steal.len(),
        }
    }

    /// The counters of worker `worker`.
    #[track_caller]
    pub(crate) fn worker_stats_ref(&self, worker: usize) -> &stats::WorkerStats {
        self.check_worker(worker);
        match self {
            SchedulerHandle::CurrentThread(h) => &h.stats,
            SchedulerHandle::MultiThread(h) => &h.remotes[worker].stats,
        }
    }

    fn slow_polls(&self) -> &AtomicU64 {
        match self {
            SchedulerHandle::CurrentThread(h) => &h.slow_polls,
            SchedulerHandle::MultiThread(h) => &h.slow_polls,
        }
    }

    /// Called by the watchdog for each poll that reached the threshold.
    pub(crate) fn count_slow_poll(&self) {
        self.slow_polls().fetch_add(1, Relaxed);
    }

    pub(crate) fn slow_poll_count(&self) -> u64 {
        self.slow_polls().load(Relaxed)
    }

    pub(crate) fn handoff_count(&self) -> u64 {
        self.monitor_shared().handoffs.load(Relaxed)
    }

    /// The monitor thread's shared state.
    pub(crate) fn monitor_shared(&self) -> &monitor_shared::Shared {
        match self {
            SchedulerHandle::CurrentThread(h) => &h.monitor,
            SchedulerHandle::MultiThread(h) => &h.monitor,
        }
    }

    /// Every polling thread's stamp, for the monitor thread.
    pub(crate) fn stamp_sources(&self) -> Vec<StampSource> {
        match self {
            SchedulerHandle::CurrentThread(h) => vec![StampSource::CurrentThread(h.clone())],
            SchedulerHandle::MultiThread(h) => h
                .leases
                .lock()
                .iter()
                .map(|l| StampSource::Lease(l.clone()))
                .collect(),
        }
    }

    pub(crate) fn io_driver_ready_count(&self) -> u64 {
        self.driver().map_or(0, |d| d.io.ready_count())
    }

    /// Panics with a readable message for a worker index out of range.
    #[track_caller]
    fn check_worker(&self, worker: usize) {
        let n = self.num_workers();
        assert!(
            worker < n,
            "worker index {worker} out of range: the runtime has {n} worker(s), indices 0..{n}"
        );
    }
}
