//! Timers on every scheduler flavour: ordering, `timeout`, `interval`
//! behaviours under the paused clock, `Sleep::reset`, 100k timers, and the
//! panic that names `enable_time`.

#[macro_use]
mod common;

use runtime::time::{self, Duration, Instant, MissedTickBehavior};
use std::future::Future;
use std::sync::Arc;

rt_test! {
    fn sleeps_fire_in_deadline_order(rt) {
        // On the real clock, and on workers that may run woken tasks in
        // any order, the order in which tasks *run* after their timers is
        // not the timers' order; what the runtime promises is the order in
        // which the wheel fires them. So: every sleep is put in the wheel
        // (by `reset`) before any can be due, and whenever one is over,
        // every sleep due before it has fired too (`is_elapsed`, which the
        // wheel sets under its lock), and the clock has passed its deadline.
        rt.block_on(async {
            let start = Instant::now();
            let far = start + Duration::from_secs(3600);
            let mut sleeps: Vec<_> = (0..5).map(|_| Box::pin(time::sleep_until(far))).collect();
            for (i, s) in sleeps.iter_mut().enumerate() {
                s.as_mut().reset(start + Duration::from_millis(10 * (i as u64 + 1)));
            }
            let mut done = Vec::new();
            std::future::poll_fn(|cx| {
                for i in 0..sleeps.len() {
                    if done.contains(&i) || sleeps[i].as_mut().poll(cx).is_pending() {
                        continue;
                    }
                    assert!(Instant::now() >= sleeps[i].deadline(), "sleep {i} ended early");
                    for (j, earlier) in sleeps[..i].iter().enumerate() {
                        assert!(earlier.is_elapsed(), "sleep {i} fired before sleep {j}");
                    }
                    done.push(i);
                }
                if done.len() == sleeps.len() {
                    std::task::Poll::Ready(())
                } else {
                    std::task::Poll::Pending
                }
            })
            .await;
            assert_eq!(done, [0, 1, 2, 3, 4]);
        });
    }

    fn sleep_lasts_at_least_its_duration(rt) {
        rt.block_on(async {
            let start = Instant::now();
            time::sleep(Duration::from_millis(25)).await;
            assert!(start.elapsed() >= Duration::from_millis(25));
            let start = Instant::now();
            time::sleep_until(start + Duration::from_millis(5)).await;
            assert!(Instant::now() >= start + Duration::from_millis(5));
        });
    }

    fn timeout_elapses_and_completes(rt) {
        rt.block_on(async {
            let slow = time::timeout(Duration::from_millis(10), time::sleep(Duration::from_secs(60)));
            let err = slow.await.unwrap_err();
            assert_eq!(err.to_string(), "deadline has elapsed");
            let io_err: std::io::Error = err.into();
            assert_eq!(io_err.kind(), std::io::ErrorKind::TimedOut);
            assert_eq!(time::timeout(Duration::from_secs(60), async { 5 }).await, Ok(5));
            let deadline = Instant::now() + Duration::from_millis(5);
            assert!(time::timeout_at(deadline, std::future::pending::<()>()).await.is_err());
        });
    }

    fn timeout_fires_even_when_the_inner_future_spends_the_budget(rt) {
        rt.block_on(async {
            // A future that is always ready to do more work but never
            // finishes: only the budget lets the deadline in.
            let busy = async {
                loop {
                    runtime::task::consume_budget().await;
                }
            };
            assert!(time::timeout(Duration::from_millis(5), busy).await.is_err());
        });
    }

    fn many_timers_all_fire(rt) {
        rt.block_on(async {
            let fired = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let tasks: Vec<_> = (0..10_000u64)
                .map(|i| {
                    let fired = fired.clone();
                    runtime::spawn(async move {
                        time::sleep(Duration::from_millis(i % 50)).await;
                        fired.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!(fired.load(std::sync::atomic::Ordering::SeqCst), 10_000);
        });
    }

    fn sleep_reset_moves_the_deadline(rt) {
        rt.block_on(async {
            let start = Instant::now();
            let mut s = Box::pin(time::sleep(Duration::from_secs(3600)));
            s.as_mut().reset(start + Duration::from_millis(10));
            s.as_mut().await;
            assert!(s.is_elapsed());
            assert!(start.elapsed() >= Duration::from_millis(10));
            assert!(start.elapsed() < Duration::from_secs(3600));
            // An elapsed sleep can be reset and waits again.
            let again = Instant::now();
            s.as_mut().reset(again + Duration::from_millis(5));
            assert!(!s.is_elapsed());
            s.as_mut().await;
            assert!(again.elapsed() >= Duration::from_millis(5));
        });
    }
}

#[test]
fn hundred_thousand_timers_fire_on_two_workers() {
    let rt = common::multi_thread(2);
    rt.block_on(async {
        let fired = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let tasks: Vec<_> = (0..100_000u64)
            .map(|i| {
                let fired = fired.clone();
                runtime::spawn(async move {
                    time::sleep(Duration::from_millis(1 + i % 100)).await;
                    fired.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(fired.load(std::sync::atomic::Ordering::SeqCst), 100_000);
    });
}

#[test]
fn paused_clock_jumps_to_the_next_timer() {
    common::paused().block_on(async {
        let start = Instant::now();
        time::sleep(Duration::from_secs(24 * 3600)).await;
        // Exactly: the clock started paused, so wheel ticks line up with it.
        assert_eq!(start.elapsed(), Duration::from_secs(24 * 3600));
        // `advance` moves it by hand and fires what came due; the task the
        // timer woke runs at the next yield (as on Tokio).
        let s = runtime::spawn(time::sleep(Duration::from_millis(500)));
        runtime::task::yield_now().await;
        time::advance(Duration::from_millis(500)).await;
        assert!(!s.is_finished());
        runtime::task::yield_now().await;
        assert!(s.is_finished());
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(24 * 3600) + Duration::from_millis(500)
        );
    });
}

#[test]
fn pause_resume_and_their_misuse() {
    let rt = runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        time::pause();
        let t = Instant::now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(Instant::now(), t, "a paused clock stands still");
        let msg = common::panic_of(time::pause);
        assert!(msg.contains("time is already frozen"), "{msg}");
        time::resume();
        std::thread::sleep(Duration::from_millis(2));
        assert!(Instant::now() > t, "a resumed clock runs");
    });
    let mt = common::multi_thread(1);
    let msg = common::panic_of(|| mt.block_on(async { time::pause() }));
    assert!(msg.contains("current_thread runtime"), "{msg}");
}

/// Ticks of an interval under the paused clock, relative to its start, in
/// ms, when the task is late by 350 ms before the third tick.
fn late_ticks(behavior: MissedTickBehavior) -> Vec<u64> {
    common::paused().block_on(async {
        let start = Instant::now();
        let mut iv = time::interval(Duration::from_millis(100));
        iv.set_missed_tick_behavior(behavior);
        let mut ticks = Vec::new();
        for i in 0..6 {
            if i == 2 {
                // Busy elsewhere: the clock moves on without the interval.
                time::advance(Duration::from_millis(350)).await;
            }
            let at = iv.tick().await;
            ticks.push((at - start).as_millis() as u64);
        }
        ticks
    })
}

#[test]
fn interval_missed_tick_behaviours() {
    // Burst: the missed ticks come at once, then the schedule goes on.
    assert_eq!(
        late_ticks(MissedTickBehavior::Burst),
        [0, 100, 200, 300, 400, 500]
    );
    // Delay: a full period after the late tick (at 450), from then on.
    assert_eq!(
        late_ticks(MissedTickBehavior::Delay),
        [0, 100, 200, 550, 650, 750]
    );
    // Skip: the late tick, then the next multiple of the period.
    assert_eq!(
        late_ticks(MissedTickBehavior::Skip),
        [0, 100, 200, 500, 600, 700]
    );
}

#[test]
fn interval_ticks_and_reset() {
    common::paused().block_on(async {
        let start = Instant::now();
        let mut iv = time::interval(Duration::from_millis(10));
        assert_eq!(iv.tick().await, start);
        assert_eq!(iv.tick().await, start + Duration::from_millis(10));
        iv.reset();
        assert_eq!(iv.tick().await, start + Duration::from_millis(20));
        iv.reset_after(Duration::from_millis(3));
        assert_eq!(iv.tick().await, start + Duration::from_millis(23));
        assert_eq!(iv.period(), Duration::from_millis(10));
    });
}

#[test]
fn timers_without_enable_time_name_the_fix() {
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    let msg =
        common::panic_of(|| rt.block_on(async { time::sleep(Duration::from_millis(1)).await }));
    assert!(msg.contains("enable_time"), "{msg}");
    let msg = common::panic_of(|| time::sleep(Duration::from_millis(1)));
    assert!(msg.contains("no runtime"), "{msg}");
    let err = runtime::Builder::new_multi_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("current_thread"), "{err}");
}

#[runtime::test(start_paused = true)]
async fn test_macro_starts_paused() {
    let start = Instant::now();
    time::sleep(Duration::from_secs(10)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(10));
}

/// A paused clock does not jump while blocking work is in flight: its
/// result may be what the runtime waits for.
#[test]
fn paused_clock_waits_for_blocking_work() {
    common::paused().block_on(async {
        let work = runtime::spawn_blocking(|| {
            // Real work taking real time (not synchronisation).
            std::thread::sleep(Duration::from_millis(20));
            7
        });
        let res = time::timeout(Duration::from_secs(1), work).await;
        assert_eq!(res.unwrap().unwrap(), 7);
    });
}

/// Deadlines past the wheel's horizon (about 2.2 years) are not cut
/// short: the timer fires at the horizon and waits again.
#[test]
fn sleeps_beyond_the_wheel_horizon_last_their_full_length() {
    common::paused().block_on(async {
        let start = Instant::now();
        let three_years = Duration::from_secs(3 * 365 * 24 * 3600);
        time::sleep(three_years).await;
        assert!(start.elapsed() >= three_years);
    });
}
