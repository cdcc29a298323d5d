//! `JoinSet`: a collection of spawned tasks awaited in completion order,
//! and its [`Builder`] (`JoinSet::build_task`) for named tasks.

use super::{AbortHandle, Id, JoinError, JoinHandle, LocalSet};
use crate::runtime::Handle;
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{Context, Poll};

/// A set of tasks spawned on the runtime, awaited in the order they finish.
///
/// Dropping the set aborts every task still in it.
///
/// ```
/// use runtime_core::task::JoinSet;
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// let sum = rt.block_on(async {
///     let mut set = JoinSet::new();
///     for i in 0..10u64 {
///         set.spawn(async move { i * i });
///     }
///     let mut sum = 0;
///     while let Some(res) = set.join_next().await {
///         sum += res.unwrap();
///     }
///     sum
/// });
/// assert_eq!(sum, 285);
/// ```
pub struct JoinSet<T> {
    tasks: FuturesUnordered<WithId<T>>,
}

/// A member of the set: its `JoinHandle`, whose output comes with the
/// task's id.
struct WithId<T>(JoinHandle<T>);

impl<T> Future for WithId<T> {
    type Output = Result<(Id, T), JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let id = self.0.id();
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|res| res.map(|out| (id, out)))
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    ///
    /// ```
    /// use runtime_core::task::JoinSet;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set: JoinSet<u32> = JoinSet::new();
    ///     assert!(set.is_empty());
    ///     set.spawn(async { 1 });
    ///     set.spawn(async { 2 });
    ///     assert_eq!(set.len(), 2);
    /// });
    /// ```
    pub fn new() -> JoinSet<T> {
        JoinSet {
            tasks: FuturesUnordered::new(),
        }
    }

    /// Number of tasks in the set (finished ones count until joined).
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// `true` when the set holds no task.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        self.tasks.push(WithId(handle));
        abort
    }

    /// Aborts every task in the set; they stay in it until joined.
    ///
    /// ```
    /// use runtime_core::task::JoinSet;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = JoinSet::new();
    ///     for _ in 0..3 {
    ///         set.spawn(std::future::pending::<()>());
    ///     }
    ///     set.abort_all();
    ///     while let Some(res) = set.join_next().await {
    ///         assert!(res.unwrap_err().is_cancelled());
    ///     }
    /// });
    /// ```
    pub fn abort_all(&mut self) {
        for handle in self.tasks.iter() {
            handle.0.abort();
        }
    }

    /// Removes every task from the set without aborting it.
    ///
    /// ```
    /// use runtime_core::task::JoinSet;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (tx, rx) = runtime_sync::oneshot::channel();
    ///     let mut set = JoinSet::new();
    ///     set.spawn(async move { tx.send("still ran").unwrap() });
    ///     set.detach_all();
    ///     drop(set); // does not abort the detached task
    ///     assert_eq!(rx.await.unwrap(), "still ran");
    /// });
    /// ```
    pub fn detach_all(&mut self) {
        self.tasks.clear();
    }

    /// Polls for the next finished task; `Ready(None)` when the set is empty.
    ///
    /// ```
    /// use runtime_core::task::JoinSet;
    /// use std::future::poll_fn;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = JoinSet::new();
    ///     set.spawn(async { 7 });
    ///     let res = poll_fn(|cx| set.poll_join_next(cx)).await;
    ///     assert_eq!(res.unwrap().unwrap(), 7);
    ///     assert!(poll_fn(|cx| set.poll_join_next(cx)).await.is_none());
    /// });
    /// ```
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        self.poll_join_next_with_id(cx)
            .map(|res| res.map(|res| res.map(|(_, out)| out)))
    }

    /// [`poll_join_next`](Self::poll_join_next), with the id of the task
    /// that finished (a failed task's id is in its [`JoinError::id`]).
    ///
    /// ```
    /// use runtime_core::task::JoinSet;
    /// use std::future::poll_fn;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = JoinSet::new();
    ///     let id = set.spawn(async { 7 }).id();
    ///     let res = poll_fn(|cx| set.poll_join_next_with_id(cx)).await;
    ///     assert_eq!(res.unwrap().unwrap(), (id, 7));
    /// });
    /// ```
    pub fn poll_join_next_with_id(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<(Id, T), JoinError>>> {
        self.tasks.poll_next_unpin(cx)
    }

    /// Waits for the next task to finish and returns its id and output,
    /// or `None` when the set is empty.
    ///
    /// ```
    /// use runtime_core::task::JoinSet;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = JoinSet::new();
    ///     let ok = set.spawn(async { "fine" }).id();
    ///     let (id, out) = set.join_next_with_id().await.unwrap().unwrap();
    ///     assert_eq!((id, out), (ok, "fine"));
    ///     let failed = set.spawn(async { panic!("boom") }).id();
    ///     let err = set.join_next_with_id().await.unwrap().unwrap_err();
    ///     assert_eq!(err.id(), failed);
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`join_next`](Self::join_next).
    pub async fn join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        poll_fn(|cx| self.poll_join_next_with_id(cx)).await
    }

    /// [`try_join_next`](Self::try_join_next), with the id of the task
    /// that finished.
    ///
    /// ```
    /// use runtime_core::task::{self, JoinSet};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     let mut set = JoinSet::new();
    ///     let id = set.spawn(async { 3 }).id();
    ///     assert!(set.try_join_next_with_id().is_none()); // not run yet
    ///     task::yield_now().await; // the task runs
    ///     assert_eq!(set.try_join_next_with_id().unwrap().unwrap(), (id, 3));
    /// });
    /// ```
    pub fn try_join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        // Not a suspension point: the budget must not make a finished
        // task look pending.
        match crate::coop::with_unconstrained(|| self.poll_join_next_with_id(&mut cx)) {
            Poll::Ready(res) => res,
            Poll::Pending => None,
        }
    }

    /// Waits for the next task to finish and returns its result, or `None`
    /// when the set is empty.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a task leaves the set only in the poll that returns its
    /// result, so a call dropped before it completes (a losing `select!`
    /// branch) loses no result.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Returns a finished task's result if one is ready now.
    ///
    /// ```
    /// use runtime_core::task::{self, JoinSet};
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = JoinSet::new();
    ///     set.spawn(std::future::pending::<u32>());
    ///     set.spawn(async { 5 });
    ///     // Collect what has finished while doing other work.
    ///     let first = loop {
    ///         if let Some(res) = set.try_join_next() {
    ///             break res.unwrap();
    ///         }
    ///         task::yield_now().await; // (other work)
    ///     };
    ///     assert_eq!(first, 5);
    ///     assert!(set.try_join_next().is_none()); // the other one never finishes
    /// });
    /// ```
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.try_join_next_with_id()
            .map(|res| res.map(|(_, out)| out))
    }

    /// Aborts every task and waits until all of them have stopped.
    ///
    /// ```
    /// use runtime_core::task::JoinSet;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = JoinSet::new();
    ///     for _ in 0..3 {
    ///         set.spawn(std::future::pending::<()>());
    ///     }
    ///     set.shutdown().await;
    ///     assert!(set.is_empty());
    ///     assert_eq!(runtime_core::Handle::current().metrics().num_alive_tasks(), 0);
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Every task is aborted at the first poll; a call dropped after that
    /// leaves the tasks that have not stopped yet in the set, and calling
    /// it again (or [`join_next`](Self::join_next)) waits for them.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Waits for every task and returns their outputs in completion order.
    ///
    /// # Panics
    /// If a task panicked (the panic is resumed here) or was cancelled; the
    /// remaining tasks are aborted first.
    ///
    /// ```
    /// use runtime_core::task::JoinSet;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let mut squares = rt.block_on(async {
    ///     let mut set = JoinSet::new();
    ///     for i in 1..=4u32 {
    ///         set.spawn(async move { i * i });
    ///     }
    ///     set.join_all().await
    /// });
    /// squares.sort(); // completion order
    /// assert_eq!(squares, [1, 4, 9, 16]);
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: the future owns the set, so dropping it aborts the
    /// tasks still running and loses the outputs collected so far. Under a
    /// timeout, loop on [`join_next`](Self::join_next) instead.
    pub async fn join_all(mut self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len());
        while let Some(res) = self.join_next().await {
            match res {
                Ok(v) => out.push(v),
                Err(err) if err.is_panic() => {
                    self.abort_all();
                    std::panic::resume_unwind(err.into_panic())
                }
                Err(err) => {
                    self.abort_all();
                    panic!("JoinSet::join_all: {err}")
                }
            }
        }
        out
    }
}

