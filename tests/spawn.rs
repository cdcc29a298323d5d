//! Spawning: every task runs exactly once (100,000 tasks on every
//! flavour), spawning from foreign threads and from inside tasks, tasks
//! waking each other, task ids, the "no runtime" / nested `block_on` /
//! zero-thread panics, `yield_now` and the cooperative budget.

#[macro_use]
mod common;

use common::{panic_message, panic_of, quiet_panics};
use futures::channel::{mpsc, oneshot};
use futures::{SinkExt, StreamExt};
use runtime::task::{self, JoinHandle};
use runtime::{Builder, Handle, Runtime};
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

const MANY: usize = 100_000;

/// Spawns `MANY` tasks from `block_on` and checks each ran exactly once
/// (a per-task counter) and that the total is right (a shared counter).
fn spawn_many_from_block_on(rt: &Runtime) {
    let runs: Arc<Vec<AtomicU8>> = Arc::new((0..MANY).map(|_| AtomicU8::new(0)).collect());
    let total = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let handles: Vec<JoinHandle<usize>> = (0..MANY)
            .map(|i| {
                let runs = runs.clone();
                let total = total.clone();
                runtime::spawn(async move {
                    runs[i].fetch_add(1, SeqCst);
                    total.fetch_add(1, SeqCst);
                    i
                })
            })
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            assert_eq!(h.await.unwrap(), i);
        }
    });
    assert_eq!(total.load(SeqCst), MANY);
    let wrong: Vec<(usize, u8)> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| (i, r.load(SeqCst)))
        .filter(|&(_, r)| r != 1)
        .take(10)
        .collect();
    assert!(
        wrong.is_empty(),
        "tasks (index, runs) not run exactly once: {wrong:?}"
    );
}

/// Spawns `MANY` detached tasks from inside a task (the worker's local
/// queue, overflowing to the global one) and waits for the last one to
/// report.
fn spawn_many_detached_from_task(rt: &Runtime) {
    let runs: Arc<Vec<AtomicU8>> = Arc::new((0..MANY).map(|_| AtomicU8::new(0)).collect());
    let total = Arc::new(AtomicUsize::new(0));
    let (done_tx, done_rx) = oneshot::channel::<()>();
    let done_tx = Arc::new(Mutex::new(Some(done_tx)));
    let spawner = {
        let runs = runs.clone();
        let total = total.clone();
        async move {
            for i in 0..MANY {
                let runs = runs.clone();
                let total = total.clone();
                let done_tx = done_tx.clone();
                drop(runtime::spawn(async move {
                    runs[i].fetch_add(1, SeqCst);
                    if total.fetch_add(1, SeqCst) + 1 == MANY {
                        let tx = done_tx
                            .lock()
                            .unwrap()
                            .take()
                            .expect("last task reported twice");
                        tx.send(()).unwrap();
                    }
                }));
            }
        }
    };
    rt.block_on(async {
        runtime::spawn(spawner).await.unwrap();
        done_rx.await.expect("the last task never ran");
    });
    assert_eq!(total.load(SeqCst), MANY);
    assert!(runs.iter().all(|r| r.load(SeqCst) == 1));
}

rt_test! {
    fn spawn_100k_tasks_each_run_once(rt) {
        spawn_many_from_block_on(&rt);
    }

    fn spawn_100k_detached_tasks_from_a_task(rt) {
        spawn_many_detached_from_task(&rt);
    }
}

#[test]
fn spawn_100k_tasks_each_run_once_two_workers() {
    let rt = common::multi_thread(2);
    spawn_many_from_block_on(&rt);
    spawn_many_detached_from_task(&rt);
}

