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
    ///
    /// ```
    /// use runtime_sync::CancellationToken;
    /// let token = CancellationToken::new();
    /// assert!(!token.is_cancelled());
    /// let clone = token.clone();
    /// clone.cancel(); // a clone is the same token
    /// assert!(token.is_cancelled());
    /// ```
    pub fn new() -> CancellationToken {
        CancellationToken {
            node: Node::new(None),
        }
    }

    /// A token cancelled whenever this one is (and on its own `cancel`,
    /// which does not reach this one).
    ///
    /// ```
    /// use runtime_sync::CancellationToken;
    /// let parent = CancellationToken::new();
    /// let child = parent.child_token();
    /// child.cancel();
    /// assert!(!parent.is_cancelled()); // does not reach up
    /// let child2 = parent.child_token();
    /// parent.cancel();
    /// assert!(child2.is_cancelled()); // reaches down
    /// assert!(parent.child_token().is_cancelled()); // born cancelled
    /// ```
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
    ///
    /// ```
    /// use runtime_sync::CancellationToken;
    /// let token = CancellationToken::new();
    /// let grandchild = token.child_token().child_token();
    /// token.cancel();
    /// token.cancel(); // again: no effect
    /// assert!(grandchild.is_cancelled());
    /// ```
    pub fn cancel(&self) {
        self.node.cancel();
    }

    /// Whether this token (or an ancestor) was cancelled.
    ///
    /// ```
    /// use runtime_sync::CancellationToken;
    /// let token = CancellationToken::new();
    /// let mut steps = 0;
    /// for step in 0..10 {
    ///     if token.is_cancelled() {
    ///         break;
    ///     }
    ///     steps += 1;
    ///     if step == 2 {
    ///         token.cancel();
    ///     }
    /// }
    /// assert_eq!(steps, 3);
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.node.cancelled.load(Ordering::Acquire)
    }

    /// Completes once the token is cancelled.
    ///
    /// ```
    /// use runtime_sync::CancellationToken;
    /// let token = CancellationToken::new();
    /// let worker_token = token.clone();
    /// let worker = std::thread::spawn(move || {
    ///     futures::executor::block_on(worker_token.cancelled());
    ///     "stopped"
    /// });
    /// token.cancel();
    /// assert_eq!(worker.join().unwrap(), "stopped");
    /// ```
    pub fn cancelled(&self) -> WaitForCancellationFuture<'_> {
        WaitForCancellationFuture { token: self }
    }

    /// Like `cancelled`, but the future owns the token (for `'static`
    /// tasks); call it on a clone to keep using the token.
    ///
    /// ```
    /// use runtime_sync::CancellationToken;
    /// let token = CancellationToken::new();
    /// let stop = token.clone().cancelled_owned(); // borrows nothing
    /// let waiter = std::thread::spawn(move || futures::executor::block_on(stop));
    /// token.cancel();
    /// waiter.join().unwrap();
    /// ```
    pub fn cancelled_owned(self) -> WaitForCancellationFutureOwned {
        WaitForCancellationFutureOwned { token: self }
    }

    /// A guard that cancels the token when dropped.
    ///
    /// ```
    /// use runtime_sync::CancellationToken;
    /// let token = CancellationToken::new();
    /// {
    ///     let _guard = token.clone().drop_guard();
    ///     // ... work; leaving the scope in any way cancels
    /// }
    /// assert!(token.is_cancelled());
    /// ```
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
///
/// ```
/// use futures::future::{select, Either};
/// use runtime_sync::CancellationToken;
/// futures::executor::block_on(async {
///     let token = CancellationToken::new();
///     token.cancel();
///     let work = std::future::pending::<u32>(); // would never finish
///     match select(std::pin::pin!(token.cancelled()), std::pin::pin!(work)).await {
///         Either::Left(((), _)) => {} // cancelled first
///         Either::Right(_) => unreachable!(),
///     }
/// });
/// ```
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
///
/// ```
/// use runtime_sync::{CancellationToken, WaitForCancellationFutureOwned};
/// struct Worker {
///     stop: WaitForCancellationFutureOwned, // no lifetime to carry around
/// }
/// let token = CancellationToken::new();
/// let worker = Worker {
///     stop: token.child_token().cancelled_owned(),
/// };
/// token.cancel();
/// futures::executor::block_on(worker.stop); // completes at once
/// ```
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
///
/// ```
/// use runtime_sync::CancellationToken;
/// let token = CancellationToken::new();
/// let t = token.clone();
/// let result = std::thread::spawn(move || {
///     let _guard = t.drop_guard();
///     panic!("the worker failed");
/// })
/// .join();
/// assert!(result.is_err());
/// assert!(token.is_cancelled()); // the guard cancelled during the unwind
/// ```
#[derive(Debug)]
pub struct DropGuard {
    token: Option<CancellationToken>,
}

impl DropGuard {
    /// Gives the token back without cancelling it.
    ///
    /// ```
    /// use runtime_sync::CancellationToken;
    /// let guard = CancellationToken::new().drop_guard();
    /// let token = guard.disarm(); // finished normally: do not cancel
    /// assert!(!token.is_cancelled());
    /// ```
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
