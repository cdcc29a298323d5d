//! [`TakeWhile`]: `take_while`, fused at the first rejected item
//! (`futures-lite`'s keeps polling the stream underneath afterwards;
//! `tokio-stream`'s does not).

use futures_core::Stream;
use pin_project_lite::pin_project;
use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pin_project! {
    /// The stream returned by [`StreamExt::take_while`](crate::StreamExt::take_while).
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let head: Vec<i32> = stream::iter(1..=10).take_while(|x| *x <= 3).collect().await;
    ///     assert_eq!(head, [1, 2, 3]);
    /// });
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct TakeWhile<St, F> {
        #[pin]
        stream: St,
        predicate: F,
        done: bool,
    }
}

impl<St, F> TakeWhile<St, F> {
    pub(crate) fn new(stream: St, predicate: F) -> Self {
        TakeWhile {
            stream,
            predicate,
            done: false,
        }
    }
}

impl<St: fmt::Debug, F> fmt::Debug for TakeWhile<St, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TakeWhile")
            .field("stream", &self.stream)
            .field("done", &self.done)
            .finish()
    }
}

impl<St, F> Stream for TakeWhile<St, F>
where
    St: Stream,
    F: FnMut(&St::Item) -> bool,
{
    type Item = St::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<St::Item>> {
        let me = self.project();
        if *me.done {
            return Poll::Ready(None);
        }
        let kept = ready!(me.stream.poll_next(cx)).filter(|item| (me.predicate)(item));
        *me.done = kept.is_none();
        Poll::Ready(kept)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.done {
            (0, Some(0))
        } else {
            (0, self.stream.size_hint().1)
        }
    }
}

impl<St, F> futures_core::FusedStream for TakeWhile<St, F>
where
    St: Stream,
    F: FnMut(&St::Item) -> bool,
{
    fn is_terminated(&self) -> bool {
        self.done
    }
}
