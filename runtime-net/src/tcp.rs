//! TCP: [`TcpListener`], [`TcpStream`] (with its split halves) and
//! [`TcpSocket`] for setting options before `bind`/`connect`.
//!
//! Accept loops should follow the runtime's accept-error policy: retry at
//! once on `ConnectionAborted`/`ConnectionReset` (the peer gave up before
//! the accept), and back off with a timer on `EMFILE`/`ENFILE` (out of file
//! descriptors) instead of spinning; see `examples/echo_server.rs`.

use crate::addr::{each_addr, ToSocketAddrs};
use crate::split::{self, SplitStream};
use crate::sys;
use runtime_core::io::{AsyncFd, Interest};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::fmt;
use std::io::{self, IoSlice};
use std::net::{self, Shutdown, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, RawFd};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// A TCP socket listening for connections.
///
/// ```
/// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
/// use runtime_net::{TcpListener, TcpStream};
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
/// let addr = listener.local_addr().unwrap();
/// // A server: one task per connection (`runtime_net::tcp` says which
/// // `accept` errors to retry).
/// runtime_core::spawn(async move {
///     loop {
///         let (mut socket, _peer) = listener.accept().await.unwrap();
///         runtime_core::spawn(async move {
///             socket.write_all(b"hello\n").await.unwrap();
///         });
///     }
/// });
/// for _ in 0..2 {
///     let mut client = TcpStream::connect(addr).await.unwrap();
///     let mut greeting = String::new();
///     client.read_to_string(&mut greeting).await.unwrap();
///     assert_eq!(greeting, "hello\n");
/// }
/// # });
/// ```
pub struct TcpListener {
    io: AsyncFd<net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` (the first of its addresses that works), with
    /// `SO_REUSEADDR` set and a backlog of 1024.
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    ///
    /// ```
    /// use runtime_net::TcpListener;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// // Port 0: the system picks a free port.
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let addr = listener.local_addr().unwrap();
    /// assert!(addr.ip().is_loopback() && addr.port() != 0);
    /// // The port is taken now.
    /// let err = TcpListener::bind(addr).await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    /// # });
    /// ```
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        each_addr(&addr, |a| async move {
            let socket = TcpSocket::for_addr(a)?;
            socket.set_reuseaddr(true)?;
            socket.bind(a)?;
            socket.listen(1024)
        })
        .await
    }

    /// Waits for a connection. Errors are those of `accept(2)`: see the
    /// module docs for which ones to retry.
    ///
    /// ```
    /// use runtime_net::{TcpListener, TcpStream};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// let (conn, peer) = listener.accept().await.unwrap();
    /// assert_eq!(peer, client.local_addr().unwrap());
    /// assert_eq!(conn.peer_addr().unwrap(), peer);
    /// # });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a connection is taken from the listener's queue only by
    /// the poll that returns it, so a call dropped before it completes (a
    /// losing `select!` branch, a timeout) leaves every waiting connection to
    /// the next `accept`.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        // Several tasks may accept on one (shared) listener at once.
        let (stream, addr) = self
            .io
            .async_io(Interest::READABLE, sys::accept_tcp)
            .await?;
        Ok((TcpStream::from_std_nonblocking(stream)?, addr))
    }

    /// Polls for a connection (only the task that polled last is woken).
    ///
    /// ```
    /// use runtime_net::{TcpListener, TcpStream};
    /// use std::future::poll_fn;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// let (_conn, peer) = poll_fn(|cx| listener.poll_accept(cx)).await.unwrap();
    /// assert_eq!(peer, client.local_addr().unwrap());
    /// # });
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let (stream, addr) = std::task::ready!(self.io.poll_read_io(cx, sys::accept_tcp))?;
        Poll::Ready(TcpStream::from_std_nonblocking(stream).map(|s| (s, addr)))
    }

    /// Wraps a std listener (it is switched to nonblocking mode).
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    ///
    /// ```
    /// use runtime_net::TcpListener;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// // Say, a socket handed over by a process manager.
    /// let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let addr = std_listener.local_addr().unwrap();
    /// let listener = TcpListener::from_std(std_listener).unwrap();
    /// assert_eq!(listener.local_addr().unwrap(), addr);
    /// # });
    /// ```
    #[track_caller]
    pub fn from_std(listener: net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        Ok(TcpListener {
            io: AsyncFd::__with_interest_closing(listener, Interest::READABLE)?,
        })
    }

    /// Deregisters the listener and returns it (still nonblocking).
    ///
    /// ```
    /// use runtime_net::TcpListener;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let addr = listener.local_addr().unwrap();
    /// let std_listener = listener.into_std().unwrap();
    /// // Still nonblocking: with no client waiting, accept does not block.
    /// let err = std_listener.accept().unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// assert_eq!(std_listener.local_addr().unwrap(), addr);
    /// # });
    /// ```
    pub fn into_std(self) -> io::Result<net::TcpListener> {
        Ok(self.io.into_inner())
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// `IP_TTL` of the listener's socket.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Sets `IP_TTL`.
    ///
    /// ```
    /// use runtime_net::TcpListener;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// listener.set_ttl(100).unwrap();
    /// assert_eq!(listener.ttl().unwrap(), 100);
    /// # });
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("addr", &self.local_addr().ok())
            .field("fd", &self.io.as_raw_fd())
            .finish()
    }
}

