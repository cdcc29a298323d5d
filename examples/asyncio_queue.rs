//! asyncio's `Queue` (with `maxsize` backpressure and `task_done` /
//! `join`), `PriorityQueue` and `LifoQueue`.
//!
//! ```python
//! import asyncio
//!
//! async def worker(q, results):
//!     while True:
//!         item = await q.get()
//!         await asyncio.sleep(0)
//!         results.append(item * 2)
//!         q.task_done()
//!
//! async def main():
//!     q = asyncio.Queue(maxsize=4)
//!     results = []
//!     workers = [asyncio.create_task(worker(q, results)) for _ in range(3)]
//!     for i in range(20):
//!         await q.put(i)            # waits while 4 items are queued
//!     await q.join()                # every item got its task_done()
//!     for w in workers:
//!         w.cancel()
//!
//!     pq = asyncio.PriorityQueue()
//!     for job in [(3, "low"), (1, "urgent"), (2, "normal")]:
//!         pq.put_nowait(job)
//!     print([pq.get_nowait()[1] for _ in range(3)])  # urgent, normal, low
//!
//! asyncio.run(main())
//! ```
//!
//! ```text
//! cargo run --example asyncio_queue
//! ```

use runtime::sync::{LifoQueue, PriorityQueue, Queue};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

const MAXSIZE: usize = 4;

#[runtime::main]
async fn main() {
    // Queue(maxsize=4), shared by the producer (this task) and 3 workers.
    let queue = Arc::new(Queue::<u64>::new(MAXSIZE));
    let sum = Arc::new(AtomicU64::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let (queue, sum, peak) = (queue.clone(), sum.clone(), peak.clone());
            runtime::spawn(async move {
                loop {
                    peak.fetch_max(queue.len(), Ordering::Relaxed);
                    let item = queue.get().await;
                    runtime::task::yield_now().await;
                    sum.fetch_add(item * 2, Ordering::Relaxed);
                    queue.task_done();
                }
            })
        })
        .collect();
    for i in 0..20 {
        queue.put(i).await; // waits while the queue is full: backpressure
        peak.fetch_max(queue.len(), Ordering::Relaxed);
    }
    queue.join().await; // every item put has been marked task_done()
    for w in &workers {
        w.abort();
    }
    let total = sum.load(Ordering::Relaxed);
    assert_eq!(total, 2 * (0..20).sum::<u64>());
    assert!(peak.load(Ordering::Relaxed) <= MAXSIZE);
    println!("Queue(maxsize={MAXSIZE}): 20 items by 3 workers, sum of doubles {total}");

    // put_nowait / get_nowait: try_put (Err(item) when full: QueueFull)
    // and try_get (None when empty: QueueEmpty).
    let small = Queue::new(1);
    assert_eq!(small.try_put("a"), Ok(()));
    assert_eq!(small.try_put("b"), Err("b"));
    assert_eq!(small.try_get(), Some("a"));
    assert_eq!(small.try_get(), None);
    println!("try_put on a full queue: Err(item); try_get on an empty one: None");

    // PriorityQueue: smallest first (tuples compare field by field).
    let pq = PriorityQueue::new(0); // 0: unbounded, as asyncio
    for job in [(3, "low"), (1, "urgent"), (2, "normal")] {
        pq.put(job).await;
    }
    let mut order = Vec::new();
    while let Some((_, name)) = pq.try_get() {
        order.push(name);
    }
    assert_eq!(order, ["urgent", "normal", "low"]);
    println!("PriorityQueue: {order:?}");

    // LifoQueue: newest first.
    let lifo = LifoQueue::new(0);
    for i in 1..=3 {
        lifo.put(i).await;
    }
    let order = [lifo.get().await, lifo.get().await, lifo.get().await];
    assert_eq!(order, [3, 2, 1]);
    println!("LifoQueue: {order:?}");
}
