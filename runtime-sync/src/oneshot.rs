//! `oneshot`: a channel for exactly one value. The receiver is a future;
//! dropping either side is seen by the other (`RecvError`, `send` giving
//! the value back, `closed().await`).

use crate::loom::sync::{Arc, Mutex};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Errors of the oneshot channel.
pub mod error {
    use std::fmt;

    /// The sender was dropped without sending.
    ///
    /// ```
    /// use runtime_sync::oneshot;
    /// let (tx, rx) = oneshot::channel::<u8>();
    /// drop(tx);
    /// let err = futures::executor::block_on(rx).unwrap_err();
    /// assert_eq!(err.to_string(), "channel closed");
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RecvError(pub(super) ());

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}

    /// Why `try_recv` returned no value.
    ///
    /// ```
    /// use runtime_sync::oneshot::{self, error::TryRecvError};
    /// let (tx, mut rx) = oneshot::channel::<u8>();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum TryRecvError {
        /// Nothing sent yet.
        Empty,
        /// The sender was dropped without sending (or the value was taken).
        Closed,
    }

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TryRecvError::Empty => f.write_str("channel empty"),
                TryRecvError::Closed => f.write_str("channel closed"),
            }
        }
    }

    impl std::error::Error for TryRecvError {}
}

use error::{RecvError, TryRecvError};

struct State<T> {
    value: Option<T>,
    /// The sender sent or was dropped.
    complete: bool,
    /// The receiver was dropped or closed.
    rx_closed: bool,
    rx_waker: Option<Waker>,
    tx_waker: Option<Waker>,
}

/// Creates a oneshot channel.
///
/// ```
/// let (tx, rx) = runtime_sync::oneshot::channel();
/// std::thread::spawn(move || tx.send(42).unwrap());
/// assert_eq!(futures::executor::block_on(rx), Ok(42));
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Mutex::new(State {
        value: None,
        complete: false,
        rx_closed: false,
        rx_waker: None,
        tx_waker: None,
    }));
    (
        Sender {
            inner: Some(inner.clone()),
        },
        Receiver { inner: Some(inner) },
    )
}

/// Sends the one value.
///
/// ```
/// use runtime_sync::{mpsc, oneshot};
/// // Request/response: each request carries the sender for its reply.
/// struct Request {
///     n: u32,
///     reply: oneshot::Sender<u32>,
/// }
/// let (requests, mut incoming) = mpsc::unbounded_channel::<Request>();
/// let server = std::thread::spawn(move || {
///     futures::executor::block_on(async {
///         while let Some(req) = incoming.recv().await {
///             let _ = req.reply.send(req.n * 2);
///         }
///     })
/// });
/// let (reply, answer) = oneshot::channel();
/// requests.send(Request { n: 21, reply }).unwrap();
/// assert_eq!(futures::executor::block_on(answer), Ok(42));
/// drop(requests);
/// server.join().unwrap();
/// ```
pub struct Sender<T> {
    /// `None` once sent.
    inner: Option<Arc<Mutex<State<T>>>>,
}

/// Receives the one value: `.await` it.
///
/// ```
/// use futures::FutureExt;
/// use runtime_sync::oneshot;
/// let (tx, mut rx) = oneshot::channel();
/// // Poll it through `&mut` to keep it: nothing has come yet.
/// assert!((&mut rx).now_or_never().is_none());
/// tx.send("done").unwrap();
/// assert_eq!(futures::executor::block_on(rx), Ok("done"));
/// ```
pub struct Receiver<T> {
    /// `None` once the value (or the error) was returned.
    inner: Option<Arc<Mutex<State<T>>>>,
}

fn set_waker(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(w) if w.will_wake(waker) => {}
        _ => *slot = Some(waker.clone()),
    }
}

impl<T> Sender<T> {
    /// Sends `value`; gives it back if the receiver is gone.
    ///
    /// ```
    /// use runtime_sync::oneshot;
    /// let (tx, rx) = oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(5), Err(5)); // nobody to receive it: it comes back
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let inner = self.inner.take().expect("a Sender sends once");
        let waker = {
            let mut st = inner.lock();
            if st.rx_closed {
                st.complete = true;
                // A closed receiver may still be waiting: it must learn
                // that nothing will come.
                let waker = st.rx_waker.take();
                drop(st);
                if let Some(w) = waker {
                    w.wake();
                }
                return Err(value);
            }
            st.value = Some(value);
            st.complete = true;
            st.rx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// Whether the receiver was dropped or closed.
    ///
    /// ```
    /// use runtime_sync::oneshot;
    /// let (tx, rx) = oneshot::channel::<u8>();
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner.as_ref().is_none_or(|i| i.lock().rx_closed)
    }

