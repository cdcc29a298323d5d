//! Cooperative scheduling budget.
//!
//! Each task poll gets a budget of 128 units (Tokio's figure, chosen there
//! by measurement: large enough to amortise a trip through the scheduler,
//! small enough to bound one poll's latency). Every resource that can be
//! ready again and again (`JoinHandle`, and later I/O, timers and channels)
//! spends one unit per `Ready`; at zero it returns `Pending` after waking
//! the task, which puts the task at the back of the run queue. So a task
//! that is always ready cannot starve the others on its worker.

use crate::context;
use std::future::poll_fn;
use std::task::{Context, Poll};

/// Units per task poll.
pub(crate) const BUDGET: u8 = 128;

/// The budget left in the current poll; `None` means unconstrained (outside
/// any task, e.g. in `block_on` of a multi-thread runtime or a foreign
/// executor).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Budget(Option<u8>);

impl Budget {
    pub(crate) const fn unconstrained() -> Budget {
        Budget(None)
    }

    pub(crate) const fn initial() -> Budget {
        Budget(Some(BUDGET))
    }
}

/// The budget left in this thread's poll.
#[inline]
fn current() -> Budget {
    Budget(context::budget())
}

/// Sets this thread's budget, returning the previous one.
#[inline]
fn replace(budget: Budget) -> Budget {
    Budget(context::set_budget(budget.0))
}

/// Runs `f` (a task poll) with a fresh budget, restoring the old one after.
///
/// Always inlined, as `with_budget` is: the worker's whole poll loop is
/// the closure, and when the compiler chose to call these instead (it did
/// after an unrelated module split), the loop's state was passed through
/// memory and `yield_many` lost 13% (`docs/architecture.md`).
#[inline(always)]
pub(crate) fn budget<R>(f: impl FnOnce() -> R) -> R {
    with_budget(Budget::initial(), f)
}

/// Runs `f` without a budget (e.g. inside `block_in_place`).
#[inline]
pub(crate) fn with_unconstrained<R>(f: impl FnOnce() -> R) -> R {
    with_budget(Budget::unconstrained(), f)
}

#[inline(always)]
fn with_budget<R>(budget: Budget, f: impl FnOnce() -> R) -> R {
    struct Reset(Budget);
    impl Drop for Reset {
        fn drop(&mut self) {
            replace(self.0);
        }
    }
    let _reset = Reset(replace(budget));
    f()
}

/// Proof that a unit was taken; dropping it without `made_progress` gives
/// the unit back (the resource returned `Pending`, so no work was done).
pub(crate) struct RestoreOnPending(Budget);

impl RestoreOnPending {
    pub(crate) fn made_progress(mut self) {
        self.0 = Budget::unconstrained();
    }
}

impl Drop for RestoreOnPending {
    fn drop(&mut self) {
        if self.0 .0.is_some() {
            replace(self.0);
        }
    }
}

/// Takes one unit, or returns `Pending` (waking the task) when none is left.
#[inline]
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<RestoreOnPending> {
    let before = current();
    match before.0 {
        None => Poll::Ready(RestoreOnPending(Budget::unconstrained())),
        Some(0) => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        Some(n) => {
            replace(Budget(Some(n - 1)));
            Poll::Ready(RestoreOnPending(before))
        }
    }
}

/// `true` while the current poll still has budget (or has none at all).
pub(crate) fn has_budget_remaining() -> bool {
    current().0 != Some(0)
}

/// Spends one unit of the task's budget, yielding to the scheduler when the
/// budget is exhausted. Use it in loops that do work without awaiting any
/// resource that would do so for them.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     for _ in 0..1000 {
///         runtime_core::task::consume_budget().await;
///     }
/// });
/// ```
pub async fn consume_budget() {
    let mut done = false;
    poll_fn(|cx| {
        if done {
            return Poll::Ready(());
        }
        let restore = std::task::ready!(poll_proceed(cx));
        restore.made_progress();
        done = true;
        Poll::Ready(())
    })
    .await
}

/// Inside `block_on` or on a worker (not on a blocking-pool thread, nor
/// inside `block_in_place`, which leave the runtime): runtime-sync's
/// `blocking_*` methods panic there (`runtime/sync_hook.rs`).
pub(crate) fn sync_in_runtime() -> bool {
    matches!(
        context::runtime_entered(),
        context::EnterRuntime::Entered { .. }
    )
}

/// Spends one unit of the budget for runtime-sync: `Ready(true)` when
/// there was budget, `Ready(false)` when this thread has no budget
/// (unconstrained, or outside any task), `Pending` (with a wake-up
/// asked for) when it is spent.
pub(crate) fn sync_poll_proceed(cx: &mut Context<'_>) -> Poll<bool> {
    match current().0 {
        None => Poll::Ready(false),
        Some(0) => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        Some(n) => {
            replace(Budget(Some(n - 1)));
            Poll::Ready(true)
        }
    }
}

/// Gives back the unit `sync_poll_proceed` took (the operation did not
/// complete after all).
pub(crate) fn sync_refund() {
    if let Some(n) = current().0 {
        replace(Budget(Some(n.saturating_add(1))));
    }
}
