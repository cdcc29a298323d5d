//! Backpressure with a bounded queue: fast producers, a slow consumer, and
//! a queue of 8 slots between them. When the queue is full, `send` waits,
//! so the producers run at the consumer's pace and memory stays bounded.
//!
//! ```text
//! cargo run --example producer_consumer
//! ```
//!
//! The queue is `runtime::sync::mpsc::channel(8)`: one cloned sender per
//! producer, one receiver. (asyncio's `Queue` with `task_done`/`join` and
//! several consumers comes with the rest of `runtime::sync`.)

use runtime::sync::mpsc;
use runtime::time::{sleep, Duration, Instant};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const CAPACITY: usize = 8;
const PRODUCERS: usize = 3;
const ITEMS_PER_PRODUCER: usize = 20;

#[runtime::main]
async fn main() {
    let (tx, mut rx) = mpsc::channel::<(usize, usize)>(CAPACITY);
    let high_water = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();

    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let tx = tx.clone();
            let high_water = high_water.clone();
            runtime::spawn(async move {
                for i in 0..ITEMS_PER_PRODUCER {
                    // Waits while the queue is full: this is the backpressure.
                    tx.send((p, i)).await.expect("the consumer is alive");
                    let queued = tx.max_capacity() - tx.capacity();
                    high_water.fetch_max(queued, Ordering::Relaxed);
                }
            })
        })
        .collect();
    drop(tx);

    let consumer = runtime::spawn(async move {
        let mut handled = 0;
        while let Some((p, i)) = rx.recv().await {
            // Slow work per item.
            sleep(Duration::from_millis(1)).await;
            handled += 1;
            if i == ITEMS_PER_PRODUCER - 1 {
                println!("consumer: producer {p}'s last item");
            }
        }
        handled
    });

    for p in producers {
        p.await.unwrap();
    }
    let total = consumer.await.unwrap();
    let peak = high_water.load(Ordering::Relaxed);
    println!(
        "{total} items through a queue of {CAPACITY} in {:?}; the queue never held more than {peak}",
        started.elapsed()
    );
    assert_eq!(total, PRODUCERS * ITEMS_PER_PRODUCER);
    assert!(peak <= CAPACITY);
}
