//! `task::Builder` (Tokio's `tokio::task::Builder`): spawns a task with
//! settings, today its name. A named task is listed under its name in task
//! dumps (`Handle::dump`), slow-poll and hand-off reports, and `JoinError`
//! messages; the name is kept beside the task (`raw_task/names.rs`), so
//! unnamed tasks cost nothing more.

use super::{JoinHandle, LocalSet};
use crate::raw_task::SpawnMeta;
use crate::runtime::Handle;
use std::future::Future;
use std::io;
use std::panic::Location;

/// Spawns tasks with settings: for now, a name that the runtime's reports
/// give along with the task's id.
///
/// Every spawn method mirrors a plain spawn function and returns an
/// `io::Result` as Tokio's does; only the blocking ones can fail (the pool
/// could not start a thread).
///
/// ```
/// use runtime_core::task;
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let handle = task::Builder::new()
///         .name("connection handler")
///         .spawn(async { 6 * 7 })
///         .unwrap();
///     assert_eq!(handle.await.unwrap(), 42);
///
///     // The name is in the messages about the task.
///     let handle = task::Builder::new()
///         .name("doomed")
///         .spawn(async { panic!("boom") })
///         .unwrap();
///     let id = handle.id();
///     let err = handle.await.unwrap_err();
///     assert_eq!(
///         err.to_string(),
///         format!("task {id} \"doomed\" panicked with message \"boom\"")
///     );
/// });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Builder<'a> {
    name: Option<&'a str>,
}

