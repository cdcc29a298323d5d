//! Loom models of the channels', the semaphore's and the other waiting
//! primitives' protocols: no lost message, permit or item, no lost
//! wake-up (a lost wake-up shows up as a deadlock in `block_on`), no waker
//! left behind by a side that went away, and, for each model, an
//! assertion that fails when the protocol it is named after is broken.
//! Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p runtime-sync --release --lib loom_tests`.

use crate::loom::sync::Arc;
use crate::{mpsc, oneshot, Semaphore};
use loom::future::block_on;
use loom::thread;
use std::future::Future;

#[test]
fn mpsc_bounded_two_senders_one_slot() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        let tx2 = tx.clone();
        let a = thread::spawn(move || block_on(tx.send(1)).unwrap());
        let b = thread::spawn(move || block_on(tx2.send(2)).unwrap());
        let mut got = block_on(async {
            let mut got = Vec::new();
            while let Some(v) = rx.recv().await {
                got.push(v);
            }
            got
        });
        a.join().unwrap();
        b.join().unwrap();
        got.sort();
        assert_eq!(got, [1, 2], "a message was lost");
    });
}

#[test]
fn mpsc_send_races_with_close() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        let sender = thread::spawn(move || block_on(tx.send(7)).is_ok());
        rx.close();
        let received = block_on(rx.recv());
        let sent = sender.join().unwrap();
        // Either the message got in before the close and is delivered, or
        // the send failed and handed it back: never both, never neither.
        assert_eq!(sent, received == Some(7));
    });
}

/// A permit reserved before the receiver closes delivers (or, dropped
/// unused, frees the receiver): the receiver neither loses the value nor
/// waits forever.
#[test]
fn mpsc_permit_races_with_close() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        let sender = thread::spawn(move || match tx.try_reserve() {
            Ok(permit) => {
                permit.send(3);
                true
            }
            Err(_) => false,
        });
        rx.close();
        // Reserved before the close: delivered (the receiver waits for
        // it); after: refused, and there is nothing to wait for.
        let got = block_on(rx.recv());
        let reserved = sender.join().unwrap();
        assert_eq!(reserved, got == Some(3));
        assert_eq!(block_on(rx.recv()), None);
    });
}

/// A queued send that is dropped while the receiver frees a slot: if the
/// slot was already granted to it, it passes on to the next waiter (or
/// back to the free count). A lost slot shows as the second sender waiting
/// forever; a slot counted twice as a third message fitting in a channel
/// of one.
#[test]
fn mpsc_cancelled_send_passes_its_slot_on() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        tx.try_send(1).unwrap();
        let tx2 = tx.clone();
        let quitter = thread::spawn(move || {
            let send = tx.send(2);
            let mut send = std::pin::pin!(send);
            let waker = futures_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            // Polled once, then dropped: sent only if it got a slot then.
            send.as_mut().poll(&mut cx).is_ready()
        });
        let waiter = thread::spawn(move || block_on(tx2.send(3)).unwrap());
        let mut got = block_on(async {
            let mut got = Vec::new();
            while let Some(v) = rx.recv().await {
                got.push(v);
            }
            got
        });
        let quitter_sent = quitter.join().unwrap();
        waiter.join().unwrap();
        got.sort();
        let want: &[u32] = if quitter_sent { &[1, 2, 3] } else { &[1, 3] };
        assert_eq!(got, want);
    });
}

/// A permit reserved before the close and dropped unused: the receiver,
/// waiting for every slot held at the close, is woken by the lock-free
/// give-back and ends with `None`.
#[test]
fn mpsc_unused_permit_races_with_close() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        let sender = thread::spawn(move || {
            if let Ok(permit) = tx.try_reserve() {
                drop(permit);
            }
            // Kept alive: only the give-back may end the receiver's wait.
            tx
        });
        rx.close();
        assert_eq!(block_on(rx.recv()), None);
        let tx = sender.join().unwrap();
        assert_eq!(tx.capacity(), 1, "the slot came back");
    });
}

