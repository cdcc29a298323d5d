//! `Interval`: ticks at a fixed period, with a choice of what to do about
//! ticks missed while the task was busy.

use super::{Instant, Sleep};
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

/// Ticks every `period`, the first tick at once.
///
/// # Panics
/// When `period` is zero, or as [`sleep`](super::sleep).
///
/// ```
/// use runtime_core::time::{interval, Duration};
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let mut ticks = interval(Duration::from_millis(2));
/// let first = ticks.tick().await; // at once
/// let second = ticks.tick().await;
/// assert!(second - first >= Duration::from_millis(2));
/// # });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    assert!(
        period > Duration::ZERO,
        "interval: `period` must be non-zero"
    );
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
/// As [`interval`].
///
/// ```
/// use runtime_core::time::{interval_at, Duration, Instant};
///
/// # let rt = runtime_core::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
/// # rt.block_on(async {
/// let start = Instant::now() + Duration::from_secs(5);
/// let mut ticks = interval_at(start, Duration::from_secs(1));
/// assert_eq!(ticks.tick().await, start); // waits 5 s for the first tick
/// assert_eq!(ticks.tick().await, start + Duration::from_secs(1));
/// # });
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(
        period > Duration::ZERO,
        "interval_at: `period` must be non-zero"
    );
    Interval {
        delay: Sleep::new(start),
        period: super::safe_delay(period),
        missed_tick_behavior: MissedTickBehavior::Burst,
    }
}

/// What an [`Interval`] does when ticks were missed (the task polled it
/// late by more than a few milliseconds).
///
/// What each does after a task was 35 ms late for a 10 ms interval (the
/// tick due at 10 ms fires late, at 35 ms; then):
///
/// ```
/// use runtime_core::time::{self, interval, Duration, Instant, MissedTickBehavior};
///
/// async fn ticks_after_a_stall(behavior: MissedTickBehavior) -> Vec<u64> {
///     let start = Instant::now();
///     let mut ticks = interval(Duration::from_millis(10));
///     ticks.set_missed_tick_behavior(behavior);
///     ticks.tick().await; // at 0 ms
///     time::advance(Duration::from_millis(35)).await; // busy elsewhere
///     let mut at = Vec::new();
///     for _ in 0..3 {
///         at.push((ticks.tick().await - start).as_millis() as u64);
///     }
///     at
/// }
///
/// let rt = runtime_core::Builder::new_current_thread()
///     .enable_time()
///     .start_paused(true)
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     // Catch up at once, then keep the original schedule.
///     assert_eq!(ticks_after_a_stall(MissedTickBehavior::Burst).await, [10, 20, 30]);
///     // Restart the schedule from the late tick.
///     assert_eq!(ticks_after_a_stall(MissedTickBehavior::Delay).await, [10, 45, 55]);
///     // Drop the missed ticks, keep the original phase.
///     assert_eq!(ticks_after_a_stall(MissedTickBehavior::Skip).await, [10, 40, 50]);
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks at once, one per `tick()`, until caught up.
    #[default]
    Burst,
    /// Start the schedule again from now: the next tick is a full period
    /// after the late one.
    Delay,
    /// Drop the missed ticks: the next tick is the next multiple of the
    /// period on the original schedule.
    Skip,
}

/// Tolerance before a late tick counts as "missed" (as Tokio).
const MISSED_AFTER: Duration = Duration::from_millis(5);

impl MissedTickBehavior {
    fn next_timeout(self, timeout: Instant, now: Instant, period: Duration) -> Instant {
        match self {
            MissedTickBehavior::Burst => timeout + period,
            MissedTickBehavior::Delay => now + period,
            MissedTickBehavior::Skip => {
                let behind = (now - timeout).as_nanos();
                let period_ns = period.as_nanos();
                let into_period = u64::try_from(behind % period_ns).unwrap_or(0);
                now + period - Duration::from_nanos(into_period)
            }
        }
    }
}