crate::sys::fd_impls!(TcpListener);

/// A TCP connection. Reads and writes go through `futures-io`'s
/// `AsyncRead`/`AsyncWrite` (use `runtime::io::{AsyncReadExt,
/// AsyncWriteExt}`); `close()` shuts down the write side only.
///
/// ```
/// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
/// use runtime_net::{TcpListener, TcpStream};
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
/// let addr = listener.local_addr().unwrap();
/// let server = runtime_core::spawn(async move {
///     let (mut socket, _) = listener.accept().await.unwrap();
///     let mut request = String::new();
///     socket.read_to_string(&mut request).await.unwrap(); // until the client's close
///     socket.write_all(request.to_uppercase().as_bytes()).await.unwrap();
/// });
/// let mut client = TcpStream::connect(addr).await.unwrap();
/// client.write_all(b"shout").await.unwrap();
/// client.close().await.unwrap(); // write side only: the reply still arrives
/// let mut reply = String::new();
/// client.read_to_string(&mut reply).await.unwrap();
/// assert_eq!(reply, "SHOUT");
/// server.await.unwrap();
/// # });
/// ```
pub struct TcpStream {
    io: AsyncFd<net::TcpStream>,
}

impl TcpStream {
    /// Connects to `addr`, trying each of its addresses in turn.
    ///
    /// A closed port gives `ConnectionRefused`.
    ///
    /// ```
    /// use runtime_net::{TcpListener, TcpStream};
    /// use std::io::ErrorKind;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let addr = listener.local_addr().unwrap();
    /// let stream = TcpStream::connect(addr).await.unwrap();
    /// assert_eq!(stream.peer_addr().unwrap(), addr);
    ///
    /// // Nobody listens there any more.
    /// drop(listener);
    /// let err = TcpStream::connect(addr).await.unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    /// # });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes gives up the attempt and
    /// closes the socket.
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        each_addr(&addr, |a| async move {
            TcpSocket::for_addr(a)?.connect(a).await
        })
        .await
    }

    /// Waits for a nonblocking connect to finish.
    async fn connected(socket: Socket) -> io::Result<TcpStream> {
        let stream = TcpStream::from_std_nonblocking(net::TcpStream::from(socket))?;
        split::wait_connected(&stream).await?;
        // Writable without an error can still mean "not connected" on
        // some systems; `peer_addr` tells.
        if let Err(e) = stream.peer_addr() {
            if e.kind() == io::ErrorKind::NotConnected {
                return Err(io::ErrorKind::ConnectionRefused.into());
            }
            return Err(e);
        }
        Ok(stream)
    }

    pub(crate) fn from_std_nonblocking(stream: net::TcpStream) -> io::Result<TcpStream> {
        sys::no_sigpipe(&stream)?;
        Ok(TcpStream {
            // The stream closes its fd when dropped: no epoll_ctl(DEL).
            io: AsyncFd::__with_interest_closing(stream, Interest::READABLE | Interest::WRITABLE)?,
        })
    }

    /// Wraps a connected std stream (it is switched to nonblocking mode).
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    ///
    /// ```
    /// use runtime_core::io::AsyncWriteExt;
    /// use runtime_net::TcpStream;
    /// use std::io::Read;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let std_stream = std::net::TcpStream::connect(std_listener.local_addr().unwrap()).unwrap();
    /// let mut stream = TcpStream::from_std(std_stream).unwrap();
    /// stream.write_all(b"hi").await.unwrap();
    /// let (mut peer, _) = std_listener.accept().unwrap();
    /// let mut buf = [0; 2];
    /// peer.read_exact(&mut buf).unwrap();
    /// assert_eq!(&buf, b"hi");
    /// # });
    /// ```
    #[track_caller]
    pub fn from_std(stream: net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        TcpStream::from_std_nonblocking(stream)
    }

    /// Deregisters the stream and returns it (still nonblocking).
    ///
    /// ```
    /// use runtime_net::{TcpListener, TcpStream};
    /// use std::io::Write;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let stream = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// let mut std_stream = stream.into_std().unwrap();
    /// std_stream.set_nonblocking(false).unwrap(); // for plain blocking use
    /// std_stream.write_all(b"blocking write").unwrap();
    /// # });
    /// ```
    pub fn into_std(self) -> io::Result<net::TcpStream> {
        Ok(self.io.into_inner())
    }

    /// The remote address.
    ///
    /// ```
    /// use runtime_net::{TcpListener, TcpStream};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// let (server, _) = listener.accept().await.unwrap();
    /// assert_eq!(client.peer_addr().unwrap(), server.local_addr().unwrap());
    /// assert_eq!(server.peer_addr().unwrap(), client.local_addr().unwrap());
    /// # });
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// `TCP_NODELAY`.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.get_ref().nodelay()
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm).
    ///
    /// ```
    /// use runtime_net::{TcpListener, TcpStream};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let stream = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// // Small, latency-sensitive messages: send each at once.
    /// stream.set_nodelay(true).unwrap();
    /// assert!(stream.nodelay().unwrap());
    /// # });
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// `IP_TTL`.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Sets `IP_TTL`.
    ///
    /// ```
    /// use runtime_net::{TcpListener, TcpStream};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let stream = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// stream.set_ttl(8).unwrap();
    /// assert_eq!(stream.ttl().unwrap(), 8);
    /// # });
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// `SO_LINGER`.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        socket2::SockRef::from(self.io.get_ref()).linger()
    }

    /// Sets `SO_LINGER` (`Some(0)` makes close send a reset).
    ///
    /// ```
    /// use runtime_core::io::AsyncReadExt;
    /// use runtime_net::{TcpListener, TcpStream};
    /// use std::time::Duration;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// let (mut server, _) = listener.accept().await.unwrap();
    /// client.set_linger(Some(Duration::ZERO)).unwrap();
    /// assert_eq!(client.linger().unwrap(), Some(Duration::ZERO));
    /// drop(client); // aborts the connection with a reset
    /// let err = server.read(&mut [0; 8]).await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    /// # });
    /// ```
    pub fn set_linger(&self, dur: Option<Duration>) -> io::Result<()> {
        socket2::SockRef::from(self.io.get_ref()).set_linger(dur)
    }

    /// Sets `SO_LINGER` to zero, so dropping the stream resets the
    /// connection (see [`TcpSocket::set_zero_linger`]).
    ///
    /// ```
    /// use runtime_core::io::AsyncReadExt;
    /// use runtime_net::{TcpListener, TcpStream};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// let (mut server, _) = listener.accept().await.unwrap();
    /// client.set_zero_linger().unwrap();
    /// drop(client);
    /// let err = server.read(&mut [0; 8]).await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    /// # });
    /// ```
    pub fn set_zero_linger(&self) -> io::Result<()> {
        self.set_linger(Some(Duration::ZERO))
    }

    /// Pending socket error (`SO_ERROR`), cleared by reading it.
    ///
    /// ```
    /// use runtime_net::{TcpListener, TcpStream};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let stream = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// assert!(stream.take_error().unwrap().is_none());
    /// # });
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        socket2::SockRef::from(self.io.get_ref()).take_error()
    }

    /// Writes several buffers without waiting.
    ///
    /// ```
    /// use runtime_core::io::AsyncReadExt;
    /// use runtime_net::{TcpListener, TcpStream};
    /// use std::io::IoSlice;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// let (mut server, _) = listener.accept().await.unwrap();
    /// let (header, body) = (b"len=5;".as_slice(), b"hello".as_slice());
    /// client.writable().await.unwrap();
    /// // One system call for both buffers.
    /// let n = client.try_write_vectored(&[IoSlice::new(header), IoSlice::new(body)]).unwrap();
    /// assert_eq!(n, 11);
    /// let mut got = [0; 11];
    /// server.read_exact(&mut got).await.unwrap();
    /// assert_eq!(&got, b"len=5;hello");
    /// # });
    /// ```
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |s| sys::send_vectored(s, bufs))
    }

    /// Waits for data and copies it into `buf` without consuming it.
    ///
    /// ```
    /// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
    /// use runtime_net::{TcpListener, TcpStream};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let mut client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// let (mut server, _) = listener.accept().await.unwrap();
    /// client.write_all(b"GET /").await.unwrap();
    /// // Look at the first bytes (say, to pick a protocol) without taking them.
    /// let mut head = [0; 3];
    /// let n = server.peek(&mut head).await.unwrap();
    /// assert_eq!(&head[..n], &b"GET"[..n]);
    /// let mut all = [0; 5];
    /// server.read_exact(&mut all).await.unwrap();
    /// assert_eq!(&all, b"GET /");
    /// # });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: `buf` is written only by the poll that returns, and peeking
    /// takes nothing from the socket in any case.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.peek(buf)).await
    }

    /// Shuts down the read side, the write side or both (not async: the
    /// system call does not block). For the write side alone, Tokio's
    /// `AsyncWriteExt::shutdown().await` works too.
    ///
    /// ```
    /// use runtime_core::io::AsyncReadExt;
    /// use runtime_net::{TcpListener, TcpStream};
    /// use std::net::Shutdown;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// let (mut server, _) = listener.accept().await.unwrap();
    /// client.shutdown_std(Shutdown::Write).unwrap();
    /// let mut rest = Vec::new();
    /// server.read_to_end(&mut rest).await.unwrap(); // end of file
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
    /// # let listener = runtime_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// # let a = runtime_net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// # let (mut b, _) = listener.accept().await.unwrap();
    /// use runtime_core::io::AsyncWriteExt;
    /// use std::io::ErrorKind;
    ///
    /// // `a` and `b` are two connected TcpStreams.
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
    /// # let listener = runtime_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// # let a = runtime_net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// # let (_b, _) = listener.accept().await.unwrap();
    /// use std::io::ErrorKind;
    ///
    /// // `a` and `_b` are two connected TcpStreams.
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
    /// # let listener = runtime_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// # let a = runtime_net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// # let (_b, _) = listener.accept().await.unwrap();
    /// use std::io::ErrorKind;
    ///
    /// // `a` and `_b` are two connected TcpStreams; nothing was sent.
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
    /// # let listener = runtime_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// # let a = runtime_net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// # let (_b, _) = listener.accept().await.unwrap();
    /// use std::io::ErrorKind;
    ///
    /// // `a` and `_b` are two connected TcpStreams; `_b` reads nothing,
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
    /// # let listener = runtime_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// # let mut a = runtime_net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// # let (mut b, _) = listener.accept().await.unwrap();
    /// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// // `a` and `b` are two connected TcpStreams.
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
    /// # let listener = runtime_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// # let a = runtime_net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// # let (mut b, _) = listener.accept().await.unwrap();
    /// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// // `a` and `b` are two connected TcpStreams.
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

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("addr", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .field("fd", &self.io.as_raw_fd())
            .finish()
    }
}

