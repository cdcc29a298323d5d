//! Shared helpers for the runtime integration tests: `rt_test!` runs one
//! test body on every scheduler flavour, plus small utilities (runtime
//! builders, a connected TCP pair, fresh temporary paths, drop guards,
//! panic-message extraction, a quiet panic hook).
#![allow(dead_code)]

pub mod log_capture;

use runtime::{Builder, Runtime};
use std::any::Any;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once};

/// A current-thread runtime.
pub fn current_thread() -> Runtime {
    build(0, |_| {})
}

/// A multi-thread runtime with `workers` worker threads.
pub fn multi_thread(workers: usize) -> Runtime {
    build(workers, |_| {})
}

/// A current-thread runtime whose clock starts paused (as
/// `#[runtime::test(start_paused = true)]` makes).
pub fn paused() -> Runtime {
    build(0, |b| {
        b.start_paused(true);
    })
}

/// Builds a runtime of the given flavour (`workers == 0`: current-thread)
/// after `configure` has adjusted the builder.
pub fn build(workers: usize, configure: impl FnOnce(&mut Builder)) -> Runtime {
    let mut builder = if workers == 0 {
        Builder::new_current_thread()
    } else {
        let mut b = Builder::new_multi_thread();
        b.worker_threads(workers);
        b
    };
    // Every driver on, as `Runtime::new()` and `#[runtime::main]` do: the
    // workers then park on the I/O driver, the path applications take.
    builder.enable_all();
    configure(&mut builder);
    builder.build().unwrap()
}

/// Defines one `#[test]` per scheduler flavour (current-thread,
/// multi-thread with 1 worker, multi-thread with 4 workers), each running
/// `body` with `rt` bound to a fresh `Runtime`:
///
/// ```ignore
/// rt_test! {
///     fn spawns(rt) {
///         assert_eq!(rt.block_on(async { runtime::spawn(async { 1 }).await.unwrap() }), 1);
///     }
///
///     // An optional closure adjusts the `Builder` first.
///     fn named(rt, |b| { b.thread_name("x"); }) {
///         // ...
///     }
/// }
/// ```
///
/// The tests are named `<name>::current_thread`, `<name>::multi_thread_1`
/// and `<name>::multi_thread_4`.
macro_rules! rt_test {
    ($(fn $name:ident($rt:ident $(, $configure:expr)?) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn current_thread() {
                let $rt = $crate::common::build(0, |_b| {
                    $( $crate::common::apply(_b, $configure); )?
                });
                $body
            }

            #[test]
            fn multi_thread_1() {
                let $rt = $crate::common::build(1, |_b| {
                    $( $crate::common::apply(_b, $configure); )?
                });
                $body
            }

            #[test]
            fn multi_thread_4() {
                let $rt = $crate::common::build(4, |_b| {
                    $( $crate::common::apply(_b, $configure); )?
                });
                $body
            }
        }
    )*};
}

/// Calls `configure` on the builder (gives the closure in `rt_test!` its
/// parameter type).
pub fn apply(builder: &mut Builder, configure: impl FnOnce(&mut Builder)) {
    configure(builder);
}

/// A connected pair of TCP streams on 127.0.0.1: (client, server).
pub async fn tcp_pair() -> (runtime::net::TcpStream, runtime::net::TcpStream) {
    let listener = runtime::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap();
    let client = runtime::net::TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

/// A path in the temporary directory that no other test (of this or any
/// other process) uses: `<tmp>/<prefix>-<pid>-<n>`. Nothing is created.
pub fn temp_path(prefix: &str) -> std::path::PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ))
}

/// `true` on a current-thread runtime.
pub fn is_current_thread(rt: &Runtime) -> bool {
    rt.handle().runtime_flavor() == runtime::runtime::RuntimeFlavor::CurrentThread
}

/// Sets a flag (increments a counter) when dropped: proves a future (or
/// whatever owns the guard) was destroyed.
pub struct DropGuard(pub Arc<AtomicUsize>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// The message of a panic payload (`&str` or `String`), or "" for others.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        String::new()
    }
}

/// Messages of the panics these tests provoke on purpose: the hook set by
/// [`quiet_panics`] keeps them out of the output, and prints every other
/// panic (real failures) as usual.
const EXPECTED: &[&str] = &[
    "expected panic",
    "no runtime",
    "must be called from the context of a runtime",
    "from within a runtime",
    "block_in_place",
    "must be at least 1",
    "enable_time",
    "enable_io",
    "current_thread runtime",
    "time is already frozen",
    "task_done() called more times",
    "all branches of select! are disabled",
    "task-local",
    "outside of a LocalSet",
];

/// Installs (once per test binary) a panic hook that silences the panics
/// the tests provoke on purpose.
pub fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let msg = panic_message(info.payload());
            if EXPECTED.iter().any(|e| msg.contains(e)) {
                return;
            }
            default(info);
        }));
    });
}

