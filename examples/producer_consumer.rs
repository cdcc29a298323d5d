//! Backpressure with a bounded queue: fast producers, slow consumers, and a
//! queue of 8 slots between them. When the queue is full, `send` waits,
//! so producers run at the consumers' pace and memory stays bounded.
//!
//! ```text
//! cargo run --example producer_consumer
//! ```
//!
//! The queue here is `async-channel`'s (executor-agnostic; it runs on any
//! runtime); the runtime's own `runtime::sync::mpsc` and asyncio-style
//! `Queue` come with the sync issue and will replace it.

use runtime::time::{sleep, Duration, Instant};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const CAPACITY: usize = 8;
const PRODUCERS: usize = 3;
const ITEMS_PER_PRODUCER: usize = 20;
const CONSUMERS: usize = 2;

#[runtime::main]
async fn main() {
    let (tx, rx) = async_channel::bounded::<(usize, usize)>(CAPACITY);
    let high_water = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();

    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let tx = tx.clone();
            let high_water = high_water.clone();
            runtime::spawn(async move {
                for i in 0..ITEMS_PER_PRODUCER {
                    // Waits while the queue is full: this is the backpressure.
                    tx.send((p, i)).await.expect("consumers are alive");
                    high_water.fetch_max(tx.len(), Ordering::Relaxed);
                }
            })
        })
        .collect();
    drop(tx);

    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|c| {
            let rx = rx.clone();
            runtime::spawn(async move {
                let mut handled = 0;
                while let Ok((p, i)) = rx.recv().await {
                    // Slow work per item.
                    sleep(Duration::from_millis(2)).await;
                    handled += 1;
                    if i == ITEMS_PER_PRODUCER - 1 {
                        println!("consumer {c}: producer {p}'s last item");
                    }
                }
                handled
            })
        })
        .collect();

    for p in producers {
        p.await.unwrap();
    }
    let mut total = 0;
    for c in consumers {
        total += c.await.unwrap();
    }
    let peak = high_water.load(Ordering::Relaxed);
    println!(
        "{total} items through a queue of {CAPACITY} in {:?}; the queue never held more than {peak}",
        started.elapsed()
    );
    assert_eq!(total, PRODUCERS * ITEMS_PER_PRODUCER);
    assert!(peak <= CAPACITY);
}
