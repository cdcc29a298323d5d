//! The per-runtime driver: the I/O poller and the timer wheel, turned by
//! whichever thread holds the driver lock.
//!
//! Rules (cited as "driver rule N"):
//! 1. Only the holder of `core` polls. An idle worker that wins `try_lock`
//!    parks in `Poller::wait` (timeout: the next timer); the others park on
//!    their own condvar. A busy worker takes a zero-timeout turn every
//!    `event_interval` ticks if the lock is free.
//! 2. An unpark of the driver-parked thread is `Poller::notify`, which is
//!    sticky: a notify that comes before the wait makes it return at once.
//! 3. A timer inserted earlier than the deadline the parked thread sleeps
//!    until (`TimeDriver::parked_until`, written under the wheel lock
//!    before the wait) notifies the poller.
//! 4. A worker that finds the lock taken sets `wanted` (SeqCst) and tries
//!    once more before sleeping on its condvar; the holder, after
//!    unlocking, reads `wanted` (after a SeqCst fence) and wakes a parked
//!    worker if it was set. So when the holder leaves to run tasks (and
//!    might stay in one for long), an idle worker takes over the driver:
//!    a task stuck in compute cannot stall everyone else's I/O or timers.
//!    A worker that leaves the driver with just the task(s) it runs itself
//!    (nothing to share) does not wake anybody: it marks the driver
//!    `orphaned` instead, and the monitor's next look (at most about 1 ms
//!    later; up to 5 ms while waking workers take the looks, see
//!    `runtime/monitor.rs`) wakes a parked worker if the driver is still
//!    free. Most
//!    such workers are back in the driver first, so a request/response
//!    server does not pass the driver between two workers (two futex calls)
//!    on every request.
//! 5. Wakers collected during a turn are woken after the wheel and table
//!    locks are released, on the turning thread (a worker's wakes go to
//!    its own queue).

use crate::io::driver::EventBuf;
use crate::io::driver::IoDriver;
use crate::loom::sync::atomic::{fence, AtomicBool, Ordering};
use crate::loom::sync::{Mutex, MutexGuard};
use crate::time::driver::TimeDriver;
use std::io;
use std::task::Waker;
use std::time::Duration;

pub(crate) struct Driver {
    core: Handoff<DriverCore>,
    pub(crate) io: IoDriver,
    pub(crate) time: Option<TimeDriver>,
    /// Tokio's `did_wake`: set by `unpark` (once a clock was paused), read
    /// and cleared only by a paused-clock turn that is about to jump, which
    /// then does not jump (`turn_test_clock`).
    woken: AtomicBool,
    /// Left by a holder that did not wake the worker that wanted it
    /// (driver rule 4, deferred to the monitor).
    orphaned: AtomicBool,
}

/// Keeps a paused clock from jumping ahead while alive (one per blocking
/// closure queued or running on a current-thread runtime, as Tokio's
/// `inhibit_auto_advance`). Dropping it unparks the driver, as Tokio's
/// `BlockingSchedule::release` does.
pub(crate) struct InhibitAutoAdvance(std::sync::Arc<Driver>);

impl InhibitAutoAdvance {
    pub(crate) fn new(driver: &std::sync::Arc<Driver>) -> Option<InhibitAutoAdvance> {
        let time = driver.time.as_ref()?;
        time.inhibit(1);
        Some(InhibitAutoAdvance(driver.clone()))
    }
}

impl Drop for InhibitAutoAdvance {
    fn drop(&mut self) {
        if let Some(time) = &self.0.time {
            time.inhibit(-1);
            // A paused runtime may be idle waiting for exactly this: let
            // its parked turn look again.
            if time.clock.is_paused() {
                self.0.unpark();
            }
        }
    }
}

/// A lock taken only with `try_lock`, with driver rule 4's hand-off: a
/// thread that could not take it leaves a note, and the holder, when it
/// lets go, learns that someone wanted it. (Generic so the loom model can
/// check the protocol without a poller.)
pub(crate) struct Handoff<T> {
    lock: Mutex<T>,
    wanted: AtomicBool,
}

impl<T> Handoff<T> {
    pub(crate) fn new(value: T) -> Handoff<T> {
        Handoff {
            lock: Mutex::new(value),
            wanted: AtomicBool::new(false),
        }
    }

    pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.lock.try_lock()
    }

    /// Waiter side: `None` means the lock is held and the holder will see
    /// the note when it unlocks.
    pub(crate) fn try_lock_or_want(&self) -> Option<MutexGuard<'_, T>> {
        if let Some(g) = self.lock.try_lock() {
            return Some(g);
        }
        // SeqCst store, then the second try: either this try sees the lock
        // free, or the holder's load after its unlock sees the note (the
        // two SeqCst fences order the store-then-load on both sides).
        self.wanted.store(true, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        self.lock.try_lock()
    }

    /// Holder side: unlocks; `true` if a waiter left a note meanwhile.
    pub(crate) fn unlock(&self, guard: MutexGuard<'_, T>) -> bool {
        drop(guard);
        fence(Ordering::SeqCst);
        // Relaxed first: the common case (nobody waiting) writes nothing.
        self.wanted.load(Ordering::Relaxed) && self.wanted.swap(false, Ordering::SeqCst)
    }
}

/// What only the turning thread touches.
pub(crate) struct DriverCore {
    events: EventBuf,
    wakers: Vec<Waker>,
}

pub(crate) type DriverLock<'a> = MutexGuard<'a, DriverCore>;

impl Driver {
    /// A driver with I/O enabled or not (the poller exists either way: it
    /// is also what a timer-waiting thread sleeps in).
    pub(crate) fn new(
        enable_io: bool,
        enable_time: bool,
        start_paused: bool,
    ) -> io::Result<Driver> {
        Ok(Driver {
            core: Handoff::new(DriverCore {
                events: EventBuf::new(),
                wakers: Vec::with_capacity(64),
            }),
            io: IoDriver::new(enable_io)?,
            time: enable_time.then(|| TimeDriver::new(start_paused)),
            woken: AtomicBool::new(false),
            orphaned: AtomicBool::new(false),
        })
    }

