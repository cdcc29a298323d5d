//! The hierarchical timer wheel: 6 levels of 64 slots at 1 ms resolution,
//! with a 64-bit "occupied" bitmap per level, so inserting, cancelling and
//! finding the next deadline are O(1) and firing costs O(1) per timer
//! (plus at most five cascades down the levels over its life).
//!
//! Level `L` slot `s` covers `64^L` milliseconds; a timer sits at the
//! lowest level whose range still separates its deadline from the wheel's
//! current time (`elapsed`), i.e. level = (index of the highest bit in
//! which `deadline` and `elapsed` differ) / 6. Entries of level 0 are
//! therefore always due before entries of level 1, and so on, which is why
//! `next_expiration` only looks at the lowest occupied level. When a slot
//! of a higher level comes due, its timers move down (cascade) relative to
//! the new `elapsed`, or fire.
//!
//! Timers live in a slab (`Vec<Entry>` plus a free list) and each slot is
//! a doubly linked list of slab indices, so cancelling is O(1) without any
//! unsafe code. A `TimerKey` carries a generation so a stale key (its timer
//! already fired or was removed, and the slot reused) is recognised.
//!
//! The wheel knows nothing of clocks or threads: the time driver (I/O and
//! time issue) owns it behind a lock, converts `Instant`s to milliseconds
//! since the runtime started, and passes the wakers it returns on.

use std::task::Waker;

