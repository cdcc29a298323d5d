//! Signals: [`ctrl_c`], asyncio's `loop.add_signal_handler(SIGINT, ...)`.
//!
//! The first call installs a process-wide `SIGINT` handler (through
//! `signal-hook-registry`) that counts the signal and writes a byte to a
//! self-pipe. Each waiting future watches the pipe through its runtime's
//! I/O driver; the first to see it readable drains it and wakes all the
//! others, and each completes when the count has moved past the value it
//! started from.
//! From then on, Ctrl-C no longer ends the process by itself: the program
//! decides what to do, as with Tokio.

use crate::io::{AsyncFd, Interest};
use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::task::Poll;

struct Globals {
    /// Signals received so far (incremented inside the handler).
    received: AtomicU64,
    read: UnixStream,
    write: UnixStream,
    /// Every waiting `ctrl_c` future's task, woken by whichever of them
    /// sees the pipe become readable.
    waiters: parking_lot::Mutex<Vec<std::task::Waker>>,
}

static GLOBALS: OnceLock<io::Result<Globals>> = OnceLock::new();

fn globals() -> io::Result<&'static Globals> {
    let g = GLOBALS.get_or_init(|| {
        let (read, write) = UnixStream::pair()?;
        read.set_nonblocking(true)?;
        write.set_nonblocking(true)?;
        Ok(Globals {
            received: AtomicU64::new(0),
            read,
            write,
            waiters: parking_lot::Mutex::new(Vec::new()),
        })
    });
    let g = g
        .as_ref()
        .map_err(|e| io::Error::new(e.kind(), e.to_string()))?;
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let fd = g.write.as_raw_fd();
            let action = move || {
                g.received.fetch_add(1, Ordering::SeqCst);
                let byte = 1u8;
                // SAFETY: `write(2)` on a valid fd with a valid one-byte
                // buffer; it is async-signal-safe. The pipe lives in a
                // static and is never closed. A full pipe (EAGAIN) is fine:
                // the waiters are already woken by the unread bytes.
                unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
            };
            // SAFETY: the action only does an atomic add and `write(2)`,
            // both async-signal-safe; it allocates, locks and panics never.
            unsafe { signal_hook_registry::register(libc::SIGINT, action) }
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|e| io::Error::other(format!("could not install the SIGINT handler: {e}")))?;
    Ok(g)
}

/// Completes at the next Ctrl-C (`SIGINT`) received after this call (the
/// handler is installed and the count read here, not at the first poll,
/// so a signal that arrives before the first `.await` is not missed).
///
/// # Panics
/// Outside a runtime with the I/O driver enabled.
///
/// ```no_run
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     runtime_core::signal::ctrl_c().await.expect("listening for Ctrl-C");
///     println!("shutting down");
/// });
/// ```
///
/// A program (a test of its shutdown path, say) can send the signal to
/// itself; once `ctrl_c` was called, `SIGINT` no longer ends the process:
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let ctrl_c = runtime_core::signal::ctrl_c(); // the handler is installed here
///     // SAFETY: `raise` only sends a signal to the calling thread.
///     unsafe { libc::raise(libc::SIGINT) };
///     ctrl_c.await.unwrap();
/// });
/// ```
#[track_caller]
pub fn ctrl_c() -> impl std::future::Future<Output = io::Result<()>> + Send {
    let setup = globals().and_then(|g| {
        let start = g.received.load(Ordering::SeqCst);
        // Our own registration (a duplicate fd) so any number of waiters,
        // on any runtime, are each woken by the pipe's readiness.
        let reader = g.read.try_clone()?;
        Ok((
            g,
            start,
            AsyncFd::with_interest(reader, Interest::READABLE)?,
        ))
    });
    async move {
        let (g, start, fd) = setup?;
        wait_past(g, start, &fd).await
    }
}

async fn wait_past(g: &Globals, start: u64, fd: &AsyncFd<UnixStream>) -> io::Result<()> {
    std::future::poll_fn(|cx| loop {
        if g.received.load(Ordering::SeqCst) != start {
            return Poll::Ready(Ok(()));
        }
        {
            let mut waiters = g.waiters.lock();
            if !waiters.iter().any(|w| w.will_wake(cx.waker())) {
                waiters.push(cx.waker().clone());
            }
        }
        // Looked at again after registering: a signal counted before the
        // registration is seen here, one after it wakes us.
        if g.received.load(Ordering::SeqCst) != start {
            return Poll::Ready(Ok(()));
        }
        let mut guard = match fd.poll_read_ready(cx) {
            Poll::Ready(Ok(guard)) => guard,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        };
        // The pipe's readiness reaches at least the first waiter whose
        // driver looks; it drains the pipe (so it never fills) and wakes
        // every waiter, whose own event may have been dropped by the
        // drain.
        let mut buf = [0u8; 64];
        loop {
            match guard.get_inner().read(&mut buf) {
                Ok(0) => break,
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    guard.clear_ready();
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        let waiters = std::mem::take(&mut *g.waiters.lock());
        for w in waiters {
            w.wake();
        }
    })
    .await
}
