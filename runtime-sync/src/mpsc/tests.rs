//! Unit tests of the mpsc additions: the blocking forms on real threads,
//! `send_timeout` against the stand-in timer of `test_util`, `recv_many`'s
//! edge cases, weak senders and owned permits.

use super::error::{SendError, SendTimeoutError, TryRecvError};
use super::{channel, unbounded_channel};
use crate::test_util::{as_runtime_thread, install_hook, panic_message, poll_once, CountingWaker};
use std::sync::Arc;
use std::task::Poll;
use std::thread;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(3600);

#[test]
fn blocking_send_parks_until_the_receiver_frees_a_slot() {
    let (tx, mut rx) = channel(1);
    tx.try_send(1).unwrap();
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let producer = thread::spawn(move || {
        started_tx.send(()).unwrap();
        tx.blocking_send(2)
    });
    started_rx.recv().unwrap();
    assert_eq!(rx.blocking_recv(), Some(1));
    assert_eq!(rx.blocking_recv(), Some(2));
    assert_eq!(producer.join().unwrap(), Ok(()));
    assert_eq!(rx.blocking_recv(), None, "the producer's sender is gone");
}

#[test]
fn blocking_send_fails_when_the_receiver_goes_away() {
    let (tx, rx) = channel(1);
    tx.try_send(1).unwrap();
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let producer = thread::spawn(move || {
        started_tx.send(()).unwrap();
        tx.blocking_send(2)
    });
    started_rx.recv().unwrap();
    drop(rx);
    assert_eq!(producer.join().unwrap(), Err(SendError(2)));
}

#[test]
fn blocking_recv_parks_until_a_message_or_the_end() {
    let (tx, mut rx) = unbounded_channel();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let consumer = thread::spawn(move || {
        let mut got = Vec::new();
        while let Some(v) = rx.blocking_recv() {
            got.push(v);
        }
        got
    });
    let sender = thread::spawn(move || {
        go_rx.recv().unwrap();
        for i in 0..100 {
            tx.send(i).unwrap();
        }
    });
    go_tx.send(()).unwrap();
    sender.join().unwrap();
    assert_eq!(consumer.join().unwrap(), (0..100).collect::<Vec<_>>());
}

#[test]
fn blocking_recv_many_takes_what_is_queued() {
    let (tx, mut rx) = channel(4);
    for i in 0..3 {
        tx.try_send(i).unwrap();
    }
    let mut buf = vec![9];
    assert_eq!(rx.blocking_recv_many(&mut buf, 2), 2);
    assert_eq!(buf, [9, 0, 1], "appends after what was there");
    assert_eq!(tx.capacity(), 3, "received messages free their slots");
    drop(tx);
    assert_eq!(rx.blocking_recv_many(&mut buf, 2), 1);
    assert_eq!(rx.blocking_recv_many(&mut buf, 2), 0);
}

#[test]
fn blocking_calls_panic_on_a_runtime_thread_and_change_nothing() {
    let (tx, mut rx) = channel::<u8>(1);
    let msg = as_runtime_thread(|| panic_message(|| tx.blocking_send(1)));
    assert!(
        msg.starts_with("Cannot block the current thread from within a runtime"),
        "{msg}"
    );
    assert!(msg.contains("`mpsc::Sender::blocking_send`"), "{msg}");
    assert!(msg.contains("mpsc::Sender::send(value).await"), "{msg}");
    assert!(msg.contains("spawn_blocking"), "{msg}");
    assert_eq!(tx.capacity(), 1, "no slot taken");
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty), "nothing sent");

    let msg = as_runtime_thread(|| panic_message(|| rx.blocking_recv()));
    assert!(msg.contains("`mpsc::Receiver::blocking_recv`"), "{msg}");
    let msg = as_runtime_thread(|| panic_message(|| rx.blocking_recv_many(&mut Vec::new(), 1)));
    assert!(
        msg.contains("`mpsc::Receiver::blocking_recv_many`"),
        "{msg}"
    );

    let (utx, mut urx) = unbounded_channel::<u8>();
    utx.send(5).unwrap();
    let msg = as_runtime_thread(|| panic_message(|| urx.blocking_recv()));
    assert!(
        msg.contains("`mpsc::UnboundedReceiver::blocking_recv`"),
        "{msg}"
    );
    assert_eq!(urx.try_recv(), Ok(5), "the queued message is still there");

    // Off the runtime thread the same calls block as usual.
    tx.blocking_send(2).unwrap();
    assert_eq!(rx.blocking_recv(), Some(2));
}

