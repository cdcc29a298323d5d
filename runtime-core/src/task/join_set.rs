//! `JoinSet`: a collection of spawned tasks awaited in completion order.

use super::{AbortHandle, JoinError, JoinHandle};
use crate::runtime::Handle;
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::fmt;
use std::future::{poll_fn, Future};
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
    tasks: FuturesUnordered<JoinHandle<T>>,
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
        self.tasks.push(handle);
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
            handle.abort();
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
        self.tasks.poll_next_unpin(cx)
    }

    /// Waits for the next task to finish and returns its result, or `None`
    /// when the set is empty. Cancel safe: a dropped call loses no result.
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
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match self.poll_join_next(&mut cx) {
            Poll::Ready(res) => res,
            Poll::Pending => None,
        }
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

impl<T: Send + 'static> JoinSet<T> {
    /// Spawns `task` on the current runtime and adds it to the set.
    ///
    /// # Panics
    /// Outside a runtime (as [`spawn`](crate::spawn)).
    #[track_caller]
    pub fn spawn<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
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
    {
        self.insert(handle.spawn(task))
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
    {
        self.insert(crate::spawn_blocking(f))
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
