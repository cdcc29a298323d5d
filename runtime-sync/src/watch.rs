//! `watch`: a single value that receivers observe; each receiver learns
//! that it changed since it last looked (`changed().await`) and reads the
//! latest value (`borrow`). Intermediate values may be skipped: a watch
//! keeps the latest state, not a history.

use crate::loom::sync::{Arc, Mutex};
use crate::wait_list::{Registration, WaitList, WakeList};
use parking_lot::{RwLock, RwLockReadGuard};
use std::fmt;
use std::ops::Deref;
use std::task::{Poll, Waker};

/// Errors of the watch channel.
pub mod error {
    use std::fmt;

    crate::send_error_type!(
        r#"No receiver exists; the value comes back.

```
use runtime_sync::watch;
let (tx, rx) = watch::channel(0);
drop(rx);
assert_eq!(tx.send(1).unwrap_err().0, 1);
```"#
    );

    /// The sender is gone (no more changes will come).
    ///
    /// ```
    /// use runtime_sync::watch;
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = watch::channel(0);
    ///     drop(tx);
    ///     assert!(rx.changed().await.is_err());
    ///     assert_eq!(*rx.borrow(), 0); // the last value stays readable
    /// });
    /// ```
    #[derive(Debug, PartialEq, Eq, Clone, Copy)]
    pub struct RecvError(pub(crate) ());

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}
}

use error::{RecvError, SendError};

struct Shared<T> {
    value: RwLock<T>,
    state: Mutex<State>,
}

struct State {
    version: u64,
    sender_alive: bool,
    receivers: usize,
    /// `changed()` futures waiting for the next version; a future dropped
    /// while waiting takes its waker back out (it holds its task alive).
    waiters: WaitList<Waker>,
    closed_waiters: WaitList<Waker>,
}

/// Creates a watch channel holding `init`.
///
/// ```
/// use runtime_sync::watch;
/// futures::executor::block_on(async {
///     let (tx, mut rx) = watch::channel("starting");
///     tx.send("ready").unwrap();
///     rx.changed().await.unwrap();
///     assert_eq!(*rx.borrow_and_update(), "ready");
/// });
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        value: RwLock::new(init),
        state: Mutex::new(State {
            version: 0,
            sender_alive: true,
            receivers: 1,
            waiters: WaitList::new(),
            closed_waiters: WaitList::new(),
        }),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared, seen: 0 },
    )
}

/// Publishes new values.
///
/// ```
/// use runtime_sync::watch;
/// let (tx, mut rx) = watch::channel(0);
/// let publisher = std::thread::spawn(move || {
///     for i in 1..=100 {
///         tx.send(i).unwrap();
///     }
/// });
/// // The receiver may skip values, but it always ends on the latest.
/// futures::executor::block_on(async { while rx.changed().await.is_ok() {} });
/// publisher.join().unwrap();
/// assert_eq!(*rx.borrow(), 100);
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// Observes the value.
///
/// ```
/// use runtime_sync::watch;
/// let (tx, rx) = watch::channel("v1");
/// let rx2 = rx.clone(); // each clone tracks what it has seen on its own
/// tx.send("v2").unwrap();
/// assert_eq!(*rx.borrow(), "v2");
/// assert!(rx2.has_changed().unwrap());
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The version this receiver has seen.
    seen: u64,
}

