//! `Runtime`: owns a scheduler and its blocking pool; shutting it down
//! cancels every task and joins every thread.

use super::{EnterGuard, Handle, RuntimeMetrics};
use crate::blocking::BlockingPool;
use crate::context;
use crate::scheduler::{self, current_thread::CurrentThread, multi_thread::MultiThread};
use crate::task::JoinHandle;
use std::fmt;
use std::future::Future;
use std::io;
use std::time::Duration;

/// An async runtime: a scheduler, its worker threads and a blocking pool.
///
/// Dropping it stops every worker, cancels every task it still owns (their
/// destructors run), and joins its threads; the blocking pool waits for
/// closures that are already running (see [`shutdown_timeout`] to bound
/// that wait).
///
/// ```
/// use runtime_core::Runtime;
///
/// let rt = Runtime::new().unwrap();
/// let answer = rt.block_on(async {
///     let task = runtime_core::spawn(async { 40 + 2 });
///     task.await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// ```
///
/// [`shutdown_timeout`]: Runtime::shutdown_timeout
pub struct Runtime {
    scheduler: Scheduler,
    handle: Handle,
    blocking_pool: BlockingPool,
    /// The monitor thread (slow-poll detection, the hand-off), if on.
    monitor: Option<super::monitor::Monitor>,
}

pub(crate) enum Scheduler {
    CurrentThread(CurrentThread),
    MultiThread(MultiThread),
}

/// Which scheduler a runtime uses.
///
/// ```
/// use runtime_core::runtime::RuntimeFlavor;
///
/// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
/// let flavor = rt.block_on(async { runtime_core::Handle::current().runtime_flavor() });
/// assert_eq!(flavor, RuntimeFlavor::CurrentThread);
/// assert_eq!(
///     runtime_core::Runtime::new().unwrap().handle().runtime_flavor(),
///     RuntimeFlavor::MultiThread
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeFlavor {
    /// Every task on the `block_on` thread.
    CurrentThread,
    /// Work stealing across worker threads.
    MultiThread,
}

impl Runtime {
    /// A multi-thread runtime with every driver enabled and one worker per
    /// core.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    /// assert_eq!(rt.metrics().num_workers(), cores);
    /// ```
    pub fn new() -> io::Result<Runtime> {
        super::Builder::new_multi_thread().enable_all().build()
    }

    pub(crate) fn from_parts(
        scheduler: Scheduler,
        handle: scheduler::SchedulerHandle,
        blocking_pool: BlockingPool,
    ) -> Runtime {
        Runtime {
            scheduler,
            handle: Handle { inner: handle },
            blocking_pool,
            monitor: None,
        }
    }

    /// Starts the monitor thread if slow-poll detection or the hand-off
    /// is on.
    pub(crate) fn start_monitor(
        &mut self,
        slow_poll: Option<Duration>,
        handoff: Option<crate::scheduler::multi_thread::monitor::Handoff>,
    ) -> io::Result<()> {
        self.monitor =
            super::monitor::Monitor::start(self.handle.inner.clone(), slow_poll, handoff)?;
        Ok(())
    }

