//! Task-local storage: `task_local!` declares keys whose value belongs to
//! a future (set by `LocalKey::scope`) rather than to a thread.
//!
//! # How it works
//!
//! Each key wraps a `std::thread::LocalKey<RefCell<Option<T>>>`. A scope
//! keeps its value in its own state (`TaskLocalFuture::slot`) and, for the
//! duration of each poll of the inner future only, swaps it into the
//! thread-local cell; a guard swaps it back out when the poll returns or
//! unwinds. So the value travels with the future when a worker steals the
//! task, a thread never sees the value of a task it is not polling, and a
//! nested scope of the same key finds the outer value in the cell, keeps it
//! in its own slot while it runs, and hands it back on the way out.

use pin_project_lite::pin_project;
use std::cell::RefCell;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::thread;

/// Declares one or more task-local keys, each a
/// [`LocalKey`](crate::task::LocalKey) (as Tokio's `task_local!`).
///
/// The syntax is that of `thread_local!` without initialisers:
/// `[attributes] [visibility] static NAME: Type;`, any number of times. A
/// key has no value of its own: [`LocalKey::scope`](crate::task::LocalKey::scope)
/// sets one for the duration of a future, and
/// [`LocalKey::sync_scope`](crate::task::LocalKey::sync_scope) for a
/// closure.
///
/// ```
/// runtime_core::task_local! {
///     /// The id of the request being served.
///     pub static REQUEST_ID: u64;
///     static USER: String;
/// }
///
/// async fn log(msg: &str) -> String {
///     let id = REQUEST_ID.get();
///     USER.with(|user| format!("[{id} {user}] {msg}"))
/// }
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// let line = rt.block_on(async {
///     let task = runtime_core::spawn(REQUEST_ID.scope(7, async {
///         USER.scope("ada".to_string(), async {
///             runtime_core::task::yield_now().await;
///             log("hello").await
///         })
///         .await
///     }));
///     task.await.unwrap()
/// });
/// assert_eq!(line, "[7 ada] hello");
/// // Outside every scope the key is not set.
/// assert!(REQUEST_ID.try_with(|_| ()).is_err());
/// ```
#[macro_export]
macro_rules! task_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty; $($rest:tt)*) => {
        $crate::__task_local_key!($(#[$attr])* $vis $name, $t);
        $crate::task_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty) => {
        $crate::__task_local_key!($(#[$attr])* $vis $name, $t);
    };
}

/// One key of [`task_local!`]: a `static` `LocalKey` around its own
/// thread-local cell.
#[doc(hidden)]
#[macro_export]
macro_rules! __task_local_key {
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty) => {
        $(#[$attr])*
        $vis static $name: $crate::task::LocalKey<$t> = {
            ::std::thread_local! {
                static CELL: ::std::cell::RefCell<::std::option::Option<$t>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }
            $crate::task::LocalKey::__new(CELL)
        };
    };
}

/// A key for task-local values, declared with [`task_local!`].
///
/// [`scope`](LocalKey::scope) runs a future with the key set to a value;
/// inside it (at any depth of `.await`, on whichever worker the task is
/// polled) [`with`](LocalKey::with), [`try_with`](LocalKey::try_with) and
/// [`get`](LocalKey::get) read that value. The value is not inherited by
/// tasks spawned from inside the scope.
///
/// ```
/// runtime_core::task_local! {
///     static TRACE_ID: u64;
/// }
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(TRACE_ID.scope(42, async {
///     assert_eq!(TRACE_ID.get(), 42);
///     // A task spawned inside the scope does not inherit it...
///     let child = runtime_core::spawn(async { TRACE_ID.try_get().is_err() });
///     assert!(child.await.unwrap());
///     // ...unless it is given a scope of its own.
///     let child = runtime_core::spawn(TRACE_ID.scope(TRACE_ID.get(), async { TRACE_ID.get() }));
///     assert_eq!(child.await.unwrap(), 42);
/// }));
/// ```
pub struct LocalKey<T: 'static> {
    cell: thread::LocalKey<RefCell<Option<T>>>,
}

impl<T: 'static> LocalKey<T> {
    /// Used by [`task_local!`]; not public API.
    #[doc(hidden)]
    pub const fn __new(cell: thread::LocalKey<RefCell<Option<T>>>) -> LocalKey<T> {
        LocalKey { cell }
    }

    /// Runs `future` with the key set to `value`.
    ///
    /// The value is in place only while `future` is being polled (and
    /// while it is dropped, if it is dropped before completing); between
    /// polls it is kept in the returned future. A scope of the same key
    /// nested inside hides the value for its duration, then restores it.
    /// The returned future is `Send` when `T` and `F` are.
    ///
    /// ```
    /// runtime_core::task_local! {
    ///     static DEPTH: u32;
    /// }
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(DEPTH.scope(1, async {
    ///     assert_eq!(DEPTH.get(), 1);
    ///     DEPTH.scope(2, async { assert_eq!(DEPTH.get(), 2) }).await;
    ///     assert_eq!(DEPTH.get(), 1);
    /// }));
    /// ```
    ///
    /// # Panics
    /// When polled inside a [`with`](LocalKey::with) closure of the same
    /// key (the value cannot be replaced while it is borrowed).
    pub fn scope<F: Future>(&'static self, value: T, future: F) -> TaskLocalFuture<T, F> {
        TaskLocalFuture {
            key: self,
            slot: Some(value),
            future: Some(future),
        }
    }

    /// Runs `f` with the key set to `value` and returns its result. The
    /// previous value (if any) is restored afterwards, even if `f` panics.
    ///
    /// ```
    /// runtime_core::task_local! {
    ///     static NAME: &'static str;
    /// }
    ///
    /// let greeting = NAME.sync_scope("world", || NAME.with(|n| format!("hello {n}")));
    /// assert_eq!(greeting, "hello world");
    /// ```
    ///
    /// # Panics
    /// When called inside a [`with`](LocalKey::with) closure of the same
    /// key.
    #[track_caller]
    pub fn sync_scope<F, R>(&'static self, value: T, f: F) -> R
    where
        F: FnOnce() -> R,
    {
        let mut slot = Some(value);
        match self.enter(&mut slot, f) {
            Ok(out) => out,
            Err(err) => err.panic(),
        }
    }

    /// Calls `f` with a reference to the value of the current scope.
    ///
    /// # Panics
    /// When the key is not set: outside every [`scope`](LocalKey::scope) /
    /// [`sync_scope`](LocalKey::sync_scope) of it (for example in a task
    /// spawned from inside a scope, which does not inherit it).
    ///
    /// ```
    /// runtime_core::task_local! {
    ///     static USER: String;
    /// }
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let len = rt.block_on(USER.scope("ada".to_string(), async {
    ///     // Borrows the value: no clone.
    ///     USER.with(|user| user.len())
    /// }));
    /// assert_eq!(len, 3);
    /// ```
    #[track_caller]
    pub fn with<F, R>(&'static self, f: F) -> R
    where
        F: FnOnce(&T) -> R,
    {
        match self.try_with(f) {
            Ok(out) => out,
            Err(_) => panic!(
                "task-local value of type `{}` is not set: it can only be accessed \
                 within `KEY.scope(value, future)` or `KEY.sync_scope(value, f)`",
                std::any::type_name::<T>()
            ),
        }
    }

    /// Calls `f` with a reference to the value of the current scope, or
    /// returns [`AccessError`] (without calling `f`) when the key is not
    /// set.
    ///
    /// ```
    /// runtime_core::task_local! {
    ///     static REQUEST_ID: u64;
    /// }
    ///
    /// fn describe() -> String {
    ///     REQUEST_ID
    ///         .try_with(|id| format!("request {id}"))
    ///         .unwrap_or_else(|_| "no request".to_string())
    /// }
    ///
    /// assert_eq!(describe(), "no request");
    /// assert_eq!(REQUEST_ID.sync_scope(7, describe), "request 7");
    /// ```
    pub fn try_with<F, R>(&'static self, f: F) -> Result<R, AccessError>
    where
        F: FnOnce(&T) -> R,
    {
        // A thread-local being destroyed, or a cell borrowed mutably (only
        // ever inside `enter`'s swaps, never while user code runs), both
        // mean that no scope is in effect here. The shared borrow lasts
        // for the duration of `f`, so `with` calls may nest.
        self.cell
            .try_with(|cell| {
                let value = cell.try_borrow().ok()?;
                Some(f(value.as_ref()?))
            })
            .ok()
            .flatten()
            .ok_or(AccessError { _p: () })
    }

    /// Swaps `slot` into the thread-local cell, runs `f`, and swaps it
    /// back (also when `f` unwinds).
    fn enter<F, R>(&'static self, slot: &mut Option<T>, f: F) -> Result<R, ScopeError>
    where
        F: FnOnce() -> R,
    {
        /// Swaps the slot back out of the cell when dropped.
        struct Restore<'a, T: 'static> {
            cell: &'static thread::LocalKey<RefCell<Option<T>>>,
            slot: &'a mut Option<T>,
        }

        impl<T: 'static> Drop for Restore<'_, T> {
            fn drop(&mut self) {
                // Cannot fail: `with` borrows end before the poll (or `f`)
                // returns, and the thread-local lived through `enter`.
                self.cell
                    .with(|cell| std::mem::swap(self.slot, &mut *cell.borrow_mut()));
            }
        }

        self.cell
            .try_with(|cell| {
                let mut current = cell.try_borrow_mut().map_err(|_| ScopeError::Borrowed)?;
                std::mem::swap(slot, &mut *current);
                Ok(())
            })
            .map_err(|_| ScopeError::Destroyed)??;
        let _restore = Restore {
            cell: &self.cell,
            slot,
        };
        Ok(f())
    }
}

impl<T: Clone + 'static> LocalKey<T> {
    /// A clone of the value of the current scope.
    ///
    /// # Panics
    /// When the key is not set (see [`with`](LocalKey::with)).
    ///
    /// ```
    /// runtime_core::task_local! {
    ///     static LIMIT: usize;
    /// }
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(LIMIT.scope(10, async {
    ///     runtime_core::task::yield_now().await;
    ///     assert_eq!(LIMIT.get(), 10);
    /// }));
    /// ```
    #[track_caller]
    pub fn get(&'static self) -> T {
        self.with(T::clone)
    }

    /// A clone of the value of the current scope, or [`AccessError`] when
    /// the key is not set.
    ///
    /// ```
    /// runtime_core::task_local! {
    ///     static LIMIT: usize;
    /// }
    ///
    /// assert!(LIMIT.try_get().is_err());
    /// assert_eq!(LIMIT.sync_scope(3, || LIMIT.try_get()), Ok(3));
    /// ```
    pub fn try_get(&'static self) -> Result<T, AccessError> {
        self.try_with(T::clone)
    }
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKey")
            .field("type", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}

/// Why a scope could not be entered.
enum ScopeError {
    /// Inside a `with` closure of the same key.
    Borrowed,
    /// The thread is tearing down its thread-locals.
    Destroyed,
}

impl ScopeError {
    #[track_caller]
    fn panic(self) -> ! {
        match self {
            ScopeError::Borrowed => panic!(
                "cannot enter a task-local scope while the task-local value is borrowed \
                 (inside `KEY.with` of the same key)"
            ),
            ScopeError::Destroyed => panic!(
                "cannot enter a task-local scope during or after destruction of the \
                 underlying thread-local"
            ),
        }
    }
}

pin_project! {
    /// The future returned by [`LocalKey::scope`]: runs the inner future
    /// with the task-local value set while it is polled.
    ///
    /// ```
    /// use runtime_core::task::TaskLocalFuture;
    ///
    /// runtime_core::task_local! {
    ///     static TENANT: String;
    /// }
    ///
    /// async fn handle_request() -> String {
    ///     TENANT.with(|t| format!("served {t}"))
    /// }
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let scoped: TaskLocalFuture<String, _> = TENANT.scope("acme".to_string(), handle_request());
    /// // An ordinary future: spawn it, and the value travels with the task.
    /// let task = rt.spawn(scoped);
    /// assert_eq!(rt.block_on(task).unwrap(), "served acme");
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct TaskLocalFuture<T: 'static, F> {
        key: &'static LocalKey<T>,
        // The scope's value, while the inner future is not being polled.
        slot: Option<T>,
        // `None` once it completed (or was dropped early, in `drop`).
        #[pin]
        future: Option<F>,
    }

    impl<T: 'static, F> PinnedDrop for TaskLocalFuture<T, F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            let mut future = this.future;
            if future.is_none() {
                return;
            }
            // Drop an unfinished inner future inside the scope, so its
            // destructors see the value. If the scope cannot be entered
            // (the thread-locals are being destroyed, or this runs inside
            // `with` of the same key) drop it without the value rather
            // than panic in a destructor.
            if this.key.enter(this.slot, || future.set(None)).is_err() {
                future.set(None);
            }
        }
    }
}

impl<T: 'static, F> TaskLocalFuture<T, F> {
    /// Removes the value from the scope and returns it (`None` if it was
    /// already taken). Polling afterwards runs the inner future with the
    /// key unset. Useful to get the value back after the future completed.
    ///
    /// ```
    /// use std::cell::RefCell;
    ///
    /// runtime_core::task_local! {
    ///     static LOG: RefCell<Vec<&'static str>>;
    /// }
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let mut scoped = std::pin::pin!(LOG.scope(RefCell::new(Vec::new()), async {
    ///     LOG.with(|log| log.borrow_mut().push("start"));
    ///     runtime_core::task::yield_now().await;
    ///     LOG.with(|log| log.borrow_mut().push("end"));
    /// }));
    /// rt.block_on(scoped.as_mut());
    /// // What the future wrote to its task-local, after it completed.
    /// let log = scoped.take_value().unwrap();
    /// assert_eq!(log.into_inner(), ["start", "end"]);
    /// ```
    pub fn take_value(self: Pin<&mut Self>) -> Option<T> {
        self.project().slot.take()
    }
}

impl<T: 'static, F: Future> Future for TaskLocalFuture<T, F> {
    type Output = F::Output;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let mut future = this.future;
        let res = this.key.enter(this.slot, || {
            let Some(inner) = future.as_mut().as_pin_mut() else {
                panic!("`TaskLocalFuture` polled after completion");
            };
            let poll = inner.poll(cx);
            if poll.is_ready() {
                // Drop the finished future inside the scope, as it ran.
                future.set(None);
            }
            poll
        });
        match res {
            Ok(poll) => poll,
            Err(err) => err.panic(),
        }
    }
}

impl<T: 'static + fmt::Debug, F> fmt::Debug for TaskLocalFuture<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskLocalFuture")
            .field("value", &self.slot)
            .finish_non_exhaustive()
    }
}

/// The task-local key is not set: returned by [`LocalKey::try_with`]
/// outside every scope of the key.
///
/// ```
/// use runtime_core::task::AccessError;
///
/// runtime_core::task_local! {
///     static NAME: String;
/// }
///
/// let err: AccessError = NAME.try_with(|_| ()).unwrap_err();
/// assert_eq!(err.to_string(), "task-local value not set");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AccessError {
    _p: (),
}

impl fmt::Debug for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessError").finish()
    }
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task-local value not set")
    }
}

impl Error for AccessError {}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<LocalKey<std::cell::Cell<u8>>>();
    is::<AccessError>();
    fn send<T: Send>() {}
    send::<TaskLocalFuture<String, std::future::Ready<()>>>();
}
