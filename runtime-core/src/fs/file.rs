//! `File`: an open file whose reads, writes and seeks run on the blocking
//! pool. One operation is in flight at a time; a write returns as soon as
//! its bytes are copied into the file's buffer (its result, if an error,
//! comes back from the next operation or from `flush`), as Tokio's does.

use super::asyncify;
use crate::task::JoinHandle;
use futures_io::{AsyncRead, AsyncSeek, AsyncWrite};
use std::fmt;
use std::future::Future;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

/// The most one read or write moves to or from the blocking pool at once.
const MAX_BUF: usize = 2 * 1024 * 1024;

/// An open file. Implements `AsyncRead`, `AsyncWrite` and `AsyncSeek`.
///
/// ```
/// use runtime_core::fs::File;
/// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let path = std::env::temp_dir().join(format!("file-doc-{}", std::process::id()));
/// let mut f = File::create(&path).await.unwrap();
/// f.write_all(b"some bytes").await.unwrap();
/// f.sync_all().await.unwrap();
/// let mut text = String::new();
/// File::open(&path).await.unwrap().read_to_string(&mut text).await.unwrap();
/// assert_eq!(text, "some bytes");
/// # std::fs::remove_file(&path).unwrap();
/// # });
/// ```
///
/// # Cancel safety
///
/// A read, write, seek or [`set_len`](File::set_len) dropped before it
/// completes (a losing `select!` branch, a timeout) is not undone: it
/// stays in flight on the blocking pool, and the file's next operation
/// waits for it first. So a dropped `read` loses no data (the next read
/// returns what it read), a dropped `write` has taken no bytes, and a
/// dropped `seek` or `set_len` may still take effect.
pub struct File {
    std: Arc<std::fs::File>,
    state: State,
    /// The position asked of the seek in flight, so a `poll_seek` whose
    /// earlier call was abandoned (its future dropped) does not take that
    /// older seek's result for its own.
    seek_target: Option<SeekFrom>,
}

/// Bytes read ahead (`data[pos..]` not yet handed out) or about to be
/// written.
#[derive(Default)]
struct Buf {
    data: Vec<u8>,
    pos: usize,
}

impl Buf {
    fn unread(&self) -> usize {
        self.data.len() - self.pos
    }
}

enum Op {
    Read(io::Result<usize>),
    Write(io::Result<()>),
    Seek(io::Result<u64>),
    /// A truncation; its result is only for its own `set_len` call.
    SetLen(io::Result<()>),
}

enum State {
    Idle(Option<Buf>),
    Busy(JoinHandle<(Op, Buf)>),
}

