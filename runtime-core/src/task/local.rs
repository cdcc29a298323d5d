//! `LocalSet` and `spawn_local`: tasks whose futures are not `Send` (they
//! hold an `Rc`, a `RefCell` borrow, a `!Send` library handle) run on the
//! one thread that drives the set, inside whatever runtime that thread is
//! in.
//!
//! # Why this is sound
//!
//! The task machinery does not require `Send` (see `raw_task/mod.rs`); this
//! module is what makes `!Send` futures safe in it:
//!
//! - a local task's future is polled only by the set's run loop
//!   (`LocalSet::tick`), which runs on the thread that owns the set (the
//!   set is `!Send`, and so are `RunUntil` and `&LocalSet`);
//! - it is dropped either by that loop (completion, abort) or by
//!   `LocalSet::drop`, which shuts every remaining task down on the owning
//!   thread. Until then the set's owned list holds a reference to every
//!   incomplete task, so the last reference to an incomplete task can
//!   never be dropped by a waker or `AbortHandle` on another thread;
//! - wakers are `Send`: a wake from any thread only pushes the task on the
//!   set's queue and wakes the future that drives the set.
//!
//! An output that is not `Send` makes its `JoinHandle` `!Send`, so it is
//! read or dropped on the owning thread too.

use super::{Id, JoinHandle};
use crate::coop;
use crate::raw_task::{list::OwnedTasks, Notified, Schedule, SpawnMeta, Task};
use parking_lot::Mutex;
use std::cell::Cell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// Local tasks run per turn of the driving future before it yields back
/// to the runtime (as a worker's `event_interval`).
const MAX_TASKS_PER_TICK: usize = 61;

/// A set of `!Send` tasks that run on the thread that drives it.
///
/// Spawn with [`LocalSet::spawn_local`] (or [`spawn_local`] from inside
/// the set), then drive the set with [`run_until`](LocalSet::run_until),
/// [`block_on`](LocalSet::block_on), or by `.await`ing it (which runs
/// until every task has finished):
///
/// ```
/// use std::rc::Rc;
/// use runtime_core::task::{self, LocalSet};
///
/// let rt = runtime_core::Builder::new_current_thread().enable_all().build().unwrap();
/// let local = LocalSet::new();
/// let shared = Rc::new(40); // not Send
/// let out = local.block_on(&rt, async move {
///     let s = shared.clone();
///     let task = task::spawn_local(async move {
///         task::yield_now().await; // held across an .await: fine here
///         *s + 2
///     });
///     task.await.unwrap()
/// });
/// assert_eq!(out, 42);
/// ```
///
/// Dropping the set cancels (drops, on this thread) every task still in
/// it. The tasks of a set do not appear in `Handle::dump` and are not
/// watched by slow-poll detection; the task (or `block_on`) that drives
/// the set is.
///
/// The set, and the futures that drive it, stay on their thread:
///
/// ```compile_fail
/// fn assert_send<T: Send>(_: T) {}
/// assert_send(runtime_core::task::LocalSet::new());
/// ```
///
/// ```compile_fail
/// fn assert_send<T: Send>(_: T) {}
/// let local = runtime_core::task::LocalSet::new();
/// assert_send(local.run_until(async {}));
/// ```
pub struct LocalSet {
    shared: Arc<Shared>,
    /// `!Send` and `!Sync`: the set and its tasks stay on one thread.
    _not_send: PhantomData<*const ()>,
}

/// The part wakers reach from any thread; also the tasks' scheduler.
pub(crate) struct Shared {
    owned: OwnedTasks<Arc<Shared>>,
    /// Tasks ready to run; `None` once the set is dropped.
    queue: Mutex<Option<VecDeque<Notified<Arc<Shared>>>>>,
    /// The waker of whatever future drives the set now.
    waker: Mutex<Option<Waker>>,
}

thread_local! {
    /// The set whose run loop (or driving future) is on this thread now.
    static CURRENT: Cell<*const Shared> = const { Cell::new(std::ptr::null()) };
}

/// Restores the previous current set when a run loop ends (or unwinds).
struct Enter(*const Shared);

impl Enter {
    fn new(shared: &Arc<Shared>) -> Enter {
        Enter(CURRENT.with(|c| c.replace(Arc::as_ptr(shared))))
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}

impl Default for LocalSet {
    fn default() -> LocalSet {
        LocalSet::new()
    }
}

impl LocalSet {
    /// An empty set.
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    /// use runtime_core::task::LocalSet;
    ///
    /// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
    /// let local = LocalSet::new();
    /// let count = Rc::new(Cell::new(0)); // not Send
    /// for _ in 0..3 {
    ///     let count = count.clone();
    ///     local.spawn_local(async move { count.set(count.get() + 1) });
    /// }
    /// // Awaiting the set runs it until every task in it has finished.
    /// rt.block_on(local);
    /// assert_eq!(count.get(), 3);
    /// ```
    pub fn new() -> LocalSet {
        LocalSet {
            shared: Arc::new(Shared {
                owned: OwnedTasks::new(1),
                queue: Mutex::new(Some(VecDeque::new())),
                waker: Mutex::new(None),
            }),
            _not_send: PhantomData,
        }
    }

