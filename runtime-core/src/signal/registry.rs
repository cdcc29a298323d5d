//! The process-wide half of signal handling, shared by every runtime in
//! the process.
//!
//! - One handler per signal number, installed through
//!   `signal-hook-registry` the first time a listener for it is created.
//!   The handler only sets the signal's `pending` flag and writes one byte
//!   to a self-pipe (both async-signal-safe).
//! - One self-pipe. Each runtime's I/O driver registers a duplicate of its
//!   read end, level-triggered, under a reserved key (`enable_signals`);
//!   when it fires, the driver calls [`dispatch`], which drains the pipe,
//!   moves every pending signal's delivery count forward and wakes that
//!   signal's listeners.
//! - Listeners ([`Listener`], behind `Signal` and `ctrl_c`) each own one
//!   entry in their signal's waker table, freed when they drop: waiting
//!   costs no file descriptor and no list that grows per call.

use std::io::{self, Read};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

/// The highest signal number a listener may ask for (Linux has real-time
/// signals up to 64).
#[cfg(target_os = "linux")]
pub(crate) const MAX_SIGNAL: libc::c_int = 64;
#[cfg(not(target_os = "linux"))]
pub(crate) const MAX_SIGNAL: libc::c_int = 31;

/// Signals a handler must not be installed for: the first two cannot be
/// caught, the others mean the process state is broken when they arrive
/// (as Tokio refuses them too).
const FORBIDDEN: [libc::c_int; 5] = [
    libc::SIGILL,
    libc::SIGFPE,
    libc::SIGKILL,
    libc::SIGSEGV,
    libc::SIGSTOP,
];

struct Slot {
    /// Set by the handler, taken by `dispatch`.
    pending: AtomicBool,
    /// How many times `dispatch` found the signal pending.
    delivered: AtomicU64,
    /// The handler's installation, done once.
    installed: OnceLock<Result<(), String>>,
    waiters: parking_lot::Mutex<Waiters>,
}

/// One entry per live listener; an entry holds a waker while its listener
/// waits.
#[derive(Default)]
struct Waiters {
    entries: Vec<Option<Waker>>,
    free: Vec<usize>,
}

pub(crate) struct Globals {
    read: UnixStream,
    write: UnixStream,
    slots: Box<[Slot]>,
}

static GLOBALS: OnceLock<Result<Globals, String>> = OnceLock::new();

/// What a `SIGCHLD` runs first: the process layer's collection of
/// orphaned children (`process/reap.rs` installs it before it leaves its
/// first orphan), so this layer need not name it.
static ON_SIGCHLD: OnceLock<fn()> = OnceLock::new();

/// Installs what a `SIGCHLD` runs first (the first call wins).
pub(crate) fn on_sigchld(reap: fn()) {
    let _ = ON_SIGCHLD.set(reap);
}

/// The process-wide state, created on first use.
pub(crate) fn globals() -> io::Result<&'static Globals> {
    GLOBALS
        .get_or_init(|| {
            let make = || -> io::Result<Globals> {
                let (read, write) = UnixStream::pair()?;
                read.set_nonblocking(true)?;
                write.set_nonblocking(true)?;
                let slots = (0..=MAX_SIGNAL)
                    .map(|_| Slot {
                        pending: AtomicBool::new(false),
                        delivered: AtomicU64::new(0),
                        installed: OnceLock::new(),
                        waiters: parking_lot::Mutex::new(Waiters::default()),
                    })
                    .collect();
                // Every driver that sees the pipe readable calls
                // `dispatch`, through the hook installed here.
                crate::io::driver::on_signal_pipe(dispatch);
                Ok(Globals { read, write, slots })
            };
            make().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| io::Error::other(format!("could not create the signal pipe: {e}")))
}

impl Globals {
    /// The pipe's read end, for a driver to register a duplicate of.
    pub(crate) fn pipe(&self) -> BorrowedFd<'_> {
        self.read.as_fd()
    }

    /// Installs the handler for `signum` (once per process).
    fn install(&'static self, signum: libc::c_int) -> io::Result<()> {
        if !(1..=MAX_SIGNAL).contains(&signum) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("signal number {signum} is out of range (1..={MAX_SIGNAL})"),
            ));
        }
        if FORBIDDEN.contains(&signum) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "signal {signum} cannot be listened for: SIGKILL and SIGSTOP cannot be \
                     caught, and SIGILL, SIGFPE and SIGSEGV mean the process is broken"
                ),
            ));
        }
        let slot = &self.slots[signum as usize];
        slot.installed
            .get_or_init(|| {
                let fd = self.write.as_raw_fd();
                let pending = &slot.pending;
                let action = move || {
                    pending.store(true, Ordering::SeqCst);
                    let byte = 1u8;
                    // SAFETY: `write(2)` on an fd that lives in a static and
                    // is never closed, from a valid one-byte buffer; it is
                    // async-signal-safe. A full pipe (EAGAIN) is fine: the
                    // unread bytes already make the drivers look.
                    unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
                };
                // SAFETY: the action only does an atomic store and
                // `write(2)`, both async-signal-safe; it never allocates,
                // locks or panics. The signal number was checked above.
                unsafe { signal_hook_registry::register(signum, action) }
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|e| {
                io::Error::other(format!(
                    "could not install the handler for signal {signum}: {e}"
                ))
            })
    }
}