/// The stream of ticks of [`interval`] and [`interval_at`].
///
/// ```
/// use runtime_core::time::{interval, Duration, Instant};
///
/// let rt = runtime_core::Builder::new_current_thread()
///     .enable_time()
///     .start_paused(true)
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     let start = Instant::now();
///     let mut heartbeat = interval(Duration::from_secs(15));
///     let mut sent = Vec::new();
///     for _ in 0..3 {
///         let at = heartbeat.tick().await;
///         sent.push((at - start).as_secs());
///     }
///     assert_eq!(sent, [0, 15, 30]);
///     assert_eq!(heartbeat.period(), Duration::from_secs(15));
/// });
/// ```
#[derive(Debug)]
pub struct Interval {
    delay: Sleep,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns its scheduled time.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a tick is used up only by the poll that returns it, so
    /// a call dropped before it completes (a losing `select!` branch)
    /// consumes no tick, and the next call returns it.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick.
    ///
    /// ```
    /// use runtime_core::time::{interval, Duration};
    /// use std::future::poll_fn;
    ///
    /// # let rt = runtime_core::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// let mut ticks = interval(Duration::from_millis(10));
    /// let first = poll_fn(|cx| ticks.poll_tick(cx)).await;
    /// let second = poll_fn(|cx| ticks.poll_tick(cx)).await;
    /// assert_eq!(second - first, Duration::from_millis(10));
    /// # });
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        ready!(std::future::Future::poll(Pin::new(&mut self.delay), cx));
        let timeout = self.delay.deadline();
        let now = Instant::now();
        let next = if now > timeout + MISSED_AFTER {
            self.missed_tick_behavior
                .next_timeout(timeout, now, self.period)
        } else {
            timeout
                .checked_add(self.period)
                .unwrap_or_else(Instant::far_future)
        };
        // Out of the wheel until the next poll, as Tokio's: a paused clock
        // does not jump to a tick nobody waits for.
        self.delay.reset_without_timer(next);
        Poll::Ready(timeout)
    }

    /// Restarts the schedule: the next tick is one period from now.
    ///
    /// ```
    /// use runtime_core::time::{self, interval, Duration, Instant};
    ///
    /// # let rt = runtime_core::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// let mut ticks = interval(Duration::from_secs(10));
    /// ticks.tick().await;
    /// time::advance(Duration::from_secs(4)).await;
    /// ticks.reset(); // next tick 10 s from now, not 6 s
    /// let reset_at = Instant::now();
    /// assert_eq!(ticks.tick().await, reset_at + Duration::from_secs(10));
    /// # });
    /// ```
    pub fn reset(&mut self) {
        Pin::new(&mut self.delay).reset(Instant::now() + self.period);
    }

    /// The next tick fires at once, then the schedule continues from now.
    ///
    /// ```
    /// use runtime_core::time::{interval, Duration, Instant};
    ///
    /// # let rt = runtime_core::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// let mut ticks = interval(Duration::from_secs(10));
    /// ticks.tick().await;
    /// ticks.reset_immediately();
    /// let now = Instant::now();
    /// assert_eq!(ticks.tick().await, now); // at once
    /// assert_eq!(ticks.tick().await, now + Duration::from_secs(10));
    /// # });
    /// ```
    pub fn reset_immediately(&mut self) {
        Pin::new(&mut self.delay).reset(Instant::now());
    }

    /// The next tick fires `after` from now.
    ///
    /// ```
    /// use runtime_core::time::{interval, Duration, Instant};
    ///
    /// # let rt = runtime_core::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// let mut ticks = interval(Duration::from_secs(10));
    /// ticks.tick().await;
    /// ticks.reset_after(Duration::from_secs(1));
    /// let now = Instant::now();
    /// assert_eq!(ticks.tick().await, now + Duration::from_secs(1));
    /// assert_eq!(ticks.tick().await, now + Duration::from_secs(11));
    /// # });
    /// ```
    pub fn reset_after(&mut self, after: Duration) {
        Pin::new(&mut self.delay).reset(Instant::now() + super::safe_delay(after));
    }

    /// The next tick fires at `deadline`.
    ///
    /// ```
    /// use runtime_core::time::{interval, Duration, Instant};
    ///
    /// # let rt = runtime_core::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// let mut ticks = interval(Duration::from_secs(10));
    /// ticks.tick().await;
    /// let at = Instant::now() + Duration::from_secs(3);
    /// ticks.reset_at(at);
    /// assert_eq!(ticks.tick().await, at);
    /// # });
    /// ```
    pub fn reset_at(&mut self, deadline: Instant) {
        Pin::new(&mut self.delay).reset(deadline);
    }

    /// The current missed-tick behaviour.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Chooses what happens to missed ticks (default `Burst`).
    ///
    /// ```
    /// use runtime_core::time::{interval, Duration, MissedTickBehavior};
    ///
    /// # let rt = runtime_core::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// let mut ticks = interval(Duration::from_secs(1));
    /// assert_eq!(ticks.missed_tick_behavior(), MissedTickBehavior::Burst);
    /// ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    /// assert_eq!(ticks.missed_tick_behavior(), MissedTickBehavior::Skip);
    /// # });
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }

    /// The period between ticks.
    pub fn period(&self) -> Duration {
        self.period
    }
}
