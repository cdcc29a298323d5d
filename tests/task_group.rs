//! `TaskGroup`: values in spawn order; the first failure (an `Err`, a
//! panic, a child cancelled from outside or by runtime shutdown) aborts
//! the siblings, which have stopped by the time `join` returns; dropping
//! the group or its `join` future aborts the children; the empty group;
//! groups joined inside spawned tasks.

#[macro_use]
mod common;

use common::{panic_message, quiet_panics, DropGuard, SendOnDrop};
use futures::channel::{mpsc, oneshot};
use futures::StreamExt;
use runtime::task::{self, TaskGroup, TaskGroupError, TaskGroupSpawner};
use std::fmt;
use std::future::pending;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

#[derive(Debug, PartialEq)]
struct Boom(&'static str);

impl fmt::Display for Boom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "boom: {}", self.0)
    }
}

impl std::error::Error for Boom {}

/// Spawns `n` children into `group` that hold a `DropGuard` on `drops`,
/// report on `started` once they run, and never finish on their own: the
/// even ones wait forever, the odd ones keep yielding (so on a
/// multi-thread runtime they may be mid-poll when aborted).
fn spawn_endless(
    group: &mut TaskGroup<u32, Boom>,
    n: u32,
    drops: &Arc<AtomicUsize>,
    started: &mpsc::UnboundedSender<()>,
) {
    for i in 0..n {
        let guard = DropGuard(drops.clone());
        let started = started.clone();
        group.spawn(async move {
            let _guard = guard;
            started.unbounded_send(()).unwrap();
            if i % 2 == 0 {
                pending::<()>().await
            } else {
                loop {
                    task::yield_now().await
                }
            }
            Ok(i)
        });
    }
}

