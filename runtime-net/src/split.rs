//! What `TcpStream` and `UnixStream` share, written once: the
//! [`SplitStream`] trait (reads, writes and write shutdown through the
//! stream's `AsyncFd`, all taking `&self`), and the halves generic over
//! it. `split(&mut self)` gives borrowed halves ([`ReadHalf`],
//! [`WriteHalf`]: no allocation); `into_split(self)` gives owned halves
//! ([`OwnedReadHalf`], [`OwnedWriteHalf`]: an `Arc`), which
//! `reunite` puts back together. Dropping an `OwnedWriteHalf` shuts the
//! write side down, as Tokio's does.
//!
//! `tcp` and `unix` name the halves by Tokio's names (type aliases such
//! as `tcp::ReadHalf<'a>`), carry their examples (and say in prose what
//! the halves implement: rustdoc leaves the impls of a type in a private
//! module off an alias's page), and give each stream its public methods
//! and trait impls, delegating here. A blanket `impl<S: SplitStream>
//! AsyncRead for S` would be an impl of a foreign trait for any type,
//! which Rust does not allow, so the two streams' `AsyncRead`/`AsyncWrite`
//! impls are written out in their own modules, as are `ReuniteError`
//! and `reunite` (Tokio's `ReuniteError` is a tuple struct per stream
//! type, which user code matches as `tcp::ReuniteError(read, write)`;
//! a type alias could not be matched so).

use runtime_core::io::AsyncFd;
use socket2::SockRef;
use std::io::{self, IoSlice};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A connected stream socket on the I/O driver (`TcpStream`,
/// `UnixStream`). Only [`io`](Self::io) is written per type; the rest
/// is the same for both.
///
/// Public, so it may bound the public halves, but in a private module:
/// nothing outside the crate can name it, call it or implement it.
pub trait SplitStream {
    /// The std socket inside the stream.
    type Socket: AsFd + AsRawFd;

    /// The stream's registration with the I/O driver.
    fn io(&self) -> &AsyncFd<Self::Socket>;

    /// Reads what is there into `buf`, waiting for readiness if nothing
    /// is. A read is a stream transfer, so a short one clears readiness
    /// (see `AsyncFd::poll_read_stream`).
    fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let len = buf.len();
        self.io()
            .poll_read_stream(cx, len, |s| crate::sys::recv(s, buf))
    }

    /// [`poll_recv`](Self::poll_recv) into memory that may be
    /// uninitialised (hyper's buffers, `read_buf`).
    fn poll_recv_uninit(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [MaybeUninit<u8>],
    ) -> Poll<io::Result<usize>> {
        let len = buf.len();
        self.io()
            .poll_read_stream(cx, len, |s| crate::sys::recv_uninit(s, &mut *buf))
    }

    /// Writes what fits of `buf`, waiting for readiness if nothing does.
    fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io()
            .poll_write_stream(cx, buf.len(), |s| crate::sys::send(s, buf))
    }

    /// Writes what fits of `bufs` with one `sendmsg`.
    fn poll_send_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // Only what one sendmsg takes counts: a short write of a clamped
        // list does not mean the socket buffer is full.
        let bufs = crate::sys::clamp_iov(bufs);
        let len = bufs.iter().map(|b| b.len()).sum();
        self.io()
            .poll_write_stream(cx, len, |s| crate::sys::send_vectored(s, bufs))
    }

    /// Shuts the write side down (`AsyncWrite::poll_close`, and dropping
    /// an [`OwnedWriteHalf`]).
    fn shutdown_write(&self) -> io::Result<()> {
        match SockRef::from(self.io().get_ref()).shutdown(std::net::Shutdown::Write) {
            // The peer is already gone: nothing left to shut down.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
            res => res,
        }
    }
}

/// Waits for a nonblocking `connect` of `stream` to finish; its error,
/// if it failed. Whether the socket is connected is for the caller to
/// ask (`peer_addr`).
pub(crate) async fn wait_connected(stream: &impl SplitStream) -> io::Result<()> {
    drop(stream.io().writable().await?);
    match SockRef::from(stream.io().get_ref()).take_error()? {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The read half of a borrowed split (`split`); `tcp::ReadHalf` and
/// `unix::ReadHalf` name it, with examples.
#[derive(Debug)]
pub struct ReadHalf<'a, S>(&'a S);

/// The write half of a borrowed split (`split`); `close()` shuts the
/// stream's write side down. `tcp::WriteHalf` and `unix::WriteHalf`
/// name it, with examples.
#[derive(Debug)]
pub struct WriteHalf<'a, S>(&'a S);

/// The read half of an owned split (`into_split`); `tcp::OwnedReadHalf`
/// and `unix::OwnedReadHalf` name it, with examples and `reunite`.
#[derive(Debug)]
pub struct OwnedReadHalf<S> {
    inner: Arc<S>,
}

/// The write half of an owned split (`into_split`): dropping it shuts
/// the write side of the socket down, unless it was reunited or
/// [`forget`](Self::forget) was called. `tcp::OwnedWriteHalf` and
/// `unix::OwnedWriteHalf` name it, with examples and `reunite`.
#[derive(Debug)]
pub struct OwnedWriteHalf<S: SplitStream> {
    inner: Arc<S>,
    shutdown_on_drop: bool,
}

