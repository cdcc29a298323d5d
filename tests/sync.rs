//! runtime::sync on every scheduler flavour and on a foreign executor:
//! mpsc ordering and completeness under contention, backpressure, closing
//! semantics, cancel safety, oneshot, and the Semaphore's bound.

#[macro_use]
mod common;

use runtime::sync::{mpsc, oneshot, Semaphore};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const PRODUCERS: usize = 4;
const PER_PRODUCER: usize = 10_000;

/// 4 producers x 10k messages through a bounded channel: every message
/// arrives, each producer's in the order it sent them.
async fn bounded_four_producers() {
    let (tx, mut rx) = mpsc::channel::<(usize, usize)>(64);
    for p in 0..PRODUCERS {
        let tx = tx.clone();
        runtime::spawn(async move {
            for i in 0..PER_PRODUCER {
                tx.send((p, i)).await.unwrap();
            }
        });
    }
    drop(tx);
    let mut next = [0usize; PRODUCERS];
    let mut total = 0;
    while let Some((p, i)) = rx.recv().await {
        assert_eq!(i, next[p], "producer {p}'s messages out of order");
        next[p] += 1;
        total += 1;
    }
    assert_eq!(total, PRODUCERS * PER_PRODUCER);
}

/// The benchmarks' configuration: 2 workers (rt_test covers 1 and 4).
#[test]
fn mpsc_bounded_keeps_every_message_in_order_on_two_workers() {
    common::multi_thread(2).block_on(bounded_four_producers());
}