rt_test! {
    fn spawn_from_foreign_threads_through_a_cloned_handle(rt) {
        const THREADS: usize = 8;
        const PER_THREAD: usize = 2_000;
        let (done_tx, done_rx) = mpsc::unbounded::<usize>();
        let threads: Vec<_> = (0..THREADS)
            .map(|t| {
                let handle = rt.handle().clone();
                let done_tx = done_tx.clone();
                std::thread::spawn(move || {
                    let handles: Vec<_> = (0..PER_THREAD)
                        .map(|i| handle.spawn(async move { (t, i) }))
                        .collect();
                    // A JoinHandle is an ordinary future: any executor can
                    // wait for it.
                    let results = futures::executor::block_on(futures::future::join_all(handles));
                    for (i, res) in results.into_iter().enumerate() {
                        assert_eq!(res.unwrap(), (t, i));
                    }
                    done_tx.unbounded_send(t).unwrap();
                })
            })
            .collect();
        drop(done_tx);
        // Stay inside block_on (a current-thread runtime only runs tasks
        // there) until every thread has checked its results or died.
        let mut done: Vec<usize> = rt.block_on(done_rx.collect());
        for t in threads {
            t.join().expect("a spawning thread failed");
        }
        done.sort_unstable();
        assert_eq!(done, (0..THREADS).collect::<Vec<_>>());
    }

    fn tasks_wake_each_other_in_a_ring(rt) {
        const TASKS: usize = 64;
        const LAPS: usize = 100;
        let (txs, rxs): (Vec<_>, Vec<_>) = (0..TASKS).map(|_| mpsc::unbounded::<usize>()).unzip();
        let first = txs[0].clone();
        let seen: Vec<Vec<usize>> = rt.block_on(async move {
            let handles: Vec<_> = rxs
                .into_iter()
                .enumerate()
                .map(|(i, mut rx)| {
                    let next = txs[(i + 1) % TASKS].clone();
                    runtime::spawn(async move {
                        let mut seen = Vec::with_capacity(LAPS);
                        for lap in 0..LAPS {
                            let token = rx.next().await.expect("predecessor hung up");
                            seen.push(token);
                            if next.unbounded_send(token + 1).is_err() {
                                // Only the very last hop may find task 0 gone.
                                assert_eq!((i, lap), (TASKS - 1, LAPS - 1));
                            }
                        }
                        seen
                    })
                })
                .collect();
            drop(txs);
            first.unbounded_send(0).unwrap();
            drop(first);
            let mut all = Vec::new();
            for h in handles {
                all.push(h.await.unwrap());
            }
            all
        });
        for (i, tokens) in seen.iter().enumerate() {
            let expected: Vec<usize> = (0..LAPS).map(|lap| lap * TASKS + i).collect();
            assert_eq!(tokens, &expected, "tokens seen by task {i}");
        }
    }

    fn nested_spawns_from_inside_tasks(rt) {
        fn tree(depth: u32) -> Pin<Box<dyn Future<Output = usize> + Send>> {
            Box::pin(async move {
                if depth == 0 {
                    return 1;
                }
                let children: Vec<_> = (0..4).map(|_| runtime::spawn(tree(depth - 1))).collect();
                let mut nodes = 1;
                for child in children {
                    nodes += child.await.unwrap();
                }
                nodes
            })
        }
        // 1 + 4 + 16 + ... + 4^6 nodes.
        let nodes = rt.block_on(rt.spawn(tree(6))).unwrap();
        assert_eq!(nodes, 5461);
    }

    fn task_id_inside_a_task_matches_its_join_handle(rt) {
        assert_eq!(task::try_id(), None);
        rt.block_on(async {
            // The block_on future is not a task.
            assert_eq!(task::try_id(), None);
            let handles: Vec<_> = (0..100)
                .map(|_| runtime::spawn(async { (task::id(), task::try_id()) }))
                .collect();
            let mut ids = HashSet::new();
            for h in handles {
                let expected = h.id();
                let (id, try_id) = h.await.unwrap();
                assert_eq!(id, expected);
                assert_eq!(try_id, Some(expected));
                assert!(ids.insert(id), "duplicate task id {id}");
            }
            assert_eq!(task::try_id(), None);
        });
        let from_thread = std::thread::spawn(task::try_id).join().unwrap();
        assert_eq!(from_thread, None);
    }

    fn block_on_inside_a_task_panics(rt) {
        quiet_panics();
        let err = rt
            .block_on(rt.spawn(async {
                Handle::current().block_on(async { 1 })
            }))
            .unwrap_err();
        assert!(err.is_panic(), "{err}");
        let msg = panic_message(&*err.into_panic());
        assert!(msg.contains("from within a runtime"), "message: {msg}");
        // The runtime still works.
        assert_eq!(rt.block_on(rt.spawn(async { 2 })).unwrap(), 2);
    }

    fn block_on_inside_block_on_panics(rt) {
        let handle = rt.handle().clone();
        let msg = panic_of(|| rt.block_on(async { handle.block_on(async { 1 }) }));
        assert!(msg.contains("from within a runtime"), "message: {msg}");
        assert_eq!(rt.block_on(rt.spawn(async { 3 })).unwrap(), 3);
    }

    fn consume_budget_lets_the_other_task_run(rt) {
        let stop = Arc::new(AtomicBool::new(false));
        let iterations = Arc::new(AtomicUsize::new(0));
        let (looped, at_stop) = rt.block_on(async {
            let spinner = {
                let stop = stop.clone();
                let iterations = iterations.clone();
                runtime::spawn(async move {
                    while !stop.load(SeqCst) {
                        task::consume_budget().await;
                        iterations.fetch_add(1, SeqCst);
                    }
                    iterations.load(SeqCst)
                })
            };
            let stopper = {
                let stop = stop.clone();
                let iterations = iterations.clone();
                runtime::spawn(async move {
                    stop.store(true, SeqCst);
                    iterations.load(SeqCst)
                })
            };
            let at_stop = stopper.await.unwrap();
            (spinner.await.unwrap(), at_stop)
        });
        assert!(looped >= at_stop);
        if rt.metrics().num_workers() == 1 {
            // One thread runs both, and the spinner was queued first: the
            // stopper can only have run because the spinner, still looping,
            // ran out of budget and yielded.
            assert!(at_stop > 0, "the stopper ran before the spinner started");
            assert!(looped > at_stop, "the spinner never resumed after the stopper ran");
        }
    }

    fn spawn_and_join_one_task_at_a_time_from_outside(rt) {
        // Each round wakes an idle runtime from outside: a lost wake-up
        // shows up as a hang here.
        for i in 0..5_000u32 {
            let h = rt.spawn(async move { i });
            assert_eq!(rt.block_on(h).unwrap(), i);
        }
    }

    fn ping_pong_between_a_task_and_a_foreign_thread(rt) {
        const ROUNDS: u32 = 5_000;
        let (to_task, mut task_rx) = mpsc::unbounded::<u32>();
        let (to_thread, thread_rx) = std::sync::mpsc::channel::<u32>();
        let echo = rt.spawn(async move {
            let mut n = 0;
            while let Some(v) = task_rx.next().await {
                to_thread.send(v + 1).unwrap();
                n += 1;
            }
            n
        });
        let thread = std::thread::spawn(move || {
            let mut v = 0;
            for _ in 0..ROUNDS {
                to_task.unbounded_send(v).unwrap();
                v = thread_rx.recv().unwrap();
            }
            v
        });
        // A current-thread runtime needs a block_on to run the echo task.
        let rounds = rt.block_on(echo).unwrap();
        assert_eq!(rounds, ROUNDS);
        assert_eq!(thread.join().unwrap(), ROUNDS);
    }

    fn handle_block_on_from_a_foreign_thread(rt) {
        let handle = rt.handle().clone();
        let (done_tx, done_rx) = oneshot::channel::<u32>();
        let thread = std::thread::spawn(move || {
            let v = handle.block_on(async {
                // The runtime is current inside Handle::block_on.
                runtime::spawn(async { 6 }).await.unwrap() * 7
            });
            done_tx.send(v).unwrap();
            v
        });
        // Keep a block_on running so a current-thread runtime runs the task.
        assert_eq!(rt.block_on(done_rx).unwrap(), 42);
        assert_eq!(thread.join().unwrap(), 42);
    }

    fn spawn_after_enter_outside_block_on(rt) {
        let handle = {
            let _guard = rt.enter();
            assert!(Handle::try_current().is_ok());
            runtime::spawn(async { 5 })
        };
        assert!(Handle::try_current().is_err());
        assert_eq!(rt.block_on(handle).unwrap(), 5);
    }
}

