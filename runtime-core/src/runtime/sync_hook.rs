//! The hook through which runtime-sync's channels and semaphores spend
//! this runtime's budget (runtime-sync does not depend on this crate; the
//! `Builder` installs the hook). It also tells runtime-sync's `blocking_*`
//! methods whether the thread drives tasks (they panic there), and lends
//! the timer to `mpsc::Sender::send_timeout`. It lives up here, not in
//! `coop.rs`, because it reaches the timer.

use crate::coop;

pub(crate) static SYNC_HOOK: runtime_sync::CoopHook = runtime_sync::CoopHook {
    poll_proceed: coop::sync_poll_proceed,
    refund: coop::sync_refund,
    in_runtime: coop::sync_in_runtime,
    sleep: sync_sleep,
};

/// A `Sleep` on the current runtime's timer.
///
/// # Panics
/// Outside a runtime, or on one built without a timer (naming `what`).
fn sync_sleep(duration: std::time::Duration, what: &'static str) -> runtime_sync::HookSleep {
    let deadline = crate::time::Instant::now()
        .checked_add(duration)
        .unwrap_or_else(crate::time::Instant::far_future);
    // Named with the timer, for the panic's sake (there is no runtime
    // here, or it has no timer).
    let what = format!("{what} (which waits on the runtime's timer)");
    Box::pin(crate::time::Sleep::new_for(deadline, &what))
}
