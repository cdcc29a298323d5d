//! asyncio's `to_thread` and `loop.run_in_executor`: run blocking code
//! without stopping the event loop.
//!
//! ```python
//! import asyncio, queue
//!
//! def wait_for_message(q):          # blocking: queue.Queue.get()
//!     return q.get(timeout=5)
//!
//! async def main():
//!     q = queue.Queue()
//!     waiting = asyncio.create_task(asyncio.to_thread(wait_for_message, q))
//!     q.put("sent by a task")       # the loop is free to run this
//!     print(await waiting)
//!
//!     loop = asyncio.get_running_loop()
//!     sums = await asyncio.gather(*(loop.run_in_executor(None, sum, range(n))
//!                                   for n in (10, 100, 1000)))
//!
//! asyncio.run(main())
//! ```
//!
//! The runtime here has ONE worker thread, so any blocking call made on it
//! directly would stop every other task. Both ways out are shown:
//! `spawn_blocking` (a thread of the blocking pool) and `block_in_place`
//! (this worker blocks and hands its other tasks to a new worker).
//!
//! ```text
//! cargo run --example asyncio_to_thread
//! ```

use runtime::task::{self, JoinSet};
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

/// Blocking: waits on a std channel (a stand-in for blocking I/O, a
/// database driver, a C library...).
fn wait_for_message(rx: std_mpsc::Receiver<&'static str>) -> &'static str {
    rx.recv_timeout(Duration::from_secs(5))
        .expect("the message arrives: the worker was not blocked")
}

#[runtime::main(worker_threads = 1)]
async fn main() {
    // asyncio.to_thread(f, *args): spawn_blocking. The closure runs on the
    // blocking pool while the worker keeps running tasks: here, the very
    // task that sends what the closure waits for.
    let (tx, rx) = std_mpsc::channel();
    let waiting = runtime::spawn_blocking(move || wait_for_message(rx));
    runtime::spawn(async move { tx.send("sent by a task").unwrap() });
    let msg = waiting.await.unwrap();
    assert_eq!(msg, "sent by a task");
    println!("spawn_blocking: {msg}");

    // loop.run_in_executor(None, f) for many calls: JoinSet::spawn_blocking.
    let mut set = JoinSet::new();
    for n in [10u64, 100, 1000] {
        set.spawn_blocking(move || (n, (0..n).sum::<u64>()));
    }
    let mut sums = Vec::new();
    while let Some(res) = set.join_next().await {
        sums.push(res.unwrap());
    }
    sums.sort_unstable();
    assert_eq!(sums, [(10, 45), (100, 4950), (1000, 499500)]);
    println!("run_in_executor x3: {sums:?}");

    // block_in_place: blocking code inside a task, on a multi-thread
    // runtime. The worker's other tasks (the sender below) move to a new
    // worker thread while this one blocks.
    let (tx, rx) = std_mpsc::channel();
    let blocker = runtime::spawn(async move { task::block_in_place(|| wait_for_message(rx)) });
    let sender = runtime::spawn(async move { tx.send("sent while blocked in place").unwrap() });
    sender.await.unwrap();
    let msg = blocker.await.unwrap();
    assert_eq!(msg, "sent while blocked in place");
    println!("block_in_place: {msg}");
}
