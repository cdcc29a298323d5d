//! The hand-off part of the runtime's monitor thread (`runtime/monitor.rs`;
//! Go's sysmon, for blocked workers): from the samples of each worker
//! thread's poll stamp, it rescues the work of a worker stuck in one poll.
//!
//! - A poll seen at two looks in a row (running for at least a period:
//!   500 us, `TICK`, while a core is free or a long poll runs; see
//!   `runtime/monitor.rs` for when the looks are sparser), or seen at one
//!   look while its thread is asleep in the kernel and some worker is
//!   parked (`util/cpu_wait.rs`: one `pread` of the thread's `stat`), is
//!   *stuck*: the monitor takes the worker's core for a moment (lease
//!   rule 4), moves its LIFO slot, yielded tasks and local queue to the
//!   injector, where every other worker looks every few polls, wakes an
//!   idle worker, and hands the core back. Tasks queued behind a blocking
//!   call wait about a millisecond at most, not for the call (up to 5 ms
//!   in one case: the workers had been taking the looks as they woke, see
//!   `runtime/monitor.rs`, and stopped waking just then). (Rescuing a
//!   poll that was about to return costs only the move: its tasks run
//!   elsewhere.)
//! - A poll still running at `handoff_threshold` (default 10 ms): the
//!   monitor keeps the core (rule 4, `TAKEN`) and starts a thread from the
//!   blocking pool to run it, so the worker's I/O and timer turns and its
//!   future work carry on. The stuck thread finishes its poll, finds the
//!   core gone (rule 5) and returns to the pool. Not while the stuck
//!   thread is waiting for a CPU (`util/cpu_wait.rs`): it is preempted,
//!   not blocked, on a machine with more runnable threads than cores, and
//!   a new thread would wait for the same CPUs. An asleep thread is handed
//!   off at once; a runnable one is looked at again at the next look, and
//!   handed off only if it was on a CPU for at least half of that time.
//!   A look reads the kernel's files only for a poll it finds running
//!   while a worker is parked, until that poll is rescued, or past the
//!   threshold. At most
//!   `max_handoff_threads` threads can be stuck with their cores handed
//!   off at once; past that the monitor logs a warning naming the task.
//! - Once every worker has been parked for 50 ms the monitor thread
//!   sleeps (an idle runtime makes no system calls); the first worker to
//!   wake from park wakes it (`Shared::worker_woke`, one load while it
//!   is awake). Shorter idle gaps, as between a server's requests, it
//!   spans with timed looks, so that no request pays for waking it.

use super::handle::MultiThreadHandle;
use super::lease::Lease;
use super::worker::{start_thread, Worker};
use crate::loom::sync::Arc;
use crate::runtime::HandoffConfig;
use crate::scheduler::poll_stamp::PollMark;
use crate::util::cpu_wait;
use crate::util::fmt::{Human, TaskLabel, Where};
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::time::{Duration, Instant};

/// The `log` target of the monitor's warnings.
pub(crate) const LOG_TARGET: &str = "runtime::handoff";

/// The monitor's period while any worker is awake and a poll runs (see
/// `runtime/monitor.rs`).
pub(crate) use crate::scheduler::monitor_shared::TICK;

/// What the monitor knows of one lease's thread.
#[derive(Default)]
pub(crate) struct Track {
    poll: PollTrack,
    /// The thread's kernel files, opened at the first reading.
    files: Option<cpu_wait::ThreadFiles>,
}

impl Track {
    fn files(&mut self, lease: &Lease) -> &mut cpu_wait::ThreadFiles {
        self.files
            .get_or_insert_with(|| cpu_wait::ThreadFiles::new(lease.tid))
    }
}

/// What the monitor knows of one lease's current poll.
#[derive(Default)]
struct PollTrack {
    /// The poll's `seq`, and when it was first seen.
    seen: Option<(u64, Instant)>,
    rescued: bool,
    /// The stuck thread as the kernel saw it at the last look past the
    /// threshold that found it runnable.
    cpu: Option<(Instant, cpu_wait::Sample)>,
    handed_off: bool,
    warned: bool,
}

/// The hand-off part of the monitor thread.
pub(crate) struct Handoff {
    config: HandoffConfig,
    workers: Vec<Arc<Worker>>,
    handle: Arc<MultiThreadHandle>,
}

impl Handoff {
    pub(crate) fn new(config: HandoffConfig, workers: Vec<Arc<Worker>>) -> Handoff {
        let handle = workers
            .first()
            .expect("a multi-thread runtime has a worker")
            .handle
            .clone();
        Handoff {
            config,
            workers,
            handle,
        }
    }

