//! Files and directories, asynchronously (asyncio's `aiofiles`): every
//! call runs the blocking `std::fs` operation on the runtime's blocking
//! pool, so workers never wait for the disk.
//!
//! ```
//! # let rt = runtime_core::Runtime::new().unwrap();
//! # rt.block_on(async {
//! use runtime_core::fs;
//! let path = std::env::temp_dir().join(format!("fs-doc-{}", std::process::id()));
//! fs::write(&path, b"hello").await.unwrap();
//! assert_eq!(fs::read_to_string(&path).await.unwrap(), "hello");
//! fs::remove_file(&path).await.unwrap();
//! # });
//! ```

mod file;

pub use file::{File, OpenOptions};

use std::io;
use std::path::{Path, PathBuf};

/// Runs a blocking filesystem call on the blocking pool.
pub(crate) async fn asyncify<F, T>(f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    match crate::spawn_blocking(f).await {
        Ok(res) => res,
        Err(e) => Err(io::Error::other(format!(
            "blocking filesystem task failed: {e}"
        ))),
    }
}

/// Reads a whole file into bytes.
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read(path)).await
}

/// Reads a whole file into a string (it must be UTF-8).
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read_to_string(path)).await
}

/// Writes `contents` to a file, creating or truncating it.
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    asyncify(move || std::fs::write(path, contents)).await
}

/// Copies a file's contents and permissions; returns the bytes copied.
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::copy(from, to)).await
}

/// Renames a file or directory, replacing `to` if it exists.
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::rename(from, to)).await
}

/// Removes a file.
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_file(path)).await
}

/// Creates a directory.
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir(path)).await
}

/// Creates a directory and every missing parent.
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir_all(path)).await
}

/// Removes an empty directory.
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir(path)).await
}

/// Removes a directory and everything in it.
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir_all(path)).await
}

/// Metadata of a file or directory (following symlinks).
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<std::fs::Metadata> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::metadata(path)).await
}

/// Metadata of a path without following a final symlink.
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<std::fs::Metadata> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::symlink_metadata(path)).await
}

/// The absolute path with every symlink resolved.
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::canonicalize(path)).await
}

/// Whether a path exists (`Err` when that cannot be told).
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    let path = path.as_ref().to_owned();
    asyncify(move || path.try_exists()).await
}

/// The entries of a directory, read in batches on the blocking pool.
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = path.as_ref().to_owned();
    let iter = asyncify(move || std::fs::read_dir(path)).await?;
    Ok(ReadDir {
        iter: Some(iter),
        batch: std::collections::VecDeque::new(),
    })
}

/// Entries of a directory: call [`next_entry`](ReadDir::next_entry).
#[derive(Debug)]
pub struct ReadDir {
    /// `None` once exhausted.
    iter: Option<std::fs::ReadDir>,
    batch: std::collections::VecDeque<io::Result<std::fs::DirEntry>>,
}

/// How many entries one trip to the blocking pool reads.
const READ_DIR_BATCH: usize = 32;

impl ReadDir {
    /// The next entry, or `None` at the end.
    pub async fn next_entry(&mut self) -> io::Result<Option<std::fs::DirEntry>> {
        if self.batch.is_empty() {
            let Some(mut iter) = self.iter.take() else {
                return Ok(None);
            };
            let (iter, batch) = asyncify(move || {
                let batch: std::collections::VecDeque<_> =
                    iter.by_ref().take(READ_DIR_BATCH).collect();
                let done = batch.len() < READ_DIR_BATCH;
                Ok(((!done).then_some(iter), batch))
            })
            .await?;
            self.iter = iter;
            self.batch = batch;
        }
        self.batch.pop_front().transpose()
    }
}
