//! `mpsc`: multi-producer, single-consumer channels, bounded (senders wait
//! for a free slot: backpressure) and unbounded.
//!
//! Three parts, so that the producers and the consumer seldom meet on
//! one lock or one cache line:
//! - the queue (`Shared`, a mutex): messages not yet taken by the
//!   receiver, its waker, the sender count, the close flags and the
//!   `Sender::closed()` waiters. A send
//!   pushes under it. The receiver takes the whole queue at once (it trades
//!   places with the receiver's own empty buffer) and then returns the
//!   messages one by one with no lock at all.
//! - a bounded channel's free slots (`slots`, one atomic word: the count
//!   and the `CLOSED` and `WAITERS` flags). A send takes a slot with one
//!   compare-exchange, a receive gives its slot back with one, as long as
//!   no sender waits.
//! - the waiters (`Waiters`, a second mutex): senders waiting for a slot,
//!   first come first served. Touched only when the channel is full or
//!   closing: a freed slot then goes straight to the first waiting sender.
//!   A waiter may want several slots (`reserve_many`): it takes the free
//!   ones when it queues and, at the head of the line, the freed ones
//!   until it has them all.
//!
//! A slot stays taken until `recv` returns its message (Tokio's capacity
//! rule), also while the message sits in the receiver's own buffer. No
//! code path holds both locks.
//!
//! Cancel safety (as Tokio's): dropping a pending `send` loses no message
//! (the message was never queued and is dropped with the future) and no
//! slot (one granted to it passes on to the next waiting sender); `recv` holds no state, so dropping it loses
//! nothing. After every sender is gone, the receiver still gets every
//! buffered message, then `None`.
//!
//! The files: `chan.rs` holds the shared channel core (queue, slots,
//! waiters, the receiver's buffer); `handle.rs` the counted holds the
//! senders keep on it; `bounded.rs` and `unbounded.rs` the two channel
//! kinds' public ends; `permit.rs` the reserved slots; `error.rs` the
//! error types.

/// Implements `Debug` as `mpsc::Name { .. }` for the public ends.
macro_rules! debug_named {
    ($($ty:ident),*) => {$(
        impl<T> std::fmt::Debug for $ty<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(concat!("mpsc::", stringify!($ty))).finish_non_exhaustive()
            }
        }
    )*};
}

/// Implements `Clone` for the sender ends: cloning the hold
/// (`handle.rs`) counts the new end.
macro_rules! clone_by_hold {
    ($($ty:ident),*) => {$(
        impl<T> Clone for $ty<T> {
            fn clone(&self) -> Self {
                $ty {
                    chan: self.chan.clone(),
                }
            }
        }
    )*};
}

mod bounded;
mod chan;
pub mod error;
mod handle;
mod permit;
#[cfg(all(test, not(loom)))]
mod tests;
mod unbounded;

pub use bounded::{channel, Receiver, Send, Sender, WeakSender};
pub use permit::{OwnedPermit, Permit, PermitIterator};
pub use unbounded::{unbounded_channel, UnboundedReceiver, UnboundedSender, WeakUnboundedSender};