impl<T: 'static> JoinSet<T> {
    /// A [`Builder`] that spawns one task into this set with settings (a
    /// name), as Tokio's `JoinSet::build_task`.
    ///
    /// ```
    /// use runtime_core::task::JoinSet;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = JoinSet::new();
    ///     let abort = set.build_task().name("fetcher").spawn(std::future::pending::<()>())?;
    ///     let dump = runtime_core::Handle::current().dump();
    ///     let me = dump.tasks().iter().find(|t| t.id() == abort.id()).unwrap();
    ///     assert_eq!(me.name(), Some("fetcher"));
    ///     set.shutdown().await;
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    pub fn build_task(&mut self) -> Builder<'_, T> {
        Builder {
            builder: super::Builder::new(),
            set: self,
        }
    }

    /// Spawns `task` on the current runtime and adds it to the set.
    ///
    /// # Panics
    /// Outside a runtime (as [`spawn`](crate::spawn)).
    #[track_caller]
    pub fn spawn<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send,
    {
        self.insert(crate::spawn(task))
    }

    /// Spawns `task` on the runtime behind `handle` and adds it to the set.
    ///
    /// ```
    /// use runtime_core::task::JoinSet;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// // From outside the runtime.
    /// let mut set = JoinSet::new();
    /// set.spawn_on(async { "on rt" }, rt.handle());
    /// let res = rt.block_on(set.join_next()).unwrap();
    /// assert_eq!(res.unwrap(), "on rt");
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(&mut self, task: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send,
    {
        self.insert(handle.spawn(task))
    }

    /// Spawns a `!Send` `task` on the [`LocalSet`] this code runs in and
    /// adds it to the set.
    ///
    /// ```
    /// use runtime_core::task::{JoinSet, LocalSet};
    /// use std::rc::Rc;
    ///
    /// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
    /// let local = LocalSet::new();
    /// let total = local.block_on(&rt, async {
    ///     let mut set = JoinSet::new();
    ///     for i in 1..=3 {
    ///         let shared = Rc::new(i); // not Send
    ///         set.spawn_local(async move { *shared });
    ///     }
    ///     set.join_all().await.into_iter().sum::<i32>()
    /// });
    /// assert_eq!(total, 6);
    /// ```
    ///
    /// # Panics
    /// Outside a `LocalSet` (as [`spawn_local`](super::spawn_local)).
    #[track_caller]
    pub fn spawn_local<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(super::spawn_local(task))
    }

    /// Spawns a `!Send` `task` on `local_set`, which need not be running
    /// (the task starts when the set is next driven), and adds it to the
    /// set.
    ///
    /// ```
    /// use runtime_core::task::{JoinSet, LocalSet};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
    /// let local = LocalSet::new();
    /// let mut set = JoinSet::new();
    /// set.spawn_local_on(async { std::rc::Rc::new("later") }, &local);
    /// let out = local.block_on(&rt, set.join_next()).unwrap().unwrap();
    /// assert_eq!(*out, "later");
    /// ```
    #[track_caller]
    pub fn spawn_local_on<F>(&mut self, task: F, local_set: &LocalSet) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(local_set.spawn_local(task))
    }

    /// Runs `f` on the blocking pool and adds it to the set.
    ///
    /// ```
    /// use runtime_core::task::JoinSet;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let total = rt.block_on(async {
    ///     let mut set = JoinSet::new();
    ///     for chunk in [vec![1, 2], vec![3, 4, 5]] {
    ///         set.spawn_blocking(move || chunk.iter().sum::<i32>());
    ///     }
    ///     set.join_all().await.into_iter().sum::<i32>()
    /// });
    /// assert_eq!(total, 15);
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send,
    {
        self.insert(crate::spawn_blocking(f))
    }

    /// Runs `f` on the blocking pool of the runtime behind `handle` and
    /// adds it to the set.
    ///
    /// ```
    /// use runtime_core::task::JoinSet;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// // From outside the runtime.
    /// let mut set = JoinSet::new();
    /// set.spawn_blocking_on(|| 2 + 2, rt.handle());
    /// assert_eq!(rt.block_on(set.join_all()), [4]);
    /// ```
    #[track_caller]
    pub fn spawn_blocking_on<F>(&mut self, f: F, handle: &Handle) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send,
    {
        self.insert(handle.spawn_blocking(f))
    }
}