/// `reserve_many(2)` queued on a full channel while the receiver frees
/// the slots one by one: the partly served waiter ends with both slots
/// (none lost, none counted twice) and its messages arrive.
#[test]
fn mpsc_reserve_many_is_served_slot_by_slot() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(2);
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        let many = thread::spawn(move || {
            block_on(async {
                let permits = tx.reserve_many(2).await.unwrap();
                for (i, permit) in permits.enumerate() {
                    permit.send(10 + i as u32);
                }
            })
        });
        let mut got = block_on(async {
            let mut got = Vec::new();
            while let Some(v) = rx.recv().await {
                got.push(v);
            }
            got
        });
        many.join().unwrap();
        got.sort();
        assert_eq!(got, [1, 2, 10, 11]);
    });
}

/// `reserve_many(2)` polled once and dropped while the receiver frees
/// slots: whatever it was handed comes back.
#[test]
fn mpsc_cancelled_reserve_many_returns_its_slots() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(2);
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        let keep = tx.clone();
        let quitter = thread::spawn(move || {
            let many = tx.reserve_many(2);
            let mut many = std::pin::pin!(many);
            let waker = futures_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            // Ready or not, the permits (or the wait) are dropped here.
            let _ = many.as_mut().poll(&mut cx);
        });
        assert_eq!(block_on(rx.recv()), Some(1));
        assert_eq!(block_on(rx.recv()), Some(2));
        quitter.join().unwrap();
        assert_eq!(keep.capacity(), 2, "a slot was lost");
    });
}

#[test]
fn mpsc_unbounded_send_races_with_last_sender_drop() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel::<u32>();
        let tx2 = tx.clone();
        let a = thread::spawn(move || {
            tx.send(1).unwrap();
        });
        let b = thread::spawn(move || drop(tx2));
        let got = block_on(async {
            let mut n = 0;
            while rx.recv().await.is_some() {
                n += 1;
            }
            n
        });
        a.join().unwrap();
        b.join().unwrap();
        assert_eq!(got, 1);
    });
}

#[test]
fn oneshot_send_races_with_receiver() {
    loom::model(|| {
        let (tx, rx) = oneshot::channel::<u32>();
        let sender = thread::spawn(move || tx.send(5));
        let res = block_on(rx);
        let sent = sender.join().unwrap();
        assert_eq!(res, Ok(5));
        assert_eq!(sent, Ok(()));
    });
}

#[test]
fn oneshot_send_races_with_receiver_drop() {
    loom::model(|| {
        let (tx, rx) = oneshot::channel::<Arc<()>>();
        let value = Arc::new(());
        let v = value.clone();
        let sender = thread::spawn(move || tx.send(v).is_ok());
        drop(rx);
        let _sent = sender.join().unwrap();
        // Sent or handed back, the value was dropped exactly once.
        assert_eq!(Arc::strong_count(&value), 1);
    });
}

/// The receiver re-registers with a new waker (its cell taken back and
/// rewritten) while the send lands: it is woken or sees the value, never
/// left waiting.
#[test]
fn oneshot_waker_change_races_with_send() {
    loom::model(|| {
        let (tx, mut rx) = oneshot::channel::<u32>();
        let sender = thread::spawn(move || tx.send(9));
        let waker = futures_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        let first = std::pin::Pin::new(&mut rx).poll(&mut cx);
        let res = match first {
            std::task::Poll::Ready(res) => res,
            // A second waker (block_on's) replaces the first.
            std::task::Poll::Pending => block_on(rx),
        };
        assert_eq!(res, Ok(9));
        assert_eq!(sender.join().unwrap(), Ok(()));
    });
}

/// A waker whose clones can be counted (`Arc::strong_count` of the
/// returned `Arc`): 1 means no channel keeps it.
fn counted_waker() -> (std::sync::Arc<Noop>, std::task::Waker) {
    let counter = std::sync::Arc::new(Noop);
    (counter.clone(), std::task::Waker::from(counter))
}

