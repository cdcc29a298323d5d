//! Per-thread state of a thread that polls tasks: whether it is inside a
//! runtime (so a nested `block_on` panics instead of deadlocking), the
//! coop budget, the id of the task being polled and its yield request.
//!
//! A leaf: it names no type of the runtime (the budget and the id are kept
//! raw; `coop` and `task::id` wrap them), so the task machinery, the
//! budget and the schedulers all depend on it and it on none of them.
//! Which runtime and which scheduler a thread belongs to is the
//! scheduler's own thread-local (`scheduler/current.rs`).

use std::cell::Cell;
use std::num::NonZeroU64;

struct TaskThreadState {
    /// Set while the thread runs tasks or blocks in `block_on`.
    runtime: Cell<EnterRuntime>,
    /// The coop budget left (`coop::Budget`'s inside; `None`: unconstrained).
    budget: Cell<Option<u8>>,
    /// The id of the task being polled (`task::Id`'s inside).
    task_id: Cell<Option<NonZeroU64>>,
    /// The task being polled asked to be rescheduled (`yield_now` on its
    /// own waker); read and cleared by the harness after the poll.
    yield_requested: Cell<bool>,
}

/// Whether the thread is inside a runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EnterRuntime {
    /// Inside; `allow_block_in_place` tells whether `block_in_place` may be
    /// used here (multi-thread workers only).
    Entered {
        allow_block_in_place: bool,
    },
    NotEntered,
}

impl TaskThreadState {
    #[cfg(not(loom))]
    const fn new() -> TaskThreadState {
        TaskThreadState {
            runtime: Cell::new(EnterRuntime::NotEntered),
            budget: Cell::new(None),
            task_id: Cell::new(None),
            yield_requested: Cell::new(false),
        }
    }

    #[cfg(loom)]
    fn new() -> TaskThreadState {
        TaskThreadState {
            runtime: Cell::new(EnterRuntime::NotEntered),
            budget: Cell::new(None),
            task_id: Cell::new(None),
            yield_requested: Cell::new(false),
        }
    }
}

#[cfg(not(loom))]
std::thread_local! {
    static THREAD_STATE: TaskThreadState = const { TaskThreadState::new() };
}

#[cfg(loom)]
loom::thread_local! {
    static THREAD_STATE: TaskThreadState = TaskThreadState::new();
}

/// Marks the thread as inside a runtime while `f` runs.
///
/// # Panics
/// If it already is: blocking this thread would stall the tasks it drives.
#[track_caller]
pub(crate) fn enter_runtime<R>(allow_block_in_place: bool, f: impl FnOnce() -> R) -> R {
    let entered = THREAD_STATE.with(|c| c.runtime.get());
    if let EnterRuntime::Entered { .. } = entered {
        panic!(
            "Cannot start a runtime from within a runtime: `block_on` (or a runtime's drop) was called \
             on a thread that is already driving asynchronous tasks. Use `.await` instead, or move the \
             blocking call into `spawn_blocking` or `block_in_place`."
        );
    }
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = THREAD_STATE.try_with(|c| c.runtime.set(EnterRuntime::NotEntered));
        }
    }
    THREAD_STATE.with(|c| {
        c.runtime.set(EnterRuntime::Entered {
            allow_block_in_place,
        })
    });
    let _reset = Reset;
    f()
}

/// Whether this thread is inside a runtime.
pub(crate) fn runtime_entered() -> EnterRuntime {
    THREAD_STATE
        .try_with(|c| c.runtime.get())
        .unwrap_or(EnterRuntime::NotEntered)
}

/// Leaves the runtime for the duration of `f` (used by `block_in_place`),
/// restoring the previous state after.
pub(crate) fn exit_runtime<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(EnterRuntime);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = THREAD_STATE.try_with(|c| c.runtime.set(self.0));
        }
    }
    let prev = THREAD_STATE.with(|c| c.runtime.replace(EnterRuntime::NotEntered));
    let _reset = Reset(prev);
    f()
}

/// The budget left (`None`: unconstrained, also on a thread that is
/// exiting).
pub(crate) fn budget() -> Option<u8> {
    THREAD_STATE.try_with(|c| c.budget.get()).unwrap_or(None)
}

/// Sets the budget, returning the previous one.
pub(crate) fn set_budget(budget: Option<u8>) -> Option<u8> {
    THREAD_STATE
        .try_with(|c| c.budget.replace(budget))
        .unwrap_or(None)
}

pub(crate) fn current_task_id() -> Option<NonZeroU64> {
    THREAD_STATE.try_with(|c| c.task_id.get()).unwrap_or(None)
}

/// Sets the current task id, returning the previous one.
pub(crate) fn set_current_task_id(id: Option<NonZeroU64>) -> Option<NonZeroU64> {
    THREAD_STATE
        .try_with(|c| c.task_id.replace(id))
        .unwrap_or(None)
}

/// Records that the task being polled wants to be rescheduled.
pub(crate) fn request_yield() {
    let _ = THREAD_STATE.try_with(|c| c.yield_requested.set(true));
}

/// Reads and clears the yield request of the current poll.
pub(crate) fn take_yield_request() -> bool {
    THREAD_STATE
        .try_with(|c| c.yield_requested.replace(false))
        .unwrap_or(false)
}