impl File {
    /// Opens a file for reading.
    ///
    /// ```
    /// use runtime_core::fs::File;
    /// use runtime_core::io::AsyncReadExt;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("open-doc-{}", std::process::id()));
    /// runtime_core::fs::write(&path, "contents").await.unwrap();
    /// let mut file = File::open(&path).await.unwrap();
    /// let mut text = String::new();
    /// file.read_to_string(&mut text).await.unwrap();
    /// assert_eq!(text, "contents");
    /// # runtime_core::fs::remove_file(&path).await.unwrap();
    /// assert!(File::open("/no/such/file").await.is_err());
    /// # });
    /// ```
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref().to_owned();
        Ok(File::from_std(
            asyncify(move || std::fs::File::open(path)).await?,
        ))
    }

    /// Creates (or truncates) a file for writing.
    ///
    /// ```
    /// use runtime_core::fs::File;
    /// use runtime_core::io::AsyncWriteExt;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("create-doc-{}", std::process::id()));
    /// let mut file = File::create(&path).await.unwrap();
    /// file.write_all(b"log line\n").await.unwrap();
    /// // A failed write surfaces here at the latest.
    /// file.flush().await.unwrap();
    /// assert_eq!(runtime_core::fs::read_to_string(&path).await.unwrap(), "log line\n");
    /// # runtime_core::fs::remove_file(&path).await.unwrap();
    /// # });
    /// ```
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref().to_owned();
        Ok(File::from_std(
            asyncify(move || std::fs::File::create(path)).await?,
        ))
    }

    /// Options for opening a file (read, write, append, create, ...).
    ///
    /// ```
    /// use runtime_core::fs::File;
    /// use runtime_core::io::AsyncWriteExt;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("options-doc-{}", std::process::id()));
    /// let mut log = File::options().create(true).append(true).open(&path).await.unwrap();
    /// log.write_all(b"one\n").await.unwrap();
    /// log.flush().await.unwrap();
    /// # runtime_core::fs::remove_file(&path).await.unwrap();
    /// # });
    /// ```
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Wraps an open std file.
    ///
    /// ```
    /// use runtime_core::fs::File;
    /// use runtime_core::io::AsyncReadExt;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("from-std-doc-{}", std::process::id()));
    /// std::fs::write(&path, "abc").unwrap();
    /// let mut file = File::from_std(std::fs::File::open(&path).unwrap());
    /// let mut buf = Vec::new();
    /// file.read_to_end(&mut buf).await.unwrap();
    /// assert_eq!(buf, b"abc");
    /// # std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    pub fn from_std(std: std::fs::File) -> File {
        File {
            std: Arc::new(std),
            state: State::Idle(Some(Buf::default())),
            seek_target: None,
        }
    }

    /// Waits for the operation in flight; a failed write is reported here.
    async fn complete_inflight(&mut self) -> io::Result<()> {
        std::future::poll_fn(|cx| self.poll_complete(cx)).await
    }

    fn poll_complete(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let State::Busy(_) = &self.state {
            let (op, buf) = ready!(self.state.poll_job(cx))?;
            self.state = State::Idle(Some(buf));
            if let Op::Write(Err(e)) = op {
                return Poll::Ready(Err(e));
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Takes the idle buffer, first putting the file position back where
    /// the reader is (bytes read ahead are given back to the file).
    fn take_idle(&mut self) -> (Buf, i64) {
        let State::Idle(buf) = &mut self.state else {
            unreachable!("take_idle while an operation is in flight")
        };
        let mut buf = buf.take().unwrap_or_default();
        let back = buf.unread() as i64;
        buf.data.clear();
        buf.pos = 0;
        (buf, back)
    }

    /// Flushes pending writes and syncs data and metadata to the disk.
    ///
    /// ```
    /// use runtime_core::fs::File;
    /// use runtime_core::io::AsyncWriteExt;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("sync-all-doc-{}", std::process::id()));
    /// let mut file = File::create(&path).await.unwrap();
    /// file.write_all(b"durable").await.unwrap();
    /// file.sync_all().await.unwrap(); // on the disk, with its metadata
    /// # runtime_core::fs::remove_file(&path).await.unwrap();
    /// # });
    /// ```
    pub async fn sync_all(&mut self) -> io::Result<()> {
        self.complete_inflight().await?;
        let std = self.std.clone();
        asyncify(move || std.sync_all()).await
    }

    /// Flushes pending writes and syncs the data to the disk.
    ///
    /// ```
    /// use runtime_core::fs::File;
    /// use runtime_core::io::AsyncWriteExt;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("sync-data-doc-{}", std::process::id()));
    /// let mut file = File::create(&path).await.unwrap();
    /// file.write_all(b"record").await.unwrap();
    /// file.sync_data().await.unwrap(); // the bytes are on the disk
    /// # runtime_core::fs::remove_file(&path).await.unwrap();
    /// # });
    /// ```
    pub async fn sync_data(&mut self) -> io::Result<()> {
        self.complete_inflight().await?;
        let std = self.std.clone();
        asyncify(move || std.sync_data()).await
    }

    /// Truncates or extends the file.
    ///
    /// ```
    /// use runtime_core::fs::File;
    /// use runtime_core::io::AsyncWriteExt;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("set-len-doc-{}", std::process::id()));
    /// let mut file = File::create(&path).await.unwrap();
    /// file.write_all(b"hello world").await.unwrap();
    /// file.set_len(5).await.unwrap();
    /// assert_eq!(file.metadata().await.unwrap().len(), 5);
    /// assert_eq!(runtime_core::fs::read(&path).await.unwrap(), b"hello");
    /// # runtime_core::fs::remove_file(&path).await.unwrap();
    /// # });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// A call dropped before it completes does not stop the truncation: it
    /// stays in flight, and the file's next operation waits for it first.
    pub async fn set_len(&mut self, size: u64) -> io::Result<()> {
        self.complete_inflight().await?;
        let (buf, back) = self.take_idle();
        let std = self.std.clone();
        // In flight in the file's state, as a read or a write is: if this
        // call is dropped before it finishes, the next operation waits for
        // the truncation instead of racing it on another pool thread.
        self.state = State::Busy(crate::spawn_blocking(move || {
            let res = (|| {
                if back > 0 {
                    (&*std).seek(SeekFrom::Current(-back))?;
                }
                std.set_len(size)
            })();
            (Op::SetLen(res), buf)
        }));
        std::future::poll_fn(|cx| {
            let State::Busy(handle) = &mut self.state else {
                unreachable!("set_len's operation is in flight until this returns");
            };
            let done = ready!(Pin::new(handle).poll(cx));
            let (op, buf) = match done {
                Ok(done) => done,
                Err(e) => {
                    self.state = State::Idle(Some(Buf::default()));
                    return Poll::Ready(Err(join_error(e)));
                }
            };
            self.state = State::Idle(Some(buf));
            match op {
                Op::SetLen(res) => Poll::Ready(res),
                _ => unreachable!("set_len's own operation"),
            }
        })
        .await
    }

    /// The file's metadata.
    ///
    /// ```
    /// use runtime_core::fs::File;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("file-metadata-doc-{}", std::process::id()));
    /// runtime_core::fs::write(&path, "1234").await.unwrap();
    /// let file = File::open(&path).await.unwrap();
    /// let meta = file.metadata().await.unwrap();
    /// assert!(meta.is_file());
    /// assert_eq!(meta.len(), 4);
    /// # runtime_core::fs::remove_file(&path).await.unwrap();
    /// # });
    /// ```
    pub async fn metadata(&self) -> io::Result<std::fs::Metadata> {
        let std = self.std.clone();
        asyncify(move || std.metadata()).await
    }

    /// A second `File` for the same open file (`dup`): it shares the
    /// file position, and what one writes the other reads.
    ///
    /// ```
    /// use runtime_core::fs::File;
    /// use runtime_core::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("try-clone-doc-{}", std::process::id()));
    /// let mut file = File::options().read(true).write(true).create(true).truncate(true).open(&path).await.unwrap();
    /// let mut other = file.try_clone().await.unwrap();
    /// file.write_all(b"through one").await.unwrap();
    /// file.flush().await.unwrap();
    /// other.rewind().await.unwrap(); // moves `file`'s position too
    /// let mut text = String::new();
    /// other.read_to_string(&mut text).await.unwrap();
    /// assert_eq!(text, "through one");
    /// # runtime_core::fs::remove_file(&path).await.unwrap();
    /// # });
    /// ```
    pub async fn try_clone(&self) -> io::Result<File> {
        let std = self.std.clone();
        Ok(File::from_std(asyncify(move || std.try_clone()).await?))
    }

    /// The std file, at once: `Err(self)` back while an operation is still
    /// running on the blocking pool (a write that has not finished, say;
    /// [`into_std`](Self::into_std) waits for it instead).
    ///
    /// ```
    /// use runtime_core::fs::File;
    /// use runtime_core::io::AsyncWriteExt;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("try-into-std-doc-{}", std::process::id()));
    /// let mut file = File::create(&path).await.unwrap();
    /// file.write_all(b"data").await.unwrap();
    /// file.flush().await.unwrap(); // nothing left in flight
    /// let std_file: std::fs::File = file.try_into_std().unwrap();
    /// assert_eq!(std_file.metadata().unwrap().len(), 4);
    /// # std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    pub fn try_into_std(self) -> Result<std::fs::File, File> {
        let File {
            std,
            state,
            seek_target,
        } = self;
        // The operation in flight, if any, holds the other reference.
        Arc::try_unwrap(std).map_err(|std| File {
            std,
            state,
            seek_target,
        })
    }

    /// Sets the file's permissions.
    ///
    /// ```
    /// use runtime_core::fs::File;
    /// use std::os::unix::fs::PermissionsExt;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("file-set-permissions-doc-{}", std::process::id()));
    /// let file = File::create(&path).await.unwrap();
    /// let mut perms = file.metadata().await.unwrap().permissions();
    /// perms.set_readonly(true);
    /// file.set_permissions(perms).await.unwrap();
    /// assert!(file.metadata().await.unwrap().permissions().readonly());
    /// assert_eq!(file.metadata().await.unwrap().permissions().mode() & 0o222, 0);
    /// # runtime_core::fs::remove_file(&path).await.unwrap();
    /// # });
    /// ```
    pub async fn set_permissions(&self, perm: std::fs::Permissions) -> io::Result<()> {
        let std = self.std.clone();
        asyncify(move || std.set_permissions(perm)).await
    }

    /// Waits for pending writes and returns the std file. The error of a
    /// pending write that failed is lost here (as with Tokio): call `flush`
    /// first to see it.
    ///
    /// ```
    /// use runtime_core::fs::File;
    /// use runtime_core::io::AsyncWriteExt;
    /// use std::io::{Read, Seek, SeekFrom};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("into-std-doc-{}", std::process::id()));
    /// let mut file = File::options().read(true).write(true).create(true).truncate(true).open(&path).await.unwrap();
    /// file.write_all(b"async").await.unwrap();
    /// file.flush().await.unwrap(); // where a failed write would show
    /// let mut std_file: std::fs::File = file.into_std().await;
    /// std_file.seek(SeekFrom::Start(0)).unwrap();
    /// let mut text = String::new();
    /// std_file.read_to_string(&mut text).unwrap();
    /// assert_eq!(text, "async");
    /// # std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    pub async fn into_std(mut self) -> std::fs::File {
        let _ = self.complete_inflight().await;
        let std = self.std.clone();
        drop(self);
        Arc::try_unwrap(std).expect("no operation is in flight, so no other owner is left")
    }
}