struct Noop;
impl std::task::Wake for Noop {
    fn wake(self: std::sync::Arc<Self>) {}
}

/// A receiver that waited is dropped while the sender registers in
/// `closed()`: the receiver's waker leaves with it (the sender, still
/// alive, keeps nothing of the receiving task), the sender learns of the
/// drop, and neither side touches a waker cell the other owns.
#[test]
fn oneshot_receiver_drop_takes_its_waker_back() {
    receiver_drop_races_with_poll_closed(false);
}

/// The same with `close` before the drop: two writes of `CLOSED`, of
/// which only the first may take the sender's waker.
#[test]
fn oneshot_receiver_close_then_drop_races_with_poll_closed() {
    receiver_drop_races_with_poll_closed(true);
}

fn receiver_drop_races_with_poll_closed(close_first: bool) {
    loom::model(move || {
        let (mut tx, mut rx) = oneshot::channel::<u32>();
        let sender = thread::spawn(move || {
            let (count, waker) = counted_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            let _ = tx.poll_closed(&mut cx);
            drop(waker);
            (tx, count)
        });
        let (count, waker) = counted_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        assert!(std::pin::Pin::new(&mut rx).poll(&mut cx).is_pending());
        drop(waker);
        if close_first {
            rx.close();
        }
        drop(rx);
        let (mut tx, tx_count) = sender.join().unwrap();
        assert_eq!(
            std::sync::Arc::strong_count(&count),
            1,
            "the receiver's waker stayed"
        );
        assert_eq!(
            std::sync::Arc::strong_count(&tx_count),
            1,
            "the sender's waker stayed"
        );
        let waker = futures_noop_waker();
        assert!(tx
            .poll_closed(&mut std::task::Context::from_waker(&waker))
            .is_ready());
        assert_eq!(tx.send(1), Err(1));
    });
}

/// A receiver polled once and then dropped, racing the send: the value is
/// received, or dropped with the receiver, or handed back, exactly once;
/// the receiver's waker is woken or taken back, never left behind.
#[test]
fn oneshot_receiver_drop_after_poll_races_with_send() {
    loom::model(|| {
        let (tx, mut rx) = oneshot::channel::<Arc<()>>();
        let value = Arc::new(());
        let v = value.clone();
        let sender = thread::spawn(move || tx.send(v).map_err(drop).is_ok());
        let (count, waker) = counted_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        let received = match std::pin::Pin::new(&mut rx).poll(&mut cx) {
            std::task::Poll::Ready(res) => Some(res.is_ok()),
            std::task::Poll::Pending => None,
        };
        drop(waker);
        drop(rx);
        let sent = sender.join().unwrap();
        if received == Some(true) {
            assert!(sent);
        }
        assert_eq!(Arc::strong_count(&value), 1, "the value was kept or lost");
        assert_eq!(std::sync::Arc::strong_count(&count), 1, "a waker stayed");
    });
}

/// A sender waiting in `closed()` that then sends, racing the receiver's
/// close: its waker is woken by the close or taken out by the send (the
/// receiver, still alive, keeps nothing of the sending task), and the
/// value is received exactly when the send succeeded.
#[test]
fn oneshot_sender_send_after_closed_races_with_close() {
    loom::model(|| {
        let (mut tx, mut rx) = oneshot::channel::<u32>();
        let (count, waker) = counted_waker();
        let sender = thread::spawn(move || {
            let mut cx = std::task::Context::from_waker(&waker);
            let _ = tx.poll_closed(&mut cx);
            drop(waker);
            tx.send(8).is_ok()
        });
        rx.close();
        let sent = sender.join().unwrap();
        assert_eq!(
            std::sync::Arc::strong_count(&count),
            1,
            "the sender's waker stayed"
        );
        let got = rx.try_recv();
        assert_eq!(sent, got == Ok(8), "sent {sent}, received {got:?}");
        drop(rx);
    });
}

