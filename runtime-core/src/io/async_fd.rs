//! `AsyncFd<T>`: readiness events for any type that owns a file
//! descriptor (a socket, a pipe, an eventfd), registered with the current
//! runtime's I/O driver. The fd must be in non-blocking mode.

use super::registration::Registration;
use super::scheduled_io::{Direction, ReadyEvent};
use super::{Interest, Ready};
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::task::{ready, Context, Poll};

/// Registers a file descriptor with the runtime's I/O driver and tells
/// when it is readable or writable.
///
/// The wrapped object must be in non-blocking mode. Dropping the
/// `AsyncFd` removes the fd from the driver *before* the object (and so
/// the fd) is dropped; [`into_inner`](AsyncFd::into_inner) does the same
/// and hands the object back.
///
/// ```
/// use runtime_core::io::AsyncFd;
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
///
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (a, mut b) = UnixStream::pair().unwrap();
///     a.set_nonblocking(true).unwrap();
///     let a = AsyncFd::new(a).unwrap();
///     b.write_all(b"ping").unwrap();
///     let mut buf = [0; 4];
///     let n = loop {
///         let mut guard = a.readable().await.unwrap();
///         match guard.try_io(|fd| fd.get_ref().read(&mut buf)) {
///             Ok(result) => break result.unwrap(),
///             Err(_would_block) => continue,
///         }
///     };
///     assert_eq!(&buf[..n], b"ping");
/// });
/// ```
pub struct AsyncFd<T: AsRawFd> {
    // Declared first: dropped (deregistered) before `inner` closes the fd.
    registration: Registration,
    inner: Option<T>,
}

/// Readiness seen by [`AsyncFd::readable`] or [`AsyncFd::writable`].
/// [`clear_ready`](Self::clear_ready) says the readiness was used up (an
/// operation returned `WouldBlock`); dropping the guard without it keeps
/// the readiness, so the next wait returns at once.
///
/// ```
/// use runtime_core::io::AsyncFd;
/// use std::io::{ErrorKind, Write};
/// use std::os::unix::net::UnixStream;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let (a, _b) = UnixStream::pair().unwrap();
/// a.set_nonblocking(true).unwrap();
/// let a = AsyncFd::new(a).unwrap();
/// // Fill the socket's buffer.
/// let mut written = 0;
/// loop {
///     let mut guard = a.writable().await.unwrap();
///     match guard.get_inner().write(&[0; 4096]) {
///         Ok(n) => written += n,
///         Err(e) if e.kind() == ErrorKind::WouldBlock => {
///             // Used up: the next `writable` waits for room.
///             guard.clear_ready();
///             break;
///         }
///         Err(e) => panic!("{e}"),
///     }
/// }
/// assert!(written > 0);
/// # });
/// ```
#[must_use = "the readiness is only cleared through the guard"]
pub struct AsyncFdReadyGuard<'a, T: AsRawFd> {
    fd: &'a AsyncFd<T>,
    event: Option<ReadyEvent>,
}

/// Like [`AsyncFdReadyGuard`], with mutable access to the object.
///
/// ```
/// use runtime_core::io::AsyncFd;
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let (a, mut b) = UnixStream::pair().unwrap();
/// a.set_nonblocking(true).unwrap();
/// let mut a = AsyncFd::new(a).unwrap();
/// b.write_all(b"hi").unwrap();
/// let mut buf = [0; 2];
/// loop {
///     let mut guard = a.readable_mut().await.unwrap();
///     // `&mut AsyncFd`: for objects whose reads need `&mut self`.
///     if let Ok(res) = guard.try_io(|fd| fd.get_mut().read(&mut buf)) {
///         assert_eq!(res.unwrap(), 2);
///         break;
///     }
/// }
/// assert_eq!(&buf, b"hi");
/// # });
/// ```
#[must_use = "the readiness is only cleared through the guard"]
pub struct AsyncFdReadyMutGuard<'a, T: AsRawFd> {
    fd: &'a mut AsyncFd<T>,
    event: Option<ReadyEvent>,
}

