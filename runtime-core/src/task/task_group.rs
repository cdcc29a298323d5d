//! `TaskGroup`: structured concurrency (asyncio's `TaskGroup`, trio's
//! nursery). Children are ordinary tasks; `join` waits for all of them and
//! the first failure cancels the rest. A `TaskGroupSpawner` lets children
//! (or anyone else) add siblings while `join` waits, as asyncio's
//! `tg.create_task` does from inside a child.

use super::{AbortHandle, JoinError, JoinHandle};
use crate::loom::sync::{Arc, Mutex};
use crate::runtime::Handle;
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// A group of fallible tasks that succeed or fail together.
///
/// [`spawn`](TaskGroup::spawn) starts each child at once as an ordinary
/// runtime task (it runs in the background, on any worker, whether or not
/// anyone awaits the group). [`join`](TaskGroup::join) then waits for the
/// children:
///
/// - if every child returns `Ok`, `join` returns all the values **in spawn
///   order** (not in the order the children finished);
/// - as soon as one child returns `Err`, panics or is cancelled, `join`
///   aborts every other child, waits until each of them has actually
///   stopped (its future dropped, so no child outlives `join`), and returns
///   that first failure as a [`TaskGroupError`]. It does not wait for the
///   other children to finish their work.
///
/// Dropping the group, or a `join` future that has not completed, aborts
/// every child that is still running.
///
/// All children succeed:
///
/// ```
/// use runtime_core::task::{self, TaskGroup};
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// let squares = rt.block_on(async {
///     let mut group = TaskGroup::new();
///     for i in 0..5u64 {
///         group.spawn(async move {
///             // Later children may well finish first; the results still
///             // come back in spawn order.
///             for _ in 0..(5 - i) {
///                 task::yield_now().await;
///             }
///             Ok::<_, std::io::Error>(i * i)
///         });
///     }
///     assert_eq!(group.len(), 5);
///     group.join().await
/// });
/// assert_eq!(squares.unwrap(), [0, 1, 4, 9, 16]);
/// ```
///
/// One child fails, which cancels the child that would never finish:
///
/// ```
/// use runtime_core::task::{TaskGroup, TaskGroupError};
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// let result = rt.block_on(async {
///     let mut group: TaskGroup<u32, String> = TaskGroup::new();
///     group.spawn(async {
///         std::future::pending::<()>().await;
///         Ok(1)
///     });
///     group.spawn(async { Err("no connection".to_string()) });
///     group.join().await
/// });
/// match result {
///     Err(TaskGroupError::Failed(e)) => assert_eq!(e, "no connection"),
///     other => panic!("unexpected {other:?}"),
/// }
/// ```
pub struct TaskGroup<T, E> {
    /// The children not joined yet, each tagged with its spawn index.
    children: FuturesUnordered<Child<Result<T, E>>>,
    /// What the group shares with its spawners.
    shared: Arc<Mutex<Shared<T, E>>>,
}

/// The part of a group its [`TaskGroupSpawner`]s reach.
struct Shared<T, E> {
    /// Children spawned through a spawner, not yet moved into `children`.
    added: Vec<Child<Result<T, E>>>,
    /// How many children were ever spawned (the next spawn index).
    spawned: usize,
    /// The group takes no more children: `join` finished or failed, or
    /// the group was dropped.
    closed: bool,
    /// `join`'s waker, woken when a spawner adds a child.
    joiner: Option<Waker>,
}

/// A child's `JoinHandle` that also yields the child's spawn index.
struct Child<T> {
    index: usize,
    handle: JoinHandle<T>,
}

impl<T> Future for Child<T> {
    type Output = (usize, Result<T, JoinError>);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let index = self.index;
        Pin::new(&mut self.handle).poll(cx).map(|res| (index, res))
    }
}

