//! The process's standard streams as async readers and writers:
//! [`stdin`], [`stdout`], [`stderr`].
//!
//! Reads and writes run on the blocking pool, one at a time per handle
//! (as Tokio does): making fd 0, 1 or 2 non-blocking would change them
//! for every other process sharing the terminal or pipe. A write is
//! copied (up to 64 KiB) and reported done at once while a pool thread
//! writes it; the next write, `flush` or `shutdown` waits for it and
//! reports its error, if any. Dropping a handle lets an in-flight write
//! finish.

use crate::task::JoinHandle;
use futures_io::{AsyncRead, AsyncWrite};
use std::future::Future;
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// The most one operation moves.
const MAX_CHUNK: usize = 64 * 1024;

/// A blocking `std::io` handle driven from the blocking pool.
struct Blocking<T> {
    state: State<T>,
}

enum State<T> {
    /// `None` only while a poll moves it into `Busy`.
    Idle(Option<(T, Buffer)>),
    Busy(JoinHandle<(io::Result<usize>, Buffer, T)>),
}

#[derive(Default)]
struct Buffer {
    data: Vec<u8>,
    pos: usize,
}

impl<T: Send + 'static> Blocking<T> {
    fn new(inner: T) -> Blocking<T> {
        Blocking {
            state: State::Idle(Some((inner, Buffer::default()))),
        }
    }

    /// Waits for the operation in flight; its result comes back.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        match &mut self.state {
            State::Idle(_) => Poll::Ready(Ok(0)),
            State::Busy(job) => {
                let done = ready!(Pin::new(job).poll(cx));
                let (res, buf, inner) = done.map_err(|e| {
                    io::Error::other(format!("a standard-stream operation failed: {e}"))
                })?;
                self.state = State::Idle(Some((inner, buf)));
                Poll::Ready(res)
            }
        }
    }

    fn idle(&mut self) -> &mut (T, Buffer) {
        match &mut self.state {
            State::Idle(Some(idle)) => idle,
            _ => unreachable!("called after poll_idle returned Ready"),
        }
    }

    fn start(
        &mut self,
        op: impl FnOnce(&mut T, &mut Buffer) -> io::Result<usize> + Send + 'static,
    ) {
        let State::Idle(slot) = &mut self.state else {
            unreachable!("an operation is already in flight");
        };
        let (mut inner, mut buf) = slot.take().expect("idle handle");
        self.state = State::Busy(crate::spawn_blocking(move || {
            let res = op(&mut inner, &mut buf);
            (res, buf, inner)
        }));
    }
}

impl<T: Read + Send + 'static> Blocking<T> {
    fn poll_read(&mut self, cx: &mut Context<'_>, out: &mut [u8]) -> Poll<io::Result<usize>> {
        if out.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            if let State::Busy(_) = self.state {
                // The read in flight: 0 is end of file, else its data is
                // in the buffer.
                match ready!(self.poll_idle(cx)) {
                    Ok(0) => return Poll::Ready(Ok(0)),
                    Ok(_) => {}
                    Err(e) => return Poll::Ready(Err(e)),
                }
            }
            let (_, buf) = self.idle();
            if buf.pos < buf.data.len() {
                let n = out.len().min(buf.data.len() - buf.pos);
                out[..n].copy_from_slice(&buf.data[buf.pos..buf.pos + n]);
                buf.pos += n;
                return Poll::Ready(Ok(n));
            }
            let want = out.len().min(MAX_CHUNK);
            self.start(move |inner, buf| {
                buf.data.resize(want, 0);
                buf.pos = 0;
                let res = inner.read(&mut buf.data);
                buf.data.truncate(*res.as_ref().unwrap_or(&0));
                res
            });
        }
    }
}

impl<T: Write + Send + 'static> Blocking<T> {
    fn poll_write(&mut self, cx: &mut Context<'_>, src: &[u8]) -> Poll<io::Result<usize>> {
        ready!(self.poll_idle(cx))?;
        if src.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let n = src.len().min(MAX_CHUNK);
        let (_, buf) = self.idle();
        buf.data.clear();
        buf.data.extend_from_slice(&src[..n]);
        self.start(|inner, buf| {
            inner.write_all(&buf.data)?;
            inner.flush()?;
            Ok(0)
        });
        Poll::Ready(Ok(n))
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_idle(cx))?;
        Poll::Ready(Ok(()))
    }
}

/// The process's standard input, from [`stdin`].
pub struct Stdin(Blocking<io::Stdin>);
/// The process's standard output, from [`stdout`].
pub struct Stdout(Blocking<io::Stdout>);
/// The process's standard error, from [`stderr`].
pub struct Stderr(Blocking<io::Stderr>);

/// The process's standard input, read on the blocking pool (a read in
/// flight when the handle is dropped finishes, and what it read is lost,
/// as with Tokio).
///
/// ```no_run
/// use runtime_core::io::{stdin, AsyncBufReadExt, BufReader};
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut lines = BufReader::new(stdin()).lines();
///     while let Some(line) = lines.next_line().await.unwrap() {
///         println!("got {line}");
///     }
/// });
/// ```
///
/// # Cancel safety
///
/// A `read` dropped before it completes loses nothing: the read it started
/// on the blocking pool keeps its bytes in the `Stdin`, and the next read
/// returns them.
pub fn stdin() -> Stdin {
    Stdin(Blocking::new(io::stdin()))
}

/// The process's standard output, written on the blocking pool.
///
/// ```
/// use runtime_core::io::{stdout, AsyncWriteExt};
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut out = stdout();
///     out.write_all(b"hello from the blocking pool\n").await.unwrap();
///     out.flush().await.unwrap(); // waits for the write in flight
/// });
/// ```
pub fn stdout() -> Stdout {
    Stdout(Blocking::new(io::stdout()))
}

/// The process's standard error, written on the blocking pool.
pub fn stderr() -> Stderr {
    Stderr(Blocking::new(io::stderr()))
}

impl AsyncRead for Stdin {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().0.poll_read(cx, buf)
    }
}

macro_rules! std_writer {
    ($name:ident) => {
        impl AsyncWrite for $name {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.get_mut().0.poll_write(cx, buf)
            }
            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().0.poll_flush(cx)
            }
            /// Waits for the write in flight; the stream stays open.
            fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().0.poll_flush(cx)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }
    };
}
std_writer!(Stdout);
std_writer!(Stderr);

impl std::fmt::Debug for Stdin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stdin").finish_non_exhaustive()
    }
}
