//! `broadcast`: every receiver gets every message (multi-producer,
//! multi-consumer). The channel keeps the last `capacity` messages; a
//! receiver that falls further behind is told how many it missed
//! (`RecvError::Lagged(n)`) and continues from the oldest kept message.
//!
//! Each kept message counts the receivers that have yet to see it (those
//! alive when it was sent); the last one to receive it takes it without a
//! clone, and a message every receiver has seen (or dropped) is freed at
//! once rather than when it is overwritten, as Tokio's are.

use crate::loom::sync::{Arc, Mutex};
use crate::wait_list::{Registration, WaitList};
use std::collections::VecDeque;
use std::fmt;
use std::task::{Poll, Waker};

/// Errors of the broadcast channel.
pub mod error {
    use std::fmt;

    crate::send_error_type!(
        r#"No receiver exists; the value comes back.

```
use runtime_sync::broadcast;
let (tx, rx) = broadcast::channel(1);
drop(rx);
assert_eq!(tx.send("nobody listens").unwrap_err().0, "nobody listens");
```"#
    );

    /// Why `recv` returned no message.
    ///
    /// ```
    /// use runtime_sync::broadcast::{self, error::RecvError};
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = broadcast::channel(2);
    ///     for i in 0..5 {
    ///         tx.send(i).unwrap();
    ///     }
    ///     // Only the last 2 are kept: 3 were lost for this receiver.
    ///     assert_eq!(rx.recv().await, Err(RecvError::Lagged(3)));
    ///     assert_eq!(rx.recv().await, Ok(3));
    ///     assert_eq!(rx.recv().await, Ok(4));
    ///     drop(tx);
    ///     assert_eq!(rx.recv().await, Err(RecvError::Closed));
    /// });
    /// ```
    #[derive(Debug, PartialEq, Eq, Clone, Copy)]
    pub enum RecvError {
        /// Every sender is gone and every message was received.
        Closed,
        /// The receiver fell behind: this many messages were dropped for
        /// it; the next `recv` returns the oldest kept one.
        Lagged(u64),
    }

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                RecvError::Closed => f.write_str("channel closed"),
                RecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
            }
        }
    }

    impl std::error::Error for RecvError {}

    /// Why `try_recv` returned no message.
    ///
    /// ```
    /// use runtime_sync::broadcast::{self, error::TryRecvError};
    /// let (tx, mut rx) = broadcast::channel(1);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(1).unwrap();
    /// tx.send(2).unwrap();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(1)));
    /// assert_eq!(rx.try_recv(), Ok(2));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    #[derive(Debug, PartialEq, Eq, Clone, Copy)]
    pub enum TryRecvError {
        /// Nothing new right now.
        Empty,
        /// Every sender is gone and every message was received.
        Closed,
        /// See [`RecvError::Lagged`].
        Lagged(u64),
    }

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TryRecvError::Empty => f.write_str("channel empty"),
                TryRecvError::Closed => f.write_str("channel closed"),
                TryRecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
            }
        }
    }

    impl std::error::Error for TryRecvError {}
}

use error::{RecvError, SendError, TryRecvError};

struct Shared<T> {
    capacity: usize,
    state: Mutex<State<T>>,
}

/// A kept message and the receivers that have yet to see it; `value` is
/// `None` once they all have (the slot stays, to keep positions simple).
struct Slot<T> {
    value: Option<T>,
    rem: usize,
}

struct State<T> {
    /// The kept messages; `buf[0]` has position `head - buf.len()`.
    buf: VecDeque<Slot<T>>,
    /// Position the next message gets.
    head: u64,
    senders: usize,
    receivers: usize,
    /// Receivers waiting for the next message; a `recv` dropped while
    /// waiting takes its waker back out (it holds its task alive).
    waiters: WaitList<Waker>,
}

