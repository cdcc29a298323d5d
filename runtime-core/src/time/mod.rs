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
//! `#[runtime::test(start_paused = true)]`). It follows Tokio's rules
//! exactly; see [`pause`] for them.

pub(crate) mod clock;
pub(crate) mod driver;
pub mod error;
mod instant;
mod interval;
mod sleep;
mod timeout;
pub(crate) mod wheel;
#[cfg(all(test, not(loom)))]
mod wheel_props;

pub use instant::Instant;
pub use interval::{interval, interval_at, Interval, MissedTickBehavior};
pub use sleep::{sleep, sleep_until, Sleep};
pub use std::time::Duration;
pub use timeout::{timeout, timeout_at, Timeout};

use crate::scheduler;

/// A duration cut to about 30 years (Tokio's `safe_delay`): `sleep`,
/// `Interval` periods and `reset_after` never reach past that.
fn safe_delay(duration: Duration) -> Duration {
    duration.min(Duration::from_secs(86400 * 365 * 30))
}

/// Runs `f` with the current runtime's time driver.
#[track_caller]
fn with_time<R>(
    what: &str,
    f: impl FnOnce(&driver::TimeDriver, &scheduler::SchedulerHandle) -> R,
) -> R {
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
        if !matches!(h, scheduler::SchedulerHandle::CurrentThread(_)) {
            panic!(
                "{what} needs a current_thread runtime (Builder::new_current_thread() or \
                 #[runtime::test]): the test clock cannot be paused under worker threads"
            );
        }
        f(time)
    })
}

/// Freezes the current runtime's clock: [`Instant::now`] stops, and
/// moves only by [`advance`] or by the auto-advance below.
///
/// # Auto-advance (Tokio's rule)
///
/// When the runtime has nothing to run and is about to wait, and a timer
/// is due later than now, the driver polls I/O without sleeping and then
/// moves the clock forward by the distance to that timer, in whole
/// milliseconds, and fires it. It does not jump while a `spawn_blocking`
/// closure (or an `fs` operation) is queued or running: it waits for real
/// instead, and the closure's end wakes it. Nor does it jump at the first
/// such wait after another thread woke the runtime. I/O found by that poll
/// does not hold the jump back: the tasks it woke run after it, with the
/// tasks of the timers it fired (a test that must see I/O before a timer
/// fires should not leave a timer pending on an idle runtime). The timer
/// the clock jumps to is the wheel's next slot, which for a timer more
/// than 64 ms away can be a stop short of its deadline, as in Tokio.
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
///     // The clock jumped by whole milliseconds of the wheel: the deadline
///     // rounded up, less "now" rounded down (pausing mid-run leaves the
///     // clock between two milliseconds, so that is one more).
///     let elapsed = start.elapsed();
///     assert!(elapsed >= Duration::from_secs(3600));
///     assert!(elapsed <= Duration::from_secs(3600) + Duration::from_millis(1));
///     assert_eq!(elapsed.subsec_nanos() % 1_000_000, 0);
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

/// Moves a paused clock forward by `duration` in one jump, then yields.
///
/// As Tokio's: the clock moves when the returned future is first polled;
/// the timers that came due fire at the runtime's next driver turn, which
/// the yield lets happen before this task runs again. So when `advance`
/// returns they have fired (their tasks are woken), but in `block_on`'s
/// own future the tasks they woke have not run yet; a spawned task that
/// calls `advance` runs again after them. To let every timer up to some
/// time fire in order, with their tasks run, prefer `sleep`, which the
/// auto-advance serves.
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
///     runtime_core::task::yield_now().await; // the task registers its timer
///     time::advance(Duration::from_secs(9)).await;
///     runtime_core::task::yield_now().await;
///     assert!(!timer.is_finished());
///     time::advance(Duration::from_secs(1)).await;
///     runtime_core::task::yield_now().await; // the woken task runs
///     assert!(timer.is_finished());
/// });
/// ```
pub async fn advance(duration: Duration) {
    with_paused_clock("time::advance", |time| {
        if let Err(msg) = time.clock.advance(duration) {
            panic!("{msg}");
        }
    });
    crate::task::yield_now().await
}
