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

    /// Wakes the monitor now (a worker after a short gap, or `stop`).
    /// Not through the timer: a later arm or disarm would replace it.
    pub(crate) fn fire(&self) {
        self.timer.ring();
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

    /// The monitor, before it sleeps: clears an expiry or a ring left
    /// from before (a worker that saw the last sleep; one running now is
    /// seen by the monitor's count check after this).
    pub(crate) fn reset(&self) {
        self.armed.store(false, SeqCst);
        self.timer.set(Duration::ZERO);
        self.timer.drain();
    }

    /// The monitor sleeps until the alarm goes off or it is fired.
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

/// The timerfd, and an eventfd (the bell) that wakes the monitor at once.
/// Both non-blocking: the monitor blocks in `poll` on the two.
#[cfg(not(loom))]
struct Timer {
    timer: std::os::fd::OwnedFd,
    bell: std::os::fd::OwnedFd,
}

#[cfg(not(loom))]
impl Timer {
    fn new() -> io::Result<Timer> {
        use std::os::fd::{FromRawFd, OwnedFd};
        // SAFETY: timerfd_create with valid flags; a non-negative result is
        // a new fd that nobody else owns.
        let timer = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_CLOEXEC | libc::TFD_NONBLOCK,
            )
        };
        if timer < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `timer` was just created and is owned by nobody else.
        let timer = unsafe { OwnedFd::from_raw_fd(timer) };
        // SAFETY: eventfd with valid flags, as above.
        let bell = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if bell < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Timer {
            timer,
            // SAFETY: `bell` was just created and is owned by nobody else.
            bell: unsafe { OwnedFd::from_raw_fd(bell) },
        })
    }

    fn fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(&self.timer)
    }

    fn ring(&self) {
        let one = 1u64;
        // SAFETY: an 8-byte write from a valid u64 to our eventfd. EAGAIN
        // (a saturated counter) leaves it readable: rung anyway.
        unsafe {
            libc::write(
                std::os::fd::AsRawFd::as_raw_fd(&self.bell),
                (&one as *const u64).cast(),
                8,
            )
        };
    }

    /// Reads off an expiry and a ring, if any (both non-blocking).
    fn drain(&self) {
        let mut buf = 0u64;
        for fd in [self.fd(), std::os::fd::AsRawFd::as_raw_fd(&self.bell)] {
            // SAFETY: an 8-byte read into a valid u64 from our fd.
            unsafe { libc::read(fd, (&mut buf as *mut u64).cast(), 8) };
        }
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

    /// Blocks until the timer goes off or the bell rings, then reads
    /// both off.
    fn wait(&self) {
        let mut fds =
            [self.fd(), std::os::fd::AsRawFd::as_raw_fd(&self.bell)].map(|fd| libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            });
        loop {
            // SAFETY: two valid pollfds; no timeout.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
            if n > 0 {
                break;
            }
            let e = io::Error::last_os_error();
            // EINTR: a signal; anything else cannot happen with valid fds,
            // but must not spin or sleep forever either.
            if e.kind() != io::ErrorKind::Interrupted {
                log::error!(target: "runtime::handoff", "the monitor's alarm failed: {e}");
                break;
            }
        }
        self.drain();
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

/// Loom's stand-in: whether the timer is set and the bell rung, under a
/// lock as the kernel's timerfd is (its lock orders two threads' calls).
#[cfg(loom)]
struct Timer(crate::loom::sync::Mutex<(bool, bool)>);

#[cfg(loom)]
impl Timer {
    fn new() -> io::Result<Timer> {
        Ok(Timer(crate::loom::sync::Mutex::new((false, false))))
    }

    fn set(&self, after: Duration) {
        self.0.lock().0 = !after.is_zero();
    }

    fn ring(&self) {
        self.0.lock().1 = true;
    }

    fn drain(&self) {
        *self.0.lock() = (false, false);
    }

    fn wait(&self) {
        loop {
            let (set, rung) = std::mem::replace(&mut *self.0.lock(), (false, false));
            if set || rung {
                return;
            }
            loom::thread::yield_now();
        }
    }

    fn is_set(&self) -> bool {
        self.0.lock().0
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::Alarm;
    use std::sync::atomic::Ordering::SeqCst;
    use std::time::Duration;

    /// An expiry or a ring is waiting to be read.
    fn pending(alarm: &Alarm) -> bool {
        let mut fds = [
            alarm.timer.fd(),
            std::os::fd::AsRawFd::as_raw_fd(&alarm.timer.bell),
        ]
        .map(|fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        });
        // SAFETY: two valid pollfds, no waiting.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, 0) };
        n > 0
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

        // `fire` wakes at once, whatever the timer does; `reset` clears
        // an expiry and a ring nobody read.
        alarm.fire();
        alarm.arm(Duration::from_secs(3600));
        alarm.disarm(Duration::from_millis(1), || false);
        alarm.wait();
        alarm.fire();
        alarm.arm(Duration::from_nanos(1));
        alarm.reset();
        assert!(!set(&alarm) && !pending(&alarm) && !alarm.armed.load(SeqCst));
    }
}
