//! [`LinesCodec`]: newline-terminated UTF-8 lines, with an optional
//! length limit.

use crate::delimited::{ChunkTooLong, DelimiterSearch};
use crate::{Decoder, Encoder};
use bytes::BytesMut;
use std::{fmt, io, str};

/// Splits a byte stream into lines, as `tokio_util::codec::LinesCodec`.
///
/// Decoding yields each line as a `String` without its `\n` (and without a
/// `\r` just before it, so `\r\n` endings work too). At end of file, a
/// last line without a newline is yielded as well. Lines that are not
/// UTF-8 fail with an `io::Error` of kind `InvalidData` (inside
/// [`LinesCodecError::Io`]).
///
/// Encoding writes the string and a `\n`.
///
/// Without a limit a peer that never sends a newline makes the buffer grow
/// without bound; with [`new_with_max_length`](LinesCodec::new_with_max_length),
/// a line longer than the limit fails with
/// [`LinesCodecError::MaxLineLengthExceeded`], and the codec then drops
/// everything up to the next newline and carries on with the line after
/// it.
///
/// ```
/// use futures::StreamExt;
/// use runtime_codec::{FramedRead, LinesCodec};
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let input: &[u8] = b"GET /\r\nHost: example\r\n\r\n";
///     let mut lines = FramedRead::new(input, LinesCodec::new());
///     assert_eq!(lines.next().await.unwrap().unwrap(), "GET /");
///     assert_eq!(lines.next().await.unwrap().unwrap(), "Host: example");
///     assert_eq!(lines.next().await.unwrap().unwrap(), "");
///     assert!(lines.next().await.is_none());
/// });
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Ord, PartialOrd, Hash)]
pub struct LinesCodec {
    /// The search for the next `\n`.
    search: DelimiterSearch,
}

impl LinesCodec {
    /// A codec with no line length limit.
    ///
    /// ```
    /// use runtime_codec::LinesCodec;
    ///
    /// assert_eq!(LinesCodec::new().max_length(), usize::MAX);
    /// ```
    pub fn new() -> LinesCodec {
        LinesCodec::new_with_max_length(usize::MAX)
    }

    /// A codec that rejects lines longer than `max_length` bytes (not
    /// counting the line ending), so a peer cannot make it buffer without
    /// bound.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{Decoder, LinesCodec, LinesCodecError};
    ///
    /// let mut codec = LinesCodec::new_with_max_length(4);
    /// let mut buf = BytesMut::from("toolong\nok\n");
    /// assert!(matches!(codec.decode(&mut buf), Err(LinesCodecError::MaxLineLengthExceeded)));
    /// // The rest of the long line is skipped; decoding carries on after it.
    /// assert_eq!(codec.decode(&mut buf).unwrap().as_deref(), Some("ok"));
    /// ```
    pub fn new_with_max_length(max_length: usize) -> LinesCodec {
        LinesCodec {
            search: DelimiterSearch::new(max_length),
        }
    }

    /// The line length limit (`usize::MAX` when there is none).
    ///
    /// ```
    /// use runtime_codec::LinesCodec;
    ///
    /// assert_eq!(LinesCodec::new_with_max_length(256).max_length(), 256);
    /// ```
    pub fn max_length(&self) -> usize {
        self.search.max_length()
    }
}

/// `line` as a `String`, without a trailing `\r`.
fn line_to_string(line: &[u8]) -> Result<String, io::Error> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match str::from_utf8(line) {
        Ok(line) => Ok(line.to_owned()),
        Err(_) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "Unable to decode input as UTF8",
        )),
    }
}

impl Decoder for LinesCodec {
    type Item = String;
    type Error = LinesCodecError;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<String>, LinesCodecError> {
        match self.search.next_chunk(buf, |b| b == b'\n') {
            Ok(Some(line)) => Ok(Some(line_to_string(&line[..line.len() - 1])?)),
            Ok(None) => Ok(None),
            Err(ChunkTooLong) => Err(LinesCodecError::MaxLineLengthExceeded),
        }
    }

    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<String>, LinesCodecError> {
        if let Some(line) = self.decode(buf)? {
            return Ok(Some(line));
        }
        self.search.restart();
        // A last line without a newline (a lone `\r` is not a line).
        if buf.is_empty() || &buf[..] == b"\r" {
            return Ok(None);
        }
        let line = buf.split();
        Ok(Some(line_to_string(&line)?))
    }
}

impl<T: AsRef<str>> Encoder<T> for LinesCodec {
    type Error = LinesCodecError;

    fn encode(&mut self, line: T, buf: &mut BytesMut) -> Result<(), LinesCodecError> {
        let line = line.as_ref();
        buf.reserve(line.len() + 1);
        buf.extend_from_slice(line.as_bytes());
        buf.extend_from_slice(b"\n");
        Ok(())
    }
}

impl Default for LinesCodec {
    fn default() -> Self {
        LinesCodec::new()
    }
}

/// The errors of [`LinesCodec`], as `tokio_util::codec::LinesCodecError`.
///
/// ```
/// use runtime_codec::LinesCodecError;
///
/// let err = LinesCodecError::MaxLineLengthExceeded;
/// assert_eq!(err.to_string(), "max line length exceeded");
/// let io: LinesCodecError = std::io::Error::other("reset").into();
/// assert_eq!(io.to_string(), "reset");
/// ```
#[derive(Debug)]
pub enum LinesCodecError {
    /// A line was longer than the codec's
    /// [`max_length`](LinesCodec::max_length). The codec skips the rest
    /// of it, so decoding may go on.
    MaxLineLengthExceeded,
    /// An I/O error: from the transport, or a line that is not UTF-8
    /// (kind `InvalidData`).
    Io(io::Error),
}

impl fmt::Display for LinesCodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinesCodecError::MaxLineLengthExceeded => f.write_str("max line length exceeded"),
            LinesCodecError::Io(err) => fmt::Display::fmt(err, f),
        }
    }
}

impl From<io::Error> for LinesCodecError {
    fn from(err: io::Error) -> LinesCodecError {
        LinesCodecError::Io(err)
    }
}

impl std::error::Error for LinesCodecError {}
