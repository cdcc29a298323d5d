//! "Which poll is this thread in": the one stamp per poll that both the
//! slow-poll watchdog and the hand-off monitor read (`runtime/monitor.rs`).
//! A multi-thread worker thread has one in its lease (where its `seq` is
//! also lease rule 2's poll mark); the current-thread scheduler has one in
//! its handle.
//!
//! Single writer (the polling thread): plain stores on the stamp's own
//! 128-byte line, no read-modify-write and no clock read. Readers take a
//! seqlock-style sample. These are loom atomics: `seq` takes part in the
//! lease protocol.

use crate::loom::sync::atomic::{fence, AtomicPtr, AtomicU64, Ordering};
use crate::raw_task::names::NAMED;
use std::panic::Location;
use std::ptr;

/// The stamp of one polling thread.
#[repr(align(128))]
pub(crate) struct PollStamp {
    /// Odd while a task is polled; each poll has its own value.
    seq: AtomicU64,
    /// The task in the current poll (its header's id word, which marks a
    /// named task; 0: hidden, see `hide`), and where it was spawned.
    task: AtomicU64,
    location: AtomicPtr<Location<'static>>,
}

/// A sample of the poll in progress.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct PollMark {
    /// Names the poll: a later poll on the same stamp has another value.
    pub(crate) seq: u64,
    /// The task's id.
    pub(crate) task: u64,
    /// The task has a name (`raw_task/names.rs`): look it up by id.
    pub(crate) named: bool,
    pub(crate) location: Option<&'static Location<'static>>,
}

impl PollMark {
    /// The name of the task in this poll, if it has one and still exists.
    pub(crate) fn name(&self) -> Option<std::sync::Arc<str>> {
        if self.named {
            crate::raw_task::names::get(self.task)
        } else {
            None
        }
    }
}

impl Default for PollStamp {
    fn default() -> PollStamp {
        PollStamp {
            seq: AtomicU64::new(0),
            task: AtomicU64::new(0),
            location: AtomicPtr::new(ptr::null_mut()),
        }
    }
}

impl PollStamp {
    /// A poll of the task with id word `id_word` (the header's: the id,
    /// and whether the task is named) spawned at `location` begins.
    #[inline]
    pub(crate) fn begin(&self, id_word: u64, location: &'static Location<'static>) {
        let seq = self.seq.load(Ordering::Relaxed);
        self.task.store(id_word, Ordering::Relaxed);
        self.location.store(
            location as *const Location<'static> as *mut Location<'static>,
            Ordering::Relaxed,
        );
        // Release: a reader that sees the odd value sees the task and
        // location above (and, for a lease, the core put before).
        self.seq.store(seq | 1, Ordering::Release);
    }

    /// The poll returned.
    #[inline]
    pub(crate) fn end(&self) {
        let seq = self.seq.load(Ordering::Relaxed);
        self.seq.store(seq.wrapping_add(1) & !1, Ordering::Relaxed);
    }

    /// The raw sequence number (lease rule 4 compares it).
    #[inline]
    pub(crate) fn seq(&self, order: Ordering) -> u64 {
        self.seq.load(order)
    }

    /// Hides the rest of the current poll from the readers: blocking in
    /// it is sanctioned (`block_in_place` lent the core away).
    pub(crate) fn hide(&self) {
        self.task.store(0, Ordering::Relaxed);
    }

    /// The poll in progress, if any and not hidden. A sample taken while
    /// the thread moved on to another poll is dropped (`None`: the next
    /// look sees the new one).
    pub(crate) fn mark(&self) -> Option<PollMark> {
        let seq = self.seq.load(Ordering::Acquire);
        if seq & 1 == 0 {
            return None;
        }
        let task = self.task.load(Ordering::Relaxed);
        let location = self.location.load(Ordering::Relaxed);
        // Keeps the reads above before the re-check.
        fence(Ordering::Acquire);
        if self.seq.load(Ordering::Relaxed) != seq || task == 0 {
            return None;
        }
        let location = if location.is_null() {
            None
        } else {
            // SAFETY: every non-null value stored comes from a
            // `&'static Location<'static>` (`begin`), valid forever.
            Some(unsafe { &*location })
        };
        Some(PollMark {
            seq,
            task: task & !NAMED,
            named: task & NAMED != 0,
            location,
        })
    }
}
