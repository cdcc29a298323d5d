//! asyncio's waiting primitives: `wait_for`, `asyncio.timeout` /
//! `timeout_at`, `wait(return_when=FIRST_COMPLETED)` and `as_completed`.
//!
//! ```python
//! import asyncio
//!
//! async def work(seconds, value):
//!     await asyncio.sleep(seconds)
//!     return value
//!
//! async def main():
//!     try:
//!         await asyncio.wait_for(work(10, "slow"), timeout=0.1)
//!     except TimeoutError:
//!         print("wait_for: timed out")
//!
//!     loop = asyncio.get_running_loop()
//!     try:
//!         async with asyncio.timeout_at(loop.time() + 0.3):  # one deadline
//!             await work(0.005, "step 1")
//!             await work(10, "step 2")
//!     except TimeoutError:
//!         print("deadline passed during step 2")
//!
//!     fast = asyncio.create_task(work(0.02, "fast"))
//!     slow = asyncio.create_task(work(10, "slow"))
//!     done, pending = await asyncio.wait({fast, slow},
//!                                        return_when=asyncio.FIRST_COMPLETED)
//!     slow.cancel()
//!
//!     for next_done in asyncio.as_completed([work(0.12, "c"), work(0.04, "a"),
//!                                            work(0.08, "b")]):
//!         print(await next_done)           # a, b, c
//!
//! asyncio.run(main())
//! ```
//!
//! ```text
//! cargo run --example asyncio_wait
//! ```

use runtime::task::JoinSet;
use runtime::time::{sleep, timeout, timeout_at, Duration, Instant};

async fn work(ms: u64, value: &'static str) -> &'static str {
    sleep(Duration::from_millis(ms)).await;
    value
}

// One thread, like asyncio's loop: the timers below fire, and their tasks
// finish, in deadline order. On the paused test clock (it jumps to the
// next timer whenever the loop is idle), so the outcomes below do not
// depend on how busy the machine is and the run takes no real time; drop
// `start_paused` to watch it in real time.
#[runtime::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    // wait_for(aw, timeout): Err(Elapsed) instead of TimeoutError; the
    // inner future is dropped, which cancels it.
    let slow = timeout(Duration::from_millis(100), work(10_000, "slow")).await;
    assert!(slow.is_err());
    println!("wait_for: {}", slow.unwrap_err());
    let fast = timeout(Duration::from_secs(5), work(1, "fast")).await;
    assert_eq!(fast, Ok("fast"));

    // async with asyncio.timeout_at(when): one deadline for several steps.
    // (asyncio.timeout(delay) around a block is timeout(delay, async { .. }).)
    let deadline = Instant::now() + Duration::from_millis(300);
    let steps = timeout_at(deadline, async {
        let first = work(5, "step 1").await;
        println!("timeout_at: {first} finished before the deadline");
        work(10_000, "step 2").await
    })
    .await;
    assert!(steps.is_err());
    println!("timeout_at: the deadline passed during step 2");

    // wait(return_when=FIRST_COMPLETED): select! over the handles. Polling
    // `&mut handle` leaves the loser running (asyncio's `pending` set).
    let mut fast = runtime::spawn(work(20, "fast"));
    let mut slow = runtime::spawn(work(10_000, "slow"));
    let first = runtime::select! {
        done = &mut fast => done.unwrap(),
        done = &mut slow => done.unwrap(),
    };
    assert_eq!(first, "fast");
    assert!(!slow.is_finished());
    slow.abort();
    println!("wait(FIRST_COMPLETED): {first} won, slow still pending (then aborted)");

    // as_completed: a JoinSet gives results in the order they finish.
    let mut set = JoinSet::new();
    set.spawn(work(120, "c"));
    set.spawn(work(40, "a"));
    set.spawn(work(80, "b"));
    let mut order = Vec::new();
    while let Some(done) = set.join_next().await {
        order.push(done.unwrap());
    }
    assert_eq!(order, ["a", "b", "c"]);
    println!("as_completed: {order:?}");
}
