//! `Timeout`: a future raced against a deadline.

use super::error::Elapsed;
use super::{Instant, Sleep};
use crate::coop;
use pin_project_lite::pin_project;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Runs `future` for at most `duration`: `Err(Elapsed)` if it has not
/// completed by then (the future is dropped with the `Timeout`).
///
/// # Panics
/// Outside a runtime, or on a runtime built without `enable_time`.
///
/// ```
/// use runtime_core::time::{sleep, timeout, Duration};
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// assert_eq!(timeout(Duration::from_secs(1), async { 7 }).await, Ok(7));
/// assert!(timeout(Duration::from_millis(1), sleep(Duration::from_secs(10))).await.is_err());
/// # });
/// ```
///
/// # Cancel safety
///
/// A `Timeout` is as cancel safe as `future`: dropping it, or its elapsing,
/// drops `future` where it stands. So a timeout around a future that is
/// not cancel safe (`read_exact`, say) can lose data when it returns
/// `Err(Elapsed)`; put a cancel-safe one (`read`, `next_line`, `recv`...)
/// under it instead.
#[track_caller]
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    // A duration past the end of the clock never elapses: no timer at all
    // (as Tokio's), so a paused clock has nothing to jump to. A closure
    // would lose `#[track_caller]`, hence the `match`.
    #[allow(clippy::manual_map)]
    let delay = match Instant::now().checked_add(duration) {
        Some(deadline) => Some(Sleep::new(deadline)),
        None => None,
    };
    Timeout::new(future.into_future(), delay)
}

/// Runs `future` until `deadline` at most; see [`timeout`].
///
/// ```
/// use runtime_core::time::{sleep, timeout_at, Duration, Instant};
///
/// # let rt = runtime_core::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
/// # rt.block_on(async {
/// // One deadline shared by several steps.
/// let deadline = Instant::now() + Duration::from_secs(10);
/// assert!(timeout_at(deadline, sleep(Duration::from_secs(4))).await.is_ok());
/// assert!(timeout_at(deadline, sleep(Duration::from_secs(4))).await.is_ok());
/// assert!(timeout_at(deadline, sleep(Duration::from_secs(4))).await.is_err());
/// # });
/// ```
#[track_caller]
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout::new(future.into_future(), Some(Sleep::new(deadline)))
}

pin_project! {
    /// The future of [`timeout`] and [`timeout_at`].
    ///
    /// ```
    /// use runtime_core::time::{timeout, Duration, Timeout};
    ///
    /// # let rt = runtime_core::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// let fut: Timeout<_> = timeout(Duration::from_secs(1), async { "fast" });
    /// assert_eq!(fut.await, Ok("fast"));
    /// # });
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct Timeout<T> {
        #[pin]
        value: T,
        delay: Option<Sleep>,
    }
}

impl<T> Timeout<T> {
    fn new(value: T, delay: Option<Sleep>) -> Timeout<T> {
        Timeout { value, delay }
    }

    /// The inner future.
    pub fn get_ref(&self) -> &T {
        &self.value
    }

    /// The inner future, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.value
    }

    /// The inner future, without the deadline.
    ///
    /// ```
    /// use runtime_core::time::{timeout, Duration};
    ///
    /// # let rt = runtime_core::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// let limited = timeout(Duration::from_millis(1), async { 5 });
    /// // Changed our mind: run it without the deadline.
    /// assert_eq!(limited.into_inner().await, 5);
    /// # });
    /// ```
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T: Future> Future for Timeout<T> {
    type Output = Result<T::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let had_budget = coop::has_budget_remaining();
        if let Poll::Ready(v) = this.value.poll(cx) {
            return Poll::Ready(Ok(v));
        }
        let Some(delay) = this.delay.as_mut() else {
            return Poll::Pending;
        };
        let delay = Pin::new(delay);
        let poll_delay = || match delay.poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed(()))),
            Poll::Pending => Poll::Pending,
        };
        if had_budget && !coop::has_budget_remaining() {
            // The inner future spent the last of the budget: the deadline
            // must still be able to fire, or a busy future never times out.
            coop::with_unconstrained(poll_delay)
        } else {
            poll_delay()
        }
    }
}
