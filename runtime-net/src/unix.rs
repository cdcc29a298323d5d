//! Unix domain sockets: [`UnixListener`], [`UnixStream`] (with split
//! halves and its peer's credentials, [`UCred`]) and [`UnixDatagram`];
//! pipes and FIFOs in [`pipe`].

use crate::split::{self, SplitStream};
use crate::sys;
use runtime_core::io::{AsyncFd, Interest};
use socket2::{Domain, SockAddr, Socket, Type};
use std::fmt;
use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::os::fd::AsRawFd;
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use crate::ucred::{gid_t, pid_t, uid_t, UCred};
pub use runtime_core::io::pipe;

/// A Unix domain socket listening for connections.
///
/// ```
/// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
/// use runtime_net::{UnixListener, UnixStream};
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let path = std::env::temp_dir().join(format!("listener-doc-{}.sock", std::process::id()));
/// let listener = UnixListener::bind(&path).unwrap();
/// let server = runtime_core::spawn(async move {
///     let (mut socket, _) = listener.accept().await.unwrap();
///     socket.write_all(b"welcome").await.unwrap();
/// });
/// let mut client = UnixStream::connect(&path).await.unwrap();
/// let mut text = String::new();
/// client.read_to_string(&mut text).await.unwrap();
/// assert_eq!(text, "welcome");
/// server.await.unwrap();
/// std::fs::remove_file(&path).unwrap(); // the socket file outlives the listener
/// # });
/// ```
pub struct UnixListener {
    io: AsyncFd<net::UnixListener>,
}

impl UnixListener {
    /// Binds to `path` (not async: binding a Unix socket does not block).
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    ///
    /// ```
    /// use runtime_net::UnixListener;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("bind-doc-{}.sock", std::process::id()));
    /// let listener = UnixListener::bind(&path).unwrap();
    /// assert_eq!(listener.local_addr().unwrap().as_pathname(), Some(path.as_path()));
    /// // The path is taken while the file exists.
    /// assert!(UnixListener::bind(&path).is_err());
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        UnixListener::from_std(net::UnixListener::bind(path)?)
    }

    /// Wraps a std listener (it is switched to nonblocking mode).
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    ///
    /// ```
    /// use runtime_net::{UnixListener, UnixStream};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("listener-from-std-doc-{}.sock", std::process::id()));
    /// let std_listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    /// let listener = UnixListener::from_std(std_listener).unwrap();
    /// let _client = UnixStream::connect(&path).await.unwrap();
    /// listener.accept().await.unwrap();
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    #[track_caller]
    pub fn from_std(listener: net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        Ok(UnixListener {
            io: AsyncFd::__with_interest_closing(listener, Interest::READABLE)?,
        })
    }

    /// Deregisters the listener and returns it (still nonblocking).
    ///
    /// ```
    /// use runtime_net::UnixListener;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("listener-into-std-doc-{}.sock", std::process::id()));
    /// let listener = UnixListener::bind(&path).unwrap();
    /// let std_listener = listener.into_std().unwrap();
    /// // Still nonblocking.
    /// assert_eq!(std_listener.accept().unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    pub fn into_std(self) -> io::Result<net::UnixListener> {
        Ok(self.io.into_inner())
    }

    /// Waits for a connection.
    ///
    /// ```
    /// use runtime_net::{UnixListener, UnixStream};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("accept-doc-{}.sock", std::process::id()));
    /// let listener = UnixListener::bind(&path).unwrap();
    /// let _client = UnixStream::connect(&path).await.unwrap();
    /// let (conn, peer) = listener.accept().await.unwrap();
    /// // A client that did not bind has an unnamed address.
    /// assert!(peer.is_unnamed());
    /// assert_eq!(conn.local_addr().unwrap().as_pathname(), Some(path.as_path()));
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a connection is taken from the listener's queue only by
    /// the poll that returns it, so a call dropped before it completes (a
    /// losing `select!` branch, a timeout) leaves every waiting connection to
    /// the next `accept`.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, addr) = self.io.async_io(Interest::READABLE, |l| l.accept()).await?;
        Ok((UnixStream::from_std(stream)?, addr))
    }

    /// Polls for a connection.
    ///
    /// ```
    /// use runtime_net::{UnixListener, UnixStream};
    /// use std::future::poll_fn;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("poll-accept-doc-{}.sock", std::process::id()));
    /// let listener = UnixListener::bind(&path).unwrap();
    /// let _client = UnixStream::connect(&path).await.unwrap();
    /// let (_conn, _peer) = poll_fn(|cx| listener.poll_accept(cx)).await.unwrap();
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        let (stream, addr) = std::task::ready!(self.io.poll_read_io(cx, |l| l.accept()))?;
        Poll::Ready(UnixStream::from_std(stream).map(|s| (s, addr)))
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener")
            .field("addr", &self.local_addr().ok())
            .field("fd", &self.io.as_raw_fd())
            .finish()
    }
}

