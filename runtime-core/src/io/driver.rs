//! The I/O half of the driver: one `polling::Poller` per runtime and the
//! table of registered sources.
//!
//! `polling` registers, re-arms and removes sources. On Linux the driver
//! waits with `epoll_wait` on the poller's epoll fd itself and wakes with
//! an eventfd of its own: `Poller::wait` makes five system calls per wait
//! (it re-arms a timerfd and its notifier each time), which measurably
//! cost CPU per request under load (see `docs/benchmarks.md`); this wait
//! makes one, like Tokio's. Elsewhere `Poller::wait`/`notify` are used.
//!
//! Every source is added edge-triggered with a key that packs its table
//! index and a generation. An event is looked up under the table lock, so
//! an event that names a source deregistered meanwhile (another thread may
//! have collected it just before the `delete`) finds a different
//! generation and is ignored instead of touching freed state.

use super::scheduled_io::WRITE_CLOSED;
use super::scheduled_io::{ScheduledIo, ERROR, READABLE, READ_CLOSED, SHUTDOWN, WRITABLE};
use parking_lot::Mutex;
use polling::{Event, PollMode, Poller};
use std::io;
use std::os::fd::{BorrowedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Waker;
use std::time::Duration;

/// What a driver calls when the signal pipe is readable: installed by
/// the signal registry (`signal/registry.rs`) when it creates the pipe,
/// before any driver can watch it, so this layer need not name it.
static SIGNAL_DISPATCH: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Installs the signal registry's dispatch (the first call wins).
pub(crate) fn on_signal_pipe(dispatch: fn()) {
    let _ = SIGNAL_DISPATCH.set(dispatch);
}

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

/// The turning thread's event buffer.
pub(crate) struct EventBuf {
    #[cfg(target_os = "linux")]
    list: Vec<libc::epoll_event>,
    #[cfg(not(target_os = "linux"))]
    list: polling::Events,
}

/// How many events one wait takes at most (as Tokio's 1024).
#[cfg(target_os = "linux")]
const EVENTS_PER_WAIT: usize = 1024;

impl EventBuf {
    pub(crate) fn new() -> EventBuf {
        EventBuf {
            #[cfg(target_os = "linux")]
            list: Vec::with_capacity(EVENTS_PER_WAIT),
            #[cfg(not(target_os = "linux"))]
            list: polling::Events::new(),
        }
    }
}

/// The key of the driver's own wake-up eventfd: the top bit is never set
/// in a source key (see `GENERATION_MASK`), and it is not `polling`'s.
#[cfg(target_os = "linux")]
const WAKE_KEY: usize = usize::MAX - 1;

/// The key of this driver's copy of the process-wide signal pipe (see
/// `crate::signal::registry`): an event under it means some signal
/// arrived; the driver drains the pipe and wakes the listeners.
const SIGNAL_KEY: usize = usize::MAX - 2;

pub(crate) struct IoDriver {
    pub(crate) poller: Poller,
    /// Linux: the eventfd `notify` writes to (registered edge-triggered
    /// under `WAKE_KEY`: every write is an event of its own, so the
    /// counter is never read back, as mio does), and whether a write is
    /// pending.
    #[cfg(target_os = "linux")]
    wake_fd: std::os::fd::OwnedFd,
    #[cfg(target_os = "linux")]
    wake_pending: AtomicBool,
    table: Mutex<Table>,
    /// Registered sources; while 0 a busy worker skips its I/O poll.
    sources: AtomicUsize,
    /// Whether `enable_io` was set (the poller exists for timers anyway).
    pub(crate) enabled: bool,
    is_shutdown: AtomicBool,
    /// Source events dispatched so far (`RuntimeMetrics::io_driver_ready_count`).
    ready_count: AtomicU64,
    /// This driver's duplicate of the signal pipe's read end, registered
    /// level-triggered under `SIGNAL_KEY` the first time a signal listener
    /// is created on this runtime (then kept until the driver drops).
    signal_fd: std::sync::OnceLock<Result<std::os::fd::OwnedFd, String>>,
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
        #[cfg(target_os = "linux")]
        let wake_fd = {
            use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
            // SAFETY: eventfd(2) with valid flags; a non-negative result is
            // a new fd that we own from here on.
            let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `fd` was just created and is owned by nobody else.
            let fd = unsafe { OwnedFd::from_raw_fd(fd) };
            // SAFETY: the eventfd lives in the driver next to the poller
            // and is only closed when the driver (and so the poller) drops.
            unsafe {
                poller.add_with_mode(fd.as_raw_fd(), Event::readable(WAKE_KEY), PollMode::Edge)?
            };
            fd
        };
        Ok(IoDriver {
            poller,
            #[cfg(target_os = "linux")]
            wake_fd,
            #[cfg(target_os = "linux")]
            wake_pending: AtomicBool::new(false),
            table: Mutex::new(Table::default()),
            sources: AtomicUsize::new(0),
            enabled,
            is_shutdown: AtomicBool::new(false),
            ready_count: AtomicU64::new(0),
            signal_fd: std::sync::OnceLock::new(),
        })
    }

    /// Makes this driver watch the process-wide signal pipe (`pipe` is its
    /// read end; a duplicate is registered, so the driver owns what it
    /// watches). Idempotent; the error of a failed first attempt is kept.
    pub(crate) fn enable_signals(&self, pipe: BorrowedFd<'_>) -> io::Result<()> {
        let result = self.signal_fd.get_or_init(|| {
            use std::os::fd::AsRawFd;
            let fd = pipe.try_clone_to_owned().map_err(|e| e.to_string())?;
            // SAFETY: `fd` is owned by this driver from here on and only
            // closed when the driver drops, after the poller (declared
            // first) has been closed.
            unsafe {
                self.poller.add_with_mode(
                    fd.as_raw_fd(),
                    Event::readable(SIGNAL_KEY),
                    PollMode::Level,
                )
            }
            .map_err(|e| e.to_string())?;
            // Counts as a source: busy workers must keep polling for it.
            self.sources.fetch_add(1, Ordering::Relaxed);
            Ok(fd)
        });
        match result {
            Ok(_) => Ok(()),
            Err(e) => Err(io::Error::other(format!(
                "could not watch the signal pipe with the I/O driver: {e}"
            ))),
        }
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
        // One `epoll_ctl` with the flags `polling` would set plus
        // EPOLLRDHUP (polling cannot ask for it; adding then modifying
        // would cost a second system call per source). `polling` keeps no
        // state of its own per epoll source, so its `delete` still pairs
        // with this.
        #[cfg(target_os = "linux")]
        let added = epoll_add(&self.poller, fd, &ev);
        // SAFETY: the caller promises (see this function's contract, kept by
        // `Registration`, which deregisters in its destructor before the
        // owner of `fd` is dropped) that `fd` stays open until `deregister`.
        #[cfg(not(target_os = "linux"))]
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

    /// Frees the table slot of a source whose fd is closed right after
    /// (its owner closes it on drop), without `epoll_ctl(DEL)`: the kernel
    /// drops a file's registration itself when the file's last descriptor
    /// closes. An event already collected for the key, or one from a
    /// duplicate of the fd that outlives it (a `dup`, a forked child before
    /// its `exec`), finds a newer generation and is ignored, as after a
    /// `deregister`. Wakers are dropped without being woken.
    pub(crate) fn forget(&self, key: usize) {
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

    /// Wakes the thread waiting in `poll` (or makes its next wait return
    /// at once).
    pub(crate) fn notify(&self) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            // One write per wake-up is enough; `poll` clears the flag when
            // it collects the write's event (a wake landing before that
            // finds the flag still set, and the thread it would wake is
            // awake already; the parker's own state remembers the unpark).
            if self.wake_pending.swap(true, Ordering::AcqRel) {
                return Ok(());
            }
            let fd = self.wake_fd.as_raw_fd();
            let one: u64 = 1;
            // SAFETY: an 8-byte write from a valid u64 to our eventfd.
            let n = unsafe { libc::write(fd, (&one as *const u64).cast(), 8) };
            if n >= 0 {
                return Ok(());
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::WouldBlock {
                return Err(e);
            }
            // The counter is saturated (after 2^64 - 2 wake-ups): a failed
            // write makes no edge, so reset the counter and write again.
            let mut buf = 0u64;
            // SAFETY: an 8-byte read into a valid u64 from our eventfd.
            unsafe { libc::read(fd, (&mut buf as *mut u64).cast(), 8) };
            // SAFETY: an 8-byte write from a valid u64 to our eventfd.
            if unsafe { libc::write(fd, (&one as *const u64).cast(), 8) } < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        }
        #[cfg(not(target_os = "linux"))]
        self.poller.notify()
    }

    /// Waits for events (at most `timeout`) and collects the wakers of the
    /// tasks they concern. Returns the number of source events.
    pub(crate) fn poll(
        &self,
        events: &mut EventBuf,
        timeout: Option<Duration>,
        wakers: &mut Vec<Waker>,
    ) -> usize {
        #[cfg(target_os = "linux")]
        let n = self.poll_epoll(events, timeout, wakers);
        #[cfg(not(target_os = "linux"))]
        let n = self.poll_polling(events, timeout, wakers);
        if n > 0 {
            // Relaxed: a statistic.
            self.ready_count.fetch_add(n as u64, Ordering::Relaxed);
        }
        n
    }

    /// Source events dispatched since the driver started.
    pub(crate) fn ready_count(&self) -> u64 {
        self.ready_count.load(Ordering::Relaxed)
    }

    #[cfg(target_os = "linux")]
    fn poll_epoll(
        &self,
        events: &mut EventBuf,
        timeout: Option<Duration>,
        wakers: &mut Vec<Waker>,
    ) -> usize {
        use std::os::fd::AsRawFd;
        let list = &mut events.list;
        list.clear();
        // Round up: a timer must never be woken for early (as mio does).
        let timeout_ms = timeout.map_or(-1, |d| {
            i32::try_from(d.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX)
        });
        // SAFETY: the buffer has room for `capacity` events and the kernel
        // writes at most that many; `set_len` below covers exactly the
        // number it reports as written.
        let n = unsafe {
            libc::epoll_wait(
                self.poller.as_raw_fd(),
                list.as_mut_ptr(),
                list.capacity() as i32,
                timeout_ms,
            )
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                return 0; // a spurious wake-up: the caller parks again
            }
            panic!("the I/O driver's epoll_wait failed: {e}");
        }
        // SAFETY: `epoll_wait` initialised the first `n` entries.
        unsafe { list.set_len(n as usize) };
        if list.is_empty() {
            return 0;
        }
        let table = self.table.lock();
        let mut count = 0;
        let mut signalled = false;
        for ev in list.iter() {
            let (flags, key) = (ev.events as i32, ev.u64 as usize);
            if key == WAKE_KEY {
                // Edge-triggered: the next write makes a new event whatever
                // the counter holds, so it is not read back.
                self.wake_pending.store(false, Ordering::Release);
                continue;
            }
            if key == SIGNAL_KEY {
                signalled = true;
                continue;
            }
            let mut bits = 0;
            if flags & (libc::EPOLLIN | libc::EPOLLPRI) != 0 {
                bits |= READABLE;
            }
            if flags & libc::EPOLLOUT != 0 {
                bits |= WRITABLE;
            }
            if flags & libc::EPOLLRDHUP != 0 {
                bits |= READABLE | READ_CLOSED;
            }
            if flags & libc::EPOLLHUP != 0 {
                bits |= READABLE | READ_CLOSED | WRITABLE | WRITE_CLOSED;
            }
            if flags & libc::EPOLLERR != 0 {
                bits |= READABLE | WRITABLE | ERROR;
            }
            count += self.dispatch(&table, key, bits, wakers);
        }
        drop(table);
        if signalled {
            if let Some(dispatch) = SIGNAL_DISPATCH.get() {
                dispatch();
            }
        }
        count
    }

    #[cfg(not(target_os = "linux"))]
    fn poll_polling(
        &self,
        events: &mut EventBuf,
        timeout: Option<Duration>,
        wakers: &mut Vec<Waker>,
    ) -> usize {
        let events = &mut events.list;
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
        let mut signalled = false;
        for ev in events.iter() {
            if ev.key == SIGNAL_KEY {
                signalled = true;
                continue;
            }
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
            n += self.dispatch(&table, ev.key, bits, wakers);
        }
        drop(table);
        if signalled {
            if let Some(dispatch) = SIGNAL_DISPATCH.get() {
                dispatch();
            }
        }
        n
    }

    /// Records `bits` for the source `key` names, if it is still the one
    /// registered under that key. Returns 1 if it was.
    fn dispatch(&self, table: &Table, key: usize, bits: usize, wakers: &mut Vec<Waker>) -> usize {
        let index = key & INDEX_MASK;
        let Some(slot) = table.slots.get(index) else {
            return 0;
        };
        if slot.generation != key >> INDEX_BITS {
            return 0; // deregistered since the event was collected
        }
        match &slot.io {
            Some(io) if bits != 0 => {
                io.set_readiness(bits, wakers);
                1
            }
            _ => 0,
        }
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

/// Adds `fd` edge-triggered with `EPOLLRDHUP`, which `polling` has no way
/// to ask for. With it, a peer's FIN arrives as READ_CLOSED, which is
/// never cleared, so a stream read that comes back short may clear the
/// readiness it used without risk of missing the end of the stream
/// (`Registration::poll_stream_io`).
#[cfg(target_os = "linux")]
fn epoll_add(poller: &Poller, fd: RawFd, ev: &Event) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let mut flags = libc::EPOLLET | libc::EPOLLRDHUP;
    if ev.readable {
        flags |= libc::EPOLLIN | libc::EPOLLPRI | libc::EPOLLHUP | libc::EPOLLERR;
    }
    if ev.writable {
        flags |= libc::EPOLLOUT | libc::EPOLLHUP | libc::EPOLLERR;
    }
    let mut event = libc::epoll_event {
        events: flags as u32,
        u64: ev.key as u64,
    };
    // SAFETY: epoll_ctl on the poller's epoll fd for an fd the caller of
    // `register` keeps open until `deregister` (which deletes it), with a
    // valid event struct.
    let r = unsafe { libc::epoll_ctl(poller.as_raw_fd(), libc::EPOLL_CTL_ADD, fd, &mut event) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The error every I/O operation returns once the runtime has shut down.
pub(crate) fn shutdown_error() -> io::Error {
    io::Error::other("the runtime this I/O resource belongs to has shut down")
}

#[cfg(all(test, target_os = "linux", not(loom)))]
mod tests {
    use super::{EventBuf, IoDriver};
    use std::os::fd::AsRawFd;
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    /// Long enough never to run out when the wake-up works; a lost wake-up
    /// shows as the flag still set after it.
    const HANG_GUARD: Option<Duration> = Some(Duration::from_secs(30));

    fn poll_once(driver: &IoDriver) {
        let mut events = EventBuf::new();
        let mut wakers = Vec::new();
        assert_eq!(driver.poll(&mut events, HANG_GUARD, &mut wakers), 0);
        assert!(wakers.is_empty());
    }

    #[test]
    fn every_notify_wakes_the_next_poll_without_reading_the_counter() {
        let driver = IoDriver::new(true).unwrap();
        for _ in 0..3 {
            driver.notify().unwrap();
            assert!(driver.wake_pending.load(Ordering::Acquire));
            poll_once(&driver);
            assert!(
                !driver.wake_pending.load(Ordering::Acquire),
                "the poll returned without collecting the wake-up's event"
            );
        }
        // Never read back: the counter holds one per write.
        let mut count = 0u64;
        // SAFETY: an 8-byte read into a valid u64 from the driver's eventfd.
        let n = unsafe {
            libc::read(
                driver.wake_fd.as_raw_fd(),
                (&mut count as *mut u64).cast(),
                8,
            )
        };
        assert_eq!((n, count), (8, 3));
    }

    #[test]
    fn a_notify_on_a_saturated_counter_still_wakes() {
        let driver = IoDriver::new(true).unwrap();
        let max: u64 = u64::MAX - 1;
        // SAFETY: an 8-byte write from a valid u64 to the driver's eventfd.
        let n = unsafe { libc::write(driver.wake_fd.as_raw_fd(), (&max as *const u64).cast(), 8) };
        assert_eq!(n, 8);
        // That write's own event.
        driver.wake_pending.store(true, Ordering::Release);
        poll_once(&driver);
        assert!(!driver.wake_pending.load(Ordering::Acquire));
        // A write of 1 would now fail with EAGAIN and make no event.
        driver.notify().unwrap();
        poll_once(&driver);
        assert!(
            !driver.wake_pending.load(Ordering::Acquire),
            "a notify on a saturated eventfd made no event"
        );
    }
}
