//! Cancellation: `JoinHandle::abort` and `AbortHandle` before the first
//! poll, while idle, while queued, in the middle of a poll and after
//! completion; dropping a `JoinHandle` detaches the task instead.

#[macro_use]
mod common;

use common::{stall_workers, DropGuard, SendOnDrop};
use futures::channel::oneshot;
use runtime::task::{self, AbortHandle, JoinHandle};
use std::future::pending;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};

/// Spawns (on the current runtime) a task that holds `guard`, says it has
/// started, and then waits forever.
fn spawn_parked<G: Send + 'static>(guard: G) -> (JoinHandle<()>, oneshot::Receiver<()>) {
    let (started_tx, started_rx) = oneshot::channel();
    let handle = runtime::spawn(async move {
        let _guard = guard;
        started_tx.send(()).unwrap();
        pending::<()>().await;
    });
    (handle, started_rx)
}

/// Waits (yielding, never sleeping) until `handle` reports finished,
/// without taking its output.
async fn until_finished<T>(handle: &JoinHandle<T>) {
    while !handle.is_finished() {
        task::yield_now().await;
    }
}

/// For the tests that keep every worker blocked (`stall_workers`): with
/// the blocking hand-off on, a worker blocked for 10 ms has its core moved
/// to a new thread, which would run the very task the test keeps queued
/// if the test thread is descheduled that long.
fn no_handoff(b: &mut runtime::Builder) {
    b.handoff_threshold(None);
}

rt_test! {
    fn abort_before_first_poll(rt, no_handoff) {
        let drops = Arc::new(AtomicUsize::new(0));
        let polled = Arc::new(AtomicBool::new(false));
        let stalled = stall_workers(&rt);
        let handle = {
            let guard = DropGuard(drops.clone());
            let polled = polled.clone();
            rt.spawn(async move {
                let _guard = guard;
                polled.store(true, SeqCst);
                1
            })
        };
        let id = handle.id();
        handle.abort();
        drop(stalled);
        let err = rt.block_on(handle).unwrap_err();
        assert!(err.is_cancelled(), "{err}");
        assert!(!err.is_panic());
        assert_eq!(err.id(), id);
        assert!(!polled.load(SeqCst), "an aborted task was polled");
        assert_eq!(drops.load(SeqCst), 1, "the future was not dropped exactly once");
    }

    fn abort_idle_task(rt) {
        let drops = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            let (handle, started_rx) = spawn_parked(DropGuard(drops.clone()));
            started_rx.await.unwrap();
            assert!(!handle.is_finished());
            handle.abort();
            let err = handle.await.unwrap_err();
            assert!(err.is_cancelled(), "{err}");
        });
        assert_eq!(drops.load(SeqCst), 1);
    }

    fn abort_task_that_was_woken_but_not_yet_polled(rt, no_handoff) {
        let drops = Arc::new(AtomicUsize::new(0));
        let resumed = Arc::new(AtomicBool::new(false));
        let stalled_and_result = {
            let (started_tx, started_rx) = mpsc::channel();
            let (wake_tx, wake_rx) = oneshot::channel::<()>();
            let guard = DropGuard(drops.clone());
            let r = resumed.clone();
            let handle = rt.spawn(async move {
                let _guard = guard;
                started_tx.send(()).unwrap();
                let _ = wake_rx.await;
                r.store(true, SeqCst);
            });
            // Run it up to its await.
            if common::is_current_thread(&rt) {
                rt.block_on(task::yield_now());
            }
            started_rx.recv().unwrap();
            // Keep every worker busy so the wake-up only queues the task.
            let stalled = stall_workers(&rt);
            wake_tx.send(()).unwrap();
            handle.abort();
            (stalled, handle)
        };
        let (stalled, handle) = stalled_and_result;
        drop(stalled);
        let err = rt.block_on(handle).unwrap_err();
        assert!(err.is_cancelled(), "{err}");
        assert!(!resumed.load(SeqCst), "a task aborted while queued ran on");
        assert_eq!(drops.load(SeqCst), 1);
    }

    fn abort_from_inside_the_tasks_own_poll(rt) {
        let (tx, rx) = mpsc::channel::<AbortHandle>();
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = DropGuard(drops.clone());
        let d = drops.clone();
        let handle = rt.spawn(async move {
            let _guard = guard;
            let me = rx.recv().unwrap();
            me.abort();
            // The abort takes effect when this poll returns, not now.
            assert!(!me.is_finished());
            assert_eq!(d.load(SeqCst), 0);
            pending::<()>().await;
        });
        tx.send(handle.abort_handle()).unwrap();
        let err = rt.block_on(handle).unwrap_err();
        assert!(err.is_cancelled(), "{err}");
        assert_eq!(drops.load(SeqCst), 1);
    }

    fn abort_after_completion_keeps_the_output(rt) {
        rt.block_on(async {
            let handle = runtime::spawn(async { 5 });
            until_finished(&handle).await;
            handle.abort();
            assert!(handle.is_finished());
            assert_eq!(handle.await.unwrap(), 5);

            let handle = runtime::spawn(async { 6 });
            let abort = handle.abort_handle();
            until_finished(&handle).await;
            abort.abort();
            assert!(abort.is_finished());
            assert_eq!(handle.await.unwrap(), 6);
            // Aborting a task whose output was already taken is harmless.
            abort.abort();
            assert!(abort.is_finished());
        });
    }

    fn abort_handle_cancels_like_the_join_handle(rt) {
        let drops = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            let (handle, started_rx) = spawn_parked(DropGuard(drops.clone()));
            let abort = handle.abort_handle();
            let abort2 = abort.clone();
            assert_eq!(abort.id(), handle.id());
            assert_eq!(abort2.id(), handle.id());
            started_rx.await.unwrap();
            assert!(!abort.is_finished());
            abort2.abort();
            drop(abort2);
            let err = handle.await.unwrap_err();
            assert!(err.is_cancelled(), "{err}");
            assert!(abort.is_finished());
            // A second abort after completion does nothing.
            abort.abort();
        });
        assert_eq!(drops.load(SeqCst), 1);
    }

    fn abort_handle_cancels_a_detached_task(rt) {
        rt.block_on(async {
            let (dropped_tx, dropped_rx) = oneshot::channel();
            let (handle, started_rx) = spawn_parked(SendOnDrop(Some(dropped_tx)));
            let abort = handle.abort_handle();
            drop(handle);
            started_rx.await.unwrap();
            abort.abort();
            // The future is dropped on the runtime although nobody joins.
            dropped_rx.await.unwrap();
        });
    }

    fn dropping_the_join_handle_detaches_the_task(rt) {
        let effects = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            // Dropped before the task was ever polled...
            let (go_tx, go_rx) = oneshot::channel::<()>();
            let (done_tx, done_rx) = oneshot::channel::<usize>();
            let e = effects.clone();
            drop(runtime::spawn(async move {
                go_rx.await.unwrap();
                done_tx.send(e.fetch_add(1, SeqCst) + 1).unwrap();
            }));
            go_tx.send(()).unwrap();
            assert_eq!(done_rx.await.unwrap(), 1);

            // ...and while it waits.
            let (started_tx, started_rx) = oneshot::channel::<()>();
            let (go_tx, go_rx) = oneshot::channel::<()>();
            let (done_tx, done_rx) = oneshot::channel::<usize>();
            let e = effects.clone();
            let handle = runtime::spawn(async move {
                started_tx.send(()).unwrap();
                go_rx.await.unwrap();
                done_tx.send(e.fetch_add(1, SeqCst) + 1).unwrap();
            });
            started_rx.await.unwrap();
            drop(handle);
            go_tx.send(()).unwrap();
            assert_eq!(done_rx.await.unwrap(), 2);
        });
        assert_eq!(effects.load(SeqCst), 2);
    }

    fn aborting_many_tasks_cancels_every_one(rt) {
        const N: usize = 1_000;
        let drops = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            let handles: Vec<_> = (0..N)
                .map(|_| {
                    let guard = DropGuard(drops.clone());
                    runtime::spawn(async move {
                        let _guard = guard;
                        pending::<()>().await;
                    })
                })
                .collect();
            // Some have run up to their await, some have not started.
            task::yield_now().await;
            for h in &handles {
                h.abort();
            }
            for h in handles {
                assert!(h.await.unwrap_err().is_cancelled());
            }
        });
        assert_eq!(drops.load(SeqCst), N);
    }
}

