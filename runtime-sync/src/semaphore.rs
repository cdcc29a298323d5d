//! `Semaphore`: a fair (first come, first served) counting semaphore. A
//! waiter at the head of the queue that needs more permits than are free
//! is handed what is free and holds back the ones behind it, so a large
//! `acquire_many` is not starved by a stream of small ones (this is what
//! keeps `RwLock` writers from starving). As Tokio's, permits handed to a
//! waiting head no longer count as available.
//!
//! The count and two flags (`CLOSED`, `WAITERS`) share one atomic word:
//! while nobody is queued an acquire or a release is one compare-exchange
//! and takes no lock. The queue sits behind a mutex that only waiting,
//! serving the queue and closing take; while anybody is queued, the count
//! changes only under it (see `WAITERS`).
//!
//! Cancel safety: dropping a pending `acquire` loses nothing. If permits
//! had already been assigned to it they go back to the semaphore (and on
//! to the next waiter); if it was the head of the queue, the waiters behind
//! it are looked at again.

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Mutex;
use crate::wait_list::{Key, WaitList, WakeList};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// A counting semaphore.
///
/// ```
/// use runtime_sync::Semaphore;
/// let sem = Semaphore::new(2);
/// futures::executor::block_on(async {
///     let a = sem.acquire().await.unwrap();
///     let _b = sem.acquire().await.unwrap();
///     assert!(sem.try_acquire().is_err());
///     drop(a);
///     assert_eq!(sem.available_permits(), 1);
/// });
/// ```
pub struct Semaphore {
    /// `permits << PERMIT_SHIFT | WAITERS | CLOSED`. Acquire/AcqRel
    /// suffice: the word carries only the count and the flags (waiter
    /// entries travel under `waiters`' lock, and what a permit guards is
    /// the caller's business, ordered by these same read-modify-writes).
    state: AtomicUsize,
    waiters: Mutex<WaitList<Waiter>>,
}

/// `state`: closed; acquires fail, released permits are still counted.
const CLOSED: usize = 0b01;
/// `state`: the wait queue is not empty. Set and cleared only under the
/// `waiters` lock. While it is set (and the semaphore is open) every
/// change of the count happens under that lock too: a fast acquire that
/// sees it queues instead (first come, first served), a fast release that
/// sees it hands its permits to the queue under the lock. The queue's head
/// takes whatever is free, so while it is set the count is 0.
const WAITERS: usize = 0b10;
const PERMIT_SHIFT: u32 = 2;

struct Waiter {
    need: usize,
    /// Permits already handed to this waiter while it is the head of the
    /// queue and more are needed (as Tokio: they no longer count as
    /// available, and go back if the waiter leaves unserved).
    assigned: usize,
    waker: Option<Waker>,
    /// Served: the permits are this waiter's; its future takes them.
    granted: bool,
}

/// `acquire` failed: the semaphore was closed.
///
/// ```
/// use runtime_sync::Semaphore;
/// let sem = Semaphore::new(0);
/// sem.close();
/// let err = futures::executor::block_on(sem.acquire()).unwrap_err();
/// assert_eq!(err.to_string(), "semaphore closed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquireError(());

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}

impl std::error::Error for AcquireError {}

/// Why `try_acquire` failed.
///
/// ```
/// use runtime_sync::{Semaphore, TryAcquireError};
/// let sem = Semaphore::new(1);
/// let _held = sem.try_acquire().unwrap();
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
/// sem.close();
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore was closed.
    Closed,
    /// Not enough permits free (or others are queued first).
    NoPermits,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::Closed => f.write_str("semaphore closed"),
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}

impl std::error::Error for TryAcquireError {}

impl Semaphore {
    /// The most permits a semaphore can hold.
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// let sem = Semaphore::new(Semaphore::MAX_PERMITS);
    /// assert_eq!(sem.available_permits(), Semaphore::MAX_PERMITS);
    /// ```
    pub const MAX_PERMITS: usize = usize::MAX >> 3;

