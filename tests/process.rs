//! `runtime::process`: pipes both ways, many children at once, early
//! closes, signals in the exit status, large output, kill-on-drop and the
//! background reaping of dropped children (no zombie stays). Waits that
//! depend on a child's exit synchronise on `SIGCHLD` (a listener created
//! before the child could exit), each bounded by a 30 s limit.

#[macro_use]
mod common;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::process::{Command, Stdio};
use runtime::signal::unix::{signal, SignalKind};
use runtime::time::{timeout, Duration};
use std::os::unix::process::ExitStatusExt;

const LIMIT: Duration = Duration::from_secs(30);

/// Whether `pid` is still a process of ours (running or a zombie).
fn exists(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Whether `pid` is a zombie child of this process.
fn is_zombie(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // "pid (comm) S ppid ...": the fields after the last ')'.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let mut fields = rest.split(' ');
    let state = fields.next().unwrap();
    let ppid: u32 = fields.next().unwrap().parse().unwrap();
    state == "Z" && ppid == std::process::id()
}

/// Waits, on `SIGCHLD` deliveries, until `done()` holds. The listener
/// must be created before the children whose exit `done` waits for could
/// exit; the background reaping runs before the listeners are woken.
async fn until_sigchld(mut sigchld: runtime::signal::unix::Signal, mut done: impl FnMut() -> bool) {
    timeout(LIMIT, async {
        while !done() {
            sigchld.recv().await;
        }
    })
    .await
    .expect("the condition did not hold within 30 s of SIGCHLDs");
}

rt_test! {
    fn echo_through_cat(rt) {
        rt.block_on(async {
            let mut child = Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = child.stdin.take().unwrap();
            let mut stdout = child.stdout.take().unwrap();
            let writer = runtime::spawn(async move {
                for i in 0..100 {
                    stdin.write_all(format!("line {i}\n").as_bytes()).await.unwrap();
                }
                // Dropping stdin sends end of file.
            });
            let mut text = String::new();
            stdout.read_to_string(&mut text).await.unwrap();
            writer.await.unwrap();
            let expected: String = (0..100).map(|i| format!("line {i}\n")).collect();
            assert_eq!(text, expected);
            assert!(child.wait().await.unwrap().success());
        });
    }

    fn hundred_children_at_once(rt) {
        rt.block_on(async {
            let mut tasks = Vec::new();
            for i in 0..100 {
                tasks.push(runtime::spawn(async move {
                    let out = Command::new("echo").arg(i.to_string()).output().await.unwrap();
                    assert!(out.status.success());
                    String::from_utf8(out.stdout).unwrap()
                }));
            }
            for (i, t) in tasks.into_iter().enumerate() {
                assert_eq!(t.await.unwrap(), format!("{i}\n"));
            }
        });
    }

    fn child_that_closes_stdout_early(rt) {
        rt.block_on(async {
            // Closes its stdout, then waits for its stdin to end.
            let mut child = Command::new("sh")
                .args(["-c", "exec 1>&-; read line; exit 7"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut out = Vec::new();
            child.stdout.take().unwrap().read_to_end(&mut out).await.unwrap();
            assert!(out.is_empty());
            // End of file on stdout came while the child is still running.
            assert!(child.try_wait().unwrap().is_none());
            // `wait` closes stdin first, so `read` returns and it exits.
            assert_eq!(child.wait().await.unwrap().code(), Some(7));
        });
    }

    fn writing_to_a_child_that_closed_stdin_fails(rt) {
        rt.block_on(async {
            let mut child = Command::new("sh")
                .args(["-c", "exec 0<&-; echo closed"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut line = [0u8; 7];
            child.stdout.as_mut().unwrap().read_exact(&mut line).await.unwrap();
            assert_eq!(&line, b"closed\n");
            let mut stdin = child.stdin.take().unwrap();
            let chunk = vec![0u8; 1 << 16];
            // Not a hang and not SIGPIPE: EPIPE once the reader is gone.
            let err = timeout(LIMIT, async {
                loop {
                    if let Err(e) = stdin.write_all(&chunk).await {
                        return e;
                    }
                }
            })
            .await
            .unwrap();
            assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
            assert!(child.wait().await.unwrap().success());
        });
    }

    fn exit_status_names_the_signal(rt) {
        rt.block_on(async {
            let mut child = Command::new("sleep").arg("1000").spawn().unwrap();
            let pid = child.id().unwrap();
            assert!(child.try_wait().unwrap().is_none());
            // SAFETY: sending SIGTERM to our own child.
            assert_eq!(unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) }, 0);
            let status = child.wait().await.unwrap();
            assert_eq!(status.signal(), Some(libc::SIGTERM));
            assert_eq!(status.code(), None);
            assert_eq!(child.id(), None);
            // Collected: killing it again is refused, waiting again is fine.
            assert_eq!(child.start_kill().unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
            assert_eq!(child.wait().await.unwrap().signal(), Some(libc::SIGTERM));

            let mut child = Command::new("sleep").arg("1000").spawn().unwrap();
            child.kill().await.unwrap();
            assert_eq!(child.try_wait().unwrap().unwrap().signal(), Some(libc::SIGKILL));
        });
    }

    fn large_output_on_both_pipes(rt) {
        rt.block_on(async {
            // 8 MiB on stdout and 4 MiB on stderr, interleaved by the
            // child: reading only one of them would deadlock.
            let out = Command::new("sh")
                .args([
                    "-c",
                    "head -c 4194304 /dev/zero; head -c 4194304 /dev/zero >&2; head -c 4194304 /dev/zero",
                ])
                .output()
                .await
                .unwrap();
            assert!(out.status.success());
            assert_eq!(out.stdout.len(), 8 << 20);
            assert_eq!(out.stderr.len(), 4 << 20);
            assert!(out.stdout.iter().all(|&b| b == 0));
        });
    }

    fn dropped_children_leave_no_zombie(rt) {
        rt.block_on(async {
            let sigchld = signal(SignalKind::child()).unwrap();
            let mut pids = Vec::new();
            for _ in 0..20 {
                let child = Command::new("true").spawn().unwrap();
                pids.push(child.id().unwrap());
                drop(child); // not waited for
            }
            until_sigchld(sigchld, || pids.iter().all(|&p| !is_zombie(p) && !exists(p))).await;
        });
    }

    fn kill_on_drop_kills(rt) {
        rt.block_on(async {
            let sigchld = signal(SignalKind::child()).unwrap();
            let child = Command::new("sleep").arg("1000").kill_on_drop(true).spawn().unwrap();
            let pid = child.id().unwrap();
            drop(child);
            // Killed, then reaped in the background: the pid is gone.
            until_sigchld(sigchld, || !exists(pid)).await;
        });
    }

    fn pipe_one_child_into_another(rt) {
        rt.block_on(async {
            let mut first = Command::new("echo").arg("hello").stdout(Stdio::piped()).spawn().unwrap();
            let piped: Stdio = first.stdout.take().unwrap().try_into().unwrap();
            let out = Command::new("tr").arg("a-z").arg("A-Z").stdin(piped).output().await.unwrap();
            assert_eq!(out.stdout, b"HELLO\n");
            assert!(first.wait().await.unwrap().success());
        });
    }

    fn environment_directory_and_status(rt) {
        rt.block_on(async {
            let dir = std::env::temp_dir();
            let out = Command::new("sh")
                .args(["-c", "echo \"$GREETING\"; pwd"])
                .env("GREETING", "hi there")
                .current_dir(&dir)
                .output()
                .await
                .unwrap();
            let text = String::from_utf8(out.stdout).unwrap();
            let mut lines = text.lines();
            assert_eq!(lines.next(), Some("hi there"));
            assert_eq!(
                std::fs::canonicalize(lines.next().unwrap()).unwrap(),
                std::fs::canonicalize(&dir).unwrap()
            );
            let status = Command::new("sh").args(["-c", "exit 5"]).status().await.unwrap();
            assert_eq!(status.code(), Some(5));
            let err = Command::new("/definitely/not/a/program").spawn().unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
        });
    }

    fn a_cancelled_wait_loses_nothing(rt) {
        rt.block_on(async {
            let mut child = Command::new("sleep").arg("1000").spawn().unwrap();
            // The wait is dropped while the child runs...
            runtime::select! {
                _ = child.wait() => panic!("sleep 1000 exited"),
                _ = runtime::task::yield_now() => {}
            }
            child.start_kill().unwrap();
            // ...and a new one still sees the exit.
            let status = timeout(LIMIT, child.wait()).await.unwrap().unwrap();
            assert_eq!(status.signal(), Some(libc::SIGKILL));
        });
    }
}

#[test]
fn spawn_outside_a_runtime_panics_with_advice() {
    let err = std::panic::catch_unwind(|| Command::new("true").spawn()).unwrap_err();
    let msg = common::panic_message(&*err);
    assert!(msg.contains("no runtime"), "{msg}");
}
