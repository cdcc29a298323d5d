//! A lease: the link between one thread and the worker core it runs, and
//! the protocol by which the hand-off monitor takes a core away from a
//! thread that is stuck inside a poll (`monitor.rs`).
//!
//! While a task is polled, the core is not in the thread's hands but in
//! its lease (`Lease::core`), where wakes from inside the poll reach it
//! (`with_core`) and where the monitor can take it. The rules, cited as
//! "lease rule N":
//!
//! 1. Only the lease's own thread puts a core into `core`, and only
//!    between polls (the run loop holds the core by value otherwise).
//! 2. The thread marks a poll with its stamp's `seq` (`poll_stamp.rs`):
//!    odd from just before the poll to just after it. The core pointer is
//!    written before the odd `seq` (Release), so a monitor that reads an
//!    odd `seq` (Acquire) sees it.
//! 3. The thread touches the core inside a poll (or a driver turn) only
//!    between `access = true` and `access = false`, and only if, after
//!    setting `access` and a [`light_fence`], `steal` reads `NONE`.
//! 4. Every store to `steal` happens under `lock`. The monitor takes the
//!    core only while holding `lock`: it stores
//!    `steal = REQUESTED`, runs a [`heavy_fence`], then reads `seq` and
//!    `access`. If `seq` still shows the poll it saw stuck and `access` is
//!    false, the core is the monitor's until it stores `steal` again:
//!    `NONE` (handed back, after a rescue) or `TAKEN` (gone for good, with
//!    `core` set to null). Otherwise it stores `NONE` and leaves the core
//!    alone.
//! 5. After a poll the thread stores the even `seq`, runs a
//!    [`light_fence`] and reads `steal`. `NONE`: the core is its own again.
//!    Anything else: it takes `lock` (waiting out a monitor that is still
//!    deciding) and reads `steal` again: `NONE` is as before, `TAKEN`
//!    means the core is gone and the thread must not touch it again.
//! 6. Rules 3-5 are Dekker's pattern: each side stores, fences, then loads
//!    what the other stored. With `membarrier(2)` the thread's fence is a
//!    compiler fence and the monitor's is the system call, which runs a
//!    full barrier on every thread of the process (the asymmetric fence of
//!    liburcu and folly); without it both are SeqCst fences. Either way at
//!    least one side sees the other's store: the monitor never takes a core
//!    the thread is using, and the thread never uses a core the monitor took.
//! 7. `steal = TAKEN` is final for a lease: its thread retires when its
//!    poll returns. `LENT` (the thread gave the core away itself, in
//!    `block_in_place`) is undone only by that thread, under `lock`, when
//!    it gets the core back before any other thread took it.

use super::worker::Core;
use crate::loom::sync::atomic::{AtomicBool, AtomicPtr, AtomicU8, Ordering};
use crate::loom::sync::Mutex;
use crate::scheduler::poll_stamp::PollStamp;
use std::panic::Location;
use std::ptr;

pub(crate) const NONE: u8 = 0;
pub(crate) const REQUESTED: u8 = 1;
/// The monitor handed the core to another thread.
pub(crate) const TAKEN: u8 = 2;
/// The thread gave its core away itself (`block_in_place`).
pub(crate) const LENT: u8 = 3;

/// One thread's hold on one worker's core; shared with the monitor.
#[repr(align(128))]
pub(crate) struct Lease {
    pub(crate) worker: usize,
    guarded: bool,
    stamped: bool,
    /// Which poll this thread is in; its `seq` is odd while a task is
    /// polled (lease rule 2). Read by the monitor thread, for both the
    /// hand-off and slow-poll reports.
    pub(crate) stamp: PollStamp,
    /// The core while a task is polled or the driver turned (rule 1).
    core: AtomicPtr<Core>,
    access: AtomicBool,
    steal: AtomicU8,
    lock: Mutex<()>,
    /// When the monitor took the core (coarse clock), for busy time.
    /// Statistics only: a std atomic even under loom.
    taken_at: std::sync::atomic::AtomicU64,
    /// The kernel's id of the lease's thread (`util/cpu_wait.rs`; 0 if
    /// none), so the monitor can tell a blocked poll from a preempted one.
    pub(crate) tid: i32,
}

