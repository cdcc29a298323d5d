//! `broadcast`: every receiver gets every message (multi-producer,
//! multi-consumer). The channel keeps the last `capacity` messages; a
//! receiver that falls further behind is told how many it missed
//! (`RecvError::Lagged(n)`) and continues from the oldest kept message.

use crate::loom::sync::{Arc, Mutex};
use std::collections::VecDeque;
use std::fmt;
use std::task::{Poll, Waker};

/// Errors of the broadcast channel.
pub mod error {
    use std::fmt;

    crate::send_error_type!("No receiver exists; the value comes back.");

    /// Why `recv` returned no message.
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

struct State<T> {
    /// The kept messages; `buf[0]` has position `head - buf.len()`.
    buf: VecDeque<T>,
    /// Position the next message gets.
    head: u64,
    senders: usize,
    receivers: usize,
    waiters: Vec<Waker>,
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
            waiters: Vec::new(),
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
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// Receives every message sent after it subscribed.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// Position of the next message for this receiver.
    next: u64,
}

impl<T> Sender<T> {
    /// Sends `value` to every receiver; returns how many there are. Fails
    /// (giving the value back) when there is none.
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let (n, waiters) = {
            let mut st = self.shared.state.lock();
            if st.receivers == 0 {
                return Err(SendError(value));
            }
            if st.buf.len() == self.shared.capacity {
                st.buf.pop_front();
            }
            st.buf.push_back(value);
            st.head += 1;
            (st.receivers, std::mem::take(&mut st.waiters))
        };
        for w in waiters {
            w.wake();
        }
        Ok(n)
    }

    /// A new receiver that gets the messages sent from now on.
    pub fn subscribe(&self) -> Receiver<T> {
        let mut st = self.shared.state.lock();
        st.receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            next: st.head,
        }
    }

    /// Receivers alive now.
    pub fn receiver_count(&self) -> usize {
        self.shared.state.lock().receivers
    }

    /// Messages kept and not yet seen by every receiver (at most the
    /// capacity).
    pub fn len(&self) -> usize {
        self.shared.state.lock().buf.len()
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
            std::mem::take(&mut st.waiters)
        };
        for w in waiters {
            w.wake();
        }
    }
}

/// The message at position `*next` for a receiver, moving it on.
fn take_next<T: Clone>(next: &mut u64, st: &State<T>) -> Result<T, TryRecvError> {
    let oldest = st.head - st.buf.len() as u64;
    if *next < oldest {
        let missed = oldest - *next;
        *next = oldest;
        return Err(TryRecvError::Lagged(missed));
    }
    if *next < st.head {
        let value = st.buf[(*next - oldest) as usize].clone();
        *next += 1;
        return Ok(value);
    }
    if st.senders == 0 {
        return Err(TryRecvError::Closed);
    }
    Err(TryRecvError::Empty)
}

impl<T: Clone> Receiver<T> {
    /// The next message. Cancel safe.
    pub async fn recv(&mut self) -> Result<T, RecvError> {
        let Receiver { shared, next } = self;
        std::future::poll_fn(|cx| {
            let restore = std::task::ready!(crate::coop::poll_proceed(cx));
            let mut st = shared.state.lock();
            let res = match take_next(next, &st) {
                Ok(v) => Ok(v),
                Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
                Err(TryRecvError::Closed) => Err(RecvError::Closed),
                Err(TryRecvError::Empty) => {
                    if !st.waiters.iter().any(|w| w.will_wake(cx.waker())) {
                        st.waiters.push(cx.waker().clone());
                    }
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
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let st = self.shared.state.lock();
        take_next(&mut self.next, &st)
    }

    /// A new receiver starting from now (not from where this one is).
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
        self.shared.state.lock().receivers -= 1;
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
