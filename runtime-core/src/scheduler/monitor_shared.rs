//! The part of the runtime's monitor thread (`runtime/monitor.rs`) that
//! the schedulers hold in their handles: how it sleeps, how a worker wakes
//! it, and the hand-off counters the metrics read.

use parking_lot::{Condvar, Mutex};
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering::SeqCst};

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
    #[inline]
    pub(crate) fn worker_woke(&self) {
        if self.sleep.load(SeqCst) == IDLE_SLEEP {
            self.nudge();
        }
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

    fn nudge(&self) {
        let mut control = self.control.lock();
        control.nudged = true;
        self.wake.notify_one();
    }
}