#[test]
fn send_timeout_takes_a_free_slot_even_with_a_zero_timeout() {
    install_hook();
    let (tx, mut rx) = channel(1);
    let res = futures::executor::block_on(tx.send_timeout(1, Duration::ZERO));
    assert_eq!(res, Ok(()));
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn send_timeout_on_a_full_channel_times_out_and_keeps_no_slot() {
    install_hook();
    let (tx, mut rx) = channel(1);
    tx.try_send(1).unwrap();
    let res = futures::executor::block_on(tx.send_timeout(2, Duration::ZERO));
    assert_eq!(res, Err(SendTimeoutError::Timeout(2)));
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(tx.capacity(), 1);
    // No waiter left behind: the fast path is open again.
    tx.try_send(3).unwrap();
    assert_eq!(rx.try_recv(), Ok(3));
}

#[test]
fn send_timeout_reports_a_closed_channel() {
    install_hook();
    let (tx, rx) = channel(1);
    drop(rx);
    let res = futures::executor::block_on(tx.send_timeout(7, LONG));
    assert_eq!(res, Err(SendTimeoutError::Closed(7)));

    let (tx, mut rx) = channel(1);
    tx.try_send(1).unwrap();
    let w = CountingWaker::new();
    let mut fut = Box::pin(tx.send_timeout(2, LONG));
    assert!(poll_once(&mut fut, &w).is_pending());
    rx.close();
    assert_eq!(w.wakes(), 1, "the close wakes the waiting send");
    assert_eq!(
        poll_once(&mut fut, &w),
        Poll::Ready(Err(SendTimeoutError::Closed(2)))
    );
}

#[test]
fn send_timeout_delivers_once_a_slot_frees_before_the_deadline() {
    install_hook();
    let (tx, mut rx) = channel(1);
    tx.try_send(1).unwrap();
    let w = CountingWaker::new();
    let mut fut = Box::pin(tx.send_timeout(2, LONG));
    assert!(poll_once(&mut fut, &w).is_pending());
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(w.wakes(), 1, "the freed slot wakes the waiting send");
    assert_eq!(poll_once(&mut fut, &w), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn cancelled_send_timeout_leaves_no_waker_and_no_slot_behind() {
    install_hook();
    let (tx, mut rx) = channel(1);
    tx.try_send(1).unwrap();

    // Dropped while queued.
    let w = CountingWaker::new();
    let mut fut = Box::pin(tx.send_timeout(2, LONG));
    assert!(poll_once(&mut fut, &w).is_pending());
    assert!(
        Arc::strong_count(&w) > 1,
        "the waiting send holds the waker"
    );
    drop(fut);
    assert_eq!(Arc::strong_count(&w), 1, "dropping it takes the waker back");
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(tx.capacity(), 1);

    // Dropped after a slot was granted to it but before it took it.
    tx.try_send(3).unwrap();
    let mut fut = Box::pin(tx.send_timeout(4, LONG));
    assert!(poll_once(&mut fut, &w).is_pending());
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(tx.capacity(), 0, "the freed slot went to the waiting send");
    drop(fut);
    assert_eq!(tx.capacity(), 1, "dropping it gives the slot back");
    assert_eq!(Arc::strong_count(&w), 1);
    assert_eq!(
        rx.try_recv(),
        Err(TryRecvError::Empty),
        "its value was not sent"
    );
}

#[test]
fn cancelled_send_timeout_passes_a_granted_slot_to_the_next_sender() {
    install_hook();
    let (tx, mut rx) = channel(1);
    tx.try_send(1).unwrap();
    let w = CountingWaker::new();
    let mut first = Box::pin(tx.send_timeout(2, LONG));
    let mut second = Box::pin(tx.send(3));
    assert!(poll_once(&mut first, &w).is_pending());
    assert!(poll_once(&mut second, &w).is_pending());
    assert_eq!(rx.try_recv(), Ok(1)); // the slot goes to `first`
    drop(first);
    assert_eq!(poll_once(&mut second, &w), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(3));
}

#[test]
fn recv_many_with_limit_zero_returns_zero_at_once() {
    let (tx, mut rx) = channel(2);
    let w = CountingWaker::new();
    let mut buf = Vec::new();
    // Empty and open: no wait.
    let mut fut = Box::pin(rx.recv_many(&mut buf, 0));
    assert_eq!(poll_once(&mut fut, &w), Poll::Ready(0));
    drop(fut);
    // Messages queued: none taken.
    tx.try_send(1).unwrap();
    let mut fut = Box::pin(rx.recv_many(&mut buf, 0));
    assert_eq!(poll_once(&mut fut, &w), Poll::Ready(0));
    drop(fut);
    assert!(buf.is_empty());
    assert_eq!(rx.len(), 1);
}

#[test]
fn recv_many_waits_for_the_first_message_only() {
    let (tx, mut rx) = channel(4);
    let w = CountingWaker::new();
    let mut buf = Vec::new();
    let mut fut = Box::pin(rx.recv_many(&mut buf, 10));
    assert!(poll_once(&mut fut, &w).is_pending());
    tx.try_send(1).unwrap();
    assert_eq!(w.wakes(), 1);
    assert_eq!(poll_once(&mut fut, &w), Poll::Ready(1));
    drop(fut);
    assert_eq!(buf, [1]);
    assert_eq!(tx.capacity(), 4);
}
