//! `mpsc`: multi-producer, single-consumer channels, bounded (senders wait
//! for a free slot: backpressure) and unbounded.
//!
//! One mutex guards everything: the queue, the receiver's waker, the
//! sender count, and a bounded channel's slots (how many are taken, and a
//! FIFO of senders waiting for one). A send that finds a free slot takes
//! it and pushes in one critical section; a receive that takes a message
//! hands its slot straight to the first waiting sender (or frees it) in
//! the same critical section. One lock per operation on each side.
//!
//! Cancel safety (as Tokio's): dropping a pending `send` loses no message
//! (the message was never queued and is dropped with the future) and no
//! slot (see `Semaphore`); `recv` holds no state, so dropping it loses
//! nothing. After every sender is gone, the receiver still gets every
//! buffered message, then `None`.

use crate::loom::sync::{Arc, Mutex};
use crate::wait_list::{Key, WaitList};
use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Errors of the mpsc channels.
pub mod error {
    use std::fmt;

    crate::send_error_type!(
        r#"The receiver is gone; the value comes back.

```
use runtime_sync::mpsc;
let (tx, rx) = mpsc::unbounded_channel();
drop(rx);
let err = tx.send(String::from("undelivered")).unwrap_err();
assert_eq!(err.0, "undelivered");
```"#
    );

    /// Why `try_send` failed; the value comes back.
    ///
    /// ```
    /// use runtime_sync::mpsc::{self, error::TrySendError};
    /// let (tx, rx) = mpsc::channel(1);
    /// tx.try_send(1).unwrap();
    /// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    /// drop(rx);
    /// assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
    /// ```
    #[derive(PartialEq, Eq, Clone, Copy)]
    pub enum TrySendError<T> {
        /// No free slot.
        Full(T),
        /// The receiver is gone.
        Closed(T),
    }

    impl<T> TrySendError<T> {
        /// The value that was not sent.
        ///
        /// ```
        /// use runtime_sync::mpsc;
        /// let (tx, _rx) = mpsc::channel(1);
        /// tx.try_send("first").unwrap();
        /// let err = tx.try_send("second").unwrap_err();
        /// assert_eq!(err.into_inner(), "second");
        /// ```
        pub fn into_inner(self) -> T {
            match self {
                TrySendError::Full(v) | TrySendError::Closed(v) => v,
            }
        }
    }

    impl<T> fmt::Debug for TrySendError<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TrySendError::Full(_) => f.write_str("Full(..)"),
                TrySendError::Closed(_) => f.write_str("Closed(..)"),
            }
        }
    }

    impl<T> fmt::Display for TrySendError<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TrySendError::Full(_) => f.write_str("no available capacity"),
                TrySendError::Closed(_) => f.write_str("channel closed"),
            }
        }
    }

    impl<T> std::error::Error for TrySendError<T> {}

    impl<T> From<SendError<T>> for TrySendError<T> {
        fn from(e: SendError<T>) -> Self {
            TrySendError::Closed(e.0)
        }
    }

    /// Why `try_recv` returned no message.
    ///
    /// ```
    /// use runtime_sync::mpsc::{self, error::TryRecvError};
    /// let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    /// ```
    #[derive(Debug, PartialEq, Eq, Clone, Copy)]
    pub enum TryRecvError {
        /// Nothing queued right now.
        Empty,
        /// Nothing queued, and every sender is gone (or the receiver
        /// closed the channel).
        Disconnected,
    }

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TryRecvError::Empty => f.write_str("receiving on an empty channel"),
                TryRecvError::Disconnected => f.write_str("receiving on a closed channel"),
            }
        }
    }

    impl std::error::Error for TryRecvError {}
}

use error::{SendError, TryRecvError, TrySendError};

struct Chan<T> {
    state: Mutex<State<T>>,
    /// Slots of a bounded channel (`usize::MAX`: unbounded).
    capacity: usize,
}

