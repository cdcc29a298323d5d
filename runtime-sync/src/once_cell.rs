//! `OnceCell`: a value set once, by the first of possibly many concurrent
//! initialisers (the others wait for it, and take over if it is
//! cancelled or fails).

use crate::semaphore::{Acquire, Semaphore};
use std::fmt;
use std::future::Future;
use std::sync::OnceLock;

/// A cell written once, asynchronously.
///
/// ```
/// use runtime_sync::OnceCell;
/// static CONFIG: std::sync::LazyLock<OnceCell<String>> = std::sync::LazyLock::new(OnceCell::new);
/// futures::executor::block_on(async {
///     let v = CONFIG.get_or_init(|| async { "loaded".to_string() }).await;
///     assert_eq!(v, "loaded");
///     assert_eq!(CONFIG.get().map(|s| s.as_str()), Some("loaded"));
/// });
/// ```
pub struct OnceCell<T> {
    value: OnceLock<T>,
    /// One initialiser at a time.
    init: Semaphore,
}

/// Why [`OnceCell::set`] failed; the value comes back.
///
/// ```
/// use runtime_sync::{OnceCell, SetError};
/// futures::executor::block_on(async {
///     let cell = OnceCell::new();
///     let mut slow = Box::pin(cell.get_or_init(|| std::future::pending()));
///     assert!(futures::poll!(slow.as_mut()).is_pending()); // initialising...
///     assert_eq!(cell.set(1), Err(SetError::InitializingError(1)));
///     drop(slow); // cancelled: the cell is free again
///     assert_eq!(cell.set(2), Ok(()));
///     assert_eq!(cell.set(3), Err(SetError::AlreadyInitializedError(3)));
/// });
/// ```
#[derive(Debug, PartialEq, Eq)]
pub enum SetError<T> {
    /// The cell already holds a value.
    AlreadyInitializedError(T),
    /// Another task is initialising the cell right now.
    InitializingError(T),
}

impl<T> fmt::Display for SetError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::AlreadyInitializedError(_) => f.write_str("the cell is already initialized"),
            SetError::InitializingError(_) => f.write_str("the cell is being initialized"),
        }
    }
}

impl<T: fmt::Debug> std::error::Error for SetError<T> {}

impl<T> OnceCell<T> {
    /// An empty cell.
    ///
    /// ```
    /// use runtime_sync::OnceCell;
    /// let cell: OnceCell<u32> = OnceCell::new();
    /// assert!(!cell.initialized());
    /// assert_eq!(cell.get(), None);
    /// ```
    pub fn new() -> OnceCell<T> {
        OnceCell {
            value: OnceLock::new(),
            init: Semaphore::new(1),
        }
    }

    /// A cell holding `value` if it is `Some`, else an empty cell.
    ///
    /// ```
    /// use runtime_sync::OnceCell;
    /// let cell = OnceCell::new_with(Some(1));
    /// assert_eq!(cell.get(), Some(&1));
    /// let empty = OnceCell::<u8>::new_with(None);
    /// assert!(!empty.initialized());
    /// ```
    pub fn new_with(value: Option<T>) -> OnceCell<T> {
        let cell = OnceCell::new();
        if let Some(v) = value {
            let _ = cell.value.set(v);
        }
        cell
    }

    /// The value, if set.
    pub fn get(&self) -> Option<&T> {
        self.value.get()
    }

    /// Whether a value is set.
    pub fn initialized(&self) -> bool {
        self.value.get().is_some()
    }

    /// Sets the value if the cell is empty and nobody is initialising it.
    ///
    /// ```
    /// use runtime_sync::OnceCell;
    /// let cell = OnceCell::new();
    /// assert!(cell.set("first").is_ok());
    /// assert!(cell.set("second").is_err());
    /// assert_eq!(cell.get(), Some(&"first"));
    /// ```
    pub fn set(&self, value: T) -> Result<(), SetError<T>> {
        if self.initialized() {
            return Err(SetError::AlreadyInitializedError(value));
        }
        if self.init.try_take(1).is_err() {
            return Err(SetError::InitializingError(value));
        }
        let res = match self.value.set(value) {
            Ok(()) => Ok(()),
            Err(v) => Err(SetError::AlreadyInitializedError(v)),
        };
        self.init.release(1);
        res
    }

