//! The runtime services this crate borrows without depending on a
//! runtime: a runtime may install a hook (runtime-core does, when a runtime
//! is built) that lends
//! - its cooperative budget: every resource here spends one unit of the
//!   current task's budget per ready result, and yields when it is spent;
//! - whether the current thread drives asynchronous tasks (the
//!   `blocking_*` methods refuse to block such a thread);
//! - its timer (`mpsc::Sender::send_timeout`).
//!
//! On any other executor nothing is installed: nothing is spent, no
//! thread counts as a runtime thread, and there is no timer.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Duration;

/// A timer future lent by the runtime: completes once its duration has
/// passed on the runtime's clock.
#[doc(hidden)]
pub type HookSleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// The functions a runtime lends this crate: its budget, whether the
/// current thread is inside it, and its timer.
#[doc(hidden)]
pub struct CoopHook {
    /// Takes one unit: `Ready(true)` if one was taken, `Ready(false)` if
    /// the task has no budget at all (unconstrained), `Pending` (after
    /// waking the task) when it is spent.
    pub poll_proceed: fn(&mut Context<'_>) -> Poll<bool>,
    /// Gives back the unit taken by `poll_proceed` (the resource returned
    /// `Pending`, so no work was done).
    pub refund: fn(),
    /// Whether the current thread is inside the runtime's asynchronous
    /// context (it polls tasks or blocks in `block_on`), where blocking
    /// the thread would stall the tasks it drives.
    pub in_runtime: fn() -> bool,
    /// A timer of the given duration on the current runtime's clock. The
    /// `&str` names the caller, for the panic when there is no runtime or
    /// no timer here.
    pub sleep: fn(Duration, &'static str) -> HookSleep,
}

static HOOK: OnceLock<&'static CoopHook> = OnceLock::new();

/// Installs the hook (the first call wins; later ones are ignored,
/// so several runtimes in one process share it).
#[doc(hidden)]
pub fn install_coop_hook(hook: &'static CoopHook) {
    let _ = HOOK.set(hook);
}

/// Proof that a unit was taken; dropping it without `made_progress` gives
/// it back.
pub(crate) struct Restore(Option<fn()>);

impl Restore {
    pub(crate) fn made_progress(mut self) {
        self.0 = None;
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        if let Some(refund) = self.0 {
            refund();
        }
    }
}

#[inline]
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<Restore> {
    match HOOK.get() {
        None => Poll::Ready(Restore(None)),
        Some(h) => match (h.poll_proceed)(cx) {
            Poll::Ready(took) => Poll::Ready(Restore(took.then_some(h.refund))),
            Poll::Pending => Poll::Pending,
        },
    }
}

/// Whether the current thread drives a runtime's asynchronous tasks
/// (always `false` when no runtime installed the hook).
pub(crate) fn in_runtime() -> bool {
    HOOK.get().is_some_and(|h| (h.in_runtime)())
}

/// A timer of `duration` from the runtime, for `what`.
///
/// # Panics
/// When no runtime lent its timer (there is none in this process), or
/// when the runtime refuses (the thread is outside its context, or it was
/// built without a timer).
#[track_caller]
pub(crate) fn sleep(duration: Duration, what: &'static str) -> HookSleep {
    match HOOK.get() {
        Some(h) => (h.sleep)(duration, what),
        None => panic!(
            "{what} needs a timer, and runtime-sync has none of its own: call it from the \
             context of this project's runtime built with a timer (`Builder::enable_time()` \
             or `enable_all()`), or on another executor wrap `send` in that executor's own \
             timeout"
        ),
    }
}
