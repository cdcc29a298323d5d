//! [`WatchStream`]: a `watch` receiver as a stream of its values. The
//! receiver has no poll method, so the stream keeps a boxed `changed`
//! future that owns the receiver and hands it back.

use futures_core::Stream;
use runtime_sync::watch::error::RecvError;
use runtime_sync::watch::Receiver;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// A wait in flight, owning the receiver: `Ok` when there is a value to
/// yield, `Err` once the sender is gone and every value was seen.
type Wait<T> = Pin<Box<dyn Future<Output = (Result<(), RecvError>, Receiver<T>)> + Send>>;

fn changed<T: Send + Sync + 'static>(mut rx: Receiver<T>) -> Wait<T> {
    Box::pin(async move {
        let result = rx.changed().await;
        (result, rx)
    })
}

fn at_once<T: Send + Sync + 'static>(rx: Receiver<T>) -> Wait<T> {
    Box::pin(async move { (Ok(()), rx) })
}

/// A [`runtime_sync::watch::Receiver`] as a [`Stream`] of its values: the
/// value each time it changes (values set in between are skipped: a watch
/// channel keeps only the latest), ending when the sender is gone.
///
/// [`new`](WatchStream::new) yields the current value first;
/// [`from_changes`](WatchStream::from_changes) only the changes after it.
///
/// ```
/// use runtime_stream::{wrappers::WatchStream, StreamExt};
/// use runtime_sync::watch;
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let (tx, rx) = watch::channel("hello");
///     let mut stream = WatchStream::new(rx);
///     assert_eq!(stream.next().await, Some("hello"));
///     tx.send("goodbye").unwrap();
///     assert_eq!(stream.next().await, Some("goodbye"));
///     drop(tx);
///     assert_eq!(stream.next().await, None);
/// });
/// ```
pub struct WatchStream<T> {
    inner: Wait<T>,
}

impl<T: Clone + Send + Sync + 'static> WatchStream<T> {
    /// A stream that yields the current value at once, then each change.
    ///
    /// ```
    /// use runtime_stream::{wrappers::WatchStream, StreamExt};
    /// use runtime_sync::watch;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let (_tx, rx) = watch::channel(1);
    ///     let mut stream = WatchStream::new(rx);
    ///     assert_eq!(stream.next().await, Some(1));
    /// });
    /// ```
    pub fn new(rx: Receiver<T>) -> Self {
        WatchStream { inner: at_once(rx) }
    }

    /// A stream that waits for the value to change (from the version the
    /// receiver has seen), then yields each change.
    ///
    /// ```
    /// use runtime_stream::{wrappers::WatchStream, StreamExt};
    /// use runtime_sync::watch;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let (tx, rx) = watch::channel(1);
    ///     let mut stream = WatchStream::from_changes(rx);
    ///     tx.send(2).unwrap();
    ///     assert_eq!(stream.next().await, Some(2)); // 1 is not yielded
    /// });
    /// ```
    pub fn from_changes(rx: Receiver<T>) -> Self {
        WatchStream { inner: changed(rx) }
    }
}

impl<T: Clone + Send + Sync + 'static> Stream for WatchStream<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let (result, mut rx) = ready!(self.inner.as_mut().poll(cx));
        let item = match result {
            Ok(()) => Some(rx.borrow_and_update().clone()),
            Err(_) => None,
        };
        self.inner = changed(rx);
        Poll::Ready(item)
    }
}

impl<T> fmt::Debug for WatchStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WatchStream").finish_non_exhaustive()
    }
}
