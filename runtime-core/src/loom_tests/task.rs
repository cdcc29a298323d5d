//! Models of the task state machine (`raw_task/mod.rs` rules) with a minimal
//! loom-visible scheduler: wake vs complete vs abort vs JoinHandle drop,
//! JoinHandle waker registration and output hand-off, shutdown vs wake.

use super::ReadyFlag;
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Arc, Mutex};
use crate::raw_task::list::OwnedTasks;
use crate::raw_task::{Notified, Schedule, SpawnMeta, Task};
use crate::task::{Id, JoinHandle};
use loom::thread;
use std::collections::VecDeque;
use std::future::Future;
use std::panic::Location;

struct Queue {
    tasks: Mutex<VecDeque<Notified<Arc<Queue>>>>,
    owned: OwnedTasks<Arc<Queue>>,
}

impl Schedule for Arc<Queue> {
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.owned.remove(task)
    }

    fn schedule(&self, task: Notified<Self>) {
        self.tasks.lock().push_back(task);
    }
}

impl Queue {
    fn new() -> Arc<Queue> {
        Arc::new(Queue {
            tasks: Mutex::new(VecDeque::new()),
            owned: OwnedTasks::new(1),
        })
    }

    fn spawn<F>(me: &Arc<Self>, f: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (join, notified) =
            me.owned
                .bind(f, me.clone(), Id::next(), SpawnMeta::at(Location::caller()));
        if let Some(n) = notified {
            me.schedule(n);
        }
        join
    }

    /// Runs queued tasks until the queue is empty.
    fn run(&self) {
        loop {
            let task = self.tasks.lock().pop_front();
            match task {
                Some(t) => {
                    if let Some(again) = t.run() {
                        self.tasks.lock().push_back(again.task);
                    }
                }
                None => return,
            }
        }
    }

    /// Drops every queued reference (after the list was shut down).
    fn drain(&self) {
        let tasks: Vec<_> = self.tasks.lock().drain(..).collect();
        drop(tasks);
    }
}

/// Spawns a task that holds a drop counter and waits for a signal.
fn spawn_guarded_waiter(q: &Arc<Queue>) -> (JoinHandle<()>, Arc<ReadyFlag>, Arc<AtomicUsize>) {
    let signal = ReadyFlag::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let guard = DropCount(drops.clone());
    let wait = ReadyFlag::wait(&signal);
    let join = Queue::spawn(q, async move {
        let _guard = guard;
        wait.await;
    });
    (join, signal, drops)
}

/// Counts drops; carried inside futures and outputs so leaks and double
/// drops are caught (loom also reports the leaked `Arc`).
struct DropCount(Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

#[test]
fn wake_races_with_poll_and_join_reads_output() {
    loom::model(|| {
        let q = Queue::new();
        let signal = ReadyFlag::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = DropCount(drops.clone());
        let wait = ReadyFlag::wait(&signal);
        let join = Queue::spawn(&q, async move {
            wait.await;
            drop(guard);
            7
        });
        let q1 = q.clone();
        let runner = thread::spawn(move || q1.run());
        let waker = thread::spawn(move || signal.fire());
        runner.join().unwrap();
        waker.join().unwrap();
        // A wake after the runner drained the queue left the task queued.
        q.run();
        assert_eq!(loom::future::block_on(join).unwrap(), 7);
        assert_eq!(drops.load(SeqCst), 1);
    });
}

#[test]
fn join_waker_registration_races_with_completion() {
    loom::model(|| {
        let q = Queue::new();
        let out = Arc::new(AtomicUsize::new(0));
        let join = Queue::spawn(&q, async move { DropCount(out) });
        let q1 = q.clone();
        let runner = thread::spawn(move || q1.run());
        // Parks on the join waker until the runner completes the task: a
        // lost join wake-up is a loom deadlock.
        let output = loom::future::block_on(join).unwrap();
        let count = output.0.clone();
        drop(output);
        assert_eq!(count.load(SeqCst), 1);
        runner.join().unwrap();
    });
}

#[test]
fn abort_races_with_poll_and_join_handle_drop() {
    loom::model(|| {
        let q = Queue::new();
        let (join, signal, drops) = spawn_guarded_waiter(&q);
        let abort = join.abort_handle();
        let q1 = q.clone();
        let runner = thread::spawn(move || q1.run());
        let aborter = thread::spawn(move || abort.abort());
        drop(join);
        runner.join().unwrap();
        aborter.join().unwrap();
        // The abort of an idle task scheduled it: run it to cancel it.
        q.run();
        assert_eq!(drops.load(SeqCst), 1, "the future is dropped exactly once");
        drop(signal);
    });
}

#[test]
fn abort_while_completing_resolves_join() {
    loom::model(|| {
        let q = Queue::new();
        let join = Queue::spawn(&q, async { 1u8 });
        let abort = join.abort_handle();
        let q1 = q.clone();
        let runner = thread::spawn(move || q1.run());
        abort.abort();
        runner.join().unwrap();
        q.run();
        // Either it completed first or the abort won; never both, never hung.
        super::assert_ok_or_cancelled(loom::future::block_on(join), 1);
    });
}

#[test]
fn shutdown_races_with_wake() {
    loom::model(|| {
        let q = Queue::new();
        let (join, signal, drops) = spawn_guarded_waiter(&q);
        q.run();
        let q1 = q.clone();
        let closer = thread::spawn(move || q1.owned.close_and_shutdown_all());
        let waker = thread::spawn(move || signal.fire());
        // Keep running whatever the wake queued, as a worker would.
        q.run();
        closer.join().unwrap();
        waker.join().unwrap();
        q.run();
        q.drain();
        super::assert_ok_or_cancelled(loom::future::block_on(join), ());
        assert_eq!(drops.load(SeqCst), 1);
    });
}