/// The operation passed to a guard's `try_io` would have blocked; the
/// readiness was cleared and the caller should wait again.
///
/// ```
/// use runtime_core::io::{AsyncFd, TryIoError};
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let (a, mut b) = UnixStream::pair().unwrap();
/// a.set_nonblocking(true).unwrap();
/// let a = AsyncFd::new(a).unwrap();
/// b.write_all(b"x").unwrap();
/// let mut guard = a.readable().await.unwrap();
/// let mut buf = [0; 8];
/// assert_eq!(guard.try_io(|fd| fd.get_ref().read(&mut buf)).unwrap().unwrap(), 1);
/// // Drained: the readiness is stale and a second read would block.
/// let err: TryIoError = guard.try_io(|fd| fd.get_ref().read(&mut buf)).unwrap_err();
/// assert_eq!(err.to_string(), "the operation would block; wait for readiness again");
/// # });
/// ```
#[derive(Debug)]
pub struct TryIoError(());

impl fmt::Display for TryIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the operation would block; wait for readiness again")
    }
}

impl std::error::Error for TryIoError {}

fn direction_of(interest: Interest) -> Direction {
    match (interest.is_readable(), interest.is_writable()) {
        (true, false) => Direction::Read,
        (false, true) => Direction::Write,
        _ => panic!(
            "AsyncFd::async_io and try_io take exactly one of Interest::READABLE or Interest::WRITABLE, not {interest:?}"
        ),
    }
}

impl<T: AsRawFd> AsyncFd<T> {
    /// Registers `inner` for both readability and writability.
    ///
    /// # Panics
    /// Outside a runtime, or on a runtime built without `enable_io`.
    ///
    /// ```
    /// use runtime_core::io::AsyncFd;
    /// use std::os::unix::net::UnixDatagram;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, b) = UnixDatagram::pair().unwrap();
    /// a.set_nonblocking(true).unwrap(); // required
    /// let a = AsyncFd::new(a).unwrap();
    /// b.send(b"ping").unwrap();
    /// let mut buf = [0; 8];
    /// let n = a.async_io(runtime_core::io::Interest::READABLE, |s| s.recv(&mut buf)).await.unwrap();
    /// assert_eq!(&buf[..n], b"ping");
    /// # });
    /// ```
    #[track_caller]
    pub fn new(inner: T) -> io::Result<AsyncFd<T>> {
        AsyncFd::with_interest(inner, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `inner` for the given readiness only.
    ///
    /// # Panics
    /// As [`new`](AsyncFd::new).
    ///
    /// ```
    /// use runtime_core::io::{AsyncFd, Interest};
    /// use std::os::unix::net::{UnixListener, UnixStream};
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let path = std::env::temp_dir().join(format!("asyncfd-doc-{}.sock", std::process::id()));
    /// let listener = UnixListener::bind(&path).unwrap();
    /// listener.set_nonblocking(true).unwrap();
    /// // A listener is only ever read from.
    /// let listener = AsyncFd::with_interest(listener, Interest::READABLE).unwrap();
    /// let _client = UnixStream::connect(&path).unwrap();
    /// let (_conn, _) = listener.async_io(Interest::READABLE, |l| l.accept()).await.unwrap();
    /// std::fs::remove_file(&path).unwrap();
    /// # });
    /// ```
    #[track_caller]
    pub fn with_interest(inner: T, interest: Interest) -> io::Result<AsyncFd<T>> {
        let registration = Registration::new(inner.as_raw_fd(), interest)?;
        Ok(AsyncFd {
            registration,
            inner: Some(inner),
        })
    }

    /// [`with_interest`](Self::with_interest) for an object whose drop
    /// closes the fd (a std socket, an `OwnedFd`): dropping the `AsyncFd`
    /// then leaves the fd's removal from the poller to the kernel, which
    /// does it when the fd closes, saving a system call per source.
    /// [`into_inner`](Self::into_inner) still removes it, since the fd
    /// stays open. For the runtime's own socket types.
    #[doc(hidden)]
    #[track_caller]
    pub fn __with_interest_closing(inner: T, interest: Interest) -> io::Result<AsyncFd<T>> {
        let mut fd = AsyncFd::with_interest(inner, interest)?;
        fd.registration.set_closed_by_owner();
        Ok(fd)
    }

    /// The wrapped object.
    pub fn get_ref(&self) -> &T {
        self.inner
            .as_ref()
            .expect("AsyncFd holds its object until dropped")
    }

    /// The wrapped object, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        self.inner
            .as_mut()
            .expect("AsyncFd holds its object until dropped")
    }

    /// Deregisters the fd and returns the object.
    ///
    /// ```
    /// use runtime_core::io::AsyncFd;
    /// use std::io::{Read, Write};
    /// use std::os::unix::net::UnixStream;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, mut b) = UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// let a = AsyncFd::new(a).unwrap();
    /// // Back to blocking std I/O.
    /// let mut a: UnixStream = a.into_inner();
    /// a.set_nonblocking(false).unwrap();
    /// b.write_all(b"x").unwrap();
    /// let mut byte = [0];
    /// a.read_exact(&mut byte).unwrap();
    /// assert_eq!(&byte, b"x");
    /// # });
    /// ```
    pub fn into_inner(mut self) -> T {
        self.registration.deregister();
        self.inner
            .take()
            .expect("AsyncFd holds its object until dropped")
    }

    /// Waits until the fd is readable (one waiter per direction: the last
    /// task to poll is the one woken; use [`readable`](Self::readable) from
    /// several tasks).
    ///
    /// ```
    /// use runtime_core::io::AsyncFd;
    /// use std::future::poll_fn;
    /// use std::io::Write;
    /// use std::os::unix::net::UnixStream;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, mut b) = UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// let a = AsyncFd::new(a).unwrap();
    /// b.write_all(b"x").unwrap();
    /// let guard = poll_fn(|cx| a.poll_read_ready(cx)).await.unwrap();
    /// assert!(guard.ready().is_readable());
    /// # });
    /// ```
    pub fn poll_read_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let ev = ready!(self.registration.poll_ready(cx, Direction::Read, None))?;
        Poll::Ready(Ok(AsyncFdReadyGuard::new(self, ev)))
    }

