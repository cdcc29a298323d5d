//! Frames prefixed by their length: [`LengthDelimitedCodec`] and its
//! [`Builder`], as `tokio_util::codec::length_delimited`.
//!
//! The default codec reads and writes a 4-byte big-endian length, then
//! that many bytes of payload, and refuses frames over 8 MiB:
//!
//! ```text
//! +----------+--------------------------------+
//! | len: u32 |          frame payload         |
//! +----------+--------------------------------+
//! ```
//!
//! The [`Builder`] describes other headers, so that existing protocols can
//! be read without writing a decoder:
//!
//! - [`length_field_offset`](Builder::length_field_offset): header bytes
//!   before the length field;
//! - [`length_field_length`](Builder::length_field_length) (or
//!   [`length_field_type`](Builder::length_field_type)): the field's size,
//!   1 to 8 bytes;
//! - [`big_endian`](Builder::big_endian) (the default),
//!   [`little_endian`](Builder::little_endian),
//!   [`native_endian`](Builder::native_endian): its byte order;
//! - [`num_skip`](Builder::num_skip): how many bytes from the start of the
//!   frame to drop before the yielded frame starts (by default the whole
//!   header, `length_field_offset + length_field_length`; 0 keeps the
//!   header in each frame);
//! - [`length_adjustment`](Builder::length_adjustment): added to the
//!   field's value to get the length of the yielded frame, the bytes taken
//!   after the skipped ones (negative when the length counts header bytes
//!   that are skipped, positive when it leaves out header bytes that are
//!   kept);
//! - [`max_frame_length`](Builder::max_frame_length): the largest length
//!   accepted (8 MiB by default), checked as soon as the header is read,
//!   before room for the payload is reserved.
//!
//! Decoding yields each frame as a [`BytesMut`]; the codec encodes
//! [`Bytes`] and `&[u8]` payloads (with the offset bytes, if any, left out:
//! only `length_field_length` bytes of length then the payload are
//! written).
//!
//! A header of a 2-byte type tag and a 2-byte length that counts the
//! whole frame, header included:
//!
//! ```
//! use bytes::BytesMut;
//! use runtime_codec::length_delimited::LengthDelimitedCodec;
//! use runtime_codec::Decoder;
//!
//! let wire = &b"\xCA\xFE\x00\x07hey\xCA\xFE\x00\x04"[..];
//!
//! // Payloads only: skip the 4 header bytes, which the length counts.
//! let mut payloads = LengthDelimitedCodec::builder()
//!     .length_field_offset(2) // the tag
//!     .length_field_type::<u16>()
//!     .length_adjustment(-4)
//!     .new_codec();
//! let mut buf = BytesMut::from(wire);
//! assert_eq!(&payloads.decode(&mut buf).unwrap().unwrap()[..], b"hey");
//! assert_eq!(&payloads.decode(&mut buf).unwrap().unwrap()[..], b""); // empty payload
//!
//! // Whole frames: skip nothing, the length is the frame's as it is.
//! let mut frames = LengthDelimitedCodec::builder()
//!     .length_field_offset(2)
//!     .length_field_type::<u16>()
//!     .num_skip(0)
//!     .new_codec();
//! let mut buf = BytesMut::from(wire);
//! assert_eq!(&frames.decode(&mut buf).unwrap().unwrap()[..], b"\xCA\xFE\x00\x07hey");
//! assert_eq!(&frames.decode(&mut buf).unwrap().unwrap()[..], b"\xCA\xFE\x00\x04");
//! ```

use crate::{Decoder, Encoder, Framed, FramedRead, FramedWrite};
use bytes::{Buf, BufMut, Bytes, BytesMut};
use futures_io::{AsyncRead, AsyncWrite};
use std::error::Error as StdError;
use std::{fmt, io, mem};

