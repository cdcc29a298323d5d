//! How often a busy worker looks at the global injector: a fixed number
//! of polls, tuned from the worker's measured mean poll time so that a
//! task spawned from outside waits about `TARGET` of other work, whatever
//! the size of the tasks in front of it.
//!
//! The unit is polls (LIFO polls included), not run-loop ticks: a tick
//! that runs a chain of four 10 us LIFO polls is 40 us of work. The clock
//! is read once per maintenance tick (every `event_interval` ticks), never
//! per poll; a window that contained a park is thrown away, so idle time
//! does not pass for slow polls.

use std::time::{Duration, Instant};

/// The wait to aim for. Tokio aims at 200 us between checks; a check of
/// an empty injector costs two loads, so checking after every poll of
/// 10 us or more costs nothing measurable, and polls shorter than
/// 10 us / 31 are bounded by the maximum interval anyway. Measured with
/// `remote_latency_busy` (docs/benchmarks.md): 50 us gave a p99 of about
/// 100 us, 10 us about 20-35 us, as smol's single FIFO queue.
const TARGET: Duration = Duration::from_micros(10);

/// Weight of a new window in the moving average of the poll time (Tokio's
/// 0.1: a few windows of a new workload move it).
const EWMA_ALPHA: f64 = 0.1;

pub(crate) struct InjectInterval {
    /// Polls since the injector was last looked at.
    polls_since: u32,
    /// Polls between looks (1..=`max`).
    interval: u32,
    /// The configured interval: the most polls between looks.
    max: u32,
    tune: bool,
    /// Start of the current measuring window: when, and the poll count
    /// then. `None` after a park.
    window: Option<(Instant, u64)>,
    /// Moving average of the poll time, in nanoseconds (0: none yet).
    mean_poll_ns: f64,
}

impl InjectInterval {
    pub(crate) fn new(max: u32, tune: bool) -> InjectInterval {
        InjectInterval {
            polls_since: 0,
            interval: max.max(1),
            max: max.max(1),
            // Loom replays schedules and must not branch on the clock.
            tune: tune && !cfg!(loom),
            window: None,
            mean_poll_ns: 0.0,
        }
    }

    /// Counts one poll.
    #[inline]
    pub(crate) fn polled(&mut self) {
        self.polls_since = self.polls_since.saturating_add(1);
    }

    /// Whether the injector is due a look before the local queue.
    #[inline]
    pub(crate) fn due(&self) -> bool {
        self.polls_since >= self.interval
    }

    /// The injector was looked at.
    #[inline]
    pub(crate) fn checked(&mut self) {
        self.polls_since = 0;
    }

    /// The worker is about to park: the time until the next window start
    /// is not poll time.
    pub(crate) fn parked(&mut self) {
        self.window = None;
    }

    /// At a maintenance tick: closes the measuring window (if any) with
    /// `polls`, the worker's poll count, and retunes.
    pub(crate) fn maintenance(&mut self, polls: u64) {
        if !self.tune {
            return;
        }
        let now = Instant::now();
        if let Some((start, start_polls)) = self.window {
            let n = polls.wrapping_sub(start_polls);
            if n > 0 {
                let sample = now.duration_since(start).as_nanos() as f64 / n as f64;
                self.mean_poll_ns = if self.mean_poll_ns == 0.0 {
                    sample
                } else {
                    EWMA_ALPHA * sample + (1.0 - EWMA_ALPHA) * self.mean_poll_ns
                };
                self.interval = interval_for(self.mean_poll_ns, self.max);
            }
        }
        self.window = Some((now, polls));
    }

    #[cfg(all(test, not(loom)))]
    pub(crate) fn interval(&self) -> u32 {
        self.interval
    }
}

/// Polls of `mean_poll_ns` each that fit in `TARGET`, within 1..=`max`.
fn interval_for(mean_poll_ns: f64, max: u32) -> u32 {
    let polls = TARGET.as_nanos() as f64 / mean_poll_ns.max(1.0);
    (polls as u32).clamp(1, max)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn interval_follows_poll_time() {
        // 1 us polls: ten of them in 10 us; 10 us polls: one.
        assert_eq!(interval_for(1_000.0, 31), 10);
        assert_eq!(interval_for(10_000.0, 31), 1);
        // Polls longer than the target: look after every poll.
        assert_eq!(interval_for(5_000_000.0, 31), 1);
        // Fast polls: bounded by the configured interval.
        assert_eq!(interval_for(40.0, 31), 31);
    }

    #[test]
    fn due_after_interval_polls() {
        let mut i = InjectInterval::new(3, false);
        assert!(!i.due());
        i.polled();
        i.polled();
        assert!(!i.due());
        i.polled();
        assert!(i.due());
        i.checked();
        assert!(!i.due());
        // Not tuned when fixed.
        i.maintenance(10);
        i.maintenance(1_000);
        assert_eq!(i.interval(), 3);
    }
}
