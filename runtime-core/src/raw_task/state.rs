//! The task's single atomic state word and every transition on it.
//!
//! Bit layout (low to high):
//!
//! | bit | name          | meaning while set                                          |
//! |-----|---------------|------------------------------------------------------------|
//! | 0   | RUNNING       | one thread owns the future and its stage (polling or cancelling) |
//! | 1   | COMPLETE      | the stage holds the output (or has given it away); never cleared |
//! | 2   | NOTIFIED      | a `Notified` for the task sits in some queue, or the task was woken while running |
//! | 3   | JOIN_INTEREST | the `JoinHandle` is alive and wants the output             |
//! | 4   | JOIN_WAKER    | the join waker slot is published to the completing side    |
//! | 5   | CANCELLED     | the task must be cancelled the next time anyone owns it    |
//! | 6.. | ref count     | one per `Task`/`Notified`/`JoinHandle`/`AbortHandle`/waker |
//!
//! Every transition is a single read-modify-write (`fetch_*` or a CAS loop)
//! and returns an outcome enum saying what the caller must do next. The rules
//! these transitions implement are in the parent module's docs.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::AcqRel, Ordering::Acquire};
use std::fmt;

const RUNNING: usize = 1 << 0;
const COMPLETE: usize = 1 << 1;
const NOTIFIED: usize = 1 << 2;
const JOIN_INTEREST: usize = 1 << 3;
const JOIN_WAKER: usize = 1 << 4;
const CANCELLED: usize = 1 << 5;
const LIFECYCLE: usize = RUNNING | COMPLETE;
const REF_SHIFT: usize = 6;
const REF_ONE: usize = 1 << REF_SHIFT;

/// The task's state word.
pub(crate) struct State {
    val: AtomicUsize,
}

/// A copy of the state word, with readable accessors.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot(usize);

/// What the thread that popped a `Notified` must do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToRunning {
    /// It owns the future: poll it.
    Success,
    /// It owns the future but the task was aborted: cancel it.
    Cancelled,
    /// The task is running elsewhere or complete; the notified ref was dropped.
    Failed,
    /// As `Failed`, and that was the last reference: free the task.
    Dealloc,
}

/// What the poller must do after the future returned `Pending`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToIdle {
    /// Idle now; the poller's ref was dropped.
    Ok,
    /// Woken during the poll: the poller's ref becomes a new `Notified` to schedule.
    OkNotified,
    /// Idle now and the poller held the last ref: free the task.
    OkDealloc,
    /// Aborted during the poll: still RUNNING, cancel it.
    Cancelled,
}

/// What a by-value wake must do with the ref it consumed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToNotifiedByVal {
    /// Nothing: the ref was dropped (and others remain) or kept by a running poll.
    DoNothing,
    /// A new ref was taken as a `Notified`: schedule it, then drop the
    /// waker's ref.
    Submit,
    /// The consumed ref was the last one: free the task.
    Dealloc,
}

/// What a by-reference wake must do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToNotifiedByRef {
    /// Nothing: already notified, running (now marked) or complete.
    DoNothing,
    /// A new ref was taken as a `Notified`: schedule it.
    Submit,
}

/// What dropping the `JoinHandle` leaves for its dropper to clean up.
pub(crate) struct TransitionToJoinHandleDrop {
    /// The task is complete: the dropper drops the output.
    pub(crate) drop_output: bool,
    /// The dropper owns the join waker slot: clear it.
    pub(crate) drop_waker: bool,
}

