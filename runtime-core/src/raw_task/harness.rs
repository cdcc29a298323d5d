//! The typed side of a task: polling, cancelling, completing, handing the
//! output to the `JoinHandle`, and freeing. Each function here follows the
//! numbered rules in `raw_task/mod.rs`.

use super::raw::{Cell, Header, RawTask};
use super::state::{
    Snapshot, State, TransitionToIdle, TransitionToJoinHandleDrop, TransitionToRunning,
};
use super::{Schedule, Task};
use crate::context;
use crate::loom::cell::UnsafeCell;
use crate::task::{JoinError, TaskIdGuard};
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::atomic::Ordering::Relaxed;
use std::task::{Context, Poll, Waker};

/// A typed view of a task; holds no reference of its own.
pub(super) struct Harness<F: Future, S: 'static> {
    cell: NonNull<Cell<F, S>>,
}

enum PollOutcome {
    Done,
    /// Woken while it ran; `yielded`: by its own `yield_now`.
    Notified {
        yielded: bool,
    },
    Complete,
    Dealloc,
}

impl<F, S> Harness<F, S>
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    /// # Safety
    /// `ptr` is the header of a live `Cell<F, S>`.
    pub(super) unsafe fn from_raw(ptr: NonNull<Header>) -> Harness<F, S> {
        Harness { cell: ptr.cast() }
    }

    fn cell(&self) -> &Cell<F, S> {
        // SAFETY: `from_raw`'s contract: the cell is alive while the caller
        // holds a reference.
        unsafe { self.cell.as_ref() }
    }

    fn header(&self) -> &Header {
        &self.cell().header
    }

    fn state(&self) -> &State {
        &self.header().state
    }

    fn raw(&self) -> RawTask {
        RawTask {
            ptr: self.cell.cast(),
        }
    }

    /// Runs `f` (a destructor or waker of the user's, outside the task's
    /// poll), handing a panic to the task's scheduler to report and
    /// re-raise (rule 12: it must not unwind into the scheduler).
    fn catch_escaped(&self, place: &str, f: impl FnOnce()) {
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(f)) {
            self.scheduler().report_escaped(place, payload);
        }
    }

    pub(super) fn scheduler(&self) -> &S {
        &self.cell().scheduler
    }

    /// Runs the task for the holder of a `Notified` (rule 2). Returns the
    /// task when it must be rescheduled at the back of the queue (rule 3):
    /// the worker pushes it itself, without a trip through the scheduler's
    /// thread-local lookup.
    pub(super) fn poll(self) -> Option<(RawTask, bool)> {
        match self.poll_inner() {
            PollOutcome::Done => None,
            PollOutcome::Notified { yielded } => Some((self.raw(), yielded)),
            PollOutcome::Complete => {
                self.complete();
                None
            }
            PollOutcome::Dealloc => {
                self.raw().dealloc();
                None
            }
        }
    }

    fn poll_inner(&self) -> PollOutcome {
        match self.state().transition_to_running() {
            TransitionToRunning::Success => {
                // Rule 1: this thread owns the future, so it is the only
                // writer of the poll count.
                let polls = &self.header().polls;
                polls.store(polls.load(Relaxed).wrapping_add(1), Relaxed);
                let waker = waker_ref(self.raw());
                let mut cx = Context::from_waker(&waker);
                // The flag belongs to this poll: save an outer task's (a
                // runtime nested through block_in_place) and restore it.
                let outer = context::take_yield_request();
                let ready = self.poll_future(&mut cx).is_ready();
                let yielded = context::take_yield_request();
                if outer {
                    context::request_yield();
                }
                if ready {
                    return PollOutcome::Complete;
                }
                match self.state().transition_to_idle(yielded) {
                    TransitionToIdle::Ok => PollOutcome::Done,
                    TransitionToIdle::OkNotified => PollOutcome::Notified { yielded },
                    TransitionToIdle::OkDealloc => PollOutcome::Dealloc,
                    TransitionToIdle::Cancelled => {
                        self.cancel_future();
                        PollOutcome::Complete
                    }
                }
            }
            TransitionToRunning::Cancelled => {
                self.cancel_future();
                PollOutcome::Complete
            }
            TransitionToRunning::Failed => PollOutcome::Done,
            TransitionToRunning::Dealloc => PollOutcome::Dealloc,
        }
    }

    /// Polls the future once; on `Ready` (or a panic) the future is dropped
    /// and the output stored. Caller holds RUNNING (rule 1).
    fn poll_future(&self, cx: &mut Context<'_>) -> Poll<()> {
        let id = self.header().id();
        // Set once the future's destructor has started: it must never run
        // twice, even if it panics.
        let mut future_dropped = false;
        let polled = panic::catch_unwind(AssertUnwindSafe(|| {
            let _guard = TaskIdGuard::enter(id);
            // SAFETY: rule 1: this thread set RUNNING, so it alone touches
            // the stage, which holds the future (rule 13); the future never
            // moves (it lives in the heap cell).
            let res = self
                .cell()
                .stage
                .with_mut(|stage| unsafe { Pin::new_unchecked(&mut *(*stage).future).poll(cx) });
            if res.is_ready() {
                future_dropped = true;
                // SAFETY: as above; the future is live and dropped once.
                unsafe { self.drop_future() };
            }
            res
        }));
        let output = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(value)) => Ok(value),
            Err(payload) => {
                if !future_dropped {
                    // Rule 12: drop what is left of the future; a second
                    // panic from its destructor is swallowed (the first one
                    // is kept).
                    // SAFETY: the future is live and has not been dropped.
                    let _ = panic::catch_unwind(AssertUnwindSafe(|| unsafe { self.drop_future() }));
                }
                Err(JoinError::panic(id, payload).named(self.header().name()))
            }
        };
        // SAFETY: the future is gone; the stage is ours to fill (rule 1).
        unsafe { self.store_output(output) };
        Poll::Ready(())
    }

    /// Drops the future and stores `JoinError::Cancelled` (or the panic of
    /// the future's destructor). Caller holds RUNNING (rule 1).
    fn cancel_future(&self) {
        let id = self.header().id();
        // SAFETY: RUNNING is ours and the task is not complete, so the stage
        // holds the live future (rule 13).
        let dropped = panic::catch_unwind(AssertUnwindSafe(|| unsafe { self.drop_future() }));
        let err = match dropped {
            Ok(()) => JoinError::cancelled(id),
            Err(payload) => JoinError::panic(id, payload),
        }
        .named(self.header().name());
        // SAFETY: the future is gone; the stage is ours to fill.
        unsafe { self.store_output(Err(err)) };
    }

    /// Drops the future in place, with the task id set.
    ///
    /// # Safety
    /// The caller owns the stage (rule 1) and it holds the live future.
    unsafe fn drop_future(&self) {
        let _guard = TaskIdGuard::enter(self.header().id());
        // SAFETY: forwarded from the caller.
        self.cell()
            .stage
            .with_mut(|stage| unsafe { ManuallyDrop::drop(&mut (*stage).future) });
    }

    /// Writes the output into the stage.
    ///
    /// # Safety
    /// The caller owns the stage (rule 1) and nothing live is in it.
    unsafe fn store_output(&self, output: Result<F::Output, JoinError>) {
        // SAFETY: forwarded from the caller; writing a union field of
        // `ManuallyDrop` type drops nothing.
        self.cell()
            .stage
            .with_mut(|stage| unsafe { (*stage).output = ManuallyDrop::new(output) });
    }

    /// Moves the output out of the stage.
    ///
    /// # Safety
    /// The caller owns the stage (rule 1) and it holds the live output.
    unsafe fn take_output(&self) -> Result<F::Output, JoinError> {
        // SAFETY: forwarded from the caller.
        self.cell()
            .stage
            .with_mut(|stage| unsafe { ManuallyDrop::take(&mut (*stage).output) })
    }

    /// Drops the output in place, with the task id set.
    ///
    /// # Safety
    /// The caller owns the stage (rule 1) and it holds the live output.
    unsafe fn drop_output(&self) {
        let _guard = TaskIdGuard::enter(self.header().id());
        // SAFETY: forwarded from the caller.
        self.cell()
            .stage
            .with_mut(|stage| unsafe { ManuallyDrop::drop(&mut (*stage).output) });
    }

    /// Rule 4 and rule 10: publish the output, wake the joiner, release.
    fn complete(self) {
        // Leave the owned list first, so that whoever sees COMPLETE (a
        // JoinHandle resolving, `is_finished`) also sees the alive-task
        // count without this task. Still RUNNING here, so a concurrent
        // shutdown could not have taken the stage anyway (rule 8).
        // SAFETY: `Task` here is a borrowed view used only to find the task
        // in its list; `ManuallyDrop` keeps its reference untouched.
        let me = ManuallyDrop::new(unsafe { Task::<S>::from_raw(self.raw()) });
        let refs = match self.scheduler().release(&me) {
            Some(task) => {
                // The list's reference comes back to us: count it instead of
                // dropping it separately.
                std::mem::forget(task);
                2
            }
            None => 1,
        };
        let snapshot = self.state().transition_to_complete();
        // A panicking output destructor or waker must not unwind into the
        // scheduler (rule 12); it is reported to the runtime, which
        // re-raises it from `block_on`.
        self.catch_escaped(
            "a finished task's output destructor or JoinHandle waker",
            || {
                if !snapshot.is_join_interested() {
                    // Rule 1: nobody will read the output; drop it here.
                    // SAFETY: complete without JOIN_INTEREST: the output is ours
                    // and live (rule 13).
                    unsafe { self.drop_output() };
                } else if snapshot.is_join_waker_set() {
                    // SAFETY: rule 10: after COMPLETE with JOIN_WAKER set the
                    // completer has read access to the slot.
                    self.cell().join_waker.with(|w| unsafe {
                        if let Some(waker) = &*w {
                            waker.wake_by_ref();
                        }
                    });
                    let after = self.state().unset_waker_after_complete();
                    if !after.is_join_interested() {
                        // SAFETY: rule 10: JOIN_INTEREST is gone, so the
                        // JoinHandle left the slot to us.
                        self.cell().join_waker.with_mut(|w| unsafe { *w = None });
                    }
                }
            },
        );
        if self.state().transition_to_terminal(refs) {
            self.raw().dealloc();
        }
    }

    /// Rule 8: shutdown by the runtime (owned list), consuming a reference.
    pub(super) fn shutdown(self) {
        if self.state().transition_to_shutdown() {
            self.cancel_future();
            self.complete();
        } else {
            self.raw().drop_reference();
        }
    }

    /// Moves the output into `dst` if the task is complete, otherwise
    /// registers `waker` (rule 9). The caller (a `JoinHandle` that has not
    /// taken the output yet) owns the output once the task is complete.
    pub(super) fn try_read_output(
        &self,
        dst: &mut Poll<Result<F::Output, JoinError>>,
        waker: &Waker,
    ) {
        if can_read_output(self.header(), &self.cell().join_waker, waker) {
            // SAFETY: rule 1: complete with JOIN_INTEREST set, so the output
            // belongs to the JoinHandle, which has not taken it (rule 13).
            *dst = Poll::Ready(unsafe { self.take_output() });
        }
    }

    /// Rule 11. `output_taken`: the JoinHandle already read the output.
    pub(super) fn drop_join_handle_slow(self, output_taken: bool) {
        let TransitionToJoinHandleDrop {
            drop_output,
            drop_waker,
        } = self.state().transition_to_join_handle_dropped();
        if drop_output && !output_taken {
            // Rule 1: the output is ours; a panicking destructor is caught
            // (and reported) so the reference below is still dropped.
            // SAFETY: complete, we held JOIN_INTEREST, output not taken.
            self.catch_escaped(
                "a task's output destructor (its JoinHandle dropped)",
                || unsafe { self.drop_output() },
            );
        }
        if drop_waker {
            // SAFETY: rule 11: JOIN_WAKER is clear, the slot is ours.
            self.cell().join_waker.with_mut(|w| unsafe { *w = None });
        }
        self.raw().drop_reference();
    }

    /// Frees the task; the caller dropped the last reference. A task that
    /// never completed still holds its future (rule 13), which is dropped
    /// here; a completed one holds nothing live.
    pub(super) fn dealloc(self) {
        if !self.state().load().is_complete() {
            // SAFETY: no references remain, so nothing else can touch the
            // stage, and an incomplete task's stage holds the future.
            self.catch_escaped(
                "the destructor of a task's future (the task was freed)",
                || unsafe { self.drop_future() },
            );
        }
        // The name (if any) goes with the task.
        super::names::forget(self.header().id_word);
        // SAFETY: last reference gone; `RawTask::new` made this allocation
        // as a `Box<Cell<F, S>>`. The stage's `ManuallyDrop` fields are not
        // dropped again by the box.
        drop(unsafe { Box::from_raw(self.cell.as_ptr()) });
    }
}

