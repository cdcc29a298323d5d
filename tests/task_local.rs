//! `task_local!`: `scope` + `with`/`get`, nested scopes restore the outer
//! value, the value follows its task across `.await`s and workers and
//! never leaks to other tasks, `with`/`try_with` outside a scope,
//! `sync_scope`, panics inside a scope restore the previous value, an
//! unfinished scoped future is dropped inside its scope, `take_value`.

#[macro_use]
mod common;

use common::{panic_of, quiet_panics};
use futures::channel::oneshot;
use runtime::task::{self, AccessError};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

runtime::task_local! {
    /// A number, set per test.
    static NUMBER: u32;
    pub(crate) static NAME: String;
}

rt_test! {
    fn scope_sets_the_value_for_with_and_get(rt) {
        rt.block_on(NUMBER.scope(5, async {
            assert_eq!(NUMBER.with(|n| *n), 5);
            task::yield_now().await;
            assert_eq!(NUMBER.get(), 5);
            assert_eq!(NUMBER.try_get(), Ok(5));
            // Another key stays unset.
            assert!(NAME.try_with(|_| ()).is_err());
        }));
        assert!(NUMBER.try_with(|_| ()).is_err(), "the value outlived its scope");
    }

    fn nested_scopes_restore_the_outer_value(rt) {
        rt.block_on(NUMBER.scope(1, async {
            assert_eq!(NUMBER.get(), 1);
            let inner = NUMBER
                .scope(2, async {
                    assert_eq!(NUMBER.get(), 2);
                    task::yield_now().await;
                    let innermost = NUMBER.scope(3, async { NUMBER.get() }).await;
                    assert_eq!(innermost, 3);
                    NUMBER.get()
                })
                .await;
            assert_eq!(inner, 2);
            assert_eq!(NUMBER.get(), 1);
            task::yield_now().await;
            assert_eq!(NUMBER.get(), 1);
        }));
    }

    fn value_follows_its_task_across_awaits_and_workers(rt) {
        const TASKS: u32 = 16;
        const YIELDS: usize = 200;
        let threads = Arc::new(Mutex::new(std::collections::HashSet::new()));
        rt.block_on(async {
            let mut handles = Vec::new();
            for i in 0..TASKS {
                let threads = threads.clone();
                handles.push(runtime::spawn(NUMBER.scope(i, async move {
                    for _ in 0..YIELDS {
                        task::yield_now().await;
                        threads.lock().unwrap().insert(std::thread::current().id());
                        assert_eq!(NUMBER.get(), i, "task saw another task's value");
                    }
                    NAME.scope(format!("task {i}"), async {
                        task::yield_now().await;
                        NAME.with(|name| assert_eq!(*name, format!("task {i}")));
                        assert_eq!(NUMBER.get(), i);
                    })
                    .await;
                    NUMBER.get()
                })));
            }
            // Unscoped tasks interleaved with them never see a value: the
            // scoped tasks take theirs away at the end of every poll.
            for _ in 0..4 {
                handles.push(runtime::spawn(async {
                    for _ in 0..YIELDS {
                        assert!(NUMBER.try_with(|_| ()).is_err(), "a value leaked between tasks");
                        task::yield_now().await;
                    }
                    u32::MAX
                }));
            }
            let mut results = Vec::new();
            for handle in handles {
                results.push(handle.await.unwrap());
            }
            let mut expected: Vec<u32> = (0..TASKS).collect();
            expected.extend([u32::MAX; 4]);
            assert_eq!(results, expected);
        });
        assert!(!threads.lock().unwrap().is_empty());
    }

    fn spawned_tasks_do_not_inherit_the_scope(rt) {
        rt.block_on(NUMBER.scope(9, async {
            let inherited = runtime::spawn(async { NUMBER.try_get() }).await.unwrap();
            assert!(inherited.is_err(), "a spawned task inherited {inherited:?}");
            assert_eq!(NUMBER.get(), 9);
        }));
    }

    fn a_pending_scoped_task_leaves_nothing_on_the_thread(rt) {
        rt.block_on(async {
            let (started_tx, started_rx) = oneshot::channel::<()>();
            let (release_tx, release_rx) = oneshot::channel::<()>();
            let task = runtime::spawn(NUMBER.scope(4, async move {
                started_tx.send(()).unwrap();
                release_rx.await.unwrap();
                NUMBER.get()
            }));
            started_rx.await.unwrap();
            // On a current-thread runtime the task was polled on this very
            // thread; its value went back into its future.
            assert!(NUMBER.try_with(|_| ()).is_err());
            release_tx.send(()).unwrap();
            assert_eq!(task.await.unwrap(), 4);
            assert!(NUMBER.try_with(|_| ()).is_err());
        });
    }

    fn a_panicking_scoped_task_restores_the_thread(rt) {
        quiet_panics();
        rt.block_on(NUMBER.scope(1, async {
            let task = runtime::spawn(NUMBER.scope(2, async {
                task::yield_now().await;
                if NUMBER.get() == 2 {
                    panic!("expected panic: inside a task-local scope");
                }
            }));
            let err = task.await.unwrap_err();
            assert!(err.is_panic());
            // Whether the task ran on this thread (current-thread runtime)
            // or on a worker, this scope's value is intact.
            assert_eq!(NUMBER.get(), 1);
            // A task polled afterwards sees no value.
            assert!(runtime::spawn(async { NUMBER.try_get() }).await.unwrap().is_err());
        }));
    }
}

