//! [`StreamMap`]: many streams merged into one, each under a key that comes
//! with its items and that removes it.

use futures_core::Stream;
use std::borrow::Borrow;
use std::future::poll_fn;
use std::hash::Hash;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Merges any number of streams, each under a key: yields `(key, item)` as
/// the streams produce items, and drops a stream once it ends (the map
/// ends when it is empty).
///
/// Each poll starts at a random stream, so a busy stream cannot starve the
/// others. Streams can be inserted and removed at any time, between polls.
/// Keys and streams must be `Unpin` (use `Box::pin` for a `!Unpin`
/// stream). Backed by a `Vec`: every insert, remove and poll looks at all
/// entries, so it suits a modest number of streams; for thousands, have
/// tasks send into one `mpsc` channel.
///
/// To learn when a stream ends, wrap it in
/// [`StreamNotifyClose`](crate::StreamNotifyClose).
///
/// # Cancel safety
///
/// [`StreamExt::next`](crate::StreamExt::next) and
/// [`next_many`](StreamMap::next_many) are cancel safe when the streams in
/// the map are: an item is taken from a stream only in the poll that
/// returns it, so dropping either future loses no item.
///
/// ```
/// use runtime_stream::{self as stream, StreamExt, StreamMap};
/// use runtime_sync::mpsc;
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let (tx1, rx1) = mpsc::channel::<u32>(4);
///     let (tx2, rx2) = mpsc::channel::<u32>(4);
///     let mut map = StreamMap::new();
///     map.insert("one", rx1);
///     map.insert("two", rx2);
///
///     tx1.send(1).await.unwrap();
///     tx2.send(2).await.unwrap();
///     let mut got = vec![map.next().await.unwrap(), map.next().await.unwrap()];
///     got.sort();
///     assert_eq!(got, [("one", 1), ("two", 2)]);
///
///     // Removing a stream drops it (here, the receiver).
///     assert!(map.remove("one").is_some());
///     assert!(tx1.send(3).await.is_err());
///     drop(tx2); // "two" ends, the map is empty: it ends too
///     assert_eq!(map.next().await, None);
/// });
/// ```
#[derive(Debug)]
pub struct StreamMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> StreamMap<K, V> {
    /// An empty map (no allocation until the first insert).
    ///
    /// ```
    /// use runtime_stream::{Pending, StreamMap};
    ///
    /// let map: StreamMap<&str, Pending<()>> = StreamMap::new();
    /// assert!(map.is_empty());
    /// ```
    pub fn new() -> Self {
        StreamMap {
            entries: Vec::new(),
        }
    }

    /// An empty map with room for `capacity` streams.
    ///
    /// ```
    /// use runtime_stream::{Pending, StreamMap};
    ///
    /// let map: StreamMap<u32, Pending<()>> = StreamMap::with_capacity(10);
    /// assert!(map.capacity() >= 10);
    /// ```
    pub fn with_capacity(capacity: usize) -> Self {
        StreamMap {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// The `(key, stream)` pairs, in no particular order.
    ///
    /// ```
    /// use runtime_stream::{pending, StreamMap};
    ///
    /// let mut map = StreamMap::new();
    /// map.insert("a", pending::<i32>());
    /// map.insert("b", pending());
    /// let mut keys: Vec<&str> = map.iter().map(|(k, _)| *k).collect();
    /// keys.sort();
    /// assert_eq!(keys, ["a", "b"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &(K, V)> {
        self.entries.iter()
    }

    /// The `(key, stream)` pairs, mutably, in no particular order.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamMap};
    ///
    /// let mut map = StreamMap::new();
    /// map.insert(1, stream::iter(vec![10, 11]));
    /// for (_, s) in map.iter_mut() {
    ///     *s = stream::iter(vec![0]);
    /// }
    /// ```
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut (K, V)> {
        self.entries.iter_mut()
    }

    /// The keys, in no particular order.
    ///
    /// ```
    /// use runtime_stream::{pending, StreamMap};
    ///
    /// let mut map = StreamMap::new();
    /// map.insert(7, pending::<()>());
    /// assert_eq!(map.keys().collect::<Vec<_>>(), [&7]);
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The streams, in no particular order.
    ///
    /// ```
    /// use runtime_stream::{self as stream, Stream, StreamMap};
    ///
    /// let mut map = StreamMap::new();
    /// map.insert("a", stream::iter(0..3));
    /// map.insert("b", stream::iter(0..4));
    /// let total: usize = map.values().map(|s| s.size_hint().0).sum();
    /// assert_eq!(total, 7);
    /// ```
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The streams, mutably, in no particular order.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamExt, StreamMap};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut map = StreamMap::new();
    ///     map.insert("a", stream::iter(vec![1, 2]));
    ///     for s in map.values_mut() {
    ///         assert_eq!(s.next().await, Some(1)); // taken outside the map
    ///     }
    ///     assert_eq!(map.next().await, Some(("a", 2)));
    /// });
    /// ```
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// How many streams the map holds without reallocating.
    ///
    /// ```
    /// use runtime_stream::{Pending, StreamMap};
    ///
    /// let map: StreamMap<u8, Pending<()>> = StreamMap::with_capacity(100);
    /// assert!(map.capacity() >= 100);
    /// ```
    pub fn capacity(&self) -> usize {
        self.entries.capacity()
    }