struct State<T> {
    queue: VecDeque<T>,
    rx_waker: Option<Waker>,
    senders: usize,
    rx_closed: bool,
    /// The receiver itself is gone (not just closed): values that arrive
    /// now can never be received.
    rx_dropped: bool,
    /// `Sender::closed()` waiters.
    closed_waiters: WaitList<Waker>,
    /// Slots taken: queued messages plus slots reserved (by a `Permit`, or
    /// granted to a waiting sender) and not yet filled.
    taken: usize,
    /// Senders waiting for a slot, first come first served.
    send_waiters: WaitList<SendWaiter>,
}

struct SendWaiter {
    waker: Option<Waker>,
    /// A slot was handed to this waiter (counted in `taken`).
    granted: bool,
}

impl<T> State<T> {
    /// Frees one slot: to the first waiting sender (returned to be woken
    /// outside the lock) or back to the pool. No allocation: the common
    /// case of every send and receive.
    ///
    /// After `Receiver::close` no slot is handed out any more: the slot
    /// goes back, and when the last one held (by a `Permit` or a granted
    /// send) comes back, the receiver is woken to see the channel drained.
    fn release_slot(&mut self) -> Option<Waker> {
        if self.rx_closed {
            self.taken -= 1;
            return if self.taken == 0 {
                self.rx_waker.take()
            } else {
                None
            };
        }
        match self.send_waiters.front_mut() {
            Some((key, w)) => {
                w.granted = true;
                let waker = w.waker.take();
                self.send_waiters.unlink(key);
                waker
            }
            None => {
                self.taken -= 1;
                None
            }
        }
    }

    /// Nothing is queued and nothing more can come: every sender is gone,
    /// or the receiver closed the channel and every slot still held then
    /// (permits reserved before the close) has been filled or given back.
    fn drained(&self) -> bool {
        self.queue.is_empty() && (self.senders == 0 || (self.rx_closed && self.taken == 0))
    }

    /// Frees `n` slots: each goes to the first waiting sender if any (it
    /// stays taken, now the waiter's), otherwise back to the pool.
    fn release_slots(&mut self, n: usize, wakers: &mut Vec<Waker>) {
        for _ in 0..n {
            wakers.extend(self.release_slot());
        }
    }
}

fn wake_all(wakers: Vec<Waker>) {
    for w in wakers {
        w.wake();
    }
}