crate::sys::fd_impls!(UnixListener);

/// A Unix domain stream socket; `AsyncRead` + `AsyncWrite` like
/// [`TcpStream`](crate::TcpStream).
///
/// ```
/// use runtime_core::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
/// use runtime_net::UnixStream;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let (mut parent, child) = UnixStream::pair().unwrap();
/// let worker = runtime_core::spawn(async move {
///     let mut lines = BufReader::new(child);
///     let mut line = String::new();
///     lines.read_line(&mut line).await.unwrap();
///     line.trim().parse::<u32>().unwrap() * 2
/// });
/// parent.write_all(b"21\n").await.unwrap();
/// assert_eq!(worker.await.unwrap(), 42);
/// # });
/// ```
pub struct UnixStream {
    io: AsyncFd<net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket at `path`.
    ///
    /// ```
    /// use runtime_net::{UnixListener, UnixStream};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("connect-doc-{}.sock", std::process::id()));
    /// // Nobody listens yet.
    /// assert!(UnixStream::connect(&path).await.is_err());
    /// let listener = UnixListener::bind(&path).unwrap();
    /// let stream = UnixStream::connect(&path).await.unwrap();
    /// assert_eq!(stream.peer_addr().unwrap().as_pathname(), Some(path.as_path()));
    /// # drop(listener);
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes gives up the attempt and
    /// closes the socket.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
        sys::prepare(&socket)?;
        // For Unix sockets EAGAIN means the listener's backlog is full and
        // nothing is in progress: an error, unlike TCP's EINPROGRESS.
        match socket.connect(&SockAddr::unix(path)?) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    "connect: the Unix listener's backlog is full; retry later",
                ))
            }
            Err(e) => return Err(e),
        }
        let stream =
            UnixStream::from_std(net::UnixStream::from(std::os::fd::OwnedFd::from(socket)))?;
        split::wait_connected(&stream).await?;
        stream.peer_addr()?;
        Ok(stream)
    }

    /// A connected pair of streams.
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    ///
    /// ```
    /// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
    /// use runtime_net::UnixStream;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (mut a, mut b) = UnixStream::pair().unwrap();
    /// a.write_all(b"ping").await.unwrap();
    /// let mut buf = [0; 4];
    /// b.read_exact(&mut buf).await.unwrap();
    /// assert_eq!(&buf, b"ping");
    /// # });
    /// ```
    #[track_caller]
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = net::UnixStream::pair()?;
        Ok((UnixStream::from_std(a)?, UnixStream::from_std(b)?))
    }

    /// Wraps a std stream (it is switched to nonblocking mode).
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    ///
    /// ```
    /// use runtime_core::io::AsyncReadExt;
    /// use runtime_net::UnixStream;
    /// use std::io::Write;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (std_a, mut std_b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let mut a = UnixStream::from_std(std_a).unwrap();
    /// std_b.write_all(b"from std").unwrap();
    /// drop(std_b);
    /// let mut text = String::new();
    /// a.read_to_string(&mut text).await.unwrap();
    /// assert_eq!(text, "from std");
    /// # });
    /// ```
    #[track_caller]
    pub fn from_std(stream: net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        sys::no_sigpipe(&stream)?;
        Ok(UnixStream {
            io: AsyncFd::__with_interest_closing(stream, Interest::READABLE | Interest::WRITABLE)?,
        })
    }

    /// Deregisters the stream and returns it (still nonblocking).
    ///
    /// ```
    /// use runtime_net::UnixStream;
    /// use std::io::{Read, Write};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, b) = UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (a.into_std().unwrap(), b.into_std().unwrap());
    /// a.set_nonblocking(false).unwrap();
    /// b.write_all(b"x").unwrap();
    /// let mut byte = [0];
    /// a.read_exact(&mut byte).unwrap(); // a plain blocking read
    /// # });
    /// ```
    pub fn into_std(self) -> io::Result<net::UnixStream> {
        Ok(self.io.into_inner())
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The peer's address.
    ///
    /// ```
    /// use runtime_net::{UnixListener, UnixStream};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("peer-addr-doc-{}.sock", std::process::id()));
    /// let listener = UnixListener::bind(&path).unwrap();
    /// let client = UnixStream::connect(&path).await.unwrap();
    /// let (server, _) = listener.accept().await.unwrap();
    /// assert_eq!(client.peer_addr().unwrap().as_pathname(), Some(path.as_path()));
    /// assert!(server.peer_addr().unwrap().is_unnamed());
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// The credentials of the process at the other end (as the kernel
    /// recorded them at connect time): see [`UCred`].
    ///
    /// ```
    /// use runtime_net::{UnixListener, UnixStream};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("peer-cred-doc-{}.sock", std::process::id()));
    /// let listener = UnixListener::bind(&path).unwrap();
    /// let _client = UnixStream::connect(&path).await.unwrap();
    /// let (conn, _) = listener.accept().await.unwrap();
    /// // Only let in clients running as this user.
    /// // SAFETY: getuid has no preconditions and cannot fail.
    /// let me = unsafe { libc::getuid() };
    /// assert_eq!(conn.peer_cred().unwrap().uid(), me);
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    pub fn peer_cred(&self) -> io::Result<UCred> {
        crate::ucred::peer_cred(self.io.get_ref())
    }

    /// Pending socket error (`SO_ERROR`), cleared by reading it.
    ///
    /// ```
    /// use runtime_net::UnixStream;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, _b) = UnixStream::pair().unwrap();
    /// assert!(a.take_error().unwrap().is_none());
    /// # });
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Shuts down the read side, the write side or both.
    ///
    /// ```
    /// use runtime_core::io::AsyncReadExt;
    /// use runtime_net::UnixStream;
    /// use std::net::Shutdown;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, mut b) = UnixStream::pair().unwrap();
    /// a.shutdown_std(Shutdown::Write).unwrap();
    /// let mut rest = Vec::new();
    /// b.read_to_end(&mut rest).await.unwrap(); // end of file
    /// assert!(rest.is_empty());
    /// # });
    /// ```
    pub fn shutdown_std(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Waits until the stream is readable (then `try_read` may succeed).
    ///
    /// ```
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// # let (a, mut b) = runtime_net::UnixStream::pair().unwrap();
    /// use runtime_core::io::AsyncWriteExt;
    /// use std::io::ErrorKind;
    ///
    /// // `a` and `b` are two connected UnixStreams.
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
    /// Cancel safe: waiting uses up no readiness. Once the stream is
    /// readable it stays so until a read sees `WouldBlock`, so a wait
    /// dropped before it completes loses no event and the next one
    /// returns at once.
    pub async fn readable(&self) -> io::Result<()> {
        self.io.readable().await.map(|_| ())
    }

    /// Waits until the stream is writable (then `try_write` may succeed).
    ///
    /// ```
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// # let (a, _b) = runtime_net::UnixStream::pair().unwrap();
    /// use std::io::ErrorKind;
    ///
    /// // `a` and `_b` are two connected UnixStreams.
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
    pub async fn writable(&self) -> io::Result<()> {
        self.io.writable().await.map(|_| ())
    }

    /// Reads what is there without waiting; `WouldBlock` if nothing is.
    ///
    /// ```
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// # let (a, _b) = runtime_net::UnixStream::pair().unwrap();
    /// use std::io::ErrorKind;
    ///
    /// // `a` and `_b` are two connected UnixStreams; nothing was sent.
    /// let mut buf = [0; 16];
    /// let err = a.try_read(&mut buf).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::WouldBlock);
    /// # });
    /// ```
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| sys::recv(s, buf))
    }

    /// Writes what fits without waiting; `WouldBlock` if nothing does.
    ///
    /// ```
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// # let (a, _b) = runtime_net::UnixStream::pair().unwrap();
    /// use std::io::ErrorKind;
    ///
    /// // `a` and `_b` are two connected UnixStreams; `_b` reads nothing,
    /// // so `a`'s buffers fill up.
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
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |s| sys::send(s, buf))
    }

    /// Borrowed read and write halves, usable from two futures at once
    /// (e.g. in `join!`), without allocating.
    ///
    /// ```
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// # let (mut a, mut b) = runtime_net::UnixStream::pair().unwrap();
    /// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// // `a` and `b` are two connected UnixStreams.
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
        split::split(self)
    }

    /// Owned halves that can move to different tasks; `reunite` puts
    /// them back together.
    ///
    /// ```
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// # let (a, mut b) = runtime_net::UnixStream::pair().unwrap();
    /// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// // `a` and `b` are two connected UnixStreams.
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
        split::into_split(self)
    }

    /// Reads into the spare capacity of `buf` (e.g. a `BytesMut`) and
    /// advances it, without zeroing it first; `Ok(0)` at end of file or
    /// when `buf` is full. An inherent method, so method calls pick it
    /// before `AsyncReadExt::read_buf`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: `buf` is advanced by the poll that reads, which is
    /// the poll that returns, so a call dropped before it completes has
    /// read nothing.
    #[cfg(feature = "bytes")]
    pub async fn read_buf<B: bytes::BufMut + ?Sized>(&mut self, buf: &mut B) -> io::Result<usize> {
        split::read_buf(self, buf).await
    }
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixStream")
            .field("fd", &self.io.as_raw_fd())
            .finish()
    }
}

