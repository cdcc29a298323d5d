//! Framing: turning a byte stream into a stream of frames and back, the
//! counterpart of `tokio_util::codec` for this runtime.
//!
//! The names, signatures and behaviour follow `tokio-util` 0.7's `codec`
//! module, so a Tokio program ports by renaming `tokio_util::codec::` to
//! `runtime::codec::` (the facade re-exports this crate under that name).
//! The one difference is the I/O traits underneath: the adapters work on
//! the `futures-io` [`AsyncRead`](futures_io::AsyncRead) and
//! [`AsyncWrite`](futures_io::AsyncWrite) traits that the runtime's
//! sockets, pipes and in-memory streams implement, instead of Tokio's.
//!
//! - [`Decoder`] and [`Encoder`]: how frames are cut out of a
//!   [`BytesMut`](bytes::BytesMut) and written into one.
//! - [`FramedRead`]: a [`Stream`](futures_core::Stream) of decoded frames
//!   read from an `AsyncRead`.
//! - [`FramedWrite`]: a [`Sink`](futures_sink::Sink) that encodes frames
//!   and writes them to an `AsyncWrite`, flushing once its buffer passes
//!   the backpressure boundary (8 KiB by default).
//! - [`Framed`]: both at once over one duplex transport (a socket), with
//!   [`FramedParts`] to take it apart and put it back together.
//! - Codecs: [`LinesCodec`], [`BytesCodec`], [`AnyDelimiterCodec`] and
//!   [`LengthDelimitedCodec`] (configured with
//!   [`length_delimited::Builder`]).
//!
//! `Stream` and `Sink` are the `futures` traits, so the adapters are used
//! with `futures::SinkExt` / `futures::StreamExt` or the runtime's own
//! `StreamExt`, as with Tokio:
//!
//! ```
//! use futures::{SinkExt, StreamExt};
//! use runtime_codec::{Framed, LinesCodec};
//!
//! runtime_core::Runtime::new().unwrap().block_on(async {
//!     let (client, server) = runtime_core::io::duplex(64);
//!     let mut client = Framed::new(client, LinesCodec::new());
//!     let mut server = Framed::new(server, LinesCodec::new());
//!
//!     client.send("ping").await.unwrap();
//!     let line = server.next().await.unwrap().unwrap();
//!     assert_eq!(line, "ping");
//!     server.send(format!("{line} pong")).await.unwrap();
//!     assert_eq!(client.next().await.unwrap().unwrap(), "ping pong");
//! });
//! ```

#![warn(missing_docs, missing_debug_implementations)]

mod any_delimiter_codec;
mod bytes_codec;
mod decoder;
mod delimited;
mod encoder;
mod framed;
mod framed_impl;
mod framed_read;
mod framed_write;
pub mod length_delimited;
mod lines_codec;

pub use any_delimiter_codec::{AnyDelimiterCodec, AnyDelimiterCodecError};
pub use bytes_codec::BytesCodec;
pub use decoder::Decoder;
pub use encoder::Encoder;
pub use framed::{Framed, FramedParts};
pub use framed_read::FramedRead;
pub use framed_write::FramedWrite;
pub use length_delimited::{LengthDelimitedCodec, LengthDelimitedCodecError};
pub use lines_codec::{LinesCodec, LinesCodecError};
