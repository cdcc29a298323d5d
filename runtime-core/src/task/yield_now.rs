//! `yield_now`: let the other ready tasks run before this one continues.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Returns `Pending` once, scheduling the task behind every task that is
/// already ready on this worker.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     runtime_core::task::yield_now().await;
/// });
/// ```
pub async fn yield_now() {
    YieldNow { yielded: false }.await
}

struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // Rule 3 of `raw_task/mod.rs`: a running task that is woken is put at
        // the back of the run queue when its poll returns, behind every task
        // that is already ready. When the waker is the polled task's own,
        // the harness folds the wake into its `transition_to_idle` (one CAS
        // fewer); inside a combinator with its own waker, wake that one.
        if crate::raw_task::waker::is_current_task_waker(cx.waker()) {
            crate::context::request_yield();
        } else {
            // Another waker (the `block_on` future's, a combinator's): on
            // a current-thread runtime it is woken after the next driver
            // turn, as Tokio's `defer`, so what came due meanwhile runs
            // first (and a paused clock sees the wake after that turn).
            crate::scheduler::current::with_scheduler(|sched| match sched {
                Some(crate::scheduler::SchedulerContext::CurrentThread(sched)) => {
                    sched.defer(cx.waker())
                }
                _ => cx.waker().wake_by_ref(),
            });
        }
        Poll::Pending
    }
}
