//! `Mutex`: an async mutex on the fair [`Semaphore`] with one permit
//! (`rwlock.rs` builds `RwLock` the same way), its guards (borrowed,
//! owned, and mapped to a part of the data), and `TryLockError`, which
//! both locks use.
//!
//! Cancel safety: dropping a pending `lock` loses no permit (see
//! `Semaphore`).

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
pub struct TryLockError(pub(crate) ());

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

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// Narrows the guard to a part of the data (a field, an element): the
    /// lock stays held until the [`MappedMutexGuard`] is dropped. An
    /// associated function (`MutexGuard::map(guard, ..)`), so it does not
    /// hide a method of `T`.
    ///
    /// ```
    /// use runtime_sync::{MappedMutexGuard, Mutex, MutexGuard};
    /// struct Point {
    ///     x: i32,
    ///     y: i32,
    /// }
    /// let m = Mutex::new(Point { x: 1, y: 2 });
    /// let mut x: MappedMutexGuard<'_, i32> = MutexGuard::map(m.try_lock().unwrap(), |p| &mut p.x);
    /// *x += 10;
    /// assert!(m.try_lock().is_err(), "still locked");
    /// drop(x);
    /// let p = m.try_lock().unwrap();
    /// assert_eq!((p.x, p.y), (11, 2));
    /// ```
    pub fn map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> MappedMutexGuard<'a, U> {
        let data: *mut U = f(&mut *this);
        MappedMutexGuard::holding(Self::into_permit(this), data)
    }

    /// [`map`](MutexGuard::map) that may fail: when `f` returns `None` the
    /// guard comes back unchanged.
    ///
    /// ```
    /// use runtime_sync::{Mutex, MutexGuard};
    /// let m = Mutex::new(vec![1, 2]);
    /// let guard = m.try_lock().unwrap();
    /// let guard = MutexGuard::try_map(guard, |v| v.get_mut(5)).unwrap_err();
    /// let mut second = MutexGuard::try_map(guard, |v| v.get_mut(1)).unwrap();
    /// *second = 20;
    /// drop(second);
    /// assert_eq!(*m.try_lock().unwrap(), [1, 20]);
    /// ```
    pub fn try_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<MappedMutexGuard<'a, U>, Self> {
        let (this, data) = try_narrow(this, f)?;
        Ok(MappedMutexGuard::holding(Self::into_permit(this), data))
    }

    /// The mutex this guard locks.
    ///
    /// ```
    /// use runtime_sync::{Mutex, MutexGuard};
    /// let m = Mutex::new(0);
    /// let guard = m.try_lock().unwrap();
    /// assert!(std::ptr::eq(MutexGuard::mutex(&guard), &m));
    /// ```
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.lock
    }

    /// The mutex's semaphore, whose permit passes from this guard (which
    /// is forgotten, so it does not release it) to the caller.
    fn into_permit(this: Self) -> &'a Semaphore {
        let sem = &this.lock.sem;
        std::mem::forget(this);
        sem
    }
}

