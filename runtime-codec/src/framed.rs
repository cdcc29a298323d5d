//! [`Framed`]: frames in both directions over one transport, and
//! [`FramedParts`] to take it apart.

use crate::framed_impl::{ReadFrame, WriteFrame, INITIAL_CAPACITY};
use crate::{Decoder, Encoder};
use bytes::BytesMut;
use futures_core::Stream;
use futures_io::{AsyncRead, AsyncWrite};
use futures_sink::Sink;
use pin_project_lite::pin_project;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project! {
    /// A [`Stream`] of decoded frames and a [`Sink`] of frames to encode,
    /// over one transport that is both [`AsyncRead`] and [`AsyncWrite`]
    /// (a socket), as `tokio_util::codec::Framed`.
    ///
    /// The read side behaves as [`FramedRead`](crate::FramedRead), the
    /// write side as [`FramedWrite`](crate::FramedWrite); one codec does
    /// both. To drive the two directions from different tasks, split it
    /// with `futures::StreamExt::split`.
    ///
    /// # Cancel safety
    ///
    /// As [`FramedRead`](crate::FramedRead) and
    /// [`FramedWrite`](crate::FramedWrite): `next` is cancel safe (partial
    /// frames stay in the read buffer); `SinkExt::send` is not (dropped
    /// while waiting for room in the write buffer, it drops its frame
    /// unsent), while `flush` and `close` are.
    ///
    /// ```
    /// use futures::{SinkExt, StreamExt};
    /// use runtime_codec::{Framed, LengthDelimitedCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let (a, b) = runtime_core::io::duplex(1024);
    ///     let mut a = Framed::new(a, LengthDelimitedCodec::new());
    ///     let mut b = Framed::new(b, LengthDelimitedCodec::new());
    ///
    ///     a.send(bytes::Bytes::from_static(b"request")).await.unwrap();
    ///     let frame = b.next().await.unwrap().unwrap();
    ///     assert_eq!(&frame[..], b"request");
    ///
    ///     b.send(frame.freeze()).await.unwrap(); // echo
    ///     assert_eq!(&a.next().await.unwrap().unwrap()[..], b"request");
    /// });
    /// ```
    pub struct Framed<T, U> {
        #[pin]
        inner: T,
        codec: U,
        read: ReadFrame,
        write: WriteFrame,
    }
}

impl<T, U> Framed<T, U> {
    /// Frames `inner` with `codec`, with 8 KiB read and write buffers (the
    /// write buffer's size is also the backpressure boundary).
    ///
    /// ```
    /// use runtime_codec::{Framed, LinesCodec};
    ///
    /// let (io, _peer) = runtime_core::io::duplex(64);
    /// let framed = Framed::new(io, LinesCodec::new());
    /// assert_eq!(framed.backpressure_boundary(), 8 * 1024);
    /// ```
    pub fn new(inner: T, codec: U) -> Framed<T, U> {
        Framed::with_capacity(inner, codec, INITIAL_CAPACITY)
    }

    /// As [`new`](Framed::new), with buffers of `capacity` bytes to start
    /// with and a backpressure boundary of `capacity`.
    ///
    /// ```
    /// use runtime_codec::{Framed, LinesCodec};
    ///
    /// let (io, _peer) = runtime_core::io::duplex(64);
    /// let framed = Framed::with_capacity(io, LinesCodec::new(), 512);
    /// assert_eq!(framed.backpressure_boundary(), 512);
    /// assert!(framed.read_buffer().capacity() >= 512);
    /// ```
    pub fn with_capacity(inner: T, codec: U, capacity: usize) -> Framed<T, U> {
        Framed {
            inner,
            codec,
            read: ReadFrame::with_capacity(capacity),
            write: WriteFrame::with_capacity(capacity),
        }
    }

