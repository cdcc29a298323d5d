//! `Notify`: wake one waiting task (`notify_one`, which is remembered as a
//! single permit if nobody waits) or every waiting task
//! (`notify_waiters`, which wakes the `Notified` futures created before
//! the call and is not remembered).
//!
//! Cancel safety: a `Notified` that was chosen by `notify_one` and is
//! dropped before it saw the notification passes it on to the next waiter
//! (or back to the permit), so no notification is lost.

use crate::loom::sync::Mutex;
use crate::wait_list::{Key, WaitList};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Notifies waiting tasks.
///
/// ```
/// use runtime_sync::Notify;
/// let notify = Notify::new();
/// notify.notify_one(); // remembered: nobody waits yet
/// futures::executor::block_on(notify.notified()); // takes it at once
/// ```
pub struct Notify {
    state: Mutex<State>,
}

struct State {
    /// A `notify_one` nobody was waiting for.
    permit: bool,
    /// Counts `notify_waiters` calls; a `Notified` made before one of them
    /// completes when it sees the count moved.
    waiters_calls: u64,
    waiters: WaitList<Waiter>,
}

struct Waiter {
    waker: Option<Waker>,
    notified: Option<How>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum How {
    One,
    All,
}

/// The future of [`Notify::notified`].
///
/// ```
/// use runtime_sync::Notify;
/// futures::executor::block_on(async {
///     let notify = Notify::new();
///     let mut first = Box::pin(notify.notified());
///     assert!(futures::poll!(first.as_mut()).is_pending());
///     notify.notify_one(); // chooses `first`...
///     drop(first); // ...which is dropped before it saw it: the permit is kept
///     notify.notified().await; // completes at once
/// });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Notified<'a> {
    notify: &'a Notify,
    waiters_calls: u64,
    key: Option<Key>,
    done: bool,
}

