//! The time half of the driver: the clock, the timer wheel behind a lock,
//! and the deadline the driver-parked thread sleeps until, so that a timer
//! inserted earlier than that wakes it.
//!
//! Times in the wheel are whole milliseconds since `origin`; a deadline is
//! rounded up and "now" down, so a sleep never ends early.

use super::clock::Clock;
use super::wheel::{Reset as WheelReset, TimerKey, Wheel};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::Waker;
use std::time::{Duration, Instant as StdInstant};

/// `parked_until` when no thread sleeps on the driver: inserting a timer
/// then needs no wake-up (the next parker computes its timeout afresh).
const NOT_PARKED: u64 = 0;
/// `parked_until` of a thread that sleeps on the driver with no timer.
const PARKED_FOREVER: u64 = u64::MAX;

pub(crate) struct TimeDriver {
    pub(crate) clock: Clock,
    origin: StdInstant,
    wheel: Mutex<Wheel>,
    /// Written under the wheel lock: see `NOT_PARKED`/`PARKED_FOREVER`,
    /// otherwise the wheel deadline the driver-parked thread wakes at.
    parked_until: AtomicU64,
    is_shutdown: AtomicBool,
    /// Blocking closures in flight on a current-thread runtime: while
    /// non-zero a paused clock does not jump (`driver::InhibitAutoAdvance`).
    inhibit: std::sync::atomic::AtomicIsize,
}

/// What `insert` found.
pub(crate) enum Registered {
    /// Already due: the sleep is over.
    Due,
    Waiting(TimerKey),
}

/// What `reset` did to a waiting timer.
pub(crate) enum Reset {
    /// Still waiting; `true`: the driver-parked thread sleeps past the new
    /// deadline and must be woken.
    Waiting(bool),
    /// The new deadline was already due: the timer fired (its waker, if
    /// any, is to be woken).
    Fired(Option<Waker>),
    /// The timer had already fired.
    Gone,
}

impl TimeDriver {
    pub(crate) fn new(start_paused: bool) -> TimeDriver {
        let clock = Clock::new(start_paused);
        let origin = clock.now();
        TimeDriver {
            clock,
            origin,
            wheel: Mutex::new(Wheel::new()),
            parked_until: AtomicU64::new(NOT_PARKED),
            is_shutdown: AtomicBool::new(false),
            inhibit: std::sync::atomic::AtomicIsize::new(0),
        }
    }

    pub(crate) fn inhibit(&self, delta: isize) {
        self.inhibit.fetch_add(delta, Ordering::SeqCst);
    }

    /// Tokio's `Clock::can_auto_advance`: the clock is paused and no
    /// blocking closure is in flight.
    pub(crate) fn can_auto_advance(&self) -> bool {
        self.inhibit.load(Ordering::SeqCst) <= 0 && self.clock.is_paused()
    }

    /// Rounds up: a timer never fires before its deadline.
    fn deadline_ms(&self, t: StdInstant) -> u64 {
        let nanos = t.saturating_duration_since(self.origin).as_nanos();
        u64::try_from(nanos.div_ceil(1_000_000)).unwrap_or(u64::MAX)
    }

    /// Rounds down.
    fn ms_of(&self, now: StdInstant) -> u64 {
        let nanos = now.saturating_duration_since(self.origin).as_nanos();
        u64::try_from(nanos / 1_000_000).unwrap_or(u64::MAX)
    }

    fn instant_of(&self, ms: u64) -> StdInstant {
        self.origin + Duration::from_millis(ms)
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.is_shutdown.load(Ordering::Acquire)
    }

    #[track_caller]
    fn check_shutdown(&self) {
        if self.is_shutdown.load(Ordering::Acquire) {
            panic!(
                "a timer was used after its runtime shut down; timers work only while the \
                 runtime that created them is alive"
            );
        }
    }