/// The halves of `stream`, borrowing it.
pub(crate) fn split<S>(stream: &mut S) -> (ReadHalf<'_, S>, WriteHalf<'_, S>) {
    (ReadHalf(&*stream), WriteHalf(&*stream))
}

/// The halves of `stream`, sharing it.
pub(crate) fn into_split<S: SplitStream>(stream: S) -> (OwnedReadHalf<S>, OwnedWriteHalf<S>) {
    let inner = Arc::new(stream);
    let read = OwnedReadHalf {
        inner: inner.clone(),
    };
    let write = OwnedWriteHalf {
        inner,
        shutdown_on_drop: true,
    };
    (read, write)
}

/// The stream again, if `read` and `write` are halves of the same one;
/// otherwise both back, for the caller's `ReuniteError`.
pub(crate) fn reunite<S: SplitStream>(
    read: OwnedReadHalf<S>,
    mut write: OwnedWriteHalf<S>,
) -> Result<S, (OwnedReadHalf<S>, OwnedWriteHalf<S>)> {
    if !Arc::ptr_eq(&read.inner, &write.inner) {
        return Err((read, write));
    }
    write.shutdown_on_drop = false;
    let inner = write.inner.clone();
    drop(write);
    drop(read);
    Ok(Arc::try_unwrap(inner)
        .ok()
        .expect("both halves were just dropped: no other owner is left"))
}

impl<S: SplitStream> OwnedWriteHalf<S> {
    /// Keeps the write side open when this half is dropped (the socket
    /// then closes with its last half).
    pub fn forget(mut self) {
        self.shutdown_on_drop = false;
    }
}

impl<S: SplitStream> Drop for OwnedWriteHalf<S> {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            let _ = self.inner.shutdown_write();
        }
    }
}

impl<S> AsRef<S> for ReadHalf<'_, S> {
    fn as_ref(&self) -> &S {
        self.0
    }
}

impl<S> AsRef<S> for WriteHalf<'_, S> {
    fn as_ref(&self) -> &S {
        self.0
    }
}

impl<S> AsRef<S> for OwnedReadHalf<S> {
    fn as_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: SplitStream> AsRef<S> for OwnedWriteHalf<S> {
    fn as_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: SplitStream> futures_io::AsyncRead for ReadHalf<'_, S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_recv(cx, buf)
    }
}

impl<S: SplitStream> futures_io::AsyncRead for OwnedReadHalf<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_recv(cx, buf)
    }
}

impl<S: SplitStream> futures_io::AsyncWrite for WriteHalf<'_, S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_send(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_send_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Writes go straight to the socket: nothing is buffered.
        Poll::Ready(Ok(()))
    }

    /// Shuts the write side of the socket down.
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.0.shutdown_write())
    }
}

impl<S: SplitStream> futures_io::AsyncWrite for OwnedWriteHalf<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_send(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_send_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Shuts the write side of the socket down.
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.inner.shutdown_write())
    }
}

#[cfg(feature = "bytes")]
impl<S: SplitStream> ReadHalf<'_, S> {
    /// Reads into the spare capacity of `buf` (e.g. a `BytesMut`) and
    /// advances it, without zeroing it first; `Ok(0)` at end of file or
    /// when `buf` is full. An inherent method, so method calls pick it
    /// before `AsyncReadExt::read_buf`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as the stream's `read_buf`.
    pub async fn read_buf<B: bytes::BufMut + ?Sized>(&mut self, buf: &mut B) -> io::Result<usize> {
        read_buf(self.0, buf).await
    }
}

#[cfg(feature = "bytes")]
impl<S: SplitStream> OwnedReadHalf<S> {
    /// Reads into the spare capacity of `buf` (e.g. a `BytesMut`) and
    /// advances it, without zeroing it first; `Ok(0)` at end of file or
    /// when `buf` is full. An inherent method, so method calls pick it
    /// before `AsyncReadExt::read_buf`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as the stream's `read_buf`.
    pub async fn read_buf<B: bytes::BufMut + ?Sized>(&mut self, buf: &mut B) -> io::Result<usize> {
        read_buf(&*self.inner, buf).await
    }
}

/// The `read_buf` of the streams and their read halves (Tokio's
/// `AsyncReadExt::read_buf`): receives straight into a
/// `bytes::BufMut`'s uninitialised spare capacity, with no zero-fill.
///
/// Cancel safe: `buf` is advanced by the poll that reads, which is the
/// poll that returns, so a call dropped before it completes has read
/// nothing.
#[cfg(feature = "bytes")]
pub(crate) async fn read_buf<S, B>(stream: &S, buf: &mut B) -> io::Result<usize>
where
    S: SplitStream,
    B: bytes::BufMut + ?Sized,
{
    std::future::poll_fn(|cx| {
        if !buf.has_remaining_mut() {
            return Poll::Ready(Ok(0));
        }
        // SAFETY: `recv` only writes initialised bytes into the chunk,
        // never uninitialised ones.
        let dst = unsafe { buf.chunk_mut().as_uninit_slice_mut() };
        let n = std::task::ready!(stream.poll_recv_uninit(cx, dst))?;
        // SAFETY: `recv` initialised the first `n` bytes of the chunk.
        unsafe { buf.advance_mut(n) };
        Poll::Ready(Ok(n))
    })
    .await
}