    /// Waits until the receiver is dropped or closed.
    ///
    /// ```
    /// use runtime_sync::oneshot;
    /// // Give up on a computation once nobody wants its result.
    /// let (mut tx, rx) = oneshot::channel::<u64>();
    /// let worker = std::thread::spawn(move || {
    ///     futures::executor::block_on(tx.closed());
    ///     "abandoned"
    /// });
    /// drop(rx);
    /// assert_eq!(worker.join().unwrap(), "abandoned");
    /// ```
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await
    }

    /// Polls for the receiver being dropped or closed.
    ///
    /// ```
    /// use runtime_sync::oneshot;
    /// use std::task::{Context, Poll, Waker};
    /// let (mut tx, mut rx) = oneshot::channel::<u8>();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(tx.poll_closed(&mut cx), Poll::Pending);
    /// rx.close();
    /// assert_eq!(tx.poll_closed(&mut cx), Poll::Ready(()));
    /// ```
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(inner) = &self.inner else {
            return Poll::Ready(());
        };
        let mut st = inner.lock();
        if st.rx_closed {
            return Poll::Ready(());
        }
        set_waker(&mut st.tx_waker, cx.waker());
        Poll::Pending
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        let waker = {
            let mut st = inner.lock();
            st.complete = true;
            st.rx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> Receiver<T> {
    /// Takes the value if it is there, without waiting.
    ///
    /// ```
    /// use runtime_sync::oneshot::{self, error::TryRecvError};
    /// let (tx, mut rx) = oneshot::channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed)); // already taken
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let Some(inner) = &self.inner else {
            return Err(TryRecvError::Closed);
        };
        let mut st = inner.lock();
        if let Some(v) = st.value.take() {
            drop(st);
            self.inner = None;
            return Ok(v);
        }
        // After `close` no value can arrive (`send` refuses it).
        if st.complete || st.rx_closed {
            return Err(TryRecvError::Closed);
        }
        Err(TryRecvError::Empty)
    }

    /// Refuses the value from now on (a later `send` gives it back); a
    /// value already sent can still be received. With none sent,
    /// `try_recv` then gives `Closed` and awaiting the receiver ends at
    /// once with `RecvError`, even while the sender is alive.
    ///
    /// ```
    /// use runtime_sync::oneshot;
    /// let (tx, mut rx) = oneshot::channel::<&str>();
    /// rx.close();
    /// assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Closed));
    /// assert!(tx.is_closed());
    /// assert_eq!(tx.send("refused"), Err("refused"));
    ///
    /// let (tx, mut rx) = oneshot::channel();
    /// tx.send("sent before the close").unwrap();
    /// rx.close();
    /// assert_eq!(rx.try_recv(), Ok("sent before the close"));
    /// ```
    pub fn close(&mut self) {
        let Some(inner) = &self.inner else { return };
        let waker = {
            let mut st = inner.lock();
            st.rx_closed = true;
            st.tx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let inner = this
            .inner
            .as_ref()
            .expect("oneshot::Receiver polled after it completed");
        let restore = std::task::ready!(crate::coop::poll_proceed(cx));
        let mut st = inner.lock();
        if let Some(v) = st.value.take() {
            drop(st);
            this.inner = None;
            restore.made_progress();
            return Poll::Ready(Ok(v));
        }
        // Closed by the receiver: `send` refuses values from now on, so
        // waiting would never end.
        if st.complete || st.rx_closed {
            drop(st);
            this.inner = None;
            restore.made_progress();
            return Poll::Ready(Err(RecvError(())));
        }
        set_waker(&mut st.rx_waker, cx.waker());
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        let (waker, value) = {
            let mut st = inner.lock();
            st.rx_closed = true;
            (st.tx_waker.take(), st.value.take())
        };
        // The value (if any) is dropped outside the lock.
        drop(value);
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Sender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Receiver").finish_non_exhaustive()
    }
}
