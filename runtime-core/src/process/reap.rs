//! Seeing a child exit without a thread per child, and reaping the
//! children nobody waits for.
//!
//! - Where the kernel has `pidfd_open` (Linux 5.3+), each child gets a
//!   pidfd registered with the I/O driver: it turns readable when the
//!   child exits, and the waiting task then collects the status with
//!   `waitpid(pid, WNOHANG)`.
//! - Elsewhere, a `SIGCHLD` listener (the shared signal machinery) wakes
//!   every waiting child, which looks again with `WNOHANG`.
//! - A `Child` dropped before its exit was collected goes to the orphan
//!   queue. The queue is swept (`WNOHANG` on each orphan, never
//!   `waitpid(-1)`, which would steal other code's children) at every
//!   `SIGCHLD` the drivers see and at every spawn, so no zombie stays
//!   behind for long.

use crate::io::{AsyncFd, Interest};
use crate::signal::unix::{signal, Signal, SignalKind};
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::task::{Context, Poll};

/// How a waiting child learns that it may have exited.
pub(crate) enum ExitWatch {
    Pidfd(AsyncFd<OwnedFd>),
    Sigchld(Signal),
}

impl ExitWatch {
    /// Must be created before the first `try_wait` that may say "still
    /// running", so that the exit cannot fall in between.
    #[track_caller]
    pub(crate) fn new(pid: u32) -> io::Result<ExitWatch> {
        if let Some(fd) = pidfd_open(pid) {
            return Ok(ExitWatch::Pidfd(AsyncFd::with_interest(
                fd,
                Interest::READABLE,
            )?));
        }
        Ok(ExitWatch::Sigchld(signal(SignalKind::child())?))
    }

    /// Whether a ready hint means the child has exited (a pidfd), rather
    /// than that some child changed state (`SIGCHLD`).
    pub(crate) fn exact(&self) -> bool {
        matches!(self, ExitWatch::Pidfd(_))
    }

    /// Ready when the child may have exited (look with `try_wait`).
    pub(crate) fn poll_hint(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self {
            // A pidfd stays readable once the child has exited, and the
            // edge-triggered event arrives even when it exited before the
            // registration: the guard is dropped without clearing.
            ExitWatch::Pidfd(fd) => fd.poll_read_ready(cx).map_ok(drop),
            ExitWatch::Sigchld(sig) => sig.poll_recv(cx).map(|_| Ok(())),
        }
    }
}

/// Set when the kernel has no pidfds (or a test turned them off).
static NO_PIDFD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Watches children started from now on through `SIGCHLD` even where
/// pidfds exist (for tests of that path).
#[doc(hidden)]
pub fn __disable_pidfd() {
    NO_PIDFD.store(true, std::sync::atomic::Ordering::Relaxed);
}

#[cfg(target_os = "linux")]
fn pidfd_open(pid: u32) -> Option<OwnedFd> {
    use std::sync::atomic::Ordering;
    if NO_PIDFD.load(Ordering::Relaxed) {
        return None;
    }
    // SAFETY: pidfd_open(2) takes a pid and flags and returns a new fd or
    // -1; it touches no memory of ours.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
    if fd < 0 {
        let e = io::Error::last_os_error();
        if matches!(e.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EPERM)) {
            // No pidfds here (old kernel, or a seccomp filter): SIGCHLD.
            NO_PIDFD.store(true, Ordering::Relaxed);
        }
        return None;
    }
    // SAFETY: the kernel just returned this fd; nobody else owns it.
    Some(unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) })
}

#[cfg(not(target_os = "linux"))]
fn pidfd_open(_pid: u32) -> Option<OwnedFd> {
    None
}

/// Children dropped before their exit was collected.
static ORPHANS: parking_lot::Mutex<Vec<std::process::Child>> = parking_lot::Mutex::new(Vec::new());

/// Hands a child nobody will wait for to the orphan queue (collecting it
/// at once if it has exited already).
pub(crate) fn adopt(mut child: std::process::Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    // Make sure a SIGCHLD reaches the drivers from now on, and collects
    // the orphans (the handler is process-wide; a driver of the current
    // runtime, if any, watches the pipe). Without a runtime, the next
    // spawn sweeps the queue.
    crate::signal::registry::on_sigchld(reap_orphans);
    let _ = crate::signal::registry::watch_signal(libc::SIGCHLD);
    ORPHANS.lock().push(child);
    // It may have exited before the handler was there.
    reap_orphans();
}

/// Collects every orphan that has exited.
pub(crate) fn reap_orphans() {
    let mut orphans = ORPHANS.lock();
    // An error means the pid is no longer our child (someone reaped it
    // with waitpid(-1)): nothing left to collect either.
    orphans.retain_mut(|c| matches!(c.try_wait(), Ok(None)));
}
