//! Unix domain sockets: [`UnixListener`], [`UnixStream`] (with split
//! halves) and [`UnixDatagram`].

use crate::sys;
use runtime_core::io::{AsyncFd, Interest};
use socket2::{Domain, SockAddr, Socket, Type};
use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::fd::AsRawFd;
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;
use std::task::{Context, Poll};

crate::split::stream_halves!(UnixStream);
crate::split::stream_common!(UnixStream);

/// A Unix domain socket listening for connections.
pub struct UnixListener {
    io: AsyncFd<net::UnixListener>,
}

impl UnixListener {
    /// Binds to `path` (not async: binding a Unix socket does not block).
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        UnixListener::from_std(net::UnixListener::bind(path)?)
    }

    /// Wraps a std listener (it is switched to nonblocking mode).
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    #[track_caller]
    pub fn from_std(listener: net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        Ok(UnixListener {
            io: AsyncFd::with_interest(listener, Interest::READABLE)?,
        })
    }

    /// Deregisters the listener and returns it (still nonblocking).
    pub fn into_std(self) -> io::Result<net::UnixListener> {
        Ok(self.io.into_inner())
    }

    /// Waits for a connection.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, addr) = self.io.async_io(Interest::READABLE, |l| l.accept()).await?;
        Ok((UnixStream::from_std(stream)?, addr))
    }

    /// Polls for a connection.
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
pub struct UnixStream {
    io: AsyncFd<net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket at `path`.
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
        let guard = stream.io.writable().await?;
        drop(guard);
        if let Some(e) = socket2::SockRef::from(stream.io.get_ref()).take_error()? {
            return Err(e);
        }
        stream.io.get_ref().peer_addr()?;
        Ok(stream)
    }

    /// A connected pair of streams.
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    #[track_caller]
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = net::UnixStream::pair()?;
        Ok((UnixStream::from_std(a)?, UnixStream::from_std(b)?))
    }

    /// Wraps a std stream (it is switched to nonblocking mode).
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    #[track_caller]
    pub fn from_std(stream: net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        #[cfg(any(
            target_os = "macos",
            target_os = "ios",
            target_os = "tvos",
            target_os = "watchos"
        ))]
        socket2::SockRef::from(&stream).set_nosigpipe(true)?;
        Ok(UnixStream {
            io: AsyncFd::new(stream)?,
        })
    }

    /// Deregisters the stream and returns it (still nonblocking).
    pub fn into_std(self) -> io::Result<net::UnixStream> {
        Ok(self.io.into_inner())
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Shuts down the read side, the write side or both.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
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

/// A Unix domain datagram socket.
pub struct UnixDatagram {
    io: AsyncFd<net::UnixDatagram>,
}

impl UnixDatagram {
    /// Binds to `path`.
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        UnixDatagram::from_std(net::UnixDatagram::bind(path)?)
    }

    /// An unbound socket (it can send, and receive replies once connected).
    #[track_caller]
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::from_std(net::UnixDatagram::unbound()?)
    }

    /// A connected pair of sockets.
    #[track_caller]
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = net::UnixDatagram::pair()?;
        Ok((UnixDatagram::from_std(a)?, UnixDatagram::from_std(b)?))
    }

    /// Wraps a std socket (it is switched to nonblocking mode).
    #[track_caller]
    pub fn from_std(socket: net::UnixDatagram) -> io::Result<UnixDatagram> {
        socket.set_nonblocking(true)?;
        Ok(UnixDatagram {
            io: AsyncFd::new(socket)?,
        })
    }

    /// Deregisters the socket and returns it (still nonblocking).
    pub fn into_std(self) -> io::Result<net::UnixDatagram> {
        Ok(self.io.into_inner())
    }

    /// Sets the default destination.
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.io.get_ref().connect(path)
    }

    /// Sends to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.async_io(Interest::WRITABLE, |s| s.send(buf)).await
    }

    /// Receives from the connected peer.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.recv(buf)).await
    }

    /// Sends to the socket at `path`.
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        self.io
            .async_io(Interest::WRITABLE, |s| s.send_to(buf, path))
            .await
    }

    /// Receives a datagram and its sender's address.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |s| s.recv_from(buf))
            .await
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
