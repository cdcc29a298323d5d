//! A blocking closure as a task: a future that runs the closure on its
//! first poll, so `JoinHandle`, abort and panic capture work as for any
//! task; and the job the pool queues, which runs that task inside the
//! runtime that spawned it (`RuntimeContext`, given by the layer above).

use crate::coop;
use crate::raw_task::{self as task, Notified, Schedule, SpawnMeta, Task};
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

/// The runtime a job runs in, as the layer above gives it (this pool
/// knows nothing of schedulers): `scheduler/blocking_spawn.rs` implements it
/// for a runtime's handle, with whatever the job must hold until it is
/// done (a current-thread runtime's hold on its paused clock).
pub(crate) trait RuntimeContext: Send {
    /// Runs `f` with this runtime as the thread's current one, so the
    /// closure can use `Handle::current()` and `spawn`.
    fn run_inside(&self, f: &mut dyn FnMut());
}

/// `func` as a job for the pool, and its task's `JoinHandle`.
pub(crate) fn job<F, R>(
    func: F,
    mandatory: bool,
    context: Box<dyn RuntimeContext>,
    meta: SpawnMeta<'_>,
) -> (Job, JoinHandle<R>)
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let (task, join) = unowned(
        BlockingTask { func: Some(func) },
        BlockingSchedule,
        Id::next(),
        meta,
    );
    let job = Job {
        task: Some(task),
        mandatory,
        context,
    };
    (job, join)
}

/// A queued blocking task. Run it, or cancel it: dropping an unrun `Job`
/// cancels its task so the `JoinHandle` resolves with `is_cancelled()`.
pub(crate) struct Job {
    /// `None` once run or cancelled.
    task: Option<Notified<BlockingSchedule>>,
    pub(crate) mandatory: bool,
    /// Declared last, so what it holds is released after the task
    /// completed and woke its `JoinHandle` (a paused clock must not jump
    /// between the two).
    context: Box<dyn RuntimeContext>,
}

impl Job {
    pub(crate) fn run(mut self) {
        let Some(task) = self.task.take() else { return };
        let mut task = Some(task);
        self.context.run_inside(&mut || {
            let Some(task) = task.take() else { return };
            let again = task.run();
            // A blocking task completes on its only poll.
            debug_assert!(again.is_none(), "a blocking task asked to be polled again");
            drop(again);
        });
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
