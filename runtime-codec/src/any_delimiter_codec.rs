//! [`AnyDelimiterCodec`]: chunks separated by any of a set of delimiter
//! bytes, with an optional length limit.

use crate::delimited::{ChunkTooLong, DelimiterSearch};
use crate::{Decoder, Encoder};
use bytes::{Bytes, BytesMut};
use std::{fmt, io};

/// The delimiters of [`AnyDelimiterCodec::default`].
const DEFAULT_SEEK_DELIMITERS: &[u8] = b",;\n\r";
/// What [`AnyDelimiterCodec::default`] writes after each chunk.
const DEFAULT_SEQUENCE_WRITER: &[u8] = b",";

/// Splits a byte stream into chunks that end at any one of a set of
/// delimiter bytes, as `tokio_util::codec::AnyDelimiterCodec`.
///
/// Decoding yields each chunk as [`Bytes`], without its delimiter; at end
/// of file, a last chunk without a delimiter is yielded as well. Encoding
/// writes the string followed by the `sequence_writer` bytes. The
/// [`Default`] codec splits at `,`, `;`, `\n` and `\r` and writes `,`.
///
/// With [`new_with_max_length`](AnyDelimiterCodec::new_with_max_length), a
/// chunk longer than the limit fails with
/// [`AnyDelimiterCodecError::MaxChunkLengthExceeded`]; the codec then
/// drops everything up to the next delimiter and carries on after it.
///
/// ```
/// use futures::StreamExt;
/// use runtime_codec::{AnyDelimiterCodec, FramedRead};
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let input: &[u8] = b"a,b;c";
///     let codec = AnyDelimiterCodec::new(b",;".to_vec(), b";".to_vec());
///     let chunks: Vec<_> = FramedRead::new(input, codec)
///         .map(|chunk| chunk.unwrap())
///         .collect()
///         .await;
///     assert_eq!(chunks, ["a", "b", "c"]);
/// });
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Ord, PartialOrd, Hash)]
pub struct AnyDelimiterCodec {
    /// The search for the next delimiter.
    search: DelimiterSearch,
    seek_delimiters: Vec<u8>,
    sequence_writer: Vec<u8>,
}

impl AnyDelimiterCodec {
    /// A codec that splits at any byte of `seek_delimiters` and writes
    /// `sequence_writer` after each encoded chunk, with no length limit.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{AnyDelimiterCodec, Decoder, Encoder};
    ///
    /// let mut codec = AnyDelimiterCodec::new(b"|".to_vec(), b"|".to_vec());
    /// let mut buf = BytesMut::new();
    /// codec.encode("x", &mut buf).unwrap();
    /// codec.encode("y", &mut buf).unwrap();
    /// assert_eq!(&buf[..], b"x|y|");
    /// assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "x");
    /// ```
    pub fn new(seek_delimiters: Vec<u8>, sequence_writer: Vec<u8>) -> AnyDelimiterCodec {
        AnyDelimiterCodec::new_with_max_length(seek_delimiters, sequence_writer, usize::MAX)
    }

    /// As [`new`](AnyDelimiterCodec::new), rejecting chunks longer than
    /// `max_length` bytes.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{AnyDelimiterCodec, AnyDelimiterCodecError, Decoder};
    ///
    /// let mut codec = AnyDelimiterCodec::new_with_max_length(b",".to_vec(), b",".to_vec(), 3);
    /// let mut buf = BytesMut::from("abcdef,ok,");
    /// assert!(matches!(
    ///     codec.decode(&mut buf),
    ///     Err(AnyDelimiterCodecError::MaxChunkLengthExceeded)
    /// ));
    /// assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "ok");
    /// ```
    pub fn new_with_max_length(
        seek_delimiters: Vec<u8>,
        sequence_writer: Vec<u8>,
        max_length: usize,
    ) -> AnyDelimiterCodec {
        AnyDelimiterCodec {
            search: DelimiterSearch::new(max_length),
            seek_delimiters,
            sequence_writer,
        }
    }

    /// The chunk length limit (`usize::MAX` when there is none).
    ///
    /// ```
    /// use runtime_codec::AnyDelimiterCodec;
    ///
    /// assert_eq!(AnyDelimiterCodec::default().max_length(), usize::MAX);
    /// ```
    pub fn max_length(&self) -> usize {
        self.search.max_length()
    }
}

impl Decoder for AnyDelimiterCodec {
    type Item = Bytes;
    type Error = AnyDelimiterCodecError;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Bytes>, AnyDelimiterCodecError> {
        let delimiters = &self.seek_delimiters;
        match self.search.next_chunk(buf, |b| delimiters.contains(&b)) {
            Ok(Some(mut chunk)) => {
                chunk.truncate(chunk.len() - 1);
                Ok(Some(chunk.freeze()))
            }
            Ok(None) => Ok(None),
            Err(ChunkTooLong) => Err(AnyDelimiterCodecError::MaxChunkLengthExceeded),
        }
    }

    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Bytes>, AnyDelimiterCodecError> {
        if let Some(chunk) = self.decode(buf)? {
            return Ok(Some(chunk));
        }
        if buf.is_empty() {
            return Ok(None);
        }
        self.search.restart();
        Ok(Some(buf.split().freeze()))
    }
}

impl<T: AsRef<str>> Encoder<T> for AnyDelimiterCodec {
    type Error = AnyDelimiterCodecError;

    fn encode(&mut self, chunk: T, buf: &mut BytesMut) -> Result<(), AnyDelimiterCodecError> {
        let chunk = chunk.as_ref();
        buf.reserve(chunk.len() + self.sequence_writer.len());
        buf.extend_from_slice(chunk.as_bytes());
        buf.extend_from_slice(&self.sequence_writer);
        Ok(())
    }
}

impl Default for AnyDelimiterCodec {
    fn default() -> Self {
        AnyDelimiterCodec::new(
            DEFAULT_SEEK_DELIMITERS.to_vec(),
            DEFAULT_SEQUENCE_WRITER.to_vec(),
        )
    }
}

/// The errors of [`AnyDelimiterCodec`], as
/// `tokio_util::codec::AnyDelimiterCodecError`.
///
/// ```
/// use runtime_codec::AnyDelimiterCodecError;
///
/// let err = AnyDelimiterCodecError::MaxChunkLengthExceeded;
/// assert_eq!(err.to_string(), "max chunk length exceeded");
/// ```
#[derive(Debug)]
pub enum AnyDelimiterCodecError {
    /// A chunk was longer than the codec's
    /// [`max_length`](AnyDelimiterCodec::max_length); the codec skips the
    /// rest of it, so decoding may go on.
    MaxChunkLengthExceeded,
    /// An I/O error from the transport.
    Io(io::Error),
}

impl fmt::Display for AnyDelimiterCodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnyDelimiterCodecError::MaxChunkLengthExceeded => {
                f.write_str("max chunk length exceeded")
            }
            AnyDelimiterCodecError::Io(err) => fmt::Display::fmt(err, f),
        }
    }
}

impl From<io::Error> for AnyDelimiterCodecError {
    fn from(err: io::Error) -> AnyDelimiterCodecError {
        AnyDelimiterCodecError::Io(err)
    }
}

impl std::error::Error for AnyDelimiterCodecError {}