impl<T> Chan<T> {
    fn new(capacity: usize) -> Arc<Chan<T>> {
        Arc::new(Chan {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                rx_waker: None,
                senders: 1,
                rx_closed: false,
                rx_dropped: false,
                closed_waiters: WaitList::new(),
                taken: 0,
                send_waiters: WaitList::new(),
            }),
            capacity,
        })
    }

    /// Takes a free slot if nobody waits before us.
    fn try_take_slot(&self, st: &mut State<T>) -> bool {
        if st.send_waiters.is_empty() && st.taken < self.capacity {
            st.taken += 1;
            return true;
        }
        false
    }

    /// Waits for a slot (`key`: this sender's place in the queue, kept
    /// between polls). `Ok` leaves the slot taken for the caller, with the
    /// lock still held so it can push at once.
    fn poll_slot<'a>(
        &'a self,
        cx: &mut Context<'_>,
        key: &mut Option<Key>,
    ) -> Poll<Result<crate::loom::sync::MutexGuard<'a, State<T>>, ()>> {
        let mut st = self.state.lock();
        match *key {
            None => {
                if st.rx_closed {
                    return Poll::Ready(Err(()));
                }
                if self.try_take_slot(&mut st) {
                    return Poll::Ready(Ok(st));
                }
                *key = Some(st.send_waiters.push_back(SendWaiter {
                    waker: Some(cx.waker().clone()),
                    granted: false,
                }));
                Poll::Pending
            }
            Some(k) => {
                let closed = st.rx_closed;
                let w = st
                    .send_waiters
                    .get_mut(k)
                    .expect("a waiting send keeps its entry");
                if w.granted {
                    st.send_waiters.remove(k);
                    *key = None;
                    if st.rx_closed {
                        // As Tokio: a send that had not taken its slot yet
                        // when the receiver closed fails (only a `Permit`
                        // already in hand still delivers); the slot goes
                        // back, which may end a closed receiver's wait.
                        let waker = st.release_slot();
                        drop(st);
                        if let Some(w) = waker {
                            w.wake();
                        }
                        return Poll::Ready(Err(()));
                    }
                    return Poll::Ready(Ok(st));
                }
                if closed {
                    st.send_waiters.remove(k);
                    *key = None;
                    return Poll::Ready(Err(()));
                }
                match &w.waker {
                    Some(old) if old.will_wake(cx.waker()) => {}
                    _ => w.waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }

    /// A waiting send was dropped: leave the queue, passing on a slot it
    /// had been granted.
    fn cancel_wait(&self, key: Key) {
        let mut wakers = Vec::new();
        {
            let mut st = self.state.lock();
            if let Some(w) = st.send_waiters.remove(key) {
                if w.granted {
                    wakers.extend(st.release_slot());
                }
            }
        }
        wake_all(wakers);
    }

    /// Queues `value` in a slot the caller holds (under `st`).
    fn push_locked(
        &self,
        mut st: crate::loom::sync::MutexGuard<'_, State<T>>,
        value: T,
    ) -> Result<(), SendError<T>> {
        // The caller holds a slot, taken before any close (after one none
        // is handed out): it is filled even if the receiver closed since,
        // as Tokio's permits are. Only a dropped receiver refuses it.
        if st.rx_dropped {
            let waker = st.release_slot();
            drop(st);
            if let Some(w) = waker {
                w.wake();
            }
            return Err(SendError(value));
        }
        st.queue.push_back(value);
        let waker = st.rx_waker.take();
        drop(st);
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// Queues `value` in a slot the caller holds.
    fn push(&self, value: T) -> Result<(), SendError<T>> {
        self.push_locked(self.state.lock(), value)
    }

    /// Gives back a slot the caller holds but will not fill.
    fn give_back_slot(&self) {
        let waker = self.state.lock().release_slot();
        if let Some(w) = waker {
            w.wake();
        }
    }

    fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let restore = std::task::ready!(crate::coop::poll_proceed(cx));
        let mut st = self.state.lock();
        if let Some(v) = st.queue.pop_front() {
            let waker = st.release_slot();
            drop(st);
            if let Some(w) = waker {
                w.wake();
            }
            restore.made_progress();
            return Poll::Ready(Some(v));
        }
        if st.drained() {
            restore.made_progress();
            return Poll::Ready(None);
        }
        match &st.rx_waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => st.rx_waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    fn poll_recv_many(&self, cx: &mut Context<'_>, buf: &mut Vec<T>, limit: usize) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        let restore = std::task::ready!(crate::coop::poll_proceed(cx));
        let mut st = self.state.lock();
        let n = st.queue.len().min(limit);
        if n > 0 {
            buf.extend(st.queue.drain(..n));
            let mut wakers = Vec::new();
            st.release_slots(n, &mut wakers);
            drop(st);
            wake_all(wakers);
            restore.made_progress();
            return Poll::Ready(n);
        }
        if st.drained() {
            restore.made_progress();
            return Poll::Ready(0);
        }
        st.rx_waker = Some(cx.waker().clone());
        Poll::Pending
    }

    fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut st = self.state.lock();
        if let Some(v) = st.queue.pop_front() {
            let waker = st.release_slot();
            drop(st);
            if let Some(w) = waker {
                w.wake();
            }
            return Ok(v);
        }
        if st.drained() {
            return Err(TryRecvError::Disconnected);
        }
        Err(TryRecvError::Empty)
    }

    fn close(&self) {
        let mut wakers = Vec::new();
        {
            let mut st = self.state.lock();
            st.rx_closed = true;
            st.closed_waiters.drain(|w| wakers.push(w));
            // Waiting senders fail on their next poll.
            st.send_waiters
                .for_each_linked(|w| wakers.extend(w.waker.take()));
        }
        wake_all(wakers);
    }

    fn is_closed(&self) -> bool {
        self.state.lock().rx_closed
    }

    /// `Sender::closed()`: waits for the receiver to go away.
    async fn closed(&self) {
        crate::wait_list::wait_until(&self.state, |st| &mut st.closed_waiters, |st| st.rx_closed)
            .await
    }

    fn add_sender(&self) {
        self.state.lock().senders += 1;
    }

    fn drop_sender(&self) {
        let waker = {
            let mut st = self.state.lock();
            st.senders -= 1;
            if st.senders > 0 {
                return;
            }
            st.rx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    fn drop_receiver(&self) {
        self.state.lock().rx_dropped = true;
        self.close();
        // Buffered messages are dropped here, outside the lock; their slots
        // are free again (`capacity()` reports them).
        let queue = {
            let mut st = self.state.lock();
            let queue = std::mem::take(&mut st.queue);
            st.taken -= queue.len();
            queue
        };
        drop(queue);
    }

    fn len(&self) -> usize {
        self.state.lock().queue.len()
    }

    fn free_slots(&self) -> usize {
        let st = self.state.lock();
        self.capacity - st.taken
    }
}

/// The future of [`Sender::send`]; dropping it loses neither the message
/// (it is dropped with the future, never half-sent) nor a slot.
///
/// ```
/// use futures::FutureExt;
/// use runtime_sync::mpsc;
/// let (tx, mut rx) = mpsc::channel(1);
/// tx.try_send(1).unwrap();
/// // Full: the send would wait. Dropping it loses no slot.
/// assert!(tx.send(2).now_or_never().is_none());
/// assert_eq!(rx.try_recv(), Ok(1));
/// assert_eq!(tx.capacity(), 1);
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Send<'a, T> {
    chan: &'a Chan<T>,
    value: Option<T>,
    key: Option<Key>,
}

// The message is moved, never pinned in place.
impl<T> Unpin for Send<'_, T> {}

impl<T> std::future::Future for Send<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        // Checked before a slot is taken: one taken for a finished send
        // would never come back.
        assert!(this.value.is_some(), "Send polled after it completed");
        let restore = std::task::ready!(crate::coop::poll_proceed(cx));
        let res = match std::task::ready!(this.chan.poll_slot(cx, &mut this.key)) {
            Ok(st) => {
                let value = this.value.take().expect("Send polled after it completed");
                this.chan.push_locked(st, value)
            }
            Err(()) => Err(SendError(
                this.value.take().expect("Send polled after it completed"),
            )),
        };
        restore.made_progress();
        Poll::Ready(res)
    }
}

