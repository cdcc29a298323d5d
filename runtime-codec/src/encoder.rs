//! The [`Encoder`] trait: writing frames into the outgoing buffer.

use bytes::BytesMut;
use std::io;

/// Encodes frames of type `Item` into a buffer of bytes, as
/// `tokio_util::codec::Encoder`.
///
/// [`FramedWrite`](crate::FramedWrite) (and [`Framed`](crate::Framed))
/// call [`encode`](Encoder::encode) for every item sent, appending to their
/// write buffer, and write that buffer to the transport when flushed or
/// when it passes the backpressure boundary.
///
/// ```
/// use bytes::{BufMut, BytesMut};
/// use runtime_codec::Encoder;
///
/// /// Big-endian `u16`s.
/// struct U16s;
///
/// impl Encoder<u16> for U16s {
///     type Error = std::io::Error;
///
///     fn encode(&mut self, item: u16, dst: &mut BytesMut) -> Result<(), Self::Error> {
///         dst.put_u16(item);
///         Ok(())
///     }
/// }
///
/// let mut buf = BytesMut::new();
/// U16s.encode(1, &mut buf).unwrap();
/// U16s.encode(0x0203, &mut buf).unwrap();
/// assert_eq!(&buf[..], [0, 1, 2, 3]);
/// ```
pub trait Encoder<Item> {
    /// The error an encode fails with; the transport's I/O errors are
    /// converted into it too.
    ///
    /// ```
    /// use runtime_codec::{BytesCodec, Encoder};
    ///
    /// // `BytesCodec` fails with plain `io::Error`s.
    /// fn io_errors<E: Encoder<bytes::Bytes, Error = std::io::Error>>(_: &E) {}
    /// io_errors(&BytesCodec::new());
    ///
    /// let err: <BytesCodec as Encoder<bytes::Bytes>>::Error = std::io::Error::other("x");
    /// assert_eq!(err.to_string(), "x");
    /// ```
    type Error: From<io::Error>;

    /// Appends the encoding of `item` to `dst`.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{Encoder, LinesCodec};
    ///
    /// let mut buf = BytesMut::new();
    /// LinesCodec::new().encode("hello", &mut buf).unwrap();
    /// assert_eq!(&buf[..], b"hello\n");
    /// ```
    fn encode(&mut self, item: Item, dst: &mut BytesMut) -> Result<(), Self::Error>;
}
