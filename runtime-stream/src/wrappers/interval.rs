//! [`IntervalStream`]: an `Interval`'s ticks as a stream.

use futures_core::Stream;
use runtime_core::time::{Instant, Interval};
use std::pin::Pin;
use std::task::{Context, Poll};

/// A [`runtime_core::time::Interval`] as a [`Stream`] of its ticks' times
/// (it never ends).
///
/// ```
/// use runtime_core::time::{interval, Duration};
/// use runtime_stream::{wrappers::IntervalStream, StreamExt};
///
/// let rt = runtime_core::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let ticks: Vec<_> = IntervalStream::new(interval(Duration::from_secs(1))).take(3).collect().await;
///     assert_eq!(ticks[2] - ticks[0], Duration::from_secs(2));
/// });
/// ```
#[derive(Debug)]
pub struct IntervalStream {
    inner: Interval,
}

impl IntervalStream {
    /// Wraps `interval`.
    ///
    /// ```
    /// use runtime_core::time::{interval, Duration};
    /// use runtime_stream::wrappers::IntervalStream;
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().build().unwrap();
    /// rt.block_on(async {
    ///     let stream = IntervalStream::new(interval(Duration::from_millis(10)));
    ///     # drop(stream);
    /// });
    /// ```
    pub fn new(interval: Interval) -> Self {
        IntervalStream { inner: interval }
    }

    /// The interval back.
    ///
    /// ```
    /// use runtime_core::time::{interval, Duration};
    /// use runtime_stream::wrappers::IntervalStream;
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().build().unwrap();
    /// rt.block_on(async {
    ///     let stream = IntervalStream::new(interval(Duration::from_millis(10)));
    ///     assert_eq!(stream.into_inner().period(), Duration::from_millis(10));
    /// });
    /// ```
    pub fn into_inner(self) -> Interval {
        self.inner
    }
}

impl Stream for IntervalStream {
    type Item = Instant;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.inner.poll_tick(cx).map(Some)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

impl AsRef<Interval> for IntervalStream {
    fn as_ref(&self) -> &Interval {
        &self.inner
    }
}

impl AsMut<Interval> for IntervalStream {
    fn as_mut(&mut self) -> &mut Interval {
        &mut self.inner
    }
}
