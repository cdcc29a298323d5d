//! Panics in tasks: `JoinError::is_panic`, `into_panic` / `try_into_panic`,
//! `Display`; workers survive panicking tasks; panics from a future's
//! destructor (on abort and at shutdown) are reported, never a hang; a
//! panicking `block_on` future leaves the runtime usable. Panics outside
//! any task (an output's destructor, a waker the driver wakes, a worker's
//! own run loop) are re-raised by `block_on` or by dropping the runtime,
//! and the runtime carries on.

#[macro_use]
mod common;

use common::{panic_message, panic_of, quiet_panics, DropGuard};
use futures::channel::oneshot;
use std::future::{pending, Future};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

/// Panics when dropped.
struct PanicOnDrop(&'static str);

/// A waker that panics when woken.
struct PanicWaker;

impl std::task::Wake for PanicWaker {
    fn wake(self: Arc<Self>) {
        panic!("expected panic: a waker woken by the driver");
    }
}

/// Sends on a std channel when dropped.
struct SendOnStdDrop(Option<std::sync::mpsc::Sender<()>>);

impl Drop for SendOnStdDrop {
    fn drop(&mut self) {
        let _ = self.0.take().expect("dropped once").send(());
    }
}

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("{}", self.0);
    }
}

rt_test! {
    fn panicking_task_gives_a_panic_join_error(rt) {
        quiet_panics();
        rt.block_on(async {
            let handle = runtime::spawn(async {
                if true {
                    panic!("expected panic: boom");
                }
            });
            let id = handle.id();
            let err = handle.await.unwrap_err();
            assert!(err.is_panic());
            assert!(!err.is_cancelled());
            assert_eq!(err.id(), id);
            let shown = err.to_string();
            assert!(shown.contains(&id.to_string()), "Display: {shown}");
            assert!(shown.contains("expected panic: boom"), "Display: {shown}");
            assert!(format!("{err:?}").contains("expected panic: boom"));
            let payload = err.into_panic();
            assert_eq!(*payload.downcast_ref::<&str>().unwrap(), "expected panic: boom");
        });
    }

    fn panic_payloads_of_any_type_are_returned(rt) {
        quiet_panics();
        rt.block_on(async {
            // A formatted message is a String payload.
            let n = 7;
            let err = runtime::spawn(async move {
                if n == 7 {
                    panic!("expected panic: number {n}");
                }
            })
            .await
            .unwrap_err();
            let payload = err.try_into_panic().unwrap();
            assert_eq!(payload.downcast_ref::<String>().unwrap(), "expected panic: number 7");

            // A non-string payload: Display still names the task.
            let handle = runtime::spawn(async {
                std::panic::panic_any(42u32);
            });
            let id = handle.id();
            let err = handle.await.unwrap_err();
            assert!(err.to_string().contains(&id.to_string()), "{err}");
            assert_eq!(*err.into_panic().downcast::<u32>().unwrap(), 42);
        });
    }

    fn try_into_panic_of_a_cancelled_task_gives_the_error_back(rt) {
        rt.block_on(async {
            let handle = runtime::spawn(pending::<()>());
            let id = handle.id();
            handle.abort();
            let err = handle.await.unwrap_err();
            let shown = err.to_string();
            assert!(shown.contains(&id.to_string()), "Display: {shown}");
            assert!(shown.contains("cancelled"), "Display: {shown}");
            let err = err.try_into_panic().unwrap_err();
            assert!(err.is_cancelled());
            assert_eq!(err.id(), id);
            let msg = panic_of(move || err.into_panic());
            assert!(msg.contains("is_panic"), "message: {msg}");
        });
    }

    fn a_panicking_task_drops_its_locals(rt) {
        quiet_panics();
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = DropGuard(drops.clone());
        let err = rt
            .block_on(rt.spawn(async move {
                let _guard = guard;
                runtime::task::yield_now().await;
                panic!("expected panic: after a yield");
            }))
            .unwrap_err();
        assert!(err.is_panic());
        assert_eq!(drops.load(SeqCst), 1);
    }

    fn workers_survive_panicking_tasks(rt) {
        quiet_panics();
        let ran = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            let panicking: Vec<_> = (0..100)
                .map(|i| {
                    runtime::spawn(async move {
                        if i < 100 {
                            panic!("expected panic: task {i}");
                        }
                    })
                })
                .collect();
            for h in panicking {
                assert!(h.await.unwrap_err().is_panic());
            }
            let handles: Vec<_> = (0..1000)
                .map(|i| {
                    let ran = ran.clone();
                    runtime::spawn(async move {
                        ran.fetch_add(1, SeqCst);
                        i
                    })
                })
                .collect();
            for (i, h) in handles.into_iter().enumerate() {
                assert_eq!(h.await.unwrap(), i);
            }
        });
        assert_eq!(ran.load(SeqCst), 1000);
    }

    fn detached_panicking_tasks_do_not_disturb_the_runtime(rt) {
        quiet_panics();
        rt.block_on(async {
            for i in 0..100 {
                drop(runtime::spawn(async move {
                    if i < 100 {
                        panic!("expected panic: detached {i}");
                    }
                }));
            }
            // Every detached task has run (or not); either way new work runs.
            let handles = (0..100u32).map(|i| runtime::spawn(async move { i }));
            let sum: u32 = futures::future::join_all(handles)
                .await
                .into_iter()
                .map(Result::unwrap)
                .sum();
            assert_eq!(sum, 4950);
        });
    }

    fn panic_in_drop_during_abort_is_reported_as_a_panic(rt) {
        quiet_panics();
        rt.block_on(async {
            let (started_tx, started_rx) = oneshot::channel();
            let handle = runtime::spawn(async move {
                let _bomb = PanicOnDrop("expected panic: in drop");
                started_tx.send(()).unwrap();
                pending::<()>().await;
            });
            started_rx.await.unwrap();
            handle.abort();
            let err = handle.await.unwrap_err();
            assert!(err.is_panic(), "{err}");
            assert_eq!(panic_message(&*err.into_panic()), "expected panic: in drop");

            // Aborted before its first poll: the captured value's destructor
            // panics while the unpolled future is dropped.
            let bomb = PanicOnDrop("expected panic: unpolled drop");
            let handle = runtime::spawn(async move {
                let _bomb = bomb;
            });
            handle.abort();
            match handle.await {
                // The task may have run to completion first (multi-thread):
                // its destructor then panicked while completing.
                Err(err) => assert!(err.is_panic(), "{err}"),
                Ok(()) => panic!("a task whose destructor panics completed normally"),
            }
            // The runtime still works.
            assert_eq!(runtime::spawn(async { 1 }).await.unwrap(), 1);
        });
    }

    fn panic_in_drop_at_shutdown_does_not_stop_the_shutdown(rt) {
        quiet_panics();
        let drops = Arc::new(AtomicUsize::new(0));
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        for i in 0..20 {
            let guard = DropGuard(drops.clone());
            let started_tx = started_tx.clone();
            drop(rt.spawn(async move {
                let _guard = guard;
                let _bomb = (i % 2 == 0).then(|| PanicOnDrop("expected panic: at shutdown"));
                started_tx.send(()).unwrap();
                pending::<()>().await;
            }));
        }
        if common::is_current_thread(&rt) {
            rt.block_on(runtime::task::yield_now());
        }
        for _ in 0..20 {
            started_rx.recv().unwrap();
        }
        drop(rt);
        assert_eq!(drops.load(SeqCst), 20);
    }

    fn panicking_block_on_future_leaves_the_runtime_usable(rt) {
        let msg = panic_of(|| {
            rt.block_on(async {
                runtime::spawn(async {}).await.unwrap();
                panic!("expected panic: in block_on");
            })
        });
        assert_eq!(msg, "expected panic: in block_on");
        assert_eq!(rt.block_on(async { runtime::spawn(async { 4 }).await.unwrap() }), 4);
    }

    fn panicking_output_destructor_is_reported_and_re_raised(rt) {
        // The JoinHandle owns the output: the panic of its destructor is
        // caught where the handle is dropped (the runtime's state stays
        // sound) and re-raised by this block_on.
        let msg = panic_of(|| {
            rt.block_on(async {
                let handle = runtime::spawn(async { PanicOnDrop("expected panic: output drop") });
                while !handle.is_finished() {
                    runtime::task::yield_now().await;
                }
                drop(handle);
            })
        });
        assert_eq!(msg, "expected panic: output drop");
        // A detached task's output is dropped by the runtime: the block_on
        // waiting for nothing in particular is woken to re-raise it.
        let msg = panic_of(|| {
            rt.block_on(async {
                drop(runtime::spawn(async { PanicOnDrop("expected panic: detached output") }));
                pending::<()>().await;
            })
        });
        assert_eq!(msg, "expected panic: detached output");
        // Raised once; the runtime carries on.
        assert_eq!(rt.block_on(async { runtime::spawn(async { 2 }).await.unwrap() }), 2);
    }

    fn a_waker_that_panics_in_the_driver_is_reported_and_the_runtime_carries_on(rt) {
        // A future polled (inside a task) with a waker of its own that
        // panics when the timer driver wakes it: the driver catches it,
        // wakes the rest, and block_on re-raises it.
        let (polled_tx, polled_rx) = oneshot::channel();
        let task = rt.spawn(async move {
            let mut sleep = Box::pin(runtime::time::sleep(std::time::Duration::from_millis(1)));
            {
                let waker = std::task::Waker::from(Arc::new(PanicWaker));
                let mut cx = std::task::Context::from_waker(&waker);
                assert!(sleep.as_mut().poll(&mut cx).is_pending());
            }
            polled_tx.send(()).unwrap();
            // Keep the sleep (and its waker) registered while this task
            // waits on a timer of its own, woken normally.
            runtime::time::sleep(std::time::Duration::from_millis(5)).await;
            drop(sleep);
            7
        });
        let msg = panic_of(|| {
            rt.block_on(async {
                polled_rx.await.unwrap();
                pending::<()>().await;
            })
        });
        assert_eq!(msg, "expected panic: a waker woken by the driver");
        // The other wakes of that turn were delivered, and the driver and
        // the workers still run.
        assert_eq!(rt.block_on(task).unwrap(), 7);
        rt.block_on(async { runtime::time::sleep(std::time::Duration::from_millis(1)).await });
    }


}

