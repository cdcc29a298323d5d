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
        ///
        /// ```
        #[doc = concat!("# type Stream = runtime_net::", stringify!($stream), ";")]
        /// # trait Pair: Sized { fn pair() -> (Self, Self); }
        /// # impl Pair for runtime_net::UnixStream {
        /// #     fn pair() -> (Self, Self) { Self::pair().unwrap() }
        /// # }
        /// # impl Pair for runtime_net::TcpStream {
        /// #     fn pair() -> (Self, Self) {
        /// #         let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        /// #         let a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        /// #         (Self::from_std(a).unwrap(), Self::from_std(l.accept().unwrap().0).unwrap())
        /// #     }
        /// # }
        /// # let rt = runtime_core::Runtime::new().unwrap();
        /// # rt.block_on(async {
        /// # #[allow(unused_mut)]
        /// # let (mut a, mut b) = <Stream as Pair>::pair();
        /// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
        ///
        #[doc = concat!("// `a` and `b` are two connected ", stringify!($stream), "s.")]
        /// let (mut reader, _writer) = a.split();
        /// b.write_all(b"ping").await.unwrap();
        /// let mut buf = [0; 4];
        /// reader.read_exact(&mut buf).await.unwrap();
        /// assert_eq!(&buf, b"ping");
        /// // The stream itself is reachable through the half.
        /// assert!(reader.as_ref().local_addr().is_ok());
        /// # });
        /// ```
        #[derive(Debug)]
        pub struct ReadHalf<'a>(&'a $stream);

        /// The write half of a borrowed split (see `split`).
        ///
        /// ```
        #[doc = concat!("# type Stream = runtime_net::", stringify!($stream), ";")]
        /// # trait Pair: Sized { fn pair() -> (Self, Self); }
        /// # impl Pair for runtime_net::UnixStream {
        /// #     fn pair() -> (Self, Self) { Self::pair().unwrap() }
        /// # }
        /// # impl Pair for runtime_net::TcpStream {
        /// #     fn pair() -> (Self, Self) {
        /// #         let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        /// #         let a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        /// #         (Self::from_std(a).unwrap(), Self::from_std(l.accept().unwrap().0).unwrap())
        /// #     }
        /// # }
        /// # let rt = runtime_core::Runtime::new().unwrap();
        /// # rt.block_on(async {
        /// # #[allow(unused_mut)]
        /// # let (mut a, mut b) = <Stream as Pair>::pair();
        /// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
        ///
        #[doc = concat!("// `a` and `b` are two connected ", stringify!($stream), "s.")]
        /// let (_reader, mut writer) = a.split();
        /// writer.write_all(b"pong").await.unwrap();
        /// writer.close().await.unwrap(); // shuts down the write side of `a`
        /// let mut got = Vec::new();
        /// b.read_to_end(&mut got).await.unwrap();
        /// assert_eq!(got, b"pong");
        /// # });
        /// ```
        #[derive(Debug)]
        pub struct WriteHalf<'a>(&'a $stream);

        /// The read half of an owned split (see `into_split`).
        ///
        /// ```
        #[doc = concat!("# type Stream = runtime_net::", stringify!($stream), ";")]
        /// # trait Pair: Sized { fn pair() -> (Self, Self); }
        /// # impl Pair for runtime_net::UnixStream {
        /// #     fn pair() -> (Self, Self) { Self::pair().unwrap() }
        /// # }
        /// # impl Pair for runtime_net::TcpStream {
        /// #     fn pair() -> (Self, Self) {
        /// #         let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        /// #         let a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        /// #         (Self::from_std(a).unwrap(), Self::from_std(l.accept().unwrap().0).unwrap())
        /// #     }
        /// # }
        /// # let rt = runtime_core::Runtime::new().unwrap();
        /// # rt.block_on(async {
        /// # #[allow(unused_mut)]
        /// # let (mut a, mut b) = <Stream as Pair>::pair();
        /// use runtime_core::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        ///
        #[doc = concat!("// `a` and `b` are two connected ", stringify!($stream), "s.")]
        /// let (reader, _writer) = a.into_split();
        /// // The read half can move to a task of its own.
        /// let lines = runtime_core::spawn(async move {
        ///     let mut line = String::new();
        ///     BufReader::new(reader).read_line(&mut line).await.unwrap();
        ///     line
        /// });
        /// b.write_all(b"hello\n").await.unwrap();
        /// assert_eq!(lines.await.unwrap(), "hello\n");
        /// # });
        /// ```
        #[derive(Debug)]
        pub struct OwnedReadHalf {
            inner: std::sync::Arc<$stream>,
        }

        /// The write half of an owned split (see `into_split`); dropping
        /// it shuts the write side of the socket down.
        ///
        /// ```
        #[doc = concat!("# type Stream = runtime_net::", stringify!($stream), ";")]
        /// # trait Pair: Sized { fn pair() -> (Self, Self); }
        /// # impl Pair for runtime_net::UnixStream {
        /// #     fn pair() -> (Self, Self) { Self::pair().unwrap() }
        /// # }
        /// # impl Pair for runtime_net::TcpStream {
        /// #     fn pair() -> (Self, Self) {
        /// #         let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        /// #         let a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        /// #         (Self::from_std(a).unwrap(), Self::from_std(l.accept().unwrap().0).unwrap())
        /// #     }
        /// # }
        /// # let rt = runtime_core::Runtime::new().unwrap();
        /// # rt.block_on(async {
        /// # #[allow(unused_mut)]
        /// # let (mut a, mut b) = <Stream as Pair>::pair();
        /// use runtime_core::io::AsyncReadExt;
        ///
        #[doc = concat!("// `a` and `b` are two connected ", stringify!($stream), "s.")]
        /// let (_reader, writer) = a.into_split();
        /// drop(writer); // shuts the write side of `a` down
        /// let mut rest = Vec::new();
        /// b.read_to_end(&mut rest).await.unwrap(); // end of file, though `a` is open
        /// assert!(rest.is_empty());
        /// # });
        /// ```
        #[derive(Debug)]
        pub struct OwnedWriteHalf {
            inner: std::sync::Arc<$stream>,
            shutdown_on_drop: bool,
        }

        /// `reunite` was given halves of two different streams; they are
        /// handed back.
        ///
        /// ```
        #[doc = concat!("# type Stream = runtime_net::", stringify!($stream), ";")]
        /// # trait Pair: Sized { fn pair() -> (Self, Self); }
        /// # impl Pair for runtime_net::UnixStream {
        /// #     fn pair() -> (Self, Self) { Self::pair().unwrap() }
        /// # }
        /// # impl Pair for runtime_net::TcpStream {
        /// #     fn pair() -> (Self, Self) {
        /// #         let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        /// #         let a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        /// #         (Self::from_std(a).unwrap(), Self::from_std(l.accept().unwrap().0).unwrap())
        /// #     }
        /// # }
        /// # let rt = runtime_core::Runtime::new().unwrap();
        /// # rt.block_on(async {
        /// # #[allow(unused_mut)]
        /// # let (mut a, mut b) = <Stream as Pair>::pair();
        #[doc = concat!("// `a` and `b` are two connected ", stringify!($stream), "s.")]
        /// let (a_read, a_write) = a.into_split();
        /// let (b_read, b_write) = b.into_split();
        /// let err = a_read.reunite(b_write).unwrap_err();
        /// assert_eq!(err.to_string(), "tried to reunite halves that are not from the same socket");
        /// // The halves come back.
        /// let (a_read, b_write) = (err.0, err.1);
        /// assert!(a_read.reunite(a_write).is_ok());
        /// assert!(b_read.reunite(b_write).is_ok());
        /// # });
        /// ```
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
            ///
            /// ```
            #[doc = concat!("# type Stream = runtime_net::", stringify!($stream), ";")]
            /// # trait Pair: Sized { fn pair() -> (Self, Self); }
            /// # impl Pair for runtime_net::UnixStream {
            /// #     fn pair() -> (Self, Self) { Self::pair().unwrap() }
            /// # }
            /// # impl Pair for runtime_net::TcpStream {
            /// #     fn pair() -> (Self, Self) {
            /// #         let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            /// #         let a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
            /// #         (Self::from_std(a).unwrap(), Self::from_std(l.accept().unwrap().0).unwrap())
            /// #     }
            /// # }
            /// # let rt = runtime_core::Runtime::new().unwrap();
            /// # rt.block_on(async {
            /// # #[allow(unused_mut)]
            /// # let (mut a, mut b) = <Stream as Pair>::pair();
            /// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
            ///
            #[doc = concat!("// `a` and `b` are two connected ", stringify!($stream), "s.")]
            /// let (reader, writer) = a.into_split();
            /// let mut a = reader.reunite(writer).unwrap();
            /// // Whole again, and the write side is still open.
            /// a.write_all(b"ok").await.unwrap();
            /// let mut buf = [0; 2];
            /// b.read_exact(&mut buf).await.unwrap();
            /// assert_eq!(&buf, b"ok");
            /// # });
            /// ```
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
            ///
            /// ```
            #[doc = concat!("# type Stream = runtime_net::", stringify!($stream), ";")]
            /// # trait Pair: Sized { fn pair() -> (Self, Self); }
            /// # impl Pair for runtime_net::UnixStream {
            /// #     fn pair() -> (Self, Self) { Self::pair().unwrap() }
            /// # }
            /// # impl Pair for runtime_net::TcpStream {
            /// #     fn pair() -> (Self, Self) {
            /// #         let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            /// #         let a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
            /// #         (Self::from_std(a).unwrap(), Self::from_std(l.accept().unwrap().0).unwrap())
            /// #     }
            /// # }
            /// # let rt = runtime_core::Runtime::new().unwrap();
            /// # rt.block_on(async {
            /// # #[allow(unused_mut)]
            /// # let (mut a, mut b) = <Stream as Pair>::pair();
            /// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
            ///
            #[doc = concat!("// `a` and `b` are two connected ", stringify!($stream), "s.")]
            /// let (mut reader, writer) = a.into_split();
            /// writer.forget(); // no shutdown: `b` does not see end of file
            /// b.write_all(b"ask").await.unwrap();
            /// let mut buf = [0; 3];
            /// reader.read_exact(&mut buf).await.unwrap();
            /// // The socket closes with its last half.
            /// drop(reader);
            /// let mut rest = Vec::new();
            /// b.read_to_end(&mut rest).await.unwrap();
            /// assert!(rest.is_empty());
            /// # });
            /// ```
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
        $crate::split::read_buf_impl!(ReadHalf<'_>, |s| s.0);
        $crate::split::read_buf_impl!(OwnedReadHalf, |s| &*s.inner);
    };
}