    /// Puts a timer in the wheel (with the waker of its first poll, or
    /// none for a `Sleep::reset` before it). The flag says the
    /// driver-parked thread sleeps past this deadline and must be woken to
    /// recompute its timeout.
    #[track_caller]
    pub(crate) fn insert(&self, deadline: StdInstant, waker: Option<&Waker>) -> (Registered, bool) {
        self.check_shutdown();
        let ms = self.deadline_ms(deadline);
        let mut wheel = self.wheel.lock();
        match wheel.insert(ms, waker.cloned()) {
            None => (Registered::Due, false),
            Some(key) => {
                let wake = ms < self.parked_until.load(Ordering::Relaxed);
                (Registered::Waiting(key), wake)
            }
        }
    }

    /// Refreshes the waker of a waiting timer; `false` if it has fired.
    #[track_caller]
    pub(crate) fn set_waker(&self, key: TimerKey, waker: &Waker) -> bool {
        self.check_shutdown();
        self.wheel.lock().set_waker(key, waker)
    }

    /// Whether `key`'s timer still waits (a fired one no longer does).
    pub(crate) fn is_waiting(&self, key: TimerKey) -> bool {
        self.wheel.lock().is_pending(key)
    }

    /// Moves a waiting timer (see `wheel::Wheel::reset`).
    pub(crate) fn reset(&self, key: TimerKey, deadline: StdInstant) -> Reset {
        let ms = self.deadline_ms(deadline);
        let mut wheel = self.wheel.lock();
        match wheel.reset(key, ms) {
            WheelReset::Waiting => Reset::Waiting(ms < self.parked_until.load(Ordering::Relaxed)),
            WheelReset::Fired(waker) => Reset::Fired(waker),
            WheelReset::Gone => Reset::Gone,
        }
    }

    /// Cancels a timer in O(1).
    pub(crate) fn remove(&self, key: TimerKey) {
        self.wheel.lock().remove(key);
    }

    /// Whether any timer waits (a busy worker skips its driver turn when
    /// there is neither a timer nor an I/O source).
    pub(crate) fn has_timers(&self) -> bool {
        self.wheel.lock().len() != 0
    }

    /// Before a blocking poll on the real clock: the timeout until the
    /// next timer (bounded by `max`), recorded so an earlier insert wakes
    /// the sleeper.
    pub(crate) fn park_timeout(&self, max: Option<Duration>) -> Option<Duration> {
        let wheel = self.wheel.lock();
        let Some(next) = wheel.next_deadline() else {
            self.parked_until.store(PARKED_FOREVER, Ordering::Relaxed);
            return max;
        };
        self.parked_until.store(next, Ordering::Relaxed);
        drop(wheel);
        let until = self
            .instant_of(next)
            .saturating_duration_since(self.clock.now());
        Some(max.map_or(until, |m| m.min(until)))
    }

    /// Before a turn on a clock that was paused: the wheel's next deadline
    /// and "now", both in whole milliseconds (Tokio's `park_internal`),
    /// with the deadline recorded as `park_timeout` does.
    pub(crate) fn park_plan(&self) -> (Option<u64>, u64) {
        let wheel = self.wheel.lock();
        let next = wheel.next_deadline();
        self.parked_until
            .store(next.unwrap_or(PARKED_FOREVER), Ordering::Relaxed);
        drop(wheel);
        (next, self.ms_of(self.clock.now()))
    }

    /// After a poll: fires every due timer, collecting the wakers.
    pub(crate) fn process(&self, wakers: &mut Vec<Waker>) {
        self.process_at(self.clock.now(), wakers);
    }

    /// `process` with "now" already read (the real-clock turn reads
    /// `std::time::Instant::now()` itself).
    pub(crate) fn process_at(&self, now: StdInstant, wakers: &mut Vec<Waker>) {
        let now = self.ms_of(now);
        let mut wheel = self.wheel.lock();
        self.parked_until.store(NOT_PARKED, Ordering::Relaxed);
        wheel.advance(now, |w| wakers.push(w));
    }

    /// Wakes every waiting timer; polling one afterwards panics.
    pub(crate) fn shutdown(&self) {
        self.is_shutdown.store(true, Ordering::Release);
        let mut wakers = Vec::new();
        self.wheel.lock().drain(|w| wakers.push(w));
        for w in wakers {
            w.wake();
        }
    }
}
