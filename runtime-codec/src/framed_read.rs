//! [`FramedRead`]: a stream of frames decoded from an `AsyncRead`.

use crate::framed_impl::{ReadFrame, INITIAL_CAPACITY};
use crate::{Decoder, FramedParts};
use bytes::BytesMut;
use futures_core::Stream;
use futures_io::AsyncRead;
use futures_sink::Sink;
use pin_project_lite::pin_project;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project! {
    /// A [`Stream`] of frames decoded by a [`Decoder`] from an
    /// [`AsyncRead`], as `tokio_util::codec::FramedRead`.
    ///
    /// Each item is `Result<D::Item, D::Error>`. The stream ends (`None`)
    /// once the reader reports end of file and
    /// [`Decoder::decode_eof`] has returned every closing frame; bytes of
    /// an unfinished frame left at that point are an error with the
    /// default `decode_eof`. After an error the next poll yields `None`.
    ///
    /// Polling again after `None` reads again: a reader that can produce
    /// more data after an end of file (a terminal, a growing file) resumes
    /// the stream.
    ///
    /// # Cancel safety
    ///
    /// `next` (`StreamExt::next`) is cancel safe: the bytes read and a frame
    /// not yet complete stay in the `FramedRead`'s buffer, and a frame leaves it
    /// only in the poll that returns it, so dropping the future loses
    /// nothing.
    ///
    /// ```
    /// use futures::StreamExt;
    /// use runtime_codec::{FramedRead, LinesCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let input: &[u8] = b"first\nsecond\r\nlast";
    ///     let lines: Vec<String> = FramedRead::new(input, LinesCodec::new())
    ///         .map(|line| line.unwrap())
    ///         .collect()
    ///         .await;
    ///     assert_eq!(lines, ["first", "second", "last"]);
    /// });
    /// ```
    pub struct FramedRead<T, D> {
        #[pin]
        inner: T,
        decoder: D,
        state: ReadFrame,
    }
}