    /// Spawns a task on this runtime.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// // From outside any runtime: the task starts on a worker at once.
    /// let task = rt.spawn(async { "done" });
    /// assert_eq!(rt.block_on(task).unwrap(), "done");
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// Runs a blocking closure on this runtime's blocking pool.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let task = rt.spawn_blocking(|| (1..=10u64).product::<u64>());
    /// assert_eq!(rt.block_on(task).unwrap(), 3_628_800);
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(func)
    }

    /// Runs `future` to completion on the calling thread and returns its
    /// output. On a current-thread runtime this also runs every spawned
    /// task; on a multi-thread runtime they run on the workers.
    ///
    /// # Panics
    /// When called from inside a runtime (a task, or another `block_on`):
    /// blocking there would stall the tasks that thread drives. Use
    /// `.await` instead.
    ///
    /// With the payload of a panic the runtime caught outside any task: a
    /// finished task's output destructor, a waker that panicked when the
    /// driver woke it, a bug in a worker's own loop. Such a panic belongs to
    /// no `JoinHandle`, so it is logged at error (target `runtime::panic`)
    /// and raised here, once, by the `block_on` running when it happens (it
    /// is woken for it) or by the next one; the runtime and its other tasks
    /// carry on. One that no `block_on` raised is raised when the runtime
    /// is dropped.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().build().unwrap();
    /// let out = rt.block_on(async {
    ///     let task = runtime_core::spawn(async { 21 });
    ///     task.await.unwrap() * 2
    /// });
    /// assert_eq!(out, 42);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        match &self.scheduler {
            Scheduler::CurrentThread(ct) => ct.block_on(&self.handle.inner, future),
            Scheduler::MultiThread(mt) => mt.block_on(&self.handle.inner, future),
        }
    }

    /// This runtime's handle.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// let task = std::thread::spawn(move || handle.spawn(async { 5 })).join().unwrap();
    /// assert_eq!(rt.block_on(task).unwrap(), 5);
    /// ```
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Makes this runtime the current one (for `spawn`, `Handle::current`)
    /// until the guard drops.
    ///
    /// ```
    /// use runtime_core::time::{sleep, Duration};
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let guard = rt.enter();
    /// // Outside `block_on`, but with the runtime current: spawning and timers work.
    /// let task = runtime_core::spawn(async { 1 });
    /// let nap = sleep(Duration::from_millis(1));
    /// drop(guard);
    /// rt.block_on(nap);
    /// assert_eq!(rt.block_on(task).unwrap(), 1);
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        self.handle.enter()
    }

    /// Counters and gauges of this runtime.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    /// let _pending = rt.spawn(std::future::pending::<()>());
    /// assert_eq!(rt.metrics().num_alive_tasks(), 1);
    /// ```
    pub fn metrics(&self) -> RuntimeMetrics {
        self.handle.metrics()
    }

    /// Shuts down, waiting at most `duration` for blocking closures that
    /// are still running (they are left to finish in the background).
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let (tx, rx) = std::sync::mpsc::channel::<()>();
    /// // A blocking closure that waits for a message that is not sent yet.
    /// rt.spawn_blocking(move || rx.recv());
    /// let start = Instant::now();
    /// rt.shutdown_timeout(Duration::from_millis(50));
    /// // It waited 50 ms at most, not for the closure.
    /// assert!(start.elapsed() < Duration::from_secs(10));
    /// drop(tx); // lets the closure, if it had started, finish in the background
    /// ```
    pub fn shutdown_timeout(mut self, duration: Duration) {
        self.shutdown_scheduler();
        self.blocking_pool.shutdown(Some(duration));
        self.stop_monitor();
        self.shutdown_driver();
    }

    /// Shuts down without waiting for running blocking closures.
    ///
    /// ```
    /// let outer = runtime_core::Runtime::new().unwrap();
    /// outer.block_on(async {
    ///     let inner = runtime_core::Runtime::new().unwrap();
    ///     let task = inner.spawn(std::future::pending::<()>());
    ///     // Inside an async context, dropping a runtime must not wait for
    ///     // its threads: shut it down in the background instead.
    ///     inner.shutdown_background();
    ///     assert!(task.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn shutdown_background(self) {
        self.shutdown_timeout(Duration::ZERO);
    }

    /// After the tasks are gone: ends every I/O and timer wait that is
    /// left (resources used from outside the runtime) and drops their
    /// wakers.
    fn shutdown_driver(&self) {
        if let Some(driver) = self.handle.inner.driver() {
            driver.shutdown();
        }
    }

    /// Stops the monitor thread; called once the workers have stopped
    /// (the blocking pool joined them), so its last look sees every poll
    /// that ended, including one whose `JoinHandle` resolved just before
    /// the runtime was dropped. (It hands off no core once shutdown began.)
    fn stop_monitor(&mut self) {
        if let Some(mut monitor) = self.monitor.take() {
            monitor.stop();
        }
    }

    fn shutdown_scheduler(&mut self) {
        // Refuse and cancel queued blocking closures first: workers that
        // stop must not pick them up.
        self.blocking_pool.begin_shutdown();
        match &self.scheduler {
            Scheduler::CurrentThread(ct) => ct.shutdown(&self.handle.inner),
            Scheduler::MultiThread(mt) => {
                let scheduler::SchedulerHandle::MultiThread(h) = &self.handle.inner else {
                    unreachable!()
                };
                mt.shutdown(h);
            }
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let context::EnterRuntime::Entered { .. } = context::runtime_entered() {
            if !std::thread::panicking() {
                // Waiting here for the workers would block a thread that
                // drives tasks; stop without waiting instead of deadlocking.
                log::warn!(
                    "a Runtime was dropped inside an asynchronous context; shutting it down in the \
                     background (use shutdown_background() to do this explicitly)"
                );
            }
            self.shutdown_scheduler();
            self.blocking_pool.shutdown(Some(Duration::ZERO));
            self.stop_monitor();
            self.shutdown_driver();
            if !std::thread::panicking() {
                self.handle.inner.escaped().resume();
            }
            return;
        }
        self.shutdown_scheduler();
        self.blocking_pool.shutdown(None);
        self.stop_monitor();
        self.shutdown_driver();
        // A panic outside any task that no block_on re-raised is not
        // dropped silently with the runtime.
        if !std::thread::panicking() {
            self.handle.inner.escaped().resume();
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("flavor", &self.handle.runtime_flavor())
            .field("blocking_threads", &self.blocking_pool.num_threads())
            .finish()
    }
}
