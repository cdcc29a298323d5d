//! [`Collect`] and [`FromStream`]: draining a stream into a collection, as
//! `tokio-stream`'s `collect` (so `Result<Vec<T>, E>` stops at the first
//! error), plus the std collections `futures-lite`'s `collect` accepted.

use futures_core::Stream;
use pin_project_lite::pin_project;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomPinned;
use std::mem;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// What [`StreamExt::collect`](crate::StreamExt::collect) can build from a
/// stream of `T`: `Vec<T>`, `VecDeque<T>`, `LinkedList<T>`, `Box<[T]>`,
/// `BinaryHeap<T>`, `HashSet<T>`, `BTreeSet<T>`, `HashMap<K, V>` and
/// `BTreeMap<K, V>` from `(K, V)`, `String` from anything `AsRef<str>`, `()`
/// from `()`, and `Result<C, E>` from `Result<T, E>` (stopping at the first
/// `Err`).
///
/// Sealed, as `tokio-stream`'s: it cannot be implemented outside this
/// crate.
///
/// ```
/// use runtime_stream::{self as stream, StreamExt};
/// use std::collections::HashMap;
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let text: String = stream::iter(vec!["ab", "cd"]).collect().await;
///     assert_eq!(text, "abcd");
///     let ages: HashMap<&str, u32> = stream::iter(vec![("ann", 31), ("bob", 27)]).collect().await;
///     assert_eq!(ages["bob"], 27);
/// });
/// ```
pub trait FromStream<T>: sealed::FromStreamPriv<T> {}

pub(crate) mod sealed {
    /// The machinery behind `FromStream`, out of reach of other crates.
    pub trait FromStreamPriv<T>: Sized {
        /// What is built up while the stream runs.
        type Collection;

        /// An empty collection, sized for the stream's size hint.
        fn start(_: Internal, lower: usize, upper: Option<usize>) -> Self::Collection;

        /// Adds an item; `false` stops the collecting.
        fn push(_: Internal, collection: &mut Self::Collection, item: T) -> bool;

        /// The result (the collection is left empty).
        fn finish(_: Internal, collection: &mut Self::Collection) -> Self;
    }

    /// A token only this crate can make, so only it can call the above.
    #[derive(Debug)]
    pub struct Internal;
}

use sealed::{FromStreamPriv, Internal};

pin_project! {
    /// The future returned by [`StreamExt::collect`](crate::StreamExt::collect).
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let boxed: Box<[u8]> = stream::iter(1..=3).collect().await;
    ///     assert_eq!(&*boxed, &[1, 2, 3]);
    /// });
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Collect<T, U>
    where
        T: Stream,
        U: FromStream<T::Item>,
    {
        #[pin]
        stream: T,
        collection: U::Collection,
        // `!Unpin`, as `tokio-stream`'s (so it can change without breaking
        // code that relied on `Unpin`).
        #[pin]
        _pin: PhantomPinned,
    }
}

impl<T, U> Collect<T, U>
where
    T: Stream,
    U: FromStream<T::Item>,
{
    pub(crate) fn new(stream: T) -> Self {
        let (lower, upper) = stream.size_hint();
        Collect {
            stream,
            collection: U::start(Internal, lower, upper),
            _pin: PhantomPinned,
        }
    }
}

impl<T, U> fmt::Debug for Collect<T, U>
where
    T: Stream + fmt::Debug,
    U: FromStream<T::Item>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Collect")
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

impl<T, U> Future for Collect<T, U>
where
    T: Stream,
    U: FromStream<T::Item>,
{
    type Output = U;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<U> {
        let mut me = self.project();
        loop {
            match ready!(me.stream.as_mut().poll_next(cx)) {
                Some(item) => {
                    if !U::push(Internal, me.collection, item) {
                        return Poll::Ready(U::finish(Internal, me.collection));
                    }
                }
                None => return Poll::Ready(U::finish(Internal, me.collection)),
            }
        }
    }
}

impl FromStream<()> for () {}

impl FromStreamPriv<()> for () {
    type Collection = ();

    fn start(_: Internal, _: usize, _: Option<usize>) {}

    fn push(_: Internal, _: &mut (), _: ()) -> bool {
        true
    }

    fn finish(_: Internal, _: &mut ()) {}
}