rt_test! {
    fn values_come_back_in_spawn_order(rt) {
        const N: usize = 8;
        let finished = Arc::new(Mutex::new(Vec::new()));
        let values = rt.block_on(async {
            let mut group: TaskGroup<String, Boom> = TaskGroup::new();
            assert!(group.is_empty());
            // Child `i` waits until child `i + 1` has done its work, so
            // they finish last-spawned first.
            let mut gates = Vec::new();
            let mut openers = Vec::new();
            for _ in 0..N - 1 {
                let (tx, rx) = oneshot::channel::<()>();
                openers.push(Some(tx));
                gates.push(Some(rx));
            }
            gates.push(None);
            for (i, gate) in gates.into_iter().enumerate() {
                let opener = if i > 0 { openers[i - 1].take() } else { None };
                let finished = finished.clone();
                group.spawn(async move {
                    if let Some(gate) = gate {
                        gate.await.unwrap();
                    }
                    finished.lock().unwrap().push(i);
                    if let Some(opener) = opener {
                        opener.send(()).unwrap();
                    }
                    Ok(format!("child {i}"))
                });
            }
            assert_eq!(group.len(), N);
            assert!(!group.is_empty());
            group.join().await.unwrap()
        });
        assert_eq!(*finished.lock().unwrap(), (0..N).rev().collect::<Vec<_>>());
        assert_eq!(values, (0..N).map(|i| format!("child {i}")).collect::<Vec<_>>());
    }

    fn first_error_cancels_the_siblings(rt) {
        const SIBLINGS: u32 = 4;
        let drops = Arc::new(AtomicUsize::new(0));
        let res = rt.block_on(async {
            let mut group = TaskGroup::new();
            let (started_tx, mut started_rx) = mpsc::unbounded();
            spawn_endless(&mut group, SIBLINGS, &drops, &started_tx);
            // A child that succeeds: its value is discarded.
            group.spawn(async { Ok(100) });
            let (fail_tx, fail_rx) = oneshot::channel::<()>();
            group.spawn(async move {
                fail_rx.await.unwrap();
                Err(Boom("first"))
            });
            // Every sibling is running (not merely queued) before the failure.
            for _ in 0..SIBLINGS {
                started_rx.next().await.unwrap();
            }
            fail_tx.send(()).unwrap();
            let res = group.join().await;
            // No child outlives `join`.
            assert_eq!(drops.load(SeqCst), SIBLINGS as usize, "a sibling outlived join");
            res
        });
        let err = res.unwrap_err();
        assert_eq!(err.to_string(), "boom: first");
        match err {
            TaskGroupError::Failed(e) => assert_eq!(e, Boom("first")),
            other => panic!("expected Failed, got {other:?}"),
        }
    }

    fn child_panic_is_reported_and_cancels_the_siblings(rt) {
        quiet_panics();
        const SIBLINGS: u32 = 3;
        let drops = Arc::new(AtomicUsize::new(0));
        let err = rt.block_on(async {
            let mut group = TaskGroup::new();
            let (started_tx, mut started_rx) = mpsc::unbounded();
            spawn_endless(&mut group, SIBLINGS, &drops, &started_tx);
            for _ in 0..SIBLINGS {
                started_rx.next().await.unwrap();
            }
            group.spawn(async {
                if true {
                    panic!("expected panic: in a TaskGroup child");
                }
                Ok(0)
            });
            let err = group.join().await.unwrap_err();
            assert_eq!(drops.load(SeqCst), SIBLINGS as usize, "a sibling outlived join");
            err
        });
        assert!(err.is_panic());
        assert!(err.to_string().starts_with("a child task panicked: "), "{err}");
        match err {
            TaskGroupError::Panicked(join_err) => {
                assert!(join_err.is_panic());
                assert_eq!(
                    panic_message(&*join_err.into_panic()),
                    "expected panic: in a TaskGroup child"
                );
            }
            other => panic!("expected Panicked, got {other:?}"),
        }
    }

    fn child_aborted_from_outside_is_cancelled(rt) {
        let drops = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            let mut group: TaskGroup<u32, Boom> = TaskGroup::new();
            let (started_tx, _started_rx) = mpsc::unbounded();
            spawn_endless(&mut group, 2, &drops, &started_tx);
            let victim = group.spawn(async {
                pending::<()>().await;
                Ok(0)
            });
            victim.abort();
            match group.join().await {
                Err(TaskGroupError::Cancelled(join_err)) => {
                    assert!(join_err.is_cancelled());
                    assert_eq!(join_err.id(), victim.id());
                }
                other => panic!("expected Cancelled, got {other:?}"),
            }
            assert_eq!(drops.load(SeqCst), 2, "a sibling outlived join");
        });
    }

    fn runtime_shutdown_cancels_the_children(rt) {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut group: TaskGroup<(), Boom> = TaskGroup::new();
        for _ in 0..3 {
            let guard = DropGuard(drops.clone());
            group.spawn_on(
                async move {
                    let _guard = guard;
                    pending::<()>().await;
                    Ok(())
                },
                rt.handle(),
            );
        }
        assert_eq!(group.len(), 3);
        drop(rt);
        assert_eq!(drops.load(SeqCst), 3);
        let err = futures::executor::block_on(group.join()).unwrap_err();
        assert!(err.is_cancelled(), "{err:?}");
        assert!(err.into_join_error().unwrap().is_cancelled());
    }

    fn dropping_the_group_aborts_its_children(rt) {
        rt.block_on(async {
            let mut group: TaskGroup<(), Boom> = TaskGroup::new();
            let (started_tx, mut started_rx) = mpsc::unbounded();
            let mut dropped = Vec::new();
            for _ in 0..5 {
                let (tx, rx) = oneshot::channel();
                dropped.push(rx);
                let guard = SendOnDrop(Some(tx));
                let started = started_tx.clone();
                group.spawn(async move {
                    let _guard = guard;
                    started.unbounded_send(()).unwrap();
                    pending::<()>().await;
                    Ok(())
                });
            }
            started_rx.next().await.unwrap();
            drop(group);
            for rx in dropped {
                rx.await.expect("a child of a dropped TaskGroup kept its future");
            }
        });
    }

    fn dropping_the_join_future_aborts_the_children(rt) {
        rt.block_on(async {
            let mut group: TaskGroup<(), Boom> = TaskGroup::new();
            let (started_tx, started_rx) = oneshot::channel();
            let (tx, dropped) = oneshot::channel();
            let guard = SendOnDrop(Some(tx));
            group.spawn(async move {
                let _guard = guard;
                started_tx.send(()).unwrap();
                pending::<()>().await;
                Ok(())
            });
            group.spawn(async { Ok(()) });
            started_rx.await.unwrap();
            let mut join = Box::pin(group.join());
            assert!(futures::poll!(&mut join).is_pending());
            drop(join);
            dropped.await.expect("a child of a dropped join future kept its future");
        });
    }

    fn empty_group_joins_to_an_empty_vec(rt) {
        rt.block_on(async {
            let group: TaskGroup<u8, Boom> = TaskGroup::default();
            assert_eq!(group.len(), 0);
            assert!(group.is_empty());
            assert_eq!(group.join().await.unwrap(), Vec::<u8>::new());
        });
    }

    fn groups_nest_inside_spawned_tasks(rt) {
        let sums = rt.block_on(async {
            // The join future is `Send`: it runs as a spawned task.
            let outer = runtime::spawn(async {
                let mut outer: TaskGroup<u64, Boom> = TaskGroup::new();
                for i in 0..4u64 {
                    outer.spawn(async move {
                        let mut inner = TaskGroup::new();
                        for j in 0..3u64 {
                            inner.spawn(async move {
                                task::yield_now().await;
                                Ok(i * 10 + j)
                            });
                        }
                        Ok(inner.join().await?.into_iter().sum())
                    });
                }
                outer.join().await
            });
            outer.await.unwrap()
        });
        assert_eq!(sums.unwrap(), [3, 33, 63, 93]);
    }
}

