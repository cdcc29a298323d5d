//! `RuntimeMetrics`: read-only gauges and counters of a running runtime,
//! read without stopping it. Per-worker counters live on their worker's
//! own cache line (`scheduler::stats`); reading them costs the reader a
//! cache miss and the worker nothing.

use super::Histogram;
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
    handle: scheduler::SchedulerHandle,
}

impl RuntimeMetrics {
    pub(crate) fn new(handle: scheduler::SchedulerHandle) -> RuntimeMetrics {
        RuntimeMetrics { handle }
    }

    /// Worker threads (1 on a current-thread runtime).
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
    /// assert_eq!(rt.metrics().num_workers(), 1);
    /// ```
    pub fn num_workers(&self) -> usize {
        self.handle.num_workers()
    }

    /// Tasks spawned and not yet completed (the `block_on` future is not a
    /// task; blocking closures are not counted).
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let m = rt.metrics();
    /// let task = rt.spawn(std::future::pending::<()>());
    /// assert_eq!(m.num_alive_tasks(), 1);
    /// task.abort();
    /// assert!(rt.block_on(task).unwrap_err().is_cancelled());
    /// assert_eq!(m.num_alive_tasks(), 0);
    /// ```
    pub fn num_alive_tasks(&self) -> usize {
        self.handle.num_alive_tasks()
    }

    /// Tasks spawned since the runtime started.
    pub fn spawned_tasks_count(&self) -> u64 {
        self.handle.spawned_tasks_count()
    }

    /// Tasks waiting in the global (injection) queue.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
    /// let m = rt.metrics();
    /// // Spawned from outside `block_on`: queued until a thread drives the runtime.
    /// let tasks: Vec<_> = (0..3).map(|i| rt.spawn(async move { i })).collect();
    /// assert_eq!(m.global_queue_depth(), 3);
    /// rt.block_on(async {
    ///     for task in tasks {
    ///         task.await.unwrap();
    ///     }
    /// });
    /// assert_eq!(m.global_queue_depth(), 0);
    /// ```
    pub fn global_queue_depth(&self) -> usize {
        self.handle.global_queue_depth()
    }

    /// Tasks waiting in worker `worker`'s local queue. On a multi-thread
    /// runtime the task in the worker's LIFO slot (the one it runs next)
    /// is not counted.
    ///
    /// # Panics
    /// When `worker >= num_workers()`.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_multi_thread().worker_threads(1).build().unwrap();
    /// let depth = rt.block_on(rt.spawn(async {
    ///     // Spawned from a worker: queued on that worker.
    ///     let tasks: Vec<_> = (0..3).map(|i| runtime_core::spawn(async move { i })).collect();
    ///     let depth = runtime_core::Handle::current().metrics().worker_local_queue_depth(0);
    ///     for task in tasks {
    ///         task.await.unwrap();
    ///     }
    ///     depth
    /// }));
    /// // The newest task waits in the worker's LIFO slot, which is not counted.
    /// assert_eq!(depth.unwrap(), 2);
    /// ```
    #[track_caller]
    pub fn worker_local_queue_depth(&self, worker: usize) -> usize {
        self.handle.worker_local_queue_depth(worker)
    }

    /// Task polls made by worker `worker`.
    ///
    /// # Panics
    /// When `worker >= num_workers()`.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     runtime_core::spawn(async { runtime_core::task::yield_now().await }).await.unwrap();
    /// });
    /// // The task was polled twice: once up to the yield, once to completion.
    /// assert_eq!(rt.metrics().worker_poll_count(0), 2);
    /// ```
    #[track_caller]
    pub fn worker_poll_count(&self, worker: usize) -> u64 {
        self.handle.worker_stats_ref(worker).polls()
    }

    /// Times worker `worker` stole a batch of tasks from another worker.
    ///
    /// # Panics
    /// When `worker >= num_workers()`.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    /// rt.block_on(async {
    ///     let tasks: Vec<_> = (0..100).map(|i| runtime_core::spawn(async move { i })).collect();
    ///     for task in tasks {
    ///         task.await.unwrap();
    ///     }
    /// });
    /// let m = rt.metrics();
    /// let steals: u64 = (0..m.num_workers()).map(|w| m.worker_steal_count(w)).sum();
    /// println!("{steals} steals");
    /// // A current-thread runtime has nobody to steal from.
    /// let ct = runtime_core::Builder::new_current_thread().build().unwrap();
    /// assert_eq!(ct.metrics().worker_steal_count(0), 0);
    /// ```
    #[track_caller]
    pub fn worker_steal_count(&self, worker: usize) -> u64 {
        self.handle.worker_stats_ref(worker).steals()
    }

