//! The core of the runtime: the task system, the work-stealing
//! multi-thread scheduler and the current-thread scheduler, the blocking
//! pool, and `Runtime`/`Builder`/`Handle`.
//!
//! Most users reach this crate through the `runtime` facade, which
//! re-exports everything here under Tokio's paths.
//!
//! ```
//! let rt = runtime_core::Runtime::new().unwrap();
//! let sum: u64 = rt.block_on(async {
//!     let handles: Vec<_> = (0..10u64).map(|i| runtime_core::spawn(async move { i })).collect();
//!     let mut sum = 0;
//!     for h in handles {
//!         sum += h.await.unwrap();
//!     }
//!     sum
//! });
//! assert_eq!(sum, 45);
//! ```

#![warn(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![deny(unsafe_op_in_unsafe_fn)]

mod blocking;
mod context;
mod coop;
mod current_driver;
mod driver;
pub mod fs;
pub mod io;
mod loom;
#[cfg(all(test, loom))]
mod loom_tests;
mod park;
pub mod process;
mod raw_task;
pub mod runtime;
mod scheduler;
pub mod signal;
pub mod task;
pub mod time;
mod util;

pub use runtime::{Builder, Handle, Runtime};
pub use task::{spawn, spawn_blocking};

/// Compile-time checks that the public types can cross threads as users
/// expect (a change that makes one of them `!Send`/`!Sync` fails here).
#[allow(dead_code)]
fn assert_thread_safety() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Runtime>();
    send_sync::<Handle>();
    send_sync::<Builder>();
    send_sync::<runtime::RuntimeMetrics>();
    send_sync::<task::JoinHandle<()>>();
    send_sync::<task::AbortHandle>();
    send_sync::<task::JoinError>();
    send_sync::<task::JoinSet<()>>();
    send_sync::<task::Id>();
}
