//! `Barrier`: `n` tasks wait until all of them have arrived; one of them
//! is told it is the leader. Reusable: the next `n` arrivals form the next
//! round.
//!
//! Each waiting `wait` keeps one entry in a wait list (a slab with O(1)
//! insertion, update and removal), and the last arrival of a round drains
//! the list and bumps the round's generation: a round of `n` waiters costs
//! O(n) in all, O(1) per waiter, however often each is polled.
//!
//! Cancel safety, as Tokio's `Barrier::wait`: `wait` is not cancel safe.
//! A `wait` arrives on its first poll; if it is dropped after that, its
//! arrival still counts (the round can complete without it, and it learns
//! nothing of it), and its waker is taken out of the barrier at once. A
//! `wait` dropped before its first poll never arrived.

use crate::loom::sync::Mutex;
use crate::wait_list::{Registration, WaitList};
use std::fmt;
use std::task::{Poll, Waker};

/// A barrier for `n` tasks.
///
/// ```
/// use runtime_sync::Barrier;
/// use std::sync::Arc;
/// let barrier = Arc::new(Barrier::new(3));
/// let threads: Vec<_> = (0..3)
///     .map(|_| {
///         let b = barrier.clone();
///         std::thread::spawn(move || futures::executor::block_on(b.wait()).is_leader())
///     })
///     .collect();
/// let leaders = threads
///     .into_iter()
///     .map(|t| t.join().unwrap())
///     .filter(|&is_leader| is_leader)
///     .count();
/// assert_eq!(leaders, 1);
/// ```
pub struct Barrier {
    n: usize,
    state: Mutex<State>,
}

struct State {
    /// Arrivals in the current round.
    arrived: usize,
    /// Rounds completed; a waiter is done once it moved past the one it
    /// arrived in.
    generation: u64,
    /// The current round's waiting futures (a dropped one takes its
    /// entry out).
    waiters: WaitList<Waker>,
}

/// What [`Barrier::wait`] returns.
///
/// ```
/// use runtime_sync::Barrier;
/// let barrier = Barrier::new(1);
/// let result = futures::executor::block_on(barrier.wait());
/// if result.is_leader() {
///     // one task per round does the round's bookkeeping
/// }
/// assert!(result.is_leader());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// Exactly one task per round is the leader (the last to arrive).
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