/// Multi-thread only: the test thread aborts a task while a worker is
/// inside its poll. The future cannot be dropped under the running poll;
/// the abort takes effect when the poll returns `Pending`.
fn abort_during_poll_from_another_thread(workers: usize) {
    let rt = common::multi_thread(workers);
    let drops = Arc::new(AtomicUsize::new(0));
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let guard = DropGuard(drops.clone());
    let handle = rt.spawn(async move {
        let _guard = guard;
        started_tx.send(()).unwrap();
        // Stay inside this poll until the test has called abort.
        go_rx.recv().unwrap();
        pending::<()>().await;
    });
    started_rx.recv().unwrap();
    handle.abort();
    assert!(
        !handle.is_finished(),
        "finished while its poll is still running"
    );
    assert_eq!(drops.load(SeqCst), 0, "future dropped under a running poll");
    go_tx.send(()).unwrap();
    let err = rt.block_on(handle).unwrap_err();
    assert!(err.is_cancelled(), "{err}");
    assert_eq!(drops.load(SeqCst), 1);
}

#[test]
fn abort_during_poll_from_another_thread_one_worker() {
    abort_during_poll_from_another_thread(1);
}

#[test]
fn abort_during_poll_from_another_thread_four_workers() {
    abort_during_poll_from_another_thread(4);
}

/// An abort that arrives during the poll that completes the task loses
/// to the completion: the output is kept (as Tokio).
#[test]
fn abort_during_the_completing_poll_keeps_the_output() {
    let rt = common::multi_thread(2);
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let handle = rt.spawn(async move {
        started_tx.send(()).unwrap();
        go_rx.recv().unwrap();
        7
    });
    started_rx.recv().unwrap();
    handle.abort();
    go_tx.send(()).unwrap();
    assert_eq!(rt.block_on(handle).unwrap(), 7);
}