/// A read lock on the current value; do not hold it across an `.await`,
/// and drop it before sending on the same thread (the send would wait for
/// it forever).
///
/// ```
/// use runtime_sync::watch;
/// let (tx, rx) = watch::channel(vec![1, 2, 3]);
/// {
///     let r = rx.borrow(); // a read lock: keep it short
///     assert_eq!(r.len(), 3);
/// } // released here, so the send below can take the write lock
/// tx.send(vec![]).unwrap();
/// assert!(rx.borrow().is_empty());
/// ```
pub struct Ref<'a, T> {
    guard: RwLockReadGuard<'a, T>,
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T> Sender<T> {
    /// Replaces the value and notifies receivers; fails (giving the value
    /// back) when there is no receiver.
    ///
    /// ```
    /// use runtime_sync::watch;
    /// let (tx, rx) = watch::channel(1);
    /// tx.send(2).unwrap();
    /// assert_eq!(*rx.borrow(), 2);
    /// drop(rx);
    /// assert!(tx.send(3).is_err()); // nobody watches: not stored
    /// assert_eq!(*tx.borrow(), 2);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.shared.state.lock().receivers == 0 {
            return Err(SendError(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Replaces the value (even with no receiver) and returns the old one.
    ///
    /// ```
    /// use runtime_sync::watch;
    /// let (tx, rx) = watch::channel(1);
    /// drop(rx);
    /// assert_eq!(tx.send_replace(2), 1); // stored even with no receiver
    /// assert_eq!(*tx.borrow(), 2);
    /// ```
    pub fn send_replace(&self, value: T) -> T {
        let mut guard = self.shared.value.write();
        let old = std::mem::replace(&mut *guard, value);
        let waiters = self.bump();
        drop(guard);
        waiters.wake_all();
        old
    }

    /// Changes the value in place and notifies receivers.
    ///
    /// ```
    /// use runtime_sync::watch;
    /// let (tx, mut rx) = watch::channel(vec!["a"]);
    /// tx.send_modify(|v| v.push("b"));
    /// assert!(rx.has_changed().unwrap());
    /// assert_eq!(*rx.borrow_and_update(), ["a", "b"]);
    /// ```
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.send_if_modified(|value| {
            modify(value);
            true
        });
    }

    /// Changes the value in place, and notifies receivers only if `modify`
    /// returns `true` (it says whether it changed anything); returns what
    /// `modify` returned. Works with no receiver too. If `modify` panics,
    /// the receivers are not notified (what it changed before the panic
    /// stays).
    ///
    /// ```
    /// use runtime_sync::watch;
    /// let (tx, mut rx) = watch::channel(3);
    /// // Only an increase counts as a change.
    /// let raise_to = |new| {
    ///     move |v: &mut i32| {
    ///         if new > *v {
    ///             *v = new;
    ///             true
    ///         } else {
    ///             false
    ///         }
    ///     }
    /// };
    /// assert!(!tx.send_if_modified(raise_to(2)));
    /// assert!(!rx.has_changed().unwrap(), "not modified: nobody is told");
    /// assert!(tx.send_if_modified(raise_to(5)));
    /// assert!(rx.has_changed().unwrap());
    /// assert_eq!(*rx.borrow_and_update(), 5);
    /// ```
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        let mut guard = self.shared.value.write();
        if !modify(&mut guard) {
            return false;
        }
        let waiters = self.bump();
        drop(guard);
        waiters.wake_all();
        true
    }

    /// A new version, counted while the value's write lock is held (lock
    /// order: value, then state), so a reader that reads the value and
    /// then the version under the value's read lock sees them match.
    fn bump(&self) -> WakeList {
        let mut st = self.shared.state.lock();
        st.version += 1;
        st.waiters.take_all()
    }

    /// The current value.
    ///
    /// ```
    /// use runtime_sync::watch;
    /// let (tx, _rx) = watch::channel(String::from("config v1"));
    /// assert_eq!(*tx.borrow(), "config v1");
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.value.read(),
        }
    }

    /// A new receiver that has seen the current value.
    ///
    /// ```
    /// use runtime_sync::watch;
    /// let (tx, rx) = watch::channel(0);
    /// tx.send(1).unwrap();
    /// let late = tx.subscribe();
    /// assert!(!late.has_changed().unwrap()); // has seen the current value
    /// assert_eq!(*late.borrow(), 1);
    /// assert!(rx.has_changed().unwrap());
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        let mut st = self.shared.state.lock();
        st.receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            seen: st.version,
        }
    }

    /// Receivers alive now.
    ///
    /// ```
    /// use runtime_sync::watch;
    /// let (tx, rx) = watch::channel(());
    /// let rx2 = rx.clone();
    /// assert_eq!(tx.receiver_count(), 2);
    /// drop((rx, rx2));
    /// assert!(tx.is_closed());
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.state.lock().receivers
    }

    /// Whether every receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Waits until every receiver is gone.
    ///
    /// ```
    /// use runtime_sync::watch;
    /// let (tx, rx) = watch::channel(0);
    /// let publisher = std::thread::spawn(move || {
    ///     futures::executor::block_on(tx.closed()); // until nobody watches
    ///     tx.is_closed()
    /// });
    /// drop(rx);
    /// assert!(publisher.join().unwrap());
    /// ```
    pub async fn closed(&self) {
        crate::wait_list::wait_until(
            &self.shared.state,
            |st| &mut st.closed_waiters,
            |st| st.receivers == 0,
        )
        .await
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waiters = {
            let mut st = self.shared.state.lock();
            st.sender_alive = false;
            st.waiters.take_all()
        };
        waiters.wake_all();
    }
}

