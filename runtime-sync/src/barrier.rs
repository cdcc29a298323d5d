//! `Barrier`: `n` tasks wait until all of them have arrived; one of them
//! is told it is the leader. Reusable: the next `n` arrivals form the next
//! round.

use crate::loom::sync::Mutex;
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
    arrived: usize,
    generation: u64,
    wakers: Vec<Waker>,
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
                wakers: Vec::new(),
            }),
        }
    }

    /// Arrives and waits for the rest of the round.
    ///
    /// Not cancel safe (as Tokio's): a dropped `wait` still counts as
    /// arrived.
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
                st.generation += 1;
                let wakers = std::mem::take(&mut st.wakers);
                drop(st);
                for w in wakers {
                    w.wake();
                }
                return BarrierWaitResult(true);
            }
            st.generation
        };
        std::future::poll_fn(|cx| {
            let mut st = self.state.lock();
            if st.generation != generation {
                return Poll::Ready(BarrierWaitResult(false));
            }
            if !st.wakers.iter().any(|w| w.will_wake(cx.waker())) {
                st.wakers.push(cx.waker().clone());
            }
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
