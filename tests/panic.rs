//! Panics in tasks: `JoinError::is_panic`, `into_panic` / `try_into_panic`,
//! `Display`; workers survive panicking tasks; panics from a future's
//! destructor (on abort and at shutdown) are reported, never a hang; a
//! panicking `block_on` future leaves the runtime usable.

#[macro_use]
mod common;

use common::{panic_message, panic_of, quiet_panics, DropGuard};
use futures::channel::oneshot;
use std::future::pending;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

/// Panics when dropped.
struct PanicOnDrop(&'static str);

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

    fn panicking_output_destructor_is_contained(rt) {
        quiet_panics();
        rt.block_on(async {
            let handle = runtime::spawn(async { PanicOnDrop("expected panic: output drop") });
            while !handle.is_finished() {
                runtime::task::yield_now().await;
            }
            // The JoinHandle owns the output; the panic of its destructor
            // is caught (as Tokio), so dropping the handle returns.
            drop(handle);
            // A detached task's output is dropped by the runtime, which
            // must survive it.
            drop(runtime::spawn(async { PanicOnDrop("expected panic: detached output") }));
            assert_eq!(runtime::spawn(async { 2 }).await.unwrap(), 2);
        });
    }
}
