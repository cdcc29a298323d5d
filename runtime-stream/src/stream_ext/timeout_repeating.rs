//! [`TimeoutRepeating`]: an error at every tick of an `Interval` that
//! passes without an item.

use super::fuse::Fuse;
use super::timeout::Elapsed;
use futures_core::{FusedStream, Stream};
use pin_project_lite::pin_project;
use runtime_core::time::Interval;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pin_project! {
    /// The stream returned by
    /// [`StreamExt::timeout_repeating`](crate::StreamExt::timeout_repeating).
    ///
    /// ```
    /// use runtime_core::time::{self, Duration, Instant};
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let period = Duration::from_millis(100);
    ///     let ticks = time::interval_at(Instant::now() + period, period);
    ///     let s = stream::pending::<u8>().timeout_repeating(ticks).take(3);
    ///     let errors: Vec<_> = s.collect().await;
    ///     assert_eq!(errors.len(), 3);
    ///     assert!(errors.iter().all(Result::is_err));
    /// });
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct TimeoutRepeating<S> {
        #[pin]
        stream: Fuse<S>,
        interval: Interval,
    }
}

impl<S: Stream> TimeoutRepeating<S> {
    pub(crate) fn new(stream: S, interval: Interval) -> Self {
        TimeoutRepeating {
            stream: Fuse::new(stream),
            interval,
        }
    }
}

impl<S: Stream> Stream for TimeoutRepeating<S> {
    type Item = Result<S::Item, Elapsed>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let me = self.project();
        if let Poll::Ready(item) = me.stream.poll_next(cx) {
            if item.is_some() {
                me.interval.reset();
            }
            return Poll::Ready(item.map(Ok));
        }
        ready!(me.interval.poll_tick(cx));
        Poll::Ready(Some(Err(Elapsed::new())))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        // Errors may come without end.
        (self.stream.size_hint().0, None)
    }
}

impl<S: Stream> FusedStream for TimeoutRepeating<S> {
    fn is_terminated(&self) -> bool {
        self.stream.is_terminated()
    }
}