crate::sys::fd_impls!(UnixStream);

impl SplitStream for UnixStream {
    type Socket = net::UnixStream;

    fn io(&self) -> &AsyncFd<net::UnixStream> {
        &self.io
    }
}

impl futures_io::AsyncRead for UnixStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_recv(cx, buf)
    }
}

impl futures_io::AsyncWrite for UnixStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_send(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_send_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Writes go straight to the socket: nothing is buffered.
        Poll::Ready(Ok(()))
    }

    /// Shuts the write side of the socket down.
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.shutdown_write())
    }
}

/// The read half of a borrowed split (see [`UnixStream::split`]):
/// `AsyncRead`, `read_buf` (feature `bytes`), and `as_ref()` for the
/// stream.
///
/// ```
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// # let (mut a, mut b) = runtime_net::UnixStream::pair().unwrap();
/// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
///
/// // `a` and `b` are two connected UnixStreams.
/// let (mut reader, _writer) = a.split();
/// b.write_all(b"ping").await.unwrap();
/// let mut buf = [0; 4];
/// reader.read_exact(&mut buf).await.unwrap();
/// assert_eq!(&buf, b"ping");
/// // The stream itself is reachable through the half.
/// assert!(reader.as_ref().local_addr().is_ok());
/// # });
/// ```
pub type ReadHalf<'a> = split::ReadHalf<'a, UnixStream>;