impl<T> Drop for Send<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.chan.cancel_wait(key);
        }
    }
}

impl<T> fmt::Debug for Send<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Send").finish_non_exhaustive()
    }
}

/// The future of [`Sender::reserve`].
struct Reserve<'a, T> {
    chan: &'a Chan<T>,
    key: Option<Key>,
}

impl<T> Unpin for Reserve<'_, T> {}

impl<T> std::future::Future for Reserve<'_, T> {
    type Output = Result<(), ()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let restore = std::task::ready!(crate::coop::poll_proceed(cx));
        let res = std::task::ready!(this.chan.poll_slot(cx, &mut this.key)).map(drop);
        restore.made_progress();
        Poll::Ready(res)
    }
}

impl<T> Drop for Reserve<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.chan.cancel_wait(key);
        }
    }
}

/// Creates a bounded channel with room for `buffer` messages: `send`
/// waits while it is full.
///
/// # Panics
/// When `buffer` is 0 (a channel with no room could never carry a message).
///
/// ```
/// use runtime_sync::mpsc;
/// futures::executor::block_on(async {
///     let (tx, mut rx) = mpsc::channel(2);
///     tx.send(1).await.unwrap();
///     tx.send(2).await.unwrap();
///     assert!(tx.try_send(3).is_err(), "full: backpressure");
///     drop(tx);
///     assert_eq!(rx.recv().await, Some(1));
///     assert_eq!(rx.recv().await, Some(2));
///     assert_eq!(rx.recv().await, None);
/// });
/// ```
#[track_caller]
pub fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        buffer > 0,
        "mpsc::channel needs a buffer of at least 1 message; use unbounded_channel for no limit"
    );
    let chan = Chan::new(buffer);
    (Sender { chan: chan.clone() }, Receiver { chan })
}