const LEVELS: usize = 6;
const SLOTS: usize = 64;
const BITS_PER_LEVEL: u32 = 6;
/// The furthest deadline the wheel can hold, in ms after `elapsed`
/// (64^6 ms, about 2.2 years); later deadlines are clamped to it.
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

    /// Adds a timer. A deadline not after `elapsed` is already due: the
    /// timer is not stored and `None` comes back (the caller treats the
    /// sleep as finished).
    pub(crate) fn insert(&mut self, deadline: u64, waker: Waker) -> Option<TimerKey> {
        if deadline <= self.elapsed {
            return None;
        }
        let deadline = deadline.min(self.elapsed + MAX_DURATION_MS);
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                let i = u32::try_from(self.entries.len()).expect("more than 4 billion timers");
                assert!(i != NONE, "more than 4 billion timers");
                self.entries.push(Entry {
                    generation: 0,
                    deadline: 0,
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
        entry.waker = Some(waker);
        let key = TimerKey {
            index,
            generation: entry.generation,
        };
        self.link(index);
        self.len += 1;
        Some(key)
    }

    /// `true` while `key`'s timer is waiting (not fired, not removed).
    #[cfg(all(test, not(loom)))]
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

    /// Moves a waiting timer to a new deadline, keeping its key. Returns
    /// `false` (and removes it) if the new deadline is already due.
    pub(crate) fn reset(&mut self, key: TimerKey, deadline: u64) -> bool {
        let Some(i) = self.live(key) else {
            return false;
        };
        self.unlink(i as u32);
        if deadline <= self.elapsed {
            self.release(i as u32);
            return false;
        }
        self.entries[i].deadline = deadline.min(self.elapsed + MAX_DURATION_MS);
        self.link(i as u32);
        true
    }

    /// The earliest deadline of a slot with timers in it (a lower bound on
    /// the next timer's deadline: a higher-level slot may only cascade).
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.next_expiration().map(|e| e.deadline)
    }

    /// Fires every timer with a deadline up to `now`, handing each waker to
    /// `wake`, and advances `elapsed` to `now`. Returns how many fired.
    pub(crate) fn advance(&mut self, now: u64, mut wake: impl FnMut(Waker)) -> usize {
        let mut fired = 0;
        while let Some(exp) = self.next_expiration() {
            if exp.deadline > now {
                break;
            }
            self.elapsed = self.elapsed.max(exp.deadline);
            // Take the whole slot, then fire or re-place each timer.
            let list = std::mem::replace(
                &mut self.levels[exp.level].slots[exp.slot],
                List {
                    head: NONE,
                    tail: NONE,
                },
            );
            self.levels[exp.level].occupied &= !(1 << exp.slot);
            let mut cursor = list.head;
            while cursor != NONE {
                let i = cursor as usize;
                cursor = self.entries[i].next;
                self.entries[i].position = None;
                if self.entries[i].deadline <= now {
                    let waker = self.entries[i].waker.take();
                    self.release(i as u32);
                    fired += 1;
                    if let Some(w) = waker {
                        wake(w);
                    }
                } else {
                    // Not due yet: cascade to a lower level.
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
        let significant = 63 - masked.leading_zeros();
        (significant / BITS_PER_LEVEL) as usize
    }

    fn link(&mut self, index: u32) {
        let deadline = self.entries[index as usize].deadline;
        let level = self.level_for(deadline).min(LEVELS - 1);
        let slot = ((deadline >> (level as u32 * BITS_PER_LEVEL)) % SLOTS as u64) as usize;
        let list = &mut self.levels[level].slots[slot];
        let old_head = list.head;
        list.head = index;
        if old_head == NONE {
            list.tail = index;
        }
        self.levels[level].occupied |= 1 << slot;
        if old_head != NONE {
            self.entries[old_head as usize].prev = index;
        }
        let e = &mut self.entries[index as usize];
        e.prev = NONE;
        e.next = old_head;
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

    /// The next occupied slot of `level` at or after `elapsed`.
    fn level_expiration(&self, level: usize) -> Option<Expiration> {
        let occupied = self.levels[level].occupied;
        if occupied == 0 {
            return None;
        }
        let slot_ms = 1u64 << (level as u32 * BITS_PER_LEVEL);
        let level_ms = slot_ms * SLOTS as u64;
        let now_slot = (self.elapsed / slot_ms) % SLOTS as u64;
        let rotated = occupied.rotate_right(now_slot as u32);
        let slot = (rotated.trailing_zeros() as u64 + now_slot) % SLOTS as u64;
        let level_start = self.elapsed & !(level_ms - 1);
        let mut deadline = level_start + slot * slot_ms;
        if deadline + slot_ms <= self.elapsed {
            // The slot lies in the next rotation of this level.
            deadline += level_ms;
        }
        Some(Expiration {
            level,
            slot: slot as usize,
            deadline: deadline.max(self.elapsed),
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
            wheel.insert(d, waker(d, &log)).unwrap();
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
        let a = wheel.insert(10, waker(1, &log)).unwrap();
        let b = wheel.insert(20, waker(2, &log)).unwrap();
        assert!(wheel.remove(a));
        assert!(!wheel.remove(a), "double remove must be refused");
        assert!(wheel.reset(b, 5000));
        fire(&mut wheel, 4999);
        assert!(log.lock().unwrap().is_empty());
        fire(&mut wheel, 5000);
        assert_eq!(*log.lock().unwrap(), vec![2]);
        assert!(!wheel.is_pending(b));
        // A stale key does not touch the timer that reused its slot.
        let c = wheel.insert(6000, waker(3, &log)).unwrap();
        assert!(!wheel.remove(b));
        assert!(wheel.is_pending(c));
    }

    #[test]
    fn due_deadline_is_not_stored_and_far_deadline_is_clamped() {
        let log = Arc::default();
        let mut wheel = Wheel::new();
        fire(&mut wheel, 100);
        assert!(wheel.insert(100, waker(1, &log)).is_none());
        let far = wheel.insert(u64::MAX, waker(2, &log)).unwrap();
        assert!(wheel.is_pending(far));
        assert_eq!(
            wheel.next_deadline().map(|d| d <= 100 + MAX_DURATION_MS),
            Some(true)
        );
    }

    #[test]
    fn next_deadline_tracks_the_earliest_timer() {
        let log = Arc::default();
        let mut wheel = Wheel::new();
        assert_eq!(wheel.next_deadline(), None);
        wheel.insert(70, waker(1, &log)).unwrap();
        wheel.insert(30, waker(2, &log)).unwrap();
        assert_eq!(wheel.next_deadline(), Some(30));
        fire(&mut wheel, 30);
        // The 70 ms timer is on level 1; its slot starts at 64.
        assert!(matches!(wheel.next_deadline(), Some(64..=70)));
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
                    let key = wheel.insert(deadline, waker(next_id, &log)).unwrap();
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
                    assert!(wheel.reset(entry.1, deadline));
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
