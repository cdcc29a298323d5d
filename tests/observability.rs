//! Observability: slow-poll reports through `log`, the stall watchdog,
//! task dumps and the metrics added with them (busy time, I/O events,
//! slow polls), on every flavour.
//!
//! Slow-poll detection measures wall-clock time from a monitor thread, so
//! these tests never pick a duration and hope the monitor looked in time:
//! a task that must be reported blocks its worker until the watchdog has
//! named it (`block_until_named_as_stuck`), and a poll that must not be
//! reported is judged only when the test has measured, from inside the
//! task, that the poll really was short (a worker the OS deschedules for
//! longer than the threshold mid-poll really is blocked that long).

#[macro_use]
mod common;

use runtime::runtime::TaskState;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::log_capture::{capture, logged, wait_for_log};

/// The duration a slow-poll line reports ("... for 212.0ms in one poll").
fn reported_duration(line: &str) -> Duration {
    let rest = &line[line.find(" for ").expect("a duration") + 5..];
    let text = &rest[..rest.find(' ').unwrap()];
    if let Some(ms) = text.strip_suffix("ms") {
        Duration::from_secs_f64(ms.parse::<f64>().unwrap() / 1e3)
    } else if let Some(s) = text.strip_suffix('s') {
        Duration::from_secs_f64(s.parse::<f64>().unwrap())
    } else {
        panic!("unexpected duration {text:?} in {line:?}")
    }
}

fn threshold_50ms(b: &mut runtime::Builder) {
    b.slow_poll_threshold(Duration::from_millis(50));
}

/// Blocks the calling task's worker (the mistake slow-poll detection is
/// there for) until the watchdog has named this task as stuck, which it
/// does once the poll has run for twice the threshold: the poll lasts as
/// long as detection needs, however late the monitor looks. Returns the
/// report. Only for unnamed tasks; `wait_for_log` fails the test after a
/// generous limit if the report never comes.
fn block_until_named_as_stuck() -> String {
    let id = runtime::task::id();
    wait_for_log(&[&format!("task {id} spawned at"), "has not returned yet"])
}