impl<T, E> TaskGroup<T, E> {
    /// An empty group.
    ///
    /// ```
    /// use runtime_core::task::TaskGroup;
    ///
    /// let group: TaskGroup<u32, std::io::Error> = TaskGroup::new();
    /// assert!(group.is_empty());
    /// ```
    pub fn new() -> TaskGroup<T, E> {
        TaskGroup {
            children: FuturesUnordered::new(),
            shared: Arc::new(Mutex::new(Shared {
                added: Vec::new(),
                spawned: 0,
                closed: false,
                joiner: None,
            })),
        }
    }

    /// Number of children spawned and not joined yet (a child that already
    /// finished still counts).
    pub fn len(&self) -> usize {
        self.children.len() + self.shared.lock().added.len()
    }

    /// `true` when the group holds no child.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A handle that spawns more children into this group, also while
    /// [`join`](TaskGroup::join) waits: give it to the children so they
    /// can add siblings (asyncio's `tg.create_task` from inside a child).
    /// It refuses once the group has finished, failed or been dropped.
    ///
    /// ```
    /// use runtime_core::task::TaskGroup;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let sizes = rt.block_on(async {
    ///     let mut group: TaskGroup<usize, std::io::Error> = TaskGroup::new();
    ///     let spawner = group.spawner();
    ///     // A "directory" child that finds two more entries and hands them
    ///     // to the group instead of walking them itself.
    ///     group.spawn(async move {
    ///         for size in [10, 20] {
    ///             spawner.spawn(async move { Ok(size) }).unwrap();
    ///         }
    ///         Ok(1)
    ///     });
    ///     group.join().await.unwrap()
    /// });
    /// // Spawn order: the directory, then what it added.
    /// assert_eq!(sizes, [1, 10, 20]);
    /// ```
    pub fn spawner(&self) -> TaskGroupSpawner<T, E> {
        TaskGroupSpawner {
            shared: self.shared.clone(),
        }
    }

    /// The next spawn index, taken before the child starts: it may add
    /// siblings at once, and they come after it.
    fn next_index(&self) -> usize {
        let mut shared = self.shared.lock();
        shared.spawned += 1;
        shared.spawned - 1
    }

    fn insert(&mut self, index: usize, handle: JoinHandle<Result<T, E>>) -> AbortHandle {
        let abort = handle.abort_handle();
        self.children.push(Child { index, handle });
        abort
    }

    /// Moves the children that spawners added into `children`, and (while
    /// `join` waits) leaves `waker` for the next spawner to wake.
    fn take_added(&mut self, waker: Option<&Waker>) {
        let mut shared = self.shared.lock();
        for child in shared.added.drain(..) {
            self.children.push(child);
        }
        if let Some(waker) = waker {
            match &shared.joiner {
                Some(old) if old.will_wake(waker) => {}
                _ => shared.joiner = Some(waker.clone()),
            }
        }
    }

    /// Takes no more children and aborts every child in the group.
    fn close_and_abort_all(&mut self) {
        // Nobody joins any more: a spawner kept elsewhere must not keep
        // join's waker (it holds the joining task alive). Dropped after
        // the lock.
        let joiner = {
            let mut shared = self.shared.lock();
            shared.closed = true;
            shared.joiner.take()
        };
        drop(joiner);
        self.take_added(None);
        for child in self.children.iter() {
            child.handle.abort();
        }
    }

