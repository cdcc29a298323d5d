//! Scripted readers and writers, a `u32` codec, and polling without a
//! runtime, shared by the test files.

#![allow(dead_code)]

use bytes::{Buf, BufMut, BytesMut};
use futures::io::{AsyncRead, AsyncWrite};
use runtime_codec::{Decoder, Encoder};
use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Polls `f` once with a waker that does nothing.
pub fn poll_once<R>(f: impl FnOnce(&mut Context<'_>) -> Poll<R>) -> Poll<R> {
    let mut cx = Context::from_waker(Waker::noop());
    f(&mut cx)
}

/// One step of a [`ScriptedReader`].
#[derive(Debug)]
pub enum Step {
    /// Reads return these bytes (over several reads if they do not fit).
    Data(Vec<u8>),
    /// A read returns `Pending` (after waking the task).
    Pending,
    /// A read returns `Ok(0)`.
    Eof,
    /// A read fails.
    Fail(io::ErrorKind),
}

pub fn data(bytes: &[u8]) -> Step {
    Step::Data(bytes.to_vec())
}

/// A reader that plays a script; once the script is over, every read is
/// an end of file. It records the size of every slice it is handed.
#[derive(Debug, Default)]
pub struct ScriptedReader {
    pub steps: VecDeque<Step>,
    pub offered: Vec<usize>,
}

impl ScriptedReader {
    pub fn new(steps: impl IntoIterator<Item = Step>) -> ScriptedReader {
        ScriptedReader {
            steps: steps.into_iter().collect(),
            offered: Vec::new(),
        }
    }
}

impl AsyncRead for ScriptedReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.offered.push(buf.len());
        match self.steps.pop_front() {
            Some(Step::Data(mut bytes)) => {
                // What does not fit is returned by the next read.
                let n = bytes.len().min(buf.len());
                buf[..n].copy_from_slice(&bytes[..n]);
                if n < bytes.len() {
                    self.steps.push_front(Step::Data(bytes.split_off(n)));
                }
                Poll::Ready(Ok(n))
            }
            Some(Step::Pending) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Some(Step::Fail(kind)) => Poll::Ready(Err(io::Error::new(kind, "scripted failure"))),
            Some(Step::Eof) | None => Poll::Ready(Ok(0)),
        }
    }
}

/// A reader that must never be read from.
#[derive(Debug)]
pub struct DontRead;

impl AsyncRead for DontRead {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        panic!("the framed reader read although its buffer held a frame");
    }
}

impl AsyncWrite for DontRead {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, _: &[u8]) -> Poll<io::Result<usize>> {
        panic!("unexpected write");
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A writer that accepts at most `per_write` bytes per call, answers
/// every other call with `Pending` when `stall` is set, and records what
/// it got, how many writes and flushes it saw, and whether it was closed.
#[derive(Debug, Default)]
pub struct TrickleWriter {
    pub written: Vec<u8>,
    pub per_write: usize,
    pub stall: bool,
    pub stalled_last: bool,
    pub writes: usize,
    pub flushes: usize,
    pub closed: bool,
    /// Make every write return `Ok(0)`.
    pub zero: bool,
}

impl TrickleWriter {
    pub fn new(per_write: usize, stall: bool) -> TrickleWriter {
        TrickleWriter {
            per_write,
            stall,
            ..TrickleWriter::default()
        }
    }
}

impl AsyncWrite for TrickleWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        assert!(!self.closed, "write after close");
        if self.stall && !self.stalled_last {
            self.stalled_last = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.stalled_last = false;
        self.writes += 1;
        if self.zero {
            return Poll::Ready(Ok(0));
        }
        let n = buf.len().min(self.per_write);
        self.written.extend_from_slice(&buf[..n]);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.flushes += 1;
        Poll::Ready(Ok(()))
    }

    fn poll_close(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.closed = true;
        Poll::Ready(Ok(()))
    }
}

/// Big-endian `u32` frames.
#[derive(Debug, Default)]
pub struct U32Codec {
    pub decodes: usize,
}

impl Decoder for U32Codec {
    type Item = u32;
    type Error = io::Error;

    fn decode(&mut self, buf: &mut BytesMut) -> io::Result<Option<u32>> {
        self.decodes += 1;
        if buf.len() < 4 {
            return Ok(None);
        }
        Ok(Some(buf.get_u32()))
    }
}

impl Encoder<u32> for U32Codec {
    type Error = io::Error;

    fn encode(&mut self, item: u32, dst: &mut BytesMut) -> io::Result<()> {
        dst.put_u32(item);
        Ok(())
    }
}

/// Big-endian `u64` frames.
#[derive(Debug, Default)]
pub struct U64Codec;

impl Decoder for U64Codec {
    type Item = u64;
    type Error = io::Error;

    fn decode(&mut self, buf: &mut BytesMut) -> io::Result<Option<u64>> {
        if buf.len() < 8 {
            return Ok(None);
        }
        Ok(Some(buf.get_u64()))
    }
}

/// `n` as four big-endian bytes.
pub fn be(n: u32) -> Vec<u8> {
    n.to_be_bytes().to_vec()
}
