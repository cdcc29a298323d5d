//! Which workers are parked and how many are searching for work (Go's
//! scheduler scheme, as in Tokio).
//!
//! One atomic word holds `num_searching` (low 16 bits) and `num_unparked`
//! (the rest); the list of parked workers sits behind a mutex. The rules:
//!
//! 1. At most half of the workers search at once
//!    (`transition_worker_to_searching`), so an idle pool does not burn
//!    every core stealing from itself.
//! 2. New work wakes a parked worker only if nobody is searching
//!    (`worker_to_notify`): a searcher will find it. The woken worker starts
//!    out searching (counted by the notifier, under the lock).
//! 3. A searcher that finds work and was the last searcher wakes another
//!    worker, so the remaining work gets a searcher too.
//! 4. The last searcher to park re-checks every queue after it is counted
//!    parked and wakes a worker if it finds any task: a push that raced
//!    with it saw a searcher (rule 2) and relied on it.
//!
//! All accesses are SeqCst: rules 2 and 4 are a Dekker-style handshake
//! between "push then read the counts" and "update the counts then read the
//! queues".

use crate::loom::sync::atomic::{fence, AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Mutex;

const UNPARK_SHIFT: usize = 16;
const SEARCH_MASK: usize = (1 << UNPARK_SHIFT) - 1;

pub(crate) struct Idle {
    state: AtomicUsize,
    sleepers: Mutex<Vec<usize>>,
    num_workers: usize,
}

impl Idle {
    /// All workers start unparked and not searching.
    pub(crate) fn new(num_workers: usize) -> Idle {
        assert!(num_workers < SEARCH_MASK, "too many worker threads");
        Idle {
            state: AtomicUsize::new(num_workers << UNPARK_SHIFT),
            sleepers: Mutex::new(Vec::with_capacity(num_workers)),
            num_workers,
        }
    }

    /// Rule 2: the worker to wake for new work, if one should be woken.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        if !self.notify_should_wakeup() {
            return None;
        }
        let mut sleepers = self.sleepers.lock();
        if !self.notify_should_wakeup() {
            return None;
        }
        let index = sleepers.pop()?;
        // The woken worker is unparked and searching.
        self.state.fetch_add(1 | (1 << UNPARK_SHIFT), SeqCst);
        Some(index)
    }

    /// Rule 4: the worker is parking. Returns `true` when it was the last
    /// searcher, which must then re-check the queues.
    pub(crate) fn transition_worker_to_parked(&self, index: usize, is_searching: bool) -> bool {
        let mut sleepers = self.sleepers.lock();
        let dec = (1 << UNPARK_SHIFT) | usize::from(is_searching);
        let prev = self.state.fetch_sub(dec, SeqCst);
        sleepers.push(index);
        is_searching && prev & SEARCH_MASK == 1
    }

    /// Rule 1.
    pub(crate) fn transition_worker_to_searching(&self) -> bool {
        let state = self.state.load(SeqCst);
        if 2 * (state & SEARCH_MASK) >= self.num_workers {
            return false;
        }
        // Racy by design (as Tokio): a few extra searchers are harmless.
        self.state.fetch_add(1, SeqCst);
        true
    }

    /// Rule 3: returns `true` when the caller was the last searcher.
    pub(crate) fn transition_worker_from_searching(&self) -> bool {
        let prev = self.state.fetch_sub(1, SeqCst);
        debug_assert!(prev & SEARCH_MASK > 0, "no searcher to remove");
        prev & SEARCH_MASK == 1
    }

    /// Takes `index` off the parked list (it woke for its own reasons, or
    /// shutdown). Returns `true` if it was there.
    pub(crate) fn unpark_worker_by_id(&self, index: usize) -> bool {
        let mut sleepers = self.sleepers.lock();
        if let Some(pos) = sleepers.iter().position(|&i| i == index) {
            sleepers.swap_remove(pos);
            self.state.fetch_add(1 << UNPARK_SHIFT, SeqCst);
            return true;
        }
        false
    }

    /// Every worker is parked (the hand-off monitor may sleep).
    pub(crate) fn all_parked(&self) -> bool {
        self.state.load(SeqCst) >> UNPARK_SHIFT == 0
    }

    /// Some worker is parked (a core is free for the monitor's looks).
    pub(crate) fn any_parked(&self) -> bool {
        self.state.load(SeqCst) >> UNPARK_SHIFT < self.num_workers
    }

    /// `true` while `index` is on the parked list (a wake-up was spurious).
    pub(crate) fn is_parked(&self, index: usize) -> bool {
        self.sleepers.lock().contains(&index)
    }

    fn notify_should_wakeup(&self) -> bool {
        // The fence orders the caller's queue push before this load
        // (Dekker with the parker's SeqCst `fetch_sub` followed by its queue
        // checks, rule 4). A fence plus a load leaves the cache line shared
        // between workers; Tokio's `fetch_add(0)` makes every busy worker
        // write it on every local push, which showed up in `yield_many`.
        fence(SeqCst);
        let state = self.state.load(SeqCst);
        state & SEARCH_MASK == 0 && (state >> UNPARK_SHIFT) < self.num_workers
    }
}
