//! UDP: [`UdpSocket`].

use crate::addr::{each_addr, resolve, ToSocketAddrs};
use runtime_core::io::{AsyncFd, Interest};
use socket2::SockRef;
use std::fmt;
use std::io;
use std::net::{self, SocketAddr};
use std::os::fd::AsRawFd;

/// A UDP socket.
///
/// ```
/// use runtime_net::UdpSocket;
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
/// let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
/// a.send_to(b"hi", b.local_addr().unwrap()).await.unwrap();
/// let mut buf = [0; 8];
/// let (n, from) = b.recv_from(&mut buf).await.unwrap();
/// assert_eq!((&buf[..n], from), (&b"hi"[..], a.local_addr().unwrap()));
/// # });
/// ```
pub struct UdpSocket {
    io: AsyncFd<net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to `addr` (the first of its addresses that works).
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        each_addr(&addr, |a| async move {
            UdpSocket::from_std(net::UdpSocket::bind(a)?)
        })
        .await
    }

    /// Wraps a std socket (it is switched to nonblocking mode).
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    #[track_caller]
    pub fn from_std(socket: net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        Ok(UdpSocket {
            io: AsyncFd::new(socket)?,
        })
    }

    /// Deregisters the socket and returns it (still nonblocking).
    pub fn into_std(self) -> io::Result<net::UdpSocket> {
        Ok(self.io.into_inner())
    }

    /// Sets the default destination (and the only source `recv` accepts).
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        let mut last = None;
        for a in resolve(&addr).await? {
            match self.io.get_ref().connect(a) {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        Err(last.expect("resolve returns at least one address"))
    }

    /// Sends to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.async_io(Interest::WRITABLE, |s| s.send(buf)).await
    }

    /// Receives from the connected peer.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.recv(buf)).await
    }

    /// Sends to `target` (its first address).
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let addr = resolve(&target).await?[0];
        self.io
            .async_io(Interest::WRITABLE, |s| s.send_to(buf, addr))
            .await
    }

    /// Receives a datagram and its sender's address.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |s| s.recv_from(buf))
            .await
    }

    /// Receives a datagram without removing it from the queue.
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |s| s.peek_from(buf))
            .await
    }

    /// Sends without waiting; `WouldBlock` if the buffer is full.
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |s| s.send(buf))
    }

    /// Receives without waiting; `WouldBlock` if nothing is queued.
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| s.recv(buf))
    }

    /// Sends to `target` without waiting.
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |s| s.send_to(buf, target))
    }

    /// Receives a datagram without waiting.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |s| s.recv_from(buf))
    }

    /// Waits until a datagram can be received.
    pub async fn readable(&self) -> io::Result<()> {
        self.io.readable().await.map(|_| ())
    }

    /// Waits until a datagram can be sent.
    pub async fn writable(&self) -> io::Result<()> {
        self.io.writable().await.map(|_| ())
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The connected peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// `SO_BROADCAST`.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.io.get_ref().broadcast()
    }

    /// Sets `SO_BROADCAST`.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_broadcast(on)
    }

    /// `IP_TTL`.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Sets `IP_TTL`.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// Pending socket error (`SO_ERROR`), cleared by reading it.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        SockRef::from(self.io.get_ref()).take_error()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("addr", &self.local_addr().ok())
            .field("fd", &self.io.as_raw_fd())
            .finish()
    }
}

crate::sys::fd_impls!(UdpSocket);
