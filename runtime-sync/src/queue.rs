//! asyncio's queues: [`Queue`] (FIFO), [`PriorityQueue`] (smallest first)
//! and [`LifoQueue`], with `maxsize` backpressure (`put` waits while the
//! queue is full), and `task_done`/`join` to wait until every item put
//! has been processed. All methods take `&self`: share a queue in an
//! `Arc`.
//!
//! Fairness: waiting `get`s are served in the order they started waiting,
//! and so are waiting `put`s, as Tokio's `Semaphore` serves its waiters.
//! An item that arrives while a `get` waits is reserved for the first
//! waiting `get` before that one is woken: until it has taken it, neither
//! `try_get` nor a `get` that comes later can take it (the item stays in
//! the queue, so the queue's order still decides which item a reserved
//! `get` receives when it runs). The same holds for a free slot and a
//! waiting `put`. So `try_get` returns `None` (and `try_put` gives its
//! item back) while every item (every free slot) is spoken for, as
//! `Semaphore::try_acquire` fails while its permits are assigned to
//! waiters: the non-blocking calls never jump the queue.
//!
//! Cancel safety: a dropped `put` loses nothing (its item was never
//! queued; it is dropped with the future); a dropped `get` loses no item
//! (it takes one only when it returns it). A `get` or `put` dropped after
//! an item or a slot was reserved for it passes the reservation on to the
//! next waiter, or gives it back to `try_get`/`try_put` if nobody waits.
//! A dropped waiter also takes its waker out of the queue, so an abandoned
//! wait keeps no task alive.

use crate::loom::sync::Mutex;
use crate::wait_list::{Key, WaitList, WakeList};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;
use std::task::{Context, Poll, Waker};

