//! Usage tests for `#[runtime::test]` and `#[runtime::main]`: each function
//! below is expanded by the macro and run on a fresh runtime, and checks
//! from inside that runtime that it is the flavour, with the worker count,
//! that its attribute asked for (or the macro's default: `test` builds a
//! current-thread runtime, `main` a multi-thread one with a worker per
//! CPU, as Tokio's).

use runtime::runtime::{Handle, RuntimeFlavor};

/// The flavour and worker count of the runtime the caller runs on.
fn current_runtime() -> (RuntimeFlavor, usize) {
    let handle = Handle::current();
    (handle.runtime_flavor(), handle.metrics().num_workers())
}

/// What a multi-thread runtime built without `worker_threads` has.
fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

// ---- #[runtime::test] -------------------------------------------------------

#[runtime::test]
async fn test_defaults_to_current_thread() {
    assert_eq!(current_runtime(), (RuntimeFlavor::CurrentThread, 1));
    let value = async { 6 * 7 }.await;
    assert_eq!(value, 42);
    // Spawned tasks run on the test's own thread.
    let here = std::thread::current().id();
    let there = runtime::spawn(async { std::thread::current().id() })
        .await
        .unwrap();
    assert_eq!(here, there);
}

#[runtime::test(flavor = "current_thread")]
async fn test_current_thread_when_asked() {
    assert_eq!(current_runtime(), (RuntimeFlavor::CurrentThread, 1));
}

#[runtime::test(flavor = "multi_thread", worker_threads = 3)]
async fn test_multi_thread_with_three_workers() {
    assert_eq!(current_runtime(), (RuntimeFlavor::MultiThread, 3));
    let handle = runtime::spawn(async { (1..=10).sum::<u32>() });
    assert_eq!(handle.await.unwrap(), 55);
}

#[runtime::test(flavor = "multi_thread")]
async fn test_multi_thread_defaults_to_a_worker_per_cpu() {
    assert_eq!(current_runtime(), (RuntimeFlavor::MultiThread, cpus()));
}

#[runtime::test(start_paused = true)]
async fn test_start_paused_is_a_paused_current_thread_runtime() {
    assert_eq!(current_runtime(), (RuntimeFlavor::CurrentThread, 1));
    let start = runtime::time::Instant::now();
    runtime::time::sleep(std::time::Duration::from_secs(3600)).await;
    assert_eq!(start.elapsed(), std::time::Duration::from_secs(3600));
}

#[runtime::test]
async fn returns_result() -> Result<(), String> {
    let n: u32 = "17".parse().map_err(|e| format!("{e}"))?;
    if n != 17 {
        return Err(format!("parsed {n}"));
    }
    Ok(())
}

#[runtime::test]
#[should_panic(expected = "boom")]
async fn panics_propagate() {
    async {}.await;
    panic!("boom");
}

// ---- #[runtime::main] -------------------------------------------------------
//
// The attribute goes on any `async fn` without arguments (not only
// `main`): each of these becomes a plain function that builds its runtime,
// runs the body on it, and returns what the body returned.

#[runtime::main]
async fn main_default() -> (RuntimeFlavor, usize) {
    current_runtime()
}

#[runtime::main(flavor = "current_thread")]
async fn main_current_thread() -> (RuntimeFlavor, usize) {
    current_runtime()
}

#[runtime::main(flavor = "multi_thread", worker_threads = 3)]
async fn main_multi_thread_three_workers() -> (RuntimeFlavor, usize) {
    let spawned = runtime::spawn(async { current_runtime() }).await.unwrap();
    assert_eq!(spawned, current_runtime());
    current_runtime()
}

#[runtime::main(worker_threads = 3)]
async fn main_three_workers() -> (RuntimeFlavor, usize) {
    current_runtime()
}

#[test]
fn main_defaults_to_multi_thread_with_a_worker_per_cpu() {
    assert_eq!(main_default(), (RuntimeFlavor::MultiThread, cpus()));
}

#[test]
fn main_current_thread_when_asked() {
    assert_eq!(main_current_thread(), (RuntimeFlavor::CurrentThread, 1));
}

#[test]
fn main_multi_thread_with_three_workers() {
    assert_eq!(
        main_multi_thread_three_workers(),
        (RuntimeFlavor::MultiThread, 3)
    );
    // `worker_threads` alone keeps `main`'s default flavour.
    assert_eq!(main_three_workers(), (RuntimeFlavor::MultiThread, 3));
}

#[test]
fn main_runtime_is_gone_after_the_call() {
    assert_eq!(main_current_thread().0, RuntimeFlavor::CurrentThread);
    assert!(Handle::try_current().is_err(), "the runtime outlived main");
}
