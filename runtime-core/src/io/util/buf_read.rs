//! [`AsyncBufReadExt`]: Tokio's buffered-reading methods, with its
//! [`Lines`] (`next_line`) and [`Split`] (`next_segment`), which are also
//! `Stream`s (`read_line`'s future is in `read_string.rs`; the other
//! methods hand out futures-lite's futures).

use super::read_string::ReadLine;
use futures_core::Stream;
use futures_io::AsyncBufRead;
use futures_lite::io::{FillBuf, ReadUntilFuture};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Buffered-reading methods for every [`AsyncBufRead`] (a
/// [`BufReader`](crate::io::BufReader) around any reader), under Tokio's
/// names.
///
/// ```
/// use runtime_core::io::{AsyncBufReadExt, BufReader};
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut lines = BufReader::new(&b"first\r\nsecond\nthird"[..]).lines();
///     assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("first"));
///     assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("second"));
///     assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("third"));
///     assert_eq!(lines.next_line().await.unwrap(), None);
/// });
/// ```
pub trait AsyncBufReadExt: AsyncBufRead {
    /// Returns the buffered bytes, reading more if the buffer is empty;
    /// empty at end of file. Follow with [`consume`](Self::consume).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: what is read goes into the reader's own buffer, so a
    /// call dropped before it completes loses nothing.
    fn fill_buf(&mut self) -> FillBuf<'_, Self>
    where
        Self: Unpin,
    {
        futures_lite::io::AsyncBufReadExt::fill_buf(self)
    }

    /// Marks `amt` buffered bytes as read.
    fn consume(&mut self, amt: usize)
    where
        Self: Unpin,
    {
        Pin::new(self).consume(amt)
    }

    /// Reads up to and including `byte` (or end of file), appending to
    /// `buf`; returns how many bytes were read.
    ///
    /// # Cancel safety
    ///
    /// A call dropped before it completes loses no data: the bytes it took
    /// from the reader are already appended to `buf`, and calling it again
    /// carries on to `byte` (the count it returns then covers that call
    /// only).
    fn read_until<'a>(&'a mut self, byte: u8, buf: &'a mut Vec<u8>) -> ReadUntilFuture<'a, Self>
    where
        Self: Unpin,
    {
        futures_lite::io::AsyncBufReadExt::read_until(self, byte, buf)
    }

    /// Reads a line including its `\n` (or up to end of file), appending
    /// to `buf` (what it held stays); `Ok(0)` at end of file. A line that
    /// is not UTF-8 is an `InvalidData` error and leaves `buf` as it was.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: the bytes of the line are held inside the future
    /// until the line is complete (the UTF-8 check needs all of it), so a
    /// call dropped before it completes loses them; `buf` is left as it
    /// was. Use [`lines`](Self::lines) and [`Lines::next_line`], which keeps
    /// a partial line for the next call, or `read_until(b'\n', ..)` and
    /// convert the bytes.
    fn read_line<'a>(&'a mut self, buf: &'a mut String) -> ReadLine<'a, Self>
    where
        Self: Unpin,
    {
        ReadLine::new(self, buf)
    }

    /// The lines of this reader, without their `\n` or `\r\n`.
    fn lines(self) -> Lines<Self>
    where
        Self: Sized,
    {
        Lines {
            reader: self,
            buf: Vec::new(),
        }
    }

    /// The segments of this reader separated by `byte` (without it).
    ///
    /// ```
    /// use runtime_core::io::{AsyncBufReadExt, BufReader};
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut parts = BufReader::new(&b"a,b,,c"[..]).split(b',');
    ///     let mut got = Vec::new();
    ///     while let Some(part) = parts.next_segment().await.unwrap() {
    ///         got.push(part);
    ///     }
    ///     assert_eq!(got, [&b"a"[..], b"b", b"", b"c"]);
    /// });
    /// ```
    fn split(self, byte: u8) -> Split<Self>
    where
        Self: Sized,
    {
        Split {
            reader: self,
            delim: byte,
            buf: Vec::new(),
        }
    }
}

impl<R: AsyncBufRead + ?Sized> AsyncBufReadExt for R {}

/// Reads into `buf` up to and including `delim`, or to the end of the
/// input: `Ok(true)` when `delim` was found, `Ok(false)` at the end. What
/// was read stays in `buf` across polls and errors, so a cancelled read
/// loses nothing.
pub(super) fn poll_read_until<R: AsyncBufRead + ?Sized>(
    mut reader: Pin<&mut R>,
    cx: &mut Context<'_>,
    delim: u8,
    buf: &mut Vec<u8>,
) -> Poll<io::Result<bool>> {
    loop {
        let available = std::task::ready!(reader.as_mut().poll_fill_buf(cx))?;
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

pin_project_lite::pin_project! {
    /// The lines of a reader (from [`AsyncBufReadExt::lines`]), without
    /// their `\n` or `\r\n` (a last line without a newline counts too):
    /// call [`next_line`](Lines::next_line), or use it as a `Stream` of
    /// `io::Result<String>`. A line that is not UTF-8 is an
    /// `InvalidData` error, and reading goes on after it.
    #[derive(Debug)]
    pub struct Lines<R> {
        #[pin]
        reader: R,
        buf: Vec<u8>,
    }
}

pin_project_lite::pin_project! {
    /// The segments of a reader between `delim` bytes (from
    /// [`AsyncBufReadExt::split`]), without the delimiter: call
    /// [`next_segment`](Split::next_segment), or use it as a `Stream`.
    #[derive(Debug)]
    pub struct Split<R> {
        #[pin]
        reader: R,
        delim: u8,
        buf: Vec<u8>,
    }
}

impl<R: AsyncBufRead> Lines<R> {
    /// Polls for the next line; `Ok(None)` at end of file.
    pub fn poll_next_line(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<Option<String>>> {
        let me = self.project();
        let found = std::task::ready!(poll_read_until(me.reader, cx, b'\n', me.buf))?;
        if !found && me.buf.is_empty() {
            return Poll::Ready(Ok(None));
        }
        let mut line = std::mem::take(me.buf);
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        Poll::Ready(
            String::from_utf8(line).map(Some).map_err(|_| {
                io::Error::new(io::ErrorKind::InvalidData, "a line is not valid UTF-8")
            }),
        )
    }
}

impl<R: AsyncBufRead> Split<R> {
    /// Polls for the next segment; `Ok(None)` at end of file.
    pub fn poll_next_segment(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<Option<Vec<u8>>>> {
        let me = self.project();
        let found = std::task::ready!(poll_read_until(me.reader, cx, *me.delim, me.buf))?;
        if !found && me.buf.is_empty() {
            return Poll::Ready(Ok(None));
        }
        let mut segment = std::mem::take(me.buf);
        if found {
            segment.pop();
        }
        Poll::Ready(Ok(Some(segment)))
    }
}

/// What `Lines` and `Split` share: the async form of the next item, the
/// `Stream` shape, and access to the reader.
macro_rules! item_reader {
    ($ty:ident, $item:ty, $next:ident, $poll_next:ident, $what:literal) => {
        impl<R: AsyncBufRead> $ty<R> {
            #[doc = concat!("The next ", $what, "; `Ok(None)` at end of file.")]
            ///
            /// # Cancel safety
            ///
            #[doc = concat!("Cancel safe: a partial ", $what, " is kept in the `", stringify!($ty), "`, not in the future, so a call dropped before it completes loses nothing and the next call carries on.")]
            pub async fn $next(&mut self) -> io::Result<Option<$item>>
            where
                R: Unpin,
            {
                std::future::poll_fn(|cx| Pin::new(&mut *self).$poll_next(cx)).await
            }
        }

        impl<R> $ty<R> {
            /// The reader.
            pub fn get_ref(&self) -> &R {
                &self.reader
            }

            /// The reader, mutably (reading from it directly skips what
            /// this has buffered).
            pub fn get_mut(&mut self) -> &mut R {
                &mut self.reader
            }

            /// The reader, pinned.
            pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut R> {
                self.project().reader
            }

            #[doc = concat!("The reader back (a partly read ", $what, " is lost).")]
            pub fn into_inner(self) -> R {
                self.reader
            }
        }

        impl<R: AsyncBufRead> Stream for $ty<R> {
            type Item = io::Result<$item>;
            fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                self.$poll_next(cx).map(Result::transpose)
            }
        }
    };
}
item_reader!(Lines, String, next_line, poll_next_line, "line");
item_reader!(Split, Vec<u8>, next_segment, poll_next_segment, "segment");
