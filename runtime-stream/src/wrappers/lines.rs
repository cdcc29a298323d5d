//! [`LinesStream`] and [`SplitStream`]: a buffered reader's lines, or its
//! segments between a delimiter byte, as streams. They read from any
//! `futures-io` [`AsyncBufRead`] themselves (`fill_buf`/`consume`), so a
//! partly read line is kept across polls: dropping a `next()` future loses
//! nothing.

use futures_core::Stream;
use futures_io::AsyncBufRead;
use pin_project_lite::pin_project;
use std::io;
use std::mem;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Reads into `buf` up to and including `delim`, or to the end of the
/// input: `Ok(true)` when `delim` was found, `Ok(false)` at the end.
/// What was read before an error stays in `buf`.
fn poll_read_until<R: AsyncBufRead + ?Sized>(
    mut reader: Pin<&mut R>,
    cx: &mut Context<'_>,
    delim: u8,
    buf: &mut Vec<u8>,
) -> Poll<io::Result<bool>> {
    loop {
        let available = ready!(reader.as_mut().poll_fill_buf(cx))?;
        if available.is_empty() {
            return Poll::Ready(Ok(false));
        }
        match available.iter().position(|&b| b == delim) {
            Some(at) => {
                buf.extend_from_slice(&available[..=at]);
                reader.as_mut().consume(at + 1);
                return Poll::Ready(Ok(true));
            }
            None => {
                let n = available.len();
                buf.extend_from_slice(available);
                reader.as_mut().consume(n);
            }
        }
    }
}

pin_project! {
    /// The lines of a buffered reader as a [`Stream`] of
    /// `io::Result<String>`, without their `\n` or `\r\n` (a last line
    /// without a newline counts too). A line that is not UTF-8 is an
    /// `InvalidData` error.
    ///
    /// `tokio-stream`'s `LinesStream::new` takes `reader.lines()`; this
    /// one takes the reader itself (`LinesStream::new(reader)`), any
    /// `futures-io` `AsyncBufRead` such as `runtime_core::io::BufReader`.
    ///
    /// ```
    /// use runtime_stream::{wrappers::LinesStream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let input: &[u8] = b"first\r\nsecond\nthird";
    ///     let lines: Vec<String> = LinesStream::new(input).map(|l| l.unwrap()).collect().await;
    ///     assert_eq!(lines, ["first", "second", "third"]);
    /// });
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct LinesStream<R> {
        #[pin]
        reader: R,
        // The line read so far.
        buf: Vec<u8>,
    }
}

impl<R: AsyncBufRead> LinesStream<R> {
    /// A stream of `reader`'s lines.
    ///
    /// ```
    /// use runtime_core::io::BufReader;
    /// use runtime_stream::{wrappers::LinesStream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let reader = BufReader::new(&b"a\nb\n"[..]);
    ///     let mut lines = LinesStream::new(reader);
    ///     assert_eq!(lines.next().await.unwrap().unwrap(), "a");
    ///     assert_eq!(lines.next().await.unwrap().unwrap(), "b");
    ///     assert!(lines.next().await.is_none());
    /// });
    /// ```
    pub fn new(reader: R) -> Self {
        LinesStream {
            reader,
            buf: Vec::new(),
        }
    }
}

impl<R> LinesStream<R> {
    /// The reader back (a partly read line is lost).
    ///
    /// ```
    /// use runtime_core::io::AsyncReadExt;
    /// use runtime_stream::{wrappers::LinesStream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut lines = LinesStream::new(&b"head\nrest"[..]);
    ///     assert_eq!(lines.next().await.unwrap().unwrap(), "head");
    ///     let mut rest = String::new();
    ///     lines.into_inner().read_to_string(&mut rest).await.unwrap();
    ///     assert_eq!(rest, "rest");
    /// });
    /// ```
    pub fn into_inner(self) -> R {
        self.reader
    }

    /// The reader, pinned.
    ///
    /// ```
    /// use runtime_core::io::AsyncBufRead;
    /// use runtime_stream::wrappers::LinesStream;
    /// use std::pin::pin;
    ///
    /// let mut lines = pin!(LinesStream::new(&b"x\n"[..]));
    /// let reader = lines.as_mut().as_pin_mut();
    /// reader.consume(2); // skip "x\n"
    /// ```
    pub fn as_pin_mut(self: Pin<&mut Self>) -> Pin<&mut R> {
        self.project().reader
    }
}

