//! [`Timeout`] and its error [`Elapsed`]: a deadline for each item of a
//! stream, on the runtime's timer.

use super::fuse::Fuse;
use futures_core::Stream;
use pin_project_lite::pin_project;
use runtime_core::time::{sleep_until, Duration, Instant, Sleep};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pin_project! {
    /// The stream returned by [`StreamExt::timeout`](crate::StreamExt::timeout).
    ///
    /// ```
    /// use runtime_core::time::Duration;
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     // A stream that never yields: one error per missed deadline.
    ///     let mut s = std::pin::pin!(stream::pending::<()>().timeout(Duration::from_millis(10)));
    ///     assert!(s.next().await.unwrap().is_err());
    /// });
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Timeout<S> {
        #[pin]
        stream: Fuse<S>,
        #[pin]
        deadline: Sleep,
        duration: Duration,
        // Whether the deadline can still fire before the next item (one
        // error at most between two items).
        armed: bool,
    }
}

impl<S: Stream> Timeout<S> {
    #[track_caller]
    pub(crate) fn new(stream: S, duration: Duration) -> Self {
        Timeout {
            stream: Fuse::new(stream),
            deadline: sleep_until(deadline_after(duration)),
            duration,
            armed: true,
        }
    }
}

/// `now + duration`, or a far future when that overflows.
pub(crate) fn deadline_after(duration: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(duration)
        .unwrap_or_else(|| now + Duration::from_secs(86400 * 365 * 30))
}

impl<S: Stream> Stream for Timeout<S> {
    type Item = Result<S::Item, Elapsed>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut me = self.project();
        if let Poll::Ready(item) = me.stream.poll_next(cx) {
            if item.is_some() {
                me.deadline.as_mut().reset(deadline_after(*me.duration));
                *me.armed = true;
            }
            return Poll::Ready(item.map(Ok));
        }
        if *me.armed {
            ready!(me.deadline.poll(cx));
            *me.armed = false;
            return Poll::Ready(Some(Err(Elapsed(()))));
        }
        Poll::Pending
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        // An error may come before each item and after the last one.
        let (lower, upper) = self.stream.size_hint();
        (lower, upper.and_then(|u| u.checked_mul(2)?.checked_add(1)))
    }
}

/// The error a [`Timeout`] or [`TimeoutRepeating`](crate::adapters::TimeoutRepeating)
/// stream yields when an item is late (`tokio_stream::Elapsed`). `?`
/// turns it into an `io::Error` of kind `TimedOut`.
///
/// ```
/// use runtime_core::time::Duration;
/// use runtime_stream::{self as stream, Elapsed, StreamExt};
///
/// let rt = runtime_core::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let mut s = std::pin::pin!(stream::pending::<()>().timeout(Duration::from_secs(1)));
///     let err: Elapsed = s.try_next().await.unwrap_err();
///     assert_eq!(err.to_string(), "deadline has elapsed");
///     let io: std::io::Error = err.into();
///     assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl Elapsed {
    pub(crate) fn new() -> Elapsed {
        Elapsed(())
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(_: Elapsed) -> std::io::Error {
        std::io::ErrorKind::TimedOut.into()
    }
}
