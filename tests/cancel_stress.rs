//! Random-cancellation stress tests (written by a review of the lock-free
//! rewrites) on every flavour: the Semaphore and what sits on it (Mutex,
//! RwLock, OnceCell) lose no permit and never exceed the bound when waits
//! are dropped at random points; TaskGroup spawners orphan no child and
//! keep each spawner's order; watch, broadcast and Queue waits dropped at
//! random lose no value or wake-up. A lost wake-up fails through a 30 s
//! deadline instead of hanging CI (a guard, not a timing assertion).

#[macro_use]
mod common;

use common::DropGuard;
use runtime::sync::{broadcast, watch, Mutex, OnceCell, Queue, RwLock, Semaphore};
use runtime::task::{self, TaskGroup};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

/// Polls `f` at most `polls` times (yielding in between); `None` = dropped unfinished.
async fn within<F: Future>(f: F, polls: usize) -> Option<F::Output> {
    let mut f = std::pin::pin!(f);
    for _ in 0..polls {
        if let Poll::Ready(v) = futures::poll!(f.as_mut()) {
            return Some(v);
        }
        task::yield_now().await;
    }
    None
}

struct Rng(u64);
impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn no_hang<F: Future>(rt: &runtime::Runtime, f: F) -> F::Output {
    rt.block_on(async {
        runtime::time::timeout(Duration::from_secs(30), f)
            .await
            .expect("hang (lost wake-up?)")
    })
}

rt_test! {
    // Random acquire_many / cancel / hold / release: the bound holds and every permit comes back.
    fn semaphore_conserves_permits_under_cancel(rt) {
        const P: usize = 5;
        for round in 0..20u64 {
            let sem = Arc::new(Semaphore::new(P));
            let in_use = Arc::new(AtomicUsize::new(0));
            no_hang(&rt, async {
                let mut tasks = Vec::new();
                for t in 0..8u64 {
                    let (sem, in_use) = (sem.clone(), in_use.clone());
                    tasks.push(runtime::spawn(async move {
                        let mut rng = Rng(round * 1000 + t + 1);
                        for _ in 0..200 {
                            let k = 1 + rng.next(P as u64) as u32;
                            let polls = rng.next(4) as usize;
                            if let Some(p) = within(sem.acquire_many(k), polls).await {
                                let p = p.unwrap();
                                let now = in_use.fetch_add(k as usize, SeqCst) + k as usize;
                                assert!(now <= P, "{now} permits in use of {P}");
                                if rng.next(2) == 0 { task::yield_now().await; }
                                in_use.fetch_sub(k as usize, SeqCst);
                                drop(p);
                            }
                        }
                    }));
                }
                for t in tasks { t.await.unwrap(); }
            });
            assert_eq!(sem.available_permits(), P, "round {round}");
            assert!(sem.try_acquire_many(P as u32).is_ok());
        }
    }

    // close() in the middle: every acquire ends (no hang) and every permit is back.
    fn semaphore_close_returns_everything(rt) {
        const P: usize = 4;
        for round in 0..20u64 {
            let sem = Arc::new(Semaphore::new(P));
            no_hang(&rt, async {
                let mut tasks = Vec::new();
                for t in 0..6u64 {
                    let sem = sem.clone();
                    tasks.push(runtime::spawn(async move {
                        let mut rng = Rng(round * 77 + t + 1);
                        loop {
                            let k = 1 + rng.next(P as u64) as u32;
                            match within(sem.acquire_many(k), 1 + rng.next(3) as usize).await {
                                Some(Ok(p)) => { task::yield_now().await; drop(p); }
                                Some(Err(_)) => return,
                                None => {}
                            }
                        }
                    }));
                }
                for _ in 0..(round % 7) { task::yield_now().await; }
                sem.close();
                for t in tasks { t.await.unwrap(); }
            });
            assert_eq!(sem.available_permits(), P, "round {round}");
        }
    }

    // Mutex with cancelled lock() futures: no lost update, no hang.
    fn mutex_and_rwlock_with_cancelled_waiters(rt) {
        let m = Arc::new(Mutex::new(0u64));
        let rw = Arc::new(RwLock::new(0u64));
        let done = Arc::new(AtomicUsize::new(0));
        no_hang(&rt, async {
            let mut tasks = Vec::new();
            for t in 0..8u64 {
                let (m, rw, done) = (m.clone(), rw.clone(), done.clone());
                tasks.push(runtime::spawn(async move {
                    let mut rng = Rng(t + 3);
                    for _ in 0..300 {
                        if let Some(mut g) = within(m.lock(), rng.next(3) as usize).await {
                            *g += 1;
                            done.fetch_add(1, SeqCst);
                        }
                        if rng.next(3) == 0 {
                            if let Some(mut g) = within(rw.write(), rng.next(3) as usize).await {
                                *g += 1;
                            }
                        } else if let Some(g) = within(rw.read(), rng.next(3) as usize).await {
                            let _ = *g;
                        }
                    }
                }));
            }
            for t in tasks { t.await.unwrap(); }
            assert_eq!(*m.lock().await as usize, done.load(SeqCst));
            drop(rw.write().await);
            drop(m.try_lock().unwrap());
        });
    }

    // OnceCell: initialisers cancelled mid-way; a waiter takes over; initialised once.
    fn once_cell_with_cancelled_initialisers(rt) {
        for _ in 0..50 {
            let cell = Arc::new(OnceCell::new());
            let calls = Arc::new(AtomicUsize::new(0));
            no_hang(&rt, async {
                let mut tasks = Vec::new();
                for t in 0..6usize {
                    let (cell, calls) = (cell.clone(), calls.clone());
                    tasks.push(runtime::spawn(async move {
                        let init = cell.get_or_init(|| async move {
                            task::yield_now().await;
                            task::yield_now().await;
                            calls.fetch_add(1, SeqCst);
                            t
                        });
                        // Even tasks give up early; odd ones wait for the value.
                        if t % 2 == 0 { within(init, 2).await.copied() } else { Some(*init.await) }
                    }));
                }
                for t in tasks { t.await.unwrap(); }
            });
            assert!(cell.get().is_some());
            assert_eq!(calls.load(SeqCst), 1);
        }
    }
}