/// A panic inside a worker's park (outside any task, as a bug in a driver
/// turn would be) is reported through block_on; the worker restarts with
/// its core, so the tasks queued on it and the driver keep running, on a
/// runtime of one worker and of two.
#[test]
fn a_worker_whose_run_loop_panics_is_restarted_with_its_tasks() {
    for workers in [1, 2] {
        let rt = runtime::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()
            .unwrap();
        // Let every worker go idle, then arm the fault: the next park of
        // any worker panics.
        rt.block_on(async { runtime::spawn(async {}).await.unwrap() });
        rt.handle().__panic_in_next_park();
        let msg = panic_of(|| {
            rt.block_on(async {
                // Wakes a worker, which parks again once the task is done.
                runtime::spawn(async {}).await.unwrap();
                pending::<()>().await;
            })
        });
        assert_eq!(msg, "expected panic: injected into a worker's park");
        // Every worker still runs tasks, timers and I/O.
        rt.block_on(async {
            let tasks: Vec<_> = (0..100u64)
                .map(|i| runtime::spawn(async move { i }))
                .collect();
            let mut sum = 0;
            for t in tasks {
                sum += t.await.unwrap();
            }
            assert_eq!(sum, 4950);
            runtime::time::sleep(std::time::Duration::from_millis(1)).await;
            let listener = runtime::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap();
            let addr = listener.local_addr().unwrap();
            let accept = runtime::spawn(async move { listener.accept().await.map(drop) });
            runtime::net::TcpStream::connect(addr).await.unwrap();
            accept.await.unwrap().unwrap();
        });
        assert_eq!(rt.metrics().num_workers(), workers);
        drop(rt);
    }
}

/// A panic outside any task that no `block_on` took (a detached task's
/// output destructor, run by its worker while nothing blocks on the
/// runtime) is raised when the runtime is dropped. Multi-thread only: on a
/// current-thread runtime the task runs inside a `block_on`, which raises
/// it.
#[test]
fn a_panic_no_block_on_took_is_raised_when_the_runtime_drops() {
    let rt = runtime::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let (go_tx, go_rx) = oneshot::channel::<()>();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    // Detached before it can finish, so its worker drops the output.
    drop(rt.spawn(async move {
        go_rx.await.unwrap();
        let _done = SendOnStdDrop(Some(done_tx));
        PanicOnDrop("expected panic: dropped with the runtime")
    }));
    go_tx.send(()).unwrap();
    // The task's locals are gone once it finished; the worker drops the
    // output next, before the runtime's shutdown joins it.
    done_rx.recv().unwrap();
    let msg = panic_of(move || drop(rt));
    assert_eq!(msg, "expected panic: dropped with the runtime");
}
