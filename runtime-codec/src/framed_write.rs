//! [`FramedWrite`]: a sink of frames encoded into an `AsyncWrite`.

use crate::framed_impl::{WriteFrame, INITIAL_CAPACITY};
use crate::{Encoder, FramedParts};
use bytes::BytesMut;
use futures_core::Stream;
use futures_io::AsyncWrite;
use futures_sink::Sink;
use pin_project_lite::pin_project;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project! {
    /// A [`Sink`] that encodes frames with an [`Encoder`] and writes them
    /// to an [`AsyncWrite`], as `tokio_util::codec::FramedWrite`.
    ///
    /// Sent frames are encoded into a buffer; `poll_flush` (e.g.
    /// `SinkExt::send` or `flush`) writes the buffer out and flushes the
    /// writer, and `poll_close` also closes it. Between flushes the buffer
    /// is bounded by the *backpressure boundary* (8 KiB by default, see
    /// [`set_backpressure_boundary`](FramedWrite::set_backpressure_boundary)):
    /// once it holds that many bytes, `poll_ready` writes it out before
    /// accepting another frame, so `SinkExt::feed` and `send_all` never
    /// buffer much more than the boundary.
    ///
    /// # Cancel safety
    ///
    /// `SinkExt::send` is not cancel safe: dropped while `poll_ready` waits
    /// for the buffer to drain, it drops its frame unsent; dropped after
    /// the frame was encoded, the frame waits in the buffer for the next
    /// flush. `flush` and `close` are cancel safe: what they have not
    /// written yet stays in the buffer.
    ///
    /// ```
    /// use futures::SinkExt;
    /// use runtime_codec::{FramedWrite, LinesCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut out = FramedWrite::new(Vec::<u8>::new(), LinesCodec::new());
    ///     out.send("hello").await.unwrap();
    ///     out.send("world").await.unwrap();
    ///     assert_eq!(out.get_ref(), b"hello\nworld\n");
    /// });
    /// ```
    pub struct FramedWrite<T, E> {
        #[pin]
        inner: T,
        encoder: E,
        state: WriteFrame,
    }
}