crate::sys::fd_impls!(TcpStream);

impl SplitStream for TcpStream {
    type Socket = net::TcpStream;

    fn io(&self) -> &AsyncFd<net::TcpStream> {
        &self.io
    }
}

impl futures_io::AsyncRead for TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_recv(cx, buf)
    }
}

impl futures_io::AsyncWrite for TcpStream {
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

/// The read half of a borrowed split (see [`TcpStream::split`]):
/// `AsyncRead`, `read_buf` (feature `bytes`), and `as_ref()` for the
/// stream.
///
/// ```
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// # let listener = runtime_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
/// # let mut a = runtime_net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
/// # let (mut b, _) = listener.accept().await.unwrap();
/// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
///
/// // `a` and `b` are two connected TcpStreams.
/// let (mut reader, _writer) = a.split();
/// b.write_all(b"ping").await.unwrap();
/// let mut buf = [0; 4];
/// reader.read_exact(&mut buf).await.unwrap();
/// assert_eq!(&buf, b"ping");
/// // The stream itself is reachable through the half.
/// assert!(reader.as_ref().local_addr().is_ok());
/// # });
/// ```
pub type ReadHalf<'a> = split::ReadHalf<'a, TcpStream>;

/// The write half of a borrowed split (see [`TcpStream::split`]):
/// `AsyncWrite`, whose `close()` shuts the stream's write side down, and
/// `as_ref()` for the stream.
///
/// ```
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// # let listener = runtime_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
/// # let mut a = runtime_net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
/// # let (mut b, _) = listener.accept().await.unwrap();
/// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
///
/// // `a` and `b` are two connected TcpStreams.
/// let (_reader, mut writer) = a.split();
/// writer.write_all(b"pong").await.unwrap();
/// writer.close().await.unwrap(); // shuts down the write side of `a`
/// let mut got = Vec::new();
/// b.read_to_end(&mut got).await.unwrap();
/// assert_eq!(got, b"pong");
/// # });
/// ```
pub type WriteHalf<'a> = split::WriteHalf<'a, TcpStream>;

/// The read half of an owned split (see [`TcpStream::into_split`]):
/// `AsyncRead`, `read_buf` (feature `bytes`), `as_ref()` for the stream,
/// and `reunite` (below).
///
/// ```
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// # let listener = runtime_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
/// # let a = runtime_net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
/// # let (mut b, _) = listener.accept().await.unwrap();
/// use runtime_core::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
///
/// // `a` and `b` are two connected TcpStreams.
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
pub type OwnedReadHalf = split::OwnedReadHalf<TcpStream>;

/// The write half of an owned split (see [`TcpStream::into_split`]):
/// `AsyncWrite`, `as_ref()` for the stream, `reunite` (below) and
/// `forget`. Dropping it shuts the write side of the socket down.
///
/// ```
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// # let listener = runtime_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
/// # let a = runtime_net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
/// # let (mut b, _) = listener.accept().await.unwrap();
/// use runtime_core::io::AsyncReadExt;
///
/// // `a` and `b` are two connected TcpStreams.
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
/// # let listener = runtime_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
/// # let a = runtime_net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
/// # let (mut b, _) = listener.accept().await.unwrap();
/// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
///
/// // `a` and `b` are two connected TcpStreams.
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
pub type OwnedWriteHalf = split::OwnedWriteHalf<TcpStream>;

impl OwnedReadHalf {
    /// Puts the stream back together from its two halves.
    ///
    /// ```
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// # let listener = runtime_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// # let a = runtime_net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// # let (mut b, _) = listener.accept().await.unwrap();
    /// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// // `a` and `b` are two connected TcpStreams.
    /// let (reader, writer) = a.into_split();
    /// let mut a = reader.reunite(writer).unwrap();
    /// // Whole again, and the write side is still open.
    /// a.write_all(b"ok").await.unwrap();
    /// let mut buf = [0; 2];
    /// b.read_exact(&mut buf).await.unwrap();
    /// assert_eq!(&buf, b"ok");
    /// # });
    /// ```
    pub fn reunite(self, other: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
        split::reunite(self, other).map_err(|(read, write)| ReuniteError(read, write))
    }
}

impl OwnedWriteHalf {
    /// Puts the stream back together from its two halves.
    pub fn reunite(self, other: OwnedReadHalf) -> Result<TcpStream, ReuniteError> {
        other.reunite(self)
    }
}

/// `reunite` was given halves of two different streams; they are handed
/// back.
///
/// ```
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// # let listener = runtime_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
/// # let a = runtime_net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
/// # let (b, _) = listener.accept().await.unwrap();
/// // `a` and `b` are two connected TcpStreams.
/// let (a_read, a_write) = a.into_split();
/// let (b_read, b_write) = b.into_split();
/// let err = a_read.reunite(b_write).unwrap_err();
/// assert_eq!(err.to_string(), "tried to reunite halves that are not from the same socket");
/// // The halves come back.
/// let runtime_net::tcp::ReuniteError(a_read, b_write) = err;
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

/// A TCP socket not yet bound or connected, for setting options first.
///
/// ```
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let socket = runtime_net::TcpSocket::new_v4().unwrap();
/// socket.set_reuseaddr(true).unwrap();
/// socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
/// let listener = socket.listen(128).unwrap();
/// assert!(listener.local_addr().unwrap().port() != 0);
/// # });
/// ```
pub struct TcpSocket {
    inner: Socket,
    /// Made nonblocking (and exempt from `SIGPIPE`) by `sys::prepare`;
    /// a socket handed in (`from_std_stream`, `from_raw_fd`) is prepared
    /// by `listen` or `connect`.
    prepared: bool,
}

impl TcpSocket {
    /// A new IPv4 TCP socket.
    ///
    /// ```
    /// use runtime_net::TcpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let socket = TcpSocket::new_v4().unwrap();
    /// socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// assert!(socket.local_addr().unwrap().is_ipv4());
    /// # });
    /// ```
    pub fn new_v4() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV4)
    }

    /// A new IPv6 TCP socket.
    ///
    /// ```
    /// use runtime_net::TcpSocket;
    ///
    /// let socket = TcpSocket::new_v6().unwrap();
    /// socket.set_reuseaddr(true).unwrap();
    /// // bind to "[::1]:0" and listen, or connect, as with `new_v4`.
    /// ```
    pub fn new_v6() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV6)
    }

    fn new(domain: Domain) -> io::Result<TcpSocket> {
        let inner = Socket::new(domain, Type::STREAM, Some(Protocol::TCP))?;
        sys::prepare(&inner)?;
        Ok(TcpSocket {
            inner,
            prepared: true,
        })
    }

    fn for_addr(addr: SocketAddr) -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::for_address(addr))
    }

    /// Sets `SO_REUSEADDR`.
    ///
    /// ```
    /// use runtime_net::TcpSocket;
    ///
    /// // Restart a server on its port while old connections are in TIME_WAIT.
    /// let socket = TcpSocket::new_v4().unwrap();
    /// assert!(!socket.reuseaddr().unwrap());
    /// socket.set_reuseaddr(true).unwrap();
    /// assert!(socket.reuseaddr().unwrap());
    /// ```
    pub fn set_reuseaddr(&self, reuse: bool) -> io::Result<()> {
        self.inner.set_reuse_address(reuse)
    }

    /// `SO_REUSEADDR`.
    pub fn reuseaddr(&self) -> io::Result<bool> {
        self.inner.reuse_address()
    }

    /// Sets `SO_REUSEPORT` (several listeners on one port, one per process).
    ///
    /// ```
    /// use runtime_net::TcpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// // Two listeners on one port (the kernel spreads connections over them).
    /// let first = TcpSocket::new_v4().unwrap();
    /// first.set_reuseport(true).unwrap();
    /// first.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// let addr = first.local_addr().unwrap();
    /// let second = TcpSocket::new_v4().unwrap();
    /// second.set_reuseport(true).unwrap();
    /// assert!(second.reuseport().unwrap());
    /// second.bind(addr).unwrap();
    /// let (_a, _b) = (first.listen(128).unwrap(), second.listen(128).unwrap());
    /// # });
    /// ```
    pub fn set_reuseport(&self, reuse: bool) -> io::Result<()> {
        self.inner.set_reuse_port(reuse)
    }

    /// `SO_REUSEPORT`.
    pub fn reuseport(&self) -> io::Result<bool> {
        self.inner.reuse_port()
    }

    /// Sets `SO_SNDBUF`.
    ///
    /// ```
    /// use runtime_net::{TcpListener, TcpSocket};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// // Before connecting: the receive buffer also sets the window scale
    /// // the TCP handshake agrees on.
    /// let socket = TcpSocket::new_v4().unwrap();
    /// socket.set_send_buffer_size(256 * 1024).unwrap();
    /// socket.set_recv_buffer_size(256 * 1024).unwrap();
    /// let _stream = socket.connect(listener.local_addr().unwrap()).await.unwrap();
    /// # });
    /// ```
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_send_buffer_size(size as usize)
    }

    /// `SO_SNDBUF`. Linux reports twice the size that was set (the
    /// kernel's bookkeeping), and every system clamps it to its limits.
    ///
    /// ```
    /// use runtime_net::TcpSocket;
    ///
    /// let socket = TcpSocket::new_v4().unwrap();
    /// socket.set_send_buffer_size(64 * 1024).unwrap();
    /// assert!(socket.send_buffer_size().unwrap() >= 64 * 1024);
    /// ```
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        self.inner.send_buffer_size().map(saturate)
    }

    /// Sets `SO_RCVBUF`.
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_recv_buffer_size(size as usize)
    }

    /// `SO_RCVBUF` (doubled and clamped as [`send_buffer_size`](Self::send_buffer_size)).
    ///
    /// ```
    /// use runtime_net::TcpSocket;
    ///
    /// let socket = TcpSocket::new_v4().unwrap();
    /// socket.set_recv_buffer_size(64 * 1024).unwrap();
    /// assert!(socket.recv_buffer_size().unwrap() >= 64 * 1024);
    /// ```
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        self.inner.recv_buffer_size().map(saturate)
    }

    /// Sets `SO_KEEPALIVE`: the system probes an idle connection and
    /// reports a dead peer as an error.
    ///
    /// ```
    /// use runtime_net::TcpSocket;
    ///
    /// let socket = TcpSocket::new_v4().unwrap();
    /// assert!(!socket.keepalive().unwrap());
    /// socket.set_keepalive(true).unwrap();
    /// assert!(socket.keepalive().unwrap());
    /// ```
    pub fn set_keepalive(&self, keepalive: bool) -> io::Result<()> {
        self.inner.set_keepalive(keepalive)
    }

    /// `SO_KEEPALIVE`.
    pub fn keepalive(&self) -> io::Result<bool> {
        self.inner.keepalive()
    }

    /// Sets `TCP_NODELAY`.
    ///
    /// ```
    /// use runtime_net::{TcpListener, TcpSocket};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let socket = TcpSocket::new_v4().unwrap();
    /// socket.set_nodelay(true).unwrap();
    /// let stream = socket.connect(listener.local_addr().unwrap()).await.unwrap();
    /// assert!(stream.nodelay().unwrap()); // the option stays with the connection
    /// # });
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.set_tcp_nodelay(nodelay)
    }

    /// `TCP_NODELAY`.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.tcp_nodelay()
    }

    /// Sets `SO_LINGER`. A nonzero duration makes dropping the connected
    /// stream block its thread until the data is sent or the time is up:
    /// prefer [`set_zero_linger`](Self::set_zero_linger) or a `shutdown`
    /// followed by reading to the end.
    ///
    /// ```
    /// use runtime_net::TcpSocket;
    /// use std::time::Duration;
    ///
    /// let socket = TcpSocket::new_v4().unwrap();
    /// assert_eq!(socket.linger().unwrap(), None);
    /// socket.set_linger(Some(Duration::from_secs(1))).unwrap();
    /// assert_eq!(socket.linger().unwrap(), Some(Duration::from_secs(1)));
    /// ```
    pub fn set_linger(&self, dur: Option<Duration>) -> io::Result<()> {
        self.inner.set_linger(dur)
    }

    /// Sets `SO_LINGER` to zero: closing the connection resets it (the
    /// peer reads `ConnectionReset`, unsent data is dropped, and there is
    /// no `TIME_WAIT`).
    ///
    /// ```
    /// use runtime_core::io::AsyncReadExt;
    /// use runtime_net::{TcpListener, TcpSocket};
    /// use std::time::Duration;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let socket = TcpSocket::new_v4().unwrap();
    /// socket.set_zero_linger().unwrap();
    /// assert_eq!(socket.linger().unwrap(), Some(Duration::ZERO));
    /// let client = socket.connect(listener.local_addr().unwrap()).await.unwrap();
    /// let (mut server, _) = listener.accept().await.unwrap();
    /// drop(client);
    /// let err = server.read(&mut [0; 8]).await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    /// # });
    /// ```
    pub fn set_zero_linger(&self) -> io::Result<()> {
        self.inner.set_linger(Some(Duration::ZERO))
    }

    /// `SO_LINGER`.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        self.inner.linger()
    }

    /// `IP_TOS`: the type-of-service byte of the IPv4 packets this socket
    /// sends.
    #[cfg(not(any(
        target_os = "fuchsia",
        target_os = "redox",
        target_os = "solaris",
        target_os = "illumos",
        target_os = "haiku"
    )))]
    pub fn tos_v4(&self) -> io::Result<u32> {
        self.inner.tos_v4()
    }

    /// Sets `IP_TOS`.
    ///
    /// ```
    /// use runtime_net::TcpSocket;
    ///
    /// let socket = TcpSocket::new_v4().unwrap();
    /// socket.set_tos_v4(0x10).unwrap(); // "low delay"
    /// assert_eq!(socket.tos_v4().unwrap(), 0x10);
    /// ```
    #[cfg(not(any(
        target_os = "fuchsia",
        target_os = "redox",
        target_os = "solaris",
        target_os = "illumos",
        target_os = "haiku"
    )))]
    pub fn set_tos_v4(&self, tos: u32) -> io::Result<()> {
        self.inner.set_tos_v4(tos)
    }

    /// `IPV6_TCLASS`: the traffic class of the IPv6 packets this socket
    /// sends.
    #[cfg(any(
        target_os = "android",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "fuchsia",
        target_os = "linux",
        target_os = "macos",
        target_os = "netbsd",
        target_os = "openbsd"
    ))]
    pub fn tclass_v6(&self) -> io::Result<u32> {
        self.inner.tclass_v6()
    }

    /// Sets `IPV6_TCLASS`.
    ///
    /// ```
    /// use runtime_net::TcpSocket;
    ///
    /// // Where the host has IPv6.
    /// if let Ok(socket) = TcpSocket::new_v6() {
    ///     socket.set_tclass_v6(0x20).unwrap();
    ///     assert_eq!(socket.tclass_v6().unwrap(), 0x20);
    /// }
    /// ```
    #[cfg(any(
        target_os = "android",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "fuchsia",
        target_os = "linux",
        target_os = "macos",
        target_os = "netbsd",
        target_os = "openbsd"
    ))]
    pub fn set_tclass_v6(&self, tclass: u32) -> io::Result<()> {
        self.inner.set_tclass_v6(tclass)
    }

    /// The interface the socket is bound to with
    /// [`bind_device`](Self::bind_device) (`SO_BINDTODEVICE`), if any.
    #[cfg(any(target_os = "android", target_os = "fuchsia", target_os = "linux"))]
    pub fn device(&self) -> io::Result<Option<Vec<u8>>> {
        self.inner.device()
    }

    /// Sets `SO_BINDTODEVICE`: only packets of this interface (by name)
    /// are used; `None` removes the binding. Usually needs
    /// `CAP_NET_RAW`.
    ///
    /// ```
    /// use runtime_net::TcpSocket;
    ///
    /// let socket = TcpSocket::new_v4().unwrap();
    /// assert_eq!(socket.device().unwrap(), None);
    /// // Without the privilege this is `PermissionDenied`.
    /// if socket.bind_device(Some(b"lo")).is_ok() {
    ///     assert_eq!(socket.device().unwrap().as_deref(), Some(&b"lo"[..]));
    /// }
    /// ```
    #[cfg(any(target_os = "android", target_os = "fuchsia", target_os = "linux"))]
    pub fn bind_device(&self, interface: Option<&[u8]>) -> io::Result<()> {
        self.inner.bind_device(interface)
    }

    /// Makes a socket handed in fit for the driver (see `prepared`).
    fn prepare(&self) -> io::Result<()> {
        if self.prepared {
            Ok(())
        } else {
            sys::prepare(&self.inner)
        }
    }

    /// Pending socket error (`SO_ERROR`), cleared by reading it.
    ///
    /// ```
    /// let socket = runtime_net::TcpSocket::new_v4().unwrap();
    /// assert!(socket.take_error().unwrap().is_none());
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }

    /// Wraps a std stream that is not connected yet (made with socket2,
    /// say), to set options, bind and connect or listen here. It should
    /// be nonblocking already; `listen` and `connect` make it so anyway.
    ///
    /// ```
    /// use runtime_net::{TcpListener, TcpSocket};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let raw = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    /// let socket = TcpSocket::from_std_stream(raw.into());
    /// socket.set_nodelay(true).unwrap();
    /// let stream = socket.connect(listener.local_addr().unwrap()).await.unwrap();
    /// assert!(stream.nodelay().unwrap());
    /// # });
    /// ```
    pub fn from_std_stream(std_stream: net::TcpStream) -> TcpSocket {
        TcpSocket {
            inner: Socket::from(std_stream),
            prepared: false,
        }
    }

    /// Binds to a local address.
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        self.inner.bind(&SockAddr::from(addr))
    }

    /// The local address (after `bind`).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner
            .local_addr()?
            .as_socket()
            .ok_or_else(|| io::Error::other("the socket has no IP address"))
    }

    /// Starts listening, with `backlog` pending connections at most.
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    ///
    /// ```
    /// use runtime_net::{TcpSocket, TcpStream};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let socket = TcpSocket::new_v4().unwrap();
    /// socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// let listener = socket.listen(16).unwrap();
    /// let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// let (_conn, peer) = listener.accept().await.unwrap();
    /// assert_eq!(peer, client.local_addr().unwrap());
    /// # });
    /// ```
    #[track_caller]
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        let backlog = i32::try_from(backlog).unwrap_or(i32::MAX);
        self.prepare()?;
        self.inner.listen(backlog)?;
        Ok(TcpListener {
            io: AsyncFd::__with_interest_closing(
                net::TcpListener::from(self.inner),
                Interest::READABLE,
            )?,
        })
    }

    /// Connects to `addr`.
    ///
    /// ```
    /// use runtime_net::{TcpListener, TcpSocket};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// // Connect from a chosen local address.
    /// let socket = TcpSocket::new_v4().unwrap();
    /// socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// let local = socket.local_addr().unwrap();
    /// let stream = socket.connect(listener.local_addr().unwrap()).await.unwrap();
    /// assert_eq!(stream.local_addr().unwrap(), local);
    /// # });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes gives up the attempt and
    /// closes the socket.
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        self.prepare()?;
        sys::start_connect(&self.inner, &SockAddr::from(addr))?;
        TcpStream::connected(self.inner).await
    }
}