/// What every `try_map` does first: `f`'s answer as a pointer, with the
/// guard still whole, or the guard back untouched when `f` has none.
fn try_narrow<G: DerefMut, U: ?Sized>(
    mut guard: G,
    f: impl FnOnce(&mut G::Target) -> Option<&mut U>,
) -> Result<(G, *mut U), G> {
    let data: *mut U = match f(&mut *guard) {
        Some(data) => data,
        None => return Err(guard),
    };
    Ok((guard, data))
}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// Narrows the guard to a part of the data; the
    /// [`OwnedMappedMutexGuard`] keeps the `Arc` and the lock.
    ///
    /// ```
    /// use runtime_sync::{Mutex, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new((String::from("name"), 7)));
    /// let guard = m.clone().try_lock_owned().unwrap();
    /// let mut count = OwnedMutexGuard::map(guard, |pair| &mut pair.1);
    /// std::thread::spawn(move || *count += 1).join().unwrap();
    /// assert_eq!(m.try_lock().unwrap().1, 8);
    /// ```
    pub fn map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> OwnedMappedMutexGuard<T, U> {
        let data: *mut U = f(&mut *this);
        OwnedMappedMutexGuard {
            lock: Self::into_lock(this),
            data,
        }
    }

    /// [`map`](OwnedMutexGuard::map) that may fail: when `f` returns
    /// `None` the guard comes back unchanged.
    ///
    /// ```
    /// use runtime_sync::{Mutex, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new(Some(3)));
    /// let guard = m.try_lock_owned().unwrap();
    /// let mut inner = OwnedMutexGuard::try_map(guard, |o| o.as_mut()).unwrap();
    /// *inner = 4;
    /// ```
    pub fn try_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<OwnedMappedMutexGuard<T, U>, Self> {
        let (this, data) = try_narrow(this, f)?;
        Ok(OwnedMappedMutexGuard {
            lock: Self::into_lock(this),
            data,
        })
    }

    /// The mutex this guard locks.
    ///
    /// ```
    /// use runtime_sync::{Mutex, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new(0));
    /// let guard = m.clone().try_lock_owned().unwrap();
    /// assert!(Arc::ptr_eq(OwnedMutexGuard::mutex(&guard), &m));
    /// ```
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }

    /// Takes the `Arc` out without unlocking: the permit passes to the
    /// caller.
    fn into_lock(this: Self) -> Arc<Mutex<T>> {
        let this = std::mem::ManuallyDrop::new(this);
        // SAFETY: `this` is never used or dropped again, so the `Arc` is
        // moved out of it exactly once (the guard's `Drop`, which would
        // unlock, does not run).
        unsafe { std::ptr::read(&this.lock) }
    }
}

/// A [`MutexGuard`] narrowed to a part of the data by
/// [`MutexGuard::map`]; unlocks on drop.
///
/// ```
/// use runtime_sync::{Mutex, MutexGuard};
/// let m = Mutex::new([0u8; 4]);
/// let mut tail = MutexGuard::map(m.try_lock().unwrap(), |a| &mut a[2..]);
/// tail.fill(9);
/// // A mapped guard can be narrowed again.
/// let mut last = runtime_sync::MappedMutexGuard::map(tail, |t| &mut t[1]);
/// *last = 1;
/// drop(last);
/// assert_eq!(*m.try_lock().unwrap(), [0, 0, 9, 1]);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MappedMutexGuard<'a, T: ?Sized> {
    /// The mutex's semaphore; this guard holds its one permit.
    sem: &'a Semaphore,
    /// Into the locked data.
    data: *mut T,
    _marker: PhantomData<&'a mut T>,
}

// SAFETY: the guard is a `&'a mut T` plus a reference to the (Sync)
// semaphore: it may move to another thread when `&mut T` may (`T: Send`).
unsafe impl<T: ?Sized + Send> Send for MappedMutexGuard<'_, T> {}
// SAFETY: sharing the guard shares only `&T` (`DerefMut` needs `&mut`).
unsafe impl<T: ?Sized + Sync> Sync for MappedMutexGuard<'_, T> {}

impl<'a, T: ?Sized> MappedMutexGuard<'a, T> {
    /// Narrows the guard further.
    ///
    /// ```
    /// use runtime_sync::{MappedMutexGuard, Mutex, MutexGuard};
    /// let m = Mutex::new(((1, 2), 3));
    /// let outer = MutexGuard::map(m.try_lock().unwrap(), |t| &mut t.0);
    /// let inner = MappedMutexGuard::map(outer, |t| &mut t.1);
    /// assert_eq!(*inner, 2);
    /// ```
    pub fn map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> MappedMutexGuard<'a, U> {
        let data: *mut U = f(&mut *this);
        MappedMutexGuard::holding(Self::into_permit(this), data)
    }

    /// [`map`](MappedMutexGuard::map) that may fail, giving the guard back.
    ///
    /// ```
    /// use runtime_sync::{MappedMutexGuard, Mutex, MutexGuard};
    /// let m = Mutex::new((vec![1], 0));
    /// let v = MutexGuard::map(m.try_lock().unwrap(), |t| &mut t.0);
    /// assert!(MappedMutexGuard::try_map(v, |v| v.get_mut(3)).is_err());
    /// ```
    pub fn try_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<MappedMutexGuard<'a, U>, Self> {
        let (this, data) = try_narrow(this, f)?;
        Ok(MappedMutexGuard::holding(Self::into_permit(this), data))
    }

    /// A guard holding `sem`'s one permit (released on drop), reaching
    /// the locked data through `data`.
    fn holding(sem: &'a Semaphore, data: *mut T) -> Self {
        MappedMutexGuard {
            sem,
            data,
            _marker: PhantomData,
        }
    }

    /// As [`MutexGuard::into_permit`].
    fn into_permit(this: Self) -> &'a Semaphore {
        let sem = this.sem;
        std::mem::forget(this);
        sem
    }
}

