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
//!
//! # Cancel safety
//!
//! A call on the blocking pool cannot be stopped: dropping one of these
//! futures before it completes (a timeout, a losing `select!` branch)
//! only drops its result, and the operation (a `write`, a `rename`...)
//! still runs to its end. [`ReadDir::next_entry`] keeps what it read for
//! the next call; see [`File`] for reads, writes and seeks.

mod dir_builder;
mod file;

pub use dir_builder::DirBuilder;
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
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let path = std::env::temp_dir().join(format!("read-doc-{}", std::process::id()));
/// fs::write(&path, [1u8, 2, 3]).await.unwrap();
/// assert_eq!(fs::read(&path).await.unwrap(), [1, 2, 3]);
/// fs::remove_file(&path).await.unwrap();
/// # });
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read(path)).await
}

/// Reads a whole file into a string (it must be UTF-8).
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let path = std::env::temp_dir().join(format!("read-to-string-doc-{}", std::process::id()));
/// fs::write(&path, "héllo").await.unwrap();
/// assert_eq!(fs::read_to_string(&path).await.unwrap(), "héllo");
/// // Not UTF-8: an `InvalidData` error.
/// fs::write(&path, [0xff, 0xfe]).await.unwrap();
/// let err = fs::read_to_string(&path).await.unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
/// fs::remove_file(&path).await.unwrap();
/// # });
/// ```
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read_to_string(path)).await
}

/// Writes `contents` to a file, creating or truncating it.
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let path = std::env::temp_dir().join(format!("write-doc-{}", std::process::id()));
/// fs::write(&path, "first version, longer").await.unwrap();
/// fs::write(&path, "second").await.unwrap(); // truncates
/// assert_eq!(fs::read_to_string(&path).await.unwrap(), "second");
/// fs::remove_file(&path).await.unwrap();
/// # });
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    asyncify(move || std::fs::write(path, contents)).await
}

/// Copies a file's contents and permissions; returns the bytes copied.
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let dir = std::env::temp_dir().join(format!("copy-doc-{}", std::process::id()));
/// fs::create_dir_all(&dir).await.unwrap();
/// fs::write(dir.join("a.txt"), "data").await.unwrap();
/// let n = fs::copy(dir.join("a.txt"), dir.join("b.txt")).await.unwrap();
/// assert_eq!(n, 4);
/// assert_eq!(fs::read_to_string(dir.join("b.txt")).await.unwrap(), "data");
/// fs::remove_dir_all(&dir).await.unwrap();
/// # });
/// ```
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::copy(from, to)).await
}

/// Renames a file or directory, replacing `to` if it exists.
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let dir = std::env::temp_dir().join(format!("rename-doc-{}", std::process::id()));
/// fs::create_dir_all(&dir).await.unwrap();
/// // Write a temporary file, then move it into place.
/// fs::write(dir.join("config.tmp"), "new").await.unwrap();
/// fs::write(dir.join("config"), "old").await.unwrap();
/// fs::rename(dir.join("config.tmp"), dir.join("config")).await.unwrap();
/// assert_eq!(fs::read_to_string(dir.join("config")).await.unwrap(), "new");
/// assert!(!fs::try_exists(dir.join("config.tmp")).await.unwrap());
/// fs::remove_dir_all(&dir).await.unwrap();
/// # });
/// ```
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::rename(from, to)).await
}

/// Removes a file.
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let path = std::env::temp_dir().join(format!("remove-file-doc-{}", std::process::id()));
/// fs::write(&path, "x").await.unwrap();
/// fs::remove_file(&path).await.unwrap();
/// let err = fs::remove_file(&path).await.unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
/// # });
/// ```
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_file(path)).await
}

/// Creates a directory.
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let dir = std::env::temp_dir().join(format!("create-dir-doc-{}", std::process::id()));
/// fs::create_dir(&dir).await.unwrap();
/// assert!(fs::metadata(&dir).await.unwrap().is_dir());
/// // It exists now; a missing parent is an error too.
/// assert!(fs::create_dir(&dir).await.is_err());
/// assert!(fs::create_dir(dir.join("a/b")).await.is_err());
/// fs::remove_dir(&dir).await.unwrap();
/// # });
/// ```
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir(path)).await
}

