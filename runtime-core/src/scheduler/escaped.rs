//! Panics outside any task: in a waker the driver calls, in a join
//! waker or an output's destructor, in a thread hook, or in the
//! scheduler's own code. A panic inside a task's poll is the task's (its
//! `JoinHandle` returns it as a `JoinError`); these belong to nobody, so
//! the runtime must not swallow them.
//!
//! Each one is caught where it happens, logged at error (target
//! `runtime::panic`), and kept in the runtime's [`Escaped`] record. The
//! next `block_on` of that runtime (one running now is woken for it)
//! re-raises the first such panic with its original payload; one that no
//! `block_on` took is re-raised when the runtime is dropped or shut down.
//! Other tasks and workers carry on: a worker whose run loop unwound gets
//! its core back on a new thread (`multi_thread/worker.rs`).
//!
//! The catching itself is in `util/escaped.rs`, so that the layers below
//! the scheduler (the driver, `raw_task/`, signals) need not name it; this
//! module holds the record, the sink that finds the current runtime
//! (`to_current_runtime`, which every scheduler handle installs there) and
//! `block_on`'s watcher.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

pub(crate) use crate::util::escaped::{message, Payload};

/// One runtime's record of panics that escaped outside any task. Plain std
/// types even under loom: this is error reporting, not a protocol under
/// test.
#[derive(Default)]
pub(crate) struct Escaped {
    /// A payload is waiting to be re-raised (read without the lock on every
    /// `block_on` poll).
    pending: AtomicBool,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The first panic not yet re-raised; later ones are logged only.
    first: Option<Payload>,
    /// `block_on` calls running now, woken when a panic is recorded.
    watchers: Vec<Option<Waker>>,
}

impl Escaped {
    /// Records a panic caught in `place` (e.g. "a waker woken by the
    /// driver"): logs it and wakes every `block_on` of the runtime.
    pub(crate) fn report(&self, place: &str, payload: Payload) {
        log::error!(
            target: "runtime::panic",
            "{place} panicked outside any task: {}; the runtime carries on, and its \
             block_on (or its shutdown) re-raises the panic",
            message(&*payload)
        );
        let wakers: Vec<Waker> = {
            let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            if inner.first.is_none() {
                inner.first = Some(payload);
                self.pending.store(true, Ordering::Release);
            }
            inner.watchers.iter().flatten().cloned().collect()
        };
        for w in wakers {
            w.wake();
        }
    }

    /// The first recorded panic not yet re-raised, taking it.
    pub(crate) fn take(&self) -> Option<Payload> {
        if !self.pending.load(Ordering::Acquire) {
            return None;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        self.pending.store(false, Ordering::Relaxed);
        inner.first.take()
    }

    /// Re-raises the first recorded panic, if there is one.
    pub(crate) fn resume(&self) {
        if let Some(payload) = self.take() {
            std::panic::resume_unwind(payload);
        }
    }

    fn watch(&self, waker: &Waker) -> usize {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match inner.watchers.iter().position(Option::is_none) {
            Some(i) => {
                inner.watchers[i] = Some(waker.clone());
                i
            }
            None => {
                inner.watchers.push(Some(waker.clone()));
                inner.watchers.len() - 1
            }
        }
    }

    fn unwatch(&self, key: usize) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.watchers[key] = None;
    }
}

/// The sink `util/escaped.rs` hands a caught panic to (each scheduler
/// handle's constructor installs it): records `payload` in the current
/// runtime's [`Escaped`], or hands it back when this thread has no
/// runtime.
pub(crate) fn to_current_runtime(place: &str, payload: Payload) -> Option<Payload> {
    let mut payload = Some(payload);
    crate::scheduler::current::with_current(|h| {
        if let Some(h) = h {
            h.escaped()
                .report(place, payload.take().expect("reported once"));
        }
    });
    payload
}

/// `block_on`'s future: polls `future`, but first re-raises a panic that
/// escaped outside any task of the runtime (waking for one that arrives
/// while it waits).
pub(crate) struct WatchPanics<'a, F> {
    escaped: &'a Escaped,
    key: Option<usize>,
    future: F,
}

impl<'a, F> WatchPanics<'a, F> {
    pub(crate) fn new(escaped: &'a Escaped, future: F) -> Self {
        WatchPanics {
            escaped,
            key: None,
            future,
        }
    }
}

impl<F: Future> Future for WatchPanics<'_, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of
        // `self` and `WatchPanics` has no `Unpin` impl of its own or a
        // `Drop` that moves it; the other fields are not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        // The block_on waker never changes during one call: register once.
        if this.key.is_none() {
            this.key = Some(this.escaped.watch(cx.waker()));
        }
        this.escaped.resume();
        // SAFETY: see above; `future` stays where it is.
        let res = unsafe { Pin::new_unchecked(&mut this.future) }.poll(cx);
        // One caught while the future ran (a JoinHandle's output dropped
        // in it, say) is this call's to raise, even if the future is done.
        this.escaped.resume();
        res
    }
}

impl<F> Drop for WatchPanics<'_, F> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            self.escaped.unwatch(key);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn the_first_panic_is_kept_and_taken_once() {
        let e = Escaped::default();
        assert!(e.take().is_none());
        e.report("a test", Box::new("first"));
        e.report("a test", Box::new(String::from("second")));
        let p = e.take().expect("the first panic");
        assert_eq!(message(&*p), "first");
        assert!(e.take().is_none(), "taken twice");
    }
}
