//! Slow-poll detection and the stall watchdog (asyncio's debug-mode
//! `Executing <Task> took 0.2 seconds`, plus what asyncio cannot do:
//! naming a task while it is still stuck).
//!
//! With `Builder::slow_poll_threshold(t)` set, each worker publishes which
//! task it is polling (its id and spawn location, numbered by the worker's
//! poll count: see `scheduler::stats`); that costs three stores per poll on
//! the worker's own cache line and no clock read. A monitor thread samples
//! every worker each `t / 10` (`t` >= 10 ms; at most 100 ms) and keeps, per worker, the
//! poll it saw and when:
//!
//! - a poll seen at two ticks in a row is the same poll still running (the
//!   poll count numbers polls, so a task re-polled in between differs);
//! - it started after the last tick that did not see it and no later than
//!   the first tick that did, and ended after the last tick that saw it and
//!   no later than the first tick that did not. The reported duration
//!   counts half of each gap, but at most half a tick of it (see `edge`:
//!   a late tick cannot inflate a short poll), so with ticks on time it is
//!   within `t / 10` of the truth;
//! - a poll whose duration reaches `t` counts once in `slow_poll_count`
//!   and is logged when it returns; one still running at `2t` is logged as
//!   stuck, and again at `4t`, `8t`... so a task that never returns is
//!   named with log lines that thin out.
//!
//! Reports go through `log` at warn level with target
//! `runtime::slow_poll`, after each pass and outside the monitor's lock
//! (`stop` never waits for the lock; it waits only for a log call already
//! in progress).

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
        let mut reports = Vec::new();
        let mut last_tick = Instant::now();
        let (lock, cv) = signal;
        loop {
            let stopped = {
                let mut stopped = lock.lock();
                let deadline = last_tick + self.tick;
                while !*stopped && Instant::now() < deadline {
                    cv.wait_until(&mut stopped, deadline);
                }
                *stopped
            };
            // Outside the lock: `stop` never waits for a slow logger, and
            // a slow logger only delays ticks (which the estimates below
            // do not trust).
            let now = Instant::now();
            for (worker, slot) in seen.iter_mut().enumerate() {
                self.observe(worker, slot, last_tick, now, &mut reports);
            }
            for report in reports.drain(..) {
                report.log(self.flavor_advice());
            }
            if stopped {
                // That was the last look, so a slow poll that ended just
                // before shutdown is still reported.
                return;
            }
            last_tick = now;
        }
    }

    /// One tick for one worker; reports go to `reports`, to be logged
    /// once the pass is over.
    fn observe(
        &self,
        worker: usize,
        slot: &mut Option<Seen>,
        last_tick: Instant,
        now: Instant,
        reports: &mut Vec<Report>,
    ) {
        let stats = self.handle.worker_stats_ref(worker);
        let sample = stats.sample();
        if let (Some(seen), Some((sample, location))) = (slot.as_mut(), sample) {
            if seen.sample == sample {
                seen.last_seen = now;
                seen.location = location.or(seen.location);
                // Running at least since first_seen, plus part of the gap
                // before it.
                let running = running_for(seen, now, self.tick);
                if running >= self.threshold && !seen.counted {
                    seen.counted = true;
                    self.handle.count_slow_poll();
                }
                if running >= seen.next_stuck {
                    seen.next_stuck = seen.next_stuck.saturating_mul(2);
                    reports.push(Report::stuck(worker, seen, running));
                }
                return;
            }
        }
        // The poll seen last (if any) returned after the last tick.
        if let Some(ended) = slot.take() {
            let took = poll_duration(&ended, now, self.tick);
            if took >= self.threshold {
                if !ended.counted {
                    self.handle.count_slow_poll();
                }
                reports.push(Report::slow(worker, &ended, took));
            }
        }
        *slot = sample.map(|(sample, location)| Seen {
            sample,
            location,
            before: last_tick,
            first_seen: now,
            last_seen: now,
            counted: false,
            next_stuck: self.threshold.saturating_mul(2),
        });
    }

    /// What to do instead, for this runtime's flavour.
    fn flavor_advice(&self) -> &'static str {
        match self.handle {
            scheduler::Handle::MultiThread(_) => {
                "move blocking work to spawn_blocking (or block_in_place)"
            }
            scheduler::Handle::CurrentThread(_) => "move blocking work to spawn_blocking",
        }
    }
}