/// The write half of a borrowed split (see [`UnixStream::split`]):
/// `AsyncWrite`, whose `close()` shuts the stream's write side down, and
/// `as_ref()` for the stream.
///
/// ```
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// # let (mut a, mut b) = runtime_net::UnixStream::pair().unwrap();
/// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
///
/// // `a` and `b` are two connected UnixStreams.
/// let (_reader, mut writer) = a.split();
/// writer.write_all(b"pong").await.unwrap();
/// writer.close().await.unwrap(); // shuts down the write side of `a`
/// let mut got = Vec::new();
/// b.read_to_end(&mut got).await.unwrap();
/// assert_eq!(got, b"pong");
/// # });
/// ```
pub type WriteHalf<'a> = split::WriteHalf<'a, UnixStream>;

/// The read half of an owned split (see [`UnixStream::into_split`]):
/// `AsyncRead`, `read_buf` (feature `bytes`), `as_ref()` for the stream,
/// and `reunite` (below).
///
/// ```
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// # let (a, mut b) = runtime_net::UnixStream::pair().unwrap();
/// use runtime_core::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
///
/// // `a` and `b` are two connected UnixStreams.
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
pub type OwnedReadHalf = split::OwnedReadHalf<UnixStream>;

/// The write half of an owned split (see [`UnixStream::into_split`]):
/// `AsyncWrite`, `as_ref()` for the stream, `reunite` (below) and
/// `forget`. Dropping it shuts the write side of the socket down.
///
/// ```
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// # let (a, mut b) = runtime_net::UnixStream::pair().unwrap();
/// use runtime_core::io::AsyncReadExt;
///
/// // `a` and `b` are two connected UnixStreams.
/// let (_reader, writer) = a.into_split();
/// drop(writer); // shuts the write side of `a` down
/// let mut rest = Vec::new();
/// b.read_to_end(&mut rest).await.unwrap(); // end of file, though `a` is open
/// assert!(rest.is_empty());
/// # });
/// ```
///
/// `forget` keeps the write side open:
///
/// ```
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// # let (a, mut b) = runtime_net::UnixStream::pair().unwrap();
/// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
///
/// // `a` and `b` are two connected UnixStreams.
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
pub type OwnedWriteHalf = split::OwnedWriteHalf<UnixStream>;