impl Lease {
    /// A lease for a thread about to run worker `worker`'s core; `guarded`
    /// when a monitor may request the core (otherwise rule 6's fences are
    /// skipped: nobody stores REQUESTED), `stamped` when anything reads the
    /// stamp (the monitor or the slow-poll watchdog; otherwise polls are
    /// not stamped at all). `guarded` implies `stamped`. Called on the
    /// thread the lease is for.
    pub(crate) fn new(worker: usize, guarded: bool, stamped: bool) -> Lease {
        debug_assert!(stamped || !guarded, "a guarded lease must stamp its polls");
        Lease {
            worker,
            guarded,
            stamped,
            stamp: PollStamp::default(),
            core: AtomicPtr::new(ptr::null_mut()),
            access: AtomicBool::new(false),
            steal: AtomicU8::new(NONE),
            lock: Mutex::new(()),
            taken_at: std::sync::atomic::AtomicU64::new(0),
            tid: crate::util::cpu_wait::current_tid(),
        }
    }

    /// Rule 1: the core is reachable from inside the coming poll or turn.
    #[inline]
    pub(crate) fn put(&self, core: Box<Core>) {
        self.core.store(Box::into_raw(core), Ordering::Relaxed);
    }

    /// Rule 2: a poll of the task with id word `id_word` (spawned at
    /// `location`) begins.
    #[inline]
    pub(crate) fn begin_poll(&self, id_word: u64, location: &'static Location<'static>) {
        if self.stamped {
            self.stamp.begin(id_word, location);
        }
    }

    /// Rule 5: the poll returned; takes the core back (`None`: it was
    /// taken or lent, rule 7).
    #[inline]
    pub(crate) fn end_poll(&self) -> Option<Box<Core>> {
        if self.stamped {
            self.stamp.end();
        }
        if self.guarded {
            light_fence();
        }
        self.take()
    }

    /// Takes the core back after a driver turn or park (no poll was
    /// marked, so the monitor never requested it; rule 5 all the same).
    #[inline]
    pub(crate) fn take(&self) -> Option<Box<Core>> {
        // Acquire: after a rescue (`NONE` stored again), the monitor's
        // writes to the core are visible.
        if self.steal.load(Ordering::Acquire) != NONE {
            let _decided = self.lock.lock();
            if self.steal.load(Ordering::Acquire) != NONE {
                return None;
            }
        }
        // A load and a store, not a swap (a locked instruction on every
        // poll): with `steal` NONE here the monitor neither reads nor
        // writes `core` until this thread marks another poll (rule 4).
        let core = self.core.load(Ordering::Relaxed);
        self.core.store(ptr::null_mut(), Ordering::Relaxed);
        assert!(!core.is_null(), "worker core missing from its lease");
        // SAFETY: the pointer came from `Box::into_raw` in `put` (rule 1),
        // and `steal` is NONE, so the monitor did not take it (rule 4) and
        // will not while this thread is outside a marked poll (rule 2).
        Some(unsafe { Box::from_raw(core) })
    }

    /// After a panic unwound this lease's thread: the core, if it was left
    /// here (the panic came out of a park, a driver turn or around a poll)
    /// and the monitor did not take it. Ends a marked poll first, so the
    /// monitor stops considering it (rules 2 and 4).
    pub(crate) fn recover(&self) -> Option<Box<Core>> {
        if self.stamped && self.stamp.seq(Ordering::Relaxed) % 2 == 1 {
            self.stamp.end();
        }
        if self.guarded {
            light_fence();
        }
        // Under the lock the monitor is not deciding, and with `steal` NONE
        // and the poll ended it will not take the core (rule 4).
        let _decided = self.lock.lock();
        if self.steal.load(Ordering::Acquire) != NONE {
            return None;
        }
        let core = self.core.load(Ordering::Relaxed);
        self.core.store(ptr::null_mut(), Ordering::Relaxed);
        // SAFETY: a non-null pointer came from `Box::into_raw` in `put`
        // (rule 1) and is still ours: `steal` is NONE under the lock, so the
        // monitor neither took it nor will (rule 4).
        (!core.is_null()).then(|| unsafe { Box::from_raw(core) })
    }