    /// A semaphore with `permits` permits.
    ///
    /// # Panics
    /// When `permits` exceeds [`Semaphore::MAX_PERMITS`].
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// let sem = Semaphore::new(3);
    /// assert_eq!(sem.available_permits(), 3);
    /// ```
    #[track_caller]
    pub fn new(permits: usize) -> Semaphore {
        assert!(
            permits <= Self::MAX_PERMITS,
            "a semaphore holds at most {} permits, not {permits}",
            Self::MAX_PERMITS
        );
        Semaphore {
            state: AtomicUsize::new(permits << PERMIT_SHIFT),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// Permits free right now.
    pub fn available_permits(&self) -> usize {
        self.load() >> PERMIT_SHIFT
    }

    /// Adds `n` permits (waking waiters they satisfy).
    ///
    /// # Panics
    /// When the total would exceed [`Semaphore::MAX_PERMITS`].
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// let sem = Semaphore::new(0);
    /// assert!(sem.try_acquire().is_err());
    /// sem.add_permits(2);
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    #[track_caller]
    pub fn add_permits(&self, n: usize) {
        self.release(n);
    }

    /// Takes up to `n` free permits away for good; returns how many.
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// let sem = Semaphore::new(5);
    /// assert_eq!(sem.forget_permits(3), 3);
    /// assert_eq!(sem.forget_permits(10), 2); // only 2 were left
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget_permits(&self, n: usize) -> usize {
        // Under the lock: while waiters are queued the count changes only
        // there (see `WAITERS`); otherwise the compare-exchange orders it
        // with the lock-free acquires and releases.
        let _queue = self.waiters.lock();
        let mut s = self.load();
        loop {
            let taken = n.min(s >> PERMIT_SHIFT);
            match self.state.compare_exchange_weak(
                s,
                s - (taken << PERMIT_SHIFT),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return taken,
                Err(actual) => s = actual,
            }
        }
    }

    /// Closes the semaphore: waiting and future `acquire`s fail; permits
    /// already held stay valid.
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// use std::sync::Arc;
    /// let sem = Arc::new(Semaphore::new(0));
    /// let s = sem.clone();
    /// let waiter = std::thread::spawn(move || futures::executor::block_on(s.acquire()).is_err());
    /// sem.close();
    /// assert!(waiter.join().unwrap()); // the waiting acquire failed
    /// assert!(sem.is_closed());
    /// ```
    pub fn close(&self) {
        let mut wakers = WakeList::new();
        {
            let mut queue = self.waiters.lock();
            self.state.fetch_or(CLOSED, Ordering::AcqRel);
            // They fail on their next poll (and leave the queue then).
            queue.for_each_linked(|w| wakers.extend(w.waker.take()));
        }
        wakers.wake_all();
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.load() & CLOSED != 0
    }

    /// Takes one permit if one is free and nobody is queued before us.
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// let sem = Semaphore::new(1);
    /// let permit = sem.try_acquire().unwrap();
    /// assert!(sem.try_acquire().is_err());
    /// drop(permit);
    /// assert!(sem.try_acquire().is_ok());
    /// ```
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are free and nobody is queued before us.
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// let sem = Semaphore::new(3);
    /// let two = sem.try_acquire_many(2).unwrap();
    /// assert_eq!(two.num_permits(), 2);
    /// assert!(sem.try_acquire_many(2).is_err()); // only 1 left
    /// ```
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_take(n as usize)?;
        Ok(SemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// `try_acquire` for an `Arc<Semaphore>`; the permit owns a reference.
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// use std::sync::Arc;
    /// let sem = Arc::new(Semaphore::new(1));
    /// let permit = sem.clone().try_acquire_owned().unwrap();
    /// assert!(sem.clone().try_acquire_owned().is_err());
    /// std::thread::spawn(move || drop(permit)).join().unwrap(); // can move anywhere
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// `try_acquire_many` for an `Arc<Semaphore>`.
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// use std::sync::Arc;
    /// let sem = Arc::new(Semaphore::new(4));
    /// let permit = sem.clone().try_acquire_many_owned(3).unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// drop(permit);
    /// assert_eq!(sem.available_permits(), 4);
    /// ```
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_take(n as usize)?;
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    pub(crate) fn try_take(&self, n: usize) -> Result<(), TryAcquireError> {
        let mut s = self.load();
        loop {
            if s & CLOSED != 0 {
                return Err(TryAcquireError::Closed);
            }
            if n == 0 {
                // Takes nothing, so it overtakes nobody (as Tokio's).
                return Ok(());
            }
            // Somebody queued first, or too few: fair means no barging.
            if s & WAITERS != 0 || s >> PERMIT_SHIFT < n {
                return Err(TryAcquireError::NoPermits);
            }
            match self.state.compare_exchange_weak(
                s,
                s - (n << PERMIT_SHIFT),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => s = actual,
            }
        }
    }

    /// Waits for one permit. Cancel safe; fair (first come, first served).
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// // At most 2 of the 6 workers run at once.
    /// let sem = Arc::new(Semaphore::new(2));
    /// let running = Arc::new(AtomicUsize::new(0));
    /// let workers: Vec<_> = (0..6)
    ///     .map(|_| {
    ///         let (sem, running) = (sem.clone(), running.clone());
    ///         std::thread::spawn(move || {
    ///             futures::executor::block_on(async {
    ///                 let _permit = sem.acquire().await.unwrap();
    ///                 assert!(running.fetch_add(1, Ordering::SeqCst) < 2);
    ///                 running.fetch_sub(1, Ordering::SeqCst);
    ///             })
    ///         })
    ///     })
    ///     .collect();
    /// for w in workers {
    ///     w.join().unwrap();
    /// }
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    pub async fn acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.acquire_many(1).await
    }

    /// Waits for `n` permits at once.
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// futures::executor::block_on(async {
    ///     let sem = Semaphore::new(2);
    ///     let one = sem.acquire().await.unwrap();
    ///     let mut both = std::pin::pin!(sem.acquire_many(2));
    ///     assert!(futures::poll!(both.as_mut()).is_pending());
    ///     // Queued first, it holds back later acquires: no starvation.
    ///     assert!(sem.try_acquire().is_err());
    ///     drop(one);
    ///     assert_eq!(both.await.unwrap().num_permits(), 2);
    /// });
    /// ```
    pub async fn acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        Acquire::new(self, n as usize).await?;
        Ok(SemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// `acquire` for an `Arc<Semaphore>`; the permit owns a reference.
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// use std::sync::Arc;
    /// let sem = Arc::new(Semaphore::new(1));
    /// let permit = futures::executor::block_on(sem.clone().acquire_owned()).unwrap();
    /// let job = std::thread::spawn(move || {
    ///     let _permit = permit; // held for as long as the job runs
    ///     "done"
    /// });
    /// assert_eq!(job.join().unwrap(), "done");
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_owned(1).await
    }

    /// `acquire_many` for an `Arc<Semaphore>`.
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// use std::sync::Arc;
    /// let sem = Arc::new(Semaphore::new(3));
    /// let permit = futures::executor::block_on(sem.clone().acquire_many_owned(3)).unwrap();
    /// assert_eq!((permit.num_permits(), sem.available_permits()), (3, 0));
    /// ```
    pub async fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        Acquire::new(&self, n as usize).await?;
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Gives `n` permits back and serves the waiters they satisfy.
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        loop {
            let mut s = self.load();
            loop {
                if s & WAITERS != 0 && s & CLOSED == 0 {
                    break;
                }
                let next = Self::add_to(s, n);
                match self
                    .state
                    .compare_exchange_weak(s, next, Ordering::AcqRel, Ordering::Acquire)
                {
                    Ok(_) => return,
                    Err(actual) => s = actual,
                }
            }
            // Waiters are queued: the permits go to them under the lock.
            let mut wakers = WakeList::new();
            {
                let mut queue = self.waiters.lock();
                let s = self.load();
                if s & WAITERS == 0 || s & CLOSED != 0 {
                    // Emptied or closed before we got the lock: the
                    // lock-free path applies again.
                    continue;
                }
                self.assign(n, &mut queue, &mut wakers);
            }
            wakers.wake_all();
            return;
        }
    }

    /// `s` with `n` more permits, or a panic naming the limit.
    fn add_to(s: usize, n: usize) -> usize {
        let permits = (s >> PERMIT_SHIFT)
            .checked_add(n)
            .filter(|p| *p <= Self::MAX_PERMITS)
            .unwrap_or_else(|| panic!("a semaphore holds at most {} permits", Self::MAX_PERMITS));
        (permits << PERMIT_SHIFT) | (s & (WAITERS | CLOSED))
    }

    fn load(&self) -> usize {
        self.state.load(Ordering::Acquire)
    }

    pub(crate) fn poll_acquire(
        &self,
        cx: &mut Context<'_>,
        n: usize,
        key: &mut Option<Key>,
    ) -> Poll<Result<(), AcquireError>> {
        let Some(k) = *key else {
            match self.try_take(n) {
                Ok(()) => return Poll::Ready(Ok(())),
                Err(TryAcquireError::Closed) => return Poll::Ready(Err(AcquireError(()))),
                Err(TryAcquireError::NoPermits) => {}
            }
            let mut queue = self.waiters.lock();
            let mut s = self.load();
            let assigned = loop {
                if s & CLOSED != 0 {
                    return Poll::Ready(Err(AcquireError(())));
                }
                let free = s >> PERMIT_SHIFT;
                let first = s & WAITERS == 0;
                if first && free >= n {
                    match self.state.compare_exchange(
                        s,
                        s - (n << PERMIT_SHIFT),
                        Ordering::AcqRel,
                        Ordering::Acquire,
                    ) {
                        Ok(_) => return Poll::Ready(Ok(())),
                        Err(actual) => {
                            s = actual;
                            continue;
                        }
                    }
                }
                // Queue. The first in line takes what is free now (with
                // `WAITERS` set nothing is free: see `assign`).
                let take = if first { free } else { 0 };
                match self.state.compare_exchange(
                    s,
                    (s - (take << PERMIT_SHIFT)) | WAITERS,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                ) {
                    Ok(_) => break take,
                    Err(actual) => s = actual,
                }
            };
            *key = Some(queue.push_back(Waiter {
                need: n,
                assigned,
                waker: Some(cx.waker().clone()),
                granted: false,
            }));
            return Poll::Pending;
        };
        let mut queue = self.waiters.lock();
        let closed = self.load() & CLOSED != 0;
        let w = queue
            .get_mut(k)
            .expect("a queued acquire's entry stays until it is removed");
        if w.granted {
            // Already out of the queue: the flag is unaffected.
            let need = w.need;
            queue.remove(k);
            *key = None;
            if closed {
                // As Tokio: served before the close but collected after it,
                // the acquire fails and its permits go back (lock-free
                // once closed).
                drop(queue);
                self.release(need);
                return Poll::Ready(Err(AcquireError(())));
            }
            return Poll::Ready(Ok(()));
        }
        if closed {
            let assigned = w.assigned;
            queue.remove(k);
            self.sync_flag(&queue);
            drop(queue);
            *key = None;
            // What it was handed while it waited goes back.
            self.release(assigned);
            return Poll::Ready(Err(AcquireError(())));
        }
        match &w.waker {
            Some(old) if old.will_wake(cx.waker()) => {}
            _ => w.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    pub(crate) fn cancel(&self, key: Key) {
        let mut wakers = WakeList::new();
        {
            let mut queue = self.waiters.lock();
            let was_front = queue.front_mut().is_some_and(|(k, _)| k == key);
            if let Some(w) = queue.remove(key) {
                // What it holds (all it needed if served, else what it was
                // handed so far) goes back, to the next waiters first.
                let held = if w.granted { w.need } else { w.assigned };
                let s = self.load();
                let open = s & CLOSED == 0;
                if held > 0 && (s & WAITERS == 0 || !open) {
                    // Nobody queued (or closed): the lock-free path.
                    self.sync_flag(&queue);
                    drop(queue);
                    self.release(held);
                    return;
                }
                if open && (held > 0 || was_front) {
                    // (Only its permits, or the waiter behind it may fit in
                    // what is free.)
                    self.assign(held, &mut queue, &mut wakers);
                } else {
                    self.sync_flag(&queue);
                }
            }
        }
        wakers.wake_all();
    }

    /// Adds `added` permits and hands the free ones to the queue from the
    /// front: each waiter gets what it still needs, a head that needs more
    /// than is free takes all of it and keeps its place. So while anybody
    /// waits, nothing is free. One store, clearing `WAITERS` too if the
    /// queue emptied: called under the lock with `WAITERS` set and the
    /// semaphore open, so the count changes nowhere else.
    fn assign(&self, added: usize, queue: &mut WaitList<Waiter>, wakers: &mut WakeList) {
        let mut s = Self::add_to(self.load(), added);
        debug_assert!(s & WAITERS != 0 && s & CLOSED == 0);
        while let Some((key, w)) = queue.front_mut() {
            let give = (s >> PERMIT_SHIFT).min(w.need - w.assigned);
            s -= give << PERMIT_SHIFT;
            w.assigned += give;
            if w.assigned < w.need {
                break;
            }
            w.granted = true;
            wakers.extend(w.waker.take());
            queue.unlink(key);
        }
        if queue.is_empty() {
            s &= !WAITERS;
        }
        self.state.store(s, Ordering::Release);
    }

    /// Keeps `WAITERS` equal to "the queue is not empty" (under the lock).
    fn sync_flag(&self, queue: &WaitList<Waiter>) {
        if queue.is_empty() {
            self.state.fetch_and(!WAITERS, Ordering::AcqRel);
        }
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let waiters = self.waiters.lock().len();
        let s = self.load();
        f.debug_struct("Semaphore")
            .field("permits", &(s >> PERMIT_SHIFT))
            .field("waiters", &waiters)
            .field("closed", &(s & CLOSED != 0))
            .finish()
    }
}

/// A pending acquire of `n` permits; dropping it is cancel safe.
pub(crate) struct Acquire<'a> {
    sem: &'a Semaphore,
    n: usize,
    key: Option<Key>,
}

impl<'a> Acquire<'a> {
    pub(crate) fn new(sem: &'a Semaphore, n: usize) -> Acquire<'a> {
        Acquire { sem, n, key: None }
    }
}

impl Future for Acquire<'_> {
    type Output = Result<(), AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let restore = std::task::ready!(crate::coop::poll_proceed(cx));
        let res = this.sem.poll_acquire(cx, this.n, &mut this.key);
        if res.is_ready() {
            restore.made_progress();
        }
        res
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.sem.cancel(key);
        }
    }
}