/// Creates an unbounded channel: `send` never waits (memory is the limit).
///
/// ```
/// use runtime_sync::mpsc;
/// let (tx, mut rx) = mpsc::unbounded_channel();
/// tx.send("hi").unwrap();
/// assert_eq!(futures::executor::block_on(rx.recv()), Some("hi"));
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let chan = Chan::new(usize::MAX);
    (
        UnboundedSender { chan: chan.clone() },
        UnboundedReceiver {
            inner: Receiver { chan },
        },
    )
}

/// Sends into a bounded channel; clone it for more producers.
///
/// ```
/// use runtime_sync::mpsc;
/// let (tx, mut rx) = mpsc::channel(8);
/// let producers: Vec<_> = (0..3)
///     .map(|i| {
///         let tx = tx.clone();
///         std::thread::spawn(move || futures::executor::block_on(tx.send(i)).unwrap())
///     })
///     .collect();
/// drop(tx); // the receiver sees `None` once every clone is gone too
/// for p in producers {
///     p.join().unwrap();
/// }
/// let mut got = Vec::new();
/// while let Some(v) = futures::executor::block_on(rx.recv()) {
///     got.push(v);
/// }
/// got.sort();
/// assert_eq!(got, [0, 1, 2]);
/// ```
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

/// Receives from a bounded channel.
///
/// ```
/// use futures::StreamExt;
/// use runtime_sync::mpsc;
/// futures::executor::block_on(async {
///     let (tx, rx) = mpsc::channel(4);
///     tx.send(1).await.unwrap();
///     tx.send(2).await.unwrap();
///     drop(tx);
///     // A receiver is also a `Stream`.
///     let all: Vec<i32> = rx.collect().await;
///     assert_eq!(all, [1, 2]);
/// });
/// ```
pub struct Receiver<T> {
    chan: Arc<Chan<T>>,
}

/// A reserved slot: [`send`](Permit::send) fills it without waiting.
/// Dropping it unused frees the slot.
///
/// ```
/// use runtime_sync::mpsc;
/// let (tx, _rx) = mpsc::channel::<u8>(1);
/// let permit = tx.try_reserve().unwrap();
/// assert_eq!(tx.capacity(), 0);
/// drop(permit); // unused: the slot is free again
/// assert_eq!(tx.capacity(), 1);
/// ```
pub struct Permit<'a, T> {
    chan: &'a Chan<T>,
    used: bool,
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

impl<T> Sender<T> {
    /// Waits for a free slot, then queues `value`. Fails (giving the value
    /// back) once the receiver is gone. Cancel safe: dropping the future
    /// loses no slot (the message goes with the future).
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let producer = std::thread::spawn(move || {
    ///     futures::executor::block_on(async {
    ///         for i in 0..3 {
    ///             tx.send(i).await.unwrap(); // waits while the one slot is taken
    ///         }
    ///     })
    /// });
    /// let mut got = Vec::new();
    /// futures::executor::block_on(async {
    ///     while let Some(v) = rx.recv().await {
    ///         got.push(v);
    ///     }
    /// });
    /// producer.join().unwrap();
    /// assert_eq!(got, [0, 1, 2]);
    /// ```
    pub fn send(&self, value: T) -> Send<'_, T> {
        Send {
            chan: &self.chan,
            value: Some(value),
            key: None,
        }
    }

    /// Queues `value` if there is a free slot (and no `send` is already
    /// waiting for one), without waiting.
    ///
    /// ```
    /// use runtime_sync::mpsc::{self, error::TrySendError};
    /// let (tx, mut rx) = mpsc::channel(1);
    /// assert!(tx.try_send(1).is_ok());
    /// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert!(tx.try_send(2).is_ok());
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let mut st = self.chan.state.lock();
        if st.rx_closed {
            return Err(TrySendError::Closed(value));
        }
        if !self.chan.try_take_slot(&mut st) {
            return Err(TrySendError::Full(value));
        }
        self.chan.push_locked(st, value).map_err(TrySendError::from)
    }

