//! `oneshot`: a channel for exactly one value. The receiver is a future;
//! dropping either side is seen by the other (`RecvError`, `send` giving
//! the value back, `closed().await`).
//!
//! No lock: one atomic state word says who owns the value cell and the two
//! waker cells at each moment (the rules are written out above `Inner`).
//! A send is one write of the value and one compare-exchange; a receive
//! that finds the value is one load.

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Arc;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Errors of the oneshot channel.
pub mod error {
    use std::fmt;

    /// The sender was dropped without sending.
    ///
    /// ```
    /// use runtime_sync::oneshot;
    /// let (tx, rx) = oneshot::channel::<u8>();
    /// drop(tx);
    /// let err = futures::executor::block_on(rx).unwrap_err();
    /// assert_eq!(err.to_string(), "channel closed");
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RecvError(pub(super) ());

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}

    /// Why `try_recv` returned no value.
    ///
    /// ```
    /// use runtime_sync::oneshot::{self, error::TryRecvError};
    /// let (tx, mut rx) = oneshot::channel::<u8>();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum TryRecvError {
        /// Nothing sent yet.
        Empty,
        /// The sender was dropped without sending (or the value was taken).
        Closed,
    }

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TryRecvError::Empty => f.write_str("channel empty"),
                TryRecvError::Closed => f.write_str("channel closed"),
            }
        }
    }

    impl std::error::Error for TryRecvError {}
}

use error::{RecvError, TryRecvError};

// The shared state is one atomic word plus three cells. The rules that
// make the cells safe to touch without a lock:
//
// 1. `value` is written only by the sender, before the read-modify-write
//    that sets `COMPLETE`; it sets `VALUE` in that same write only if the
//    receiver had not closed. The receiver reads `value` only after it saw
//    `COMPLETE | VALUE` (Acquire, pairing with the sender's AcqRel write).
//    A refused value (`CLOSED` seen) is taken back by the sender: without
//    `VALUE` the receiver never looks at it.
// 2. `rx_waker` belongs to the receiver while `RX_WAKER` is clear. The
//    receiver writes it, then sets `RX_WAKER`; from then on the sender may
//    take it, but only if its own `COMPLETE` write saw `RX_WAKER` set. To
//    touch the cell again the receiver first clears `RX_WAKER`; if that
//    clear shows `COMPLETE` already set, the sender may be using the cell
//    and the receiver leaves it alone (it has its answer anyway).
// 3. `tx_waker` is the mirror image for `Sender::poll_closed`: the
//    sender's while `TX_WAKER` is clear; the receiver takes it only if its
//    `CLOSED` write saw `TX_WAKER` set.
// 4. `COMPLETE` is set once, by the sender (send or drop); `CLOSED` once,
//    by the receiver (close or drop). Neither is ever cleared.
//
// Every read-modify-write is AcqRel and every load Acquire: each one
// either publishes a cell or takes over one published by the other side.

/// The sender sent (see `VALUE`), was dropped, or had its value refused.
const COMPLETE: usize = 0b00001;
/// `value` holds the value (set with `COMPLETE`, only if not `CLOSED`).
const VALUE: usize = 0b00010;
/// The receiver closed the channel or was dropped.
const CLOSED: usize = 0b00100;
/// `rx_waker` holds the receiver's waker, published to the sender.
const RX_WAKER: usize = 0b01000;
/// `tx_waker` holds the sender's waker, published to the receiver.
const TX_WAKER: usize = 0b10000;