    /// How many streams the map holds.
    ///
    /// ```
    /// use runtime_stream::{pending, StreamMap};
    ///
    /// let mut map = StreamMap::new();
    /// assert_eq!(map.len(), 0);
    /// map.insert(1, pending::<i32>());
    /// assert_eq!(map.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map holds no stream.
    ///
    /// ```
    /// use runtime_stream::{pending, StreamMap};
    ///
    /// let mut map = StreamMap::new();
    /// assert!(map.is_empty());
    /// map.insert(1, pending::<i32>());
    /// assert!(!map.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops every stream (keeping the allocation).
    ///
    /// ```
    /// use runtime_stream::{pending, StreamMap};
    ///
    /// let mut map = StreamMap::new();
    /// map.insert(1, pending::<i32>());
    /// map.clear();
    /// assert!(map.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Adds `stream` under `k`; a stream already under `k` is replaced and
    /// returned.
    ///
    /// ```
    /// use runtime_stream::{pending, StreamMap};
    ///
    /// let mut map = StreamMap::new();
    /// assert!(map.insert(37, pending::<i32>()).is_none());
    /// assert!(map.insert(37, pending()).is_some());
    /// assert_eq!(map.len(), 1);
    /// ```
    pub fn insert(&mut self, k: K, stream: V) -> Option<V>
    where
        K: Hash + Eq,
    {
        let old = self.remove(&k);
        self.entries.push((k, stream));
        old
    }

    /// Removes and returns the stream under `k` (any borrowed form of the
    /// key), if there is one.
    ///
    /// ```
    /// use runtime_stream::{pending, StreamMap};
    ///
    /// let mut map = StreamMap::new();
    /// map.insert(String::from("a"), pending::<i32>());
    /// assert!(map.remove("a").is_some());
    /// assert!(map.remove("a").is_none());
    /// ```
    pub fn remove<Q>(&mut self, k: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let at = self.entries.iter().position(|(key, _)| key.borrow() == k)?;
        Some(self.entries.swap_remove(at).1)
    }

    /// Whether a stream is under `k` (any borrowed form of the key).
    ///
    /// ```
    /// use runtime_stream::{pending, StreamMap};
    ///
    /// let mut map = StreamMap::new();
    /// map.insert(1, pending::<i32>());
    /// assert!(map.contains_key(&1));
    /// assert!(!map.contains_key(&2));
    /// ```
    pub fn contains_key<Q>(&self, k: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.entries.iter().any(|(key, _)| key.borrow() == k)
    }
}