    /// Waits for every child and returns their values in spawn order, or
    /// the first failure after every other child has been aborted and has
    /// stopped.
    ///
    /// The failure is the first one `join` observes, in completion order:
    /// [`Failed`](TaskGroupError::Failed) for a child that returned `Err`,
    /// [`Panicked`](TaskGroupError::Panicked) for one that panicked,
    /// [`Cancelled`](TaskGroupError::Cancelled) for one that was cancelled
    /// from outside the group (through its [`AbortHandle`], or because its
    /// runtime shut down). Whatever the other children end with (a value
    /// that raced the abort, their own error or panic) is dropped.
    ///
    /// Dropping the returned future before it completes aborts the
    /// children that are still running, as dropping the group does.
    ///
    /// ```
    /// use runtime_core::task::TaskGroup;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let err = rt.block_on(async {
    ///     let mut group: TaskGroup<(), String> = TaskGroup::new();
    ///     group.spawn(std::future::pending());
    ///     group.spawn(async { panic!("bug") });
    ///     group.join().await.unwrap_err()
    /// });
    /// assert!(err.is_panic());
    /// // Every other child was aborted and has stopped: none outlives `join`.
    /// let payload = err.into_join_error().unwrap().into_panic();
    /// assert_eq!(payload.downcast_ref::<&str>(), Some(&"bug"));
    /// ```
    pub async fn join(mut self) -> Result<Vec<T>, TaskGroupError<E>> {
        let mut values: Vec<Option<T>> = Vec::new();
        let failure = std::future::poll_fn(|cx| loop {
            self.take_added(Some(cx.waker()));
            match self.children.poll_next_unpin(cx) {
                Poll::Ready(Some((index, res))) => {
                    let failure = match res {
                        Ok(Ok(value)) => {
                            if values.len() <= index {
                                values.resize_with(index + 1, || None);
                            }
                            values[index] = Some(value);
                            continue;
                        }
                        Ok(Err(err)) => TaskGroupError::Failed(err),
                        Err(err) if err.is_panic() => TaskGroupError::Panicked(err),
                        Err(err) => TaskGroupError::Cancelled(err),
                    };
                    return Poll::Ready(Some(failure));
                }
                Poll::Ready(None) => {
                    // Every child is done: finished, unless a spawner added
                    // one since `take_added` (a child's last act may be to
                    // add a sibling). Closing under the same lock means no
                    // later spawn can slip in unseen.
                    let mut shared = self.shared.lock();
                    if shared.added.is_empty() {
                        shared.closed = true;
                        return Poll::Ready(None);
                    }
                }
                Poll::Pending => return Poll::Pending,
            }
        })
        .await;
        if let Some(failure) = failure {
            self.close_and_abort_all();
            // Wait until every aborted child has dropped its future; what
            // they return (a value that raced the abort, or their own
            // error) is discarded.
            while self.children.next().await.is_some() {}
            return Err(failure);
        }
        // Every child returned a value; an index without one belongs to a
        // `spawn` that panicked (outside a runtime) after taking it.
        Ok(values.into_iter().flatten().collect())
    }
}

impl<T: Send + 'static, E: Send + 'static> TaskGroup<T, E> {
    /// Spawns `task` on the current runtime as a child of the group. It
    /// starts running at once; its spawn location (for task dumps and
    /// slow-poll reports) is the caller's.
    ///
    /// The returned [`AbortHandle`] cancels this child only; a child
    /// cancelled that way makes [`join`](TaskGroup::join) fail with
    /// [`TaskGroupError::Cancelled`].
    ///
    /// # Panics
    /// Outside a runtime (as [`spawn`](crate::spawn)).
    ///
    /// ```
    /// use runtime_core::task::TaskGroup;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let err = rt.block_on(async {
    ///     let mut group: TaskGroup<u32, std::io::Error> = TaskGroup::new();
    ///     group.spawn(async { Ok(1) });
    ///     let slow = group.spawn(std::future::pending());
    ///     slow.abort();
    ///     group.join().await.unwrap_err()
    /// });
    /// assert!(err.is_cancelled());
    /// ```
    #[track_caller]
    pub fn spawn<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        // Spawned here, not in a closure: `#[track_caller]` reaches
        // `spawn` only through direct calls.
        let index = self.next_index();
        let handle = crate::spawn(task);
        self.insert(index, handle)
    }

    /// Spawns `task` as a child of the group on the runtime behind
    /// `handle` (which works from outside any runtime).
    ///
    /// ```
    /// use runtime_core::task::TaskGroup;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let mut group = TaskGroup::new();
    /// for i in 0..3u32 {
    ///     group.spawn_on(async move { Ok::<_, std::io::Error>(i) }, rt.handle());
    /// }
    /// assert_eq!(rt.block_on(group.join()).unwrap(), [0, 1, 2]);
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(&mut self, task: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        let index = self.next_index();
        let child = handle.spawn(task);
        self.insert(index, child)
    }
}