    /// Times worker `worker` went to sleep for lack of work.
    ///
    /// # Panics
    /// When `worker >= num_workers()`.
    ///
    /// ```
    /// use runtime_core::time::{sleep, Duration};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_time().build().unwrap();
    /// // Nothing else to do while the timer runs: the thread sleeps in the driver.
    /// rt.block_on(async { sleep(Duration::from_millis(5)).await });
    /// assert!(rt.metrics().worker_park_count(0) >= 1);
    /// ```
    #[track_caller]
    pub fn worker_park_count(&self, worker: usize) -> u64 {
        self.handle.worker_stats_ref(worker).parks()
    }

    /// Time worker `worker` has spent out of park (running tasks, polling
    /// the driver, looking for work), on the monotonic clock (`Instant`'s),
    /// so a burst of short polls between two parks counts in full. Updated
    /// when the worker parks and every `event_interval` ticks while busy;
    /// once [`worker_park_count`](Self::worker_park_count) shows a park,
    /// the stretch before it is included.
    /// A poll that kept running on its thread after the worker's core was
    /// handed off counts too, beside the thread that took the core, so
    /// this can exceed wall-clock time while polls block.
    ///
    /// # Panics
    /// When `worker >= num_workers()`.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let started = Instant::now();
    /// let rt = runtime_core::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    /// rt.block_on(async {
    ///     runtime_core::spawn(async { std::hint::black_box((0..100_000u64).sum::<u64>()) })
    ///         .await
    ///         .unwrap()
    /// });
    /// let m = rt.metrics();
    /// let busy: Duration = (0..m.num_workers()).map(|w| m.worker_total_busy_duration(w)).sum();
    /// // Utilisation of the workers since the runtime started.
    /// let share = busy.as_secs_f64() / (started.elapsed().as_secs_f64() * m.num_workers() as f64);
    /// println!("workers busy {:.0}% of the time", share * 100.0);
    /// ```
    #[track_caller]
    pub fn worker_total_busy_duration(&self, worker: usize) -> Duration {
        self.handle.worker_stats_ref(worker).busy()
    }

    /// I/O readiness events the driver has dispatched to sockets and other
    /// registered sources (0 without `enable_io`).
    ///
    /// ```
    /// use runtime_core::io::AsyncFd;
    /// use std::io::Write;
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_io().build().unwrap();
    /// rt.block_on(async {
    ///     let (a, mut b) = std::os::unix::net::UnixStream::pair().unwrap();
    ///     a.set_nonblocking(true).unwrap();
    ///     let a = AsyncFd::new(a).unwrap();
    ///     b.write_all(b"x").unwrap();
    ///     let _ready = a.readable().await.unwrap();
    /// });
    /// assert!(rt.metrics().io_driver_ready_count() >= 1);
    /// ```
    pub fn io_driver_ready_count(&self) -> u64 {
        self.handle.io_driver_ready_count()
    }

    /// Task polls that took at least `Builder::slow_poll_threshold` (each
    /// counted once, also while still running); always 0 when slow-poll
    /// detection is off.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = runtime_core::Builder::new_multi_thread()
    ///     .slow_poll_threshold(Duration::from_millis(20))
    ///     .build()
    ///     .unwrap();
    /// let m = rt.metrics();
    /// rt.block_on(async {
    ///     // Blocks its worker for 100 ms in one poll (what the detection is for).
    ///     runtime_core::spawn(async { std::thread::sleep(Duration::from_millis(100)) })
    ///         .await
    ///         .unwrap();
    /// });
    /// drop(rt); // the monitor's last look has seen every poll that ended
    /// assert_eq!(m.slow_poll_count(), 1);
    /// ```
    pub fn slow_poll_count(&self) -> u64 {
        self.handle.slow_poll_count()
    }

    /// How long tasks waited from becoming runnable (spawned, woken, or
    /// re-queued after a yield) to the start of their poll, over every
    /// worker: a sample of one schedule in 64 per scheduling thread,
    /// always on. High values mean busy workers or a blocked one.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    /// rt.block_on(async {
    ///     for _ in 0..1000 {
    ///         runtime_core::spawn(async {}).await.unwrap();
    ///     }
    /// });
    /// let h = rt.metrics().schedule_latency();
    /// assert!(h.count() >= 1000 / 64);
    /// println!("schedule latency p50 {:?}, p99 {:?}, max {:?}",
    ///          h.percentile(50.0), h.percentile(99.0), h.max());
    /// ```
    pub fn schedule_latency(&self) -> Histogram {
        self.merged(|s| &s.latency.schedule_latency)
    }

