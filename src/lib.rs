//! `runtime`: a work-stealing async runtime with Tokio's API.
//!
//! This facade re-exports the workspace's crates under Tokio's paths, so
//! porting is mostly a matter of replacing `tokio::` with `runtime::`:
//!
//! ```
//! #[runtime::main(worker_threads = 2)]
//! async fn main() {
//!     let task = runtime::spawn(async { 40 + 2 });
//!     assert_eq!(task.await.unwrap(), 42);
//! }
//! ```
//!
//! - [`Runtime`], [`Builder`], [`Handle`]: build and drive a runtime
//!   (also under [`runtime`](mod@runtime)).
//! - [`task`]: `spawn`, `spawn_blocking`, `block_in_place`, `yield_now`,
//!   `JoinHandle`, `JoinSet`, `AbortHandle`, task ids.
//! - [`time`]: `sleep`, `timeout`, `interval`, `Instant`, the test clock.
//! - [`io`]: the `futures-io` traits and extension traits, `AsyncFd`.
//! - [`net`]: TCP, UDP and Unix sockets, `lookup_host`.
//! - [`main`] and [`test`]: attribute macros for the entry point and tests.

#![warn(missing_docs)]

pub use runtime_core::{fs, io, runtime, signal, task, time};
pub use runtime_net as net;
pub use runtime_sync as sync;

/// Asynchronous streams: `futures-core`'s `Stream` and `futures-lite`'s
/// `StreamExt` combinators.
pub mod stream {
    pub use futures_lite::stream::{Stream, StreamExt};
}
pub use runtime_core::{spawn, spawn_blocking, Builder, Handle, Runtime};

#[cfg(feature = "macros")]
pub use runtime_macros::{main, test};