impl<T, E> FramedWrite<T, E> {
    /// Encodes frames with `encoder` and writes them to `inner`, through
    /// an 8 KiB buffer whose size is also the backpressure boundary.
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, FramedWrite};
    ///
    /// let framed = FramedWrite::new(Vec::<u8>::new(), BytesCodec::new());
    /// assert_eq!(framed.backpressure_boundary(), 8 * 1024);
    /// ```
    pub fn new(inner: T, encoder: E) -> FramedWrite<T, E> {
        FramedWrite::with_capacity(inner, encoder, INITIAL_CAPACITY)
    }

    /// As [`new`](FramedWrite::new), with a buffer of `capacity` bytes to
    /// start with; the backpressure boundary is `capacity` too.
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, FramedWrite};
    ///
    /// let framed = FramedWrite::with_capacity(Vec::<u8>::new(), BytesCodec::new(), 1024);
    /// assert_eq!(framed.backpressure_boundary(), 1024);
    /// assert!(framed.write_buffer().capacity() >= 1024);
    /// ```
    pub fn with_capacity(inner: T, encoder: E, capacity: usize) -> FramedWrite<T, E> {
        FramedWrite {
            inner,
            encoder,
            state: WriteFrame::with_capacity(capacity),
        }
    }

    /// The underlying writer. Writing to it directly would put the bytes
    /// before any frames still buffered here.
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, FramedWrite};
    ///
    /// let framed = FramedWrite::new(Vec::<u8>::new(), BytesCodec::new());
    /// assert!(framed.get_ref().is_empty());
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The underlying writer, mutably.
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, FramedWrite};
    ///
    /// let mut framed = FramedWrite::new(Vec::<u8>::new(), BytesCodec::new());
    /// framed.get_mut().extend_from_slice(b"preamble");
    /// assert_eq!(framed.get_ref(), b"preamble");
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The underlying writer, pinned, from a pinned `FramedWrite`.
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, FramedWrite};
    ///
    /// let mut framed = FramedWrite::new(Vec::<u8>::new(), BytesCodec::new());
    /// std::pin::Pin::new(&mut framed).get_pin_mut().push(7);
    /// assert_eq!(framed.get_ref(), &[7]);
    /// ```
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut T> {
        self.project().inner
    }

    /// The underlying writer; frames still buffered are dropped (flush
    /// first, or use [`into_parts`](FramedWrite::into_parts)).
    ///
    /// ```
    /// use futures::SinkExt;
    /// use runtime_codec::{FramedWrite, LinesCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut framed = FramedWrite::new(Vec::<u8>::new(), LinesCodec::new());
    ///     framed.send("done").await.unwrap();
    ///     assert_eq!(framed.into_inner(), b"done\n");
    /// });
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// The encoder.
    ///
    /// ```
    /// use runtime_codec::{FramedWrite, LengthDelimitedCodec};
    ///
    /// let framed = FramedWrite::new(Vec::<u8>::new(), LengthDelimitedCodec::new());
    /// assert_eq!(framed.encoder().max_frame_length(), 8 * 1024 * 1024);
    /// ```
    pub fn encoder(&self) -> &E {
        &self.encoder
    }

    /// The encoder, mutably.
    ///
    /// ```
    /// use runtime_codec::{FramedWrite, LengthDelimitedCodec};
    ///
    /// let mut framed = FramedWrite::new(Vec::<u8>::new(), LengthDelimitedCodec::new());
    /// framed.encoder_mut().set_max_frame_length(100);
    /// assert_eq!(framed.encoder().max_frame_length(), 100);
    /// ```
    pub fn encoder_mut(&mut self) -> &mut E {
        &mut self.encoder
    }

    /// Swaps the encoder for `map(encoder)`, keeping the writer and the
    /// buffered bytes.
    ///
    /// ```
    /// use futures::SinkExt;
    /// use runtime_codec::{BytesCodec, FramedWrite, LinesCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut framed = FramedWrite::new(Vec::<u8>::new(), LinesCodec::new());
    ///     framed.send("HEADER").await.unwrap();
    ///     let mut framed = framed.map_encoder(|_| BytesCodec::new());
    ///     framed.send(bytes::Bytes::from_static(b"body")).await.unwrap();
    ///     assert_eq!(framed.get_ref(), b"HEADER\nbody");
    /// });
    /// ```
    pub fn map_encoder<C, F>(self, map: F) -> FramedWrite<T, C>
    where
        F: FnOnce(E) -> C,
    {
        FramedWrite {
            inner: self.inner,
            encoder: map(self.encoder),
            state: self.state,
        }
    }

    /// The encoder, mutably, from a pinned `FramedWrite`.
    ///
    /// ```
    /// use runtime_codec::{FramedWrite, LengthDelimitedCodec};
    ///
    /// let mut framed = FramedWrite::new(Vec::<u8>::new(), LengthDelimitedCodec::new());
    /// std::pin::Pin::new(&mut framed).encoder_pin_mut().set_max_frame_length(16);
    /// assert_eq!(framed.encoder().max_frame_length(), 16);
    /// ```
    pub fn encoder_pin_mut(self: Pin<&mut Self>) -> &mut E {
        self.project().encoder
    }

    /// The encoded bytes not yet written to the writer.
    ///
    /// ```
    /// use futures::SinkExt;
    /// use runtime_codec::{FramedWrite, LinesCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut framed = FramedWrite::new(Vec::<u8>::new(), LinesCodec::new());
    ///     framed.feed("queued").await.unwrap(); // no flush
    ///     assert_eq!(&framed.write_buffer()[..], b"queued\n");
    ///     assert!(framed.get_ref().is_empty());
    /// });
    /// ```
    pub fn write_buffer(&self) -> &BytesMut {
        &self.state.buffer
    }

    /// The encoded bytes not yet written, mutably.
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, FramedWrite};
    ///
    /// let mut framed = FramedWrite::new(Vec::<u8>::new(), BytesCodec::new());
    /// framed.write_buffer_mut().extend_from_slice(b"raw");
    /// assert_eq!(framed.write_buffer().len(), 3);
    /// ```
    pub fn write_buffer_mut(&mut self) -> &mut BytesMut {
        &mut self.state.buffer
    }

    /// The buffer size at which `poll_ready` flushes before accepting
    /// another frame.
    ///
    /// ```
    /// use runtime_codec::{FramedWrite, LinesCodec};
    ///
    /// let framed = FramedWrite::new(Vec::<u8>::new(), LinesCodec::new());
    /// assert_eq!(framed.backpressure_boundary(), 8192);
    /// ```
    pub fn backpressure_boundary(&self) -> usize {
        self.state.backpressure_boundary
    }

    /// Sets the backpressure boundary; 0 makes every `poll_ready` flush
    /// what the previous frame left buffered.
    ///
    /// ```
    /// use futures::SinkExt;
    /// use runtime_codec::{FramedWrite, LinesCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut framed = FramedWrite::new(Vec::<u8>::new(), LinesCodec::new());
    ///     framed.set_backpressure_boundary(0);
    ///     framed.feed("a").await.unwrap(); // buffered
    ///     framed.feed("b").await.unwrap(); // "a\n" written first
    ///     assert_eq!(framed.get_ref(), b"a\n");
    /// });
    /// ```
    pub fn set_backpressure_boundary(&mut self, boundary: usize) {
        self.state.backpressure_boundary = boundary;
    }

    /// Takes the `FramedWrite` apart: the writer, the encoder and the bytes
    /// not yet written (`write_buf`); `read_buf` is empty.
    ///
    /// ```
    /// use futures::SinkExt;
    /// use runtime_codec::{FramedWrite, LinesCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut framed = FramedWrite::new(Vec::<u8>::new(), LinesCodec::new());
    ///     framed.feed("pending").await.unwrap();
    ///     let parts = framed.into_parts();
    ///     assert_eq!(&parts.write_buf[..], b"pending\n");
    ///     assert!(parts.io.is_empty());
    /// });
    /// ```
    pub fn into_parts(self) -> FramedParts<T, E> {
        FramedParts {
            io: self.inner,
            codec: self.encoder,
            read_buf: BytesMut::new(),
            write_buf: self.state.buffer,
        }
    }
}

impl<T, I, E> Sink<I> for FramedWrite<T, E>
where
    T: AsyncWrite,
    E: Encoder<I>,
{
    type Error = E::Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.project();
        this.state.poll_ready(this.inner, cx).map_err(Into::into)
    }

    fn start_send(self: Pin<&mut Self>, item: I) -> Result<(), Self::Error> {
        let this = self.project();
        this.encoder.encode(item, &mut this.state.buffer)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.project();
        this.state.poll_flush(this.inner, cx).map_err(Into::into)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.project();
        this.state.poll_close(this.inner, cx).map_err(Into::into)
    }
}

/// A `FramedWrite` over something that is also a [`Stream`] passes its
/// items through untouched.
impl<T, E> Stream for FramedWrite<T, E>
where
    T: Stream,
{
    type Item = T::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.project().inner.poll_next(cx)
    }
}

impl<T: fmt::Debug, E: fmt::Debug> fmt::Debug for FramedWrite<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FramedWrite")
            .field("inner", &self.inner)
            .field("encoder", &self.encoder)
            .field("buffer", &self.state.buffer)
            .finish()
    }
}