/// Creates a directory and every missing parent.
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let root = std::env::temp_dir().join(format!("create-dir-all-doc-{}", std::process::id()));
/// fs::create_dir_all(root.join("a/b/c")).await.unwrap();
/// fs::create_dir_all(root.join("a/b/c")).await.unwrap(); // exists: fine
/// assert!(fs::metadata(root.join("a/b/c")).await.unwrap().is_dir());
/// fs::remove_dir_all(&root).await.unwrap();
/// # });
/// ```
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir_all(path)).await
}

/// Removes an empty directory.
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let dir = std::env::temp_dir().join(format!("remove-dir-doc-{}", std::process::id()));
/// fs::create_dir(&dir).await.unwrap();
/// fs::write(dir.join("file"), "x").await.unwrap();
/// assert!(fs::remove_dir(&dir).await.is_err()); // not empty
/// fs::remove_file(dir.join("file")).await.unwrap();
/// fs::remove_dir(&dir).await.unwrap();
/// # });
/// ```
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir(path)).await
}

/// Removes a directory and everything in it.
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let root = std::env::temp_dir().join(format!("remove-dir-all-doc-{}", std::process::id()));
/// fs::create_dir_all(root.join("sub")).await.unwrap();
/// fs::write(root.join("sub/file"), "x").await.unwrap();
/// fs::remove_dir_all(&root).await.unwrap();
/// assert!(!fs::try_exists(&root).await.unwrap());
/// # });
/// ```
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir_all(path)).await
}

/// Metadata of a file or directory (following symlinks).
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let path = std::env::temp_dir().join(format!("metadata-doc-{}", std::process::id()));
/// fs::write(&path, "12345").await.unwrap();
/// let meta = fs::metadata(&path).await.unwrap();
/// assert!(meta.is_file());
/// assert_eq!(meta.len(), 5);
/// fs::remove_file(&path).await.unwrap();
/// # });
/// ```
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<std::fs::Metadata> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::metadata(path)).await
}

/// Metadata of a path without following a final symlink.
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let dir = std::env::temp_dir().join(format!("symlink-metadata-doc-{}", std::process::id()));
/// fs::create_dir_all(&dir).await.unwrap();
/// fs::write(dir.join("target"), "x").await.unwrap();
/// std::os::unix::fs::symlink(dir.join("target"), dir.join("link")).unwrap();
/// assert!(fs::symlink_metadata(dir.join("link")).await.unwrap().file_type().is_symlink());
/// assert!(fs::metadata(dir.join("link")).await.unwrap().is_file()); // followed
/// fs::remove_dir_all(&dir).await.unwrap();
/// # });
/// ```
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<std::fs::Metadata> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::symlink_metadata(path)).await
}

/// The absolute path with every symlink resolved.
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let dir = std::env::temp_dir().join(format!("canonicalize-doc-{}", std::process::id()));
/// fs::create_dir_all(dir.join("sub")).await.unwrap();
/// let roundabout = dir.join("sub/../sub/.");
/// let clean = fs::canonicalize(&roundabout).await.unwrap();
/// assert!(clean.is_absolute());
/// assert!(clean.ends_with("sub"));
/// fs::remove_dir_all(&dir).await.unwrap();
/// # });
/// ```
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::canonicalize(path)).await
}

/// Whether a path exists (`Err` when that cannot be told).
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let path = std::env::temp_dir().join(format!("try-exists-doc-{}", std::process::id()));
/// assert!(!fs::try_exists(&path).await.unwrap());
/// fs::write(&path, "").await.unwrap();
/// assert!(fs::try_exists(&path).await.unwrap());
/// fs::remove_file(&path).await.unwrap();
/// # });
/// ```
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    let path = path.as_ref().to_owned();
    asyncify(move || path.try_exists()).await
}

/// Makes `dst` a new hard link to the file at `src` (both names then
/// refer to the same file).
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let dir = std::env::temp_dir().join(format!("hard-link-doc-{}", std::process::id()));
/// fs::create_dir_all(&dir).await.unwrap();
/// fs::write(dir.join("original"), "shared").await.unwrap();
/// fs::hard_link(dir.join("original"), dir.join("alias")).await.unwrap();
/// fs::remove_file(dir.join("original")).await.unwrap();
/// // The data lives on under the other name.
/// assert_eq!(fs::read_to_string(dir.join("alias")).await.unwrap(), "shared");
/// fs::remove_dir_all(&dir).await.unwrap();
/// # });
/// ```
pub async fn hard_link(src: impl AsRef<Path>, dst: impl AsRef<Path>) -> io::Result<()> {
    let (src, dst) = (src.as_ref().to_owned(), dst.as_ref().to_owned());
    asyncify(move || std::fs::hard_link(src, dst)).await
}