rt_test! {
    fn slow_poll_is_logged_with_task_and_location(rt, threshold_50ms) {
        capture();
        let m = rt.metrics();
        assert_eq!(m.slow_poll_count(), 0);
        let (id, line) = rt.block_on(async {
            let line = line!() + 1;
            let task = runtime::spawn(async { block_until_named_as_stuck() });
            let id = task.id();
            let stuck = task.await.unwrap();
            assert!(reported_duration(&stuck) >= Duration::from_millis(95), "{stuck}");
            (id, line)
        });
        // Counted when it reached the threshold, before it returned.
        assert!(m.slow_poll_count() >= 1);
        let report = wait_for_log(&[&format!("task {id} spawned at"), "blocked its worker for"]);
        assert!(report.starts_with("runtime::slow_poll "), "{report}");
        assert!(report.contains(&format!("tests/observability.rs:{line}:")), "{report}");
        assert!(report.contains("spawn_blocking"), "the fix is named: {report}");
        // It was still running when named as stuck at twice the threshold
        // (100 ms), so the whole poll is reported as at least that.
        let took = reported_duration(&report);
        assert!(took >= Duration::from_millis(95), "reported {took:?} for a poll named as stuck");
    }

    fn stuck_poll_is_reported_while_stuck(rt, threshold_50ms) {
        capture();
        let stop = Arc::new(AtomicBool::new(false));
        let handle = rt.handle().clone();
        let stop2 = stop.clone();
        rt.block_on(async move {
            let task = runtime::spawn(async move {
                // A loop that never awaits: it ends only when the watcher
                // below has seen the report.
                while !stop2.load(SeqCst) {
                    std::hint::spin_loop();
                }
            });
            let id = task.id();
            let watcher = std::thread::spawn(move || {
                let report = wait_for_log(&[&format!("task {id} spawned at"), "has not returned yet"]);
                // Reported while stuck: the task is still in that poll.
                let dump = handle.dump();
                let info = dump.tasks().iter().find(|t| t.id() == id).expect("listed");
                assert_eq!(info.state(), TaskState::Running, "{dump}");
                assert!(reported_duration(&report) >= Duration::from_millis(90), "{report}");
                stop.store(true, SeqCst);
            });
            task.await.unwrap();
            watcher.join().unwrap();
        });
        assert!(rt.metrics().slow_poll_count() >= 1);
    }

    fn named_tasks_are_named_in_slow_poll_reports(rt, threshold_50ms) {
        capture();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        rt.block_on(async move {
            let task = runtime::task::Builder::new()
                .name("spinner")
                .spawn(async move {
                    // Ends only once the watcher has seen the stuck report.
                    while !stop2.load(SeqCst) {
                        std::hint::spin_loop();
                    }
                })
                .unwrap();
            let id = task.id();
            let label = format!("task {id} \"spinner\" spawned at");
            let watcher = std::thread::spawn(move || {
                let stuck = wait_for_log(&[&label, "has not returned yet"]);
                stop.store(true, SeqCst);
                stuck
            });
            task.await.unwrap();
            let stuck = watcher.join().unwrap();
            assert!(stuck.starts_with("runtime::slow_poll "), "{stuck}");
            // Once it returned, the whole poll is reported, still named
            // although the task is gone by then.
            let label = format!("task {id} \"spinner\" spawned at");
            let ended = wait_for_log(&[&label, "blocked its worker for"]);
            assert!(ended.contains("tests/observability.rs:"), "{ended}");
        });
    }

    fn slow_poll_detection_is_off_by_default(rt) {
        rt.block_on(async {
            runtime::spawn(async { std::thread::sleep(Duration::from_millis(60)) })
                .await
                .unwrap();
        });
        assert_eq!(rt.metrics().slow_poll_count(), 0);
    }

    fn busy_duration_covers_work(rt) {
        let m = rt.metrics();
        rt.block_on(async {
            runtime::spawn(async {
                let start = Instant::now();
                while start.elapsed() < Duration::from_millis(40) {
                    std::hint::spin_loop();
                }
            })
            .await
            .unwrap();
        });
        // The stretch is added when the worker parks (it has nothing left
        // to do) or at its next maintenance tick.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let busy: Duration = (0..m.num_workers()).map(|i| m.worker_total_busy_duration(i)).sum();
            if busy >= Duration::from_millis(30) {
                break;
            }
            assert!(Instant::now() < deadline, "busy time {busy:?} after 40 ms of work");
            std::thread::yield_now();
        }
    }

    fn io_driver_ready_count_counts_socket_events(rt) {
        let m = rt.metrics();
        let before = m.io_driver_ready_count();
        rt.block_on(async {
            use runtime::io::{AsyncReadExt, AsyncWriteExt};
            let listener = runtime::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let client = runtime::spawn(async move {
                let mut s = runtime::net::TcpStream::connect(addr).await.unwrap();
                s.write_all(b"ping").await.unwrap();
            });
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4];
            s.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"ping");
            client.await.unwrap();
        });
        assert!(m.io_driver_ready_count() > before, "a connect, an accept and a read took events");
    }

    fn dump_lists_exactly_the_live_tasks(rt) {
        let handle = rt.handle().clone();
        assert!(handle.dump().tasks().is_empty());
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        let polled = Arc::new(AtomicUsize::new(0));
        let p = polled.clone();
        let line = line!() + 1;
        let waiting = rt.spawn(async move {
            p.fetch_add(1, SeqCst);
            let _ = rx.await;
        });
        rt.block_on(async {
            while polled.load(SeqCst) == 0 {
                runtime::task::yield_now().await;
            }
        });
        // `polled` is set inside the poll; on a worker the poll may not
        // have returned yet.
        let mut dump = handle.dump();
        while dump.tasks().first().map(|t| t.state()) == Some(TaskState::Running) {
            std::thread::yield_now();
            dump = handle.dump();
        }
        assert_eq!(dump.tasks().len(), 1, "{dump}");
        let t = &dump.tasks()[0];
        assert_eq!(t.id(), waiting.id());
        assert_eq!(t.state(), TaskState::Idle);
        assert_eq!(t.polls(), 1);
        assert_eq!(t.location().file(), file!());
        assert_eq!(t.location().line(), line);
        assert!(t.age() < Duration::from_secs(600));
        let text = dump.to_string();
        assert_eq!(text.lines().count(), 2, "a header and one row: {text}");
        assert!(text.contains(&format!("tests/observability.rs:{line}:")), "{text}");
        assert!(text.contains(" idle "), "{text}");

        // A task that dumps from inside lists itself as running.
        let (me, inside) = rt.block_on(async {
            runtime::spawn(async {
                (runtime::task::id(), runtime::Handle::current().dump())
            })
            .await
            .unwrap()
        });
        assert_eq!(inside.tasks().len(), 2, "{inside}");
        let row = inside.tasks().iter().find(|t| t.id() == me).unwrap();
        assert_eq!(row.state(), TaskState::Running);

        tx.send(()).unwrap();
        rt.block_on(waiting).unwrap();
        assert!(handle.dump().tasks().is_empty(), "{}", handle.dump());
    }
}