// ---- TaskGroup ----

rt_test! {
    // Children and outsiders spawn siblings while one child fails at a random
    // point: when join returns, every accepted child's future has been dropped.
    fn no_accepted_child_outlives_a_failing_join(rt) {
        for round in 0..50u64 {
            let accepted = Arc::new(AtomicUsize::new(0));
            let dropped = Arc::new(AtomicUsize::new(0));
            let (a, d) = (accepted.clone(), dropped.clone());
            let err = no_hang(&rt, async move {
                let mut group: TaskGroup<u32, &'static str> = TaskGroup::new();
                let spawner = group.spawner();
                fn child(
                    s: runtime::task::TaskGroupSpawner<u32, &'static str>,
                    a: Arc<AtomicUsize>,
                    d: Arc<AtomicUsize>,
                    seed: u64,
                    depth: u32,
                ) -> std::pin::Pin<Box<dyn Future<Output = Result<u32, &'static str>> + Send>> {
                    // `a` counts every child future made (accepted or refused: a
                    // refused one is dropped at once); `d` counts those dropped.
                    a.fetch_add(1, SeqCst);
                    let guard = DropGuard(d.clone());
                    Box::pin(async move {
                        let _guard = guard;
                        let mut rng = Rng(seed);
                        for i in 0..2 * u64::from(depth > 0) {
                            let _ = s.spawn(child(s.clone(), a.clone(), d.clone(), seed.wrapping_mul(3) + i + 1, depth - 1));
                            task::yield_now().await;
                        }
                        std::future::pending::<()>().await;
                        Ok(rng.next(10) as u32)
                    })
                }
                for i in 0..3 {
                    group.spawn(child(spawner.clone(), a.clone(), d.clone(), round * 10 + i + 1, 6));
                }
                let n = round as usize % 20;
                group.spawn(async move {
                    for _ in 0..n { task::yield_now().await; }
                    Err("fail")
                });
                group.join().await.unwrap_err()
            });
            assert_eq!(err.into_failed(), Some("fail"));
            assert_eq!(dropped.load(SeqCst), accepted.load(SeqCst), "round {round}: a child outlived join");
        }
    }

    // Several spawners at once: each one's children come back in its spawn order.
    fn spawner_values_keep_each_spawners_order(rt) {
        for _ in 0..20 {
            let values = no_hang(&rt, async {
                let mut group: TaskGroup<(u32, u32), ()> = TaskGroup::new();
                for s in 0..4u32 {
                    let spawner = group.spawner();
                    group.spawn(async move {
                        for i in 0..50u32 {
                            spawner.spawn(async move {
                                if i % 3 == 0 { task::yield_now().await; }
                                Ok((s, i + 1))
                            }).unwrap();
                            if i % 7 == 0 { task::yield_now().await; }
                        }
                        Ok((s, 0))
                    });
                }
                group.join().await.unwrap()
            });
            assert_eq!(values.len(), 4 * 51);
            for s in 0..4u32 {
                let mine: Vec<u32> = values.iter().filter(|v| v.0 == s).map(|v| v.1).collect();
                assert_eq!(mine, (0..=50).collect::<Vec<_>>(), "spawner {s}");
            }
        }
    }

    // Dropping join mid-way (children still adding siblings) aborts them all.
    fn dropping_join_aborts_spawner_children(rt) {
        for round in 0..30u64 {
            let accepted = Arc::new(AtomicUsize::new(0));
            let dropped = Arc::new(AtomicUsize::new(0));
            let (a, d) = (accepted.clone(), dropped.clone());
            no_hang(&rt, async move {
                let mut group: TaskGroup<u32, ()> = TaskGroup::new();
                let spawner = group.spawner();
                let (a2, d2) = (a.clone(), d.clone());
                a.fetch_add(1, SeqCst);
                let guard = DropGuard(d.clone());
                group.spawn(async move {
                    let _g = guard;
                    loop {
                        a2.fetch_add(1, SeqCst); // counted before the attempt
                        let g = DropGuard(d2.clone());
                        let _ = spawner.spawn(async move { let _g = g; std::future::pending::<()>().await; Ok(0) });
                        task::yield_now().await;
                    }
                });
                let _ = within(group.join(), 1 + round as usize % 10).await;
                while d.load(SeqCst) < a.load(SeqCst) { task::yield_now().await; }
            });
            assert_eq!(dropped.load(SeqCst), accepted.load(SeqCst));
        }
    }
}