/// Where a queue keeps its items: the order is what tells the queue kinds
/// apart.
///
/// ```
/// use runtime_sync::queue::{BaseQueue, Store};
/// use std::collections::BinaryHeap;
/// /// Largest first.
/// #[derive(Default)]
/// struct Largest(BinaryHeap<u32>);
/// impl Store<u32> for Largest {
///     fn push(&mut self, item: u32) {
///         self.0.push(item)
///     }
///     fn pop(&mut self) -> Option<u32> {
///         self.0.pop()
///     }
///     fn len(&self) -> usize {
///         self.0.len()
///     }
/// }
/// let q: BaseQueue<u32, Largest> = BaseQueue::new(0);
/// for n in [2, 9, 4] {
///     q.try_put(n).unwrap();
/// }
/// assert_eq!(q.try_get(), Some(9));
/// ```
pub trait Store<T>: Default {
    /// Adds an item.
    fn push(&mut self, item: T);
    /// Takes the next item in this store's order.
    fn pop(&mut self) -> Option<T>;
    /// Items held.
    fn len(&self) -> usize;
    /// No item held.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// First in, first out.
///
/// ```
/// use runtime_sync::queue::{Fifo, Store};
/// let mut s = Fifo::default();
/// s.push(1);
/// s.push(2);
/// assert_eq!(s.pop(), Some(1));
/// ```
#[derive(Debug)]
pub struct Fifo<T>(VecDeque<T>);
/// Last in, first out.
///
/// ```
/// use runtime_sync::queue::{Lifo, Store};
/// let mut s = Lifo::default();
/// s.push(1);
/// s.push(2);
/// assert_eq!(s.pop(), Some(2));
/// ```
#[derive(Debug)]
pub struct Lifo<T>(Vec<T>);
/// Smallest first.
///
/// ```
/// use runtime_sync::queue::{Smallest, Store};
/// let mut s = Smallest::default();
/// s.push(2);
/// s.push(1);
/// assert_eq!(s.pop(), Some(1));
/// ```
#[derive(Debug)]
pub struct Smallest<T: Ord>(BinaryHeap<Reverse<T>>);

impl<T> Default for Fifo<T> {
    fn default() -> Self {
        Fifo(VecDeque::new())
    }
}
impl<T> Default for Lifo<T> {
    fn default() -> Self {
        Lifo(Vec::new())
    }
}
impl<T: Ord> Default for Smallest<T> {
    fn default() -> Self {
        Smallest(BinaryHeap::new())
    }
}

impl<T> Store<T> for Fifo<T> {
    fn push(&mut self, item: T) {
        self.0.push_back(item)
    }
    fn pop(&mut self) -> Option<T> {
        self.0.pop_front()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T> Store<T> for Lifo<T> {
    fn push(&mut self, item: T) {
        self.0.push(item)
    }
    fn pop(&mut self) -> Option<T> {
        self.0.pop()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T: Ord> Store<T> for Smallest<T> {
    fn push(&mut self, item: T) {
        self.0.push(Reverse(item))
    }
    fn pop(&mut self) -> Option<T> {
        self.0.pop().map(|Reverse(t)| t)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// An asyncio-style FIFO queue.
///
/// ```
/// use runtime_sync::Queue;
/// futures::executor::block_on(async {
///     let q = Queue::new(2);
///     q.put("a").await;
///     q.put("b").await;
///     assert!(q.is_full());
///     assert_eq!(q.try_put("c"), Err("c"));
///     assert_eq!(q.get().await, "a");
///     q.task_done();
///     assert_eq!(q.get().await, "b");
///     q.task_done();
///     q.join().await; // every item put was marked done
/// });
/// ```
pub type Queue<T> = BaseQueue<T, Fifo<T>>;
/// An asyncio-style priority queue: `get` returns the smallest item.
///
/// ```
/// use runtime_sync::PriorityQueue;
/// let q = PriorityQueue::new(0);
/// for job in [(2, "low"), (0, "urgent"), (1, "normal")] {
///     q.try_put(job).unwrap();
/// }
/// assert_eq!(q.try_get(), Some((0, "urgent")));
/// assert_eq!(q.try_get(), Some((1, "normal")));
/// ```
pub type PriorityQueue<T> = BaseQueue<T, Smallest<T>>;
/// An asyncio-style LIFO queue: `get` returns the newest item.
///
/// ```
/// use runtime_sync::LifoQueue;
/// let q = LifoQueue::new(0);
/// q.try_put("old").unwrap();
/// q.try_put("new").unwrap();
/// assert_eq!(q.try_get(), Some("new"));
/// ```
pub type LifoQueue<T> = BaseQueue<T, Lifo<T>>;

/// The queue behind [`Queue`], [`PriorityQueue`] and [`LifoQueue`].
///
/// ```
/// use runtime_sync::Queue;
/// use std::sync::Arc;
/// // A worker, and `join` to wait until it has processed everything.
/// let q = Arc::new(Queue::new(0));
/// let worker = {
///     let q = q.clone();
///     std::thread::spawn(move || {
///         futures::executor::block_on(async {
///             let mut sum = 0;
///             loop {
///                 let n: u32 = q.get().await;
///                 sum += n;
///                 q.task_done();
///                 if n == 0 {
///                     return sum; // 0: stop
///                 }
///             }
///         })
///     })
/// };
/// futures::executor::block_on(async {
///     for n in [3, 2, 1, 0] {
///         q.put(n).await;
///     }
///     q.join().await;
/// });
/// assert_eq!(worker.join().unwrap(), 6);
/// ```
pub struct BaseQueue<T, S: Store<T>> {
    maxsize: usize,
    state: Mutex<State<T, S>>,
}

struct State<T, S> {
    items: S,
    /// Items put and not yet marked done.
    unfinished: usize,
    /// Items in `items` reserved for chosen getters (woken, not yet back
    /// to take one). Only the rest, `items.len() - reserved_items`, are
    /// free for `try_get` and a new `get`. While a getter is still queued
    /// there is no free item: each is reserved as it arrives.
    reserved_items: usize,
    /// Free slots reserved for chosen putters, in the same way.
    reserved_slots: usize,
    /// Waiting `get`s, first come first served; a chosen one has left the
    /// queue (it stays in the slab until its future takes its item).
    getters: WaitList<Waiter>,
    /// Waiting `put`s, likewise.
    putters: WaitList<Waiter>,
    /// `join()` futures waiting for `unfinished` to reach 0 (a dropped
    /// one takes its waker back out).
    joiners: WaitList<Waker>,
    _t: std::marker::PhantomData<T>,
}

struct Waiter {
    /// `None` once woken.
    waker: Option<Waker>,
    /// An item (a slot) was reserved for it: its next poll takes it.
    chosen: bool,
}

/// Takes the first queued waiter of `list` out of the queue, marked
/// chosen (the caller reserves its item or slot); `false` if none waits.
fn choose_first(list: &mut WaitList<Waiter>, wakers: &mut WakeList) -> bool {
    let Some((key, w)) = list.front_mut() else {
        return false;
    };
    w.chosen = true;
    wakers.extend(w.waker.take());
    list.unlink(key);
    true
}

/// Keeps a still-queued waiter's waker up to date.
fn refresh(w: &mut Waiter, waker: &Waker) {
    match &w.waker {
        Some(old) if old.will_wake(waker) => {}
        _ => w.waker = Some(waker.clone()),
    }
}

/// What a waiting `get` or `put` found on its next poll.
enum Turn {
    /// Never queued (first poll): it may take a free item or slot.
    New,
    /// Still queued: it keeps waiting.
    Queued,
    /// Chosen: its item or slot is reserved; the entry has been removed.
    Chosen,
}

/// Looks up a waiter's entry; a chosen one leaves the slab here.
fn turn(list: &mut WaitList<Waiter>, key: &mut Option<Key>, waker: &Waker) -> Turn {
    let Some(k) = *key else { return Turn::New };
    match list.get_mut(k) {
        Some(w) if w.chosen => {
            list.remove(k);
            *key = None;
            Turn::Chosen
        }
        Some(w) => {
            refresh(w, waker);
            Turn::Queued
        }
        None => {
            // Entries leave the slab only through their own future.
            debug_assert!(false, "a waiting queue future lost its entry");
            *key = None;
            Turn::New
        }
    }
}

impl<T, S: Store<T>> BaseQueue<T, S> {
    /// A queue holding at most `maxsize` items (0: no limit), as asyncio.
    ///
    /// ```
    /// use runtime_sync::Queue;
    /// let bounded = Queue::new(1);
    /// bounded.try_put(1).unwrap();
    /// assert_eq!(bounded.try_put(2), Err(2));
    /// let unbounded = Queue::new(0);
    /// for i in 0..1000 {
    ///     unbounded.try_put(i).unwrap();
    /// }
    /// assert!(!unbounded.is_full());
    /// ```
    pub fn new(maxsize: usize) -> Self {
        BaseQueue {
            maxsize,
            state: Mutex::new(State {
                items: S::default(),
                unfinished: 0,
                reserved_items: 0,
                reserved_slots: 0,
                getters: WaitList::new(),
                putters: WaitList::new(),
                joiners: WaitList::new(),
                _t: std::marker::PhantomData,
            }),
        }
    }

    /// The limit given to `new` (0: unbounded).
    pub fn maxsize(&self) -> usize {
        self.maxsize
    }

    /// Items queued now.
    ///
    /// ```
    /// use runtime_sync::Queue;
    /// let q = Queue::new(0);
    /// assert!(q.is_empty());
    /// q.try_put('a').unwrap();
    /// assert_eq!(q.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.state.lock().items.len()
    }

    /// No item queued now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `maxsize` items queued now (never true for an unbounded queue).
    ///
    /// ```
    /// use runtime_sync::Queue;
    /// let q = Queue::new(1);
    /// assert!(!q.is_full());
    /// q.try_put(()).unwrap();
    /// assert!(q.is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        self.maxsize > 0 && self.len() >= self.maxsize
    }

    /// A slot neither taken by an item nor reserved for a chosen putter.
    fn has_free_slot(&self, st: &State<T, S>) -> bool {
        self.maxsize == 0 || st.items.len() + st.reserved_slots < self.maxsize
    }

    /// An item not reserved for a chosen getter.
    fn has_free_item(st: &State<T, S>) -> bool {
        st.items.len() > st.reserved_items
    }

    /// Reserves every free item for the first waiting getters and every
    /// free slot for the first waiting putters, collecting their wakers
    /// (woken once the lock is released). Called after every change, it
    /// keeps "nobody of a kind is queued while something of theirs is
    /// free".
    fn dispatch(&self, st: &mut State<T, S>, wakers: &mut WakeList) {
        while Self::has_free_item(st) && choose_first(&mut st.getters, wakers) {
            st.reserved_items += 1;
        }
        while self.has_free_slot(st) && choose_first(&mut st.putters, wakers) {
            st.reserved_slots += 1;
        }
    }

    /// Queues `item` (the caller checked for a free or reserved slot) and
    /// reserves it for the first waiting getter.
    fn push_item(&self, st: &mut State<T, S>, item: T, wakers: &mut WakeList) {
        st.items.push(item);
        st.unfinished += 1;
        self.dispatch(st, wakers);
    }

    /// Takes the next item (the caller checked for a free or reserved one);
    /// its slot goes to the first waiting putter.
    fn pop_item(&self, st: &mut State<T, S>, wakers: &mut WakeList) -> T {
        let item = st.items.pop().expect("a free or reserved item is there");
        self.dispatch(st, wakers);
        item
    }

    /// Queues `item` if there is a free slot; gives it back if the queue
    /// is full, or if every free slot is reserved for a `put` that waited
    /// for it (waiting putters go first: see the module docs).
    ///
    /// ```
    /// use runtime_sync::Queue;
    /// let q = Queue::new(1);
    /// assert_eq!(q.try_put("a"), Ok(()));
    /// assert_eq!(q.try_put("b"), Err("b")); // full: it comes back
    /// ```
    pub fn try_put(&self, item: T) -> Result<(), T> {
        let mut wakers = WakeList::new();
        {
            let mut st = self.state.lock();
            if !self.has_free_slot(&st) {
                return Err(item);
            }
            self.push_item(&mut st, item, &mut wakers);
        }
        wakers.wake_all();
        Ok(())
    }

    /// Queues `item`, waiting while the queue is full (backpressure).
    ///
    /// ```
    /// use runtime_sync::Queue;
    /// use std::sync::Arc;
    /// let q = Arc::new(Queue::new(1));
    /// let producer = {
    ///     let q = q.clone();
    ///     std::thread::spawn(move || {
    ///         futures::executor::block_on(async {
    ///             for i in 0..3 {
    ///                 q.put(i).await; // waits while the queue is full
    ///             }
    ///         })
    ///     })
    /// };
    /// let mut got = Vec::new();
    /// futures::executor::block_on(async {
    ///     for _ in 0..3 {
    ///         got.push(q.get().await);
    ///     }
    /// });
    /// producer.join().unwrap();
    /// assert_eq!(got, [0, 1, 2]);
    /// ```
    pub fn put(&self, item: T) -> Put<'_, T, S> {
        Put {
            queue: self,
            item: Some(item),
            key: None,
        }
    }

    fn poll_put(
        &self,
        cx: &mut Context<'_>,
        item: &mut Option<T>,
        key: &mut Option<Key>,
    ) -> Poll<()> {
        // Checked first: a completed put must not queue again.
        assert!(item.is_some(), "put polled after it completed");
        let restore = std::task::ready!(crate::coop::poll_proceed(cx));
        let mut wakers = WakeList::new();
        {
            let mut st = self.state.lock();
            match turn(&mut st.putters, key, cx.waker()) {
                Turn::Queued => return Poll::Pending,
                Turn::Chosen => st.reserved_slots -= 1,
                Turn::New if self.has_free_slot(&st) => {}
                Turn::New => {
                    *key = Some(st.putters.push_back(Waiter {
                        waker: Some(cx.waker().clone()),
                        chosen: false,
                    }));
                    return Poll::Pending;
                }
            }
            let item = item.take().expect("checked above");
            self.push_item(&mut st, item, &mut wakers);
        }
        restore.made_progress();
        wakers.wake_all();
        Poll::Ready(())
    }

    /// Takes the next item if there is one, without waiting. `None` also
    /// while every queued item is reserved for a `get` that waited for it
    /// (waiting getters go first: see the module docs).
    ///
    /// ```
    /// use runtime_sync::Queue;
    /// let q = Queue::new(0);
    /// assert_eq!(q.try_get(), None::<u8>);
    /// q.try_put(1).unwrap();
    /// assert_eq!(q.try_get(), Some(1));
    /// ```
    pub fn try_get(&self) -> Option<T> {
        let mut wakers = WakeList::new();
        let item = {
            let mut st = self.state.lock();
            if !Self::has_free_item(&st) {
                return None;
            }
            self.pop_item(&mut st, &mut wakers)
        };
        wakers.wake_all();
        Some(item)
    }

    /// Takes the next item, waiting while the queue is empty.
    ///
    /// ```
    /// use runtime_sync::Queue;
    /// use std::sync::Arc;
    /// let q = Arc::new(Queue::new(0));
    /// let consumer = {
    ///     let q = q.clone();
    ///     std::thread::spawn(move || futures::executor::block_on(q.get())) // waits
    /// };
    /// q.try_put("item").unwrap();
    /// assert_eq!(consumer.join().unwrap(), "item");
    /// ```
    pub fn get(&self) -> Get<'_, T, S> {
        Get {
            queue: self,
            key: None,
        }
    }

    fn poll_get(&self, cx: &mut Context<'_>, key: &mut Option<Key>) -> Poll<T> {
        let restore = std::task::ready!(crate::coop::poll_proceed(cx));
        let mut wakers = WakeList::new();
        let item = {
            let mut st = self.state.lock();
            match turn(&mut st.getters, key, cx.waker()) {
                Turn::Queued => return Poll::Pending,
                Turn::Chosen => st.reserved_items -= 1,
                Turn::New if Self::has_free_item(&st) => {}
                Turn::New => {
                    *key = Some(st.getters.push_back(Waiter {
                        waker: Some(cx.waker().clone()),
                        chosen: false,
                    }));
                    return Poll::Pending;
                }
            }
            self.pop_item(&mut st, &mut wakers)
        };
        restore.made_progress();
        wakers.wake_all();
        Poll::Ready(item)
    }

    /// Marks one item taken with `get` as processed.
    ///
    /// # Panics
    /// When called more times than items were put (asyncio raises
    /// `ValueError` there).
    ///
    /// ```
    /// use runtime_sync::Queue;
    /// let q = Queue::new(0);
    /// q.try_put("job").unwrap();
    /// let _job = q.try_get().unwrap();
    /// // ... process it ...
    /// q.task_done();
    /// futures::executor::block_on(q.join()); // nothing unfinished
    /// ```
    ///
    /// ```should_panic
    /// let q = runtime_sync::Queue::<u8>::new(0);
    /// q.task_done(); // nothing was put
    /// ```
    #[track_caller]
    pub fn task_done(&self) {
        let joiners = {
            let mut st = self.state.lock();
            if st.unfinished == 0 {
                drop(st);
                panic!("task_done() called more times than there were items put in the queue");
            }
            st.unfinished -= 1;
            if st.unfinished > 0 {
                return;
            }
            st.joiners.take_all()
        };
        joiners.wake_all();
    }

    /// Waits until every item ever put has been marked with `task_done`.
    ///
    /// ```
    /// use futures::FutureExt;
    /// use runtime_sync::Queue;
    /// let q = Queue::new(0);
    /// q.try_put(1).unwrap();
    /// assert!(q.join().now_or_never().is_none()); // one item unfinished
    /// q.try_get().unwrap();
    /// assert!(q.join().now_or_never().is_none()); // taken, not yet done
    /// q.task_done();
    /// assert!(q.join().now_or_never().is_some());
    /// ```
    pub async fn join(&self) {
        crate::wait_list::wait_until(&self.state, |st| &mut st.joiners, |st| st.unfinished == 0)
            .await
    }

    /// A waiting `put`/`get` was dropped: leave the queue (its waker goes
    /// with it), and if an item or a slot had been reserved for it, pass
    /// that on to the next waiter (or free it).
    fn cancel(&self, key: Key, putters: bool) {
        let mut wakers = WakeList::new();
        let waiter = {
            let mut st = self.state.lock();
            let list = if putters {
                &mut st.putters
            } else {
                &mut st.getters
            };
            let waiter = list.remove(key);
            if waiter.as_ref().is_some_and(|w| w.chosen) {
                if putters {
                    st.reserved_slots -= 1;
                } else {
                    st.reserved_items -= 1;
                }
                self.dispatch(&mut st, &mut wakers);
            }
            waiter
        };
        // Its waker (if never woken) is dropped after the lock.
        drop(waiter);
        wakers.wake_all();
    }
}

/// The future of `put`; dropping it before it completes loses nothing
/// (the item was never queued and is dropped with it).
///
/// ```
/// use futures::FutureExt;
/// use runtime_sync::Queue;
/// let q = Queue::new(1);
/// q.try_put("kept").unwrap();
/// // Full: the put would wait; dropping it drops its item, nothing else.
/// assert!(q.put("dropped").now_or_never().is_none());
/// assert_eq!(q.try_get(), Some("kept"));
/// assert!(q.is_empty());
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Put<'a, T, S: Store<T>> {
    queue: &'a BaseQueue<T, S>,
    item: Option<T>,
    key: Option<Key>,
}

/// The future of `get`; dropping it before it completes loses no item.
///
/// ```
/// use futures::future::{select, Either};
/// use runtime_sync::Queue;
/// futures::executor::block_on(async {
///     let jobs = Queue::<&str>::new(0);
///     let urgent = Queue::new(0);
///     urgent.try_put("urgent").unwrap();
///     // `Get` is `Unpin`: it goes straight into `select`. The losing get is
///     // dropped without taking anything.
///     match select(jobs.get(), urgent.get()).await {
///         Either::Right((item, _)) => assert_eq!(item, "urgent"),
///         Either::Left(_) => unreachable!(),
///     };
/// });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Get<'a, T, S: Store<T>> {
    queue: &'a BaseQueue<T, S>,
    key: Option<Key>,
}

impl<T, S: Store<T>> fmt::Debug for Put<'_, T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Put")
            .field("waiting", &self.key.is_some())
            .finish_non_exhaustive()
    }
}