    /// Waits for a free slot and keeps it for a later `Permit::send`.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = mpsc::channel(1);
    ///     // Reserve first, then build the message: nothing is built in vain.
    ///     let permit = tx.reserve().await.unwrap();
    ///     permit.send(String::from("built after reserving"));
    ///     assert_eq!(rx.recv().await.as_deref(), Some("built after reserving"));
    ///     drop(rx);
    ///     assert!(tx.reserve().await.is_err());
    /// });
    /// ```
    pub async fn reserve(&self) -> Result<Permit<'_, T>, SendError<()>> {
        Reserve {
            chan: &self.chan,
            key: None,
        }
        .await
        .map_err(|()| SendError(()))?;
        Ok(Permit {
            chan: &self.chan,
            used: false,
        })
    }

    /// Takes a free slot without waiting.
    ///
    /// ```
    /// use runtime_sync::mpsc::{self, error::TrySendError};
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let permit = tx.try_reserve().unwrap();
    /// assert!(matches!(tx.try_reserve(), Err(TrySendError::Full(()))));
    /// permit.send(7);
    /// assert_eq!(rx.try_recv(), Ok(7));
    /// ```
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        let mut st = self.chan.state.lock();
        if st.rx_closed {
            return Err(TrySendError::Closed(()));
        }
        if !self.chan.try_take_slot(&mut st) {
            return Err(TrySendError::Full(()));
        }
        Ok(Permit {
            chan: &self.chan,
            used: false,
        })
    }

    /// Waits until the receiver is dropped or closed.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, rx) = mpsc::channel::<u8>(1);
    /// let watcher = std::thread::spawn(move || {
    ///     futures::executor::block_on(tx.closed());
    ///     tx.is_closed()
    /// });
    /// drop(rx);
    /// assert!(watcher.join().unwrap());
    /// ```
    pub async fn closed(&self) {
        self.chan.closed().await
    }

    /// Whether the receiver is gone (or closed the channel).
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel::<u8>(1);
    /// assert!(!tx.is_closed());
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// Free slots right now.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(3);
    /// tx.try_send(1).unwrap();
    /// assert_eq!(tx.capacity(), 2);
    /// assert_eq!(tx.max_capacity(), 3);
    /// rx.try_recv().unwrap();
    /// assert_eq!(tx.capacity(), 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.chan.free_slots()
    }

    /// The buffer size the channel was made with.
    pub fn max_capacity(&self) -> usize {
        self.chan.capacity
    }

    /// Whether both senders send into the same channel.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (a, _rx) = mpsc::channel::<u8>(1);
    /// let b = a.clone();
    /// let (c, _rx2) = mpsc::channel::<u8>(1);
    /// assert!(a.same_channel(&b));
    /// assert!(!a.same_channel(&c));
    /// ```
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Permit<'_, T> {
    /// Queues `value` in the reserved slot. A permit reserved before
    /// `Receiver::close` still delivers (the receiver sees `None` only once
    /// every such permit was used or dropped), as Tokio's do; only when the
    /// receiver itself is gone is the value dropped.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(2);
    /// let permit = tx.try_reserve().unwrap();
    /// permit.send("never waits");
    /// assert_eq!(rx.try_recv(), Ok("never waits"));
    ///
    /// let permit = tx.try_reserve().unwrap();
    /// rx.close();
    /// assert!(tx.try_send("refused").is_err());
    /// permit.send("reserved before the close");
    /// assert_eq!(rx.try_recv(), Ok("reserved before the close"));
    /// assert!(rx.try_recv().is_err()); // drained and closed
    /// ```
    pub fn send(mut self, value: T) {
        self.used = true;
        let _ = self.chan.push(value);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        if !self.used {
            self.chan.give_back_slot();
        }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        Sender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> Receiver<T> {
    /// The next message; `None` once every sender is gone and the buffer
    /// is empty. Cancel safe.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = mpsc::channel(2);
    ///     tx.send(1).await.unwrap();
    ///     drop(tx);
    ///     assert_eq!(rx.recv().await, Some(1)); // queued messages outlive the senders
    ///     assert_eq!(rx.recv().await, None);
    /// });
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.chan.poll_recv(cx)).await
    }

    /// Polls for the next message.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// use std::task::{Context, Poll, Waker};
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Pending);
    /// tx.try_send(5).unwrap();
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(5)));
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.chan.poll_recv(cx)
    }

    /// Waits for at least one message, then moves up to `limit` queued
    /// messages into `buffer`; returns how many (0: closed and empty, or
    /// `limit` was 0).
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = mpsc::channel(8);
    ///     for i in 0..5 {
    ///         tx.send(i).await.unwrap();
    ///     }
    ///     let mut batch = Vec::new();
    ///     assert_eq!(rx.recv_many(&mut batch, 3).await, 3);
    ///     assert_eq!(batch, [0, 1, 2]);
    ///     assert_eq!(rx.recv_many(&mut batch, 10).await, 2); // appends
    ///     assert_eq!(batch, [0, 1, 2, 3, 4]);
    ///     drop(tx);
    ///     assert_eq!(rx.recv_many(&mut batch, 10).await, 0); // closed and empty
    /// });
    /// ```
    pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        std::future::poll_fn(|cx| self.chan.poll_recv_many(cx, buffer, limit)).await
    }

    /// The next message if one is queued, without waiting.
    ///
    /// ```
    /// use runtime_sync::mpsc::{self, error::TryRecvError};
    /// let (tx, mut rx) = mpsc::channel(1);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.try_send(1).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.chan.try_recv()
    }

    /// Stops the senders (their `send`, and a `send` still waiting, fail
    /// from now on) while keeping the messages already queued for `recv`.
    /// A `Permit` reserved before the close still delivers, and `recv`
    /// returns `None` only once every such permit was used or dropped (as
    /// Tokio's).
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(2);
    /// tx.try_send(1).unwrap();
    /// rx.close();
    /// assert!(tx.try_send(2).is_err());
    /// assert_eq!(futures::executor::block_on(rx.recv()), Some(1)); // still delivered
    /// assert_eq!(futures::executor::block_on(rx.recv()), None);
    /// ```
    pub fn close(&mut self) {
        self.chan.close();
    }

    /// Whether the channel is closed (by `close` or because every sender
    /// is gone).
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, rx) = mpsc::channel::<u8>(1);
    /// assert!(!rx.is_closed());
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        let st = self.chan.state.lock();
        st.rx_closed || st.senders == 0
    }

    /// Messages queued right now.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, rx) = mpsc::channel(4);
    /// assert!(rx.is_empty());
    /// tx.try_send(1).unwrap();
    /// tx.try_send(2).unwrap();
    /// assert_eq!(rx.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// No message queued right now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.chan.drop_receiver();
    }
}

