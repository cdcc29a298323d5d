//! The monitor's alarm (Linux): a timerfd the monitor thread blocks on
//! while it sleeps after a long idle stretch, so that a worker waking
//! from a long gap (a lightly loaded server's next request) need not wake
//! it. The worker arms the alarm for one look period; if it parks again
//! before then (the request took less), the last worker to park disarms
//! it and the monitor sleeps on. Only a worker still running a period
//! after the wake-up, which may be stuck, gets the monitor up. Arming
//! and disarming cost the worker two `timerfd_settime` calls (about 13 us
//! of CPU after a sleep on a KVM guest, which reprograms its timer),
//! where a wake-up of the monitor thread cost a `futex` wake and a
//! context switch and a look (about 20 us, more than once per request),
//! so the monitor sleeps this way only after long gaps; see
//! `runtime/monitor.rs`.
//!
//! Arming and disarming race only in one direction that matters: a
//! disarm landing after a waking worker's arm. The disarming worker reads
//! the count of unparked workers after its disarm (the timerfd's own lock
//! orders the two system calls), and arms again if any worker runs.

use crate::loom::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::io;
use std::time::Duration;

pub(crate) struct Alarm {
    timer: Timer,
    /// Set by the thread that arms it (before its system call), cleared
    /// by a disarm and by the monitor when the alarm wakes it.
    armed: AtomicBool,
}

impl Alarm {
    pub(crate) fn new() -> io::Result<Alarm> {
        Ok(Alarm {
            timer: Timer::new()?,
            armed: AtomicBool::new(false),
        })
    }

    /// A worker woke while the monitor sleeps: the monitor looks `after`
    /// from now unless every worker has parked again by then. A no-op if
    /// another worker armed it already.
    pub(crate) fn arm(&self, after: Duration) {
        if !self.armed.swap(true, SeqCst) {
            self.timer.set(after);
        }
    }

    /// Wakes the monitor now.
    pub(crate) fn fire(&self) {
        self.armed.store(true, SeqCst);
        self.timer.set(Duration::from_nanos(1));
    }

    /// Called by a worker that parked while every worker is parked:
    /// disarms the alarm if it is armed, then arms it again for `after` if
    /// `any_running` says a worker woke meanwhile (its own arm may have
    /// landed before this disarm).
    pub(crate) fn disarm(&self, after: Duration, any_running: impl Fn() -> bool) {
        if !self.armed.swap(false, SeqCst) {
            return;
        }
        self.timer.set(Duration::ZERO);
        if any_running() {
            self.armed.store(true, SeqCst);
            self.timer.set(after);
        }
    }

    /// The monitor, before it sleeps: clears an expiry left from before.
    pub(crate) fn reset(&self) {
        self.armed.store(false, SeqCst);
        self.timer.set(Duration::ZERO);
    }

    /// The monitor sleeps until the alarm goes off.
    pub(crate) fn wait(&self) {
        self.timer.wait();
        self.armed.store(false, SeqCst);
    }

    /// The timer is set to go off (loom models and tests).
    #[cfg(any(test, loom))]
    pub(crate) fn is_set(&self) -> bool {
        self.timer.is_set()
    }
}

/// The timerfd.
#[cfg(not(loom))]
struct Timer(std::os::fd::OwnedFd);

#[cfg(not(loom))]
impl Timer {
    fn new() -> io::Result<Timer> {
        use std::os::fd::FromRawFd;
        // SAFETY: timerfd_create with valid flags; a non-negative result is
        // a new fd that nobody else owns.
        let fd = unsafe { libc::timerfd_create(libc::CLOCK_MONOTONIC, libc::TFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just created and is owned by nobody else.
        Ok(Timer(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) }))
    }

