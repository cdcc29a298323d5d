//! `oneshot`: a channel for exactly one value. The receiver is a future;
//! dropping either side is seen by the other (`RecvError`, `send` giving
//! the value back, `closed().await`).
//!
//! No lock and no `Arc`: one atomic state word says who owns the value
//! cell and the two waker cells at each moment, and which side still uses
//! the allocation (the rules are written out above `Inner`). A send is one
//! write of the value and one compare-exchange (which also lets go of the
//! allocation); a receive that finds the value is one load, and one
//! read-modify-write to let go (and free).

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
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
// 2. `rx_waker`: the sender takes it in one place only, right after its
//    `COMPLETE` write, and only if that write saw `RX_WAKER` set. So the
//    cell is the receiver's while `RX_WAKER` is clear. The receiver writes
//    it, then sets `RX_WAKER`; if that publishing write already shows
//    `COMPLETE`, the sender's chance has passed and the cell is the
//    receiver's for good (it takes its waker straight back out). To touch
//    the cell again the receiver first clears `RX_WAKER`; if that clear
//    shows `COMPLETE` already set, the sender may be using the cell and
//    the receiver leaves it alone (it has its answer anyway). The
//    receiver's drop clears `RX_WAKER` in the write that sets `CLOSED`:
//    without `COMPLETE` in it, the cell is the receiver's again and the
//    dropped receiver takes its waker out (a sender that lives on does not
//    keep the receiving task alive).
// 3. `tx_waker` is the mirror image for `Sender::poll_closed`: the
//    receiver takes it in one place only, right after the write that
//    first sets `CLOSED` (close or drop), and only if that write saw
//    `TX_WAKER` set and `COMPLETE` clear. So the cell is the sender's
//    while `TX_WAKER` is clear, and for good once its publishing write
//    shows `CLOSED` (it takes its waker straight back out) or its own
//    `COMPLETE` write shows no `CLOSED`: a sender that sends or is dropped
//    takes a still published waker out then.
// 4. `COMPLETE` is set by the sender once (send or drop); `CLOSED` by the
//    receiver (close, then drop, may both write it: only the first write
//    counts for rule 3). Neither is ever cleared.
// 5. The allocation is shared without an `Arc`: `TX_ALIVE` and `RX_ALIVE`
//    say which sides still use it. A side clears its bit with its last
//    access (a send that has nothing left to do clears it in the same
//    write that sets `COMPLETE`); whoever clears the last bit frees it.
//    The receiver clears `RX_ALIVE` only after `COMPLETE` or after setting
//    `CLOSED`, so a sender that saw neither knows the receiver is there.
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
/// The sender still uses the allocation (rule 5).
const TX_ALIVE: usize = 0b100000;
/// The receiver still uses the allocation (rule 5).
const RX_ALIVE: usize = 0b1000000;

struct Inner<T> {
    state: AtomicUsize,
    value: UnsafeCell<Option<T>>,
    rx_waker: UnsafeCell<Option<Waker>>,
    tx_waker: UnsafeCell<Option<Waker>>,
}

/// One side's pointer to the shared `Inner` (rule 5): valid while that
/// side's `*_ALIVE` bit is set. The bit is cleared either by `release`,
/// which consumes the reference, or by a send's completing write, after which
/// the reference is dropped unused (it has no `Drop`).
struct InnerRef<T> {
    ptr: NonNull<Inner<T>>,
}

// SAFETY: the cells are only touched under the ownership rules above (one
// side at a time, handed over through `state`) and the allocation is freed
// exactly once (rule 5), so a reference may move to and be used from another
// thread as long as the value itself may (`T: Send`); wakers are
// `Send + Sync`.
unsafe impl<T: Send> Send for InnerRef<T> {}
// SAFETY: as above; through `&InnerRef` only `state` (atomic) is read.
unsafe impl<T: Send> Sync for InnerRef<T> {}

impl<T> InnerRef<T> {
    fn inner(&self) -> &Inner<T> {
        // SAFETY: rule 5: this side's bit is still set (the reference is
        // consumed when it is cleared), so the allocation is not freed.
        unsafe { self.ptr.as_ref() }
    }

