//! The system calls std does not make the way sockets need: sends that
//! never raise `SIGPIPE` (`MSG_NOSIGNAL`; Apple platforms get
//! `SO_NOSIGPIPE` on each socket instead), and a nonblocking `connect`.

use socket2::{SockAddr, SockRef, Socket};
use std::io::{self, IoSlice};
use std::os::fd::AsFd;

#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
))]
const SEND_FLAGS: libc::c_int = libc::MSG_NOSIGNAL;
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
)))]
const SEND_FLAGS: libc::c_int = 0;

/// `send` without `SIGPIPE`.
pub(crate) fn send(fd: &impl AsFd, buf: &[u8]) -> io::Result<usize> {
    SockRef::from(fd).send_with_flags(buf, SEND_FLAGS)
}

/// The most buffers one `sendmsg` takes (`IOV_MAX`: 1024 on Linux, the
/// BSDs and Apple platforms). The kernel fails a longer list with
/// `EMSGSIZE`/`EINVAL`, so a vectored write sends the first `MAX_IOV`
/// buffers and reports a short write, as the standard library does.
pub(crate) const MAX_IOV: usize = 1024;

/// The part of `bufs` one `sendmsg` can take: at most [`MAX_IOV`] buffers.
pub(crate) fn clamp_iov<'a, 'b>(bufs: &'a [IoSlice<'b>]) -> &'a [IoSlice<'b>] {
    &bufs[..bufs.len().min(MAX_IOV)]
}

/// `sendmsg` of several buffers without `SIGPIPE`; more than [`MAX_IOV`]
/// buffers give a short write, never an error.
pub(crate) fn send_vectored(fd: &impl AsFd, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    SockRef::from(fd).send_vectored_with_flags(clamp_iov(bufs), SEND_FLAGS)
}

/// Accepts a TCP connection. Where the platform has `accept4`, the new
/// socket comes back nonblocking and close-on-exec from that one call;
/// elsewhere it is switched to nonblocking mode after `accept`.
pub(crate) fn accept_tcp(
    listener: &std::net::TcpListener,
) -> io::Result<(std::net::TcpStream, std::net::SocketAddr)> {
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly",
        target_os = "illumos"
    ))]
    {
        let (socket, addr) =
            SockRef::from(listener).accept4(libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC)?;
        let addr = addr.as_socket().ok_or_else(|| {
            io::Error::other("accept on a TCP listener returned a non-IP peer address")
        })?;
        Ok((socket.into(), addr))
    }
    #[cfg(not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly",
        target_os = "illumos"
    )))]
    {
        let (stream, addr) = listener.accept()?;
        stream.set_nonblocking(true)?;
        Ok((stream, addr))
    }
}

/// Makes a new socket fit for the driver: nonblocking, and on Apple
/// platforms exempt from `SIGPIPE`.
pub(crate) fn prepare(socket: &Socket) -> io::Result<()> {
    socket.set_nonblocking(true)?;
    no_sigpipe(socket)
}

/// Exempts a socket from `SIGPIPE` on Apple platforms (`SO_NOSIGPIPE`),
/// where sends cannot ask for it per call; elsewhere [`send`] does, and
/// there is nothing to do (so `_socket` goes unused).
pub(crate) fn no_sigpipe(_socket: &impl AsFd) -> io::Result<()> {
    #[cfg(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "tvos",
        target_os = "watchos"
    ))]
    SockRef::from(_socket).set_nosigpipe(true)?;
    Ok(())
}

/// Starts a nonblocking connect; `Ok` also when it is still in progress
/// (the caller then waits for writability and reads `SO_ERROR`).
pub(crate) fn start_connect(socket: &Socket, addr: &SockAddr) -> io::Result<()> {
    match socket.connect(addr) {
        Ok(()) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
        Err(e) => Err(e),
    }
}

/// `AsRawFd` and `AsFd` for a socket type that keeps its `AsyncFd` in `io`.
macro_rules! fd_impls {
    ($ty:ident) => {
        impl std::os::fd::AsRawFd for $ty {
            fn as_raw_fd(&self) -> std::os::fd::RawFd {
                self.io.as_raw_fd()
            }
        }

        impl std::os::fd::AsFd for $ty {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                self.io.get_ref().as_fd()
            }
        }
    };
}

pub(crate) use fd_impls;

/// `recv` into `buf`; the same system call as std's `read` on a socket.
pub(crate) fn recv(fd: &impl AsFd, buf: &mut [u8]) -> io::Result<usize> {
    io::Read::read(&mut &*SockRef::from(fd), buf)
}

/// `recv` into memory that may be uninitialised (no zero-fill per read).
pub(crate) fn recv_uninit(
    fd: &impl AsFd,
    buf: &mut [std::mem::MaybeUninit<u8>],
) -> io::Result<usize> {
    SockRef::from(fd).recv(buf)
}
