//! [`AsyncSeekExt`]: `seek`, `rewind` and `stream_position` on every
//! futures-io seekable stream (a `fs::File`, a `Cursor`).

use futures_io::AsyncSeek;
use futures_lite::io::SeekFuture;
use std::future::Future;
use std::io::{self, SeekFrom};

/// Seeking methods for every [`AsyncSeek`], under Tokio's names.
///
/// ```
/// use runtime_core::io::{AsyncReadExt, AsyncSeekExt, Cursor, SeekFrom};
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut c = Cursor::new(b"0123456789".to_vec());
///     assert_eq!(c.seek(SeekFrom::End(-3)).await.unwrap(), 7);
///     assert_eq!(c.read_u8().await.unwrap(), b'7');
///     assert_eq!(c.stream_position().await.unwrap(), 8);
///     c.rewind().await.unwrap();
///     assert_eq!(c.read_u8().await.unwrap(), b'0');
/// });
/// ```
pub trait AsyncSeekExt: AsyncSeek {
    /// Moves to `pos`; returns the new offset from the start.
    ///
    /// # Cancel safety
    ///
    /// A call dropped before it completes may still move the position (a
    /// [`File`](crate::fs::File)'s seek finishes on the blocking pool);
    /// nothing is read or written. Ask
    /// [`stream_position`](Self::stream_position) where it stands.
    fn seek(&mut self, pos: SeekFrom) -> SeekFuture<'_, Self>
    where
        Self: Unpin,
    {
        futures_lite::io::AsyncSeekExt::seek(self, pos)
    }

    /// Moves back to the start.
    ///
    /// # Cancel safety
    ///
    /// As [`seek`](Self::seek): a dropped call may still move the position.
    fn rewind(&mut self) -> impl Future<Output = io::Result<()>> + '_
    where
        Self: Unpin,
    {
        let seek = futures_lite::io::AsyncSeekExt::seek(self, SeekFrom::Start(0));
        async move { seek.await.map(drop) }
    }

    /// The current offset from the start.
    fn stream_position(&mut self) -> SeekFuture<'_, Self>
    where
        Self: Unpin,
    {
        futures_lite::io::AsyncSeekExt::seek(self, SeekFrom::Current(0))
    }
}

impl<S: AsyncSeek + ?Sized> AsyncSeekExt for S {}
