//! Property test of the timer wheel (`wheel.rs`), driven directly: any
//! sequence of inserts, cancels and advances (by a chosen amount, or
//! straight to `next_deadline` as the paused clock does) fires every live
//! timer exactly once, never before its deadline and never after the
//! advance that passes it, in deadline order (timers due in the same
//! millisecond in insertion order), and never fires a cancelled one.
//! Deadlines range from 1 ms to hours (every level of the wheel), some
//! past the top level's horizon, and many are equal on purpose.

use super::wheel::{TimerKey, Wheel, MAX_DURATION_MS};
use proptest::prelude::*;
use std::sync::{Arc, Mutex};
use std::task::{Wake, Waker};

/// One step of a run.
#[derive(Clone, Debug)]
enum Op {
    /// A timer due `delay` ms from now (0: already due, not stored).
    Insert { delay: u64 },
    /// A timer due at the same time as an earlier one (picked modulo the
    /// number inserted so far; a fired or cancelled one still gives its
    /// deadline if that is not past).
    InsertAlongside { pick: usize, extra: u64 },
    /// Cancels a timer picked among all inserted so far (live, fired or
    /// already cancelled).
    Cancel { pick: usize },
    /// Moves the wheel's time forward by `by` ms.
    Advance { by: u64 },
    /// Moves it to `next_deadline()` (what the paused clock does).
    AdvanceToNext,
}

const HOUR_MS: u64 = 3_600_000;

/// Delays and advances spread over every level of the wheel: level 0
/// (< 64 ms), 1 (< 4 s), 2 (< 4.4 min), 3 (< 4.7 h), 4 and 5 (hours and
/// more), plus a few past one rotation of the top level (about 2.2 years).
fn span() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => 0u64..4,
        6 => 1u64..64,
        4 => 64u64..4_096,
        3 => 4_096u64..262_144,
        3 => 262_144u64..(5 * HOUR_MS),
        2 => (5 * HOUR_MS)..(48 * HOUR_MS),
        1 => MAX_DURATION_MS..(3 * MAX_DURATION_MS),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => span().prop_map(|delay| Op::Insert { delay }),
        3 => (any::<usize>(), 0u64..2).prop_map(|(pick, extra)| Op::InsertAlongside { pick, extra }),
        3 => any::<usize>().prop_map(|pick| Op::Cancel { pick }),
        4 => span().prop_map(|by| Op::Advance { by }),
        3 => Just(Op::AdvanceToNext),
    ]
}

/// A waker that logs its timer's id when woken.
struct Recorder {
    id: usize,
    log: Arc<Mutex<Vec<usize>>>,
}

impl Wake for Recorder {
    fn wake(self: Arc<Self>) {
        self.log.lock().unwrap().push(self.id);
    }
}

/// What the model knows of one inserted timer.
struct Timer {
    deadline: u64,
    key: TimerKey,
    state: State,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Live,
    Fired,
    Cancelled,
}

/// The wheel and a model of what it should hold.
struct Harness {
    wheel: Wheel,
    /// The time the wheel was last advanced to.
    now: u64,
    timers: Vec<Timer>,
    log: Arc<Mutex<Vec<usize>>>,
    /// Deadline of the last timer fired (over the whole run).
    last_fired: Option<(u64, usize)>,
}

impl Harness {
    fn new() -> Harness {
        Harness {
            wheel: Wheel::new(),
            now: 0,
            timers: Vec::new(),
            log: Arc::default(),
            last_fired: None,
        }
    }

    fn live(&self) -> impl Iterator<Item = (usize, &Timer)> {
        self.timers
            .iter()
            .enumerate()
            .filter(|(_, t)| t.state == State::Live)
    }

    fn insert(&mut self, deadline: u64) -> Result<(), TestCaseError> {
        let id = self.timers.len();
        let waker = Waker::from(Arc::new(Recorder {
            id,
            log: self.log.clone(),
        }));
        match self.wheel.insert(deadline, Some(waker)) {
            None => {
                // Only a deadline that is not after the wheel's time is
                // refused (the caller treats the timer as fired).
                prop_assert!(
                    deadline <= self.now,
                    "deadline {} refused at {}",
                    deadline,
                    self.now
                );
            }
            Some(key) => {
                prop_assert!(
                    deadline > self.now,
                    "deadline {} stored at {}",
                    deadline,
                    self.now
                );
                self.timers.push(Timer {
                    deadline,
                    key,
                    state: State::Live,
                });
            }
        }
        Ok(())
    }