/// An [`OwnedMutexGuard`] narrowed to a part (`U`) of the data (`T`) by
/// [`OwnedMutexGuard::map`]; keeps the `Arc` and unlocks on drop.
///
/// ```
/// use runtime_sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
/// use std::sync::Arc;
/// let m = Arc::new(Mutex::new(vec![String::from("a")]));
/// let first: OwnedMappedMutexGuard<Vec<String>, String> =
///     OwnedMutexGuard::map(m.clone().try_lock_owned().unwrap(), |v| &mut v[0]);
/// assert_eq!(*first, "a");
/// assert!(m.try_lock().is_err());
/// drop(first);
/// assert!(m.try_lock().is_ok());
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedMappedMutexGuard<T: ?Sized, U: ?Sized = T> {
    /// Keeps the mutex alive; this guard holds its one permit.
    lock: Arc<Mutex<T>>,
    /// Into the locked data.
    data: *mut U,
}

// SAFETY: the guard owns an `Arc<Mutex<T>>` (Send + Sync when `T: Send`)
// and gives `&mut U` access: it may move when `U` may be sent.
unsafe impl<T: ?Sized + Send, U: ?Sized + Send> Send for OwnedMappedMutexGuard<T, U> {}
// SAFETY: sharing the guard shares only `&U`.
unsafe impl<T: ?Sized + Send, U: ?Sized + Sync> Sync for OwnedMappedMutexGuard<T, U> {}

impl<T: ?Sized, U: ?Sized> OwnedMappedMutexGuard<T, U> {
    /// Narrows the guard further.
    ///
    /// ```
    /// use runtime_sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new(((1, 2), 3)));
    /// let outer = OwnedMutexGuard::map(m.try_lock_owned().unwrap(), |t| &mut t.0);
    /// let inner = OwnedMappedMutexGuard::map(outer, |t| &mut t.1);
    /// assert_eq!(*inner, 2);
    /// ```
    pub fn map<V: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut U) -> &mut V,
    ) -> OwnedMappedMutexGuard<T, V> {
        let data: *mut V = f(&mut *this);
        OwnedMappedMutexGuard {
            lock: Self::into_lock(this),
            data,
        }
    }

    /// [`map`](OwnedMappedMutexGuard::map) that may fail, giving the guard
    /// back.
    ///
    /// ```
    /// use runtime_sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new((None::<u8>, 0)));
    /// let opt = OwnedMutexGuard::map(m.try_lock_owned().unwrap(), |t| &mut t.0);
    /// assert!(OwnedMappedMutexGuard::try_map(opt, |o| o.as_mut()).is_err());
    /// ```
    pub fn try_map<V: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut U) -> Option<&mut V>,
    ) -> Result<OwnedMappedMutexGuard<T, V>, Self> {
        let (this, data) = try_narrow(this, f)?;
        Ok(OwnedMappedMutexGuard {
            lock: Self::into_lock(this),
            data,
        })
    }

    /// The mutex this guard locks.
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }

    /// Takes the `Arc` out without unlocking.
    fn into_lock(this: Self) -> Arc<Mutex<T>> {
        let this = std::mem::ManuallyDrop::new(this);
        // SAFETY: as in `OwnedMutexGuard::into_lock`: `this` is never used
        // or dropped again, so the `Arc` is moved out exactly once.
        unsafe { std::ptr::read(&this.lock) }
    }
}

impl<T: ?Sized> Deref for MappedMutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: `data` points into the mutex's data (it came from a
        // `&mut` to it), which stays borrowed for `'a` and locked while this
        // guard holds the permit: no other reference to it exists.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> DerefMut for MappedMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this reference unique.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized> Drop for MappedMutexGuard<'_, T> {
    fn drop(&mut self) {
        self.sem.release(1);
    }
}