    /// Puts a `Framed` back together from its parts (e.g. from
    /// [`into_parts`](Framed::into_parts), possibly with another codec).
    /// Bytes in `read_buf` are decoded before anything is read from `io`;
    /// bytes in `write_buf` are written before any new frame. Buffers
    /// smaller than 8 KiB are grown to it.
    ///
    /// ```
    /// use futures::StreamExt;
    /// use runtime_codec::{Framed, FramedParts, LinesCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let (io, _peer) = runtime_core::io::duplex(64);
    ///     let mut parts = FramedParts::new::<String>(io, LinesCodec::new());
    ///     parts.read_buf.extend_from_slice(b"already read\n");
    ///     let mut framed = Framed::from_parts(parts);
    ///     assert_eq!(framed.next().await.unwrap().unwrap(), "already read");
    /// });
    /// ```
    pub fn from_parts(parts: FramedParts<T, U>) -> Framed<T, U> {
        Framed {
            inner: parts.io,
            codec: parts.codec,
            read: ReadFrame::from_buffer(parts.read_buf),
            write: WriteFrame::from_buffer(parts.write_buf),
        }
    }

    /// The underlying transport. Using it directly would bypass the
    /// buffers.
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, Framed};
    ///
    /// let framed = Framed::new(futures::io::Cursor::new(vec![1, 2]), BytesCodec::new());
    /// assert_eq!(framed.get_ref().get_ref(), &[1, 2]);
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The underlying transport, mutably.
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, Framed};
    ///
    /// let mut framed = Framed::new(futures::io::Cursor::new(vec![1, 2]), BytesCodec::new());
    /// framed.get_mut().set_position(1);
    /// assert_eq!(framed.get_ref().position(), 1);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The underlying transport, pinned, from a pinned `Framed`.
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, Framed};
    ///
    /// let mut framed = Framed::new(futures::io::Cursor::new(vec![1, 2]), BytesCodec::new());
    /// let framed = std::pin::Pin::new(&mut framed);
    /// assert_eq!(framed.get_pin_mut().position(), 0);
    /// ```
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut T> {
        self.project().inner
    }

    /// The codec.
    ///
    /// ```
    /// use runtime_codec::{Framed, LinesCodec};
    ///
    /// let (io, _peer) = runtime_core::io::duplex(64);
    /// let framed = Framed::new(io, LinesCodec::new_with_max_length(256));
    /// assert_eq!(framed.codec().max_length(), 256);
    /// ```
    pub fn codec(&self) -> &U {
        &self.codec
    }

    /// The codec, mutably.
    ///
    /// ```
    /// use runtime_codec::{Framed, LengthDelimitedCodec};
    ///
    /// let (io, _peer) = runtime_core::io::duplex(64);
    /// let mut framed = Framed::new(io, LengthDelimitedCodec::new());
    /// framed.codec_mut().set_max_frame_length(4096);
    /// assert_eq!(framed.codec().max_frame_length(), 4096);
    /// ```
    pub fn codec_mut(&mut self) -> &mut U {
        &mut self.codec
    }

    /// Swaps the codec for `map(codec)`, keeping the transport and both
    /// buffers. As in tokio-util this goes through
    /// [`into_parts`](Framed::into_parts) and
    /// [`from_parts`](Framed::from_parts), so the bytes already read are
    /// decoded with the new codec before the next read.
    ///
    /// ```
    /// use futures::StreamExt;
    /// use runtime_codec::{BytesCodec, Framed, LinesCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let (io, mut peer) = runtime_core::io::duplex(64);
    ///     runtime_core::io::AsyncWriteExt::write_all(&mut peer, b"UPGRADE\n\x01\x02").await.unwrap();
    ///     let mut framed = Framed::new(io, LinesCodec::new());
    ///     assert_eq!(framed.next().await.unwrap().unwrap(), "UPGRADE");
    ///     let mut framed = framed.map_codec(|_| BytesCodec::new());
    ///     assert_eq!(&framed.next().await.unwrap().unwrap()[..], [1, 2]);
    /// });
    /// ```
    pub fn map_codec<C, F>(self, map: F) -> Framed<T, C>
    where
        F: FnOnce(U) -> C,
    {
        let parts = self.into_parts();
        Framed::from_parts(FramedParts {
            io: parts.io,
            codec: map(parts.codec),
            read_buf: parts.read_buf,
            write_buf: parts.write_buf,
        })
    }

    /// The codec, mutably, from a pinned `Framed`.
    ///
    /// ```
    /// use runtime_codec::{Framed, LengthDelimitedCodec};
    ///
    /// let (io, _peer) = runtime_core::io::duplex(64);
    /// let mut framed = Framed::new(io, LengthDelimitedCodec::new());
    /// std::pin::Pin::new(&mut framed).codec_pin_mut().set_max_frame_length(8);
    /// assert_eq!(framed.codec().max_frame_length(), 8);
    /// ```
    pub fn codec_pin_mut(self: Pin<&mut Self>) -> &mut U {
        self.project().codec
    }

    /// The bytes read but not yet decoded.
    ///
    /// ```
    /// use runtime_codec::{Framed, LinesCodec};
    ///
    /// let (io, _peer) = runtime_core::io::duplex(64);
    /// let framed = Framed::new(io, LinesCodec::new());
    /// assert!(framed.read_buffer().is_empty());
    /// ```
    pub fn read_buffer(&self) -> &BytesMut {
        &self.read.buffer
    }

    /// The bytes read but not yet decoded, mutably.
    ///
    /// ```
    /// use runtime_codec::{Framed, LinesCodec};
    ///
    /// let (io, _peer) = runtime_core::io::duplex(64);
    /// let mut framed = Framed::new(io, LinesCodec::new());
    /// framed.read_buffer_mut().extend_from_slice(b"partial");
    /// assert_eq!(&framed.read_buffer()[..], b"partial");
    /// ```
    pub fn read_buffer_mut(&mut self) -> &mut BytesMut {
        &mut self.read.buffer
    }

    /// The encoded bytes not yet written.
    ///
    /// ```
    /// use futures::SinkExt;
    /// use runtime_codec::{Framed, LinesCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let (io, _peer) = runtime_core::io::duplex(64);
    ///     let mut framed = Framed::new(io, LinesCodec::new());
    ///     framed.feed("not flushed").await.unwrap();
    ///     assert_eq!(&framed.write_buffer()[..], b"not flushed\n");
    /// });
    /// ```
    pub fn write_buffer(&self) -> &BytesMut {
        &self.write.buffer
    }

    /// The encoded bytes not yet written, mutably.
    ///
    /// ```
    /// use runtime_codec::{Framed, LinesCodec};
    ///
    /// let (io, _peer) = runtime_core::io::duplex(64);
    /// let mut framed = Framed::new(io, LinesCodec::new());
    /// framed.write_buffer_mut().extend_from_slice(b"raw\n");
    /// assert_eq!(framed.write_buffer().len(), 4);
    /// ```
    pub fn write_buffer_mut(&mut self) -> &mut BytesMut {
        &mut self.write.buffer
    }

    /// The write buffer size at which `poll_ready` flushes before
    /// accepting another frame.
    ///
    /// ```
    /// use runtime_codec::{Framed, LinesCodec};
    ///
    /// let (io, _peer) = runtime_core::io::duplex(64);
    /// assert_eq!(Framed::new(io, LinesCodec::new()).backpressure_boundary(), 8192);
    /// ```
    pub fn backpressure_boundary(&self) -> usize {
        self.write.backpressure_boundary
    }

    /// Sets the backpressure boundary.
    ///
    /// ```
    /// use runtime_codec::{Framed, LinesCodec};
    ///
    /// let (io, _peer) = runtime_core::io::duplex(64);
    /// let mut framed = Framed::new(io, LinesCodec::new());
    /// framed.set_backpressure_boundary(64 * 1024);
    /// assert_eq!(framed.backpressure_boundary(), 64 * 1024);
    /// ```
    pub fn set_backpressure_boundary(&mut self, boundary: usize) {
        self.write.backpressure_boundary = boundary;
    }

    /// The underlying transport; buffered bytes in either direction are
    /// dropped (use [`into_parts`](Framed::into_parts) to keep them).
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, Framed};
    ///
    /// let framed = Framed::new(futures::io::Cursor::new(vec![9]), BytesCodec::new());
    /// assert_eq!(framed.into_inner().into_inner(), [9]);
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// Takes the `Framed` apart into the transport, the codec and both
    /// buffers, e.g. to hand the connection to another protocol.
    ///
    /// ```
    /// use futures::SinkExt;
    /// use runtime_codec::{Framed, LinesCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let (io, _peer) = runtime_core::io::duplex(64);
    ///     let mut framed = Framed::new(io, LinesCodec::new());
    ///     framed.feed("unsent").await.unwrap();
    ///     let parts = framed.into_parts();
    ///     assert_eq!(&parts.write_buf[..], b"unsent\n");
    ///     assert!(parts.read_buf.is_empty());
    /// });
    /// ```
    pub fn into_parts(self) -> FramedParts<T, U> {
        FramedParts {
            io: self.inner,
            codec: self.codec,
            read_buf: self.read.buffer,
            write_buf: self.write.buffer,
        }
    }
}