/// One `read(2)` of at most `len` bytes into `data`'s spare capacity, which
/// the caller reserved, without zero-filling it first; `data` must be
/// empty and ends holding what was read.
fn read_uninit(file: &std::fs::File, data: &mut Vec<u8>, len: usize) -> io::Result<usize> {
    use std::os::fd::AsRawFd;
    assert!(
        data.is_empty() && data.capacity() >= len,
        "read_uninit: no room reserved"
    );
    loop {
        // SAFETY: the pointer is to `data`'s spare capacity, at least `len`
        // bytes long (asserted above); read(2) writes at most `len` bytes
        // there and touches nothing else.
        let n = unsafe { libc::read(file.as_raw_fd(), data.as_mut_ptr().cast(), len) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        // SAFETY: the kernel initialised the first `n <= len` bytes, which
        // lie within the capacity.
        unsafe { data.set_len(n as usize) };
        return Ok(n as usize);
    }
}

impl State {
    /// Polls the blocking job in flight (the state is `Busy`). A job that
    /// failed (it panicked, or the runtime shut down under it) has
    /// reported: the file goes back to idle with no buffer, so its next
    /// operation starts afresh instead of polling a finished `JoinHandle`.
    fn poll_job(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<(Op, Buf)>> {
        let State::Busy(handle) = self else {
            unreachable!("poll_job with no job in flight")
        };
        match ready!(Pin::new(handle).poll(cx)) {
            Ok(done) => Poll::Ready(Ok(done)),
            Err(e) => {
                *self = State::Idle(None);
                Poll::Ready(Err(join_error(e)))
            }
        }
    }
}

fn join_error(e: crate::task::JoinError) -> io::Error {
    io::Error::other(format!("blocking file operation failed: {e}"))
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        loop {
            match &mut me.state {
                State::Idle(Some(buf)) if buf.unread() > 0 => {
                    let n = buf.unread().min(out.len());
                    out[..n].copy_from_slice(&buf.data[buf.pos..buf.pos + n]);
                    buf.pos += n;
                    return Poll::Ready(Ok(n));
                }
                State::Idle(_) => {
                    // The last operation's buffer, emptied: its allocation
                    // is reused, and the read fills it without zeroing it.
                    let (mut buf, back) = me.take_idle();
                    debug_assert_eq!(back, 0);
                    let len = out.len().min(MAX_BUF);
                    buf.data.reserve(len);
                    let std = me.std.clone();
                    me.state = State::Busy(crate::spawn_blocking(move || {
                        let res = read_uninit(&std, &mut buf.data, len);
                        (Op::Read(res), buf)
                    }));
                }
                State::Busy(_) => {
                    let (op, buf) = ready!(me.state.poll_job(cx))?;
                    me.state = State::Idle(Some(buf));
                    match op {
                        Op::Read(Ok(0)) => return Poll::Ready(Ok(0)),
                        Op::Read(Ok(_)) => {}
                        Op::Read(Err(e)) | Op::Write(Err(e)) | Op::Seek(Err(e)) => {
                            return Poll::Ready(Err(e))
                        }
                        Op::Write(Ok(())) | Op::Seek(Ok(_)) | Op::SetLen(_) => {}
                    }
                }
            }
        }
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        ready!(me.poll_complete(cx))?;
        let (mut buf, back) = me.take_idle();
        let n = src.len().min(MAX_BUF);
        buf.data.extend_from_slice(&src[..n]);
        let std = me.std.clone();
        me.state = State::Busy(crate::spawn_blocking(move || {
            let res = (|| {
                if back > 0 {
                    (&*std).seek(SeekFrom::Current(-back))?;
                }
                (&*std).write_all(&buf.data)
            })();
            buf.data.clear();
            (Op::Write(res), buf)
        }));
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_complete(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_complete(cx)
    }
}

impl AsyncSeek for File {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let me = self.get_mut();
        loop {
            match &mut me.state {
                State::Busy(_) => {
                    let (op, buf) = ready!(me.state.poll_job(cx))?;
                    me.state = State::Idle(Some(buf));
                    match op {
                        Op::Seek(res) if me.seek_target.take() == Some(pos) => {
                            return Poll::Ready(res)
                        }
                        // An abandoned seek to somewhere else: start ours.
                        Op::Seek(_) => {}
                        Op::Write(Err(e)) => return Poll::Ready(Err(e)),
                        Op::Read(_) | Op::Write(Ok(())) | Op::SetLen(_) => {}
                    }
                }
                State::Idle(_) => {
                    let (buf, back) = me.take_idle();
                    let target = match pos {
                        SeekFrom::Current(off) => SeekFrom::Current(off - back),
                        other => other,
                    };
                    me.seek_target = Some(pos);
                    let std = me.std.clone();
                    me.state = State::Busy(crate::spawn_blocking(move || {
                        (Op::Seek((&*std).seek(target)), buf)
                    }));
                }
            }
        }
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File").field("std", &self.std).finish()
    }
}

/// Options for opening a file, as `std::fs::OpenOptions`.
///
/// ```
/// use runtime_core::fs::OpenOptions;
/// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let path = std::env::temp_dir().join(format!("open-options-doc-{}", std::process::id()));
/// let mut file = OpenOptions::new()
///     .read(true)
///     .write(true)
///     .create(true)
///     .truncate(true)
///     .open(&path)
///     .await
///     .unwrap();
/// file.write_all(b"read back").await.unwrap();
/// let mut again = OpenOptions::new().read(true).open(&path).await.unwrap();
/// let mut text = String::new();
/// again.read_to_string(&mut text).await.unwrap();
/// assert_eq!(text, "read back");
/// # runtime_core::fs::remove_file(&path).await.unwrap();
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions(std::fs::OpenOptions);

impl OpenOptions {
    /// No access at all until options are set.
    pub fn new() -> OpenOptions {
        OpenOptions(std::fs::OpenOptions::new())
    }
    /// Open for reading.
    pub fn read(&mut self, on: bool) -> &mut Self {
        self.0.read(on);
        self
    }
    /// Open for writing.
    pub fn write(&mut self, on: bool) -> &mut Self {
        self.0.write(on);
        self
    }
    /// Writes go to the end of the file.
    ///
    /// ```
    /// use runtime_core::fs::OpenOptions;
    /// use runtime_core::io::AsyncWriteExt;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("append-doc-{}", std::process::id()));
    /// runtime_core::fs::write(&path, "one\n").await.unwrap();
    /// let mut log = OpenOptions::new().append(true).open(&path).await.unwrap();
    /// log.write_all(b"two\n").await.unwrap();
    /// log.flush().await.unwrap();
    /// assert_eq!(runtime_core::fs::read_to_string(&path).await.unwrap(), "one\ntwo\n");
    /// # runtime_core::fs::remove_file(&path).await.unwrap();
    /// # });
    /// ```
    pub fn append(&mut self, on: bool) -> &mut Self {
        self.0.append(on);
        self
    }
    /// Truncate the file to 0 bytes.
    ///
    /// ```
    /// use runtime_core::fs::OpenOptions;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("truncate-doc-{}", std::process::id()));
    /// runtime_core::fs::write(&path, "old contents").await.unwrap();
    /// let file = OpenOptions::new().write(true).truncate(true).open(&path).await.unwrap();
    /// assert_eq!(file.metadata().await.unwrap().len(), 0);
    /// # runtime_core::fs::remove_file(&path).await.unwrap();
    /// # });
    /// ```
    pub fn truncate(&mut self, on: bool) -> &mut Self {
        self.0.truncate(on);
        self
    }
    /// Create the file if it is missing.
    pub fn create(&mut self, on: bool) -> &mut Self {
        self.0.create(on);
        self
    }
    /// Create the file, failing if it exists.
    ///
    /// ```
    /// use runtime_core::fs::OpenOptions;
    /// use std::io::ErrorKind;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("create-new-doc-{}", std::process::id()));
    /// // Claim a lock file: only one opener can succeed.
    /// let mut opts = OpenOptions::new();
    /// opts.write(true).create_new(true);
    /// let _lock = opts.open(&path).await.unwrap();
    /// let err = opts.open(&path).await.unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::AlreadyExists);
    /// # runtime_core::fs::remove_file(&path).await.unwrap();
    /// # });
    /// ```
    pub fn create_new(&mut self, on: bool) -> &mut Self {
        self.0.create_new(on);
        self
    }
    /// Opens `path` with these options.
    ///
    /// ```
    /// use runtime_core::fs::OpenOptions;
    /// use std::io::ErrorKind;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("options-open-doc-{}", std::process::id()));
    /// // Without `create`, a missing file is an error.
    /// let err = OpenOptions::new().write(true).open(&path).await.unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::NotFound);
    /// let file = OpenOptions::new().write(true).create(true).open(&path).await.unwrap();
    /// assert_eq!(file.metadata().await.unwrap().len(), 0);
    /// # runtime_core::fs::remove_file(&path).await.unwrap();
    /// # });
    /// ```
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let (opts, path) = (self.0.clone(), path.as_ref().to_owned());
        Ok(File::from_std(asyncify(move || opts.open(path)).await?))
    }

    /// The permission bits a file created by `open` gets (Unix; default
    /// `0o666`), before the process's umask is applied.
    ///
    /// ```
    /// use runtime_core::fs::OpenOptions;
    /// use std::os::unix::fs::PermissionsExt;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("mode-doc-{}", std::process::id()));
    /// let file = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path).await.unwrap();
    /// let mode = file.metadata().await.unwrap().permissions().mode();
    /// assert_eq!(mode & 0o777, 0o600); // a umask only takes bits away
    /// # runtime_core::fs::remove_file(&path).await.unwrap();
    /// # });
    /// ```
    #[cfg(unix)]
    pub fn mode(&mut self, mode: u32) -> &mut Self {
        std::os::unix::fs::OpenOptionsExt::mode(&mut self.0, mode);
        self
    }

    /// Extra `open(2)` flags (Unix), such as `O_NOFOLLOW` or `O_DIRECT`
    /// (the access-mode bits are masked out: use `read`/`write`).
    ///
    /// ```
    /// use runtime_core::fs::{self, OpenOptions};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let dir = std::env::temp_dir().join(format!("custom-flags-doc-{}", std::process::id()));
    /// fs::create_dir_all(&dir).await.unwrap();
    /// fs::write(dir.join("real"), "x").await.unwrap();
    /// fs::symlink(dir.join("real"), dir.join("link")).await.unwrap();
    /// // Refuse to open through a symbolic link.
    /// let res = OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(dir.join("link")).await;
    /// assert_eq!(res.unwrap_err().raw_os_error(), Some(libc::ELOOP));
    /// fs::remove_dir_all(&dir).await.unwrap();
    /// # });
    /// ```
    #[cfg(unix)]
    pub fn custom_flags(&mut self, flags: i32) -> &mut Self {
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut self.0, flags);
        self
    }
}

/// Wraps std's options (with whatever `OpenOptionsExt` settings they
/// carry).
///
/// ```
/// use runtime_core::fs::OpenOptions;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let mut std_options = std::fs::OpenOptions::new();
/// std_options.read(true);
/// let options = OpenOptions::from(std_options);
/// assert!(options.open("/no/such/file").await.is_err());
/// # });
/// ```
impl From<std::fs::OpenOptions> for OpenOptions {
    fn from(options: std::fs::OpenOptions) -> OpenOptions {
        OpenOptions(options)
    }
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions::new()
    }
}
