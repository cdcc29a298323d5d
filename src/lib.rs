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
//!   `Builder` (named tasks),
//!   `unconstrained`, `JoinHandle`, `JoinSet`, `TaskGroup` (structured
//!   concurrency: the first failing child cancels the others),
//!   `AbortHandle`, task ids.
//! - [`task_local!`]: values scoped to a task (`KEY.scope(value, fut)`,
//!   `KEY.with(|v| ..)`) rather than to a thread.
//! - [`time`]: `sleep`, `timeout`, `interval`, `Instant`, the test clock.
//! - [`io`]: the `futures-io` traits and extension traits, `AsyncFd`.
//! - [`net`]: TCP, UDP and Unix sockets, `lookup_host`.
//! - [`process`]: child processes (`Command`, `Child`, piped stdio on the
//!   I/O driver, exit seen through a pidfd, background reaping).
//! - [`signal`]: `ctrl_c` and `signal::unix::signal` for any Unix signal.
//! - [`sync`]: channels, locks, `Semaphore`, `Notify`, asyncio's `Queue`,
//!   `CancellationToken` (they also work on other executors).
//! - [`stream`]: `tokio-stream`'s counterpart: `Stream`, `StreamExt`
//!   (`merge`, `timeout`, `throttle`, `chunks_timeout`...), `StreamMap`,
//!   and `wrappers` for channels, `Interval`, listeners and readers.
//! - [`codec`]: `tokio_util::codec`'s counterpart: `Framed`, `FramedRead`,
//!   `FramedWrite` over any reader or writer, with `LinesCodec`,
//!   `BytesCodec`, `LengthDelimitedCodec` or your own `Decoder`/`Encoder`.
//! - [`main`] and [`test`]: attribute macros for the entry point and tests;
//!   [`select!`], [`join!`], [`try_join!`], [`pin!`].

#![warn(missing_docs)]

pub use runtime_core::{fs, io, process, runtime, signal, task, time};
pub use runtime_net as net;

/// The runtime guide (`docs/guide.md`): getting started, the mental
/// model, porting from Tokio, sizing, graceful shutdown and scaling out.
/// Its code blocks are compiled and run as doctests.
pub mod guide {
    #![doc = include_str!("../docs/guide.md")]
}

/// Adapters for libraries with runtime traits of their own.
#[cfg(feature = "hyper")]
pub mod compat {
    pub use runtime_net::hyper_compat as hyper;
}
pub use runtime_sync as sync;

pub use runtime_core::{spawn, spawn_blocking, Builder, Handle, Runtime};
pub use runtime_stream as stream;

/// Framing, `tokio_util::codec`'s counterpart: [`Decoder`](codec::Decoder)
/// and [`Encoder`](codec::Encoder), the [`Framed`](codec::Framed),
/// [`FramedRead`](codec::FramedRead) and [`FramedWrite`](codec::FramedWrite)
/// adapters and the lines, bytes, any-delimiter and length-delimited codecs
/// (see the `runtime-codec` crate).
pub use runtime_codec as codec;

/// Declares task-local keys ([`task::LocalKey`]), as Tokio's `task_local!`:
///
/// ```
/// runtime::task_local! {
///     static TRACE_ID: u64;
/// }
///
/// # #[cfg(feature = "macros")]
/// #[runtime::main(worker_threads = 2)]
/// async fn main() {
///     let handle = runtime::spawn(TRACE_ID.scope(42, async {
///         runtime::task::yield_now().await;
///         TRACE_ID.get()
///     }));
///     assert_eq!(handle.await.unwrap(), 42);
///     assert!(TRACE_ID.try_get().is_err());
/// }
/// # #[cfg(not(feature = "macros"))]
/// # fn main() {}
/// ```
pub use runtime_core::task_local;

#[cfg(feature = "macros")]
pub use runtime_macros::{main, test};

/// Waits on several branches at once and runs the handler of the first to
/// complete, as Tokio's `select!`:
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() {
/// use runtime::time::{sleep, Duration};
/// let (tx, mut rx) = runtime::sync::mpsc::channel::<u32>(1);
/// tx.send(7).await.unwrap();
/// let got = runtime::select! {
///     Some(v) = rx.recv() => v,
///     _ = sleep(Duration::from_secs(5)) => 0,
/// };
/// assert_eq!(got, 7);
/// # }
/// ```
///
/// - `biased;` first: poll the branches in order instead of starting at a
///   random one.
/// - `pattern = future, if condition => handler`: a false condition
///   disables the branch; an output that does not match the pattern
///   disables it too, and the others keep going.
/// - `else => handler`: runs when every branch is disabled (without it,
///   that case panics).
///
/// The futures are polled in place (no allocation); the ones that lose are
/// dropped when `select!` returns, so use cancel-safe futures (every
/// `runtime::sync` receive, `recv`, `accept`, `sleep`...) when looping.
#[cfg(feature = "macros")]
#[macro_export]
macro_rules! select {
    ($($tokens:tt)*) => {
        $crate::__private::select_internal!(($crate) $($tokens)*)
    };
}

/// Pins futures on the stack, shadowing each variable with a
/// `Pin<&mut _>` (as Tokio's `pin!`):
///
/// ```
/// # futures::executor::block_on(async {
/// let fut = async { 1 };
/// runtime::pin!(fut);
/// assert_eq!((&mut fut).await, 1);
/// # });
/// ```
#[macro_export]
macro_rules! pin {
    ($($x:ident),* $(,)?) => {
        $(
            #[allow(unused_mut)]
            let mut $x = ::core::pin::pin!($x);
        )*
    };
    ($(let $x:ident = $init:expr;)*) => {
        $(
            let $x = $init;
            $crate::pin!($x);
        )*
    };
}

/// Runs futures concurrently on the current task and returns all their
/// outputs as a tuple (futures-util's `join!`).
///
/// ```
/// # futures::executor::block_on(async {
/// let (a, b) = runtime::join!(async { 1 }, async { "two" });
/// assert_eq!((a, b), (1, "two"));
/// # });
/// ```
pub use futures_util::join;

/// Like [`join!`] for futures returning `Result`: the first `Err` ends it
/// (the others are dropped) and is returned (futures-util's `try_join!`).
///
/// ```
/// # futures::executor::block_on(async {
/// let ok: Result<(u8, u8), &str> = runtime::try_join!(async { Ok(1) }, async { Ok(2) });
/// assert_eq!(ok, Ok((1, 2)));
/// let err: Result<(u8, u8), &str> = runtime::try_join!(async { Ok(1) }, async { Err("no") });
/// assert_eq!(err, Err("no"));
/// # });
/// ```
pub use futures_util::try_join;

#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "macros")]
    pub use runtime_macros::select_internal;

    /// The branch `select!` polls `k`-th, starting at `start` of `n`.
    pub fn select_branch(start: u32, k: u32, n: u32) -> u32 {
        (start + k) % n
    }

    /// Where an unbiased `select!` starts polling: a per-thread xorshift,
    /// so no branch is favoured over many calls.
    pub fn select_start(n: u32) -> u32 {
        use std::cell::Cell;
        std::thread_local! {
            static STATE: Cell<u32> = const { Cell::new(0x9E37_79B9) };
        }
        STATE.with(|s| {
            let mut x = s.get();
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            s.set(x);
            x % n
        })
    }
}
