//! Shutdown: dropping a runtime drops every task it owns; `shutdown_timeout`
//! and `shutdown_background` do not wait for running blocking closures;
//! spawning during or after shutdown gives a cancelled task; queued
//! blocking closures are cancelled; thread start/stop hooks and names.

#[macro_use]
mod common;

use common::{is_current_thread, DropGuard, HeldBlocking, SendOnDrop};
use futures::channel::oneshot;
use runtime::task::{self, JoinHandle};
use runtime::Handle;
use std::future::pending;
use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

/// Waits for a task's result on the test thread with an executor that is
/// not the runtime (the runtime may be gone).
fn join<T>(handle: JoinHandle<T>) -> Result<T, runtime::task::JoinError> {
    futures::executor::block_on(handle)
}

/// Waits until `n` tasks have reported on `started` (from their first
/// poll). A current-thread runtime only runs tasks inside `block_on`, so
/// there the wait happens in a yielding `block_on`.
fn wait_started(rt: &runtime::Runtime, started: &mpsc::Receiver<()>, n: usize) {
    if is_current_thread(rt) {
        rt.block_on(async {
            let mut seen = 0;
            while seen < n {
                task::yield_now().await;
                seen += started.try_iter().count();
            }
        });
    } else {
        for _ in 0..n {
            started.recv().unwrap();
        }
    }
}