/// An inherent `read_buf` (Tokio's `AsyncReadExt::read_buf`, which method
/// calls pick before the extension trait's) that receives straight into
/// a `bytes::BufMut`'s uninitialised spare capacity: no zero-fill.
macro_rules! read_buf_impl {
    ($ty:ty, |$s:ident| $get:expr) => {
        impl $ty {
            /// Reads into the spare capacity of `buf` (e.g. a `BytesMut`)
            /// and advances it, without zeroing it first; `Ok(0)` at end
            /// of file or when `buf` is full.
            ///
            /// # Cancel safety
            ///
            /// Cancel safe: `buf` is advanced by the poll that reads, which
            /// is the poll that returns, so a call dropped before it
            /// completes has read nothing.
            #[cfg(feature = "bytes")]
            pub async fn read_buf<B: bytes::BufMut + ?Sized>(
                &mut self,
                buf: &mut B,
            ) -> std::io::Result<usize> {
                let $s = &*self;
                let stream = $get;
                std::future::poll_fn(|cx| {
                    if !buf.has_remaining_mut() {
                        return std::task::Poll::Ready(Ok(0));
                    }
                    // SAFETY: `recv` only writes initialised bytes into the
                    // chunk, never uninitialised ones.
                    let dst = unsafe { buf.chunk_mut().as_uninit_slice_mut() };
                    let n = std::task::ready!(stream.poll_read_uninit(cx, dst))?;
                    // SAFETY: `recv` initialised the first `n` bytes of the
                    // chunk.
                    unsafe { buf.advance_mut(n) };
                    std::task::Poll::Ready(Ok(n))
                })
                .await
            }
        }
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
            ///
            /// ```
            #[doc = concat!("# type Stream = runtime_net::", stringify!($stream), ";")]
            /// # trait Pair: Sized { fn pair() -> (Self, Self); }
            /// # impl Pair for runtime_net::UnixStream {
            /// #     fn pair() -> (Self, Self) { Self::pair().unwrap() }
            /// # }
            /// # impl Pair for runtime_net::TcpStream {
            /// #     fn pair() -> (Self, Self) {
            /// #         let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            /// #         let a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
            /// #         (Self::from_std(a).unwrap(), Self::from_std(l.accept().unwrap().0).unwrap())
            /// #     }
            /// # }
            /// # let rt = runtime_core::Runtime::new().unwrap();
            /// # rt.block_on(async {
            /// # #[allow(unused_mut)]
            /// # let (mut a, mut b) = <Stream as Pair>::pair();
            /// use runtime_core::io::AsyncWriteExt;
            /// use std::io::ErrorKind;
            ///
            #[doc = concat!("// `a` and `b` are two connected ", stringify!($stream), "s.")]
            /// b.write_all(b"data").await.unwrap();
            /// let mut buf = [0; 16];
            /// let n = loop {
            ///     a.readable().await.unwrap();
            ///     match a.try_read(&mut buf) {
            ///         Ok(n) => break n,
            ///         Err(e) if e.kind() == ErrorKind::WouldBlock => continue, // spurious
            ///         Err(e) => panic!("{e}"),
            ///     }
            /// };
            /// assert_eq!(&buf[..n], b"data");
            /// # });
            /// ```
            ///
            /// # Cancel safety
            ///
            /// Cancel safe: waiting uses up no readiness. Once the stream
            /// is readable it stays so until a read sees `WouldBlock`, so
            /// a wait dropped before it completes loses no event and the
            /// next one returns at once.
            pub async fn readable(&self) -> std::io::Result<()> {
                self.io.readable().await.map(|_| ())
            }

            /// Waits until the stream is writable (then `try_write` may
            /// succeed).
            ///
            /// ```
            #[doc = concat!("# type Stream = runtime_net::", stringify!($stream), ";")]
            /// # trait Pair: Sized { fn pair() -> (Self, Self); }
            /// # impl Pair for runtime_net::UnixStream {
            /// #     fn pair() -> (Self, Self) { Self::pair().unwrap() }
            /// # }
            /// # impl Pair for runtime_net::TcpStream {
            /// #     fn pair() -> (Self, Self) {
            /// #         let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            /// #         let a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
            /// #         (Self::from_std(a).unwrap(), Self::from_std(l.accept().unwrap().0).unwrap())
            /// #     }
            /// # }
            /// # let rt = runtime_core::Runtime::new().unwrap();
            /// # rt.block_on(async {
            /// # #[allow(unused_mut)]
            /// # let (mut a, mut b) = <Stream as Pair>::pair();
            /// use std::io::ErrorKind;
            ///
            #[doc = concat!("// `a` and `b` are two connected ", stringify!($stream), "s.")]
            /// let n = loop {
            ///     a.writable().await.unwrap();
            ///     match a.try_write(b"hello") {
            ///         Ok(n) => break n,
            ///         Err(e) if e.kind() == ErrorKind::WouldBlock => continue, // spurious
            ///         Err(e) => panic!("{e}"),
            ///     }
            /// };
            /// assert_eq!(n, 5);
            /// # });
            /// ```
            ///
            /// # Cancel safety
            ///
            /// Cancel safe, as [`readable`](Self::readable).
            pub async fn writable(&self) -> std::io::Result<()> {
                self.io.writable().await.map(|_| ())
            }

            /// Reads what is there without waiting; `WouldBlock` if nothing is.
            ///
            /// ```
            #[doc = concat!("# type Stream = runtime_net::", stringify!($stream), ";")]
            /// # trait Pair: Sized { fn pair() -> (Self, Self); }
            /// # impl Pair for runtime_net::UnixStream {
            /// #     fn pair() -> (Self, Self) { Self::pair().unwrap() }
            /// # }
            /// # impl Pair for runtime_net::TcpStream {
            /// #     fn pair() -> (Self, Self) {
            /// #         let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            /// #         let a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
            /// #         (Self::from_std(a).unwrap(), Self::from_std(l.accept().unwrap().0).unwrap())
            /// #     }
            /// # }
            /// # let rt = runtime_core::Runtime::new().unwrap();
            /// # rt.block_on(async {
            /// # #[allow(unused_mut)]
            /// # let (mut a, mut b) = <Stream as Pair>::pair();
            /// use std::io::ErrorKind;
            ///
            #[doc = concat!("// `a` and `b` are two connected ", stringify!($stream), "s; nothing was sent.")]
            /// let mut buf = [0; 16];
            /// let err = a.try_read(&mut buf).unwrap_err();
            /// assert_eq!(err.kind(), ErrorKind::WouldBlock);
            /// # });
            /// ```
            pub fn try_read(&self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.io.try_io(runtime_core::io::Interest::READABLE, |s| {
                    std::io::Read::read(&mut &*s, buf)
                })
            }

            /// Writes what fits without waiting; `WouldBlock` if nothing does.
            ///
            /// ```
            #[doc = concat!("# type Stream = runtime_net::", stringify!($stream), ";")]
            /// # trait Pair: Sized { fn pair() -> (Self, Self); }
            /// # impl Pair for runtime_net::UnixStream {
            /// #     fn pair() -> (Self, Self) { Self::pair().unwrap() }
            /// # }
            /// # impl Pair for runtime_net::TcpStream {
            /// #     fn pair() -> (Self, Self) {
            /// #         let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            /// #         let a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
            /// #         (Self::from_std(a).unwrap(), Self::from_std(l.accept().unwrap().0).unwrap())
            /// #     }
            /// # }
            /// # let rt = runtime_core::Runtime::new().unwrap();
            /// # rt.block_on(async {
            /// # #[allow(unused_mut)]
            /// # let (mut a, mut b) = <Stream as Pair>::pair();
            /// use std::io::ErrorKind;
            ///
            #[doc = concat!("// `a` and `b` are two connected ", stringify!($stream), "s; `b` reads nothing, so")]
            /// // `a`'s buffers fill up.
            /// let chunk = [0u8; 64 * 1024];
            /// let mut sent = 0;
            /// loop {
            ///     a.writable().await.unwrap();
            ///     match a.try_write(&chunk) {
            ///         Ok(n) => sent += n,
            ///         Err(e) if e.kind() == ErrorKind::WouldBlock => break, // full, for now
            ///         Err(e) => panic!("{e}"),
            ///     }
            /// }
            /// assert!(sent > 0);
            /// # });
            /// ```
            pub fn try_write(&self, buf: &[u8]) -> std::io::Result<usize> {
                self.io.try_io(runtime_core::io::Interest::WRITABLE, |s| {
                    crate::sys::send(s, buf)
                })
            }

            /// Borrowed read and write halves, usable from two futures at
            /// once (e.g. in `join!`), without allocating.
            ///
            /// ```
            #[doc = concat!("# type Stream = runtime_net::", stringify!($stream), ";")]
            /// # trait Pair: Sized { fn pair() -> (Self, Self); }
            /// # impl Pair for runtime_net::UnixStream {
            /// #     fn pair() -> (Self, Self) { Self::pair().unwrap() }
            /// # }
            /// # impl Pair for runtime_net::TcpStream {
            /// #     fn pair() -> (Self, Self) {
            /// #         let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            /// #         let a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
            /// #         (Self::from_std(a).unwrap(), Self::from_std(l.accept().unwrap().0).unwrap())
            /// #     }
            /// # }
            /// # let rt = runtime_core::Runtime::new().unwrap();
            /// # rt.block_on(async {
            /// # #[allow(unused_mut)]
            /// # let (mut a, mut b) = <Stream as Pair>::pair();
            /// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
            ///
            #[doc = concat!("// `a` and `b` are two connected ", stringify!($stream), "s.")]
            /// let client = runtime_core::spawn(async move {
            ///     b.write_all(b"hello").await.unwrap();
            ///     b.close().await.unwrap(); // done sending
            ///     let mut echoed = Vec::new();
            ///     b.read_to_end(&mut echoed).await.unwrap();
            ///     echoed
            /// });
            /// // Echo: copy what `a` receives back to the sender.
            /// let (mut reader, mut writer) = a.split();
            /// let n = runtime_core::io::copy(&mut reader, &mut writer).await.unwrap();
            /// writer.close().await.unwrap();
            /// assert_eq!(n, 5);
            /// assert_eq!(client.await.unwrap(), b"hello");
            /// # });
            /// ```
            pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
                split(self)
            }

            /// Owned halves that can move to different tasks; `reunite`
            /// puts them back together.
            ///
            /// ```
            #[doc = concat!("# type Stream = runtime_net::", stringify!($stream), ";")]
            /// # trait Pair: Sized { fn pair() -> (Self, Self); }
            /// # impl Pair for runtime_net::UnixStream {
            /// #     fn pair() -> (Self, Self) { Self::pair().unwrap() }
            /// # }
            /// # impl Pair for runtime_net::TcpStream {
            /// #     fn pair() -> (Self, Self) {
            /// #         let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            /// #         let a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
            /// #         (Self::from_std(a).unwrap(), Self::from_std(l.accept().unwrap().0).unwrap())
            /// #     }
            /// # }
            /// # let rt = runtime_core::Runtime::new().unwrap();
            /// # rt.block_on(async {
            /// # #[allow(unused_mut)]
            /// # let (mut a, mut b) = <Stream as Pair>::pair();
            /// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
            ///
            #[doc = concat!("// `a` and `b` are two connected ", stringify!($stream), "s.")]
            /// let (mut reader, mut writer) = a.into_split();
            /// // Each half in a task of its own.
            /// let sender = runtime_core::spawn(async move {
            ///     writer.write_all(b"ping").await.unwrap();
            /// }); // `writer` dropped: `b` sees end of file
            /// let receiver = runtime_core::spawn(async move {
            ///     let mut buf = [0; 4];
            ///     reader.read_exact(&mut buf).await.unwrap();
            ///     buf
            /// });
            /// let mut got = Vec::new();
            /// b.read_to_end(&mut got).await.unwrap();
            /// assert_eq!(got, b"ping");
            /// b.write_all(b"pong").await.unwrap();
            /// assert_eq!(&receiver.await.unwrap(), b"pong");
            /// sender.await.unwrap();
            /// # });
            /// ```
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
            /// buffers, `read_buf`), with the same short-read rule as
            /// `poll_read_priv`.
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
                // Only what one sendmsg takes counts: a short write of a
                // clamped list does not mean the socket buffer is full.
                let bufs = crate::sys::clamp_iov(bufs);
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
        $crate::split::read_buf_impl!($stream, |s| s);
    };
}

pub(crate) use read_buf_impl;
pub(crate) use stream_common;
pub(crate) use stream_halves;
pub(crate) use write_impl;