/// A task spawned from the `block_on` future of a current-thread runtime is
/// scheduled (not yet polled) until that future yields.
#[test]
fn dump_shows_scheduled_tasks_current_thread() {
    let rt = common::current_thread();
    rt.block_on(async {
        let task = runtime::spawn(async {});
        let dump = runtime::Handle::current().dump();
        let row = dump.tasks().iter().find(|t| t.id() == task.id()).unwrap();
        assert_eq!(row.state(), TaskState::Scheduled);
        assert_eq!(row.polls(), 0);
        task.await.unwrap();
        assert!(runtime::Handle::current().dump().tasks().is_empty());
    });
}

/// With both workers held by running tasks, a new task stays scheduled;
/// the dump shows all three states at once.
#[test]
fn dump_shows_every_state_multi_thread() {
    let rt = common::multi_thread(2);
    let handle = rt.handle().clone();
    let release = Arc::new(AtomicBool::new(false));
    let started = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    let idle_polled = Arc::new(AtomicBool::new(false));
    let p = idle_polled.clone();
    let idle = rt.spawn(async move {
        p.store(true, SeqCst);
        let _ = rx.await;
    });
    while !idle_polled.load(SeqCst) {
        std::thread::yield_now();
    }
    let busy: Vec<_> = (0..2)
        .map(|_| {
            let (release, started) = (release.clone(), started.clone());
            rt.spawn(async move {
                started.fetch_add(1, SeqCst);
                while !release.load(SeqCst) {
                    std::hint::spin_loop();
                }
            })
        })
        .collect();
    while started.load(SeqCst) < 2 {
        std::thread::yield_now();
    }
    let queued = rt.spawn(async {});
    let dump = handle.dump();
    assert_eq!(dump.tasks().len(), 4, "{dump}");
    let state = |id| dump.tasks().iter().find(|t| t.id() == id).unwrap().state();
    assert_eq!(state(idle.id()), TaskState::Idle, "{dump}");
    assert_eq!(state(busy[0].id()), TaskState::Running, "{dump}");
    assert_eq!(state(busy[1].id()), TaskState::Running, "{dump}");
    assert_eq!(state(queued.id()), TaskState::Scheduled, "{dump}");
    release.store(true, SeqCst);
    tx.send(()).unwrap();
    rt.block_on(async {
        for t in busy {
            t.await.unwrap();
        }
        queued.await.unwrap();
        idle.await.unwrap();
    });
    assert!(handle.dump().tasks().is_empty());
}

