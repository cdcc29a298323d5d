//! [`AsyncWriteExt`]: Tokio's writing methods on every futures-io writer,
//! including `shutdown` and the typed writes (`write_u32`...).

use futures_io::AsyncWrite;
use futures_lite::io::{
    CloseFuture, FlushFuture, WriteAllFuture, WriteFuture, WriteVectoredFuture,
};
use std::future::Future;
use std::io::{self, IoSlice};

/// Defines typed writes: `$name` encodes with `$to` and writes all bytes;
/// `$cancel` is the text of its "Cancel safety" section.
macro_rules! typed_writes {
    ($cancel:literal; $($(#[$doc:meta])* $name:ident($ty:ty), $to:ident;)*) => {$(
        $(#[$doc])*
        ///
        /// # Cancel safety
        ///
        #[doc = $cancel]
        fn $name(&mut self, n: $ty) -> impl Future<Output = io::Result<()>> + '_
        where
            Self: Unpin,
        {
            async move {
                let bytes = n.$to();
                futures_lite::io::AsyncWriteExt::write_all(self, &bytes).await
            }
        }
    )*};
}

/// Writing methods for every [`AsyncWrite`], under Tokio's names (import
/// this trait rather than futures-lite's or futures-util's).
///
/// ```
/// use runtime_core::io::AsyncWriteExt;
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut out = Vec::new();
///     out.write_u16(0x0102).await.unwrap();
///     out.write_u32_le(7).await.unwrap();
///     out.write_all(b"!").await.unwrap();
///     out.shutdown().await.unwrap();
///     assert_eq!(out, [1, 2, 7, 0, 0, 0, b'!']);
/// });
/// ```
pub trait AsyncWriteExt: AsyncWrite {
    /// Writes some of `buf`; returns how much.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: bytes are handed to the writer only by the poll that
    /// returns their count, so a call dropped before it completes has
    /// written nothing.
    fn write<'a>(&'a mut self, buf: &'a [u8]) -> WriteFuture<'a, Self>
    where
        Self: Unpin,
    {
        futures_lite::io::AsyncWriteExt::write(self, buf)
    }

    /// Writes some of several buffers.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`write`](Self::write).
    fn write_vectored<'a>(&'a mut self, bufs: &'a [IoSlice<'a>]) -> WriteVectoredFuture<'a, Self>
    where
        Self: Unpin,
    {
        futures_lite::io::AsyncWriteExt::write_vectored(self, bufs)
    }

    /// Writes all of `buf`.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: a call dropped before it completes may have
    /// written part of `buf`, and how much is not reported. Use
    /// [`write`](Self::write) in a loop that keeps count, or
    /// `write_all_buf`, which advances its buffer as it goes.
    fn write_all<'a>(&'a mut self, buf: &'a [u8]) -> WriteAllFuture<'a, Self>
    where
        Self: Unpin,
    {
        futures_lite::io::AsyncWriteExt::write_all(self, buf)
    }

    /// Writes some of a `bytes::Buf` and advances it past what was written.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: `src` is advanced by the poll that writes, which is
    /// the poll that returns, so a call dropped before it completes has
    /// written nothing.
    #[cfg(feature = "bytes")]
    fn write_buf<'a, B>(
        &'a mut self,
        src: &'a mut B,
    ) -> impl Future<Output = io::Result<usize>> + 'a
    where
        Self: Unpin,
        B: bytes::Buf + ?Sized,
    {
        std::future::poll_fn(move |cx| {
            if !src.has_remaining() {
                return std::task::Poll::Ready(Ok(0));
            }
            let n = std::task::ready!(std::pin::Pin::new(&mut *self).poll_write(cx, src.chunk()))?;
            src.advance(n);
            std::task::Poll::Ready(Ok(n))
        })
    }

    /// Writes all of a `bytes::Buf`, advancing it as it goes.
    ///
    /// ```
    /// use runtime_core::io::AsyncWriteExt;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut src = bytes::Bytes::from_static(b"all of it");
    ///     let mut out = Vec::new();
    ///     out.write_all_buf(&mut src).await.unwrap();
    ///     assert_eq!(out, b"all of it");
    ///     assert!(src.is_empty());
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// A call dropped before it completes may have written part of `src`,
    /// but `src` has been advanced past exactly that part: calling it again
    /// with the same buffer carries on where it stopped.
    #[cfg(feature = "bytes")]
    fn write_all_buf<'a, B>(
        &'a mut self,
        src: &'a mut B,
    ) -> impl Future<Output = io::Result<()>> + 'a
    where
        Self: Unpin,
        B: bytes::Buf + ?Sized,
    {
        std::future::poll_fn(move |cx| {
            while src.has_remaining() {
                let n =
                    std::task::ready!(std::pin::Pin::new(&mut *self).poll_write(cx, src.chunk()))?;
                if n == 0 {
                    return std::task::Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                src.advance(n);
            }
            std::task::Poll::Ready(Ok(()))
        })
    }

    /// Flushes buffered data to the underlying writer.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a call dropped before it completes may have written
    /// part of the buffered data, but the rest stays buffered (a
    /// [`BufWriter`](crate::io::BufWriter) keeps its place), and the next
    /// `flush` carries on.
    fn flush(&mut self) -> FlushFuture<'_, Self>
    where
        Self: Unpin,
    {
        futures_lite::io::AsyncWriteExt::flush(self)
    }

    /// Flushes, then shuts the write side down (a socket's peer sees end
    /// of file; reading still works). futures-io calls this `close`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`flush`](Self::flush): a call dropped before it
    /// completes loses no buffered data, and calling it again carries on.
    fn shutdown(&mut self) -> CloseFuture<'_, Self>
    where
        Self: Unpin,
    {
        futures_lite::io::AsyncWriteExt::close(self)
    }

    /// The same as [`shutdown`](AsyncWriteExt::shutdown), under
    /// futures-io's name.
    fn close(&mut self) -> CloseFuture<'_, Self>
    where
        Self: Unpin,
    {
        futures_lite::io::AsyncWriteExt::close(self)
    }

    typed_writes! {
        "Cancel safe: the one byte is written by the poll that returns, so \
         a call dropped before it completes has written nothing.";
        /// Writes a `u8`.
        write_u8(u8), to_be_bytes;
        /// Writes an `i8`.
        write_i8(i8), to_be_bytes;
    }

    typed_writes! {
        "Not cancel safe: a call dropped before it completes may have \
         written some of the bytes (as with Tokio), and how many is not \
         reported. Under a timeout or in `select!`, encode the value into \
         a `bytes::Buf` and use `write_all_buf`, which keeps its place.";
        /// Writes a big-endian `u16`.
        write_u16(u16), to_be_bytes;
        /// Writes a big-endian `i16`.
        write_i16(i16), to_be_bytes;
        /// Writes a big-endian `u32`.
        write_u32(u32), to_be_bytes;
        /// Writes a big-endian `i32`.
        write_i32(i32), to_be_bytes;
        /// Writes a big-endian `u64`.
        write_u64(u64), to_be_bytes;
        /// Writes a big-endian `i64`.
        write_i64(i64), to_be_bytes;
        /// Writes a big-endian `u128`.
        write_u128(u128), to_be_bytes;
        /// Writes a big-endian `i128`.
        write_i128(i128), to_be_bytes;
        /// Writes a big-endian `f32`.
        write_f32(f32), to_be_bytes;
        /// Writes a big-endian `f64`.
        write_f64(f64), to_be_bytes;
        /// Writes a little-endian `u16`.
        write_u16_le(u16), to_le_bytes;
        /// Writes a little-endian `i16`.
        write_i16_le(i16), to_le_bytes;
        /// Writes a little-endian `u32`.
        write_u32_le(u32), to_le_bytes;
        /// Writes a little-endian `i32`.
        write_i32_le(i32), to_le_bytes;
        /// Writes a little-endian `u64`.
        write_u64_le(u64), to_le_bytes;
        /// Writes a little-endian `i64`.
        write_i64_le(i64), to_le_bytes;
        /// Writes a little-endian `u128`.
        write_u128_le(u128), to_le_bytes;
        /// Writes a little-endian `i128`.
        write_i128_le(i128), to_le_bytes;
        /// Writes a little-endian `f32`.
        write_f32_le(f32), to_le_bytes;
        /// Writes a little-endian `f64`.
        write_f64_le(f64), to_le_bytes;
    }
}

impl<W: AsyncWrite + ?Sized> AsyncWriteExt for W {}
