//! asyncio's tasks, futures and `gather`: `create_task`, `Task` ids,
//! `loop.create_future()`, `gather(...)` with and without
//! `return_exceptions=True`.
//!
//! ```python
//! import asyncio
//!
//! async def square(x):
//!     await asyncio.sleep(0)
//!     return x * x
//!
//! async def parse(s):
//!     await asyncio.sleep(0)
//!     return int(s)                    # raises ValueError for "two"
//!
//! async def main():
//!     task = asyncio.create_task(square(7))       # runs concurrently
//!     assert await task == 49
//!
//!     fut = asyncio.get_running_loop().create_future()
//!     asyncio.get_running_loop().call_soon(fut.set_result, "done")
//!     assert await fut == "done"
//!
//!     assert await asyncio.gather(square(1), square(2), square(3)) == [1, 4, 9]
//!     try:
//!         await asyncio.gather(parse("1"), parse("x"), parse("3"))
//!     except ValueError as e:
//!         print("first error:", e)
//!     print(await asyncio.gather(parse("1"), parse("two"), parse("3"),
//!                                return_exceptions=True))
//!
//! asyncio.run(main())
//! ```
//!
//! ```text
//! cargo run --example asyncio_tasks
//! ```

use runtime::sync::oneshot;
use runtime::task::{self, JoinSet};

async fn square(x: u64) -> u64 {
    task::yield_now().await; // asyncio.sleep(0)
    x * x
}

async fn parse(s: &'static str) -> Result<u32, String> {
    task::yield_now().await;
    s.parse().map_err(|e| format!("{s:?}: {e}"))
}

#[runtime::main]
async fn main() {
    // create_task: the task starts at once, on any worker; its JoinHandle
    // is the Task object (await it, abort it, ask its id).
    let task = runtime::spawn(async { (task::id(), square(7).await) });
    let id = task.id();
    let (id_inside, value) = task.await.unwrap();
    assert_eq!((id_inside, value), (id, 49));
    println!("create_task: 49, and task::id() inside == JoinHandle::id()");

    // loop.create_future(): a oneshot channel. The Sender sets the result
    // (once), the Receiver is the awaitable.
    let (setter, fut) = oneshot::channel::<&str>();
    runtime::spawn(async move { setter.send("done").unwrap() });
    assert_eq!(fut.await.unwrap(), "done");
    // set_exception: send a Result. A setter dropped without a result
    // makes the await fail, as a cancelled future does.
    let (setter, fut) = oneshot::channel::<Result<u32, String>>();
    drop(setter);
    assert!(fut.await.is_err());
    println!("future: set_result -> done; setter dropped -> RecvError");

    // gather(a, b, c): join! runs them concurrently inside this task and
    // returns every output, in argument order.
    let (a, b, c) = runtime::join!(square(1), square(2), square(3));
    assert_eq!([a, b, c], [1, 4, 9]);
    // gather(*coros) over a list: spawn each, await the handles in order.
    let handles: Vec<_> = (1..=5).map(|x| runtime::spawn(square(x))).collect();
    let mut squares = Vec::new();
    for handle in handles {
        squares.push(handle.await.unwrap());
    }
    assert_eq!(squares, [1, 4, 9, 16, 25]);
    println!("gather: {:?} and {squares:?}", [a, b, c]);

    // gather without return_exceptions: the first error is the result.
    // try_join! also drops (cancels) the futures still running.
    let first_error = runtime::try_join!(parse("1"), parse("x"), parse("3"));
    assert_eq!(
        first_error,
        Err("\"x\": invalid digit found in string".into())
    );
    println!("try_join!: {}", first_error.unwrap_err());

    // gather(..., return_exceptions=True): every outcome, errors included.
    // A JoinSet hands them back in completion order; tag them to sort.
    let mut set = JoinSet::new();
    for (i, s) in ["1", "two", "3"].into_iter().enumerate() {
        set.spawn(async move { (i, parse(s).await) });
    }
    let mut outcomes = Vec::new();
    while let Some(joined) = set.join_next().await {
        outcomes.push(joined.expect("no task panicked"));
    }
    outcomes.sort_by_key(|(i, _)| *i);
    let outcomes: Vec<_> = outcomes.into_iter().map(|(_, r)| r).collect();
    assert_eq!(outcomes[0], Ok(1));
    assert!(outcomes[1].is_err());
    assert_eq!(outcomes[2], Ok(3));
    println!("return_exceptions: {outcomes:?}");
}
