//! [`BufStream`]: one stream buffered both ways (a `BufReader` over a
//! `BufWriter`), for protocols that read and write on one connection.

use super::BufWriter;
use futures_io::{AsyncBufRead, AsyncRead, AsyncWrite};
use futures_lite::io::BufReader;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A stream with a read buffer and a write buffer (8 KiB each by
/// default). Writes are held until the buffer fills or `flush` is called,
/// as with a `BufWriter`.
///
/// ```
/// use runtime_core::io::{duplex, AsyncBufReadExt, AsyncWriteExt, BufStream};
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (a, b) = duplex(1024);
///     let (mut a, mut b) = (BufStream::new(a), BufStream::new(b));
///     a.write_all(b"hello\n").await.unwrap();
///     a.flush().await.unwrap(); // nothing leaves before this
///     let mut line = String::new();
///     b.read_line(&mut line).await.unwrap();
///     assert_eq!(line, "hello\n");
/// });
/// ```
#[derive(Debug)]
pub struct BufStream<RW: AsyncRead + AsyncWrite + Unpin> {
    inner: BufReader<BufWriter<RW>>,
}

impl<RW: AsyncRead + AsyncWrite + Unpin> BufStream<RW> {
    /// Buffers `stream` both ways with 8 KiB buffers.
    pub fn new(stream: RW) -> BufStream<RW> {
        BufStream::with_capacity(8 * 1024, 8 * 1024, stream)
    }

    /// Buffers `stream` with the given buffer sizes.
    pub fn with_capacity(
        reader_capacity: usize,
        writer_capacity: usize,
        stream: RW,
    ) -> BufStream<RW> {
        BufStream {
            inner: BufReader::with_capacity(
                reader_capacity,
                BufWriter::with_capacity(writer_capacity, stream),
            ),
        }
    }

    /// The stream underneath.
    pub fn get_ref(&self) -> &RW {
        self.inner.get_ref().get_ref()
    }

    /// The stream underneath, mutably (reading or writing it directly
    /// bypasses the buffers).
    pub fn get_mut(&mut self) -> &mut RW {
        self.inner.get_mut().get_mut()
    }

    /// The stream underneath; buffered data not yet read or written is
    /// lost (flush first).
    pub fn into_inner(self) -> RW {
        self.inner.into_inner().into_inner()
    }
}

impl<RW: AsyncRead + AsyncWrite + Unpin> AsyncRead for BufStream<RW> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<RW: AsyncRead + AsyncWrite + Unpin> AsyncBufRead for BufStream<RW> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        Pin::new(&mut self.get_mut().inner).poll_fill_buf(cx)
    }
    fn consume(self: Pin<&mut Self>, amt: usize) {
        Pin::new(&mut self.get_mut().inner).consume(amt)
    }
}

impl<RW: AsyncRead + AsyncWrite + Unpin> AsyncWrite for BufStream<RW> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_close(cx)
    }
}