/// Spawns each future of the iterator into a new set, as
/// [`JoinSet::spawn`] (so it must run inside a runtime).
///
/// ```
/// use runtime_core::task::JoinSet;
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let set: JoinSet<u32> = (1..=3).map(|i| async move { i * 10 }).collect();
///     let mut out = set.join_all().await;
///     out.sort();
///     assert_eq!(out, [10, 20, 30]);
/// });
/// ```
impl<T, F> FromIterator<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    #[track_caller]
    fn from_iter<I: IntoIterator<Item = F>>(iter: I) -> Self {
        let mut set = JoinSet::new();
        set.extend(iter);
        set
    }
}

/// Spawns each future of the iterator into the set, as
/// [`JoinSet::spawn`].
///
/// ```
/// use runtime_core::task::JoinSet;
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut set = JoinSet::new();
///     set.spawn(async { 1 });
///     set.extend((2..=4).map(|i| async move { i }));
///     assert_eq!(set.len(), 4);
///     assert_eq!(set.join_all().await.into_iter().sum::<i32>(), 10);
/// });
/// ```
impl<T, F> Extend<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    #[track_caller]
    fn extend<I: IntoIterator<Item = F>>(&mut self, iter: I) {
        for task in iter {
            self.spawn(task);
        }
    }
}

