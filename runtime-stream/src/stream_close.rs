//! [`StreamNotifyClose`]: a stream's items in `Some`, then one `None` when
//! it ends, so a [`StreamMap`](crate::StreamMap) (which drops ended streams
//! silently) can report which stream ended.

use futures_core::Stream;
use pin_project_lite::pin_project;
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project! {
    /// Yields `Some(item)` for each item of the wrapped stream, then a
    /// single `None` when that stream ends, and then ends itself.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt, StreamMap, StreamNotifyClose};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut map = StreamMap::new();
    ///     map.insert("a", StreamNotifyClose::new(stream::iter(vec![1])));
    ///     let mut events = Vec::new();
    ///     while let Some((key, item)) = map.next().await {
    ///         events.push((key, item));
    ///     }
    ///     assert_eq!(events, [("a", Some(1)), ("a", None)]);
    /// });
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct StreamNotifyClose<S> {
        #[pin]
        inner: Option<S>,
    }
}

impl<S> StreamNotifyClose<S> {
    /// Wraps `stream`.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt, StreamNotifyClose};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut s = StreamNotifyClose::new(stream::once(7));
    ///     assert_eq!(s.next().await, Some(Some(7)));
    ///     assert_eq!(s.next().await, Some(None)); // the end, reported
    ///     assert_eq!(s.next().await, None);
    /// });
    /// ```
    pub fn new(stream: S) -> Self {
        StreamNotifyClose {
            inner: Some(stream),
        }
    }

    /// The wrapped stream, or `None` once it has ended.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt, StreamNotifyClose};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let s = StreamNotifyClose::new(stream::iter(vec![1, 2]));
    ///     assert!(s.into_inner().is_some());
    ///     let mut s = StreamNotifyClose::new(stream::empty::<u8>());
    ///     assert_eq!(s.next().await, Some(None));
    ///     assert!(s.into_inner().is_none());
    /// });
    /// ```
    pub fn into_inner(self) -> Option<S> {
        self.inner
    }
}

impl<S: Stream> Stream for StreamNotifyClose<S> {
    type Item = Option<S::Item>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(inner) = self.as_mut().project().inner.as_pin_mut() else {
            return Poll::Ready(None);
        };
        match inner.poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(item)) => Poll::Ready(Some(Some(item))),
            Poll::Ready(None) => {
                // The inner stream must not be polled again: drop it.
                self.project().inner.set(None);
                Poll::Ready(Some(None))
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            Some(inner) => {
                let (lower, upper) = inner.size_hint();
                (
                    lower.saturating_add(1),
                    upper.and_then(|u| u.checked_add(1)),
                )
            }
            None => (0, Some(0)),
        }
    }
}
