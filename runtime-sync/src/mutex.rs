//! `Mutex` and `RwLock`: async locks on the fair [`Semaphore`]. A mutex
//! is a semaphore with one permit; an `RwLock` has `MAX_READS` permits, a
//! reader takes one and a writer all of them. Because the semaphore
//! serves waiters in order and a waiting writer at the head holds back the
//! readers behind it, writers are never starved.
//!
//! Cancel safety: dropping a pending `lock`/`read`/`write` loses no permit
//! (see `Semaphore`).

use crate::semaphore::{Acquire, Semaphore};
use std::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// `try_lock`, `try_read` or `try_write` would have had to wait.
///
/// ```
/// use runtime_sync::Mutex;
/// let m = Mutex::new(0);
/// let guard = m.try_lock().unwrap();
/// let err = m.try_lock().unwrap_err();
/// assert_eq!(err.to_string(), "operation would block");
/// drop(guard);
/// assert!(m.try_lock().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryLockError(());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("operation would block")
    }
}

impl std::error::Error for TryLockError {}

/// An async mutex: `lock().await` waits (without blocking the thread) for
/// the guard. Fair: waiters get the lock in the order they asked.
///
/// ```
/// use runtime_sync::Mutex;
/// use std::sync::Arc;
/// futures::executor::block_on(async {
///     let m = Arc::new(Mutex::new(0));
///     *m.lock().await += 1;
///     let mut owned = m.clone().lock_owned().await;
///     *owned += 1;
///     drop(owned);
///     assert_eq!(*m.lock().await, 2);
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    sem: Semaphore,
    data: UnsafeCell<T>,
}

// SAFETY: the data is only reached through a guard, and a guard exists only
// while its holder owns the mutex's single permit, so at most one thread
// touches `T` at a time: `T: Send` is all that is needed, as for
// `std::sync::Mutex`.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: as above; sharing `&Mutex<T>` only lets threads take turns.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

/// Exclusive access to a [`Mutex`]'s data; unlocks on drop.
///
/// Shareable across threads only when the data is `Sync`:
///
/// ```compile_fail
/// fn assert_sync<T: Sync>() {}
/// assert_sync::<runtime_sync::MutexGuard<'static, std::cell::Cell<u32>>>();
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
    /// Gives the guard the auto traits of `&mut T`: `Sync` only when `T`
    /// is (the `&Mutex<T>` alone would make it `Sync` for any `T: Send`,
    /// letting two threads share `&T` of a `!Sync` value).
    _marker: PhantomData<&'a mut T>,
}

/// A [`MutexGuard`] that owns an `Arc` of its mutex (from `lock_owned`).
///
/// ```
/// use runtime_sync::Mutex;
/// use std::sync::Arc;
/// let counter = Arc::new(Mutex::new(0));
/// let mut guard = counter.clone().try_lock_owned().unwrap();
/// // Not tied to a borrow: the guard can move to another thread or task.
/// std::thread::spawn(move || *guard += 1).join().unwrap();
/// assert_eq!(*counter.try_lock().unwrap(), 1);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedMutexGuard<T: ?Sized> {
    lock: Arc<Mutex<T>>,
    /// `Sync` only when `T` is (see `MutexGuard`).
    _marker: PhantomData<T>,
}

impl<T> Mutex<T> {
    /// A new, unlocked mutex.
    ///
    /// ```
    /// use runtime_sync::Mutex;
    /// let m = Mutex::new(vec![1]);
    /// futures::executor::block_on(async { m.lock().await.push(2) });
    /// assert_eq!(m.into_inner(), [1, 2]);
    /// ```
    pub fn new(value: T) -> Mutex<T> {
        Mutex {
            sem: Semaphore::new(1),
            data: UnsafeCell::new(value),
        }
    }

