//! The machinery shared by [`FramedRead`](crate::FramedRead),
//! [`FramedWrite`](crate::FramedWrite) and [`Framed`](crate::Framed): the
//! read side's buffer and end-of-file state machine, and the write side's
//! buffer with its backpressure boundary.

use crate::Decoder;
use bytes::{Buf, BytesMut};
use futures_io::{AsyncRead, AsyncWrite};
use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// The capacity the buffers start with, and the default backpressure
/// boundary (tokio-util's value).
pub(crate) const INITIAL_CAPACITY: usize = 8 * 1024;

/// A buffer taken over from [`FramedParts`](crate::FramedParts), grown to
/// [`INITIAL_CAPACITY`] if it is smaller.
fn with_initial_capacity(mut buffer: BytesMut) -> BytesMut {
    if buffer.capacity() < INITIAL_CAPACITY {
        buffer.reserve(INITIAL_CAPACITY - buffer.len());
    }
    buffer
}

/// The read half of a framed transport.
///
/// The stream is a small state machine over three flags, as in
/// tokio-util:
///
/// | state   | `eof` | `is_readable` | what the next poll does                 |
/// |---------|-------|---------------|-----------------------------------------|
/// | reading | false | false         | reads from the transport                |
/// | framing | false | true          | calls `decode` until it returns `None`  |
/// | pausing | true  | true          | calls `decode_eof` until it returns `None`, then yields `None` |
/// | paused  | true  | false         | reads again: `None` on another EOF, framing on new data |
///
/// `has_errored` overrides them all: after an error (from the transport or
/// the decoder) has been yielded, the next poll yields `None` and goes back
/// to reading.
#[derive(Default)]
pub(crate) struct ReadFrame {
    pub(crate) buffer: BytesMut,
    pub(crate) eof: bool,
    pub(crate) is_readable: bool,
    pub(crate) has_errored: bool,
}

impl ReadFrame {
    pub(crate) fn with_capacity(capacity: usize) -> ReadFrame {
        ReadFrame {
            buffer: BytesMut::with_capacity(capacity),
            ..ReadFrame::default()
        }
    }

    /// Takes over a buffer from [`FramedParts`](crate::FramedParts): grown
    /// to the initial capacity if smaller, and decoded before the next read
    /// if it holds bytes.
    pub(crate) fn from_buffer(buffer: BytesMut) -> ReadFrame {
        let buffer = with_initial_capacity(buffer);
        ReadFrame {
            is_readable: !buffer.is_empty(),
            buffer,
            ..ReadFrame::default()
        }
    }

    /// The next frame: decodes what is buffered, reading from `io` when the
    /// decoder needs more.
    pub(crate) fn poll_next<T, D>(
        &mut self,
        mut io: Pin<&mut T>,
        decoder: &mut D,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<D::Item, D::Error>>>
    where
        T: AsyncRead + ?Sized,
        D: Decoder,
    {
        loop {
            if self.has_errored {
                // errored -> reading (or paused, if at EOF): the error was
                // yielded last time, so this poll ends the stream.
                self.has_errored = false;
                self.is_readable = false;
                return Poll::Ready(None);
            }

            if self.is_readable {
                let decoded = if self.eof {
                    decoder.decode_eof(&mut self.buffer)
                } else {
                    decoder.decode(&mut self.buffer)
                };
                match decoded {
                    Ok(Some(frame)) => return Poll::Ready(Some(Ok(frame))),
                    Ok(None) => {
                        self.is_readable = false;
                        if self.eof {
                            // pausing -> paused: every closing frame is out.
                            return Poll::Ready(None);
                        }
                        // framing -> reading
                    }
                    Err(err) => {
                        self.has_errored = true;
                        return Poll::Ready(Some(Err(err)));
                    }
                }
            }

            match ready!(poll_read_buf(io.as_mut(), cx, &mut self.buffer)) {
                Ok(0) if self.eof => {
                    // paused -> paused: `decode_eof` already ran for this
                    // end of file, so there is nothing more to yield.
                    return Poll::Ready(None);
                }
                Ok(0) => self.eof = true,
                Ok(_) => self.eof = false,
                Err(err) => {
                    self.has_errored = true;
                    return Poll::Ready(Some(Err(err.into())));
                }
            }
            self.is_readable = true;
        }
    }
}

impl fmt::Debug for ReadFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadFrame")
            .field("eof", &self.eof)
            .field("is_readable", &self.is_readable)
            .field("has_errored", &self.has_errored)
            .field("buffer", &self.buffer)
            .finish()
    }
}

