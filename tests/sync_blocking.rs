//! runtime::sync's blocking forms and `mpsc::Sender::send_timeout` inside
//! the real runtime: the blocking calls panic on a thread that drives
//! tasks and work from `spawn_blocking` and `block_in_place`; the timeout
//! runs on the runtime's (paused) clock, and panics clearly without one.

#[allow(unused_macros)]
mod common;

use runtime::sync::mpsc::{self, error::SendTimeoutError};
use runtime::sync::{Mutex, RwLock};
use runtime::time::{Duration, Instant};
use std::sync::Arc;

fn assert_refuses_to_block(what: &str, f: impl FnOnce()) {
    let msg = common::panic_of(f);
    assert!(
        msg.starts_with("Cannot block the current thread from within a runtime"),
        "{msg}"
    );
    assert!(msg.contains(what), "{msg}");
}

#[test]
fn blocking_calls_panic_in_block_on() {
    let rt = common::current_thread();
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let m = Mutex::new(0);
    let lock = RwLock::new(0);
    rt.block_on(async {
        assert_refuses_to_block("mpsc::Sender::blocking_send", || {
            let _ = tx.blocking_send(1);
        });
        assert_refuses_to_block("mpsc::Receiver::blocking_recv", || {
            let _ = rx.blocking_recv();
        });
        assert_refuses_to_block("Mutex::blocking_lock", || drop(m.blocking_lock()));
        assert_refuses_to_block("RwLock::blocking_read", || drop(lock.blocking_read()));
        assert_refuses_to_block("RwLock::blocking_write", || drop(lock.blocking_write()));
    });
    assert_eq!(tx.capacity(), 1, "the refused send took no slot");
    assert!(m.try_lock().is_ok());
}

#[test]
fn blocking_calls_panic_on_a_worker() {
    let rt = common::multi_thread(2);
    let (utx, urx) = mpsc::unbounded_channel::<u8>();
    let refused = rt.block_on(async {
        runtime::spawn(async move {
            let mut urx = urx;
            common::panic_of(|| urx.blocking_recv())
        })
        .await
    });
    let msg = refused.unwrap();
    assert!(
        msg.contains("mpsc::UnboundedReceiver::blocking_recv"),
        "{msg}"
    );
    drop(utx);
}

#[runtime::test]
async fn blocking_calls_work_from_spawn_blocking() {
    let (tx, mut rx) = mpsc::channel(1);
    let producer = runtime::spawn_blocking(move || {
        for i in 0..20 {
            tx.blocking_send(i).unwrap();
        }
    });
    let mut got = Vec::new();
    while let Some(v) = rx.recv().await {
        got.push(v);
    }
    producer.await.unwrap();
    assert_eq!(got, (0..20).collect::<Vec<_>>());

    let (tx, mut rx) = mpsc::channel(1);
    let consumer = runtime::spawn_blocking(move || {
        let mut sum = 0;
        while let Some(v) = rx.blocking_recv() {
            sum += v;
        }
        sum
    });
    for i in 1..=10 {
        tx.send(i).await.unwrap();
    }
    drop(tx);
    assert_eq!(consumer.await.unwrap(), 55);

    let m = Arc::new(Mutex::new(0));
    let held = m.clone().lock_owned().await;
    let waiter = {
        let m = m.clone();
        runtime::spawn_blocking(move || *m.blocking_lock() += 1)
    };
    drop(held);
    waiter.await.unwrap();
    assert_eq!(*m.lock().await, 1);
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_calls_work_inside_block_in_place() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    runtime::spawn(async move {
        tx.send("from a task").unwrap();
    });
    let got = runtime::task::block_in_place(|| rx.blocking_recv());
    assert_eq!(got, Some("from a task"));
}

#[runtime::test(start_paused = true)]
async fn send_timeout_times_out_on_the_paused_clock() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.send(1).await.unwrap();
    let start = Instant::now();
    let res = tx.send_timeout(2, Duration::from_secs(10)).await;
    assert_eq!(res, Err(SendTimeoutError::Timeout(2)));
    assert_eq!(Instant::now() - start, Duration::from_secs(10));
    assert_eq!(tx.capacity(), 0, "only the first message holds a slot");
    assert_eq!(rx.recv().await, Some(1));
    assert_eq!(tx.capacity(), 1, "the timed-out send kept no slot");
}

#[runtime::test(start_paused = true)]
async fn send_timeout_delivers_when_a_slot_frees_in_time() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.send(1).await.unwrap();
    let start = Instant::now();
    let consumer = runtime::spawn(async move {
        runtime::time::sleep(Duration::from_secs(3)).await;
        let first = rx.recv().await;
        (first, rx.recv().await)
    });
    tx.send_timeout(2, Duration::from_secs(10)).await.unwrap();
    assert_eq!(Instant::now() - start, Duration::from_secs(3));
    drop(tx);
    assert_eq!(consumer.await.unwrap(), (Some(1), Some(2)));
}

#[runtime::test(start_paused = true)]
async fn a_cancelled_send_timeout_gives_its_place_back() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.send(1).await.unwrap();
    let outer = runtime::time::timeout(
        Duration::from_secs(1),
        tx.send_timeout(2, Duration::from_secs(60)),
    )
    .await;
    assert!(outer.is_err(), "the outer timeout fired first");
    assert_eq!(rx.recv().await, Some(1));
    tx.try_send(3)
        .expect("the dropped send left no waiter and no slot behind");
    assert_eq!(rx.recv().await, Some(3));
}

#[test]
fn send_timeout_panics_without_a_timer() {
    // A runtime built without the timer.
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    let (tx, _rx) = mpsc::channel(1);
    let msg = common::panic_of(|| rt.block_on(tx.send_timeout(1, Duration::from_secs(1))));
    assert!(msg.contains("mpsc::Sender::send_timeout"), "{msg}");
    assert!(msg.contains("timer driver is disabled"), "{msg}");
    assert!(msg.contains("enable_time"), "{msg}");

    // No runtime at all on this thread.
    let msg = common::panic_of(|| {
        futures::executor::block_on(tx.send_timeout(1, Duration::from_secs(1)))
    });
    assert!(msg.contains("mpsc::Sender::send_timeout"), "{msg}");
    assert!(msg.contains("timer"), "{msg}");
}