rt_test! {
    fn mpsc_bounded_keeps_every_message_in_order(rt) {
        rt.block_on(bounded_four_producers());
    }

    fn mpsc_unbounded_keeps_every_message_in_order(rt) {
        rt.block_on(async {
            let (tx, mut rx) = mpsc::unbounded_channel::<(usize, usize)>();
            for p in 0..PRODUCERS {
                let tx = tx.clone();
                runtime::spawn(async move {
                    for i in 0..PER_PRODUCER {
                        tx.send((p, i)).unwrap();
                        if i % 100 == 0 {
                            runtime::task::yield_now().await;
                        }
                    }
                });
            }
            drop(tx);
            let mut next = [0usize; PRODUCERS];
            let mut buf = Vec::new();
            let mut total = 0;
            loop {
                buf.clear();
                let n = rx.recv_many(&mut buf, 100).await;
                if n == 0 {
                    break;
                }
                for &(p, i) in &buf {
                    assert_eq!(i, next[p]);
                    next[p] += 1;
                }
                total += n;
            }
            assert_eq!(total, PRODUCERS * PER_PRODUCER);
        });
    }

    fn semaphore_never_exceeds_its_permits(rt) {
        rt.block_on(async {
            let sem = Arc::new(Semaphore::new(3));
            let inside = Arc::new(AtomicUsize::new(0));
            let high = Arc::new(AtomicUsize::new(0));
            let tasks: Vec<_> = (0..50)
                .map(|i| {
                    let (sem, inside, high) = (sem.clone(), inside.clone(), high.clone());
                    runtime::spawn(async move {
                        let n = if i % 5 == 0 { 2 } else { 1 };
                        let _permit = sem.acquire_many(n).await.unwrap();
                        let now = inside.fetch_add(n as usize, Ordering::SeqCst) + n as usize;
                        high.fetch_max(now, Ordering::SeqCst);
                        for _ in 0..3 {
                            runtime::task::yield_now().await;
                        }
                        inside.fetch_sub(n as usize, Ordering::SeqCst);
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
            assert!(high.load(Ordering::SeqCst) <= 3, "more than 3 permits were out");
            assert!(high.load(Ordering::SeqCst) >= 2, "the semaphore never let two in");
            assert_eq!(sem.available_permits(), 3);
        });
    }

    fn oneshot_request_reply(rt) {
        rt.block_on(async {
            let (req_tx, mut req_rx) = mpsc::channel::<(u32, oneshot::Sender<u32>)>(8);
            runtime::spawn(async move {
                while let Some((n, reply)) = req_rx.recv().await {
                    let _ = reply.send(n * 2);
                }
            });
            for n in 0..100 {
                let (tx, rx) = oneshot::channel();
                req_tx.send((n, tx)).await.unwrap();
                assert_eq!(rx.await.unwrap(), n * 2);
            }
            // A dropped sender is an error, not a hang.
            let (tx, rx) = oneshot::channel::<u32>();
            drop(tx);
            assert!(rx.await.is_err());
        });
    }
}

#[test]
fn backpressure_try_send_full_and_send_waits() {
    futures::executor::block_on(async {
        let (tx, mut rx) = mpsc::channel::<u32>(2);
        tx.try_send(1).unwrap();
        tx.send(2).await.unwrap();
        assert_eq!(tx.capacity(), 0);
        match tx.try_send(3) {
            Err(mpsc::error::TrySendError::Full(3)) => {}
            other => panic!("expected Full(3), got {other:?}"),
        }
        // A send waits until the receiver makes room.
        let mut send = Box::pin(tx.send(3));
        assert!(futures::poll!(send.as_mut()).is_pending());
        assert_eq!(rx.recv().await, Some(1));
        send.await.unwrap();
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(rx.recv().await, Some(3));
    });
}

/// The receiver takes the whole shared queue into its own buffer at once;
/// a slot still stays taken until `recv` returns its message (Tokio's
/// capacity rule), and `len`, `recv_many` and a drop see both buffers.
#[test]
fn slots_stay_taken_until_recv_returns_the_message() {
    futures::executor::block_on(async {
        let (tx, mut rx) = mpsc::channel::<u32>(4);
        for i in 0..4 {
            tx.try_send(i).unwrap();
        }
        assert_eq!(rx.recv().await, Some(0));
        // Three messages wait in the receiver's buffer: one slot is free.
        assert_eq!(tx.capacity(), 1);
        assert_eq!(rx.len(), 3);
        tx.try_send(4).unwrap();
        assert!(matches!(
            tx.try_send(5),
            Err(mpsc::error::TrySendError::Full(5))
        ));
        assert_eq!(rx.len(), 4);
        // recv_many reaches past the private buffer into the shared queue.
        let mut buf = Vec::new();
        assert_eq!(rx.recv_many(&mut buf, 10).await, 4);
        assert_eq!(buf, [1, 2, 3, 4]);
        assert_eq!(tx.capacity(), 4);
        // A limit smaller than what is buffered leaves the rest taken.
        for i in 5..9 {
            tx.try_send(i).unwrap();
        }
        assert_eq!(rx.recv().await, Some(5));
        buf.clear();
        assert_eq!(rx.recv_many(&mut buf, 2).await, 2);
        assert_eq!(buf, [6, 7]);
        assert_eq!(tx.capacity(), 3);
        tx.try_send(9).unwrap();
        // Dropping the receiver frees the slots of both buffers.
        drop(rx);
        assert_eq!(tx.capacity(), 4);
        assert!(tx.is_closed());
    });
}

#[test]
fn closing_delivers_buffered_messages_then_none() {
    futures::executor::block_on(async {
        let (tx, mut rx) = mpsc::channel::<u32>(4);
        tx.send(1).await.unwrap();
        tx.send(2).await.unwrap();
        rx.close();
        assert!(tx.is_closed());
        assert_eq!(tx.send(3).await, Err(mpsc::error::SendError(3)));
        tx.closed().await;
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(rx.recv().await, None);

        let (tx, mut rx) = mpsc::unbounded_channel::<u32>();
        tx.send(7).unwrap();
        drop(tx);
        assert_eq!(rx.recv().await, Some(7));
        assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected));
    });
}

#[test]
fn cancelled_send_and_acquire_lose_no_slot_or_permit() {
    futures::executor::block_on(async {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        tx.send(1).await.unwrap();
        // A send waiting for a slot, then dropped: the message is gone
        // with it, the slot is not.
        {
            let mut pending = Box::pin(tx.send(2));
            assert!(futures::poll!(pending.as_mut()).is_pending());
            // The receiver frees the slot while the send is queued: the
            // slot is handed to the waiting send...
            assert_eq!(rx.recv().await, Some(1));
            // ...which is then dropped before it runs.
        }
        assert_eq!(tx.capacity(), 1, "the handed-over slot came back");
        tx.try_send(3).unwrap();
        assert_eq!(rx.recv().await, Some(3));

        let sem = Semaphore::new(1);
        let held = sem.acquire().await.unwrap();
        let mut first = Box::pin(sem.acquire());
        let mut second = Box::pin(sem.acquire());
        assert!(futures::poll!(first.as_mut()).is_pending());
        assert!(futures::poll!(second.as_mut()).is_pending());
        drop(held); // granted to `first`
        drop(first); // cancelled after the grant: passes it on to `second`
        let permit = second.await.unwrap();
        assert_eq!(sem.available_permits(), 0);
        drop(permit);
        assert_eq!(sem.available_permits(), 1);
        sem.close();
        assert!(sem.acquire().await.is_err());
    });
}

/// The channels work on a foreign executor with real threads (no
/// runtime at all).
#[test]
fn works_on_a_foreign_executor() {
    let (tx, mut rx) = mpsc::channel::<usize>(16);
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                futures::executor::block_on(async move {
                    for i in 0..1000 {
                        tx.send(p * 1000 + i).await.unwrap();
                    }
                })
            })
        })
        .collect();
    drop(tx);
    let total = futures::executor::block_on(async {
        let mut n = 0;
        while rx.recv().await.is_some() {
            n += 1;
        }
        n
    });
    for p in producers {
        p.join().unwrap();
    }
    assert_eq!(total, PRODUCERS * 1000);
}