impl<T> Receiver<T> {
    /// Waits until the value changes after this receiver last looked
    /// (marking it seen); fails once the sender is gone. Cancel safe.
    ///
    /// ```
    /// use runtime_sync::watch;
    /// let (tx, mut rx) = watch::channel(0);
    /// std::thread::spawn(move || tx.send(1).unwrap());
    /// futures::executor::block_on(async {
    ///     rx.changed().await.unwrap();
    ///     assert_eq!(*rx.borrow_and_update(), 1);
    ///     assert!(rx.changed().await.is_err()); // seen it all, and the sender is gone
    /// });
    /// ```
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        let Receiver { shared, seen } = self;
        changed_impl(shared, seen).await
    }

    /// Waits until the value satisfies `f`, and returns it (read-locked,
    /// as [`borrow`](Receiver::borrow)). The current value is checked
    /// first, even if this receiver has seen it; after that each new
    /// version is checked as it comes (versions replaced before this
    /// receiver looks are skipped). Every value checked is marked seen.
    /// Fails once the sender is gone and the last value did not satisfy
    /// `f`. Cancel safe, though a dropped call may have marked values
    /// seen.
    ///
    /// `f` runs under the value's read lock: it must not send on this
    /// channel.
    ///
    /// ```
    /// use runtime_sync::watch;
    /// let (tx, mut rx) = watch::channel(0);
    /// let counter = std::thread::spawn(move || {
    ///     for i in 1..=10 {
    ///         tx.send(i).unwrap();
    ///     }
    /// });
    /// futures::executor::block_on(async {
    ///     assert!(*rx.wait_for(|v| *v >= 5).await.unwrap() >= 5);
    /// });
    /// counter.join().unwrap();
    /// futures::executor::block_on(async {
    ///     // Already true: returns at once, without waiting for a change.
    ///     assert_eq!(*rx.wait_for(|v| *v >= 5).await.unwrap(), 10);
    ///     // The sender is gone and 10 was the last value.
    ///     assert!(rx.wait_for(|v| *v > 10).await.is_err());
    /// });
    /// ```
    pub async fn wait_for(
        &mut self,
        mut f: impl FnMut(&T) -> bool,
    ) -> Result<Ref<'_, T>, RecvError> {
        let Receiver { shared, seen } = self;
        let shared: &Shared<T> = shared;
        let mut closed = false;
        loop {
            {
                let guard = shared.value.read();
                // Read under the value's read lock: the version is this
                // value's.
                let version = shared.state.lock().version;
                let new = version != *seen;
                *seen = version;
                // After the end, only a version not checked yet is worth a
                // look.
                if (!closed || new) && f(&guard) {
                    return Ok(Ref { guard });
                }
            } // the read lock is released before any wait
            if closed {
                return Err(RecvError(()));
            }
            closed = changed_impl(shared, seen).await.is_err();
        }
    }

    /// Whether the value changed since this receiver last looked; `Err`
    /// once the sender is gone (as Tokio's). `changed()` still returns a
    /// last value this receiver has not seen before it fails.
    ///
    /// ```
    /// use runtime_sync::watch;
    /// let (tx, mut rx) = watch::channel(0);
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.has_changed(), Ok(true));
    /// drop(tx);
    /// assert!(rx.has_changed().is_err());
    /// // The last value is still there to read.
    /// assert_eq!(*rx.borrow_and_update(), 1);
    /// ```
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let st = self.shared.state.lock();
        if !st.sender_alive {
            return Err(RecvError(()));
        }
        Ok(st.version != self.seen)
    }

    /// The current value (without marking it seen).
    ///
    /// ```
    /// use runtime_sync::watch;
    /// let (tx, rx) = watch::channel(0);
    /// tx.send(5).unwrap();
    /// assert_eq!(*rx.borrow(), 5);
    /// assert!(rx.has_changed().unwrap()); // `borrow` does not mark it seen
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.value.read(),
        }
    }

    /// The current value, marking it seen (the version is read under the
    /// value's read lock, so it is this value's).
    ///
    /// ```
    /// use runtime_sync::watch;
    /// let (tx, mut rx) = watch::channel(0);
    /// tx.send(5).unwrap();
    /// assert_eq!(*rx.borrow_and_update(), 5);
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let guard = self.shared.value.read();
        self.seen = self.shared.state.lock().version;
        Ref { guard }
    }

    /// Marks the current value seen.
    ///
    /// ```
    /// use runtime_sync::watch;
    /// let (tx, mut rx) = watch::channel("idle");
    /// tx.send("busy").unwrap();
    /// rx.mark_unchanged(); // not interested in this one
    /// assert!(!rx.has_changed().unwrap());
    /// assert_eq!(*rx.borrow(), "busy");
    /// ```
    pub fn mark_unchanged(&mut self) {
        self.seen = self.shared.state.lock().version;
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.state.lock().receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let waiters = {
            let mut st = self.shared.state.lock();
            st.receivers -= 1;
            if st.receivers > 0 {
                return;
            }
            st.closed_waiters.take_all()
        };
        waiters.wake_all();
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Sender")
            .field("value", &*self.borrow())
            .finish()
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Receiver")
            .field("value", &*self.borrow())
            .finish()
    }
}

