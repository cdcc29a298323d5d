//! `Sleep`: a future that completes at a deadline. It is put in the wheel
//! on its first poll or `reset` (so a sleep created and dropped unpolled
//! costs no lock), and dropping it removes it in O(1).

use super::driver::{Registered, Reset};
use super::wheel::TimerKey;
use super::Instant;
use crate::coop;
use crate::driver::Driver;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};
use std::time::Duration;

/// Waits until `duration` has elapsed (at most about 30 years, as
/// Tokio's: a longer duration is cut to that).
///
/// # Panics
/// Outside a runtime, or on a runtime built without `enable_time`.
///
/// ```
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// runtime_core::time::sleep(std::time::Duration::from_millis(1)).await;
/// # });
/// ```
///
/// # Cancel safety
///
/// Cancel safe: dropping a [`Sleep`] only removes its timer. Note that a
/// `sleep(..)` written in a `select!` branch inside a loop starts again
/// at each iteration; to keep one deadline, pin one `Sleep` outside the
/// loop and select on it ([`Sleep::reset`] moves it).
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    Sleep::new(Instant::now() + super::safe_delay(duration))
}

/// Waits until `deadline`.
///
/// # Panics
/// As [`sleep`].
///
/// ```
/// use runtime_core::time::{sleep_until, Duration, Instant};
///
/// # let rt = runtime_core::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
/// # rt.block_on(async {
/// let deadline = Instant::now() + Duration::from_secs(10);
/// sleep_until(deadline).await;
/// assert!(Instant::now() >= deadline);
/// # });
/// ```
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(deadline)
}

/// The future of [`sleep`] and [`sleep_until`].
///
/// A `Sleep` can be awaited by reference once pinned, and asked
/// afterwards whether it has elapsed:
///
/// ```
/// use runtime_core::time::{sleep, Duration, Sleep};
/// use std::pin::{pin, Pin};
///
/// # let rt = runtime_core::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
/// # rt.block_on(async {
/// let mut nap: Pin<&mut Sleep> = pin!(sleep(Duration::from_secs(1)));
/// assert!(!nap.is_elapsed());
/// nap.as_mut().await;
/// assert!(nap.is_elapsed());
/// # });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    deadline: Instant,
    driver: Arc<Driver>,
    timer: Timer,
}

/// Where a `Sleep` stands with the wheel (Tokio's `Option<TimerEntry>`
/// and its state).
#[derive(Clone, Copy, Debug)]
enum Timer {
    /// Not in the wheel yet: put there by the first poll or a `reset`.
    Unregistered,
    /// In the wheel (the wheel may have fired it since).
    Waiting(TimerKey),
    /// Fired: the sleep is over until the next `reset`.
    Fired,
}

impl Sleep {
    #[track_caller]
    pub(crate) fn new(deadline: Instant) -> Sleep {
        Sleep::new_for(deadline, "time::sleep")
    }

    /// A sleep made on behalf of `what`, named in the panic when there is
    /// no runtime or no timer here (runtime-sync's timer hook uses it).
    #[track_caller]
    pub(crate) fn new_for(deadline: Instant, what: &str) -> Sleep {
        let driver = crate::current_driver::current_time(what);
        Sleep {
            deadline,
            driver,
            timer: Timer::Unregistered,
        }
    }

    fn time(&self) -> &super::driver::TimeDriver {
        self.driver
            .time
            .as_ref()
            .expect("a Sleep is made only with a time driver")
    }

    /// When this sleep ends.
    ///
    /// ```
    /// use runtime_core::time::{sleep, Duration, Instant};
    ///
    /// # let rt = runtime_core::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// let start = Instant::now();
    /// let nap = sleep(Duration::from_secs(3));
    /// assert_eq!(nap.deadline(), start + Duration::from_secs(3));
    /// # });
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the timer has fired: after the runtime fired it, even if
    /// this sleep was not polled since (as Tokio's). `false` before the
    /// first poll or `reset`.
    pub fn is_elapsed(&self) -> bool {
        match self.timer {
            Timer::Unregistered => false,
            Timer::Fired => true,
            Timer::Waiting(key) => !self.time().is_waiting(key),
        }
    }

