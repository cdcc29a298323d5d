//! The blocking pool and `block_in_place`: `spawn_blocking` results,
//! panics and context; 64 closures running at once; `max_blocking_threads`
//! bounds concurrency; `block_in_place` hands the worker's queue to another
//! thread (multi-thread) and panics on a current-thread runtime.

#[macro_use]
mod common;

use common::{panic_message, panic_of, quiet_panics, HeldBlocking};
use runtime::task;
use runtime::Handle;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc, Barrier};

rt_test! {
    fn spawn_blocking_returns_values(rt) {
        let values = rt.block_on(async {
            let handles: Vec<_> = (0..10u64)
                .map(|i| runtime::spawn_blocking(move || i * i))
                .collect();
            let mut out = Vec::new();
            for h in handles {
                out.push(h.await.unwrap());
            }
            out
        });
        assert_eq!(values, (0..10u64).map(|i| i * i).collect::<Vec<_>>());
        // Also from outside the runtime, through the Runtime itself.
        let h = rt.spawn_blocking(|| String::from("outside"));
        assert_eq!(rt.block_on(h).unwrap(), "outside");
    }

    fn sixty_four_blocking_closures_run_at_once(rt) {
        const N: usize = 64;
        // Each closure waits for all the others: this returns only if all 64
        // run at the same time (the default cap is 512 threads).
        let barrier = Arc::new(Barrier::new(N));
        let leaders = rt.block_on(async {
            let handles: Vec<_> = (0..N)
                .map(|_| {
                    let barrier = barrier.clone();
                    runtime::spawn_blocking(move || barrier.wait().is_leader())
                })
                .collect();
            let mut leaders = 0;
            for h in handles {
                leaders += usize::from(h.await.unwrap());
            }
            leaders
        });
        assert_eq!(leaders, 1);
        assert!(rt.metrics().num_blocking_threads() >= N);
    }

    fn max_blocking_threads_bounds_concurrency(rt, |b| { b.max_blocking_threads(2); }) {
        const JOBS: usize = 20;
        let current = Arc::new(AtomicUsize::new(0));
        let max = Arc::new(AtomicUsize::new(0));
        // Jobs meet in pairs: with exactly two threads every pair of running
        // jobs meets; a third concurrent job would push `max` to 3.
        let barrier = Arc::new(Barrier::new(2));
        let done = rt.block_on(async {
            let handles: Vec<_> = (0..JOBS)
                .map(|i| {
                    let (current, max, barrier) = (current.clone(), max.clone(), barrier.clone());
                    runtime::spawn_blocking(move || {
                        let now = current.fetch_add(1, SeqCst) + 1;
                        max.fetch_max(now, SeqCst);
                        barrier.wait();
                        current.fetch_sub(1, SeqCst);
                        i
                    })
                })
                .collect();
            let mut done = Vec::new();
            for h in handles {
                done.push(h.await.unwrap());
            }
            done
        });
        assert_eq!(done, (0..JOBS).collect::<Vec<_>>());
        assert_eq!(max.load(SeqCst), 2);
        let threads = rt.metrics().num_blocking_threads();
        assert!(threads <= 2, "{threads} blocking threads");
    }

    fn handle_current_works_inside_spawn_blocking(rt) {
        let flavor = rt.handle().runtime_flavor();
        let inner = rt.block_on(async {
            runtime::spawn_blocking(move || {
                let handle = Handle::current();
                assert_eq!(handle.runtime_flavor(), flavor);
                // Both ways of spawning onto the runtime work from here.
                (handle.spawn(async { 20 }), runtime::spawn(async { 22 }))
            })
            .await
            .unwrap()
        });
        let sum = rt.block_on(async { inner.0.await.unwrap() + inner.1.await.unwrap() });
        assert_eq!(sum, 42);
    }

    fn spawn_blocking_from_inside_spawn_blocking(rt) {
        let v = rt.block_on(async {
            runtime::spawn_blocking(|| runtime::spawn_blocking(|| 5))
                .await
                .unwrap()
                .await
                .unwrap()
        });
        assert_eq!(v, 5);
    }

    fn handle_block_on_inside_spawn_blocking(rt) {
        let v = rt.block_on(async {
            runtime::spawn_blocking(|| {
                Handle::current().block_on(async { runtime::spawn(async { 3 }).await.unwrap() })
            })
            .await
            .unwrap()
        });
        assert_eq!(v, 3);
    }

    fn abort_of_a_queued_blocking_closure_cancels_it(rt, |b| { b.max_blocking_threads(1); }) {
        let held = HeldBlocking::start(&rt, 1);
        let ran = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        let queued = rt.spawn_blocking(move || r.fetch_add(1, SeqCst));
        queued.abort();
        // Aborting a closure that is already running has no effect.
        held.handle.abort();
        assert_eq!(rt.block_on(held.release()).unwrap(), 1);
        assert!(rt.block_on(queued).unwrap_err().is_cancelled());
        assert_eq!(ran.load(SeqCst), 0);
        // The pool goes on.
        assert_eq!(rt.block_on(rt.spawn_blocking(|| 2)).unwrap(), 2);
    }

    fn threads_that_expire_are_replaced(rt, |b| {
        b.thread_keep_alive(std::time::Duration::from_millis(1));
    }) {
        // With a 1 ms keep-alive, pool threads keep exiting between and
        // during the rounds; every closure must still run exactly once.
        let ran = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            for round in 0..100 {
                let handles: Vec<_> = (0..4)
                    .map(|_| {
                        let ran = ran.clone();
                        runtime::spawn_blocking(move || ran.fetch_add(1, SeqCst))
                    })
                    .collect();
                for h in handles {
                    h.await.unwrap();
                }
                assert_eq!(ran.load(SeqCst), (round + 1) * 4);
            }
        });
    }

    fn panicking_blocking_closure_gives_a_panic_join_error(rt) {
        quiet_panics();
        let err = rt
            .block_on(rt.spawn_blocking(|| {
                if true {
                    panic!("expected panic: in a blocking closure");
                }
            }))
            .unwrap_err();
        assert!(err.is_panic());
        assert_eq!(panic_message(&*err.into_panic()), "expected panic: in a blocking closure");
        // The pool still runs closures.
        assert_eq!(rt.block_on(rt.spawn_blocking(|| 3)).unwrap(), 3);
    }
}

