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
#[must_use = "the readiness is only cleared through the guard"]
pub struct AsyncFdReadyGuard<'a, T: AsRawFd> {
    fd: &'a AsyncFd<T>,
    event: Option<ReadyEvent>,
}

/// Like [`AsyncFdReadyGuard`], with mutable access to the object.
#[must_use = "the readiness is only cleared through the guard"]
pub struct AsyncFdReadyMutGuard<'a, T: AsRawFd> {
    fd: &'a mut AsyncFd<T>,
    event: Option<ReadyEvent>,
}

/// The operation passed to a guard's `try_io` would have blocked; the
/// readiness was cleared and the caller should wait again.
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
    #[track_caller]
    pub fn new(inner: T) -> io::Result<AsyncFd<T>> {
        AsyncFd::with_interest(inner, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `inner` for the given readiness only.
    ///
    /// # Panics
    /// As [`new`](AsyncFd::new).
    #[track_caller]
    pub fn with_interest(inner: T, interest: Interest) -> io::Result<AsyncFd<T>> {
        let registration = Registration::new(inner.as_raw_fd(), interest)?;
        Ok(AsyncFd {
            registration,
            inner: Some(inner),
        })
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
    pub fn into_inner(mut self) -> T {
        self.registration.deregister();
        self.inner
            .take()
            .expect("AsyncFd holds its object until dropped")
    }

    /// Waits until the fd is readable (one waiter per direction: the last
    /// task to poll is the one woken; use [`readable`](Self::readable) from
    /// several tasks).
    pub fn poll_read_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let ev = ready!(self.registration.poll_ready(cx, Direction::Read, false))?;
        Poll::Ready(Ok(AsyncFdReadyGuard::new(self, ev)))
    }

    /// Waits until the fd is writable (see `poll_read_ready`).
    pub fn poll_write_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let ev = ready!(self.registration.poll_ready(cx, Direction::Write, false))?;
        Poll::Ready(Ok(AsyncFdReadyGuard::new(self, ev)))
    }

    /// `poll_read_ready` with mutable access to the object.
    pub fn poll_read_ready_mut<'a>(
        &'a mut self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyMutGuard<'a, T>>> {
        let ev = ready!(self.registration.poll_ready(cx, Direction::Read, false))?;
        Poll::Ready(Ok(AsyncFdReadyMutGuard::new(self, ev)))
    }

    /// `poll_write_ready` with mutable access to the object.
    pub fn poll_write_ready_mut<'a>(
        &'a mut self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyMutGuard<'a, T>>> {
        let ev = ready!(self.registration.poll_ready(cx, Direction::Write, false))?;
        Poll::Ready(Ok(AsyncFdReadyMutGuard::new(self, ev)))
    }

    /// Waits until the fd is readable. Any number of tasks may wait at once.
    pub async fn readable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        let ev = poll_fn(|cx| self.registration.poll_ready(cx, Direction::Read, true)).await?;
        Ok(AsyncFdReadyGuard::new(self, ev))
    }

    /// Waits until the fd is writable. Any number of tasks may wait at once.
    pub async fn writable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        let ev = poll_fn(|cx| self.registration.poll_ready(cx, Direction::Write, true)).await?;
        Ok(AsyncFdReadyGuard::new(self, ev))
    }

    /// `readable` with mutable access to the object.
    pub async fn readable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        let ev = poll_fn(|cx| self.registration.poll_ready(cx, Direction::Read, true)).await?;
        Ok(AsyncFdReadyMutGuard::new(self, ev))
    }

    /// `writable` with mutable access to the object.
    pub async fn writable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        let ev = poll_fn(|cx| self.registration.poll_ready(cx, Direction::Write, true)).await?;
        Ok(AsyncFdReadyMutGuard::new(self, ev))
    }

    /// Runs `f` whenever the fd is ready for `interest` (exactly one of
    /// `READABLE`/`WRITABLE`), until it returns something other than
    /// `WouldBlock`.
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        let dir = direction_of(interest);
        // Waits in the list: several tasks may run `async_io` at once
        // (e.g. two tasks receiving on one shared UDP socket).
        poll_fn(|cx| self.poll_io(cx, dir, true, &mut f)).await
    }

    /// Runs `f` if the fd looks ready for `interest`, without waiting:
    /// `WouldBlock` when it is not (or when `f` says so, which clears the
    /// readiness).
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
    pub fn poll_read_io<R>(
        &self,
        cx: &mut Context<'_>,
        mut f: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io(cx, Direction::Read, false, &mut f)
    }

    /// The poll-based write loop; see [`poll_read_io`](Self::poll_read_io).
    pub fn poll_write_io<R>(
        &self,
        cx: &mut Context<'_>,
        mut f: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io(cx, Direction::Write, false, &mut f)
    }

    /// Reads from a *stream* socket or pipe into a buffer of `len` bytes:
    /// like [`poll_read_io`](Self::poll_read_io), but a read shorter than
    /// `len` is taken to mean the fd is drained, saving the system call
    /// that would return `WouldBlock`. Not for datagram sockets, where a
    /// short read says nothing about what is left.
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
        list: bool,
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
