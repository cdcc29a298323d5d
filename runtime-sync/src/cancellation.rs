//! `CancellationToken`: a shareable "please stop" signal with child tokens.
//! Cancelling a token cancels all its descendants; cancelling a child does
//! not touch its parent. Clones are the same token.

use crate::loom::sync::Mutex;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Context, Poll, Waker};

/// A cancellation signal; `Clone` gives the same token.
///
/// ```
/// use runtime_sync::CancellationToken;
/// let token = CancellationToken::new();
/// let child = token.child_token();
/// token.cancel();
/// assert!(child.is_cancelled());
/// futures::executor::block_on(child.cancelled()); // completes at once
/// ```
#[derive(Clone)]
pub struct CancellationToken {
    node: Arc<Node>,
}

struct Node {
    cancelled: AtomicBool,
    inner: Mutex<Inner>,
    /// Keeps the ancestors alive as long as this node: a parent lists its
    /// children weakly, so without this a dropped middle token would cut
    /// its descendants off from their grandparent's `cancel`.
    _parent: Option<Arc<Node>>,
}

#[derive(Default)]
struct Inner {
    children: Vec<Weak<Node>>,
    waiters: Vec<Waker>,
}

impl Node {
    fn new(parent: Option<Arc<Node>>) -> Arc<Node> {
        Arc::new(Node {
            cancelled: AtomicBool::new(false),
            inner: Mutex::new(Inner::default()),
            _parent: parent,
        })
    }

    fn cancel(&self) {
        let (children, waiters) = {
            let mut inner = self.inner.lock();
            if self.cancelled.swap(true, Ordering::AcqRel) {
                return;
            }
            (
                std::mem::take(&mut inner.children),
                std::mem::take(&mut inner.waiters),
            )
        };
        for w in waiters {
            w.wake();
        }
        for child in children {
            if let Some(child) = child.upgrade() {
                child.cancel();
            }
        }
    }

    fn poll_cancelled(&self, cx: &mut Context<'_>) -> Poll<()> {
        if self.cancelled.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        let mut inner = self.inner.lock();
        // Looked at again under the lock, where `cancel` sets it.
        if self.cancelled.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        if !inner.waiters.iter().any(|w| w.will_wake(cx.waker())) {
            inner.waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl CancellationToken {
    /// A new, uncancelled token.
    pub fn new() -> CancellationToken {
        CancellationToken {
            node: Node::new(None),
        }
    }

    /// A token cancelled whenever this one is (and on its own `cancel`,
    /// which does not reach this one).
    pub fn child_token(&self) -> CancellationToken {
        let child = Node::new(Some(self.node.clone()));
        {
            let mut inner = self.node.inner.lock();
            if self.node.cancelled.load(Ordering::Acquire) {
                child.cancelled.store(true, Ordering::Release);
            } else {
                // Forget children that are gone, so a long-lived parent
                // with short-lived children does not grow without bound.
                inner.children.retain(|c| c.strong_count() > 0);
                inner.children.push(Arc::downgrade(&child));
            }
        }
        CancellationToken { node: child }
    }

    /// Cancels this token and every descendant, waking their waiters.
    pub fn cancel(&self) {
        self.node.cancel();
    }

    /// Whether this token (or an ancestor) was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.node.cancelled.load(Ordering::Acquire)
    }

    /// Completes once the token is cancelled.
    pub fn cancelled(&self) -> WaitForCancellationFuture<'_> {
        WaitForCancellationFuture { token: self }
    }

    /// Like `cancelled`, owning a clone of the token (for `'static` tasks).
    pub fn cancelled_owned(self) -> WaitForCancellationFutureOwned {
        WaitForCancellationFutureOwned { token: self }
    }

    /// A guard that cancels the token when dropped.
    pub fn drop_guard(self) -> DropGuard {
        DropGuard { token: Some(self) }
    }
}

impl Default for CancellationToken {
    fn default() -> Self {
        CancellationToken::new()
    }
}

impl fmt::Debug for CancellationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancellationToken")
            .field("is_cancelled", &self.is_cancelled())
            .finish()
    }
}

/// The future of [`CancellationToken::cancelled`].
#[must_use = "futures do nothing unless you `.await` or poll them"]
#[derive(Debug)]
pub struct WaitForCancellationFuture<'a> {
    token: &'a CancellationToken,
}

impl Future for WaitForCancellationFuture<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.token.node.poll_cancelled(cx)
    }
}

/// The future of [`CancellationToken::cancelled_owned`].
#[must_use = "futures do nothing unless you `.await` or poll them"]
#[derive(Debug)]
pub struct WaitForCancellationFutureOwned {
    token: CancellationToken,
}

impl Future for WaitForCancellationFutureOwned {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.token.node.poll_cancelled(cx)
    }
}

/// Cancels its token when dropped, unless [`disarm`](DropGuard::disarm)ed.
#[derive(Debug)]
pub struct DropGuard {
    token: Option<CancellationToken>,
}

impl DropGuard {
    /// Gives the token back without cancelling it.
    pub fn disarm(mut self) -> CancellationToken {
        self.token
            .take()
            .expect("a DropGuard holds its token until dropped")
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if let Some(token) = self.token.take() {
            token.cancel();
        }
    }
}
