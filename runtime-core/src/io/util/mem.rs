//! In-memory byte pipes with a bounded buffer: [`duplex`] (a connected
//! pair, like a socket pair, for tests and in-process protocols) and
//! [`simplex`] / [`SimplexStream`] (one direction). A full buffer makes
//! the writer wait (backpressure); an empty one makes the reader wait.

use futures_io::{AsyncRead, AsyncWrite};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// A one-way in-memory pipe: what is written is read back, in order,
/// through at most `max_buf_size` bytes of buffer. It reads end of file
/// once the write side was shut down (`shutdown`/`close`) and emptied.
///
/// ```
/// use runtime_core::io::{AsyncReadExt, AsyncWriteExt, SimplexStream};
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut pipe = SimplexStream::new_unsplit(16);
///     pipe.write_all(b"abc").await.unwrap();
///     pipe.shutdown().await.unwrap();
///     let mut got = String::new();
///     pipe.read_to_string(&mut got).await.unwrap();
///     assert_eq!(got, "abc");
/// });
/// ```
#[derive(Debug)]
pub struct SimplexStream {
    buf: std::collections::VecDeque<u8>,
    max: usize,
    /// The write side was shut down: reads end once `buf` is empty.
    write_closed: bool,
    /// The read side is gone: writes fail with `BrokenPipe`.
    read_closed: bool,
    read_waker: Option<Waker>,
    write_waker: Option<Waker>,
}

impl SimplexStream {
    /// A pipe holding at most `max_buf_size` unread bytes, not split into
    /// halves (see [`simplex`]).
    ///
    /// # Panics
    /// If `max_buf_size` is 0 (nothing could ever be written).
    pub fn new_unsplit(max_buf_size: usize) -> SimplexStream {
        assert!(
            max_buf_size > 0,
            "a SimplexStream needs a buffer of at least one byte"
        );
        SimplexStream {
            buf: std::collections::VecDeque::new(),
            max: max_buf_size,
            write_closed: false,
            read_closed: false,
            read_waker: None,
            write_waker: None,
        }
    }

    fn read_into(&mut self, cx: &mut Context<'_>, out: &mut [u8]) -> Poll<io::Result<usize>> {
        if out.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if self.buf.is_empty() {
            if self.write_closed {
                return Poll::Ready(Ok(0));
            }
            self.read_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = out.len().min(self.buf.len());
        for (dst, src) in out.iter_mut().zip(self.buf.drain(..n)) {
            *dst = src;
        }
        if let Some(w) = self.write_waker.take() {
            w.wake();
        }
        Poll::Ready(Ok(n))
    }

    fn write_from(&mut self, cx: &mut Context<'_>, src: &[u8]) -> Poll<io::Result<usize>> {
        if self.read_closed {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the reading end of the in-memory pipe is gone",
            )));
        }
        if self.write_closed {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the in-memory pipe was shut down for writing",
            )));
        }
        if src.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let room = self.max - self.buf.len();
        if room == 0 {
            self.write_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = room.min(src.len());
        self.buf.extend(&src[..n]);
        if let Some(w) = self.read_waker.take() {
            w.wake();
        }
        Poll::Ready(Ok(n))
    }

    fn close_write(&mut self) {
        self.write_closed = true;
        if let Some(w) = self.read_waker.take() {
            w.wake();
        }
    }

    fn close_read(&mut self) {
        self.read_closed = true;
        self.buf.clear();
        if let Some(w) = self.write_waker.take() {
            w.wake();
        }
    }
}

impl AsyncRead for SimplexStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().read_into(cx, buf)
    }
}

impl AsyncWrite for SimplexStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().write_from(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().close_write();
        Poll::Ready(Ok(()))
    }
}

/// A one-way pipe split into its reading and writing halves.
///
/// As with Tokio, the reader sees end of file only after the writer
/// called `shutdown()` (or `close()`): dropping the write half alone does
/// not end the stream. Use [`duplex`] when dropping should be enough.
///
/// ```
/// use runtime_core::io::{simplex, AsyncReadExt, AsyncWriteExt};
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (mut rx, mut tx) = simplex(4);
///     let writer = runtime_core::spawn(async move {
///         tx.write_all(b"more than four bytes").await.unwrap(); // waits for the reader
///         tx.shutdown().await.unwrap();
///     });
///     let mut got = String::new();
///     rx.read_to_string(&mut got).await.unwrap();
///     assert_eq!(got, "more than four bytes");
///     writer.await.unwrap();
/// });
/// ```
pub fn simplex(
    max_buf_size: usize,
) -> (
    super::ReadHalf<SimplexStream>,
    super::WriteHalf<SimplexStream>,
) {
    super::split(SimplexStream::new_unsplit(max_buf_size))
}

type Shared = Arc<parking_lot::Mutex<SimplexStream>>;

/// One end of an in-memory connection made by [`duplex`]: what one end
/// writes the other reads. Dropping an end makes the other read end of
/// file (after the data already sent) and fail writes with `BrokenPipe`.
#[derive(Debug)]
pub struct DuplexStream {
    read: Shared,
    write: Shared,
}

/// A connected pair of in-memory streams, each direction buffering at
/// most `max_buf_size` bytes (writers wait while it is full).
///
/// ```
/// use runtime_core::io::{duplex, AsyncReadExt, AsyncWriteExt};
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (mut client, mut server) = duplex(64);
///     client.write_all(b"ping").await.unwrap();
///     let mut buf = [0; 4];
///     server.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"ping");
///     drop(server);
///     assert_eq!(client.read(&mut buf).await.unwrap(), 0); // end of file
///     let err = client.write_all(b"x").await.unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
/// });
/// ```
///
/// # Panics
/// If `max_buf_size` is 0.
pub fn duplex(max_buf_size: usize) -> (DuplexStream, DuplexStream) {
    let one: Shared = Arc::new(parking_lot::Mutex::new(SimplexStream::new_unsplit(
        max_buf_size,
    )));
    let two: Shared = Arc::new(parking_lot::Mutex::new(SimplexStream::new_unsplit(
        max_buf_size,
    )));
    (
        DuplexStream {
            read: one.clone(),
            write: two.clone(),
        },
        DuplexStream {
            read: two,
            write: one,
        },
    )
}

impl AsyncRead for DuplexStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.read.lock().read_into(cx, buf)
    }
}

impl AsyncWrite for DuplexStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.write.lock().write_from(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.write.lock().close_write();
        Poll::Ready(Ok(()))
    }
}

impl Drop for DuplexStream {
    fn drop(&mut self) {
        self.write.lock().close_write();
        self.read.lock().close_read();
    }
}