impl<T, U> Stream for Framed<T, U>
where
    T: AsyncRead,
    U: Decoder,
{
    type Item = Result<U::Item, U::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        this.read.poll_next(this.inner, this.codec, cx)
    }
}

impl<T, I, U> Sink<I> for Framed<T, U>
where
    T: AsyncWrite,
    U: Encoder<I>,
{
    type Error = U::Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.project();
        this.write.poll_ready(this.inner, cx).map_err(Into::into)
    }

    fn start_send(self: Pin<&mut Self>, item: I) -> Result<(), Self::Error> {
        let this = self.project();
        this.codec.encode(item, &mut this.write.buffer)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.project();
        this.write.poll_flush(this.inner, cx).map_err(Into::into)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.project();
        this.write.poll_close(this.inner, cx).map_err(Into::into)
    }
}

impl<T: fmt::Debug, U: fmt::Debug> fmt::Debug for Framed<T, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Framed")
            .field("io", &self.inner)
            .field("codec", &self.codec)
            .finish()
    }
}

/// A [`Framed`] taken apart: the transport, the codec and the buffered
/// bytes of each direction, as `tokio_util::codec::FramedParts`.
///
/// The fields are public so that the buffers can be inspected or
/// pre-filled; the struct is `#[non_exhaustive]`, so build one with
/// [`FramedParts::new`] (or [`Framed::into_parts`]).
///
/// ```
/// use runtime_codec::{Framed, FramedParts, LinesCodec};
///
/// let (io, _peer) = runtime_core::io::duplex(64);
/// let parts = Framed::new(io, LinesCodec::new()).into_parts();
/// let FramedParts { codec, read_buf, write_buf, .. } = parts;
/// assert_eq!(codec.max_length(), usize::MAX);
/// assert!(read_buf.is_empty() && write_buf.is_empty());
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct FramedParts<T, U> {
    /// The transport.
    pub io: T,
    /// The codec.
    pub codec: U,
    /// Bytes read from `io` but not yet decoded.
    pub read_buf: BytesMut,
    /// Encoded bytes not yet written to `io`.
    pub write_buf: BytesMut,
}

impl<T, U> FramedParts<T, U> {
    /// Parts with empty buffers. As in tokio-util, the codec must be an
    /// `Encoder<I>` for some item type `I`, which may need naming
    /// (`FramedParts::new::<String>(io, LinesCodec::new())`).
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, Framed, FramedParts};
    ///
    /// let (io, _peer) = runtime_core::io::duplex(64);
    /// let parts = FramedParts::new::<bytes::Bytes>(io, BytesCodec::new());
    /// assert!(parts.read_buf.is_empty());
    /// let framed = Framed::from_parts(parts);
    /// assert!(framed.read_buffer().capacity() >= 8 * 1024);
    /// ```
    pub fn new<I>(io: T, codec: U) -> FramedParts<T, U>
    where
        U: Encoder<I>,
    {
        FramedParts {
            io,
            codec,
            read_buf: BytesMut::new(),
            write_buf: BytesMut::new(),
        }
    }
}