    /// Spawns a `!Send` task on this set. It runs when the set is driven
    /// (`run_until`, `block_on`, `.await`), on the thread driving it.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use runtime_core::task::LocalSet;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let local = LocalSet::new();
    /// // Spawned from outside the set: it runs once the set is driven.
    /// let task = local.spawn_local(async {
    ///     let name = Rc::new("local"); // held across an .await
    ///     runtime_core::task::yield_now().await;
    ///     name.len()
    /// });
    /// let len = rt.block_on(local.run_until(task)).unwrap();
    /// assert_eq!(len, 5);
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.spawn_with(future, SpawnMeta::at(Location::caller()))
    }

    /// `spawn_local` with the spawn location and name given
    /// (`task::Builder::spawn_local_on`).
    pub(crate) fn spawn_with<F>(&self, future: F, meta: SpawnMeta<'_>) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        spawn_on(&self.shared, future, meta)
    }

    /// Runs `future` on the current thread, running this set's tasks
    /// alongside it, until `future` completes. Tasks left unfinished stay
    /// in the set for the next run.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let local = runtime_core::task::LocalSet::new();
    /// let n = rt.block_on(local.run_until(async {
    ///     runtime_core::task::spawn_local(async { 7 }).await.unwrap()
    /// }));
    /// assert_eq!(n, 7);
    /// ```
    pub fn run_until<F: Future>(&self, future: F) -> RunUntil<'_, F> {
        RunUntil {
            set: self,
            future: Box::pin(future),
        }
    }

    /// `rt.block_on(self.run_until(future))`: drives the set from the
    /// calling thread, inside `rt`, until `future` completes.
    ///
    /// ```
    /// use runtime_core::task::{spawn_local, LocalSet};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().build().unwrap();
    /// let local = LocalSet::new();
    /// let out = local.block_on(&rt, async {
    ///     let rc = std::rc::Rc::new(4);
    ///     spawn_local(async move { *rc * 10 }).await.unwrap()
    /// });
    /// assert_eq!(out, 40);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, rt: &crate::runtime::Runtime, future: F) -> F::Output {
        rt.block_on(self.run_until(future))
    }

    /// Runs up to `MAX_TASKS_PER_TICK` queued tasks; `true` if more are
    /// waiting.
    fn tick(&self) -> bool {
        for _ in 0..MAX_TASKS_PER_TICK {
            let task = match self.shared.queue.lock().as_mut() {
                Some(queue) => queue.pop_front(),
                None => None,
            };
            let Some(task) = task else {
                return false;
            };
            if let Some(again) = coop::budget(|| task.run()) {
                self.shared.push(again.task);
            }
        }
        self.shared
            .queue
            .lock()
            .as_ref()
            .is_some_and(|q| !q.is_empty())
    }

    /// Runs one turn of a future that drives the set (`RunUntil`, the set
    /// itself) with the set current and `cx`'s waker registered. Driven
    /// again from inside one of its own tasks (`run_until` nested in a
    /// task of the same set), the outer driver's waker is put back after
    /// the turn: the outer driver keeps running every task, the nested
    /// one included.
    fn drive<R>(&self, cx: &mut Context<'_>, turn: impl FnOnce(&mut Context<'_>) -> R) -> R {
        let nested = CURRENT.with(|c| c.get() == Arc::as_ptr(&self.shared));
        let outer = if nested {
            self.shared.waker.lock().clone()
        } else {
            None
        };
        let _enter = Enter::new(&self.shared);
        self.register(cx.waker());
        let out = turn(cx);
        if nested {
            *self.shared.waker.lock() = outer;
        }
        out
    }

    /// Records the waker of the future driving the set.
    fn register(&self, waker: &Waker) {
        let mut slot = self.shared.waker.lock();
        if !slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
            *slot = Some(waker.clone());
        }
    }
}

/// Binds a new local task to `shared` and queues it.
fn spawn_on<F>(shared: &Arc<Shared>, future: F, meta: SpawnMeta<'_>) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    // SAFETY: the set polls its tasks only on its own thread, in
    // `RunUntil::poll`/`LocalSet::poll`, and shuts every remaining one down
    // there in `LocalSet::drop`; until then this list's reference keeps an
    // incomplete task from being freed (and its future dropped) elsewhere
    // (module docs).
    let (join, notified) = unsafe {
        shared
            .owned
            .bind_local(future, shared.clone(), Id::next(), meta)
    };
    if let Some(notified) = notified {
        shared.schedule(notified);
    }
    join
}

