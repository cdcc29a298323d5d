//! Task ids: unique for the life of the process, handed out at spawn.

use crate::context;
use std::fmt;
use std::num::NonZeroU64;

/// An opaque id that is unique among all tasks of the process.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// let handle = rt.spawn(async { runtime_core::task::id() });
/// let id = handle.id();
/// assert_eq!(rt.block_on(handle).unwrap(), id);
/// ```
#[derive(Clone, Copy, Debug, Hash, Eq, PartialEq, Ord, PartialOrd)]
pub struct Id(pub(crate) NonZeroU64);

impl Id {
    /// A new id. Each thread takes ids from a block of its own, so spawns
    /// on different workers do not all write one shared counter: ids are
    /// unique, and increasing in spawn order on any one thread.
    pub(crate) fn next() -> Id {
        /// Ids a thread reserves at a time.
        const BLOCK: u64 = 256;
        // A plain std atomic even under loom: ids are not part of any
        // protocol, only unique numbers. Relaxed: uniqueness needs no order.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        thread_local! {
            /// This thread's block: (next id, end of the block).
            static RESERVED: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
        }
        let id = RESERVED.with(|r| {
            let (mut next, mut end) = r.get();
            if next == end {
                next = NEXT.fetch_add(BLOCK, std::sync::atomic::Ordering::Relaxed);
                end = next + BLOCK;
            }
            r.set((next + 1, end));
            next
        });
        Id(NonZeroU64::new(id).expect("task id counter wrapped"))
    }

    /// The id whose number is `raw` (not zero: it comes from `next`).
    pub(crate) fn from_u64(raw: u64) -> Id {
        Id(NonZeroU64::new(raw).expect("task ids are never zero"))
    }

    /// The id as a number.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let a = rt.spawn(async {});
    /// let b = rt.spawn(async {});
    /// // Ids are handed out in spawn order.
    /// assert!(a.id().as_u64() < b.id().as_u64());
    /// assert_eq!(a.id().to_string(), a.id().as_u64().to_string());
    /// ```
    pub fn as_u64(&self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The id of the task that is running on this thread.
///
/// # Panics
/// When called outside a task (for example from `block_on`'s own future).
/// Use [`try_id`] to get an `Option` instead.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// let task = rt.spawn(async { runtime_core::task::id() });
/// let id = task.id();
/// assert_eq!(rt.block_on(task).unwrap(), id);
/// ```
#[track_caller]
pub fn id() -> Id {
    try_id().expect(
        "task::id() must be called from inside a spawned task; use task::try_id() to get an Option",
    )
}

/// The id of the task that is running on this thread, if any.
///
/// ```
/// use runtime_core::task;
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     // The future of `block_on` is not a task.
///     assert_eq!(task::try_id(), None);
///     let inside = runtime_core::spawn(async { task::try_id() });
///     let id = inside.id();
///     assert_eq!(inside.await.unwrap(), Some(id));
/// });
/// ```
pub fn try_id() -> Option<Id> {
    context::current_task_id().map(Id)
}

/// Sets the current task id for a scope (polls, and drops of the future or
/// its output), restoring the previous one after.
pub(crate) struct TaskIdGuard {
    prev: Option<Id>,
}

impl TaskIdGuard {
    pub(crate) fn enter(id: Id) -> TaskIdGuard {
        TaskIdGuard {
            prev: context::set_current_task_id(Some(id.0)).map(Id),
        }
    }
}

impl Drop for TaskIdGuard {
    fn drop(&mut self) {
        context::set_current_task_id(self.prev.map(|id| id.0));
    }
}