impl<T, E> Default for TaskGroup<T, E> {
    fn default() -> Self {
        TaskGroup::new()
    }
}

impl<T, E> Drop for TaskGroup<T, E> {
    fn drop(&mut self) {
        self.close_and_abort_all();
    }
}

/// Spawns children into a [`TaskGroup`] from anywhere, also while the
/// group's `join` waits (see [`TaskGroup::spawner`]). Cheap to clone.
pub struct TaskGroupSpawner<T, E> {
    shared: Arc<Mutex<Shared<T, E>>>,
}

impl<T, E> Clone for TaskGroupSpawner<T, E> {
    fn clone(&self) -> Self {
        TaskGroupSpawner {
            shared: self.shared.clone(),
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> TaskGroupSpawner<T, E> {
    /// Spawns `task` on the current runtime as a child of the group, after
    /// every child spawned before it (its value's place in `join`'s
    /// result). `join` sees it even if it is the last thing a finishing
    /// child does.
    ///
    /// Refused, with `task` dropped unstarted, once the group takes no
    /// more children: its `join` returned (every child finished) or is
    /// failing (a child failed and the others are being cancelled; asyncio
    /// refuses `create_task` then too), or the group was dropped.
    ///
    /// # Panics
    /// Outside a runtime (as [`spawn`](crate::spawn)).
    ///
    /// ```
    /// use runtime_core::task::TaskGroup;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let group: TaskGroup<(), std::io::Error> = TaskGroup::new();
    ///     let spawner = group.spawner();
    ///     group.join().await.unwrap();
    ///     let err = spawner.spawn(async { Ok(()) }).unwrap_err();
    ///     assert!(err.to_string().contains("task group"));
    /// });
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, task: F) -> Result<AbortHandle, TaskGroupClosed>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        let mut shared = self.shared.lock();
        if shared.closed {
            return Err(TaskGroupClosed(()));
        }
        // Spawned under the lock: a group that closes meanwhile would
        // otherwise never see (nor abort) this child.
        let handle = crate::spawn(task);
        let abort = handle.abort_handle();
        let index = shared.spawned;
        shared.spawned += 1;
        shared.added.push(Child { index, handle });
        let joiner = shared.joiner.take();
        drop(shared);
        if let Some(w) = joiner {
            w.wake();
        }
        Ok(abort)
    }
}

impl<T, E> fmt::Debug for TaskGroupSpawner<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroupSpawner")
            .field("closed", &self.shared.lock().closed)
            .finish()
    }
}

/// [`TaskGroupSpawner::spawn`] was refused: the group finished, is failing,
/// or was dropped.
///
/// ```
/// use runtime_core::task::TaskGroup;
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// let group: TaskGroup<(), std::io::Error> = TaskGroup::new();
/// let spawner = group.spawner();
/// drop(group);
/// let err = rt.block_on(async { spawner.spawn(async { Ok(()) }) }).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "the task group takes no more children: it finished, is failing, or was dropped"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskGroupClosed(());

impl fmt::Display for TaskGroupClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the task group takes no more children: it finished, is failing, or was dropped",
        )
    }
}

impl std::error::Error for TaskGroupClosed {}

impl<T, E> fmt::Debug for TaskGroup<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroup")
            .field("len", &self.len())
            .finish()
    }
}

/// Why [`TaskGroup::join`] failed: the first child that did not return a
/// value.
///
/// ```
/// use runtime_core::task::{TaskGroup, TaskGroupError};
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// let err = rt.block_on(async {
///     let mut group = TaskGroup::new();
///     group.spawn(async { Ok(1) });
///     group.spawn(async { Err(std::io::Error::other("disk full")) });
///     group.join().await.unwrap_err()
/// });
/// // `Display` (and `source`) of `Failed` are the child's error's own.
/// assert_eq!(err.to_string(), "disk full");
/// match err {
///     TaskGroupError::Failed(e) => assert_eq!(e.kind(), std::io::ErrorKind::Other),
///     TaskGroupError::Panicked(_) | TaskGroupError::Cancelled(_) => unreachable!(),
/// }
/// ```
#[derive(Debug)]
pub enum TaskGroupError<E> {
    /// A child returned `Err`. `Display` and `source` are the error's own.
    Failed(E),
    /// A child panicked; [`JoinError::into_panic`] gives the payload (to
    /// re-raise it with `std::panic::resume_unwind`).
    Panicked(JoinError),
    /// A child was cancelled from outside the group: aborted through its
    /// [`AbortHandle`], or its runtime shut down.
    Cancelled(JoinError),
}

