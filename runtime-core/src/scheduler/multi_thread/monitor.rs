//! The hand-off monitor (Go's sysmon, for blocked workers): a thread that
//! samples which poll each worker thread is in and rescues the work of a
//! worker stuck in one poll.
//!
//! - A poll seen at two ticks in a row (running for at least a tick,
//!   `TICK` = 500 us) is *stuck*: the monitor takes the worker's core for
//!   a moment (lease rule 4), moves its LIFO slot, yielded tasks and local
//!   queue to the injector, where every other worker looks every few
//!   polls, wakes an idle worker, and hands the core back. Tasks queued
//!   behind a blocking call wait about a millisecond, not for the call.
//! - A poll still running at `handoff_threshold` (default 10 ms): the
//!   monitor keeps the core (rule 4, `TAKEN`) and starts a thread from the
//!   blocking pool to run it, so the worker's I/O and timer turns and its
//!   future work carry on. The stuck thread finishes its poll, finds the
//!   core gone (rule 5) and returns to the pool. At most
//!   `max_handoff_threads` threads can be stuck with their cores handed
//!   off at once; past that the monitor logs a warning naming the task.
//! - The monitor sleeps while every worker is parked (an idle runtime
//!   makes no system calls); the first worker to wake up wakes it
//!   (`MonitorShared::worker_woke`, one load when it is awake).

use super::handle::Handle;
use super::lease::{Lease, PollMark};
use super::worker::{start_thread, Worker};
use crate::loom::sync::Arc;
use crate::runtime::dump::Human;
use parking_lot::{Condvar, Mutex};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::*};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The `log` target of the monitor's warnings.
pub(crate) const LOG_TARGET: &str = "runtime::handoff";

/// Sampling period while any worker is awake: a stuck poll's queue is
/// rescued 0.5-1 ms after the poll began.
const TICK: Duration = Duration::from_micros(500);

/// The hand-off settings (`Builder::handoff_threshold`,
/// `Builder::max_handoff_threads`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct HandoffConfig {
    pub(crate) threshold: Duration,
    pub(crate) max_threads: usize,
}

/// The part of the monitor the workers and metrics see (in the handle).
#[derive(Default)]
pub(crate) struct MonitorShared {
    /// Set by the monitor before it sleeps for good (SeqCst: Dekker with
    /// the idle state's unparked count, see `worker_woke`).
    sleeping: AtomicBool,
    stop: Mutex<bool>,
    wake: Condvar,
    /// Cores handed to a new thread so far.
    pub(crate) handoffs: AtomicU64,
    /// Threads whose core was handed off and whose poll has not returned.
    pub(crate) stuck_threads: AtomicUsize,
}

impl MonitorShared {
    /// Called by a worker after it wakes from park: wakes the monitor if
    /// it sleeps because every worker was parked.
    #[inline]
    pub(crate) fn worker_woke(&self) {
        if self.sleeping.load(SeqCst) {
            let _stop = self.stop.lock();
            self.wake.notify_one();
        }
    }
}

/// The monitor thread of one runtime; stopped at shutdown.
pub(crate) struct Monitor {
    handle: Arc<Handle>,
    thread: Option<JoinHandle<()>>,
}

impl Monitor {
    pub(crate) fn start(
        config: HandoffConfig,
        workers: Vec<Arc<Worker>>,
        handle: Arc<Handle>,
    ) -> std::io::Result<Monitor> {
        let h = handle.clone();
        let thread = std::thread::Builder::new()
            .name("runtime-monitor".into())
            .spawn(move || {
                Sampler {
                    config,
                    workers,
                    handle: h,
                    tracked: Vec::new(),
                }
                .run()
            })?;
        Ok(Monitor {
            handle,
            thread: Some(thread),
        })
    }