    fn fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(&self.0)
    }

    /// Sets the timer to go off `after` from now (zero disarms it). Setting
    /// it also clears an expiry not read yet.
    fn set(&self, after: Duration) {
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: after.as_secs() as libc::time_t,
                tv_nsec: after.subsec_nanos() as libc::c_long,
            },
        };
        // SAFETY: a valid timerfd and a valid itimerspec; the old value is
        // not asked for.
        let r = unsafe { libc::timerfd_settime(self.fd(), 0, &spec, std::ptr::null_mut()) };
        // Cannot fail with a valid fd and a normalised value.
        debug_assert_eq!(r, 0, "timerfd_settime: {}", io::Error::last_os_error());
    }

    /// Blocks until the timer goes off.
    fn wait(&self) {
        let mut expiries = 0u64;
        loop {
            // SAFETY: an 8-byte read into a valid u64 from our timerfd.
            let n = unsafe { libc::read(self.fd(), (&mut expiries as *mut u64).cast(), 8) };
            if n == 8 {
                return;
            }
            let e = io::Error::last_os_error();
            // EINTR: a signal; anything else cannot happen on a valid
            // blocking timerfd, but must not spin or sleep forever either.
            if e.kind() != io::ErrorKind::Interrupted {
                log::error!(target: "runtime::handoff", "the monitor's alarm failed: {e}");
                return;
            }
        }
    }

    #[cfg(test)]
    fn is_set(&self) -> bool {
        // SAFETY: an all-zero itimerspec is a valid value to overwrite.
        let mut spec: libc::itimerspec = unsafe { std::mem::zeroed() };
        // SAFETY: a valid timerfd and a valid out pointer.
        let r = unsafe { libc::timerfd_gettime(self.fd(), &mut spec) };
        assert_eq!(r, 0);
        spec.it_value.tv_sec != 0 || spec.it_value.tv_nsec != 0
    }
}

/// Loom's stand-in: whether the timer is set, under a lock as the
/// kernel's timerfd is (its lock orders two threads' calls).
#[cfg(loom)]
struct Timer(crate::loom::sync::Mutex<bool>);

#[cfg(loom)]
impl Timer {
    fn new() -> io::Result<Timer> {
        Ok(Timer(crate::loom::sync::Mutex::new(false)))
    }

    fn set(&self, after: Duration) {
        *self.0.lock() = !after.is_zero();
    }

    fn wait(&self) {
        while !std::mem::replace(&mut *self.0.lock(), false) {
            loom::thread::yield_now();
        }
    }

    fn is_set(&self) -> bool {
        *self.0.lock()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::Alarm;
    use std::sync::atomic::Ordering::SeqCst;
    use std::time::Duration;

    /// An expiry is waiting to be read.
    fn pending(alarm: &Alarm) -> bool {
        let mut pfd = libc::pollfd {
            fd: alarm.timer.fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, no waiting.
        let n = unsafe { libc::poll(&mut pfd, 1, 0) };
        n == 1
    }

    fn set(alarm: &Alarm) -> bool {
        alarm.is_set()
    }

    #[test]
    fn arm_disarm_fire_and_reset() {
        let alarm = Alarm::new().unwrap();
        alarm.arm(Duration::from_millis(1));
        alarm.wait(); // returns: it went off
        assert!(!alarm.armed.load(SeqCst));

        // Disarmed before it goes off, with no worker running: not set.
        alarm.arm(Duration::from_secs(3600));
        assert!(set(&alarm));
        alarm.arm(Duration::from_millis(1)); // armed already: unchanged
        alarm.disarm(Duration::from_millis(1), || false);
        assert!(!set(&alarm) && !pending(&alarm) && !alarm.armed.load(SeqCst));
        // Nothing to disarm: no change.
        alarm.disarm(Duration::from_millis(1), || true);
        assert!(!set(&alarm));

        // Disarmed while a worker runs: set again for the short period.
        alarm.arm(Duration::from_secs(3600));
        alarm.disarm(Duration::from_millis(1), || true);
        assert!(alarm.armed.load(SeqCst));
        alarm.wait();

        // `fire` wakes at once; `reset` clears an expiry nobody read.
        alarm.fire();
        alarm.wait();
        alarm.fire();
        alarm.reset();
        assert!(!set(&alarm) && !pending(&alarm) && !alarm.armed.load(SeqCst));
    }
}
