//! The timer-based combinators (`timeout`, `timeout_repeating`,
//! `throttle`, `chunks_timeout`) and `IntervalStream`, on the paused clock:
//! every instant below is exact, and nothing sleeps for real.

use futures_lite::future::poll_once;
use runtime_core::time::{self, interval_at, Duration, Instant};
use runtime_stream::wrappers::IntervalStream;
use runtime_stream::{self as stream, Stream, StreamExt};
use std::pin::pin;

fn paused() -> runtime_core::Runtime {
    runtime_core::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Yields each `(delay, value)` after waiting `delay` (from when the
/// previous item was taken).
fn delayed<T>(items: Vec<(u64, T)>) -> impl Stream<Item = T> {
    stream::iter(items).then(|(delay, value)| async move {
        time::sleep(ms(delay)).await;
        value
    })
}

#[test]
fn timeout_yields_one_error_between_two_late_items() {
    paused().block_on(async {
        let start = Instant::now();
        let s = delayed(vec![(0, 1), (250, 2), (0, 3)]).timeout(ms(100));
        let mut s = pin!(s);
        assert_eq!(s.next().await, Some(Ok(1)));
        // 2 is 250 ms away: one error at 100 ms, none at 200 ms.
        assert!(s.next().await.unwrap().is_err());
        assert_eq!(start.elapsed(), ms(100));
        assert_eq!(s.next().await, Some(Ok(2)));
        assert_eq!(start.elapsed(), ms(250));
        // The clock restarted at 2: 3 is on time.
        assert_eq!(s.next().await, Some(Ok(3)));
        assert_eq!(s.next().await, None);
        assert_eq!(s.next().await, None, "fused");
    });
}

#[test]
fn timeout_deadline_restarts_with_each_item() {
    paused().block_on(async {
        // Each gap is 90 ms, under the 100 ms limit, though the total is not.
        let s = delayed(vec![(90, 'a'), (90, 'b'), (90, 'c')]).timeout(ms(100));
        let all: Vec<_> = s.collect().await;
        assert_eq!(all, [Ok('a'), Ok('b'), Ok('c')]);
    });
}

#[test]
fn timeout_error_converts_to_timed_out() {
    paused().block_on(async {
        let mut s = pin!(stream::pending::<()>().timeout(ms(5)));
        let err = s.try_next().await.unwrap_err();
        assert_eq!(err.to_string(), "deadline has elapsed");
        let io: std::io::Error = err.into();
        assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
    });
}

#[test]
fn timeout_repeating_errors_at_every_tick_and_an_item_resets_it() {
    paused().block_on(async {
        let start = Instant::now();
        let ticks = interval_at(start + ms(100), ms(100));
        let s = delayed(vec![(250, "late")])
            .chain(stream::pending())
            .timeout_repeating(ticks);
        let mut s = pin!(s);
        let mut seen = Vec::new();
        for _ in 0..5 {
            let item = s.next().await.unwrap();
            seen.push((start.elapsed().as_millis(), item.is_ok()));
        }
        // Errors at 100 and 200, the item at 250, then a period from it.
        assert_eq!(
            seen,
            [
                (100, false),
                (200, false),
                (250, true),
                (350, false),
                (450, false)
            ]
        );
    });
}

#[test]
fn throttle_spaces_items_by_the_period() {
    paused().block_on(async {
        let start = Instant::now();
        let mut s = pin!(stream::iter(0..3).throttle(ms(100)));
        assert_eq!(s.next().await, Some(0));
        assert_eq!(
            start.elapsed(),
            Duration::ZERO,
            "the first item is not delayed"
        );
        // The next one waits: not ready at 99 ms, ready at 100 ms.
        assert_eq!(poll_once(s.next()).await, None);
        time::advance(ms(99)).await;
        assert_eq!(poll_once(s.next()).await, None);
        time::advance(ms(1)).await;
        assert_eq!(poll_once(s.next()).await, Some(Some(1)));
        assert_eq!(s.next().await, Some(2));
        assert_eq!(start.elapsed(), ms(200));
        assert_eq!(s.next().await, None);
    });
}

#[test]
fn throttle_counts_from_when_the_item_was_yielded() {
    paused().block_on(async {
        // The source itself takes 150 ms per item, longer than the period:
        // throttling adds no extra wait beyond the period after an item.
        let start = Instant::now();
        let s = delayed(vec![(150, 1), (150, 2)]).throttle(ms(100));
        let mut s = pin!(s);
        assert_eq!(s.next().await, Some(1));
        assert_eq!(start.elapsed(), ms(150));
        assert_eq!(s.next().await, Some(2));
        // 100 ms of throttle, then the source's 150 ms.
        assert_eq!(start.elapsed(), ms(400));
    });
}

#[test]
fn throttle_zero_is_a_no_op() {
    paused().block_on(async {
        let start = Instant::now();
        let all: Vec<i32> = stream::iter(0..5).throttle(Duration::ZERO).collect().await;
        assert_eq!(all, [0, 1, 2, 3, 4]);
        assert_eq!(start.elapsed(), Duration::ZERO);
    });
}

#[test]
fn chunks_timeout_yields_a_partial_chunk_at_the_deadline() {
    paused().block_on(async {
        let start = Instant::now();
        // 1, 2, 3 at once; 4 after 3 s.
        let s = stream::iter(vec![1, 2, 3]).chain(delayed(vec![(3000, 4)]));
        let mut s = pin!(s.chunks_timeout(4, Duration::from_secs(2)));
        assert_eq!(poll_once(s.next()).await, None, "not full, not due yet");
        assert_eq!(s.next().await, Some(vec![1, 2, 3]));
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        // 4 comes at 3 s and the stream ends right after: no wait.
        assert_eq!(s.next().await, Some(vec![4]));
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        assert_eq!(s.next().await, None);
    });
}

#[test]
fn chunks_timeout_yields_a_full_chunk_before_the_deadline() {
    paused().block_on(async {
        let start = Instant::now();
        let s = delayed(vec![(0, 1), (10, 2), (10, 3), (10, 4)]).chain(stream::pending());
        let mut s = pin!(s.chunks_timeout(2, ms(100)));
        assert_eq!(s.next().await, Some(vec![1, 2]));
        assert_eq!(start.elapsed(), ms(10));
        assert_eq!(s.next().await, Some(vec![3, 4]));
        assert_eq!(start.elapsed(), ms(30));
    });
}

#[test]
fn chunks_timeout_deadline_starts_at_a_chunks_first_item() {
    paused().block_on(async {
        let start = Instant::now();
        // Nothing for 500 ms: no empty chunk meanwhile; then 1, and the
        // chunk is due 100 ms after it.
        let s = delayed(vec![(500, 1)]).chain(stream::pending());
        let mut s = pin!(s.chunks_timeout(10, ms(100)));
        assert_eq!(s.next().await, Some(vec![1]));
        assert_eq!(start.elapsed(), ms(600));
        // A source that stays silent never yields an empty chunk.
        assert!(time::timeout(Duration::from_secs(10), s.next())
            .await
            .is_err());
    });
}

#[test]
#[should_panic(expected = "`max_size` must be non-zero.")]
fn chunks_timeout_of_zero_panics() {
    paused().block_on(async {
        let _ = stream::iter(0..1).chunks_timeout(0, ms(1));
    });
}

#[test]
fn interval_stream_ticks_on_schedule() {
    paused().block_on(async {
        let start = Instant::now();
        let ticks: Vec<Instant> = IntervalStream::new(time::interval(ms(250)))
            .take(3)
            .collect()
            .await;
        let offsets: Vec<Duration> = ticks.iter().map(|t| *t - start).collect();
        assert_eq!(offsets, [ms(0), ms(250), ms(500)]);

        let mut s = IntervalStream::new(time::interval(ms(10)));
        assert_eq!(s.size_hint(), (usize::MAX, None));
        assert_eq!(s.as_ref().period(), ms(10));
        s.as_mut().reset();
        assert_eq!(s.into_inner().period(), ms(10));
    });
}
