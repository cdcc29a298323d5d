//! Unit tests of the mpsc additions: the blocking forms on real threads,
//! `send_timeout` against the stand-in timer of `test_util`, `recv_many`'s
//! edge cases, weak senders and owned permits.

use super::error::{SendError, SendTimeoutError, TryRecvError};
use super::{channel, unbounded_channel, Receiver, Sender};
use crate::test_util::{as_runtime_thread, install_hook, panic_message, poll_once, CountingWaker};
use std::future::Future;
use std::sync::Arc;
use std::task::Poll;
use std::thread;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(3600);

/// A channel of `capacity` slots, taken by `1..=capacity`.
fn full_channel(capacity: usize) -> (Sender<i32>, Receiver<i32>) {
    let (tx, rx) = channel(capacity);
    for v in 1..=capacity as i32 {
        tx.try_send(v).unwrap();
    }
    (tx, rx)
}

/// A full one-slot channel's receiver, and a thread that has started a
/// `blocking_send(2)` into it (which has to wait for the slot).
fn blocked_producer() -> (
    Receiver<i32>,
    thread::JoinHandle<Result<(), SendError<i32>>>,
) {
    let (tx, rx) = full_channel(1);
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let producer = thread::spawn(move || {
        started_tx.send(()).unwrap();
        tx.blocking_send(2)
    });
    started_rx.recv().unwrap();
    (rx, producer)
}

/// Polls `fut` once, which must wait, and drops it.
fn poll_pending_then_drop(fut: impl Future, w: &Arc<CountingWaker>) {
    let mut fut = Box::pin(fut);
    assert!(poll_once(&mut fut, w).is_pending());
}

#[test]
fn blocking_send_parks_until_the_receiver_frees_a_slot() {
    let (mut rx, producer) = blocked_producer();
    assert_eq!(rx.blocking_recv(), Some(1));
    assert_eq!(rx.blocking_recv(), Some(2));
    assert_eq!(producer.join().unwrap(), Ok(()));
    assert_eq!(rx.blocking_recv(), None, "the producer's sender is gone");
}