/// `changed()` on the receiver's parts, so `wait_for` can return a value
/// borrowed from `shared` while it updates `seen`.
async fn changed_impl<T>(shared: &Shared<T>, seen: &mut u64) -> Result<(), RecvError> {
    let mut waiting = Registration::new(&shared.state, |st: &mut State| &mut st.waiters);
    std::future::poll_fn(|cx| {
        let restore = std::task::ready!(crate::coop::poll_proceed(cx));
        let mut st = shared.state.lock();
        if st.version != *seen {
            *seen = st.version;
            drop(st);
            restore.made_progress();
            return Poll::Ready(Ok(()));
        }
        if !st.sender_alive {
            drop(st);
            restore.made_progress();
            return Poll::Ready(Err(RecvError(())));
        }
        waiting.register(&mut st, cx.waker());
        Poll::Pending
    })
    .await
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::channel;
    use crate::test_util::{poll_once, CountingWaker};
    use std::sync::Arc;
    use std::task::Poll;

    #[test]
    fn wait_for_checks_the_current_value_first_even_if_seen() {
        let (_tx, mut rx) = channel(7);
        rx.mark_unchanged();
        let w = CountingWaker::new();
        let mut fut = Box::pin(rx.wait_for(|v| *v == 7));
        let Poll::Ready(Ok(v)) = poll_once(&mut fut, &w) else {
            panic!("the current value satisfies the predicate");
        };
        assert_eq!(*v, 7);
    }

    #[test]
    fn wait_for_waits_for_a_matching_version_and_marks_it_seen() {
        let (tx, mut rx) = channel(0);
        let w = CountingWaker::new();
        let mut checked = Vec::new();
        let mut fut = Box::pin(rx.wait_for(|v| {
            checked.push(*v);
            *v == 2
        }));
        assert!(poll_once(&mut fut, &w).is_pending());
        tx.send(1).unwrap();
        assert_eq!(w.wakes(), 1);
        assert!(poll_once(&mut fut, &w).is_pending(), "1 does not match");
        tx.send(2).unwrap();
        assert_eq!(w.wakes(), 2);
        match poll_once(&mut fut, &w) {
            Poll::Ready(Ok(v)) => assert_eq!(*v, 2),
            _ => panic!("2 matches"),
        }
        drop(fut);
        assert_eq!(checked, [0, 1, 2], "each version checked once");
        assert_eq!(rx.has_changed(), Ok(false), "the match is marked seen");
    }

    #[test]
    fn wait_for_after_the_sender_is_gone() {
        let (tx, mut rx) = channel(1);
        tx.send(3).unwrap();
        drop(tx);
        // The last value matches: returned even though the channel ended.
        assert_eq!(
            *futures::executor::block_on(rx.wait_for(|v| *v == 3)).unwrap(),
            3
        );
        assert!(futures::executor::block_on(rx.wait_for(|v| *v == 4)).is_err());

        let (tx, mut rx) = channel(1);
        let w = CountingWaker::new();
        let mut fut = Box::pin(rx.wait_for(|v| *v == 4));
        assert!(poll_once(&mut fut, &w).is_pending());
        drop(tx);
        assert_eq!(w.wakes(), 1, "the sender's drop ends the wait");
        assert!(matches!(poll_once(&mut fut, &w), Poll::Ready(Err(_))));
    }

    #[test]
    fn dropped_wait_for_leaves_no_waker_behind() {
        let (tx, mut rx) = channel(0);
        let w = CountingWaker::new();
        let mut fut = Box::pin(rx.wait_for(|v| *v > 100));
        assert!(poll_once(&mut fut, &w).is_pending());
        assert!(Arc::strong_count(&w) > 1);
        drop(fut);
        assert_eq!(Arc::strong_count(&w), 1);
        tx.send(1).unwrap();
        assert_eq!(w.wakes(), 0);
    }

    #[test]
    fn send_if_modified_notifies_only_when_told_so() {
        let (tx, mut rx) = channel(0);
        let w = CountingWaker::new();
        let mut fut = Box::pin(rx.changed());
        assert!(poll_once(&mut fut, &w).is_pending());
        assert!(!tx.send_if_modified(|v| {
            *v += 1; // changed, but reported as not modified
            false
        }));
        assert_eq!(w.wakes(), 0, "not modified: nobody woken");
        assert!(tx.send_if_modified(|v| {
            *v += 1;
            true
        }));
        assert_eq!(w.wakes(), 1);
        assert!(matches!(poll_once(&mut fut, &w), Poll::Ready(Ok(()))));
        drop(fut);
        assert_eq!(*rx.borrow_and_update(), 2);
        // With no receiver it still modifies.
        drop(rx);
        assert!(tx.send_if_modified(|v| {
            *v = 9;
            true
        }));
        assert_eq!(*tx.borrow(), 9);
    }
}