    /// Stops the thread and waits for it (it waits on nothing but its
    /// tick, so this is quick).
    pub(crate) fn stop(&mut self) {
        let shared = &self.handle.monitor;
        *shared.stop.lock() = true;
        shared.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What the monitor knows of one lease's current poll.
struct Tracked {
    lease: Arc<Lease>,
    mark: Option<PollMark>,
    first_seen: Instant,
    rescued: bool,
    handed_off: bool,
    warned: bool,
}

struct Sampler {
    config: HandoffConfig,
    workers: Vec<Arc<Worker>>,
    handle: Arc<Handle>,
    tracked: Vec<Tracked>,
}

impl Sampler {
    fn run(mut self) {
        loop {
            if !self.sleep() {
                return;
            }
            self.sync_leases();
            let now = Instant::now();
            for i in 0..self.tracked.len() {
                self.observe(i, now);
            }
        }
    }

    /// Waits a tick, or until a worker wakes if every worker is parked.
    /// `false`: stop.
    fn sleep(&self) -> bool {
        let shared = &self.handle.monitor;
        let mut stop = shared.stop.lock();
        if *stop {
            return false;
        }
        if self.handle.idle.all_parked() {
            shared.sleeping.store(true, SeqCst);
            // Re-check after the store (Dekker with `worker_woke`): a
            // worker that woke before it saw `sleeping` is counted here.
            if self.handle.idle.all_parked() {
                shared.wake.wait(&mut stop);
            }
            shared.sleeping.store(false, SeqCst);
            return !*stop;
        }
        shared.wake.wait_for(&mut stop, TICK);
        !*stop
    }

    /// Tracks the leases registered now, in registration order.
    fn sync_leases(&mut self) {
        let leases = self.handle.leases.lock().clone();
        self.tracked
            .retain(|t| leases.iter().any(|l| Arc::ptr_eq(l, &t.lease)));
        for lease in leases {
            if !self.tracked.iter().any(|t| Arc::ptr_eq(&t.lease, &lease)) {
                self.tracked.push(Tracked {
                    lease,
                    mark: None,
                    first_seen: Instant::now(),
                    rescued: false,
                    handed_off: false,
                    warned: false,
                });
            }
        }
    }

    fn observe(&mut self, i: usize, now: Instant) {
        let t = &mut self.tracked[i];
        let mark = t.lease.mark();
        if mark.is_none() || mark.map(|m| m.seq) != t.mark.map(|m| m.seq) {
            // Not polling, or a new poll since the last tick.
            t.mark = mark;
            t.first_seen = now;
            t.rescued = false;
            t.handed_off = false;
            t.warned = false;
            return;
        }
        let mark = mark.expect("checked above");
        // Seen at two ticks: running at least since the first.
        let running = now - t.first_seen;
        if !t.rescued {
            t.rescued = true;
            self.rescue(i, mark.seq);
        }
        let t = &mut self.tracked[i];
        if running + TICK / 2 < self.config.threshold || t.handed_off {
            return;
        }
        let shared = &self.handle.monitor;
        if shared.stuck_threads.load(SeqCst) >= self.config.max_threads {
            if !t.warned {
                t.warned = true;
                warn_at_cap(&mark, t.lease.worker, running, self.config.max_threads);
            }
            return;
        }
        t.handed_off = true;
        self.hand_off(i, mark.seq);
    }

    /// Moves what waits on a stuck worker to the injector (lease rule 4,
    /// handing the core back).
    fn rescue(&self, i: usize, seq: u64) {
        let handle = &self.handle;
        let mut moved = 0usize;
        self.tracked[i].lease.steal_if_stuck(seq, |core| {
            moved = core.drain_into_injector(handle);
            false
        });
        if moved > 0 {
            handle.notify_parked();
        }
    }

    /// Gives a stuck worker's core to a new thread (lease rule 4, `TAKEN`).
    fn hand_off(&self, i: usize, seq: u64) {
        let handle = &self.handle;
        if handle.is_shutdown.load(SeqCst) {
            return;
        }
        let lease = &self.tracked[i].lease;
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

fn warn_at_cap(mark: &PollMark, worker: usize, running: Duration, cap: usize) {
    let location = match mark.location {
        Some(l) => format!("{}:{}:{}", l.file(), l.line(), l.column()),
        None => "<unknown location>".to_string(),
    };
    log::warn!(
        target: LOG_TARGET,
        "task {} spawned at {location} has blocked worker {worker} for {} in one poll, and \
         {cap} other stuck thread(s) already run handed-off cores (Builder::max_handoff_threads): \
         this worker's core waits until the poll returns. Move blocking work to spawn_blocking \
         (or block_in_place), or raise max_handoff_threads",
        mark.task,
        Human(running)
    );
}
