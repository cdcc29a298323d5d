//! [`ReceiverStream`] and [`UnboundedReceiverStream`]: the `mpsc`
//! receivers as streams.

use futures_core::{FusedStream, Stream};
use runtime_sync::mpsc::{Receiver, UnboundedReceiver};
use std::pin::Pin;
use std::task::{Context, Poll};

/// The `Stream` impl and the conversions both wrappers share; each type
/// says how large its stream may still be through its own
/// `open_size_hint` (used until the stream has ended).
macro_rules! receiver_stream {
    ($stream:ident($receiver:ident)) => {
        impl<T> Stream for $stream<T> {
            type Item = T;

            fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
                if self.terminated {
                    return Poll::Ready(None);
                }
                let polled = self.inner.poll_recv(cx);
                if let Poll::Ready(None) = polled {
                    self.terminated = true;
                }
                polled
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                if self.terminated {
                    (0, Some(0))
                } else {
                    self.open_size_hint()
                }
            }
        }

        impl<T> FusedStream for $stream<T> {
            fn is_terminated(&self) -> bool {
                self.terminated
            }
        }

        impl<T> AsRef<$receiver<T>> for $stream<T> {
            fn as_ref(&self) -> &$receiver<T> {
                &self.inner
            }
        }

        impl<T> AsMut<$receiver<T>> for $stream<T> {
            fn as_mut(&mut self) -> &mut $receiver<T> {
                &mut self.inner
            }
        }

        impl<T> From<$receiver<T>> for $stream<T> {
            fn from(recv: $receiver<T>) -> Self {
                $stream::new(recv)
            }
        }
    };
}

/// A [`runtime_sync::mpsc::Receiver`] as a [`Stream`]: its messages, ending
/// when every sender is gone and the queue is drained.
///
/// ```
/// use runtime_stream::{wrappers::ReceiverStream, StreamExt};
/// use runtime_sync::mpsc;
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let (tx, rx) = mpsc::channel(2);
///     tx.send(10).await.unwrap();
///     tx.send(20).await.unwrap();
///     drop(tx);
///     let mut stream = ReceiverStream::new(rx);
///     assert_eq!(stream.next().await, Some(10));
///     assert_eq!(stream.next().await, Some(20));
///     assert_eq!(stream.next().await, None);
/// });
/// ```
#[derive(Debug)]
pub struct ReceiverStream<T> {
    inner: Receiver<T>,
    terminated: bool,
}

impl<T> ReceiverStream<T> {
    /// Wraps `recv`.
    ///
    /// ```
    /// use runtime_stream::wrappers::ReceiverStream;
    /// use runtime_sync::mpsc;
    ///
    /// let (_tx, rx) = mpsc::channel::<u8>(1);
    /// let stream = ReceiverStream::new(rx);
    /// # drop(stream);
    /// ```
    pub fn new(recv: Receiver<T>) -> Self {
        ReceiverStream {
            inner: recv,
            terminated: false,
        }
    }

    /// The receiver back.
    ///
    /// ```
    /// use runtime_stream::wrappers::ReceiverStream;
    /// use runtime_sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::channel(1);
    /// tx.try_send(5).unwrap();
    /// let mut rx = ReceiverStream::new(rx).into_inner();
    /// assert_eq!(rx.try_recv(), Ok(5));
    /// ```
    pub fn into_inner(self) -> Receiver<T> {
        self.inner
    }

    /// Closes the channel without dropping the receiver: sends fail from
    /// now on, and the stream still yields what was queued before it ends.
    ///
    /// ```
    /// use runtime_stream::{wrappers::ReceiverStream, StreamExt};
    /// use runtime_sync::mpsc;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let (tx, rx) = mpsc::channel(2);
    ///     tx.send(1).await.unwrap();
    ///     let mut stream = ReceiverStream::new(rx);
    ///     stream.close();
    ///     assert!(tx.send(2).await.is_err());
    ///     assert_eq!(stream.next().await, Some(1));
    ///     assert_eq!(stream.next().await, None);
    /// });
    /// ```
    pub fn close(&mut self) {
        self.inner.close();
    }

    /// At least the queued messages; no upper bound while the channel can
    /// still receive (even once closed, a reserved permit may still send).
    fn open_size_hint(&self) -> (usize, Option<usize>) {
        (self.inner.len(), None)
    }
}

receiver_stream!(ReceiverStream(Receiver));

/// A [`runtime_sync::mpsc::UnboundedReceiver`] as a [`Stream`]: its
/// messages, ending when every sender is gone and the queue is drained.
///
/// ```
/// use runtime_stream::{wrappers::UnboundedReceiverStream, StreamExt};
/// use runtime_sync::mpsc;
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let (tx, rx) = mpsc::unbounded_channel();
///     for i in 0..3 {
///         tx.send(i).unwrap();
///     }
///     drop(tx);
///     let all: Vec<i32> = UnboundedReceiverStream::new(rx).collect().await;
///     assert_eq!(all, [0, 1, 2]);
/// });
/// ```
#[derive(Debug)]
pub struct UnboundedReceiverStream<T> {
    inner: UnboundedReceiver<T>,
    terminated: bool,
}

impl<T> UnboundedReceiverStream<T> {
    /// Wraps `recv`.
    ///
    /// ```
    /// use runtime_stream::wrappers::UnboundedReceiverStream;
    /// use runtime_sync::mpsc;
    ///
    /// let (_tx, rx) = mpsc::unbounded_channel::<u8>();
    /// let stream = UnboundedReceiverStream::new(rx);
    /// # drop(stream);
    /// ```
    pub fn new(recv: UnboundedReceiver<T>) -> Self {
        UnboundedReceiverStream {
            inner: recv,
            terminated: false,
        }
    }

    /// The receiver back.
    ///
    /// ```
    /// use runtime_stream::wrappers::UnboundedReceiverStream;
    /// use runtime_sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::unbounded_channel();
    /// tx.send('a').unwrap();
    /// let mut rx = UnboundedReceiverStream::new(rx).into_inner();
    /// assert_eq!(rx.try_recv(), Ok('a'));
    /// ```
    pub fn into_inner(self) -> UnboundedReceiver<T> {
        self.inner
    }

    /// Closes the channel without dropping the receiver: sends fail from
    /// now on, and the stream still yields what was queued before it ends.
    ///
    /// ```
    /// use runtime_stream::{wrappers::UnboundedReceiverStream, StreamExt};
    /// use runtime_sync::mpsc;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let (tx, rx) = mpsc::unbounded_channel();
    ///     tx.send(1).unwrap();
    ///     let mut stream = UnboundedReceiverStream::new(rx);
    ///     stream.close();
    ///     assert!(tx.send(2).is_err());
    ///     assert_eq!(stream.next().await, Some(1));
    ///     assert_eq!(stream.next().await, None);
    /// });
    /// ```
    pub fn close(&mut self) {
        self.inner.close();
    }

    /// The queued messages; exact once the channel is closed.
    fn open_size_hint(&self) -> (usize, Option<usize>) {
        let queued = self.inner.len();
        (queued, self.inner.is_closed().then_some(queued))
    }
}

receiver_stream!(UnboundedReceiverStream(UnboundedReceiver));
