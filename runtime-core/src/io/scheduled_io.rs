//! The per-source readiness state shared by a registration and the driver:
//! a readiness word (ready bits plus an event counter, the "tick") and the
//! wakers of the tasks waiting to read or to write.
//!
//! Sources are registered edge-triggered, so the driver reports a
//! direction only when it *becomes* ready. The ready bits therefore stay
//! set until a reader or writer sees `WouldBlock`, and then they are
//! cleared only if no newer event arrived in between (the tick still
//! matches the one the caller saw): no event is lost, and a stale one is
//! never reported twice.

use parking_lot::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering::AcqRel, Ordering::Acquire};
use std::task::{Context, Poll, Waker};

/// Readiness bits (low byte of the readiness word).
pub(crate) const READABLE: usize = 0b0_0001;
pub(crate) const WRITABLE: usize = 0b0_0010;
pub(crate) const READ_CLOSED: usize = 0b0_0100;
pub(crate) const WRITE_CLOSED: usize = 0b0_1000;
pub(crate) const ERROR: usize = 0b1_0000;
/// The runtime shut down: every wait ends with an error.
pub(crate) const SHUTDOWN: usize = 0b10_0000;
const READY_MASK: usize = 0xff;
/// The tick counts driver events for this source, above the ready bits.
const TICK_SHIFT: u32 = 16;

/// Which half of a source a task waits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Read,
    Write,
}

impl Direction {
    /// The bits that make this direction ready. Closed and error states
    /// count as ready so the next operation reports them.
    pub(crate) fn mask(self) -> usize {
        match self {
            Direction::Read => READABLE | READ_CLOSED | ERROR,
            Direction::Write => WRITABLE | WRITE_CLOSED | ERROR,
        }
    }
}

/// Readiness seen by one poll, to be cleared with the same tick.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReadyEvent {
    pub(crate) tick: usize,
    pub(crate) ready: usize,
}

#[derive(Default)]
struct Waiters {
    /// `poll_read_ready` / `poll_write_ready` callers: one waker per
    /// direction, the last poll's wins (as Tokio's `poll_*` APIs).
    reader: Option<Waker>,
    writer: Option<Waker>,
    /// `readable()` / `writable()` / `async_io` futures, possibly from
    /// several tasks: one entry per waiting future, allocated at its first
    /// `Pending` and freed when it drops (`ListWaiter`), so a cancelled
    /// wait leaves no waker behind. An entry is `None` while its future
    /// was woken and has not polled again.
    futures: Vec<Option<(Direction, Waker)>>,
    free: Vec<usize>,
}

/// A waiting future's entry in a source's list of waiters; dropping it
/// takes the entry (and its waker) out.
pub(crate) struct ListWaiter<'a> {
    io: &'a ScheduledIo,
    pub(crate) id: Option<usize>,
}

impl<'a> ListWaiter<'a> {
    pub(crate) fn new(io: &'a ScheduledIo) -> ListWaiter<'a> {
        ListWaiter { io, id: None }
    }
}

impl Drop for ListWaiter<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            let taken = {
                let mut waiters = self.io.waiters.lock();
                let taken = waiters.futures.get_mut(id).and_then(Option::take);
                waiters.free.push(id);
                taken
            };
            drop(taken); // outside the lock: a waker's drop may free a task
        }
    }
}

pub(crate) struct ScheduledIo {
    readiness: AtomicUsize,
    waiters: Mutex<Waiters>,
}

impl ScheduledIo {
    pub(crate) fn new() -> ScheduledIo {
        ScheduledIo {
            readiness: AtomicUsize::new(0),
            waiters: Mutex::new(Waiters::default()),
        }
    }

    fn event(cur: usize, dir: Direction) -> Option<ReadyEvent> {
        let ready = cur & (dir.mask() | SHUTDOWN);
        (ready != 0).then_some(ReadyEvent {
            tick: cur >> TICK_SHIFT,
            ready,
        })
    }

    /// The readiness recorded for `dir`, if any.
    pub(crate) fn readiness(&self, dir: Direction) -> Option<ReadyEvent> {
        Self::event(self.readiness.load(Acquire), dir)
    }

