//! Stream utilities: the counterpart of `tokio-stream` for this runtime.
//!
//! A [`Stream`] is an asynchronous sequence of values, the async version of
//! `Iterator`. This crate has the same names and behaviour as
//! `tokio-stream` 0.1, so a Tokio program ports by renaming
//! `tokio_stream::` to `runtime::stream::` (the facade re-exports this
//! crate under that name):
//!
//! - [`StreamExt`]: `next`, `try_next`, `map`, `map_while`, `then`,
//!   `merge`, `filter`, `filter_map`, `fuse`, `take`, `take_while`, `skip`,
//!   `skip_while`, `all`, `any`, `chain`, `fold`, `collect`, `peekable`,
//!   and the timer-based `timeout`, `timeout_repeating`, `throttle` and
//!   `chunks_timeout` (on `runtime_core::time`, so they follow the paused
//!   test clock).
//! - [`iter`], [`once`], [`empty`], [`pending`]: simple sources.
//! - [`StreamMap`]: many keyed streams merged into one.
//! - [`StreamNotifyClose`]: tells when a stream ends (with `StreamMap`).
//! - [`wrappers`]: `Stream` implementations for the runtime's channel
//!   receivers, `Interval`, listeners, line readers and `ReadDir`.
//!
//! [`Stream`] is `futures-core`'s trait, so these streams work with every
//! `futures` library; where `futures-lite` already has an adapter with
//! `tokio-stream`'s semantics, [`StreamExt`] hands the work to it.
//!
//! ```
//! use runtime_stream::{self as stream, StreamExt};
//!
//! runtime_core::Runtime::new().unwrap().block_on(async {
//!     let mut evens = stream::iter(1..=10).filter(|x| x % 2 == 0).map(|x| x * 10);
//!     let mut seen = Vec::new();
//!     while let Some(x) = evens.next().await {
//!         seen.push(x);
//!     }
//!     assert_eq!(seen, [20, 40, 60, 80, 100]);
//! });
//! ```

#![warn(missing_docs, missing_debug_implementations)]

mod iter;
mod sources;
mod stream_close;
mod stream_ext;
mod stream_map;
pub mod wrappers;

pub use futures_core::Stream;
pub use iter::{iter, Iter};
pub use sources::{empty, once, pending, Empty, Once, Pending};
pub use stream_close::StreamNotifyClose;
pub use stream_ext::collect::FromStream;
pub use stream_ext::timeout::Elapsed;
pub use stream_ext::StreamExt;
pub use stream_map::StreamMap;

pub mod adapters {
    //! The streams and futures returned by [`StreamExt`](crate::StreamExt)'s
    //! methods, under `tokio-stream`'s names (`tokio_stream::adapters`).
    //! Several are `futures-lite`'s own adapters, re-exported.
    //!
    //! ```
    //! use runtime_stream::adapters::{Map, Take};
    //! use runtime_stream::{self as stream, Iter, StreamExt};
    //!
    //! fn double(x: u32) -> u32 {
    //!     x * 2
    //! }
    //! let doubled: Take<Map<Iter<std::ops::Range<u32>>, fn(u32) -> u32>> =
    //!     stream::iter(0..10).map(double as fn(u32) -> u32).take(3);
    //! let all: Vec<u32> = futures_lite::future::block_on(doubled.collect());
    //! assert_eq!(all, [0, 2, 4]);
    //! ```

    pub use crate::stream_ext::chunks_timeout::ChunksTimeout;
    pub use crate::stream_ext::collect::Collect;
    pub use crate::stream_ext::fuse::Fuse;
    pub use crate::stream_ext::map_while::MapWhile;
    pub use crate::stream_ext::merge::Merge;
    pub use crate::stream_ext::peekable::Peekable;
    pub use crate::stream_ext::take_while::TakeWhile;
    pub use crate::stream_ext::then::Then;
    pub use crate::stream_ext::throttle::Throttle;
    pub use crate::stream_ext::timeout::Timeout;
    pub use crate::stream_ext::timeout_repeating::TimeoutRepeating;
    pub use futures_lite::stream::{
        AllFuture, AnyFuture, Chain, Filter, FilterMap, FoldFuture, Map, NextFuture, Skip,
        SkipWhile, Take, TryNextFuture,
    };
}
