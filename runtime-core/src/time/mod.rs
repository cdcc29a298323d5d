//! Time: [`sleep`], [`timeout`], [`interval`] and the runtime's own
//! [`Instant`], on a hierarchical timer wheel (6 levels x 64 slots, 1 ms
//! resolution) that the parking worker drives. Timers need a runtime built
//! with `enable_time` (or `enable_all`).
//!
//! ```
//! use runtime_core::time::{sleep, timeout, Duration, Instant};
//!
//! let rt = runtime_core::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let start = Instant::now();
//!     sleep(Duration::from_millis(10)).await;
//!     assert!(start.elapsed() >= Duration::from_millis(10));
//!
//!     let slow = sleep(Duration::from_secs(60));
//!     assert!(timeout(Duration::from_millis(5), slow).await.is_err());
//! });
//! ```
//!
//! The test clock: [`pause`] freezes time on a current-thread runtime,
//! [`advance`] moves it by hand, and while it is paused an idle runtime
//! jumps straight to the next timer (`Builder::start_paused(true)`, or
//! `#[runtime::test(start_paused = true)]`).

pub(crate) mod clock;
pub(crate) mod driver;
pub mod error;
mod instant;
mod interval;
mod sleep;
mod timeout;
pub(crate) mod wheel;

pub use instant::Instant;
pub use interval::{interval, interval_at, Interval, MissedTickBehavior};
pub use sleep::{sleep, sleep_until, Sleep};
pub use std::time::Duration;
pub use timeout::{timeout, timeout_at, Timeout};

use crate::scheduler;

/// Runs `f` with the current runtime's time driver.
#[track_caller]
fn with_time<R>(what: &str, f: impl FnOnce(&driver::TimeDriver, &scheduler::Handle) -> R) -> R {
    crate::scheduler::current::with_current(|h| {
        let Some(h) = h else {
            panic!(
                "no runtime: {what} must be called from the context of a runtime \
                 (inside Runtime::block_on, a spawned task, or after Runtime::enter)"
            )
        };
        let Some(time) = h.driver().and_then(|d| d.time.as_ref()) else {
            panic!(
                "{what}: the runtime's timer driver is disabled; build the runtime with \
                 Builder::enable_time() or enable_all()"
            )
        };
        f(time, h)
    })
}

#[track_caller]
fn with_paused_clock<R>(what: &str, f: impl FnOnce(&driver::TimeDriver) -> R) -> R {
    with_time(what, |time, h| {
        if !matches!(h, scheduler::Handle::CurrentThread(_)) {
            panic!(
                "{what} needs a current_thread runtime (Builder::new_current_thread() or \
                 #[runtime::test]): the test clock cannot be paused under worker threads"
            );
        }
        f(time)
    })
}

/// Freezes the current runtime's clock: [`Instant::now`] stops, timers
/// fire only when the clock is moved by [`advance`] or, when the runtime
/// has nothing else to do, by jumping to the next timer.
///
/// # Panics
/// Outside a current-thread runtime with the timer driver, or when the
/// clock is already paused.
///
/// ```
/// use runtime_core::time::{self, Duration, Instant};
///
/// let rt = runtime_core::Builder::new_current_thread().enable_time().build().unwrap();
/// rt.block_on(async {
///     time::pause();
///     let start = Instant::now();
///     time::sleep(Duration::from_secs(3600)).await; // returns at once
///     // The clock jumped to the timer (in whole milliseconds of the wheel).
///     let elapsed = start.elapsed();
///     assert!(elapsed >= Duration::from_secs(3600));
///     assert!(elapsed < Duration::from_secs(3600) + Duration::from_millis(1));
/// });
/// ```
#[track_caller]
pub fn pause() {
    with_paused_clock("time::pause", |time| {
        if let Err(msg) = time.clock.pause() {
            panic!("{msg}");
        }
    })
}

/// Lets a paused clock run again from where it stands.
///
/// # Panics
/// When the clock is not paused, or as [`pause`].
///
/// ```
/// use runtime_core::time::{self, Duration, Instant};
///
/// let rt = runtime_core::Builder::new_current_thread().enable_time().build().unwrap();
/// rt.block_on(async {
///     time::pause();
///     let frozen = Instant::now();
///     time::advance(Duration::from_secs(5)).await;
///     time::resume();
///     // The clock runs again, from where the advance left it.
///     assert!(Instant::now() >= frozen + Duration::from_secs(5));
/// });
/// ```
#[track_caller]
pub fn resume() {
    with_paused_clock("time::resume", |time| {
        if let Err(msg) = time.clock.resume() {
            panic!("{msg}");
        }
    })
}

/// Moves a paused clock forward by `duration`, fires the timers that came
/// due, and yields so the tasks they woke run.
///
/// # Panics
/// When the clock is not paused, or as [`pause`].
///
/// ```
/// use runtime_core::time::{self, Duration};
///
/// let rt = runtime_core::Builder::new_current_thread()
///     .enable_time()
///     .start_paused(true)
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     let timer = runtime_core::spawn(time::sleep(Duration::from_secs(10)));
///     time::advance(Duration::from_secs(9)).await;
///     assert!(!timer.is_finished());
///     time::advance(Duration::from_secs(1)).await;
///     assert!(timer.is_finished());
/// });
/// ```
#[track_caller]
pub fn advance(duration: Duration) -> impl std::future::Future<Output = ()> {
    let mut wakers = Vec::new();
    with_paused_clock("time::advance", |time| {
        if let Err(msg) = time.clock.advance(duration) {
            panic!("{msg}");
        }
        time.process(&mut wakers);
    });
    for w in wakers {
        w.wake();
    }
    crate::task::yield_now()
}