impl State {
    /// A new task: RUNNING clear, NOTIFIED set (its first `Notified` exists),
    /// JOIN_INTEREST set, and `refs` references.
    pub(crate) fn new(refs: usize) -> State {
        State {
            val: AtomicUsize::new((refs * REF_ONE) | JOIN_INTEREST | NOTIFIED),
        }
    }

    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.val.load(Acquire))
    }

    /// Rule 2: only the holder of a `Notified` calls this.
    pub(crate) fn transition_to_running(&self) -> TransitionToRunning {
        self.fetch_update_action(|mut next| {
            assert!(
                next.is_notified(),
                "transition_to_running: task not notified"
            );
            if !next.is_idle() {
                // Running elsewhere or complete (rules 4 and 5): drop our ref.
                next.ref_dec();
                let action = if next.ref_count() == 0 {
                    TransitionToRunning::Dealloc
                } else {
                    TransitionToRunning::Failed
                };
                return (action, Some(next));
            }
            next.0 |= RUNNING;
            next.0 &= !NOTIFIED;
            let action = if next.is_cancelled() {
                TransitionToRunning::Cancelled
            } else {
                TransitionToRunning::Success
            };
            (action, Some(next))
        })
    }

    /// Rule 3: called by the poller (which holds one ref) after `Pending`.
    /// `yielded`: the task woke itself through `yield_now`, which is folded
    /// into this transition instead of a separate wake.
    pub(crate) fn transition_to_idle(&self, yielded: bool) -> TransitionToIdle {
        self.fetch_update_action(|curr| {
            assert!(curr.is_running(), "transition_to_idle: task not running");
            if curr.is_cancelled() {
                return (TransitionToIdle::Cancelled, None);
            }
            let mut next = curr;
            next.0 &= !RUNNING;
            if yielded {
                next.0 |= NOTIFIED;
            }
            if next.is_notified() {
                // Keep the poller's ref: it becomes the new Notified.
                (TransitionToIdle::OkNotified, Some(next))
            } else {
                next.ref_dec();
                if next.ref_count() == 0 {
                    (TransitionToIdle::OkDealloc, Some(next))
                } else {
                    (TransitionToIdle::Ok, Some(next))
                }
            }
        })
    }

    /// Rule 4: RUNNING -> COMPLETE in one step. Returns the new snapshot.
    pub(crate) fn transition_to_complete(&self) -> Snapshot {
        const DELTA: usize = RUNNING | COMPLETE;
        let prev = Snapshot(self.val.fetch_xor(DELTA, AcqRel));
        assert!(prev.is_running(), "complete: task not running");
        assert!(!prev.is_complete(), "complete: task already complete");
        Snapshot(prev.0 ^ DELTA)
    }

    /// Drops `count` refs after completion; `true` when none are left.
    pub(crate) fn transition_to_terminal(&self, count: usize) -> bool {
        let prev = Snapshot(self.val.fetch_sub(count * REF_ONE, AcqRel));
        assert!(prev.ref_count() >= count, "task ref count underflow");
        prev.ref_count() == count
    }

    /// Rule 6: a wake that consumes one ref (`Waker::wake`).
    pub(crate) fn transition_to_notified_by_val(&self) -> TransitionToNotifiedByVal {
        self.fetch_update_action(|mut s| {
            if s.is_running() {
                // The poll will see NOTIFIED and reschedule; our ref goes.
                s.0 |= NOTIFIED;
                s.ref_dec();
                assert!(s.ref_count() > 0, "running task lost its poller's ref");
                (TransitionToNotifiedByVal::DoNothing, Some(s))
            } else if s.is_complete() || s.is_notified() {
                s.ref_dec();
                if s.ref_count() == 0 {
                    (TransitionToNotifiedByVal::Dealloc, Some(s))
                } else {
                    (TransitionToNotifiedByVal::DoNothing, Some(s))
                }
            } else {
                // A new reference for the Notified: the waker keeps its own
                // until `schedule` has returned, because the scheduler
                // handle that `schedule` runs on lives inside the task, and
                // the task may complete and be freed as soon as it is queued.
                s.0 |= NOTIFIED;
                s.ref_inc();
                (TransitionToNotifiedByVal::Submit, Some(s))
            }
        })
    }

    /// Rule 6: a wake that keeps the caller's ref (`Waker::wake_by_ref`).
    pub(crate) fn transition_to_notified_by_ref(&self) -> TransitionToNotifiedByRef {
        self.fetch_update_action(|mut s| {
            if s.is_complete() || s.is_notified() {
                (TransitionToNotifiedByRef::DoNothing, None)
            } else if s.is_running() {
                s.0 |= NOTIFIED;
                (TransitionToNotifiedByRef::DoNothing, Some(s))
            } else {
                s.0 |= NOTIFIED;
                s.ref_inc();
                (TransitionToNotifiedByRef::Submit, Some(s))
            }
        })
    }

    /// Rule 7: remote abort. `true` means a new `Notified` ref was taken and
    /// must be scheduled so that a worker cancels the idle task.
    pub(crate) fn transition_to_notified_and_cancel(&self) -> bool {
        self.fetch_update_action(|mut s| {
            if s.is_cancelled() || s.is_complete() {
                (false, None)
            } else if s.is_running() || s.is_notified() {
                // The poller (rule 3) or the popper (rule 2) sees CANCELLED.
                s.0 |= CANCELLED;
                (false, Some(s))
            } else {
                s.0 |= CANCELLED | NOTIFIED;
                s.ref_inc();
                (true, Some(s))
            }
        })
    }

    /// Rule 8: shutdown. Marks CANCELLED and, when the task is idle, takes
    /// RUNNING: `true` means the caller now owns the future and cancels it.
    pub(crate) fn transition_to_shutdown(&self) -> bool {
        let mut prev_idle = false;
        let _ = self.fetch_update(|mut s| {
            prev_idle = s.is_idle();
            if prev_idle {
                s.0 |= RUNNING;
            }
            s.0 |= CANCELLED;
            Some(s)
        });
        prev_idle
    }

    /// Rule 9: the JoinHandle publishes its waker. `Err` means the task
    /// completed first; the slot stays the JoinHandle's.
    pub(crate) fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update(|mut s| {
            assert!(
                s.is_join_interested(),
                "set_join_waker without join interest"
            );
            assert!(!s.is_join_waker_set(), "join waker already published");
            if s.is_complete() {
                return None;
            }
            s.0 |= JOIN_WAKER;
            Some(s)
        })
    }

    /// Rule 9: the JoinHandle takes its waker slot back to replace the waker.
    pub(crate) fn unset_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update(|mut s| {
            assert!(s.is_join_interested(), "unset_waker without join interest");
            if s.is_complete() {
                // The completer may have cleared JOIN_WAKER already (rule 10).
                return None;
            }
            assert!(s.is_join_waker_set(), "unset_waker: no waker published");
            s.0 &= !JOIN_WAKER;
            Some(s)
        })
    }

    /// Rule 10: the completer hands the waker slot back after waking it.
    pub(crate) fn unset_waker_after_complete(&self) -> Snapshot {
        let prev = Snapshot(self.val.fetch_and(!JOIN_WAKER, AcqRel));
        assert!(prev.is_complete() && prev.is_join_waker_set());
        Snapshot(prev.0 & !JOIN_WAKER)
    }

    /// Fast path of a JoinHandle drop on a task nobody has touched yet.
    pub(crate) fn drop_join_handle_fast(&self) -> Result<(), ()> {
        let initial = (3 * REF_ONE) | JOIN_INTEREST | NOTIFIED;
        let next = (2 * REF_ONE) | NOTIFIED;
        self.val
            .compare_exchange(initial, next, AcqRel, Acquire)
            .map(|_| ())
            .map_err(|_| ())
    }

    /// Rule 11: the JoinHandle goes away.
    pub(crate) fn transition_to_join_handle_dropped(&self) -> TransitionToJoinHandleDrop {
        self.fetch_update_action(|mut s| {
            assert!(s.is_join_interested(), "JoinHandle dropped twice");
            let mut out = TransitionToJoinHandleDrop {
                drop_output: false,
                drop_waker: false,
            };
            s.0 &= !JOIN_INTEREST;
            if s.is_complete() {
                out.drop_output = true;
            } else {
                // Take the slot back from the completer (rule 9).
                s.0 &= !JOIN_WAKER;
            }
            // With JOIN_WAKER clear the slot is ours; with it set the
            // completer is waking it and will clear it (rule 10).
            out.drop_waker = !s.is_join_waker_set();
            (out, Some(s))
        })
    }

    /// Takes one more reference (waker clone, AbortHandle, Notified).
    pub(crate) fn ref_inc(&self) {
        // Relaxed is enough: a new ref is made from an existing one, which
        // already keeps the task alive (same reasoning as `Arc::clone`).
        let prev = self
            .val
            .fetch_add(REF_ONE, crate::loom::sync::atomic::Ordering::Relaxed);
        if prev > isize::MAX as usize {
            std::process::abort();
        }
    }

    /// Drops one reference; `true` when it was the last.
    pub(crate) fn ref_dec(&self) -> bool {
        let prev = Snapshot(self.val.fetch_sub(REF_ONE, AcqRel));
        assert!(prev.ref_count() >= 1, "task ref count underflow");
        prev.ref_count() == 1
    }

    fn fetch_update_action<T>(&self, mut f: impl FnMut(Snapshot) -> (T, Option<Snapshot>)) -> T {
        let mut curr = self.load();
        loop {
            let (output, next) = f(curr);
            let Some(next) = next else { return output };
            match self.val.compare_exchange(curr.0, next.0, AcqRel, Acquire) {
                Ok(_) => return output,
                Err(actual) => curr = Snapshot(actual),
            }
        }
    }

    fn fetch_update(
        &self,
        mut f: impl FnMut(Snapshot) -> Option<Snapshot>,
    ) -> Result<Snapshot, Snapshot> {
        let mut curr = self.load();
        loop {
            let Some(next) = f(curr) else {
                return Err(curr);
            };
            match self.val.compare_exchange(curr.0, next.0, AcqRel, Acquire) {
                Ok(_) => return Ok(next),
                Err(actual) => curr = Snapshot(actual),
            }
        }
    }
}

