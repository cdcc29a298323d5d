//! Catching a panic that escaped outside any task, for the layers below
//! the scheduler: the driver waking wakers, a task's output destructor or
//! join waker (`raw_task/`), a signal's wakers. They catch it here and
//! hand it to the sink the scheduler layer installed
//! (`scheduler/escaped.rs`: the runtime current on this thread records it
//! and its next `block_on` re-raises it), so they need not name the
//! scheduler. A panic no runtime takes is logged at error (target
//! `runtime::panic`); that is also what happens before any runtime was
//! built, when no sink is installed yet.

use std::any::Any;
use std::sync::OnceLock;
use std::task::Waker;

/// A panic payload, as `catch_unwind` returns it.
pub(crate) type Payload = Box<dyn Any + Send + 'static>;

/// Gives `payload` (caught at `place`) to the runtime current on this
/// thread; hands it back when there is none.
pub(crate) type Sink = fn(place: &str, payload: Payload) -> Option<Payload>;

static SINK: OnceLock<Sink> = OnceLock::new();

/// Installs the sink (the first call wins; every runtime installs the
/// same one).
pub(crate) fn install(sink: Sink) {
    let _ = SINK.set(sink);
}

/// The text of a panic payload (`&str` or `String`), for the log.
pub(crate) fn message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "a non-string payload"
    }
}

/// Runs `f`, catching a panic and reporting it (`report_current`).
pub(crate) fn catch(place: &str, f: impl FnOnce()) {
    if let Err(payload) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        report_current(place, payload);
    }
}

/// Hands `payload` to the current runtime through the sink, or logs it
/// when this thread has no runtime.
pub(crate) fn report_current(place: &str, payload: Payload) {
    let left = match SINK.get() {
        Some(sink) => sink(place, payload),
        None => Some(payload),
    };
    if let Some(payload) = left {
        log::error!(
            target: "runtime::panic",
            "{place} panicked outside any task and outside any runtime: {}",
            message(&*payload)
        );
    }
}

/// Wakes every waker in `wakers`, draining it; a waker that panics is
/// reported and the rest are still woken.
pub(crate) fn wake_all(wakers: impl IntoIterator<Item = Waker>) {
    for w in wakers {
        catch("a waker woken by the driver", || w.wake());
    }
}