impl<T> futures_core::Stream for Receiver<T> {
    type Item = T;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.chan.poll_recv(cx)
    }
}

/// Sends into an unbounded channel; clone it for more producers.
///
/// ```
/// use runtime_sync::mpsc;
/// let (tx, mut rx) = mpsc::unbounded_channel();
/// let tx2 = tx.clone();
/// std::thread::spawn(move || tx2.send("from a thread").unwrap())
///     .join()
///     .unwrap();
/// tx.send("from here").unwrap();
/// assert_eq!(rx.try_recv(), Ok("from a thread"));
/// assert_eq!(rx.try_recv(), Ok("from here"));
/// ```
pub struct UnboundedSender<T> {
    chan: Arc<Chan<T>>,
}

/// Receives from an unbounded channel.
///
/// ```
/// use futures::StreamExt;
/// use runtime_sync::mpsc;
/// let (tx, rx) = mpsc::unbounded_channel();
/// for i in 0..3 {
///     tx.send(i).unwrap();
/// }
/// drop(tx);
/// // A receiver is also a `Stream`.
/// let doubled: Vec<i32> = futures::executor::block_on(rx.map(|x| x * 2).collect());
/// assert_eq!(doubled, [0, 2, 4]);
/// ```
pub struct UnboundedReceiver<T> {
    inner: Receiver<T>,
}