/// A current-thread runtime driven from two threads at once: the second
/// `block_on` waits for the scheduler, its spawned task runs on the first,
/// and it takes the scheduler over when the first returns.
#[test]
fn current_thread_block_on_from_two_threads() {
    let rt = Arc::new(common::current_thread());
    let (release_tx, release_rx) = oneshot::channel::<()>();
    let (first_in_tx, first_in_rx) = std::sync::mpsc::channel::<()>();
    let first = {
        let rt = rt.clone();
        std::thread::spawn(move || {
            rt.block_on(async move {
                first_in_tx.send(()).unwrap();
                release_rx.await.unwrap();
                1
            })
        })
    };
    first_in_rx.recv().unwrap();
    let second = {
        let rt = rt.clone();
        std::thread::spawn(move || {
            rt.block_on(async move {
                let v = runtime::spawn(async { 10 }).await.unwrap();
                release_tx.send(()).unwrap();
                // Runs after the first thread gave the scheduler back.
                v + runtime::spawn(async { 20 }).await.unwrap()
            })
        })
    };
    assert_eq!(first.join().unwrap(), 1);
    assert_eq!(second.join().unwrap(), 30);
}

/// A task of one runtime spawns onto another runtime (each flavour pair)
/// and joins that task; the child sees its own runtime as current.
#[test]
fn tasks_spawn_onto_and_join_another_runtime() {
    for (a, b) in [(0, 2), (2, 1), (2, 0), (0, 0)] {
        let rt_a = common::build(a, |_| {});
        let rt_b = Arc::new(common::build(b, |_| {}));
        // A current-thread `b` runs tasks only inside a block_on: a thread
        // sits in one until the end.
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let driver = {
            let rt_b = rt_b.clone();
            std::thread::spawn(move || rt_b.block_on(stop_rx))
        };
        let on_b = rt_b.handle().clone();
        let flavor = rt_a.block_on(async move {
            runtime::spawn(async move {
                on_b.spawn(async { Handle::current().runtime_flavor() })
                    .await
                    .unwrap()
            })
            .await
            .unwrap()
        });
        assert_eq!(flavor, rt_b.handle().runtime_flavor(), "pair ({a}, {b})");
        stop_tx.send(()).unwrap();
        driver.join().unwrap().unwrap();
    }
}