    /// Leaves: clears `alive` (AcqRel: every access of ours happens before
    /// the other side's free, and theirs before ours) and frees the
    /// allocation if the other side had left already.
    fn release(self, alive: usize) {
        let prev = self.inner().state.fetch_and(!alive, Ordering::AcqRel);
        if prev & (TX_ALIVE | RX_ALIVE) == alive {
            // SAFETY: rule 5: we cleared the last bit, so no reference points
            // here any more; the pointer came from `Box::leak` in `channel`.
            drop(unsafe { Box::from_raw(self.ptr.as_ptr()) });
        }
    }
}

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

    /// Wakes the sender's `closed()`; only by the receiver, after the
    /// write that first set `CLOSED`, if it saw `TX_WAKER` and no
    /// `COMPLETE` (rule 3).
    fn wake_tx(&self) {
        // SAFETY: rule 3, the mirror image of `wake_rx`.
        if let Some(w) = self.tx_waker.with_mut(|w| unsafe { (*w).take() }) {
            w.wake();
        }
    }

    /// Receiver: a write of ours that set `CLOSED` saw `prev`. Wakes the
    /// sender's `closed()` if rule 3 hands its cell to us.
    fn closed_by_receiver(&self, prev: usize) {
        if prev & (CLOSED | COMPLETE) == 0 && prev & TX_WAKER != 0 {
            self.wake_tx();
        }
    }

    /// Sender: its `COMPLETE` write saw `prev`. A waker `closed()` left
    /// published and the receiver can no longer take is dropped (rule 3).
    fn completed_by_sender(&self, prev: usize) {
        if prev & TX_WAKER != 0 && prev & CLOSED == 0 {
            // SAFETY: rule 3: the receiver takes the cell only after the
            // write that first sets `CLOSED`, if that write sees no
            // `COMPLETE`; our `COMPLETE` write saw no `CLOSED`, so that
            // write, if it ever comes, sees `COMPLETE`. The cell is ours.
            drop(self.tx_waker.with_mut(|w| unsafe { (*w).take() }));
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
        // SAFETY: rules 2 and 3: the other side touches this cell only if
        // its finishing write saw `flag` set. `flag` is clear now: it was
        // never published, or our clear above came before that write (the
        // clear saw no `done`), so that write will see it clear. The cell
        // is ours until the publish below.
        cell.with_mut(|w| unsafe {
            match &*w {
                Some(old) if old.will_wake(waker) => {}
                _ => *w = Some(waker.clone()),
            }
        });
        let prev = self.state.fetch_or(flag, Ordering::AcqRel);
        if prev & done != 0 {
            // Finished before it could see our waker: nobody will wake us,
            // and the other side's one chance to take the cell has passed
            // (rules 2 and 3): the waker is taken back out at once.
            // SAFETY: rules 2 and 3: the other side touches the cell only
            // right after its finishing write, if that write saw `flag`;
            // it came before our publish, which it could not see.
            drop(cell.with_mut(|w| unsafe { (*w).take() }));
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
    let ptr = NonNull::from(Box::leak(Box::new(Inner {
        state: AtomicUsize::new(TX_ALIVE | RX_ALIVE),
        value: UnsafeCell::new(None),
        rx_waker: UnsafeCell::new(None),
        tx_waker: UnsafeCell::new(None),
    })));
    (
        Sender {
            shared: Some(InnerRef { ptr }),
        },
        Receiver {
            shared: Some(InnerRef { ptr }),
        },
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
    shared: Option<InnerRef<T>>,
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
    shared: Option<InnerRef<T>>,
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
        let shared = self.shared.take().expect("a Sender sends once");
        let inner = shared.inner();
        // SAFETY: rule 1: `COMPLETE` is not set yet (only this sender sets
        // it), so the receiver does not look at the cell.
        inner.value.with_mut(|v| unsafe { *v = Some(value) });
        let mut s = inner.load();
        loop {
            let closed = s & CLOSED != 0;
            let mut next = s | COMPLETE;
            if !closed {
                next |= VALUE;
            }
            // Nothing to do after this write (no waker to take or wake, no
            // value to take back): leave in it (rule 5).
            let done = !closed && s & (RX_WAKER | TX_WAKER) == 0;
            if done {
                next &= !TX_ALIVE;
            }
            match inner
                .state
                .compare_exchange_weak(s, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) if done => {
                    // Not `CLOSED`, so the receiver is still there and
                    // frees the allocation (rule 5); `inner` is not
                    // touched again.
                    return Ok(());
                }
                Ok(_) => break,
                Err(actual) => s = actual,
            }
        }
        if s & RX_WAKER != 0 {
            // A closed receiver may still be waiting: it must learn that
            // nothing will come; an open one gets its value.
            inner.wake_rx();
        }
        inner.completed_by_sender(s);
        let refused = if s & CLOSED != 0 {
            // SAFETY: rule 1: `VALUE` was not set, so the receiver never
            // reads the cell; we wrote it and take it back.
            inner.value.with_mut(|v| unsafe { (*v).take() })
        } else {
            None
        };
        shared.release(TX_ALIVE);
        match refused {
            Some(value) => Err(value),
            None => Ok(()),
        }
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
        self.shared
            .as_ref()
            .is_none_or(|h| h.inner().load() & CLOSED != 0)
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
        let Some(shared) = &self.shared else {
            return Poll::Ready(());
        };
        let inner = shared.inner();
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
        let Some(shared) = self.shared.take() else {
            return;
        };
        let prev = shared.inner().state.fetch_or(COMPLETE, Ordering::AcqRel);
        if prev & RX_WAKER != 0 {
            shared.inner().wake_rx();
        }
        shared.inner().completed_by_sender(prev);
        shared.release(TX_ALIVE);
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
        let Some(shared) = &self.shared else {
            return Err(TryRecvError::Closed);
        };
        let s = shared.inner().load();
        if s & COMPLETE != 0 {
            let outcome = shared.inner().outcome(s);
            if let Some(shared) = self.shared.take() {
                shared.release(RX_ALIVE);
            }
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
        let Some(shared) = &self.shared else { return };
        let inner = shared.inner();
        let prev = inner.state.fetch_or(CLOSED, Ordering::AcqRel);
        inner.closed_by_receiver(prev);
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let shared = this
            .shared
            .as_ref()
            .expect("oneshot::Receiver polled after it completed");
        let inner = shared.inner();
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
        if let Some(shared) = this.shared.take() {
            shared.release(RX_ALIVE);
        }
        restore.made_progress();
        Poll::Ready(outcome)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let Some(shared) = self.shared.take() else {
            return;
        };
        let inner = shared.inner();
        // Closes, and takes a published waker back (rule 2).
        let mut prev = inner.load();
        loop {
            let next = (prev | CLOSED) & !RX_WAKER;
            match inner
                .state
                .compare_exchange_weak(prev, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => break,
                Err(actual) => prev = actual,
            }
        }
        if prev & RX_WAKER != 0 && prev & COMPLETE == 0 {
            // SAFETY: rule 2: the sender takes the cell only right after
            // its `COMPLETE` write, if that write sees `RX_WAKER`; it has
            // not been made yet and will see the flag clear. The cell is
            // ours: the waker (and the task it holds) goes now, not when
            // the sender does.
            drop(inner.rx_waker.with_mut(|w| unsafe { (*w).take() }));
        }
        inner.closed_by_receiver(prev);
        if prev & VALUE != 0 {
            // Sent and never received: dropped here, not whenever the
            // allocation goes.
            drop(inner.take_value());
        }
        shared.release(RX_ALIVE);
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

#[cfg(all(test, not(loom)))]
mod tests {
    //! Every way the two sides can end, each checked for the value being
    //! dropped exactly once (the allocation's own frees are checked by
    //! running these under valgrind, see docs/architecture.md).

    use super::*;
    use std::sync::atomic::AtomicUsize as Count;
    use std::sync::Arc as StdArc;
    use std::task::Context;

    /// Counts its drops.
    struct Tracked(StdArc<Count>);

    impl Drop for Tracked {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn tracked() -> (Tracked, StdArc<Count>) {
        let drops = StdArc::new(Count::new(0));
        (Tracked(drops.clone()), drops)
    }

    fn poll_rx<T>(rx: &mut Receiver<T>) -> Poll<Result<T, RecvError>> {
        Pin::new(rx).poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn every_ending_drops_the_value_once() {
        // Sent, then received.
        let (v, drops) = tracked();
        let (tx, mut rx) = channel();
        assert!(tx.send(v).is_ok());
        let got = poll_rx(&mut rx);
        assert!(matches!(got, Poll::Ready(Ok(_))));
        drop(got);
        drop(rx);
        assert_eq!(drops.load(Ordering::SeqCst), 1);

        // Sent, never received.
        let (v, drops) = tracked();
        let (tx, rx) = channel();
        assert!(tx.send(v).is_ok());
        drop(rx);
        assert_eq!(drops.load(Ordering::SeqCst), 1);

        // Receiver gone first: the value comes back.
        let (v, drops) = tracked();
        let (tx, rx) = channel();
        drop(rx);
        let back = tx.send(v).unwrap_err();
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        drop(back);
        assert_eq!(drops.load(Ordering::SeqCst), 1);

        // Closed first, with a waiting receiver: refused, and the waiting
        // receiver ends.
        let (v, drops) = tracked();
        let (tx, mut rx) = channel();
        assert!(poll_rx(&mut rx).is_pending());
        rx.close();
        drop(tx.send(v).unwrap_err());
        assert!(matches!(poll_rx(&mut rx), Poll::Ready(Err(_))));
        drop(rx);
        assert_eq!(drops.load(Ordering::SeqCst), 1);

        // Sent before the close: still received.
        let (v, drops) = tracked();
        let (tx, mut rx) = channel();
        assert!(tx.send(v).is_ok());
        rx.close();
        drop(rx.try_recv().expect("sent before the close"));
        assert_eq!(rx.try_recv().err(), Some(TryRecvError::Closed));
        drop(rx);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn every_ending_without_a_value_frees_the_channel() {
        // Sender dropped while the receiver waits (its waker published).
        let (tx, mut rx) = channel::<Tracked>();
        assert!(poll_rx(&mut rx).is_pending());
        drop(tx);
        assert!(matches!(poll_rx(&mut rx), Poll::Ready(Err(_))));
        drop(rx);

        // Receiver dropped while the sender waits in `closed()`.
        let (mut tx, rx) = channel::<Tracked>();
        let mut cx = Context::from_waker(Waker::noop());
        assert!(tx.poll_closed(&mut cx).is_pending());
        drop(rx);
        assert!(tx.poll_closed(&mut cx).is_ready());
        assert!(tx.is_closed());
        drop(tx);

        // Both dropped unused, either order.
        let (tx, rx) = channel::<Tracked>();
        drop(tx);
        drop(rx);
        let (tx, rx) = channel::<Tracked>();
        drop(rx);
        drop(tx);
    }

    /// A receiver that waited and is dropped takes its waker with it: the
    /// sender, which may live on for long, does not keep the receiving
    /// task alive.
    #[test]
    fn a_dropped_receiver_keeps_no_waker() {
        use crate::test_util::CountingWaker;
        let w = CountingWaker::new();
        let (tx, mut rx) = channel::<u8>();
        let waker = Waker::from(w.clone());
        assert!(Pin::new(&mut rx)
            .poll(&mut Context::from_waker(&waker))
            .is_pending());
        drop(waker);
        assert_eq!(
            StdArc::strong_count(&w),
            2,
            "the waiting receiver's waker is kept"
        );
        drop(rx);
        assert_eq!(
            StdArc::strong_count(&w),
            1,
            "the dropped receiver's waker stayed"
        );
        assert!(tx.is_closed());
        assert_eq!(tx.send(1), Err(1));
        assert_eq!(w.wakes(), 0);
    }

    /// The mirror image: a sender that waited in `closed()` and then sends
    /// or is dropped takes its waker with it, while the receiver lives on.
    #[test]
    fn a_finished_sender_keeps_no_waker() {
        use crate::test_util::CountingWaker;
        for send in [true, false] {
            let w = CountingWaker::new();
            let (mut tx, mut rx) = channel::<u8>();
            let waker = Waker::from(w.clone());
            assert!(tx
                .poll_closed(&mut Context::from_waker(&waker))
                .is_pending());
            drop(waker);
            assert_eq!(StdArc::strong_count(&w), 2);
            if send {
                assert_eq!(tx.send(3), Ok(()));
            } else {
                drop(tx);
            }
            assert_eq!(
                StdArc::strong_count(&w),
                1,
                "the sender's waker stayed (send: {send})"
            );
            let expected = if send {
                Ok(3)
            } else {
                Err(TryRecvError::Closed)
            };
            assert_eq!(rx.try_recv(), expected);
            assert_eq!(w.wakes(), 0);
        }
    }

    #[test]
    fn racing_threads_drop_every_value_once() {
        let drops = StdArc::new(Count::new(0));
        let sent = StdArc::new(Count::new(0));
        for i in 0..2_000 {
            let (tx, rx) = channel();
            let v = Tracked(drops.clone());
            let s = sent.clone();
            let t = std::thread::spawn(move || {
                if tx.send(v).is_ok() {
                    s.fetch_add(1, Ordering::SeqCst);
                }
            });
            if i % 2 == 0 {
                // Wait for it (wakes across threads) ...
                let _ = futures::executor::block_on(rx);
            } else {
                // ... or give up at once.
                drop(rx);
            }
            t.join().unwrap();
        }
        assert_eq!(drops.load(Ordering::SeqCst), 2_000);
        assert!(sent.load(Ordering::SeqCst) >= 1_000);
    }
}
