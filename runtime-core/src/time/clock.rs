//! The runtime's clock: the real monotonic clock, or, in tests, a clock
//! that can be paused, advanced by hand, and that jumps to the next timer
//! when the runtime has nothing else to do (`time::pause`, `advance`,
//! `Builder::start_paused`).

use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant as StdInstant};

/// Set (forever) once any runtime's clock has been paused: until then,
/// `time::Instant::now()` is `std::time::Instant::now()` with no lookup.
pub(crate) static ANY_CLOCK_PAUSED: AtomicBool = AtomicBool::new(false);

pub(crate) struct Clock {
    /// Whether this clock was ever paused (its time may differ from the
    /// real clock's from then on).
    ever_paused: AtomicBool,
    inner: Mutex<Inner>,
}

struct Inner {
    /// The clock's time at `unfrozen` (or now, while paused).
    base: StdInstant,
    /// When the clock last started running; `None` while paused.
    unfrozen: Option<StdInstant>,
}

impl Clock {
    pub(crate) fn new(start_paused: bool) -> Clock {
        let now = StdInstant::now();
        let clock = Clock {
            ever_paused: AtomicBool::new(false),
            inner: Mutex::new(Inner {
                base: now,
                unfrozen: Some(now),
            }),
        };
        if start_paused {
            clock.pause().expect("a new clock runs");
        }
        clock
    }

    pub(crate) fn now(&self) -> StdInstant {
        if !self.ever_paused.load(Ordering::Acquire) {
            return StdInstant::now();
        }
        let inner = self.inner.lock();
        match inner.unfrozen {
            Some(u) => inner.base + u.elapsed(),
            None => inner.base,
        }
    }

    /// Whether this clock was ever paused (one atomic load).
    pub(crate) fn was_ever_paused(&self) -> bool {
        self.ever_paused.load(Ordering::Acquire)
    }

    /// `std::time::Instant::now()` if this clock was never paused (for
    /// the real-clock fast paths: the same single atomic load as `now`),
    /// `None` if it was.
    pub(crate) fn real_now(&self) -> Option<StdInstant> {
        (!self.ever_paused.load(Ordering::Acquire)).then(StdInstant::now)
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.ever_paused.load(Ordering::Acquire) && self.inner.lock().unfrozen.is_none()
    }

    /// Freezes the clock; `Err` if it already is.
    pub(crate) fn pause(&self) -> Result<(), &'static str> {
        let mut inner = self.inner.lock();
        let Some(unfrozen) = inner.unfrozen else {
            return Err("time is already frozen (time::pause was called twice)");
        };
        inner.base += unfrozen.elapsed();
        inner.unfrozen = None;
        self.ever_paused.store(true, Ordering::Release);
        ANY_CLOCK_PAUSED.store(true, Ordering::Release);
        Ok(())
    }

    /// Lets the clock run again from where it stands; `Err` if it runs.
    pub(crate) fn resume(&self) -> Result<(), &'static str> {
        let mut inner = self.inner.lock();
        if inner.unfrozen.is_some() {
            return Err("time is not frozen (time::resume without time::pause)");
        }
        inner.unfrozen = Some(StdInstant::now());
        Ok(())
    }

    /// Moves a paused clock forward (by hand, or by the auto-advance of an
    /// idle runtime: Tokio adds the distance to the next timer in whole
    /// milliseconds, so a clock between two milliseconds stays between
    /// them); `Err` if it runs.
    pub(crate) fn advance(&self, by: Duration) -> Result<(), &'static str> {
        let mut inner = self.inner.lock();
        if inner.unfrozen.is_some() {
            return Err("time is not frozen: time::advance needs a paused clock; call time::pause() first, or build the runtime with start_paused(true)");
        }
        inner.base += by;
        Ok(())
    }
}
