//! `Sleep`: a future that completes at a deadline. It is put in the wheel
//! on its first poll (so a sleep created and dropped unpolled costs no
//! lock), and dropping it removes it in O(1).

use super::driver::Registered;
use super::wheel::TimerKey;
use super::Instant;
use crate::coop;
use crate::driver::Driver;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

/// Waits until `duration` has elapsed.
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
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let deadline = Instant::now()
        .checked_add(duration)
        .unwrap_or_else(Instant::far_future);
    Sleep::new(deadline)
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
    /// In the wheel while `Some`.
    key: Option<TimerKey>,
    elapsed: bool,
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
        let driver = crate::scheduler::current::current_time(what);
        Sleep {
            deadline,
            driver,
            key: None,
            elapsed: false,
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

    /// Whether the deadline has been reached (as seen by the last poll).
    pub fn is_elapsed(&self) -> bool {
        self.elapsed
    }

    /// Moves the deadline, reusing this sleep's place in the wheel (an
    /// elapsed sleep waits again).
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
        this.elapsed = false;
        if let Some(key) = this.key {
            let (waiting, wake) = this.time().reset(key, deadline.into_std());
            if !waiting {
                // Already due: the next poll completes.
                this.key = None;
            }
            if wake {
                this.driver.unpark();
            }
        }
    }

    fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.elapsed {
            return Poll::Ready(());
        }
        let restore = ready!(coop::poll_proceed(cx));
        let Sleep {
            deadline,
            driver,
            key,
            elapsed,
        } = self;
        let time = driver
            .time
            .as_ref()
            .expect("a Sleep is made only with a time driver");
        let deadline = deadline.into_std();
        if key.is_none() && deadline <= time.clock.now() {
            *elapsed = true;
            restore.made_progress();
            return Poll::Ready(());
        }
        loop {
            let (registered, wake) = time.register(*key, deadline, cx.waker());
            if wake {
                driver.unpark();
            }
            match registered {
                Registered::Due if key.is_some() && deadline > time.clock.now() => {
                    // Fired at the wheel's horizon (about 2.2 years) before
                    // a later deadline: wait again for the rest.
                    *key = None;
                }
                Registered::Due => {
                    *key = None;
                    *elapsed = true;
                    restore.made_progress();
                    return Poll::Ready(());
                }
                Registered::Waiting(k) => {
                    *key = Some(k);
                    return Poll::Pending;
                }
            }
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
        if let Some(key) = self.key.take() {
            self.time().remove(key);
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("elapsed", &self.elapsed)
            .finish()
    }
}
