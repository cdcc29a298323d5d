//! Runtime metrics that exist so far: worker count, spawned and alive task
//! counts, per-worker polls, and queue depths, checked against workloads
//! whose exact counts are known.

#[macro_use]
mod common;

rt_test! {
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
