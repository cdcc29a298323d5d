//! Signals: [`ctrl_c`] and, on Unix, [`unix::signal`] for any signal
//! (asyncio's `loop.add_signal_handler`).
//!
//! The first listener for a signal installs one process-wide handler for
//! it (through `signal-hook-registry`), which only notes the arrival and
//! writes a byte to a self-pipe. Every runtime's I/O driver watches that
//! one pipe (through its own duplicate, registered the first time a
//! listener is created on it) and wakes the listeners of the signals that
//! arrived. A listener costs no file descriptor and one waker slot, freed
//! when it drops. Once a handler is installed, the signal no longer has
//! its default effect (Ctrl-C no longer ends the process): the program
//! decides what to do, as with Tokio.

pub(crate) mod registry;
pub mod unix;

#[doc(hidden)]
pub use registry::listener_entries;

use std::io;

/// Completes at the next Ctrl-C (`SIGINT`) received after this call (the
/// handler is installed and the listener created here, not at the first
/// poll, so a signal that arrives before the first `.await` is not
/// missed).
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
///
/// # Cancel safety
///
/// The future owns its listener: once it is dropped (a losing `select!`
/// branch), a Ctrl-C that arrives before the next `ctrl_c()` call is not
/// seen by it. In a loop, create one listener outside the loop
/// ([`unix::signal`]`(SignalKind::interrupt())`) and call its cancel-safe
/// [`recv`](unix::Signal::recv) in the loop, or pin one `ctrl_c()` future
/// outside the loop and select on `&mut` it.
#[track_caller]
pub fn ctrl_c() -> impl std::future::Future<Output = io::Result<()>> + Send {
    let listener = unix::signal(unix::SignalKind::interrupt());
    async move {
        listener?.recv().await;
        Ok(())
    }
}