rt_test! {
    fn dropping_the_runtime_drops_every_pending_task(rt) {
        const N: usize = 1_000;
        let drops = Arc::new(AtomicUsize::new(0));
        let (started_tx, started_rx) = mpsc::channel();
        let mut handles = Vec::new();
        for _ in 0..N {
            let guard = DropGuard(drops.clone());
            let started_tx = started_tx.clone();
            handles.push(rt.spawn(async move {
                let _guard = guard;
                started_tx.send(()).unwrap();
                pending::<()>().await;
            }));
        }
        wait_started(&rt, &started_rx, N);
        // And as many that may never have been polled.
        for _ in 0..N {
            let guard = DropGuard(drops.clone());
            handles.push(rt.spawn(async move {
                let _guard = guard;
                pending::<()>().await;
            }));
        }
        assert_eq!(drops.load(SeqCst), 0);
        drop(rt);
        assert_eq!(drops.load(SeqCst), 2 * N);
        for h in handles {
            assert!(join(h).unwrap_err().is_cancelled());
        }
    }

    fn tasks_parked_on_each_other_are_both_dropped(rt) {
        let drops = Arc::new(AtomicUsize::new(0));
        let (started_tx, started_rx) = mpsc::channel();
        let (tx, rx) = oneshot::channel::<()>();
        let receiver = {
            let guard = DropGuard(drops.clone());
            let started_tx = started_tx.clone();
            rt.spawn(async move {
                let _guard = guard;
                started_tx.send(()).unwrap();
                let _ = rx.await;
                // Reached only if the runtime polled it after the sender
                // was dropped at shutdown.
                pending::<()>().await;
            })
        };
        let holder = {
            let guard = DropGuard(drops.clone());
            rt.spawn(async move {
                let _guard = guard;
                let _tx = tx;
                started_tx.send(()).unwrap();
                pending::<()>().await;
            })
        };
        wait_started(&rt, &started_rx, 2);
        drop(rt);
        assert_eq!(drops.load(SeqCst), 2);
        assert!(join(receiver).unwrap_err().is_cancelled());
        assert!(join(holder).unwrap_err().is_cancelled());
    }

    fn busy_tasks_do_not_hold_up_shutdown(rt) {
        let drops = Arc::new(AtomicUsize::new(0));
        let (started_tx, started_rx) = mpsc::channel();
        for _ in 0..16 {
            let guard = DropGuard(drops.clone());
            let started_tx = started_tx.clone();
            drop(rt.spawn(async move {
                let _guard = guard;
                started_tx.send(()).unwrap();
                loop {
                    task::yield_now().await;
                }
            }));
        }
        wait_started(&rt, &started_rx, 16);
        drop(rt);
        assert_eq!(drops.load(SeqCst), 16);
    }

    fn shutdown_timeout_returns_while_a_blocking_closure_still_runs(rt) {
        let held = HeldBlocking::start(&rt, 9);
        rt.shutdown_timeout(Duration::from_millis(100));
        // Returned although the closure is still waiting for us.
        assert!(!held.finished());
        let handle = held.release();
        // A closure that was running when the runtime shut down completes.
        assert_eq!(join(handle).unwrap(), 9);
    }

    fn shutdown_background_returns_while_a_blocking_closure_still_runs(rt) {
        let held = HeldBlocking::start(&rt, ());
        rt.shutdown_background();
        assert!(!held.finished());
        join(held.release()).unwrap();
    }

    fn spawn_from_a_destructor_during_shutdown_is_cancelled(rt) {
        /// Spawns a task from its destructor, which runs while the runtime
        /// shuts down.
        struct SpawnOnDrop {
            out: mpsc::Sender<Option<JoinHandle<u8>>>,
            drops: Arc<AtomicUsize>,
        }
        impl Drop for SpawnOnDrop {
            fn drop(&mut self) {
                let guard = DropGuard(self.drops.clone());
                let spawned = Handle::try_current().ok().map(|h| {
                    h.spawn(async move {
                        let _guard = guard;
                        1
                    })
                });
                self.out.send(spawned).unwrap();
            }
        }
        let (out_tx, out_rx) = mpsc::channel();
        let (started_tx, started_rx) = mpsc::channel();
        let drops = Arc::new(AtomicUsize::new(0));
        let bomb = SpawnOnDrop { out: out_tx, drops: drops.clone() };
        drop(rt.spawn(async move {
            let _bomb = bomb;
            started_tx.send(()).unwrap();
            pending::<()>().await;
        }));
        wait_started(&rt, &started_rx, 1);
        drop(rt);
        let spawned = out_rx
            .recv()
            .unwrap()
            .expect("no current runtime in a task destructor run by the shutdown");
        let err = join(spawned).unwrap_err();
        assert!(err.is_cancelled(), "{err}");
        assert_eq!(drops.load(SeqCst), 1, "the refused task's future was not dropped");
    }

    fn spawn_through_a_handle_after_the_runtime_is_dropped_is_cancelled(rt) {
        let handle = rt.handle().clone();
        drop(rt);
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = DropGuard(drops.clone());
        let task = handle.spawn(async move {
            let _guard = guard;
            1
        });
        assert!(join(task).unwrap_err().is_cancelled());
        assert_eq!(drops.load(SeqCst), 1);
        let ran = Arc::new(AtomicBool::new(false));
        let r = ran.clone();
        let blocking = handle.spawn_blocking(move || r.store(true, SeqCst));
        assert!(join(blocking).unwrap_err().is_cancelled());
        assert!(!ran.load(SeqCst));
    }

    fn queued_spawn_blocking_is_cancelled_at_shutdown(rt, |b| { b.max_blocking_threads(1); }) {
        let held = HeldBlocking::start(&rt, 1);
        // The only blocking thread is busy: this one waits in the queue.
        let ran = Arc::new(AtomicBool::new(false));
        let r = ran.clone();
        let second = rt.spawn_blocking(move || {
            r.store(true, SeqCst);
            2
        });
        rt.shutdown_timeout(Duration::from_millis(100));
        assert_eq!(join(held.release()).unwrap(), 1);
        let res = join(second);
        assert!(!ran.load(SeqCst), "a blocking closure queued at shutdown ran");
        assert!(res.unwrap_err().is_cancelled());
    }

    fn thread_hooks_run_and_thread_name_is_applied(rt, |b| {
        b.thread_name("shutdown-test-thread");
    }) {
        // (Hooks are checked in a test of their own below, where the
        // builder can hold the counters.)
        let name = rt
            .block_on(rt.spawn_blocking(|| std::thread::current().name().map(str::to_owned)))
            .unwrap();
        assert_eq!(name.as_deref(), Some("shutdown-test-thread"));
        if !is_current_thread(&rt) {
            let name = rt
                .block_on(rt.spawn(async { std::thread::current().name().map(str::to_owned) }))
                .unwrap();
            assert_eq!(name.as_deref(), Some("shutdown-test-thread"));
        }
    }

    fn dropping_a_runtime_inside_another_runtime_does_not_block(rt) {
        for inner_workers in [0, 2] {
            let inner = common::build(inner_workers, |_| {});
            let (dropped_tx, dropped_rx) = oneshot::channel();
            let (started_tx, started_rx) = mpsc::channel();
            let guard = SendOnDrop(Some(dropped_tx));
            drop(inner.spawn(async move {
                let _guard = guard;
                started_tx.send(()).unwrap();
                pending::<()>().await;
            }));
            wait_started(&inner, &started_rx, 1);
            rt.block_on(async move {
                // Shuts `inner` down in the background instead of waiting
                // for its workers from inside this runtime.
                drop(inner);
                dropped_rx.await.expect("the inner runtime's task was never dropped");
            });
        }
    }
}