/// Creates a broadcast channel keeping the last `capacity` messages.
///
/// # Panics
/// When `capacity` is 0.
///
/// ```
/// use runtime_sync::broadcast;
/// futures::executor::block_on(async {
///     let (tx, mut a) = broadcast::channel(4);
///     let mut b = tx.subscribe();
///     tx.send("hi").unwrap();
///     assert_eq!(a.recv().await, Ok("hi"));
///     assert_eq!(b.recv().await, Ok("hi"));
/// });
/// ```
#[track_caller]
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "broadcast::channel needs a capacity of at least 1 message"
    );
    let shared = Arc::new(Shared {
        capacity,
        state: Mutex::new(State {
            buf: VecDeque::with_capacity(capacity),
            head: 0,
            senders: 1,
            receivers: 1,
            waiters: WaitList::new(),
        }),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared, next: 0 },
    )
}

/// Sends to every receiver; clone it for more producers.
///
/// ```
/// use runtime_sync::broadcast;
/// let (tx, mut rx) = broadcast::channel(4);
/// let tx2 = tx.clone();
/// tx.send("from tx").unwrap();
/// tx2.send("from tx2").unwrap();
/// assert_eq!(rx.try_recv(), Ok("from tx"));
/// assert_eq!(rx.try_recv(), Ok("from tx2"));
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// Receives every message sent after it subscribed.
///
/// ```
/// use runtime_sync::broadcast;
/// let (tx, mut rx) = broadcast::channel(4);
/// let listener = std::thread::spawn(move || {
///     futures::executor::block_on(async move {
///         let mut sum = 0;
///         while let Ok(n) = rx.recv().await {
///             sum += n;
///         }
///         sum // `Err(Closed)`: every sender is gone and everything was read
///     })
/// });
/// for n in 1..=3 {
///     tx.send(n).unwrap();
/// }
/// drop(tx);
/// assert_eq!(listener.join().unwrap(), 6);
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// Position of the next message for this receiver.
    next: u64,
}

impl<T> Sender<T> {
    /// Sends `value` to every receiver; returns how many there are. Fails
    /// (giving the value back) when there is none.
    ///
    /// ```
    /// use runtime_sync::broadcast;
    /// let (tx, rx1) = broadcast::channel(4);
    /// let rx2 = tx.subscribe();
    /// assert_eq!(tx.send("hello").unwrap(), 2); // two receivers
    /// drop((rx1, rx2));
    /// assert!(tx.send("anyone?").is_err());
    /// ```
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let (n, waiters, evicted) = {
            let mut st = self.shared.state.lock();
            if st.receivers == 0 {
                return Err(SendError(value));
            }
            let mut evicted = None;
            if st.buf.len() == self.shared.capacity {
                evicted = st.buf.pop_front().and_then(|slot| slot.value);
            }
            let rem = st.receivers;
            st.buf.push_back(Slot {
                value: Some(value),
                rem,
            });
            st.head += 1;
            (st.receivers, st.waiters.take_all(), evicted)
        };
        // Dropped outside the lock.
        drop(evicted);
        waiters.wake_all();
        Ok(n)
    }

    /// A new receiver that gets the messages sent from now on.
    ///
    /// ```
    /// use runtime_sync::broadcast;
    /// let (tx, mut early) = broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// let mut late = tx.subscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(early.try_recv(), Ok(1));
    /// assert_eq!(early.try_recv(), Ok(2));
    /// assert_eq!(late.try_recv(), Ok(2)); // subscribed after 1 was sent
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        let mut st = self.shared.state.lock();
        st.receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            next: st.head,
        }
    }

    /// Receivers alive now.
    ///
    /// ```
    /// use runtime_sync::broadcast;
    /// let (tx, rx) = broadcast::channel::<u8>(1);
    /// let rx2 = rx.resubscribe();
    /// assert_eq!(tx.receiver_count(), 2);
    /// drop((rx, rx2));
    /// assert_eq!(tx.receiver_count(), 0);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.state.lock().receivers
    }

    /// Messages kept that some receiver has yet to see (at most the
    /// capacity), as Tokio's `len`.
    ///
    /// ```
    /// use runtime_sync::broadcast;
    /// let (tx, mut rx) = broadcast::channel(2);
    /// assert!(tx.is_empty());
    /// for i in 0..3 {
    ///     tx.send(i).unwrap();
    /// }
    /// assert_eq!(tx.len(), 2); // at most the capacity
    /// assert!(rx.try_recv().is_err()); // lagged: the oldest is gone
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(tx.len(), 1); // the only receiver has seen 1
    /// ```
    pub fn len(&self) -> usize {
        // At most `capacity` slots: counted when asked rather than kept
        // up to date on every send and receive.
        let st = self.shared.state.lock();
        st.buf.iter().filter(|slot| slot.value.is_some()).count()
    }

    /// No message kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.state.lock().senders += 1;
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waiters = {
            let mut st = self.shared.state.lock();
            st.senders -= 1;
            if st.senders > 0 {
                return;
            }
            st.waiters.take_all()
        };
        waiters.wake_all();
    }
}