/// Reads from `io` into the spare capacity of `buf`, returning how many
/// bytes were appended (0 at end of file).
///
/// At least one byte of room is reserved first (as tokio-util does, so
/// that a 0 means end of file, not a full buffer). The read goes into a
/// zeroed buffer of the thread's and what it read is copied over
/// (`runtime_core::io::poll_read_buf`: a futures-io reader takes an
/// initialised slice, and zeroing up to 8 KiB of spare capacity on every
/// poll, the poll that finds nothing included, had been this reader's
/// way).
fn poll_read_buf<T>(
    io: Pin<&mut T>,
    cx: &mut Context<'_>,
    buf: &mut BytesMut,
) -> Poll<io::Result<usize>>
where
    T: AsyncRead + ?Sized,
{
    buf.reserve(1);
    runtime_core::io::poll_read_buf(io, cx, buf)
}

/// The write half of a framed transport: encoded frames wait in `buffer`
/// until a flush, or until the buffer reaches `backpressure_boundary` and
/// `poll_ready` flushes it before accepting more.
pub(crate) struct WriteFrame {
    pub(crate) buffer: BytesMut,
    pub(crate) backpressure_boundary: usize,
}

impl WriteFrame {
    pub(crate) fn with_capacity(capacity: usize) -> WriteFrame {
        WriteFrame {
            buffer: BytesMut::with_capacity(capacity),
            backpressure_boundary: capacity,
        }
    }

    /// Takes over a buffer from [`FramedParts`](crate::FramedParts), grown
    /// to the initial capacity if smaller; the boundary is the default.
    pub(crate) fn from_buffer(buffer: BytesMut) -> WriteFrame {
        WriteFrame {
            buffer: with_initial_capacity(buffer),
            backpressure_boundary: INITIAL_CAPACITY,
        }
    }

    /// `Sink::poll_ready`: ready at once below the boundary, else once the
    /// buffer has been flushed.
    pub(crate) fn poll_ready<T>(
        &mut self,
        io: Pin<&mut T>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>>
    where
        T: AsyncWrite + ?Sized,
    {
        if self.buffer.len() >= self.backpressure_boundary {
            self.poll_flush(io, cx)
        } else {
            Poll::Ready(Ok(()))
        }
    }

    /// Writes the whole buffer, then flushes `io`.
    pub(crate) fn poll_flush<T>(
        &mut self,
        mut io: Pin<&mut T>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>>
    where
        T: AsyncWrite + ?Sized,
    {
        while !self.buffer.is_empty() {
            let n = ready!(io.as_mut().poll_write(cx, &self.buffer))?;
            if n == 0 {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "failed to write frame to transport",
                )));
            }
            self.buffer.advance(n);
        }
        io.poll_flush(cx)
    }

    /// Flushes, then closes `io` (shuts down a socket's write side).
    pub(crate) fn poll_close<T>(
        &mut self,
        mut io: Pin<&mut T>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>>
    where
        T: AsyncWrite + ?Sized,
    {
        ready!(self.poll_flush(io.as_mut(), cx))?;
        io.poll_close(cx)
    }
}

impl fmt::Debug for WriteFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteFrame")
            .field("buffer", &self.buffer)
            .field("backpressure_boundary", &self.backpressure_boundary)
            .finish()
    }
}
