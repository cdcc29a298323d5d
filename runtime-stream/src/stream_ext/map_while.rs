//! [`MapWhile`]: `map_while`, fused at the first `None` (`futures-lite`'s
//! keeps polling the stream underneath afterwards; `tokio-stream`'s does
//! not).

use futures_core::Stream;
use pin_project_lite::pin_project;
use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pin_project! {
    /// The stream returned by [`StreamExt::map_while`](crate::StreamExt::map_while).
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let small: Vec<u8> = stream::iter(vec![1u32, 2, 300, 4])
    ///         .map_while(|x| u8::try_from(x).ok())
    ///         .collect()
    ///         .await;
    ///     assert_eq!(small, [1, 2]);
    /// });
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct MapWhile<St, F> {
        #[pin]
        stream: St,
        f: F,
        done: bool,
    }
}

impl<St, F> MapWhile<St, F> {
    pub(crate) fn new(stream: St, f: F) -> Self {
        MapWhile {
            stream,
            f,
            done: false,
        }
    }
}

impl<St: fmt::Debug, F> fmt::Debug for MapWhile<St, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapWhile")
            .field("stream", &self.stream)
            .field("done", &self.done)
            .finish()
    }
}

impl<St, F, T> Stream for MapWhile<St, F>
where
    St: Stream,
    F: FnMut(St::Item) -> Option<T>,
{
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let me = self.project();
        if *me.done {
            return Poll::Ready(None);
        }
        let mapped = ready!(me.stream.poll_next(cx)).and_then(me.f);
        *me.done = mapped.is_none();
        Poll::Ready(mapped)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.done {
            (0, Some(0))
        } else {
            (0, self.stream.size_hint().1)
        }
    }
}
