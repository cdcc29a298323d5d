//! [`LinesStream`] and [`SplitStream`]: `runtime_core::io`'s [`Lines`]
//! and [`Split`] (from `AsyncBufReadExt::lines` and `split`) under
//! tokio-stream's wrapper names. Those readers are streams already; the
//! wrappers exist so that tokio-stream code ports unchanged.

use futures_core::Stream;
use futures_io::AsyncBufRead;
use pin_project_lite::pin_project;
use runtime_core::io::{Lines, Split};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Defines a wrapper around one of the readers.
macro_rules! wrapper {
    ($(#[$doc:meta])* $name:ident($inner:ident) -> $item:ty) => {
        pin_project! {
            $(#[$doc])*
            #[derive(Debug)]
            #[must_use = "streams do nothing unless polled"]
            pub struct $name<R> {
                #[pin]
                inner: $inner<R>,
            }
        }

        impl<R> $name<R> {
            #[doc = concat!("Wraps a [`", stringify!($inner), "`].")]
            pub fn new(inner: $inner<R>) -> Self {
                $name { inner }
            }

            #[doc = concat!("The [`", stringify!($inner), "`] back.")]
            pub fn into_inner(self) -> $inner<R> {
                self.inner
            }

            #[doc = concat!("The [`", stringify!($inner), "`], pinned.")]
            pub fn as_pin_mut(self: Pin<&mut Self>) -> Pin<&mut $inner<R>> {
                self.project().inner
            }
        }

        impl<R: AsyncBufRead> Stream for $name<R> {
            type Item = io::Result<$item>;

            fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                self.project().inner.poll_next(cx)
            }
        }

        impl<R> AsRef<$inner<R>> for $name<R> {
            fn as_ref(&self) -> &$inner<R> {
                &self.inner
            }
        }

        impl<R> AsMut<$inner<R>> for $name<R> {
            fn as_mut(&mut self) -> &mut $inner<R> {
                &mut self.inner
            }
        }
    };
}

wrapper! {
    /// The lines of a buffered reader as a [`Stream`] of
    /// `io::Result<String>`, without their `\n` or `\r\n`.
    ///
    /// ```
    /// use runtime_core::io::{AsyncBufReadExt, BufReader};
    /// use runtime_stream::{wrappers::LinesStream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let reader = BufReader::new(&b"first\r\nsecond\nthird"[..]);
    ///     let lines: Vec<String> = LinesStream::new(reader.lines()).map(|l| l.unwrap()).collect().await;
    ///     assert_eq!(lines, ["first", "second", "third"]);
    /// });
    /// ```
    LinesStream(Lines) -> String
}

wrapper! {
    /// The segments of a buffered reader between delimiter bytes as a
    /// [`Stream`] of `io::Result<Vec<u8>>`.
    ///
    /// ```
    /// use runtime_core::io::{AsyncBufReadExt, BufReader};
    /// use runtime_stream::{wrappers::SplitStream, StreamExt};
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let reader = BufReader::new(&b"a,bc,,d"[..]);
    ///     let parts: Vec<Vec<u8>> = SplitStream::new(reader.split(b',')).map(|p| p.unwrap()).collect().await;
    ///     assert_eq!(parts, [&b"a"[..], b"bc", b"", b"d"]);
    /// });
    /// ```
    SplitStream(Split) -> Vec<u8>
}