// Wakers that outlive their runtime: waking them (from another thread,
// while the runtime shuts down, and after) must be harmless.
rt_test! {
    fn wakers_used_during_and_after_shutdown_are_harmless(rt) {
        const N: usize = 100;
        let drops = Arc::new(AtomicUsize::new(0));
        let wakers: Arc<Mutex<Vec<Waker>>> = Arc::default();
        let (started_tx, started_rx) = mpsc::channel();
        for _ in 0..N {
            let guard = DropGuard(drops.clone());
            let wakers = wakers.clone();
            let started_tx = started_tx.clone();
            drop(rt.spawn(async move {
                let _guard = guard;
                let mut first = true;
                poll_fn(move |cx| {
                    wakers.lock().unwrap().push(cx.waker().clone());
                    if std::mem::take(&mut first) {
                        started_tx.send(()).unwrap();
                    }
                    Poll::<()>::Pending
                })
                .await;
            }));
        }
        wait_started(&rt, &started_rx, N);
        let stop = Arc::new(AtomicBool::new(false));
        let waker_thread = {
            let (wakers, stop) = (wakers.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut rounds = 0usize;
                while !stop.load(SeqCst) || rounds == 0 {
                    let batch: Vec<Waker> = wakers.lock().unwrap().clone();
                    for w in batch {
                        w.wake();
                    }
                    rounds += 1;
                }
                rounds
            })
        };
        drop(rt);
        stop.store(true, SeqCst);
        assert!(waker_thread.join().unwrap() > 0);
        assert_eq!(drops.load(SeqCst), N);
        // After the runtime is gone.
        let left: Vec<Waker> = std::mem::take(&mut *wakers.lock().unwrap());
        assert!(!left.is_empty());
        for w in left {
            w.wake_by_ref();
            w.wake();
        }
    }
}

