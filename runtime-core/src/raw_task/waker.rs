//! The `RawWakerVTable` of task wakers: a waker is one counted reference to
//! the task header; waking follows rule 6 of `raw_task/mod.rs`.

use super::raw::{Header, RawTask};
use super::state::{TransitionToNotifiedByRef, TransitionToNotifiedByVal};
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable};

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// Makes a raw waker for `ptr`; the caller provides its reference.
pub(super) fn raw_waker(ptr: NonNull<Header>) -> RawWaker {
    RawWaker::new(ptr.as_ptr() as *const (), &VTABLE)
}

/// `true` when `waker` is the waker of the task being polled on this
/// thread (so `yield_now` can ask the harness to reschedule it directly).
pub(crate) fn is_current_task_waker(waker: &std::task::Waker) -> bool {
    if !std::ptr::eq(waker.vtable(), &VTABLE) {
        return false;
    }
    let Some(current) = crate::context::current_task_id() else {
        return false;
    };
    // SAFETY: a waker with our vtable points at a task header and holds a
    // reference (or borrows the poller's), so the header is alive.
    let id = unsafe { (*(waker.data() as *const Header)).id() };
    id.0 == current
}

fn raw(ptr: *const ()) -> RawTask {
    RawTask {
        // SAFETY: wakers are only made by `raw_waker` from a non-null header.
        ptr: unsafe { NonNull::new_unchecked(ptr as *mut Header) },
    }
}

unsafe fn clone(ptr: *const ()) -> RawWaker {
    let task = raw(ptr);
    task.header().state.ref_inc();
    raw_waker(task.ptr)
}

unsafe fn wake(ptr: *const ()) {
    let task = raw(ptr);
    match task.header().state.transition_to_notified_by_val() {
        TransitionToNotifiedByVal::Submit => {
            // Rule 6: the waker's reference keeps the task (and the
            // scheduler handle inside it) alive while `schedule` runs.
            task.schedule();
            task.drop_reference();
        }
        TransitionToNotifiedByVal::Dealloc => task.dealloc(),
        TransitionToNotifiedByVal::DoNothing => {}
    }
}

unsafe fn wake_by_ref(ptr: *const ()) {
    let task = raw(ptr);
    match task.header().state.transition_to_notified_by_ref() {
        TransitionToNotifiedByRef::Submit => task.schedule(),
        TransitionToNotifiedByRef::DoNothing => {}
    }
}

unsafe fn drop_waker(ptr: *const ()) {
    raw(ptr).drop_reference();
}