/// `Sender::closed()` (with a waker change) against the receiver closing
/// and a value sent before or after: the waiter always wakes, and the
/// value is received exactly when `send` said Ok.
#[test]
fn oneshot_close_races_with_closed_and_send() {
    loom::model(|| {
        let (mut tx, mut rx) = oneshot::channel::<u32>();
        let sender = thread::spawn(move || {
            let waker = futures_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            if tx.poll_closed(&mut cx).is_pending() {
                block_on(tx.closed());
            }
            tx.send(4)
        });
        rx.close();
        let sent = sender.join().unwrap();
        // The send came after the close was seen: refused.
        assert_eq!(sent, Err(4));
        assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Closed));
    });
}

/// A send racing `close`: the value is either refused (given back) or
/// delivered after the close, never both and never lost.
#[test]
fn oneshot_send_races_with_close() {
    loom::model(|| {
        let (tx, mut rx) = oneshot::channel::<u32>();
        let sender = thread::spawn(move || tx.send(6).is_ok());
        rx.close();
        let got = block_on(rx);
        let sent = sender.join().unwrap();
        // Awaiting a closed receiver ends at once: with the value if it
        // came in before the close, else with an error, and then a send
        // that lands later is refused. Never accepted and lost.
        assert_eq!(sent, got.is_ok(), "sent {sent}, received {got:?}");
        if let Ok(v) = got {
            assert_eq!(v, 6);
        }
    });
}

/// Two acquires (one queueing, one maybe on the lock-free path) racing
/// two lock-free releases: the `WAITERS` flag hand-off loses no permit
/// and no wake-up, and the count ends where it began.
#[test]
fn semaphore_acquires_race_with_releases() {
    loom::model(|| {
        let sem = std::sync::Arc::new(Semaphore::new(0));
        let s1 = sem.clone();
        let s2 = sem.clone();
        let a = thread::spawn(move || block_on(s1.acquire()).unwrap().forget());
        let b = thread::spawn(move || {
            block_on(s2.acquire_many(2)).unwrap().forget();
            s2.add_permits(2);
        });
        sem.add_permits(1);
        sem.add_permits(2);
        a.join().unwrap();
        b.join().unwrap();
        // 3 in, 1 kept by `a`, 2 taken and given back by `b`.
        assert_eq!(sem.available_permits(), 2);
    });
}

/// A release that saw the queue non-empty but reaches the lock after
/// another release emptied it must go back to the lock-free path: a plain
/// store there would overwrite a concurrent lock-free acquire. The
/// emptying release brings 2 permits for a waiter that needs 1, so one is
/// left free for the lock-free `try_acquire` to race the late release's
/// store with (with nothing free, no acquire could run between that
/// release's load and its store, and the model could not fail).
#[test]
fn semaphore_release_after_queue_emptied_races_with_try_acquire() {
    loom::model(|| {
        let sem = std::sync::Arc::new(Semaphore::new(0));
        // Queued before anybody else runs: `WAITERS` is set.
        let acquire = sem.acquire();
        let mut acquire = std::pin::pin!(acquire);
        let waker = futures_noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        assert!(acquire.as_mut().poll(&mut cx).is_pending());
        let (s1, s2) = (sem.clone(), sem.clone());
        let releaser = thread::spawn(move || s1.add_permits(1));
        let taker = thread::spawn(move || s2.try_acquire().map(|p| p.forget()).is_ok());
        sem.add_permits(2);
        // Both releases have run or are under way: whichever reached the
        // queue first served it, now or once `releaser` is done.
        releaser.join().unwrap();
        match acquire.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(permit) => permit.unwrap().forget(),
            std::task::Poll::Pending => panic!("the waiter was not served"),
        }
        let took = taker.join().unwrap();
        // 3 in, 1 to the waiter, 1 to the taker if it got one.
        assert_eq!(sem.available_permits(), if took { 1 } else { 2 });
    });
}