/// A worker blocked in `block_in_place` when the runtime shuts down: the
/// thread that took over its queue cancels the other tasks (whose
/// destructor here releases the blocked closure), and the blocked task is
/// cancelled when its poll returns.
fn shutdown_while_a_task_is_in_block_in_place(workers: usize) {
    let rt = common::multi_thread(workers);
    let drops = Arc::new(AtomicUsize::new(0));
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (entered_tx, entered_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let guard = DropGuard(drops.clone());
    let blocked = rt.spawn(async move {
        let _guard = guard;
        task::block_in_place(move || {
            entered_tx.send(()).unwrap();
            release_rx.recv().unwrap();
        });
        pending::<()>().await;
    });
    entered_rx.recv().unwrap();
    /// Releases the blocked closure when dropped.
    struct Release(mpsc::Sender<()>, #[allow(dead_code)] DropGuard);
    impl Drop for Release {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }
    let release = Release(release_tx, DropGuard(drops.clone()));
    let releaser = rt.spawn(async move {
        let _release = release;
        started_tx.send(()).unwrap();
        pending::<()>().await;
    });
    started_rx.recv().unwrap();
    drop(rt);
    assert_eq!(drops.load(SeqCst), 2);
    assert!(join(blocked).unwrap_err().is_cancelled());
    assert!(join(releaser).unwrap_err().is_cancelled());
}

#[test]
fn shutdown_while_a_task_is_in_block_in_place_one_worker() {
    shutdown_while_a_task_is_in_block_in_place(1);
}

#[test]
fn shutdown_while_a_task_is_in_block_in_place_four_workers() {
    shutdown_while_a_task_is_in_block_in_place(4);
}

rt_test! {
    fn spawning_from_another_thread_while_the_runtime_drops(rt) {
        // Races `spawn` against shutdown: every future ever created is
        // dropped exactly once and every JoinHandle resolves (Ok if the
        // task ran to the end, cancelled otherwise); a task lost in a
        // queue would hang the `join` below.
        let drops = Arc::new(AtomicUsize::new(0));
        let dropped = Arc::new(AtomicBool::new(false));
        let (warm_tx, warm_rx) = mpsc::channel::<()>();
        let spawner = {
            let handle = rt.handle().clone();
            let (drops, dropped) = (drops.clone(), dropped.clone());
            std::thread::spawn(move || {
                let mut handles = Vec::new();
                loop {
                    // The last spawn starts after the runtime is gone.
                    let last = dropped.load(SeqCst);
                    let guard = DropGuard(drops.clone());
                    handles.push(handle.spawn(async move {
                        let _guard = guard;
                        task::yield_now().await;
                    }));
                    if handles.len() == 200 {
                        warm_tx.send(()).unwrap();
                    }
                    if last {
                        return handles;
                    }
                }
            })
        };
        warm_rx.recv().unwrap();
        // Keep a block_on going meanwhile so a current-thread runtime runs
        // some of them.
        rt.block_on(async {
            for _ in 0..10 {
                task::yield_now().await;
            }
        });
        drop(rt);
        dropped.store(true, SeqCst);
        let mut handles = spawner.join().unwrap();
        let spawned = handles.len();
        let last = handles.pop().unwrap();
        assert!(join(last).unwrap_err().is_cancelled());
        for h in handles {
            if let Err(e) = join(h) {
                assert!(e.is_cancelled(), "{e}");
            }
        }
        assert_eq!(drops.load(SeqCst), spawned);
    }

    fn shutdown_background_still_drops_every_task(rt) {
        const N: usize = 100;
        let (dropped_tx, dropped_rx) = mpsc::channel::<()>();
        let (started_tx, started_rx) = mpsc::channel();
        /// Reports its drop on a std channel.
        struct Report(mpsc::Sender<()>);
        impl Drop for Report {
            fn drop(&mut self) {
                self.0.send(()).unwrap();
            }
        }
        for _ in 0..N {
            let report = Report(dropped_tx.clone());
            let started_tx = started_tx.clone();
            drop(rt.spawn(async move {
                let _report = report;
                started_tx.send(()).unwrap();
                pending::<()>().await;
            }));
        }
        drop(dropped_tx);
        wait_started(&rt, &started_rx, N);
        rt.shutdown_background();
        // The workers drop the tasks, maybe after shutdown_background
        // returned: wait for every report (the channel closes after the
        // last one).
        assert_eq!(dropped_rx.iter().count(), N);
    }
}

fn thread_hooks_balance(workers: usize) {
    let started = Arc::new(AtomicUsize::new(0));
    let stopped = Arc::new(AtomicUsize::new(0));
    let rt = {
        let (s, t) = (started.clone(), stopped.clone());
        common::build(workers, move |b| {
            b.on_thread_start(move || {
                s.fetch_add(1, SeqCst);
            })
            .on_thread_stop(move || {
                t.fetch_add(1, SeqCst);
            });
        })
    };
    // Start some blocking threads too, all at once.
    let barrier = Arc::new(std::sync::Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let barrier = barrier.clone();
            rt.spawn_blocking(move || {
                barrier.wait();
            })
        })
        .collect();
    for h in handles {
        rt.block_on(h).unwrap();
    }
    assert!(
        started.load(SeqCst) >= workers + 4,
        "on_thread_start ran {} times for {workers} workers and 4 blocking threads",
        started.load(SeqCst)
    );
    drop(rt);
    assert_eq!(started.load(SeqCst), stopped.load(SeqCst));
}

#[test]
fn thread_start_and_stop_hooks_balance_current_thread() {
    thread_hooks_balance(0);
}

#[test]
fn thread_start_and_stop_hooks_balance_multi_thread_1() {
    thread_hooks_balance(1);
}

#[test]
fn thread_start_and_stop_hooks_balance_multi_thread_4() {
    thread_hooks_balance(4);
}

/// A blocking closure refused by a shut-down pool is dropped inside
/// `spawn_blocking`; if it owns another runtime, that runtime's shutdown
/// runs right there and must not trip over the thread's runtime context.
#[test]
fn refused_closure_owning_a_runtime_drops_it_cleanly() {
    let outer = common::current_thread();
    let handle = outer.handle().clone();
    drop(outer);
    // Current-thread: its shutdown sets the runtime context.
    let inner = common::current_thread();
    let inner_handle = inner.handle().clone();
    let _enter = handle.enter();
    let refused = runtime::spawn_blocking(move || drop(inner));
    assert!(futures::executor::block_on(refused)
        .unwrap_err()
        .is_cancelled());
    // The inner runtime was shut down by that drop: it refuses new tasks.
    let late = inner_handle.spawn(async { 1 });
    assert!(futures::executor::block_on(late)
        .unwrap_err()
        .is_cancelled());
}

/// `block_in_place` called after shutdown began: the blocking pool refuses
/// to start a replacement worker, so the worker must keep its core, finish
/// the poll and still shut every task down (before the fix the hand-off ran
/// inline, panicked, and the core with its tasks leaked).
#[test]
fn block_in_place_during_shutdown_keeps_the_core() {
    use std::sync::mpsc;
    struct DropSignal(mpsc::Sender<()>);
    impl Drop for DropSignal {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }
    let rt = common::multi_thread(1);
    let (dropped_tx, dropped_rx) = mpsc::channel();
    let (started_tx, started_rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    drop(rt.spawn(async move {
        let _guard = DropSignal(dropped_tx);
        std::future::pending::<()>().await
    }));
    let blocker = rt.spawn(async move {
        started_tx.send(()).unwrap();
        go_rx.recv().unwrap();
        runtime::task::block_in_place(|| 7)
    });
    started_rx.recv().unwrap();
    rt.shutdown_background();
    go_tx.send(()).unwrap();
    // A bound so a regression fails instead of hanging; not a timing.
    dropped_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the pending task's future was never dropped");
    assert_eq!(futures::executor::block_on(blocker).unwrap(), 7);
}

/// Dropping a runtime on one of its own blocking threads must not wait for
/// that very thread to exit.
#[test]
fn runtime_dropped_inside_its_own_spawn_blocking_returns() {
    use std::sync::mpsc;
    let rt = common::multi_thread(1);
    let handle = rt.handle().clone();
    let (done_tx, done_rx) = mpsc::channel();
    drop(handle.spawn_blocking(move || {
        drop(rt);
        done_tx.send(()).unwrap();
    }));
    done_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("dropping the runtime on its own blocking thread hung");
}

/// A panicking `on_thread_start`/`on_thread_stop` hook is reported and the
/// thread carries on: the runtime still runs tasks and its drop returns.
#[test]
fn panicking_thread_hooks_do_not_hang_the_runtime() {
    use std::sync::mpsc;
    common::quiet_panics();
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let rt = runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .on_thread_start(|| panic!("start hook panics"))
            .on_thread_stop(|| panic!("stop hook panics"))
            .build()
            .unwrap();
        let v = rt.block_on(async {
            let a = runtime::spawn(async { 1 }).await.unwrap();
            let b = runtime::spawn_blocking(|| 2).await.unwrap();
            a + b
        });
        drop(rt);
        done_tx.send(v).unwrap();
    });
    let v = done_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("a runtime with panicking hooks hung");
    assert_eq!(v, 3);
}
