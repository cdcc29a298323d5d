//! The hierarchical timer wheel: 6 levels of 64 slots at 1 ms resolution,
//! with a 64-bit "occupied" bitmap per level, so inserting, cancelling and
//! finding the next deadline are O(1) and firing costs O(1) per timer
//! (plus at most five cascades down the levels over its life).
//!
//! It is Tokio's wheel (`tokio/src/runtime/time/wheel/`) rule for rule,
//! because the paused test clock jumps to `next_deadline` and so makes the
//! wheel's inner structure observable:
//!
//! - Level `L` slot `s` covers `64^L` milliseconds; a timer sits at the
//!   lowest level whose range still separates its deadline from the
//!   wheel's current time (`elapsed`), i.e. level = (index of the highest
//!   bit in which `deadline` and `elapsed` differ) / 6, capped at the top
//!   level. `next_deadline` is the start of the first occupied slot of the
//!   lowest occupied level: for a timer on level 1 or above that is earlier
//!   than its deadline (the clock stops there and the timer cascades).
//! - When a slot comes due its timers are taken in insertion order; each
//!   whose deadline is not after the slot's start fires, the others move
//!   down (cascade) relative to the slot's start. So timers fire in
//!   deadline order, and timers due in the same millisecond in the order
//!   they were inserted.
//! - Deadlines are not clamped: one more than a top-level rotation (about
//!   2.2 years) away sits on the top level and is looked at once per
//!   rotation until it is close enough to cascade.
//! - Moving a waiting timer later (`reset` to a deadline not before its
//!   current one) only records the new deadline; the timer stays in its
//!   slot and cascades when that slot comes due (Tokio's
//!   `extend_expiration`). Moving it earlier re-links it.
//!
//! Timers live in a slab (`Vec<Entry>` plus a free list) and each slot is
//! a doubly linked list of slab indices, so cancelling is O(1) without any
//! unsafe code. A `TimerKey` carries a generation so a stale key (its timer
//! already fired or was removed, and the slot reused) is recognised.
//!
//! The wheel knows nothing of clocks or threads: the time driver owns it
//! behind a lock, converts `Instant`s to milliseconds since the runtime
//! started, and passes the wakers it returns on.

use std::task::Waker;

const LEVELS: usize = 6;
const SLOTS: usize = 64;
const BITS_PER_LEVEL: u32 = 6;
/// One rotation of the top level, minus one: deadlines further than this
/// from `elapsed` go to the top level.
pub(crate) const MAX_DURATION_MS: u64 = (1 << (BITS_PER_LEVEL * LEVELS as u32)) - 1;
const NONE: u32 = u32::MAX;

/// Identifies one timer in the wheel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimerKey {
    index: u32,
    generation: u32,
}

struct Entry {
    generation: u32,
    /// Absolute deadline in ms since the wheel's origin.
    deadline: u64,
    /// The deadline the entry's slot was chosen for (at most `deadline`:
    /// a later `reset` only moves `deadline`).
    registered: u64,
    waker: Option<Waker>,
    /// Linked in a slot: (level, slot). `None` when free or fired.
    position: Option<(u8, u8)>,
    prev: u32,
    next: u32,
}

#[derive(Clone, Copy)]
struct List {
    head: u32,
    tail: u32,
}

struct Level {
    occupied: u64,
    slots: [List; SLOTS],
}

/// A slot of some level that comes due at `deadline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Expiration {
    level: usize,
    slot: usize,
    deadline: u64,
}

/// What `Wheel::reset` did.
#[derive(Debug)]
pub(crate) enum Reset {
    /// Still waiting, under the same key.
    Waiting,
    /// The new deadline is already due: the timer fired (its waker, if
    /// any, is handed back to be woken outside the lock).
    Fired(Option<Waker>),
    /// The key is stale: the timer had fired or was removed before.
    Gone,
}

pub(crate) struct Wheel {
    /// Milliseconds since the origin up to which every timer has fired.
    elapsed: u64,
    levels: Box<[Level; LEVELS]>,
    entries: Vec<Entry>,
    free: Vec<u32>,
    len: usize,
}

impl Wheel {
    pub(crate) fn new() -> Wheel {
        const EMPTY: List = List {
            head: NONE,
            tail: NONE,
        };
        Wheel {
            elapsed: 0,
            levels: Box::new(std::array::from_fn(|_| Level {
                occupied: 0,
                slots: [EMPTY; SLOTS],
            })),
            entries: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }

    /// Number of timers waiting.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The time up to which every timer has fired.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn elapsed(&self) -> u64 {
        self.elapsed
    }

