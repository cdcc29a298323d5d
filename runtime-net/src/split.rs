//! The halves of a stream socket, generated for `TcpStream` and
//! `UnixStream` by `stream_halves!`: borrowed halves from `split(&mut
//! self)` (no allocation) and owned halves from `into_split(self)` (an
//! `Arc`), which `reunite` puts back together. Dropping an
//! `OwnedWriteHalf` shuts the write side down, as Tokio's does.
//!
//! The stream type must have `poll_read_priv`, `poll_write_priv`,
//! `poll_write_vectored_priv` and `shutdown_write` taking `&self`.

macro_rules! stream_halves {
    ($stream:ident) => {
        /// The read half of a borrowed split (see `split`).
        #[derive(Debug)]
        pub struct ReadHalf<'a>(&'a $stream);

        /// The write half of a borrowed split (see `split`).
        #[derive(Debug)]
        pub struct WriteHalf<'a>(&'a $stream);

        /// The read half of an owned split (see `into_split`).
        #[derive(Debug)]
        pub struct OwnedReadHalf {
            inner: std::sync::Arc<$stream>,
        }

        /// The write half of an owned split (see `into_split`); dropping
        /// it shuts the write side of the socket down.
        #[derive(Debug)]
        pub struct OwnedWriteHalf {
            inner: std::sync::Arc<$stream>,
            shutdown_on_drop: bool,
        }

        /// `reunite` was given halves of two different streams; they are
        /// handed back.
        #[derive(Debug)]
        pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

        impl std::fmt::Display for ReuniteError {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("tried to reunite halves that are not from the same socket")
            }
        }

        impl std::error::Error for ReuniteError {}

        pub(crate) fn split(stream: &mut $stream) -> (ReadHalf<'_>, WriteHalf<'_>) {
            (ReadHalf(&*stream), WriteHalf(&*stream))
        }

        pub(crate) fn into_split(stream: $stream) -> (OwnedReadHalf, OwnedWriteHalf) {
            let inner = std::sync::Arc::new(stream);
            (
                OwnedReadHalf {
                    inner: inner.clone(),
                },
                OwnedWriteHalf {
                    inner,
                    shutdown_on_drop: true,
                },
            )
        }

        impl OwnedReadHalf {
            /// Puts the stream back together from its two halves.
            pub fn reunite(self, other: OwnedWriteHalf) -> Result<$stream, ReuniteError> {
                if !std::sync::Arc::ptr_eq(&self.inner, &other.inner) {
                    return Err(ReuniteError(self, other));
                }
                let mut other = other;
                other.shutdown_on_drop = false;
                let inner = other.inner.clone();
                drop(other);
                drop(self);
                Ok(std::sync::Arc::try_unwrap(inner)
                    .expect("both halves were just dropped: no other owner is left"))
            }
        }

        impl OwnedWriteHalf {
            /// Puts the stream back together from its two halves.
            pub fn reunite(self, other: OwnedReadHalf) -> Result<$stream, ReuniteError> {
                other.reunite(self)
            }

            /// Keeps the write side open when this half is dropped.
            pub fn forget(mut self) {
                self.shutdown_on_drop = false;
            }
        }

        impl Drop for OwnedWriteHalf {
            fn drop(&mut self) {
                if self.shutdown_on_drop {
                    let _ = self.inner.shutdown_write();
                }
            }
        }

        impl AsRef<$stream> for ReadHalf<'_> {
            fn as_ref(&self) -> &$stream {
                self.0
            }
        }
        impl AsRef<$stream> for WriteHalf<'_> {
            fn as_ref(&self) -> &$stream {
                self.0
            }
        }
        impl AsRef<$stream> for OwnedReadHalf {
            fn as_ref(&self) -> &$stream {
                &self.inner
            }
        }
        impl AsRef<$stream> for OwnedWriteHalf {
            fn as_ref(&self) -> &$stream {
                &self.inner
            }
        }

        impl futures_io::AsyncRead for ReadHalf<'_> {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.0.poll_read_priv(cx, buf)
            }
        }
        impl futures_io::AsyncRead for OwnedReadHalf {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.inner.poll_read_priv(cx, buf)
            }
        }

        $crate::split::write_impl!(WriteHalf<'_>, |s| s.0);
        $crate::split::write_impl!(OwnedWriteHalf, |s| &*s.inner);
    };
}