/// Blocking inside `block_in_place` is sanctioned: not reported, however
/// long it lasts. It lasts here until another task, blocking a worker at
/// the same time, has been named as stuck, which shows the watchdog was
/// looking all along.
#[test]
fn block_in_place_is_not_a_slow_poll() {
    capture();
    let rt = common::build(2, threshold_50ms);
    let m = rt.metrics();
    let (quiet, marker, outside) = rt.block_on(async {
        let (entered_tx, entered_rx) = runtime::sync::oneshot::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let spawned = Instant::now();
        let task = runtime::spawn(async move {
            runtime::task::block_in_place(move || {
                entered_tx.send(Instant::now()).unwrap();
                release_rx.recv().unwrap();
                Instant::now()
            })
        });
        let quiet = task.id();
        let entered = entered_rx.await.unwrap();
        let marker = runtime::spawn(async { block_until_named_as_stuck() });
        let marker_id = marker.id();
        marker.await.unwrap();
        release_tx.send(()).unwrap();
        let left = task.await.unwrap();
        // The parts of the quiet task's poll outside `block_in_place` lie
        // within these two spans.
        let outside = (entered - spawned).max(left.elapsed());
        (quiet, marker_id, outside)
    });
    // Stops the monitor after its last look.
    drop(rt);
    wait_for_log(&[&format!("task {marker} spawned at"), "blocked its worker"]);
    if outside < Duration::from_millis(20) {
        assert!(!logged(&[&format!("task {quiet} spawned at")]));
        assert_eq!(m.slow_poll_count(), 1, "only the marker's poll was slow");
    } else {
        // Descheduled mid-poll by the OS for a good part of the threshold:
        // a report would be right, so there is nothing to judge.
        eprintln!("the quiet task's poll took {outside:?} outside block_in_place: not judged");
        assert!(m.slow_poll_count() >= 1);
    }
}

#[test]
fn too_small_threshold_panics_with_a_clear_message() {
    for tiny in [Duration::ZERO, Duration::from_millis(9)] {
        let err = std::panic::catch_unwind(|| {
            runtime::Builder::new_multi_thread().slow_poll_threshold(tiny);
        })
        .unwrap_err();
        let msg = common::panic_message(&*err);
        assert!(
            msg.contains("slow_poll_threshold must be at least 10 ms"),
            "{msg}"
        );
    }
}

/// Many short polls with detection on: none is reported or counted (the
/// estimates trust at most one sampling step of the gaps around a poll).
#[test]
fn short_polls_are_not_reported() {
    let threshold = Duration::from_millis(200);
    let rt = common::build(2, |b| {
        b.slow_poll_threshold(threshold);
    });
    let m = rt.metrics();
    let longest_gap = rt.block_on(async {
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let spawned = Instant::now();
                runtime::spawn(async move {
                    // Each poll starts after the one before returned, so
                    // the longest time between two poll starts (from the
                    // spawn, up to the end) bounds every poll but the last
                    // one's few instructions after it.
                    let mut last = spawned;
                    let mut longest = Duration::ZERO;
                    for _ in 0..3000 {
                        let now = Instant::now();
                        longest = longest.max(now - last);
                        last = now;
                        // About 20 us of work per poll, then yield.
                        while last.elapsed() < Duration::from_micros(20) {
                            std::hint::spin_loop();
                        }
                        runtime::task::yield_now().await;
                    }
                    longest.max(last.elapsed())
                })
            })
            .collect();
        let mut longest = Duration::ZERO;
        for t in tasks {
            longest = longest.max(t.await.unwrap());
        }
        longest
    });
    // Stops the monitor after its last look.
    drop(rt);
    // A poll lies within two gaps; with every poll well under the threshold
    // nothing may be counted. A machine that descheduled a worker for that
    // long mid-poll blocked it for real: then there is nothing to judge.
    if longest_gap * 2 < threshold / 2 {
        assert_eq!(m.slow_poll_count(), 0);
    } else {
        eprintln!("a gap of {longest_gap:?} between two polls: not judged");
    }
}