/// Permits borrowed from a [`Semaphore`]; dropping it gives them back.
///
/// ```
/// use runtime_sync::Semaphore;
/// let sem = Semaphore::new(1);
/// {
///     let _permit = sem.try_acquire().unwrap();
///     assert_eq!(sem.available_permits(), 0);
/// }
/// assert_eq!(sem.available_permits(), 1); // given back on drop
/// ```
#[must_use = "dropping the permit gives it back at once"]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    permits: u32,
}

impl SemaphorePermit<'_> {
    /// Keeps the permits out of the semaphore for good.
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// let sem = Semaphore::new(2);
    /// sem.try_acquire().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 1); // one permit is gone for good
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// let sem = Semaphore::new(5);
    /// assert_eq!(sem.try_acquire_many(3).unwrap().num_permits(), 3);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.sem.release(self.permits as usize);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}

/// Permits of an `Arc<Semaphore>`, owning a reference to it.
///
/// ```
/// use runtime_sync::Semaphore;
/// use std::sync::Arc;
/// let sem = Arc::new(Semaphore::new(1));
/// let permit = sem.clone().try_acquire_owned().unwrap();
/// drop(sem); // the permit keeps the semaphore alive
/// assert_eq!(permit.semaphore().available_permits(), 0);
/// ```
#[must_use = "dropping the permit gives it back at once"]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    permits: u32,
}

impl OwnedSemaphorePermit {
    /// Keeps the permits out of the semaphore for good.
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// use std::sync::Arc;
    /// let sem = Arc::new(Semaphore::new(2));
    /// sem.clone().try_acquire_owned().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }

    /// The semaphore these permits belong to.
    ///
    /// ```
    /// use runtime_sync::Semaphore;
    /// use std::sync::Arc;
    /// let sem = Arc::new(Semaphore::new(2));
    /// let permit = sem.clone().try_acquire_owned().unwrap();
    /// assert!(Arc::ptr_eq(permit.semaphore(), &sem));
    /// assert_eq!(permit.semaphore().available_permits(), 1);
    /// ```
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.sem.release(self.permits as usize);
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}
