//! `task::Builder`: every spawn method runs its task and returns `Ok`,
//! the name shows in task dumps (`TaskInfo::name`, the table form) and in
//! `JoinError` messages (panicked, cancelled, on every kind of task), the
//! builder's borrowed name outlives the borrow, and misuse panics with
//! the caller named.

#[macro_use]
mod common;

use common::{panic_of, quiet_panics};
use runtime::task::{self, Builder, LocalSet};
use std::future::pending;

/// The task with `id` in a dump of the current runtime.
fn dumped_name(id: task::Id) -> Option<String> {
    let dump = runtime::Handle::current().dump();
    let info = dump
        .tasks()
        .iter()
        .find(|t| t.id() == id)
        .unwrap_or_else(|| panic!("task {id} not in the dump:\n{dump}"));
    info.name().map(str::to_owned)
}

rt_test! {
    fn spawn_runs_the_task_and_dumps_list_its_name(rt) {
        rt.block_on(async {
            let named = Builder::new().name("accept loop").spawn(pending::<()>()).unwrap();
            let plain = Builder::new().spawn(pending::<()>()).unwrap();
            let by_spawn = runtime::spawn(pending::<()>());
            assert_eq!(dumped_name(named.id()).as_deref(), Some("accept loop"));
            assert_eq!(dumped_name(plain.id()), None);
            assert_eq!(dumped_name(by_spawn.id()), None);
            // The table form quotes the name on the task's row only.
            let table = runtime::Handle::current().dump().to_string();
            let row = |id: task::Id| {
                table
                    .lines()
                    .find(|l| l.split_whitespace().next() == Some(&id.to_string()))
                    .unwrap_or_else(|| panic!("no row for {id}:\n{table}"))
                    .to_owned()
            };
            assert!(row(named.id()).ends_with("  \"accept loop\""), "{table}");
            assert!(!row(plain.id()).contains('"'), "{table}");
            // The output comes back as from `spawn`.
            let out = Builder::new().name("adder").spawn(async { 40 + 2 }).unwrap();
            assert_eq!(out.await.unwrap(), 42);
            named.abort();
            plain.abort();
            by_spawn.abort();
        });
    }

    fn join_errors_name_the_task(rt) {
        quiet_panics();
        rt.block_on(async {
            let panicked = Builder::new()
                .name("parser")
                .spawn(async { panic!("expected panic") })
                .unwrap();
            let id = panicked.id();
            let err = panicked.await.unwrap_err();
            assert!(err.is_panic());
            assert_eq!(err.id(), id);
            assert_eq!(
                err.to_string(),
                format!("task {id} \"parser\" panicked with message \"expected panic\"")
            );
            assert!(format!("{err:?}").contains("\"parser\""), "{err:?}");

            let aborted = Builder::new().name("waiter").spawn(pending::<()>()).unwrap();
            let id = aborted.id();
            aborted.abort();
            let err = aborted.await.unwrap_err();
            assert!(err.is_cancelled());
            assert_eq!(err.to_string(), format!("task {id} \"waiter\" was cancelled"));

            // An unnamed task's messages are unchanged.
            let plain = runtime::spawn(pending::<()>());
            let id = plain.id();
            plain.abort();
            assert_eq!(plain.await.unwrap_err().to_string(), format!("task {id} was cancelled"));
        });
    }

    fn spawn_blocking_names_the_closure_in_its_join_error(rt) {
        quiet_panics();
        rt.block_on(async {
            let ok = Builder::new().name("sum").spawn_blocking(|| (1..=4).sum::<i32>()).unwrap();
            assert_eq!(ok.await.unwrap(), 10);
            let failed = Builder::new()
                .name("disk job")
                .spawn_blocking(|| -> () { panic!("expected panic") })
                .unwrap();
            let id = failed.id();
            let err = failed.await.unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("task {id} \"disk job\" panicked with message \"expected panic\"")
            );
        });
        // From outside the runtime, through its handle.
        let task = Builder::new()
            .name("on a handle")
            .spawn_blocking_on(|| "ran", rt.handle())
            .unwrap();
        assert_eq!(rt.block_on(task).unwrap(), "ran");
    }

    fn spawn_on_works_from_a_foreign_thread(rt) {
        let handle = rt.handle().clone();
        let (task, name) = std::thread::spawn(move || {
            // The builder borrows a name that is gone before the task runs.
            let name = format!("conn-{}", 7);
            let task = Builder::new().name(&name).spawn_on(pending::<()>(), &handle).unwrap();
            (task, name.clone())
        })
        .join()
        .unwrap();
        rt.block_on(async {
            assert_eq!(dumped_name(task.id()), Some(name));
            task.abort();
            assert!(task.await.unwrap_err().to_string().contains("\"conn-7\" was cancelled"));
        });
    }

    fn local_tasks_are_named_in_their_join_errors(rt) {
        quiet_panics();
        let local = LocalSet::new();
        // Spawned on a set that is not running yet.
        let queued = Builder::new()
            .name("queued local")
            .spawn_local_on(async { std::rc::Rc::new(3) }, &local)
            .unwrap();
        local.block_on(&rt, async {
            assert_eq!(*queued.await.unwrap(), 3);
            let failed = Builder::new()
                .name("local parser")
                .spawn_local(async {
                    let not_send = std::rc::Rc::new(());
                    task::yield_now().await;
                    drop(not_send);
                    panic!("expected panic")
                })
                .unwrap();
            let id = failed.id();
            let err = failed.await.unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("task {id} \"local parser\" panicked with message \"expected panic\"")
            );
        });
    }
}

#[test]
fn builder_spawn_outside_a_runtime_panics_naming_the_method() {
    let msg = panic_of(|| Builder::new().name("x").spawn(async {}));
    assert!(msg.starts_with("task::Builder::spawn: "), "{msg}");
    assert!(
        msg.contains("must be called from the context of a runtime"),
        "{msg}"
    );
    let msg = panic_of(|| Builder::new().spawn_blocking(|| ()));
    assert!(msg.starts_with("task::Builder::spawn_blocking "), "{msg}");
    assert!(
        msg.contains("must be called from the context of a runtime"),
        "{msg}"
    );
}

#[test]
fn builder_spawn_local_outside_a_local_set_panics() {
    let rt = common::current_thread();
    let msg = panic_of(|| rt.block_on(async { Builder::new().name("x").spawn_local(async {}) }));
    assert!(msg.contains("outside of a LocalSet"), "{msg}");
}

/// A name given to a task after the first one does not leak onto it: the
/// builder is `Copy`, `name` returns a new one.
#[test]
fn name_returns_a_new_builder() {
    let rt = common::current_thread();
    rt.block_on(async {
        let plain = Builder::new();
        let named = plain.name("second");
        let a = plain.spawn(pending::<()>()).unwrap();
        let b = named.spawn(pending::<()>()).unwrap();
        assert_eq!(dumped_name(a.id()), None);
        assert_eq!(dumped_name(b.id()).as_deref(), Some("second"));
        a.abort();
        b.abort();
    });
}
