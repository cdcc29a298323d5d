//! `DirBuilder`: creates directories with options (recursively, with a
//! Unix mode), as `std::fs::DirBuilder` on the blocking pool and as
//! Tokio's `tokio::fs::DirBuilder`.

use super::asyncify;
use std::io;
use std::path::Path;

/// Creates directories with options: [`recursive`](Self::recursive)
/// (`create_dir_all`'s behaviour) and, on Unix, [`mode`](Self::mode).
///
/// ```
/// use runtime_core::fs::{self, DirBuilder};
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let root = std::env::temp_dir().join(format!("dir-builder-doc-{}", std::process::id()));
/// let mut builder = DirBuilder::new();
/// builder.recursive(true);
/// builder.create(root.join("a/b/c")).await.unwrap();
/// assert!(fs::metadata(root.join("a/b/c")).await.unwrap().is_dir());
/// // Recursive: an existing directory is fine.
/// builder.create(root.join("a")).await.unwrap();
/// fs::remove_dir_all(&root).await.unwrap();
/// # });
/// ```
#[derive(Clone, Debug, Default)]
pub struct DirBuilder {
    recursive: bool,
    #[cfg(unix)]
    mode: Option<u32>,
}

impl DirBuilder {
    /// A builder that creates one directory (its parent must exist) with
    /// the default mode (`0o777`, less the process's umask).
    ///
    /// ```
    /// use runtime_core::fs::DirBuilder;
    /// use std::io::ErrorKind;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let root = std::env::temp_dir().join(format!("dir-builder-new-doc-{}", std::process::id()));
    /// let err = DirBuilder::new().create(root.join("missing/parent")).await.unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::NotFound);
    /// # });
    /// ```
    pub fn new() -> DirBuilder {
        DirBuilder::default()
    }

    /// Also creates missing parents, and accepts a directory that exists
    /// already (off by default).
    ///
    /// ```
    /// use runtime_core::fs::DirBuilder;
    /// use std::io::ErrorKind;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let dir = std::env::temp_dir().join(format!("dir-builder-recursive-doc-{}", std::process::id()));
    /// DirBuilder::new().create(&dir).await.unwrap();
    /// // Not recursive: the directory exists.
    /// let err = DirBuilder::new().create(&dir).await.unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::AlreadyExists);
    /// DirBuilder::new().recursive(true).create(&dir).await.unwrap();
    /// runtime_core::fs::remove_dir(&dir).await.unwrap();
    /// # });
    /// ```
    pub fn recursive(&mut self, recursive: bool) -> &mut Self {
        self.recursive = recursive;
        self
    }

    /// The permission bits of the directories created (Unix), before the
    /// process's umask is applied.
    ///
    /// ```
    /// use runtime_core::fs::{self, DirBuilder};
    /// use std::os::unix::fs::PermissionsExt;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let dir = std::env::temp_dir().join(format!("dir-builder-mode-doc-{}", std::process::id()));
    /// DirBuilder::new().mode(0o700).create(&dir).await.unwrap();
    /// let mode = fs::metadata(&dir).await.unwrap().permissions().mode();
    /// assert_eq!(mode & 0o777, 0o700); // a umask only takes bits away
    /// fs::remove_dir(&dir).await.unwrap();
    /// # });
    /// ```
    #[cfg(unix)]
    pub fn mode(&mut self, mode: u32) -> &mut Self {
        self.mode = Some(mode);
        self
    }

    /// Creates the directory at `path` with these options.
    ///
    /// ```
    /// use runtime_core::fs::DirBuilder;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let dir = std::env::temp_dir().join(format!("dir-builder-create-doc-{}", std::process::id()));
    /// DirBuilder::new().create(&dir).await.unwrap();
    /// assert!(dir.is_dir());
    /// runtime_core::fs::remove_dir(&dir).await.unwrap();
    /// # });
    /// ```
    pub async fn create(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref().to_owned();
        let options = self.clone();
        asyncify(move || {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(options.recursive);
            #[cfg(unix)]
            if let Some(mode) = options.mode {
                std::os::unix::fs::DirBuilderExt::mode(&mut builder, mode);
            }
            builder.create(path)
        })
        .await
    }
}
