//! The bounded channel: `channel`, its `Sender` (with backpressure: a
//! send waits for a free slot) and `Receiver`, and the `send` future.

use super::chan::{Chan, Reserve, RxCore, MAX_CAPACITY};
use super::error::{SendError, SendTimeoutError, TryRecvError, TrySendError};
use super::handle::{StrongChan, WeakChan};
use super::permit::{OwnedPermit, Permit, PermitIterator};
use crate::wait_list::Key;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

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
        let res = match std::task::ready!(this.chan.poll_slots(cx, &mut this.key, 1)) {
            Ok(()) => {
                let value = this.value.take().expect("Send polled after it completed");
                this.chan.push(value)
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
    assert!(
        buffer <= MAX_CAPACITY,
        "mpsc::channel buffer of {buffer} messages is over the limit of {MAX_CAPACITY}; use unbounded_channel for no limit"
    );
    let chan = Chan::new(buffer);
    (
        Sender {
            chan: StrongChan::first(chan.clone()),
        },
        Receiver {
            core: RxCore::new(chan),
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
    pub(super) chan: StrongChan<T>,
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
    pub(super) core: RxCore<T>,
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

    /// Waits for a free slot for at most `timeout`, then queues `value`:
    /// `send` with a deadline. Fails with [`SendTimeoutError::Timeout`]
    /// when no slot came free in time and with
    /// [`SendTimeoutError::Closed`] once the receiver is gone; both give
    /// the value back. A slot that is free at once is taken even with a
    /// zero timeout. The timer is the runtime's (it follows a paused
    /// clock).
    ///
    /// Cancel safe as `send`: dropping the future drops the value, gives
    /// back a slot that had been granted to it, and leaves no waker behind.
    ///
    /// # Panics
    /// On first poll when there is no timer to wait with: outside this
    /// project's runtime (runtime-sync has no timer of its own), or on a
    /// runtime built without `enable_time()`.
    ///
    /// ```
    /// // Only the runtime has a timer: on a plain executor this panics.
    /// use runtime_sync::mpsc;
    /// use std::panic::{catch_unwind, AssertUnwindSafe};
    /// use std::time::Duration;
    /// let (tx, _rx) = mpsc::channel(1);
    /// let panic = catch_unwind(AssertUnwindSafe(|| {
    ///     futures::executor::block_on(tx.send_timeout(1, Duration::from_secs(1)))
    /// }))
    /// .unwrap_err();
    /// let message = panic.downcast_ref::<String>().unwrap();
    /// assert!(message.contains("mpsc::Sender::send_timeout needs a timer"));
    /// ```
    ///
    /// Inside the runtime, a full channel times out on the runtime's clock
    /// (`runtime::time::pause()` makes that instant in tests):
    /// `tx.send_timeout(v, Duration::from_secs(1)).await` then returns
    /// `Err(SendTimeoutError::Timeout(v))`.
    pub async fn send_timeout(
        &self,
        value: T,
        timeout: Duration,
    ) -> Result<(), SendTimeoutError<T>> {
        let mut sleep = crate::coop::sleep(timeout, "mpsc::Sender::send_timeout");
        // Dropped on every way out (a timeout, or this future dropped),
        // which leaves the queue and passes on a slot granted meanwhile.
        let mut reserve = Reserve::new(&self.chan, 1);
        let reserved = std::future::poll_fn(|cx| {
            // The slot first, as Tokio's `timeout`: one free now is taken
            // even when the deadline has passed.
            if let Poll::Ready(res) = Pin::new(&mut reserve).poll(cx) {
                return Poll::Ready(Some(res));
            }
            sleep.as_mut().poll(cx).map(|()| None)
        })
        .await;
        match reserved {
            Some(Ok(())) => self
                .chan
                .push(value)
                .map_err(|e| SendTimeoutError::Closed(e.0)),
            Some(Err(())) => Err(SendTimeoutError::Closed(value)),
            None => Err(SendTimeoutError::Timeout(value)),
        }
    }

    /// Blocks the thread until a slot is free, then queues `value`: `send`
    /// for synchronous code. Fails (giving the value back) once the
    /// receiver is gone.
    ///
    /// # Panics
    /// When called on a thread that drives a runtime's asynchronous tasks
    /// (blocking it would stall them): use `send(value).await` there, or
    /// call this from `spawn_blocking`.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let producer = std::thread::spawn(move || {
    ///     for i in 0..3 {
    ///         tx.blocking_send(i).unwrap(); // parks while the one slot is taken
    ///     }
    /// });
    /// let mut got = Vec::new();
    /// while let Some(v) = rx.blocking_recv() {
    ///     got.push(v);
    /// }
    /// producer.join().unwrap();
    /// assert_eq!(got, [0, 1, 2]);
    /// ```
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        crate::blocking::block_on(
            "mpsc::Sender::blocking_send",
            "mpsc::Sender::send(value).await",
            self.send(value),
        )
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
        match self.chan.try_take_slots(1) {
            Ok(()) => self.chan.push(value).map_err(TrySendError::from),
            Err(TrySendError::Full(())) => Err(TrySendError::Full(value)),
            Err(TrySendError::Closed(())) => Err(TrySendError::Closed(value)),
        }
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
        Reserve::new(&self.chan, 1)
            .await
            .map_err(|()| SendError(()))?;
        Ok(Permit {
            chan: &self.chan,
            used: false,
        })
    }

    /// Waits for `n` free slots at once and keeps them, handed out one by
    /// one as [`Permit`]s by the returned iterator (slots it has not handed
    /// out go back when it is dropped). Fails when the channel is closed,
    /// or when `n` is over [`max_capacity`](Sender::max_capacity) (it
    /// could never be served). `n == 0` succeeds at once on an open
    /// channel.
    ///
    /// Fair: it waits in line with the other senders, and while it waits
    /// at the head of the line, the slots freed go to it. Cancel safe as
    /// `reserve`: dropping the future gives back the slots handed to it so
    /// far (but loses its place in the line).
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = mpsc::channel(4);
    ///     let mut permits = tx.reserve_many(3).await.unwrap();
    ///     assert_eq!(tx.capacity(), 1);
    ///     permits.next().unwrap().send("a");
    ///     permits.next().unwrap().send("b");
    ///     drop(permits); // the third slot is given back
    ///     assert_eq!(tx.capacity(), 2);
    ///     assert_eq!(rx.recv().await, Some("a"));
    ///     assert!(tx.reserve_many(5).await.is_err(), "more than the channel holds");
    /// });
    /// ```
    pub async fn reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, SendError<()>> {
        if n > self.chan.capacity {
            return Err(SendError(()));
        }
        if n == 0 {
            self.chan.try_take_slots(0).map_err(|_| SendError(()))?;
        } else {
            Reserve::new(&self.chan, n)
                .await
                .map_err(|()| SendError(()))?;
        }
        Ok(PermitIterator {
            chan: &self.chan,
            n,
        })
    }

    /// Takes `n` free slots at once without waiting. Fails with
    /// `Full` when fewer are free (or `n` is over `max_capacity`), with
    /// `Closed` when the channel is closed.
    ///
    /// ```
    /// use runtime_sync::mpsc::{self, error::TrySendError};
    /// let (tx, mut rx) = mpsc::channel(2);
    /// let permits = tx.try_reserve_many(2).unwrap();
    /// assert_eq!(permits.len(), 2);
    /// assert!(matches!(tx.try_reserve_many(1), Err(TrySendError::Full(()))));
    /// for (i, permit) in permits.enumerate() {
    ///     permit.send(i);
    /// }
    /// assert_eq!(rx.try_recv(), Ok(0));
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn try_reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, TrySendError<()>> {
        if n > self.chan.capacity {
            return Err(TrySendError::Full(()));
        }
        self.chan.try_take_slots(n)?;
        Ok(PermitIterator {
            chan: &self.chan,
            n,
        })
    }

    /// `reserve` that moves the sender into the permit: the
    /// [`OwnedPermit`] is not tied to a borrow (it can move into a task),
    /// and [`OwnedPermit::send`] hands the sender back. Fails (dropping the
    /// sender) when the channel is closed. Clone the sender first to keep
    /// one.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = mpsc::channel(1);
    ///     let permit = tx.clone().reserve_owned().await.unwrap();
    ///     let worker = std::thread::spawn(move || {
    ///         let tx = permit.send("from the permit's thread");
    ///         tx.is_closed()
    ///     });
    ///     assert!(!worker.join().unwrap());
    ///     assert_eq!(rx.recv().await, Some("from the permit's thread"));
    /// });
    /// ```
    pub async fn reserve_owned(self) -> Result<OwnedPermit<T>, SendError<()>> {
        Reserve::new(&self.chan, 1)
            .await
            .map_err(|()| SendError(()))?;
        Ok(OwnedPermit::new(self))
    }

    /// `try_reserve` that moves the sender into the permit; on failure the
    /// sender comes back inside the error.
    ///
    /// ```
    /// use runtime_sync::mpsc::{self, error::TrySendError};
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let permit = tx.try_reserve_owned().unwrap();
    /// let tx = permit.send(1); // the sender comes back
    /// let Err(TrySendError::Full(tx)) = tx.try_reserve_owned() else {
    ///     panic!("the one slot is taken");
    /// };
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert!(tx.try_reserve_owned().is_ok());
    /// ```
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Self>> {
        match self.chan.try_take_slots(1) {
            Ok(()) => Ok(OwnedPermit::new(self)),
            Err(TrySendError::Full(())) => Err(TrySendError::Full(self)),
            Err(TrySendError::Closed(())) => Err(TrySendError::Closed(self)),
        }
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
        self.chan.try_take_slots(1)?;
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
        self.chan.same_channel(&other.chan)
    }

    /// A [`WeakSender`]: it can become a `Sender` again while some sender
    /// lives, but does not keep the channel open itself.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// drop(tx);
    /// assert!(weak.upgrade().is_none(), "no sender left");
    /// assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected));
    /// ```
    pub fn downgrade(&self) -> WeakSender<T> {
        WeakSender {
            chan: self.chan.downgrade(),
        }
    }

    /// `Sender`s of this channel alive now (clones, and those held by
    /// [`OwnedPermit`]s).
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let tx2 = tx.clone();
    /// assert_eq!(tx.strong_count(), 2);
    /// drop(tx2);
    /// assert_eq!(tx.strong_count(), 1);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.chan.sender_count()
    }

    /// [`WeakSender`]s of this channel alive now.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert_eq!(tx.weak_count(), 1);
    /// drop(weak);
    /// assert_eq!(tx.weak_count(), 0);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

/// A sender that does not keep the channel open: when every [`Sender`]
/// is gone the receiver sees the end even while weak senders live, and
/// [`upgrade`](WeakSender::upgrade) fails from then on. Made by
/// [`Sender::downgrade`].
///
/// ```
/// use runtime_sync::mpsc;
/// futures::executor::block_on(async {
///     let (tx, mut rx) = mpsc::channel(2);
///     let weak = tx.downgrade();
///     // A weak handle can send while a strong one lives...
///     weak.upgrade().unwrap().send(1).await.unwrap();
///     drop(tx);
///     // ...but keeps nobody waiting once the strong ones are gone.
///     assert_eq!(rx.recv().await, Some(1));
///     assert_eq!(rx.recv().await, None);
///     assert!(weak.upgrade().is_none());
/// });
/// ```
pub struct WeakSender<T> {
    chan: WeakChan<T>,
}

impl<T> WeakSender<T> {
    /// A `Sender` again, if any sender still lives (`None` once all are
    /// gone: the channel has ended for the receiver).
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let weak = tx.downgrade();
    /// let strong = weak.upgrade().unwrap();
    /// drop(tx);
    /// strong.try_send("still open").unwrap(); // the upgraded one keeps it open
    /// assert_eq!(rx.try_recv(), Ok("still open"));
    /// drop(strong);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn upgrade(&self) -> Option<Sender<T>> {
        self.chan.upgrade().map(|chan| Sender { chan })
    }

    /// `Sender`s of this channel alive now.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert_eq!(weak.strong_count(), 1);
    /// drop(tx);
    /// assert_eq!(weak.strong_count(), 0);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.chan.sender_count()
    }

    /// `WeakSender`s of this channel alive now (this one included).
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// let weak2 = weak.clone();
    /// assert_eq!(weak.weak_count(), 2);
    /// drop(weak2);
    /// assert_eq!(weak.weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

clone_by_hold!(Sender, WeakSender);

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
        std::future::poll_fn(|cx| self.core.poll_recv(cx)).await
    }

    /// Blocks the thread until a message comes: `recv` for synchronous
    /// code. `None` once every sender is gone and the buffer is empty.
    ///
    /// # Panics
    /// When called on a thread that drives a runtime's asynchronous tasks
    /// (blocking it would stall them): use `recv().await` there, or call
    /// this from `spawn_blocking`.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(4);
    /// let consumer = std::thread::spawn(move || {
    ///     let mut sum = 0;
    ///     while let Some(v) = rx.blocking_recv() {
    ///         sum += v;
    ///     }
    ///     sum
    /// });
    /// for i in 1..=4 {
    ///     tx.blocking_send(i).unwrap();
    /// }
    /// drop(tx);
    /// assert_eq!(consumer.join().unwrap(), 10);
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        crate::blocking::block_on(
            "mpsc::Receiver::blocking_recv",
            "mpsc::Receiver::recv().await",
            self.recv(),
        )
    }

    /// Blocks the thread until at least one message comes, then moves up
    /// to `limit` queued messages into `buffer`: `recv_many` for
    /// synchronous code. Returns how many (0: closed and empty, or `limit`
    /// was 0).
    ///
    /// # Panics
    /// As [`blocking_recv`](Receiver::blocking_recv), on a runtime thread.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(8);
    /// for i in 0..5 {
    ///     tx.try_send(i).unwrap();
    /// }
    /// let mut batch = Vec::new();
    /// assert_eq!(rx.blocking_recv_many(&mut batch, 4), 4);
    /// assert_eq!(batch, [0, 1, 2, 3]);
    /// drop(tx);
    /// assert_eq!(rx.blocking_recv_many(&mut batch, 4), 1);
    /// assert_eq!(rx.blocking_recv_many(&mut batch, 4), 0); // closed and empty
    /// ```
    #[track_caller]
    pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        crate::blocking::block_on(
            "mpsc::Receiver::blocking_recv_many",
            "mpsc::Receiver::recv_many(buffer, limit).await",
            self.recv_many(buffer, limit),
        )
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
        self.core.poll_recv(cx)
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
        std::future::poll_fn(|cx| self.core.poll_recv_many(cx, buffer, limit)).await
    }

    /// Polls for messages: `Ready(n)` after moving `n` of them (up to
    /// `limit`) into `buffer`, as [`recv_many`](Receiver::recv_many);
    /// `Ready(0)` when closed and empty or when `limit` is 0.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// use std::task::{Context, Poll, Waker};
    /// let (tx, mut rx) = mpsc::channel(4);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let mut buf = Vec::new();
    /// assert_eq!(rx.poll_recv_many(&mut cx, &mut buf, 2), Poll::Pending);
    /// for i in 0..3 {
    ///     tx.try_send(i).unwrap();
    /// }
    /// assert_eq!(rx.poll_recv_many(&mut cx, &mut buf, 2), Poll::Ready(2));
    /// assert_eq!(buf, [0, 1]);
    /// ```
    pub fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        self.core.poll_recv_many(cx, buffer, limit)
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
        self.core.try_recv()
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
        self.core.chan.close();
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
        self.core.is_closed()
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
        self.core.len()
    }

    /// No message queued right now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Senders of this channel alive now (the channel ends when the
    /// count reaches 0).
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, rx) = mpsc::channel::<u8>(1);
    /// assert_eq!(rx.sender_strong_count(), 1);
    /// drop(tx);
    /// assert_eq!(rx.sender_strong_count(), 0);
    /// ```
    pub fn sender_strong_count(&self) -> usize {
        self.core.chan.sender_count()
    }

    /// Weak senders of this channel alive now.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, rx) = mpsc::channel::<u8>(1);
    /// let _weak = tx.downgrade();
    /// assert_eq!(rx.sender_weak_count(), 1);
    /// ```
    pub fn sender_weak_count(&self) -> usize {
        self.core.chan.weak_count()
    }
}

impl<T> futures_core::Stream for Receiver<T> {
    type Item = T;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().core.poll_recv(cx)
    }
}
debug_named!(Sender, Receiver, WeakSender);
