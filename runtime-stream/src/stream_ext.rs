//! [`StreamExt`]: `tokio-stream`'s combinators. Those whose semantics
//! `futures-lite` already has are its adapters; the others (`merge`,
//! `map_while`, `take_while`, `then`, `fuse`, `collect`, `peekable` and
//! the timer-based ones) live in the submodules.

use futures_core::Stream;
use runtime_core::time::{Duration, Interval};
use std::future::Future;

pub(crate) mod chunks_timeout;
pub(crate) mod collect;
pub(crate) mod fuse;
pub(crate) mod map_while;
pub(crate) mod merge;
pub(crate) mod peekable;
pub(crate) mod take_while;
pub(crate) mod then;
pub(crate) mod throttle;
pub(crate) mod timeout;
pub(crate) mod timeout_repeating;

use crate::adapters::{
    AllFuture, AnyFuture, Chain, ChunksTimeout, Collect, Filter, FilterMap, FoldFuture, Fuse, Map,
    MapWhile, Merge, NextFuture, Peekable, Skip, SkipWhile, Take, TakeWhile, Then, Throttle,
    Timeout, TimeoutRepeating, TryNextFuture,
};
use collect::FromStream;

/// Combinators for every [`Stream`], with `tokio-stream`'s names and
/// behaviour.
///
/// `futures` and `futures-lite` have `StreamExt` traits of their own, with
/// overlapping method names: import one of them and call the other's
/// methods with the fully qualified syntax
/// (`runtime_stream::StreamExt::merge(a, b)`), as with `tokio-stream`.
///
/// ```
/// use runtime_stream::{self as stream, StreamExt};
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let total: i32 = stream::iter(1..=4).map(|x| x * x).fold(0, |acc, x| acc + x).await;
///     assert_eq!(total, 30);
/// });
/// ```
pub trait StreamExt: Stream {
    /// The next item, or `None` once the stream has ended
    /// (`async fn next(&mut self) -> Option<Self::Item>`).
    ///
    /// The stream must be `Unpin`: pin a `!Unpin` one first
    /// (`std::pin::pin!`, `Box::pin`).
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut s = stream::iter(1..=2);
    ///     assert_eq!(s.next().await, Some(1));
    ///     assert_eq!(s.next().await, Some(2));
    ///     assert_eq!(s.next().await, None);
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: the future only borrows the stream, and an item leaves
    /// the stream only in the poll that returns it, so dropping the future
    /// (a losing `select!` branch) never loses a value.
    fn next(&mut self) -> NextFuture<'_, Self>
    where
        Self: Unpin,
    {
        futures_lite::StreamExt::next(self)
    }