/// A task blocked in `block_in_place` waits for a message that only
/// another task sends: with one worker this completes only if the
/// worker's queue moved to another thread.
fn block_in_place_keeps_other_tasks_running(workers: usize) {
    let rt = common::multi_thread(workers);
    let (entered_tx, entered_rx) = futures::channel::oneshot::channel::<()>();
    let (tx, rx) = mpsc::channel::<u32>();
    let out = rt.block_on(async {
        let blocker = runtime::spawn(async move {
            let caller = std::thread::current().id();
            let got = task::block_in_place(move || {
                // The closure runs on the calling worker thread.
                assert_eq!(std::thread::current().id(), caller);
                entered_tx.send(()).unwrap();
                rx.recv().unwrap()
            });
            // The task goes on after the closure; awaiting still works.
            task::yield_now().await;
            got
        });
        entered_rx.await.unwrap();
        let sender = runtime::spawn(async move {
            tx.send(41).unwrap();
        });
        sender.await.unwrap();
        let got = blocker.await.unwrap();
        // And the runtime keeps working afterwards.
        got + runtime::spawn(async { 1 }).await.unwrap()
    });
    assert_eq!(out, 42);
}

#[test]
fn block_in_place_keeps_other_tasks_running_one_worker() {
    block_in_place_keeps_other_tasks_running(1);
}

#[test]
fn block_in_place_keeps_other_tasks_running_four_workers() {
    block_in_place_keeps_other_tasks_running(4);
}

