//! `JoinHandle`: the owned permission to await a task's output.

use super::{AbortHandle, Id, JoinError};
use crate::coop;
use crate::raw_task::RawTask;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Awaits the output of a spawned task.
///
/// Dropping a `JoinHandle` detaches the task: it keeps running and its
/// output is dropped. [`abort`](JoinHandle::abort) cancels it.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// let out = rt.block_on(async {
///     let handle = runtime_core::spawn(async { 6 * 7 });
///     handle.await.unwrap()
/// });
/// assert_eq!(out, 42);
/// ```
///
/// A `JoinHandle` is `Send` only when the output is:
///
/// ```compile_fail
/// fn assert_send<T: Send>() {}
/// assert_send::<runtime_core::task::JoinHandle<std::rc::Rc<()>>>();
/// ```
///
/// # Cancel safety
///
/// Awaiting `&mut handle` is cancel safe: the output stays in the task
/// until the poll that returns it, so an await dropped before it completes
/// (a losing `select!` branch, a timeout) loses nothing, and the handle
/// can be awaited again.
// Not `#[must_use]`, as Tokio's: `spawn(fut);` (fire and forget, the
// task keeps running) is the common idiom and ports without warnings.
pub struct JoinHandle<T> {
    raw: RawTask,
    /// The output was returned by `poll` (rule 13: it is gone from the task).
    output_taken: bool,
    _p: PhantomData<T>,
}

// SAFETY: the handle only moves `T` out of the task, so it may move between
// threads when `T: Send`.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: no `&self` method touches `T`.
unsafe impl<T: Send> Sync for JoinHandle<T> {}

impl<T> Unpin for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    /// # Safety
    /// `raw` is a task whose output is `T`, and the caller gives the
    /// JoinHandle's reference (with JOIN_INTEREST) to the new handle.
    pub(crate) unsafe fn from_raw(raw: RawTask) -> JoinHandle<T> {
        JoinHandle {
            raw,
            output_taken: false,
            _p: PhantomData,
        }
    }

    /// The task (for unit tests that look at its header).
    #[cfg(all(test, not(loom)))]
    pub(crate) fn raw(&self) -> RawTask {
        self.raw
    }

    /// Cancels the task. An idle task's future is dropped on the runtime; a
    /// running one is cancelled when its current poll returns. Awaiting the
    /// handle then gives a `JoinError` with `is_cancelled()` (unless the task
    /// completed first).
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let task = runtime_core::spawn(std::future::pending::<()>());
    ///     task.abort();
    ///     assert!(task.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        self.raw.remote_abort();
    }

    /// `true` once the task has completed (output ready, panicked or
    /// cancelled).
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let pending = rt.spawn(std::future::pending::<()>());
    /// assert!(!pending.is_finished());
    ///
    /// let mut done = rt.spawn(async { 1 });
    /// assert_eq!(rt.block_on(&mut done).unwrap(), 1);
    /// assert!(done.is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    /// A handle that can abort the task without owning its output.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let task = runtime_core::spawn(std::future::pending::<()>());
    ///     let abort = task.abort_handle();
    ///     // The AbortHandle goes to another task; the JoinHandle stays here.
    ///     runtime_core::spawn(async move { abort.abort() });
    ///     assert!(task.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        self.raw.header().state.ref_inc();
        // SAFETY: the reference was just taken for the new handle.
        unsafe { AbortHandle::from_raw(self.raw) }
    }

    /// The task's id.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let a = rt.spawn(async {});
    /// let b = rt.spawn(async {});
    /// assert_ne!(a.id(), b.id());
    /// ```
    pub fn id(&self) -> Id {
        self.raw.id()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        assert!(
            !self.output_taken,
            "JoinHandle polled after it returned the task's output"
        );
        let coop = std::task::ready!(coop::poll_proceed(cx));
        let mut out: Poll<Result<T, JoinError>> = Poll::Pending;
        // SAFETY: `out` has the type the vtable expects for this task.
        unsafe {
            (self.raw.header().vtable.try_read_output)(
                self.raw.ptr,
                &mut out as *mut _ as *mut (),
                cx.waker(),
            );
        }
        if out.is_ready() {
            self.output_taken = true;
            coop.made_progress();
        }
        out
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        if self.raw.header().state.drop_join_handle_fast().is_ok() {
            return;
        }
        // SAFETY: vtable entry of this task; we give up our reference.
        unsafe { (self.raw.header().vtable.drop_join_handle_slow)(self.raw.ptr, self.output_taken) }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .finish()
    }
}