// ---- Registration (watch changed, broadcast recv, Queue join) ----

rt_test! {
    // Receivers drop changed() futures at random while the sender sends:
    // every receiver still sees the last value (no lost wake-up).
    fn watch_changed_cancelled_at_random_sees_the_last_value(rt) {
        for round in 0..20u64 {
            let (tx, rx) = watch::channel(0u32);
            no_hang(&rt, async move {
                let mut tasks = Vec::new();
                for r in 0..6u64 {
                    let mut rx = rx.clone();
                    tasks.push(runtime::spawn(async move {
                        let mut rng = Rng(round * 31 + r + 1);
                        loop {
                            if *rx.borrow_and_update() == 500 { return; }
                            if let Some(Err(_)) = within(rx.changed(), 1 + rng.next(3) as usize).await {
                                panic!("sender gone before the last value");
                            }
                        }
                    }));
                }
                for i in 1..=500u32 {
                    tx.send(i).unwrap();
                    if i % 10 == 0 { task::yield_now().await; }
                }
                for t in tasks { t.await.unwrap(); }
            });
        }
    }

    fn broadcast_recv_cancelled_at_random_loses_nothing(rt) {
        for round in 0..10u64 {
            let (tx, rx) = broadcast::channel::<u32>(1024);
            no_hang(&rt, async move {
                let mut tasks = Vec::new();
                for r in 0..4u64 {
                    let mut rx = tx.subscribe();
                    tasks.push(runtime::spawn(async move {
                        let mut rng = Rng(round * 17 + r + 1);
                        let mut got = Vec::new();
                        loop {
                            match within(rx.recv(), 1 + rng.next(3) as usize).await {
                                Some(Ok(v)) => got.push(v),
                                Some(Err(broadcast::error::RecvError::Closed)) => return got,
                                Some(Err(e)) => panic!("{e:?}"),
                                None => {}
                            }
                        }
                    }));
                }
                drop(rx);
                for i in 0..500u32 {
                    tx.send(i).unwrap();
                    if i % 10 == 0 { task::yield_now().await; }
                }
                drop(tx);
                for t in tasks {
                    assert_eq!(t.await.unwrap(), (0..500).collect::<Vec<_>>());
                }
            });
        }
    }

    fn queue_join_with_dropped_joiners(rt) {
        for round in 0..20u64 {
            let q = Arc::new(Queue::<u32>::new(0));
            no_hang(&rt, async {
                for i in 0..100 { q.try_put(i).unwrap(); }
                let mut joiners = Vec::new();
                for j in 0..4u64 {
                    let q = q.clone();
                    joiners.push(runtime::spawn(async move {
                        let mut rng = Rng(round * 13 + j + 1);
                        // Give up a few times, then wait for real.
                        for _ in 0..3 { let _ = within(q.join(), 1 + rng.next(3) as usize).await; }
                        q.join().await;
                    }));
                }
                let worker = { let q = q.clone(); runtime::spawn(async move {
                    while let Some(_v) = q.try_get() { q.task_done(); task::yield_now().await; }
                }) };
                worker.await.unwrap();
                for j in joiners { j.await.unwrap(); }
            });
        }
    }
}

