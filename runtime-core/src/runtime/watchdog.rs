//! Slow-poll detection and the stall watchdog (asyncio's debug-mode
//! `Executing <Task> took 0.2 seconds`, plus what asyncio cannot do:
//! naming a task while it is still stuck).
//!
//! With `Builder::slow_poll_threshold(t)` set, each worker publishes which
//! task it is polling (its id and spawn location, numbered by the worker's
//! poll count: see `scheduler::stats`); that costs two stores per poll on
//! the worker's own cache line and no clock read. A monitor thread samples
//! every worker each `t / 10` (1 ms to 100 ms) and keeps, per worker, the
//! poll it saw and when:
//!
//! - a poll seen at two ticks in a row is the same poll still running (the
//!   poll count numbers polls, so a task re-polled in between differs);
//! - it started after the last tick that did not see it and no later than
//!   the first tick that did, and ended after the last tick that saw it and
//!   no later than the first tick that did not. The reported duration is
//!   the middle of those bounds, so it is within `t / 10` of the truth;
//! - a poll whose duration reaches `t` counts once in `slow_poll_count`
//!   and is logged when it returns; one still running at `2t` is logged as
//!   stuck, and again at `4t`, `8t`... so a task that never returns is
//!   named with log lines that thin out.
//!
//! Reports go through `log` at warn level with target
//! `runtime::slow_poll`.

use crate::runtime::dump::Human;
use crate::scheduler::{self, stats::PollSample};
use parking_lot::{Condvar, Mutex};
use std::io;
use std::panic::Location;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The `log` target of every report.
pub(crate) const LOG_TARGET: &str = "runtime::slow_poll";

/// The monitor thread of one runtime; stopped by `stop` (at shutdown).
pub(crate) struct Watchdog {
    signal: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Watchdog {
    /// Starts the monitor for the runtime behind `handle`.
    pub(crate) fn start(threshold: Duration, handle: scheduler::Handle) -> io::Result<Watchdog> {
        let signal = Arc::new((Mutex::new(false), Condvar::new()));
        let monitor = Monitor::new(threshold, handle);
        let stop = signal.clone();
        let thread = std::thread::Builder::new()
            .name("runtime-watchdog".into())
            .spawn(move || monitor.run(&stop))?;
        Ok(Watchdog {
            signal,
            thread: Some(thread),
        })
    }

    /// Stops the monitor and waits for it (it never waits on anything but
    /// its own tick, so this is quick).
    pub(crate) fn stop(&mut self) {
        let (lock, cv) = &*self.signal;
        *lock.lock() = true;
        cv.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The poll a worker was last seen in.
struct Seen {
    sample: PollSample,
    location: Option<&'static Location<'static>>,
    /// The last tick that did not see this poll (it started after it).
    before: Instant,
    /// The first and the latest tick that saw it.
    first_seen: Instant,
    last_seen: Instant,
    counted: bool,
    /// Running time at which it is next reported as stuck.
    next_stuck: Duration,
}

struct Monitor {
    threshold: Duration,
    tick: Duration,
    handle: scheduler::Handle,
}

impl Monitor {
    fn new(threshold: Duration, handle: scheduler::Handle) -> Monitor {
        let tick = (threshold / 10).clamp(Duration::from_millis(1), Duration::from_millis(100));
        Monitor {
            threshold,
            tick,
            handle,
        }
    }

    fn run(&self, signal: &(Mutex<bool>, Condvar)) {
        let workers = self.handle.num_workers();
        let mut seen: Vec<Option<Seen>> = (0..workers).map(|_| None).collect();
        let mut last_tick = Instant::now();
        let (lock, cv) = signal;
        let mut stopped = lock.lock();
        loop {
            let deadline = last_tick + self.tick;
            while !*stopped && Instant::now() < deadline {
                cv.wait_until(&mut stopped, deadline);
            }
            let now = Instant::now();
            if *stopped {
                // A last look, so a slow poll that ended just before
                // shutdown is still reported.
                for (worker, slot) in seen.iter_mut().enumerate() {
                    self.observe(worker, slot, last_tick, now);
                }
                return;
            }
            for (worker, slot) in seen.iter_mut().enumerate() {
                self.observe(worker, slot, last_tick, now);
            }
            last_tick = now;
        }
    }

    /// One tick for one worker.
    fn observe(&self, worker: usize, slot: &mut Option<Seen>, last_tick: Instant, now: Instant) {
        let stats = self.handle.worker_stats_ref(worker);
        let sample = stats.sample();
        if let (Some(seen), Some(sample)) = (slot.as_mut(), sample) {
            if seen.sample == sample {
                seen.last_seen = now;
                // The same poll is still running, so its location was
                // published well before this read.
                seen.location = stats.location();
                // It started somewhere in (before, first_seen].
                let running = now - midpoint(seen.before, seen.first_seen);
                if running >= self.threshold && !seen.counted {
                    seen.counted = true;
                    self.handle.count_slow_poll();
                }
                if running >= seen.next_stuck {
                    seen.next_stuck = seen.next_stuck.saturating_mul(2);
                    self.report_stuck(worker, seen, running);
                }
                return;
            }
        }
        // The poll seen last (if any) returned after the last tick.
        if let Some(ended) = slot.take() {
            let shortest = ended.last_seen - ended.first_seen;
            let longest = now - ended.before;
            let took = (shortest + longest) / 2;
            if took >= self.threshold {
                if !ended.counted {
                    self.handle.count_slow_poll();
                }
                self.report_slow(&ended, took);
            }
        }
        *slot = sample.map(|sample| Seen {
            sample,
            location: stats.location(),
            before: last_tick,
            first_seen: now,
            last_seen: now,
            counted: false,
            next_stuck: self.threshold.saturating_mul(2),
        });
    }

    fn report_slow(&self, seen: &Seen, took: Duration) {
        log::warn!(
            target: LOG_TARGET,
            "task {} spawned at {} blocked its worker for {} in one poll; move blocking work to \
             spawn_blocking (or block_in_place)",
            seen.sample.task,
            Where(seen.location),
            Human(took)
        );
    }

    fn report_stuck(&self, worker: usize, seen: &Seen, running: Duration) {
        log::warn!(
            target: LOG_TARGET,
            "task {} spawned at {} has been blocking worker {} for {} in one poll and has not \
             returned yet (a blocking call, or a loop that never awaits?); the other tasks of \
             this worker wait until it does",
            seen.sample.task,
            Where(seen.location),
            worker,
            Human(running)
        );
    }
}

fn midpoint(a: Instant, b: Instant) -> Instant {
    a + (b - a) / 2
}

/// `file:line:col`, or a placeholder if the location was not published.
struct Where(Option<&'static Location<'static>>);

impl std::fmt::Display for Where {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(l) => write!(f, "{}:{}:{}", l.file(), l.line(), l.column()),
            None => f.write_str("<unknown location>"),
        }
    }
}
