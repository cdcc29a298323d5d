//! [`Throttle`]: at most one item per period.

use futures_core::Stream;
use pin_project_lite::pin_project;
use runtime_core::time::{sleep, Duration, Sleep};
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pin_project! {
    /// The stream returned by [`StreamExt::throttle`](crate::StreamExt::throttle):
    /// after each item, the stream underneath is not polled until the
    /// period has passed. `!Unpin`: pin it (`std::pin::pin!`, `Box::pin`)
    /// to call `next`.
    ///
    /// ```
    /// use runtime_core::time::{Duration, Instant};
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let start = Instant::now();
    ///     let mut s = Box::pin(stream::iter(vec!['a', 'b']).throttle(Duration::from_millis(300)));
    ///     assert_eq!(s.next().await, Some('a'));
    ///     assert_eq!(start.elapsed(), Duration::ZERO); // the first comes at once
    ///     assert_eq!(s.next().await, Some('b'));
    ///     assert_eq!(start.elapsed(), Duration::from_millis(300));
    /// });
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Throttle<T> {
        #[pin]
        delay: Sleep,
        duration: Duration,
        // Whether the stream may be polled now (no item since the last
        // delay ended).
        may_poll: bool,
        #[pin]
        stream: T,
    }
}

impl<T> Throttle<T> {
    #[track_caller]
    pub(crate) fn new(stream: T, duration: Duration) -> Self {
        Throttle {
            delay: sleep(duration),
            duration,
            may_poll: true,
            stream,
        }
    }

    /// The stream underneath.
    ///
    /// ```
    /// use runtime_core::time::Duration;
    /// use runtime_stream::{self as stream, Stream, StreamExt};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().build().unwrap();
    /// rt.block_on(async {
    ///     let s = stream::iter(0..5).throttle(Duration::from_secs(1));
    ///     assert_eq!(s.get_ref().size_hint(), (5, Some(5)));
    /// });
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.stream
    }

    /// The stream underneath, mutably (taking items from it directly
    /// bypasses the throttling).
    ///
    /// ```
    /// use runtime_core::time::Duration;
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().build().unwrap();
    /// rt.block_on(async {
    ///     let mut s = stream::iter(0..5).throttle(Duration::from_secs(1));
    ///     assert_eq!(s.get_mut().next().await, Some(0));
    /// });
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.stream
    }

    /// The stream underneath, without the throttling.
    ///
    /// ```
    /// use runtime_core::time::Duration;
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().build().unwrap();
    /// rt.block_on(async {
    ///     let s = stream::iter(0..3).throttle(Duration::from_secs(1));
    ///     let all: Vec<i32> = s.into_inner().collect().await;
    ///     assert_eq!(all, [0, 1, 2]);
    /// });
    /// ```
    pub fn into_inner(self) -> T {
        self.stream
    }
}

impl<T: Stream> Stream for Throttle<T> {
    type Item = T::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T::Item>> {
        let mut me = self.project();
        let throttled = !me.duration.is_zero();
        if !*me.may_poll && throttled {
            ready!(me.delay.as_mut().poll(cx));
            *me.may_poll = true;
        }
        let item = ready!(me.stream.poll_next(cx));
        if item.is_some() {
            if throttled {
                me.delay
                    .as_mut()
                    .reset(super::timeout::deadline_after(*me.duration));
            }
            *me.may_poll = false;
        }
        Poll::Ready(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.stream.size_hint()
    }
}