    /// Adds a timer (with no waker yet, for a `Sleep::reset` before its
    /// first poll). A deadline not after `elapsed` is already due: the
    /// timer is not stored and `None` comes back (the caller treats the
    /// sleep as finished).
    pub(crate) fn insert(&mut self, deadline: u64, waker: Option<Waker>) -> Option<TimerKey> {
        if deadline <= self.elapsed {
            return None;
        }
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                let i = u32::try_from(self.entries.len()).expect("more than 4 billion timers");
                assert!(i != NONE, "more than 4 billion timers");
                self.entries.push(Entry {
                    generation: 0,
                    deadline: 0,
                    registered: 0,
                    waker: None,
                    position: None,
                    prev: NONE,
                    next: NONE,
                });
                i
            }
        };
        let entry = &mut self.entries[index as usize];
        entry.deadline = deadline;
        entry.registered = deadline;
        entry.waker = waker;
        let key = TimerKey {
            index,
            generation: entry.generation,
        };
        self.link(index);
        self.len += 1;
        Some(key)
    }

    /// `true` while `key`'s timer is waiting (not fired, not removed).
    pub(crate) fn is_pending(&self, key: TimerKey) -> bool {
        self.live(key).is_some()
    }

    /// Replaces the waker of a waiting timer; `false` if it is gone.
    pub(crate) fn set_waker(&mut self, key: TimerKey, waker: &Waker) -> bool {
        let Some(i) = self.live(key) else {
            return false;
        };
        let slot = &mut self.entries[i].waker;
        match slot {
            Some(w) if w.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
        true
    }

    /// Cancels a waiting timer in O(1); `false` if it already fired or was
    /// removed.
    pub(crate) fn remove(&mut self, key: TimerKey) -> bool {
        let Some(i) = self.live(key) else {
            return false;
        };
        self.unlink(i as u32);
        self.release(i as u32);
        true
    }

    /// Moves a waiting timer to a new deadline, keeping its key: a later
    /// deadline is only recorded (the timer cascades when its current slot
    /// comes due), an earlier one re-links it, and one already due fires
    /// it.
    pub(crate) fn reset(&mut self, key: TimerKey, deadline: u64) -> Reset {
        let Some(i) = self.live(key) else {
            return Reset::Gone;
        };
        if deadline >= self.entries[i].deadline {
            self.entries[i].deadline = deadline;
            return Reset::Waiting;
        }
        self.unlink(i as u32);
        if deadline <= self.elapsed {
            let waker = self.entries[i].waker.take();
            self.release(i as u32);
            return Reset::Fired(waker);
        }
        self.entries[i].deadline = deadline;
        self.entries[i].registered = deadline;
        self.link(i as u32);
        Reset::Waiting
    }

    /// When the wheel next has something to do: the start of the first
    /// occupied slot (a timer's deadline on level 0; a lower bound on it
    /// above, where the slot's timers only cascade).
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.next_expiration().map(|e| e.deadline)
    }

    /// Processes every slot due up to `now` (firing or cascading its
    /// timers, in order), handing each fired waker to `wake`, and advances
    /// `elapsed` to `now`. Returns how many fired.
    pub(crate) fn advance(&mut self, now: u64, mut wake: impl FnMut(Waker)) -> usize {
        let mut fired = 0;
        while let Some(exp) = self.next_expiration() {
            if exp.deadline > now {
                break;
            }
            // Take the whole slot first: a top-level timer a rotation away
            // goes back into the same slot and must not be seen again.
            let list = std::mem::replace(
                &mut self.levels[exp.level].slots[exp.slot],
                List {
                    head: NONE,
                    tail: NONE,
                },
            );
            self.levels[exp.level].occupied &= !(1 << exp.slot);
            // Cascades are placed relative to the slot's start.
            self.elapsed = self.elapsed.max(exp.deadline);
            let mut cursor = list.head;
            while cursor != NONE {
                let i = cursor as usize;
                cursor = self.entries[i].next;
                self.entries[i].position = None;
                if self.entries[i].deadline <= exp.deadline {
                    let waker = self.entries[i].waker.take();
                    self.release(i as u32);
                    fired += 1;
                    if let Some(w) = waker {
                        wake(w);
                    }
                } else {
                    self.entries[i].registered = self.entries[i].deadline;
                    self.link(i as u32);
                }
            }
        }
        self.elapsed = self.elapsed.max(now);
        fired
    }

    /// Removes every waiting timer, handing its waker to `wake` (used when
    /// the runtime shuts down).
    pub(crate) fn drain(&mut self, mut wake: impl FnMut(Waker)) {
        for i in 0..self.entries.len() {
            if self.entries[i].position.is_some() {
                self.unlink(i as u32);
                let waker = self.entries[i].waker.take();
                self.release(i as u32);
                if let Some(w) = waker {
                    wake(w);
                }
            }
        }
    }

    fn live(&self, key: TimerKey) -> Option<usize> {
        let e = self.entries.get(key.index as usize)?;
        (e.generation == key.generation && e.position.is_some()).then_some(key.index as usize)
    }

    fn release(&mut self, index: u32) {
        let e = &mut self.entries[index as usize];
        e.waker = None;
        e.position = None;
        e.generation = e.generation.wrapping_add(1);
        self.free.push(index);
        self.len -= 1;
    }

    fn level_for(&self, deadline: u64) -> usize {
        // The highest bit where deadline and elapsed differ picks the level;
        // `| 63` makes deadlines in the current 64 ms block land on level 0.
        let masked = (self.elapsed ^ deadline) | (SLOTS as u64 - 1);
        if masked >= MAX_DURATION_MS {
            return LEVELS - 1;
        }
        (masked.ilog2() / BITS_PER_LEVEL) as usize
    }

    /// Appends the entry to the slot of its `registered` deadline (slots
    /// are FIFO: the oldest entry is processed first).
    fn link(&mut self, index: u32) {
        let registered = self.entries[index as usize].registered;
        let level = self.level_for(registered);
        let slot = ((registered >> (level as u32 * BITS_PER_LEVEL)) % SLOTS as u64) as usize;
        let list = &mut self.levels[level].slots[slot];
        let old_tail = list.tail;
        list.tail = index;
        if old_tail == NONE {
            list.head = index;
        }
        self.levels[level].occupied |= 1 << slot;
        if old_tail != NONE {
            self.entries[old_tail as usize].next = index;
        }
        let e = &mut self.entries[index as usize];
        e.prev = old_tail;
        e.next = NONE;
        e.position = Some((level as u8, slot as u8));
    }

    fn unlink(&mut self, index: u32) {
        let (level, slot) = self.entries[index as usize]
            .position
            .expect("unlinking a timer that is not in the wheel");
        let (prev, next) = {
            let e = &self.entries[index as usize];
            (e.prev, e.next)
        };
        let list = &mut self.levels[level as usize].slots[slot as usize];
        if prev == NONE {
            list.head = next;
        } else {
            self.entries[prev as usize].next = next;
        }
        let list = &mut self.levels[level as usize].slots[slot as usize];
        if next == NONE {
            list.tail = prev;
        } else {
            self.entries[next as usize].prev = prev;
        }
        if self.levels[level as usize].slots[slot as usize].head == NONE {
            self.levels[level as usize].occupied &= !(1 << slot);
        }
        self.entries[index as usize].position = None;
    }

    fn next_expiration(&self) -> Option<Expiration> {
        (0..LEVELS).find_map(|level| self.level_expiration(level))
    }

    /// The next occupied slot of `level` after the one `elapsed` is in
    /// (that one is always empty below the top level; on the top level it
    /// holds timers a whole rotation away, so it comes last).
    fn level_expiration(&self, level: usize) -> Option<Expiration> {
        let occupied = self.levels[level].occupied;
        if occupied == 0 {
            return None;
        }
        let slot_ms = 1u64 << (level as u32 * BITS_PER_LEVEL);
        let level_ms = slot_ms * SLOTS as u64;
        let now_slot = (self.elapsed / slot_ms) % SLOTS as u64 + 1;
        let rotated = occupied.rotate_right(now_slot as u32);
        let slot = (rotated.trailing_zeros() as u64 + now_slot) % SLOTS as u64;
        let level_start = self.elapsed & !(level_ms - 1);
        let mut deadline = level_start + slot * slot_ms;
        if deadline <= self.elapsed {
            // Only on the top level: the slot is in its next rotation.
            deadline += level_ms;
        }
        Some(Expiration {
            level,
            slot: slot as usize,
            deadline,
        })
    }
}