/// A child that walks a "tree" adds a sibling per subtree through the
/// group's spawner (asyncio's `tg.create_task` from inside a child).
fn walk(
    spawner: TaskGroupSpawner<u32, Boom>,
    depth: u32,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<u32, Boom>> + Send>> {
    Box::pin(async move {
        if depth > 0 {
            for _ in 0..2 {
                spawner
                    .spawn(walk(spawner.clone(), depth - 1))
                    .expect("the group is still running");
            }
        }
        Ok(depth)
    })
}

rt_test! {
    fn children_add_siblings_through_the_spawner(rt) {
        let values = rt.block_on(async {
            let mut group: TaskGroup<u32, Boom> = TaskGroup::new();
            let spawner = group.spawner();
            group.spawn(walk(spawner, 4));
            group.join().await.unwrap()
        });
        // 1 + 2 + 4 + 8 + 16 nodes, each reporting its depth once.
        assert_eq!(values.len(), 31);
        for depth in 0..=4u32 {
            let nodes = values.iter().filter(|&&d| d == depth).count();
            assert_eq!(nodes, 1 << (4 - depth), "nodes at depth {depth}");
        }
        assert_eq!(values[0], 4, "the root was spawned first");
    }

    fn a_sibling_added_as_a_childs_last_act_is_joined(rt) {
        // The race `join` must not lose: the only child adds a sibling and
        // finishes at once, so `join` may see the child done before it
        // looks at what was added.
        for _ in 0..200 {
            let got = rt.block_on(async {
                let mut group: TaskGroup<u32, Boom> = TaskGroup::new();
                let spawner = group.spawner();
                group.spawn(async move {
                    spawner.spawn(async {
                        task::yield_now().await;
                        Ok(2)
                    }).unwrap();
                    Ok(1)
                });
                group.join().await.unwrap()
            });
            assert_eq!(got, [1, 2]);
        }
    }

    fn every_accepted_spawn_from_outside_is_joined(rt) {
        // A task outside the group keeps adding children while `join`
        // finishes: every spawn the spawner accepted is in the result
        // (none slips in between `join` finding the group empty and
        // closing it), and the rest are refused.
        for _ in 0..100 {
            let (accepted, joined) = rt.block_on(async {
                let mut group: TaskGroup<u32, Boom> = TaskGroup::new();
                let spawner = group.spawner();
                group.spawn(async { Ok(0) });
                let outside = runtime::spawn(async move {
                    // Bounded, so `join` ends even if it never catches
                    // the group empty between two spawns.
                    let mut accepted = 0;
                    while accepted < 1_000 && spawner.spawn(async { Ok(1) }).is_ok() {
                        accepted += 1;
                        task::yield_now().await;
                    }
                    accepted
                });
                let joined = group.join().await.unwrap();
                (outside.await.unwrap(), joined)
            });
            assert_eq!(joined.len(), accepted + 1);
        }
    }

    fn the_spawner_refuses_once_the_group_is_done_failing_or_dropped(rt) {
        rt.block_on(async {
            // Finished.
            let group: TaskGroup<u32, Boom> = TaskGroup::new();
            let spawner = group.spawner();
            assert!(group.join().await.unwrap().is_empty());
            assert!(spawner.spawn(async { Ok(1) }).is_err());

            // Failing: the failure closes the group before the siblings
            // are cancelled, so nothing new starts while it winds down.
            let mut group: TaskGroup<u32, Boom> = TaskGroup::new();
            let spawner = group.spawner();
            let (failed_tx, failed_rx) = oneshot::channel::<()>();
            let late = spawner.clone();
            group.spawn(async move {
                failed_rx.await.ok();
                // The group is failing or done by now.
                task::yield_now().await;
                let refused = late.spawn(async { Ok(0) }).is_err();
                Ok(u32::from(refused))
            });
            group.spawn(async move {
                let _ = failed_tx;
                Err(Boom("first"))
            });
            let err = group.join().await.unwrap_err();
            assert_eq!(err.into_failed(), Some(Boom("first")));
            assert!(spawner.spawn(async { Ok(1) }).is_err());

            // Dropped: the children added through the spawner are aborted
            // too.
            let drops = Arc::new(AtomicUsize::new(0));
            let group: TaskGroup<u32, Boom> = TaskGroup::new();
            let spawner = group.spawner();
            let guard = DropGuard(drops.clone());
            let (started_tx, started_rx) = oneshot::channel::<()>();
            spawner.spawn(async move {
                let _guard = guard;
                let _ = started_tx.send(());
                pending::<()>().await;
                Ok(1)
            }).unwrap();
            started_rx.await.unwrap();
            assert_eq!(group.len(), 1);
            drop(group);
            assert!(spawner.spawn(async { Ok(1) }).is_err());
            // Aborted: its future (and guard) is dropped once the abort is
            // processed.
            while drops.load(SeqCst) == 0 {
                task::yield_now().await;
            }
        });
    }

    fn a_sibling_added_while_join_waits_is_cancelled_by_a_later_failure(rt) {
        let drops = Arc::new(AtomicUsize::new(0));
        let d = drops.clone();
        let err = rt.block_on(async move {
            let mut group: TaskGroup<u32, Boom> = TaskGroup::new();
            let spawner = group.spawner();
            let (added_tx, added_rx) = oneshot::channel::<()>();
            group.spawn(async move {
                let guard = DropGuard(d);
                spawner.spawn(async move {
                    let _guard = guard;
                    pending::<()>().await;
                    Ok(7)
                }).unwrap();
                let _ = added_tx.send(());
                Ok(1)
            });
            group.spawn(async move {
                added_rx.await.ok();
                Err(Boom("after the sibling was added"))
            });
            group.join().await.unwrap_err()
        });
        assert_eq!(err.into_failed(), Some(Boom("after the sibling was added")));
        // `join` returned only after the added sibling stopped.
        assert_eq!(drops.load(SeqCst), 1);
    }
}

#[test]
fn task_group_closed_says_what_happened() {
    let rt = common::current_thread();
    let group: TaskGroup<(), Boom> = TaskGroup::new();
    let spawner = group.spawner();
    drop(group);
    let err = rt
        .block_on(async { spawner.spawn(async { Ok(()) }) })
        .unwrap_err();
    assert!(err.to_string().contains("no more children"));
    let _: &dyn std::error::Error = &err;
}

/// `?` on a nested group's error, as `groups_nest_inside_spawned_tasks`
/// uses it: a child's failure becomes the parent child's error.
impl From<TaskGroupError<Boom>> for Boom {
    fn from(err: TaskGroupError<Boom>) -> Boom {
        match err {
            TaskGroupError::Failed(e) => e,
            TaskGroupError::Panicked(_) => Boom("inner panic"),
            TaskGroupError::Cancelled(_) => Boom("inner cancelled"),
        }
    }
}

#[test]
fn task_group_error_is_a_std_error() {
    let err: Box<dyn std::error::Error + Send + Sync> =
        Box::new(TaskGroupError::Failed(Boom("io")));
    assert_eq!(err.to_string(), "boom: io");
}