impl<'a> Builder<'a> {
    /// A builder with no settings: its tasks are like `spawn`'s.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let task = runtime_core::task::Builder::new()
    ///     .spawn_on(async { "unnamed" }, rt.handle())
    ///     .unwrap();
    /// assert_eq!(rt.block_on(task).unwrap(), "unnamed");
    /// ```
    pub fn new() -> Builder<'a> {
        Builder { name: None }
    }

    /// Names the task to be spawned. The runtime copies the name, so the
    /// builder may borrow it.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
    /// let name = format!("worker-{}", 3);
    /// let task = runtime_core::task::Builder::new()
    ///     .name(&name)
    ///     .spawn_on(std::future::pending::<()>(), rt.handle())
    ///     .unwrap();
    /// drop(name);
    /// let dump = rt.handle().dump();
    /// assert_eq!(dump.tasks()[0].id(), task.id());
    /// assert_eq!(dump.tasks()[0].name(), Some("worker-3"));
    /// ```
    pub fn name(&self, name: &'a str) -> Builder<'a> {
        Builder { name: Some(name) }
    }

    fn meta(&self, location: &'static Location<'static>) -> SpawnMeta<'a> {
        SpawnMeta::new(location, self.name)
    }

    /// Spawns `future` on the current runtime, as [`spawn`](crate::spawn).
    /// Never fails today; the `Result` is Tokio's signature.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let out = rt.block_on(async {
    ///     runtime_core::task::Builder::new()
    ///         .name("adder")
    ///         .spawn(async { 1 + 1 })?
    ///         .await
    ///         .map_err(std::io::Error::from)
    /// });
    /// assert_eq!(out.unwrap(), 2);
    /// ```
    ///
    /// # Panics
    /// Outside a runtime, as `spawn`.
    #[track_caller]
    pub fn spawn<Fut>(self, future: Fut) -> io::Result<JoinHandle<Fut::Output>>
    where
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        Ok(super::spawn::spawn_with(
            future,
            self.meta(Location::caller()),
            "task::Builder::spawn",
        ))
    }

    /// Spawns `future` on the runtime behind `handle`, from any thread, as
    /// [`Handle::spawn`]. Never fails today.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// let task = std::thread::spawn(move || {
    ///     runtime_core::task::Builder::new()
    ///         .name("from a thread")
    ///         .spawn_on(async { 5 }, &handle)
    ///         .unwrap()
    /// })
    /// .join()
    /// .unwrap();
    /// assert_eq!(rt.block_on(task).unwrap(), 5);
    /// ```
    #[track_caller]
    pub fn spawn_on<Fut>(self, future: Fut, handle: &Handle) -> io::Result<JoinHandle<Fut::Output>>
    where
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        Ok(handle.spawn_with(future, self.meta(Location::caller())))
    }

    /// Spawns a `!Send` future on the [`LocalSet`] this code runs in, as
    /// [`spawn_local`](super::spawn_local). Never fails today.
    ///
    /// ```
    /// use std::rc::Rc;
    ///
    /// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
    /// let local = runtime_core::task::LocalSet::new();
    /// let len = local.block_on(&rt, async {
    ///     let text = Rc::new("not Send");
    ///     let t = text.clone();
    ///     runtime_core::task::Builder::new()
    ///         .name("local")
    ///         .spawn_local(async move { t.len() })
    ///         .unwrap()
    ///         .await
    ///         .unwrap()
    /// });
    /// assert_eq!(len, 8);
    /// ```
    ///
    /// # Panics
    /// Outside a `LocalSet`, as `spawn_local`.
    #[track_caller]
    pub fn spawn_local<Fut>(self, future: Fut) -> io::Result<JoinHandle<Fut::Output>>
    where
        Fut: Future + 'static,
        Fut::Output: 'static,
    {
        Ok(super::local::spawn_local_with(
            future,
            self.meta(Location::caller()),
        ))
    }

    /// Spawns a `!Send` future on `local_set`, which need not be running:
    /// the task starts when the set is next driven, as
    /// [`LocalSet::spawn_local`]. Never fails today.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
    /// let local = runtime_core::task::LocalSet::new();
    /// let task = runtime_core::task::Builder::new()
    ///     .name("queued")
    ///     .spawn_local_on(async { std::rc::Rc::new(9) }, &local)
    ///     .unwrap();
    /// let out = local.block_on(&rt, task).unwrap();
    /// assert_eq!(*out, 9);
    /// ```
    #[track_caller]
    pub fn spawn_local_on<Fut>(
        self,
        future: Fut,
        local_set: &LocalSet,
    ) -> io::Result<JoinHandle<Fut::Output>>
    where
        Fut: Future + 'static,
        Fut::Output: 'static,
    {
        Ok(local_set.spawn_with(future, self.meta(Location::caller())))
    }

    /// Runs `function` on the current runtime's blocking pool, as
    /// [`spawn_blocking`](crate::spawn_blocking).
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let sum = rt.block_on(async {
    ///     runtime_core::task::Builder::new()
    ///         .name("checksum")
    ///         .spawn_blocking(|| (1..=10u32).sum::<u32>())
    ///         .unwrap()
    ///         .await
    ///         .unwrap()
    /// });
    /// assert_eq!(sum, 55);
    /// ```
    ///
    /// # Errors
    /// When the pool has no idle thread and cannot start one (the error
    /// of `std::thread::Builder::spawn`).
    ///
    /// # Panics
    /// Outside a runtime, as `spawn_blocking`.
    #[track_caller]
    pub fn spawn_blocking<Function, Output>(
        self,
        function: Function,
    ) -> io::Result<JoinHandle<Output>>
    where
        Function: FnOnce() -> Output + Send + 'static,
        Output: Send + 'static,
    {
        let handle = Handle::try_current().unwrap_or_else(|_| {
            panic!(
                "task::Builder::spawn_blocking must be called from the context of a runtime: \
                 there is no runtime on this thread. Use spawn_blocking_on with a Handle, or \
                 call it inside Runtime::block_on, a spawned task, or after Handle::enter"
            )
        });
        self.spawn_blocking_on(function, &handle)
    }

    /// Runs `function` on the blocking pool of the runtime behind
    /// `handle`, as [`Handle::spawn_blocking`].
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let task = runtime_core::task::Builder::new()
    ///     .name("reader")
    ///     .spawn_blocking_on(|| std::env::current_dir().is_ok(), rt.handle())
    ///     .unwrap();
    /// assert!(rt.block_on(task).unwrap());
    /// ```
    ///
    /// # Errors
    /// When the pool has no idle thread and cannot start one.
    #[track_caller]
    pub fn spawn_blocking_on<Function, Output>(
        self,
        function: Function,
        handle: &Handle,
    ) -> io::Result<JoinHandle<Output>>
    where
        Function: FnOnce() -> Output + Send + 'static,
        Output: Send + 'static,
    {
        crate::scheduler::blocking_spawn::spawn_blocking_with(
            &handle.inner,
            function,
            false,
            self.meta(Location::caller()),
        )
    }
}