    /// How long polls took, over every worker (the same sampled polls as
    /// [`schedule_latency`](Self::schedule_latency)).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     for _ in 0..640 {
    ///         runtime_core::spawn(async {
    ///             std::thread::sleep(Duration::from_micros(100))
    ///         })
    ///         .await
    ///         .unwrap();
    ///     }
    /// });
    /// let h = rt.metrics().poll_time();
    /// assert!(h.count() >= 1);
    /// // Every sampled poll slept 100 us: none is in a bucket below that.
    /// assert!(h.percentile(1.0) >= Duration::from_micros(64));
    /// ```
    pub fn poll_time(&self) -> Histogram {
        self.merged(|s| &s.latency.poll_time)
    }

    /// [`schedule_latency`](Self::schedule_latency) of worker `worker`'s
    /// polls.
    ///
    /// # Panics
    /// When `worker >= num_workers()`.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    /// let m = rt.metrics();
    /// let total: u64 = (0..2).map(|w| m.worker_schedule_latency(w).count()).sum();
    /// assert_eq!(total, m.schedule_latency().count());
    /// ```
    #[track_caller]
    pub fn worker_schedule_latency(&self, worker: usize) -> Histogram {
        let mut h = Histogram::empty();
        h.add(
            &self
                .handle
                .worker_stats_ref(worker)
                .latency
                .schedule_latency,
        );
        h
    }

    /// [`poll_time`](Self::poll_time) of worker `worker`'s polls.
    ///
    /// # Panics
    /// When `worker >= num_workers()`.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    /// assert_eq!(rt.metrics().worker_poll_time(1).count(), 0);
    /// ```
    #[track_caller]
    pub fn worker_poll_time(&self, worker: usize) -> Histogram {
        let mut h = Histogram::empty();
        h.add(&self.handle.worker_stats_ref(worker).latency.poll_time);
        h
    }

    /// The sum of one histogram over every worker.
    fn merged(
        &self,
        which: impl Fn(&scheduler::stats::WorkerStats) -> &crate::scheduler::latency::AtomicHistogram,
    ) -> Histogram {
        let mut h = Histogram::empty();
        for w in 0..self.num_workers() {
            h.add(which(self.handle.worker_stats_ref(w)));
        }
        h
    }

    /// Worker cores handed to another thread so far because one poll
    /// blocked their thread past `Builder::handoff_threshold` (always 0
    /// on the current-thread flavour, or with the monitor off).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = runtime_core::Builder::new_multi_thread()
    ///     .worker_threads(1)
    ///     .handoff_threshold(Some(Duration::from_millis(5)))
    ///     .build()
    ///     .unwrap();
    /// let m = rt.metrics();
    /// rt.block_on(async {
    ///     runtime_core::spawn(async {
    ///         let (tx, rx) = std::sync::mpsc::channel();
    ///         runtime_core::spawn(async move { tx.send(()).unwrap() });
    ///         // Blocks the only worker until the task it just queued runs:
    ///         // only a hand-off of the core to another thread can run it.
    ///         rx.recv().unwrap();
    ///     })
    ///     .await
    ///     .unwrap();
    /// });
    /// assert_eq!(m.handoff_count(), 1);
    /// ```
    pub fn handoff_count(&self) -> u64 {
        self.handle.handoff_count()
    }

    /// Threads that are still stuck in the poll during which their
    /// worker's core was handed off: the extra threads the hand-off runs
    /// right now, beyond the workers (at most
    /// `Builder::max_handoff_threads`). Each returns to the blocking pool
    /// when its poll does.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// // Nothing is blocked.
    /// assert_eq!(rt.metrics().num_handoff_threads(), 0);
    /// ```
    pub fn num_handoff_threads(&self) -> usize {
        self.handle
            .monitor_shared()
            .stuck_threads
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Threads of the blocking pool that are not worker threads.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    /// let m = rt.metrics();
    /// assert_eq!(m.num_blocking_threads(), 0); // the workers are not counted
    /// rt.block_on(async { runtime_core::spawn_blocking(|| ()).await.unwrap() });
    /// // The thread stays for `thread_keep_alive` (10 s) in case more work comes.
    /// assert_eq!(m.num_blocking_threads(), 1);
    /// ```
    pub fn num_blocking_threads(&self) -> usize {
        let threads = self.handle.blocking_spawner().num_threads();
        match self.handle {
            scheduler::SchedulerHandle::CurrentThread(_) => threads,
            scheduler::SchedulerHandle::MultiThread(_) => {
                threads.saturating_sub(self.handle.num_workers())
            }
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
