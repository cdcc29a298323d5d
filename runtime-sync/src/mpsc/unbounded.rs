//! The unbounded channel: `unbounded_channel`, its `UnboundedSender`
//! (a send never waits) and `UnboundedReceiver`.

use super::bounded::Receiver;
use super::chan::{Chan, RxCore};
use super::error::{SendError, TryRecvError};
use super::handle::{StrongChan, WeakChan};
use std::pin::Pin;
use std::task::{Context, Poll};

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
        UnboundedSender {
            chan: StrongChan::first(chan.clone()),
        },
        UnboundedReceiver {
            inner: Receiver {
                core: RxCore::new(chan),
            },
        },
    )
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
    chan: StrongChan<T>,
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
        self.chan.push_unbounded(value)
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
        self.chan.same_channel(&other.chan)
    }

    /// A [`WeakUnboundedSender`]: it can become a sender again while some
    /// sender lives, but does not keep the channel open itself.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
    /// let weak = tx.downgrade();
    /// weak.upgrade().unwrap().send(1).unwrap();
    /// drop(tx);
    /// assert!(weak.upgrade().is_none(), "no sender left");
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected));
    /// ```
    pub fn downgrade(&self) -> WeakUnboundedSender<T> {
        WeakUnboundedSender {
            chan: self.chan.downgrade(),
        }
    }

    /// `UnboundedSender`s of this channel alive now.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, _rx) = mpsc::unbounded_channel::<u8>();
    /// let tx2 = tx.clone();
    /// assert_eq!(tx2.strong_count(), 2);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.chan.sender_count()
    }

    /// [`WeakUnboundedSender`]s of this channel alive now.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, _rx) = mpsc::unbounded_channel::<u8>();
    /// let _weak = tx.downgrade();
    /// assert_eq!(tx.weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

/// An unbounded sender that does not keep the channel open: when every
/// [`UnboundedSender`] is gone the receiver sees the end even while weak
/// senders live, and [`upgrade`](WeakUnboundedSender::upgrade) fails from
/// then on. Made by [`UnboundedSender::downgrade`].
///
/// ```
/// use runtime_sync::mpsc;
/// let (tx, mut rx) = mpsc::unbounded_channel::<&str>();
/// let weak = tx.downgrade();
/// drop(tx);
/// // The weak handle does not keep the receiver waiting.
/// assert_eq!(futures::executor::block_on(rx.recv()), None);
/// assert!(weak.upgrade().is_none());
/// ```
pub struct WeakUnboundedSender<T> {
    chan: WeakChan<T>,
}

impl<T> WeakUnboundedSender<T> {
    /// An `UnboundedSender` again, if any sender still lives.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, _rx) = mpsc::unbounded_channel::<u8>();
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().unwrap().same_channel(&tx));
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn upgrade(&self) -> Option<UnboundedSender<T>> {
        self.chan.upgrade().map(|chan| UnboundedSender { chan })
    }

    /// `UnboundedSender`s of this channel alive now.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, _rx) = mpsc::unbounded_channel::<u8>();
    /// let weak = tx.downgrade();
    /// assert_eq!(weak.strong_count(), 1);
    /// drop(tx);
    /// assert_eq!(weak.strong_count(), 0);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.chan.sender_count()
    }

    /// `WeakUnboundedSender`s of this channel alive now (this one
    /// included).
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, _rx) = mpsc::unbounded_channel::<u8>();
    /// let weak = tx.downgrade();
    /// assert_eq!(weak.clone().weak_count(), 2);
    /// assert_eq!(weak.weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

clone_by_hold!(UnboundedSender, WeakUnboundedSender);

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
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// std::thread::spawn(move || {
    ///     tx.send("from a thread").unwrap();
    /// });
    /// assert_eq!(rx.blocking_recv(), Some("from a thread"));
    /// assert_eq!(rx.blocking_recv(), None); // the sender is gone
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        crate::blocking::block_on(
            "mpsc::UnboundedReceiver::blocking_recv",
            "mpsc::UnboundedReceiver::recv().await",
            self.recv(),
        )
    }

    /// [`Receiver::blocking_recv_many`] for the unbounded channel.
    ///
    /// # Panics
    /// On a thread that drives a runtime's asynchronous tasks.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// tx.send(2).unwrap();
    /// let mut batch = Vec::new();
    /// assert_eq!(rx.blocking_recv_many(&mut batch, 8), 2);
    /// assert_eq!(batch, [1, 2]);
    /// ```
    #[track_caller]
    pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        crate::blocking::block_on(
            "mpsc::UnboundedReceiver::blocking_recv_many",
            "mpsc::UnboundedReceiver::recv_many(buffer, limit).await",
            self.recv_many(buffer, limit),
        )
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

    /// See [`Receiver::poll_recv_many`].
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// use std::task::{Context, Poll, Waker};
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let mut buf = Vec::new();
    /// tx.send('a').unwrap();
    /// drop(tx);
    /// assert_eq!(rx.poll_recv_many(&mut cx, &mut buf, 8), Poll::Ready(1));
    /// assert_eq!(rx.poll_recv_many(&mut cx, &mut buf, 8), Poll::Ready(0));
    /// ```
    pub fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        self.inner.poll_recv_many(cx, buffer, limit)
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

    /// See [`Receiver::sender_strong_count`].
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, rx) = mpsc::unbounded_channel::<u8>();
    /// let _tx2 = tx.clone();
    /// assert_eq!(rx.sender_strong_count(), 2);
    /// ```
    pub fn sender_strong_count(&self) -> usize {
        self.inner.sender_strong_count()
    }

    /// See [`Receiver::sender_weak_count`].
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, rx) = mpsc::unbounded_channel::<u8>();
    /// let weak = tx.downgrade();
    /// drop(tx);
    /// assert_eq!((rx.sender_strong_count(), rx.sender_weak_count()), (0, 1));
    /// # drop(weak);
    /// ```
    pub fn sender_weak_count(&self) -> usize {
        self.inner.sender_weak_count()
    }
}

impl<T> futures_core::Stream for UnboundedReceiver<T> {
    type Item = T;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().inner.poll_recv(cx)
    }
}
debug_named!(UnboundedSender, UnboundedReceiver, WeakUnboundedSender);