impl OwnedReadHalf {
    /// Puts the stream back together from its two halves.
    ///
    /// ```
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// # let (a, mut b) = runtime_net::UnixStream::pair().unwrap();
    /// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// // `a` and `b` are two connected UnixStreams.
    /// let (reader, writer) = a.into_split();
    /// let mut a = reader.reunite(writer).unwrap();
    /// // Whole again, and the write side is still open.
    /// a.write_all(b"ok").await.unwrap();
    /// let mut buf = [0; 2];
    /// b.read_exact(&mut buf).await.unwrap();
    /// assert_eq!(&buf, b"ok");
    /// # });
    /// ```
    pub fn reunite(self, other: OwnedWriteHalf) -> Result<UnixStream, ReuniteError> {
        split::reunite(self, other).map_err(|(read, write)| ReuniteError(read, write))
    }
}

impl OwnedWriteHalf {
    /// Puts the stream back together from its two halves.
    pub fn reunite(self, other: OwnedReadHalf) -> Result<UnixStream, ReuniteError> {
        other.reunite(self)
    }
}

/// `reunite` was given halves of two different streams; they are handed
/// back.
///
/// ```
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// # let (a, b) = runtime_net::UnixStream::pair().unwrap();
/// // `a` and `b` are two connected UnixStreams.
/// let (a_read, a_write) = a.into_split();
/// let (b_read, b_write) = b.into_split();
/// let err = a_read.reunite(b_write).unwrap_err();
/// assert_eq!(err.to_string(), "tried to reunite halves that are not from the same socket");
/// // The halves come back.
/// let runtime_net::unix::ReuniteError(a_read, b_write) = err;
/// assert!(a_read.reunite(a_write).is_ok());
/// assert!(b_read.reunite(b_write).is_ok());
/// # });
/// ```
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same socket")
    }
}

impl std::error::Error for ReuniteError {}

/// A Unix domain datagram socket.
///
/// ```
/// use runtime_net::UnixDatagram;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let dir = std::env::temp_dir();
/// let server_path = dir.join(format!("dgram-server-doc-{}.sock", std::process::id()));
/// let client_path = dir.join(format!("dgram-client-doc-{}.sock", std::process::id()));
/// let server = UnixDatagram::bind(&server_path).unwrap();
/// let client = UnixDatagram::bind(&client_path).unwrap();
/// client.send_to(b"request", &server_path).await.unwrap();
/// let mut buf = [0; 64];
/// let (n, from) = server.recv_from(&mut buf).await.unwrap();
/// // Reply to the sender's address (it bound one).
/// server.send_to(b"reply", from.as_pathname().unwrap()).await.unwrap();
/// assert_eq!(&buf[..n], b"request");
/// let n = client.recv(&mut buf).await.unwrap();
/// assert_eq!(&buf[..n], b"reply");
/// std::fs::remove_file(&server_path).unwrap();
/// std::fs::remove_file(&client_path).unwrap();
/// # });
/// ```
pub struct UnixDatagram {
    io: AsyncFd<net::UnixDatagram>,
}

