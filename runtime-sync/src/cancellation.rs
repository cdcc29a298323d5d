//! `CancellationToken`: a shareable "please stop" signal with child tokens.
//! Cancelling a token cancels all its descendants; cancelling a child does
//! not touch its parent. Clones are the same token. Cancelling and
//! dropping walk the tree without recursion, so a chain of nested child
//! tokens may be as deep as memory allows.

use crate::loom::sync::Mutex;
use crate::wait_list::{Key, WaitList};
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
    parent: Option<Arc<Node>>,
}

struct Inner {
    children: Vec<Weak<Node>>,
    /// Pending `cancelled()` futures; each removes its own entry when
    /// dropped, so a long-lived token does not collect dead wakers.
    waiters: WaitList<Waker>,
}

impl Node {
    fn new(parent: Option<Arc<Node>>) -> Arc<Node> {
        Arc::new(Node {
            cancelled: AtomicBool::new(false),
            inner: Mutex::new(Inner {
                children: Vec::new(),
                waiters: WaitList::new(),
            }),
            parent,
        })
    }

    /// Cancels this node and its descendants, waking their waiters. The
    /// tree is walked with a work list, not recursion, so a chain of any
    /// depth fits on any stack.
    fn cancel(&self) {
        let mut pending = self.cancel_one();
        while let Some(child) = pending.pop() {
            if let Some(child) = child.upgrade() {
                pending.extend(child.cancel_one());
            }
        }
    }

    /// Cancels this node alone: sets the flag, wakes its waiters and
    /// returns its children (nothing if it was cancelled already).
    fn cancel_one(&self) -> Vec<Weak<Node>> {
        let (children, waiters) = {
            let mut inner = self.inner.lock();
            if self.cancelled.swap(true, Ordering::AcqRel) {
                return Vec::new();
            }
            (
                std::mem::take(&mut inner.children),
                inner.waiters.take_all(),
            )
        };
        waiters.wake_all();
        children
    }

    /// Polls for cancellation; `key` is the calling future's entry in the
    /// waiter list (registered on the first `Pending`).
    fn poll_cancelled(&self, cx: &mut Context<'_>, key: &mut Option<Key>) -> Poll<()> {
        if self.cancelled.load(Ordering::Acquire) {
            // `cancel` drained the list: the key names nothing any more,
            // and dropping the future need not lock.
            *key = None;
            return Poll::Ready(());
        }
        let mut inner = self.inner.lock();
        // Looked at again under the lock, where `cancel` sets it.
        if self.cancelled.load(Ordering::Acquire) {
            *key = None;
            return Poll::Ready(());
        }
        inner.waiters.register(key, cx.waker());
        Poll::Pending
    }

    /// A pending future went away: forget its waker.
    fn forget(&self, key: &mut Option<Key>) {
        if key.is_some() {
            let removed = self.inner.lock().waiters.forget(key);
            drop(removed);
        }
    }
}

impl Drop for Node {
    /// Frees the ancestors this node was the last to hold one by one:
    /// left to the compiler, dropping a node would drop its parent from
    /// inside its own drop, and a long chain would overflow the stack.
    fn drop(&mut self) {
        let mut parent = self.parent.take();
        while let Some(node) = parent {
            // `None` while another handle still holds it: the chain stays.
            let Some(mut node) = Arc::into_inner(node) else {
                break;
            };
            // Its parent moves out before it is dropped, so its own drop
            // finds nothing to free.
            parent = node.parent.take();
        }
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
        WaitForCancellationFuture {
            token: self,
            key: None,
        }
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
        WaitForCancellationFutureOwned {
            token: self,
            key: None,
        }
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
///     let first = match select(std::pin::pin!(token.cancelled()), std::pin::pin!(work)).await {
///         Either::Left(((), _)) => "cancelled",
///         Either::Right(_) => "work",
///     };
///     assert_eq!(first, "cancelled");
/// });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
#[derive(Debug)]
pub struct WaitForCancellationFuture<'a> {
    token: &'a CancellationToken,
    key: Option<Key>,
}

impl Future for WaitForCancellationFuture<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.token.node.poll_cancelled(cx, &mut this.key)
    }
}

impl Drop for WaitForCancellationFuture<'_> {
    fn drop(&mut self) {
        self.token.node.forget(&mut self.key);
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
    key: Option<Key>,
}

impl Future for WaitForCancellationFutureOwned {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.token.node.poll_cancelled(cx, &mut this.key)
    }
}

impl Drop for WaitForCancellationFutureOwned {
    fn drop(&mut self) {
        self.token.node.forget(&mut self.key);
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::CancellationToken;
    use std::future::Future;
    use std::task::{Context, Waker};

    /// A long-lived token polled by many short-lived `cancelled()` futures
    /// (e.g. one per `select!` loop turn) keeps no dead wakers.
    #[test]
    fn dropped_cancelled_futures_leave_no_waker_behind() {
        let token = CancellationToken::new();
        let mut cx = Context::from_waker(Waker::noop());
        for _ in 0..1000 {
            let mut fut = std::pin::pin!(token.cancelled());
            assert!(fut.as_mut().poll(&mut cx).is_pending());
            let mut owned = Box::pin(token.clone().cancelled_owned());
            assert!(owned.as_mut().poll(&mut cx).is_pending());
        }
        assert_eq!(token.node.inner.lock().waiters.len(), 0);
        // One still pending is woken by cancel.
        let mut fut = Box::pin(token.cancelled());
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        assert_eq!(token.node.inner.lock().waiters.len(), 1);
        token.cancel();
        assert!(fut.as_mut().poll(&mut cx).is_ready());
    }

    const DEPTH: usize = 100_000;

    /// Runs `f` on a thread with a 2 MiB stack (the default for spawned
    /// threads; set explicitly so `RUST_MIN_STACK` cannot hide a
    /// recursion).
    fn on_small_stack(f: impl FnOnce() + Send + 'static) {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap();
    }

    /// A chain of 100,000 nested children (only the root and the leaf are
    /// held; each child keeps its parent alive): cancelling the root
    /// reaches the leaf, and nothing on the way recurses.
    #[test]
    fn a_deep_chain_is_cancelled_without_recursion() {
        on_small_stack(|| {
            let root = CancellationToken::new();
            let mut leaf = root.child_token();
            for _ in 1..DEPTH {
                leaf = leaf.child_token();
            }
            let mut cx = Context::from_waker(Waker::noop());
            let mut waiting = Box::pin(leaf.clone().cancelled_owned());
            assert!(waiting.as_mut().poll(&mut cx).is_pending());
            assert!(!leaf.is_cancelled());
            root.cancel();
            assert!(leaf.is_cancelled(), "the cancel did not reach the leaf");
            assert!(waiting.as_mut().poll(&mut cx).is_ready());
            drop(root);
            drop(waiting);
            drop(leaf); // the whole chain goes here
        });
    }

    /// Dropping the last handle of such a chain frees it without recursion
    /// (each node's drop would otherwise drop its parent's).
    #[test]
    fn a_deep_chain_is_dropped_without_recursion() {
        on_small_stack(|| {
            let mut leaf = CancellationToken::new();
            for _ in 0..DEPTH {
                leaf = leaf.child_token();
            }
            let weak_root = {
                let mut node = &leaf.node;
                while let Some(parent) = &node.parent {
                    node = parent;
                }
                std::sync::Arc::downgrade(node)
            };
            drop(leaf);
            assert_eq!(weak_root.strong_count(), 0, "the chain was not freed");
        });
    }
}
