//! Loom models of the runtime's concurrency protocols. Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p runtime-core --release --lib loom`
//! (see `.ci/run`). Each model explores every interleaving of a small
//! scenario (within the preemption bound) and fails on a data race, a
//! deadlock (a lost wake-up shows up as one), a leak or a failed assertion.

#[cfg(target_os = "linux")]
mod alarm;
mod lease;
mod runtime;
mod task;

use crate::loom::sync::atomic::{AtomicBool, Ordering::SeqCst};
use crate::loom::sync::{Arc, Mutex};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// A one-shot readiness flag with a waker, loom-visible.
pub(super) struct ReadyFlag {
    ready: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl ReadyFlag {
    pub(super) fn new() -> Arc<ReadyFlag> {
        Arc::new(ReadyFlag {
            ready: AtomicBool::new(false),
            waker: Mutex::new(None),
        })
    }

    pub(super) fn fire(&self) {
        self.ready.store(true, SeqCst);
        let waker = self.waker.lock().take();
        if let Some(w) = waker {
            w.wake();
        }
    }

    pub(super) fn wait(me: &Arc<Self>) -> WaitReady {
        WaitReady(me.clone())
    }
}

/// Resolves once the signal fired.
pub(super) struct WaitReady(Arc<ReadyFlag>);

impl Future for WaitReady {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.ready.load(SeqCst) {
            return Poll::Ready(());
        }
        *self.0.waker.lock() = Some(cx.waker().clone());
        if self.0.ready.load(SeqCst) {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

/// Asserts that a task either ran to `expected` or was cancelled (a race
/// with abort or shutdown may go either way, but never hang or panic).
pub(super) fn assert_ok_or_cancelled<T: PartialEq + std::fmt::Debug>(
    res: Result<T, crate::task::JoinError>,
    expected: T,
) {
    match res {
        Ok(v) => assert_eq!(v, expected),
        Err(e) => assert!(e.is_cancelled(), "{e}"),
    }
}