#[test]
fn handle_current_outside_a_runtime_panics() {
    assert!(Handle::try_current().is_err());
    let msg = panic_of(Handle::current);
    assert!(msg.contains("no runtime"), "message: {msg}");
}

#[test]
fn spawn_outside_a_runtime_panics() {
    let msg = panic_of(|| runtime::spawn(async {}));
    assert!(
        msg.contains("must be called from the context of a runtime"),
        "message: {msg}"
    );
    let msg = panic_of(|| runtime::spawn_blocking(|| {}));
    assert!(
        msg.contains("must be called from the context of a runtime"),
        "message: {msg}"
    );
}

#[test]
fn zero_worker_threads_panics_naming_threads() {
    let msg = panic_of(|| {
        Builder::new_multi_thread().worker_threads(0);
    });
    assert!(msg.contains("thread"), "message: {msg}");
}

#[test]
fn zero_max_blocking_threads_panics_naming_threads() {
    let msg = panic_of(|| {
        Builder::new_multi_thread().max_blocking_threads(0);
    });
    assert!(msg.contains("thread"), "message: {msg}");
    let msg = panic_of(|| {
        Builder::new_current_thread().max_blocking_threads(0);
    });
    assert!(msg.contains("thread"), "message: {msg}");
}

#[test]
fn yield_now_interleaves_tasks_on_current_thread() {
    let rt = common::current_thread();
    let log = Arc::new(Mutex::new(Vec::new()));
    rt.block_on(async {
        let task = |name: &'static str| {
            let log = log.clone();
            runtime::spawn(async move {
                log.lock().unwrap().push(format!("{name}1"));
                task::yield_now().await;
                log.lock().unwrap().push(format!("{name}2"));
            })
        };
        let a = task("a");
        let b = task("b");
        a.await.unwrap();
        b.await.unwrap();
    });
    assert_eq!(*log.lock().unwrap(), ["a1", "b1", "a2", "b2"]);
}