    /// Rule 3: runs `f` on the core from inside a poll or turn; `None`
    /// when there is no core here or the monitor wants it.
    #[inline]
    pub(crate) fn with_core<R>(&self, f: impl FnOnce(&mut Core) -> R) -> Option<R> {
        let core = self.core.load(Ordering::Relaxed);
        if core.is_null() || self.access.load(Ordering::Relaxed) {
            // No core, or already inside `with_core` (a re-entrant wake):
            // the caller takes the remote path.
            return None;
        }
        self.access.store(true, Ordering::Relaxed);
        if self.guarded {
            light_fence();
        }
        if self.steal.load(Ordering::Acquire) != NONE {
            self.access.store(false, Ordering::Release);
            return None;
        }
        // SAFETY: lease rule 3: `access` is set and `steal` read NONE
        // after the fence, so the monitor will not take the core until
        // `access` is cleared (rule 4); only this thread uses it meanwhile,
        // and the re-entry check above keeps this the only `&mut`.
        let out = f(unsafe { &mut *core });
        // Release: a monitor that reads `false` sees what `f` wrote.
        self.access.store(false, Ordering::Release);
        Some(out)
    }

    /// `block_in_place`: gives the core away from inside a poll, marking
    /// the lease LENT (rule 7). `None` if the monitor took it. Every store
    /// to `steal` happens under `lock`, so holding it here means no
    /// monitor is half-way through rule 4.
    pub(crate) fn lend(&self) -> Option<Box<Core>> {
        let _deciding = self.lock.lock();
        if self.steal.load(Ordering::Relaxed) != NONE {
            return None;
        }
        let core = self.core.swap(ptr::null_mut(), Ordering::Relaxed);
        if core.is_null() {
            return None;
        }
        self.steal.store(LENT, Ordering::Relaxed);
        // SAFETY: the pointer came from `Box::into_raw` in `put`; `steal`
        // was NONE under `lock`, so no monitor holds it (rule 4), and with
        // LENT stored none will.
        Some(unsafe { Box::from_raw(core) })
    }

    /// `block_in_place` got its core back before another thread took it:
    /// the lease holds it again (rule 7 allows it for a LENT lease only,
    /// which the monitor never touches).
    pub(crate) fn reattach(&self, core: Box<Core>) {
        let _deciding = self.lock.lock();
        debug_assert_eq!(self.steal.load(Ordering::Relaxed), LENT);
        self.put(core);
        self.steal.store(NONE, Ordering::Release);
    }

    /// When the monitor took the core (coarse clock; after `TAKEN`).
    pub(crate) fn taken_at(&self) -> u64 {
        self.taken_at.load(Ordering::Relaxed)
    }

    /// How the lease ended (after `end_poll` returned `None`).
    pub(crate) fn outcome(&self) -> u8 {
        self.steal.load(Ordering::Acquire)
    }

