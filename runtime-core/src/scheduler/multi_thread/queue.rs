//! The run-queue interface of the multi-thread scheduler: a worker's local
//! FIFO (`Local`), the handle others steal from (`Steal`) and the global
//! injector (`Inject`).
//!
//! Normally these are crossbeam-deque's `Worker`/`Stealer`/`Injector`.
//! crossbeam uses std atomics that loom cannot see, so under `cfg(loom)`
//! the same interface is backed by loom-visible mutex queues: the models
//! then check our protocol (task states, searching, parking, shutdown)
//! while crossbeam's own correctness rests on its authors' tests.

#[cfg(not(loom))]
pub(crate) use self::crossbeam_queues::{Inject, Local, Steal};
#[cfg(loom)]
pub(crate) use self::loom_queues::{Inject, Local, Steal};

/// Local queue length at which half of it moves to the injector. Tokio's
/// figure: enough to absorb a burst of spawns, small enough that a
/// flooded worker shares its work quickly. Shrunk under loom.
#[cfg(not(loom))]
pub(crate) const LOCAL_QUEUE_CAPACITY: usize = 256;
#[cfg(loom)]
pub(crate) const LOCAL_QUEUE_CAPACITY: usize = 4;

#[cfg(not(loom))]
mod crossbeam_queues {
    use crossbeam_deque::{Injector, Stealer, Worker};

    pub(crate) struct Local<T>(Worker<T>);
    pub(crate) struct Steal<T>(Stealer<T>);
    pub(crate) struct Inject<T>(Injector<T>);

    impl<T> Local<T> {
        pub(crate) fn new() -> (Local<T>, Steal<T>) {
            let w = Worker::new_fifo();
            let s = w.stealer();
            (Local(w), Steal(s))
        }
        #[inline]
        pub(crate) fn push(&self, task: T) {
            self.0.push(task)
        }
        #[inline]
        pub(crate) fn pop(&self) -> Option<T> {
            self.0.pop()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.len()
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
    }

    impl<T> Steal<T> {
        /// Moves about half of the victim's tasks into `dst`, returning one.
        pub(crate) fn steal_into(&self, dst: &Local<T>) -> Option<T> {
            loop {
                match self.0.steal_batch_and_pop(&dst.0) {
                    crossbeam_deque::Steal::Success(t) => return Some(t),
                    crossbeam_deque::Steal::Empty => return None,
                    crossbeam_deque::Steal::Retry => std::hint::spin_loop(),
                }
            }
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.len()
        }
    }

    impl<T> Inject<T> {
        pub(crate) fn new() -> Inject<T> {
            Inject(Injector::new())
        }
        pub(crate) fn push(&self, task: T) {
            self.0.push(task)
        }
        pub(crate) fn pop(&self) -> Option<T> {
            loop {
                match self.0.steal() {
                    crossbeam_deque::Steal::Success(t) => return Some(t),
                    crossbeam_deque::Steal::Empty => return None,
                    crossbeam_deque::Steal::Retry => std::hint::spin_loop(),
                }
            }
        }
        /// Moves a batch of at most `limit` tasks (and at most half of the
        /// injector, and not past one of its 63-task blocks) into `dst`,
        /// returning one task of it.
        pub(crate) fn pop_batch_into(&self, dst: &Local<T>, limit: usize) -> Option<T> {
            loop {
                match self.0.steal_batch_with_limit_and_pop(&dst.0, limit.max(1)) {
                    crossbeam_deque::Steal::Success(t) => return Some(t),
                    crossbeam_deque::Steal::Empty => return None,
                    crossbeam_deque::Steal::Retry => std::hint::spin_loop(),
                }
            }
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.len()
        }
    }
}

#[cfg(loom)]
mod loom_queues {
    use crate::loom::sync::{Arc, Mutex};
    use std::collections::VecDeque;

    pub(crate) struct Local<T>(Arc<Mutex<VecDeque<T>>>);
    pub(crate) struct Steal<T>(Arc<Mutex<VecDeque<T>>>);
    pub(crate) struct Inject<T>(Mutex<VecDeque<T>>);

    impl<T> Local<T> {
        pub(crate) fn new() -> (Local<T>, Steal<T>) {
            let q = Arc::new(Mutex::new(VecDeque::new()));
            (Local(q.clone()), Steal(q))
        }
        pub(crate) fn push(&self, task: T) {
            self.0.lock().push_back(task)
        }
        pub(crate) fn pop(&self) -> Option<T> {
            self.0.lock().pop_front()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.lock().len()
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.lock().is_empty()
        }
    }

    impl<T> Steal<T> {
        pub(crate) fn steal_into(&self, dst: &Local<T>) -> Option<T> {
            let mut src = self.0.lock();
            let n = src.len().div_ceil(2);
            let first = src.pop_front()?;
            let mut moved = Vec::new();
            for _ in 1..n {
                moved.extend(src.pop_front());
            }
            drop(src);
            let mut dst = dst.0.lock();
            dst.extend(moved);
            Some(first)
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.lock().is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.lock().len()
        }
    }

    impl<T> Inject<T> {
        pub(crate) fn new() -> Inject<T> {
            Inject(Mutex::new(VecDeque::new()))
        }
        pub(crate) fn push(&self, task: T) {
            self.0.lock().push_back(task)
        }
        pub(crate) fn pop(&self) -> Option<T> {
            self.0.lock().pop_front()
        }
        pub(crate) fn pop_batch_into(&self, dst: &Local<T>, limit: usize) -> Option<T> {
            let mut src = self.0.lock();
            let first = src.pop_front()?;
            let extra = if limit > 1 { src.pop_front() } else { None };
            drop(src);
            if let Some(t) = extra {
                dst.push(t);
            }
            Some(first)
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.lock().is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.lock().len()
        }
    }
}