/// Configures a [`LengthDelimitedCodec`] (see the [module](self) for what
/// each setting means), as `tokio_util::codec::length_delimited::Builder`.
///
/// The setters take and return `&mut Self`, so they chain from
/// [`Builder::new`] or [`LengthDelimitedCodec::builder`] to one of the
/// `new_*` constructors.
///
/// ```
/// use futures::StreamExt;
/// use runtime_codec::length_delimited::Builder;
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     // A one-byte little-endian... one-byte length, then the payload.
///     let input: &[u8] = b"\x02hi\x03you";
///     let mut frames = Builder::new().length_field_length(1).new_read(input);
///     assert_eq!(&frames.next().await.unwrap().unwrap()[..], b"hi");
///     assert_eq!(&frames.next().await.unwrap().unwrap()[..], b"you");
///     assert!(frames.next().await.is_none());
/// });
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Builder {
    max_frame_len: usize,
    length_field_len: usize,
    length_field_offset: usize,
    length_adjustment: isize,
    /// `None`: skip the whole header (`length_field_offset + length_field_len`).
    num_skip: Option<usize>,
    length_field_is_big_endian: bool,
}

/// The error a [`LengthDelimitedCodec`] reports (inside an `io::Error`)
/// for a frame longer than its
/// [`max_frame_length`](LengthDelimitedCodec::max_frame_length): on
/// decode the `io::Error`'s kind is `InvalidData`, on encode
/// `InvalidInput`.
///
/// ```
/// use bytes::BytesMut;
/// use runtime_codec::{Decoder, LengthDelimitedCodec, LengthDelimitedCodecError};
///
/// let mut codec = LengthDelimitedCodec::builder().max_frame_length(4).new_codec();
/// let mut buf = BytesMut::from(&[0, 0, 0, 5][..]);
/// let err = codec.decode(&mut buf).unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
/// let inner = err.get_ref().unwrap();
/// assert!(inner.is::<LengthDelimitedCodecError>());
/// assert_eq!(inner.to_string(), "frame size too big");
/// ```
pub struct LengthDelimitedCodecError {
    _priv: (),
}

/// Frames with a length prefix, as
/// `tokio_util::codec::LengthDelimitedCodec`: by default a 4-byte
/// big-endian length then the payload, at most 8 MiB; see the
/// [module](self) and [`Builder`] for other layouts.
///
/// Decoding yields the payload as a [`BytesMut`], reserving room for a
/// whole frame as soon as its length is known; encoding takes [`Bytes`] or
/// `&[u8]`.
///
/// ```
/// use futures::{SinkExt, StreamExt};
/// use runtime_codec::{FramedRead, FramedWrite, LengthDelimitedCodec};
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let mut out = FramedWrite::new(Vec::<u8>::new(), LengthDelimitedCodec::new());
///     out.send(bytes::Bytes::from_static(b"hello")).await.unwrap();
///     let wire = out.into_inner();
///     assert_eq!(wire, b"\x00\x00\x00\x05hello");
///
///     let mut frames = FramedRead::new(&wire[..], LengthDelimitedCodec::new());
///     assert_eq!(&frames.next().await.unwrap().unwrap()[..], b"hello");
/// });
/// ```
#[derive(Debug, Clone)]
pub struct LengthDelimitedCodec {
    builder: Builder,
    state: DecodeState,
}

/// Where the decoder is within a frame.
#[derive(Debug, Clone, Copy)]
enum DecodeState {
    /// Waiting for a whole header.
    Head,
    /// The header was consumed; waiting for this many payload bytes.
    Data(usize),
}

impl LengthDelimitedCodec {
    /// A codec with the default settings: a 4-byte big-endian length
    /// field at offset 0, no adjustment, frames up to 8 MiB.
    ///
    /// ```
    /// use runtime_codec::LengthDelimitedCodec;
    ///
    /// assert_eq!(LengthDelimitedCodec::new().max_frame_length(), 8 * 1024 * 1024);
    /// ```
    pub fn new() -> LengthDelimitedCodec {
        LengthDelimitedCodec {
            builder: Builder::new(),
            state: DecodeState::Head,
        }
    }

