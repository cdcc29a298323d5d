//! [`AsyncReadExt`]: Tokio's reading methods on every futures-io reader.
//! The byte-slice ones hand out futures-lite's futures; the typed reads
//! (`read_u32`, `read_f64_le`...) and `read_buf` are written here.

use super::read_string::ReadToString;
use futures_io::AsyncRead;
use futures_lite::io::{
    Chain, ReadExactFuture, ReadFuture, ReadToEndFuture, ReadVectoredFuture, Take,
};
use std::future::Future;
use std::io::{self, IoSliceMut};
#[cfg(feature = "bytes")]
use std::pin::Pin;

/// Defines typed reads: `$name` reads `size_of::<$ty>()` bytes with
/// `read_exact` and decodes them with `$from`; `$cancel` is the text of
/// its "Cancel safety" section.
macro_rules! typed_reads {
    ($cancel:literal; $($(#[$doc:meta])* $name:ident -> $ty:ty, $from:ident;)*) => {$(
        $(#[$doc])*
        ///
        /// End of file before all of the bytes is `UnexpectedEof`.
        ///
        /// # Cancel safety
        ///
        #[doc = $cancel]
        fn $name(&mut self) -> impl Future<Output = io::Result<$ty>> + '_
        where
            Self: Unpin,
        {
            async move {
                let mut bytes = [0u8; std::mem::size_of::<$ty>()];
                futures_lite::io::AsyncReadExt::read_exact(self, &mut bytes).await?;
                Ok(<$ty>::$from(bytes))
            }
        }
    )*};
}

/// Reading methods for every [`AsyncRead`], under Tokio's names (import
/// this trait rather than futures-lite's or futures-util's: the names
/// would clash).
///
/// ```
/// use runtime_core::io::AsyncReadExt;
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut input: &[u8] = &[0, 0, 1, 0, 7, b'h', b'i', b'!'];
///     assert_eq!(input.read_u32().await.unwrap(), 256);
///     assert_eq!(input.read_u8().await.unwrap(), 7);
///     let mut rest = String::new();
///     input.read_to_string(&mut rest).await.unwrap();
///     assert_eq!(rest, "hi!");
///     // Too short: an error, not a made-up value.
///     let err = input.read_u16().await.unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
/// });
/// ```
pub trait AsyncReadExt: AsyncRead {
    /// Reads some bytes into `buf`; `Ok(0)` at end of file (or for an
    /// empty `buf`).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: bytes are taken from the reader only by the poll that
    /// returns them, so a call dropped before it completes (a losing
    /// `select!` branch, a timeout) has read nothing.
    fn read<'a>(&'a mut self, buf: &'a mut [u8]) -> ReadFuture<'a, Self>
    where
        Self: Unpin,
    {
        futures_lite::io::AsyncReadExt::read(self, buf)
    }

    /// Reads some bytes into several buffers.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`read`](Self::read).
    fn read_vectored<'a>(
        &'a mut self,
        bufs: &'a mut [IoSliceMut<'a>],
    ) -> ReadVectoredFuture<'a, Self>
    where
        Self: Unpin,
    {
        futures_lite::io::AsyncReadExt::read_vectored(self, bufs)
    }

    /// Reads until end of file, appending to `buf`; returns how many
    /// bytes were read.
    ///
    /// # Cancel safety
    ///
    /// A call dropped before it completes loses no data: every byte read
    /// so far is already appended to `buf`, and calling it again carries
    /// on (the count it returns then covers that call only).
    fn read_to_end<'a>(&'a mut self, buf: &'a mut Vec<u8>) -> ReadToEndFuture<'a, Self>
    where
        Self: Unpin,
    {
        futures_lite::io::AsyncReadExt::read_to_end(self, buf)
    }

    /// Reads until end of file, appending UTF-8 text to `buf` (what it
    /// held stays). Bytes that are not UTF-8 are an `InvalidData` error
    /// and leave `buf` as it was.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: the bytes are held inside the future until end of
    /// file (the UTF-8 check needs them all), so a call dropped before it
    /// completes loses what it read; `buf` is left as it was. Under a
    /// timeout or in `select!`, use [`read_to_end`](Self::read_to_end)
    /// into a `Vec<u8>` and convert it at the end.
    fn read_to_string<'a>(&'a mut self, buf: &'a mut String) -> ReadToString<'a, Self>
    where
        Self: Unpin,
    {
        ReadToString::new(self, buf)
    }

    /// Fills `buf` completely and returns its length (as Tokio's);
    /// `UnexpectedEof` if the reader ends first.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: a call dropped before it completes may have
    /// consumed part of the bytes into `buf`, and how many is not
    /// reported. Use [`read`](Self::read) in a loop that keeps count, or a
    /// buffered reader or codec that keeps partial input for the next call.
    fn read_exact<'a>(
        &'a mut self,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + 'a
    where
        Self: Unpin,
    {
        let len = buf.len();
        let fill: ReadExactFuture<'a, Self> = futures_lite::io::AsyncReadExt::read_exact(self, buf);
        async move { fill.await.map(|()| len) }
    }

    /// Reads into the spare capacity of `buf` (a `bytes::BufMut`, e.g.
    /// `BytesMut` or `Vec<u8>`) and advances it; `Ok(0)` at end of file
    /// or when `buf` has no room left.
    ///
    /// The sockets and pipes of this runtime (`TcpStream`, `UnixStream`,
    /// their owned read halves, `ChildStdout`...) have an inherent
    /// `read_buf` of the same name, which method calls pick first: it
    /// reads straight into the uninitialised spare capacity. This generic
    /// one, for any other reader (a futures-io reader takes an
    /// initialised `&mut [u8]`, and the spare capacity may not be), reads
    /// into a buffer of the thread's, zeroed once when it is allocated, and
    /// copies what it read: what it costs is the bytes read, not the
    /// capacity (zeroing a `BytesMut`'s 4 KiB before every poll had been
    /// 29% of a ported mini-redis's instructions). One call reads at most
    /// 64 KiB. A reader that claims bytes it did not write hands back
    /// bytes of an earlier read, as with any reused buffer (std's
    /// `BufReader`).
    ///
    /// ```
    /// use runtime_core::io::AsyncReadExt;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut input: &[u8] = b"hello";
    ///     let mut buf = bytes::BytesMut::with_capacity(16);
    ///     assert_eq!(input.read_buf(&mut buf).await.unwrap(), 5);
    ///     assert_eq!(&buf[..], b"hello");
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: `buf` is advanced by the poll that reads, which is the
    /// poll that returns, so a call dropped before it completes has read
    /// nothing.
    #[cfg(feature = "bytes")]
    fn read_buf<'a, B>(&'a mut self, buf: &'a mut B) -> impl Future<Output = io::Result<usize>> + 'a
    where
        Self: Unpin,
        B: bytes::BufMut + ?Sized,
    {
        std::future::poll_fn(move |cx| poll_read_buf(Pin::new(&mut *self), cx, buf))
    }

    /// A reader that ends after `limit` bytes of this one.
    fn take(self, limit: u64) -> Take<Self>
    where
        Self: Sized,
    {
        futures_lite::io::AsyncReadExt::take(self, limit)
    }

    /// This reader, then `next` once it ends.
    fn chain<R: AsyncRead>(self, next: R) -> Chain<Self, R>
    where
        Self: Sized,
    {
        futures_lite::io::AsyncReadExt::chain(self, next)
    }

    typed_reads! {
        "Cancel safe: the one byte is read by the poll that returns it, so \
         a call dropped before it completes has read nothing.";
        /// Reads a `u8`.
        read_u8 -> u8, from_be_bytes;
        /// Reads an `i8`.
        read_i8 -> i8, from_be_bytes;
    }

    typed_reads! {
        "Not cancel safe: a call dropped before it completes may have \
         consumed some of the bytes, which are then lost (as with Tokio). \
         Under a timeout or in `select!`, read the bytes with \
         [`read`](Self::read) into a buffer that outlives the call, or use \
         a codec.";
        /// Reads a big-endian `u16`.
        read_u16 -> u16, from_be_bytes;
        /// Reads a big-endian `i16`.
        read_i16 -> i16, from_be_bytes;
        /// Reads a big-endian `u32`.
        read_u32 -> u32, from_be_bytes;
        /// Reads a big-endian `i32`.
        read_i32 -> i32, from_be_bytes;
        /// Reads a big-endian `u64`.
        read_u64 -> u64, from_be_bytes;
        /// Reads a big-endian `i64`.
        read_i64 -> i64, from_be_bytes;
        /// Reads a big-endian `u128`.
        read_u128 -> u128, from_be_bytes;
        /// Reads a big-endian `i128`.
        read_i128 -> i128, from_be_bytes;
        /// Reads a big-endian `f32`.
        read_f32 -> f32, from_be_bytes;
        /// Reads a big-endian `f64`.
        read_f64 -> f64, from_be_bytes;
        /// Reads a little-endian `u16`.
        read_u16_le -> u16, from_le_bytes;
        /// Reads a little-endian `i16`.
        read_i16_le -> i16, from_le_bytes;
        /// Reads a little-endian `u32`.
        read_u32_le -> u32, from_le_bytes;
        /// Reads a little-endian `i32`.
        read_i32_le -> i32, from_le_bytes;
        /// Reads a little-endian `u64`.
        read_u64_le -> u64, from_le_bytes;
        /// Reads a little-endian `i64`.
        read_i64_le -> i64, from_le_bytes;
        /// Reads a little-endian `u128`.
        read_u128_le -> u128, from_le_bytes;
        /// Reads a little-endian `i128`.
        read_i128_le -> i128, from_le_bytes;
        /// Reads a little-endian `f32`.
        read_f32_le -> f32, from_le_bytes;
        /// Reads a little-endian `f64`.
        read_f64_le -> f64, from_le_bytes;
    }
}