#[test]
fn blocking_send_fails_when_the_receiver_goes_away() {
    let (rx, producer) = blocked_producer();
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
    let (tx, mut rx) = full_channel(1);
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

    let (tx, mut rx) = full_channel(1);
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
    let (tx, mut rx) = full_channel(1);
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
    let (tx, mut rx) = full_channel(1);

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
    let (tx, mut rx) = full_channel(1);
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

#[test]
fn weak_senders_do_not_keep_the_channel_open() {
    let (tx, mut rx) = channel::<u8>(1);
    let weak = tx.downgrade();
    let weak2 = weak.clone();
    assert_eq!((tx.strong_count(), tx.weak_count()), (1, 2));
    drop(weak2);
    assert_eq!(rx.sender_weak_count(), 1);

    let upgraded = weak.upgrade().expect("a sender lives");
    assert_eq!(rx.sender_strong_count(), 2);
    drop(tx);
    assert_eq!(
        rx.try_recv(),
        Err(TryRecvError::Empty),
        "the upgraded sender keeps it open"
    );
    upgraded.try_send(1).unwrap();
    drop(upgraded);
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    assert!(weak.upgrade().is_none(), "once ended, it stays ended");
    assert_eq!((weak.strong_count(), weak.weak_count()), (0, 1));
}

#[test]
fn weak_unbounded_senders_do_not_keep_the_channel_open() {
    let (tx, mut rx) = unbounded_channel::<u8>();
    let weak = tx.downgrade();
    let w = CountingWaker::new();
    let mut fut = Box::pin(rx.recv());
    assert!(poll_once(&mut fut, &w).is_pending());
    drop(tx);
    assert_eq!(w.wakes(), 1, "the last strong sender's drop ends the wait");
    assert_eq!(poll_once(&mut fut, &w), Poll::Ready(None));
    drop(fut);
    assert!(weak.upgrade().is_none());
    assert_eq!(rx.sender_weak_count(), 1);
    drop(weak);
    assert_eq!(rx.sender_weak_count(), 0);
}

#[test]
fn an_owned_permit_keeps_the_channel_open_and_delivers() {
    let (tx, mut rx) = channel(1);
    let permit = futures::executor::block_on(tx.reserve_owned()).unwrap();
    assert_eq!(rx.sender_strong_count(), 1, "the permit holds the sender");
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    let tx = permit.send(5);
    assert_eq!(rx.try_recv(), Ok(5));
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn dropping_an_owned_permit_gives_its_slot_back() {
    let (tx, rx) = channel::<u8>(1);
    let keep = tx.clone();
    let permit = tx.try_reserve_owned().unwrap();
    assert_eq!(keep.capacity(), 0);
    assert!(keep.try_send(1).is_err());
    drop(permit);
    assert_eq!(keep.capacity(), 1);
    assert_eq!(rx.sender_strong_count(), 1, "its sender went with it");
    let tx = keep.try_reserve_owned().unwrap().release();
    assert_eq!(tx.capacity(), 1, "release gives the slot back too");
}

#[test]
fn owned_reservation_fails_on_a_closed_channel() {
    let (tx, mut rx) = channel::<u8>(1);
    let before = tx.clone().try_reserve_owned().unwrap();
    rx.close();
    match tx.clone().try_reserve_owned() {
        Err(super::error::TrySendError::Closed(tx)) => assert!(tx.is_closed()),
        other => panic!("expected Closed(sender), got {other:?}"),
    }
    assert_eq!(
        futures::executor::block_on(tx.reserve_owned()).unwrap_err(),
        SendError(())
    );
    // Reserved before the close: still delivers.
    drop(before.send(3));
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn reserve_many_edge_cases_follow_tokio() {
    let (tx, mut rx) = channel::<u8>(2);
    assert!(futures::executor::block_on(tx.reserve_many(3)).is_err());
    assert!(matches!(
        tx.try_reserve_many(3),
        Err(super::error::TrySendError::Full(()))
    ));
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    // Zero slots on a full but open channel: at once.
    let none = futures::executor::block_on(tx.reserve_many(0)).unwrap();
    assert_eq!(none.len(), 0);
    drop(none);
    assert_eq!(tx.try_reserve_many(0).unwrap().count(), 0);
    rx.close();
    assert!(futures::executor::block_on(tx.reserve_many(0)).is_err());
    assert!(matches!(
        tx.try_reserve_many(0),
        Err(super::error::TrySendError::Closed(()))
    ));
}

#[test]
fn reserve_many_is_served_at_the_head_of_the_line() {
    let (tx, mut rx) = channel(3);
    for i in 0..3 {
        tx.try_send(i).unwrap();
    }
    let w_many = CountingWaker::new();
    let w_one = CountingWaker::new();
    let mut many = Box::pin(tx.reserve_many(2));
    let mut one = Box::pin(tx.send(9));
    assert!(poll_once(&mut many, &w_many).is_pending());
    assert!(poll_once(&mut one, &w_one).is_pending());

    assert_eq!(rx.try_recv(), Ok(0));
    assert_eq!(w_many.wakes(), 0, "one slot of two: still waiting");
    assert_eq!(w_one.wakes(), 0, "the freed slot stays with the head");
    assert_eq!(tx.capacity(), 0);

    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(w_many.wakes(), 1);
    let Poll::Ready(Ok(mut permits)) = poll_once(&mut many, &w_many) else {
        panic!("both slots were handed over");
    };
    assert!(poll_once(&mut one, &w_one).is_pending());
    permits.next().unwrap().send(10);
    drop(permits); // the other slot goes to the waiting send
    assert_eq!(w_one.wakes(), 1);
    assert_eq!(poll_once(&mut one, &w_one), Poll::Ready(Ok(())));
    drop((many, one));
    let mut rest = Vec::new();
    while let Ok(v) = rx.try_recv() {
        rest.push(v);
    }
    assert_eq!(rest, [2, 10, 9]);
    assert_eq!(tx.capacity(), 3);
}

#[test]
fn cancelled_reserve_many_returns_the_slots_it_was_handed() {
    let (tx, mut rx) = full_channel(2);
    let w = CountingWaker::new();
    let mut many = Box::pin(tx.reserve_many(2));
    assert!(poll_once(&mut many, &w).is_pending());
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(tx.capacity(), 0, "the freed slot is held by the waiter");
    drop(many);
    assert_eq!(Arc::strong_count(&w), 1, "no waker left behind");
    assert_eq!(tx.capacity(), 1);
    tx.try_send(3).unwrap(); // nobody queued: the fast path works again
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Ok(3));
}

#[test]
fn closing_fails_a_partly_served_reserve_many_and_ends_the_channel() {
    let (tx, mut rx) = full_channel(2);
    let w = CountingWaker::new();
    let mut many = Box::pin(tx.reserve_many(2));
    assert!(poll_once(&mut many, &w).is_pending());
    assert_eq!(rx.try_recv(), Ok(1));
    rx.close();
    assert_eq!(w.wakes(), 1);
    assert!(matches!(
        poll_once(&mut many, &w),
        Poll::Ready(Err(SendError(())))
    ));
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(
        rx.try_recv(),
        Err(TryRecvError::Disconnected),
        "every slot is back: the closed channel has ended"
    );
}

/// A receiver that waited and is dropped takes its waker with it: the
/// senders, which may live on for long, keep nothing of its task. Both
/// kinds, through `recv` and through `recv_many`.
#[test]
fn a_dropped_receiver_keeps_no_waker() {
    // Parks a receive on `$rx` (`recv_many` when `$many`, else `recv`),
    // drops it and the receiver, and checks that `$w` went with them.
    macro_rules! wait_then_drop {
        ($rx:ident, $many:expr, $w:expr, $kind:literal) => {{
            let mut buf = Vec::new();
            if $many {
                poll_pending_then_drop($rx.recv_many(&mut buf, 4), $w);
            } else {
                poll_pending_then_drop($rx.recv(), $w);
            }
            drop($rx);
            let many = $many;
            assert_eq!(
                Arc::strong_count($w),
                1,
                "{} (recv_many: {many}): the waker stayed",
                $kind
            );
        }};
    }
    for many in [false, true] {
        let w = CountingWaker::new();
        let (tx, mut rx) = channel::<u8>(1);
        wait_then_drop!(rx, many, &w, "bounded");
        assert!(tx.try_send(1).is_err());

        let (tx, mut rx) = unbounded_channel::<u8>();
        wait_then_drop!(rx, many, &w, "unbounded");
        assert!(tx.send(1).is_err());
        assert_eq!(w.wakes(), 0);
    }
}
