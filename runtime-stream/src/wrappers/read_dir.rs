//! [`ReadDirStream`]: a directory listing as a stream of entries.

use futures_core::Stream;
use runtime_core::fs::ReadDir;
use std::fs::DirEntry;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A [`runtime_core::fs::ReadDir`] as a [`Stream`] of `io::Result<DirEntry>`
/// (`std::fs::DirEntry`, in the file system's order), ending after the
/// last entry.
///
/// ```
/// use runtime_core::fs;
/// use runtime_stream::{wrappers::ReadDirStream, StreamExt};
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let dir = std::env::temp_dir().join(format!("rds-doc-{}", std::process::id()));
///     fs::create_dir_all(&dir).await.unwrap();
///     for name in ["a", "b"] {
///         fs::write(dir.join(name), name).await.unwrap();
///     }
///     let entries = ReadDirStream::new(fs::read_dir(&dir).await.unwrap());
///     let mut names: Vec<String> = entries
///         .map(|e| e.unwrap().file_name().into_string().unwrap())
///         .collect()
///         .await;
///     names.sort();
///     assert_eq!(names, ["a", "b"]);
///     fs::remove_dir_all(&dir).await.unwrap();
/// });
/// ```
#[derive(Debug)]
pub struct ReadDirStream {
    inner: ReadDir,
}

impl ReadDirStream {
    /// Wraps `read_dir`.
    ///
    /// ```
    /// use runtime_core::fs;
    /// use runtime_stream::wrappers::ReadDirStream;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let entries = ReadDirStream::new(fs::read_dir(".").await.unwrap());
    ///     # drop(entries);
    /// });
    /// ```
    pub fn new(read_dir: ReadDir) -> Self {
        ReadDirStream { inner: read_dir }
    }

    /// The `ReadDir` back (at the entry the stream reached).
    ///
    /// ```
    /// use runtime_core::fs;
    /// use runtime_stream::wrappers::ReadDirStream;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let mut read_dir = ReadDirStream::new(fs::read_dir(".").await.unwrap()).into_inner();
    ///     assert!(read_dir.next_entry().await.is_ok());
    /// });
    /// ```
    pub fn into_inner(self) -> ReadDir {
        self.inner
    }
}

impl Stream for ReadDirStream {
    type Item = io::Result<DirEntry>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_entry(cx).map(Result::transpose)
    }
}

impl AsRef<ReadDir> for ReadDirStream {
    fn as_ref(&self) -> &ReadDir {
        &self.inner
    }
}

impl AsMut<ReadDir> for ReadDirStream {
    fn as_mut(&mut self) -> &mut ReadDir {
        &mut self.inner
    }
}
