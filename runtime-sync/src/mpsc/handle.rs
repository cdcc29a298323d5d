//! The counted holds the sender ends keep on a channel: a [`StrongChan`]
//! (in `Sender` and `UnboundedSender`) counts as a sender and keeps the
//! channel open; a [`WeakChan`] (in the weak senders) counts as a weak
//! sender. Cloning a hold adds to its count and dropping it takes away,
//! so the public ends of both channel kinds keep the counts right without
//! a `Clone` body or a `Drop` of their own.

use super::chan::Chan;
use crate::loom::sync::Arc;
use std::ops::Deref;

/// A counted hold on a channel: a weak sender's when `WEAK`, else a
/// sender's.
pub(super) struct Hold<T, const WEAK: bool>(Arc<Chan<T>>);

/// A hold that counts as one sender: the receiver sees the end once the
/// last one is dropped.
pub(super) type StrongChan<T> = Hold<T, false>;

/// A hold that does not keep the channel open.
pub(super) type WeakChan<T> = Hold<T, true>;

impl<T> StrongChan<T> {
    /// The hold of a channel's first sender, which `Chan::new` counts
    /// already.
    pub(super) fn first(chan: Arc<Chan<T>>) -> StrongChan<T> {
        Hold(chan)
    }

    /// A weak hold on the same channel.
    pub(super) fn downgrade(&self) -> WeakChan<T> {
        self.0.add_weak();
        Hold(self.0.clone())
    }

    /// Whether both hold the same channel.
    pub(super) fn same_channel(&self, other: &StrongChan<T>) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> WeakChan<T> {
    /// A sender's hold again, unless every sender is gone (the receiver
    /// may already have seen the end).
    pub(super) fn upgrade(&self) -> Option<StrongChan<T>> {
        self.0.upgrade_sender().then(|| Hold(self.0.clone()))
    }
}

impl<T, const WEAK: bool> Clone for Hold<T, WEAK> {
    fn clone(&self) -> Self {
        if WEAK {
            self.0.add_weak();
        } else {
            self.0.add_sender();
        }
        Hold(self.0.clone())
    }
}

impl<T, const WEAK: bool> Drop for Hold<T, WEAK> {
    fn drop(&mut self) {
        if WEAK {
            self.0.drop_weak();
        } else {
            self.0.drop_sender();
        }
    }
}

impl<T, const WEAK: bool> Deref for Hold<T, WEAK> {
    type Target = Chan<T>;
    fn deref(&self) -> &Chan<T> {
        &self.0
    }
}