impl<E> TaskGroupError<E> {
    /// The child's own error, if it returned `Err`.
    ///
    /// ```
    /// use runtime_core::task::TaskGroup;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let err = rt.block_on(async {
    ///     let mut group: TaskGroup<(), &str> = TaskGroup::new();
    ///     group.spawn(async { Err("refused") });
    ///     group.join().await.unwrap_err()
    /// });
    /// assert_eq!(err.into_failed(), Some("refused"));
    /// ```
    pub fn into_failed(self) -> Option<E> {
        match self {
            TaskGroupError::Failed(err) => Some(err),
            _ => None,
        }
    }

    /// The `JoinError` of a child that panicked or was cancelled.
    pub fn into_join_error(self) -> Option<JoinError> {
        match self {
            TaskGroupError::Failed(_) => None,
            TaskGroupError::Panicked(err) | TaskGroupError::Cancelled(err) => Some(err),
        }
    }

    /// `true` when a child panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self, TaskGroupError::Panicked(_))
    }

    /// `true` when a child was cancelled from outside the group.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, TaskGroupError::Cancelled(_))
    }
}

impl<E: fmt::Display> fmt::Display for TaskGroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskGroupError::Failed(err) => fmt::Display::fmt(err, f),
            TaskGroupError::Panicked(err) => write!(f, "a child task panicked: {err}"),
            TaskGroupError::Cancelled(err) => write!(f, "a child task was cancelled: {err}"),
        }
    }
}

/// `Failed` is transparent (its `source` is the error's own source); the
/// `JoinError` of the other variants is already part of the message, so
/// it is not repeated as a source.
impl<E: std::error::Error> std::error::Error for TaskGroupError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TaskGroupError::Failed(err) => err.source(),
            TaskGroupError::Panicked(_) | TaskGroupError::Cancelled(_) => None,
        }
    }
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<TaskGroup<(), std::io::Error>>();
    is::<TaskGroupSpawner<(), std::io::Error>>();
    is::<TaskGroupError<std::io::Error>>();
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::task::Id;

    #[derive(Debug)]
    struct Refused;

    impl fmt::Display for Refused {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("connection refused")
        }
    }

    impl std::error::Error for Refused {}

    #[test]
    fn display_forwards_failed_and_names_join_errors() {
        let failed: TaskGroupError<Refused> = TaskGroupError::Failed(Refused);
        assert_eq!(failed.to_string(), "connection refused");

        let id = Id::next();
        let panicked: TaskGroupError<Refused> =
            TaskGroupError::Panicked(JoinError::panic(id, Box::new("boom")));
        assert_eq!(
            panicked.to_string(),
            format!("a child task panicked: task {id} panicked with message \"boom\"")
        );
        assert!(panicked.is_panic() && !panicked.is_cancelled());

        let cancelled: TaskGroupError<Refused> =
            TaskGroupError::Cancelled(JoinError::cancelled(id));
        assert_eq!(
            cancelled.to_string(),
            format!("a child task was cancelled: task {id} was cancelled")
        );
        assert!(cancelled.is_cancelled());
        assert_eq!(cancelled.into_join_error().unwrap().id(), id);
    }

    #[test]
    fn is_an_error_when_the_child_error_is() {
        let err: Box<dyn std::error::Error> = Box::new(TaskGroupError::Failed(Refused));
        assert_eq!(err.to_string(), "connection refused");
        assert!(err.source().is_none());
    }
}
