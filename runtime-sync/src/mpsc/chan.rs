//! The shared channel core of both mpsc kinds: the queue and its lock, a
//! bounded channel's slot word and the senders waiting for a slot, and the
//! receiver's private buffer (`RxCore`). The public ends in `bounded.rs`
//! and `unbounded.rs` are thin wrappers over these.

use super::error::{SendError, TryRecvError, TrySendError};
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::wait_list::{Key, WaitList, WakeList};
use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

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

pub(crate) struct Chan<T> {
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
    pub(crate) capacity: usize,
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
pub(crate) const MAX_CAPACITY: usize = usize::MAX >> SLOT_SHIFT;

pub(crate) struct Shared<T> {
    /// Messages sent and not yet taken into the receiver's own buffer.
    queue: VecDeque<T>,
    rx_waker: Option<Waker>,
    senders: usize,
    /// `WeakSender`s alive (they do not keep the channel open).
    weak_senders: usize,
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
    /// Slots this waiter asked for (1, or `n` for `reserve_many`).
    want: usize,
    /// Slots handed to it so far (they stay taken, now the waiter's). A
    /// waiter leaves the queue (and is woken) once `got == want`; one
    /// partly served stays at the head.
    got: usize,
}

impl Waiters {
    /// Keeps `WAITERS` equal to "somebody is queued" after a waiter left
    /// the queue (called under the lock).
    pub(crate) fn sync_flag(&self, slots: &AtomicUsize) {
        if self.send.is_empty() {
            // Release: pairs with the Acquire load of a receiver that then
            // takes the fast path; nothing else is published here.
            slots.fetch_and(!WAITERS, Ordering::AcqRel);
        }
    }
}

impl<T> Chan<T> {
    pub(crate) fn new(capacity: usize) -> Arc<Chan<T>> {
        let bounded = capacity != usize::MAX;
        Arc::new(Chan {
            shared: Padded(Mutex::new(Shared {
                queue: VecDeque::new(),
                rx_waker: None,
                senders: 1,
                weak_senders: 0,
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

    pub(crate) fn bounded(&self) -> bool {
        self.capacity != usize::MAX
    }

    /// Takes `n` free slots without waiting: one compare-exchange. Fails
    /// when closed, or when fewer than `n` slots are free (which includes
    /// "somebody is already waiting", see `WAITERS`). `n == 0` only checks
    /// for a close.
    pub(crate) fn try_take_slots(&self, n: usize) -> Result<(), TrySendError<()>> {
        // Acquire/AcqRel: a slot given back by the receiver was freed after
        // its message was moved out; nothing else travels with the count.
        let mut s = self.slots.load(Ordering::Acquire);
        loop {
            if s & CLOSED != 0 {
                return Err(TrySendError::Closed(()));
            }
            if s >> SLOT_SHIFT < n {
                return Err(TrySendError::Full(()));
            }
            match self.slots.compare_exchange_weak(
                s,
                s - n * ONE_SLOT,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => s = actual,
            }
        }
    }

    /// Waits for `n` slots, `1 <= n <= capacity` (`key`: this sender's
    /// place in the queue, kept between polls). `Ok` leaves the slots taken
    /// for the caller. A waiter that cannot be served at once takes the
    /// free slots there are and queues for the rest.
    ///
    /// `#[inline]`, as `push` is: both belong inside `Send::poll`, and a
    /// build where the compiler called them instead measured 5% slower
    /// on contended sends (`docs/benchmarks.md`).
    #[inline]
    pub(crate) fn poll_slots(
        &self,
        cx: &mut Context<'_>,
        key: &mut Option<Key>,
        n: usize,
    ) -> Poll<Result<(), ()>> {
        debug_assert!(n >= 1 && n <= self.capacity);
        let Some(k) = *key else {
            match self.try_take_slots(n) {
                Ok(()) => return Poll::Ready(Ok(())),
                Err(TrySendError::Closed(())) => return Poll::Ready(Err(())),
                Err(TrySendError::Full(())) => {}
            }
            let mut w = self.waiters.lock();
            let mut s = self.slots.load(Ordering::Acquire);
            let got = loop {
                if s & CLOSED != 0 {
                    return Poll::Ready(Err(()));
                }
                let free = s >> SLOT_SHIFT;
                // Enough: take them. Too few: take them all (keeping "free
                // slots imply nobody waits") and queue for the rest.
                let next = if free >= n {
                    s - n * ONE_SLOT
                } else {
                    (s & CLOSED) | WAITERS
                };
                match self
                    .slots
                    .compare_exchange(s, next, Ordering::AcqRel, Ordering::Acquire)
                {
                    Ok(_) if free >= n => return Poll::Ready(Ok(())),
                    Ok(_) => break free,
                    Err(actual) => s = actual,
                }
            };
            *key = Some(w.send.push_back(SendWaiter {
                waker: Some(cx.waker().clone()),
                want: n,
                got,
            }));
            return Poll::Pending;
        };
        let mut w = self.waiters.lock();
        // `CLOSED` only changes under this lock.
        let closed = self.slots.load(Ordering::Acquire) & CLOSED != 0;
        let entry = w.send.get_mut(k).expect("a waiting send keeps its entry");
        if entry.got == entry.want {
            // Already out of the queue: the flag is unaffected.
            w.send.remove(k);
            drop(w);
            *key = None;
            if closed {
                // As Tokio: a send that had not taken its slot yet when the
                // receiver closed fails (only a `Permit` already in hand
                // still delivers); the slots go back, which may end a
                // closed receiver's wait.
                self.release_slots(n);
                return Poll::Ready(Err(()));
            }
            return Poll::Ready(Ok(()));
        }
        if closed {
            let got = w.send.remove(k).map_or(0, |e| e.got);
            w.sync_flag(&self.slots);
            drop(w);
            *key = None;
            self.release_slots(got);
            return Poll::Ready(Err(()));
        }
        match &entry.waker {
            Some(old) if old.will_wake(cx.waker()) => {}
            _ => entry.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// A waiting send was dropped: leave the queue, passing on the slots it
    /// had been handed.
    pub(crate) fn cancel_wait(&self, key: Key) {
        let got = {
            let mut w = self.waiters.lock();
            let got = w.send.remove(key).map_or(0, |e| e.got);
            w.sync_flag(&self.slots);
            got
        };
        self.release_slots(got);
    }

    /// Gives back `n` slots: while senders wait (and the channel is open)
    /// each goes to the first of them, who is woken; the rest go back to
    /// the free count. Lock-free unless somebody waits. After a close, the
    /// last slot to come back wakes the receiver (it waits for every slot
    /// held at the close to be filled or given back).
    pub(crate) fn release_slots(&self, mut n: usize) {
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
                    let give = n.min(entry.want - entry.got);
                    entry.got += give;
                    n -= give;
                    if entry.got == entry.want {
                        wakers.extend(entry.waker.take());
                        w.send.unlink(k);
                    }
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
    pub(crate) fn taken(&self) -> usize {
        if !self.bounded() {
            return 0;
        }
        self.capacity - (self.slots.load(Ordering::Acquire) >> SLOT_SHIFT)
    }

    pub(crate) fn wake_rx(&self) {
        let waker = self.shared.lock().rx_waker.take();
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Queues `value` in a slot the caller holds.
    #[inline]
    pub(crate) fn push(&self, value: T) -> Result<(), SendError<T>> {
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
    pub(crate) fn push_unbounded(&self, value: T) -> Result<(), SendError<T>> {
        let sh = self.shared.lock();
        if sh.rx_closed {
            return Err(SendError(value));
        }
        Self::enqueue(sh, value);
        Ok(())
    }

    /// Pushes under the queue lock and wakes the receiver after it.
    pub(crate) fn enqueue(mut sh: crate::loom::sync::MutexGuard<'_, Shared<T>>, value: T) {
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
    pub(crate) fn drained(&self, sh: &Shared<T>) -> bool {
        sh.senders == 0 || (sh.rx_closed && self.taken() == 0)
    }

    pub(crate) fn close(&self) {
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

    pub(crate) fn is_closed(&self) -> bool {
        self.shared.lock().rx_closed
    }

    /// `Sender::closed()`: waits for the receiver to go away.
    pub(crate) async fn closed(&self) {
        crate::wait_list::wait_until(&self.shared, |sh| &mut sh.closed_waiters, |sh| sh.rx_closed)
            .await
    }

    pub(crate) fn add_sender(&self) {
        self.shared.lock().senders += 1;
    }

    /// A new sender from a weak one: refused once every sender is gone
    /// (the receiver may already have seen the end).
    pub(crate) fn upgrade_sender(&self) -> bool {
        let mut sh = self.shared.lock();
        if sh.senders == 0 {
            return false;
        }
        sh.senders += 1;
        true
    }

    pub(crate) fn sender_count(&self) -> usize {
        self.shared.lock().senders
    }

    pub(crate) fn add_weak(&self) {
        self.shared.lock().weak_senders += 1;
    }

    pub(crate) fn drop_weak(&self) {
        self.shared.lock().weak_senders -= 1;
    }

    pub(crate) fn weak_count(&self) -> usize {
        self.shared.lock().weak_senders
    }

    pub(crate) fn drop_sender(&self) {
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

    pub(crate) fn free_slots(&self) -> usize {
        self.slots.load(Ordering::Acquire) >> SLOT_SHIFT
    }
}

/// The receiving end's own state: the channel, and the messages it took
/// out of the shared queue in one go and returns one by one without a lock.
/// Each still holds its slot until `recv` returns it.
pub(crate) struct RxCore<T> {
    pub(crate) chan: Arc<Chan<T>>,
    local: VecDeque<T>,
}

// Messages are moved, never pinned in place.
impl<T> Unpin for RxCore<T> {}

impl<T> RxCore<T> {
    pub(crate) fn new(chan: Arc<Chan<T>>) -> RxCore<T> {
        RxCore {
            chan,
            local: VecDeque::new(),
        }
    }

    /// Refills the private buffer `local` from the shared queue if it is
    /// empty; `Err` (with the lock still held) when both are empty.
    pub(crate) fn refill<'a>(
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
    pub(crate) fn take_one(&mut self) -> Option<T> {
        let v = self.local.pop_front()?;
        self.chan.release_slots(1);
        Some(v)
    }

    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
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

    pub(crate) fn poll_recv_many(
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

    pub(crate) fn try_recv(&mut self) -> Result<T, TryRecvError> {
        match Self::refill(&self.chan, &mut self.local) {
            Ok(()) => {}
            Err(sh) if self.chan.drained(&sh) => return Err(TryRecvError::Disconnected),
            Err(_) => return Err(TryRecvError::Empty),
        }
        Ok(self.take_one().expect("refill left a message"))
    }
    pub(crate) fn is_closed(&self) -> bool {
        let sh = self.chan.shared.lock();
        sh.rx_closed || sh.senders == 0
    }

    pub(crate) fn len(&self) -> usize {
        self.local.len() + self.chan.shared.lock().queue.len()
    }
}

impl<T> Drop for RxCore<T> {
    fn drop(&mut self) {
        let waker = {
            let mut sh = self.chan.shared.lock();
            sh.rx_dropped = true;
            // The receiver's waker goes with it: the senders may live on,
            // and it holds the receiving task.
            sh.rx_waker.take()
        };
        drop(waker);
        self.chan.close();
        // Buffered messages are dropped here, outside the locks; their
        // slots are free again (`capacity()` reports them).
        let queue = std::mem::take(&mut self.chan.shared.lock().queue);
        self.chan.release_slots(queue.len() + self.local.len());
        drop(queue);
    }
}

/// Waits for `n` slots: the core of `reserve`, `reserve_many`,
/// `reserve_owned` and `send_timeout`.
pub(crate) struct Reserve<'a, T> {
    chan: &'a Chan<T>,
    key: Option<Key>,
    /// Slots wanted, `1..=capacity`.
    n: usize,
}

impl<'a, T> Reserve<'a, T> {
    pub(crate) fn new(chan: &'a Chan<T>, n: usize) -> Reserve<'a, T> {
        Reserve { chan, key: None, n }
    }
}

impl<T> Unpin for Reserve<'_, T> {}

impl<T> std::future::Future for Reserve<'_, T> {
    type Output = Result<(), ()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let restore = std::task::ready!(crate::coop::poll_proceed(cx));
        let res = std::task::ready!(this.chan.poll_slots(cx, &mut this.key, this.n));
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
