//! `RuntimeMetrics`: read-only gauges and counters of a running runtime,
//! read without stopping it. Per-worker counters live on their worker's
//! own cache line (`scheduler::stats`); reading them costs the reader a
//! cache miss and the worker nothing.

use crate::scheduler;
use std::fmt;
use std::time::Duration;

/// A view of a runtime's counters; get one from `Runtime::metrics` or
/// `Handle::metrics`.
///
/// ```
/// let rt = runtime_core::Builder::new_multi_thread().worker_threads(2).build().unwrap();
/// let m = rt.metrics();
/// assert_eq!(m.num_workers(), 2);
/// rt.block_on(async { runtime_core::spawn(async {}).await.unwrap() });
/// assert_eq!(m.spawned_tasks_count(), 1);
/// ```
#[derive(Clone)]
pub struct RuntimeMetrics {
    handle: scheduler::Handle,
}

impl RuntimeMetrics {
    pub(crate) fn new(handle: scheduler::Handle) -> RuntimeMetrics {
        RuntimeMetrics { handle }
    }

    /// Worker threads (1 on a current-thread runtime).
    pub fn num_workers(&self) -> usize {
        self.handle.num_workers()
    }

    /// Tasks spawned and not yet completed (the `block_on` future is not a
    /// task; blocking closures are not counted).
    pub fn num_alive_tasks(&self) -> usize {
        self.handle.num_alive_tasks()
    }

    /// Tasks spawned since the runtime started.
    pub fn spawned_tasks_count(&self) -> u64 {
        self.handle.spawned_tasks_count()
    }

    /// Tasks waiting in the global (injection) queue.
    pub fn global_queue_depth(&self) -> usize {
        self.handle.global_queue_depth()
    }

    /// Tasks waiting in worker `worker`'s local queue.
    ///
    /// # Panics
    /// When `worker >= num_workers()`.
    #[track_caller]
    pub fn worker_local_queue_depth(&self, worker: usize) -> usize {
        self.handle.worker_local_queue_depth(worker)
    }

    /// Task polls made by worker `worker`.
    ///
    /// # Panics
    /// When `worker >= num_workers()`.
    #[track_caller]
    pub fn worker_poll_count(&self, worker: usize) -> u64 {
        self.handle.worker_stats_ref(worker).polls()
    }

    /// Times worker `worker` stole a batch of tasks from another worker.
    ///
    /// # Panics
    /// When `worker >= num_workers()`.
    #[track_caller]
    pub fn worker_steal_count(&self, worker: usize) -> u64 {
        self.handle.worker_stats_ref(worker).steals()
    }

    /// Times worker `worker` went to sleep for lack of work.
    ///
    /// # Panics
    /// When `worker >= num_workers()`.
    #[track_caller]
    pub fn worker_park_count(&self, worker: usize) -> u64 {
        self.handle.worker_stats_ref(worker).parks()
    }

    /// Time worker `worker` has spent out of park (running tasks, polling
    /// the driver, looking for work), to the kernel's coarse clock tick
    /// (1-4 ms on Linux; summed over many stretches, so unbiased). Updated
    /// when the worker parks and every `event_interval` ticks while busy.
    ///
    /// # Panics
    /// When `worker >= num_workers()`.
    #[track_caller]
    pub fn worker_total_busy_duration(&self, worker: usize) -> Duration {
        self.handle.worker_stats_ref(worker).busy()
    }

    /// I/O readiness events the driver has dispatched to sockets and other
    /// registered sources (0 without `enable_io`).
    pub fn io_driver_ready_count(&self) -> u64 {
        self.handle.io_driver_ready_count()
    }

    /// Task polls that took at least `Builder::slow_poll_threshold` (each
    /// counted once, also while still running); always 0 when slow-poll
    /// detection is off.
    pub fn slow_poll_count(&self) -> u64 {
        self.handle.slow_poll_count()
    }

    /// Threads of the blocking pool that are not worker threads.
    pub fn num_blocking_threads(&self) -> usize {
        let threads = self.handle.blocking_spawner().num_threads();
        match self.handle {
            scheduler::Handle::CurrentThread(_) => threads,
            scheduler::Handle::MultiThread(_) => threads.saturating_sub(self.handle.num_workers()),
        }
    }
}

impl fmt::Debug for RuntimeMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeMetrics")
            .field("num_workers", &self.num_workers())
            .field("num_alive_tasks", &self.num_alive_tasks())
            .field("spawned_tasks_count", &self.spawned_tasks_count())
            .field("global_queue_depth", &self.global_queue_depth())
            .field("io_driver_ready_count", &self.io_driver_ready_count())
            .field("slow_poll_count", &self.slow_poll_count())
            .finish()
    }
}