impl<T, S: Store<T>> fmt::Debug for Get<'_, T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Get")
            .field("waiting", &self.key.is_some())
            .finish_non_exhaustive()
    }
}

// The item is never pinned in place (it is moved into the queue), so the
// futures are `Unpin` whatever `T` is.
impl<T, S: Store<T>> Unpin for Put<'_, T, S> {}
impl<T, S: Store<T>> Unpin for Get<'_, T, S> {}

impl<T, S: Store<T>> std::future::Future for Put<'_, T, S> {
    type Output = ();
    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.queue.poll_put(cx, &mut this.item, &mut this.key)
    }
}

impl<T, S: Store<T>> std::future::Future for Get<'_, T, S> {
    type Output = T;
    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = self.get_mut();
        this.queue.poll_get(cx, &mut this.key)
    }
}

impl<T, S: Store<T>> Drop for Put<'_, T, S> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.queue.cancel(key, true);
        }
    }
}

impl<T, S: Store<T>> Drop for Get<'_, T, S> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.queue.cancel(key, false);
        }
    }
}

impl<T, S: Store<T>> fmt::Debug for BaseQueue<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.state.lock();
        f.debug_struct("Queue")
            .field("maxsize", &self.maxsize)
            .field("len", &st.items.len())
            .field("unfinished", &st.unfinished)
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::test_util::{poll_once, CountingWaker};
    use crate::{LifoQueue, PriorityQueue, Queue};

    /// A getter woken for an item keeps it: neither a `try_get` nor a new
    /// `get` arriving between the wake and the waiter's poll takes it, so
    /// a waiting consumer cannot be starved by ones that never wait.
    #[test]
    fn a_woken_getter_is_not_overtaken() {
        let q = Queue::new(0);
        let (w, newcomer_w) = (CountingWaker::new(), CountingWaker::new());
        let mut waiting = q.get();
        for round in 0..100 {
            assert!(poll_once(&mut waiting, &w).is_pending());
            q.try_put(round).unwrap();
            assert_eq!(w.wakes(), round + 1, "the waiter is woken");
            // Newcomers that never waited, between the wake and the poll.
            assert_eq!(q.try_get(), None, "try_get took the waiter's item");
            let mut newcomer = q.get();
            assert!(
                poll_once(&mut newcomer, &newcomer_w).is_pending(),
                "a new get took the waiter's item"
            );
            drop(newcomer);
            assert_eq!(poll_once(&mut waiting, &w), Poll::Ready(round));
            waiting = q.get();
        }
        assert_eq!(newcomer_w.wakes(), 0);
    }

    /// The same for free space: a `put` woken for a slot keeps it.
    #[test]
    fn a_woken_putter_is_not_overtaken() {
        let q = Queue::new(1);
        q.try_put(0).unwrap();
        let w = CountingWaker::new();
        for round in 1..100 {
            let mut waiting = q.put(round);
            assert!(poll_once(&mut waiting, &w).is_pending());
            assert_eq!(q.try_get(), Some(round - 1));
            assert_eq!(w.wakes(), round, "the waiting put is woken");
            assert_eq!(q.try_put(1000), Err(1000), "try_put took the waiter's slot");
            let mut newcomer = q.put(2000);
            assert!(
                poll_once(&mut newcomer, &w).is_pending(),
                "a new put took the waiter's slot"
            );
            drop(newcomer);
            assert_eq!(poll_once(&mut waiting, &w), Poll::Ready(()));
        }
        assert_eq!(q.try_get(), Some(99));
        assert!(q.is_empty());
    }

    /// Waiters are served in the order they came, whichever order they
    /// are polled in after the wake.
    #[test]
    fn getters_are_served_first_come_first_served() {
        let q = Queue::new(0);
        let (wa, wb) = (CountingWaker::new(), CountingWaker::new());
        let (mut a, mut b) = (q.get(), q.get());
        assert!(poll_once(&mut a, &wa).is_pending());
        assert!(poll_once(&mut b, &wb).is_pending());
        q.try_put('x').unwrap();
        assert_eq!((wa.wakes(), wb.wakes()), (1, 0), "only the first is woken");
        assert!(poll_once(&mut b, &wb).is_pending(), "b overtook a");
        assert_eq!(poll_once(&mut a, &wa), Poll::Ready('x'));
        q.try_put('y').unwrap();
        assert_eq!(wb.wakes(), 1);
        assert_eq!(poll_once(&mut b, &wb), Poll::Ready('y'));
    }

    /// A getter handed an item and dropped before it took it passes the
    /// item on: to the next waiter, or back to the queue for anybody.
    #[test]
    fn a_cancelled_getter_passes_its_item_on() {
        let q = PriorityQueue::new(0);
        let (wa, wb) = (CountingWaker::new(), CountingWaker::new());
        let (mut a, mut b) = (q.get(), q.get());
        assert!(poll_once(&mut a, &wa).is_pending());
        assert!(poll_once(&mut b, &wb).is_pending());
        q.try_put(5).unwrap();
        assert_eq!(wa.wakes(), 1);
        drop(a);
        assert_eq!(wb.wakes(), 1, "the next waiter is woken in its place");
        assert_eq!(poll_once(&mut b, &wb), Poll::Ready(5));

        let mut c = q.get();
        assert!(poll_once(&mut c, &wa).is_pending());
        q.try_put(9).unwrap();
        drop(c);
        assert_eq!(q.try_get(), Some(9), "the item is back for anybody");
        assert!(q.is_empty());
    }

    #[test]
    fn a_put_polled_after_it_completed_panics_and_queues_nothing() {
        let q = Queue::new(1);
        let w = CountingWaker::new();
        let mut put = q.put(1);
        assert_eq!(poll_once(&mut put, &w), Poll::Ready(()));
        let msg = crate::test_util::panic_message(|| poll_once(&mut put, &w));
        assert_eq!(msg, "put polled after it completed");
        assert_eq!(q.try_get(), Some(1));
        assert_eq!(
            q.try_put(2),
            Ok(()),
            "the slot is free, nobody queued for it"
        );
    }

    /// A put woken for a slot and dropped passes the slot on.
    #[test]
    fn a_cancelled_putter_passes_its_slot_on() {
        let q = LifoQueue::new(1);
        q.try_put(0).unwrap();
        let (wa, wb) = (CountingWaker::new(), CountingWaker::new());
        let (mut a, mut b) = (q.put(1), q.put(2));
        assert!(poll_once(&mut a, &wa).is_pending());
        assert!(poll_once(&mut b, &wb).is_pending());
        assert_eq!(q.try_get(), Some(0));
        assert_eq!((wa.wakes(), wb.wakes()), (1, 0));
        drop(a); // its item is dropped with it, its slot goes to b
        assert_eq!(wb.wakes(), 1);
        assert_eq!(poll_once(&mut b, &wb), Poll::Ready(()));
        assert_eq!(q.try_get(), Some(2));

        let mut c = q.put(3);
        q.try_put(4).unwrap();
        assert!(poll_once(&mut c, &wa).is_pending());
        assert_eq!(q.try_get(), Some(4));
        drop(c);
        assert_eq!(q.try_put(5), Ok(()), "the slot is back for anybody");
        assert_eq!(q.try_get(), Some(5));
    }
}
