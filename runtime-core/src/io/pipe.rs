//! Unix pipes and FIFOs on the I/O driver (Tokio's
//! `tokio::net::unix::pipe`, re-exported as `runtime::net::unix::pipe`):
//! [`pipe`] makes an anonymous pipe, [`OpenOptions`] opens a named FIFO,
//! and [`Sender`] / [`Receiver`] are its non-blocking ends (futures-io
//! `AsyncWrite` / `AsyncRead`). A child process's stdin, stdout and
//! stderr are built on them too.

use crate::io::{AsyncFd, AsyncRead, AsyncWrite, Interest, Ready};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A new anonymous pipe: what is written to the [`Sender`] is read from
/// the [`Receiver`].
///
/// # Panics
/// Outside a runtime with the I/O driver enabled.
///
/// ```
/// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
/// use runtime_core::io::pipe;
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (mut tx, mut rx) = pipe::pipe().unwrap();
///     tx.write_all(b"through the pipe").await.unwrap();
///     drop(tx); // end of file
///     let mut got = String::new();
///     rx.read_to_string(&mut got).await.unwrap();
///     assert_eq!(got, "through the pipe");
/// });
/// ```
#[track_caller]
pub fn pipe() -> io::Result<(Sender, Receiver)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2(2) writes two fds into the array, which has room for
    // exactly two.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both fds were just created and are owned by nobody else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    Ok((
        Sender::register(File::from(write))?,
        Receiver::register(File::from(read))?,
    ))
}

/// Options for opening a named FIFO (made with `mkfifo`) as a [`Sender`]
/// or a [`Receiver`].
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    read_write: bool,
    unchecked: bool,
}

impl OpenOptions {
    /// The defaults: open for one direction, and check that the path is a
    /// FIFO.
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// Opens the FIFO for reading and writing (Linux): a sender then opens
    /// even with no reader, and a receiver never sees end of file when
    /// writers come and go.
    pub fn read_write(&mut self, value: bool) -> &mut OpenOptions {
        self.read_write = value;
        self
    }

    /// Skips the check that the path is a FIFO.
    pub fn unchecked(&mut self, value: bool) -> &mut OpenOptions {
        self.unchecked = value;
        self
    }

    /// Opens the FIFO at `path` for reading.
    ///
    /// ```
    /// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
    /// use runtime_core::io::pipe;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("fifo-doc-{}", std::process::id()));
    ///     let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    ///     // SAFETY: mkfifo with a valid NUL-terminated path.
    ///     assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    ///     let mut rx = pipe::OpenOptions::new().open_receiver(&path).unwrap();
    ///     let mut tx = pipe::OpenOptions::new().open_sender(&path).unwrap();
    ///     tx.write_all(b"fifo").await.unwrap();
    ///     let mut buf = [0; 4];
    ///     rx.read_exact(&mut buf).await.unwrap();
    ///     assert_eq!(&buf, b"fifo");
    ///     std::fs::remove_file(&path).unwrap();
    /// });
    /// ```
    #[track_caller]
    pub fn open_receiver(&self, path: impl AsRef<Path>) -> io::Result<Receiver> {
        let file = self.open(path.as_ref(), libc::O_RDONLY)?;
        Receiver::register(file)
    }

    /// Opens the FIFO at `path` for writing. Without `read_write`, this
    /// fails with `ENXIO` while no reader has it open (a non-blocking
    /// open never waits for one).
    #[track_caller]
    pub fn open_sender(&self, path: impl AsRef<Path>) -> io::Result<Sender> {
        let file = self.open(path.as_ref(), libc::O_WRONLY)?;
        Sender::register(file)
    }

    fn open(&self, path: &Path, access: libc::c_int) -> io::Result<File> {
        let mut opts = std::fs::OpenOptions::new();
        if self.read_write {
            opts.read(true).write(true);
        } else if access == libc::O_RDONLY {
            opts.read(true);
        } else {
            opts.write(true);
        }
        let file = opts
            .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(path)?;
        if !self.unchecked && !file.metadata()?.file_type().is_fifo() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is not a FIFO (make one with mkfifo)", path.display()),
            ));
        }
        Ok(file)
    }
}

pub(crate) fn set_nonblocking(fd: RawFd, on: bool) -> io::Result<()> {
    // SAFETY: fcntl(2) F_GETFL/F_SETFL on an fd the caller owns; no memory
    // is passed.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 {
            return Err(io::Error::last_os_error());
        }
        let new = if on {
            flags | libc::O_NONBLOCK
        } else {
            flags & !libc::O_NONBLOCK
        };
        if new != flags && libc::fcntl(fd, libc::F_SETFL, new) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

fn check_fifo(file: &File) -> io::Result<()> {
    if file.metadata()?.file_type().is_fifo() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a pipe or FIFO",
        ))
    }
}

