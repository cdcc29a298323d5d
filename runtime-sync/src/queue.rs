//! asyncio's queues: [`Queue`] (FIFO), [`PriorityQueue`] (smallest first)
//! and [`LifoQueue`], with `maxsize` backpressure (`put` waits while the
//! queue is full), and `task_done`/`join` to wait until every item put
//! has been processed. All methods take `&self`: share a queue in an
//! `Arc`.
//!
//! Cancel safety: a dropped `put` loses nothing (its item was never
//! queued); a dropped `get` loses no item (it takes one only when it
//! returns it). A waiter woken for free space or a new item that is then
//! dropped passes the wake on to the next waiter.

use crate::loom::sync::Mutex;
use crate::wait_list::{Key, WaitList};
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
    getters: WaitList<Waiter>,
    putters: WaitList<Waiter>,
    /// `join()` futures waiting for `unfinished` to reach 0 (a dropped
    /// one takes its waker back out).
    joiners: WaitList<Waker>,
    _t: std::marker::PhantomData<T>,
}

struct Waiter {
    waker: Option<Waker>,
    /// Woken for its turn (an item or a free slot appeared).
    chosen: bool,
}

/// Queues a waiter that could not proceed: a new one at the back; one
/// still queued just refreshes its waker (keeping its place); one that was
/// chosen but lost the item or slot to a newcomer queues again at the back.
fn wait_again(list: &mut WaitList<Waiter>, key: &mut Option<Key>, waker: &Waker) {
    if let Some(k) = *key {
        match list.get_mut(k) {
            Some(w) if !w.chosen => {
                match &w.waker {
                    Some(old) if old.will_wake(waker) => {}
                    _ => w.waker = Some(waker.clone()),
                }
                return;
            }
            _ => {
                list.remove(k);
            }
        }
    }
    *key = Some(list.push_back(Waiter {
        waker: Some(waker.clone()),
        chosen: false,
    }));
}

/// Wakes the first waiter of `list` (marking it chosen).
fn wake_first(list: &mut WaitList<Waiter>) -> Option<Waker> {
    let (key, w) = list.front_mut()?;
    w.chosen = true;
    let waker = w.waker.take();
    list.unlink(key);
    waker
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

    fn has_room(&self, st: &State<T, S>) -> bool {
        self.maxsize == 0 || st.items.len() < self.maxsize
    }

    /// Queues `item` if there is room; gives it back if the queue is full
    /// (or a `put` is already waiting: waiting putters go first).
    ///
    /// ```
    /// use runtime_sync::Queue;
    /// let q = Queue::new(1);
    /// assert_eq!(q.try_put("a"), Ok(()));
    /// assert_eq!(q.try_put("b"), Err("b")); // full: it comes back
    /// ```
    pub fn try_put(&self, item: T) -> Result<(), T> {
        let waker = {
            let mut st = self.state.lock();
            // Waiting putters go first (fairness).
            if !self.has_room(&st) || !st.putters.is_empty() {
                return Err(item);
            }
            st.items.push(item);
            st.unfinished += 1;
            wake_first(&mut st.getters)
        };
        if let Some(w) = waker {
            w.wake();
        }
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
        let restore = std::task::ready!(crate::coop::poll_proceed(cx));
        let waker = {
            let mut st = self.state.lock();
            let my_turn = match *key {
                None => st.putters.is_empty(),
                Some(k) => st.putters.get_mut(k).is_some_and(|w| w.chosen),
            };
            if !(my_turn && self.has_room(&st)) {
                wait_again(&mut st.putters, key, cx.waker());
                return Poll::Pending;
            }
            if let Some(k) = key.take() {
                st.putters.remove(k);
            }
            st.items
                .push(item.take().expect("put polled after it completed"));
            st.unfinished += 1;
            let getter = wake_first(&mut st.getters);
            // Room left for the next putter too?
            let putter = if self.has_room(&st) {
                wake_first(&mut st.putters)
            } else {
                None
            };
            (getter, putter)
        };
        restore.made_progress();
        for w in [waker.0, waker.1].into_iter().flatten() {
            w.wake();
        }
        Poll::Ready(())
    }

    /// Takes the next item if there is one, without waiting (`None` also
    /// while a `get` is already waiting: waiting getters go first).
    ///
    /// ```
    /// use runtime_sync::Queue;
    /// let q = Queue::new(0);
    /// assert_eq!(q.try_get(), None::<u8>);
    /// q.try_put(1).unwrap();
    /// assert_eq!(q.try_get(), Some(1));
    /// ```
    pub fn try_get(&self) -> Option<T> {
        let (item, waker) = {
            let mut st = self.state.lock();
            if !st.getters.is_empty() {
                return None; // waiting getters go first
            }
            let item = st.items.pop()?;
            (item, wake_first(&mut st.putters))
        };
        if let Some(w) = waker {
            w.wake();
        }
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
        let (item, wakers) = {
            let mut st = self.state.lock();
            let my_turn = match *key {
                None => st.getters.is_empty(),
                Some(k) => st.getters.get_mut(k).is_some_and(|w| w.chosen),
            };
            let item = if my_turn { st.items.pop() } else { None };
            let Some(item) = item else {
                wait_again(&mut st.getters, key, cx.waker());
                return Poll::Pending;
            };
            if let Some(k) = key.take() {
                st.getters.remove(k);
            }
            let putter = wake_first(&mut st.putters);
            // More items left for the next getter?
            let getter = if !st.items.is_empty() {
                wake_first(&mut st.getters)
            } else {
                None
            };
            (item, [putter, getter])
        };
        restore.made_progress();
        for w in wakers.into_iter().flatten() {
            w.wake();
        }
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

    /// A waiting `put`/`get` was dropped: leave the queue, and if it had
    /// been chosen, pass its turn on.
    fn cancel(&self, key: Key, putters: bool) {
        let waker = {
            let mut st = self.state.lock();
            let list = if putters {
                &mut st.putters
            } else {
                &mut st.getters
            };
            match list.remove(key) {
                Some(Waiter { chosen: true, .. }) => wake_first(list),
                _ => None,
            }
        };
        if let Some(w) = waker {
            w.wake();
        }
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
