//! Blocking a plain thread on one of this crate's futures (the
//! `blocking_*` methods): the future is polled on the calling thread,
//! which parks between polls and is unparked by the future's waker.
//!
//! A thread that drives a runtime's tasks must not block: the tasks it
//! runs (maybe the very one that would wake it) would stall. The runtime's
//! hook tells whether the calling thread is such a thread, and then the
//! call panics instead of deadlocking.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

/// Wakes the blocked thread.
struct ThreadWaker {
    thread: Thread,
    /// Set by a wake, cleared by the blocked thread before it polls again
    /// (so a wake that comes between a poll and the park is not lost, and
    /// a spurious unpark does not cost a poll).
    woken: AtomicBool,
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Release: the state the waker publishes before waking is seen by
        // the thread that observes the flag with Acquire.
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

/// Runs `future` to completion on this thread, parking it while the
/// future waits.
///
/// # Panics
/// When the thread drives a runtime's asynchronous tasks: `what` (the
/// method called) and `instead` (its async form) go into the message.
#[track_caller]
pub(crate) fn block_on<F: Future>(what: &str, instead: &str, future: F) -> F::Output {
    if crate::coop::in_runtime() {
        panic!(
            "Cannot block the current thread from within a runtime: `{what}` was called on a \
             thread that drives asynchronous tasks, and blocking it would stall them. In async \
             code use `{instead}` instead; to block, call `{what}` from \
             `spawn_blocking`, `block_in_place` or a thread outside the runtime."
        );
    }
    let unparker = Arc::new(ThreadWaker {
        thread: thread::current(),
        woken: AtomicBool::new(false),
    });
    let waker = Waker::from(unparker.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        // Acquire: pairs with the waker's Release store.
        while !unparker.woken.swap(false, Ordering::Acquire) {
            thread::park();
        }
    }
}