#[test]
fn with_outside_a_scope_panics_with_a_clear_message() {
    let msg = panic_of(|| NUMBER.with(|n| *n));
    assert!(
        msg.contains("task-local value of type `u32` is not set"),
        "{msg}"
    );
    assert!(msg.contains("KEY.scope(value, future)"), "{msg}");
    let msg = panic_of(|| NAME.get());
    assert!(msg.contains("is not set"), "{msg}");
}

#[test]
fn try_with_outside_a_scope_is_an_error() {
    let err = NUMBER.try_with(|n| *n).unwrap_err();
    assert_eq!(err.to_string(), "task-local value not set");
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err);
    assert_eq!(boxed.to_string(), "task-local value not set");
    assert!(format!("{err:?}").contains("AccessError"));
    assert!(NAME.try_get().is_err());
}

#[test]
fn try_with_does_not_call_the_closure_outside_a_scope() {
    let mut called = false;
    assert!(NUMBER.try_with(|_| called = true).is_err());
    assert!(!called);
}

#[test]
fn sync_scope_sets_and_restores() {
    let out = NUMBER.sync_scope(10, || {
        assert_eq!(NUMBER.get(), 10);
        let inner = NUMBER.sync_scope(11, || NUMBER.get() * 2);
        assert_eq!(NUMBER.get(), 10);
        // `with` calls nest.
        NUMBER.with(|a| NUMBER.with(|b| a + b)) + inner
    });
    assert_eq!(out, 42);
    assert!(NUMBER.try_get().is_err());
}

#[test]
fn a_panic_inside_sync_scope_restores_the_previous_value() {
    quiet_panics();
    NUMBER.sync_scope(1, || {
        let res = catch_unwind(|| {
            NUMBER.sync_scope(2, || {
                assert_eq!(NUMBER.get(), 2);
                panic!("expected panic: inside sync_scope");
            })
        });
        assert!(res.is_err());
        assert_eq!(NUMBER.get(), 1);
    });
    assert!(NUMBER.try_get().is_err());
}

#[test]
fn a_panic_while_polling_a_scope_restores_the_previous_value() {
    quiet_panics();
    NUMBER.sync_scope(1, || {
        let res = catch_unwind(AssertUnwindSafe(|| {
            futures::executor::block_on(NUMBER.scope(2, async {
                // Pending once (waking itself), so the panic comes from a
                // later poll.
                futures_lite::future::yield_now().await;
                assert_eq!(NUMBER.get(), 2);
                panic!("expected panic: while polling a scope");
            }))
        }));
        assert!(res.is_err());
        assert_eq!(NUMBER.get(), 1);
    });
    assert!(NUMBER.try_get().is_err());
}

#[test]
fn entering_a_scope_inside_with_of_the_same_key_panics() {
    let msg = panic_of(|| NUMBER.sync_scope(1, || NUMBER.with(|_| NUMBER.sync_scope(2, || ()))));
    assert!(msg.contains("task-local value is borrowed"), "{msg}");
    // The outer scope was unwound cleanly.
    assert!(NUMBER.try_get().is_err());
}

#[test]
fn an_unfinished_scoped_future_is_dropped_inside_its_scope() {
    struct Probe(Arc<Mutex<Option<Result<u32, AccessError>>>>);
    impl Drop for Probe {
        fn drop(&mut self) {
            *self.0.lock().unwrap() = Some(NUMBER.try_get());
        }
    }

    let seen = Arc::new(Mutex::new(None));
    let probe = Probe(seen.clone());
    let mut fut = Box::pin(NUMBER.scope(7, async move {
        let _probe = probe;
        std::future::pending::<()>().await;
    }));
    assert!(futures::executor::block_on(async { futures::poll!(&mut fut) }).is_pending());
    assert!(seen.lock().unwrap().is_none());
    NUMBER.sync_scope(3, || {
        drop(fut);
        // The drop saw the scope's own value, and the outer one is back.
        assert_eq!(NUMBER.get(), 3);
    });
    assert_eq!(*seen.lock().unwrap(), Some(Ok(7)));
}

#[test]
fn take_value_returns_the_value_after_completion() {
    let mut fut = std::pin::pin!(NAME.scope("kept".to_string(), async { NAME.get().len() }));
    assert_eq!(futures::executor::block_on(fut.as_mut()), 4);
    assert_eq!(fut.as_mut().take_value().as_deref(), Some("kept"));
    assert_eq!(fut.as_mut().take_value(), None);
}

#[test]
fn scope_future_is_send_and_unpin_like_its_inner_future() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_unpin<T: Unpin>(_: &T) {}
    let fut = NAME.scope(String::new(), async { task::yield_now().await });
    assert_send(&fut);
    let ready = NUMBER.scope(1, std::future::ready(()));
    assert_unpin(&ready);
    assert_send(&ready);
    // `LocalKey` is usable from every thread.
    std::thread::spawn(|| NUMBER.sync_scope(5, || assert_eq!(NUMBER.get(), 5)))
        .join()
        .unwrap();
}