    /// Rule 4 (monitor side): if the poll `seen` is still running and the
    /// thread is not touching the core, runs `f` on the core; `f` returns
    /// whether it keeps the core (`true`: `TAKEN`, the caller now owns the
    /// returned box) or hands it back. Returns the core when kept.
    pub(crate) fn steal_if_stuck(
        &self,
        seen: u64,
        f: impl FnOnce(&mut Core) -> bool,
    ) -> Option<Box<Core>> {
        let _deciding = self.lock.lock();
        if self.steal.load(Ordering::Relaxed) != NONE {
            // Lent or taken already.
            return None;
        }
        self.steal.store(REQUESTED, Ordering::SeqCst);
        heavy_fence();
        if self.stamp.seq(Ordering::Acquire) != seen || self.access.load(Ordering::Acquire) {
            self.steal.store(NONE, Ordering::Release);
            return None;
        }
        let core = self.core.load(Ordering::Acquire);
        assert!(!core.is_null(), "a stuck poll's lease has no core");
        // SAFETY: lease rule 4: the poll `seen` is still running and the
        // thread is outside `with_core`, so it will not touch the core
        // before it reads `steal` again (rules 3, 5), and `steal` is
        // REQUESTED until this function stores it below.
        let keep = f(unsafe { &mut *core });
        if keep {
            self.taken_at
                .store(crate::util::clock::coarse_now_ns(), Ordering::Relaxed);
            self.core.store(ptr::null_mut(), Ordering::Relaxed);
            self.steal.store(TAKEN, Ordering::Release);
            // SAFETY: the pointer came from `Box::into_raw` in `put`, and
            // with `TAKEN` stored the thread never uses it again (rule 5).
            Some(unsafe { Box::from_raw(core) })
        } else {
            // Release: the thread's next read of NONE sees `f`'s writes.
            self.steal.store(NONE, Ordering::Release);
            None
        }
    }
}

/// The thread's side of rule 6.
#[inline]
pub(crate) fn light_fence() {
    #[cfg(all(target_os = "linux", not(loom)))]
    if membarrier::available() {
        std::sync::atomic::compiler_fence(Ordering::SeqCst);
        return;
    }
    crate::loom::sync::atomic::fence(Ordering::SeqCst);
}

/// The monitor's side of rule 6.
pub(crate) fn heavy_fence() {
    #[cfg(all(target_os = "linux", not(loom)))]
    if membarrier::available() {
        membarrier::barrier();
        return;
    }
    crate::loom::sync::atomic::fence(Ordering::SeqCst);
}

/// `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`, registered once per
/// process; unavailable (old kernel, seccomp) means both sides of rule 6
/// use SeqCst fences.
#[cfg(all(target_os = "linux", not(loom)))]
pub(crate) mod membarrier {
    use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

    const UNKNOWN: u8 = 0;
    const YES: u8 = 1;
    const NO: u8 = 2;
    static STATE: AtomicU8 = AtomicU8::new(UNKNOWN);

    const CMD_QUERY: libc::c_long = 0;
    const CMD_PRIVATE_EXPEDITED: libc::c_long = 1 << 3;
    const CMD_REGISTER_PRIVATE_EXPEDITED: libc::c_long = 1 << 4;

    fn membarrier(cmd: libc::c_long) -> libc::c_long {
        // SAFETY: membarrier takes two integers and touches no memory of
        // ours; an unknown command fails with EINVAL.
        unsafe {
            libc::syscall(
                libc::SYS_membarrier,
                cmd,
                0 as libc::c_long,
                0 as libc::c_long,
            )
        }
    }

    /// Registers the process (once). Must run before any worker thread
    /// reads `available`, so that both sides agree for the process's life:
    /// the runtime builder calls it before it starts a worker.
    pub(crate) fn init() {
        if STATE.load(Relaxed) != UNKNOWN {
            return;
        }
        let supported = membarrier(CMD_QUERY);
        let ok = supported >= 0
            && supported & CMD_PRIVATE_EXPEDITED != 0
            && membarrier(CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
        // Racing initialisers compute the same answer; the first wins.
        let _ = STATE.compare_exchange(UNKNOWN, if ok { YES } else { NO }, Relaxed, Relaxed);
    }

    #[inline]
    pub(crate) fn available() -> bool {
        STATE.load(Relaxed) == YES
    }

    pub(crate) fn barrier() {
        let r = membarrier(CMD_PRIVATE_EXPEDITED);
        assert!(
            r == 0,
            "membarrier(PRIVATE_EXPEDITED) failed after registration: {}",
            std::io::Error::last_os_error()
        );
    }
}
