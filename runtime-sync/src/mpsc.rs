//! `mpsc`: multi-producer, single-consumer channels, bounded (senders wait
//! for a free slot: backpressure) and unbounded.
//!
//! Three parts, so that the producers and the consumer seldom meet on
//! one lock or one cache line:
//! - the queue (`Shared`, a mutex): messages not yet taken by the
//!   receiver, its waker, the sender count, the close flags and the
//!   `Sender::closed()` waiters. A send
//!   pushes under it. The receiver takes the whole queue at once (it trades
//!   places with the receiver's own empty buffer) and then returns the
//!   messages one by one with no lock at all.
//! - a bounded channel's free slots (`slots`, one atomic word: the count
//!   and the `CLOSED` and `WAITERS` flags). A send takes a slot with one
//!   compare-exchange, a receive gives its slot back with one, as long as
//!   no sender waits.
//! - the waiters (`Waiters`, a second mutex): senders waiting for a slot,
//!   first come first served. Touched only when the channel is full or
//!   closing: a freed slot then goes straight to the first waiting sender.
//!
//! A slot stays taken until `recv` returns its message (Tokio's capacity
//! rule), also while the message sits in the receiver's own buffer. No
//! code path holds both locks.
//!
//! Cancel safety (as Tokio's): dropping a pending `send` loses no message
//! (the message was never queued and is dropped with the future) and no
//! slot (one granted to it passes on to the next waiting sender); `recv` holds no state, so dropping it loses
//! nothing. After every sender is gone, the receiver still gets every
//! buffered message, then `None`.

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::wait_list::{Key, WaitList, WakeList};
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

/// Keeps a field on cache lines of its own (128 bytes: two lines, as the
/// adjacent-line prefetcher pulls pairs; Tokio and crossbeam use the same
/// figure), so the producers' compare-exchanges on `slots` do not evict
/// the queue's lock and state from the other core, and the reverse.
#[repr(align(128))]
struct Padded<T>(T);

impl<T> std::ops::Deref for Padded<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

struct Chan<T> {
    /// The queue side; see the module docs.
    shared: Padded<Mutex<Shared<T>>>,
    /// A bounded channel's free slots and flags: `free << SLOT_SHIFT |
    /// WAITERS | CLOSED`. Unused (and left at 0) by an unbounded channel.
    /// Acquire/AcqRel suffice on it: it carries only the count and the
    /// flags (messages travel under `shared`'s lock, waiter entries under
    /// `waiters`'), and every read-modify-write sees the latest value.
    slots: Padded<AtomicUsize>,
    /// Senders waiting for a slot.
    waiters: Padded<Mutex<Waiters>>,
    /// Slots of a bounded channel (`usize::MAX`: unbounded).
    capacity: usize,
}

/// `slots`: the receiver closed the channel; no slot is handed out any
/// more (taking one fails), and slots given back are not granted.
const CLOSED: usize = 0b01;
/// `slots`: at least one sender is queued for a slot. Set and cleared only
/// under the `waiters` lock, and only while no slot is free, so that
/// (before a close) `free > 0` implies nobody waits: a sender that finds a
/// free slot may take it without looking at the queue (first come, first
/// served is kept), and a receiver that finds the bit clear may give its
/// slot back with one compare-exchange.
const WAITERS: usize = 0b10;
const SLOT_SHIFT: u32 = 2;
const ONE_SLOT: usize = 1 << SLOT_SHIFT;
/// The largest bounded capacity the `slots` word can count.
const MAX_CAPACITY: usize = usize::MAX >> SLOT_SHIFT;

struct Shared<T> {
    /// Messages sent and not yet taken into the receiver's own buffer.
    queue: VecDeque<T>,
    rx_waker: Option<Waker>,
    senders: usize,
    /// The receiver closed the channel (for an unbounded channel, checked
    /// under this lock by every send; a bounded one reads `CLOSED`).
    rx_closed: bool,
    /// `Sender::closed()` waiters, woken when `rx_closed` is set.
    closed_waiters: WaitList<Waker>,
    /// The receiver itself is gone (not just closed): values that arrive
    /// now can never be received.
    rx_dropped: bool,
}

struct Waiters {
    /// Senders waiting for a slot, first come first served.
    send: WaitList<SendWaiter>,
}

struct SendWaiter {
    waker: Option<Waker>,
    /// A slot was handed to this waiter (it stays taken, now the waiter's).
    granted: bool,
}

impl Waiters {
    /// Keeps `WAITERS` equal to "somebody is queued" after a waiter left
    /// the queue (called under the lock).
    fn sync_flag(&self, slots: &AtomicUsize) {
        if self.send.is_empty() {
            // Release: pairs with the Acquire load of a receiver that then
            // takes the fast path; nothing else is published here.
            slots.fetch_and(!WAITERS, Ordering::AcqRel);
        }
    }
}