/// Runs `f`, which must panic, and returns the panic message.
#[track_caller]
pub fn panic_of<R>(f: impl FnOnce() -> R) -> String {
    quiet_panics();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(_) => panic!("the closure was expected to panic but returned"),
        Err(payload) => panic_message(&*payload),
    }
}

/// Sends `()` on a futures oneshot when dropped, so a test can `.await`
/// the destruction of whatever owns it.
pub struct SendOnDrop(pub Option<futures::channel::oneshot::Sender<()>>);

impl Drop for SendOnDrop {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

/// Keeps every worker of a multi-thread runtime blocked inside one poll,
/// so no other task can start until the value is dropped. On a
/// current-thread runtime nothing runs outside `block_on`, so it does
/// nothing there. Only on a runtime built with the blocking hand-off off
/// (`Builder::handoff_threshold(None)`): otherwise, 10 ms into the stall,
/// each blocked worker's core moves to a new thread that runs tasks again.
pub struct StalledWorkers {
    release: Vec<std::sync::mpsc::Sender<()>>,
}

/// See [`StalledWorkers`]. Returns once every worker is blocked: each
/// blocker reports from inside its poll, and a worker blocked in one poll
/// cannot run a second blocker.
pub fn stall_workers(rt: &Runtime) -> StalledWorkers {
    if is_current_thread(rt) {
        return StalledWorkers { release: vec![] };
    }
    let workers = rt.metrics().num_workers();
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let release = (0..workers)
        .map(|_| {
            let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
            let started_tx = started_tx.clone();
            drop(rt.spawn(async move {
                started_tx.send(()).unwrap();
                // Blocks this worker thread on purpose.
                let _ = release_rx.recv();
            }));
            release_tx
        })
        .collect();
    for _ in 0..workers {
        started_rx.recv().unwrap();
    }
    StalledWorkers { release }
}

impl Drop for StalledWorkers {
    fn drop(&mut self) {
        for tx in self.release.drain(..) {
            let _ = tx.send(());
        }
    }
}

/// A blocking closure that has started on the pool and waits until the
/// test releases it, then records that it finished and returns `value`.
/// Occupies one blocking thread on demand, without sleeps.
pub struct HeldBlocking<R> {
    pub handle: runtime::task::JoinHandle<R>,
    release: std::sync::mpsc::Sender<()>,
    finished: Arc<std::sync::atomic::AtomicBool>,
}

impl<R: Send + 'static> HeldBlocking<R> {
    /// Spawns the closure and returns once it is running.
    pub fn start(rt: &Runtime, value: R) -> HeldBlocking<R> {
        let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
        let (release, release_rx) = std::sync::mpsc::channel::<()>();
        let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let f = finished.clone();
        let handle = rt.spawn_blocking(move || {
            started_tx.send(()).unwrap();
            release_rx.recv().unwrap();
            f.store(true, Ordering::SeqCst);
            value
        });
        started_rx.recv().unwrap();
        HeldBlocking {
            handle,
            release,
            finished,
        }
    }

    /// `true` once the closure has returned from its wait.
    pub fn finished(&self) -> bool {
        self.finished.load(Ordering::SeqCst)
    }

    /// Lets the closure finish and returns its handle.
    pub fn release(self) -> runtime::task::JoinHandle<R> {
        self.release.send(()).unwrap();
        self.handle
    }
}

/// The path of an example binary (`cargo test` builds every example
/// before the tests run; `cargo test --test X` alone does not).
pub fn example_path(name: &str) -> std::path::PathBuf {
    // target/<profile>/deps/<test>-<hash> -> target/<profile>/examples/<name>
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name);
    assert!(
        path.exists(),
        "example binary {} is missing: run `cargo test` (it builds examples) or `cargo build --examples`",
        path.display()
    );
    path
}

/// Runs an example to completion; panics with its stderr if it fails.
/// Returns its stdout.
pub fn run_example(name: &str) -> String {
    run_example_with_stderr(name).0
}

/// [`run_example`], returning its stderr too: (stdout, stderr).
pub fn run_example_with_stderr(name: &str) -> (String, String) {
    let out = std::process::Command::new(example_path(name))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{name} failed: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// Sends SIGINT (Ctrl-C) to a server example started with piped stdout,
/// waits for it, asserts it exited cleanly, and returns the rest of its
/// stdout.
pub fn stop_with_ctrl_c(mut child: std::process::Child) -> String {
    use std::io::Read;
    // SAFETY: kill(2) on the pid of a child this process started and has
    // not waited for yet, so the pid still names that child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let mut rest = String::new();
    child
        .stdout
        .take()
        .expect("the child's stdout is piped")
        .read_to_string(&mut rest)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "did not exit cleanly on Ctrl-C: {status}; output: {rest}"
    );
    rest
}