struct Inner<T> {
    state: AtomicUsize,
    value: UnsafeCell<Option<T>>,
    rx_waker: UnsafeCell<Option<Waker>>,
    tx_waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the cells are only touched under the ownership rules above (one
// side at a time, handed over through `state`), so sharing `Inner` between
// the two threads is sound as long as the value itself may move between
// threads (`T: Send`); wakers are `Send + Sync`.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Inner<T> {}

impl<T> Inner<T> {
    fn load(&self) -> usize {
        self.state.load(Ordering::Acquire)
    }

    /// Takes the value; only after seeing `COMPLETE | VALUE` (rule 1).
    fn take_value(&self) -> Option<T> {
        // SAFETY: rule 1: the sender wrote the value before its AcqRel
        // write of `COMPLETE | VALUE`, which the caller saw (Acquire), and
        // never touches it again; the receiver is the only reader.
        self.value.with_mut(|v| unsafe { (*v).take() })
    }

    /// Wakes the receiver; only by the sender, after a `COMPLETE` write
    /// whose previous state had `RX_WAKER` (rule 2).
    fn wake_rx(&self) {
        // SAFETY: rule 2: `RX_WAKER` was set before our `COMPLETE` write,
        // so the receiver handed the cell over and will not touch it
        // again (its clear would see `COMPLETE`).
        if let Some(w) = self.rx_waker.with_mut(|w| unsafe { (*w).take() }) {
            w.wake();
        }
    }

    /// Wakes the sender's `closed()`; only by the receiver, after a
    /// `CLOSED` write whose previous state had `TX_WAKER` (rule 3).
    fn wake_tx(&self) {
        // SAFETY: rule 3, the mirror image of `wake_rx`.
        if let Some(w) = self.tx_waker.with_mut(|w| unsafe { (*w).take() }) {
            w.wake();
        }
    }

    /// Receiver: the sender's outcome once `COMPLETE` is seen in `state`.
    fn outcome(&self, state: usize) -> Result<T, RecvError> {
        if state & VALUE != 0 {
            Ok(self.take_value().expect("a sent value is taken once"))
        } else {
            Err(RecvError(()))
        }
    }

    /// Stores `waker` in the cell owned while `flag` is clear and
    /// publishes it; `Err(state)` if `done` showed up meanwhile (the other
    /// side finished and will not wake us: answer from `state`).
    fn register(
        &self,
        cell: &UnsafeCell<Option<Waker>>,
        flag: usize,
        done: usize,
        waker: &Waker,
    ) -> Result<(), usize> {
        let s = self.load();
        if s & flag != 0 {
            // Take the cell back first (rules 2 and 3).
            let prev = self.state.fetch_and(!flag, Ordering::AcqRel);
            if prev & done != 0 {
                return Err(prev);
            }
        }
        // SAFETY: `flag` is clear and `done` was not set when we cleared
        // it (or it was never set), so the other side will not touch the
        // cell until we publish it again below.
        cell.with_mut(|w| unsafe {
            match &*w {
                Some(old) if old.will_wake(waker) => {}
                _ => *w = Some(waker.clone()),
            }
        });
        let prev = self.state.fetch_or(flag, Ordering::AcqRel);
        if prev & done != 0 {
            // Finished before it could see our waker: nobody will wake us.
            return Err(prev);
        }
        Ok(())
    }
}

/// Creates a oneshot channel.
///
/// ```
/// let (tx, rx) = runtime_sync::oneshot::channel();
/// std::thread::spawn(move || tx.send(42).unwrap());
/// assert_eq!(futures::executor::block_on(rx), Ok(42));
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: AtomicUsize::new(0),
        value: UnsafeCell::new(None),
        rx_waker: UnsafeCell::new(None),
        tx_waker: UnsafeCell::new(None),
    });
    (
        Sender {
            inner: Some(inner.clone()),
        },
        Receiver { inner: Some(inner) },
    )
}

/// Sends the one value.
///
/// ```
/// use runtime_sync::{mpsc, oneshot};
/// // Request/response: each request carries the sender for its reply.
/// struct Request {
///     n: u32,
///     reply: oneshot::Sender<u32>,
/// }
/// let (requests, mut incoming) = mpsc::unbounded_channel::<Request>();
/// let server = std::thread::spawn(move || {
///     futures::executor::block_on(async {
///         while let Some(req) = incoming.recv().await {
///             let _ = req.reply.send(req.n * 2);
///         }
///     })
/// });
/// let (reply, answer) = oneshot::channel();
/// requests.send(Request { n: 21, reply }).unwrap();
/// assert_eq!(futures::executor::block_on(answer), Ok(42));
/// drop(requests);
/// server.join().unwrap();
/// ```
pub struct Sender<T> {
    /// `None` once sent.
    inner: Option<Arc<Inner<T>>>,
}

/// Receives the one value: `.await` it.
///
/// ```
/// use futures::FutureExt;
/// use runtime_sync::oneshot;
/// let (tx, mut rx) = oneshot::channel();
/// // Poll it through `&mut` to keep it: nothing has come yet.
/// assert!((&mut rx).now_or_never().is_none());
/// tx.send("done").unwrap();
/// assert_eq!(futures::executor::block_on(rx), Ok("done"));
/// ```
pub struct Receiver<T> {
    /// `None` once the value (or the error) was returned.
    inner: Option<Arc<Inner<T>>>,
}

