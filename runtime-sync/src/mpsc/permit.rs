//! Reserved slots of a bounded channel: a `Permit` is one slot taken
//! ahead of the message (borrowing the sender), an `OwnedPermit` the same
//! holding the sender itself, and a `PermitIterator` hands out `n` slots
//! reserved at once. Sending through one never waits; dropping one unused
//! gives its slot back.

use super::bounded::Sender;
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

/// `n` slots reserved at once by [`Sender::reserve_many`] or
/// [`Sender::try_reserve_many`], handed out one [`Permit`] at a time.
/// Dropping it gives back the slots not handed out yet.
///
/// ```
/// use runtime_sync::mpsc;
/// let (tx, mut rx) = mpsc::channel(3);
/// let mut permits = tx.try_reserve_many(3).unwrap();
/// assert_eq!(permits.len(), 3);
/// permits.next().unwrap().send('x');
/// assert_eq!(permits.len(), 2);
/// drop(permits);
/// assert_eq!(tx.capacity(), 2); // one slot holds 'x', two came back
/// assert_eq!(rx.try_recv(), Ok('x'));
/// ```
pub struct PermitIterator<'a, T> {
    pub(super) chan: &'a Chan<T>,
    /// Slots reserved and not handed out yet.
    pub(super) n: usize,
}

impl<'a, T> Iterator for PermitIterator<'a, T> {
    type Item = Permit<'a, T>;

    fn next(&mut self) -> Option<Permit<'a, T>> {
        if self.n == 0 {
            return None;
        }
        self.n -= 1;
        Some(Permit {
            chan: self.chan,
            used: false,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.n, Some(self.n))
    }
}

impl<T> ExactSizeIterator for PermitIterator<'_, T> {}

impl<T> std::iter::FusedIterator for PermitIterator<'_, T> {}

impl<T> Drop for PermitIterator<'_, T> {
    fn drop(&mut self) {
        self.chan.release_slots(self.n);
    }
}

impl<T> fmt::Debug for PermitIterator<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermitIterator")
            .field("remaining", &self.n)
            .finish_non_exhaustive()
    }
}

/// A reserved slot that owns its [`Sender`] (from
/// [`Sender::reserve_owned`]): it can move into a task, and
/// [`send`](OwnedPermit::send) gives the sender back. It counts as a
/// sender, so it keeps the channel open. Dropping it unused frees the slot.
///
/// ```
/// use runtime_sync::mpsc;
/// let (tx, _rx) = mpsc::channel::<u8>(1);
/// let permit = tx.try_reserve_owned().unwrap();
/// let tx = permit.release(); // unused: the slot is free again
/// assert_eq!(tx.capacity(), 1);
/// ```
pub struct OwnedPermit<T> {
    /// `None` only after `send` or `release` took it back out.
    sender: Option<Sender<T>>,
}

impl<T> OwnedPermit<T> {
    /// Wraps a sender that has just taken a slot.
    pub(super) fn new(sender: Sender<T>) -> OwnedPermit<T> {
        OwnedPermit {
            sender: Some(sender),
        }
    }

    /// Queues `value` in the reserved slot and gives the sender back. As
    /// [`Permit::send`], a permit reserved before `Receiver::close` still
    /// delivers; only when the receiver itself is gone is the value
    /// dropped.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = mpsc::channel(1);
    ///     let permit = tx.reserve_owned().await.unwrap();
    ///     let tx = permit.send(1);
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     drop(tx);
    ///     assert_eq!(rx.recv().await, None);
    /// });
    /// ```
    pub fn send(mut self, value: T) -> Sender<T> {
        let sender = self
            .sender
            .take()
            .expect("an OwnedPermit holds its sender until used");
        let _ = sender.chan.push(value);
        sender
    }

    /// Gives the slot back unused and returns the sender.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let permit = tx.try_reserve_owned().unwrap();
    /// let tx = permit.release();
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn release(mut self) -> Sender<T> {
        let sender = self
            .sender
            .take()
            .expect("an OwnedPermit holds its sender until used");
        sender.chan.release_slots(1);
        sender
    }

    /// Whether both permits are for the same channel.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, _rx) = mpsc::channel::<u8>(2);
    /// let a = tx.clone().try_reserve_owned().unwrap();
    /// let b = tx.try_reserve_owned().unwrap();
    /// assert!(a.same_channel(&b));
    /// ```
    pub fn same_channel(&self, other: &OwnedPermit<T>) -> bool {
        match (&self.sender, &other.sender) {
            (Some(a), Some(b)) => a.same_channel(b),
            _ => false,
        }
    }

    /// Whether this permit is for `sender`'s channel.
    ///
    /// ```
    /// use runtime_sync::mpsc;
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let (other, _rx2) = mpsc::channel::<u8>(1);
    /// let permit = tx.clone().try_reserve_owned().unwrap();
    /// assert!(permit.same_channel_as_sender(&tx));
    /// assert!(!permit.same_channel_as_sender(&other));
    /// ```
    pub fn same_channel_as_sender(&self, sender: &Sender<T>) -> bool {
        self.sender.as_ref().is_some_and(|s| s.same_channel(sender))
    }
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(sender) = self.sender.take() {
            sender.chan.release_slots(1);
        }
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPermit").finish_non_exhaustive()
    }
}
