//! The part of the runtime's monitor thread (`runtime/monitor.rs`) that
//! the schedulers hold in their handles: how it sleeps, how a worker wakes
//! it, its looks (which a worker waking from park takes too: the watch,
//! see `Shared::watch`), and the hand-off counters the metrics read.

use parking_lot::{Condvar, Mutex};
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

/// The monitor's looks at every polling thread's stamp, kept here (not in
/// the monitor thread) so that a worker waking from park can take them
/// as well. Implemented by `runtime/monitor.rs`.
pub(crate) trait Look: Send {
    /// One look now; `by_worker` if a worker takes it (`Shared::watch`).
    fn look(&mut self, now: Instant, by_worker: bool) -> Seen;
    /// When the last look (by any thread) was taken.
    fn last_look(&self) -> Instant;
    /// How many looks workers have taken so far.
    fn worker_looks(&self) -> u64;
}

/// What one look found.
#[derive(Clone, Copy)]
pub(crate) struct Seen {
    /// Some thread was in a poll.
    pub(crate) polling: bool,
    /// Some thread was in a poll that the look before saw too.
    pub(crate) long_poll: bool,
}

/// The monitor's state that the schedulers and metrics see (in each
/// scheduler's handle).
#[derive(Default)]
pub(crate) struct Shared {
    /// How the monitor sleeps: `AWAKE`, `IDLE_SLEEP` (until a worker
    /// wakes) or `BUSY_SLEEP` (a long period, cut short when a worker
    /// parks). SeqCst: Dekker with the idle state's unparked count, see
    /// `worker_woke` and `worker_parks`.
    pub(crate) sleep: AtomicU8,
    pub(crate) control: Mutex<Control>,
    pub(crate) wake: Condvar,
    /// Signalled (under `control`) as the monitor starts sleeping until a
    /// worker wakes it; only tests wait on it.
    pub(crate) asleep: Condvar,
    /// Cores handed to a new thread so far.
    pub(crate) handoffs: AtomicU64,
    /// Threads whose core was handed off and whose poll has not returned.
    pub(crate) stuck_threads: AtomicUsize,
    /// The looks' state, from the monitor's start to its stop (which
    /// takes it out: it holds the scheduler's handle).
    pub(crate) looker: Mutex<Option<Box<dyn Look>>>,
    /// Linux, with the hand-off on: what the monitor sleeps on in
    /// `IDLE_SLEEP`, so that a worker waking after a long gap arms it
    /// instead of waking the monitor (`monitor_alarm.rs`).
    #[cfg(target_os = "linux")]
    pub(crate) alarm: std::sync::OnceLock<super::monitor_alarm::Alarm>,
    /// Linux: when every worker was last seen parked while the monitor
    /// slept in `IDLE_SLEEP` (`CLOCK_MONOTONIC` nanoseconds), to tell a
    /// long gap (arm the alarm) from a short one (wake the monitor).
    #[cfg(target_os = "linux")]
    pub(crate) idle_since_ns: AtomicU64,
}

/// The monitor's period while a look may be needed soon (see
/// `runtime/monitor.rs`).
pub(crate) const TICK: Duration = Duration::from_micros(500);

/// An idle stretch at least this long makes the monitor sleep at once
/// when the runtime goes idle next, and a worker waking after a gap this
/// long arm its alarm rather than wake it (see `runtime/monitor.rs`).
pub(crate) const LONG_IDLE: Duration = Duration::from_millis(4);

/// `CLOCK_MONOTONIC` now, in nanoseconds (Linux; the alarm's clock).
#[cfg(target_os = "linux")]
pub(crate) fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and a valid out pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

pub(crate) const AWAKE: u8 = 0;
pub(crate) const IDLE_SLEEP: u8 = 1;
pub(crate) const BUSY_SLEEP: u8 = 2;

#[derive(Default)]
pub(crate) struct Control {
    pub(crate) stop: bool,
    /// A worker cut the current sleep short.
    pub(crate) nudged: bool,
}

impl Shared {
    /// Called by a worker after it wakes from park: wakes the monitor if
    /// it sleeps because every worker was parked. The worker was counted
    /// unparked (SeqCst) before this load; the monitor stores `sleep`
    /// before it reads that count, so one of the two sees the other.
    ///
    /// On Linux the monitor sleeps on its alarm then: after a long gap
    /// (every worker parked for `LONG_IDLE` or more: a lightly loaded
    /// server's next request) the worker arms it for one period instead,
    /// and the worker that parks last disarms it
    /// ([`everyone_parked`](Self::everyone_parked)), so the monitor wakes
    /// only for a worker still running a period later. After a short gap
    /// (load coming back) the worker wakes it at once, as elsewhere.
    #[inline]
    pub(crate) fn worker_woke(&self) {
        if self.sleep.load(SeqCst) == IDLE_SLEEP {
            #[cfg(target_os = "linux")]
            if let Some(alarm) = self.alarm.get() {
                let gap = monotonic_ns().saturating_sub(self.idle_since_ns.load(SeqCst));
                if gap >= LONG_IDLE.as_nanos() as u64 {
                    alarm.arm(TICK);
                } else {
                    alarm.fire();
                }
                return;
            }
            self.nudge();
        }
    }