    /// Waits until the fd is writable (see `poll_read_ready`).
    pub fn poll_write_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let ev = ready!(self.registration.poll_ready(cx, Direction::Write, None))?;
        Poll::Ready(Ok(AsyncFdReadyGuard::new(self, ev)))
    }

    /// `poll_read_ready` with mutable access to the object.
    pub fn poll_read_ready_mut<'a>(
        &'a mut self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyMutGuard<'a, T>>> {
        let ev = ready!(self.registration.poll_ready(cx, Direction::Read, None))?;
        Poll::Ready(Ok(AsyncFdReadyMutGuard::new(self, ev)))
    }

    /// `poll_write_ready` with mutable access to the object.
    pub fn poll_write_ready_mut<'a>(
        &'a mut self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyMutGuard<'a, T>>> {
        let ev = ready!(self.registration.poll_ready(cx, Direction::Write, None))?;
        Poll::Ready(Ok(AsyncFdReadyMutGuard::new(self, ev)))
    }

    /// The async waits (`readable()`, `async_io`...) holding a waker on
    /// this fd right now (for tests: a dropped wait holds none).
    #[doc(hidden)]
    pub fn __list_waiters(&self) -> usize {
        self.registration.list_waiters()
    }

    /// Waits until the fd is readable. Any number of tasks may wait at once.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: waiting uses up no readiness. Once an event arrived,
    /// it stays recorded until it is cleared (a guard's `clear_ready`, or
    /// its `try_io` seeing `WouldBlock`), so a wait dropped before it
    /// completes loses no event and the next wait returns at once.
    pub async fn readable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        let ev = self.wait_ready(Direction::Read).await?;
        Ok(AsyncFdReadyGuard::new(self, ev))
    }

    /// Waits until the fd is writable. Any number of tasks may wait at once.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`readable`](Self::readable).
    ///
    /// ```
    /// use runtime_core::io::AsyncFd;
    /// use std::io::Write;
    /// use std::os::unix::net::UnixStream;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, _b) = UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// let a = AsyncFd::new(a).unwrap();
    /// let n = loop {
    ///     let mut guard = a.writable().await.unwrap();
    ///     if let Ok(res) = guard.try_io(|fd| fd.get_ref().write(b"hello")) {
    ///         break res.unwrap();
    ///     }
    /// };
    /// assert_eq!(n, 5);
    /// # });
    /// ```
    pub async fn writable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        let ev = self.wait_ready(Direction::Write).await?;
        Ok(AsyncFdReadyGuard::new(self, ev))
    }

    /// Waits until the fd is ready for any of `interest`'s directions (both
    /// when `READABLE | WRITABLE`); the guard's [`ready`](AsyncFdReadyGuard::ready)
    /// says which was found, and `clear_ready` clears that one. Any number
    /// of tasks may wait at once.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`readable`](Self::readable).
    ///
    /// ```
    /// use runtime_core::io::{AsyncFd, Interest};
    /// use std::os::unix::net::UnixStream;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, _b) = UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// let a = AsyncFd::new(a).unwrap();
    /// // Nothing to read, but room to write: the write side answers.
    /// let guard = a.ready(Interest::READABLE | Interest::WRITABLE).await.unwrap();
    /// assert!(guard.ready().is_writable());
    /// # });
    /// ```
    pub async fn ready(&self, interest: Interest) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        let ev = self.wait_either(interest).await?;
        Ok(AsyncFdReadyGuard::new(self, ev))
    }

    /// `ready` with mutable access to the object.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`readable`](Self::readable).
    pub async fn ready_mut(
        &mut self,
        interest: Interest,
    ) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        let ev = self.wait_either(interest).await?;
        Ok(AsyncFdReadyMutGuard::new(self, ev))
    }

    /// Waits in the list of `dir`'s waiters (so any number of tasks may
    /// wait at once) until the fd is ready that way.
    async fn wait_ready(&self, dir: Direction) -> io::Result<ReadyEvent> {
        let mut waiter = self.registration.list_waiter();
        poll_fn(|cx| self.registration.poll_ready(cx, dir, Some(&mut waiter.id))).await
    }

    /// [`wait_ready`](Self::wait_ready) for each of `interest`'s
    /// directions at once: the first one ready answers.
    async fn wait_either(&self, interest: Interest) -> io::Result<ReadyEvent> {
        let (mut r, mut w) = (
            self.registration.list_waiter(),
            self.registration.list_waiter(),
        );
        poll_fn(|cx| self.poll_either(cx, interest, &mut r.id, &mut w.id)).await
    }

    fn poll_either(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        read: &mut Option<usize>,
        write: &mut Option<usize>,
    ) -> Poll<io::Result<ReadyEvent>> {
        assert!(
            interest.is_readable() || interest.is_writable(),
            "AsyncFd::ready needs READABLE, WRITABLE or both"
        );
        if interest.is_readable() {
            if let Poll::Ready(ev) = self
                .registration
                .poll_ready(cx, Direction::Read, Some(read))
            {
                return Poll::Ready(ev);
            }
        }
        if interest.is_writable() {
            if let Poll::Ready(ev) = self
                .registration
                .poll_ready(cx, Direction::Write, Some(write))
            {
                return Poll::Ready(ev);
            }
        }
        Poll::Pending
    }

    /// `readable` with mutable access to the object.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`readable`](Self::readable).
    pub async fn readable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        let ev = self.wait_ready(Direction::Read).await?;
        Ok(AsyncFdReadyMutGuard::new(self, ev))
    }

    /// `writable` with mutable access to the object.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`readable`](Self::readable).
    pub async fn writable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        let ev = self.wait_ready(Direction::Write).await?;
        Ok(AsyncFdReadyMutGuard::new(self, ev))
    }

    /// Runs `f` whenever the fd is ready for `interest` (exactly one of
    /// `READABLE`/`WRITABLE`), until it returns something other than
    /// `WouldBlock`.
    ///
    /// ```
    /// use runtime_core::io::{AsyncFd, Interest};
    /// use std::io::{Read, Write};
    /// use std::os::unix::net::UnixStream;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, mut b) = UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// let a = AsyncFd::new(a).unwrap();
    /// let writer = std::thread::spawn(move || b.write_all(b"later").unwrap());
    /// let mut buf = [0; 5];
    /// // `Read` is implemented for `&UnixStream`.
    /// let n = a.async_io(Interest::READABLE, |s| (&*s).read(&mut buf)).await.unwrap();
    /// assert!(n > 0 && buf[..n] == b"later"[..n]);
    /// writer.join().unwrap();
    /// # });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe when one call of `f` is all-or-nothing (a single
    /// `read`, `recv_from` or `accept`): `f` runs only inside a poll, and
    /// the poll in which it returns something other than `WouldBlock`
    /// returns that, so a call dropped before it completes has only seen
    /// `f` fail with `WouldBlock`.
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        let dir = direction_of(interest);
        // Waits in the list: several tasks may run `async_io` at once
        // (e.g. two tasks receiving on one shared UDP socket).
        let mut waiter = self.registration.list_waiter();
        poll_fn(|cx| self.poll_io(cx, dir, Some(&mut waiter.id), &mut f)).await
    }

    /// Runs `f` if the fd looks ready for `interest`, without waiting:
    /// `WouldBlock` when it is not (or when `f` says so, which clears the
    /// readiness).
    ///
    /// ```
    /// use runtime_core::io::{AsyncFd, Interest};
    /// use std::io::{ErrorKind, Read, Write};
    /// use std::os::unix::net::UnixStream;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, mut b) = UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// let a = AsyncFd::new(a).unwrap();
    /// let mut buf = [0; 8];
    /// let err = a.try_io(Interest::READABLE, |s| (&*s).read(&mut buf)).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::WouldBlock);
    ///
    /// b.write_all(b"now").unwrap();
    /// drop(a.readable().await.unwrap()); // keeps the readiness
    /// let n = a.try_io(Interest::READABLE, |s| (&*s).read(&mut buf)).unwrap();
    /// assert_eq!(&buf[..n], b"now");
    /// # });
    /// ```
    pub fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        let dir = direction_of(interest);
        self.registration.try_io(dir, || f(self.get_ref()))
    }

    /// The poll-based read loop (used by the runtime's sockets): waits for
    /// readability and runs `f`, again after each `WouldBlock`. Spends one
    /// unit of the task's budget per readiness. Like the other `poll_*`
    /// methods, only the task that polled last is woken; use
    /// [`async_io`](Self::async_io) where several tasks wait at once.
    ///
    /// ```
    /// use runtime_core::io::AsyncFd;
    /// use std::future::poll_fn;
    /// use std::io::Write;
    /// use std::os::unix::net::UnixDatagram;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, b) = UnixDatagram::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// let a = AsyncFd::new(a).unwrap();
    /// b.send(b"one").unwrap();
    /// let mut buf = [0; 16];
    /// let n = poll_fn(|cx| a.poll_read_io(cx, |s| s.recv(&mut buf))).await.unwrap();
    /// assert_eq!(&buf[..n], b"one");
    /// # });
    /// ```
    pub fn poll_read_io<R>(
        &self,
        cx: &mut Context<'_>,
        mut f: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io(cx, Direction::Read, None, &mut f)
    }

    /// The poll-based write loop; see [`poll_read_io`](Self::poll_read_io).
    pub fn poll_write_io<R>(
        &self,
        cx: &mut Context<'_>,
        mut f: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io(cx, Direction::Write, None, &mut f)
    }

    /// Reads from a *stream* socket or pipe into a buffer of `len` bytes:
    /// like [`poll_read_io`](Self::poll_read_io), but a read shorter than
    /// `len` is taken to mean the fd is drained, saving the system call
    /// that would return `WouldBlock`. Not for datagram sockets, where a
    /// short read says nothing about what is left.
    ///
    /// ```
    /// use runtime_core::io::AsyncFd;
    /// use std::future::poll_fn;
    /// use std::io::{Read, Write};
    /// use std::os::unix::net::UnixStream;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, mut b) = UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// let a = AsyncFd::new(a).unwrap();
    /// b.write_all(b"abc").unwrap();
    /// let mut buf = [0; 64];
    /// let len = buf.len();
    /// // 3 < 64 bytes: the stream is taken to be drained, readiness is cleared.
    /// let n = poll_fn(|cx| a.poll_read_stream(cx, len, |s| (&*s).read(&mut buf))).await.unwrap();
    /// assert_eq!(&buf[..n], b"abc");
    /// # });
    /// ```
    pub fn poll_read_stream(
        &self,
        cx: &mut Context<'_>,
        len: usize,
        mut f: impl FnMut(&T) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let inner = self.get_ref();
        self.registration
            .poll_stream_io(cx, Direction::Read, len, || f(inner))
    }

    /// Writes to a *stream* socket or pipe: like
    /// [`poll_write_io`](Self::poll_write_io), but a write shorter than
    /// `len` is taken to mean the buffer is full.
    ///
    /// ```
    /// use runtime_core::io::AsyncFd;
    /// use std::future::poll_fn;
    /// use std::io::{Read, Write};
    /// use std::os::unix::net::UnixStream;
    ///
    /// # let rt = runtime_core::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let (a, mut b) = UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// let a = AsyncFd::new(a).unwrap();
    /// let msg = b"hello";
    /// let n = poll_fn(|cx| a.poll_write_stream(cx, msg.len(), |s| (&*s).write(msg))).await.unwrap();
    /// assert_eq!(n, 5);
    /// let mut got = [0; 5];
    /// b.read_exact(&mut got).unwrap();
    /// assert_eq!(&got, msg);
    /// # });
    /// ```
    pub fn poll_write_stream(
        &self,
        cx: &mut Context<'_>,
        len: usize,
        mut f: impl FnMut(&T) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let inner = self.get_ref();
        self.registration
            .poll_stream_io(cx, Direction::Write, len, || f(inner))
    }

    fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        list: Option<&mut Option<usize>>,
        f: &mut impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let inner = self.get_ref();
        self.registration.poll_io(cx, dir, list, || f(inner))
    }
}

