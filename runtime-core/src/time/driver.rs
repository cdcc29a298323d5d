//! The time half of the driver: the clock, the timer wheel behind a lock,
//! and the deadline the driver-parked thread sleeps until, so that a timer
//! inserted earlier than that wakes it.
//!
//! Times in the wheel are whole milliseconds since `origin`; a deadline is
//! rounded up and "now" down, so a sleep never ends early.

use super::clock::Clock;
use super::wheel::{TimerKey, Wheel};
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
    /// Blocking closures in flight: while non-zero a paused clock does not
    /// jump (`driver::InhibitAutoAdvance`).
    inhibit: std::sync::atomic::AtomicIsize,
}

/// What `register` found.
pub(crate) enum Registered {
    /// Already due (or fired): the sleep is over.
    Due,
    Waiting(TimerKey),
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

    pub(crate) fn auto_advance_inhibited(&self) -> bool {
        self.inhibit.load(Ordering::SeqCst) > 0
    }

    fn deadline_ms(&self, t: StdInstant) -> u64 {
        let nanos = t.saturating_duration_since(self.origin).as_nanos();
        u64::try_from(nanos.div_ceil(1_000_000)).unwrap_or(u64::MAX)
    }

    fn now_ms(&self) -> u64 {
        let nanos = self
            .clock
            .now()
            .saturating_duration_since(self.origin)
            .as_nanos();
        u64::try_from(nanos / 1_000_000).unwrap_or(u64::MAX)
    }

    fn instant_of(&self, ms: u64) -> StdInstant {
        self.origin + Duration::from_millis(ms)
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

    /// Inserts a timer, or refreshes the waker of `key`. The returned flag
    /// says the driver-parked thread sleeps past this deadline and must be
    /// woken to recompute its timeout.
    #[track_caller]
    pub(crate) fn register(
        &self,
        key: Option<TimerKey>,
        deadline: StdInstant,
        waker: &Waker,
    ) -> (Registered, bool) {
        self.check_shutdown();
        let ms = self.deadline_ms(deadline);
        let mut wheel = self.wheel.lock();
        if let Some(key) = key {
            return match wheel.set_waker(key, waker) {
                true => (Registered::Waiting(key), false),
                false => (Registered::Due, false),
            };
        }
        match wheel.insert(ms, waker.clone()) {
            None => (Registered::Due, false),
            Some(key) => {
                let wake = ms < self.parked_until.load(Ordering::Relaxed);
                (Registered::Waiting(key), wake)
            }
        }
    }

    /// Moves a waiting timer; `(still waiting, wake the parked thread)`.
    pub(crate) fn reset(&self, key: TimerKey, deadline: StdInstant) -> (bool, bool) {
        let ms = self.deadline_ms(deadline);
        let mut wheel = self.wheel.lock();
        if !wheel.reset(key, ms) {
            return (false, false);
        }
        (true, ms < self.parked_until.load(Ordering::Relaxed))
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

    /// Before a blocking poll: the timeout until the next timer (bounded
    /// by `max`), recorded so an earlier insert wakes the sleeper.
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

    /// The instant of the next timer, if any (for the paused clock's jump).
    pub(crate) fn next_timer(&self) -> Option<StdInstant> {
        self.wheel
            .lock()
            .next_deadline()
            .map(|ms| self.instant_of(ms))
    }

    /// After a poll: fires every due timer, collecting the wakers.
    pub(crate) fn process(&self, wakers: &mut Vec<Waker>) {
        let now = self.now_ms();
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
