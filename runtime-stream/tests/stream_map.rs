//! `StreamMap`: keyed merging, removal of ended streams, fairness,
//! `next_many`, and `StreamNotifyClose` with it (the scenarios of
//! `tokio-stream`'s `stream_stream_map` tests, rewritten).

use futures_lite::future::poll_once;
use runtime_stream::{self as stream, Stream, StreamExt, StreamMap, StreamNotifyClose};
use runtime_sync::mpsc;
use std::collections::HashMap;
use std::pin::Pin;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    runtime_core::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn empty_map_ends_at_once() {
    block_on(async {
        let mut map: StreamMap<u8, stream::Pending<()>> = StreamMap::new();
        assert_eq!(map.next().await, None);
        assert_eq!(map.size_hint(), (0, Some(0)));
    });
}

#[test]
fn yields_items_with_their_key_and_drops_ended_streams() {
    block_on(async {
        let (tx_a, rx_a) = mpsc::unbounded_channel();
        let (tx_b, rx_b) = mpsc::unbounded_channel();
        let mut map = StreamMap::new();
        map.insert("a", rx_a);
        map.insert("b", rx_b);
        assert_eq!(poll_once(map.next()).await, None, "nothing sent yet");

        tx_a.send(1).unwrap();
        assert_eq!(map.next().await, Some(("a", 1)));
        tx_b.send(2).unwrap();
        assert_eq!(map.next().await, Some(("b", 2)));

        drop(tx_a);
        assert_eq!(poll_once(map.next()).await, None, "b is still open");
        assert_eq!(map.len(), 1, "a ended and was removed");
        assert!(!map.contains_key("a"));

        tx_b.send(3).unwrap();
        drop(tx_b);
        assert_eq!(map.next().await, Some(("b", 3)));
        assert_eq!(map.next().await, None);
        assert!(map.is_empty());
    });
}

#[test]
fn insert_replaces_and_remove_stops_a_stream() {
    block_on(async {
        let mut map = StreamMap::new();
        assert!(map.insert(1, stream::iter(vec!['x'])).is_none());
        let old = map.insert(1, stream::iter(vec!['y']));
        assert!(old.is_some());
        assert_eq!(map.len(), 1);
        map.insert(2, stream::iter(vec!['z']));
        assert!(map.remove(&2).is_some());
        assert!(map.remove(&2).is_none());
        let all: Vec<(i32, char)> = map.collect().await;
        assert_eq!(all, [(1, 'y')]);
    });
}

#[test]
fn accessors() {
    let mut map = StreamMap::with_capacity(4);
    assert!(map.capacity() >= 4);
    map.insert(String::from("a"), stream::iter(0..3));
    map.insert(String::from("b"), stream::iter(0..2));
    assert!(map.contains_key("a"));
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    assert_eq!(keys, ["a", "b"]);
    assert_eq!(map.values().map(|s| s.size_hint().0).sum::<usize>(), 5);
    assert_eq!(map.size_hint(), (5, Some(5)));
    assert_eq!(map.iter().count(), 2);
    assert_eq!(map.iter_mut().count(), 2);
    assert_eq!(map.values_mut().count(), 2);
    map.clear();
    assert!(map.is_empty());

    let collected: StreamMap<u8, stream::Iter<std::ops::Range<u8>>> =
        vec![(1, stream::iter(0..1)), (1, stream::iter(0..2))]
            .into_iter()
            .collect();
    assert_eq!(collected.len(), 1, "FromIterator replaces equal keys");
}

#[test]
fn no_stream_starves_the_others() {
    block_on(async {
        // Three streams that are always ready: the random start gives each
        // a share, where polling in order would give every item to one.
        let mut map = StreamMap::new();
        for key in 0..3 {
            map.insert(key, stream::iter(std::iter::repeat(())));
        }
        let mut counts = HashMap::new();
        for _ in 0..300 {
            let (key, ()) = map.next().await.unwrap();
            *counts.entry(key).or_insert(0) += 1;
        }
        for key in 0..3 {
            let n = counts.get(&key).copied().unwrap_or(0);
            assert!(n > 30, "stream {key} got {n} of 300 items: {counts:?}");
        }
    });
}

#[test]
fn every_stream_is_polled_when_several_end_at_once() {
    block_on(async {
        // Ended streams are removed while the others are polled: none may be
        // skipped, whatever the random start.
        for _ in 0..50 {
            let mut map: StreamMap<u32, Pin<Box<dyn Stream<Item = u32>>>> = StreamMap::new();
            for key in 0..4 {
                map.insert(key, Box::pin(stream::empty()));
            }
            map.insert(9, Box::pin(stream::once(9)));
            assert_eq!(map.next().await, Some((9, 9)));
            assert_eq!(map.next().await, None);
        }
    });
}

#[test]
fn next_many_takes_what_is_ready() {
    block_on(async {
        let mut map = StreamMap::new();
        map.insert("a", stream::iter(vec![1, 2, 3]));
        map.insert("b", stream::iter(vec![4]));
        let mut buf = Vec::new();
        assert_eq!(map.next_many(&mut buf, 0).await, 0);
        assert_eq!(map.next_many(&mut buf, 3).await, 3);
        assert_eq!(map.next_many(&mut buf, 10).await, 1);
        assert_eq!(map.next_many(&mut buf, 10).await, 0, "all ended");
        buf.sort();
        assert_eq!(buf, [("a", 1), ("a", 2), ("a", 3), ("b", 4)]);

        // Nothing ready: it waits, and returns what arrives.
        let (tx, rx) = mpsc::unbounded_channel();
        let mut map = StreamMap::new();
        map.insert(0, rx);
        let mut buf = Vec::new();
        assert_eq!(poll_once(map.next_many(&mut buf, 5)).await, None);
        tx.send('x').unwrap();
        tx.send('y').unwrap();
        assert_eq!(map.next_many(&mut buf, 5).await, 2);
        assert_eq!(buf, [(0, 'x'), (0, 'y')]);
    });
}

#[test]
fn notify_close_tells_which_stream_ended() {
    block_on(async {
        let mut map = StreamMap::new();
        map.insert("short", StreamNotifyClose::new(stream::iter(vec![1])));
        map.insert("long", StreamNotifyClose::new(stream::iter(vec![1, 2])));
        let mut events: Vec<(&str, Option<i32>)> = map.collect().await;
        events.sort();
        assert_eq!(
            events,
            [
                ("long", None),
                ("long", Some(1)),
                ("long", Some(2)),
                ("short", None),
                ("short", Some(1))
            ]
        );
    });
}
