//! asyncio's synchronisation primitives: `Semaphore`, `Lock`, `Event`,
//! `Condition`.
//!
//! ```python
//! import asyncio
//!
//! async def main():
//!     sem = asyncio.Semaphore(2)
//!     async def job():
//!         async with sem:                    # at most 2 at once
//!             await asyncio.sleep(0.01)
//!     await asyncio.gather(*(job() for _ in range(6)))
//!
//!     lock, counter = asyncio.Lock(), 0
//!     async def add():
//!         nonlocal counter
//!         async with lock:                   # held across an await
//!             value = counter
//!             await asyncio.sleep(0)
//!             counter = value + 1
//!     await asyncio.gather(*(add() for _ in range(100)))
//!
//!     ready = asyncio.Event()
//!     waiter = asyncio.create_task(ready.wait())
//!     ready.set()
//!     await waiter
//!
//!     cond, items = asyncio.Condition(), []
//!     async def consumer():
//!         async with cond:
//!             await cond.wait_for(lambda: len(items) >= 3)
//!             return list(items)
//!     task = asyncio.create_task(consumer())
//!     for i in range(3):
//!         async with cond:
//!             items.append(i)
//!             cond.notify_all()
//!     print(await task)
//!
//! asyncio.run(main())
//! ```
//!
//! ```text
//! cargo run --example asyncio_sync
//! ```

use runtime::sync::{watch, Mutex, Notify, Semaphore};
use runtime::time::{sleep, Duration};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[runtime::main]
async fn main() {
    // Semaphore(2): `async with sem` is a permit held until dropped.
    let sem = Arc::new(Semaphore::new(2));
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let mut jobs = Vec::new();
    for _ in 0..6 {
        let (sem, running, peak) = (sem.clone(), running.clone(), peak.clone());
        jobs.push(runtime::spawn(async move {
            let _permit = sem.acquire().await.unwrap();
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            sleep(Duration::from_millis(10)).await;
            running.fetch_sub(1, Ordering::SeqCst);
        }));
    }
    for job in jobs {
        job.await.unwrap();
    }
    assert!(peak.load(Ordering::SeqCst) <= 2);
    assert_eq!(sem.available_permits(), 2);
    println!("Semaphore(2): 6 jobs, never more than 2 at once");

    // Lock: runtime::sync::Mutex guards the data itself; its guard may be
    // held across an .await (std's Mutex must not be).
    let counter = Arc::new(Mutex::new(0u32));
    let mut adders = Vec::new();
    for _ in 0..100 {
        let counter = counter.clone();
        adders.push(runtime::spawn(async move {
            let mut guard = counter.lock().await;
            let value = *guard;
            runtime::task::yield_now().await;
            *guard = value + 1;
        }));
    }
    for adder in adders {
        adder.await.unwrap();
    }
    assert_eq!(*counter.lock().await, 100);
    println!("Lock: 100 read-await-write increments, counter = 100");

    // Event: a watch channel of bool. set() = send_replace(true),
    // clear() = send_replace(false), wait() = wait until it reads true.
    let (event, mut ready) = watch::channel(false);
    let waiter = runtime::spawn(async move {
        while !*ready.borrow_and_update() {
            ready.changed().await.unwrap();
        }
        "event seen"
    });
    event.send_replace(true);
    assert_eq!(waiter.await.unwrap(), "event seen");
    println!("Event: set() woke the waiter");

    // Condition: a Mutex for the state plus a Notify. Create the Notified
    // future before checking the predicate: a notify_waiters() that comes
    // in between is then not missed.
    let state = Arc::new((Mutex::new(Vec::new()), Notify::new()));
    let consumer = {
        let state = state.clone();
        runtime::spawn(async move {
            let (items, cond) = &*state;
            loop {
                let notified = cond.notified();
                {
                    let items = items.lock().await;
                    if items.len() >= 3 {
                        return items.clone();
                    }
                }
                notified.await;
            }
        })
    };
    for i in 0..3 {
        let (items, cond) = &*state;
        items.lock().await.push(i);
        cond.notify_waiters(); // notify_all(); notify_one() is notify(1)
    }
    let seen = consumer.await.unwrap();
    assert_eq!(seen, [0, 1, 2]);
    println!("Condition: the consumer saw {seen:?}");
}
