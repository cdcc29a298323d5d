//! Fairness and the blocking hand-off: a task that blocks its worker does
//! not strand the tasks queued behind it, timers and I/O keep being served
//! while every worker blocks, remote spawns are not starved by local
//! chains, and the hand-off cap, the off switch and shutdown behave.
//!
//! Each test waits on events; a missing hand-off shows up as a blocked
//! `recv_timeout` that fails the test with a message after a long limit.

#[allow(unused_macros)]
mod common;

use common::log_capture::wait_for_log;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

/// How long a test waits for something that a working hand-off delivers
/// within milliseconds: only a broken runtime reaches it.
const LIMIT: Duration = Duration::from_secs(30);

fn runtime(workers: usize, configure: impl FnOnce(&mut runtime::Builder)) -> runtime::Runtime {
    common::build(workers, |b| {
        b.handoff_threshold(Some(Duration::from_millis(5)));
        configure(b);
    })
}

/// A task blocks its worker until the tasks it just spawned (one in its
/// LIFO slot, the others in its local queue) have run.
fn blocked_until_queued_tasks_run(workers: usize) {
    let rt = runtime(workers, |_| {});
    let got = rt.block_on(async {
        runtime::spawn(async {
            let (tx, rx) = mpsc::channel();
            // The last spawn takes the LIFO slot, the earlier ones queue.
            for i in 0..4 {
                let tx = tx.clone();
                runtime::spawn(async move { tx.send(i).unwrap() });
            }
            let mut got: Vec<i32> = (0..4)
                .map(|_| {
                    rx.recv_timeout(LIMIT)
                        .expect("a task queued behind a blocked worker never ran")
                })
                .collect();
            got.sort();
            got
        })
        .await
        .unwrap()
    });
    assert_eq!(got, vec![0, 1, 2, 3]);
}

#[test]
fn queued_tasks_run_while_their_worker_blocks_one_worker() {
    blocked_until_queued_tasks_run(1);
}

#[test]
fn queued_tasks_run_while_their_worker_blocks_two_workers() {
    blocked_until_queued_tasks_run(2);
}

/// The same after the runtime has idled until its monitor sleeps with no
/// period: the worker that an I/O event wakes wakes the monitor, which
/// then sees that worker's poll (the worker is counted running before it
/// looks at the monitor's state, so the monitor cannot go back to sleep
/// having missed it).
#[test]
fn a_worker_woken_by_io_after_long_idleness_is_still_watched() {
    woken_by_io_after_idleness(Duration::ZERO);
}

/// The same after a long gap (the idle stretch backdated by 10 ms once
/// the monitor sleeps): on Linux the waking worker then arms the
/// monitor's alarm instead of waking it, and the alarm going off a
/// period later (the worker is still in its poll) gets the monitor to
/// look.
#[test]
fn a_worker_woken_after_a_long_gap_arms_the_monitor_and_is_still_watched() {
    woken_by_io_after_idleness(Duration::from_millis(10));
}

fn woken_by_io_after_idleness(backdate: Duration) {
    use runtime::io::AsyncReadExt;
    let rt = runtime(1, |_| {});
    let listener = rt
        .block_on(runtime::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (ran_tx, ran_rx) = mpsc::channel::<()>();
    let server = rt.spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut byte = [0u8; 1];
        s.read_exact(&mut byte).await.unwrap();
        // Runs from the LIFO slot of the worker this poll blocks.
        let (tx, rx) = mpsc::channel();
        runtime::spawn(async move { tx.send(()).unwrap() });
        rx.recv_timeout(LIMIT)
            .expect("a task queued behind a worker woken from idleness never ran");
        ran_tx.send(()).unwrap();
    });
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    // Every worker parked with nothing to run: the monitor ends up asleep
    // until a worker wakes (after its lingering looks).
    assert!(
        rt.handle().__wait_until_monitor_sleeps(LIMIT),
        "the monitor of an idle runtime never went to sleep"
    );
    rt.handle().__backdate_monitor_idleness(backdate);
    std::io::Write::write_all(&mut client, b"x").unwrap();
    ran_rx.recv_timeout(LIMIT).unwrap();
    rt.block_on(server).unwrap();
    assert!(rt.metrics().handoff_count() >= 1);
}

