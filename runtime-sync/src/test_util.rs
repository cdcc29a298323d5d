//! Helpers of the crate's unit tests: a stand-in for the runtime's hook
//! (a per-thread "inside a runtime" flag, and a timer that fires at once
//! for a zero duration and never otherwise), a waker that counts its
//! wakes and its clones, and panic-message capture.

use crate::coop::{CoopHook, HookSleep};
use std::cell::Cell;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

thread_local! {
    static IN_RUNTIME: Cell<bool> = const { Cell::new(false) };
}

static TEST_HOOK: CoopHook = CoopHook {
    poll_proceed: |_| Poll::Ready(false),
    refund: || {},
    in_runtime: || IN_RUNTIME.with(Cell::get),
    sleep: test_sleep,
};

/// A zero duration has elapsed at once; any other never does (the tests
/// that use one finish by another way, or check the future's drop).
fn test_sleep(duration: Duration, _what: &'static str) -> HookSleep {
    struct Never;
    impl Future for Never {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            Poll::Pending
        }
    }
    if duration.is_zero() {
        Box::pin(std::future::ready(()))
    } else {
        Box::pin(Never)
    }
}

/// Installs the stand-in hook (for the whole test binary: it changes
/// nothing for tests that do not use it).
pub(crate) fn install_hook() {
    crate::coop::install_coop_hook(&TEST_HOOK);
}

/// Runs `f` as if on a runtime's thread.
pub(crate) fn as_runtime_thread<R>(f: impl FnOnce() -> R) -> R {
    install_hook();
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            IN_RUNTIME.with(|c| c.set(false));
        }
    }
    IN_RUNTIME.with(|c| c.set(true));
    let _reset = Reset;
    f()
}

/// The message of the panic `f` raises.
///
/// # Panics
/// When `f` returns instead.
pub(crate) fn panic_message<R>(f: impl FnOnce() -> R) -> String {
    let Err(payload) = catch_unwind(AssertUnwindSafe(f)) else {
        panic!("expected a panic");
    };
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        String::from("<non-string panic>")
    }
}

/// A waker that counts its wakes; `Arc::strong_count` of it tells how many
/// clones are still held somewhere.
#[derive(Default)]
pub(crate) struct CountingWaker {
    wakes: AtomicUsize,
}

impl CountingWaker {
    pub(crate) fn new() -> Arc<CountingWaker> {
        Arc::new(CountingWaker::default())
    }

    pub(crate) fn wakes(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls `fut` once with `waker`.
pub(crate) fn poll_once<F: Future + Unpin>(
    fut: &mut F,
    waker: &Arc<CountingWaker>,
) -> Poll<F::Output> {
    let waker = Waker::from(waker.clone());
    Pin::new(fut).poll(&mut Context::from_waker(&waker))
}
