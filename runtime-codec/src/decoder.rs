//! The [`Decoder`] trait: cutting frames out of the bytes read so far.

use crate::Framed;
use bytes::BytesMut;
use futures_io::{AsyncRead, AsyncWrite};
use std::io;

/// Decodes frames from a buffer of bytes, as `tokio_util::codec::Decoder`.
///
/// [`FramedRead`](crate::FramedRead) (and [`Framed`]) read from the
/// transport into a [`BytesMut`] and call [`decode`](Decoder::decode) on it
/// until it returns `Ok(None)`, then read more. A decoder removes the bytes
/// of each frame it returns from the front of the buffer (e.g. with
/// `split_to` or `advance`) and leaves the rest; when it needs more data
/// it may `reserve` room for the whole frame.
///
/// Once the transport reports end of file, [`decode_eof`](Decoder::decode_eof)
/// is called instead, until it returns `Ok(None)`; then the stream ends.
///
/// An error from either method is yielded by the stream, which then
/// yields `None` (the `Framed*` adapter may be polled again afterwards and
/// resumes reading; a decoder that cannot recover should keep failing).
///
/// ```
/// use bytes::{Buf, BytesMut};
/// use runtime_codec::Decoder;
///
/// /// Big-endian `u16`s.
/// struct U16s;
///
/// impl Decoder for U16s {
///     type Item = u16;
///     type Error = std::io::Error;
///
///     fn decode(&mut self, src: &mut BytesMut) -> Result<Option<u16>, Self::Error> {
///         if src.len() < 2 {
///             return Ok(None);
///         }
///         Ok(Some(src.get_u16()))
///     }
/// }
///
/// let mut buf = BytesMut::from(&[0, 1, 0, 2, 0][..]);
/// assert_eq!(U16s.decode(&mut buf).unwrap(), Some(1));
/// assert_eq!(U16s.decode(&mut buf).unwrap(), Some(2));
/// assert_eq!(U16s.decode(&mut buf).unwrap(), None);
/// // At end of file, the odd byte left over is an error.
/// assert!(U16s.decode_eof(&mut buf).is_err());
/// ```
pub trait Decoder {
    /// The type of the decoded frames.
    ///
    /// ```
    /// use runtime_codec::{Decoder, LinesCodec};
    ///
    /// let _: Option<<LinesCodec as Decoder>::Item> = Some(String::from("a line"));
    /// ```
    type Item;

    /// The error a decode fails with. I/O errors from the transport are
    /// converted into it, hence the `From<io::Error>` bound.
    ///
    /// ```
    /// use runtime_codec::{Decoder, LinesCodec, LinesCodecError};
    ///
    /// let err: <LinesCodec as Decoder>::Error = std::io::Error::other("gone").into();
    /// assert!(matches!(err, LinesCodecError::Io(_)));
    /// ```
    type Error: From<io::Error>;

    /// Decodes a frame from the front of `src`, removing its bytes; returns
    /// `Ok(None)` when `src` does not hold a whole frame yet (more bytes
    /// will be read and `decode` called again with them appended).
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{Decoder, LinesCodec};
    ///
    /// let mut codec = LinesCodec::new();
    /// let mut buf = BytesMut::from("one\ntw");
    /// assert_eq!(codec.decode(&mut buf).unwrap().as_deref(), Some("one"));
    /// assert_eq!(codec.decode(&mut buf).unwrap(), None);
    /// assert_eq!(&buf[..], b"tw");
    /// ```
    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, Self::Error>;

    /// Decodes a frame once the transport has reached end of file; called
    /// repeatedly until it returns `Ok(None)`.
    ///
    /// The default calls [`decode`](Decoder::decode) and, when that finds
    /// no frame but bytes are left in `buf`, fails with an `io::Error`
    /// "bytes remaining on stream" (a truncated frame).
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{BytesCodec, Decoder, LengthDelimitedCodec};
    ///
    /// // A length prefix announcing 4 bytes, then only 2 of them.
    /// let mut buf = BytesMut::from(&[0, 0, 0, 4, b'h', b'i'][..]);
    /// let err = LengthDelimitedCodec::new().decode_eof(&mut buf).unwrap_err();
    /// assert_eq!(err.to_string(), "bytes remaining on stream");
    ///
    /// let mut empty = BytesMut::new();
    /// assert!(BytesCodec::new().decode_eof(&mut empty).unwrap().is_none());
    /// ```
    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Self::Item>, Self::Error> {
        match self.decode(buf)? {
            Some(frame) => Ok(Some(frame)),
            None if buf.is_empty() => Ok(None),
            None => Err(io::Error::other("bytes remaining on stream").into()),
        }
    }

    /// Wraps `io` in a [`Framed`] with this codec (both directions; the
    /// codec also has to be an [`Encoder`](crate::Encoder) for sending).
    ///
    /// ```
    /// use futures::{SinkExt, StreamExt};
    /// use runtime_codec::{Decoder, LinesCodec};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let (a, b) = runtime_core::io::duplex(64);
    ///     let mut a = LinesCodec::new().framed(a);
    ///     let mut b = LinesCodec::new().framed(b);
    ///     a.send("hi").await.unwrap();
    ///     assert_eq!(b.next().await.unwrap().unwrap(), "hi");
    /// });
    /// ```
    fn framed<T: AsyncRead + AsyncWrite + Sized>(self, io: T) -> Framed<T, Self>
    where
        Self: Sized,
    {
        Framed::new(io, self)
    }
}