/// How much of the gap between two ticks around a poll's start (or end)
/// counts: half of it (the poll started somewhere inside), but a gap
/// longer than a tick (the monitor ran late) is trusted for one tick only,
/// so a late tick cannot inflate a short poll into a slow one.
fn edge(gap: Duration, tick: Duration) -> Duration {
    gap.min(tick) / 2
}

/// How long the poll in `seen`, still running, has run by `now`.
fn running_for(seen: &Seen, now: Instant, tick: Duration) -> Duration {
    now - seen.first_seen + edge(seen.first_seen - seen.before, tick)
}

/// How long the poll in `seen` took, given that it ended between its last
/// sighting and `now`.
fn poll_duration(seen: &Seen, now: Instant, tick: Duration) -> Duration {
    seen.last_seen - seen.first_seen
        + edge(seen.first_seen - seen.before, tick)
        + edge(now - seen.last_seen, tick)
}

/// A line to log, made during a pass and logged after it.
struct Report {
    task: u64,
    location: Option<&'static Location<'static>>,
    worker: usize,
    took: Duration,
    still_running: bool,
}

impl Report {
    fn slow(worker: usize, seen: &Seen, took: Duration) -> Report {
        Report {
            task: seen.sample.task,
            location: seen.location,
            worker,
            took,
            still_running: false,
        }
    }

    fn stuck(worker: usize, seen: &Seen, running: Duration) -> Report {
        Report {
            still_running: true,
            ..Report::slow(worker, seen, running)
        }
    }

    fn log(&self, advice: &str) {
        if self.still_running {
            log::warn!(
                target: LOG_TARGET,
                "task {} spawned at {} has been blocking worker {} for {} in one poll and has \
                 not returned yet (a blocking call, or a loop that never awaits?); the other \
                 tasks of this worker wait until it does",
                self.task,
                Where(self.location),
                self.worker,
                Human(self.took)
            );
        } else {
            log::warn!(
                target: LOG_TARGET,
                "task {} spawned at {} blocked its worker for {} in one poll (worker {}); {advice}",
                self.task,
                Where(self.location),
                Human(self.took),
                self.worker
            );
        }
    }
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn seen(before: Instant, first: Instant, last: Instant) -> Seen {
        Seen {
            sample: PollSample { poll: 1, task: 1 },
            location: None,
            before,
            first_seen: first,
            last_seen: last,
            counted: false,
            next_stuck: Duration::MAX,
        }
    }

    #[test]
    fn on_time_ticks_give_the_middle_of_the_bounds() {
        let tick = Duration::from_millis(10);
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        // Seen at 10..=210, not at 0 or 220: between 200 and 220 ms.
        let s = seen(ms(0), ms(10), ms(210));
        assert_eq!(poll_duration(&s, ms(220), tick), Duration::from_millis(210));
        assert_eq!(running_for(&s, ms(210), tick), Duration::from_millis(205));
    }

    #[test]
    fn late_ticks_do_not_inflate_short_polls() {
        let tick = Duration::from_millis(5);
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        // The monitor slept 150 ms between ticks (a slow logger): a poll
        // seen once, at 150, counts as at most one tick long.
        let s = seen(ms(0), ms(150), ms(150));
        let took = poll_duration(&s, ms(300), tick);
        assert!(took <= tick, "{took:?}");
        // Before the fix: (0 + 300) / 2 = 150 ms, reported as slow.
    }
}
