//! The primitives used in normal builds: std atomics and threads,
//! parking_lot's `Mutex`/`Condvar`, and an `UnsafeCell` with loom's
//! closure-based access API.

pub(crate) mod sync {
    pub(crate) use parking_lot::{Condvar, Mutex, MutexGuard};
    pub(crate) use std::sync::Arc;

    pub(crate) mod atomic {
        pub(crate) use std::sync::atomic::{
            fence, AtomicBool, AtomicPtr, AtomicU64, AtomicU8, AtomicUsize, Ordering,
        };
    }
}

pub(crate) mod cell {
    /// `std::cell::UnsafeCell` with loom's `with`/`with_mut` access, so that
    /// loom can track every access in model runs.
    #[derive(Debug)]
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(data: T) -> UnsafeCell<T> {
            UnsafeCell(std::cell::UnsafeCell::new(data))
        }

        #[inline(always)]
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        #[inline(always)]
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

pub(crate) mod thread {
    pub(crate) use std::thread::{current, Builder, JoinHandle};
}

/// Waits on a condvar for at most `timeout`; returns `true` when it timed out.
pub(crate) fn condvar_wait_timeout<T>(
    condvar: &sync::Condvar,
    guard: &mut sync::MutexGuard<'_, T>,
    timeout: std::time::Duration,
) -> bool {
    condvar.wait_for(guard, timeout).timed_out()
}