impl fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpSocket")
            .field("fd", &self.inner.as_raw_fd())
            .finish()
    }
}

impl AsRawFd for TcpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl AsFd for TcpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl IntoRawFd for TcpSocket {
    fn into_raw_fd(self) -> RawFd {
        self.inner.into_raw_fd()
    }
}

/// Takes ownership of a socket's file descriptor (a TCP socket, not yet
/// connected or listening).
///
/// ```
/// use std::os::fd::{FromRawFd, IntoRawFd};
///
/// let fd = runtime_net::TcpSocket::new_v4().unwrap().into_raw_fd();
/// // SAFETY: `fd` is an open socket that nothing else owns.
/// let socket = unsafe { runtime_net::TcpSocket::from_raw_fd(fd) };
/// assert!(!socket.reuseaddr().unwrap());
/// ```
impl FromRawFd for TcpSocket {
    /// # Safety
    /// `fd` is an open socket descriptor that the caller owns and hands
    /// over.
    unsafe fn from_raw_fd(fd: RawFd) -> TcpSocket {
        TcpSocket {
            // SAFETY: forwarded from the caller.
            inner: unsafe { Socket::from_raw_fd(fd) },
            prepared: false,
        }
    }
}

/// A buffer size from the system as Tokio's `u32` (sizes past 4 GiB do
/// not occur, but are not wrapped).
fn saturate(size: usize) -> u32 {
    u32::try_from(size).unwrap_or(u32::MAX)
}
