//! `StreamExt`'s untimed combinators, the sources and `StreamNotifyClose`:
//! the scenarios of `tokio-stream`'s own tests (chain, collect, fuse,
//! iter, map_while, merge, peekable...), rewritten for this crate.

use futures_core::FusedStream;
use futures_lite::future::poll_once;
use runtime_stream::{self as stream, Stream, StreamExt, StreamNotifyClose};
use std::cell::Cell;
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    runtime_core::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// Yields its items in order and counts how often it is polled; panics if
/// polled after it has returned `None`.
struct Counted {
    items: VecDeque<u32>,
    polls: Rc<Cell<u32>>,
    ended: bool,
}

fn counted(items: &[u32]) -> (Counted, Rc<Cell<u32>>) {
    let polls = Rc::new(Cell::new(0));
    let s = Counted {
        items: items.iter().copied().collect(),
        polls: polls.clone(),
        ended: false,
    };
    (s, polls)
}

impl Stream for Counted {
    type Item = u32;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u32>> {
        assert!(!self.ended, "polled after it ended");
        self.polls.set(self.polls.get() + 1);
        let next = self.items.pop_front();
        self.ended = next.is_none();
        Poll::Ready(next)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.items.len(), Some(self.items.len()))
    }
}

/// A stream that fails the test if polled at all.
struct MustNotPoll<T>(std::marker::PhantomData<T>);

impl<T> Stream for MustNotPoll<T> {
    type Item = T;
    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<T>> {
        panic!("this stream must not be polled");
    }
}

fn must_not_poll<T>() -> MustNotPoll<T> {
    MustNotPoll(std::marker::PhantomData)
}

#[test]
fn next_and_try_next() {
    block_on(async {
        let mut s = stream::iter(vec![Ok(1), Err("bad"), Ok(2)]);
        assert_eq!(s.try_next().await, Ok(Some(1)));
        assert_eq!(s.try_next().await, Err("bad"));
        assert_eq!(s.next().await, Some(Ok(2)));
        assert_eq!(s.try_next().await, Ok(None));
    });
}

#[test]
fn iter_yields_to_the_scheduler_every_32_items() {
    block_on(async {
        let mut s = stream::iter(0..100);
        let mut ready = 0;
        while let Some(item) = poll_once(s.next()).await {
            assert_eq!(item, Some(ready));
            ready += 1;
        }
        assert_eq!(ready, 32, "Iter returns Pending once after 32 items");
        // It woke itself: the rest still comes, in order.
        let rest: Vec<i32> = s.collect().await;
        assert_eq!(rest, (32..100).collect::<Vec<_>>());
    });
}

#[test]
fn sources_once_empty_pending() {
    block_on(async {
        let mut one = stream::once("x");
        assert_eq!(one.size_hint(), (1, Some(1)));
        assert_eq!(one.next().await, Some("x"));
        assert_eq!(one.next().await, None);

        let mut none = stream::empty::<u8>();
        assert_eq!(none.size_hint(), (0, Some(0)));
        assert_eq!(none.next().await, None);

        let mut never = stream::pending::<u8>();
        assert_eq!(
            poll_once(never.next()).await,
            None,
            "pending is never ready"
        );
    });
}

#[test]
fn chain_runs_the_first_to_its_end_then_the_second() {
    block_on(async {
        let (a, _) = counted(&[1, 2]);
        let (b, _) = counted(&[3]);
        let s = a.chain(b);
        let all: Vec<u32> = s.collect().await;
        assert_eq!(all, [1, 2, 3]);
    });
}

#[test]
fn map_filter_filter_map_skip_take() {
    block_on(async {
        let got: Vec<u32> = stream::iter(1..=20)
            .skip(2) // 3..=20
            .skip_while(|x| *x < 5) // 5..=20
            .filter(|x| x % 2 == 1) // 5, 7, ..., 19
            .map(|x| x * 10)
            .filter_map(|x| (x != 70).then_some(x + 1))
            .take(3)
            .collect()
            .await;
        assert_eq!(got, [51, 91, 111]);
    });
}

#[test]
fn take_zero_does_not_poll() {
    block_on(async {
        let mut s = must_not_poll::<u8>().take(0);
        assert_eq!(s.next().await, None);
    });
}

