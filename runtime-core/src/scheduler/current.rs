//! Which runtime this thread belongs to (for `spawn`, `Handle::current`;
//! its driver, for the resources created here, is kept beside it in
//! `current_driver.rs`) and which scheduler it drives right now (so a wake
//! can go to the local queue).
//! The scheduler's own thread-local: it names the scheduler's types, so it
//! lives with them rather than in the leaf `context.rs`.

use crate::scheduler;
use std::cell::{Cell, RefCell};

struct Current {
    /// The runtime whose handle `spawn`/`Handle::current` use.
    current: RefCell<Option<scheduler::SchedulerHandle>>,
    /// The scheduler this thread drives right now (a worker, or a
    /// current-thread `block_on`); null otherwise.
    scheduler: Cell<*const scheduler::SchedulerContext>,
}

impl Current {
    #[cfg(not(loom))]
    const fn new() -> Current {
        Current {
            current: RefCell::new(None),
            scheduler: Cell::new(std::ptr::null()),
        }
    }

    #[cfg(loom)]
    fn new() -> Current {
        Current {
            current: RefCell::new(None),
            scheduler: Cell::new(std::ptr::null()),
        }
    }
}

#[cfg(not(loom))]
std::thread_local! {
    static CURRENT: Current = const { Current::new() };
}

#[cfg(loom)]
loom::thread_local! {
    static CURRENT: Current = Current::new();
}

/// Runs `f` with the current runtime's handle, or `None` outside any.
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&scheduler::SchedulerHandle>) -> R) -> R {
    let mut f = Some(f);
    let res = CURRENT.try_with(|c| {
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
pub(crate) fn set_current(handle: &scheduler::SchedulerHandle) -> SetCurrentGuard {
    let prev = CURRENT.with(|c| {
        c.current
            .try_borrow_mut()
            .ok()
            .map(|mut cur| cur.replace(handle.clone()))
    });
    // The driver slot follows (`current_driver.rs`), where the I/O, signal
    // and timer layers look.
    let prev_driver = prev
        .is_some()
        .then(|| crate::current_driver::set(handle.driver().cloned()))
        .flatten();
    SetCurrentGuard { prev, prev_driver }
}

/// Restores the previous current runtime on drop.
pub(crate) struct SetCurrentGuard {
    /// `None`: nothing was set, nothing to restore.
    prev: Option<Option<scheduler::SchedulerHandle>>,
    /// The same for the driver slot.
    prev_driver: Option<crate::current_driver::Slot>,
}

impl Drop for SetCurrentGuard {
    fn drop(&mut self) {
        if let Some(prev) = self.prev_driver.take() {
            crate::current_driver::restore(prev);
        }
        let Some(prev) = self.prev.take() else { return };
        let _ = CURRENT.try_with(|c| {
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
pub(crate) fn with_scheduler<R>(f: impl FnOnce(Option<&scheduler::SchedulerContext>) -> R) -> R {
    let mut f = Some(f);
    let res = CURRENT.try_with(|c| {
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
pub(crate) fn set_scheduler<R>(cx: &scheduler::SchedulerContext, f: impl FnOnce() -> R) -> R {
    struct Reset(*const scheduler::SchedulerContext);
    impl Drop for Reset {
        fn drop(&mut self) {
            CURRENT.with(|c| c.scheduler.set(self.0));
        }
    }
    let prev = CURRENT.with(|c| c.scheduler.replace(cx as *const _));
    let _reset = Reset(prev);
    f()
}