    pub(crate) fn try_lock(&self) -> Option<DriverLock<'_>> {
        self.core.try_lock().inspect(|_| self.adopt())
    }

    /// Driver rule 4, waiter side: `None` means sleep on the condvar; the
    /// holder will wake a parked worker when it lets go.
    pub(crate) fn try_lock_or_want(&self) -> Option<DriverLock<'_>> {
        self.core.try_lock_or_want().inspect(|_| self.adopt())
    }

    /// A thread took the driver: it is nobody's to hand over any more.
    #[inline]
    fn adopt(&self) {
        if self.orphaned.load(Ordering::Relaxed) {
            self.orphaned.store(false, Ordering::Relaxed);
        }
    }

    /// Driver rule 4, deferred: a worker wanted the driver when its holder
    /// left it, and the holder did not wake anybody.
    pub(crate) fn leave_orphaned(&self) {
        self.orphaned.store(true, Ordering::Release);
    }

    /// For the monitor: `true` if the driver was left orphaned and is still
    /// free (nobody took it since), so a parked worker should be woken to
    /// take it. Clears the mark.
    pub(crate) fn take_orphaned(&self) -> bool {
        if !self.orphaned.load(Ordering::Relaxed) || !self.orphaned.swap(false, Ordering::AcqRel) {
            return false;
        }
        // Free now? (A worker that finds it held for this instant sets
        // `wanted` and sleeps; the caller's wake covers it.)
        self.core.try_lock().is_some()
    }

    /// Driver rule 4, holder side: unlocks and says whether a parked
    /// worker should be woken to take the driver over.
    pub(crate) fn unlock(&self, guard: DriverLock<'_>) -> bool {
        self.core.unlock(guard)
    }

    /// Driver rule 3: wakes the driver-parked thread so it recomputes its
    /// timeout, without counting as an unpark for the paused clock (Tokio
    /// unparks only its I/O driver there).
    pub(crate) fn wake_for_timer(&self) {
        if let Err(e) = self.io.notify() {
            panic!("failed to wake the I/O driver: {e}");
        }
    }

    /// Driver rule 2.
    pub(crate) fn unpark(&self) {
        // Tells a paused-clock turn it was woken (see `turn`); only a clock
        // that was ever paused reads it, so a normal runtime skips the store.
        if self
            .time
            .as_ref()
            .is_some_and(|t| t.clock.was_ever_paused())
        {
            self.woken.store(true, Ordering::SeqCst);
        }
        if let Err(e) = self.io.notify() {
            panic!("failed to wake the I/O driver: {e}");
        }
    }

    /// Whether a busy thread's zero-timeout turn could find anything.
    pub(crate) fn has_work(&self) -> bool {
        self.io.has_sources() || self.time.as_ref().is_some_and(|t| t.has_timers())
    }

    /// Polls I/O and fires timers, sleeping at most `timeout` (`None`:
    /// until an event, a timer or an unpark). Wakes what became ready.
    ///
    /// `woke`: the turning (current-thread) scheduler woke tasks or its
    /// `block_on` future since its last turn; only a clock that was paused
    /// looks at it (`turn_test_clock`).
    pub(crate) fn turn(&self, core: &mut DriverLock<'_>, timeout: Option<Duration>, woke: bool) {
        let core = &mut **core;
        match &self.time {
            // One atomic load (`clock.now` would make it anyway); a clock
            // that was never paused is the real one.
            Some(time) if !time.clock.was_ever_paused() => {
                let t = if timeout == Some(Duration::ZERO) {
                    timeout
                } else {
                    time.park_timeout(timeout)
                };
                self.io.poll(&mut core.events, t, &mut core.wakers);
                time.process_at(std::time::Instant::now(), &mut core.wakers);
            }
            Some(time) => self.turn_test_clock(core, time, timeout, woke),
            None => {
                self.io.poll(&mut core.events, timeout, &mut core.wakers);
            }
        }
        // Driver rule 5: the wheel and table locks are released here.
        // A waker that panics is reported to the runtime; the rest still
        // wake.
        crate::util::escaped::wake_all(core.wakers.drain(..));
    }

    /// A turn on a clock that was paused (and may run again since):
    /// Tokio's time-driver park (`park_internal`/`park_thread_timeout` in
    /// `tokio/src/runtime/time/mod.rs`, 1.54), step for step, since every
    /// step shows in where the paused clock stops.
    ///
    /// `woken` is Tokio's `did_wake`: set when a task or the `block_on`
    /// future was woken (by the scheduler's `woke`, by the wakes a turn
    /// delivers, by an unpark from another thread, by a blocking closure
    /// that finished); read and cleared only where the clock could jump.
    ///
    /// With a timer due later than now (both in whole milliseconds) the
    /// wait is the distance `d` to it, bounded by `timeout`; with no timer
    /// and a `timeout`, that timeout. If the clock is paused and no
    /// blocking closure is in flight, the turn polls I/O without sleeping
    /// and then moves the clock forward by `d` unless `woken` was set or
    /// the poll woke something (Tokio counts those wakes too); otherwise
    /// it really waits. A timer already due: a poll without sleeping. No
    /// timer and no timeout: a wait for I/O or an unpark. Then it fires
    /// what is due.
    fn turn_test_clock(
        &self,
        core: &mut DriverCore,
        time: &TimeDriver,
        timeout: Option<Duration>,
        woke: bool,
    ) {
        if woke {
            self.woken.store(true, Ordering::SeqCst);
        }
        // Wakers collected before this index were accounted for by the
        // jump decision; any after it count as a wake for the next one.
        let mut accounted = 0;
        let (next, now) = time.park_plan();
        let wait = match next {
            Some(when) if when > now => {
                let d = Duration::from_millis(when - now);
                Some(timeout.map_or(d, |limit| limit.min(d)))
            }
            Some(_) => {
                self.io
                    .poll(&mut core.events, Some(Duration::ZERO), &mut core.wakers);
                None
            }
            None => {
                if timeout.is_none() {
                    self.io.poll(&mut core.events, None, &mut core.wakers);
                }
                timeout
            }
        };
        if let Some(d) = wait {
            if time.can_auto_advance() {
                self.io
                    .poll(&mut core.events, Some(Duration::ZERO), &mut core.wakers);
                accounted = core.wakers.len();
                let did_wake = self.woken.swap(false, Ordering::SeqCst) || accounted != 0;
                if !did_wake {
                    // Cannot fail: only this runtime's thread resumes the
                    // clock, and it is here.
                    let _ = time.clock.advance(d);
                }
            } else {
                self.io.poll(&mut core.events, Some(d), &mut core.wakers);
            }
        }
        time.process(&mut core.wakers);
        if core.wakers.len() > accounted {
            self.woken.store(true, Ordering::SeqCst);
        }
    }

    /// Ends every wait: I/O fails with a "shut down" error, timers panic
    /// when polled again. Drops the wakers, breaking the cycle
    /// task -> runtime -> driver -> waker -> task.
    pub(crate) fn shutdown(&self) {
        self.io.shutdown();
        if let Some(time) = &self.time {
            time.shutdown();
        }
    }
}