impl<T: ?Sized, U: ?Sized> Deref for OwnedMappedMutexGuard<T, U> {
    type Target = U;
    fn deref(&self) -> &U {
        // SAFETY: `data` points into the data of the mutex that `lock`
        // keeps alive, and this guard holds its permit: no other reference
        // to it exists.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized, U: ?Sized> DerefMut for OwnedMappedMutexGuard<T, U> {
    fn deref_mut(&mut self) -> &mut U {
        // SAFETY: as in `deref`; `&mut self` makes this reference unique.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized, U: ?Sized> Drop for OwnedMappedMutexGuard<T, U> {
    fn drop(&mut self) {
        self.lock.sem.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MappedMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized, U: ?Sized + fmt::Debug> fmt::Debug for OwnedMappedMutexGuard<T, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::{MappedMutexGuard, Mutex, MutexGuard, OwnedMutexGuard};
    use crate::test_util::{as_runtime_thread, panic_message};
    use std::sync::Arc;
    use std::thread;

    #[test]
    fn blocking_lock_waits_for_the_holder() {
        let m = Arc::new(Mutex::new(0));
        let guard = m.try_lock().unwrap();
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let worker = {
            let m = m.clone();
            thread::spawn(move || {
                started_tx.send(()).unwrap();
                *m.blocking_lock() += 1;
                let mut owned = m.blocking_lock_owned();
                *owned += 1;
            })
        };
        started_rx.recv().unwrap();
        assert_eq!(*guard, 0, "the worker cannot get in while this is held");
        drop(guard);
        worker.join().unwrap();
        assert_eq!(*m.blocking_lock(), 2);
    }

    #[test]
    fn blocking_lock_panics_on_a_runtime_thread_and_leaves_it_unlocked() {
        let m = Arc::new(Mutex::new(0));
        let msg = as_runtime_thread(|| panic_message(|| m.blocking_lock()));
        assert!(
            msg.starts_with("Cannot block the current thread from within a runtime"),
            "{msg}"
        );
        assert!(msg.contains("`Mutex::blocking_lock`"), "{msg}");
        assert!(msg.contains("Mutex::lock().await"), "{msg}");
        let msg = as_runtime_thread(|| panic_message(|| m.clone().blocking_lock_owned()));
        assert!(msg.contains("`Mutex::blocking_lock_owned`"), "{msg}");
        assert!(m.try_lock().is_ok());
        assert_eq!(Arc::strong_count(&m), 1, "the panicking call kept no Arc");
    }

    #[test]
    fn mapped_guards_keep_the_lock_until_dropped() {
        let m = Mutex::new((1, vec![2, 3]));
        let v = MutexGuard::map(m.try_lock().unwrap(), |t| &mut t.1);
        let mut last = MappedMutexGuard::map(v, |v| v.last_mut().unwrap());
        *last = 30;
        assert!(m.try_lock().is_err());
        drop(last);
        assert_eq!(m.try_lock().unwrap().1, [2, 30]);

        // A failed try_map hands back a guard that still holds the lock.
        let guard = m.try_lock().unwrap();
        let guard = MutexGuard::try_map(guard, |t| t.1.get_mut(9)).unwrap_err();
        assert!(m.try_lock().is_err());
        drop(guard);
        assert!(m.try_lock().is_ok());
    }

    #[test]
    fn a_panic_in_map_unlocks() {
        let m = Mutex::new(0);
        let msg = panic_message(|| {
            MutexGuard::map(m.try_lock().unwrap(), |_| -> &mut i32 { panic!("in map") })
        });
        assert_eq!(msg, "in map");
        assert!(m.try_lock().is_ok());
    }

    #[test]
    fn owned_mapped_guards_release_the_lock_and_the_arc() {
        let m = Arc::new(Mutex::new((0, 0)));
        let guard = m.clone().try_lock_owned().unwrap();
        let mut second = OwnedMutexGuard::map(guard, |t| &mut t.1);
        *second = 5;
        assert_eq!(Arc::strong_count(&m), 2);
        assert!(m.try_lock().is_err());
        drop(second);
        assert_eq!(Arc::strong_count(&m), 1);
        assert_eq!(*m.try_lock().unwrap(), (0, 5));

        let guard = m.clone().try_lock_owned().unwrap();
        let guard = OwnedMutexGuard::try_map(guard, |_| None::<&mut u8>).unwrap_err();
        assert!(m.try_lock().is_err(), "the failed map kept the lock");
        drop(guard);
        assert_eq!(Arc::strong_count(&m), 1);
    }
}