/// `AsyncWrite` for a write half, given how to reach the stream.
macro_rules! write_impl {
    ($ty:ty, |$s:ident| $get:expr) => {
        impl futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let $s = &*self;
                $get.poll_write_priv(cx, buf)
            }
            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let $s = &*self;
                $get.poll_write_vectored_priv(cx, bufs)
            }
            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Ok(()))
            }
            /// Shuts the write side of the socket down.
            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                let $s = &*self;
                std::task::Poll::Ready($get.shutdown_write())
            }
        }
    };
}

/// What `TcpStream` and `UnixStream` share: readiness waits, `try_read`/
/// `try_write`, `split`/`into_split`, and `AsyncRead`/`AsyncWrite` (reads
/// and writes are stream transfers, so a short one clears readiness; see
/// `AsyncFd::poll_read_stream`). The stream keeps its `AsyncFd` in `io`.
macro_rules! stream_common {
    ($stream:ident) => {
        impl $stream {
            /// Waits until the stream is readable (then `try_read` may
            /// succeed).
            pub async fn readable(&self) -> std::io::Result<()> {
                self.io.readable().await.map(|_| ())
            }

            /// Waits until the stream is writable (then `try_write` may
            /// succeed).
            pub async fn writable(&self) -> std::io::Result<()> {
                self.io.writable().await.map(|_| ())
            }

            /// Reads what is there without waiting; `WouldBlock` if nothing is.
            pub fn try_read(&self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.io.try_io(runtime_core::io::Interest::READABLE, |s| {
                    std::io::Read::read(&mut &*s, buf)
                })
            }

            /// Writes what fits without waiting; `WouldBlock` if nothing does.
            pub fn try_write(&self, buf: &[u8]) -> std::io::Result<usize> {
                self.io.try_io(runtime_core::io::Interest::WRITABLE, |s| {
                    crate::sys::send(s, buf)
                })
            }

            /// Borrowed read and write halves, usable from two futures at
            /// once (e.g. in `join!`), without allocating.
            pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
                split(self)
            }

            /// Owned halves that can move to different tasks; `reunite`
            /// puts them back together.
            pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
                into_split(self)
            }

            pub(crate) fn poll_read_priv(
                &self,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let len = buf.len();
                self.io
                    .poll_read_stream(cx, len, |s| std::io::Read::read(&mut &*s, buf))
            }

            /// Reads into memory that may be uninitialised (hyper's
            /// buffers), with the same short-read rule as `poll_read_priv`.
            #[allow(dead_code)]
            pub(crate) fn poll_read_uninit(
                &self,
                cx: &mut std::task::Context<'_>,
                buf: &mut [std::mem::MaybeUninit<u8>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let len = buf.len();
                self.io
                    .poll_read_stream(cx, len, |s| crate::sys::recv_uninit(s, &mut *buf))
            }

            pub(crate) fn poll_write_priv(
                &self,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.io
                    .poll_write_stream(cx, buf.len(), |s| crate::sys::send(s, buf))
            }

            pub(crate) fn poll_write_vectored_priv(
                &self,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let len = bufs.iter().map(|b| b.len()).sum();
                self.io
                    .poll_write_stream(cx, len, |s| crate::sys::send_vectored(s, bufs))
            }

            pub(crate) fn shutdown_write(&self) -> std::io::Result<()> {
                match self.io.get_ref().shutdown(std::net::Shutdown::Write) {
                    // The peer is already gone: nothing left to shut down.
                    Err(e) if e.kind() == std::io::ErrorKind::NotConnected => Ok(()),
                    res => res,
                }
            }
        }

        impl futures_io::AsyncRead for $stream {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.poll_read_priv(cx, buf)
            }
        }

        $crate::split::write_impl!($stream, |s| s);
    };
}

pub(crate) use stream_common;
pub(crate) use stream_halves;
pub(crate) use write_impl;
