//! asyncio's `TaskGroup` (Python 3.11): structured concurrency. Every
//! child finishes inside the block; the first failure cancels the others.
//!
//! ```python
//! import asyncio
//!
//! async def fetch(i):
//!     await asyncio.sleep(0)
//!     return i * 10
//!
//! async def fail():
//!     raise ConnectionError("no route to host")
//!
//! async def hang(log):
//!     try:
//!         await asyncio.Event().wait()
//!     except asyncio.CancelledError:
//!         log.append("cancelled")
//!         raise
//!
//! async def main():
//!     async with asyncio.TaskGroup() as tg:
//!         tasks = [tg.create_task(fetch(i)) for i in range(4)]
//!     print([t.result() for t in tasks])      # [0, 10, 20, 30]
//!
//!     log = []
//!     try:
//!         async with asyncio.TaskGroup() as tg:
//!             tg.create_task(hang(log))
//!             tg.create_task(fail())
//!     except* ConnectionError as eg:
//!         print(eg.exceptions, log)            # the hanging child was cancelled
//!
//! asyncio.run(main())
//! ```
//!
//! ```text
//! cargo run --example asyncio_taskgroup
//! ```

use runtime::task::{TaskGroup, TaskGroupError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

async fn fetch(i: u32) -> Result<u32, String> {
    runtime::task::yield_now().await;
    Ok(i * 10)
}

/// Sets its flag when dropped, i.e. when its task is cancelled.
struct OnCancel(Arc<AtomicBool>);

impl Drop for OnCancel {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[runtime::main]
async fn main() {
    // Every child succeeds: join() returns the values in spawn order.
    let mut group = TaskGroup::new();
    for i in 0..4 {
        group.spawn(fetch(i));
    }
    let values = group.join().await.unwrap();
    assert_eq!(values, [0, 10, 20, 30]);
    println!("all ok: {values:?}");

    // One child fails: join() cancels the others, waits until they have
    // stopped, and returns the first failure.
    let cancelled = Arc::new(AtomicBool::new(false));
    let on_cancel = OnCancel(cancelled.clone());
    let mut group: TaskGroup<u32, String> = TaskGroup::new();
    group.spawn(async move {
        let _on_cancel = on_cancel;
        std::future::pending::<()>().await;
        Ok(0)
    });
    group.spawn(async { Err("no route to host".to_string()) });
    match group.join().await {
        Err(TaskGroupError::Failed(e)) => {
            assert_eq!(e, "no route to host");
            // The sibling is gone by the time join() returns.
            assert!(cancelled.load(Ordering::SeqCst));
            println!("one failed: {e}; the hanging sibling was cancelled");
        }
        other => panic!("expected a failure, got {other:?}"),
    }

    // A panicking child is a failure too (the panic hook prints it).
    let mut group: TaskGroup<u32, String> = TaskGroup::new();
    group.spawn(fetch(1));
    group.spawn(async { panic!("bug in a child") });
    let err = group.join().await.unwrap_err();
    assert!(err.is_panic());
    let payload = err.into_join_error().unwrap().into_panic();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"bug in a child"));
    println!("one panicked: \"bug in a child\" comes back as TaskGroupError::Panicked");
}
