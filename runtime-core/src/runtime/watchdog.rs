//! Slow-poll detection (asyncio's debug-mode `Executing <Task> took 0.2
//! seconds`, plus what asyncio cannot do: naming a task while it is still
//! stuck): the part of the runtime's monitor thread (`monitor.rs`) that
//! turns samples of each thread's poll stamp into reports.
//!
//! With `Builder::slow_poll_threshold(t)` set, each polling thread stamps
//! the poll it is in (`scheduler/poll_stamp.rs`: the task id, its spawn
//! location and a sequence number that names the poll; stores on the
//! thread's own cache line and no clock read). The monitor looks at every
//! stamp each `t / 10` (`t` >= 10 ms; at most 100 ms; more often when the
//! hand-off monitor also runs) and keeps, per stamp, the poll it saw and
//! when:
//!
//! - a poll seen at two looks in a row is the same poll still running;
//! - it started after the last look that did not see it and no later than
//!   the first look that did, and ended after the last look that saw it
//!   and no later than the first look that did not. The reported duration
//!   counts half of each gap, but at most half a tick of it (see `edge`:
//!   a late look cannot inflate a short poll), so with looks on time it is
//!   within a tick of the truth;
//! - a poll whose duration reaches `t` counts once in `slow_poll_count`
//!   and is logged when it returns; one still running at `2t` is logged as
//!   stuck, and again at `4t`, `8t`... so a task that never returns is
//!   named with log lines that thin out.
//!
//! A poll stuck on a thread whose core was handed off (multi-thread) keeps
//! its stamp on that thread's lease, so it is followed until it returns.
//! Reports go through `log` at warn level with target
//! `runtime::slow_poll`, after each pass and outside the monitor's lock.

use crate::scheduler::{self, poll_stamp::PollMark};
use crate::util::fmt::{Human, TaskLabel, Where};
use std::panic::Location;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The `log` target of every report.
pub(crate) const LOG_TARGET: &str = "runtime::slow_poll";

/// The poll a worker was last seen in.
pub(crate) struct Seen {
    mark: PollMark,
    /// The task's name, looked up when the poll was first seen (the task
    /// may be gone by the time a poll that ended is reported).
    name: Option<Arc<str>>,
    /// The last tick that did not see this poll (it started after it).
    before: Instant,
    /// The first and the latest tick that saw it.
    first_seen: Instant,
    last_seen: Instant,
    counted: bool,
    /// Running time at which it is next reported as stuck.
    next_stuck: Duration,
}

/// The slow-poll part of the monitor thread.
pub(crate) struct SlowPolls {
    threshold: Duration,
    /// The monitor's period (the estimates trust at most half of it at
    /// each edge of a poll).
    tick: Duration,
    /// The hand-off monitor runs too (it changes what a stuck poll means
    /// for the worker's other tasks).
    handoff: bool,
    handle: scheduler::SchedulerHandle,
}

impl SlowPolls {
    pub(crate) fn new(
        threshold: Duration,
        handoff: bool,
        handle: scheduler::SchedulerHandle,
    ) -> SlowPolls {
        SlowPolls {
            threshold,
            // A tenth of the threshold, within 1..=100 ms.
            tick: (threshold / 10).clamp(Duration::from_millis(1), Duration::from_millis(100)),
            handoff,
            handle,
        }
    }

    /// The period this part needs.
    pub(crate) fn tick(&self) -> Duration {
        self.tick
    }

    /// What happens to a stuck worker's other tasks, for the report.
    pub(crate) fn meanwhile(&self) -> &'static str {
        if self.handoff {
            "the runtime moves this worker's queued tasks and, past \
             Builder::handoff_threshold, its core to other threads"
        } else {
            "the other tasks of this worker wait until it does"
        }
    }

    /// The monitor looks more often than this part needs (the hand-off
    /// monitor's period): the estimates then trust that finer tick.
    pub(crate) fn set_tick(&mut self, tick: Duration) {
        self.tick = tick;
    }

    /// One look at one stamp of worker `worker`, which shows `mark`;
    /// reports go to `reports`, to be logged once the pass is over.
    pub(crate) fn observe(
        &self,
        worker: usize,
        slot: &mut Option<Seen>,
        mark: Option<PollMark>,
        last_tick: Instant,
        now: Instant,
        reports: &mut Vec<Report>,
    ) {
        if let (Some(seen), Some(mark)) = (slot.as_mut(), mark) {
            if seen.mark.seq == mark.seq {
                seen.last_seen = now;
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
        *slot = mark.map(|mark| Seen {
            name: mark.name(),
            mark,
            before: last_tick,
            first_seen: now,
            last_seen: now,
            counted: false,
            next_stuck: self.threshold.saturating_mul(2),
        });
    }

    /// What to do instead, for this runtime's flavour.
    pub(crate) fn flavor_advice(&self) -> &'static str {
        match self.handle {
            scheduler::SchedulerHandle::MultiThread(_) => {
                "move blocking work to spawn_blocking (or block_in_place)"
            }
            scheduler::SchedulerHandle::CurrentThread(_) => "move blocking work to spawn_blocking",
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
pub(crate) struct Report {
    task: u64,
    name: Option<Arc<str>>,
    location: Option<&'static Location<'static>>,
    worker: usize,
    took: Duration,
    still_running: bool,
}

impl Report {
    fn slow(worker: usize, seen: &Seen, took: Duration) -> Report {
        Report {
            task: seen.mark.task,
            name: seen.name.clone(),
            location: seen.mark.location,
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

    /// `advice`: what to do instead; `meanwhile`: what happens to the
    /// worker's other tasks while the poll is stuck.
    pub(crate) fn log(&self, advice: &str, meanwhile: &str) {
        if self.still_running {
            log::warn!(
                target: LOG_TARGET,
                "{} spawned at {} has been blocking worker {} for {} in one poll and has \
                 not returned yet (a blocking call, or a loop that never awaits?); {meanwhile}",
                TaskLabel(self.task, self.name.as_deref()),
                Where(self.location),
                self.worker,
                Human(self.took)
            );
        } else {
            log::warn!(
                target: LOG_TARGET,
                "{} spawned at {} blocked its worker for {} in one poll (worker {}); {advice}",
                TaskLabel(self.task, self.name.as_deref()),
                Where(self.location),
                Human(self.took),
                self.worker
            );
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn seen(before: Instant, first: Instant, last: Instant) -> Seen {
        Seen {
            mark: PollMark {
                seq: 1,
                task: 1,
                named: false,
                location: None,
            },
            name: None,
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