/// FIFO with a partly served head: the head holds what arrives, later
/// waiters (even small ones that would fit) wait behind it.
#[test]
fn semaphore_fifo_with_partly_served_head() {
    use std::task::{Context, Waker};
    let mut cx = Context::from_waker(Waker::noop());
    let sem = Semaphore::new(0);
    let mut big = Box::pin(sem.acquire_many(3));
    let mut small = Box::pin(sem.acquire());
    let mut mid = Box::pin(sem.acquire_many(2));
    assert!(big.as_mut().poll(&mut cx).is_pending());
    assert!(small.as_mut().poll(&mut cx).is_pending());
    assert!(mid.as_mut().poll(&mut cx).is_pending());
    sem.add_permits(2);
    assert!(
        small.as_mut().poll(&mut cx).is_pending(),
        "small overtook the head"
    );
    assert!(sem.try_acquire().is_err());
    assert_eq!(sem.available_permits(), 0);
    sem.add_permits(2); // big done (3), 1 left -> small
    let Poll::Ready(Ok(_b)) = big.as_mut().poll(&mut cx) else {
        panic!("big")
    };
    let Poll::Ready(Ok(_s)) = small.as_mut().poll(&mut cx) else {
        panic!("small")
    };
    assert!(mid.as_mut().poll(&mut cx).is_pending());
    sem.add_permits(1); // mid gets 1 assigned, needs 2
    assert_eq!(sem.available_permits(), 0);
    drop(mid); // gives the 1 back, queue empty
    assert_eq!(sem.available_permits(), 1);
    assert!(sem.try_acquire().is_ok());
    // Overflow: the limit holds on add_permits.
    let sem = Semaphore::new(Semaphore::MAX_PERMITS - 1);
    sem.add_permits(1);
    assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sem.add_permits(1))).is_err());
    assert_eq!(sem.available_permits(), Semaphore::MAX_PERMITS);
}

/// After `join` returns (or fails), a spawner still kept somewhere must not
/// keep the joining task's waker (a waker holds its task alive).
#[test]
fn spawner_does_not_keep_the_joiners_waker_after_join() {
    use std::task::{Context, Wake, Waker};
    struct Counted;
    impl Wake for Counted {
        fn wake(self: Arc<Self>) {}
    }
    let rt = common::current_thread();
    let task = Arc::new(Counted);
    let spawner = rt.block_on(async {
        let mut group: TaskGroup<u32, ()> = TaskGroup::new();
        let spawner = group.spawner();
        group.spawn(async {
            task::yield_now().await;
            Ok(1)
        });
        let waker = Waker::from(task.clone());
        let mut join = Box::pin(group.join());
        loop {
            // Poll with the counted waker, yield to let the child run.
            let done = join.as_mut().poll(&mut Context::from_waker(&waker));
            if let Poll::Ready(v) = done {
                assert_eq!(v.unwrap(), [1]);
                break;
            }
            task::yield_now().await;
        }
        spawner
    });
    assert_eq!(
        Arc::strong_count(&task),
        1,
        "the spawner kept join's waker (and its task) alive"
    );
    drop(spawner);
}
