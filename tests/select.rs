//! `select!`, `join!`, `try_join!` and `pin!`.

#[macro_use]
mod common;

use runtime::sync::{mpsc, oneshot};
use runtime::time::{sleep, Duration};
use std::future::{pending, ready};

rt_test! {
    fn select_takes_the_first_ready_branch(rt) {
        rt.block_on(async {
            let (tx, rx) = oneshot::channel::<u32>();
            tx.send(5).unwrap();
            let v = runtime::select! {
                _ = sleep(Duration::from_secs(60)) => 0,
                v = rx => v.unwrap(),
            };
            assert_eq!(v, 5);
            // The timer branch wins when the other never completes.
            let v = runtime::select! {
                _ = pending::<()>() => 0,
                _ = sleep(Duration::from_millis(5)) => 1,
            };
            assert_eq!(v, 1);
        });
    }

    fn select_in_a_loop_with_break(rt) {
        rt.block_on(async {
            let (tx, mut rx) = mpsc::channel::<u32>(4);
            runtime::spawn(async move {
                for i in 1..=3 {
                    tx.send(i).await.unwrap();
                }
            });
            let mut sum = 0;
            loop {
                runtime::select! {
                    msg = rx.recv() => match msg {
                        Some(v) => sum += v,
                        None => break,
                    },
                    _ = sleep(Duration::from_secs(60)) => panic!("timed out"),
                }
            }
            assert_eq!(sum, 6);
        });
    }
}

#[test]
fn biased_polls_in_order_and_unbiased_varies() {
    futures::executor::block_on(async {
        for _ in 0..10 {
            let v = runtime::select! {
                biased;
                v = ready(1) => v,
                v = ready(2) => v,
            };
            assert_eq!(v, 1);
        }
        let mut seen = [0; 2];
        for _ in 0..200 {
            let v: usize = runtime::select! {
                v = ready(0) => v,
                v = ready(1) => v,
            };
            seen[v] += 1;
        }
        assert!(
            seen[0] > 0 && seen[1] > 0,
            "unbiased select! always chose one side: {seen:?}"
        );
    });
}

#[test]
fn pattern_mismatch_and_preconditions_disable_branches() {
    futures::executor::block_on(async {
        // `None` does not match `Some(v)`: that branch is disabled and the
        // other one wins.
        let v = runtime::select! {
            Some(v) = ready(None::<u32>) => v,
            v = async { 9 } => v,
        };
        assert_eq!(v, 9);
        let flag = false;
        let v = runtime::select! {
            v = ready(1), if flag => v,
            v = ready(2) => v,
        };
        assert_eq!(v, 2);
        // Every branch disabled: `else`.
        let v = runtime::select! {
            Some(v) = ready(None::<u32>) => v,
            v = ready(1), if flag => v,
            else => 42,
        };
        assert_eq!(v, 42);
    });
}

#[test]
fn all_disabled_without_else_panics_with_a_message() {
    let msg = common::panic_of(|| {
        futures::executor::block_on(async {
            runtime::select! {
                Some(v) = ready(None::<u32>) => v,
            }
        })
    });
    assert!(
        msg.contains("all branches of select! are disabled"),
        "{msg}"
    );
}

#[test]
fn join_try_join_and_pin() {
    futures::executor::block_on(async {
        let (a, b, c) = runtime::join!(async { 1 }, async { 2 }, ready(3));
        assert_eq!(a + b + c, 6);
        let r: Result<(i32, i32), &str> = runtime::try_join!(async { Ok(1) }, async { Err("bad") });
        assert_eq!(r, Err("bad"));
        let fut = async { 5 };
        runtime::pin!(fut);
        assert_eq!(fut.as_mut().await, 5);
        runtime::pin! {
            let other = async { 6 };
        }
        assert_eq!(other.await, 6);
    });
}

/// The futures that lose are dropped before the handler runs: a lock
/// queued by a losing branch does not keep its place (or a handed-over
/// lock) while the handler itself waits for that lock.
#[test]
fn losing_branches_are_dropped_before_the_handler() {
    let rt = common::current_thread();
    rt.block_on(async {
        let m = std::sync::Arc::new(runtime::sync::Mutex::new(0));
        let held = m.clone().lock_owned().await;
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        let releaser = runtime::spawn(async move {
            tx.send(1).await.unwrap();
            runtime::task::yield_now().await;
            drop(held);
        });
        // Let the releaser send and then hand the lock to our queued
        // `m.lock()` before select! looks again.
        let got = runtime::select! {
            biased;
            Some(mut v) = rx.recv() => {
                v += 1;
                // The losing `m.lock()` (already handed the lock) is gone,
                // and passed it on: this lock is served.
                let mut g = runtime::time::timeout(Duration::from_secs(10), m.lock())
                    .await
                    .expect("a losing branch kept the lock while the handler waited for it");
                *g += v;
                v
            }
            _g = m.lock() => 0,
        };
        assert_eq!(got, 2);
        releaser.await.unwrap();
        assert_eq!(*m.lock().await, 2);
    });
}

/// Names the expansion makes up do not clash with the caller's.
#[test]
fn select_is_hygienic() {
    futures::executor::block_on(async {
        let __disabled = true;
        let __output = 5;
        let v = runtime::select! {
            x = ready(1), if __disabled => x + __output,
        };
        assert_eq!(v, 6);
    });
}