/// A receiver with 10,000 messages waiting, queued before another task:
/// whether that other task ran while the receiver was busy (the receiver
/// wrapped in `task::unconstrained` when asked).
fn other_task_ran_during_busy_receive(unconstrained: bool) -> bool {
    let rt = common::current_thread();
    rt.block_on(async {
        let (tx, mut rx) = mpsc::unbounded_channel::<u32>();
        for i in 0..10_000 {
            tx.send(i).unwrap();
        }
        let other_ran = Arc::new(AtomicUsize::new(0));
        let other = other_ran.clone();
        let receive_all = async move {
            let mut seen_other = false;
            for _ in 0..10_000 {
                rx.recv().await.unwrap();
                seen_other |= other.load(Ordering::SeqCst) == 1;
            }
            seen_other
        };
        // The consumer is queued first; without a budget its first poll
        // takes all 10,000 messages before the other task runs.
        let consumer = if unconstrained {
            runtime::spawn(runtime::task::unconstrained(receive_all))
        } else {
            runtime::spawn(receive_all)
        };
        let o = other_ran.clone();
        runtime::spawn(async move {
            o.store(1, Ordering::SeqCst);
        });
        let seen = consumer.await.unwrap();
        assert_eq!(other_ran.load(Ordering::SeqCst), 1);
        seen
    })
}

/// Inside the runtime a receiver that is always ready still yields: the
/// budget reaches runtime-sync through the hook.
#[test]
fn busy_receiver_yields_through_the_budget() {
    assert!(
        other_task_ran_during_busy_receive(false),
        "the other task never ran while the receiver was busy"
    );
}