impl<T, D> FramedRead<T, D> {
    /// Decodes frames from `inner` with `decoder`, reading through an
    /// 8 KiB buffer (which grows when a frame needs more).
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, FramedRead};
    ///
    /// let framed = FramedRead::new(&b"raw bytes"[..], BytesCodec::new());
    /// assert!(framed.read_buffer().is_empty());
    /// assert!(framed.read_buffer().capacity() >= 8 * 1024);
    /// ```
    pub fn new(inner: T, decoder: D) -> FramedRead<T, D> {
        FramedRead::with_capacity(inner, decoder, INITIAL_CAPACITY)
    }

    /// As [`new`](FramedRead::new), with a read buffer of `capacity` bytes
    /// to start with.
    ///
    /// ```
    /// use runtime_codec::{FramedRead, LinesCodec};
    ///
    /// let framed = FramedRead::with_capacity(&b""[..], LinesCodec::new(), 64 * 1024);
    /// assert!(framed.read_buffer().capacity() >= 64 * 1024);
    /// ```
    pub fn with_capacity(inner: T, decoder: D, capacity: usize) -> FramedRead<T, D> {
        FramedRead {
            inner,
            decoder,
            state: ReadFrame::with_capacity(capacity),
        }
    }

    /// The underlying reader. Reading from it directly would skip the
    /// bytes already buffered here.
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, FramedRead};
    ///
    /// let framed = FramedRead::new(&b"abc"[..], BytesCodec::new());
    /// assert_eq!(*framed.get_ref(), b"abc");
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The underlying reader, mutably. Reading from it directly would
    /// skip the bytes already buffered here.
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, FramedRead};
    ///
    /// let mut framed = FramedRead::new(&b"abc"[..], BytesCodec::new());
    /// *framed.get_mut() = &b"xyz"[..];
    /// assert_eq!(*framed.get_ref(), b"xyz");
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The underlying reader, pinned, from a pinned `FramedRead`.
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, FramedRead};
    ///
    /// let mut framed = FramedRead::new(&b"abc"[..], BytesCodec::new());
    /// let framed = std::pin::Pin::new(&mut framed);
    /// assert_eq!(framed.get_pin_mut().len(), 3);
    /// ```
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut T> {
        self.project().inner
    }

    /// The underlying reader; the bytes buffered but not yet decoded are
    /// dropped (use [`into_parts`](FramedRead::into_parts) to keep them).
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, FramedRead};
    ///
    /// let framed = FramedRead::new(&b"abc"[..], BytesCodec::new());
    /// assert_eq!(framed.into_inner(), b"abc");
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// The decoder.
    ///
    /// ```
    /// use runtime_codec::{FramedRead, LinesCodec};
    ///
    /// let framed = FramedRead::new(&b""[..], LinesCodec::new_with_max_length(80));
    /// assert_eq!(framed.decoder().max_length(), 80);
    /// ```
    pub fn decoder(&self) -> &D {
        &self.decoder
    }

    /// The decoder, mutably (to change its settings between frames).
    ///
    /// ```
    /// use runtime_codec::{FramedRead, LengthDelimitedCodec};
    ///
    /// let mut framed = FramedRead::new(&b""[..], LengthDelimitedCodec::new());
    /// framed.decoder_mut().set_max_frame_length(1024);
    /// assert_eq!(framed.decoder().max_frame_length(), 1024);
    /// ```
    pub fn decoder_mut(&mut self) -> &mut D {
        &mut self.decoder
    }

    /// Swaps the decoder for `map(decoder)`, keeping the reader, the
    /// buffered bytes and the read state: protocols that change framing
    /// part-way use this.
    ///
    /// ```
    /// use futures::StreamExt;
    /// use runtime_codec::{BytesCodec, FramedRead, LinesCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut framed = FramedRead::new(&b"HELLO\nraw body"[..], LinesCodec::new());
    ///     assert_eq!(framed.next().await.unwrap().unwrap(), "HELLO");
    ///     let mut framed = framed.map_decoder(|_| BytesCodec::new());
    ///     assert_eq!(&framed.next().await.unwrap().unwrap()[..], b"raw body");
    /// });
    /// ```
    pub fn map_decoder<C, F>(self, map: F) -> FramedRead<T, C>
    where
        F: FnOnce(D) -> C,
    {
        FramedRead {
            inner: self.inner,
            decoder: map(self.decoder),
            state: self.state,
        }
    }

    /// The decoder, mutably, from a pinned `FramedRead`.
    ///
    /// ```
    /// use runtime_codec::{FramedRead, LengthDelimitedCodec};
    ///
    /// let mut framed = FramedRead::new(&b""[..], LengthDelimitedCodec::new());
    /// std::pin::Pin::new(&mut framed).decoder_pin_mut().set_max_frame_length(16);
    /// assert_eq!(framed.decoder().max_frame_length(), 16);
    /// ```
    pub fn decoder_pin_mut(self: Pin<&mut Self>) -> &mut D {
        self.project().decoder
    }

    /// The bytes read but not yet decoded.
    ///
    /// ```
    /// use futures::StreamExt;
    /// use runtime_codec::{FramedRead, LinesCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut framed = FramedRead::new(&b"one\ntwo\nthr"[..], LinesCodec::new());
    ///     framed.next().await.unwrap().unwrap();
    ///     assert_eq!(&framed.read_buffer()[..], b"two\nthr");
    /// });
    /// ```
    pub fn read_buffer(&self) -> &BytesMut {
        &self.state.buffer
    }

    /// The bytes read but not yet decoded, mutably.
    ///
    /// ```
    /// use runtime_codec::{FramedRead, LinesCodec};
    ///
    /// let mut framed = FramedRead::new(&b""[..], LinesCodec::new());
    /// framed.read_buffer_mut().extend_from_slice(b"injected\n");
    /// assert_eq!(framed.read_buffer().len(), 9);
    /// ```
    pub fn read_buffer_mut(&mut self) -> &mut BytesMut {
        &mut self.state.buffer
    }

    /// Takes the `FramedRead` apart: the reader, the decoder and the
    /// buffered bytes (`read_buf`); `write_buf` is empty.
    ///
    /// ```
    /// use futures::StreamExt;
    /// use runtime_codec::{FramedRead, LinesCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut framed = FramedRead::new(&b"a\nb\n"[..], LinesCodec::new());
    ///     framed.next().await.unwrap().unwrap();
    ///     let parts = framed.into_parts();
    ///     assert_eq!(&parts.read_buf[..], b"b\n");
    ///     assert!(parts.write_buf.is_empty());
    /// });
    /// ```
    pub fn into_parts(self) -> FramedParts<T, D> {
        FramedParts {
            io: self.inner,
            codec: self.decoder,
            read_buf: self.state.buffer,
            write_buf: BytesMut::new(),
        }
    }
}

impl<T, D> Stream for FramedRead<T, D>
where
    T: AsyncRead,
    D: Decoder,
{
    type Item = Result<D::Item, D::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        this.state.poll_next(this.inner, this.decoder, cx)
    }
}

/// A `FramedRead` over something that is also a [`Sink`] forwards sends to
/// it untouched.
impl<T, I, D> Sink<I> for FramedRead<T, D>
where
    T: Sink<I>,
{
    type Error = T::Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.project().inner.poll_ready(cx)
    }

    fn start_send(self: Pin<&mut Self>, item: I) -> Result<(), Self::Error> {
        self.project().inner.start_send(item)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.project().inner.poll_close(cx)
    }
}

impl<T: fmt::Debug, D: fmt::Debug> fmt::Debug for FramedRead<T, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FramedRead")
            .field("inner", &self.inner)
            .field("decoder", &self.decoder)
            .field("eof", &self.state.eof)
            .field("is_readable", &self.state.is_readable)
            .field("buffer", &self.state.buffer)
            .finish()
    }
}
