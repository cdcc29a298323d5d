//! The parent's ends of a child's standard streams, as non-blocking pipes
//! on the I/O driver: [`ChildStdin`] (futures-io `AsyncWrite`),
//! [`ChildStdout`] and [`ChildStderr`] (`AsyncRead`).

use crate::io::{AsyncFd, AsyncRead, AsyncWrite, Interest};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::process::Stdio;
use std::task::{Context, Poll};

/// One end of a pipe, registered with the driver.
struct Pipe(AsyncFd<File>);

impl Pipe {
    #[track_caller]
    fn new(fd: OwnedFd, interest: Interest) -> io::Result<Pipe> {
        set_nonblocking(fd.as_raw_fd(), true)?;
        Ok(Pipe(AsyncFd::with_interest(File::from(fd), interest)?))
    }

    /// Deregisters the pipe and makes it blocking again (for handing it to
    /// another process or to blocking code).
    fn into_owned_fd(self) -> io::Result<OwnedFd> {
        let fd = OwnedFd::from(self.0.into_inner());
        set_nonblocking(fd.as_raw_fd(), false)?;
        Ok(fd)
    }
}

fn set_nonblocking(fd: RawFd, on: bool) -> io::Result<()> {
    // SAFETY: fcntl(2) with F_GETFL/F_SETFL on an fd we own; no memory is
    // passed.
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

/// The conversions and fd access all three stream types share.
macro_rules! child_stream {
    ($name:ident, $std:ty, $interest:expr, $what:literal) => {
        #[doc = concat!("The parent's end of a child's ", $what, ".")]
        pub struct $name(Pipe);

        impl $name {
            #[doc = concat!("Wraps std's `", stringify!($std), "` (made non-blocking and registered with the current runtime's driver).")]
            ///
            /// # Panics
            /// Outside a runtime with the I/O driver enabled.
            #[track_caller]
            pub fn from_std(inner: $std) -> io::Result<$name> {
                Ok($name(Pipe::new(OwnedFd::from(inner), $interest)?))
            }

            /// Deregisters the pipe and returns it, blocking again.
            pub fn into_owned_fd(self) -> io::Result<OwnedFd> {
                self.0.into_owned_fd()
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.0 .0.as_raw_fd()
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.0 .0.get_ref().as_fd()
            }
        }

        /// Hands the pipe to another child (as its stdin, stdout or
        /// stderr), blocking again, e.g. to connect two commands.
        impl TryFrom<$name> for Stdio {
            type Error = io::Error;
            fn try_from(value: $name) -> io::Result<Stdio> {
                value.into_owned_fd().map(Stdio::from)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("fd", &self.as_raw_fd())
                    .finish()
            }
        }
    };
}

child_stream!(
    ChildStdin,
    std::process::ChildStdin,
    Interest::WRITABLE,
    "standard input (write to it; drop it to send end of file)"
);
child_stream!(
    ChildStdout,
    std::process::ChildStdout,
    Interest::READABLE,
    "standard output (read from it)"
);
child_stream!(
    ChildStderr,
    std::process::ChildStderr,
    Interest::READABLE,
    "standard error (read from it)"
);

impl AsyncWrite for ChildStdin {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.0
             .0
            .poll_write_stream(cx, buf.len(), |f| (&*f).write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(())) // a pipe has no buffer of ours
    }

    /// Nothing to do (a pipe cannot be half-closed): drop the `ChildStdin`
    /// to let the child see end of file.
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

macro_rules! impl_read {
    ($name:ident) => {
        impl $name {
            /// Reads into the spare capacity of `buf` (e.g. a `BytesMut`)
            /// and advances it, without zeroing it first (Tokio's
            /// `AsyncReadExt::read_buf`, which this inherent method
            /// shadows); `Ok(0)` at end of file or when `buf` is full.
            #[cfg(feature = "bytes")]
            pub async fn read_buf<B: bytes::BufMut + ?Sized>(
                &mut self,
                buf: &mut B,
            ) -> io::Result<usize> {
                std::future::poll_fn(|cx| {
                    if !buf.has_remaining_mut() {
                        return Poll::Ready(Ok(0));
                    }
                    let chunk = buf.chunk_mut();
                    let (ptr, len) = (chunk.as_mut_ptr(), chunk.len());
                    let n = std::task::ready!(self.0 .0.poll_read_stream(cx, len, |f| {
                        // SAFETY: read(2) writes at most `len` bytes into the
                        // chunk, which is valid for `len` bytes of writes.
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

        impl AsyncRead for $name {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                let len = buf.len();
                self.0 .0.poll_read_stream(cx, len, |f| (&*f).read(buf))
            }
        }
    };
}
impl_read!(ChildStdout);
impl_read!(ChildStderr);
