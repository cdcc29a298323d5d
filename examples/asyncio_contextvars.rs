//! asyncio and `contextvars`: a value that follows the task, not the
//! thread (a request id for log lines).
//!
//! ```python
//! import asyncio, contextvars
//!
//! request_id = contextvars.ContextVar("request_id")
//!
//! def log(msg):
//!     return f"[request {request_id.get()}] {msg}"
//!
//! async def handle(n):
//!     request_id.set(n)
//!     lines = [log("start")]
//!     await asyncio.sleep(0)
//!     # create_task copies the current context: the child sees n too
//!     lines.append(await asyncio.create_task(child()))
//!     return lines
//!
//! async def child():
//!     return log("child")
//!
//! async def main():
//!     print(await asyncio.gather(*(handle(n) for n in (1, 2, 3))))
//!     request_id.get()    # LookupError: not set in this context
//!
//! asyncio.run(main())
//! ```
//!
//! One difference matters: `runtime::spawn` does not copy task-locals into
//! the new task (asyncio's `create_task` copies the context). Re-scope the
//! value for the child explicitly.
//!
//! ```text
//! cargo run --example asyncio_contextvars
//! ```

use runtime::task::JoinSet;

runtime::task_local! {
    static REQUEST_ID: u32;
}

fn log(msg: &str) -> String {
    format!("[request {}] {msg}", REQUEST_ID.get())
}

async fn child() -> String {
    log("child")
}

async fn handle() -> Vec<String> {
    let mut lines = vec![log("start")];
    // Other requests run while this one waits.
    runtime::task::yield_now().await;
    // A spawned child does not inherit the value: pass it on.
    let id = REQUEST_ID.get();
    lines.push(runtime::spawn(REQUEST_ID.scope(id, child())).await.unwrap());
    // Without a scope the child sees nothing (LookupError).
    let unscoped = runtime::spawn(async { REQUEST_ID.try_get().is_err() });
    assert!(unscoped.await.unwrap());
    lines
}

#[runtime::main]
async fn main() {
    // request_id.set(n) for the whole of handle(): KEY.scope(n, future).
    let mut set = JoinSet::new();
    for n in 1..=3 {
        set.spawn(REQUEST_ID.scope(n, handle()));
    }
    let mut all = Vec::new();
    while let Some(lines) = set.join_next().await {
        all.extend(lines.unwrap());
    }
    all.sort();
    for line in &all {
        println!("{line}");
    }
    assert_eq!(all.len(), 6);
    for n in 1..=3 {
        let tag = format!("[request {n}]");
        assert_eq!(all.iter().filter(|l| l.starts_with(&tag)).count(), 2);
    }

    // Outside every scope the key has no value.
    assert!(REQUEST_ID.try_get().is_err());
    // Synchronous code can be given a value too.
    let line = REQUEST_ID.sync_scope(7, || log("sync"));
    assert_eq!(line, "[request 7] sync");
    println!("{line}");
}
