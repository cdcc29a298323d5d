//! The parent's ends of a child's standard streams: [`ChildStdin`]
//! (futures-io `AsyncWrite`), [`ChildStdout`] and [`ChildStderr`]
//! (`AsyncRead`), thin wrappers of the non-blocking pipe ends in
//! `io::pipe`.

use crate::io::pipe::{Receiver, Sender};
use crate::io::{AsyncRead, AsyncWrite};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::process::Stdio;
use std::task::{Context, Poll};

/// The conversions and fd access all three stream types share.
macro_rules! child_stream {
    ($name:ident($end:ident), $std:ty, $what:literal) => {
        #[doc = concat!("The parent's end of a child's ", $what, ".")]
        #[derive(Debug)]
        pub struct $name($end);

        impl $name {
            #[doc = concat!("Wraps std's `", stringify!($std), "` (made non-blocking and registered with the current runtime's driver).")]
            ///
            /// # Panics
            /// Outside a runtime with the I/O driver enabled.
            #[track_caller]
            pub fn from_std(inner: $std) -> io::Result<$name> {
                Ok($name($end::register(File::from(OwnedFd::from(inner)))?))
            }

            /// Deregisters the pipe and returns it, blocking again.
            pub fn into_owned_fd(self) -> io::Result<OwnedFd> {
                self.0.into_blocking_fd()
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.0.as_raw_fd()
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.0.as_fd()
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
    };
}

child_stream!(
    ChildStdin(Sender),
    std::process::ChildStdin,
    "standard input (write to it; drop it to send end of file)"
);
child_stream!(
    ChildStdout(Receiver),
    std::process::ChildStdout,
    "standard output (read from it)"
);
child_stream!(
    ChildStderr(Receiver),
    std::process::ChildStderr,
    "standard error (read from it)"
);

impl AsyncWrite for ChildStdin {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    /// Nothing to do (a pipe cannot be half-closed): drop the `ChildStdin`
    /// to let the child see end of file.
    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_close(cx)
    }
}

macro_rules! impl_read {
    ($name:ident) => {
        impl $name {
            /// Reads into the spare capacity of `buf` (e.g. a `BytesMut`)
            /// and advances it, without zeroing it first (Tokio's
            /// `AsyncReadExt::read_buf`, which this inherent method
            /// shadows); `Ok(0)` at end of file or when `buf` is full.
            ///
            /// # Cancel safety
            ///
            /// Cancel safe: `buf` is advanced by the poll that reads, which
            /// is the poll that returns, so a call dropped before it
            /// completes has read nothing.
            #[cfg(feature = "bytes")]
            pub async fn read_buf<B: bytes::BufMut + ?Sized>(
                &mut self,
                buf: &mut B,
            ) -> io::Result<usize> {
                self.0.read_buf(buf).await
            }
        }

        impl AsyncRead for $name {
            fn poll_read(
                mut self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut self.0).poll_read(cx, buf)
            }
        }
    };
}
impl_read!(ChildStdout);
impl_read!(ChildStderr);
