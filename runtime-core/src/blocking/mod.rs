//! The blocking pool: threads for `spawn_blocking` closures and for the
//! multi-thread scheduler's workers.
//!
//! Threads are created on demand, up to `max_blocking_threads` (plus one
//! per worker, whose jobs are "mandatory"); a thread idle for
//! `thread_keep_alive` exits. At shutdown, queued closures that have not
//! started are cancelled (their `JoinHandle` reports `is_cancelled()`),
//! mandatory jobs still run, and the runtime waits for running closures
//! (with a limit under `shutdown_timeout`, not at all under
//! `shutdown_background`).

pub(crate) mod pool;
mod task;

pub(crate) use pool::{BlockingPool, Spawner};
pub(crate) use task::{job, Job, RuntimeContext};
