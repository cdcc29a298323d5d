//! [`AsyncBufReadExt`]: Tokio's buffered-reading methods, with its
//! [`Lines`] (`next_line`) and [`Split`] (`next_segment`), which are also
//! `Stream`s.

use futures_core::Stream;
use futures_io::AsyncBufRead;
use futures_lite::io::{FillBuf, ReadLineFuture, ReadUntilFuture};
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
    fn read_until<'a>(&'a mut self, byte: u8, buf: &'a mut Vec<u8>) -> ReadUntilFuture<'a, Self>
    where
        Self: Unpin,
    {
        futures_lite::io::AsyncBufReadExt::read_until(self, byte, buf)
    }

    /// Reads a line including its `\n` (or up to end of file), appending
    /// to `buf`; `Ok(0)` at end of file.
    fn read_line<'a>(&'a mut self, buf: &'a mut String) -> ReadLineFuture<'a, Self>
    where
        Self: Unpin,
    {
        futures_lite::io::AsyncBufReadExt::read_line(self, buf)
    }

    /// The lines of this reader, without their `\n` or `\r\n`.
    fn lines(self) -> Lines<Self>
    where
        Self: Sized,
    {
        Lines {
            inner: futures_lite::io::AsyncBufReadExt::lines(self),
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
            inner: futures_lite::io::AsyncBufReadExt::split(self, byte),
        }
    }
}

impl<R: AsyncBufRead + ?Sized> AsyncBufReadExt for R {}

pin_project_lite::pin_project! {
    /// The lines of a reader (from [`AsyncBufReadExt::lines`]): call
    /// [`next_line`](Lines::next_line), or use it as a `Stream` of
    /// `io::Result<String>`.
    #[derive(Debug)]
    pub struct Lines<R> {
        #[pin]
        inner: futures_lite::io::Lines<R>,
    }
}

pin_project_lite::pin_project! {
    /// The segments of a reader (from [`AsyncBufReadExt::split`]): call
    /// [`next_segment`](Split::next_segment), or use it as a `Stream`.
    #[derive(Debug)]
    pub struct Split<R> {
        #[pin]
        inner: futures_lite::io::Split<R>,
    }
}

/// What `Lines` and `Split` share: the next item as `Option` inside
/// `io::Result` (Tokio's shape), the `Stream` shape, and access to the
/// reader.
macro_rules! item_reader {
    ($ty:ident, $item:ty, $next:ident, $poll_next:ident, $what:literal) => {
        impl<R: AsyncBufRead> $ty<R> {
            #[doc = concat!("The next ", $what, "; `Ok(None)` at end of file. Cancel safe: a cancelled call keeps what it read for the next one.")]
            pub async fn $next(&mut self) -> io::Result<Option<$item>>
            where
                R: Unpin,
            {
                std::future::poll_fn(|cx| Pin::new(&mut *self).$poll_next(cx)).await
            }

            #[doc = concat!("Polls for the next ", $what, ".")]
            pub fn $poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<Option<$item>>> {
                self.inner().poll_next(cx).map(Option::transpose)
            }

            fn inner(self: Pin<&mut Self>) -> Pin<&mut futures_lite::io::$ty<R>> {
                self.project().inner
            }
        }

        impl<R: AsyncBufRead> Stream for $ty<R> {
            type Item = io::Result<$item>;
            fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                self.inner().poll_next(cx)
            }
        }
    };
}
item_reader!(Lines, String, next_line, poll_next_line, "line");
item_reader!(Split, Vec<u8>, next_segment, poll_next_segment, "segment");