impl<T: AsRawFd> AsRawFd for AsyncFd<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.get_ref().as_raw_fd()
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFd<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFd")
            .field("inner", &self.inner)
            .finish()
    }
}

/// What both guards share: clearing, keeping and reading the readiness.
macro_rules! guard_readiness {
    () => {
        /// Says the readiness was used up: the next wait sleeps until a new
        /// event (unless one arrived since this guard was made).
        pub fn clear_ready(&mut self) {
            if let Some(ev) = self.event.take() {
                self.fd.registration.clear_readiness(ev);
            }
        }

        /// Keeps the readiness (the default when the guard drops).
        pub fn retain_ready(&mut self) {
            self.event = None;
        }

        /// What was ready.
        pub fn ready(&self) -> Ready {
            Ready::from_bits(self.event.map_or(0, |e| e.ready))
        }

        /// `WouldBlock` clears the readiness and becomes `TryIoError`.
        fn after_try<R>(&mut self, res: io::Result<R>) -> Result<io::Result<R>, TryIoError> {
            match res {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.clear_ready();
                    Err(TryIoError(()))
                }
                res => Ok(res),
            }
        }
    };
}

impl<'a, T: AsRawFd> AsyncFdReadyGuard<'a, T> {
    guard_readiness!();

    fn new(fd: &'a AsyncFd<T>, ev: ReadyEvent) -> Self {
        AsyncFdReadyGuard {
            fd,
            event: Some(ev),
        }
    }

