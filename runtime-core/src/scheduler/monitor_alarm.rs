//! The monitor's alarm (Linux): a timerfd the monitor thread blocks on
//! while it sleeps after a long idle stretch, so that a worker waking
//! from a long gap (a lightly loaded server's next request) need not wake
//! it. The worker arms the alarm for one look period; if it parks again
//! before then (the request took less), the last worker to park disarms
//! it and the monitor sleeps on. Only a worker still running a period
//! after the wake-up, which may be stuck, gets the monitor up. Each
//! costs the worker one `timerfd_settime`, where a wake-up of the
//! monitor thread cost it a `futex` wake and the monitor a context switch
//! and a look (about 20 us of CPU each on a KVM guest). See
//! `runtime/monitor.rs` for when the monitor sleeps this way.
//!
//! Arming and disarming race only in one direction that matters: a
//! disarm landing after a waking worker's arm. The disarming worker reads
//! the count of unparked workers after its disarm (the timerfd's own lock
//! orders the two system calls), and arms again if any worker runs.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::time::Duration;

pub(crate) struct Alarm {
    fd: OwnedFd,
    /// Set by the thread that arms it (before its system call), cleared
    /// by a disarm and by the monitor when the alarm wakes it.
    armed: AtomicBool,
}

impl Alarm {
    pub(crate) fn new() -> io::Result<Alarm> {
        // SAFETY: timerfd_create with valid flags; a non-negative result is
        // a new fd that nobody else owns.
        let fd = unsafe { libc::timerfd_create(libc::CLOCK_MONOTONIC, libc::TFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Alarm {
            // SAFETY: `fd` was just created and is owned by nobody else.
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
            armed: AtomicBool::new(false),
        })
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
        let r =
            unsafe { libc::timerfd_settime(self.fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) };
        // Cannot fail with a valid fd and a normalised value.
        debug_assert_eq!(r, 0, "timerfd_settime: {}", io::Error::last_os_error());
    }

    /// A worker woke while the monitor sleeps: the monitor looks `after`
    /// from now unless every worker has parked again by then. A no-op if
    /// another worker armed it already.
    pub(crate) fn arm(&self, after: Duration) {
        if !self.armed.swap(true, SeqCst) {
            self.set(after);
        }
    }

    /// Wakes the monitor now.
    pub(crate) fn fire(&self) {
        self.armed.store(true, SeqCst);
        self.set(Duration::from_nanos(1));
    }

    /// Called by a worker that parked while every worker is parked:
    /// disarms the alarm if it is armed, then arms it again for `after` if
    /// `any_running` says a worker woke meanwhile (its own arm may have
    /// landed before this disarm).
    pub(crate) fn disarm(&self, after: Duration, any_running: impl Fn() -> bool) {
        if !self.armed.swap(false, SeqCst) {
            return;
        }
        self.set(Duration::ZERO);
        if any_running() {
            self.armed.store(true, SeqCst);
            self.set(after);
        }
    }

    /// The monitor, before it sleeps: clears an expiry left from before.
    pub(crate) fn reset(&self) {
        self.armed.store(false, SeqCst);
        self.set(Duration::ZERO);
    }

    /// The monitor sleeps until the alarm goes off.
    pub(crate) fn wait(&self) {
        let mut expiries = 0u64;
        loop {
            // SAFETY: an 8-byte read into a valid u64 from our timerfd.
            let n =
                unsafe { libc::read(self.fd.as_raw_fd(), (&mut expiries as *mut u64).cast(), 8) };
            if n == 8 {
                break;
            }
            let e = io::Error::last_os_error();
            // EINTR: a signal; anything else cannot happen on a valid
            // blocking timerfd, but must not spin or sleep forever either.
            if e.kind() != io::ErrorKind::Interrupted {
                log::error!(target: "runtime::handoff", "the monitor's alarm failed: {e}");
                break;
            }
        }
        self.armed.store(false, SeqCst);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::Alarm;
    use std::os::fd::AsRawFd;
    use std::sync::atomic::Ordering::SeqCst;
    use std::time::Duration;

    /// An expiry is waiting to be read.
    fn pending(alarm: &Alarm) -> bool {
        let mut pfd = libc::pollfd {
            fd: alarm.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, no waiting.
        let n = unsafe { libc::poll(&mut pfd, 1, 0) };
        n == 1
    }

    /// The timer is set to go off.
    fn set(alarm: &Alarm) -> bool {
        // SAFETY: an all-zero itimerspec is a valid value to overwrite.
        let mut spec: libc::itimerspec = unsafe { std::mem::zeroed() };
        // SAFETY: a valid timerfd and a valid out pointer.
        let r = unsafe { libc::timerfd_gettime(alarm.fd.as_raw_fd(), &mut spec) };
        assert_eq!(r, 0);
        spec.it_value.tv_sec != 0 || spec.it_value.tv_nsec != 0
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
