//! The public runtime types: `Builder` configures and builds a `Runtime`;
//! the `Runtime` owns the scheduler and the blocking pool; a `Handle` is a
//! cloneable reference used to spawn from anywhere.

mod builder;
mod config;
pub(crate) mod dump;
mod handle;
mod histogram;
mod metrics;
pub(crate) mod monitor;
#[allow(clippy::module_inception)]
mod runtime;
mod sync_hook;
pub(crate) mod watchdog;

pub use builder::Builder;
pub(crate) use config::{Config, HandoffConfig};
pub use dump::{Dump, TaskInfo, TaskState};
pub use handle::{EnterGuard, Handle, TryCurrentError};
pub use histogram::Histogram;
pub use metrics::RuntimeMetrics;
pub use runtime::{Runtime, RuntimeFlavor};
