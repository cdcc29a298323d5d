//! The two reads into a `String`, `read_line` and `read_to_string`, with
//! Tokio's contract: the text read is *appended* to the caller's string
//! (whatever it held stays in front), and only once the bytes are known to
//! be UTF-8; bytes that are not leave the string as it was and give an
//! `InvalidData` error.

use super::buf_read::poll_read_until;
use futures_io::{AsyncBufRead, AsyncRead};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Appends `bytes` (taken) to `buf` if they are UTF-8. `done` is how the
/// read ended: an I/O error still appends what was read, if it is text.
fn append_utf8(buf: &mut String, bytes: &mut Vec<u8>, done: io::Result<()>) -> io::Result<usize> {
    match String::from_utf8(std::mem::take(bytes)) {
        Ok(text) => {
            buf.push_str(&text);
            done.map(|()| text.len())
        }
        Err(_) => done.and(Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))),
    }
}

/// Defines one of the two futures: the reader, the caller's string, and
/// the bytes read so far (appended to the string once complete), which
/// start empty.
macro_rules! string_read_future {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug)]
        #[must_use = "futures do nothing unless you `.await` or poll them"]
        pub struct $name<'a, R: ?Sized> {
            reader: &'a mut R,
            buf: &'a mut String,
            bytes: Vec<u8>,
        }

        impl<'a, R: ?Sized> $name<'a, R> {
            pub(super) fn new(reader: &'a mut R, buf: &'a mut String) -> Self {
                $name {
                    reader,
                    buf,
                    bytes: Vec::new(),
                }
            }
        }
    };
}

string_read_future! {
    /// The future of [`AsyncBufReadExt::read_line`](super::AsyncBufReadExt::read_line).
    /// It holds the line until it is complete.
    ReadLine
}

string_read_future! {
    /// The future of [`AsyncReadExt::read_to_string`](super::AsyncReadExt::read_to_string).
    /// It holds everything read until the end of file.
    ReadToString
}

impl<R: AsyncBufRead + Unpin + ?Sized> Future for ReadLine<'_, R> {
    type Output = io::Result<usize>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let done = ready!(poll_read_until(
            Pin::new(&mut *this.reader),
            cx,
            b'\n',
            &mut this.bytes
        ));
        Poll::Ready(append_utf8(this.buf, &mut this.bytes, done.map(drop)))
    }
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadToString<'_, R> {
    type Output = io::Result<usize>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        loop {
            // Read into zeroed room at the end, grown by doubling, and
            // trimmed back to what the reader filled.
            let start = this.bytes.len();
            let room = start.clamp(1024, 1 << 20);
            this.bytes.resize(start + room, 0);
            let polled = Pin::new(&mut *this.reader).poll_read(cx, &mut this.bytes[start..]);
            let n = match polled {
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {
                    this.bytes.truncate(start);
                    continue;
                }
                Poll::Ready(Err(e)) => {
                    this.bytes.truncate(start);
                    return Poll::Ready(append_utf8(this.buf, &mut this.bytes, Err(e)));
                }
                Poll::Pending => {
                    this.bytes.truncate(start);
                    return Poll::Pending;
                }
            };
            this.bytes.truncate(start + n);
            if n == 0 {
                return Poll::Ready(append_utf8(this.buf, &mut this.bytes, Ok(())));
            }
        }
    }
}
