//! Thread parking: a worker (or a `block_on` caller) sleeps on a
//! `parking_lot` condvar until another thread unparks it. An unpark that
//! arrives before the park is remembered (NOTIFIED), so no wake-up is ever
//! lost between "I found no work" and "I sleep".
//!
//! This is also where the I/O driver will plug in (I/O issue): one idle
//! worker at a time will park on the driver instead of its condvar.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Condvar, Mutex};
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;

/// The sleeping side; one per worker or per `block_on` thread.
pub(crate) struct Parker {
    inner: Arc<Inner>,
}

/// The waking side; cheap to clone, usable from any thread.
#[derive(Clone)]
pub(crate) struct Unparker {
    inner: Arc<Inner>,
}

struct Inner {
    /// EMPTY, PARKED or NOTIFIED. SeqCst throughout: the unpark/park
    /// handshake is a Dekker-style pattern with the callers' queue checks.
    state: AtomicUsize,
    lock: Mutex<()>,
    condvar: Condvar,
}

impl Parker {
    pub(crate) fn new() -> Parker {
        Parker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                lock: Mutex::new(()),
                condvar: Condvar::new(),
            }),
        }
    }

    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// Sleeps until unparked; returns at once if an unpark came first.
    pub(crate) fn park(&mut self) {
        self.inner.park(None);
    }
}

impl Unparker {
    pub(crate) fn unpark(&self) {
        self.inner.unpark();
    }
}

impl Inner {
    fn park(&self, timeout: Option<Duration>) {
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return;
        }
        if timeout == Some(Duration::ZERO) {
            return;
        }
        let mut guard = self.lock.lock();
        match self.state.compare_exchange(EMPTY, PARKED, SeqCst, SeqCst) {
            Ok(_) => {}
            Err(NOTIFIED) => {
                // Unparked between the fast path and taking the lock.
                self.state.swap(EMPTY, SeqCst);
                return;
            }
            Err(other) => panic!("inconsistent park state: {other}"),
        }
        loop {
            match timeout {
                None => self.condvar.wait(&mut guard),
                Some(t) => {
                    crate::loom::condvar_wait_timeout(&self.condvar, &mut guard, t);
                    // Timed out or not, leave: take a notification if any.
                    match self.state.swap(EMPTY, SeqCst) {
                        NOTIFIED | PARKED => return,
                        other => panic!("inconsistent park state: {other}"),
                    }
                }
            }
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                .is_ok()
            {
                return;
            }
            // Spurious wake-up: sleep again.
        }
    }

    fn unpark(&self) {
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => return,
            PARKED => {}
            other => panic!("inconsistent park state: {other}"),
        }
        // Take the lock so the parker is either before its PARKED CAS (and
        // will see NOTIFIED) or already waiting (and gets the signal).
        drop(self.lock.lock());
        self.condvar.notify_one();
    }
}

impl Wake for Inner {
    fn wake(self: Arc<Self>) {
        self.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.unpark();
    }
}

/// Runs `future` to completion on this thread, parking between polls.
/// Used by `block_on` of the multi-thread runtime and by `Handle::block_on`.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let mut parker = Parker::new();
    let waker = Waker::from(parker.inner.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(v) = crate::coop::budget(|| future.as_mut().poll(&mut cx)) {
            return v;
        }
        parker.park();
    }
}