rt_test! {
    fn mutex_counts_every_increment(rt) {
        rt.block_on(async {
            let m = Arc::new(runtime::sync::Mutex::new(0u64));
            let tasks: Vec<_> = (0..8)
                .map(|_| {
                    let m = m.clone();
                    runtime::spawn(async move {
                        for _ in 0..500 {
                            let mut g = m.lock().await;
                            let v = *g;
                            runtime::task::yield_now().await; // held across a yield
                            *g = v + 1;
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!(*m.lock().await, 4000);
        });
    }

    fn rwlock_writer_is_not_starved_by_readers(rt) {
        rt.block_on(async {
            let lock = runtime::sync::RwLock::new(0u32);
            let first_reader = lock.read().await;
            // A writer queues behind the first reader...
            let mut writer = Box::pin(lock.write());
            assert!(futures::poll!(writer.as_mut()).is_pending());
            // ...so a reader arriving after it must wait for it.
            assert!(lock.try_read().is_err(), "a later reader overtook a waiting writer");
            drop(first_reader);
            *writer.await = 1;
            assert_eq!(*lock.read().await, 1);
        });
    }

    fn notify_one_and_waiters(rt) {
        rt.block_on(async {
            let notify = Arc::new(runtime::sync::Notify::new());
            let woken = Arc::new(AtomicUsize::new(0));
            let (ready_tx, mut ready_rx) = mpsc::unbounded_channel();
            let tasks: Vec<_> = (0..3)
                .map(|_| {
                    let (n, w, ready) = (notify.clone(), woken.clone(), ready_tx.clone());
                    runtime::spawn(async move {
                        // Made before notify_waiters is called: it counts.
                        let fut = n.notified();
                        ready.send(()).unwrap();
                        fut.await;
                        w.fetch_add(1, Ordering::SeqCst);
                    })
                })
                .collect();
            for _ in 0..3 {
                ready_rx.recv().await.unwrap();
            }
            notify.notify_one();
            notify.notify_waiters();
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!(woken.load(Ordering::SeqCst), 3);
            // A notify_one with nobody waiting is kept for the next one,
            // and only one is kept.
            notify.notify_one();
            notify.notify_one();
            assert!(
                futures::poll!(std::pin::pin!(notify.notified())).is_ready(),
                "the notify_one was not stored"
            );
            assert!(
                futures::poll!(std::pin::pin!(notify.notified())).is_pending(),
                "more than one notify_one was stored"
            );
        });
    }

    fn barrier_and_once_cell(rt) {
        rt.block_on(async {
            let barrier = Arc::new(runtime::sync::Barrier::new(4));
            let tasks: Vec<_> = (0..4)
                .map(|_| {
                    let b = barrier.clone();
                    runtime::spawn(async move { b.wait().await.is_leader() })
                })
                .collect();
            let mut leaders = 0;
            for t in tasks {
                leaders += t.await.unwrap() as usize;
            }
            assert_eq!(leaders, 1);

            let cell = Arc::new(runtime::sync::OnceCell::new());
            let inits = Arc::new(AtomicUsize::new(0));
            let tasks: Vec<_> = (0..8)
                .map(|i| {
                    let (cell, inits) = (cell.clone(), inits.clone());
                    runtime::spawn(async move {
                        *cell
                            .get_or_init(|| async move {
                                inits.fetch_add(1, Ordering::SeqCst);
                                runtime::task::yield_now().await;
                                i
                            })
                            .await
                    })
                })
                .collect();
            let mut values = Vec::new();
            for t in tasks {
                values.push(t.await.unwrap());
            }
            assert_eq!(inits.load(Ordering::SeqCst), 1, "only one initialiser ran");
            assert!(values.iter().all(|v| *v == values[0]));
        });
    }
}

/// `task::unconstrained` (Tokio's): the same busy receiver inside it takes
/// all 10,000 messages in one poll; the other task runs only after.
#[test]
fn unconstrained_receiver_is_never_made_to_yield() {
    assert!(
        !other_task_ran_during_busy_receive(true),
        "the unconstrained receiver yielded to the other task"
    );
}

/// As Tokio: permits granted to a queued acquire before `close` do not
/// make it succeed after the close; they go back to the semaphore.
/// (Found by a review: the acquire returned its permit after the close.)
#[test]
fn semaphore_acquire_granted_before_close_fails_after_it() {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};
    let sem = Semaphore::new(0);
    let mut acq = std::pin::pin!(sem.acquire());
    let mut cx = Context::from_waker(Waker::noop());
    assert!(acq.as_mut().poll(&mut cx).is_pending());
    sem.add_permits(1); // handed to the queued acquire
    sem.close();
    assert!(matches!(acq.as_mut().poll(&mut cx), Poll::Ready(Err(_))));
    assert_eq!(sem.available_permits(), 1, "the granted permit came back");
}

/// As Tokio: asking for no permits succeeds at once even behind a queued
/// waiter (it takes nothing, so it overtakes nobody), and fails once
/// closed.
#[test]
fn semaphore_zero_permit_acquire_never_waits() {
    use std::future::Future;
    use std::task::{Context, Waker};
    let sem = Semaphore::new(0);
    let mut queued = std::pin::pin!(sem.acquire());
    let mut cx = Context::from_waker(Waker::noop());
    assert!(queued.as_mut().poll(&mut cx).is_pending());
    assert_eq!(sem.try_acquire_many(0).unwrap().num_permits(), 0);
    let zero = futures::executor::block_on(sem.acquire_many(0)).unwrap();
    assert_eq!(zero.num_permits(), 0);
    drop(zero);
    sem.close();
    assert!(futures::executor::block_on(sem.acquire_many(0)).is_err());
}

/// As Tokio: a head waiter that needs more than is free is handed what is
/// free (so nothing counts as available while it waits, and
/// `forget_permits` cannot take it); leaving unserved, by cancel or by
/// close, it gives all of it back.
#[test]
fn semaphore_head_waiter_holds_what_it_was_handed() {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};
    let mut cx = Context::from_waker(Waker::noop());

    let sem = Semaphore::new(2);
    let mut big = Box::pin(sem.acquire_many(3));
    assert!(big.as_mut().poll(&mut cx).is_pending());
    assert_eq!(sem.available_permits(), 0);
    assert_eq!(sem.forget_permits(5), 0);
    sem.add_permits(1);
    match big.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(permit)) => assert_eq!(permit.num_permits(), 3),
        other => panic!("expected the 3 permits, got {other:?}"),
    }
    assert_eq!(sem.available_permits(), 3);

    // Cancelled while partly served: its 2 go to the waiter behind it.
    let sem = Semaphore::new(2);
    let mut big = Box::pin(sem.acquire_many(3));
    assert!(big.as_mut().poll(&mut cx).is_pending());
    let mut small = Box::pin(sem.acquire());
    assert!(small.as_mut().poll(&mut cx).is_pending());
    drop(big);
    assert!(matches!(small.as_mut().poll(&mut cx), Poll::Ready(Ok(_))));
    assert_eq!(
        sem.available_permits(),
        2,
        "1 left free, 1 back with `small`"
    );

    // Closed while partly served: the acquire fails, the permits are back.
    let sem = Semaphore::new(2);
    let mut big = Box::pin(sem.acquire_many(3));
    assert!(big.as_mut().poll(&mut cx).is_pending());
    sem.close();
    assert!(matches!(big.as_mut().poll(&mut cx), Poll::Ready(Err(_))));
    assert_eq!(sem.available_permits(), 2);
}

/// A `changed()` (or broadcast `recv`, or Queue `join`) future dropped while it waits takes
/// its waker back out: a channel that seldom changes does not keep every
/// task that once waited on it alive (a waker holds its task) until the
/// next send.
#[test]
fn dropped_waits_on_watch_broadcast_and_queue_let_go_of_their_wakers() {
    use std::future::Future;
    use std::task::{Context, Wake, Waker};
    struct Counted;
    impl Wake for Counted {
        fn wake(self: Arc<Self>) {}
    }
    let task = Arc::new(Counted);
    // Polls 100 waits made by `$wait` once each with the counted waker,
    // drops them, and checks the primitive kept none of the wakers.
    macro_rules! dropped_waits_leave_no_waker {
        ($wait:expr, $what:literal) => {
            for _ in 0..100 {
                let waker = Waker::from(task.clone());
                let mut cx = Context::from_waker(&waker);
                let mut wait = Box::pin($wait);
                assert!(wait.as_mut().poll(&mut cx).is_pending());
                drop(wait);
            }
            assert_eq!(
                Arc::strong_count(&task),
                1,
                "{} kept wakers of dropped waits",
                $what
            );
        };
    }
    let (tx, mut rx) = runtime::sync::watch::channel(0);
    dropped_waits_leave_no_waker!(rx.changed(), "watch changed()");
    let (btx, mut brx) = runtime::sync::broadcast::channel::<u32>(4);
    dropped_waits_leave_no_waker!(brx.recv(), "broadcast recv()");
    btx.send(5).unwrap();
    assert_eq!(brx.try_recv(), Ok(5));
    let q = runtime::sync::Queue::<u32>::new(0);
    q.try_put(1).unwrap();
    dropped_waits_leave_no_waker!(q.join(), "Queue join()");
    // A waiting future still gets the next change.
    let waker = Waker::from(task.clone());
    let mut cx = Context::from_waker(&waker);
    let mut changed = Box::pin(rx.changed());
    assert!(changed.as_mut().poll(&mut cx).is_pending());
    tx.send(1).unwrap();
    assert!(changed.as_mut().poll(&mut cx).is_ready());
}

/// Several tasks wait; each `notify_one` lets exactly one through (the
/// others stay pending, and nothing is stored while they wait).
#[test]
fn notify_one_lets_exactly_one_waiter_through() {
    futures::executor::block_on(async {
        let notify = runtime::sync::Notify::new();
        let mut waits: Vec<_> = (0..4).map(|_| Box::pin(notify.notified())).collect();
        for w in &mut waits {
            assert!(futures::poll!(w.as_mut()).is_pending());
        }
        for served in 1..=4 {
            notify.notify_one();
            let mut still = Vec::new();
            for mut w in waits {
                if futures::poll!(w.as_mut()).is_pending() {
                    still.push(w);
                }
            }
            let ready = 5 - served - still.len();
            assert_eq!(
                ready, 1,
                "notify_one number {served} let {ready} waiters through"
            );
            waits = still;
        }
        // The last one went to a waiter: nothing is stored.
        assert!(futures::poll!(std::pin::pin!(notify.notified())).is_pending());
    });
}

#[test]
fn cancelled_lock_and_notified_lose_nothing() {
    futures::executor::block_on(async {
        let m = runtime::sync::Mutex::new(());
        let held = m.lock().await;
        let mut waiting = Box::pin(m.lock());
        assert!(futures::poll!(waiting.as_mut()).is_pending());
        drop(held); // handed to `waiting`...
        drop(waiting); // ...which is dropped: the lock must be free again
        assert!(m.try_lock().is_ok());

        let notify = runtime::sync::Notify::new();
        let mut a = Box::pin(notify.notified());
        let mut b = Box::pin(notify.notified());
        assert!(futures::poll!(a.as_mut()).is_pending());
        assert!(futures::poll!(b.as_mut()).is_pending());
        notify.notify_one(); // chooses `a`...
        drop(a); // ...which passes it on to `b`
        assert!(futures::poll!(b.as_mut()).is_ready());
    });
}

rt_test! {
    fn queue_workers_with_task_done_and_join(rt) {
        rt.block_on(async {
            let q = Arc::new(runtime::sync::Queue::<u32>::new(4));
            let processed = Arc::new(AtomicUsize::new(0));
            let high = Arc::new(AtomicUsize::new(0));
            for _ in 0..3 {
                let (q, processed) = (q.clone(), processed.clone());
                runtime::spawn(async move {
                    loop {
                        let _item = q.get().await;
                        runtime::task::yield_now().await;
                        processed.fetch_add(1, Ordering::SeqCst);
                        q.task_done();
                    }
                });
            }
            for i in 0..200 {
                q.put(i).await;
                high.fetch_max(q.len(), Ordering::SeqCst);
            }
            q.join().await;
            assert_eq!(processed.load(Ordering::SeqCst), 200);
            assert!(high.load(Ordering::SeqCst) <= 4, "the queue grew past maxsize");
        });
    }

    fn cancellation_token_tree(rt) {
        rt.block_on(async {
            let root = runtime::sync::CancellationToken::new();
            let child = root.child_token();
            let grandchild = child.child_token();
            let waiter = {
                let g = grandchild.clone();
                runtime::spawn(async move { g.cancelled().await })
            };
            let other = root.child_token();
            other.cancel();
            assert!(!root.is_cancelled(), "a child's cancel reached its parent");
            assert!(!grandchild.is_cancelled());
            root.cancel();
            waiter.await.unwrap();
            assert!(child.is_cancelled() && grandchild.is_cancelled());
            assert!(root.child_token().is_cancelled(), "a child of a cancelled token starts cancelled");

            let token = runtime::sync::CancellationToken::new();
            drop(token.clone().drop_guard());
            assert!(token.is_cancelled());
            let token = runtime::sync::CancellationToken::new();
            let kept = token.clone().drop_guard().disarm();
            assert!(!kept.is_cancelled());
            let owned = kept.clone().cancelled_owned();
            kept.cancel();
            owned.await;
        });
    }
}

#[test]
fn queue_kinds_orders_and_backpressure() {
    futures::executor::block_on(async {
        let fifo = runtime::sync::Queue::new(0);
        let prio = runtime::sync::PriorityQueue::new(0);
        let lifo = runtime::sync::LifoQueue::new(0);
        for v in [3, 1, 2] {
            fifo.put(v).await;
            prio.put(v).await;
            lifo.put(v).await;
        }
        let mut got = (vec![], vec![], vec![]);
        for _ in 0..3 {
            got.0.push(fifo.get().await);
            got.1.push(prio.get().await);
            got.2.push(lifo.get().await);
        }
        assert_eq!(got, (vec![3, 1, 2], vec![1, 2, 3], vec![2, 1, 3]));
        assert!(!fifo.is_full(), "an unbounded queue is never full");

        let q = runtime::sync::Queue::new(1);
        q.put('a').await;
        assert_eq!(q.try_put('b'), Err('b'));
        let mut put = Box::pin(q.put('b'));
        assert!(
            futures::poll!(put.as_mut()).is_pending(),
            "put must wait while full"
        );
        assert_eq!(q.get().await, 'a');
        put.await;
        assert_eq!(q.try_get(), Some('b'));
        assert_eq!(q.try_get(), None);
        // A cancelled get loses no item.
        let mut get = Box::pin(q.get());
        assert!(futures::poll!(get.as_mut()).is_pending());
        q.put('c').await; // wakes the pending get...
        drop(get); // ...which is dropped: the item stays
        assert_eq!(q.get().await, 'c');
        q.task_done();
        q.task_done();
        q.task_done();
        q.join().await;
    });
}

#[test]
fn task_done_called_too_often_says_so() {
    let q = runtime::sync::Queue::<u8>::new(0);
    let msg = common::panic_of(|| q.task_done());
    assert!(msg.contains("task_done() called more times"), "{msg}");
}

rt_test! {
    fn broadcast_every_receiver_gets_everything_and_laggards_are_told(rt) {
        rt.block_on(async {
            let (tx, rx) = runtime::sync::broadcast::channel::<u32>(16);
            let receivers: Vec<_> = (0..3)
                .map(|k| {
                    let mut rx = if k == 0 { rx.resubscribe() } else { tx.subscribe() };
                    runtime::spawn(async move {
                        let mut got = Vec::new();
                        while let Ok(v) = rx.recv().await {
                            got.push(v);
                        }
                        got
                    })
                })
                .collect();
            drop(rx);
            for i in 0..10 {
                assert_eq!(tx.send(i).unwrap(), 3);
                runtime::task::yield_now().await;
            }
            drop(tx);
            for r in receivers {
                assert_eq!(r.await.unwrap(), (0..10).collect::<Vec<_>>());
            }

            // A receiver that falls behind by more than the capacity.
            let (tx, mut slow) = runtime::sync::broadcast::channel::<u32>(2);
            for i in 0..5 {
                tx.send(i).unwrap();
            }
            assert_eq!(slow.recv().await, Err(runtime::sync::broadcast::error::RecvError::Lagged(3)));
            assert_eq!(slow.recv().await, Ok(3));
            assert_eq!(slow.recv().await, Ok(4));
            drop(tx);
            assert_eq!(slow.recv().await, Err(runtime::sync::broadcast::error::RecvError::Closed));
        });
    }

    fn watch_sees_the_latest_value(rt) {
        rt.block_on(async {
            let (tx, mut rx) = runtime::sync::watch::channel(0u32);
            let observer = runtime::spawn(async move {
                let mut last = 0;
                while rx.changed().await.is_ok() {
                    let v = *rx.borrow_and_update();
                    assert!(v > last, "values go forward: {v} after {last}");
                    last = v;
                }
                last
            });
            for i in 1..=100 {
                tx.send(i).unwrap();
                if i % 10 == 0 {
                    runtime::task::yield_now().await;
                }
            }
            tx.send_modify(|v| *v += 1);
            assert_eq!(*tx.borrow(), 101);
            drop(tx);
            // Intermediate values may be skipped; the last one never is.
            assert_eq!(observer.await.unwrap(), 101);
        });
    }
}

#[test]
fn review_fixes_oneshot_close_and_token_tree() {
    futures::executor::block_on(async {
        // A closed receiver learns at once that nothing will come (the
        // sender can no longer send), even with the sender alive.
        let (tx, mut rx) = oneshot::channel::<u32>();
        rx.close();
        let mut waiting = Box::pin(rx);
        assert!(matches!(
            futures::poll!(waiting.as_mut()),
            std::task::Poll::Ready(Err(_))
        ));
        assert_eq!(tx.send(1), Err(1));

        // Dropping a middle token does not cut its children off.
        let root = runtime::sync::CancellationToken::new();
        let middle = root.child_token();
        let leaf = middle.child_token();
        drop(middle);
        root.cancel();
        assert!(leaf.is_cancelled());
        leaf.cancelled().await;

        // A dropped receiver frees the slots of what it dropped.
        let (tx, rx) = mpsc::channel::<u32>(2);
        tx.send(1).await.unwrap();
        drop(rx);
        assert_eq!(tx.capacity(), 2);
    });
}

/// Fixes found while writing the API examples: a closed oneshot receiver
/// does not wait forever; permits reserved before `Receiver::close` still
/// deliver and the receiver ends only after them; `has_changed` fails once
/// the watch sender is gone (as Tokio's).
#[test]
fn close_semantics_match_tokio() {
    use runtime::sync::{mpsc, oneshot, watch};
    let rt = common::current_thread();
    rt.block_on(async {
        // oneshot: close with the sender alive, nothing sent.
        let (tx, mut rx) = oneshot::channel::<u32>();
        rx.close();
        assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Closed));
        let waited = runtime::time::timeout(std::time::Duration::from_secs(10), rx).await;
        assert!(
            matches!(waited, Ok(Err(_))),
            "a closed receiver must end at once"
        );
        assert_eq!(tx.send(1), Err(1));

        // mpsc: a permit reserved before close still delivers.
        let (tx, mut rx) = mpsc::channel::<u32>(4);
        tx.send(1).await.unwrap();
        let permit = tx.reserve().await.unwrap();
        rx.close();
        assert!(tx.send(99).await.is_err(), "no new sends after close");
        assert_eq!(rx.recv().await, Some(1));
        let (got, ()) = runtime::join!(async { (rx.recv().await, rx.recv().await) }, async {
            runtime::task::yield_now().await;
            permit.send(2);
        });
        assert_eq!(
            got,
            (Some(2), None),
            "the receiver waits for the reserved slot"
        );

        // mpsc: a send granted a slot before the close but polled after it
        // fails, as Tokio's does, and gives the slot back.
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        tx.try_send(1).unwrap();
        let mut waiting = Box::pin(tx.send(2));
        assert!(futures::poll!(waiting.as_mut()).is_pending());
        assert_eq!(rx.try_recv(), Ok(1)); // the freed slot goes to `waiting`
        rx.close();
        assert!(matches!(
            futures::poll!(waiting.as_mut()),
            std::task::Poll::Ready(Err(_))
        ));
        drop(waiting);
        assert!(rx.try_recv().is_err());
        assert_eq!(
            rx.recv().await,
            None,
            "the slot came back: nothing to wait for"
        );
        drop(tx);

        // mpsc: a reserved permit dropped unused after close ends the wait.
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        let permit = tx.try_reserve().unwrap();
        rx.close();
        let (got, ()) = runtime::join!(rx.recv(), async {
            runtime::task::yield_now().await;
            drop(permit);
        });
        assert_eq!(got, None);

        // watch: has_changed fails once the sender is gone; the value stays.
        let (tx, mut rx) = watch::channel(0);
        tx.send(5).unwrap();
        drop(tx);
        assert!(rx.has_changed().is_err());
        assert_eq!(*rx.borrow_and_update(), 5);
    });
}

