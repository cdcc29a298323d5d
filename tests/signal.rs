//! `signal::ctrl_c` and `signal::unix::signal` (their own test binary:
//! once a handler is installed, its signal no longer has its default
//! effect), and child exits seen through `SIGCHLD` where pidfds are
//! turned off.

#[macro_use]
mod common;

use runtime::signal::unix::{signal, SignalKind};
use runtime::time::{timeout, Duration};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const LIMIT: Duration = Duration::from_secs(30);

rt_test! {
    fn ctrl_c_resolves_on_sigint(rt) {
        rt.block_on(async {
            let waiting = Arc::new(AtomicBool::new(false));
            let w = waiting.clone();
            let waiter = runtime::spawn(async move {
                // The call registers the listener (and installs the
                // handler): a SIGINT from then on counts.
                let fut = runtime::signal::ctrl_c();
                w.store(true, Ordering::SeqCst);
                fut.await.unwrap();
            });
            while !waiting.load(Ordering::SeqCst) {
                runtime::task::yield_now().await;
            }
            // SAFETY: sending a signal to our own process; the handler
            // installed by `ctrl_c` catches it.
            unsafe { libc::kill(libc::getpid(), libc::SIGINT) };
            waiter.await.unwrap();
        });
    }
}

/// Sends `signum` to this process.
fn raise(signum: libc::c_int) {
    // SAFETY: sends a signal to our own process, whose handler for it the
    // test installed first.
    assert_eq!(unsafe { libc::kill(libc::getpid(), signum) }, 0);
}

// Each test uses signals no other test sends: the tests of this binary
// run in parallel and a signal goes to the whole process.

rt_test! {
    fn every_listener_sees_each_arrival(rt) {
        rt.block_on(async {
            let mut a = signal(SignalKind::user_defined1()).unwrap();
            let mut b = signal(SignalKind::user_defined1()).unwrap();
            let waiter = runtime::spawn(async move {
                a.recv().await.unwrap();
                a
            });
            raise(libc::SIGUSR1);
            let mut a = waiter.await.unwrap();
            b.recv().await.unwrap();
            // A second arrival is a second `recv` for both.
            raise(libc::SIGUSR1);
            a.recv().await.unwrap();
            b.recv().await.unwrap();
        });
    }

    fn any_signal_number(rt) {
        rt.block_on(async {
            #[cfg(target_os = "linux")]
            let signum = libc::SIGRTMIN() + 3;
            #[cfg(not(target_os = "linux"))]
            let signum = libc::SIGXCPU;
            let mut s = signal(SignalKind::from_raw(signum)).unwrap();
            raise(signum);
            timeout(LIMIT, s.recv()).await.unwrap().unwrap();
        });
    }
}

/// The three flavours `rt_test!` covers, for the tests below that must
/// not run them in parallel: a signal goes to the whole process and the
/// listener registry is global, so a parallel run's arrivals (or live
/// listeners) would show in another's assertions.
fn flavours() -> [runtime::Runtime; 3] {
    [
        common::current_thread(),
        common::multi_thread(1),
        common::multi_thread(4),
    ]
}

#[test]
fn an_arrival_before_the_first_poll_is_kept() {
    for rt in flavours() {
        rt.block_on(async {
            let mut hup = signal(SignalKind::hangup()).unwrap();
            raise(libc::SIGHUP);
            // Not polled before the arrival: the driver delivers it anyway.
            timeout(LIMIT, hup.recv()).await.unwrap().unwrap();
            // A listener made after that delivery has not seen it.
            let mut late = signal(SignalKind::hangup()).unwrap();
            let polled =
                std::future::poll_fn(|cx| std::task::Poll::Ready(late.poll_recv(cx))).await;
            assert!(polled.is_pending());
        });
    }
}

#[test]
fn listeners_hold_nothing_once_dropped() {
    for rt in flavours() {
        rt.block_on(async {
            let base = runtime::signal::listener_entries(libc::SIGWINCH);
            for _ in 0..1000 {
                let mut s = signal(SignalKind::window_change()).unwrap();
                // A cancelled recv: polled once (registers a waker), dropped.
                runtime::select! {
                    biased;
                    _ = s.recv() => {}
                    _ = std::future::ready(()) => {}
                }
            }
            assert_eq!(runtime::signal::listener_entries(libc::SIGWINCH), base);
            // The same for ctrl_c futures made and dropped unpolled.
            for _ in 0..1000 {
                drop(runtime::signal::ctrl_c());
            }
            // (`ctrl_c_resolves_on_sigint` may hold one per flavour now.)
            assert!(runtime::signal::listener_entries(libc::SIGINT) <= 3);
        });
    }
}

#[test]
fn forbidden_and_out_of_range_signals_are_refused() {
    let rt = common::current_thread();
    rt.block_on(async {
        for signum in [
            libc::SIGKILL,
            libc::SIGSTOP,
            libc::SIGSEGV,
            libc::SIGILL,
            libc::SIGFPE,
            0,
            1000,
        ] {
            let err = signal(SignalKind::from_raw(signum)).unwrap_err();
            assert_eq!(
                err.kind(),
                std::io::ErrorKind::InvalidInput,
                "{signum}: {err}"
            );
        }
    });
}

#[test]
fn one_signal_reaches_listeners_on_two_runtimes() {
    let a = common::current_thread();
    let b = common::multi_thread(2);
    let mut on_a = a.block_on(async { signal(SignalKind::user_defined2()).unwrap() });
    let on_b = b.spawn(async move {
        let mut s = signal(SignalKind::user_defined2()).unwrap();
        s.recv().await.unwrap();
    });
    // `on_b` has its listener once it is registered; a later arrival is
    // seen by both. Send until B's task finishes (each send is seen by A).
    a.block_on(async {
        timeout(LIMIT, async {
            while !on_b.is_finished() {
                raise(libc::SIGUSR2);
                on_a.recv().await.unwrap();
            }
        })
        .await
        .unwrap();
    });
}

#[test]
fn sigterm_drives_a_graceful_shutdown() {
    let rt = common::multi_thread(2);
    rt.block_on(async {
        let token = runtime::sync::CancellationToken::new();
        let mut term = signal(SignalKind::terminate()).unwrap();
        let worker = runtime::spawn({
            let token = token.clone();
            async move {
                token.cancelled().await;
                "cleaned up"
            }
        });
        raise(libc::SIGTERM);
        term.recv().await.unwrap();
        token.cancel();
        assert_eq!(worker.await.unwrap(), "cleaned up");
    });
}

#[test]
fn child_exits_are_seen_without_pidfds() {
    // From here on this binary's children are watched through SIGCHLD.
    runtime::process::__disable_pidfd();
    for rt in [common::current_thread(), common::multi_thread(2)] {
        rt.block_on(async {
            let mut tasks = Vec::new();
            for i in 0..20 {
                tasks.push(runtime::spawn(async move {
                    let status = runtime::process::Command::new("sh")
                        .args(["-c", &format!("exit {i}")])
                        .status()
                        .await
                        .unwrap();
                    status.code()
                }));
            }
            for (i, t) in tasks.into_iter().enumerate() {
                assert_eq!(t.await.unwrap(), Some(i as i32));
            }
        });
    }
}
