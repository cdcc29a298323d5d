//! `Handle`: a cloneable reference to a runtime, to spawn onto it from any
//! thread, and `Handle::current()` to find the runtime a task runs on.

use super::{Dump, RuntimeFlavor, RuntimeMetrics};
use crate::context;
use crate::raw_task::SpawnMeta;
use crate::scheduler;
use crate::task::{Id, JoinHandle};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

/// A reference to a runtime; cheap to clone, `Send + Sync`.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// let handle = rt.handle().clone();
/// let from_thread = std::thread::spawn(move || handle.block_on(handle.spawn(async { 7 })).unwrap());
/// assert_eq!(from_thread.join().unwrap(), 7);
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: scheduler::SchedulerHandle,
}

/// Returned by [`Handle::try_current`] outside a runtime.
///
/// ```
/// use runtime_core::Handle;
///
/// let err = Handle::try_current().unwrap_err();
/// assert!(err.to_string().contains("there is no runtime on this thread"));
/// ```
#[derive(Debug)]
pub struct TryCurrentError(());

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "there is no runtime on this thread: this must be called from the context of a runtime \
             (inside Runtime::block_on, a spawned task, or after Runtime::enter)",
        )
    }
}

impl std::error::Error for TryCurrentError {}

/// Keeps a runtime current on this thread; returned by `enter`.
///
/// ```
/// use runtime_core::Handle;
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// assert!(Handle::try_current().is_err());
/// let guard = rt.enter();
/// assert!(Handle::try_current().is_ok());
/// drop(guard);
/// assert!(Handle::try_current().is_err());
/// ```
#[must_use = "the runtime is current only while the guard lives"]
pub struct EnterGuard<'a> {
    _guard: crate::scheduler::current::SetCurrentGuard,
    _p: PhantomData<&'a Handle>,
}

impl fmt::Debug for EnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnterGuard")
    }
}

