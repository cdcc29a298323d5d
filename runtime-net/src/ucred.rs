//! The credentials of the process at the other end of a Unix stream
//! ([`UCred`], from `UnixStream::peer_cred`), as the kernel recorded them
//! when the connection (or the pair) was made: `SO_PEERCRED` on Linux and
//! Android, `getpeereid` (no pid) on the BSDs and Apple platforms.

use std::io;
use std::os::fd::AsRawFd;

/// A user id (`uid_t`), as Tokio's `tokio::net::unix::uid_t`.
#[allow(non_camel_case_types)]
pub type uid_t = u32;
/// A group id (`gid_t`), as Tokio's `tokio::net::unix::gid_t`.
#[allow(non_camel_case_types)]
pub type gid_t = u32;
/// A process id (`pid_t`), as Tokio's `tokio::net::unix::pid_t`.
#[allow(non_camel_case_types)]
pub type pid_t = i32;

/// Credentials of the peer process of a Unix stream (Tokio's
/// `tokio::net::unix::UCred`): who connected, for access checks on a
/// local socket.
///
/// ```
/// use runtime_net::UnixStream;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let (a, _b) = UnixStream::pair().unwrap();
/// let cred = a.peer_cred().unwrap();
/// // Both ends are this process.
/// // SAFETY: getuid and getgid have no preconditions and cannot fail.
/// let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
/// assert_eq!((cred.uid(), cred.gid()), (uid, gid));
/// # #[cfg(any(target_os = "linux", target_os = "android"))]
/// assert_eq!(cred.pid(), Some(std::process::id() as i32));
/// # });
/// ```
#[derive(Copy, Clone, Eq, PartialEq, Hash, Debug)]
pub struct UCred {
    pid: Option<pid_t>,
    uid: uid_t,
    gid: gid_t,
}

impl UCred {
    /// The peer's effective user id.
    pub fn uid(&self) -> uid_t {
        self.uid
    }

    /// The peer's effective group id.
    pub fn gid(&self) -> gid_t {
        self.gid
    }

    /// The peer's process id, where the system reports it (Linux and
    /// Android; `None` elsewhere).
    pub fn pid(&self) -> Option<pid_t> {
        self.pid
    }
}

/// `SO_PEERCRED` of the socket `fd`.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn peer_cred(fd: &impl AsRawFd) -> io::Result<UCred> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for writes and `len` is the size
    // of `cred`, as SO_PEERCRED requires; an invalid fd is an error return.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    if len as usize != std::mem::size_of::<libc::ucred>() {
        return Err(io::Error::other(format!(
            "SO_PEERCRED returned {len} bytes, not a struct ucred"
        )));
    }
    Ok(UCred {
        pid: Some(cred.pid),
        uid: cred.uid,
        gid: cred.gid,
    })
}

/// `getpeereid` of the socket `fd` (no pid).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) fn peer_cred(fd: &impl AsRawFd) -> io::Result<UCred> {
    let mut uid: libc::uid_t = 0;
    let mut gid: libc::gid_t = 0;
    // SAFETY: both out-pointers are valid for writes; an invalid fd is an
    // error return.
    let rc = unsafe { libc::getpeereid(fd.as_raw_fd(), &mut uid, &mut gid) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(UCred {
        pid: None,
        uid,
        gid,
    })
}
