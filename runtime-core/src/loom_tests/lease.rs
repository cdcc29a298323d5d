//! The lease protocol (`scheduler/multi_thread/lease.rs`): the hand-off
//! monitor taking a core while the worker's poll returns, and while a wake
//! from inside the poll reaches for the core. With the fences of lease
//! rule 6 as SeqCst fences (loom's model of the asymmetric pair), exactly
//! one side ends up with the core and the two never use it at once.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Arc;
use crate::scheduler::multi_thread::{Core, Lease, TAKEN};
use loom::thread;
use std::mem::ManuallyDrop;

/// Counts who is inside the core right now; more than one is a bug.
struct Exclusive(AtomicUsize);

impl Exclusive {
    fn enter(&self) {
        assert_eq!(
            self.0.fetch_add(1, SeqCst),
            0,
            "two threads used the core at once"
        );
    }
    fn leave(&self) {
        self.0.fetch_sub(1, SeqCst);
    }
}

/// A guarded lease holding a bare core inside a marked poll, the poll's
/// `seq` (what a monitor saw stuck), and a fresh exclusivity counter.
fn in_a_poll() -> (Arc<Lease>, u64, Arc<Exclusive>) {
    let lease = Arc::new(Lease::new(0, true, true));
    lease.put(Core::for_model());
    lease.begin_poll(1, std::panic::Location::caller());
    let seq = lease.stamp.mark().expect("a poll is marked").seq;
    (lease, seq, Arc::new(Exclusive(AtomicUsize::new(0))))
}

#[test]
fn monitor_takes_the_core_while_the_poll_returns_and_a_wake_uses_it() {
    loom::model(|| {
        let (lease, seq, inside) = in_a_poll();

        let monitor = {
            let (lease, inside) = (lease.clone(), inside.clone());
            thread::spawn(move || {
                let taken = lease.steal_if_stuck(seq, |_core| {
                    inside.enter();
                    inside.leave();
                    true
                });
                // Not dropped here: a broken protocol would free it twice.
                taken.map(ManuallyDrop::new)
            })
        };
        // The worker: a wake from inside the poll, then the poll returns
        // and the worker uses its core again.
        let _ = lease.with_core(|_core| {
            inside.enter();
            inside.leave();
        });
        let kept = lease.end_poll().map(ManuallyDrop::new);
        if kept.is_some() {
            inside.enter();
            inside.leave();
        }
        let taken = monitor.join().unwrap();
        // Exactly one side holds the core afterwards.
        assert!(kept.is_some() != taken.is_some(), "core lost or duplicated");
        if taken.is_some() {
            assert_eq!(lease.outcome(), TAKEN);
        }
        for core in kept.into_iter().chain(taken) {
            drop(ManuallyDrop::into_inner(core));
        }
    });
}

#[test]
fn a_rescue_hands_the_core_back() {
    loom::model(|| {
        let (lease, seq, inside) = in_a_poll();
        let monitor = {
            let (lease, inside) = (lease.clone(), inside.clone());
            thread::spawn(move || {
                // A rescue: the monitor edits the core and hands it back.
                lease.steal_if_stuck(seq, |core| {
                    inside.enter();
                    core.tick_for_model(5);
                    inside.leave();
                    false
                })
            })
        };
        let core = lease.end_poll().expect("a rescue never keeps the core");
        // Kept alive until the monitor is done, so a broken protocol shows
        // as two users at once, not as a use after free.
        let mut core = ManuallyDrop::new(core);
        inside.enter();
        let tick = core.tick_for_model(0);
        inside.leave();
        assert!(monitor.join().unwrap().is_none());
        // Either the rescue ran before the poll returned (and its write is
        // visible) or it found the poll over and did nothing.
        assert!(tick == 0 || tick == 5, "tick {tick}");
        drop(ManuallyDrop::into_inner(core));
    });
}