    /// A [`Builder`] with the default settings.
    ///
    /// ```
    /// use runtime_codec::LengthDelimitedCodec;
    ///
    /// let codec = LengthDelimitedCodec::builder().max_frame_length(1024).new_codec();
    /// assert_eq!(codec.max_frame_length(), 1024);
    /// ```
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// The largest frame length accepted.
    ///
    /// ```
    /// use runtime_codec::LengthDelimitedCodec;
    ///
    /// // A 1-byte length field cannot express more than 255.
    /// let codec = LengthDelimitedCodec::builder().length_field_length(1).new_codec();
    /// assert_eq!(codec.max_frame_length(), 255);
    /// ```
    pub fn max_frame_length(&self) -> usize {
        self.builder.max_frame_len
    }

    /// Changes the largest frame length accepted, capped at what the
    /// length field can express. A frame whose header was already decoded
    /// is not checked again.
    ///
    /// ```
    /// use runtime_codec::LengthDelimitedCodec;
    ///
    /// let mut codec = LengthDelimitedCodec::builder().length_field_length(2).new_codec();
    /// codec.set_max_frame_length(1 << 20);
    /// assert_eq!(codec.max_frame_length(), 65535);
    /// ```
    pub fn set_max_frame_length(&mut self, val: usize) {
        self.builder.max_frame_length(val);
        self.builder.cap_max_frame_len();
    }

    /// Decodes a header: the payload length, once enough bytes are there.
    fn decode_head(&mut self, src: &mut BytesMut) -> io::Result<Option<usize>> {
        let builder = &self.builder;
        if src.len() < builder.num_head_bytes() {
            return Ok(None);
        }

        let mut field = &src[builder.length_field_offset..];
        let raw = if builder.length_field_is_big_endian {
            field.get_uint(builder.length_field_len)
        } else {
            field.get_uint_le(builder.length_field_len)
        };
        if raw > builder.max_frame_len as u64 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                LengthDelimitedCodecError { _priv: () },
            ));
        }
        // `raw <= max_frame_len`, a `usize`, so the cast is lossless.
        let raw = raw as usize;
        let adjustment = builder.length_adjustment;
        let len = if adjustment < 0 {
            raw.checked_sub(adjustment.unsigned_abs())
        } else {
            raw.checked_add(adjustment.unsigned_abs())
        }
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "provided length would overflow after adjustment",
            )
        })?;

        src.advance(builder.get_num_skip());
        // Room for the whole payload, so that it is read without regrowing.
        src.reserve(len.saturating_sub(src.len()));
        Ok(Some(len))
    }
}

impl Decoder for LengthDelimitedCodec {
    type Item = BytesMut;
    type Error = io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> io::Result<Option<BytesMut>> {
        let len = match self.state {
            DecodeState::Data(len) => len,
            DecodeState::Head => match self.decode_head(src)? {
                Some(len) => {
                    self.state = DecodeState::Data(len);
                    len
                }
                None => return Ok(None),
            },
        };
        if src.len() < len {
            return Ok(None);
        }
        let frame = src.split_to(len);
        self.state = DecodeState::Head;
        // Room for the next header.
        src.reserve(self.builder.num_head_bytes().saturating_sub(src.len()));
        Ok(Some(frame))
    }
}

impl Encoder<&[u8]> for LengthDelimitedCodec {
    type Error = io::Error;

    fn encode(&mut self, data: &[u8], dst: &mut BytesMut) -> Result<(), io::Error> {
        let len = data.len();
        if len > self.builder.max_frame_len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                LengthDelimitedCodecError { _priv: () },
            ));
        }
        // The field holds the length minus the adjustment (the reverse of
        // decoding).
        let adjustment = self.builder.length_adjustment;
        let field = if adjustment < 0 {
            len.checked_add(adjustment.unsigned_abs())
        } else {
            len.checked_sub(adjustment.unsigned_abs())
        }
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "provided length would overflow after adjustment",
            )
        })?;

        dst.reserve(self.builder.length_field_len + len);
        if self.builder.length_field_is_big_endian {
            dst.put_uint(field as u64, self.builder.length_field_len);
        } else {
            dst.put_uint_le(field as u64, self.builder.length_field_len);
        }
        dst.extend_from_slice(data);
        Ok(())
    }
}

