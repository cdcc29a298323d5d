//! Runtime metrics: worker count, spawned and alive task counts,
//! per-worker polls, queue depths and the latency histograms, checked
//! against workloads whose counts (or lower bounds) are known.

#[macro_use]
mod common;

use std::time::Duration;

rt_test! {
    fn poll_time_histogram_sees_long_polls(rt) {
        // 128 polls of at least 1 ms each, spawned from one thread: any
        // 128 consecutive schedules of a thread include at least one
        // sampled one (one in 64).
        rt.block_on(async {
            for _ in 0..128 {
                runtime::spawn(async { std::thread::sleep(Duration::from_millis(1)) })
                    .await
                    .unwrap();
            }
        });
        // A poll's time is recorded after its task completed (and woke
        // the awaiter): read once every worker has stopped.
        let m = rt.metrics();
        drop(rt);
        let h = m.poll_time();
        assert!(h.count() >= 1, "{h:?}");
        assert!(h.max() >= Duration::from_millis(1), "{h:?}");
        // Every sampled poll slept 1 ms: even p1 is in a bucket whose
        // upper bound is at least that.
        assert!(h.percentile(1.0) >= Duration::from_millis(1), "{h:?}");
        let per_worker: u64 = (0..m.num_workers()).map(|w| m.worker_poll_time(w).count()).sum();
        assert_eq!(per_worker, h.count());
        assert_eq!(m.schedule_latency().count(), h.count());
    }

    fn spawned_and_alive_counts_are_exact(rt) {
        let m = rt.metrics();
        assert_eq!(m.spawned_tasks_count(), 0);
        assert_eq!(m.num_alive_tasks(), 0);
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        let rx = futures::future::FutureExt::shared(rx);
        let handles: Vec<_> = (0..1000)
            .map(|_| {
                let rx = rx.clone();
                rt.spawn(async move {
                    let _ = rx.await;
                })
            })
            .collect();
        assert_eq!(m.spawned_tasks_count(), 1000);
        // None can finish before the sender fires.
        assert_eq!(m.num_alive_tasks(), 1000);
        tx.send(()).unwrap();
        rt.block_on(async {
            for h in handles {
                h.await.unwrap();
            }
        });
        assert_eq!(m.spawned_tasks_count(), 1000);
        assert_eq!(m.num_alive_tasks(), 0);
    }

    fn poll_counts_cover_every_task(rt) {
        let m = rt.metrics();
        rt.block_on(async {
            let handles: Vec<_> = (0..500).map(|_| runtime::spawn(async {})).collect();
            for h in handles {
                h.await.unwrap();
            }
        });
        let polls: u64 = (0..m.num_workers()).map(|i| m.worker_poll_count(i)).sum();
        assert!(polls >= 500, "500 tasks were polled at least once each, counted {polls}");
        assert_eq!(m.global_queue_depth(), 0);
        for i in 0..m.num_workers() {
            assert_eq!(m.worker_local_queue_depth(i), 0);
        }
    }
}

#[test]
fn num_workers_matches_the_builder() {
    assert_eq!(common::multi_thread(3).metrics().num_workers(), 3);
    assert_eq!(common::current_thread().metrics().num_workers(), 1);
}

#[test]
fn worker_index_out_of_range_panics_with_a_clear_message() {
    let rt = common::multi_thread(2);
    let m = rt.metrics();
    let msg = common::panic_of(move || {
        m.worker_poll_count(2);
    });
    assert!(msg.contains("out of range"), "{msg}");
}

/// Tasks spawned from inside `block_on` on a current-thread runtime wait
/// in its local queue, and the gauge says so at once.
#[test]
fn current_thread_local_queue_depth_counts_spawns_at_once() {
    let rt = common::current_thread();
    rt.block_on(async {
        let m = runtime::Handle::current().metrics();
        let tasks: Vec<_> = (0..3).map(|_| runtime::spawn(async {})).collect();
        assert_eq!(m.worker_local_queue_depth(0), 3);
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(m.worker_local_queue_depth(0), 0);
    });
}

/// Tasks queued behind a worker that blocks for 50 ms (with the hand-off
/// off, nothing else can run them) wait at least that long, and the
/// schedule-latency histogram shows it.
#[test]
fn schedule_latency_histogram_sees_a_blocked_worker() {
    let rt = common::build(1, |b| {
        b.handoff_threshold(None);
    });
    rt.block_on(async {
        let blocker = runtime::spawn(async {
            // 200 consecutive spawns from this worker thread: at least
            // three are sampled.
            let handles: Vec<_> = (0..200).map(|_| runtime::spawn(async {})).collect();
            std::thread::sleep(Duration::from_millis(50));
            handles
        });
        for h in blocker.await.unwrap() {
            h.await.unwrap();
        }
    });
    let h = rt.metrics().schedule_latency();
    assert!(h.count() >= 3, "{h:?}");
    assert!(h.max() >= Duration::from_millis(50), "{h:?}");
    assert!(h.percentile(50.0) >= Duration::from_millis(32), "{h:?}");
    let in_buckets: u64 = h.buckets().map(|(_, n)| n).sum();
    assert_eq!(in_buckets, h.count());
}

/// 1000 polls of about a microsecond each, on one worker: the whole
/// runtime lives for less than a few coarse clock ticks. The worker's busy
/// time is at least what the polls measured themselves (every poll lies in
/// a busy stretch) and at most the runtime's whole life (nothing outside
/// it can count, with the blocking hand-off off), both on the monotonic
/// clock.
#[test]
fn busy_time_counts_a_burst_of_short_polls() {
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    use std::sync::Arc;
    use std::time::Instant;
    let builders: [fn() -> runtime::runtime::Builder; 2] =
        [runtime::runtime::Builder::new_current_thread, || {
            let mut b = runtime::runtime::Builder::new_multi_thread();
            // A poll preempted by the OS for long enough is handed off, and
            // then it and the thread that took the core both count for the
            // worker: more than wall-clock time. Not what this checks.
            b.worker_threads(1).handoff_threshold(None);
            b
        }];
    for builder in builders {
        let in_polls = Arc::new(AtomicU64::new(0));
        let born = Instant::now();
        let rt = builder().build().unwrap();
        let m = rt.metrics();
        rt.block_on(async {
            let tasks: Vec<_> = (0..1000)
                .map(|_| {
                    let in_polls = in_polls.clone();
                    runtime::spawn(async move {
                        let start = Instant::now();
                        while start.elapsed() < Duration::from_micros(1) {
                            std::hint::spin_loop();
                        }
                        in_polls.fetch_add(start.elapsed().as_nanos() as u64, Relaxed);
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
        });
        // Every worker adds its last stretch when it stops.
        drop(rt);
        let life = born.elapsed();
        let busy = m.worker_total_busy_duration(0);
        let in_polls = Duration::from_nanos(in_polls.load(Relaxed));
        assert!(
            busy >= in_polls,
            "worker busy {busy:?}, but its polls alone took {in_polls:?}"
        );
        assert!(
            busy <= life,
            "worker busy {busy:?} in a runtime that lived {life:?}"
        );
    }
}