impl<K, V> StreamMap<K, V>
where
    K: Unpin,
    V: Stream + Unpin,
{
    /// Polls each stream once, starting at a random one, until one has an
    /// item. The streams that ended on the way are removed.
    fn poll_next_entry(&mut self, cx: &mut Context<'_>) -> Poll<Option<(K, V::Item)>>
    where
        K: Clone,
    {
        let n = self.entries.len();
        if n == 0 {
            return Poll::Ready(None);
        }
        let start = random_below(n);
        let mut found = None;
        let mut ended = Vec::new();
        for i in 0..n {
            let idx = (start + i) % n;
            let (key, stream) = &mut self.entries[idx];
            match Pin::new(stream).poll_next(cx) {
                Poll::Ready(Some(item)) => {
                    found = Some((key.clone(), item));
                    break;
                }
                Poll::Ready(None) => ended.push(idx),
                Poll::Pending => {}
            }
        }
        // Highest index first, so each `swap_remove` moves in an entry that
        // is still live.
        ended.sort_unstable_by(|a, b| b.cmp(a));
        for idx in ended {
            self.entries.swap_remove(idx);
        }
        match found {
            Some(entry) => Poll::Ready(Some(entry)),
            None if self.entries.is_empty() => Poll::Ready(None),
            None => Poll::Pending,
        }
    }

    /// Polls for up to `limit` items, appending them to `buffer` as
    /// `(key, item)`: `Ready(n)` with `n > 0` items, `Ready(0)` when the
    /// map is empty (or `limit` is 0), `Pending` when no stream had an
    /// item.
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamMap};
    /// use std::future::poll_fn;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut map = StreamMap::new();
    ///     map.insert("a", stream::iter(vec![1, 2, 3]));
    ///     let mut buf = Vec::new();
    ///     let n = poll_fn(|cx| map.poll_next_many(cx, &mut buf, 2)).await;
    ///     assert_eq!(n, 2);
    ///     assert_eq!(buf, [("a", 1), ("a", 2)]);
    /// });
    /// ```
    pub fn poll_next_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<(K, V::Item)>,
        limit: usize,
    ) -> Poll<usize>
    where
        K: Clone,
    {
        if limit == 0 {
            return Poll::Ready(0);
        }
        let mut added = 0;
        while added < limit {
            match self.poll_next_entry(cx) {
                Poll::Ready(Some(entry)) => {
                    buffer.push(entry);
                    added += 1;
                }
                Poll::Ready(None) => break,
                Poll::Pending if added > 0 => break,
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(added)
    }

    /// Waits for at least one item and takes up to `limit` ready ones,
    /// appending them to `buffer`; returns how many it took, 0 when the map
    /// is empty (or `limit` is 0).
    ///
    /// ```
    /// use runtime_stream::{self as stream, StreamMap};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut map = StreamMap::new();
    ///     map.insert(1, stream::iter(vec!['x', 'y']));
    ///     map.insert(2, stream::iter(vec!['z']));
    ///     let mut buf = Vec::new();
    ///     while map.next_many(&mut buf, 10).await > 0 {}
    ///     buf.sort();
    ///     assert_eq!(buf, [(1, 'x'), (1, 'y'), (2, 'z')]);
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: items are taken and appended to `buffer` in the poll
    /// that returns, so a call dropped before it completes has taken none.
    pub async fn next_many(&mut self, buffer: &mut Vec<(K, V::Item)>, limit: usize) -> usize
    where
        K: Clone,
    {
        poll_fn(|cx| self.poll_next_many(cx, buffer, limit)).await
    }
}

impl<K, V> Default for StreamMap<K, V> {
    fn default() -> Self {
        StreamMap::new()
    }
}

impl<K, V> Stream for StreamMap<K, V>
where
    K: Clone + Unpin,
    V: Stream + Unpin,
{
    type Item = (K, V::Item);

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.poll_next_entry(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries
            .iter()
            .map(|(_, s)| s.size_hint())
            .fold((0, Some(0)), crate::stream_ext::merge_size_hints)
    }
}

impl<K, V> FromIterator<(K, V)> for StreamMap<K, V>
where
    K: Hash + Eq,
{
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        let iter = iter.into_iter();
        let mut map = StreamMap::with_capacity(iter.size_hint().0);
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl<K, V> Extend<(K, V)> for StreamMap<K, V> {
    /// Adds the pairs as they are (without replacing a stream under an
    /// equal key, as `tokio-stream`'s).
    fn extend<T: IntoIterator<Item = (K, V)>>(&mut self, iter: T) {
        self.entries.extend(iter);
    }
}

/// A random number in `0..n` (`n > 0`): a per-thread xorshift seeded from
/// std's randomly keyed hasher.
fn random_below(n: usize) -> usize {
    use std::cell::Cell;
    use std::hash::{BuildHasher, Hasher};
    std::thread_local! {
        static STATE: Cell<u64> = Cell::new({
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(0);
            h.finish() | 1
        });
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        // The high bits, scaled to `0..n`.
        ((u128::from(x >> 32) * n as u128) >> 32) as usize
    })
}