impl Barrier {
    /// A barrier for `n` tasks (`0` behaves as `1`, as Tokio's).
    ///
    /// ```
    /// use runtime_sync::Barrier;
    /// let barrier = Barrier::new(0); // behaves as `Barrier::new(1)`
    /// assert!(futures::executor::block_on(barrier.wait()).is_leader());
    /// ```
    pub fn new(n: usize) -> Barrier {
        Barrier {
            n: n.max(1),
            state: Mutex::new(State {
                arrived: 0,
                generation: 0,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Arrives and waits for the rest of the round.
    ///
    /// Not cancel safe, as Tokio's: the future arrives on its first poll,
    /// and if it is dropped after that its arrival still counts toward the
    /// round (see the module docs).
    ///
    /// ```
    /// use runtime_sync::Barrier;
    /// use std::sync::Arc;
    /// // Two threads meet three times: one leader per round.
    /// let rounds = |barrier: Arc<Barrier>| {
    ///     futures::executor::block_on(async move {
    ///         let mut led = 0;
    ///         for _ in 0..3 {
    ///             led += barrier.wait().await.is_leader() as u32;
    ///         }
    ///         led
    ///     })
    /// };
    /// let barrier = Arc::new(Barrier::new(2));
    /// let b = barrier.clone();
    /// let other = std::thread::spawn(move || rounds(b));
    /// let here = rounds(barrier);
    /// assert_eq!(here + other.join().unwrap(), 3);
    /// ```
    pub async fn wait(&self) -> BarrierWaitResult {
        let generation = {
            let mut st = self.state.lock();
            st.arrived += 1;
            if st.arrived == self.n {
                st.arrived = 0;
                st.generation = st.generation.wrapping_add(1);
                let wakers = st.waiters.take_all();
                drop(st);
                wakers.wake_all();
                return BarrierWaitResult(true);
            }
            st.generation
        };
        // From here on this future has arrived: dropped, it still counts,
        // and `registration` takes its waker back out.
        let mut registration = Registration::new(&self.state, |st: &mut State| &mut st.waiters);
        std::future::poll_fn(|cx| {
            let mut st = self.state.lock();
            if st.generation != generation {
                // The round's last arrival drained the list: nothing of
                // ours is left in it.
                registration.drained();
                return Poll::Ready(BarrierWaitResult(false));
            }
            registration.register(&mut st, cx.waker());
            Poll::Pending
        })
        .await
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier").field("n", &self.n).finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::test_util::CountingWaker;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::Context;

    fn poll<F: Future>(fut: Pin<&mut F>, waker: &Arc<CountingWaker>) -> Poll<F::Output> {
        let waker = Waker::from(waker.clone());
        fut.poll(&mut Context::from_waker(&waker))
    }

    /// 10,000 waiters, each with its own waker: every one is woken exactly
    /// once when the last arrives, exactly one is the leader, and no waker
    /// is kept once the round is over. Then the barrier is used again.
    #[test]
    fn ten_thousand_waiters_complete_a_round_and_the_next() {
        const N: usize = 10_000;
        let barrier = Barrier::new(N);
        for _round in 0..2 {
            let wakers: Vec<_> = (0..N).map(|_| CountingWaker::new()).collect();
            let mut waits: Vec<_> = (0..N - 1).map(|_| Box::pin(barrier.wait())).collect();
            for (w, waker) in waits.iter_mut().zip(&wakers) {
                assert!(poll(w.as_mut(), waker).is_pending());
            }
            assert!(wakers.iter().all(|w| w.wakes() == 0));
            let mut last = Box::pin(barrier.wait());
            let Poll::Ready(last) = poll(last.as_mut(), &wakers[N - 1]) else {
                panic!("the last arrival must complete the round at once");
            };
            assert!(last.is_leader(), "the last to arrive leads");
            for (w, waker) in waits.iter_mut().zip(&wakers) {
                assert_eq!(waker.wakes(), 1);
                match poll(w.as_mut(), waker) {
                    Poll::Ready(r) => assert!(!r.is_leader(), "two leaders"),
                    Poll::Pending => panic!("a waiter was left waiting"),
                }
            }
            drop(waits);
            assert!(
                wakers.iter().all(|w| Arc::strong_count(w) == 1),
                "a waker outlived the round"
            );
        }
    }

    /// A waiter polled again and again with a new waker each time (as
    /// inside a `select!` whose task moves) keeps one waker, the latest.
    #[test]
    fn a_waiter_keeps_only_its_latest_waker() {
        let barrier = Barrier::new(2);
        let mut wait = Box::pin(barrier.wait());
        let wakers: Vec<_> = (0..1000).map(|_| CountingWaker::new()).collect();
        for w in &wakers {
            assert!(poll(wait.as_mut(), w).is_pending());
        }
        let held = wakers.iter().filter(|w| Arc::strong_count(w) > 1).count();
        assert_eq!(held, 1, "the barrier kept {held} wakers for one waiter");
        assert!(
            Arc::strong_count(&wakers[999]) > 1,
            "the latest one is kept"
        );
        assert!(futures::executor::block_on(barrier.wait()).is_leader());
        assert_eq!(wakers[999].wakes(), 1);
        assert_eq!(wakers[0].wakes(), 0);
    }

    /// As Tokio's: a `wait` counts from its first poll; dropped after that
    /// it still counts (the round completes without it polling again), and
    /// its waker goes with it. Dropped before its first poll, it never
    /// arrived.
    #[test]
    fn a_dropped_wait_still_counts_and_keeps_no_waker() {
        let barrier = Barrier::new(3);
        let (wa, wb) = (CountingWaker::new(), CountingWaker::new());
        let mut a = Box::pin(barrier.wait());
        assert!(poll(a.as_mut(), &wa).is_pending());
        assert_eq!(
            Arc::strong_count(&wa),
            2,
            "the waiting future's waker is kept"
        );
        drop(a);
        assert_eq!(
            Arc::strong_count(&wa),
            1,
            "a dropped wait left its waker behind"
        );

        drop(barrier.wait()); // never polled: never arrived
        let mut b = Box::pin(barrier.wait());
        assert!(poll(b.as_mut(), &wb).is_pending());
        // `a` counted: this is the third arrival.
        assert!(futures::executor::block_on(barrier.wait()).is_leader());
        assert_eq!(wb.wakes(), 1);
        assert!(matches!(poll(b.as_mut(), &wb), Poll::Ready(r) if !r.is_leader()));
        assert_eq!(wa.wakes(), 0);
    }
}
