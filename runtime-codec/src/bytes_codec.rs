//! [`BytesCodec`]: raw bytes, no framing.

use crate::{Decoder, Encoder};
use bytes::{Bytes, BytesMut};
use std::io;

/// Passes bytes through unchanged, as `tokio_util::codec::BytesCodec`:
/// decoding yields whatever has been read so far as one [`BytesMut`],
/// encoding appends a [`Bytes`] or `BytesMut` as is.
///
/// ```
/// use futures::{SinkExt, StreamExt};
/// use runtime_codec::{BytesCodec, FramedRead, FramedWrite};
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let mut sink = FramedWrite::new(Vec::<u8>::new(), BytesCodec::new());
///     sink.send(bytes::Bytes::from_static(b"abc")).await.unwrap();
///     sink.send(bytes::BytesMut::from("def")).await.unwrap();
///     let written = sink.into_inner();
///
///     let mut stream = FramedRead::new(&written[..], BytesCodec::new());
///     assert_eq!(&stream.next().await.unwrap().unwrap()[..], b"abcdef");
///     assert!(stream.next().await.is_none());
/// });
/// ```
#[derive(Copy, Clone, Debug, Eq, PartialEq, Ord, PartialOrd, Hash, Default)]
pub struct BytesCodec(());

impl BytesCodec {
    /// A `BytesCodec`.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{BytesCodec, Decoder};
    ///
    /// let mut buf = BytesMut::from("chunk");
    /// let chunk = BytesCodec::new().decode(&mut buf).unwrap().unwrap();
    /// assert_eq!(&chunk[..], b"chunk");
    /// assert!(buf.is_empty());
    /// ```
    pub fn new() -> BytesCodec {
        BytesCodec(())
    }
}

impl Decoder for BytesCodec {
    type Item = BytesMut;
    type Error = io::Error;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<BytesMut>, io::Error> {
        if buf.is_empty() {
            Ok(None)
        } else {
            Ok(Some(buf.split()))
        }
    }
}

impl Encoder<Bytes> for BytesCodec {
    type Error = io::Error;

    fn encode(&mut self, data: Bytes, buf: &mut BytesMut) -> Result<(), io::Error> {
        buf.extend_from_slice(&data);
        Ok(())
    }
}

impl Encoder<BytesMut> for BytesCodec {
    type Error = io::Error;

    fn encode(&mut self, data: BytesMut, buf: &mut BytesMut) -> Result<(), io::Error> {
        buf.extend_from_slice(&data);
        Ok(())
    }
}