impl<R: AsyncRead + ?Sized> AsyncReadExt for R {}

/// One poll of [`AsyncReadExt::read_buf`] for any futures-io reader
/// (tokio-util's `io::poll_read_buf`), for code that implements `poll`
/// by hand, as a framed reader does: reads into the spare capacity of
/// `buf` and advances it; `Ok(0)` at end of file or when `buf` has no
/// room. It reads into a zeroed buffer of the thread's and copies what
/// it read (at most 64 KiB), so a poll that finds nothing costs nothing.
///
/// ```
/// use runtime_core::io::poll_read_buf;
/// use std::pin::Pin;
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut input: &[u8] = b"hello";
///     let mut buf = bytes::BytesMut::with_capacity(16);
///     let n = std::future::poll_fn(|cx| poll_read_buf(Pin::new(&mut input), cx, &mut buf))
///         .await
///         .unwrap();
///     assert_eq!((n, &buf[..]), (5, &b"hello"[..]));
/// });
/// ```
#[cfg(feature = "bytes")]
pub use scratch::poll_read_buf;

/// The generic `read_buf`'s buffers: reading into a buffer that is
/// already initialised and copying the bytes read costs what was read,
/// where zeroing the destination's spare capacity first costs all of it,
/// on every poll (twice per request for a server that waits for each).
#[cfg(feature = "bytes")]
mod scratch {
    use futures_io::AsyncRead;
    use std::cell::RefCell;
    use std::io;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// The most one call reads.
    pub(super) const LEN: usize = 64 * 1024;