/// A head waiter handed part of what it needs, then dropped, while more
/// permits arrive: whatever it was handed comes back; none is lost or
/// counted twice.
#[test]
fn semaphore_partly_served_head_cancelled_while_permits_arrive() {
    loom::model(|| {
        let sem = std::sync::Arc::new(Semaphore::new(1));
        let s2 = sem.clone();
        let waiter = thread::spawn(move || {
            let acquire = s2.acquire_many(2);
            let mut acquire = std::pin::pin!(acquire);
            let waker = futures_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            // Served or not, it is dropped: a permit returns its 2.
            let _ = acquire.as_mut().poll(&mut cx);
        });
        sem.add_permits(1);
        waiter.join().unwrap();
        assert_eq!(sem.available_permits(), 2);
    });
}

/// A waiter granted the permit by a release and dropped before it polls
/// again gives the permit back: the count ends at 1 unless the waiter did
/// take the permit (and forgot it), never at 0 with nobody holding it.
#[test]
fn semaphore_release_races_with_cancelled_acquire() {
    loom::model(|| {
        let sem = std::sync::Arc::new(Semaphore::new(1));
        let held = sem.clone().try_acquire_owned().unwrap();
        let s2 = sem.clone();
        // A second thread waits for the permit, then gives up (drops its
        // acquire) whether or not it was granted in the meantime.
        let waiter = thread::spawn(move || {
            let acquire = s2.acquire();
            let mut acquire = std::pin::pin!(acquire);
            let waker = futures_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            match acquire.as_mut().poll(&mut cx) {
                std::task::Poll::Ready(permit) => {
                    permit.unwrap().forget();
                    true
                }
                std::task::Poll::Pending => false,
            }
        });
        drop(held);
        let forgot = waiter.join().unwrap();
        // Taken for good (forgotten) by the waiter, or back: never lost in
        // between.
        assert_eq!(sem.available_permits(), if forgot { 0 } else { 1 });
    });
}

fn futures_waker() -> std::task::Waker {
    futures_noop_waker()
}

fn futures_noop_waker() -> std::task::Waker {
    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: std::sync::Arc<Self>) {}
    }
    std::task::Waker::from(std::sync::Arc::new(Noop))
}

#[test]
fn notify_one_races_with_notified_drop() {
    loom::model(|| {
        let notify = Arc::new(crate::Notify::new());
        let n2 = notify.clone();
        // One waiter registers and then gives up; the notification must
        // end up stored (for the final `notified`) whatever the order.
        let waiter = thread::spawn(move || {
            let fut = n2.notified();
            let mut fut = std::pin::pin!(fut);
            let waker = futures_noop_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            fut.as_mut().poll(&mut cx).is_ready()
        });
        notify.notify_one();
        let consumed = waiter.join().unwrap();
        // Exactly one of: the waiter saw the notification, or it is still
        // stored for the next `notified` (never lost, never doubled).
        let fut = notify.notified();
        let mut fut = std::pin::pin!(fut);
        let waker = futures_noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        let stored = fut.as_mut().poll(&mut cx).is_ready();
        assert!(consumed != stored, "consumed {consumed}, stored {stored}");
    });
}

#[test]
fn mutex_lock_handoff() {
    loom::model(|| {
        let m = std::sync::Arc::new(crate::Mutex::new(0u32));
        let m2 = m.clone();
        let t = thread::spawn(move || {
            block_on(async {
                *m2.lock().await += 1;
            })
        });
        block_on(async {
            *m.lock().await += 1;
        });
        t.join().unwrap();
        assert_eq!(*block_on(m.lock()), 2);
    });
}

#[test]
fn queue_put_get_task_done_join() {
    loom::model(|| {
        let q = std::sync::Arc::new(crate::Queue::<u32>::new(1));
        let producer = {
            let q = q.clone();
            thread::spawn(move || {
                block_on(async {
                    q.put(1).await;
                    q.put(2).await;
                    // Every item put is eventually marked done.
                    q.join().await;
                })
            })
        };
        let got = block_on(async {
            let a = q.get().await;
            q.task_done();
            let b = q.get().await;
            q.task_done();
            (a, b)
        });
        producer.join().unwrap();
        assert_eq!(got, (1, 2));
    });
}