    /// The next item of a stream of `Result`s, turned inside out for `?`:
    /// `Ok(Some(v))`, `Err(e)`, or `Ok(None)` at the end.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut s = stream::iter(vec![Ok(1), Err("nope")]);
    ///     assert_eq!(s.try_next().await, Ok(Some(1)));
    ///     assert_eq!(s.try_next().await, Err("nope"));
    ///     assert_eq!(s.try_next().await, Ok(None));
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`next`](Self::next).
    fn try_next<T, E>(&mut self) -> TryNextFuture<'_, Self>
    where
        Self: Stream<Item = Result<T, E>> + Unpin,
    {
        futures_lite::StreamExt::try_next(self)
    }

    /// Maps each item with `f`.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut s = stream::iter(1..=3).map(|x| x + 3);
    ///     assert_eq!(s.next().await, Some(4));
    ///     assert_eq!(s.next().await, Some(5));
    ///     assert_eq!(s.next().await, Some(6));
    /// });
    /// ```
    fn map<T, F>(self, f: F) -> Map<Self, F>
    where
        F: FnMut(Self::Item) -> T,
        Self: Sized,
    {
        futures_lite::StreamExt::map(self, f)
    }

    /// Maps items with `f` while it returns `Some`; the first `None` ends
    /// the stream, and the stream underneath is not polled again.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut s = stream::iter(vec![1, 2, 10, 3]).map_while(|x| (x < 5).then_some(x * 2));
    ///     assert_eq!(s.next().await, Some(2));
    ///     assert_eq!(s.next().await, Some(4));
    ///     assert_eq!(s.next().await, None);
    ///     assert_eq!(s.next().await, None); // 3 is never reached
    /// });
    /// ```
    fn map_while<T, F>(self, f: F) -> MapWhile<Self, F>
    where
        F: FnMut(Self::Item) -> Option<T>,
        Self: Sized,
    {
        MapWhile::new(self, f)
    }

    /// Maps each item to a future with `f` and yields that future's output;
    /// one future runs at a time. The result is `!Unpin` when the future
    /// is: pin it (`std::pin::pin!`) before calling `next`.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// async fn plus_three(x: i32) -> i32 {
    ///     runtime_core::task::yield_now().await;
    ///     x + 3
    /// }
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut s = std::pin::pin!(stream::iter(1..=3).then(plus_three));
    ///     assert_eq!(s.next().await, Some(4));
    ///     assert_eq!(s.next().await, Some(5));
    ///     assert_eq!(s.next().await, Some(6));
    ///     assert_eq!(s.next().await, None);
    /// });
    /// ```
    fn then<F, Fut>(self, f: F) -> Then<Self, Fut, F>
    where
        F: FnMut(Self::Item) -> Fut,
        Fut: Future,
        Self: Sized,
    {
        Then::new(self, f)
    }

    /// Interleaves two streams, yielding items as either produces them.
    ///
    /// When both have an item ready, they take turns: each poll starts
    /// with the stream the previous poll started second. The merged stream
    /// ends when both have ended. For many streams use
    /// [`StreamMap`](crate::StreamMap) (chained `merge`s are not fair).
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let odd = stream::iter(vec![1, 3, 5]);
    ///     let even = stream::iter(vec![2, 4, 6, 8]);
    ///     let all: Vec<i32> = odd.merge(even).collect().await;
    ///     assert_eq!(all, [1, 2, 3, 4, 5, 6, 8]);
    /// });
    /// ```
    fn merge<U>(self, other: U) -> Merge<Self, U>
    where
        U: Stream<Item = Self::Item>,
        Self: Sized,
    {
        Merge::new(self, other)
    }

    /// Keeps the items for which `f` returns `true`.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let evens: Vec<i32> = stream::iter(1..=8).filter(|x| x % 2 == 0).collect().await;
    ///     assert_eq!(evens, [2, 4, 6, 8]);
    /// });
    /// ```
    fn filter<F>(self, f: F) -> Filter<Self, F>
    where
        F: FnMut(&Self::Item) -> bool,
        Self: Sized,
    {
        futures_lite::StreamExt::filter(self, f)
    }

    /// Maps each item with `f` and keeps the `Some` results.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let numbers: Vec<u32> = stream::iter(vec!["1", "two", "3"])
    ///         .filter_map(|s| s.parse().ok())
    ///         .collect()
    ///         .await;
    ///     assert_eq!(numbers, [1, 3]);
    /// });
    /// ```
    fn filter_map<T, F>(self, f: F) -> FilterMap<Self, F>
    where
        F: FnMut(Self::Item) -> Option<T>,
        Self: Sized,
    {
        futures_lite::StreamExt::filter_map(self, f)
    }

    /// A stream that returns `None` forever after the first `None` (the
    /// stream underneath is not polled again).
    ///
    /// ```
    /// use runtime_stream::{Stream, StreamExt};
    /// use std::pin::Pin;
    /// use std::task::{Context, Poll};
    ///
    /// /// Yields `Some(n)` for even n and `None` for odd n, forever.
    /// struct Alternate(u32);
    ///
    /// impl Stream for Alternate {
    ///     type Item = u32;
    ///     fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u32>> {
    ///         let n = self.0;
    ///         self.0 += 1;
    ///         Poll::Ready((n % 2 == 0).then_some(n))
    ///     }
    /// }
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut s = Alternate(0).fuse();
    ///     assert_eq!(s.next().await, Some(0));
    ///     assert_eq!(s.next().await, None);
    ///     assert_eq!(s.next().await, None); // not Some(2)
    /// });
    /// ```
    fn fuse(self) -> Fuse<Self>
    where
        Self: Sized,
    {
        Fuse::new(self)
    }

    /// The first `n` items at most.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let first: Vec<i32> = stream::iter(1..=10).take(3).collect().await;
    ///     assert_eq!(first, [1, 2, 3]);
    /// });
    /// ```
    fn take(self, n: usize) -> Take<Self>
    where
        Self: Sized,
    {
        futures_lite::StreamExt::take(self, n)
    }

    /// Items while `f` returns `true`; the first `false` ends the stream
    /// for good (that item is dropped and the stream underneath is not
    /// polled again).
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut s = stream::iter(vec![1, 2, 9, 3]).take_while(|x| *x < 5);
    ///     assert_eq!(s.next().await, Some(1));
    ///     assert_eq!(s.next().await, Some(2));
    ///     assert_eq!(s.next().await, None);
    ///     assert_eq!(s.next().await, None); // 3 is never reached
    /// });
    /// ```
    fn take_while<F>(self, f: F) -> TakeWhile<Self, F>
    where
        F: FnMut(&Self::Item) -> bool,
        Self: Sized,
    {
        TakeWhile::new(self, f)
    }

    /// Skips the first `n` items.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let rest: Vec<i32> = stream::iter(1..=10).skip(7).collect().await;
    ///     assert_eq!(rest, [8, 9, 10]);
    /// });
    /// ```
    fn skip(self, n: usize) -> Skip<Self>
    where
        Self: Sized,
    {
        futures_lite::StreamExt::skip(self, n)
    }

    /// Skips items while `f` returns `true`, then yields everything from
    /// the first item for which it returned `false`.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let rest: Vec<i32> = stream::iter(vec![1, 2, 3, 4, 1]).skip_while(|x| *x < 3).collect().await;
    ///     assert_eq!(rest, [3, 4, 1]);
    /// });
    /// ```
    fn skip_while<F>(self, f: F) -> SkipWhile<Self, F>
    where
        F: FnMut(&Self::Item) -> bool,
        Self: Sized,
    {
        futures_lite::StreamExt::skip_while(self, f)
    }

    /// Whether `f` returns `true` for every item (`true` for an empty
    /// stream). Stops at the first `false`, leaving the rest in the stream.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut s = stream::iter(vec![1, 2, 3]);
    ///     assert!(!s.all(|x| x != 2).await);
    ///     assert_eq!(s.next().await, Some(3)); // stopped after 2
    ///     assert!(stream::iter(vec![1, 2, 3]).all(|x| x > 0).await);
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: the items already checked are taken from the
    /// stream, so dropping the future before it completes loses them (and
    /// the answer so far).
    fn all<F>(&mut self, f: F) -> AllFuture<'_, Self, F>
    where
        Self: Unpin,
        F: FnMut(Self::Item) -> bool,
    {
        futures_lite::StreamExt::all(self, f)
    }

    /// Whether `f` returns `true` for some item (`false` for an empty
    /// stream). Stops at the first `true`, leaving the rest in the stream.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut s = stream::iter(vec![1, 2, 3]);
    ///     assert!(s.any(|x| x != 1).await);
    ///     assert_eq!(s.next().await, Some(3)); // stopped at 2
    ///     assert!(!stream::iter(vec![1, 2, 3]).any(|x| x > 5).await);
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe, as [`all`](Self::all): the items already checked
    /// are lost with the future.
    fn any<F>(&mut self, f: F) -> AnyFuture<'_, Self, F>
    where
        Self: Unpin,
        F: FnMut(Self::Item) -> bool,
    {
        futures_lite::StreamExt::any(self, f)
    }

    /// All of this stream's items, then all of `other`'s.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let both: Vec<i32> = stream::iter(vec![1, 2]).chain(stream::iter(vec![3])).collect().await;
    ///     assert_eq!(both, [1, 2, 3]);
    /// });
    /// ```
    fn chain<U>(self, other: U) -> Chain<Self, U>
    where
        U: Stream<Item = Self::Item>,
        Self: Sized,
    {
        futures_lite::StreamExt::chain(self, other)
    }

    /// Folds every item into an accumulator, starting from `init`
    /// (`async fn fold(self, init: B, f: F) -> B`).
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let sum = stream::iter(vec![1u8, 2, 3]).fold(0, |acc, x| acc + x).await;
    ///     assert_eq!(sum, 6);
    /// });
    /// ```
    fn fold<B, F>(self, init: B, f: F) -> FoldFuture<Self, F, B>
    where
        Self: Sized,
        F: FnMut(B, Self::Item) -> B,
    {
        futures_lite::StreamExt::fold(self, init, f)
    }

    /// Drains the stream into a collection ([`FromStream`]: `Vec`,
    /// `VecDeque`, `Box<[T]>`, `String`, the std maps and sets, `()`, and
    /// `Result<C, E>` of any of these, which stops at the first `Err` and
    /// returns it).
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let doubled: Vec<i32> = stream::iter(vec![1, 2, 3]).map(|x| x * 2).collect().await;
    ///     assert_eq!(doubled, [2, 4, 6]);
    ///
    ///     let ok: Result<Vec<i32>, &str> = stream::iter(vec![Ok(1), Ok(2)]).collect().await;
    ///     assert_eq!(ok, Ok(vec![1, 2]));
    ///     let err: Result<Vec<i32>, &str> =
    ///         stream::iter(vec![Ok(1), Err("no"), Ok(2), Err("nein")]).collect().await;
    ///     assert_eq!(err, Err("no"));
    /// });
    /// ```
    fn collect<T>(self) -> Collect<Self, T>
    where
        T: FromStream<Self::Item>,
        Self: Sized,
    {
        Collect::new(self)
    }

    /// Gives each item `duration` to arrive: when the stream is slower,
    /// yields one `Err(Elapsed)` and keeps waiting for the item (the
    /// stream is still polled; the next item restarts the clock). At most
    /// one error comes between two items.
    ///
    /// Needs a runtime with the timer (`enable_time`), like every timer
    /// here; the deadline starts when this is called.
    ///
    /// ```
    /// use runtime_core::time::{self, Duration};
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     // 1 at once, then 2 after 3 s.
    ///     let slow = stream::iter(vec![1, 2]).then(|x| async move {
    ///         if x == 2 {
    ///             time::sleep(Duration::from_secs(3)).await;
    ///         }
    ///         x
    ///     });
    ///     let mut s = std::pin::pin!(slow.timeout(Duration::from_secs(1)));
    ///     assert_eq!(s.try_next().await, Ok(Some(1)));
    ///     assert!(s.try_next().await.is_err()); // 1 s passed without an item
    ///     assert_eq!(s.try_next().await, Ok(Some(2))); // still delivered
    ///     assert_eq!(s.try_next().await, Ok(None));
    /// });
    /// ```
    fn timeout(self, duration: Duration) -> Timeout<Self>
    where
        Self: Sized,
    {
        Timeout::new(self, duration)
    }

    /// Like [`timeout`](StreamExt::timeout), but the deadlines are the
    /// ticks of `interval`, and an error comes at every tick without an
    /// item (not just one between two items); an item resets the interval.
    ///
    /// `runtime_core::time::interval` ticks at once the first time: use
    /// `interval_at(Instant::now() + period, period)` for a first error
    /// after one period.
    ///
    /// ```
    /// use runtime_core::time::{self, Duration, Instant};
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let period = Duration::from_secs(1);
    ///     let ticks = time::interval_at(Instant::now() + period, period);
    ///     let mut s = std::pin::pin!(stream::pending::<i32>().timeout_repeating(ticks));
    ///     let start = Instant::now();
    ///     assert!(s.try_next().await.is_err());
    ///     assert!(s.try_next().await.is_err());
    ///     assert_eq!(start.elapsed(), Duration::from_secs(2));
    /// });
    /// ```
    fn timeout_repeating(self, interval: Interval) -> TimeoutRepeating<Self>
    where
        Self: Sized,
    {
        TimeoutRepeating::new(self, interval)
    }

    /// Slows the stream down: after each item, the next one is not asked
    /// for until `duration` has passed (the first item comes at once).
    ///
    /// ```
    /// use runtime_core::time::{Duration, Instant};
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let start = Instant::now();
    ///     let mut s = std::pin::pin!(stream::iter(1..=3).throttle(Duration::from_secs(2)));
    ///     for expected in 1..=3 {
    ///         assert_eq!(s.next().await, Some(expected));
    ///     }
    ///     assert_eq!(start.elapsed(), Duration::from_secs(4)); // at 0, 2 and 4 s
    ///     // Even the end waits for its turn.
    ///     assert_eq!(s.next().await, None);
    ///     assert_eq!(start.elapsed(), Duration::from_secs(6));
    /// });
    /// ```
    fn throttle(self, duration: Duration) -> Throttle<Self>
    where
        Self: Sized,
    {
        Throttle::new(self, duration)
    }

    /// Batches items into `Vec`s of at most `max_size`: a batch is yielded
    /// when it is full, or `duration` after its first item arrived,
    /// whichever comes first (never empty; the last, partial batch comes
    /// when the stream ends).
    ///
    /// # Panics
    /// If `max_size` is 0.
    ///
    /// ```
    /// use runtime_core::time::{self, Duration};
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     // 1, 2, 3 at once, then 4 after 5 s.
    ///     let late = stream::once(4).then(|x| async move {
    ///         time::sleep(Duration::from_secs(5)).await;
    ///         x
    ///     });
    ///     let s = stream::iter(vec![1, 2, 3]).chain(late);
    ///     let mut batches = std::pin::pin!(s.chunks_timeout(2, Duration::from_secs(1)));
    ///     assert_eq!(batches.next().await, Some(vec![1, 2])); // full
    ///     assert_eq!(batches.next().await, Some(vec![3])); // 1 s after 3
    ///     assert_eq!(batches.next().await, Some(vec![4])); // the stream ended
    ///     assert_eq!(batches.next().await, None);
    /// });
    /// ```
    #[track_caller]
    fn chunks_timeout(self, max_size: usize, duration: Duration) -> ChunksTimeout<Self>
    where
        Self: Sized,
    {
        assert!(max_size > 0, "`max_size` must be non-zero.");
        ChunksTimeout::new(self, max_size, duration)
    }

    /// A stream whose next item can be looked at without taking it
    /// ([`Peekable::peek`]).
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut s = stream::iter(vec![1, 2]).peekable();
    ///     assert_eq!(s.peek().await, Some(&1));
    ///     assert_eq!(s.peek().await, Some(&1));
    ///     assert_eq!(s.next().await, Some(1));
    ///     assert_eq!(s.next().await, Some(2));
    ///     assert_eq!(s.peek().await, None);
    /// });
    /// ```
    fn peekable(self) -> Peekable<Self>
    where
        Self: Sized,
    {
        Peekable::new(self)
    }
}

impl<St> StreamExt for St where St: Stream + ?Sized {}

/// Adds two streams' size hints (for streams that yield both's items).
pub(crate) fn merge_size_hints(
    (a_low, a_high): (usize, Option<usize>),
    (b_low, b_high): (usize, Option<usize>),
) -> (usize, Option<usize>) {
    let low = a_low.saturating_add(b_low);
    let high = match (a_high, b_high) {
        (Some(a), Some(b)) => a.checked_add(b),
        _ => None,
    };
    (low, high)
}