/// Spawns one task into a [`JoinSet`] with settings; made by
/// [`JoinSet::build_task`]. Its methods are [`task::Builder`]'s, returning
/// the new task's [`AbortHandle`] instead of a `JoinHandle` (the set keeps
/// that).
///
/// [`task::Builder`]: super::Builder
///
/// ```
/// use runtime_core::task::JoinSet;
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// let mut set = JoinSet::new();
/// set.build_task().name("on a handle").spawn_on(async { 1 }, rt.handle()).unwrap();
/// set.build_task().name("blocking").spawn_blocking_on(|| 2, rt.handle()).unwrap();
/// let mut out = rt.block_on(set.join_all());
/// out.sort();
/// assert_eq!(out, [1, 2]);
/// ```
#[must_use = "a Builder spawns nothing until one of its spawn methods is called"]
pub struct Builder<'a, T> {
    builder: super::Builder<'a>,
    set: &'a mut JoinSet<T>,
}

impl<'a, T: 'static> Builder<'a, T> {
    /// Names the task to be spawned (see [`task::Builder::name`]).
    ///
    /// [`task::Builder::name`]: super::Builder::name
    ///
    /// ```
    /// use runtime_core::task::JoinSet;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = JoinSet::new();
    ///     set.build_task().name("fails").spawn(async { panic!("boom") }).unwrap();
    ///     let err = set.join_next().await.unwrap().unwrap_err();
    ///     assert!(err.to_string().contains("\"fails\" panicked"), "{err}");
    /// });
    /// ```
    pub fn name(self, name: &'a str) -> Self {
        Builder {
            builder: self.builder.name(name),
            set: self.set,
        }
    }

    /// Spawns `future` on the current runtime into the set (see
    /// [`JoinSet::spawn`]). Never fails today.
    ///
    /// # Panics
    /// Outside a runtime.
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> std::io::Result<AbortHandle>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send,
    {
        Ok(self.set.insert(self.builder.spawn(future)?))
    }

    /// Spawns `future` on the runtime behind `handle` into the set (see
    /// [`JoinSet::spawn_on`]). Never fails today.
    #[track_caller]
    pub fn spawn_on<F>(self, future: F, handle: &Handle) -> std::io::Result<AbortHandle>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send,
    {
        Ok(self.set.insert(self.builder.spawn_on(future, handle)?))
    }

    /// Runs `f` on the current runtime's blocking pool, in the set (see
    /// [`JoinSet::spawn_blocking`]).
    ///
    /// # Errors
    /// When the pool has no idle thread and cannot start one.
    ///
    /// # Panics
    /// Outside a runtime.
    #[track_caller]
    pub fn spawn_blocking<F>(self, f: F) -> std::io::Result<AbortHandle>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send,
    {
        Ok(self.set.insert(self.builder.spawn_blocking(f)?))
    }

    /// Runs `f` on the blocking pool of the runtime behind `handle`, in
    /// the set (see [`JoinSet::spawn_blocking_on`]).
    ///
    /// # Errors
    /// When the pool has no idle thread and cannot start one.
    #[track_caller]
    pub fn spawn_blocking_on<F>(self, f: F, handle: &Handle) -> std::io::Result<AbortHandle>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send,
    {
        Ok(self.set.insert(self.builder.spawn_blocking_on(f, handle)?))
    }

    /// Spawns a `!Send` `future` on the [`LocalSet`] this code runs in,
    /// into the set (see [`JoinSet::spawn_local`]). Never fails today.
    ///
    /// # Panics
    /// Outside a `LocalSet`.
    #[track_caller]
    pub fn spawn_local<F>(self, future: F) -> std::io::Result<AbortHandle>
    where
        F: Future<Output = T> + 'static,
    {
        Ok(self.set.insert(self.builder.spawn_local(future)?))
    }

    /// Spawns a `!Send` `future` on `local_set`, into the set (see
    /// [`JoinSet::spawn_local_on`]). Never fails today.
    #[track_caller]
    pub fn spawn_local_on<F>(self, future: F, local_set: &LocalSet) -> std::io::Result<AbortHandle>
    where
        F: Future<Output = T> + 'static,
    {
        Ok(self
            .set
            .insert(self.builder.spawn_local_on(future, local_set)?))
    }
}

impl<T> fmt::Debug for Builder<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("join_set::Builder")
            .field("set", &self.set)
            .field("builder", &self.builder)
            .finish()
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len()).finish()
    }
}