#[test]
fn take_while_stops_polling_at_the_first_rejected_item() {
    block_on(async {
        let (s, polls) = counted(&[1, 2, 10, 3, 4]);
        let mut s = s.take_while(|x| *x < 5);
        assert_eq!(s.next().await, Some(1));
        assert_eq!(s.next().await, Some(2));
        assert_eq!(s.next().await, None);
        assert!(s.is_terminated());
        assert_eq!(s.next().await, None);
        assert_eq!(s.size_hint(), (0, Some(0)));
        assert_eq!(polls.get(), 3, "3 and 4 are never asked for");
    });
}

#[test]
fn map_while_stops_polling_at_the_first_none() {
    block_on(async {
        let (s, polls) = counted(&[1, 2, 0, 3]);
        let mut s = s.map_while(|x| 10u32.checked_div(x));
        assert_eq!(s.size_hint(), (0, Some(4)));
        assert_eq!(s.next().await, Some(10));
        assert_eq!(s.next().await, Some(5));
        assert_eq!(s.next().await, None);
        assert_eq!(s.next().await, None);
        assert_eq!(polls.get(), 3);
    });
}

/// Alternates `Some(n)` and `None` forever.
struct Alternate(u32);

impl Stream for Alternate {
    type Item = u32;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u32>> {
        let n = self.0;
        self.0 += 1;
        Poll::Ready(n.is_multiple_of(2).then_some(n))
    }
}

#[test]
fn fuse_stays_ended() {
    block_on(async {
        let mut raw = Alternate(0);
        assert_eq!(raw.next().await, Some(0));
        assert_eq!(raw.next().await, None);
        assert_eq!(raw.next().await, Some(2), "unfused, it comes back");

        let mut fused = Alternate(0).fuse();
        assert!(!fused.is_terminated());
        assert_eq!(fused.next().await, Some(0));
        assert_eq!(fused.next().await, None);
        assert!(fused.is_terminated());
        for _ in 0..3 {
            assert_eq!(fused.next().await, None);
        }
        assert_eq!(fused.size_hint(), (0, Some(0)));
    });
}

#[test]
fn then_runs_one_future_at_a_time() {
    block_on(async {
        let running = Rc::new(Cell::new(0));
        let r = running.clone();
        let s = stream::iter(1..=3).then(move |x| {
            let r = r.clone();
            async move {
                r.set(r.get() + 1);
                assert_eq!(r.get(), 1, "two futures at once");
                runtime_core::task::yield_now().await;
                r.set(r.get() - 1);
                x * 2
            }
        });
        let all: Vec<i32> = s.collect().await;
        assert_eq!(all, [2, 4, 6]);
        assert_eq!(running.get(), 0);
    });
}

#[test]
fn merge_alternates_between_two_ready_streams() {
    block_on(async {
        let a = stream::iter(std::iter::repeat("a"));
        let b = stream::iter(std::iter::repeat("b"));
        let got: Vec<&str> = a.merge(b).take(6).collect().await;
        assert_eq!(got, ["a", "b", "a", "b", "a", "b"]);
    });
}

#[test]
fn merge_ends_when_both_end_and_adds_size_hints() {
    block_on(async {
        let s = stream::iter(vec![1, 3, 5]).merge(stream::iter(vec![2, 4]));
        assert_eq!(s.size_hint(), (5, Some(5)));
        let all: Vec<i32> = s.collect().await;
        assert_eq!(all, [1, 2, 3, 4, 5]);

        // One side pending forever: the merge does not end after the other.
        let mut s = stream::pending::<i32>().merge(stream::iter(vec![7]));
        assert_eq!(s.next().await, Some(7));
        assert_eq!(poll_once(s.next()).await, None, "pending, not ended");
    });
}

#[test]
fn merge_interleaves_channels_as_items_arrive() {
    block_on(async {
        let (tx1, rx1) = runtime_sync::mpsc::unbounded_channel();
        let (tx2, rx2) = runtime_sync::mpsc::unbounded_channel();
        let mut s = rx1.merge(rx2);
        tx2.send(1).unwrap();
        assert_eq!(s.next().await, Some(1));
        tx1.send(2).unwrap();
        assert_eq!(s.next().await, Some(2));
        drop(tx1);
        assert_eq!(poll_once(s.next()).await, None, "tx2 still open");
        tx2.send(3).unwrap();
        drop(tx2);
        assert_eq!(s.next().await, Some(3));
        assert_eq!(s.next().await, None);
    });
}

