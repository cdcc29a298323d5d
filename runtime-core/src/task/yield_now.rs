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
        // Waking a running task marks it NOTIFIED; when this poll returns,
        // the harness puts it at the back of the run queue (task rule 3),
        // behind every task that is already ready.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
