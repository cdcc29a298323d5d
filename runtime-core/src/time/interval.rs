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
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(
        period > Duration::ZERO,
        "interval_at: `period` must be non-zero"
    );
    Interval {
        delay: Sleep::new(start),
        period,
        missed_tick_behavior: MissedTickBehavior::Burst,
    }
}

/// What an [`Interval`] does when ticks were missed (the task polled it
/// late by more than a few milliseconds).
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
#[derive(Debug)]
pub struct Interval {
    delay: Sleep,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns its scheduled time.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick.
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
        Pin::new(&mut self.delay).reset(next);
        Poll::Ready(timeout)
    }

    /// Restarts the schedule: the next tick is one period from now.
    pub fn reset(&mut self) {
        Pin::new(&mut self.delay).reset(Instant::now() + self.period);
    }

    /// The next tick fires at once, then the schedule continues from now.
    pub fn reset_immediately(&mut self) {
        Pin::new(&mut self.delay).reset(Instant::now());
    }

    /// The next tick fires `after` from now.
    pub fn reset_after(&mut self, after: Duration) {
        Pin::new(&mut self.delay).reset(Instant::now() + after);
    }

    /// The next tick fires at `deadline`.
    pub fn reset_at(&mut self, deadline: Instant) {
        Pin::new(&mut self.delay).reset(deadline);
    }

    /// The current missed-tick behaviour.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Chooses what happens to missed ticks (default `Burst`).
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }

    /// The period between ticks.
    pub fn period(&self) -> Duration {
        self.period
    }
}