    /// The data, taking the mutex apart.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock. Cancel safe; first come, first served.
    ///
    /// ```
    /// use runtime_sync::Mutex;
    /// use std::sync::Arc;
    /// let total = Arc::new(Mutex::new(0));
    /// let threads: Vec<_> = (0..4)
    ///     .map(|_| {
    ///         let total = total.clone();
    ///         std::thread::spawn(move || {
    ///             futures::executor::block_on(async {
    ///                 for _ in 0..100 {
    ///                     *total.lock().await += 1;
    ///                 }
    ///             })
    ///         })
    ///     })
    ///     .collect();
    /// for t in threads {
    ///     t.join().unwrap();
    /// }
    /// assert_eq!(*futures::executor::block_on(total.lock()), 400);
    /// ```
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        Acquire::new(&self.sem, 1)
            .await
            .expect("a mutex's semaphore is never closed");
        MutexGuard {
            lock: self,
            _marker: PhantomData,
        }
    }

    /// Blocks the thread until the lock is free: `lock` for synchronous
    /// code that shares the mutex with async code. Takes its turn in the
    /// same queue as `lock().await`.
    ///
    /// # Panics
    /// When called on a thread that drives a runtime's asynchronous tasks
    /// (blocking it would stall them, maybe the very task holding the
    /// lock): use `lock().await` there, or call this from `spawn_blocking`.
    ///
    /// ```
    /// use runtime_sync::Mutex;
    /// use std::sync::Arc;
    /// let shared = Arc::new(Mutex::new(0));
    /// let guard = shared.try_lock().unwrap();
    /// let worker = {
    ///     let shared = shared.clone();
    ///     // Parks until the guard below is dropped.
    ///     std::thread::spawn(move || *shared.blocking_lock() += 1)
    /// };
    /// drop(guard);
    /// worker.join().unwrap();
    /// assert_eq!(*shared.blocking_lock(), 1);
    /// ```
    #[track_caller]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        crate::blocking::block_on("Mutex::blocking_lock", "Mutex::lock().await", self.lock())
    }

    /// [`blocking_lock`](Mutex::blocking_lock) for an `Arc<Mutex<T>>`: the
    /// guard owns an `Arc` of the mutex.
    ///
    /// # Panics
    /// As `blocking_lock`, on a thread that drives a runtime's tasks.
    ///
    /// ```
    /// use runtime_sync::Mutex;
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new(vec![1]));
    /// let mut guard = m.clone().blocking_lock_owned();
    /// std::thread::spawn(move || guard.push(2)).join().unwrap();
    /// assert_eq!(*m.blocking_lock(), [1, 2]);
    /// ```
    #[track_caller]
    pub fn blocking_lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        crate::blocking::block_on(
            "Mutex::blocking_lock_owned",
            "Mutex::lock_owned().await",
            self.lock_owned(),
        )
    }

    /// Takes the lock if it is free (and nobody is queued).
    ///
    /// ```
    /// use runtime_sync::Mutex;
    /// let m = Mutex::new(1);
    /// let guard = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(guard);
    /// assert_eq!(*m.try_lock().unwrap(), 1);
    /// ```
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        self.sem
            .try_take(1)
            .map(|()| MutexGuard {
                lock: self,
                _marker: PhantomData,
            })
            .map_err(|_| TryLockError(()))
    }

    /// `lock` for an `Arc<Mutex<T>>`: the guard can move into a task.
    ///
    /// ```
    /// use runtime_sync::Mutex;
    /// use std::sync::Arc;
    /// let log = Arc::new(Mutex::new(String::new()));
    /// let mut guard = futures::executor::block_on(log.clone().lock_owned());
    /// let writer = std::thread::spawn(move || guard.push_str("written elsewhere"));
    /// writer.join().unwrap();
    /// assert_eq!(*futures::executor::block_on(log.lock()), "written elsewhere");
    /// ```
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        Acquire::new(&self.sem, 1)
            .await
            .expect("a mutex's semaphore is never closed");
        OwnedMutexGuard {
            lock: self,
            _marker: PhantomData,
        }
    }

    /// `try_lock` for an `Arc<Mutex<T>>`.
    ///
    /// ```
    /// use runtime_sync::Mutex;
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new(0));
    /// let guard = m.clone().try_lock_owned().unwrap();
    /// assert!(m.clone().try_lock_owned().is_err());
    /// drop(guard);
    /// assert!(m.try_lock_owned().is_ok());
    /// ```
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        match self.sem.try_take(1) {
            Ok(()) => Ok(OwnedMutexGuard {
                lock: self,
                _marker: PhantomData,
            }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// The data, without locking (the `&mut` proves nobody else holds it).
    ///
    /// ```
    /// use runtime_sync::Mutex;
    /// let mut m = Mutex::new(0);
    /// *m.get_mut() = 10; // no locking: `&mut` proves nobody else holds it
    /// assert_eq!(*m.try_lock().unwrap(), 10);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Deref impls for a guard type whose `lock` field reaches the mutex.
macro_rules! mutex_guard_impls {
    ($guard:ident $(<$lt:lifetime>)?) => {
        impl<$($lt,)? T: ?Sized> Deref for $guard<$($lt,)? T> {
            type Target = T;
            fn deref(&self) -> &T {
                // SAFETY: this guard holds the mutex's only permit (it was
                // made right after acquiring it and gives it back only in
                // its destructor), so no other reference to the data exists.
                unsafe { &*self.lock.data.get() }
            }
        }

        impl<$($lt,)? T: ?Sized> DerefMut for $guard<$($lt,)? T> {
            fn deref_mut(&mut self) -> &mut T {
                // SAFETY: as in `deref`; `&mut self` makes this the only
                // reference made through the guard.
                unsafe { &mut *self.lock.data.get() }
            }
        }

        impl<$($lt,)? T: ?Sized> Drop for $guard<$($lt,)? T> {
            fn drop(&mut self) {
                self.lock.sem.release(1);
            }
        }

        impl<$($lt,)? T: ?Sized + fmt::Debug> fmt::Debug for $guard<$($lt,)? T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&**self, f)
            }
        }
    };
}