impl<T: AsRef<str>> FromStream<T> for String {}

impl<T: AsRef<str>> FromStreamPriv<T> for String {
    type Collection = String;

    fn start(_: Internal, _: usize, _: Option<usize>) -> String {
        String::new()
    }

    fn push(_: Internal, collection: &mut String, item: T) -> bool {
        collection.push_str(item.as_ref());
        true
    }

    fn finish(_: Internal, collection: &mut String) -> String {
        mem::take(collection)
    }
}

impl<T> FromStream<T> for Vec<T> {}

impl<T> FromStreamPriv<T> for Vec<T> {
    type Collection = Vec<T>;

    fn start(_: Internal, lower: usize, _: Option<usize>) -> Vec<T> {
        Vec::with_capacity(lower)
    }

    fn push(_: Internal, collection: &mut Vec<T>, item: T) -> bool {
        collection.push(item);
        true
    }

    fn finish(_: Internal, collection: &mut Vec<T>) -> Vec<T> {
        mem::take(collection)
    }
}

impl<T> FromStream<T> for Box<[T]> {}

impl<T> FromStreamPriv<T> for Box<[T]> {
    type Collection = Vec<T>;

    fn start(_: Internal, lower: usize, _: Option<usize>) -> Vec<T> {
        Vec::with_capacity(lower)
    }

    fn push(_: Internal, collection: &mut Vec<T>, item: T) -> bool {
        collection.push(item);
        true
    }

    fn finish(_: Internal, collection: &mut Vec<T>) -> Box<[T]> {
        mem::take(collection).into_boxed_slice()
    }
}

/// `FromStream` for a std collection that is `Default + Extend`.
macro_rules! from_stream_by_extend {
    ($(impl<$($gen:ident),*> for $coll:ty, item $item:ty, where [$($bound:tt)*];)*) => {$(
        impl<$($gen),*> FromStream<$item> for $coll where $($bound)* {}

        impl<$($gen),*> FromStreamPriv<$item> for $coll where $($bound)* {
            type Collection = $coll;

            fn start(_: Internal, _: usize, _: Option<usize>) -> $coll {
                <$coll>::default()
            }

            fn push(_: Internal, collection: &mut $coll, item: $item) -> bool {
                collection.extend(std::iter::once(item));
                true
            }

            fn finish(_: Internal, collection: &mut $coll) -> $coll {
                mem::take(collection)
            }
        }
    )*};
}

from_stream_by_extend! {
    impl<T> for VecDeque<T>, item T, where [];
    impl<T> for LinkedList<T>, item T, where [];
    impl<T> for BinaryHeap<T>, item T, where [T: Ord];
    impl<T> for BTreeSet<T>, item T, where [T: Ord];
    impl<T, S> for HashSet<T, S>, item T, where [T: Eq + Hash, S: BuildHasher + Default];
    impl<K, V> for BTreeMap<K, V>, item (K, V), where [K: Ord];
    impl<K, V, S> for HashMap<K, V, S>, item (K, V), where [K: Eq + Hash, S: BuildHasher + Default];
}

impl<T, U, E> FromStream<Result<T, E>> for Result<U, E> where U: FromStream<T> {}

impl<T, U, E> FromStreamPriv<Result<T, E>> for Result<U, E>
where
    U: FromStream<T>,
{
    /// The collection so far, or the first error.
    type Collection = Result<U::Collection, E>;

    fn start(_: Internal, lower: usize, upper: Option<usize>) -> Self::Collection {
        Ok(U::start(Internal, lower, upper))
    }

    fn push(_: Internal, collection: &mut Self::Collection, item: Result<T, E>) -> bool {
        match (collection.as_mut(), item) {
            (Ok(inner), Ok(item)) => U::push(Internal, inner, item),
            (Ok(_), Err(e)) => {
                *collection = Err(e);
                false
            }
            // Collecting stopped at the first error.
            (Err(_), _) => false,
        }
    }

    fn finish(_: Internal, collection: &mut Self::Collection) -> Result<U, E> {
        let empty = Ok(U::start(Internal, 0, Some(0)));
        match mem::replace(collection, empty) {
            Ok(mut inner) => Ok(U::finish(Internal, &mut inner)),
            Err(e) => Err(e),
        }
    }
}