impl Encoder<Bytes> for LengthDelimitedCodec {
    type Error = io::Error;

    fn encode(&mut self, data: Bytes, dst: &mut BytesMut) -> Result<(), io::Error> {
        Encoder::<&[u8]>::encode(self, &data, dst)
    }
}

impl Default for LengthDelimitedCodec {
    fn default() -> Self {
        LengthDelimitedCodec::new()
    }
}

mod sealed {
    /// The integer types [`Builder::length_field_type`](super::Builder::length_field_type)
    /// accepts; sealed, as in tokio-util.
    pub trait LengthFieldType {}

    impl LengthFieldType for u8 {}
    impl LengthFieldType for u16 {}
    impl LengthFieldType for u32 {}
    impl LengthFieldType for u64 {}
    impl LengthFieldType for usize {}
}

impl Builder {
    /// The default settings: a 4-byte big-endian length field at offset 0,
    /// no adjustment, the whole header skipped, frames up to 8 MiB.
    ///
    /// ```
    /// use runtime_codec::length_delimited::Builder;
    ///
    /// let codec = Builder::new().new_codec();
    /// assert_eq!(codec.max_frame_length(), 8 * 1024 * 1024);
    /// ```
    pub fn new() -> Builder {
        Builder {
            max_frame_len: 8 * 1024 * 1024,
            length_field_len: 4,
            length_field_offset: 0,
            length_adjustment: 0,
            num_skip: None,
            length_field_is_big_endian: true,
        }
    }

    /// Reads and writes the length field in big-endian (network) byte
    /// order, the default.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{length_delimited::Builder, Encoder};
    ///
    /// let mut buf = BytesMut::new();
    /// let mut codec = Builder::new().length_field_length(2).big_endian().new_codec();
    /// codec.encode(&b"abc"[..], &mut buf).unwrap();
    /// assert_eq!(&buf[..], b"\x00\x03abc");
    /// ```
    pub fn big_endian(&mut self) -> &mut Self {
        self.length_field_is_big_endian = true;
        self
    }

    /// Reads and writes the length field in little-endian byte order.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{length_delimited::Builder, Encoder};
    ///
    /// let mut buf = BytesMut::new();
    /// let mut codec = Builder::new().length_field_length(2).little_endian().new_codec();
    /// codec.encode(&b"abc"[..], &mut buf).unwrap();
    /// assert_eq!(&buf[..], b"\x03\x00abc");
    /// ```
    pub fn little_endian(&mut self) -> &mut Self {
        self.length_field_is_big_endian = false;
        self
    }

    /// Reads and writes the length field in the byte order of the target
    /// machine.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{length_delimited::Builder, Encoder};
    ///
    /// let mut buf = BytesMut::new();
    /// let mut codec = Builder::new().length_field_type::<u16>().native_endian().new_codec();
    /// codec.encode(&b"abc"[..], &mut buf).unwrap();
    /// assert_eq!(&buf[..2], 3u16.to_ne_bytes());
    /// ```
    pub fn native_endian(&mut self) -> &mut Self {
        if cfg!(target_endian = "big") {
            self.big_endian()
        } else {
            self.little_endian()
        }
    }

    /// The largest frame length accepted (8 MiB by default). When
    /// decoding, the length field's value (before the
    /// [`length_adjustment`](Builder::length_adjustment)) is checked as
    /// soon as the header is in: above the maximum is an `InvalidData`
    /// error, before room for the payload is reserved, so a peer cannot
    /// make the reader allocate a huge buffer. When encoding, a payload
    /// longer than the maximum is an `InvalidInput` error. The codec caps
    /// the maximum at what the length field can express.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{length_delimited::Builder, Decoder};
    ///
    /// let mut codec = Builder::new().max_frame_length(3).new_codec();
    /// let mut buf = BytesMut::from(&b"\x00\x00\x00\x04abcd"[..]);
    /// assert!(codec.decode(&mut buf).is_err());
    /// ```
    pub fn max_frame_length(&mut self, val: usize) -> &mut Self {
        self.max_frame_len = val;
        self
    }

