//! [`Peekable`]: a stream with a one-item look-ahead.

use super::fuse::Fuse;
use futures_core::Stream;
use pin_project_lite::pin_project;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project! {
    /// The stream returned by [`StreamExt::peekable`](crate::StreamExt::peekable).
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     // Group consecutive equal items.
    ///     let mut s = stream::iter(vec![1, 1, 2, 3, 3, 3]).peekable();
    ///     let mut runs = Vec::new();
    ///     while let Some(x) = s.next().await {
    ///         let mut n = 1;
    ///         while s.peek().await == Some(&x) {
    ///             s.next().await;
    ///             n += 1;
    ///         }
    ///         runs.push((x, n));
    ///     }
    ///     assert_eq!(runs, [(1, 2), (2, 1), (3, 3)]);
    /// });
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct Peekable<T: Stream> {
        peeked: Option<T::Item>,
        #[pin]
        stream: Fuse<T>,
    }
}

impl<T: Stream> Peekable<T> {
    pub(crate) fn new(stream: T) -> Self {
        Peekable {
            peeked: None,
            stream: Fuse::new(stream),
        }
    }

    /// The next item without taking it (the next `next` returns it), or
    /// `None` once the stream has ended.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut s = stream::iter(vec!["x"]).peekable();
    ///     assert_eq!(s.peek().await, Some(&"x"));
    ///     assert_eq!(s.next().await, Some("x"));
    ///     assert_eq!(s.peek().await, None);
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: the item is kept in the `Peekable` by the poll that
    /// takes it from the stream, so dropping the future loses nothing.
    pub async fn peek(&mut self) -> Option<&T::Item>
    where
        T: Unpin,
    {
        if self.peeked.is_none() {
            self.peeked = futures_lite::StreamExt::next(&mut self.stream).await;
        }
        self.peeked.as_ref()
    }
}

impl<T> fmt::Debug for Peekable<T>
where
    T: Stream + fmt::Debug,
    T::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Peekable")
            .field("peeked", &self.peeked)
            .field("stream", &self.stream)
            .finish()
    }
}

impl<T: Stream> Stream for Peekable<T> {
    type Item = T::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T::Item>> {
        let me = self.project();
        match me.peeked.take() {
            Some(item) => Poll::Ready(Some(item)),
            None => me.stream.poll_next(cx),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let peeked = usize::from(self.peeked.is_some());
        let (low, high) = self.stream.size_hint();
        (
            low.saturating_add(peeked),
            high.and_then(|h| h.checked_add(peeked)),
        )
    }
}
