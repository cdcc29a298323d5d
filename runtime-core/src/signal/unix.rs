//! Unix signals as streams of notifications: [`signal`] returns a
//! [`Signal`] whose [`recv`](Signal::recv) completes at each arrival of
//! its signal after the listener was created (as Tokio's
//! `tokio::signal::unix`).

use super::registry::Listener;
use crate::driver::Driver;
use std::io;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A signal number, with constructors for the common ones.
///
/// ```
/// use runtime_core::signal::unix::SignalKind;
///
/// assert_eq!(SignalKind::terminate().as_raw_value(), libc::SIGTERM);
/// assert_eq!(SignalKind::from_raw(libc::SIGUSR1), SignalKind::user_defined1());
/// let raw: libc::c_int = SignalKind::hangup().into();
/// assert_eq!(raw, libc::SIGHUP);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SignalKind(libc::c_int);

impl SignalKind {
    /// Any signal by number (`signal` refuses numbers that cannot be
    /// listened for, with an error).
    pub const fn from_raw(signum: libc::c_int) -> SignalKind {
        SignalKind(signum)
    }
    /// The signal number.
    pub const fn as_raw_value(&self) -> libc::c_int {
        self.0
    }
    /// `SIGALRM`: a real-time timer expired.
    pub const fn alarm() -> SignalKind {
        SignalKind(libc::SIGALRM)
    }
    /// `SIGCHLD`: a child process changed state.
    pub const fn child() -> SignalKind {
        SignalKind(libc::SIGCHLD)
    }
    /// `SIGHUP`: the terminal hung up; daemons reload their configuration.
    pub const fn hangup() -> SignalKind {
        SignalKind(libc::SIGHUP)
    }
    /// `SIGINT`: Ctrl-C.
    pub const fn interrupt() -> SignalKind {
        SignalKind(libc::SIGINT)
    }
    /// `SIGIO`: I/O is possible on a descriptor set up for it.
    pub const fn io() -> SignalKind {
        SignalKind(libc::SIGIO)
    }
    /// `SIGPIPE`: a write to a pipe with no reader.
    pub const fn pipe() -> SignalKind {
        SignalKind(libc::SIGPIPE)
    }
    /// `SIGQUIT`: Ctrl-\.
    pub const fn quit() -> SignalKind {
        SignalKind(libc::SIGQUIT)
    }
    /// `SIGTERM`: the polite request to stop (what `kill` and service
    /// managers send first).
    pub const fn terminate() -> SignalKind {
        SignalKind(libc::SIGTERM)
    }
    /// `SIGUSR1`.
    pub const fn user_defined1() -> SignalKind {
        SignalKind(libc::SIGUSR1)
    }
    /// `SIGUSR2`.
    pub const fn user_defined2() -> SignalKind {
        SignalKind(libc::SIGUSR2)
    }
    /// `SIGWINCH`: the terminal window changed size.
    pub const fn window_change() -> SignalKind {
        SignalKind(libc::SIGWINCH)
    }
}

impl From<libc::c_int> for SignalKind {
    fn from(signum: libc::c_int) -> SignalKind {
        SignalKind(signum)
    }
}

impl From<SignalKind> for libc::c_int {
    fn from(kind: SignalKind) -> libc::c_int {
        kind.0
    }
}

/// A listener for one signal, created by [`signal`].
///
/// Each arrival after the listener was created makes one
/// [`recv`](Signal::recv) complete; arrivals close together may merge
/// into one (the kernel merges them too). Dropping it stops listening
/// (the handler stays installed: the signal keeps being caught).
pub struct Signal {
    listener: Listener,
    /// The runtime whose driver was set to watch the signal pipe; kept so
    /// that registration outlives no listener.
    _driver: Arc<Driver>,
}

impl std::fmt::Debug for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signal").finish_non_exhaustive()
    }
}

/// Starts listening for `kind` (installing its process-wide handler the
/// first time): from now on the signal no longer has its default effect.
///
/// # Errors
/// For `SIGKILL`, `SIGSTOP`, `SIGILL`, `SIGFPE`, `SIGSEGV` and numbers out
/// of range (`InvalidInput`), or when the handler cannot be installed.
///
/// # Panics
/// Outside a runtime with the I/O driver enabled (the driver delivers the
/// signal).
///
/// ```
/// use runtime_core::signal::unix::{signal, SignalKind};
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut hangups = signal(SignalKind::hangup()).unwrap();
///     // SAFETY: sends SIGHUP to this process, whose handler is installed.
///     unsafe { libc::kill(libc::getpid(), libc::SIGHUP) };
///     hangups.recv().await; // e.g. reload the configuration here
///
///     let err = signal(SignalKind::from_raw(libc::SIGKILL)).unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
/// });
/// ```
#[track_caller]
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let driver = crate::current_driver::current_io();
    let g = super::registry::globals()?;
    driver.io.enable_signals(g.pipe())?;
    Ok(Signal {
        listener: Listener::new(kind.0)?,
        _driver: driver,
    })
}

impl Signal {
    /// Waits for the next arrival of the signal. Always `Some(())`: the
    /// `Option` is Tokio's signature, where `None` would mean no more
    /// arrivals can be seen.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: arrivals are counted in the `Signal`, and one is taken
    /// only by the poll that returns it, so dropping the future loses no
    /// arrival.
    pub async fn recv(&mut self) -> Option<()> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next arrival (the `poll` form of [`recv`](Self::recv)).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        self.listener.poll_recv(cx).map(Some)
    }
}
