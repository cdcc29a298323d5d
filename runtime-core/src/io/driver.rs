//! The I/O half of the driver: one `polling::Poller` per runtime and the
//! table of registered sources.
//!
//! Every source is added edge-triggered with a key that packs its table
//! index and a generation. An event is looked up under the table lock, so
//! an event that names a source deregistered meanwhile (another thread may
//! have collected it just before the `delete`) finds a different
//! generation and is ignored instead of touching freed state.

use super::scheduled_io::{ScheduledIo, ERROR, READABLE, READ_CLOSED, SHUTDOWN, WRITABLE};
use parking_lot::Mutex;
use polling::{Event, Events, PollMode, Poller};
use std::io;
use std::os::fd::{BorrowedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Waker;
use std::time::Duration;

/// Bits of a key that hold the table index; the generation sits above.
const INDEX_BITS: u32 = if usize::BITS >= 64 { 32 } else { 20 };
const INDEX_MASK: usize = (1 << INDEX_BITS) - 1;
/// Generations wrap below the top bit, so no key is `usize::MAX`, which
/// `polling` keeps for its own notifications.
const GENERATION_MASK: usize = (usize::MAX >> INDEX_BITS) >> 1;

struct Slot {
    generation: usize,
    io: Option<Arc<ScheduledIo>>,
}

#[derive(Default)]
struct Table {
    slots: Vec<Slot>,
    free: Vec<usize>,
}

pub(crate) struct IoDriver {
    pub(crate) poller: Poller,
    table: Mutex<Table>,
    /// Registered sources; while 0 a busy worker skips its I/O poll.
    sources: AtomicUsize,
    /// Whether `enable_io` was set (the poller exists for timers anyway).
    pub(crate) enabled: bool,
    is_shutdown: AtomicBool,
}

impl IoDriver {
    pub(crate) fn new(enabled: bool) -> io::Result<IoDriver> {
        let poller = Poller::new()?;
        if enabled && !poller.supports_edge() {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "the I/O driver needs edge-triggered polling, which this platform's poller lacks",
            ));
        }
        Ok(IoDriver {
            poller,
            table: Mutex::new(Table::default()),
            sources: AtomicUsize::new(0),
            enabled,
            is_shutdown: AtomicBool::new(false),
        })
    }

    pub(crate) fn has_sources(&self) -> bool {
        self.sources.load(Ordering::Relaxed) != 0
    }

    /// Adds `fd` to the poller. The caller must call `deregister` with the
    /// returned key before `fd` is closed.
    pub(crate) fn register(
        &self,
        fd: RawFd,
        interest: Event,
    ) -> io::Result<(usize, Arc<ScheduledIo>)> {
        let io = Arc::new(ScheduledIo::new());
        let key = {
            let mut table = self.table.lock();
            // Checked under the table lock, where `shutdown` sets it: a
            // source is either refused or seen by shutdown's sweep.
            if self.is_shutdown.load(Ordering::Acquire) {
                return Err(shutdown_error());
            }
            let index = match table.free.pop() {
                Some(i) => i,
                None => {
                    assert!(
                        table.slots.len() < INDEX_MASK,
                        "too many I/O sources registered at once"
                    );
                    table.slots.push(Slot {
                        generation: 0,
                        io: None,
                    });
                    table.slots.len() - 1
                }
            };
            let slot = &mut table.slots[index];
            slot.io = Some(io.clone());
            (slot.generation << INDEX_BITS) | index
        };
        let mut ev = interest;
        ev.key = key;
        // SAFETY: the caller promises (see this function's contract, kept by
        // `Registration`, which deregisters in its destructor before the
        // owner of `fd` is dropped) that `fd` stays open until `deregister`.
        let added = unsafe { self.poller.add_with_mode(fd, ev, PollMode::Edge) };
        if let Err(e) = added {
            self.release(key);
            return Err(e);
        }
        self.sources.fetch_add(1, Ordering::Relaxed);
        Ok((key, io))
    }

    /// Removes `fd` from the poller and frees its table slot; its wakers
    /// are dropped without being woken.
    pub(crate) fn deregister(&self, key: usize, fd: RawFd) {
        // SAFETY: `fd` is still open: deregistration happens before the
        // source is closed (the contract of `register`).
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        // After shutdown the poller may already have seen the fd closed by
        // a leaked owner; nothing useful can be done about an error here.
        let _ = self.poller.delete(fd);
        self.release(key);
        self.sources.fetch_sub(1, Ordering::Relaxed);
    }

    fn release(&self, key: usize) {
        let io = {
            let mut table = self.table.lock();
            let index = key & INDEX_MASK;
            let slot = &mut table.slots[index];
            debug_assert_eq!(slot.generation, key >> INDEX_BITS);
            slot.generation = (slot.generation + 1) & GENERATION_MASK;
            let io = slot.io.take();
            table.free.push(index);
            io
        };
        if let Some(io) = io {
            io.clear_wakers();
        }
    }

    /// Waits for events (at most `timeout`) and collects the wakers of the
    /// tasks they concern. Returns the number of source events.
    pub(crate) fn poll(
        &self,
        events: &mut Events,
        timeout: Option<Duration>,
        wakers: &mut Vec<Waker>,
    ) -> usize {
        events.clear();
        if let Err(e) = self.poller.wait(events, timeout) {
            // EINTR is retried inside `polling`; anything else means the
            // poller itself broke, which no caller can repair.
            panic!("the I/O driver's poller failed: {e}");
        }
        if events.is_empty() {
            return 0;
        }
        let table = self.table.lock();
        let mut n = 0;
        for ev in events.iter() {
            let index = ev.key & INDEX_MASK;
            let Some(slot) = table.slots.get(index) else {
                continue;
            };
            if slot.generation != ev.key >> INDEX_BITS {
                continue; // deregistered since the event was collected
            }
            let Some(io) = &slot.io else { continue };
            let mut bits = 0;
            if ev.readable {
                bits |= READABLE;
            }
            if ev.writable {
                bits |= WRITABLE;
            }
            if ev.is_interrupt() {
                bits |= READABLE | READ_CLOSED;
            }
            if ev.is_err() == Some(true) {
                bits |= ERROR;
            }
            if bits != 0 {
                io.set_readiness(bits, wakers);
                n += 1;
            }
        }
        n
    }

    /// Fails every pending and future wait with a "shut down" error and
    /// wakes the waiters, dropping the wakers (which hold tasks that hold
    /// the runtime: this breaks that cycle).
    pub(crate) fn shutdown(&self) {
        let ios: Vec<Arc<ScheduledIo>> = {
            let table = self.table.lock();
            self.is_shutdown.store(true, Ordering::Release);
            table.slots.iter().filter_map(|s| s.io.clone()).collect()
        };
        let mut wakers = Vec::new();
        for io in ios {
            io.set_readiness(SHUTDOWN, &mut wakers);
        }
        for w in wakers {
            w.wake();
        }
    }
}

/// The error every I/O operation returns once the runtime has shut down.
pub(crate) fn shutdown_error() -> io::Error {
    io::Error::other("the runtime this I/O resource belongs to has shut down")
}