/// Spawns a `!Send` task on the [`LocalSet`] this code runs in.
///
/// ```
/// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
/// let local = runtime_core::task::LocalSet::new();
/// local.block_on(&rt, async {
///     let cell = std::rc::Rc::new(std::cell::Cell::new(0));
///     let c = cell.clone();
///     runtime_core::task::spawn_local(async move { c.set(5) }).await.unwrap();
///     assert_eq!(cell.get(), 5);
/// });
/// ```
///
/// # Panics
/// Outside a `LocalSet` (from a plain task or outside any runtime): there
/// is no thread-bound set to run the task on.
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    spawn_local_with(future, SpawnMeta::at(Location::caller()))
}

/// `spawn_local` with the spawn location and name given
/// (`task::Builder::spawn_local`).
///
/// # Panics
/// Outside a `LocalSet`, as `spawn_local`.
#[track_caller]
pub(crate) fn spawn_local_with<F>(future: F, meta: SpawnMeta<'_>) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let current = CURRENT.with(|c| c.get());
    assert!(
        !current.is_null(),
        "spawn_local called outside of a LocalSet: a !Send task needs a thread-bound set to run \
         on, and this thread is not driving one right now (a plain task, spawn_blocking and \
         other threads never are). Run this code inside LocalSet::run_until or \
         LocalSet::block_on (or a task spawned with spawn_local), or use spawn if the future is \
         Send"
    );
    // SAFETY: `CURRENT` is non-null only while an `Enter` guard is alive
    // on this thread, and whoever made that guard borrows, for the guard's
    // whole life, the `Arc<Shared>` the pointer came from (`Arc::as_ptr`).
    // So the allocation is alive and taking one more strong reference to it
    // is valid.
    let shared = unsafe {
        Arc::increment_strong_count(current);
        Arc::from_raw(current)
    };
    spawn_on(&shared, future, meta)
}

impl Shared {
    fn push(&self, task: Notified<Arc<Shared>>) {
        let mut queue = self.queue.lock();
        match queue.as_mut() {
            Some(q) => q.push_back(task),
            None => {
                // The set was dropped: the task is already shut down; drop
                // this reference outside the lock.
                drop(queue);
                drop(task);
            }
        }
    }
}

impl Schedule for Arc<Shared> {
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.owned.remove(task)
    }

    fn schedule(&self, task: Notified<Self>) {
        self.push(task);
        // From inside this set's own loop the loop will find it; from
        // anywhere else, wake the driving future.
        let inside = CURRENT.with(|c| c.get() == Arc::as_ptr(self));
        if !inside {
            // Woken outside the lock: the driving future may be a task of
            // this very set, whose wake comes back here.
            let waker = self.waker.lock().clone();
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }
}

/// The future returned by [`LocalSet::run_until`].
///
/// ```
/// use runtime_core::task::LocalSet;
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// let local = LocalSet::new();
/// let stuck = local.spawn_local(std::future::pending::<()>());
/// rt.block_on(local.run_until(async {}));
/// // `run_until` returned with the other task unfinished; it stays in the
/// // set until the next run or until the set is dropped.
/// assert!(!stuck.is_finished());
/// drop(local);
/// assert!(stuck.is_finished());
/// ```
pub struct RunUntil<'a, F> {
    set: &'a LocalSet,
    future: Pin<Box<F>>,
}

impl<F: Future> Future for RunUntil<'_, F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let set = self.set;
        set.drive(cx, |cx| {
            if let Poll::Ready(out) = coop::budget(|| self.future.as_mut().poll(cx)) {
                return Poll::Ready(out);
            }
            if set.tick() {
                // More local work: yield to the runtime, then come back.
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        })
    }
}

/// `.await`ing a set runs it until every task in it has finished.
impl Future for LocalSet {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let set = &*self;
        set.drive(cx, |cx| {
            if set.tick() {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            if set.shared.owned.alive() == 0 {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }
}

impl Drop for LocalSet {
    fn drop(&mut self) {
        // On the owning thread, with the set current (a task's destructor
        // may call spawn_local; that task is refused and shut down).
        let _enter = Enter::new(&self.shared);
        self.shared.owned.close_and_shutdown_all();
        let queue = self.shared.queue.lock().take();
        drop(queue);
        self.shared.waker.lock().take();
    }
}

impl fmt::Debug for LocalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSet")
            .field("tasks", &self.shared.owned.alive())
            .finish()
    }
}

impl<F> fmt::Debug for RunUntil<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunUntil").finish_non_exhaustive()
    }
}
