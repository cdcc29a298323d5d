//! Synchronisation for async code that works on any executor: channels
//! (`mpsc`, `oneshot`, `broadcast`, `watch`), [`Semaphore`], [`Mutex`], [`RwLock`], [`Notify`],
//! [`Barrier`], [`OnceCell`], [`CancellationToken`], and asyncio's
//! [`Queue`], [`PriorityQueue`] and [`LifoQueue`], built on std and
//! parking_lot only. Inside this project's runtime they also take part in its
//! cooperative budget (through a hook the runtime installs), so a task
//! looping on a busy channel still yields.
//!
//! Cancel safety is as Tokio documents for each counterpart: dropping a
//! waiting future loses no message, no permit and no item, and takes its
//! waker out of the primitive (a long-lived channel or lock does not keep
//! the tasks of abandoned waits alive). The one future that is not cancel
//! safe, as in Tokio, is [`Barrier::wait`]: its arrival counts even if it
//! is dropped afterwards.

#![warn(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![deny(unsafe_op_in_unsafe_fn)]

/// Defines a channel's `SendError<T>` (each channel module has its own,
/// as Tokio's): the unsent value, handed back.
macro_rules! send_error_type {
    ($doc:literal) => {
        #[doc = $doc]
        #[derive(PartialEq, Eq, Clone, Copy)]
        pub struct SendError<T>(pub T);

        impl<T> std::fmt::Debug for SendError<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("SendError").finish_non_exhaustive()
            }
        }

        impl<T> std::fmt::Display for SendError<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("channel closed")
            }
        }

        impl<T> std::error::Error for SendError<T> {}
    };
}
pub(crate) use send_error_type;

mod barrier;
mod blocking;
pub mod broadcast;
mod cancellation;
mod coop;
mod loom;
#[cfg(all(test, loom))]
mod loom_tests;
pub mod mpsc;
mod mutex;
mod notify;
mod once_cell;
pub mod oneshot;
#[cfg(all(test, not(loom)))]
mod proptests;
pub mod queue;
mod rwlock;
mod semaphore;
#[cfg(all(test, not(loom)))]
mod test_util;
mod wait_list;
pub mod watch;

pub use barrier::{Barrier, BarrierWaitResult};
pub use cancellation::{
    CancellationToken, DropGuard, WaitForCancellationFuture, WaitForCancellationFutureOwned,
};
pub use mutex::{
    MappedMutexGuard, Mutex, MutexGuard, OwnedMappedMutexGuard, OwnedMutexGuard, TryLockError,
};
pub use notify::{Notified, Notify};
pub use once_cell::{OnceCell, SetError};
pub use queue::{LifoQueue, PriorityQueue, Queue};
pub use rwlock::{
    OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
};

#[doc(hidden)]
pub use coop::{install_coop_hook, CoopHook, HookSleep};
pub use semaphore::{
    AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};

/// Compile-time checks that the public types cross threads as expected.
#[allow(dead_code)]
fn assert_thread_safety() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Semaphore>();
    send_sync::<Mutex<u8>>();
    send_sync::<RwLock<u8>>();
    send_sync::<MutexGuard<'static, u8>>();
    send_sync::<MappedMutexGuard<'static, u8>>();
    send_sync::<OwnedMappedMutexGuard<Vec<u8>, u8>>();
    send_sync::<OwnedRwLockReadGuard<u8>>();
    send_sync::<OwnedRwLockWriteGuard<u8>>();
    send_sync::<Notify>();
    send_sync::<Barrier>();
    send_sync::<OnceCell<u8>>();
    send_sync::<CancellationToken>();
    send_sync::<Queue<u8>>();
    send_sync::<broadcast::Sender<u8>>();
    send_sync::<watch::Receiver<u8>>();
    send_sync::<mpsc::Sender<u8>>();
    send_sync::<mpsc::Receiver<u8>>();
    send_sync::<mpsc::UnboundedSender<u8>>();
    send_sync::<mpsc::WeakSender<u8>>();
    send_sync::<mpsc::WeakUnboundedSender<u8>>();
    send_sync::<mpsc::OwnedPermit<u8>>();
    send_sync::<mpsc::Permit<'static, u8>>();
    send_sync::<mpsc::PermitIterator<'static, u8>>();
    send_sync::<oneshot::Sender<u8>>();
    send_sync::<oneshot::Receiver<u8>>();
}
