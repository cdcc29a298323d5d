//! `RwLock`: an async reader-writer lock on the fair [`Semaphore`], with
//! `MAX_READS` permits: a reader takes one and a writer all of them.
//! Because the semaphore serves waiters in order and a waiting writer at
//! the head holds back the readers behind it, writers are never starved.
//! Guards borrow the lock, or own an `Arc` of it (`read_owned`,
//! `write_owned`).
//!
//! Cancel safety: dropping a pending `read`/`write` loses no permit (see
//! `Semaphore`).

use crate::mutex::TryLockError;
use crate::semaphore::{Acquire, Semaphore};
use std::cell::UnsafeCell;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

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

    /// `read` for an `Arc<RwLock<T>>`: the guard owns an `Arc` of the
    /// lock, so it is not tied to a borrow (it can move into a task).
    ///
    /// ```
    /// use runtime_sync::RwLock;
    /// use std::sync::Arc;
    /// futures::executor::block_on(async {
    ///     let lock = Arc::new(RwLock::new(String::from("shared")));
    ///     let guard = lock.clone().read_owned().await;
    ///     let reader = std::thread::spawn(move || guard.len());
    ///     assert_eq!(reader.join().unwrap(), 6);
    ///     assert!(lock.try_write().is_ok(), "the reader's guard is gone");
    /// });
    /// ```
    pub async fn read_owned(self: Arc<Self>) -> OwnedRwLockReadGuard<T> {
        Acquire::new(&self.sem, 1)
            .await
            .expect("an RwLock's semaphore is never closed");
        OwnedRwLockReadGuard { lock: self }
    }

    /// `write` for an `Arc<RwLock<T>>`: the guard owns an `Arc` of the
    /// lock.
    ///
    /// ```
    /// use runtime_sync::RwLock;
    /// use std::sync::Arc;
    /// futures::executor::block_on(async {
    ///     let lock = Arc::new(RwLock::new(vec![1]));
    ///     let mut guard = lock.clone().write_owned().await;
    ///     std::thread::spawn(move || guard.push(2)).join().unwrap();
    ///     assert_eq!(*lock.read().await, [1, 2]);
    /// });
    /// ```
    pub async fn write_owned(self: Arc<Self>) -> OwnedRwLockWriteGuard<T> {
        Acquire::new(&self.sem, MAX_READS as usize)
            .await
            .expect("an RwLock's semaphore is never closed");
        OwnedRwLockWriteGuard { lock: self }
    }

    /// `try_read` for an `Arc<RwLock<T>>`.
    ///
    /// ```
    /// use runtime_sync::RwLock;
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new(1));
    /// let a = lock.clone().try_read_owned().unwrap();
    /// let b = lock.clone().try_read_owned().unwrap();
    /// assert_eq!(*a + *b, 2);
    /// assert!(lock.clone().try_write_owned().is_err());
    /// ```
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T>, TryLockError> {
        match self.sem.try_take(1) {
            Ok(()) => Ok(OwnedRwLockReadGuard { lock: self }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// `try_write` for an `Arc<RwLock<T>>`.
    ///
    /// ```
    /// use runtime_sync::RwLock;
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new(1));
    /// let mut w = lock.clone().try_write_owned().unwrap();
    /// *w = 2;
    /// assert!(lock.clone().try_read_owned().is_err());
    /// drop(w);
    /// assert_eq!(*lock.try_read().unwrap(), 2);
    /// ```
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T>, TryLockError> {
        match self.sem.try_take(MAX_READS as usize) {
            Ok(()) => Ok(OwnedRwLockWriteGuard { lock: self }),
            Err(_) => Err(TryLockError(())),
        }
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

/// Shared access to an [`RwLock`]'s data through an `Arc` of the lock
/// (from `read_owned`, `try_read_owned`, or
/// [`OwnedRwLockWriteGuard::downgrade`]); not tied to a borrow.
///
/// ```
/// use runtime_sync::{OwnedRwLockReadGuard, RwLock};
/// use std::sync::Arc;
/// let lock = Arc::new(RwLock::new(5));
/// let guard: OwnedRwLockReadGuard<i32> = lock.clone().try_read_owned().unwrap();
/// assert_eq!(*guard, 5);
/// assert!(Arc::ptr_eq(OwnedRwLockReadGuard::rwlock(&guard), &lock));
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedRwLockReadGuard<T: ?Sized> {
    lock: Arc<RwLock<T>>,
}

/// Exclusive access to an [`RwLock`]'s data through an `Arc` of the lock
/// (from `write_owned` or `try_write_owned`); not tied to a borrow.
///
/// ```
/// use runtime_sync::RwLock;
/// use std::sync::Arc;
/// let lock = Arc::new(RwLock::new(0));
/// let mut guard = lock.clone().try_write_owned().unwrap();
/// *guard += 1;
/// assert!(lock.try_read().is_err());
/// drop(guard);
/// assert_eq!(*lock.try_read().unwrap(), 1);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedRwLockWriteGuard<T: ?Sized> {
    lock: Arc<RwLock<T>>,
}

impl<T: ?Sized> OwnedRwLockReadGuard<T> {
    /// The lock this guard reads.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

impl<T: ?Sized> OwnedRwLockWriteGuard<T> {
    /// Turns write access into read access without letting a writer in
    /// between; other readers (queued behind no writer) may then enter.
    ///
    /// ```
    /// use runtime_sync::RwLock;
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new(1));
    /// let mut w = lock.clone().try_write_owned().unwrap();
    /// *w = 2;
    /// let r = w.downgrade();
    /// assert_eq!(*lock.try_read().unwrap(), 2, "readers may enter now");
    /// assert!(lock.try_write().is_err(), "writers may not");
    /// drop(r);
    /// ```
    pub fn downgrade(self) -> OwnedRwLockReadGuard<T> {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so the `Arc` is
        // moved out of it exactly once (the write guard's `Drop`, which
        // would release every permit, does not run).
        let lock = unsafe { std::ptr::read(&this.lock) };
        // Keep one permit: the read guard's.
        lock.sem.release(MAX_READS as usize - 1);
        OwnedRwLockReadGuard { lock }
    }

    /// The lock this guard writes.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// Turns write access into read access without letting a writer in
    /// between; other readers (queued behind no writer) may then enter.
    ///
    /// ```
    /// use runtime_sync::RwLock;
    /// let lock = RwLock::new(1);
    /// let mut w = lock.try_write().unwrap();
    /// *w += 1;
    /// let r = w.downgrade();
    /// assert_eq!(*r, 2);
    /// assert!(lock.try_read().is_ok(), "readers may enter now");
    /// assert!(lock.try_write().is_err(), "writers may not");
    /// ```
    pub fn downgrade(self) -> RwLockReadGuard<'a, T> {
        let lock = self.lock;
        // The write guard's drop would release every permit.
        std::mem::forget(self);
        lock.sem.release(MAX_READS as usize - 1);
        RwLockReadGuard { lock }
    }
}

impl<T: ?Sized> Deref for OwnedRwLockReadGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: as `RwLockReadGuard`: this guard holds a reader's permit,
        // so no writer exists while it lives; the `Arc` keeps the lock
        // alive.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for OwnedRwLockReadGuard<T> {
    fn drop(&mut self) {
        self.lock.sem.release(1);
    }
}