    /// The length field's size as that of an unsigned integer type: `u8`,
    /// `u16`, `u32`, `u64` or `usize`.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{length_delimited::Builder, Encoder};
    ///
    /// let mut buf = BytesMut::new();
    /// let mut codec = Builder::new().length_field_type::<u8>().new_codec();
    /// codec.encode(&b"hi"[..], &mut buf).unwrap();
    /// assert_eq!(&buf[..], b"\x02hi");
    /// ```
    pub fn length_field_type<T: sealed::LengthFieldType>(&mut self) -> &mut Self {
        self.length_field_length(mem::size_of::<T>())
    }

    /// The length field's size in bytes (4 by default).
    ///
    /// # Panics
    ///
    /// If `val` is not between 1 and 8.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{length_delimited::Builder, Encoder};
    ///
    /// let mut buf = BytesMut::new();
    /// let mut codec = Builder::new().length_field_length(3).new_codec();
    /// codec.encode(&b"hi"[..], &mut buf).unwrap();
    /// assert_eq!(&buf[..], b"\x00\x00\x02hi");
    /// ```
    pub fn length_field_length(&mut self, val: usize) -> &mut Self {
        assert!(val > 0 && val <= 8, "invalid length field length");
        self.length_field_len = val;
        self
    }

    /// How many header bytes come before the length field (0 by default).
    /// They are read over (and skipped, with the default
    /// [`num_skip`](Builder::num_skip)) when decoding; encoding does not
    /// write them.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{length_delimited::Builder, Decoder};
    ///
    /// let mut codec = Builder::new().length_field_offset(1).length_field_length(1).new_codec();
    /// let mut buf = BytesMut::from(&b"\x7f\x03abc"[..]);
    /// assert_eq!(&codec.decode(&mut buf).unwrap().unwrap()[..], b"abc");
    /// ```
    pub fn length_field_offset(&mut self, val: usize) -> &mut Self {
        self.length_field_offset = val;
        self
    }

    /// Added to the length field's value to get the length of the yielded
    /// frame, the bytes taken after the [`num_skip`](Builder::num_skip)
    /// skipped ones (0 by default); encoding subtracts it from the
    /// payload's length. Negative when the length counts header bytes that
    /// are skipped, positive when it leaves out header bytes that are kept.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{length_delimited::Builder, Decoder, Encoder};
    ///
    /// // The 2-byte length counts itself.
    /// let mut codec = Builder::new().length_field_length(2).length_adjustment(-2).new_codec();
    /// let mut buf = BytesMut::new();
    /// codec.encode(&b"abc"[..], &mut buf).unwrap();
    /// assert_eq!(&buf[..], b"\x00\x05abc");
    /// assert_eq!(&codec.decode(&mut buf).unwrap().unwrap()[..], b"abc");
    /// ```
    pub fn length_adjustment(&mut self, val: isize) -> &mut Self {
        self.length_adjustment = val;
        self
    }

    /// How many bytes from the start of the frame to drop before the
    /// yielded frame starts; by default the whole header
    /// (`length_field_offset + length_field_length`). With 0 the header
    /// stays in each frame (adjust the length to cover it).
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use runtime_codec::{length_delimited::Builder, Decoder};
    ///
    /// let mut codec = Builder::new()
    ///     .length_field_length(1)
    ///     .length_adjustment(1) // the frame is the length byte and 2 more
    ///     .num_skip(0)
    ///     .new_codec();
    /// let mut buf = BytesMut::from(&b"\x02ab"[..]);
    /// assert_eq!(&codec.decode(&mut buf).unwrap().unwrap()[..], b"\x02ab");
    /// ```
    pub fn num_skip(&mut self, val: usize) -> &mut Self {
        self.num_skip = Some(val);
        self
    }

