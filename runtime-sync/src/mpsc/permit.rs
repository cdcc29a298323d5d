//! Reserved slots of a bounded channel: a `Permit` is one slot taken
//! ahead of the message; sending through it never waits, dropping it
//! unused gives the slot back.

use super::chan::Chan;
use std::fmt;

/// A reserved slot: [`send`](Permit::send) fills it without waiting.
/// Dropping it unused frees the slot.
///
/// ```
/// use runtime_sync::mpsc;
/// let (tx, _rx) = mpsc::channel::<u8>(1);
/// let permit = tx.try_reserve().unwrap();
/// assert_eq!(tx.capacity(), 0);
/// drop(permit); // unused: the slot is free again
/// assert_eq!(tx.capacity(), 1);
/// ```
pub struct Permit<'a, T> {
    pub(super) chan: &'a Chan<T>,
    pub(super) used: bool,
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}
impl<T> Permit<'_, T> {
    /// Queues `value` in the reserved slot. A permit reserved before
    /// `Receiver::close` still delivers (the receiver sees `None` only once
    /// every such permit was used or dropped), as Tokio's do; only when the
    /// receiver itself is gone is the value dropped.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, mut rx) = mpsc::channel(2);
    /// let permit = tx.try_reserve().unwrap();
    /// permit.send("never waits");
    /// assert_eq!(rx.try_recv(), Ok("never waits"));
    ///
    /// let permit = tx.try_reserve().unwrap();
    /// rx.close();
    /// assert!(tx.try_send("refused").is_err());
    /// permit.send("reserved before the close");
    /// assert_eq!(rx.try_recv(), Ok("reserved before the close"));
    /// assert!(rx.try_recv().is_err()); // drained and closed
    /// ```
    pub fn send(mut self, value: T) {
        self.used = true;
        let _ = self.chan.push(value);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        if !self.used {
            self.chan.release_slots(1);
        }
    }
}
