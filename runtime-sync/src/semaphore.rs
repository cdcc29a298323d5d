//! `Semaphore`: a fair (first come, first served) counting semaphore. A
//! waiter at the head of the queue that needs more permits than are free
//! holds back the ones behind it, so a large `acquire_many` is not starved
//! by a stream of small ones (this is what keeps `RwLock` writers from
//! starving).
//!
//! Cancel safety: dropping a pending `acquire` loses nothing. If permits
//! had already been assigned to it they go back to the semaphore (and on
//! to the next waiter); if it was the head of the queue, the waiters behind
//! it are looked at again.

use crate::loom::sync::Mutex;
use crate::wait_list::{Key, WaitList};
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
    state: Mutex<State>,
}

struct State {
    permits: usize,
    closed: bool,
    waiters: WaitList<Waiter>,
}

struct Waiter {
    need: usize,
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
            state: Mutex::new(State {
                permits,
                closed: false,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Permits free right now.
    pub fn available_permits(&self) -> usize {
        self.state.lock().permits
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
        let mut st = self.state.lock();
        let taken = n.min(st.permits);
        st.permits -= taken;
        taken
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
        let mut wakers = Vec::new();
        {
            let mut st = self.state.lock();
            st.closed = true;
            st.waiters
                .for_each_linked(|w| wakers.extend(w.waker.take()));
        }
        for w in wakers {
            w.wake();
        }
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.state.lock().closed
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
        let mut st = self.state.lock();
        if st.closed {
            return Err(TryAcquireError::Closed);
        }
        if st.waiters.is_empty() && st.permits >= n {
            st.permits -= n;
            return Ok(());
        }
        Err(TryAcquireError::NoPermits)
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
        let mut wakers = Vec::new();
        {
            let mut st = self.state.lock();
            st.permits = st
                .permits
                .checked_add(n)
                .filter(|p| *p <= Self::MAX_PERMITS)
                .unwrap_or_else(|| {
                    panic!("a semaphore holds at most {} permits", Self::MAX_PERMITS)
                });
            st.assign(&mut wakers);
        }
        for w in wakers {
            w.wake();
        }
    }

    /// The poll behind every acquire: `key` is the waiter's place in the
    /// queue, kept by the caller between polls.
    pub(crate) fn poll_acquire(
        &self,
        cx: &mut Context<'_>,
        n: usize,
        key: &mut Option<Key>,
    ) -> Poll<Result<(), AcquireError>> {
        let mut st = self.state.lock();
        match *key {
            None => {
                if st.closed {
                    return Poll::Ready(Err(AcquireError(())));
                }
                if st.waiters.is_empty() && st.permits >= n {
                    st.permits -= n;
                    return Poll::Ready(Ok(()));
                }
                *key = Some(st.waiters.push_back(Waiter {
                    need: n,
                    waker: Some(cx.waker().clone()),
                    granted: false,
                }));
                Poll::Pending
            }
            Some(k) => {
                let closed = st.closed;
                let w = st
                    .waiters
                    .get_mut(k)
                    .expect("a queued acquire's entry stays until it is removed");
                if w.granted {
                    st.waiters.remove(k);
                    *key = None;
                    return Poll::Ready(Ok(()));
                }
                if closed {
                    st.waiters.remove(k);
                    *key = None;
                    return Poll::Ready(Err(AcquireError(())));
                }
                match &w.waker {
                    Some(old) if old.will_wake(cx.waker()) => {}
                    _ => w.waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }

    /// A pending acquire was dropped: give back what it was granted, or
    /// let the waiters behind it move up.
    pub(crate) fn cancel(&self, key: Key) {
        let mut wakers = Vec::new();
        {
            let mut st = self.state.lock();
            let was_front = st.waiters.front_mut().is_some_and(|(k, _)| k == key);
            if let Some(w) = st.waiters.remove(key) {
                if w.granted {
                    st.permits += w.need;
                    st.assign(&mut wakers);
                } else if was_front {
                    st.assign(&mut wakers);
                }
            }
        }
        for w in wakers {
            w.wake();
        }
    }
}

impl State {
    /// Serves queued waiters in order while the free permits cover the
    /// head's need.
    fn assign(&mut self, wakers: &mut Vec<Waker>) {
        if self.closed {
            return;
        }
        while let Some((key, w)) = self.waiters.front_mut() {
            if w.need > self.permits {
                break;
            }
            self.permits -= w.need;
            w.granted = true;
            wakers.extend(w.waker.take());
            self.waiters.unlink(key);
        }
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.state.lock();
        f.debug_struct("Semaphore")
            .field("permits", &st.permits)
            .field("waiters", &st.waiters.len())
            .field("closed", &st.closed)
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
