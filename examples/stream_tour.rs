//! `runtime::stream`, tokio-stream's counterpart: a Tokio program that
//! used `tokio_stream::` ports by renaming it `runtime::stream::`.
//!
//! - `chunks_timeout` batches bursty channel traffic (by count or by time);
//! - `StreamMap` merges keyed feeds (an `IntervalStream` and an iterator);
//! - `throttle` + `timeout` pace a stream and flag the late items;
//! - `WatchStream` turns a config channel into a stream of its values.
//!
//! The clock is paused (`start_paused = true`), so the timers fire as soon
//! as the program has nothing else to do: it runs instantly and prints the
//! same thing every time.
//!
//! ```text
//! cargo run --example stream_tour
//! ```

use runtime::stream::wrappers::{IntervalStream, ReceiverStream, WatchStream};
use runtime::stream::{self, Stream, StreamExt, StreamMap};
use runtime::sync::{mpsc, watch};
use runtime::time::{self, Duration, Instant};
use std::collections::BTreeMap;
use std::pin::Pin;

#[runtime::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let start = Instant::now();

    // Bursts of 3, 5 and 1 readings, 500 ms apart, batched by 4 or 100 ms.
    let (tx, rx) = mpsc::channel(16);
    runtime::spawn(async move {
        for burst in [3u32, 5, 1] {
            for reading in 0..burst {
                tx.send(reading).await.unwrap();
            }
            time::sleep(Duration::from_millis(500)).await;
        }
    });
    let batches: Vec<Vec<u32>> = ReceiverStream::new(rx)
        .chunks_timeout(4, Duration::from_millis(100))
        .collect()
        .await;
    println!("batches: {batches:?}");

    // Keyed feeds: items come with their key; a feed that ends is dropped.
    type Feed = Pin<Box<dyn Stream<Item = String> + Send>>;
    let mut feeds: StreamMap<&str, Feed> = StreamMap::new();
    let ticks = IntervalStream::new(time::interval(Duration::from_millis(100)));
    feeds.insert("ticks", Box::pin(ticks.map(|t| format!("{t:?}")).take(3)));
    feeds.insert(
        "words",
        Box::pin(stream::iter(["a", "b"]).map(String::from)),
    );
    let mut counts = BTreeMap::new();
    while let Some((key, _item)) = feeds.next().await {
        *counts.entry(key).or_insert(0) += 1;
    }
    println!("feeds: {counts:?}");

    // One item per 300 ms, each expected within 200 ms: the gaps report
    // one `Elapsed` each, and the items still come.
    let paced = stream::iter(1..=3)
        .throttle(Duration::from_millis(300))
        .timeout(Duration::from_millis(200));
    let paced: Vec<String> = paced
        .map(|r| match r {
            Ok(n) => n.to_string(),
            Err(elapsed) => elapsed.to_string(),
        })
        .collect()
        .await;
    println!("paced: {paced:?}");

    // A watch channel as a stream: the current value, then each change.
    let (config, rx) = watch::channel("v1");
    runtime::spawn(async move {
        time::sleep(Duration::from_millis(10)).await;
        config.send("v2").unwrap();
    });
    let versions: Vec<&str> = WatchStream::new(rx).collect().await;
    println!("config: {versions:?}");

    println!("done after {:?} of paused time", start.elapsed());
}
