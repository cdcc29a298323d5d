//! The task machinery: one heap allocation per spawned future (the cell),
//! a reference-counted state word, the harness that polls, completes and
//! cancels, the raw wakers, and the owned-task list. The task API built on
//! it (`spawn`, `JoinHandle`, `AbortHandle`, `JoinSet`, `TaskGroup`,
//! `LocalSet`, `task_local!`) is in `task/`; this module does not depend
//! on it except for the vocabulary types `Id` and `JoinError` (the owned
//! list also hands out `JoinHandle`s), and on no scheduler.
//!
//! # Layout
//!
//! A task is one `Cell<F, S>` (see `raw.rs`): a `Header` (vtable, id word,
//! spawn location, owned-list links, state word), then the scheduler handle `S`,
//! the `Stage` (a union of the future and its output, see rule 13) and the
//! join waker slot. Every handle is a pointer to the header;
//! the vtable recovers the concrete types.
//!
//! # References
//!
//! The state word counts references. A spawned task starts with three: the
//! owned list's `Task` (the runtime's own record, used to shut tasks down),
//! the first `Notified` (handed to the scheduler) and the `JoinHandle`.
//! Wakers, `AbortHandle`s and later `Notified`s each hold one more. A task
//! spawned on the blocking pool is not in an owned list and starts with two.
//! Whoever drops the last reference frees the allocation.
//!
//! # Where `Send` is checked
//!
//! The task machinery itself does not require the future or its output
//! to be `Send` (the handles are `Send` by `unsafe impl`). The entry
//! points do: `spawn` and `spawn_blocking` require `Send`, and
//! `spawn_local` (a `LocalSet`) accepts `!Send` futures only because the
//! set polls and drops them all on its own thread (see `task/local.rs`).
//!
//! # The rules
//!
//! Every piece of code that touches a task follows these rules; the
//! `// SAFETY:` comments cite them by number.
//!
//! 1. The future (`Stage`) may be touched only by the thread that set
//!    RUNNING, until it clears RUNNING (idle) or sets COMPLETE. After
//!    COMPLETE the stage belongs to the `JoinHandle` if JOIN_INTEREST was
//!    set at completion time, otherwise to the completer, who drops the
//!    output.
//! 2. A `Notified` is a reference plus the right to try
//!    `transition_to_running`. Only an idle task can be started; a task
//!    that is already running or complete just loses the reference.
//! 3. After `Pending`, the poller calls `transition_to_idle`. If the task
//!    was woken during the poll (NOTIFIED set) the poller's reference becomes
//!    a new `Notified` and the task is scheduled again (at the back of the
//!    queue). If it was cancelled during the poll the poller keeps RUNNING
//!    and cancels it. A task that yields through its own waker
//!    (`yield_now`) does not wake itself: it asks the poller, which sets
//!    NOTIFIED in this same transition.
//! 4. Completion (`transition_to_complete`) flips RUNNING off and COMPLETE
//!    on in one step; COMPLETE is never cleared. The completer removes the
//!    task from its owned list just before (so the alive count is exact by
//!    the time anyone sees COMPLETE) and drops its references after.
//! 5. NOTIFIED set on an idle task means exactly one `Notified` for it
//!    exists, so a task is never queued twice.
//! 6. A wake sets NOTIFIED. On an idle, un-notified task it takes a new
//!    reference as a `Notified` and schedules it; a by-value wake drops the
//!    waker's own reference only after `schedule` returned (the scheduler
//!    handle lives inside the task, which may complete and be freed as soon
//!    as it is queued). On a running task it
//!    only sets NOTIFIED (rule 3 reschedules). On a notified or complete task
//!    it does nothing.
//! 7. Abort sets CANCELLED. On an idle, un-notified task it also creates a
//!    `Notified` so a worker drops the future on the runtime; otherwise the
//!    popper (rule 2) or the poller (rule 3) sees CANCELLED.
//! 8. Shutdown sets CANCELLED and, on an idle task, RUNNING: the shutter
//!    then owns the future (rule 1), drops it and completes the task.
//! 9. The join waker slot belongs to the `JoinHandle` while JOIN_WAKER is
//!    clear. Setting JOIN_WAKER publishes it to the completer, who may only
//!    read it. The `JoinHandle` can clear JOIN_WAKER to take it back only
//!    while the task is not complete. Both steps fail once COMPLETE is set,
//!    and then the output is ready to read.
//! 10. After COMPLETE with JOIN_WAKER set, the completer owns the slot: it
//!     wakes the waker, then clears JOIN_WAKER; if JOIN_INTEREST is gone by
//!     then it also drops the waker.
//! 11. Dropping the `JoinHandle` clears JOIN_INTEREST, and when the task is
//!     not complete also JOIN_WAKER (taking the slot back). If the task is
//!     complete the dropper drops the output (rule 1). If JOIN_WAKER is
//!     clear afterwards the dropper clears the slot; otherwise rule 10 does.
//! 12. A panic while polling or dropping the future is caught on the thread
//!     that owned it and stored as the task's output (`JoinError::Panic`);
//!     it never unwinds into the scheduler.
//! 13. The stage is an untagged union; the state word says what it holds.
//!     Before COMPLETE it holds the future (its owner under rule 1 swaps in
//!     the output just before completing). After COMPLETE it holds the
//!     output until exactly one party consumes it: the completer when
//!     JOIN_INTEREST was already gone, otherwise the `JoinHandle` (reading
//!     it, which the handle remembers, or dropping it on drop). So when the
//!     last reference goes, a complete task holds nothing live and an
//!     incomplete one holds its future, which `dealloc` drops.

mod harness;
pub(crate) mod list;
pub(crate) mod names;
pub(crate) mod raw;
pub(crate) mod state;
#[cfg(all(test, not(loom)))]
mod tests;
pub(crate) mod waker;

pub(crate) use names::SpawnMeta;
pub(crate) use raw::{Again, Header, Notified, RawTask, Task};

/// What a task needs from the scheduler it belongs to.
pub(crate) trait Schedule: Sync + Sized + 'static {
    /// Removes the task from the owned list, returning the list's reference
    /// (`None` when the task is in no list or was already removed).
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>>;

    /// Puts a woken task in a run queue. (A task woken while it ran is
    /// handed back by `Notified::run` instead, rule 3.)
    fn schedule(&self, task: Notified<Self>);

    /// A panic outside the task's poll (its output's destructor, its
    /// JoinHandle's waker): the runtime's to report and re-raise. By
    /// default, the runtime current on this thread (`util/escaped.rs`).
    fn report_escaped(&self, place: &str, payload: crate::util::escaped::Payload) {
        crate::util::escaped::report_current(place, payload);
    }
}