    /// Makes the current idle stretch look `by` older (tests: a long gap
    /// without waiting for one).
    pub(crate) fn backdate_idleness(&self, by: Duration) {
        #[cfg(target_os = "linux")]
        {
            let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
            let _ = self
                .idle_since_ns
                .fetch_update(SeqCst, SeqCst, |t| Some(t.saturating_sub(by)));
        }
        #[cfg(not(target_os = "linux"))]
        let _ = by;
    }

    /// Called by a worker that parks while every worker is parked: while
    /// the monitor sleeps on its alarm, notes the time and disarms the
    /// alarm (arming it again if `any_running` says a worker woke
    /// meanwhile). One load otherwise.
    #[inline]
    pub(crate) fn everyone_parked(&self, any_running: impl Fn() -> bool) {
        #[cfg(target_os = "linux")]
        if self.sleep.load(SeqCst) == IDLE_SLEEP {
            if let Some(alarm) = self.alarm.get() {
                self.idle_since_ns.store(monotonic_ns(), SeqCst);
                alarm.disarm(TICK, any_running);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = any_running;
    }

    /// Called by a worker that was counted parked, before it sleeps: a
    /// monitor sleeping the long period of a fully busy runtime looks
    /// again at once, and then every 500 us (a core is free now).
    #[inline]
    pub(crate) fn worker_parks(&self) {
        if self.sleep.load(SeqCst) == BUSY_SLEEP {
            self.nudge();
        }
    }

    /// Waits until the monitor sleeps until a worker wakes it, at most
    /// `limit`; `false` if it did not. Under `control`, `sleep` reads
    /// `IDLE_SLEEP` only while the monitor is blocked in that sleep.
    pub(crate) fn wait_until_idle_sleep(&self, limit: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + limit;
        let mut control = self.control.lock();
        while self.sleep.load(SeqCst) != IDLE_SLEEP {
            if self.asleep.wait_until(&mut control, deadline).timed_out() {
                return self.sleep.load(SeqCst) == IDLE_SLEEP;
            }
        }
        true
    }

    /// The watch: called by a worker each time it wakes from park, with
    /// the hand-off monitor on. Takes the monitor's look if none was taken
    /// for `tick` (unless another thread is taking one right now), at the
    /// cost of a clock read and a `try_lock` when none is due. While
    /// workers wake this often, the monitor thread need not (see
    /// `runtime/monitor.rs`). A look can log a slow-poll report or start a
    /// hand-off thread, here on the worker's thread, as the monitor thread
    /// would.
    pub(crate) fn watch(&self, tick: Duration) {
        let Some(mut looker) = self.looker.try_lock() else {
            return;
        };
        if let Some(looker) = looker.as_mut() {
            let now = Instant::now();
            if now.saturating_duration_since(looker.last_look()) >= tick {
                looker.look(now, true);
            }
        }
    }

    fn nudge(&self) {
        let mut control = self.control.lock();
        control.nudged = true;
        self.wake.notify_one();
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::{Look, Seen, Shared};
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// Counts the looks it is asked for.
    struct Counting {
        last: Instant,
        looks: Arc<AtomicUsize>,
        by_worker: u64,
    }

    impl Look for Counting {
        fn look(&mut self, now: Instant, by_worker: bool) -> Seen {
            self.last = now;
            self.by_worker += u64::from(by_worker);
            self.looks.fetch_add(1, SeqCst);
            Seen {
                polling: false,
                long_poll: false,
            }
        }
        fn last_look(&self) -> Instant {
            self.last
        }
        fn worker_looks(&self) -> u64 {
            self.by_worker
        }
    }

    fn shared_with(last: Instant) -> (Shared, Arc<AtomicUsize>) {
        let looks = Arc::new(AtomicUsize::new(0));
        let shared = Shared::default();
        *shared.looker.lock() = Some(Box::new(Counting {
            last,
            looks: looks.clone(),
            by_worker: 0,
        }));
        (shared, looks)
    }

    #[test]
    fn a_waking_worker_looks_only_when_a_look_is_due() {
        let tick = Duration::from_secs(10);
        // The last look was taken just now: none is due for 10 s.
        let (shared, looks) = shared_with(Instant::now());
        shared.watch(tick);
        assert_eq!(looks.load(SeqCst), 0, "looked although a look was not due");
        // A look that is due is taken once, and counted as a worker's.
        let long_ago = Instant::now().checked_sub(2 * tick).expect("up for 20 s");
        let (shared, looks) = shared_with(long_ago);
        shared.watch(tick);
        assert_eq!(looks.load(SeqCst), 1, "a due look was not taken");
        shared.watch(tick);
        assert_eq!(
            looks.load(SeqCst),
            1,
            "the look just taken did not reset the period"
        );
        let worker_looks = shared.looker.lock().as_ref().map(|l| l.worker_looks());
        assert_eq!(worker_looks, Some(1));
    }

    #[test]
    fn a_waking_worker_skips_the_look_while_another_thread_takes_one() {
        let long_ago = Instant::now()
            .checked_sub(Duration::from_secs(10))
            .expect("up for 10 s");
        let (shared, looks) = shared_with(long_ago);
        let held = shared.looker.lock();
        shared.watch(Duration::from_millis(1));
        drop(held);
        assert_eq!(looks.load(SeqCst), 0, "a worker waited for the looks' lock");
        // No looks at all once the monitor stopped (it takes them out).
        shared.looker.lock().take();
        shared.watch(Duration::from_millis(1));
        assert_eq!(looks.load(SeqCst), 0);
    }
}