    /// The readiness for `dir` if any, else registers the waker: in the
    /// direction's slot (`list` is `None`: the `poll_*` methods, last
    /// poller wins), or in the list entry `list` names (allocated here at
    /// the first `Pending`; its `ListWaiter` frees it).
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        list: Option<&mut Option<usize>>,
    ) -> Poll<ReadyEvent> {
        // Acquire: pairs with the driver's AcqRel update, so what made the
        // source ready (e.g. a peer's write) is visible to the I/O call.
        if let Some(ev) = Self::event(self.readiness.load(Acquire), dir) {
            return Poll::Ready(ev);
        }
        let mut waiters = self.waiters.lock();
        let waker = cx.waker();
        match list {
            Some(id) => match *id {
                Some(i) => match &mut waiters.futures[i] {
                    Some((d, w)) if *d == dir && w.will_wake(waker) => {}
                    entry => *entry = Some((dir, waker.clone())),
                },
                None => {
                    let entry = Some((dir, waker.clone()));
                    let i = match waiters.free.pop() {
                        Some(i) => {
                            waiters.futures[i] = entry;
                            i
                        }
                        None => {
                            waiters.futures.push(entry);
                            waiters.futures.len() - 1
                        }
                    };
                    *id = Some(i);
                }
            },
            None => {
                let slot = match dir {
                    Direction::Read => &mut waiters.reader,
                    Direction::Write => &mut waiters.writer,
                };
                match slot {
                    Some(w) if w.will_wake(waker) => {}
                    _ => *slot = Some(waker.clone()),
                }
            }
        }
        // Look again under the lock: the driver sets readiness before it
        // takes this lock to wake, so either it sees our waker or we see
        // its readiness.
        match Self::event(self.readiness.load(Acquire), dir) {
            Some(ev) => Poll::Ready(ev),
            None => Poll::Pending,
        }
    }

    /// Clears the bits of `ev` (not the closed ones, which are final; an
    /// error is cleared too, or a reader would find the source "ready"
    /// forever after the error was reported once) unless a newer event
    /// arrived since it was read.
    pub(crate) fn clear_readiness(&self, ev: ReadyEvent) {
        let clear = ev.ready & (READABLE | WRITABLE | ERROR);
        let _ = self.readiness.fetch_update(AcqRel, Acquire, |cur| {
            (cur >> TICK_SHIFT == ev.tick).then_some(cur & !clear)
        });
    }

    /// Driver side: records an event and collects the wakers it concerns.
    pub(crate) fn set_readiness(&self, bits: usize, wakers: &mut Vec<Waker>) {
        let _ = self.readiness.fetch_update(AcqRel, Acquire, |cur| {
            let tick = (cur >> TICK_SHIFT).wrapping_add(1) & (usize::MAX >> TICK_SHIFT);
            Some((tick << TICK_SHIFT) | (cur & READY_MASK) | bits)
        });
        let mut waiters = self.waiters.lock();
        let read = bits & (Direction::Read.mask() | SHUTDOWN) != 0;
        let write = bits & (Direction::Write.mask() | SHUTDOWN) != 0;
        if read {
            wakers.extend(waiters.reader.take());
        }
        if write {
            wakers.extend(waiters.writer.take());
        }
        for entry in waiters.futures.iter_mut() {
            let hit = match entry {
                Some((Direction::Read, _)) => read,
                Some((Direction::Write, _)) => write,
                None => false,
            };
            if hit {
                wakers.extend(entry.take().map(|(_, w)| w));
            }
        }
    }

    /// The wakers held for waiting futures right now (for tests).
    pub(crate) fn list_waiters(&self) -> usize {
        self.waiters
            .lock()
            .futures
            .iter()
            .filter(|e| e.is_some())
            .count()
    }

    /// Drops every waker without waking (the source is deregistered).
    pub(crate) fn clear_wakers(&self) {
        let taken: Vec<Waker> = {
            let mut waiters = self.waiters.lock();
            let mut taken: Vec<Waker> = waiters.reader.take().into_iter().collect();
            taken.extend(waiters.writer.take());
            // The entries stay allocated: their futures free them.
            taken.extend(
                waiters
                    .futures
                    .iter_mut()
                    .filter_map(|e| e.take().map(|(_, w)| w)),
            );
            taken
        };
        drop(taken);
    }
}
