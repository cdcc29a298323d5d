//! `JoinSet`: `join_next` / `try_join_next` / `join_all` and their
//! `_with_id` forms, `len` and `is_empty`, `abort_all` and per-task
//! `AbortHandle`s, dropping the set aborts its tasks, `shutdown`,
//! `spawn_blocking(_on)`, `spawn_on`, `spawn_local(_on)`, `collect` and
//! `extend`, and named tasks through `build_task`.

#[macro_use]
mod common;

use common::{panic_of, quiet_panics, DropGuard, SendOnDrop};
use futures::channel::oneshot;
use runtime::task::{self, JoinSet, LocalSet};
use std::future::pending;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

rt_test! {
    fn join_next_returns_every_result(rt) {
        rt.block_on(async {
            let mut set = JoinSet::new();
            for i in 0..100u32 {
                set.spawn(async move {
                    task::yield_now().await;
                    i
                });
            }
            let mut results = Vec::new();
            while let Some(res) = set.join_next().await {
                results.push(res.unwrap());
            }
            results.sort_unstable();
            assert_eq!(results, (0..100).collect::<Vec<_>>());
            assert!(set.join_next().await.is_none());
            assert!(set.is_empty());
        });
    }

    fn join_all_returns_every_value(rt) {
        let mut values = rt.block_on(async {
            let mut set = JoinSet::new();
            for i in 0..50u64 {
                set.spawn(async move { i * 2 });
            }
            set.join_all().await
        });
        values.sort_unstable();
        assert_eq!(values, (0..50u64).map(|i| i * 2).collect::<Vec<_>>());
    }

    fn len_and_is_empty_follow_spawns_and_joins(rt) {
        rt.block_on(async {
            let mut set: JoinSet<u8> = JoinSet::new();
            assert!(set.is_empty());
            assert_eq!(set.len(), 0);
            let (tx, rx) = oneshot::channel::<()>();
            set.spawn(async move {
                rx.await.unwrap();
                1
            });
            for _ in 0..4 {
                set.spawn(async { 2 });
            }
            assert_eq!(set.len(), 5);
            assert!(!set.is_empty());
            // Finished tasks stay counted until they are joined.
            for expected_len in (1..5).rev() {
                assert_eq!(set.join_next().await.unwrap().unwrap(), 2);
                assert_eq!(set.len(), expected_len);
            }
            assert!(set.try_join_next().is_none(), "the gated task cannot be finished yet");
            tx.send(()).unwrap();
            assert_eq!(set.join_next().await.unwrap().unwrap(), 1);
            assert!(set.is_empty());
            assert!(set.try_join_next().is_none());
        });
    }

    fn try_join_next_returns_finished_tasks_without_waiting(rt) {
        rt.block_on(async {
            let mut set = JoinSet::new();
            set.spawn(async { 7 });
            let value = loop {
                if let Some(res) = set.try_join_next() {
                    break res.unwrap();
                }
                task::yield_now().await;
            };
            assert_eq!(value, 7);
            assert!(set.is_empty());
        });
    }

    fn abort_all_gives_cancelled_errors(rt) {
        const N: usize = 20;
        let drops = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            let mut set = JoinSet::new();
            let (started_tx, mut started_rx) = futures::channel::mpsc::unbounded();
            for _ in 0..N {
                let guard = DropGuard(drops.clone());
                let started_tx = started_tx.clone();
                set.spawn(async move {
                    let _guard = guard;
                    started_tx.unbounded_send(()).unwrap();
                    pending::<()>().await;
                });
            }
            // Half of them have started at least.
            for _ in 0..N / 2 {
                futures::StreamExt::next(&mut started_rx).await.unwrap();
            }
            set.abort_all();
            // Aborted tasks stay in the set until joined.
            assert_eq!(set.len(), N);
            let mut cancelled = 0;
            while let Some(res) = set.join_next().await {
                assert!(res.unwrap_err().is_cancelled());
                cancelled += 1;
            }
            assert_eq!(cancelled, N);
        });
        assert_eq!(drops.load(SeqCst), N);
    }

    fn abort_handle_from_spawn_cancels_only_that_task(rt) {
        rt.block_on(async {
            let mut set = JoinSet::new();
            let (tx, rx) = oneshot::channel::<()>();
            let victim = set.spawn(async move {
                let _ = rx.await;
                0
            });
            for i in 1..=3 {
                set.spawn(async move { i });
            }
            victim.abort();
            let mut ok = Vec::new();
            let mut cancelled = Vec::new();
            while let Some(res) = set.join_next().await {
                match res {
                    Ok(v) => ok.push(v),
                    Err(e) => cancelled.push(e.id()),
                }
            }
            drop(tx);
            ok.sort_unstable();
            assert_eq!(ok, [1, 2, 3]);
            assert_eq!(cancelled, [victim.id()]);
            assert!(victim.is_finished());
        });
    }

    fn dropping_the_set_aborts_its_tasks(rt) {
        rt.block_on(async {
            let mut set = JoinSet::new();
            let mut dropped = Vec::new();
            let (started_tx, started_rx) = oneshot::channel::<()>();
            let mut started_tx = Some(started_tx);
            for _ in 0..10 {
                let (tx, rx) = oneshot::channel();
                dropped.push(rx);
                let guard = SendOnDrop(Some(tx));
                let started = started_tx.take();
                set.spawn(async move {
                    let _guard = guard;
                    if let Some(started) = started {
                        started.send(()).unwrap();
                    }
                    pending::<()>().await;
                });
            }
            // At least one has started (idle), others may be queued.
            started_rx.await.unwrap();
            drop(set);
            for rx in dropped {
                rx.await.expect("a task of a dropped JoinSet kept its future");
            }
        });
    }

    fn dropping_the_set_outside_the_runtime_aborts_its_tasks(rt) {
        let drops = Arc::new(AtomicUsize::new(0));
        let (dropped_tx, dropped_rx) = oneshot::channel();
        let set = rt.block_on(async {
            let mut set = JoinSet::new();
            let guard = SendOnDrop(Some(dropped_tx));
            set.spawn(async move {
                let _guard = guard;
                pending::<()>().await;
            });
            for _ in 0..5 {
                let guard = DropGuard(drops.clone());
                set.spawn(async move {
                    let _guard = guard;
                    pending::<()>().await;
                });
            }
            task::yield_now().await;
            set
        });
        drop(set);
        rt.block_on(dropped_rx).unwrap();
        drop(rt);
        assert_eq!(drops.load(SeqCst), 5);
    }

    fn shutdown_leaves_the_set_empty(rt) {
        let drops = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            let mut set = JoinSet::new();
            for i in 0..10 {
                let guard = DropGuard(drops.clone());
                set.spawn(async move {
                    let _guard = guard;
                    if i % 2 == 0 {
                        pending::<()>().await;
                    }
                });
            }
            task::yield_now().await;
            set.shutdown().await;
            assert!(set.is_empty());
            assert_eq!(set.len(), 0);
            // Every future is gone by the time shutdown returns.
            assert_eq!(drops.load(SeqCst), 10);
            assert!(set.join_next().await.is_none());
            // The set is reusable.
            set.spawn(async {});
            assert!(set.join_next().await.unwrap().is_ok());
        });
    }

    fn spawn_blocking_in_a_join_set(rt) {
        let mut results = rt.block_on(async {
            let mut set = JoinSet::new();
            for i in 0..8u32 {
                set.spawn_blocking(move || i + 100);
            }
            set.spawn(async { 99 });
            let mut out = Vec::new();
            while let Some(res) = set.join_next().await {
                out.push(res.unwrap());
            }
            out
        });
        results.sort_unstable();
        assert_eq!(results, (99..108).collect::<Vec<_>>());
    }

    fn spawn_on_a_handle_from_outside_the_runtime(rt) {
        let mut set = JoinSet::new();
        for i in 0..10u32 {
            set.spawn_on(async move { i }, rt.handle());
        }
        let mut values = rt.block_on(set.join_all());
        values.sort_unstable();
        assert_eq!(values, (0..10).collect::<Vec<_>>());
    }

    fn join_all_resumes_a_task_panic(rt) {
        quiet_panics();
        let msg = panic_of(|| {
            rt.block_on(async {
                let mut set = JoinSet::new();
                set.spawn(async { 1 });
                set.spawn(async {
                    if true {
                        panic!("expected panic: in a JoinSet task");
                    }
                    2
                });
                set.join_all().await
            })
        });
        assert_eq!(msg, "expected panic: in a JoinSet task");
    }

    fn spawn_blocking_on_a_handle_from_outside_the_runtime(rt) {
        let mut set = JoinSet::new();
        for i in 0..4u32 {
            set.spawn_blocking_on(move || i * 3, rt.handle());
        }
        assert_eq!(set.len(), 4);
        let mut values = rt.block_on(set.join_all());
        values.sort_unstable();
        assert_eq!(values, [0, 3, 6, 9]);
    }

    fn spawn_local_runs_non_send_tasks_in_the_set(rt) {
        let local = LocalSet::new();
        let mut set = JoinSet::new();
        // On a set that is not running: they start once it is driven.
        for i in 0..3 {
            set.spawn_local_on(async move { Rc::new(i) }, &local);
        }
        let total = local.block_on(&rt, async move {
            for i in 3..6 {
                let shared = Rc::new(i); // held across an await
                set.spawn_local(async move {
                    task::yield_now().await;
                    shared
                });
            }
            assert_eq!(set.len(), 6);
            let mut total = 0;
            while let Some(res) = set.join_next().await {
                total += *res.unwrap();
            }
            total
        });
        assert_eq!(total, 15);
    }

    fn local_tasks_are_aborted_by_abort_all(rt) {
        let local = LocalSet::new();
        local.block_on(&rt, async {
            let mut set: JoinSet<Rc<()>> = JoinSet::new();
            set.spawn_local(std::future::pending());
            set.abort_all();
            assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
            assert!(set.is_empty());
        });
    }

    fn join_next_with_id_gives_the_id_of_each_task(rt) {
        quiet_panics();
        rt.block_on(async {
            let mut set = JoinSet::new();
            let mut ids = std::collections::HashMap::new();
            for i in 0..10u32 {
                ids.insert(set.spawn(async move { i }).id(), i);
            }
            let failed = set.spawn(async { panic!("expected panic") }).id();
            let mut seen_failure = false;
            while let Some(res) = set.join_next_with_id().await {
                match res {
                    Ok((id, value)) => assert_eq!(ids.remove(&id), Some(value)),
                    Err(err) => {
                        assert_eq!(err.id(), failed);
                        seen_failure = true;
                    }
                }
            }
            assert!(ids.is_empty() && seen_failure);

            let id = set.spawn(async { 5 }).id();
            let got = loop {
                if let Some(res) = set.try_join_next_with_id() {
                    break res.unwrap();
                }
                task::yield_now().await;
            };
            assert_eq!(got, (id, 5));
            assert!(set.try_join_next_with_id().is_none());
        });
    }

    fn collect_and_extend_spawn_every_future(rt) {
        rt.block_on(async {
            let mut set: JoinSet<u32> = (0..5).map(|i| async move { i }).collect();
            assert_eq!(set.len(), 5);
            set.extend((5..8).map(|i| async move { i }));
            assert_eq!(set.len(), 8);
            let mut values = set.join_all().await;
            values.sort_unstable();
            assert_eq!(values, (0..8).collect::<Vec<_>>());
        });
    }

    fn build_task_names_tasks_of_every_kind(rt) {
        quiet_panics();
        rt.block_on(async {
            let mut set = JoinSet::new();
            let waiting = set
                .build_task()
                .name("waiting member")
                .spawn(std::future::pending::<u32>())
                .unwrap();
            let dump = runtime::Handle::current().dump();
            let info = dump.tasks().iter().find(|t| t.id() == waiting.id()).unwrap();
            assert_eq!(info.name(), Some("waiting member"));
            set.build_task().name("on handle").spawn_on(async { 1 }, &runtime::Handle::current()).unwrap();
            set.build_task().name("blocking").spawn_blocking(|| 2).unwrap();
            set.build_task()
                .name("blocking on")
                .spawn_blocking_on(|| 3, &runtime::Handle::current())
                .unwrap();
            let failing = set
                .build_task()
                .name("failing member")
                .spawn(async { panic!("expected panic") })
                .unwrap()
                .id();
            assert_eq!(set.len(), 5);
            waiting.abort();
            let mut sum = 0;
            let mut errors = Vec::new();
            while let Some(res) = set.join_next().await {
                match res {
                    Ok(v) => sum += v,
                    Err(err) => errors.push((err.id(), err.to_string())),
                }
            }
            assert_eq!(sum, 6);
            errors.sort();
            let mut expected = vec![
                (waiting.id(), format!("task {} \"waiting member\" was cancelled", waiting.id())),
                (
                    failing,
                    format!("task {failing} \"failing member\" panicked with message \"expected panic\""),
                ),
            ];
            expected.sort();
            assert_eq!(errors, expected);
        });
        // Local tasks, on a running set and on one that is not.
        let local = LocalSet::new();
        let mut set = JoinSet::new();
        set.build_task()
            .name("queued local")
            .spawn_local_on(async { Rc::new(10) }, &local)
            .unwrap();
        let total = local.block_on(&rt, async move {
            set.build_task()
                .name("local")
                .spawn_local(async { Rc::new(20) })
                .unwrap();
            let mut total = 0;
            while let Some(res) = set.join_next().await {
                total += *res.unwrap();
            }
            total
        });
        assert_eq!(total, 30);
    }
}