impl<T> Sender<T> {
    /// Sends `value`; gives it back if the receiver is gone.
    ///
    /// ```
    /// use runtime_sync::oneshot;
    /// let (tx, rx) = oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(5), Err(5)); // nobody to receive it: it comes back
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let inner = self.inner.take().expect("a Sender sends once");
        // SAFETY: rule 1: `COMPLETE` is not set yet (only this sender sets
        // it), so the receiver does not look at the cell.
        inner.value.with_mut(|v| unsafe { *v = Some(value) });
        let mut s = inner.load();
        loop {
            let next = if s & CLOSED != 0 {
                s | COMPLETE
            } else {
                s | COMPLETE | VALUE
            };
            match inner
                .state
                .compare_exchange_weak(s, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => break,
                Err(actual) => s = actual,
            }
        }
        if s & RX_WAKER != 0 {
            // A closed receiver may still be waiting: it must learn that
            // nothing will come; an open one gets its value.
            inner.wake_rx();
        }
        if s & CLOSED != 0 {
            // SAFETY: rule 1: `VALUE` was not set, so the receiver never
            // reads the cell; we wrote it and take it back.
            let value = inner.value.with_mut(|v| unsafe { (*v).take() });
            return Err(value.expect("the refused value is still there"));
        }
        Ok(())
    }

    /// Whether the receiver was dropped or closed.
    ///
    /// ```
    /// use runtime_sync::oneshot;
    /// let (tx, rx) = oneshot::channel::<u8>();
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner.as_ref().is_none_or(|i| i.load() & CLOSED != 0)
    }

    /// Waits until the receiver is dropped or closed.
    ///
    /// ```
    /// use runtime_sync::oneshot;
    /// // Give up on a computation once nobody wants its result.
    /// let (mut tx, rx) = oneshot::channel::<u64>();
    /// let worker = std::thread::spawn(move || {
    ///     futures::executor::block_on(tx.closed());
    ///     "abandoned"
    /// });
    /// drop(rx);
    /// assert_eq!(worker.join().unwrap(), "abandoned");
    /// ```
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await
    }

    /// Polls for the receiver being dropped or closed.
    ///
    /// ```
    /// use runtime_sync::oneshot;
    /// use std::task::{Context, Poll, Waker};
    /// let (mut tx, mut rx) = oneshot::channel::<u8>();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(tx.poll_closed(&mut cx), Poll::Pending);
    /// rx.close();
    /// assert_eq!(tx.poll_closed(&mut cx), Poll::Ready(()));
    /// ```
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(inner) = &self.inner else {
            return Poll::Ready(());
        };
        if inner.load() & CLOSED != 0 {
            return Poll::Ready(());
        }
        match inner.register(&inner.tx_waker, TX_WAKER, CLOSED, cx.waker()) {
            Ok(()) => Poll::Pending,
            Err(_) => Poll::Ready(()),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        let prev = inner.state.fetch_or(COMPLETE, Ordering::AcqRel);
        if prev & RX_WAKER != 0 {
            inner.wake_rx();
        }
    }
}

impl<T> Receiver<T> {
    /// Takes the value if it is there, without waiting.
    ///
    /// ```
    /// use runtime_sync::oneshot::{self, error::TryRecvError};
    /// let (tx, mut rx) = oneshot::channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed)); // already taken
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let Some(inner) = &self.inner else {
            return Err(TryRecvError::Closed);
        };
        let s = inner.load();
        if s & COMPLETE != 0 {
            let outcome = inner.outcome(s);
            self.inner = None;
            return outcome.map_err(|_| TryRecvError::Closed);
        }
        // After `close` no value can arrive (`send` refuses it).
        if s & CLOSED != 0 {
            return Err(TryRecvError::Closed);
        }
        Err(TryRecvError::Empty)
    }

    /// Refuses the value from now on (a later `send` gives it back); a
    /// value already sent can still be received. With none sent,
    /// `try_recv` then gives `Closed` and awaiting the receiver ends at
    /// once with `RecvError`, even while the sender is alive.
    ///
    /// ```
    /// use runtime_sync::oneshot;
    /// let (tx, mut rx) = oneshot::channel::<&str>();
    /// rx.close();
    /// assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Closed));
    /// assert!(tx.is_closed());
    /// assert_eq!(tx.send("refused"), Err("refused"));
    ///
    /// let (tx, mut rx) = oneshot::channel();
    /// tx.send("sent before the close").unwrap();
    /// rx.close();
    /// assert_eq!(rx.try_recv(), Ok("sent before the close"));
    /// ```
    pub fn close(&mut self) {
        let Some(inner) = &self.inner else { return };
        let prev = inner.state.fetch_or(CLOSED, Ordering::AcqRel);
        if prev & TX_WAKER != 0 && prev & COMPLETE == 0 {
            inner.wake_tx();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let inner = this
            .inner
            .as_ref()
            .expect("oneshot::Receiver polled after it completed");
        let restore = std::task::ready!(crate::coop::poll_proceed(cx));
        let mut s = inner.load();
        // Closed by the receiver: `send` refuses values from now on, so
        // waiting would never end (a value sent before still counts).
        if s & (COMPLETE | CLOSED) == 0 {
            match inner.register(&inner.rx_waker, RX_WAKER, COMPLETE, cx.waker()) {
                Ok(()) => return Poll::Pending,
                Err(now) => s = now,
            }
        }
        let outcome = if s & COMPLETE != 0 {
            inner.outcome(s)
        } else {
            Err(RecvError(()))
        };
        this.inner = None;
        restore.made_progress();
        Poll::Ready(outcome)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        let prev = inner.state.fetch_or(CLOSED, Ordering::AcqRel);
        if prev & TX_WAKER != 0 && prev & COMPLETE == 0 {
            inner.wake_tx();
        }
        if prev & VALUE != 0 {
            // Sent and never received: dropped here, not whenever the
            // sender's handle happens to go.
            drop(inner.take_value());
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Sender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Receiver").finish_non_exhaustive()
    }
}