/// A task spawned (into the worker's LIFO slot) just before
/// `block_in_place` must not be stranded behind the blocked thread.
#[test]
fn block_in_place_releases_the_task_spawned_just_before() {
    let rt = common::multi_thread(1);
    let out = rt.block_on(rt.spawn(async {
        let (tx, rx) = mpsc::channel::<u32>();
        let sender = runtime::spawn(async move { tx.send(7).unwrap() });
        let got = task::block_in_place(move || rx.recv().unwrap());
        sender.await.unwrap();
        got
    }));
    assert_eq!(out.unwrap(), 7);
}

#[test]
fn block_in_place_many_times_on_one_worker() {
    let rt = common::multi_thread(1);
    let total = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let handles: Vec<_> = (0..50)
            .map(|i| {
                let total = total.clone();
                runtime::spawn(async move {
                    for _ in 0..5 {
                        task::block_in_place(|| total.fetch_add(1, SeqCst));
                        task::yield_now().await;
                    }
                    i
                })
            })
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            assert_eq!(h.await.unwrap(), i);
        }
    });
    assert_eq!(total.load(SeqCst), 250);
}

#[test]
fn block_in_place_on_current_thread_panics_naming_spawn_blocking() {
    quiet_panics();
    let rt = common::current_thread();
    let err = rt
        .block_on(rt.spawn(async { task::block_in_place(|| 1) }))
        .unwrap_err();
    assert!(err.is_panic());
    let msg = panic_message(&*err.into_panic());
    assert!(msg.contains("spawn_blocking"), "message: {msg}");
    // Also from the block_on future itself.
    let msg = panic_of(|| rt.block_on(async { task::block_in_place(|| 1) }));
    assert!(msg.contains("spawn_blocking"), "message: {msg}");
}

#[test]
fn block_in_place_outside_a_worker_just_runs_the_closure() {
    assert_eq!(task::block_in_place(|| 3), 3);
    let rt = common::multi_thread(1);
    // The block_on thread of a multi-thread runtime is not a worker.
    assert_eq!(rt.block_on(async { task::block_in_place(|| 4) }), 4);
    // Nor is a blocking-pool thread.
    let v = rt
        .block_on(rt.spawn_blocking(|| task::block_in_place(|| 5)))
        .unwrap();
    assert_eq!(v, 5);
}

/// A task whose poll yields (through its own waker) and, in the same poll,
/// drives a nested current-thread runtime inside `block_in_place` whose
/// task yields too: the nested task polls must not consume the outer
/// task's yield request, or the outer task (which returns `Pending`
/// relying on it) is never polled again.
#[test]
fn yield_request_survives_a_nested_runtime_in_the_same_poll() {
    use std::future::Future;
    use std::task::Poll;
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = common::multi_thread(1);
        let out = rt.block_on(async {
            runtime::spawn(async {
                let mut yielding = Box::pin(runtime::task::yield_now());
                let mut nested = None;
                std::future::poll_fn(move |cx| {
                    if let Some(v) = nested.take() {
                        return Poll::Ready(v);
                    }
                    // Records this task's yield request...
                    assert!(yielding.as_mut().poll(cx).is_pending());
                    // ...then a nested runtime polls its own yielding task.
                    nested = Some(runtime::task::block_in_place(|| {
                        let inner = runtime::Builder::new_current_thread().build().unwrap();
                        inner.block_on(async {
                            runtime::spawn(async {
                                runtime::task::yield_now().await;
                                5
                            })
                            .await
                            .unwrap()
                        })
                    }));
                    // Pending: only the yield request brings us back.
                    Poll::Pending
                })
                .await
            })
            .await
            .unwrap()
        });
        done_tx.send(out).unwrap();
    });
    // A bound so a regression fails instead of hanging; not a timing.
    let out = done_rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the outer task lost its yield request and was never polled again");
    assert_eq!(out, 5);
}
