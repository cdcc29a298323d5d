//! `AbortHandle`: cancels a task without owning its output.

use super::Id;
use crate::raw_task::RawTask;
use std::fmt;

/// Cancels a task from anywhere; obtained from
/// [`JoinHandle::abort_handle`](super::JoinHandle::abort_handle).
///
/// ```
/// use runtime_core::task::AbortHandle;
///
/// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
/// // Detached tasks (their JoinHandles are dropped), kept to be cancelled later.
/// let tasks: Vec<AbortHandle> = (0..3)
///     .map(|_| rt.spawn(std::future::pending::<()>()).abort_handle())
///     .collect();
/// assert_eq!(rt.metrics().num_alive_tasks(), 3);
/// for task in &tasks {
///     task.abort();
/// }
/// rt.block_on(runtime_core::task::yield_now()); // the runtime drops them
/// assert!(tasks.iter().all(|t| t.is_finished()));
/// assert_eq!(rt.metrics().num_alive_tasks(), 0);
/// ```
pub struct AbortHandle {
    raw: RawTask,
}

// SAFETY: the handle only touches the task's atomic state and scheduler.
unsafe impl Send for AbortHandle {}
// SAFETY: as above.
unsafe impl Sync for AbortHandle {}

impl AbortHandle {
    /// # Safety
    /// The caller gives one reference of `raw` to the handle.
    pub(crate) unsafe fn from_raw(raw: RawTask) -> AbortHandle {
        AbortHandle { raw }
    }

    /// Cancels the task (see [`JoinHandle::abort`](super::JoinHandle::abort)).
    pub fn abort(&self) {
        self.raw.remote_abort();
    }

    /// `true` once the task has completed.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let mut task = rt.spawn(async { 1 });
    /// let abort = task.abort_handle();
    /// assert_eq!(rt.block_on(&mut task).unwrap(), 1);
    /// assert!(abort.is_finished());
    /// abort.abort(); // no effect on a finished task
    /// ```
    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        self.raw.id()
    }
}

impl Clone for AbortHandle {
    fn clone(&self) -> AbortHandle {
        self.raw.header().state.ref_inc();
        AbortHandle { raw: self.raw }
    }
}

impl Drop for AbortHandle {
    fn drop(&mut self) {
        self.raw.drop_reference();
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.id())
            .finish()
    }
}
