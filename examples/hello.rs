//! The main example: spawns a few tasks, a blocking job and a JoinSet on a
//! multi-thread runtime, and prints what happened.

use runtime::task::JoinSet;
use std::time::Instant;

#[runtime::main(worker_threads = 2)]
async fn main() {
    let started = Instant::now();

    // A task runs concurrently; its JoinHandle gives back its output.
    let greeting = runtime::spawn(async { format!("hello from task {}", runtime::task::id()) });
    println!("{}", greeting.await.unwrap());

    // Blocking work goes to the blocking pool, not a worker.
    let sum = runtime::spawn_blocking(|| (1..=1_000_000u64).sum::<u64>())
        .await
        .unwrap();
    println!("sum of 1..=1e6 computed on the blocking pool: {sum}");

    // A JoinSet collects results in completion order.
    let mut set = JoinSet::new();
    for i in 0..8u64 {
        set.spawn(async move {
            runtime::task::yield_now().await;
            i * i
        });
    }
    let mut squares = Vec::new();
    while let Some(res) = set.join_next().await {
        squares.push(res.unwrap());
    }
    squares.sort_unstable();
    println!("squares: {squares:?}");

    // A panic in a task is returned as a JoinError; the runtime carries on.
    // (Rust's panic hook still prints the panic message below.)
    println!("spawning a task that panics with \"boom\":");
    let err = runtime::spawn(async { panic!("boom") }).await.unwrap_err();
    println!("a task panicked and was caught: {err}");

    let metrics = runtime::Handle::current().metrics();
    println!(
        "{} workers, {} tasks spawned, done in {:?}",
        metrics.num_workers(),
        metrics.spawned_tasks_count(),
        started.elapsed()
    );
}
