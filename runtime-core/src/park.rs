//! Thread parking: a worker (or a `block_on` caller) sleeps on a
//! `parking_lot` condvar until another thread unparks it. An unpark that
//! arrives before the park is remembered (NOTIFIED), so no wake-up is ever
//! lost between "I found no work" and "I sleep".
//!
//! A parker built with the runtime's driver parks on the driver instead
//! when it can take it (driver rule 1, `driver.rs`): it then sleeps in
//! `Poller::wait` (state PARKED_DRIVER) and an unpark is `Poller::notify`.

use crate::driver::{Driver, DriverLock};
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Condvar, Mutex};
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;
/// Asleep in the driver's `Poller::wait`.
const PARKED_DRIVER: usize = 3;

/// What a park did.
#[derive(Default, Clone, Copy)]
pub(crate) struct Parked {
    /// This thread let go of the driver while another worker wanted it
    /// (driver rule 4): the caller should wake a parked worker.
    pub(crate) handoff: bool,
    /// The driver was turned (and was told `woke`).
    pub(crate) turned: bool,
}

/// The sleeping side; one per worker or per `block_on` thread.
pub(crate) struct Parker {
    inner: Arc<Inner>,
}

/// The waking side; cheap to clone, usable from any thread.
#[derive(Clone)]
pub(crate) struct Unparker {
    inner: Arc<Inner>,
}

struct Inner {
    /// EMPTY, PARKED or NOTIFIED. SeqCst throughout: the unpark/park
    /// handshake is a Dekker-style pattern with the callers' queue checks.
    state: AtomicUsize,
    lock: Mutex<()>,
    condvar: Condvar,
    /// The runtime's driver, shared with the other parkers of the runtime.
    driver: Option<std::sync::Arc<Driver>>,
}

impl Parker {
    pub(crate) fn new(driver: Option<std::sync::Arc<Driver>>) -> Parker {
        Parker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                lock: Mutex::new(()),
                condvar: Condvar::new(),
                driver,
            }),
        }
    }

    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// Sleeps until unparked (or, on the driver, until an event or a
    /// timer); returns at once if an unpark came first. `true`: this thread
    /// let go of the driver while another worker wanted it (driver rule 4),
    /// so the caller should wake a parked worker.
    pub(crate) fn park(&mut self) -> bool {
        self.inner.park(None, false).handoff
    }

    /// A turn of the driver without sleeping, if the driver is free and has
    /// anything to look at (a busy worker's periodic I/O and timer check).
    /// Returns as `park` does.
    pub(crate) fn poll_driver(&mut self) -> bool {
        self.poll_driver_noting(false).handoff
    }

    /// `park` for the current-thread scheduler, which tells the driver
    /// whether it woke tasks since its last turn (`woke`: the paused
    /// clock's "did wake", `Driver::turn`).
    pub(crate) fn park_noting(&mut self, woke: bool) -> Parked {
        self.inner.park(None, woke)
    }

    /// `poll_driver` with `woke` as in `park_noting`.
    pub(crate) fn poll_driver_noting(&mut self, woke: bool) -> Parked {
        match &self.inner.driver {
            Some(d) if d.has_work() => self.inner.park(Some(Duration::ZERO), woke),
            _ => Parked::default(),
        }
    }
}

impl Unparker {
    pub(crate) fn unpark(&self) {
        self.inner.unpark();
    }

    /// The sleeping side again, after a panic unwound the thread that held
    /// it (a worker's recovery): whatever state the unwinding left, it is
    /// reset to "notified", so the next park returns at once (a spurious
    /// wake-up is harmless).
    pub(crate) fn recover_parker(&self) -> Parker {
        self.inner.state.store(NOTIFIED, SeqCst);
        Parker {
            inner: self.inner.clone(),
        }
    }
}

impl Inner {
    fn park(&self, timeout: Option<Duration>, woke: bool) -> Parked {
        // A zero-timeout turn is not a sleep: it leaves a pending
        // notification for the next real park, and must not be skipped
        // because of one (a task that keeps waking itself would otherwise
        // never let the driver turn).
        if timeout != Some(Duration::ZERO)
            && self
                .state
                .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                .is_ok()
        {
            return Parked::default();
        }
        if let Some(driver) = &self.driver {
            let lock = match timeout {
                Some(Duration::ZERO) => driver.try_lock(),
                _ => driver.try_lock_or_want(),
            };
            if let Some(mut lock) = lock {
                let turned = self.park_on_driver(driver, &mut lock, timeout, woke);
                return Parked {
                    handoff: driver.unlock(lock),
                    turned,
                };
            }
        }
        if timeout == Some(Duration::ZERO) {
            return Parked::default();
        }
        let mut guard = self.lock.lock();
        match self.state.compare_exchange(EMPTY, PARKED, SeqCst, SeqCst) {
            Ok(_) => {}
            Err(NOTIFIED) => {
                // Unparked between the fast path and taking the lock.
                self.state.swap(EMPTY, SeqCst);
                return Parked::default();
            }
            Err(other) => panic!("inconsistent park state: {other}"),
        }
        loop {
            match timeout {
                None => self.condvar.wait(&mut guard),
                Some(t) => {
                    crate::loom::condvar_wait_timeout(&self.condvar, &mut guard, t);
                    // Timed out or not, leave: take a notification if any.
                    match self.state.swap(EMPTY, SeqCst) {
                        NOTIFIED | PARKED => return Parked::default(),
                        other => panic!("inconsistent park state: {other}"),
                    }
                }
            }
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                .is_ok()
            {
                return Parked::default();
            }
            // Spurious wake-up: sleep again.
        }
    }

    /// Driver rule 1: sleeps in the poller (a zero timeout is a turn with
    /// no state change: nobody needs to wake a thread that does not sleep).
    /// `true` if the driver was turned.
    fn park_on_driver(
        &self,
        driver: &Driver,
        lock: &mut DriverLock<'_>,
        timeout: Option<Duration>,
        woke: bool,
    ) -> bool {
        if timeout == Some(Duration::ZERO) {
            driver.turn(lock, timeout, woke);
            return true;
        }
        match self
            .state
            .compare_exchange(EMPTY, PARKED_DRIVER, SeqCst, SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.state.swap(EMPTY, SeqCst);
                return false;
            }
            Err(other) => panic!("inconsistent park state: {other}"),
        }
        driver.turn(lock, timeout, woke);
        match self.state.swap(EMPTY, SeqCst) {
            PARKED_DRIVER | NOTIFIED => {}
            other => panic!("inconsistent park state: {other}"),
        }
        true
    }

    fn unpark(&self) {
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => return,
            PARKED => {}
            PARKED_DRIVER => {
                // Driver rule 2.
                self.driver
                    .as_ref()
                    .expect("parked on a driver it does not have")
                    .unpark();
                return;
            }
            other => panic!("inconsistent park state: {other}"),
        }
        // Take the lock so the parker is either before its PARKED CAS (and
        // will see NOTIFIED) or already waiting (and gets the signal).
        drop(self.lock.lock());
        self.condvar.notify_one();
    }
}

impl Wake for Inner {
    fn wake(self: Arc<Self>) {
        self.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.unpark();
    }
}

/// Runs `future` to completion on this thread, parking between polls.
/// Used by `block_on` of the multi-thread runtime and by `Handle::block_on`.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let mut parker = Parker::new(None);
    let waker = Waker::from(parker.inner.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(v) = crate::coop::budget(|| future.as_mut().poll(&mut cx)) {
            return v;
        }
        parker.park();
    }
}