impl<T> UnboundedSender<T> {
    /// Queues `value` (never waits); fails once the receiver is gone.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, rx) = mpsc::unbounded_channel();
    /// assert!(tx.send(1).is_ok()); // never waits
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().0, 2); // the value comes back
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        let mut st = self.chan.state.lock();
        if st.rx_closed {
            return Err(SendError(value));
        }
        st.taken += 1;
        self.chan.push_locked(st, value)
    }

    /// Waits until the receiver is dropped or closed.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
    /// rx.close();
    /// futures::executor::block_on(tx.closed()); // completes at once: already closed
    /// assert!(tx.is_closed());
    /// ```
    pub async fn closed(&self) {
        self.chan.closed().await
    }

    /// Whether the receiver is gone (or closed the channel).
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// Whether both senders send into the same channel.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (a, _rx) = mpsc::unbounded_channel::<u8>();
    /// let (b, _rx2) = mpsc::unbounded_channel::<u8>();
    /// assert!(a.same_channel(&a.clone()));
    /// assert!(!a.same_channel(&b));
    /// ```
    pub fn same_channel(&self, other: &UnboundedSender<T>) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        UnboundedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for UnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> UnboundedReceiver<T> {
    /// The next message; `None` once every sender is gone and the buffer
    /// is empty. Cancel safe.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = mpsc::unbounded_channel();
    ///     std::thread::spawn(move || tx.send(42).unwrap());
    ///     assert_eq!(rx.recv().await, Some(42));
    ///     assert_eq!(rx.recv().await, None); // the sender is gone
    /// });
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        self.inner.recv().await
    }

    /// Polls for the next message.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// use std::task::{Context, Poll, Waker};
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Pending);
    /// tx.send('x').unwrap();
    /// drop(tx);
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some('x')));
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(None));
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.inner.poll_recv(cx)
    }

    /// See [`Receiver::recv_many`].
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// for word in ["a", "b", "c"] {
    ///     tx.send(word).unwrap();
    /// }
    /// let mut batch = Vec::with_capacity(16);
    /// let n = futures::executor::block_on(rx.recv_many(&mut batch, 16));
    /// assert_eq!((n, batch), (3, vec!["a", "b", "c"]));
    /// ```
    pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        self.inner.recv_many(buffer, limit).await
    }

    /// The next message if one is queued, without waiting.
    ///
    /// ```
    /// use runtime_sync::mpsc::{self, error::TryRecvError};
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.inner.try_recv()
    }

    /// Stops the senders while keeping the queued messages.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// rx.close();
    /// assert!(tx.send(2).is_err());
    /// assert_eq!(rx.try_recv(), Ok(1)); // queued before the close: still delivered
    /// ```
    pub fn close(&mut self) {
        self.inner.close();
    }

    /// See [`Receiver::is_closed`].
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Messages queued right now.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// tx.send(()).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// rx.try_recv().unwrap();
    /// assert!(rx.is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// No message queued right now.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

impl<T> futures_core::Stream for UnboundedReceiver<T> {
    type Item = T;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().inner.poll_recv(cx)
    }
}

macro_rules! debug_named {
    ($($ty:ident),*) => {$(
        impl<T> fmt::Debug for $ty<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(concat!("mpsc::", stringify!($ty))).finish_non_exhaustive()
            }
        }
    )*};
}

debug_named!(Sender, Receiver, UnboundedSender, UnboundedReceiver);