#[test]
fn cancellation_wakes_a_waiter_on_another_thread() {
    loom::model(|| {
        let token = crate::CancellationToken::new();
        let child = token.child_token();
        let waiter = thread::spawn(move || block_on(child.cancelled()));
        token.cancel();
        waiter.join().unwrap();
    });
}

#[test]
fn broadcast_send_races_with_recv_and_lag() {
    loom::model(|| {
        let (tx, mut rx) = crate::broadcast::channel::<u32>(1);
        let sender = thread::spawn(move || {
            tx.send(1).unwrap();
            tx.send(2).unwrap();
        });
        // Whatever the interleaving: 1 then 2, or a lag of 1 then 2, then
        // closed once the sender is gone. Never a lost wake-up.
        let mut seen = Vec::new();
        block_on(async {
            loop {
                match rx.recv().await {
                    Ok(v) => seen.push(v),
                    Err(crate::broadcast::error::RecvError::Lagged(n)) => {
                        assert_eq!(n, 1);
                        seen.push(0);
                    }
                    Err(crate::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        sender.join().unwrap();
        assert!(seen == [1, 2] || seen == [0, 2], "{seen:?}");
    });
}

#[test]
fn watch_change_races_with_changed() {
    loom::model(|| {
        let (tx, mut rx) = crate::watch::channel(0u32);
        let sender = thread::spawn(move || {
            tx.send(1).unwrap();
        });
        block_on(async {
            // Either sees the change, or (sender gone with nothing new
            // after it was seen) the error; the last value is 1 either way.
            while rx.changed().await.is_ok() {}
        });
        sender.join().unwrap();
        assert_eq!(*rx.borrow(), 1);
    });
}

#[test]
fn semaphore_close_races_with_acquire() {
    loom::model(|| {
        let sem = std::sync::Arc::new(Semaphore::new(0));
        let s2 = sem.clone();
        // A waiter with no permit in sight: close must wake it with an
        // error (never a hang), and a permit added around the close may
        // let it in first.
        let waiter = thread::spawn(move || block_on(s2.acquire()).map(|p| p.forget()).is_ok());
        sem.add_permits(1);
        sem.close();
        let got_in = waiter.join().unwrap();
        if !got_in {
            assert!(sem.is_closed());
        }
        assert!(
            sem.try_acquire().is_err(),
            "closed semaphores hand out nothing"
        );
    });
}

/// A partly served head, a waiter behind it, the head cancelled,
/// a release and a close, all racing: every permit ends back in the
/// semaphore (1 initial + 1 added), nobody hangs.
#[test]
fn semaphore_head_cancel_races_release_and_close() {
    loom::model(|| {
        let sem = std::sync::Arc::new(Semaphore::new(1));
        let (s1, s2) = (sem.clone(), sem.clone());
        let head = thread::spawn(move || {
            let acquire = s1.acquire_many(3);
            let mut acquire = std::pin::pin!(acquire);
            let waker = futures_noop_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            let _ = acquire.as_mut().poll(&mut cx); // then dropped
        });
        let second = thread::spawn(move || {
            // Returns its permit (if granted) when done.
            let _ = block_on(s2.acquire());
        });
        sem.add_permits(1);
        sem.close();
        head.join().unwrap();
        second.join().unwrap();
        assert_eq!(sem.available_permits(), 2);
    });
}

/// A granted-but-unpolled waiter dropped while a new acquire
/// queues: the dropped grant reaches the new waiter (no hang), and the
/// count ends where it began.
#[test]
fn semaphore_granted_waiter_dropped_while_another_queues() {
    loom::model(|| {
        let sem = std::sync::Arc::new(Semaphore::new(0));
        let (s1, s2) = (sem.clone(), sem.clone());
        let a = thread::spawn(move || {
            let acquire = s1.acquire();
            let mut acquire = std::pin::pin!(acquire);
            let waker = futures_noop_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            let _ = acquire.as_mut().poll(&mut cx);
            thread::yield_now();
            // dropped: granted or not
        });
        let b = thread::spawn(move || drop(block_on(s2.acquire()).unwrap()));
        sem.add_permits(1);
        a.join().unwrap();
        b.join().unwrap();
        assert_eq!(sem.available_permits(), 1);
    });
}

/// A watch `changed()` dropped while a send drains the list does
/// not take the other receiver's wake-up with it.
#[test]
fn watch_changed_dropped_racing_send() {
    loom::model(|| {
        let (tx, mut rx) = crate::watch::channel(0u32);
        let mut rx2 = rx.clone();
        let dropper = thread::spawn(move || {
            let fut = rx2.changed();
            let mut fut = std::pin::pin!(fut);
            let waker = futures_noop_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            let _ = fut.as_mut().poll(&mut cx);
        });
        let sender = thread::spawn(move || tx.send(1).unwrap());
        block_on(rx.changed()).unwrap();
        dropper.join().unwrap();
        sender.join().unwrap();
        assert_eq!(*rx.borrow(), 1);
    });
}

/// Two waits meet at a barrier of 2, one of them polled once and dropped:
/// a wait counts from its first poll, so the other still completes (a
/// dropped wait's arrival lost, or its wake-up, shows as a deadlock), there
/// is exactly one leader, and the dropped wait's waker is gone.
#[test]
fn barrier_dropped_wait_still_counts() {
    loom::model(|| {
        let barrier = std::sync::Arc::new(crate::Barrier::new(2));
        let b = barrier.clone();
        let quitter = thread::spawn(move || {
            let (count, waker) = counted_waker();
            let wait = b.wait();
            let mut wait = std::pin::pin!(wait);
            let mut cx = std::task::Context::from_waker(&waker);
            let led = match wait.as_mut().poll(&mut cx) {
                std::task::Poll::Ready(r) => Some(r.is_leader()),
                std::task::Poll::Pending => None,
            };
            drop(waker);
            (led, count)
        });
        let stayer_led = block_on(barrier.wait()).is_leader();
        let (quitter_led, count) = quitter.join().unwrap();
        // The quitter arrived either way: exactly one of the two led (the
        // quitter may also have seen the round end within its one poll
        // without leading it).
        assert_eq!(quitter_led == Some(true), !stayer_led, "one leader");
        assert_eq!(std::sync::Arc::strong_count(&count), 1, "a waker stayed");
    });
}

/// Two `get_or_init`s race, one of them polled once and dropped (it may
/// have been waiting for the other's permit): the cell is initialised
/// exactly once, the survivor never hangs, and both agree on the value.
#[test]
fn once_cell_initialiser_race_with_a_cancelled_caller() {
    loom::model(|| {
        let cell = std::sync::Arc::new(crate::OnceCell::<u32>::new());
        let inits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (c, i) = (cell.clone(), inits.clone());
        let quitter = thread::spawn(move || {
            let init = c.get_or_init(|| async {
                i.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                1
            });
            let mut init = std::pin::pin!(init);
            let waker = futures_noop_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            match init.as_mut().poll(&mut cx) {
                std::task::Poll::Ready(v) => Some(*v),
                std::task::Poll::Pending => None,
            }
        });
        let v = *block_on(cell.get_or_init(|| async {
            inits.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            2
        }));
        let quitter_saw = quitter.join().unwrap();
        assert_eq!(inits.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(cell.get(), Some(&v));
        if let Some(q) = quitter_saw {
            assert_eq!(q, v);
        }
    });
}

/// A writer and two readers: never a reader beside the writer (checked
/// with loom's atomics inside the critical sections), nobody left
/// waiting, and the write is seen at the end.
#[test]
fn rwlock_writer_excludes_readers() {
    use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    loom::model(|| {
        let lock = std::sync::Arc::new(crate::RwLock::new(0u32));
        let readers = std::sync::Arc::new(AtomicUsize::new(0));
        let writers = std::sync::Arc::new(AtomicUsize::new(0));
        let (l, r, w) = (lock.clone(), readers.clone(), writers.clone());
        let writer = thread::spawn(move || {
            block_on(async {
                let mut g = l.write().await;
                w.fetch_add(1, SeqCst);
                assert_eq!(r.load(SeqCst), 0, "a reader beside the writer");
                *g += 1;
                w.fetch_sub(1, SeqCst);
            })
        });
        let (l, r, w) = (lock.clone(), readers.clone(), writers.clone());
        let reader = thread::spawn(move || {
            block_on(async {
                let g = l.read().await;
                r.fetch_add(1, SeqCst);
                assert_eq!(w.load(SeqCst), 0, "the writer beside a reader");
                let v = *g;
                r.fetch_sub(1, SeqCst);
                v
            })
        });
        let here = block_on(async {
            let g = lock.read().await;
            readers.fetch_add(1, SeqCst);
            assert_eq!(writers.load(SeqCst), 0, "the writer beside a reader");
            let v = *g;
            readers.fetch_sub(1, SeqCst);
            v
        });
        writer.join().unwrap();
        let there = reader.join().unwrap();
        assert!(here <= 1 && there <= 1);
        assert_eq!(*block_on(lock.read()), 1);
    });
}

/// `notify_waiters` wakes a `Notified` made before it (a lost wake-up shows
/// as a deadlock), while another one, made around the call, is polled once
/// and dropped: whatever it saw, dropping it stores nothing (a
/// `notify_waiters` is not remembered, unlike a `notify_one` passed on).
#[test]
fn notify_waiters_races_with_a_dropped_notified() {
    loom::model(|| {
        let notify = Arc::new(crate::Notify::new());
        let before = notify.notified();
        let mut before = std::pin::pin!(before);
        let waker = futures_noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        assert!(before.as_mut().poll(&mut cx).is_pending());
        let n = notify.clone();
        let notifier = thread::spawn(move || n.notify_waiters());
        let n = notify.clone();
        let dropper = thread::spawn(move || {
            let fut = n.notified();
            let mut fut = std::pin::pin!(fut);
            let waker = futures_noop_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            let _ = fut.as_mut().poll(&mut cx);
        });
        block_on(before);
        notifier.join().unwrap();
        dropper.join().unwrap();
        let after = notify.notified();
        let mut after = std::pin::pin!(after);
        assert!(
            after.as_mut().poll(&mut cx).is_pending(),
            "a notify_waiters was stored"
        );
    });
}

/// A `get` polled once and dropped while an item arrives: if the item was
/// reserved for it, the reservation passes to the other consumer (or back
/// to the queue for it), so that consumer is never left waiting (a lost
/// item shows as a deadlock) and no item is received twice.
#[test]
fn queue_cancelled_getter_passes_its_item_on() {
    loom::model(|| {
        let q = std::sync::Arc::new(crate::Queue::<u32>::new(0));
        let (q1, q2) = (q.clone(), q.clone());
        let quitter = thread::spawn(move || {
            let get = q1.get();
            let mut get = std::pin::pin!(get);
            let waker = futures_noop_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            match get.as_mut().poll(&mut cx) {
                std::task::Poll::Ready(v) => Some(v),
                std::task::Poll::Pending => None,
            }
        });
        let consumer = thread::spawn(move || block_on(q2.get()));
        q.try_put(1).unwrap();
        let quitter_got = quitter.join().unwrap();
        if quitter_got.is_some() {
            // The consumer needs an item of its own.
            q.try_put(2).unwrap();
        }
        let consumer_got = consumer.join().unwrap();
        match quitter_got {
            Some(v) => assert_eq!((v, consumer_got), (1, 2)),
            None => assert_eq!(consumer_got, 1),
        }
        assert_eq!(q.try_get(), None, "an item was left over");
        assert!(q.is_empty());
    });
}