    thread_local! {
        /// Zeroed buffers of `LEN` bytes, initialised since their
        /// allocation. One in use is out of the list, so a reader whose
        /// `poll_read` calls `read_buf` itself takes (or makes) another.
        static FREE: RefCell<Vec<Box<[u8]>>> = const { RefCell::new(Vec::new()) };
    }

    /// One poll of the generic `read_buf` (public as
    /// `runtime_core::io::poll_read_buf`).
    pub fn poll_read_buf<R, B>(
        mut reader: Pin<&mut R>,
        cx: &mut Context<'_>,
        buf: &mut B,
    ) -> Poll<io::Result<usize>>
    where
        R: AsyncRead + ?Sized,
        B: bytes::BufMut + ?Sized,
    {
        if !buf.has_remaining_mut() {
            return Poll::Ready(Ok(0));
        }
        let mut scratch = FREE
            .with(|free| free.borrow_mut().pop())
            .unwrap_or_else(|| vec![0u8; LEN].into_boxed_slice());
        let chunk = buf.chunk_mut();
        let len = chunk.len().min(LEN);
        let polled = reader.as_mut().poll_read(cx, &mut scratch[..len]);
        if let Poll::Ready(Ok(n)) = polled {
            assert!(
                n <= len,
                "the reader claimed more bytes than the buffer holds"
            );
            chunk[..n].copy_from_slice(&scratch[..n]);
            // SAFETY: the first `n` bytes of the chunk were just written.
            unsafe { buf.advance_mut(n) };
        }
        // Back for the next call (dropped instead if `poll_read` panicked).
        FREE.with(|free| free.borrow_mut().push(scratch));
        polled
    }
}

