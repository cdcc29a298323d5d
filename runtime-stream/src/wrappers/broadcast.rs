//! [`BroadcastStream`]: a `broadcast` receiver as a stream. The receiver
//! has no poll method, so the stream keeps a boxed `recv` future that owns
//! the receiver and hands it back with each message.

use futures_core::Stream;
use runtime_sync::broadcast::error::RecvError;
use runtime_sync::broadcast::Receiver;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// A `recv` in flight, owning the receiver.
type Recv<T> = Pin<Box<dyn Future<Output = (Result<T, RecvError>, Receiver<T>)> + Send>>;

fn recv<T: Clone + Send + 'static>(mut rx: Receiver<T>) -> Recv<T> {
    Box::pin(async move {
        let result = rx.recv().await;
        (result, rx)
    })
}

/// A [`runtime_sync::broadcast::Receiver`] as a [`Stream`]: each message as
/// `Ok`, an `Err(Lagged(n))` where `n` messages were lost because this
/// receiver fell behind (the stream goes on with the oldest kept one), and
/// the end once every sender is gone and all was received.
///
/// ```
/// use runtime_stream::wrappers::{errors::BroadcastStreamRecvError, BroadcastStream};
/// use runtime_stream::StreamExt;
/// use runtime_sync::broadcast;
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let (tx, rx) = broadcast::channel(2);
///     for i in 0..4 {
///         tx.send(i).unwrap();
///     }
///     drop(tx);
///     let got: Vec<_> = BroadcastStream::new(rx).collect().await;
///     assert_eq!(got, [Err(BroadcastStreamRecvError::Lagged(2)), Ok(2), Ok(3)]);
/// });
/// ```
pub struct BroadcastStream<T> {
    inner: Recv<T>,
}

/// The error a [`BroadcastStream`] yields: the receiver fell behind and
/// this many messages were dropped for it; the stream goes on with the
/// oldest message still kept.
///
/// ```
/// use runtime_stream::wrappers::errors::BroadcastStreamRecvError;
///
/// let err = BroadcastStreamRecvError::Lagged(7);
/// assert_eq!(err.to_string(), "channel lagged by 7");
/// ```
#[derive(Debug, PartialEq, Eq, Clone)]
pub enum BroadcastStreamRecvError {
    /// How many messages were skipped.
    Lagged(u64),
}

impl fmt::Display for BroadcastStreamRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BroadcastStreamRecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
        }
    }
}

impl std::error::Error for BroadcastStreamRecvError {}

impl<T: Clone + Send + 'static> BroadcastStream<T> {
    /// Wraps `rx` (the stream starts where the receiver is).
    ///
    /// ```
    /// use runtime_stream::{wrappers::BroadcastStream, StreamExt};
    /// use runtime_sync::broadcast;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let (tx, rx) = broadcast::channel(4);
    ///     let mut stream = BroadcastStream::new(rx);
    ///     tx.send("hi").unwrap();
    ///     assert_eq!(stream.next().await, Some(Ok("hi")));
    /// });
    /// ```
    pub fn new(rx: Receiver<T>) -> Self {
        BroadcastStream { inner: recv(rx) }
    }
}

impl<T: Clone + Send + 'static> Stream for BroadcastStream<T> {
    type Item = Result<T, BroadcastStreamRecvError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let (result, rx) = ready!(self.inner.as_mut().poll(cx));
        self.inner = recv(rx);
        match result {
            Ok(value) => Poll::Ready(Some(Ok(value))),
            Err(RecvError::Lagged(n)) => {
                Poll::Ready(Some(Err(BroadcastStreamRecvError::Lagged(n))))
            }
            Err(RecvError::Closed) => Poll::Ready(None),
        }
    }
}

impl<T> fmt::Debug for BroadcastStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BroadcastStream").finish_non_exhaustive()
    }
}

impl<T: Clone + Send + 'static> From<Receiver<T>> for BroadcastStream<T> {
    fn from(rx: Receiver<T>) -> Self {
        BroadcastStream::new(rx)
    }
}
