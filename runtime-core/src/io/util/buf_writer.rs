//! [`BufWriter`]: futures-lite's write buffer, plus what Tokio's also
//! does: reads (and buffered reads) pass through to the wrapped stream,
//! so a `BufWriter<TcpStream>` is still a reader.

use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project_lite::pin_project! {
    /// Buffers writes to `W` (8 KiB by default) until the buffer fills or
    /// `flush` is called; reads go straight to `W`.
    ///
    /// ```
    /// use runtime_core::io::{duplex, AsyncReadExt, AsyncWriteExt, BufWriter};
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (a, mut b) = duplex(64);
    ///     let mut a = BufWriter::new(a);
    ///     a.write_all(b"ping").await.unwrap();
    ///     a.flush().await.unwrap(); // only now does "ping" leave
    ///     let mut buf = [0; 4];
    ///     b.read_exact(&mut buf).await.unwrap();
    ///     b.write_all(b"pong").await.unwrap();
    ///     a.read_exact(&mut buf).await.unwrap(); // reads pass through
    ///     assert_eq!(&buf, b"pong");
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// `write` is cancel safe: its bytes are buffered (or handed to `W`)
    /// by the poll that returns, or not taken at all. `flush` is too: a
    /// flush dropped part-way keeps the bytes it has not written in the
    /// buffer, and the next write or flush carries on from there.
    #[derive(Debug)]
    pub struct BufWriter<W> {
        #[pin]
        inner: futures_lite::io::BufWriter<W>,
    }
}

impl<W: AsyncWrite> BufWriter<W> {
    /// Buffers `inner` with an 8 KiB buffer.
    pub fn new(inner: W) -> BufWriter<W> {
        BufWriter {
            inner: futures_lite::io::BufWriter::new(inner),
        }
    }

    /// Buffers `inner` with a buffer of `capacity` bytes.
    pub fn with_capacity(capacity: usize, inner: W) -> BufWriter<W> {
        BufWriter {
            inner: futures_lite::io::BufWriter::with_capacity(capacity, inner),
        }
    }

    /// The writer underneath.
    pub fn get_ref(&self) -> &W {
        self.inner.get_ref()
    }

    /// The writer underneath, mutably (writing to it directly skips the
    /// buffer).
    pub fn get_mut(&mut self) -> &mut W {
        self.inner.get_mut()
    }

    /// The writer underneath; what is still buffered is lost (flush
    /// first).
    pub fn into_inner(self) -> W {
        self.inner.into_inner()
    }

    /// The bytes buffered and not yet written.
    pub fn buffer(&self) -> &[u8] {
        self.inner.buffer()
    }
}

impl<W> BufWriter<W> {
    fn inner(self: Pin<&mut Self>) -> Pin<&mut futures_lite::io::BufWriter<W>> {
        self.project().inner
    }
}

impl<W: AsyncWrite> AsyncWrite for BufWriter<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.inner().poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner().poll_flush(cx)
    }
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner().poll_close(cx)
    }
}

impl<W: AsyncWrite + AsyncSeek> AsyncSeek for BufWriter<W> {
    /// Flushes the buffer, then seeks.
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        self.inner().poll_seek(cx, pos)
    }
}

impl<W: AsyncWrite + AsyncRead + Unpin> AsyncRead for BufWriter<W> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(self.get_mut().get_mut()).poll_read(cx, buf)
    }
}

impl<W: AsyncWrite + AsyncBufRead + Unpin> AsyncBufRead for BufWriter<W> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        Pin::new(self.get_mut().get_mut()).poll_fill_buf(cx)
    }
    fn consume(self: Pin<&mut Self>, amt: usize) {
        Pin::new(self.get_mut().get_mut()).consume(amt)
    }
}
