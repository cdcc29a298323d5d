//! asyncio's event loop and coroutines: `asyncio.run`, `get_running_loop`,
//! `run_coroutine_threadsafe`, and "a coroutine does nothing until it is
//! awaited".
//!
//! ```python
//! import asyncio, threading
//!
//! async def answer(ran):
//!     ran.append(True)
//!     loop = asyncio.get_running_loop()
//!     helper = loop.create_task(asyncio.sleep(0, result=2))
//!     return 40 + await helper
//!
//! ran = []
//! coro = answer(ran)          # a coroutine object: nothing has run yet
//! assert ran == []
//! print(asyncio.run(coro))    # the event loop runs it: 42
//! ```
//!
//! `asyncio.run(main())` is `#[runtime::main]` on `async fn main` (every
//! other asyncio example uses it); this one spells out what the attribute
//! expands to, `Runtime::new()?.block_on(..)`, to show each step.
//!
//! ```text
//! cargo run --example asyncio_event_loop
//! ```

use runtime::{Handle, Runtime};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

async fn answer(ran: Arc<AtomicBool>) -> u32 {
    ran.store(true, Ordering::SeqCst);
    // asyncio.get_running_loop(): the runtime this code runs on.
    let handle = Handle::current();
    let helper = handle.spawn(async { 2 });
    40 + helper.await.unwrap()
}

fn main() -> std::io::Result<()> {
    // Outside a runtime there is no running loop (asyncio raises
    // RuntimeError("no running event loop")).
    assert!(Handle::try_current().is_err());
    println!("outside block_on: no current runtime");

    // asyncio.run(coro): build a runtime, run one future to completion.
    let rt = Runtime::new()?;
    let ran = Arc::new(AtomicBool::new(false));
    let coro = answer(ran.clone()); // a future: nothing has run yet
    assert!(!ran.load(Ordering::SeqCst));
    println!("answer() called: nothing ran yet");
    let value = rt.block_on(coro);
    assert!(ran.load(Ordering::SeqCst));
    assert_eq!(value, 42);
    println!("block_on(answer()) = {value}");

    // asyncio.run_coroutine_threadsafe(coro, loop): a Handle is Clone +
    // Send; spawn through it from any thread.
    let handle = rt.handle().clone();
    let from_thread = std::thread::spawn(move || {
        let task = handle.spawn(async { "hello from another thread" });
        handle.block_on(task).unwrap()
    });
    let msg = from_thread.join().unwrap();
    assert_eq!(msg, "hello from another thread");
    println!("spawned through a cloned Handle: {msg}");

    // Leaving `main` drops the runtime: like the end of asyncio.run, every
    // task still running is cancelled and the threads are joined.
    Ok(())
}
