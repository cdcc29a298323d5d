//! The public runtime types: `Builder` configures and builds a `Runtime`;
//! the `Runtime` owns the scheduler and the blocking pool; a `Handle` is a
//! cloneable reference used to spawn from anywhere.

mod builder;
pub(crate) mod dump;
mod handle;
mod histogram;
mod metrics;
pub(crate) mod monitor;
#[allow(clippy::module_inception)]
mod runtime;
pub(crate) mod watchdog;

pub use builder::Builder;
pub use dump::{Dump, TaskInfo, TaskState};
pub use handle::{EnterGuard, Handle, TryCurrentError};
pub use histogram::Histogram;
pub use metrics::RuntimeMetrics;
pub use runtime::{Runtime, RuntimeFlavor};

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
    pub(crate) slow_poll_threshold: Option<std::time::Duration>,
    /// The hand-off monitor's settings (multi-thread only; `None`: off).
    pub(crate) handoff: Option<crate::scheduler::multi_thread::monitor::HandoffConfig>,
}

impl Config {
    /// Whether workers publish their polls (slow-poll detection is on).
    #[inline]
    pub(crate) fn watch_polls(&self) -> bool {
        self.slow_poll_threshold.is_some()
    }
}