/// Drains the pipe and wakes the listeners of every signal that arrived
/// since the last call. Runs on whichever driver saw the pipe readable
/// (any number of drivers may call it at once; each arrival is delivered
/// once, by the call that takes its `pending` flag).
pub(crate) fn dispatch() {
    let Some(Ok(g)) = GLOBALS.get() else { return };
    // Drain first, then take the flags: a signal landing in between sets
    // its flag and leaves a byte, so it is delivered now or by the next
    // call, never lost.
    let mut buf = [0u8; 128];
    loop {
        match (&g.read).read(&mut buf) {
            Ok(0) => break,
            Ok(_) => continue,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break, // WouldBlock: drained
        }
    }
    for (signum, slot) in g.slots.iter().enumerate() {
        if !slot.pending.swap(false, Ordering::AcqRel) {
            continue;
        }
        if signum as libc::c_int == libc::SIGCHLD {
            // Before the listeners run: one that counts zombies finds the
            // orphans collected.
            if let Some(reap) = ON_SIGCHLD.get() {
                reap();
            }
        }
        slot.delivered.fetch_add(1, Ordering::AcqRel);
        let wakers: Vec<Waker> = {
            let mut w = slot.waiters.lock();
            w.entries.iter_mut().filter_map(Option::take).collect()
        };
        crate::util::escaped::wake_all(wakers);
    }
}

/// One listener for one signal: sees every delivery that happens after it
/// was created (deliveries that land close together may merge into one).
pub(crate) struct Listener {
    slot: &'static Slot,
    seen: u64,
    entry: usize,
}

impl Listener {
    /// Installs the handler for `signum` if needed and starts listening.
    /// The caller makes sure some driver watches the pipe.
    pub(crate) fn new(signum: libc::c_int) -> io::Result<Listener> {
        let g = globals()?;
        g.install(signum)?;
        let slot = &g.slots[signum as usize];
        let entry = {
            let mut w = slot.waiters.lock();
            match w.free.pop() {
                Some(i) => i,
                None => {
                    w.entries.push(None);
                    w.entries.len() - 1
                }
            }
        };
        Ok(Listener {
            slot,
            seen: slot.delivered.load(Ordering::Acquire),
            entry,
        })
    }

    /// Ready once a delivery newer than the last one seen has happened.
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.take_delivery() {
            return Poll::Ready(());
        }
        {
            let mut w = self.slot.waiters.lock();
            match &mut w.entries[self.entry] {
                Some(old) if old.will_wake(cx.waker()) => {}
                e => *e = Some(cx.waker().clone()),
            }
        }
        // Looked at again after registering: `dispatch` counts before it
        // takes the wakers (under the same lock), so a delivery is either
        // seen here or wakes the waker just stored.
        if self.take_delivery() {
            return Poll::Ready(());
        }
        Poll::Pending
    }

    fn take_delivery(&mut self) -> bool {
        let now = self.slot.delivered.load(Ordering::Acquire);
        if now != self.seen {
            self.seen = now;
            return true;
        }
        false
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let mut w = self.slot.waiters.lock();
        w.entries[self.entry] = None;
        w.free.push(self.entry);
    }
}

/// The number of waker entries held for `signum` right now (live
/// listeners), for tests that check nothing accumulates.
#[doc(hidden)]
pub fn listener_entries(signum: libc::c_int) -> usize {
    match GLOBALS.get() {
        Some(Ok(g)) if (0..=MAX_SIGNAL).contains(&signum) => {
            let w = g.slots[signum as usize].waiters.lock();
            w.entries.len() - w.free.len()
        }
        _ => 0,
    }
}

/// Installs the handler for `signum` without creating a listener, and
/// makes the current runtime's driver (if there is one with I/O enabled)
/// watch the pipe.
pub(crate) fn watch_signal(signum: libc::c_int) -> io::Result<()> {
    let g = globals()?;
    g.install(signum)?;
    match crate::current_driver::io_driver() {
        Some(d) => d.io.enable_signals(g.pipe()),
        None => Ok(()),
    }
}
