//! Cooperative budget without depending on a runtime: a runtime may
//! install a hook (runtime-core does, when a runtime is built) through
//! which every resource here spends one unit of the current task's budget
//! per ready result, and yields when the budget is spent. On any other
//! executor nothing is installed and nothing is spent.

use std::sync::OnceLock;
use std::task::{Context, Poll};

/// The functions a runtime lends this crate for its budget.
#[doc(hidden)]
pub struct CoopHook {
    /// Takes one unit: `Ready(true)` if one was taken, `Ready(false)` if
    /// the task has no budget at all (unconstrained), `Pending` (after
    /// waking the task) when it is spent.
    pub poll_proceed: fn(&mut Context<'_>) -> Poll<bool>,
    /// Gives back the unit taken by `poll_proceed` (the resource returned
    /// `Pending`, so no work was done).
    pub refund: fn(),
}

static HOOK: OnceLock<&'static CoopHook> = OnceLock::new();

/// Installs the budget hook (the first call wins; later ones are ignored,
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