/// Rule 9: returns `true` when the output can be read; otherwise makes sure
/// `waker` is the one the completer will wake.
fn can_read_output(header: &Header, slot: &UnsafeCell<Option<Waker>>, waker: &Waker) -> bool {
    let snapshot = header.state.load();
    if snapshot.is_complete() {
        return true;
    }
    let res = if !snapshot.is_join_waker_set() {
        set_join_waker(header, slot, waker.clone())
    } else {
        // SAFETY: rule 9: with JOIN_WAKER set the slot is read-only shared.
        let same = slot.with(|w| unsafe { (*w).as_ref().is_some_and(|w| w.will_wake(waker)) });
        if same {
            return false;
        }
        header
            .state
            .unset_waker()
            .and_then(|_| set_join_waker(header, slot, waker.clone()))
    };
    match res {
        Ok(_) => false,
        Err(snapshot) => {
            assert!(snapshot.is_complete());
            true
        }
    }
}

fn set_join_waker(
    header: &Header,
    slot: &UnsafeCell<Option<Waker>>,
    waker: Waker,
) -> Result<Snapshot, Snapshot> {
    // SAFETY: rule 9: JOIN_WAKER is clear, so the JoinHandle (us) owns the slot.
    slot.with_mut(|w| unsafe { *w = Some(waker) });
    let res = header.state.set_join_waker();
    if res.is_err() {
        // SAFETY: the publish failed, so the slot is still ours.
        slot.with_mut(|w| unsafe { *w = None });
    }
    res
}

/// A waker for the duration of a poll that borrows the poller's reference:
/// it is never dropped (only clones count).
fn waker_ref(raw: RawTask) -> ManuallyDrop<Waker> {
    // SAFETY: the poller holds a reference for longer than the waker lives,
    // and `ManuallyDrop` keeps its drop from releasing that reference.
    ManuallyDrop::new(unsafe { Waker::from_raw(super::waker::raw_waker(raw.ptr)) })
}