impl Handle {
    /// The handle of the runtime this thread is in.
    ///
    /// # Panics
    /// Outside a runtime, with a message saying how to get one.
    ///
    /// ```
    /// use runtime_core::Handle;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let out = rt.block_on(async {
    ///     // Hand the runtime to a plain thread, which spawns onto it.
    ///     let handle = Handle::current();
    ///     let task = std::thread::spawn(move || handle.spawn(async { 3 })).join().unwrap();
    ///     task.await.unwrap()
    /// });
    /// assert_eq!(out, 3);
    /// ```
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Ok(h) => h,
            Err(e) => panic!("no runtime: {e}"),
        }
    }

    /// The handle of the runtime this thread is in, if any.
    ///
    /// ```
    /// use runtime_core::Handle;
    ///
    /// assert!(Handle::try_current().is_err());
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// assert!(rt.block_on(async { Handle::try_current().is_ok() }));
    /// ```
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        crate::scheduler::current::with_current(|h| h.cloned())
            .map(|inner| Handle { inner })
            .ok_or(TryCurrentError(()))
    }

    /// Makes this runtime current on this thread until the guard drops.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// std::thread::spawn(move || {
    ///     let _guard = handle.enter();
    ///     // `spawn` (and timers, sockets...) find the runtime through the guard.
    ///     let task = runtime_core::spawn(async { 2 });
    ///     assert_eq!(handle.block_on(task).unwrap(), 2);
    /// })
    /// .join()
    /// .unwrap();
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            _guard: crate::scheduler::current::set_current(&self.inner),
            _p: PhantomData,
        }
    }

    /// Spawns a task on this runtime from any thread.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// let task = std::thread::spawn(move || handle.spawn(async { 2 + 2 })).join().unwrap();
    /// assert_eq!(rt.block_on(task).unwrap(), 4);
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_with(future, SpawnMeta::at(std::panic::Location::caller()))
    }

    /// `spawn` with the location and name given (`task::Builder`).
    pub(crate) fn spawn_with<F>(&self, future: F, meta: SpawnMeta<'_>) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn(future, Id::next(), meta)
    }

    /// Runs a blocking closure on this runtime's blocking pool.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let handle = rt.handle();
    /// let task = handle.spawn_blocking(|| std::env::current_dir().is_ok());
    /// assert!(rt.block_on(task).unwrap());
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        crate::scheduler::blocking_spawn::spawn_blocking(&self.inner, func, false)
            .unwrap_or_else(|e| panic!("spawn_blocking: {e}"))
    }

    /// Runs `future` to completion on the calling thread, with this runtime
    /// current. Spawned tasks run on the workers (multi-thread) or only
    /// while some thread is in `Runtime::block_on` (current-thread).
    ///
    /// # Panics
    /// When called from inside a runtime.
    ///
    /// ```
    /// use runtime_core::time::{sleep, Duration};
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// // Any number of threads may block on one multi-thread runtime at once.
    /// let threads: Vec<_> = (0..3u64)
    ///     .map(|i| {
    ///         let handle = handle.clone();
    ///         std::thread::spawn(move || {
    ///             handle.block_on(async move {
    ///                 sleep(Duration::from_millis(1)).await;
    ///                 i
    ///             })
    ///         })
    ///     })
    ///     .collect();
    /// let sum: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    /// assert_eq!(sum, 3);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _current = crate::scheduler::current::set_current(&self.inner);
        let future = crate::scheduler::escaped::WatchPanics::new(self.inner.escaped(), future);
        context::enter_runtime(true, || crate::park::block_on(future))
    }

    /// Counters and gauges of this runtime.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let spawned = rt.block_on(async {
    ///     runtime_core::spawn(async {}).await.unwrap();
    ///     runtime_core::Handle::current().metrics().spawned_tasks_count()
    /// });
    /// assert_eq!(spawned, 1);
    /// ```
    pub fn metrics(&self) -> RuntimeMetrics {
        RuntimeMetrics::new(self.inner.clone())
    }

    /// Lists every task alive in this runtime (id, spawn location, state,
    /// polls, age) without stopping it: see [`Dump`]. Not async; callable
    /// from inside a task of this runtime (that task lists as running) or
    /// from any other thread.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let task = rt.spawn(std::future::pending::<()>());
    /// let dump = rt.handle().dump();
    /// assert!(dump.tasks().iter().any(|t| t.id() == task.id()));
    /// print!("{dump}");
    /// ```
    pub fn dump(&self) -> Dump {
        Dump::capture(&self.inner)
    }

    /// Fault injection for the tests of worker recovery: the next worker
    /// of this multi-thread runtime to park panics inside its park, as a
    /// bug in a driver turn would. No effect on a current-thread runtime.
    #[doc(hidden)]
    pub fn __panic_in_next_park(&self) {
        if let crate::scheduler::SchedulerHandle::MultiThread(h) = &self.inner {
            h.inject_park_panic
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// For the hand-off tests: waits (at most `limit`) until the monitor
    /// thread sleeps until a worker wakes it, which it does once the
    /// runtime has been idle for a while; `false` if it did not.
    #[doc(hidden)]
    pub fn __wait_until_monitor_sleeps(&self, limit: std::time::Duration) -> bool {
        self.inner.monitor_shared().wait_until_idle_sleep(limit)
    }

    /// For the hand-off tests: makes the sleeping monitor's idle stretch
    /// look `by` older, so that the next worker to wake takes the path of
    /// a long gap (it arms the monitor's alarm instead of waking it).
    #[doc(hidden)]
    pub fn __backdate_monitor_idleness(&self, by: std::time::Duration) {
        self.inner.monitor_shared().backdate_idleness(by);
    }

    /// Which scheduler this runtime uses.
    ///
    /// ```
    /// use runtime_core::runtime::RuntimeFlavor;
    ///
    /// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
    /// assert_eq!(rt.handle().runtime_flavor(), RuntimeFlavor::CurrentThread);
    /// ```
    pub fn runtime_flavor(&self) -> RuntimeFlavor {
        match self.inner {
            scheduler::SchedulerHandle::CurrentThread(_) => RuntimeFlavor::CurrentThread,
            scheduler::SchedulerHandle::MultiThread(_) => RuntimeFlavor::MultiThread,
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("flavor", &self.runtime_flavor())
            .finish()
    }
}