impl Snapshot {
    /// Neither running nor complete.
    pub(crate) fn is_idle(self) -> bool {
        self.0 & LIFECYCLE == 0
    }
    pub(crate) fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }
    pub(crate) fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }
    pub(crate) fn is_notified(self) -> bool {
        self.0 & NOTIFIED != 0
    }
    pub(crate) fn is_cancelled(self) -> bool {
        self.0 & CANCELLED != 0
    }
    pub(crate) fn is_join_interested(self) -> bool {
        self.0 & JOIN_INTEREST != 0
    }
    pub(crate) fn is_join_waker_set(self) -> bool {
        self.0 & JOIN_WAKER != 0
    }
    pub(crate) fn ref_count(self) -> usize {
        self.0 >> REF_SHIFT
    }
    fn ref_inc(&mut self) {
        self.0 += REF_ONE;
    }
    fn ref_dec(&mut self) {
        assert!(self.ref_count() > 0, "task ref count underflow");
        self.0 -= REF_ONE;
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("running", &self.is_running())
            .field("complete", &self.is_complete())
            .field("notified", &self.is_notified())
            .field("cancelled", &self.is_cancelled())
            .field("join_interest", &self.is_join_interested())
            .field("join_waker", &self.is_join_waker_set())
            .field("refs", &self.ref_count())
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn new_task_is_notified_with_three_refs() {
        let s = State::new(3).load();
        assert!(s.is_notified() && s.is_join_interested() && s.is_idle());
        assert_eq!(s.ref_count(), 3);
    }

    #[test]
    fn wake_while_running_reschedules_after_poll() {
        let state = State::new(3);
        assert_eq!(state.transition_to_running(), TransitionToRunning::Success);
        assert_eq!(
            state.transition_to_notified_by_ref(),
            TransitionToNotifiedByRef::DoNothing
        );
        assert_eq!(
            state.transition_to_idle(false),
            TransitionToIdle::OkNotified
        );
        assert_eq!(state.load().ref_count(), 3);
    }

    #[test]
    fn abort_of_idle_task_submits_it_once() {
        let state = State::new(3);
        assert_eq!(state.transition_to_running(), TransitionToRunning::Success);
        assert_eq!(state.transition_to_idle(false), TransitionToIdle::Ok);
        assert!(state.transition_to_notified_and_cancel());
        assert!(!state.transition_to_notified_and_cancel());
        assert_eq!(
            state.transition_to_running(),
            TransitionToRunning::Cancelled
        );
    }

    #[test]
    fn popping_a_completed_task_fails() {
        let state = State::new(3);
        assert!(state.transition_to_shutdown());
        state.transition_to_complete();
        assert_eq!(state.transition_to_running(), TransitionToRunning::Failed);
        assert_eq!(state.load().ref_count(), 2);
    }

    #[test]
    fn join_waker_cannot_be_set_after_complete() {
        let state = State::new(3);
        assert_eq!(state.transition_to_running(), TransitionToRunning::Success);
        state.transition_to_complete();
        assert!(state.set_join_waker().is_err());
    }
}