/// An idle runtime is not busy: parked time is not counted.
///
/// Busy time is wall-clock time out of park, so this is the one test here
/// that compares durations, with the whole idle window as the margin: to
/// fail it, a worker of a runtime with nothing to do would have to stay
/// out of park (a runtime that spins instead of parking) or go without the
/// CPU between waking and parking again for half a second.
#[test]
fn idle_workers_are_not_busy() {
    let idle = Duration::from_millis(500);
    let rt = common::multi_thread(2);
    let m = rt.metrics();
    rt.block_on(async {
        // Let the workers start and park, then stay idle for a while.
        runtime::time::sleep(idle).await;
    });
    for i in 0..m.num_workers() {
        let busy = m.worker_total_busy_duration(i);
        assert!(
            busy < idle,
            "worker {i} idle for {idle:?} was busy {busy:?}"
        );
    }
}

/// Asserts that the task dump lists a task spawned at `line` of this file.
fn assert_dump_has_task_spawned_at(line: u32) {
    let dump = runtime::Handle::current().dump();
    let child = dump.tasks().iter().find(|t| t.location().line() == line);
    assert!(
        child.is_some_and(|t| t.location().file() == file!()),
        "no task spawned at line {line}:\n{dump}"
    );
}

/// `TaskGroup::spawn` and `TaskGroupSpawner::spawn` record the caller's
/// location, like `spawn`.
#[test]
fn task_group_children_carry_the_callers_location() {
    let rt = common::multi_thread(2);
    rt.block_on(async {
        let mut group = runtime::task::TaskGroup::<(), ()>::new();
        let line = line!() + 1;
        group.spawn(std::future::pending());
        assert_dump_has_task_spawned_at(line);
        let spawner = group.spawner();
        let line = line!() + 1;
        spawner.spawn(std::future::pending()).unwrap();
        assert_dump_has_task_spawned_at(line);
        drop(group);
    });
}

/// `RUNTIME_SLOW_POLL_MS` turns debug mode on for a program that does not
/// set a threshold (as `PYTHONASYNCIODEBUG`). The variable is process-wide,
/// so the test re-runs itself in a child process with it set.
#[test]
fn slow_poll_threshold_from_the_environment() {
    const NAME: &str = "slow_poll_threshold_from_the_environment";
    if std::env::var_os("RUNTIME_SLOW_POLL_MS").is_none() {
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new(&exe)
            .args([NAME, "--exact", "--nocapture"])
            .env("RUNTIME_SLOW_POLL_MS", "50")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && text.contains("1 passed"), "{text}");
        // A bad value is a clear error from build(), not silence.
        let out = std::process::Command::new(&exe)
            .args([NAME, "--exact"])
            .env("RUNTIME_SLOW_POLL_MS", "fast")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && text.contains("1 passed"), "{text}");
        return;
    }
    let built = runtime::Builder::new_current_thread().enable_all().build();
    if std::env::var("RUNTIME_SLOW_POLL_MS").unwrap() == "fast" {
        let err = built.unwrap_err();
        assert!(
            err.to_string().contains("RUNTIME_SLOW_POLL_MS=\"fast\""),
            "{err}"
        );
        return;
    }
    capture();
    let rt = built.unwrap();
    // Named as stuck at twice the threshold the variable set, and counted
    // while it ran.
    let stuck = rt.block_on(async {
        runtime::spawn(async { block_until_named_as_stuck() })
            .await
            .unwrap()
    });
    assert!(stuck.starts_with("runtime::slow_poll "), "{stuck}");
    assert!(rt.metrics().slow_poll_count() >= 1);
}