impl<T> Chan<T> {
    fn new(capacity: usize) -> Arc<Chan<T>> {
        let bounded = capacity != usize::MAX;
        Arc::new(Chan {
            shared: Padded(Mutex::new(Shared {
                queue: VecDeque::new(),
                rx_waker: None,
                senders: 1,
                rx_closed: false,
                closed_waiters: WaitList::new(),
                rx_dropped: false,
            })),
            slots: Padded(AtomicUsize::new(if bounded {
                capacity << SLOT_SHIFT
            } else {
                0
            })),
            waiters: Padded(Mutex::new(Waiters {
                send: WaitList::new(),
            })),
            capacity,
        })
    }

    fn bounded(&self) -> bool {
        self.capacity != usize::MAX
    }

    /// Takes a free slot without waiting: one compare-exchange. Fails
    /// when closed, or when no slot is free (which includes "somebody is
    /// already waiting", see `WAITERS`).
    fn try_take_slot(&self) -> Result<(), TrySendError<()>> {
        // Acquire/AcqRel: a slot given back by the receiver was freed after
        // its message was moved out; nothing else travels with the count.
        let mut s = self.slots.load(Ordering::Acquire);
        loop {
            if s & CLOSED != 0 {
                return Err(TrySendError::Closed(()));
            }
            if s >> SLOT_SHIFT == 0 {
                return Err(TrySendError::Full(()));
            }
            match self.slots.compare_exchange_weak(
                s,
                s - ONE_SLOT,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => s = actual,
            }
        }
    }

