//! [`split`]: one reader-writer as a [`ReadHalf`] and a [`WriteHalf`]
//! that can move to different tasks, and back together with
//! [`ReadHalf::unsplit`] (Tokio's `io::split`; sockets have their own
//! lock-free `split`/`into_split`).

use futures_io::{AsyncRead, AsyncWrite};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// The reading half from [`split`].
#[derive(Debug)]
pub struct ReadHalf<T>(Arc<parking_lot::Mutex<T>>);

/// The writing half from [`split`].
#[derive(Debug)]
pub struct WriteHalf<T>(Arc<parking_lot::Mutex<T>>);

/// Splits `stream` into halves that share it behind a lock (each call
/// takes the lock for the one `poll_*` it makes).
///
/// ```
/// use runtime_core::io::{duplex, split, AsyncReadExt, AsyncWriteExt};
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (a, mut b) = duplex(64);
///     let (mut reader, mut writer) = split(a);
///     writer.write_all(b"ping").await.unwrap();
///     let mut buf = [0; 4];
///     b.read_exact(&mut buf).await.unwrap();
///     b.write_all(b"pong").await.unwrap();
///     reader.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"pong");
///     assert!(reader.is_pair_of(&writer));
///     let _a = reader.unsplit(writer); // the stream again
/// });
/// ```
pub fn split<T: AsyncRead + AsyncWrite>(stream: T) -> (ReadHalf<T>, WriteHalf<T>) {
    let shared = Arc::new(parking_lot::Mutex::new(stream));
    (ReadHalf(shared.clone()), WriteHalf(shared))
}

impl<T> ReadHalf<T> {
    /// Whether `other` is the other half of the same stream.
    pub fn is_pair_of(&self, other: &WriteHalf<T>) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// Puts the halves back together.
    ///
    /// # Panics
    /// If `other` is not this half's pair.
    pub fn unsplit(self, other: WriteHalf<T>) -> T {
        assert!(
            self.is_pair_of(&other),
            "ReadHalf::unsplit: the WriteHalf given belongs to another stream"
        );
        drop(other);
        match Arc::try_unwrap(self.0) {
            Ok(lock) => lock.into_inner(),
            Err(_) => unreachable!("both halves were given back"),
        }
    }
}

impl<T> WriteHalf<T> {
    /// Whether `other` is the other half of the same stream.
    pub fn is_pair_of(&self, other: &ReadHalf<T>) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ReadHalf<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0.lock()).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WriteHalf<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0.lock()).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0.lock()).poll_flush(cx)
    }
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0.lock()).poll_close(cx)
    }
}