#[cfg(all(test, feature = "bytes", not(loom)))]
mod tests {
    use super::scratch::LEN;
    use super::AsyncReadExt;
    use bytes::BytesMut;
    use futures_io::AsyncRead;
    use std::future::Future;
    use std::io;
    use std::pin::{pin, Pin};
    use std::task::{Context, Poll, Waker};

    /// Hands out `pieces` one per poll, `Pending` (waking at once) for an
    /// empty one, then end of file.
    struct Pieces(Vec<Vec<u8>>);

    impl AsyncRead for Pieces {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            if self.0.is_empty() {
                return Poll::Ready(Ok(0));
            }
            let piece = self.0.remove(0);
            if piece.is_empty() {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let n = piece.len().min(buf.len());
            buf[..n].copy_from_slice(&piece[..n]);
            if n < piece.len() {
                self.0.insert(0, piece[n..].to_vec());
            }
            Poll::Ready(Ok(n))
        }
    }

    fn poll_to_end<F: Future>(f: F) -> (F::Output, usize) {
        let mut f = pin!(f);
        let mut cx = Context::from_waker(Waker::noop());
        let mut pendings = 0;
        loop {
            if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
                return (out, pendings);
            }
            pendings += 1;
        }
    }

    #[test]
    fn the_generic_read_buf_copies_what_was_read_across_pending_polls() {
        let mut reader = Pieces(vec![b"abc".to_vec(), vec![], b"defgh".to_vec()]);
        let mut buf = BytesMut::with_capacity(4096);
        let (n, pendings) = poll_to_end(reader.read_buf(&mut buf));
        assert_eq!((n.unwrap(), pendings), (3, 0));
        let (n, pendings) = poll_to_end(reader.read_buf(&mut buf));
        assert_eq!((n.unwrap(), pendings), (5, 1));
        assert_eq!(&buf[..], b"abcdefgh");
        let (n, _) = poll_to_end(reader.read_buf(&mut buf));
        assert_eq!(n.unwrap(), 0);
        assert_eq!(&buf[..], b"abcdefgh");
    }

    #[test]
    fn one_generic_read_buf_reads_at_most_the_scratch_length() {
        let data: Vec<u8> = (0..LEN + 1000).map(|i| i as u8).collect();
        let mut reader = Pieces(vec![data.clone()]);
        let mut buf = BytesMut::with_capacity(2 * LEN);
        assert_eq!(poll_to_end(reader.read_buf(&mut buf)).0.unwrap(), LEN);
        assert_eq!(poll_to_end(reader.read_buf(&mut buf)).0.unwrap(), 1000);
        assert_eq!(&buf[..], &data[..]);
    }

    /// A reader whose `poll_read` runs a generic `read_buf` of its own.
    struct Nested(Pieces);

    impl AsyncRead for Nested {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            let mut inner = BytesMut::with_capacity(buf.len());
            let n = poll_to_end(self.0.read_buf(&mut inner)).0?;
            buf[..n].copy_from_slice(&inner);
            Poll::Ready(Ok(n))
        }
    }

    #[test]
    fn a_reader_may_call_the_generic_read_buf_inside_its_own_poll_read() {
        let mut reader = Nested(Pieces(vec![b"inner".to_vec()]));
        let mut buf = BytesMut::with_capacity(64);
        assert_eq!(poll_to_end(reader.read_buf(&mut buf)).0.unwrap(), 5);
        assert_eq!(&buf[..], b"inner");
    }

    /// Panics in `poll_read`.
    struct Panics;

    impl AsyncRead for Panics {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            _: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            panic!("reader panicked");
        }
    }

    #[test]
    fn a_panicking_reader_leaves_the_generic_read_buf_usable() {
        let mut buf = BytesMut::with_capacity(64);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            poll_to_end(Panics.read_buf(&mut buf))
        }));
        assert!(caught.is_err());
        assert!(buf.is_empty());
        let mut reader = Pieces(vec![b"after".to_vec()]);
        assert_eq!(poll_to_end(reader.read_buf(&mut buf)).0.unwrap(), 5);
        assert_eq!(&buf[..], b"after");
    }
}