impl Notify {
    /// A `Notify` with no permit stored.
    ///
    /// ```
    /// use futures::FutureExt;
    /// use runtime_sync::Notify;
    /// let notify = Notify::new();
    /// assert!(notify.notified().now_or_never().is_none()); // no permit stored
    /// ```
    pub fn new() -> Notify {
        Notify {
            state: Mutex::new(State {
                permit: false,
                waiters_calls: 0,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Waits for a notification: a stored permit, a `notify_one` choosing
    /// this waiter (first come, first served), or a `notify_waiters` made
    /// after this call.
    ///
    /// ```
    /// use runtime_sync::Notify;
    /// use std::sync::Arc;
    /// let ready = Arc::new(Notify::new());
    /// let r = ready.clone();
    /// let waiter = std::thread::spawn(move || {
    ///     futures::executor::block_on(r.notified());
    ///     "woken"
    /// });
    /// ready.notify_one(); // wakes it, or is stored if it is not waiting yet
    /// assert_eq!(waiter.join().unwrap(), "woken");
    /// ```
    pub fn notified(&self) -> Notified<'_> {
        let waiters_calls = self.state.lock().waiters_calls;
        Notified {
            notify: self,
            waiters_calls,
            key: None,
            done: false,
        }
    }

    /// Wakes the longest-waiting task, or stores one permit if none waits.
    ///
    /// ```
    /// use runtime_sync::Notify;
    /// futures::executor::block_on(async {
    ///     let notify = Notify::new();
    ///     let mut first = std::pin::pin!(notify.notified());
    ///     let mut second = std::pin::pin!(notify.notified());
    ///     assert!(futures::poll!(first.as_mut()).is_pending());
    ///     assert!(futures::poll!(second.as_mut()).is_pending());
    ///     notify.notify_one(); // the longest-waiting one
    ///     assert!(futures::poll!(first.as_mut()).is_ready());
    ///     assert!(futures::poll!(second.as_mut()).is_pending());
    /// });
    /// ```
    pub fn notify_one(&self) {
        let waker = {
            let mut st = self.state.lock();
            st.notify_one()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Wakes every task waiting now (nothing is stored for later ones).
    ///
    /// ```
    /// use runtime_sync::Notify;
    /// futures::executor::block_on(async {
    ///     let notify = Notify::new();
    ///     let a = notify.notified();
    ///     let b = notify.notified();
    ///     notify.notify_waiters(); // wakes both: they were made before the call
    ///     a.await;
    ///     b.await;
    ///     // Nothing is stored for later: a new `notified` waits.
    ///     assert!(futures::poll!(std::pin::pin!(notify.notified())).is_pending());
    /// });
    /// ```
    pub fn notify_waiters(&self) {
        let mut wakers = Vec::new();
        {
            let mut st = self.state.lock();
            st.waiters_calls += 1;
            while let Some((key, w)) = st.waiters.front_mut() {
                w.notified = Some(How::All);
                wakers.extend(w.waker.take());
                st.waiters.unlink(key);
            }
        }
        for w in wakers {
            w.wake();
        }
    }
}

impl State {
    fn notify_one(&mut self) -> Option<Waker> {
        match self.waiters.front_mut() {
            Some((key, w)) => {
                w.notified = Some(How::One);
                let waker = w.waker.take();
                self.waiters.unlink(key);
                waker
            }
            None => {
                self.permit = true;
                None
            }
        }
    }
}

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.state.lock();
        f.debug_struct("Notify")
            .field("permit", &st.permit)
            .field("waiters", &st.waiters.len())
            .finish()
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(());
        }
        let restore = std::task::ready!(crate::coop::poll_proceed(cx));
        let mut st = this.notify.state.lock();
        let ready = match this.key {
            None => {
                if st.waiters_calls != this.waiters_calls {
                    true
                } else if st.permit {
                    st.permit = false;
                    true
                } else {
                    this.key = Some(st.waiters.push_back(Waiter {
                        waker: Some(cx.waker().clone()),
                        notified: None,
                    }));
                    false
                }
            }
            Some(key) => {
                let w = st
                    .waiters
                    .get_mut(key)
                    .expect("a Notified's entry stays until it is removed");
                if w.notified.is_some() {
                    st.waiters.remove(key);
                    this.key = None;
                    true
                } else {
                    match &w.waker {
                        Some(old) if old.will_wake(cx.waker()) => {}
                        _ => w.waker = Some(cx.waker().clone()),
                    }
                    false
                }
            }
        };
        drop(st);
        if ready {
            this.done = true;
            restore.made_progress();
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else { return };
        let waker = {
            let mut st = self.notify.state.lock();
            match st.waiters.remove(key) {
                // Chosen by notify_one but never saw it: pass it on.
                Some(Waiter {
                    notified: Some(How::One),
                    ..
                }) => st.notify_one(),
                _ => None,
            }
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified")
            .field("done", &self.done)
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::test_util::CountingWaker;
    use std::sync::Arc;

    fn poll(fut: &mut Pin<Box<Notified<'_>>>, waker: &Arc<CountingWaker>) -> Poll<()> {
        let waker = Waker::from(waker.clone());
        fut.as_mut().poll(&mut Context::from_waker(&waker))
    }

    /// With three waiting, each `notify_one` wakes exactly one, the
    /// longest-waiting, and lets exactly that one complete; nothing is
    /// stored while somebody waits.
    #[test]
    fn notify_one_wakes_exactly_one_of_several_waiters() {
        let notify = Notify::new();
        let wakers: Vec<_> = (0..3).map(|_| CountingWaker::new()).collect();
        let mut waits: Vec<_> = (0..3).map(|_| Box::pin(notify.notified())).collect();
        for (w, waker) in waits.iter_mut().zip(&wakers) {
            assert!(poll(w, waker).is_pending());
        }
        for round in 0..3 {
            notify.notify_one();
            let wakes: Vec<_> = wakers.iter().map(|w| w.wakes()).collect();
            let mut want = vec![0; 3];
            want[..=round].fill(1);
            assert_eq!(wakes, want, "round {round}: woken");
            // Every waiter not yet done is polled: only the chosen one
            // completes.
            for (i, (w, waker)) in waits.iter_mut().zip(&wakers).enumerate().skip(round) {
                let ready = poll(w, waker).is_ready();
                assert_eq!(
                    ready,
                    i == round,
                    "round {round}: waiter {i} ready: {ready}"
                );
            }
            assert!(
                !notify.state.lock().permit,
                "a permit was stored with waiters queued"
            );
        }
        // All served: the next one is stored.
        notify.notify_one();
        assert!(notify.state.lock().permit);
    }

    /// A `notify_one` with nobody waiting is stored as one permit: the
    /// next `notified()` completes at once, and only that one, however
    /// many `notify_one`s came before.
    #[test]
    fn notify_one_with_no_waiter_stores_one_permit() {
        let notify = Notify::new();
        let w = CountingWaker::new();
        notify.notify_one();
        notify.notify_one();
        let mut first = Box::pin(notify.notified());
        assert_eq!(
            poll(&mut first, &w),
            Poll::Ready(()),
            "the permit was not stored"
        );
        let mut second = Box::pin(notify.notified());
        assert!(
            poll(&mut second, &w).is_pending(),
            "two permits were stored"
        );
        // `notify_waiters` stores nothing.
        drop(second);
        notify.notify_waiters();
        let mut third = Box::pin(notify.notified());
        assert!(
            poll(&mut third, &w).is_pending(),
            "notify_waiters stored a permit"
        );
        notify.notify_one();
        assert_eq!(w.wakes(), 1);
        assert_eq!(poll(&mut third, &w), Poll::Ready(()));
    }
}