#[test]
fn timers_and_tcp_are_served_while_every_worker_blocks() {
    let rt = runtime(2, |_| {});
    let metrics = rt.metrics();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let release_rx = Arc::new(std::sync::Mutex::new(release_rx));
    let (blocked_tx, blocked_rx) = mpsc::channel::<()>();
    // Two tasks that block both workers until the other work is done.
    let blockers: Vec<_> = (0..2)
        .map(|_| {
            let (rx, blocked) = (release_rx.clone(), blocked_tx.clone());
            rt.spawn(async move {
                blocked.send(()).unwrap();
                rx.lock()
                    .unwrap()
                    .recv_timeout(LIMIT)
                    .expect("never released: timers or I/O stalled");
            })
        })
        .collect();
    for _ in 0..2 {
        blocked_rx.recv_timeout(LIMIT).unwrap();
    }
    let echoed = rt.block_on(async {
        runtime::spawn(async {
            // A timer fires...
            runtime::time::sleep(Duration::from_millis(20)).await;
            // ...and a TCP echo answers.
            use runtime::io::{AsyncReadExt, AsyncWriteExt};
            let listener = runtime::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap();
            let addr = listener.local_addr().unwrap();
            let server = runtime::spawn(async move {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 5];
                s.read_exact(&mut buf).await.unwrap();
                s.write_all(&buf).await.unwrap();
            });
            let mut c = runtime::net::TcpStream::connect(addr).await.unwrap();
            c.write_all(b"hello").await.unwrap();
            let mut buf = [0u8; 5];
            c.read_exact(&mut buf).await.unwrap();
            server.await.unwrap();
            buf
        })
        .await
        .unwrap()
    });
    assert_eq!(&echoed, b"hello");
    release_tx.send(()).unwrap();
    release_tx.send(()).unwrap();
    rt.block_on(async {
        for b in blockers {
            b.await.unwrap();
        }
    });
    assert!(metrics.handoff_count() >= 1);
}

#[test]
fn remote_spawns_complete_while_every_worker_runs_local_chains() {
    fn link(stop: Arc<AtomicBool>, links: Arc<AtomicUsize>) {
        if !stop.load(SeqCst) {
            links.fetch_add(1, SeqCst);
            runtime::spawn(async move { link(stop, links) });
        }
    }
    let rt = runtime(2, |_| {});
    let stop = Arc::new(AtomicBool::new(false));
    let links = Arc::new(AtomicUsize::new(0));
    for _ in 0..2 {
        let (stop, links) = (stop.clone(), links.clone());
        rt.spawn(async move { link(stop, links) });
    }
    let done = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..1000)
        .map(|_| {
            let done = done.clone();
            rt.handle().spawn(async move {
                done.fetch_add(1, SeqCst);
            })
        })
        .collect();
    rt.block_on(async {
        for h in handles {
            h.await.unwrap();
        }
    });
    assert_eq!(done.load(SeqCst), 1000);
    // The chains were running all along.
    assert!(links.load(SeqCst) > 0);
    stop.store(true, SeqCst);
}

#[test]
fn the_cap_is_held_and_the_stuck_task_is_named() {
    let rt = runtime(2, |b| {
        b.max_handoff_threads(1);
    });
    let metrics = rt.metrics();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let release_rx = Arc::new(std::sync::Mutex::new(release_rx));
    let (blocked_tx, blocked_rx) = mpsc::channel::<()>();
    // Named tasks (`task::Builder`): the warning gives the name too.
    let spawn_blocker = |name: &str| {
        let (rx, blocked) = (release_rx.clone(), blocked_tx.clone());
        runtime::task::Builder::new()
            .name(name)
            .spawn_on(
                async move {
                    blocked.send(()).unwrap();
                    let _ = rx.lock().unwrap().recv_timeout(LIMIT);
                },
                rt.handle(),
            )
            .unwrap()
    };
    let first = spawn_blocker("first blocker");
    blocked_rx.recv_timeout(LIMIT).unwrap();
    // The first blocker's core goes to a new thread; the second blocks
    // that thread (or the other worker), and the cap stops a second
    // hand-off: the monitor names the task instead.
    let second = spawn_blocker("second blocker");
    blocked_rx.recv_timeout(LIMIT).unwrap();
    let named = wait_for_log(&["runtime::handoff task ", "max_handoff_threads"]);
    let labels = [
        format!("task {} \"first blocker\" spawned at", first.id()),
        format!("task {} \"second blocker\" spawned at", second.id()),
    ];
    assert!(
        labels.iter().any(|label| named.contains(label)),
        "{named} names neither blocker ({labels:?})"
    );
    assert!(named.contains("tests/handoff.rs"), "{named}");
    assert!(named.contains("max_handoff_threads"), "{named}");
    // Both tasks are still blocked: exactly one hand-off happened, and
    // its thread is the one extra thread.
    assert_eq!(metrics.handoff_count(), 1);
    assert_eq!(metrics.num_handoff_threads(), 1);
    release_tx.send(()).unwrap();
    release_tx.send(()).unwrap();
    rt.block_on(async {
        first.await.unwrap();
        second.await.unwrap();
    });
    // The stuck thread went back to the pool when its poll returned;
    // shutdown waits for that.
    drop(rt);
    assert_eq!(metrics.num_handoff_threads(), 0);
}