/// The message at position `*next` for a receiver, moving it on.
fn take_next<T: Clone>(next: &mut u64, st: &mut State<T>) -> Result<T, TryRecvError> {
    let oldest = st.head - st.buf.len() as u64;
    if *next < oldest {
        let missed = oldest - *next;
        *next = oldest;
        return Err(TryRecvError::Lagged(missed));
    }
    if *next < st.head {
        let slot = &mut st.buf[(*next - oldest) as usize];
        *next += 1;
        slot.rem -= 1;
        let value = if slot.rem == 0 {
            // The last receiver to see it takes it.
            slot.value.take()
        } else {
            slot.value.clone()
        };
        return Ok(value.expect("a receiver counted in a message finds it there"));
    }
    if st.senders == 0 {
        return Err(TryRecvError::Closed);
    }
    Err(TryRecvError::Empty)
}

impl<T: Clone> Receiver<T> {
    /// The next message. Cancel safe.
    ///
    /// ```
    /// use runtime_sync::broadcast::{self, error::RecvError};
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = broadcast::channel(2);
    ///     for i in 0..3 {
    ///         tx.send(i).unwrap();
    ///     }
    ///     drop(tx);
    ///     let (mut got, mut missed) = (Vec::new(), 0);
    ///     loop {
    ///         match rx.recv().await {
    ///             Ok(v) => got.push(v),
    ///             Err(RecvError::Lagged(n)) => missed += n,
    ///             Err(RecvError::Closed) => break,
    ///         }
    ///     }
    ///     assert_eq!((got, missed), (vec![1, 2], 1));
    /// });
    /// ```
    pub async fn recv(&mut self) -> Result<T, RecvError> {
        let Receiver { shared, next } = self;
        let mut waiting = Registration::new(&shared.state, |st: &mut State<T>| &mut st.waiters);
        std::future::poll_fn(|cx| {
            let restore = std::task::ready!(crate::coop::poll_proceed(cx));
            let mut st = shared.state.lock();
            let res = match take_next(next, &mut st) {
                Ok(v) => Ok(v),
                Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
                Err(TryRecvError::Closed) => Err(RecvError::Closed),
                Err(TryRecvError::Empty) => {
                    waiting.register(&mut st, cx.waker());
                    return Poll::Pending;
                }
            };
            drop(st);
            restore.made_progress();
            Poll::Ready(res)
        })
        .await
    }

    /// The next message if there is one, without waiting.
    ///
    /// ```
    /// use runtime_sync::broadcast::{self, error::TryRecvError};
    /// let (tx, mut rx) = broadcast::channel(4);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut st = self.shared.state.lock();
        take_next(&mut self.next, &mut st)
    }

    /// A new receiver starting from now (not from where this one is).
    ///
    /// ```
    /// use runtime_sync::broadcast;
    /// let (tx, mut rx) = broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// let mut fresh = rx.resubscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1)); // rx keeps its backlog
    /// assert_eq!(fresh.try_recv(), Ok(2)); // fresh starts from now
    /// ```
    pub fn resubscribe(&self) -> Receiver<T> {
        let mut st = self.shared.state.lock();
        st.receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            next: st.head,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // Stop counting as a receiver of the messages this one has not
        // seen; those it was the last one to miss are freed.
        let mut freed = Vec::new();
        {
            let mut st = self.shared.state.lock();
            st.receivers -= 1;
            let oldest = st.head - st.buf.len() as u64;
            let from = (self.next.max(oldest) - oldest) as usize;
            for slot in st.buf.iter_mut().skip(from) {
                slot.rem -= 1;
                if slot.rem == 0 {
                    freed.extend(slot.value.take());
                }
            }
        }
        drop(freed);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::Sender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::Receiver")
            .finish_non_exhaustive()
    }
}
