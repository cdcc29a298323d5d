//! `Instant`: a point on the runtime's clock, which follows the paused
//! test clock (`time::pause`) where `std::time::Instant` would not.

use super::clock::ANY_CLOCK_PAUSED;
use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// A measurement of the runtime's monotonic clock. Outside a paused test
/// clock it is exactly `std::time::Instant`.
///
/// ```
/// use runtime_core::time::{self, Duration, Instant};
///
/// let rt = runtime_core::Builder::new_current_thread()
///     .enable_time()
///     .start_paused(true)
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     let (ours, std) = (Instant::now(), std::time::Instant::now());
///     time::advance(Duration::from_secs(30)).await;
///     // The runtime's clock moved by 30 s; the system's barely did.
///     assert_eq!(ours.elapsed(), Duration::from_secs(30));
///     assert!(std.elapsed() < Duration::from_secs(30));
/// });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    std: std::time::Instant,
}

impl Instant {
    /// The current time: the current runtime's clock if it was ever
    /// paused, otherwise the system's monotonic clock.
    ///
    /// ```
    /// use runtime_core::time::Instant;
    ///
    /// let a = Instant::now();
    /// let b = Instant::now();
    /// assert!(b >= a);
    /// ```
    pub fn now() -> Instant {
        if !ANY_CLOCK_PAUSED.load(Ordering::Acquire) {
            return Instant::from_std(std::time::Instant::now());
        }
        let paused = crate::scheduler::current::with_current(|h| {
            h.and_then(|h| h.driver())
                .and_then(|d| d.time.as_ref())
                .map(|t| t.clock.now())
        });
        Instant::from_std(paused.unwrap_or_else(std::time::Instant::now))
    }

    /// Wraps a `std::time::Instant`.
    ///
    /// ```
    /// use runtime_core::time::Instant;
    ///
    /// let std_now = std::time::Instant::now();
    /// let ours = Instant::from_std(std_now);
    /// assert_eq!(ours.into_std(), std_now);
    /// assert_eq!(Instant::from(std_now), ours);
    /// ```
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant { std }
    }

    /// The `std::time::Instant` this is.
    pub fn into_std(self) -> std::time::Instant {
        self.std
    }

    /// Time from `earlier` to `self` (zero if `earlier` is later).
    ///
    /// ```
    /// use runtime_core::time::{Duration, Instant};
    ///
    /// let start = Instant::now();
    /// let later = start + Duration::from_secs(5);
    /// assert_eq!(later.duration_since(start), Duration::from_secs(5));
    /// assert_eq!(start.duration_since(later), Duration::ZERO); // saturates
    /// ```
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// Time from `earlier` to `self`, `None` if `earlier` is later.
    ///
    /// ```
    /// use runtime_core::time::{Duration, Instant};
    ///
    /// let start = Instant::now();
    /// let later = start + Duration::from_secs(5);
    /// assert_eq!(later.checked_duration_since(start), Some(Duration::from_secs(5)));
    /// assert_eq!(start.checked_duration_since(later), None);
    /// ```
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.std.checked_duration_since(earlier.std)
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// Time since `self`, on the runtime's clock.
    ///
    /// ```
    /// use runtime_core::time::{sleep, Duration, Instant};
    ///
    /// let rt = runtime_core::Builder::new_current_thread()
    ///     .enable_time()
    ///     .start_paused(true)
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     let start = Instant::now();
    ///     sleep(Duration::from_secs(2)).await;
    ///     assert!(start.elapsed() >= Duration::from_secs(2));
    /// });
    /// ```
    pub fn elapsed(&self) -> Duration {
        Instant::now().saturating_duration_since(*self)
    }

    /// `self + duration`, `None` on overflow.
    ///
    /// ```
    /// use runtime_core::time::{Duration, Instant};
    ///
    /// let now = Instant::now();
    /// assert_eq!(now.checked_add(Duration::from_secs(1)), Some(now + Duration::from_secs(1)));
    /// assert_eq!(now.checked_add(Duration::MAX), None);
    /// ```
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_add(duration).map(Instant::from_std)
    }

    /// `self - duration`, `None` on overflow.
    ///
    /// ```
    /// use runtime_core::time::{Duration, Instant};
    ///
    /// let now = Instant::now();
    /// assert_eq!(now.checked_sub(Duration::ZERO), Some(now));
    /// assert_eq!(now.checked_sub(Duration::MAX), None);
    /// ```
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_sub(duration).map(Instant::from_std)
    }

    /// About 30 years from now: a deadline that never comes, used when a
    /// duration overflows the clock.
    pub(crate) fn far_future() -> Instant {
        Instant::now() + Duration::from_secs(86400 * 365 * 30)
    }
}

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant::from_std(std)
    }
}

impl From<Instant> for std::time::Instant {
    fn from(i: Instant) -> std::time::Instant {
        i.std
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, rhs: Duration) -> Instant {
        Instant::from_std(self.std + rhs)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        self.std += rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, rhs: Duration) -> Instant {
        Instant::from_std(self.std - rhs)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, rhs: Duration) {
        self.std -= rhs;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, rhs: Instant) -> Duration {
        self.duration_since(rhs)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.std.fmt(f)
    }
}