#[test]
fn all_and_any_short_circuit() {
    block_on(async {
        let mut s = stream::iter(vec![2, 4, 5, 6]);
        assert!(!s.all(|x| x % 2 == 0).await);
        assert_eq!(s.next().await, Some(6), "all stopped at 5");

        let mut s = stream::iter(vec![1, 3, 4, 5]);
        assert!(s.any(|x| x % 2 == 0).await);
        assert_eq!(s.next().await, Some(5), "any stopped at 4");

        assert!(stream::empty::<u8>().all(|_| false).await);
        assert!(!stream::empty::<u8>().any(|_| true).await);
    });
}

#[test]
fn fold_accumulates() {
    block_on(async {
        let text = stream::iter(vec!["a", "b", "c"])
            .fold(String::new(), |mut acc, s| {
                acc.push_str(s);
                acc
            })
            .await;
        assert_eq!(text, "abc");
    });
}

#[test]
fn collect_into_the_supported_collections() {
    block_on(async {
        let v: Vec<u8> = stream::iter(1..=3).collect().await;
        assert_eq!(v, [1, 2, 3]);
        let b: Box<[u8]> = stream::iter(1..=3).collect().await;
        assert_eq!(&*b, &[1, 2, 3]);
        let s: String = stream::iter(vec!["ab", "c"]).collect().await;
        assert_eq!(s, "abc");
        let owned: String = stream::iter(vec![String::from("x"), String::from("y")])
            .collect()
            .await;
        assert_eq!(owned, "xy");
        let set: HashSet<u8> = stream::iter(vec![1, 1, 2]).collect().await;
        assert_eq!(set.len(), 2);
        let map: BTreeMap<&str, u8> = stream::iter(vec![("b", 2), ("a", 1)]).collect().await;
        assert_eq!(map.keys().collect::<Vec<_>>(), [&"a", &"b"]);
        let d: VecDeque<u8> = stream::iter(0..2).collect().await;
        assert_eq!(d, [0, 1]);
        let (): () = stream::iter(vec![(), ()]).collect().await;
    });
}

#[test]
fn collect_result_stops_at_the_first_error() {
    block_on(async {
        let ok: Result<Vec<u8>, &str> = stream::iter(vec![Ok(1), Ok(2)]).collect().await;
        assert_eq!(ok, Ok(vec![1, 2]));
        // After the error, the rest of the stream is not polled.
        let s = stream::iter(vec![Ok(1), Err("first"), Err("second")]).chain(must_not_poll());
        let err: Result<Vec<u8>, &str> = s.collect().await;
        assert_eq!(err, Err("first"));
        let nested: Result<String, u8> = stream::iter(vec![Ok("a"), Ok("b")]).collect().await;
        assert_eq!(nested.unwrap(), "ab");
    });
}

#[test]
fn peekable_peeks_without_taking() {
    block_on(async {
        let (s, polls) = counted(&[1, 2]);
        let mut s = s.peekable();
        assert_eq!(s.peek().await, Some(&1));
        assert_eq!(s.peek().await, Some(&1));
        assert_eq!(polls.get(), 1, "a second peek does not poll");
        assert_eq!(s.size_hint(), (2, Some(2)));
        assert_eq!(s.next().await, Some(1));
        assert_eq!(s.next().await, Some(2));
        assert_eq!(s.peek().await, None);
        assert_eq!(
            s.next().await,
            None,
            "fused: the Counted stream is not polled again"
        );
    });
}

#[test]
fn stream_notify_close_reports_the_end_once() {
    block_on(async {
        let mut s = StreamNotifyClose::new(stream::iter(vec![1, 2]));
        assert_eq!(s.size_hint(), (3, Some(3)));
        assert_eq!(s.next().await, Some(Some(1)));
        assert_eq!(s.next().await, Some(Some(2)));
        assert_eq!(s.next().await, Some(None));
        assert_eq!(s.next().await, None);
        assert_eq!(s.size_hint(), (0, Some(0)));
        assert!(s.into_inner().is_none());
    });
}
