//! Usage tests for `#[runtime::test]`: each function below is expanded by the
//! macro and run by the ordinary test harness on a fresh runtime.

#[runtime::test]
async fn current_thread_runs_the_body() {
    let value = async { 6 * 7 }.await;
    assert_eq!(value, 42);
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_thread_spawns_and_joins() {
    let handle = runtime::spawn(async { (1..=10).sum::<u32>() });
    assert_eq!(handle.await.unwrap(), 55);
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
