//! [`Merge`]: two streams interleaved, taking turns at which one is polled
//! first so neither starves the other.

use super::fuse::Fuse;
use futures_core::Stream;
use pin_project_lite::pin_project;
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project! {
    /// The stream returned by [`StreamExt::merge`](crate::StreamExt::merge).
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     // Both always ready: they take turns.
    ///     let merged: Vec<&str> = stream::iter(vec!["a1", "a2"])
    ///         .merge(stream::iter(vec!["b1", "b2"]))
    ///         .collect()
    ///         .await;
    ///     assert_eq!(merged, ["a1", "b1", "a2", "b2"]);
    /// });
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Merge<T, U> {
        #[pin]
        a: Fuse<T>,
        #[pin]
        b: Fuse<U>,
        // Which stream the next poll asks first.
        a_first: bool,
    }
}

impl<T: Stream, U: Stream> Merge<T, U> {
    pub(crate) fn new(a: T, b: U) -> Self {
        Merge {
            a: Fuse::new(a),
            b: Fuse::new(b),
            a_first: true,
        }
    }
}

impl<T, U> Stream for Merge<T, U>
where
    T: Stream,
    U: Stream<Item = T::Item>,
{
    type Item = T::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T::Item>> {
        let me = self.project();
        let a_first = *me.a_first;
        *me.a_first = !a_first;
        if a_first {
            poll_both(me.a, me.b, cx)
        } else {
            poll_both(me.b, me.a, cx)
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        super::merge_size_hints(self.a.size_hint(), self.b.size_hint())
    }
}

/// Polls `first`, then `second` if `first` has nothing: the first item
/// wins; `None` only when both have ended (both are fused).
fn poll_both<A, B>(
    first: Pin<&mut A>,
    second: Pin<&mut B>,
    cx: &mut Context<'_>,
) -> Poll<Option<A::Item>>
where
    A: Stream,
    B: Stream<Item = A::Item>,
{
    let first_pending = match first.poll_next(cx) {
        Poll::Ready(Some(item)) => return Poll::Ready(Some(item)),
        Poll::Ready(None) => false,
        Poll::Pending => true,
    };
    match second.poll_next(cx) {
        Poll::Ready(Some(item)) => Poll::Ready(Some(item)),
        Poll::Ready(None) if !first_pending => Poll::Ready(None),
        _ => Poll::Pending,
    }
}