impl std::fmt::Debug for Wheel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wheel")
            .field("elapsed", &self.elapsed)
            .field("len", &self.len)
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};
    use std::task::Wake;

    /// A waker that records its id when woken.
    struct Recorder {
        id: u64,
        log: Arc<Mutex<Vec<u64>>>,
    }

    impl Wake for Recorder {
        fn wake(self: Arc<Self>) {
            self.log.lock().unwrap().push(self.id);
        }
    }

    fn waker(id: u64, log: &Arc<Mutex<Vec<u64>>>) -> Waker {
        Waker::from(Arc::new(Recorder {
            id,
            log: log.clone(),
        }))
    }

    fn fire(wheel: &mut Wheel, now: u64) -> usize {
        wheel.advance(now, |w| w.wake())
    }

    #[test]
    fn fires_in_deadline_order_across_levels() {
        let log = Arc::default();
        let mut wheel = Wheel::new();
        let deadlines = [1u64, 63, 64, 65, 4095, 4096, 300_000, 17, 262_144, 5];
        for &d in &deadlines {
            wheel.insert(d, Some(waker(d, &log))).unwrap();
        }
        let mut sorted = deadlines.to_vec();
        sorted.sort_unstable();
        for &d in &sorted {
            // Nothing fires a millisecond early.
            fire(&mut wheel, d - 1);
            assert!(!log.lock().unwrap().contains(&d), "timer {d} fired early");
            fire(&mut wheel, d);
            assert_eq!(
                log.lock().unwrap().last(),
                Some(&d),
                "timer {d} did not fire on time"
            );
        }
        assert_eq!(*log.lock().unwrap(), sorted);
        assert_eq!(wheel.len(), 0);
    }

    #[test]
    fn removed_and_reset_timers() {
        let log = Arc::default();
        let mut wheel = Wheel::new();
        let a = wheel.insert(10, Some(waker(1, &log))).unwrap();
        let b = wheel.insert(20, Some(waker(2, &log))).unwrap();
        assert!(wheel.remove(a));
        assert!(!wheel.remove(a), "double remove must be refused");
        assert!(matches!(wheel.reset(b, 5000), Reset::Waiting));
        fire(&mut wheel, 4999);
        assert!(log.lock().unwrap().is_empty());
        fire(&mut wheel, 5000);
        assert_eq!(*log.lock().unwrap(), vec![2]);
        assert!(!wheel.is_pending(b));
        // A stale key does not touch the timer that reused its slot.
        let c = wheel.insert(6000, Some(waker(3, &log))).unwrap();
        assert!(!wheel.remove(b));
        assert!(wheel.is_pending(c));
    }

    #[test]
    fn due_deadline_is_not_stored_and_far_deadline_goes_round_the_top_level() {
        let log = Arc::default();
        let mut wheel = Wheel::new();
        fire(&mut wheel, 100);
        assert!(wheel.insert(100, Some(waker(1, &log))).is_none());
        // Three rotations of the top level away: looked at once per
        // rotation, fired only at its own deadline.
        let far = 100 + 3 * (MAX_DURATION_MS + 1) + 12_345;
        let key = wheel.insert(far, Some(waker(2, &log))).unwrap();
        let mut stops = 0;
        while let Some(next) = wheel.next_deadline() {
            assert!(next <= far, "stop {next} after the deadline {far}");
            assert!(log.lock().unwrap().is_empty(), "fired early, at {next}");
            fire(&mut wheel, next);
            stops += 1;
        }
        assert!(!wheel.is_pending(key));
        assert_eq!(*log.lock().unwrap(), vec![2]);
        assert_eq!(wheel.elapsed(), far);
        assert!(stops <= 4 + 6 * LEVELS, "{stops} stops");
    }

    /// Timers due in the same millisecond fire in insertion order, and a
    /// jump over several levels fires in deadline order (Tokio's wheel).
    #[test]
    fn fires_fifo_within_a_tick_and_in_deadline_order_across_a_jump() {
        let log = Arc::default();
        let mut wheel = Wheel::new();
        for (id, d) in [(1, 100u64), (2, 70), (3, 100), (4, 5000), (5, 70), (6, 65)] {
            wheel.insert(d, Some(waker(id, &log))).unwrap();
        }
        fire(&mut wheel, 10_000);
        assert_eq!(*log.lock().unwrap(), vec![6, 2, 5, 1, 3, 4]);
    }

    /// A later deadline keeps the timer in its slot: the wheel stops there
    /// and cascades it (Tokio's `extend_expiration`); an earlier one moves
    /// it; one already due fires it and hands the waker back.
    #[test]
    fn reset_later_stays_put_earlier_moves_due_fires() {
        let log = Arc::default();
        let mut wheel = Wheel::new();
        let k = wheel.insert(100, Some(waker(1, &log))).unwrap();
        assert_eq!(wheel.next_deadline(), Some(64));
        assert!(matches!(wheel.reset(k, 200), Reset::Waiting));
        assert_eq!(wheel.next_deadline(), Some(64), "extended in place");
        fire(&mut wheel, 64);
        assert_eq!(wheel.next_deadline(), Some(192));
        fire(&mut wheel, 192);
        assert_eq!(wheel.next_deadline(), Some(200));
        assert!(matches!(wheel.reset(k, 150), Reset::Fired(Some(_))));
        assert!(!wheel.is_pending(k));
        let k = wheel.insert(300, None).unwrap();
        assert!(matches!(wheel.reset(k, 250), Reset::Waiting));
        assert_eq!(wheel.next_deadline(), Some(250));
        assert!(wheel.remove(k));
        assert!(matches!(wheel.reset(k, 400), Reset::Gone));
        assert!(log.lock().unwrap().is_empty());
    }

    #[test]
    fn next_deadline_tracks_the_earliest_timer() {
        let log = Arc::default();
        let mut wheel = Wheel::new();
        assert_eq!(wheel.next_deadline(), None);
        wheel.insert(70, Some(waker(1, &log))).unwrap();
        wheel.insert(30, Some(waker(2, &log))).unwrap();
        assert_eq!(wheel.next_deadline(), Some(30));
        fire(&mut wheel, 30);
        // The 70 ms timer is on level 1; its slot starts at 64.
        assert_eq!(wheel.next_deadline(), Some(64));
        fire(&mut wheel, 64);
        assert_eq!(wheel.next_deadline(), Some(70));
        fire(&mut wheel, 70);
        assert_eq!(wheel.next_deadline(), None);
    }

    /// Random inserts, removes, resets and advances against a BTreeMap
    /// model: every timer fires exactly once, never early, never late.
    #[test]
    fn matches_a_simple_model() {
        let log: Arc<Mutex<Vec<u64>>> = Arc::default();
        let mut wheel = Wheel::new();
        let mut model: BTreeMap<u64, (u64, TimerKey)> = BTreeMap::new(); // id -> (deadline, key)
        let rng = crate::util::rand::FastRand::new(7);
        let mut now = 0u64;
        let mut next_id = 0u64;
        for _ in 0..20_000 {
            match rng.below(10) {
                0..=4 => {
                    let range = [10u32, 100, 5_000, 400_000][rng.below(4) as usize];
                    let deadline = now + 1 + rng.below(range) as u64;
                    let key = wheel.insert(deadline, Some(waker(next_id, &log))).unwrap();
                    model.insert(next_id, (deadline, key));
                    next_id += 1;
                }
                5 if !model.is_empty() => {
                    let id = *model
                        .keys()
                        .nth(rng.below(model.len() as u32) as usize)
                        .unwrap();
                    let (_, key) = model.remove(&id).unwrap();
                    assert!(wheel.remove(key));
                }
                6 if !model.is_empty() => {
                    let id = *model
                        .keys()
                        .nth(rng.below(model.len() as u32) as usize)
                        .unwrap();
                    let deadline = now + 1 + rng.below(10_000) as u64;
                    let entry = model.get_mut(&id).unwrap();
                    assert!(matches!(wheel.reset(entry.1, deadline), Reset::Waiting));
                    entry.0 = deadline;
                }
                _ => {
                    now += rng.below(3_000) as u64;
                    fire(&mut wheel, now);
                    let fired: Vec<u64> = std::mem::take(&mut *log.lock().unwrap());
                    let mut expected: Vec<u64> = model
                        .iter()
                        .filter(|(_, (d, _))| *d <= now)
                        .map(|(id, _)| *id)
                        .collect();
                    let mut got = fired.clone();
                    got.sort_unstable();
                    expected.sort_unstable();
                    assert_eq!(got, expected, "at {now}");
                    // In deadline order.
                    let order: Vec<u64> = fired.iter().map(|id| model[id].0).collect();
                    assert!(order.is_sorted(), "at {now}: {order:?}");
                    for id in fired {
                        model.remove(&id);
                    }
                }
            }
            assert_eq!(wheel.len(), model.len());
            if let (Some(next), Some(min)) =
                (wheel.next_deadline(), model.values().map(|v| v.0).min())
            {
                assert!(
                    next <= min,
                    "next_deadline {next} after the earliest timer {min}"
                );
            }
        }
    }
}