/// The `block_on` future of a current-thread runtime that yields (or runs
/// out of budget) must let the spawned tasks run, as in Tokio; otherwise
/// `while !done { yield_now().await }` in a `#[runtime::test]` spins
/// forever. The loops are bounded so a failure is an assertion, not a hang.
///
/// Runs `step().await` in the `block_on` future of a current-thread
/// runtime until a spawned task has run (at most `limit` steps) and
/// returns how many steps that took.
fn steps_until_spawned_task_runs<F: Future<Output = ()>>(
    mut step: impl FnMut() -> F,
    limit: usize,
) -> usize {
    let rt = common::current_thread();
    let ran = Arc::new(AtomicBool::new(false));
    rt.block_on(async {
        let flag = ran.clone();
        let task = runtime::spawn(async move { flag.store(true, SeqCst) });
        let mut n = 0;
        while !ran.load(SeqCst) && n < limit {
            step().await;
            n += 1;
        }
        task.await.unwrap();
        n
    })
}

#[test]
fn yield_now_in_block_on_lets_spawned_tasks_run_on_current_thread() {
    let yields = steps_until_spawned_task_runs(task::yield_now, 1_000);
    assert!(
        yields < 1_000,
        "the spawned task did not run during {yields} yields of the block_on future"
    );
}

#[test]
fn consume_budget_in_block_on_lets_spawned_tasks_run_on_current_thread() {
    let iterations = steps_until_spawned_task_runs(task::consume_budget, 100_000);
    assert!(
        iterations < 100_000,
        "the spawned task did not run during {iterations} consume_budget calls \
         of the block_on future"
    );
}

#[test]
fn spawned_tasks_can_send_to_each_other_through_sinks() {
    // A pipeline of stages connected by bounded channels (backpressure
    // means producers are woken by consumers and vice versa).
    let rt = common::multi_thread(2);
    let sum = rt.block_on(async {
        let (mut tx, mut rx) = mpsc::channel::<u64>(4);
        let (mut tx2, mut rx2) = mpsc::channel::<u64>(4);
        let producer = runtime::spawn(async move {
            for i in 0..1_000 {
                tx.send(i).await.unwrap();
            }
        });
        let doubler = runtime::spawn(async move {
            while let Some(v) = rx.next().await {
                tx2.send(v * 2).await.unwrap();
            }
        });
        let mut sum = 0;
        while let Some(v) = rx2.next().await {
            sum += v;
        }
        producer.await.unwrap();
        doubler.await.unwrap();
        sum
    });
    assert_eq!(sum, 2 * (0..1_000).sum::<u64>());
}

/// A task that spins on `yield_now` goes behind remote tasks too, not only
/// behind local ones: 100 tasks spawned from another thread all run within
/// a few of the spinner's polls (before, with yielded tasks at the back of
/// the local queue only, the injector was looked at once per 31 polls and
/// the spinner yielded about 3,100 times). Current-thread, so the order is
/// deterministic.
#[test]
fn yielding_task_does_not_starve_remote_tasks() {
    let rt = Builder::new_current_thread().build().unwrap();
    let handle = rt.handle().clone();
    let done = Arc::new(AtomicUsize::new(0));
    let spins = rt.block_on(async {
        let d = done.clone();
        let spinner = runtime::spawn(async move {
            let mut spins = 0u32;
            while d.load(SeqCst) < 100 {
                spins += 1;
                task::yield_now().await;
            }
            spins
        });
        // All 100 are in the remote queue before the spinner first runs.
        let d = done.clone();
        std::thread::spawn(move || {
            for _ in 0..100 {
                let d = d.clone();
                drop(handle.spawn(async move {
                    d.fetch_add(1, SeqCst);
                }));
            }
        })
        .join()
        .unwrap();
        spinner.await.unwrap()
    });
    assert_eq!(done.load(SeqCst), 100);
    assert!(
        spins <= 5,
        "the spinner yielded {spins} times before 100 remote tasks ran"
    );
}