    /// A [`LengthDelimitedCodec`] with these settings (the maximum frame
    /// length capped at what the length field can express).
    ///
    /// ```
    /// use runtime_codec::length_delimited::Builder;
    ///
    /// let codec = Builder::new().length_field_length(1).max_frame_length(1000).new_codec();
    /// assert_eq!(codec.max_frame_length(), 255);
    /// ```
    pub fn new_codec(&self) -> LengthDelimitedCodec {
        let mut builder = *self;
        builder.cap_max_frame_len();
        LengthDelimitedCodec {
            builder,
            state: DecodeState::Head,
        }
    }

    /// A [`FramedRead`] of `upstream` with a codec of these settings.
    ///
    /// ```
    /// use futures::StreamExt;
    /// use runtime_codec::length_delimited::Builder;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut frames = Builder::new().little_endian().new_read(&b"\x01\x00\x00\x00!"[..]);
    ///     assert_eq!(&frames.next().await.unwrap().unwrap()[..], b"!");
    /// });
    /// ```
    pub fn new_read<T>(&self, upstream: T) -> FramedRead<T, LengthDelimitedCodec>
    where
        T: AsyncRead,
    {
        FramedRead::new(upstream, self.new_codec())
    }

    /// A [`FramedWrite`] to `inner` with a codec of these settings.
    ///
    /// ```
    /// use futures::SinkExt;
    /// use runtime_codec::length_delimited::Builder;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut out = Builder::new().length_field_type::<u16>().new_write(Vec::<u8>::new());
    ///     out.send(bytes::Bytes::from_static(b"ok")).await.unwrap();
    ///     assert_eq!(out.get_ref(), b"\x00\x02ok");
    /// });
    /// ```
    pub fn new_write<T>(&self, inner: T) -> FramedWrite<T, LengthDelimitedCodec>
    where
        T: AsyncWrite,
    {
        FramedWrite::new(inner, self.new_codec())
    }

    /// A [`Framed`] over `inner` with a codec of these settings.
    ///
    /// ```
    /// use futures::{SinkExt, StreamExt};
    /// use runtime_codec::length_delimited::Builder;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let (a, b) = runtime_core::io::duplex(64);
    ///     let mut a = Builder::new().length_field_type::<u8>().new_framed(a);
    ///     let mut b = Builder::new().length_field_type::<u8>().new_framed(b);
    ///     a.send(bytes::Bytes::from_static(b"hi")).await.unwrap();
    ///     assert_eq!(&b.next().await.unwrap().unwrap()[..], b"hi");
    /// });
    /// ```
    pub fn new_framed<T>(&self, inner: T) -> Framed<T, LengthDelimitedCodec>
    where
        T: AsyncRead + AsyncWrite,
    {
        Framed::new(inner, self.new_codec())
    }

    /// The bytes needed before a header can be decoded.
    fn num_head_bytes(&self) -> usize {
        let through_field = self.length_field_offset + self.length_field_len;
        through_field.max(self.num_skip.unwrap_or(0))
    }

    /// The bytes dropped from the front of each frame.
    fn get_num_skip(&self) -> usize {
        self.num_skip
            .unwrap_or(self.length_field_offset + self.length_field_len)
    }

    /// Caps `max_frame_len` at the largest length the field can express
    /// once adjusted.
    fn cap_max_frame_len(&mut self) {
        let field_max = match 1u64.checked_shl(8 * self.length_field_len as u32) {
            Some(limit) => limit - 1,
            None => u64::MAX,
        };
        let allowed = field_max.saturating_add_signed(self.length_adjustment as i64);
        let allowed = usize::try_from(allowed).unwrap_or(usize::MAX);
        self.max_frame_len = self.max_frame_len.min(allowed);
    }
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl fmt::Debug for LengthDelimitedCodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LengthDelimitedCodecError").finish()
    }
}

impl fmt::Display for LengthDelimitedCodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("frame size too big")
    }
}

impl StdError for LengthDelimitedCodecError {}
