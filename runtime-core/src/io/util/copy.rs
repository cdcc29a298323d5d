//! Copying between streams: [`copy`], [`copy_buf`] (from a buffered
//! reader) and [`copy_bidirectional`] (both ways at once, as a proxy
//! does). `copy` hands the work to futures-lite's.

use futures_io::{AsyncBufRead, AsyncRead, AsyncWrite};
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Copies everything `reader` has into `writer` through a buffer of its
/// own (8 KiB), then flushes; returns the byte count.
///
/// ```
/// use runtime_core::io::copy;
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut out = Vec::new();
///     assert_eq!(copy(&b"some bytes"[..], &mut out).await.unwrap(), 10);
///     assert_eq!(out, b"some bytes");
/// });
/// ```
///
/// # Cancel safety
///
/// Not cancel safe: bytes read into the future's buffer and not yet
/// written are lost when it is dropped. Under a timeout or in `select!`,
/// wrap the reader in a [`BufReader`](crate::io::BufReader) that outlives
/// the call and use [`copy_buf`], which loses nothing.
pub async fn copy<R, W>(reader: R, writer: W) -> io::Result<u64>
where
    R: AsyncRead,
    W: AsyncWrite,
{
    futures_lite::io::copy(reader, writer).await
}

/// Copies everything `reader` has into `writer` through the reader's own
/// buffer, then flushes; returns the byte count.
///
/// ```
/// use runtime_core::io::{copy_buf, BufReader};
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut reader = BufReader::new(&b"buffered bytes"[..]);
///     let mut out = Vec::new();
///     assert_eq!(copy_buf(&mut reader, &mut out).await.unwrap(), 14);
///     assert_eq!(out, b"buffered bytes");
/// });
/// ```
///
/// # Cancel safety
///
/// A call dropped before it completes loses no data: bytes leave the
/// reader's buffer only once written, so what was not written is still
/// there, and calling it again carries on (the count it returns then
/// covers that call only).
pub async fn copy_buf<R, W>(reader: &mut R, writer: &mut W) -> io::Result<u64>
where
    R: AsyncBufRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut total = 0u64;
    std::future::poll_fn(|cx| loop {
        let chunk = ready!(Pin::new(&mut *reader).poll_fill_buf(cx))?;
        if chunk.is_empty() {
            ready!(Pin::new(&mut *writer).poll_flush(cx))?;
            return Poll::Ready(Ok(total));
        }
        let n = ready!(Pin::new(&mut *writer).poll_write(cx, chunk))?;
        if n == 0 {
            return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
        }
        Pin::new(&mut *reader).consume(n);
        total += n as u64;
    })
    .await
}

/// One direction of a bidirectional copy.
struct Transfer {
    buf: Box<[u8]>,
    pos: usize,
    cap: usize,
    total: u64,
    read_done: bool,
    need_flush: bool,
    state: Stage,
}

#[derive(PartialEq)]
enum Stage {
    Copying,
    ShuttingDown,
    Done,
}

impl Transfer {
    fn new() -> Transfer {
        Transfer {
            buf: vec![0; 8 * 1024].into_boxed_slice(),
            pos: 0,
            cap: 0,
            total: 0,
            read_done: false,
            need_flush: false,
            state: Stage::Copying,
        }
    }

    fn poll<R, W>(&mut self, cx: &mut Context<'_>, r: &mut R, w: &mut W) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + Unpin + ?Sized,
        W: AsyncWrite + Unpin + ?Sized,
    {
        loop {
            match self.state {
                Stage::Copying => {
                    if self.pos == self.cap && !self.read_done {
                        match Pin::new(&mut *r).poll_read(cx, &mut self.buf) {
                            Poll::Ready(Ok(0)) => self.read_done = true,
                            Poll::Ready(Ok(n)) => {
                                self.pos = 0;
                                self.cap = n;
                            }
                            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                            Poll::Pending => {
                                // Nothing more to send for now: push out
                                // what the writer buffered.
                                if self.need_flush {
                                    ready!(Pin::new(&mut *w).poll_flush(cx))?;
                                    self.need_flush = false;
                                }
                                return Poll::Pending;
                            }
                        }
                    }
                    while self.pos < self.cap {
                        let n = ready!(
                            Pin::new(&mut *w).poll_write(cx, &self.buf[self.pos..self.cap])
                        )?;
                        if n == 0 {
                            return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                        }
                        self.pos += n;
                        self.total += n as u64;
                        self.need_flush = true;
                    }
                    if self.read_done {
                        self.state = Stage::ShuttingDown;
                    }
                }
                Stage::ShuttingDown => {
                    // Flushes, then shuts the write side: the peer sees
                    // end of file where this side saw it.
                    ready!(Pin::new(&mut *w).poll_close(cx))?;
                    self.state = Stage::Done;
                }
                Stage::Done => return Poll::Ready(Ok(self.total)),
            }
        }
    }
}

/// Copies `a` to `b` and `b` to `a` at once until both have reached end
/// of file, shutting down each writer's side when its reader ends (so a
/// proxy passes half-closes on); returns `(a to b, b to a)` byte counts.
/// The first error ends both directions.
///
/// ```
/// use runtime_core::io::{copy_bidirectional, duplex, AsyncReadExt, AsyncWriteExt};
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (mut client, mut proxy_front) = duplex(64);
///     let (mut proxy_back, mut server) = duplex(64);
///     let proxy = runtime_core::spawn(async move {
///         copy_bidirectional(&mut proxy_front, &mut proxy_back).await.unwrap()
///     });
///     client.write_all(b"ping").await.unwrap();
///     client.shutdown().await.unwrap();
///     let mut got = Vec::new();
///     server.read_to_end(&mut got).await.unwrap();
///     assert_eq!(got, b"ping");
///     server.write_all(b"pong!").await.unwrap();
///     drop(server);
///     let mut back = Vec::new();
///     client.read_to_end(&mut back).await.unwrap();
///     assert_eq!(back, b"pong!");
///     assert_eq!(proxy.await.unwrap(), (4, 5));
/// });
/// ```
///
/// # Cancel safety
///
/// Not cancel safe: each direction reads into a buffer of the future's
/// own (8 KiB), so bytes read from one stream and not yet written to the
/// other are lost when the future is dropped. Let it run to the end (in a
/// task of its own, say).
pub async fn copy_bidirectional<A, B>(a: &mut A, b: &mut B) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    let (mut a_to_b, mut b_to_a) = (Transfer::new(), Transfer::new());
    let (mut sent, mut received) = (None, None);
    std::future::poll_fn(|cx| {
        if sent.is_none() {
            if let Poll::Ready(n) = a_to_b.poll(cx, a, b) {
                sent = Some(n?);
            }
        }
        if received.is_none() {
            if let Poll::Ready(n) = b_to_a.poll(cx, b, a) {
                received = Some(n?);
            }
        }
        match (sent, received) {
            (Some(x), Some(y)) => Poll::Ready(Ok((x, y))),
            _ => Poll::Pending,
        }
    })
    .await
}
