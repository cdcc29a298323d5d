//! Tokio's I/O utilities over the futures-io traits: the extension
//! traits under Tokio's method names (typed reads and writes, `read_buf`,
//! `shutdown`, `lines().next_line()`), copying (`copy_buf`,
//! `copy_bidirectional`), in-memory pipes (`duplex`, `simplex`) and
//! `BufStream`. Where futures-lite already has a piece, it is used.

mod buf_read;
mod buf_stream;
mod buf_writer;
mod copy;
mod mem;
mod read;
mod read_string;
mod seek;
mod split;
mod write;

pub use buf_read::{AsyncBufReadExt, Lines, Split};
pub use buf_stream::BufStream;
pub use buf_writer::BufWriter;
pub use copy::{copy, copy_bidirectional, copy_buf};
pub use mem::{duplex, simplex, DuplexStream, SimplexStream};
#[cfg(feature = "bytes")]
pub use read::poll_read_buf;
pub use read::AsyncReadExt;
pub use seek::AsyncSeekExt;
pub use split::{split, ReadHalf, WriteHalf};
pub use write::AsyncWriteExt;
