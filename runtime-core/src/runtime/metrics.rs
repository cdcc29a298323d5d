//! `RuntimeMetrics`: read-only gauges and counters of a running runtime,
//! read without stopping it. (Per-worker poll/steal/park counters and busy
//! time come with the observability issue.)

use crate::scheduler;
use std::fmt;

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
        self.handle.worker_stats(worker).0
    }

    /// Times worker `worker` stole a batch of tasks from another worker.
    ///
    /// # Panics
    /// When `worker >= num_workers()`.
    #[track_caller]
    pub fn worker_steal_count(&self, worker: usize) -> u64 {
        self.handle.worker_stats(worker).1
    }

    /// Times worker `worker` went to sleep for lack of work.
    ///
    /// # Panics
    /// When `worker >= num_workers()`.
    #[track_caller]
    pub fn worker_park_count(&self, worker: usize) -> u64 {
        self.handle.worker_stats(worker).2
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
            .finish()
    }
}