mutex_guard_impls!(MutexGuard<'a>);
mutex_guard_impls!(OwnedMutexGuard);

/// The number of readers an `RwLock` admits at once.
const MAX_READS: u32 = 1 << 24;

/// An async reader-writer lock: many readers or one writer. Fair: a
/// waiting writer is served before readers that came after it, so a
/// steady stream of readers cannot starve writers.
///
/// ```
/// use runtime_sync::RwLock;
/// futures::executor::block_on(async {
///     let lock = RwLock::new(5);
///     {
///         let r1 = lock.read().await;
///         let r2 = lock.read().await;
///         assert_eq!(*r1 + *r2, 10);
///         assert!(lock.try_write().is_err());
///     }
///     *lock.write().await += 1;
///     assert_eq!(*lock.read().await, 6);
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    sem: Semaphore,
    data: UnsafeCell<T>,
}

// SAFETY: writers get every permit (exclusive access, needs `T: Send`);
// readers share `&T` across threads (needs `T: Sync`), as std's RwLock.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

/// Shared access to an [`RwLock`]'s data.
///
/// ```
/// use runtime_sync::RwLock;
/// let lock = RwLock::new(String::from("shared"));
/// let a = lock.try_read().unwrap();
/// let b = lock.try_read().unwrap();
/// assert_eq!(*a, *b);
/// assert!(lock.try_write().is_err()); // readers keep writers out
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
}

/// Exclusive access to an [`RwLock`]'s data.
///
/// ```
/// use runtime_sync::RwLock;
/// let lock = RwLock::new(vec![1]);
/// let mut w = lock.try_write().unwrap();
/// w.push(2);
/// assert!(lock.try_read().is_err()); // the writer keeps readers out
/// drop(w);
/// assert_eq!(*lock.try_read().unwrap(), [1, 2]);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
}

impl<T> RwLock<T> {
    /// A new, unlocked lock.
    ///
    /// ```
    /// use runtime_sync::RwLock;
    /// let lock = RwLock::new(0);
    /// *lock.try_write().unwrap() += 1;
    /// assert_eq!(lock.into_inner(), 1);
    /// ```
    pub fn new(value: T) -> RwLock<T> {
        RwLock {
            sem: Semaphore::new(MAX_READS as usize),
            data: UnsafeCell::new(value),
        }
    }