#[test]
fn monitor_off_leaves_a_blocked_workers_lifo_task_alone() {
    let rt = common::build(1, |b| {
        b.handoff_threshold(None);
    });
    let ran = Arc::new(AtomicBool::new(false));
    let ran2 = ran.clone();
    let seen_while_blocked = rt.block_on(async move {
        runtime::spawn(async move {
            let r = ran2.clone();
            runtime::spawn(async move { r.store(true, SeqCst) });
            // Nobody sends: the worker blocks for the whole timeout, and
            // with the monitor off nothing else can run the task queued
            // behind it (the only worker's LIFO slot).
            let (_tx, rx) = mpsc::channel::<()>();
            let _ = rx.recv_timeout(Duration::from_millis(50));
            ran2.load(SeqCst)
        })
        .await
        .unwrap()
    });
    assert!(
        !seen_while_blocked,
        "the LIFO task ran while its worker blocked"
    );
    assert_eq!(rt.metrics().handoff_count(), 0);
}

#[test]
fn shutdown_with_a_handed_off_core_drops_every_task() {
    struct Counted(Arc<(std::sync::Mutex<usize>, std::sync::Condvar)>);
    impl Drop for Counted {
        fn drop(&mut self) {
            let (n, cv) = &*self.0;
            *n.lock().unwrap() += 1;
            cv.notify_all();
        }
    }
    let rt = runtime(1, |_| {});
    let metrics = rt.metrics();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (blocked_tx, blocked_rx) = mpsc::channel::<()>();
    rt.spawn(async move {
        blocked_tx.send(()).unwrap();
        let _ = release_rx.recv_timeout(LIMIT);
    });
    blocked_rx.recv_timeout(LIMIT).unwrap();
    // Tasks that never finish, started on the handed-off core.
    let dropped = Arc::new((std::sync::Mutex::new(0usize), std::sync::Condvar::new()));
    let started = Arc::new(AtomicUsize::new(0));
    let (started_tx, started_rx) = mpsc::channel::<()>();
    for _ in 0..10 {
        let (c, started, tx) = (
            Counted(dropped.clone()),
            started.clone(),
            started_tx.clone(),
        );
        rt.spawn(async move {
            let _c = c;
            started.fetch_add(1, SeqCst);
            tx.send(()).unwrap();
            std::future::pending::<()>().await
        });
    }
    for _ in 0..10 {
        started_rx
            .recv_timeout(LIMIT)
            .expect("tasks behind a blocked worker never started");
    }
    assert!(metrics.handoff_count() >= 1);
    // Shut down while the blocker's thread is still stuck: the core's new
    // thread cancels and drops every task.
    let dropper = std::thread::spawn(move || drop(rt));
    {
        let (n, cv) = &*dropped;
        let mut n = n.lock().unwrap();
        while *n < 10 {
            let (guard, timeout) = cv.wait_timeout(n, LIMIT).unwrap();
            n = guard;
            assert!(!timeout.timed_out(), "only {} of 10 tasks dropped", *n);
        }
    }
    release_tx.send(()).unwrap();
    dropper.join().unwrap();
    assert_eq!(started.load(SeqCst), 10);
}