/// A broadcast message is freed as soon as every receiver alive when it
/// was sent has seen it (or dropped out), not when it is overwritten, and
/// `len` counts only messages someone has yet to see (as Tokio's).
#[test]
fn broadcast_frees_messages_every_receiver_has_seen() {
    use runtime::sync::broadcast;
    let (tx, mut a) = broadcast::channel::<Arc<u32>>(8);
    let mut b = tx.subscribe();
    let msg = Arc::new(7);
    tx.send(msg.clone()).unwrap();
    assert_eq!(Arc::strong_count(&msg), 2, "one copy in the channel");
    assert_eq!(tx.len(), 1);
    let got_a = a.try_recv().unwrap();
    assert_eq!(tx.len(), 1, "b has yet to see it");
    let got_b = b.try_recv().unwrap();
    assert_eq!(tx.len(), 0);
    drop((got_a, got_b));
    assert_eq!(Arc::strong_count(&msg), 1, "the channel let go of it");

    // A receiver that drops without reading releases its share.
    let msg = Arc::new(8);
    tx.send(msg.clone()).unwrap();
    drop(a.try_recv().unwrap());
    assert_eq!(Arc::strong_count(&msg), 2);
    drop(b);
    assert_eq!(Arc::strong_count(&msg), 1);
    assert!(tx.is_empty());

    // A late subscriber does not hold messages sent before it came.
    let msg = Arc::new(9);
    tx.send(msg.clone()).unwrap();
    let _late = tx.subscribe();
    drop(a.try_recv().unwrap());
    assert_eq!(Arc::strong_count(&msg), 1);
}

/// Polling a finished `send` again is a bug in the caller and panics, but
/// it must not leak the slot: a closed receiver would then wait forever.
#[test]
fn send_polled_after_completion_panics_without_leaking_a_slot() {
    use futures::FutureExt;
    use runtime::sync::mpsc;
    let (tx, mut rx) = mpsc::channel::<u32>(2);
    let mut send = Box::pin(tx.send(1));
    assert!(send.as_mut().now_or_never().unwrap().is_ok());
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = send.as_mut().now_or_never();
    }))
    .unwrap_err();
    assert!(common::panic_message(&*err).contains("Send polled after it completed"));
    drop(send);
    assert_eq!(tx.capacity(), 1, "one message queued, no slot leaked");
    rx.close();
    assert_eq!(rx.try_recv(), Ok(1));
    assert!(futures::executor::block_on(rx.recv()).is_none());
}