impl<R: AsyncBufRead> Stream for LinesStream<R> {
    type Item = io::Result<String>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let me = self.project();
        let found = ready!(poll_read_until(me.reader, cx, b'\n', me.buf))?;
        if !found && me.buf.is_empty() {
            return Poll::Ready(None);
        }
        let mut line = mem::take(me.buf);
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        Poll::Ready(Some(String::from_utf8(line).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            )
        })))
    }
}

impl<R> AsRef<R> for LinesStream<R> {
    fn as_ref(&self) -> &R {
        &self.reader
    }
}

impl<R> AsMut<R> for LinesStream<R> {
    fn as_mut(&mut self) -> &mut R {
        &mut self.reader
    }
}

pin_project! {
    /// The segments of a buffered reader between `delim` bytes as a
    /// [`Stream`] of `io::Result<Vec<u8>>`, without the delimiter (a last
    /// segment without one counts too).
    ///
    /// `tokio-stream`'s `SplitStream::new` takes `reader.split(delim)`;
    /// this one takes the reader and the delimiter
    /// (`SplitStream::new(reader, delim)`).
    ///
    /// ```
    /// use runtime_stream::{wrappers::SplitStream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let input: &[u8] = b"a,bc,,d";
    ///     let parts: Vec<Vec<u8>> = SplitStream::new(input, b',').map(|p| p.unwrap()).collect().await;
    ///     assert_eq!(parts, [&b"a"[..], b"bc", b"", b"d"]);
    /// });
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct SplitStream<R> {
        #[pin]
        reader: R,
        delim: u8,
        // The segment read so far.
        buf: Vec<u8>,
    }
}

impl<R: AsyncBufRead> SplitStream<R> {
    /// A stream of `reader`'s segments between `delim` bytes.
    ///
    /// ```
    /// use runtime_stream::{wrappers::SplitStream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut records = SplitStream::new(&b"one\0two\0"[..], 0);
    ///     assert_eq!(records.next().await.unwrap().unwrap(), b"one");
    ///     assert_eq!(records.next().await.unwrap().unwrap(), b"two");
    ///     assert!(records.next().await.is_none());
    /// });
    /// ```
    pub fn new(reader: R, delim: u8) -> Self {
        SplitStream {
            reader,
            delim,
            buf: Vec::new(),
        }
    }
}

impl<R> SplitStream<R> {
    /// The reader back (a partly read segment is lost).
    ///
    /// ```
    /// use runtime_stream::wrappers::SplitStream;
    ///
    /// let reader: &[u8] = SplitStream::new(&b"a;b"[..], b';').into_inner();
    /// assert_eq!(reader, b"a;b");
    /// ```
    pub fn into_inner(self) -> R {
        self.reader
    }

    /// The reader, pinned.
    ///
    /// ```
    /// use runtime_stream::wrappers::SplitStream;
    /// use std::pin::pin;
    ///
    /// let mut parts = pin!(SplitStream::new(&b"a;b"[..], b';'));
    /// assert_eq!(*parts.as_mut().as_pin_mut(), &b"a;b"[..]);
    /// ```
    pub fn as_pin_mut(self: Pin<&mut Self>) -> Pin<&mut R> {
        self.project().reader
    }
}

impl<R: AsyncBufRead> Stream for SplitStream<R> {
    type Item = io::Result<Vec<u8>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let me = self.project();
        let found = ready!(poll_read_until(me.reader, cx, *me.delim, me.buf))?;
        if !found && me.buf.is_empty() {
            return Poll::Ready(None);
        }
        let mut segment = mem::take(me.buf);
        if found {
            segment.pop();
        }
        Poll::Ready(Some(Ok(segment)))
    }
}

impl<R> AsRef<R> for SplitStream<R> {
    fn as_ref(&self) -> &R {
        &self.reader
    }
}

impl<R> AsMut<R> for SplitStream<R> {
    fn as_mut(&mut self) -> &mut R {
        &mut self.reader
    }
}
