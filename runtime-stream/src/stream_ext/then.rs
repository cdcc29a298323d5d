//! [`Then`]: `futures-lite`'s `then` adapter under `tokio-stream`'s type
//! (whose parameters come in the order stream, future, function).

use futures_core::Stream;
use pin_project_lite::pin_project;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project! {
    /// The stream returned by [`StreamExt::then`](crate::StreamExt::then).
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let lengths: Vec<usize> = stream::iter(vec!["a", "bcd"])
    ///         .then(|s| async move { s.len() })
    ///         .collect()
    ///         .await;
    ///     assert_eq!(lengths, [1, 3]);
    /// });
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct Then<St, Fut, F> {
        #[pin]
        inner: futures_lite::stream::Then<St, F, Fut>,
    }
}

impl<St, Fut, F> Then<St, Fut, F>
where
    St: Stream,
    F: FnMut(St::Item) -> Fut,
    Fut: Future,
{
    pub(crate) fn new(stream: St, f: F) -> Self {
        Then {
            inner: futures_lite::StreamExt::then(stream, f),
        }
    }
}

impl<St, Fut, F> fmt::Debug for Then<St, Fut, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Then").finish_non_exhaustive()
    }
}

impl<St, Fut, F> Stream for Then<St, Fut, F>
where
    St: Stream,
    F: FnMut(St::Item) -> Fut,
    Fut: Future,
{
    type Item = Fut::Output;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Fut::Output>> {
        self.project().inner.poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}