    /// No worker is parked: the monitor's looks preempt a worker on a
    /// machine with no free core.
    pub(crate) fn none_parked(&self) -> bool {
        !self.handle.idle.any_parked()
    }

    /// One look at `lease`, whose stamp shows `mark`.
    pub(crate) fn observe(
        &self,
        lease: &Lease,
        track: &mut Track,
        mark: Option<PollMark>,
        now: Instant,
    ) {
        let Some(mark) = mark else {
            track.poll = PollTrack::default();
            return;
        };
        let first_seen = match track.poll.seen {
            Some((seq, first_seen)) if seq == mark.seq => Some(first_seen),
            _ => {
                // A new poll since the last look.
                track.poll = PollTrack {
                    seen: Some((mark.seq, now)),
                    ..PollTrack::default()
                };
                None
            }
        };
        if self.handle.is_shutdown.load(SeqCst) {
            return;
        }
        // Running at least since the look that first saw it.
        let running = first_seen.map_or(Duration::ZERO, |since| now - since);
        if !track.poll.rescued
            && (
                // Seen at two looks, and not just because a nudge made
                // two looks close together.
                running >= TICK / 2
                // Asleep in the kernel inside a poll (blocked, not
                // computing), with a parked worker to take what waits
                // behind it: no need for a second look.
                || (!self.none_parked() && track.files(lease).asleep() == Some(true))
            )
        {
            track.poll.rescued = true;
            self.rescue(lease, mark.seq);
        }
        if first_seen.is_none() {
            return;
        }
        let poll = &mut track.poll;
        if running + TICK / 2 < self.config.threshold || poll.handed_off {
            return;
        }
        if self.handle.monitor.stuck_threads.load(SeqCst) >= self.config.max_threads {
            if !poll.warned {
                poll.warned = true;
                warn_at_cap(&mark, lease.worker, running, self.config.max_threads);
            }
            return;
        }
        if preempted(lease, track, now) {
            return;
        }
        track.poll.handed_off = true;
        self.hand_off(lease, mark.seq);
    }

    /// Moves what waits on a stuck worker to the injector (lease rule 4,
    /// handing the core back).
    fn rescue(&self, lease: &Lease, seq: u64) {
        let handle = &self.handle;
        let mut moved = 0usize;
        lease.steal_if_stuck(seq, |core| {
            moved = core.drain_into_injector(handle);
            false
        });
        if moved > 0 {
            handle.notify_parked();
        }
    }

    /// Gives a stuck worker's core to a new thread (lease rule 4, `TAKEN`).
    fn hand_off(&self, lease: &Lease, seq: u64) {
        let handle = &self.handle;
        let Some(core) = lease.steal_if_stuck(seq, |_| true) else {
            return;
        };
        let shared = &handle.monitor;
        shared.stuck_threads.fetch_add(1, SeqCst);
        shared.handoffs.fetch_add(1, Relaxed);
        let worker = &self.workers[lease.worker];
        worker.park_core(core);
        if start_thread(worker.clone()).is_err() {
            // Shutting down (or no thread at all): stop the core here, as
            // its thread would have.
            if let Some(core) = worker.unpark_core() {
                handle.owned.close_and_shutdown_all();
                handle.shutdown_core(*core);
            }
        }
    }
}

/// Asked at each look past the threshold: `true` to wait, because the
/// stuck thread may be preempted rather than blocked. Asleep (or not
/// readable): `false`, hand off. Runnable for the first time: `true`, and
/// the next look tells. Runnable again: `true` only if it was on a CPU
/// for less than half the time since the last look.
fn preempted(lease: &Lease, track: &mut Track, now: Instant) -> bool {
    let Some(after) = track.files(lease).sample().filter(|s| s.runnable) else {
        return false;
    };
    match track.poll.cpu.replace((now, after)) {
        None => true,
        Some((since, before)) => cpu_wait::waiting_for_cpu(now - since, before, after),
    }
}

fn warn_at_cap(mark: &PollMark, worker: usize, running: Duration, cap: usize) {
    log::warn!(
        target: LOG_TARGET,
        "{} spawned at {} has blocked worker {worker} for {} in one poll, and \
         {cap} other stuck thread(s) already run handed-off cores (Builder::max_handoff_threads): \
         this worker's core waits until the poll returns. Move blocking work to spawn_blocking \
         (or block_in_place), or raise max_handoff_threads",
        TaskLabel(mark.task, mark.name().as_deref()),
        Where(mark.location),
        Human(running)
    );
}
