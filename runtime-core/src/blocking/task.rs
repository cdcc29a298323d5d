//! A blocking closure as a task: a future that runs the closure on its
//! first poll, so `JoinHandle`, abort and panic capture work as for any task.

use crate::coop;
use crate::raw_task::{self as task, Notified, Schedule, SpawnMeta, Task};
use crate::scheduler;
use crate::task::{Id, JoinHandle};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The blocking pool's scheduler for its tasks: they are never in an owned
/// list and never rescheduled (they return `Ready` on their only poll).
pub(crate) struct BlockingSchedule;

impl Schedule for BlockingSchedule {
    fn release(&self, _task: &Task<Self>) -> Option<Task<Self>> {
        None
    }

    fn schedule(&self, _task: Notified<Self>) {
        unreachable!("a blocking task is never woken: it completes on its first poll");
    }
}

/// A future that runs a closure once.
struct BlockingTask<F> {
    func: Option<F>,
}

impl<F> Unpin for BlockingTask<F> {}

impl<F: FnOnce() -> R, R> Future for BlockingTask<F> {
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let func = self
            .func
            .take()
            .expect("blocking task polled after it completed");
        // Blocking closures have no budget to respect.
        Poll::Ready(coop::with_unconstrained(func))
    }
}

/// Runs `func` on `handle`'s blocking pool. `mandatory` jobs (worker
/// threads) run even when the pool is shutting down. Fails only when the
/// pool has no thread and cannot start one.
#[track_caller]
pub(crate) fn spawn_blocking<F, R>(
    handle: &scheduler::SchedulerHandle,
    func: F,
    mandatory: bool,
) -> std::io::Result<JoinHandle<R>>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let meta = SpawnMeta::at(std::panic::Location::caller());
    spawn_blocking_with(handle, func, mandatory, meta)
}

/// `spawn_blocking` with the caller's location and the task's name given
/// (`task::Builder::spawn_blocking_on`).
pub(crate) fn spawn_blocking_with<F, R>(
    handle: &scheduler::SchedulerHandle,
    func: F,
    mandatory: bool,
    meta: SpawnMeta<'_>,
) -> std::io::Result<JoinHandle<R>>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    // While user blocking work is queued or running, a paused test clock
    // must not jump ahead (its result may be what the runtime waits for).
    // Only a current-thread runtime can pause its clock (Tokio counts
    // these there only, too).
    let inhibit = (!mandatory && matches!(handle, scheduler::SchedulerHandle::CurrentThread(_)))
        .then(|| {
            handle
                .driver()
                .and_then(crate::driver::InhibitAutoAdvance::new)
        })
        .flatten();
    let (task, join) = unowned(
        BlockingTask { func: Some(func) },
        BlockingSchedule,
        Id::next(),
        meta,
    );
    let job = Job {
        task: Some(task),
        mandatory,
        handle: handle.clone(),
        _inhibit: inhibit,
    };
    handle.blocking_spawner().spawn(job)?;
    Ok(join)
}

/// A queued blocking task. Run it, or cancel it: dropping an unrun `Job`
/// cancels its task so the `JoinHandle` resolves with `is_cancelled()`.
pub(crate) struct Job {
    /// `None` once run or cancelled.
    task: Option<Notified<BlockingSchedule>>,
    pub(crate) mandatory: bool,
    handle: scheduler::SchedulerHandle,
    /// Held until the job is done or dropped: declared last, so it is
    /// released after the task completed and woke its `JoinHandle` (a
    /// paused clock must not jump between the two).
    _inhibit: Option<crate::driver::InhibitAutoAdvance>,
}

impl Job {
    pub(crate) fn run(mut self) {
        let Some(task) = self.task.take() else { return };
        // The closure may use `Handle::current()` and `spawn`.
        let _current = crate::scheduler::current::set_current(&self.handle);
        let again = task.run();
        // A blocking task completes on its only poll.
        debug_assert!(again.is_none(), "a blocking task asked to be polled again");
        drop(again);
    }

    /// Cancels the task without running it (rule 8 of `raw_task/mod.rs`): its
    /// JoinHandle resolves with `is_cancelled()`.
    pub(crate) fn cancel(mut self) {
        if let Some(task) = self.task.take() {
            task.into_raw().shutdown();
        }
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.into_raw().shutdown();
        }
    }
}

/// Creates a task that no owned list knows of (the blocking pool's): two
/// references, the `Notified` to run it and the `JoinHandle`.
pub(crate) fn unowned<F, S>(
    future: F,
    scheduler: S,
    id: Id,
    meta: SpawnMeta<'_>,
) -> (Notified<S>, JoinHandle<F::Output>)
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let raw = task::RawTask::new(future, scheduler, id, meta, 2);
    // SAFETY: `new` made two references; one goes to each handle.
    unsafe { (Notified::from_raw(raw), JoinHandle::from_raw(raw)) }
}
