//! Per-thread runtime state: which runtime this thread belongs to (for
//! `spawn` and `Handle::current`), whether it is driving a scheduler (so a
//! wake can go to the local queue), whether it is inside a runtime (so a
//! nested `block_on` panics instead of deadlocking), the coop budget, and
//! the id of the task being polled.

use crate::coop::Budget;
use crate::scheduler;
use crate::task::Id;
use std::cell::{Cell, RefCell};

struct Context {
    /// The runtime whose handle `spawn`/`Handle::current` use.
    current: RefCell<Option<scheduler::Handle>>,
    /// The scheduler this thread drives right now (a worker, or a
    /// current-thread `block_on`); null otherwise.
    scheduler: Cell<*const scheduler::Context>,
    /// Set while the thread runs tasks or blocks in `block_on`.
    runtime: Cell<EnterRuntime>,
    budget: Cell<Budget>,
    task_id: Cell<Option<Id>>,
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

impl Context {
    #[cfg(not(loom))]
    const fn new() -> Context {
        Context {
            current: RefCell::new(None),
            scheduler: Cell::new(std::ptr::null()),
            runtime: Cell::new(EnterRuntime::NotEntered),
            budget: Cell::new(Budget::unconstrained()),
            task_id: Cell::new(None),
            yield_requested: Cell::new(false),
        }
    }

    #[cfg(loom)]
    fn new() -> Context {
        Context {
            current: RefCell::new(None),
            scheduler: Cell::new(std::ptr::null()),
            runtime: Cell::new(EnterRuntime::NotEntered),
            budget: Cell::new(Budget::unconstrained()),
            task_id: Cell::new(None),
            yield_requested: Cell::new(false),
        }
    }
}

#[cfg(not(loom))]
std::thread_local! {
    static CONTEXT: Context = const { Context::new() };
}

#[cfg(loom)]
loom::thread_local! {
    static CONTEXT: Context = Context::new();
}

/// Runs `f` with the current runtime's handle, or `None` outside any.
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&scheduler::Handle>) -> R) -> R {
    let mut f = Some(f);
    let res = CONTEXT.try_with(|c| {
        let current = c.current.borrow();
        (f.take().expect("called once"))(current.as_ref())
    });
    match res {
        Ok(r) => r,
        // Thread-local already destroyed (thread exiting): no runtime.
        Err(_) => (f.take().expect("called once"))(None),
    }
}

/// Makes `handle` the current runtime until the guard drops.
///
/// If the slot is borrowed (this is called from a destructor run inside
/// `with_current`, e.g. a cancelled closure dropping a `Runtime`), the
/// current runtime is left as it is rather than panicking.
pub(crate) fn set_current(handle: &scheduler::Handle) -> SetCurrentGuard {
    let prev = CONTEXT.with(|c| {
        c.current
            .try_borrow_mut()
            .ok()
            .map(|mut cur| cur.replace(handle.clone()))
    });
    SetCurrentGuard { prev }
}

/// Restores the previous current runtime on drop.
pub(crate) struct SetCurrentGuard {
    /// `None`: nothing was set, nothing to restore.
    prev: Option<Option<scheduler::Handle>>,
}

impl Drop for SetCurrentGuard {
    fn drop(&mut self) {
        let Some(prev) = self.prev.take() else { return };
        let _ = CONTEXT.try_with(|c| {
            // Drop the replaced handle outside the borrow: dropping the last
            // handle may run destructors that look at the context again.
            if let Ok(mut cur) = c.current.try_borrow_mut() {
                let replaced = std::mem::replace(&mut *cur, prev);
                drop(cur);
                drop(replaced);
            }
        });
    }
}

/// Runs `f` with the scheduler this thread drives, if any.
#[inline]
pub(crate) fn with_scheduler<R>(f: impl FnOnce(Option<&scheduler::Context>) -> R) -> R {
    let mut f = Some(f);
    let res = CONTEXT.try_with(|c| {
        let ptr = c.scheduler.get();
        // SAFETY: `ptr` is set only by `set_scheduler`, which keeps the
        // pointee alive (it borrows it) until it restores the old value.
        let cx = unsafe { ptr.as_ref() };
        (f.take().expect("called once"))(cx)
    });
    match res {
        Ok(r) => r,
        Err(_) => (f.take().expect("called once"))(None),
    }
}

/// Makes `cx` this thread's scheduler while `f` runs.
pub(crate) fn set_scheduler<R>(cx: &scheduler::Context, f: impl FnOnce() -> R) -> R {
    struct Reset(*const scheduler::Context);
    impl Drop for Reset {
        fn drop(&mut self) {
            CONTEXT.with(|c| c.scheduler.set(self.0));
        }
    }
    let prev = CONTEXT.with(|c| c.scheduler.replace(cx as *const _));
    let _reset = Reset(prev);
    f()
}

/// Marks the thread as inside a runtime while `f` runs.
///
/// # Panics
/// If it already is: blocking this thread would stall the tasks it drives.
#[track_caller]
pub(crate) fn enter_runtime<R>(allow_block_in_place: bool, f: impl FnOnce() -> R) -> R {
    let entered = CONTEXT.with(|c| c.runtime.get());
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
            let _ = CONTEXT.try_with(|c| c.runtime.set(EnterRuntime::NotEntered));
        }
    }
    CONTEXT.with(|c| {
        c.runtime.set(EnterRuntime::Entered {
            allow_block_in_place,
        })
    });
    let _reset = Reset;
    f()
}

/// Whether this thread is inside a runtime.
pub(crate) fn runtime_entered() -> EnterRuntime {
    CONTEXT
        .try_with(|c| c.runtime.get())
        .unwrap_or(EnterRuntime::NotEntered)
}

/// Leaves the runtime for the duration of `f` (used by `block_in_place`),
/// restoring the previous state after.
pub(crate) fn exit_runtime<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(EnterRuntime);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = CONTEXT.try_with(|c| c.runtime.set(self.0));
        }
    }
    let prev = CONTEXT.with(|c| c.runtime.replace(EnterRuntime::NotEntered));
    let _reset = Reset(prev);
    f()
}

pub(crate) fn budget() -> Budget {
    CONTEXT
        .try_with(|c| c.budget.get())
        .unwrap_or(Budget::unconstrained())
}

/// Sets the budget, returning the previous one.
pub(crate) fn set_budget(budget: Budget) -> Budget {
    CONTEXT
        .try_with(|c| c.budget.replace(budget))
        .unwrap_or(Budget::unconstrained())
}

pub(crate) fn current_task_id() -> Option<Id> {
    CONTEXT.try_with(|c| c.task_id.get()).unwrap_or(None)
}

/// Sets the current task id, returning the previous one.
pub(crate) fn set_current_task_id(id: Option<Id>) -> Option<Id> {
    CONTEXT.try_with(|c| c.task_id.replace(id)).unwrap_or(None)
}

/// Records that the task being polled wants to be rescheduled.
pub(crate) fn request_yield() {
    let _ = CONTEXT.try_with(|c| c.yield_requested.set(true));
}

/// Reads and clears the yield request of the current poll.
pub(crate) fn take_yield_request() -> bool {
    CONTEXT
        .try_with(|c| c.yield_requested.replace(false))
        .unwrap_or(false)
}
