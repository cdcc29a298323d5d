//! UDP: [`UdpSocket`].

use crate::addr::{each_addr, resolve, ToSocketAddrs};
use runtime_core::io::{AsyncFd, Interest};
use socket2::SockRef;
use std::fmt;
use std::io;
use std::net::{self, Ipv4Addr, Ipv6Addr, SocketAddr};
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
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// assert_ne!(socket.local_addr().unwrap().port(), 0);
    /// # });
    /// ```
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
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let std_socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    /// let addr = std_socket.local_addr().unwrap();
    /// let socket = UdpSocket::from_std(std_socket).unwrap();
    /// assert_eq!(socket.local_addr().unwrap(), addr);
    /// # });
    /// ```
    #[track_caller]
    pub fn from_std(socket: net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        Ok(UdpSocket {
            io: AsyncFd::__with_interest_closing(socket, Interest::READABLE | Interest::WRITABLE)?,
        })
    }

    /// Deregisters the socket and returns it (still nonblocking).
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let std_socket = socket.into_std().unwrap();
    /// // Still nonblocking: nothing queued is `WouldBlock`, not a wait.
    /// let err = std_socket.recv(&mut [0; 8]).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// # });
    /// ```
    pub fn into_std(self) -> io::Result<net::UdpSocket> {
        Ok(self.io.into_inner())
    }

    /// Sets the default destination (and the only source `recv` accepts).
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// client.connect(server.local_addr().unwrap()).await.unwrap();
    /// assert_eq!(client.peer_addr().unwrap(), server.local_addr().unwrap());
    /// client.send(b"query").await.unwrap(); // no address needed
    /// let mut buf = [0; 16];
    /// let (n, from) = server.recv_from(&mut buf).await.unwrap();
    /// assert_eq!((&buf[..n], from), (&b"query"[..], client.local_addr().unwrap()));
    /// # });
    /// ```
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
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// a.connect(b.local_addr().unwrap()).await.unwrap();
    /// b.connect(a.local_addr().unwrap()).await.unwrap();
    /// assert_eq!(a.send(b"ping").await.unwrap(), 4); // one datagram
    /// let mut buf = [0; 16];
    /// let n = b.recv(&mut buf).await.unwrap();
    /// assert_eq!(&buf[..n], b"ping");
    /// # });
    /// ```
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
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// b.connect(a.local_addr().unwrap()).await.unwrap();
    /// a.send_to(b"hello world", b.local_addr().unwrap()).await.unwrap();
    /// // A buffer too small for the datagram gets its start; the rest is lost.
    /// let mut buf = [0; 5];
    /// assert_eq!(b.recv(&mut buf).await.unwrap(), 5);
    /// assert_eq!(&buf, b"hello");
    /// # });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a datagram is taken from the queue only by the poll that
    /// returns it, so a call dropped before it completes has received nothing.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.recv(buf)).await
    }

    /// Sends to `target` (its first address).
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let peer = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let port = peer.local_addr().unwrap().port();
    /// // Any address form works as the target: here (host, port).
    /// socket.send_to(b"hi", ("127.0.0.1", port)).await.unwrap();
    /// let mut buf = [0; 2];
    /// assert_eq!(peer.recv_from(&mut buf).await.unwrap().0, 2);
    /// # });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`send`](Self::send).
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let addr = resolve(&target).await?[0];
        self.io
            .async_io(Interest::WRITABLE, |s| s.send_to(buf, addr))
            .await
    }

    /// Receives a datagram and its sender's address.
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// client.send_to(b"echo me", server.local_addr().unwrap()).await.unwrap();
    /// // An echo server: reply to whoever sent the datagram.
    /// let mut buf = [0; 1500];
    /// let (n, from) = server.recv_from(&mut buf).await.unwrap();
    /// server.send_to(&buf[..n], from).await.unwrap();
    /// let (n, _) = client.recv_from(&mut buf).await.unwrap();
    /// assert_eq!(&buf[..n], b"echo me");
    /// # });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`recv`](Self::recv).
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |s| s.recv_from(buf))
            .await
    }

    /// Receives a datagram without removing it from the queue.
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// a.send_to(b"data", b.local_addr().unwrap()).await.unwrap();
    /// let mut buf = [0; 8];
    /// let (n, from) = b.peek_from(&mut buf).await.unwrap();
    /// assert_eq!((n, from), (4, a.local_addr().unwrap()));
    /// // Still queued: `recv_from` gets the same datagram.
    /// assert_eq!(b.recv_from(&mut buf).await.unwrap(), (4, from));
    /// # });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: `buf` is written only by the poll that returns, and peeking
    /// takes nothing from the queue in any case.
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |s| s.peek_from(buf))
            .await
    }

    /// Sends without waiting; `WouldBlock` if the buffer is full.
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// a.connect(b.local_addr().unwrap()).await.unwrap();
    /// a.writable().await.unwrap();
    /// assert_eq!(a.try_send(b"now").unwrap(), 3);
    /// # });
    /// ```
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |s| s.send(buf))
    }

    /// Receives without waiting; `WouldBlock` if nothing is queued.
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    /// use std::io::ErrorKind;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// b.connect(a.local_addr().unwrap()).await.unwrap();
    /// let mut buf = [0; 8];
    /// assert_eq!(b.try_recv(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
    /// a.send_to(b"x", b.local_addr().unwrap()).await.unwrap();
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

    /// Sends to `target` without waiting.
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// a.writable().await.unwrap();
    /// let n = a.try_send_to(b"fire and forget", b.local_addr().unwrap()).unwrap();
    /// assert_eq!(n, 15);
    /// # });
    /// ```
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |s| s.send_to(buf, target))
    }

    /// Receives a datagram without waiting.
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    /// use std::io::ErrorKind;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// for msg in [&b"one"[..], b"two"] {
    ///     a.send_to(msg, b.local_addr().unwrap()).await.unwrap();
    /// }
    /// // Drain whatever is queued, then stop.
    /// let mut got = Vec::new();
    /// let mut buf = [0; 8];
    /// while got.len() < 2 {
    ///     b.readable().await.unwrap();
    ///     loop {
    ///         match b.try_recv_from(&mut buf) {
    ///             Ok((n, _from)) => got.push(buf[..n].to_vec()),
    ///             Err(e) if e.kind() == ErrorKind::WouldBlock => break,
    ///             Err(e) => panic!("{e}"),
    ///         }
    ///     }
    /// }
    /// assert_eq!(got, [b"one".to_vec(), b"two".to_vec()]);
    /// # });
    /// ```
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |s| s.recv_from(buf))
    }

    /// Waits until a datagram can be received.
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
    /// use runtime_net::UdpSocket;
    /// use std::io::ErrorKind;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// a.connect(b.local_addr().unwrap()).await.unwrap();
    /// let n = loop {
    ///     a.writable().await.unwrap();
    ///     match a.try_send(b"hello") {
    ///         Ok(n) => break n,
    ///         Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
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
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// assert!(!socket.broadcast().unwrap());
    /// // Needed to send to a broadcast address such as 255.255.255.255.
    /// socket.set_broadcast(true).unwrap();
    /// assert!(socket.broadcast().unwrap());
    /// # });
    /// ```
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_broadcast(on)
    }

    /// `IP_TTL`.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Sets `IP_TTL`.
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// socket.set_ttl(1).unwrap(); // stay on the local network
    /// assert_eq!(socket.ttl().unwrap(), 1);
    /// # });
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// `IP_MULTICAST_LOOP`: whether multicast datagrams this socket sends
    /// are also delivered to this host's members of the group.
    pub fn multicast_loop_v4(&self) -> io::Result<bool> {
        self.io.get_ref().multicast_loop_v4()
    }

    /// Sets `IP_MULTICAST_LOOP` (on by default).
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// assert!(socket.multicast_loop_v4().unwrap());
    /// // Do not hear our own announcements.
    /// socket.set_multicast_loop_v4(false).unwrap();
    /// assert!(!socket.multicast_loop_v4().unwrap());
    /// # });
    /// ```
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_multicast_loop_v4(on)
    }

    /// `IP_MULTICAST_TTL`: how many hops multicast datagrams this socket
    /// sends may travel (1, the default, keeps them on the local network).
    pub fn multicast_ttl_v4(&self) -> io::Result<u32> {
        self.io.get_ref().multicast_ttl_v4()
    }

    /// Sets `IP_MULTICAST_TTL`.
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// assert_eq!(socket.multicast_ttl_v4().unwrap(), 1);
    /// socket.set_multicast_ttl_v4(4).unwrap(); // cross a few routers
    /// assert_eq!(socket.multicast_ttl_v4().unwrap(), 4);
    /// # });
    /// ```
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_multicast_ttl_v4(ttl)
    }

    /// `IPV6_MULTICAST_LOOP`: as [`multicast_loop_v4`](Self::multicast_loop_v4)
    /// for an IPv6 socket.
    pub fn multicast_loop_v6(&self) -> io::Result<bool> {
        self.io.get_ref().multicast_loop_v6()
    }

    /// Sets `IPV6_MULTICAST_LOOP` (on by default).
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// // Where the host has IPv6.
    /// if let Ok(socket) = UdpSocket::bind("[::1]:0").await {
    ///     assert!(socket.multicast_loop_v6().unwrap());
    ///     socket.set_multicast_loop_v6(false).unwrap();
    ///     assert!(!socket.multicast_loop_v6().unwrap());
    /// }
    /// # });
    /// ```
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_multicast_loop_v6(on)
    }

    /// Joins the IPv4 multicast group `multiaddr` on the interface with
    /// address `interface` (`Ipv4Addr::UNSPECIFIED`: the system picks
    /// one); datagrams sent to the group then reach this socket if it is
    /// bound to the group's port.
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    /// use std::net::Ipv4Addr;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let group = Ipv4Addr::new(239, 255, 0, 1);
    /// let member = UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// let port = member.local_addr().unwrap().port();
    /// // On the loopback interface: this host only.
    /// member.join_multicast_v4(group, Ipv4Addr::LOCALHOST).unwrap();
    /// // A socket bound to 127.0.0.1 sends its multicast through loopback too.
    /// let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// sender.send_to(b"hello, group", (group, port)).await.unwrap();
    /// let mut buf = [0; 32];
    /// let (n, from) = member.recv_from(&mut buf).await.unwrap();
    /// assert_eq!((&buf[..n], from), (&b"hello, group"[..], sender.local_addr().unwrap()));
    /// member.leave_multicast_v4(group, Ipv4Addr::LOCALHOST).unwrap();
    /// # });
    /// ```
    pub fn join_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.get_ref().join_multicast_v4(&multiaddr, &interface)
    }

    /// Joins the IPv6 multicast group `multiaddr` on the interface with
    /// index `interface` (0: the system picks one).
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    /// use std::net::Ipv6Addr;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let group: Ipv6Addr = "ff02::1:3".parse().unwrap();
    /// let loopback = 1; // the loopback interface's index (`ip link`)
    /// // Where the host has IPv6.
    /// if let Ok(socket) = UdpSocket::bind("[::]:0").await {
    ///     socket.join_multicast_v6(&group, loopback).unwrap();
    ///     // Already a member.
    ///     assert!(socket.join_multicast_v6(&group, loopback).is_err());
    ///     socket.leave_multicast_v6(&group, loopback).unwrap();
    /// }
    /// # });
    /// ```
    pub fn join_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.get_ref().join_multicast_v6(multiaddr, interface)
    }

    /// Leaves a group joined with
    /// [`join_multicast_v4`](Self::join_multicast_v4) (an error if this
    /// socket is not a member).
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    /// use std::net::Ipv4Addr;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let group = Ipv4Addr::new(239, 255, 0, 2);
    /// let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// socket.join_multicast_v4(group, Ipv4Addr::LOCALHOST).unwrap();
    /// socket.leave_multicast_v4(group, Ipv4Addr::LOCALHOST).unwrap();
    /// // No longer a member.
    /// assert!(socket.leave_multicast_v4(group, Ipv4Addr::LOCALHOST).is_err());
    /// # });
    /// ```
    pub fn leave_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.get_ref().leave_multicast_v4(&multiaddr, &interface)
    }

    /// Leaves a group joined with
    /// [`join_multicast_v6`](Self::join_multicast_v6).
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    /// use std::net::Ipv6Addr;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let group: Ipv6Addr = "ff02::1:4".parse().unwrap();
    /// // Where the host has IPv6.
    /// if let Ok(socket) = UdpSocket::bind("[::]:0").await {
    ///     socket.join_multicast_v6(&group, 1).unwrap(); // on loopback
    ///     socket.leave_multicast_v6(&group, 1).unwrap();
    ///     assert!(socket.leave_multicast_v6(&group, 1).is_err()); // not a member now
    /// }
    /// # });
    /// ```
    pub fn leave_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.get_ref().leave_multicast_v6(multiaddr, interface)
    }

    /// Pending socket error (`SO_ERROR`), cleared by reading it.
    ///
    /// ```
    /// use runtime_net::UdpSocket;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// // Nothing went wrong yet. (After a send to a port nobody listens on,
    /// // a connected socket would hold `ConnectionRefused` here.)
    /// assert!(socket.take_error().unwrap().is_none());
    /// # });
    /// ```
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