impl UnixDatagram {
    /// Binds to `path`.
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    ///
    /// ```
    /// use runtime_net::UnixDatagram;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("dgram-bind-doc-{}.sock", std::process::id()));
    /// let socket = UnixDatagram::bind(&path).unwrap();
    /// assert_eq!(socket.local_addr().unwrap().as_pathname(), Some(path.as_path()));
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        UnixDatagram::from_std(net::UnixDatagram::bind(path)?)
    }

    /// An unbound socket (it can send, and receive replies once connected).
    ///
    /// ```
    /// use runtime_net::UnixDatagram;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("dgram-unbound-doc-{}.sock", std::process::id()));
    /// let server = UnixDatagram::bind(&path).unwrap();
    /// let client = UnixDatagram::unbound().unwrap();
    /// assert!(client.local_addr().unwrap().is_unnamed());
    /// client.send_to(b"log line", &path).await.unwrap();
    /// let mut buf = [0; 16];
    /// let n = server.recv(&mut buf).await.unwrap();
    /// assert_eq!(&buf[..n], b"log line");
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    #[track_caller]
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::from_std(net::UnixDatagram::unbound()?)
    }

    /// A connected pair of sockets.
    ///
    /// ```
    /// use runtime_net::UnixDatagram;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, b) = UnixDatagram::pair().unwrap();
    /// a.send(b"one").await.unwrap();
    /// a.send(b"two").await.unwrap();
    /// // Message boundaries are kept.
    /// let mut buf = [0; 16];
    /// assert_eq!(b.recv(&mut buf).await.unwrap(), 3);
    /// assert_eq!(b.recv(&mut buf).await.unwrap(), 3);
    /// assert_eq!(&buf[..3], b"two");
    /// # });
    /// ```
    #[track_caller]
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = net::UnixDatagram::pair()?;
        Ok((UnixDatagram::from_std(a)?, UnixDatagram::from_std(b)?))
    }

    /// Wraps a std socket (it is switched to nonblocking mode).
    ///
    /// ```
    /// use runtime_net::UnixDatagram;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (std_a, std_b) = std::os::unix::net::UnixDatagram::pair().unwrap();
    /// let a = UnixDatagram::from_std(std_a).unwrap();
    /// std_b.send(b"hi").unwrap();
    /// let mut buf = [0; 2];
    /// assert_eq!(a.recv(&mut buf).await.unwrap(), 2);
    /// # });
    /// ```
    #[track_caller]
    pub fn from_std(socket: net::UnixDatagram) -> io::Result<UnixDatagram> {
        socket.set_nonblocking(true)?;
        Ok(UnixDatagram {
            io: AsyncFd::__with_interest_closing(socket, Interest::READABLE | Interest::WRITABLE)?,
        })
    }

    /// Deregisters the socket and returns it (still nonblocking).
    ///
    /// ```
    /// use runtime_net::UnixDatagram;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, _b) = UnixDatagram::pair().unwrap();
    /// let a = a.into_std().unwrap();
    /// // Still nonblocking.
    /// assert_eq!(a.recv(&mut [0; 8]).unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
    /// # });
    /// ```
    pub fn into_std(self) -> io::Result<net::UnixDatagram> {
        Ok(self.io.into_inner())
    }

    /// Sets the default destination.
    ///
    /// ```
    /// use runtime_net::UnixDatagram;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("dgram-connect-doc-{}.sock", std::process::id()));
    /// let server = UnixDatagram::bind(&path).unwrap();
    /// let client = UnixDatagram::unbound().unwrap();
    /// client.connect(&path).unwrap();
    /// assert_eq!(client.peer_addr().unwrap().as_pathname(), Some(path.as_path()));
    /// client.send(b"no address needed").await.unwrap();
    /// let mut buf = [0; 32];
    /// let n = server.recv(&mut buf).await.unwrap();
    /// assert_eq!(&buf[..n], b"no address needed");
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.io.get_ref().connect(path)
    }

    /// Sends to the connected peer.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a datagram is sent whole by the poll that returns, or not
    /// at all, so a call dropped before it completes has sent nothing.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.async_io(Interest::WRITABLE, |s| s.send(buf)).await
    }

    /// Receives from the connected peer.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a datagram is taken from the queue only by the poll that
    /// returns it, so a call dropped before it completes has received nothing.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.recv(buf)).await
    }

    /// Sends to the socket at `path`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`send`](Self::send).
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        self.io
            .async_io(Interest::WRITABLE, |s| s.send_to(buf, path))
            .await
    }

    /// Receives a datagram and its sender's address.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`recv`](Self::recv).
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |s| s.recv_from(buf))
            .await
    }

    /// Waits until a datagram can be received (then `try_recv` or
    /// `try_recv_from` take it; they may still find nothing, and the
    /// caller waits again).
    ///
    /// ```
    /// use runtime_net::UnixDatagram;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, b) = UnixDatagram::pair().unwrap();
    /// a.send(b"ready").await.unwrap();
    /// b.readable().await.unwrap();
    /// let mut buf = [0; 8];
    /// assert_eq!(b.try_recv(&mut buf).unwrap(), 5);
    /// # });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: waiting uses up no readiness (it stays until a send or
    /// receive sees `WouldBlock`), so a wait dropped before it completes loses
    /// no event and the next one returns at once.
    pub async fn readable(&self) -> io::Result<()> {
        self.io.readable().await.map(|_| ())
    }

    /// Waits until a datagram can be sent.
    ///
    /// ```
    /// use runtime_net::UnixDatagram;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, _b) = UnixDatagram::pair().unwrap();
    /// a.writable().await.unwrap();
    /// assert_eq!(a.try_send(b"now").unwrap(), 3);
    /// # });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`readable`](Self::readable).
    pub async fn writable(&self) -> io::Result<()> {
        self.io.writable().await.map(|_| ())
    }

    /// Sends to the connected peer without waiting; `WouldBlock` when the
    /// peer's queue is full.
    ///
    /// ```
    /// use runtime_net::UnixDatagram;
    /// use std::io::ErrorKind;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, _b) = UnixDatagram::pair().unwrap();
    /// a.writable().await.unwrap();
    /// // Nobody reads: the queue fills up, and then sends would wait.
    /// let mut sent = 0;
    /// let full = loop {
    ///     match a.try_send(&[0; 1024]) {
    ///         Ok(_) => sent += 1,
    ///         Err(e) => break e,
    ///     }
    /// };
    /// assert!(sent > 0);
    /// assert_eq!(full.kind(), ErrorKind::WouldBlock);
    /// # });
    /// ```
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |s| s.send(buf))
    }

    /// Receives from the connected peer without waiting; `WouldBlock` if
    /// nothing is queued.
    ///
    /// ```
    /// use runtime_net::UnixDatagram;
    /// use std::io::ErrorKind;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, b) = UnixDatagram::pair().unwrap();
    /// let mut buf = [0; 8];
    /// assert_eq!(b.try_recv(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
    /// a.send(b"x").await.unwrap();
    /// let n = loop {
    ///     b.readable().await.unwrap();
    ///     match b.try_recv(&mut buf) {
    ///         Ok(n) => break n,
    ///         Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
    ///         Err(e) => panic!("{e}"),
    ///     }
    /// };
    /// assert_eq!(&buf[..n], b"x");
    /// # });
    /// ```
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| s.recv(buf))
    }

    /// Sends to the socket at `target` without waiting.
    ///
    /// ```
    /// use runtime_net::UnixDatagram;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("dgram-try-send-to-doc-{}.sock", std::process::id()));
    /// let server = UnixDatagram::bind(&path).unwrap();
    /// let client = UnixDatagram::unbound().unwrap();
    /// client.writable().await.unwrap();
    /// assert_eq!(client.try_send_to(b"ping", &path).unwrap(), 4);
    /// let mut buf = [0; 8];
    /// assert_eq!(server.recv(&mut buf).await.unwrap(), 4);
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    pub fn try_send_to<P: AsRef<Path>>(&self, buf: &[u8], target: P) -> io::Result<usize> {
        let target = target.as_ref();
        self.io
            .try_io(Interest::WRITABLE, |s| s.send_to(buf, target))
    }

    /// Receives a datagram and its sender's address without waiting.
    ///
    /// ```
    /// use runtime_net::UnixDatagram;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("dgram-try-recv-from-doc-{}.sock", std::process::id()));
    /// let server = UnixDatagram::bind(&path).unwrap();
    /// let client = UnixDatagram::unbound().unwrap();
    /// client.send_to(b"hi", &path).await.unwrap();
    /// let mut buf = [0; 8];
    /// server.readable().await.unwrap();
    /// let (n, from) = server.try_recv_from(&mut buf).unwrap();
    /// assert_eq!(&buf[..n], b"hi");
    /// assert!(from.is_unnamed()); // the client never bound a path
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |s| s.recv_from(buf))
    }

    /// Pending socket error (`SO_ERROR`), cleared by reading it.
    ///
    /// ```
    /// use runtime_net::UnixDatagram;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, _b) = UnixDatagram::pair().unwrap();
    /// assert!(a.take_error().unwrap().is_none());
    /// # });
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The connected peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Shuts down the read side, the write side or both.
    ///
    /// ```
    /// use runtime_net::UnixDatagram;
    /// use std::net::Shutdown;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, _b) = UnixDatagram::pair().unwrap();
    /// a.shutdown(Shutdown::Write).unwrap();
    /// let err = a.send(b"too late").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
    /// # });
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixDatagram")
            .field("fd", &self.io.as_raw_fd())
            .finish()
    }
}

crate::sys::fd_impls!(UnixDatagram);
