//! [`iter`]: a stream over an `Iterator`'s items, always ready, that lets
//! other tasks run every 32 items (as `tokio-stream`'s), so a long iterator
//! cannot hold a worker (or a `select!` loop) forever.

use futures_core::Stream;
use std::pin::Pin;
use std::task::{Context, Poll};

/// How many items [`Iter`] yields in a row before it returns `Pending` once
/// (after waking its task).
const YIELD_EVERY: usize = 32;

/// The stream returned by [`iter`].
///
/// ```
/// use runtime_stream::{iter, Iter, StreamExt};
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let mut letters: Iter<std::str::Chars<'_>> = iter("ab".chars());
///     assert_eq!(letters.next().await, Some('a'));
///     assert_eq!(letters.next().await, Some('b'));
///     assert_eq!(letters.next().await, None);
/// });
/// ```
#[derive(Debug, Clone)]
#[must_use = "streams do nothing unless polled"]
pub struct Iter<I> {
    iter: I,
    in_a_row: usize,
}

impl<I> Unpin for Iter<I> {}

/// Turns an iterator (anything `IntoIterator`) into a stream that is always
/// ready with its next item.
///
/// ```
/// use runtime_stream::{self as stream, StreamExt};
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let mut s = stream::iter(vec![17, 19]);
///     assert_eq!(s.next().await, Some(17));
///     assert_eq!(s.next().await, Some(19));
///     assert_eq!(s.next().await, None);
/// });
/// ```
pub fn iter<I: IntoIterator>(i: I) -> Iter<I::IntoIter> {
    Iter {
        iter: i.into_iter(),
        in_a_row: 0,
    }
}

impl<I: Iterator> Stream for Iter<I> {
    type Item = I::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<I::Item>> {
        if self.in_a_row >= YIELD_EVERY {
            self.in_a_row = 0;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.in_a_row += 1;
        Poll::Ready(self.iter.next())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.iter.size_hint()
    }
}
