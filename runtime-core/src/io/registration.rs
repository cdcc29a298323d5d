//! A source registered with the current runtime's driver: the link
//! between an fd and its `ScheduledIo`, with the readiness loop every I/O
//! type uses ("wait until ready, try the call, on `WouldBlock` clear the
//! readiness that was seen and wait again").

use super::driver::shutdown_error;
use super::scheduled_io::{Direction, ListWaiter, ReadyEvent, ScheduledIo, SHUTDOWN};
use super::Interest;
use crate::coop;
use crate::driver::Driver;
use std::io;
use std::os::fd::RawFd;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

pub(crate) struct Registration {
    driver: Arc<Driver>,
    key: usize,
    io: Arc<ScheduledIo>,
    /// `None` once deregistered.
    fd: Option<RawFd>,
    /// The owner closes the fd right after dropping this: the drop frees
    /// the slot without removing the fd from the poller (`Io::forget`).
    closed_by_owner: bool,
}

impl Registration {
    /// Registers `fd` with the current runtime's driver.
    ///
    /// # Panics
    /// Outside a runtime, or when the runtime was built without
    /// `enable_io`, with a message that says how to fix it.
    #[track_caller]
    pub(crate) fn new(fd: RawFd, interest: Interest) -> io::Result<Registration> {
        let driver = crate::current_driver::current_io();
        let (key, io) = driver.io.register(fd, interest.to_event())?;
        Ok(Registration {
            driver,
            key,
            io,
            fd: Some(fd),
            closed_by_owner: false,
        })
    }

    /// Says the owner closes the fd right after dropping this registration
    /// (and holds no duplicate it keeps using), so the drop can skip the
    /// poller's delete. An explicit `deregister` still deletes.
    pub(crate) fn set_closed_by_owner(&mut self) {
        self.closed_by_owner = true;
    }

    /// An entry in this source's list of waiting futures, freed on drop
    /// (for the async waits, which several tasks may run at once).
    pub(crate) fn list_waiter(&self) -> ListWaiter<'_> {
        ListWaiter::new(&self.io)
    }

    /// Waiting futures holding a waker now (for tests).
    pub(crate) fn list_waiters(&self) -> usize {
        self.io.list_waiters()
    }

    /// Waits for `dir` readiness, spending one unit of the task's budget
    /// when it is there (`list`: wait in that list entry, as an async
    /// wait, rather than in the direction's single slot).
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        list: Option<&mut Option<usize>>,
    ) -> Poll<io::Result<ReadyEvent>> {
        let restore = ready!(coop::poll_proceed(cx));
        let ev = ready!(self.io.poll_ready(cx, dir, list));
        if ev.ready & SHUTDOWN != 0 {
            return Poll::Ready(Err(shutdown_error()));
        }
        restore.made_progress();
        Poll::Ready(Ok(ev))
    }

    pub(crate) fn clear_readiness(&self, ev: ReadyEvent) {
        self.io.clear_readiness(ev);
    }

    /// Runs `f` once the source is ready for `dir`, again after each
    /// `WouldBlock` (which clears the readiness it was tried on). `list`:
    /// wait in that entry among any number of tasks (async methods),
    /// rather than in the direction's single slot (`poll_*` methods,
    /// `AsyncRead`/`AsyncWrite`).
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        mut list: Option<&mut Option<usize>>,
        mut f: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            let ev = ready!(self.poll_ready(cx, dir, list.as_deref_mut()))?;
            match f() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(ev),
                res => return Poll::Ready(res),
            }
        }
    }

    /// `poll_io` for stream sockets: a transfer shorter than `len` means
    /// the socket's buffer was drained (read) or filled (write), so the
    /// readiness is cleared at once instead of finding that out with one
    /// more system call that returns `WouldBlock` (as Tokio does). A newer
    /// event is never lost: clearing is tick-checked.
    pub(crate) fn poll_stream_io(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        len: usize,
        mut f: impl FnMut() -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        loop {
            let ev = ready!(self.poll_ready(cx, dir, None))?;
            match f() {
                // Only where the end of a stream is reported as READ_CLOSED
                // (Linux, `add_rdhup`): elsewhere a FIN merged into the same
                // event as the data would be cleared with it.
                Ok(n)
                    if n > 0
                        && n < len
                        && (dir == Direction::Write || cfg!(target_os = "linux")) =>
                {
                    self.clear_readiness(ev);
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(ev),
                res => return Poll::Ready(res),
            }
        }
    }

    /// Runs `f` if the source looks ready for `dir`, without waiting;
    /// `WouldBlock` when it does not (or `f` says so, which clears it).
    pub(crate) fn try_io<R>(
        &self,
        dir: Direction,
        f: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        let Some(ev) = self.io.readiness(dir) else {
            return Err(io::ErrorKind::WouldBlock.into());
        };
        if ev.ready & SHUTDOWN != 0 {
            return Err(shutdown_error());
        }
        match f() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.clear_readiness(ev);
                Err(e)
            }
            res => res,
        }
    }

    /// Removes the source from the poller; must run before its fd closes.
    pub(crate) fn deregister(&mut self) {
        if let Some(fd) = self.fd.take() {
            self.driver.io.deregister(self.key, fd);
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if self.closed_by_owner {
            if self.fd.take().is_some() {
                self.driver.io.forget(self.key);
            }
        } else {
            self.deregister();
        }
    }
}
