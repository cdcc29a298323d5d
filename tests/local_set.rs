//! `LocalSet` and `spawn_local`: `!Send` futures run (and are dropped) on
//! the thread that drives the set, woken from any thread, on both
//! flavours.

#[macro_use]
mod common;

use runtime::task::{self, LocalSet};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::thread::{self, ThreadId};

/// Records the thread that dropped it.
struct DropOn(Rc<Cell<Option<ThreadId>>>);

impl Drop for DropOn {
    fn drop(&mut self) {
        self.0.set(Some(thread::current().id()));
    }
}

rt_test! {
    fn rc_held_across_await(rt) {
        let local = LocalSet::new();
        let out = local.block_on(&rt, async {
            let shared = Rc::new(RefCell::new(Vec::new()));
            let mut handles = Vec::new();
            for i in 0..10 {
                let s = shared.clone();
                handles.push(task::spawn_local(async move {
                    task::yield_now().await;
                    s.borrow_mut().push(i);
                    i * 2
                }));
            }
            let mut sum = 0;
            for h in handles {
                sum += h.await.unwrap();
            }
            assert_eq!(shared.borrow().len(), 10);
            sum
        });
        assert_eq!(out, 90);
    }

    fn awaiting_the_set_runs_every_task(rt) {
        let local = LocalSet::new();
        let count = Rc::new(Cell::new(0));
        for _ in 0..100 {
            let c = count.clone();
            local.spawn_local(async move {
                task::yield_now().await;
                c.set(c.get() + 1);
                // Nested spawns join the same set.
                let c2 = c.clone();
                task::spawn_local(async move { c2.set(c2.get() + 1) });
            });
        }
        assert_eq!(count.get(), 0, "nothing runs until the set is driven");
        rt.block_on(local);
        assert_eq!(count.get(), 200);
    }

    fn woken_from_another_thread(rt) {
        let local = LocalSet::new();
        let (tx, rx) = futures::channel::oneshot::channel::<u32>();
        let got = local.block_on(&rt, async move {
            let not_send = Rc::new(5);
            let task = task::spawn_local(async move { *not_send + rx.await.unwrap() });
            let sender = thread::spawn(move || tx.send(37).unwrap());
            let v = task.await.unwrap();
            sender.join().unwrap();
            v
        });
        assert_eq!(got, 42);
    }

    fn run_until_leaves_unfinished_tasks_for_later(rt) {
        let local = LocalSet::new();
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        let done = Rc::new(Cell::new(false));
        let d = done.clone();
        let task = local.spawn_local(async move {
            rx.await.unwrap();
            d.set(true);
        });
        local.block_on(&rt, async { task::yield_now().await });
        assert!(!done.get());
        tx.send(()).unwrap();
        local.block_on(&rt, task).unwrap();
        assert!(done.get());
    }

    fn a_panicking_local_task_is_a_join_error(rt) {
        common::quiet_panics();
        let local = LocalSet::new();
        local.block_on(&rt, async {
            let err = task::spawn_local(async { panic!("local boom") }).await.unwrap_err();
            assert!(err.is_panic());
            // The set keeps working.
            assert_eq!(task::spawn_local(async { 1 }).await.unwrap(), 1);
        });
    }

    fn abort_from_another_thread_drops_on_the_owning_thread(rt) {
        let local = LocalSet::new();
        let dropped_on = Rc::new(Cell::new(None));
        let guard = DropOn(dropped_on.clone());
        let task = local.spawn_local(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        let abort = task.abort_handle();
        let err = local.block_on(&rt, async move {
            task::yield_now().await; // let it start
            thread::spawn(move || abort.abort()).join().unwrap();
            task.await.unwrap_err()
        });
        assert!(err.is_cancelled());
        assert_eq!(dropped_on.get(), Some(thread::current().id()));
    }
}

#[test]
fn dropping_the_set_drops_its_tasks_on_its_thread() {
    let rt = common::multi_thread(2);
    let local = LocalSet::new();
    let dropped_on = Rc::new(Cell::new(None));
    let guard = DropOn(dropped_on.clone());
    let handle = local.spawn_local(async move {
        let _guard = guard;
        std::future::pending::<()>().await;
    });
    local.block_on(&rt, async { task::yield_now().await });
    assert_eq!(dropped_on.get(), None);
    drop(local);
    assert_eq!(dropped_on.get(), Some(thread::current().id()));
    let err = rt.block_on(handle).unwrap_err();
    assert!(err.is_cancelled());
}

#[test]
fn spawn_local_outside_a_set_panics_with_a_clear_message() {
    let rt = common::current_thread();
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { drop(task::spawn_local(async {})) })
    }))
    .unwrap_err();
    let msg = common::panic_message(&*err);
    assert!(
        msg.contains("spawn_local called outside of a LocalSet"),
        "{msg}"
    );
    assert!(msg.contains("run_until"), "{msg}");
}

/// Runs `body` on its own thread and fails if it has not finished within
/// a generous deadline (these tests would hang if the bug came back).
fn finishes_in_time(name: &str, body: impl FnOnce() + Send + 'static) {
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    thread::spawn(move || {
        body();
        done_tx.send(()).unwrap();
    });
    assert!(
        done_rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .is_ok(),
        "{name}: hung"
    );
}

/// `value`, sent on the returned oneshot from a thread of its own once the
/// receiving task reports on the returned sender that it has started (so
/// the send wakes it from that thread); join the thread at the end.
fn send_from_another_thread(
    value: u32,
) -> (
    futures::channel::oneshot::Receiver<u32>,
    std::sync::mpsc::Sender<()>,
    thread::JoinHandle<()>,
) {
    let (tx, rx) = futures::channel::oneshot::channel::<u32>();
    let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
    let sender = thread::spawn(move || {
        started_rx.recv().unwrap();
        tx.send(value).unwrap();
    });
    (rx, started_tx, sender)
}

/// A set driven again from inside one of its own tasks (`run_until`
/// nested in a task of the set): a wake from another thread neither
/// deadlocks the waking thread nor gets lost.
#[test]
fn set_driven_from_inside_its_own_task() {
    finishes_in_time("nested run_until", || {
        let rt = common::current_thread();
        let local = Rc::new(LocalSet::new());
        let inner = local.clone();
        let (rx, started_tx, sender) = send_from_another_thread(5);
        let value = local.block_on(&rt, async move {
            let t = task::spawn_local(async move {
                let u = task::spawn_local(async move {
                    started_tx.send(()).unwrap();
                    rx.await.unwrap() // woken from the sender's thread
                });
                inner.run_until(u).await.unwrap()
            });
            t.await.unwrap()
        });
        sender.join().unwrap();
        assert_eq!(value, 5);
    });
}

/// A task that drove the set briefly and finished leaves the set's real
/// driver in charge: a later wake from another thread reaches it.
#[test]
fn a_finished_nested_driver_does_not_swallow_wakes() {
    finishes_in_time("stale driver waker", || {
        let rt = common::current_thread();
        let local = Rc::new(LocalSet::new());
        let inner = local.clone();
        let (rx, started_tx, sender) = send_from_another_thread(7);
        let value = local.block_on(&rt, async move {
            // Detached: its end does not wake the block_on future, so only
            // the set's registered waker can.
            task::spawn_local(async move { inner.run_until(async {}).await });
            let v = task::spawn_local(async move {
                started_tx.send(()).unwrap();
                rx.await.unwrap()
            });
            v.await.unwrap()
        });
        sender.join().unwrap();
        assert_eq!(value, 7);
    });
}
