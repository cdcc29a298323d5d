//! The lease protocol (`scheduler/multi_thread/lease.rs`): the hand-off
//! monitor taking a core while the worker's poll returns, and while a wake
//! from inside the poll reaches for the core. With the fences of lease
//! rule 6 as SeqCst fences (loom's model of the asymmetric pair), exactly
//! one side ends up with the core and the two never use it at once.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Arc;
use crate::scheduler::multi_thread::{Core, Lease};
use loom::thread;

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

#[test]
fn monitor_takes_the_core_while_the_poll_returns_and_a_wake_uses_it() {
    loom::model(|| {
        let lease = Arc::new(Lease::new(0, true));
        let inside = Arc::new(Exclusive(AtomicUsize::new(0)));
        lease.put(Core::for_model());
        lease.begin_poll(1, std::panic::Location::caller());
        let seq = lease.mark().expect("a poll is marked").seq;

        let monitor = {
            let (lease, inside) = (lease.clone(), inside.clone());
            thread::spawn(move || {
                lease.steal_if_stuck(seq, |_core| {
                    inside.enter();
                    inside.leave();
                    true
                })
            })
        };
        // The worker: a wake from inside the poll, then the poll returns.
        let woke = lease.with_core(|_core| {
            inside.enter();
            inside.leave();
        });
        let kept = lease.end_poll();
        let taken = monitor.join().unwrap();
        // Exactly one side holds the core afterwards.
        assert!(kept.is_some() != taken.is_some(), "core lost or duplicated");
        if taken.is_some() {
            assert_eq!(
                lease.outcome(),
                crate::scheduler::multi_thread::lease_taken()
            );
        }
        let _ = woke;
    });
}

#[test]
fn a_rescue_hands_the_core_back() {
    loom::model(|| {
        let lease = Arc::new(Lease::new(0, true));
        lease.put(Core::for_model());
        lease.begin_poll(7, std::panic::Location::caller());
        let seq = lease.mark().expect("a poll is marked").seq;
        let monitor = {
            let lease = lease.clone();
            thread::spawn(move || {
                // A rescue: the monitor edits the core and hands it back.
                lease.steal_if_stuck(seq, |core| {
                    core.tick_for_model(5);
                    false
                })
            })
        };
        let mut core = lease.end_poll().expect("a rescue never keeps the core");
        assert!(monitor.join().unwrap().is_none());
        // Either the rescue ran before the poll returned (and its write is
        // visible) or it found the poll over and did nothing.
        assert!(core.tick_for_model(0) == 0 || core.tick_for_model(0) == 5);
    });
}
