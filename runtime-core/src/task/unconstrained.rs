//! `unconstrained`: runs a future outside the cooperative budget (Tokio's
//! `task::unconstrained`). Resources it awaits never make it yield to the
//! scheduler for fairness; it yields only when it really waits.

use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project! {
    /// The future of [`unconstrained`].
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct Unconstrained<F> {
        #[pin]
        inner: F,
    }
}

/// Wraps `inner` so that its polls spend no budget: a loop over channel
/// receives or socket reads inside it never yields only because its
/// budget ran out. Use it for latency-critical loops that must not be
/// interleaved with other tasks; everything else on the worker waits
/// meanwhile, so keep it short.
///
/// ```
/// use runtime_core::task;
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (tx, mut rx) = runtime_sync::mpsc::unbounded_channel();
///     for i in 0..1000 {
///         tx.send(i).unwrap();
///     }
///     drop(tx);
///     // 1000 receives in one poll: no forced yield every 128.
///     let sum = task::unconstrained(async move {
///         let mut sum = 0;
///         while let Some(v) = rx.recv().await {
///             sum += v;
///         }
///         sum
///     })
///     .await;
///     assert_eq!(sum, 499_500);
/// });
/// ```
pub fn unconstrained<F: Future>(inner: F) -> Unconstrained<F> {
    Unconstrained { inner }
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let inner = self.project().inner;
        crate::coop::with_unconstrained(|| inner.poll(cx))
    }
}
