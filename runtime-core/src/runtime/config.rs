//! The scheduler settings the `Builder` hands to either flavour: a leaf
//! the schedulers read without depending on the rest of `runtime`.

use std::time::Duration;

/// Scheduler settings shared by both flavours.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Config {
    /// Ticks between driver polls / shutdown checks.
    pub(crate) event_interval: u32,
    /// Ticks between looks at the global queue before the local one (on
    /// the multi-thread scheduler: the most polls between looks).
    pub(crate) global_queue_interval: u32,
    /// `false` when the program fixed `global_queue_interval`; otherwise
    /// multi-thread workers tune it from their measured poll time.
    pub(crate) tune_global_queue: bool,
    /// `Builder::slow_poll_threshold`: when set, workers publish what they
    /// poll for the watchdog.
    pub(crate) slow_poll_threshold: Option<Duration>,
    /// The hand-off monitor's settings (multi-thread only; `None`: off).
    pub(crate) handoff: Option<HandoffConfig>,
}

impl Config {
    /// Whether workers publish their polls (slow-poll detection is on).
    #[inline]
    pub(crate) fn watch_polls(&self) -> bool {
        self.slow_poll_threshold.is_some()
    }
}

/// The hand-off settings (`Builder::handoff_threshold`,
/// `Builder::max_handoff_threads`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct HandoffConfig {
    pub(crate) threshold: Duration,
    pub(crate) max_threads: usize,
}