/// The target a symbolic link points to (as stored: it may be relative
/// and need not exist).
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let dir = std::env::temp_dir().join(format!("read-link-doc-{}", std::process::id()));
/// fs::create_dir_all(&dir).await.unwrap();
/// fs::symlink("elsewhere", dir.join("link")).await.unwrap();
/// assert_eq!(fs::read_link(dir.join("link")).await.unwrap(), std::path::Path::new("elsewhere"));
/// fs::remove_dir_all(&dir).await.unwrap();
/// # });
/// ```
pub async fn read_link(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read_link(path)).await
}

/// Makes `dst` a symbolic link to `src` (Unix; `src` need not exist, and
/// a relative `src` is resolved from `dst`'s directory when followed).
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let dir = std::env::temp_dir().join(format!("symlink-doc-{}", std::process::id()));
/// fs::create_dir_all(&dir).await.unwrap();
/// fs::write(dir.join("config.v2"), "v2").await.unwrap();
/// fs::symlink("config.v2", dir.join("config")).await.unwrap();
/// assert_eq!(fs::read_to_string(dir.join("config")).await.unwrap(), "v2");
/// assert!(fs::symlink_metadata(dir.join("config")).await.unwrap().file_type().is_symlink());
/// fs::remove_dir_all(&dir).await.unwrap();
/// # });
/// ```
#[cfg(unix)]
pub async fn symlink(src: impl AsRef<Path>, dst: impl AsRef<Path>) -> io::Result<()> {
    let (src, dst) = (src.as_ref().to_owned(), dst.as_ref().to_owned());
    asyncify(move || std::os::unix::fs::symlink(src, dst)).await
}

/// Sets the permissions of a file or directory (following symlinks).
///
/// ```
/// use runtime_core::fs;
/// use std::os::unix::fs::PermissionsExt;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let path = std::env::temp_dir().join(format!("set-permissions-doc-{}", std::process::id()));
/// fs::write(&path, "secret").await.unwrap();
/// fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).await.unwrap();
/// let mode = fs::metadata(&path).await.unwrap().permissions().mode();
/// assert_eq!(mode & 0o777, 0o600);
/// fs::remove_file(&path).await.unwrap();
/// # });
/// ```
pub async fn set_permissions(path: impl AsRef<Path>, perm: std::fs::Permissions) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::set_permissions(path, perm)).await
}

/// The entries of a directory, read in batches on the blocking pool.
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let dir = std::env::temp_dir().join(format!("read-dir-doc-{}", std::process::id()));
/// fs::create_dir_all(&dir).await.unwrap();
/// for name in ["a", "b", "c"] {
///     fs::write(dir.join(name), name).await.unwrap();
/// }
/// let mut entries = fs::read_dir(&dir).await.unwrap();
/// let mut names = Vec::new();
/// while let Some(entry) = entries.next_entry().await.unwrap() {
///     names.push(entry.file_name().into_string().unwrap());
/// }
/// names.sort(); // the order is the file system's
/// assert_eq!(names, ["a", "b", "c"]);
/// fs::remove_dir_all(&dir).await.unwrap();
/// # });
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = path.as_ref().to_owned();
    let iter = asyncify(move || std::fs::read_dir(path)).await?;
    Ok(ReadDir {
        iter: Some(iter),
        batch: std::collections::VecDeque::new(),
        reading: None,
    })
}

/// Entries of a directory: call [`next_entry`](ReadDir::next_entry).
///
/// ```
/// use runtime_core::fs;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let dir = std::env::temp_dir().join(format!("readdir-doc-{}", std::process::id()));
/// fs::create_dir_all(dir.join("sub")).await.unwrap();
/// fs::write(dir.join("file"), "x").await.unwrap();
/// let mut entries: fs::ReadDir = fs::read_dir(&dir).await.unwrap();
/// let mut dirs = 0;
/// while let Some(entry) = entries.next_entry().await.unwrap() {
///     // The entries are `std::fs::DirEntry`s.
///     if entry.file_type().unwrap().is_dir() {
///         dirs += 1;
///     }
/// }
/// assert_eq!(dirs, 1);
/// fs::remove_dir_all(&dir).await.unwrap();
/// # });
/// ```
#[derive(Debug)]
pub struct ReadDir {
    /// `None` once exhausted (or while a batch is being read).
    iter: Option<std::fs::ReadDir>,
    batch: std::collections::VecDeque<io::Result<std::fs::DirEntry>>,
    /// The batch being read on the blocking pool, kept across polls so an
    /// abandoned `next_entry` loses nothing.
    reading: Option<crate::task::JoinHandle<ReadDirBatch>>,
}