    fn cancel(&mut self, pick: usize) -> Result<(), TestCaseError> {
        if self.timers.is_empty() {
            return Ok(());
        }
        let i = pick % self.timers.len();
        let removed = self.wheel.remove(self.timers[i].key);
        let was_live = self.timers[i].state == State::Live;
        prop_assert_eq!(
            removed,
            was_live,
            "remove of timer {} ({:?})",
            i,
            self.timers[i].state
        );
        if was_live {
            self.timers[i].state = State::Cancelled;
        }
        prop_assert!(!self.wheel.is_pending(self.timers[i].key));
        Ok(())
    }

    fn advance(&mut self, to: u64) -> Result<(), TestCaseError> {
        prop_assert!(to >= self.now);
        let count = self.wheel.advance(to, |w| w.wake());
        let fired = std::mem::take(&mut *self.log.lock().unwrap());
        prop_assert_eq!(count, fired.len());
        // Every timer due by `to` fires, none later than that, each once.
        let mut expected: Vec<usize> = self
            .live()
            .filter(|(_, t)| t.deadline <= to)
            .map(|(i, _)| i)
            .collect();
        let mut got = fired.clone();
        got.sort_unstable();
        expected.sort_unstable();
        prop_assert_eq!(&got, &expected, "fired by {} (from {})", to, self.now);
        // In deadline order, equal deadlines in insertion order, also
        // across advances.
        for &id in &fired {
            let t = &mut self.timers[id];
            prop_assert_eq!(t.state, State::Live, "timer {} fired twice", id);
            t.state = State::Fired;
            let at = (t.deadline, id);
            if let Some(last) = self.last_fired {
                prop_assert!(last < at, "timer {:?} fired after {:?}", at, last);
            }
            self.last_fired = Some(at);
        }
        self.now = to;
        prop_assert_eq!(self.wheel.elapsed(), to);
        Ok(())
    }

    /// Invariants that hold between any two steps.
    fn check(&self) -> Result<(), TestCaseError> {
        prop_assert_eq!(self.wheel.len(), self.live().count());
        for (i, t) in self.live() {
            prop_assert!(self.wheel.is_pending(t.key), "live timer {} not pending", i);
        }
        let earliest = self.live().map(|(_, t)| t.deadline).min();
        match (self.wheel.next_deadline(), earliest) {
            (None, None) => {}
            (Some(next), Some(min)) => {
                // The clock may stop short of a timer (to cascade it), but
                // never past it, and never where it already is.
                prop_assert!(
                    next <= min,
                    "next_deadline {} after the earliest {}",
                    next,
                    min
                );
                prop_assert!(
                    next > self.now,
                    "next_deadline {} not after {}",
                    next,
                    self.now
                );
            }
            (next, min) => prop_assert!(false, "next_deadline {:?}, earliest {:?}", next, min),
        }
        Ok(())
    }

    fn run(&mut self, ops: &[Op]) -> Result<(), TestCaseError> {
        for op in ops {
            match *op {
                Op::Insert { delay } => self.insert(self.now + delay)?,
                Op::InsertAlongside { pick, extra } => {
                    if self.timers.is_empty() {
                        continue;
                    }
                    let deadline = self.timers[pick % self.timers.len()].deadline;
                    self.insert(deadline.max(self.now) + extra)?;
                }
                Op::Cancel { pick } => self.cancel(pick)?,
                Op::Advance { by } => self.advance(self.now + by)?,
                Op::AdvanceToNext => {
                    if let Some(next) = self.wheel.next_deadline() {
                        self.advance(next)?;
                    }
                }
            }
            self.check()?;
        }
        // Drain: jump from stop to stop until the wheel is empty; every
        // timer still live fires, at its own deadline.
        let mut stops = 0;
        while let Some(next) = self.wheel.next_deadline() {
            self.advance(next)?;
            self.check()?;
            stops += 1;
            prop_assert!(stops < 100_000, "the wheel never empties");
        }
        prop_assert_eq!(self.live().count(), 0);
        Ok(())
    }
}

proptest! {
    #[test]
    fn every_live_timer_fires_once_in_order_and_never_early(
        ops in proptest::collection::vec(op(), 1..200)
    ) {
        Harness::new().run(&ops)?;
    }
}

/// A hand-picked case of the property (equal deadlines on several levels,
/// a cancel between them): it also runs when proptest's generator would
/// not happen to produce it.
#[test]
fn equal_deadlines_across_levels() {
    let ops = [
        Op::Insert { delay: 5_000 },
        Op::Insert { delay: 70 },
        Op::InsertAlongside { pick: 0, extra: 0 },
        Op::Advance { by: 4_000 },
        Op::InsertAlongside { pick: 0, extra: 0 },
        Op::Cancel { pick: 2 },
        Op::InsertAlongside { pick: 0, extra: 0 },
        Op::Insert { delay: 3 * HOUR_MS },
        Op::AdvanceToNext,
    ];
    Harness::new().run(&ops).unwrap();
}