    /// The value, running `f` to make it if the cell is empty. Concurrent
    /// callers wait for the one running `f`; if its future is dropped,
    /// the next caller runs its own `f`.
    ///
    /// ```
    /// use runtime_sync::OnceCell;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// static CALLS: AtomicUsize = AtomicUsize::new(0);
    /// let cell = Arc::new(OnceCell::new());
    /// let threads: Vec<_> = (0..4)
    ///     .map(|_| {
    ///         let cell = cell.clone();
    ///         std::thread::spawn(move || {
    ///             let v = *futures::executor::block_on(cell.get_or_init(|| async {
    ///                 CALLS.fetch_add(1, Ordering::SeqCst);
    ///                 42
    ///             }));
    ///             v
    ///         })
    ///     })
    ///     .collect();
    /// for t in threads {
    ///     assert_eq!(t.join().unwrap(), 42);
    /// }
    /// assert_eq!(CALLS.load(Ordering::SeqCst), 1); // initialised once
    /// ```
    pub async fn get_or_init<F, Fut>(&self, f: F) -> &T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        if let Some(v) = self.value.get() {
            return v;
        }
        Acquire::new(&self.init, 1)
            .await
            .expect("a OnceCell's semaphore is never closed");
        let _release = Release(&self.init);
        if let Some(v) = self.value.get() {
            return v;
        }
        let v = f().await;
        let _ = self.value.set(v);
        self.value.get().expect("just set")
    }

    /// Like `get_or_init` with a fallible `f`: on `Err` the cell stays
    /// empty and the next caller tries again.
    ///
    /// ```
    /// use runtime_sync::OnceCell;
    /// futures::executor::block_on(async {
    ///     let cell = OnceCell::new();
    ///     let failed = cell.get_or_try_init(|| async { Err("unreachable") }).await;
    ///     assert_eq!(failed, Err("unreachable"));
    ///     assert!(!cell.initialized()); // the next caller tries again
    ///     let ok = cell.get_or_try_init(|| async { Ok::<_, &str>(7) }).await;
    ///     assert_eq!(ok, Ok(&7));
    /// });
    /// ```
    pub async fn get_or_try_init<E, F, Fut>(&self, f: F) -> Result<&T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(v) = self.value.get() {
            return Ok(v);
        }
        Acquire::new(&self.init, 1)
            .await
            .expect("a OnceCell's semaphore is never closed");
        let _release = Release(&self.init);
        if let Some(v) = self.value.get() {
            return Ok(v);
        }
        let v = f().await?;
        let _ = self.value.set(v);
        Ok(self.value.get().expect("just set"))
    }

    /// The value, taking the cell apart.
    ///
    /// ```
    /// use runtime_sync::OnceCell;
    /// let cell = OnceCell::new();
    /// cell.set(String::from("owned")).unwrap();
    /// assert_eq!(cell.into_inner().as_deref(), Some("owned"));
    /// ```
    pub fn into_inner(self) -> Option<T> {
        self.value.into_inner()
    }

    /// Takes the value out, leaving the cell empty.
    ///
    /// ```
    /// use runtime_sync::OnceCell;
    /// let mut cell = OnceCell::new_with(Some(1));
    /// assert_eq!(cell.take(), Some(1));
    /// assert!(!cell.initialized());
    /// cell.set(2).unwrap(); // it can be set again
    /// ```
    pub fn take(&mut self) -> Option<T> {
        self.value.take()
    }
}

/// Gives the initialiser's permit back however the initialiser ends
/// (done, failed, or its future dropped).
struct Release<'a>(&'a Semaphore);

impl Drop for Release<'_> {
    fn drop(&mut self) {
        self.0.release(1);
    }
}

impl<T> Default for OnceCell<T> {
    fn default() -> Self {
        OnceCell::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnceCell")
            .field("value", &self.get())
            .finish()
    }
}