    /// Runs `f`; on `WouldBlock`, clears the readiness and returns
    /// `Err(TryIoError)` so the caller waits again.
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&'a AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        let res = f(self.fd);
        self.after_try(res)
    }

    /// The `AsyncFd` this guard belongs to.
    pub fn get_ref(&self) -> &'a AsyncFd<T> {
        self.fd
    }

    /// The wrapped object.
    pub fn get_inner(&self) -> &'a T {
        self.fd.get_ref()
    }
}

impl<'a, T: AsRawFd> AsyncFdReadyMutGuard<'a, T> {
    guard_readiness!();

    fn new(fd: &'a mut AsyncFd<T>, ev: ReadyEvent) -> Self {
        AsyncFdReadyMutGuard {
            fd,
            event: Some(ev),
        }
    }

    /// Runs `f`; on `WouldBlock`, clears the readiness and returns
    /// `Err(TryIoError)` so the caller waits again.
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&mut AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        let res = f(self.fd);
        self.after_try(res)
    }

    /// The `AsyncFd` this guard belongs to.
    pub fn get_ref(&self) -> &AsyncFd<T> {
        self.fd
    }

    /// The `AsyncFd` this guard belongs to, mutably.
    pub fn get_mut(&mut self) -> &mut AsyncFd<T> {
        self.fd
    }
}

impl<T: AsRawFd> fmt::Debug for AsyncFdReadyGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdReadyGuard")
            .field("ready", &self.ready())
            .finish()
    }
}

impl<T: AsRawFd> fmt::Debug for AsyncFdReadyMutGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdReadyMutGuard")
            .field("ready", &self.ready())
            .finish()
    }
}