    /// The data, taking the lock apart.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Waits for shared access.
    ///
    /// ```
    /// use runtime_sync::RwLock;
    /// use std::sync::Arc;
    /// let config = Arc::new(RwLock::new(7));
    /// let readers: Vec<_> = (0..3)
    ///     .map(|_| {
    ///         let config = config.clone();
    ///         std::thread::spawn(move || {
    ///             let v = *futures::executor::block_on(config.read());
    ///             v
    ///         })
    ///     })
    ///     .collect();
    /// for r in readers {
    ///     assert_eq!(r.join().unwrap(), 7);
    /// }
    /// ```
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        Acquire::new(&self.sem, 1)
            .await
            .expect("an RwLock's semaphore is never closed");
        RwLockReadGuard { lock: self }
    }

    /// Waits for exclusive access.
    ///
    /// ```
    /// use runtime_sync::RwLock;
    /// futures::executor::block_on(async {
    ///     let lock = RwLock::new(0);
    ///     let reader = lock.read().await;
    ///     let mut write = std::pin::pin!(lock.write());
    ///     assert!(futures::poll!(write.as_mut()).is_pending()); // waits for the reader
    ///     assert!(lock.try_read().is_err()); // and holds back new readers
    ///     drop(reader);
    ///     *write.await += 1;
    ///     assert_eq!(*lock.read().await, 1);
    /// });
    /// ```
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        Acquire::new(&self.sem, MAX_READS as usize)
            .await
            .expect("an RwLock's semaphore is never closed");
        RwLockWriteGuard { lock: self }
    }

    /// Blocks the thread until shared access is granted: `read` for
    /// synchronous code.
    ///
    /// # Panics
    /// When called on a thread that drives a runtime's asynchronous tasks
    /// (blocking it would stall them): use `read().await` there, or call
    /// this from `spawn_blocking`.
    ///
    /// ```
    /// use runtime_sync::RwLock;
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new(1));
    /// let writer = lock.try_write().unwrap();
    /// let reader = {
    ///     let lock = lock.clone();
    ///     std::thread::spawn(move || *lock.blocking_read()) // parks until the writer is gone
    /// };
    /// drop(writer);
    /// assert_eq!(reader.join().unwrap(), 1);
    /// ```
    #[track_caller]
    pub fn blocking_read(&self) -> RwLockReadGuard<'_, T> {
        crate::blocking::block_on("RwLock::blocking_read", "RwLock::read().await", self.read())
    }

    /// Blocks the thread until exclusive access is granted: `write` for
    /// synchronous code.
    ///
    /// # Panics
    /// When called on a thread that drives a runtime's asynchronous tasks:
    /// use `write().await` there, or call this from `spawn_blocking`.
    ///
    /// ```
    /// use runtime_sync::RwLock;
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new(0));
    /// let reader = lock.try_read().unwrap();
    /// let writer = {
    ///     let lock = lock.clone();
    ///     std::thread::spawn(move || *lock.blocking_write() += 1) // parks until the reader is gone
    /// };
    /// drop(reader);
    /// writer.join().unwrap();
    /// assert_eq!(*lock.blocking_read(), 1);
    /// ```
    #[track_caller]
    pub fn blocking_write(&self) -> RwLockWriteGuard<'_, T> {
        crate::blocking::block_on(
            "RwLock::blocking_write",
            "RwLock::write().await",
            self.write(),
        )
    }

    /// Shared access if it is available now.
    ///
    /// ```
    /// use runtime_sync::RwLock;
    /// let lock = RwLock::new(1);
    /// let r1 = lock.try_read().unwrap();
    /// let r2 = lock.try_read().unwrap();
    /// assert_eq!(*r1 + *r2, 2);
    /// ```
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        self.sem
            .try_take(1)
            .map(|()| RwLockReadGuard { lock: self })
            .map_err(|_| TryLockError(()))
    }

    /// Exclusive access if it is available now.
    ///
    /// ```
    /// use runtime_sync::RwLock;
    /// let lock = RwLock::new(1);
    /// let reader = lock.try_read().unwrap();
    /// assert!(lock.try_write().is_err());
    /// drop(reader);
    /// *lock.try_write().unwrap() = 2;
    /// assert_eq!(*lock.try_read().unwrap(), 2);
    /// ```
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        self.sem
            .try_take(MAX_READS as usize)
            .map(|()| RwLockWriteGuard { lock: self })
            .map_err(|_| TryLockError(()))
    }

    /// The data, without locking.
    ///
    /// ```
    /// use runtime_sync::RwLock;
    /// let mut lock = RwLock::new(vec![1]);
    /// lock.get_mut().push(2); // no locking: `&mut` proves exclusive access
    /// assert_eq!(*lock.try_read().unwrap(), [1, 2]);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a reader holds one permit; a writer needs all of them, so
        // none exists while this guard lives: only shared references.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.sem.release(1);
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this guard holds every permit: no reader or other writer.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes this reference unique.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.sem.release(MAX_READS as usize);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