impl<T: ?Sized> Deref for OwnedRwLockWriteGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this guard holds every permit: no reader or other writer;
        // the `Arc` keeps the lock alive.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for OwnedRwLockWriteGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes this reference unique.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for OwnedRwLockWriteGuard<T> {
    fn drop(&mut self) {
        self.lock.sem.release(MAX_READS as usize);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedRwLockReadGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedRwLockWriteGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::RwLock;
    use crate::test_util::{as_runtime_thread, panic_message, poll_once, CountingWaker};
    use std::sync::Arc;
    use std::task::Poll;
    use std::thread;

    #[test]
    fn owned_guards_exclude_as_borrowed_ones_do() {
        let lock = Arc::new(RwLock::new(1));
        let r1 = lock.clone().try_read_owned().unwrap();
        let r2 = futures::executor::block_on(lock.clone().read_owned());
        let w = CountingWaker::new();
        let mut write = Box::pin(lock.clone().write_owned());
        assert!(poll_once(&mut write, &w).is_pending());
        assert!(
            lock.try_read().is_err(),
            "the waiting writer holds back readers"
        );
        drop(r1);
        assert_eq!(w.wakes(), 0);
        drop(r2);
        assert_eq!(w.wakes(), 1);
        let Poll::Ready(mut guard) = poll_once(&mut write, &w) else {
            panic!("both readers are gone");
        };
        *guard = 2;
        assert!(lock.clone().try_read_owned().is_err());
        drop((guard, write));
        assert_eq!(*lock.try_read().unwrap(), 2);
        assert_eq!(Arc::strong_count(&lock), 1, "no guard kept an Arc");
    }

    #[test]
    fn downgrade_lets_readers_in_and_keeps_writers_out() {
        let lock = Arc::new(RwLock::new(0));
        let mut w = lock.clone().try_write_owned().unwrap();
        let waker = CountingWaker::new();
        let mut read = Box::pin(lock.read());
        assert!(poll_once(&mut read, &waker).is_pending());
        *w = 7;
        let r = w.downgrade();
        assert_eq!(waker.wakes(), 1, "the queued reader is let in");
        match poll_once(&mut read, &waker) {
            Poll::Ready(g) => assert_eq!(*g, 7),
            Poll::Pending => panic!("readers may share with the downgraded guard"),
        }
        drop(read);
        assert!(lock.try_write().is_err());
        drop(r);
        assert!(lock.try_write().is_ok());
        assert_eq!(Arc::strong_count(&lock), 1);

        let w = lock.try_write().unwrap();
        let r = w.downgrade();
        assert!(lock.try_write().is_err());
        assert_eq!(*lock.try_read().unwrap(), *r);
    }

    #[test]
    fn blocking_read_and_write_wait_on_real_threads() {
        let lock = Arc::new(RwLock::new(0));
        let w = lock.try_write().unwrap();
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let reader = {
            let lock = lock.clone();
            thread::spawn(move || {
                started_tx.send(()).unwrap();
                *lock.blocking_read()
            })
        };
        started_rx.recv().unwrap();
        drop(w);
        assert_eq!(reader.join().unwrap(), 0);

        let r = lock.try_read().unwrap();
        let writer = {
            let lock = lock.clone();
            thread::spawn(move || *lock.blocking_write() += 1)
        };
        assert_eq!(*r, 0, "the writer cannot get in while this is held");
        drop(r);
        writer.join().unwrap();
        assert_eq!(*lock.blocking_read(), 1);
    }

    #[test]
    fn blocking_read_and_write_panic_on_a_runtime_thread() {
        let lock = RwLock::new(0);
        let msg = as_runtime_thread(|| panic_message(|| lock.blocking_read()));
        assert!(msg.contains("`RwLock::blocking_read`"), "{msg}");
        assert!(msg.contains("RwLock::read().await"), "{msg}");
        let msg = as_runtime_thread(|| panic_message(|| lock.blocking_write()));
        assert!(msg.contains("`RwLock::blocking_write`"), "{msg}");
        assert!(lock.try_write().is_ok(), "nothing was taken");
    }
}