    /// Waits for a slot (`key`: this sender's place in the queue, kept
    /// between polls). `Ok` leaves the slot taken for the caller.
    fn poll_slot(&self, cx: &mut Context<'_>, key: &mut Option<Key>) -> Poll<Result<(), ()>> {
        let Some(k) = *key else {
            match self.try_take_slot() {
                Ok(()) => return Poll::Ready(Ok(())),
                Err(TrySendError::Closed(())) => return Poll::Ready(Err(())),
                Err(TrySendError::Full(())) => {}
            }
            let mut w = self.waiters.lock();
            let mut s = self.slots.load(Ordering::Acquire);
            loop {
                if s & CLOSED != 0 {
                    return Poll::Ready(Err(()));
                }
                let next = if s >> SLOT_SHIFT > 0 {
                    s - ONE_SLOT
                } else {
                    s | WAITERS
                };
                match self
                    .slots
                    .compare_exchange(s, next, Ordering::AcqRel, Ordering::Acquire)
                {
                    Ok(_) if next & WAITERS == 0 => return Poll::Ready(Ok(())),
                    Ok(_) => break,
                    Err(actual) => s = actual,
                }
            }
            *key = Some(w.send.push_back(SendWaiter {
                waker: Some(cx.waker().clone()),
                granted: false,
            }));
            return Poll::Pending;
        };
        let mut w = self.waiters.lock();
        // `CLOSED` only changes under this lock.
        let closed = self.slots.load(Ordering::Acquire) & CLOSED != 0;
        let entry = w.send.get_mut(k).expect("a waiting send keeps its entry");
        if entry.granted {
            // Already out of the queue: the flag is unaffected.
            w.send.remove(k);
            drop(w);
            *key = None;
            if closed {
                // As Tokio: a send that had not taken its slot yet when the
                // receiver closed fails (only a `Permit` already in hand
                // still delivers); the slot goes back, which may end a
                // closed receiver's wait.
                self.release_slots(1);
                return Poll::Ready(Err(()));
            }
            return Poll::Ready(Ok(()));
        }
        if closed {
            w.send.remove(k);
            w.sync_flag(&self.slots);
            *key = None;
            return Poll::Ready(Err(()));
        }
        match &entry.waker {
            Some(old) if old.will_wake(cx.waker()) => {}
            _ => entry.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// A waiting send was dropped: leave the queue, passing on a slot it
    /// had been granted.
    fn cancel_wait(&self, key: Key) {
        let granted = {
            let mut w = self.waiters.lock();
            let granted = w.send.remove(key).is_some_and(|e| e.granted);
            w.sync_flag(&self.slots);
            granted
        };
        if granted {
            self.release_slots(1);
        }
    }

    /// Gives back `n` slots: while senders wait (and the channel is open)
    /// each goes to the first of them, who is woken; the rest go back to
    /// the free count. Lock-free unless somebody waits. After a close, the
    /// last slot to come back wakes the receiver (it waits for every slot
    /// held at the close to be filled or given back).
    fn release_slots(&self, mut n: usize) {
        if n == 0 || !self.bounded() {
            return;
        }
        let mut s = self.slots.load(Ordering::Acquire);
        loop {
            if s & WAITERS != 0 && s & CLOSED == 0 {
                break;
            }
            match self.slots.compare_exchange_weak(
                s,
                s + n * ONE_SLOT,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    if s & CLOSED != 0 && (s >> SLOT_SHIFT) + n == self.capacity {
                        self.wake_rx();
                    }
                    return;
                }
                Err(actual) => s = actual,
            }
        }
        // Somebody waits: hand the slots over under the waiters' lock.
        let mut wakers = WakeList::new();
        {
            let mut w = self.waiters.lock();
            // `CLOSED` and `WAITERS` do not change while the lock is held.
            let s = self.slots.load(Ordering::Acquire);
            if s & CLOSED == 0 {
                while n > 0 {
                    let Some((k, entry)) = w.send.front_mut() else {
                        break;
                    };
                    entry.granted = true;
                    wakers.extend(entry.waker.take());
                    w.send.unlink(k);
                    n -= 1;
                }
                w.sync_flag(&self.slots);
            }
            if n > 0 {
                // Nobody (left) to hand them to. `WAITERS` is clear now, so
                // no sender queues while the count is above zero.
                let prev = self.slots.fetch_add(n * ONE_SLOT, Ordering::AcqRel);
                if prev & CLOSED != 0 && (prev >> SLOT_SHIFT) + n == self.capacity {
                    drop(w);
                    self.wake_rx();
                }
            }
        }
        wakers.wake_all();
    }

    /// Slots taken: queued messages plus slots reserved (by a `Permit`, or
    /// granted to a waiting sender) and not yet filled.
    fn taken(&self) -> usize {
        if !self.bounded() {
            return 0;
        }
        self.capacity - (self.slots.load(Ordering::Acquire) >> SLOT_SHIFT)
    }

    fn wake_rx(&self) {
        let waker = self.shared.lock().rx_waker.take();
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Queues `value` in a slot the caller holds.
    fn push(&self, value: T) -> Result<(), SendError<T>> {
        let sh = self.shared.lock();
        // The caller holds a slot, taken before any close (after one none
        // is handed out): it is filled even if the receiver closed since,
        // as Tokio's permits are. Only a dropped receiver refuses it.
        if sh.rx_dropped {
            drop(sh);
            self.release_slots(1);
            return Err(SendError(value));
        }
        Self::enqueue(sh, value);
        Ok(())
    }

    /// An unbounded send: refused once the receiver closed (checked under
    /// the same lock as the push, so a closed receiver never misses it).
    fn push_unbounded(&self, value: T) -> Result<(), SendError<T>> {
        let sh = self.shared.lock();
        if sh.rx_closed {
            return Err(SendError(value));
        }
        Self::enqueue(sh, value);
        Ok(())
    }

    /// Pushes under the queue lock and wakes the receiver after it.
    fn enqueue(mut sh: crate::loom::sync::MutexGuard<'_, Shared<T>>, value: T) {
        sh.queue.push_back(value);
        let waker = sh.rx_waker.take();
        drop(sh);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Nothing is queued (the caller checked both buffers) and nothing
    /// more can come: every sender is gone, or the receiver closed the
    /// channel and every slot still held then (permits reserved before the
    /// close) has been filled or given back.
    fn drained(&self, sh: &Shared<T>) -> bool {
        sh.senders == 0 || (sh.rx_closed && self.taken() == 0)
    }

    fn close(&self) {
        let mut wakers = {
            let mut sh = self.shared.lock();
            sh.rx_closed = true;
            sh.closed_waiters.take_all()
        };
        {
            let mut w = self.waiters.lock();
            self.slots.fetch_or(CLOSED, Ordering::AcqRel);
            // Waiting senders fail on their next poll.
            w.send.for_each_linked(|e| wakers.extend(e.waker.take()));
        }
        wakers.wake_all();
    }

    fn is_closed(&self) -> bool {
        self.shared.lock().rx_closed
    }

    /// `Sender::closed()`: waits for the receiver to go away.
    async fn closed(&self) {
        crate::wait_list::wait_until(&self.shared, |sh| &mut sh.closed_waiters, |sh| sh.rx_closed)
            .await
    }

    fn add_sender(&self) {
        self.shared.lock().senders += 1;
    }

    fn drop_sender(&self) {
        let waker = {
            let mut sh = self.shared.lock();
            sh.senders -= 1;
            if sh.senders > 0 {
                return;
            }
            sh.rx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    fn free_slots(&self) -> usize {
        self.slots.load(Ordering::Acquire) >> SLOT_SHIFT
    }
}

/// The receiving end's own state: the channel, and the messages it took
/// out of the shared queue in one go and returns one by one without a lock.
/// Each still holds its slot until `recv` returns it.
struct RxCore<T> {
    chan: Arc<Chan<T>>,
    local: VecDeque<T>,
}

// Messages are moved, never pinned in place.
impl<T> Unpin for RxCore<T> {}

impl<T> RxCore<T> {
    fn new(chan: Arc<Chan<T>>) -> RxCore<T> {
        RxCore {
            chan,
            local: VecDeque::new(),
        }
    }

    /// Refills the private buffer `local` from the shared queue if it is
    /// empty; `Err` (with the lock still held) when both are empty.
    fn refill<'a>(
        chan: &'a Chan<T>,
        local: &mut VecDeque<T>,
    ) -> Result<(), crate::loom::sync::MutexGuard<'a, Shared<T>>> {
        if !local.is_empty() {
            return Ok(());
        }
        let mut sh = chan.shared.lock();
        if sh.queue.is_empty() {
            return Err(sh);
        }
        // O(1): the two buffers trade places (and allocations).
        std::mem::swap(&mut sh.queue, local);
        Ok(())
    }

    /// The next message, its slot given back.
    fn take_one(&mut self) -> Option<T> {
        let v = self.local.pop_front()?;
        self.chan.release_slots(1);
        Some(v)
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let restore = std::task::ready!(crate::coop::poll_proceed(cx));
        match Self::refill(&self.chan, &mut self.local) {
            Ok(()) => {}
            Err(mut sh) => {
                if self.chan.drained(&sh) {
                    drop(sh);
                    restore.made_progress();
                    return Poll::Ready(None);
                }
                match &sh.rx_waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => sh.rx_waker = Some(cx.waker().clone()),
                }
                return Poll::Pending;
            }
        }
        let v = self.take_one();
        restore.made_progress();
        Poll::Ready(v)
    }

    fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        let restore = std::task::ready!(crate::coop::poll_proceed(cx));
        if let Err(mut sh) = Self::refill(&self.chan, &mut self.local) {
            if self.chan.drained(&sh) {
                drop(sh);
                restore.made_progress();
                return Poll::Ready(0);
            }
            sh.rx_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let mut n = self.local.len().min(limit);
        buf.extend(self.local.drain(..n));
        if n < limit {
            // Up to `limit`: what else has been sent meanwhile.
            let mut sh = self.chan.shared.lock();
            let more = sh.queue.len().min(limit - n);
            buf.extend(sh.queue.drain(..more));
            n += more;
        }
        self.chan.release_slots(n);
        restore.made_progress();
        Poll::Ready(n)
    }

    fn try_recv(&mut self) -> Result<T, TryRecvError> {
        match Self::refill(&self.chan, &mut self.local) {
            Ok(()) => {}
            Err(sh) if self.chan.drained(&sh) => return Err(TryRecvError::Disconnected),
            Err(_) => return Err(TryRecvError::Empty),
        }
        Ok(self.take_one().expect("refill left a message"))
    }
    fn is_closed(&self) -> bool {
        let sh = self.chan.shared.lock();
        sh.rx_closed || sh.senders == 0
    }

    fn len(&self) -> usize {
        self.local.len() + self.chan.shared.lock().queue.len()
    }
}

impl<T> Drop for RxCore<T> {
    fn drop(&mut self) {
        self.chan.shared.lock().rx_dropped = true;
        self.chan.close();
        // Buffered messages are dropped here, outside the locks; their
        // slots are free again (`capacity()` reports them).
        let queue = std::mem::take(&mut self.chan.shared.lock().queue);
        self.chan.release_slots(queue.len() + self.local.len());
        drop(queue);
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
        let res = std::task::ready!(this.chan.poll_slot(cx, &mut this.key));
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
    assert!(
        buffer <= MAX_CAPACITY,
        "mpsc::channel buffer of {buffer} messages is over the limit of {MAX_CAPACITY}; use unbounded_channel for no limit"
    );
    let chan = Chan::new(buffer);
    (
        Sender { chan: chan.clone() },
        Receiver {
            core: RxCore::new(chan),
        },
    )
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
            inner: Receiver {
                core: RxCore::new(chan),
            },
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
    core: RxCore<T>,
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
        match self.chan.try_take_slot() {
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
        self.chan.try_take_slot()?;
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
            self.chan.release_slots(1);
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
        std::future::poll_fn(|cx| self.core.poll_recv(cx)).await
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
}

impl<T> futures_core::Stream for Receiver<T> {
    type Item = T;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().core.poll_recv(cx)
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