    /// Moves the deadline, reusing this sleep's place in the wheel (an
    /// elapsed sleep waits again). The timer is in the wheel from here on,
    /// polled or not (a paused clock may jump to it); a deadline already
    /// due fires it and wakes the task that last polled it.
    ///
    /// ```
    /// use runtime_core::time::{self, sleep, Duration, Instant};
    /// use std::pin::pin;
    ///
    /// # let rt = runtime_core::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// // An idle timeout that restarts on every message.
    /// let mut idle = pin!(sleep(Duration::from_secs(30)));
    /// for _message in 0..3 {
    ///     time::advance(Duration::from_secs(20)).await; // a message arrives
    ///     idle.as_mut().reset(Instant::now() + Duration::from_secs(30));
    /// }
    /// let last = Instant::now();
    /// idle.as_mut().await;
    /// assert!(Instant::now() >= last + Duration::from_secs(30));
    /// # });
    /// ```
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let this = self.get_mut();
        this.deadline = deadline;
        if let Timer::Waiting(key) = this.timer {
            match this.time().reset(key, deadline.into_std()) {
                Reset::Waiting(wake) => {
                    if wake {
                        this.driver.wake_for_timer();
                    }
                    return;
                }
                Reset::Fired(waker) => {
                    this.timer = Timer::Fired;
                    if let Some(w) = waker {
                        w.wake();
                    }
                    return;
                }
                // Fired by the wheel meanwhile: register afresh.
                Reset::Gone => {}
            }
        }
        if this.time().is_shutdown() {
            // No wheel any more: the next poll reports it (panics).
            this.timer = Timer::Unregistered;
            return;
        }
        this.register(None);
    }

    /// Moves the deadline and takes the timer out of the wheel until the
    /// next poll (Tokio's `reset_without_timer`, used by `Interval`).
    pub(crate) fn reset_without_timer(&mut self, deadline: Instant) {
        self.deadline = deadline;
        if let Timer::Waiting(key) = self.timer {
            self.time().remove(key);
        }
        self.timer = Timer::Unregistered;
    }

    /// Puts the timer in the wheel (Tokio's `TimerEntry::init`): `Fired`
    /// at once if its millisecond is not after the wheel's.
    #[track_caller]
    fn register(&mut self, waker: Option<&Waker>) {
        let (registered, wake) = self.time().insert(self.deadline.into_std(), waker);
        if wake {
            self.driver.wake_for_timer();
        }
        self.timer = match registered {
            Registered::Due => Timer::Fired,
            Registered::Waiting(key) => Timer::Waiting(key),
        };
    }

    fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let restore = ready!(coop::poll_proceed(cx));
        match self.timer {
            Timer::Unregistered => {
                // On the real clock a passed deadline needs no lock; on a
                // clock that was paused the wheel decides, as Tokio's does
                // (a deadline in a millisecond the wheel has not reached is
                // not over yet).
                let passed = self
                    .time()
                    .clock
                    .real_now()
                    .is_some_and(|now| self.deadline.into_std() <= now);
                if passed {
                    self.timer = Timer::Fired;
                } else {
                    self.register(Some(cx.waker()));
                }
            }
            Timer::Waiting(key) => {
                if !self.time().set_waker(key, cx.waker()) {
                    self.timer = Timer::Fired;
                }
            }
            Timer::Fired => {}
        }
        match self.timer {
            Timer::Fired => {
                restore.made_progress();
                Poll::Ready(())
            }
            _ => Poll::Pending,
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut().poll_elapsed(cx)
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Timer::Waiting(key) = self.timer {
            self.time().remove(key);
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("timer", &self.timer)
            .finish()
    }
}