/// What both ends share: construction from a file, readiness, and giving
/// the fd back.
macro_rules! pipe_end {
    ($name:ident, $interest:expr, $wait:ident, $poll_ready:ident, $what:literal) => {
        impl $name {
            #[track_caller]
            pub(crate) fn register(file: File) -> io::Result<$name> {
                set_nonblocking(file.as_raw_fd(), true)?;
                Ok($name(AsyncFd::with_interest(file, $interest)?))
            }

            #[doc = concat!("Takes a pipe or FIFO's ", $what, " end (made non-blocking and registered with the current runtime's driver); `InvalidInput` if it is not a pipe.")]
            #[track_caller]
            pub fn from_file(file: File) -> io::Result<$name> {
                check_fifo(&file)?;
                $name::register(file)
            }

            #[doc = concat!("As [`from_file`](Self::from_file), from an owned fd.")]
            #[track_caller]
            pub fn from_owned_fd(fd: OwnedFd) -> io::Result<$name> {
                $name::from_file(File::from(fd))
            }

            #[doc = concat!("As [`from_file`](Self::from_file), without the check that it is a pipe.")]
            #[track_caller]
            pub fn from_file_unchecked(file: File) -> io::Result<$name> {
                $name::register(file)
            }

            /// Waits for any of `interest`'s readiness.
            ///
            /// # Cancel safety
            ///
            /// Cancel safe: waiting uses up no readiness (it stays until an
            /// I/O call sees `WouldBlock`), so a wait dropped before it
            /// completes loses no event.
            pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
                let mut guard = self.0.ready(interest).await?;
                let ready = guard.ready();
                guard.retain_ready();
                Ok(ready)
            }

            #[doc = concat!("Waits until the pipe is ", stringify!($wait), ".")]
            ///
            /// # Cancel safety
            ///
            /// Cancel safe, as [`ready`](Self::ready).
            pub async fn $wait(&self) -> io::Result<()> {
                let mut guard = self.0.$wait().await?;
                guard.retain_ready();
                Ok(())
            }

            #[doc = concat!("Polls for the pipe to be ", stringify!($wait), ".")]
            pub fn $poll_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.0.$poll_ready(cx).map_ok(|mut g| g.retain_ready())
            }

            /// Deregisters the pipe and returns its fd, blocking again.
            pub fn into_blocking_fd(self) -> io::Result<OwnedFd> {
                let fd = OwnedFd::from(self.0.into_inner());
                set_nonblocking(fd.as_raw_fd(), false)?;
                Ok(fd)
            }

            /// Deregisters the pipe and returns its fd, still non-blocking.
            pub fn into_nonblocking_fd(self) -> io::Result<OwnedFd> {
                Ok(OwnedFd::from(self.0.into_inner()))
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.0.as_raw_fd()
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.0.get_ref().as_fd()
            }
        }
    };
}

/// The writing end of a pipe or FIFO.
#[derive(Debug)]
pub struct Sender(AsyncFd<File>);

/// The reading end of a pipe or FIFO.
#[derive(Debug)]
pub struct Receiver(AsyncFd<File>);

pipe_end!(
    Sender,
    Interest::WRITABLE,
    writable,
    poll_write_ready,
    "writing"
);
pipe_end!(
    Receiver,
    Interest::READABLE,
    readable,
    poll_read_ready,
    "reading"
);

impl Sender {
    /// Writes what fits without waiting; `WouldBlock` when the pipe is
    /// full.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.0.try_io(Interest::WRITABLE, |f| (&*f).write(buf))
    }
}

impl Receiver {
    /// Reads what is there without waiting; `WouldBlock` when the pipe is
    /// empty, `Ok(0)` at end of file.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.try_io(Interest::READABLE, |f| (&*f).read(buf))
    }

    /// Reads into the spare capacity of `buf` (e.g. a `BytesMut`) and
    /// advances it, without zeroing it first (Tokio's
    /// `AsyncReadExt::read_buf`, which this inherent method shadows);
    /// `Ok(0)` at end of file or when `buf` is full.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: `buf` is advanced by the poll that reads, which is the
    /// poll that returns, so a call dropped before it completes has read
    /// nothing.
    #[cfg(feature = "bytes")]
    pub async fn read_buf<B: bytes::BufMut + ?Sized>(&mut self, buf: &mut B) -> io::Result<usize> {
        std::future::poll_fn(|cx| {
            if !buf.has_remaining_mut() {
                return Poll::Ready(Ok(0));
            }
            let chunk = buf.chunk_mut();
            let (ptr, len) = (chunk.as_mut_ptr(), chunk.len());
            let n = std::task::ready!(self.0.poll_read_stream(cx, len, |f| {
                // SAFETY: read(2) writes at most `len` bytes into the chunk,
                // which is valid for `len` bytes of writes.
                let n = unsafe { libc::read(f.as_raw_fd(), ptr.cast(), len) };
                if n < 0 {
                    Err(io::Error::last_os_error())
                } else {
                    Ok(n as usize)
                }
            }))?;
            // SAFETY: read(2) initialised the first `n` bytes.
            unsafe { buf.advance_mut(n) };
            Poll::Ready(Ok(n))
        })
        .await
    }
}

impl AsyncWrite for Sender {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.0
            .poll_write_stream(cx, buf.len(), |f| (&*f).write(buf))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    /// Nothing to do: drop the `Sender` to give the reader end of file.
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for Receiver {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let len = buf.len();
        self.0.poll_read_stream(cx, len, |f| (&*f).read(buf))
    }
}