/// What one trip to the blocking pool brings back: the iterator (`None`
/// once it is exhausted) and the entries read.
type ReadDirBatch = (
    Option<std::fs::ReadDir>,
    std::collections::VecDeque<io::Result<std::fs::DirEntry>>,
);

/// How many entries one trip to the blocking pool reads.
const READ_DIR_BATCH: usize = 32;

impl ReadDir {
    /// The next entry, or `None` at the end.
    ///
    /// ```
    /// use runtime_core::fs;
    /// use runtime_core::time::{timeout, Duration};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let dir = std::env::temp_dir().join(format!("next-entry-doc-{}", std::process::id()));
    /// fs::create_dir_all(&dir).await.unwrap();
    /// for i in 0..50 {
    ///     fs::write(dir.join(i.to_string()), "").await.unwrap();
    /// }
    /// let mut entries = fs::read_dir(&dir).await.unwrap();
    /// let mut count = 0;
    /// loop {
    ///     // A very short timeout cancels many calls half-way.
    ///     match timeout(Duration::from_micros(1), entries.next_entry()).await {
    ///         Ok(Ok(Some(_))) => count += 1,
    ///         Ok(Ok(None)) => break,
    ///         Ok(Err(e)) => panic!("{e}"),
    ///         Err(_elapsed) => continue, // try again: nothing was lost
    ///     }
    /// }
    /// assert_eq!(count, 50);
    /// fs::remove_dir_all(&dir).await.unwrap();
    /// # });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: the batch being read on the blocking pool is kept in
    /// the `ReadDir` (see [`poll_next_entry`](Self::poll_next_entry)), so
    /// a call dropped before it returns (a losing `select!` branch, a
    /// timeout) loses no entry; the next call picks the batch up.
    pub async fn next_entry(&mut self) -> io::Result<Option<std::fs::DirEntry>> {
        std::future::poll_fn(|cx| self.poll_next_entry(cx)).await
    }

    /// Polls for the next entry (`Ready(Ok(None))` at the end), as Tokio's
    /// `ReadDir::poll_next_entry`: for use in a hand-written `Stream` or
    /// future.
    ///
    /// ```
    /// use runtime_core::fs;
    /// use std::future::poll_fn;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let dir = std::env::temp_dir().join(format!("poll-readdir-doc-{}", std::process::id()));
    /// fs::create_dir_all(&dir).await.unwrap();
    /// fs::write(dir.join("only"), "x").await.unwrap();
    /// let mut entries = fs::read_dir(&dir).await.unwrap();
    /// let first = poll_fn(|cx| entries.poll_next_entry(cx)).await.unwrap();
    /// assert_eq!(first.unwrap().file_name(), "only");
    /// assert!(poll_fn(|cx| entries.poll_next_entry(cx)).await.unwrap().is_none());
    /// fs::remove_dir_all(&dir).await.unwrap();
    /// # });
    /// ```
    pub fn poll_next_entry(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<Option<std::fs::DirEntry>>> {
        use std::task::Poll;
        loop {
            if let Some(entry) = self.batch.pop_front() {
                return Poll::Ready(entry.map(Some));
            }
            if let Some(reading) = self.reading.as_mut() {
                let done =
                    std::task::ready!(std::future::Future::poll(std::pin::Pin::new(reading), cx));
                self.reading = None;
                match done {
                    Ok((iter, batch)) => {
                        self.iter = iter;
                        self.batch = batch;
                        continue;
                    }
                    Err(e) => {
                        return Poll::Ready(Err(io::Error::other(format!(
                            "blocking filesystem task failed: {e}"
                        ))))
                    }
                }
            }
            let Some(mut iter) = self.iter.take() else {
                return Poll::Ready(Ok(None));
            };
            self.reading = Some(crate::spawn_blocking(move || {
                let batch: std::collections::VecDeque<_> =
                    iter.by_ref().take(READ_DIR_BATCH).collect();
                let done = batch.len() < READ_DIR_BATCH;
                ((!done).then_some(iter), batch)
            }));
        }
    }
}
