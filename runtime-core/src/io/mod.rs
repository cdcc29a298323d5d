//! Asynchronous I/O: the ecosystem-neutral `futures-io` traits (so every
//! `futures-io` library runs on this runtime) with extension traits under
//! Tokio's method names ([`AsyncReadExt`] with `read_u32`, `read_buf`...,
//! [`AsyncWriteExt`] with `shutdown`..., [`AsyncBufReadExt`] with
//! `lines().next_line()`), Tokio's utilities (`copy`, [`copy_buf`],
//! [`copy_bidirectional`], [`duplex`], [`simplex`], `empty`, `sink`,
//! `repeat`, `BufReader`, `BufWriter`, [`BufStream`], `split`), the
//! standard streams ([`stdin`], [`stdout`], [`stderr`]), and [`AsyncFd`],
//! readiness for any file descriptor, built on the runtime's I/O driver.
//!
//! ```
//! use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
//!
//! let rt = runtime_core::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let mut out = Vec::new();
//!     out.write_all(b"hello").await.unwrap();
//!     let mut text = String::new();
//!     (&out[..]).read_to_string(&mut text).await.unwrap();
//!     assert_eq!(text, "hello");
//! });
//! ```
//!
//! Note: `AsyncWriteExt::close` on a socket shuts down its write side only
//! (reading still works), like Tokio's `shutdown`.

mod async_fd;
pub(crate) mod driver;
pub mod pipe;
pub(crate) mod registration;
pub(crate) mod scheduled_io;
mod stdio;
mod util;

pub use async_fd::{AsyncFd, AsyncFdReadyGuard, AsyncFdReadyMutGuard, TryIoError};
pub use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
pub use futures_lite::io::{empty, repeat, sink, BufReader, Cursor, Empty, Repeat, Sink};
pub use std::io::{Error, ErrorKind, Result, SeekFrom};
pub use stdio::{stderr, stdin, stdout, Stderr, Stdin, Stdout};
#[cfg(feature = "bytes")]
pub use util::poll_read_buf;
pub use util::{
    copy, copy_bidirectional, copy_buf, duplex, simplex, split, AsyncBufReadExt, AsyncReadExt,
    AsyncSeekExt, AsyncWriteExt, BufStream, BufWriter, DuplexStream, Lines, ReadHalf,
    SimplexStream, Split, WriteHalf,
};

use scheduled_io::{READABLE, READ_CLOSED, WRITABLE, WRITE_CLOSED};
use std::fmt;
use std::ops::BitOr;

/// The readiness an [`AsyncFd`] is registered for.
///
/// ```
/// use runtime_core::io::Interest;
///
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert!(both.is_readable() && both.is_writable());
/// assert!(!Interest::READABLE.is_writable());
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Interest(u8);

impl Interest {
    /// Interest in the source becoming readable.
    pub const READABLE: Interest = Interest(1);
    /// Interest in the source becoming writable.
    pub const WRITABLE: Interest = Interest(2);

    /// Both interests of `self` and `other`.
    ///
    /// ```
    /// use runtime_core::io::Interest;
    ///
    /// // Usable in constants, unlike `|`.
    /// const BOTH: Interest = Interest::READABLE.add(Interest::WRITABLE);
    /// assert_eq!(BOTH, Interest::READABLE | Interest::WRITABLE);
    /// ```
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    /// Includes readability.
    pub const fn is_readable(self) -> bool {
        self.0 & 1 != 0
    }

    /// Includes writability.
    pub const fn is_writable(self) -> bool {
        self.0 & 2 != 0
    }

    pub(crate) fn to_event(self) -> polling::Event {
        polling::Event::new(0, self.is_readable(), self.is_writable())
    }
}

impl BitOr for Interest {
    type Output = Interest;
    fn bitor(self, other: Interest) -> Interest {
        self.add(other)
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.is_readable(), self.is_writable()) {
            (true, true) => f.write_str("READABLE | WRITABLE"),
            (true, false) => f.write_str("READABLE"),
            (false, true) => f.write_str("WRITABLE"),
            (false, false) => f.write_str("(none)"),
        }
    }
}

/// The readiness a wait found (see [`AsyncFdReadyGuard::ready`]).
///
/// ```
/// use runtime_core::io::{AsyncFd, Ready};
///
/// // A closed read side also counts as readable: the read returns 0 at once.
/// assert!(Ready::READ_CLOSED.is_readable());
/// assert!((Ready::READABLE | Ready::WRITABLE).is_writable());
/// assert!(Ready::EMPTY.is_empty());
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
///     a.set_nonblocking(true).unwrap();
///     let a = AsyncFd::new(a).unwrap();
///     let ready: Ready = a.writable().await.unwrap().ready();
///     assert!(ready.is_writable() && !ready.is_error());
/// });
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ready(usize);

impl Ready {
    /// Nothing is ready.
    pub const EMPTY: Ready = Ready(0);
    /// Readable.
    pub const READABLE: Ready = Ready(READABLE);
    /// Writable.
    pub const WRITABLE: Ready = Ready(WRITABLE);
    /// The peer closed its write side (reads will see end of file).
    pub const READ_CLOSED: Ready = Ready(READ_CLOSED);
    /// The write side is closed.
    pub const WRITE_CLOSED: Ready = Ready(WRITE_CLOSED);
    /// An error condition is pending on the source.
    pub const ERROR: Ready = Ready(scheduled_io::ERROR);

    pub(crate) fn from_bits(bits: usize) -> Ready {
        Ready(bits & (READABLE | WRITABLE | READ_CLOSED | WRITE_CLOSED | scheduled_io::ERROR))
    }

    /// Nothing is ready.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Readable.
    pub fn is_readable(self) -> bool {
        self.0 & (READABLE | READ_CLOSED) != 0
    }
    /// Writable.
    pub fn is_writable(self) -> bool {
        self.0 & (WRITABLE | WRITE_CLOSED) != 0
    }
    /// The read side is closed.
    ///
    /// ```
    /// use runtime_core::io::AsyncFd;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    ///     a.set_nonblocking(true).unwrap();
    ///     let a = AsyncFd::new(a).unwrap();
    ///     drop(b); // the peer hangs up
    ///     let guard = a.readable().await.unwrap();
    ///     assert!(guard.ready().is_read_closed());
    /// });
    /// ```
    pub fn is_read_closed(self) -> bool {
        self.0 & READ_CLOSED != 0
    }
    /// The write side is closed.
    pub fn is_write_closed(self) -> bool {
        self.0 & WRITE_CLOSED != 0
    }
    /// An error is pending.
    pub fn is_error(self) -> bool {
        self.0 & scheduled_io::ERROR != 0
    }
}

impl BitOr for Ready {
    type Output = Ready;
    fn bitor(self, other: Ready) -> Ready {
        Ready(self.0 | other.0)
    }
}

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ready")
            .field("is_readable", &self.is_readable())
            .field("is_writable", &self.is_writable())
            .field("is_read_closed", &self.is_read_closed())
            .field("is_write_closed", &self.is_write_closed())
            .field("is_error", &self.is_error())
            .finish()
    }
}
