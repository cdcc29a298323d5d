//! [`Fuse`]: a stream that stays ended after its first `None`. Unlike
//! `futures-lite`'s, it forwards `size_hint` and implements
//! `FusedStream`, as `tokio-stream`'s does; `merge`, `timeout`,
//! `peekable` and `chunks_timeout` use it too.

use futures_core::{FusedStream, Stream};
use pin_project_lite::pin_project;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pin_project! {
    /// The stream returned by [`StreamExt::fuse`](crate::StreamExt::fuse).
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    /// use futures_core::FusedStream;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut s = stream::once(1).fuse();
    ///     assert!(!s.is_terminated());
    ///     assert_eq!(s.next().await, Some(1));
    ///     assert_eq!(s.next().await, None);
    ///     assert!(s.is_terminated());
    /// });
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Fuse<T> {
        // `None` once it has ended.
        #[pin]
        stream: Option<T>,
    }
}

impl<T> Fuse<T> {
    pub(crate) fn new(stream: T) -> Self {
        Fuse {
            stream: Some(stream),
        }
    }
}

impl<T: Stream> Stream for Fuse<T> {
    type Item = T::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T::Item>> {
        let Some(stream) = self.as_mut().project().stream.as_pin_mut() else {
            return Poll::Ready(None);
        };
        let item = ready!(stream.poll_next(cx));
        if item.is_none() {
            self.project().stream.set(None);
        }
        Poll::Ready(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.stream {
            Some(stream) => stream.size_hint(),
            None => (0, Some(0)),
        }
    }
}

impl<T: Stream> FusedStream for Fuse<T> {
    fn is_terminated(&self) -> bool {
        self.stream.is_none()
    }
}
