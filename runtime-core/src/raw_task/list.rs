//! The owned-task list: every live task of a runtime, so that shutdown can
//! cancel each one and drop its future.
//!
//! An intrusive doubly linked list through `Header::owned_prev/next`,
//! sharded by task id so that spawns and completions on different workers
//! rarely meet on the same lock. Each shard lock guards its links; the
//! `closed` flag is read under the shard lock by `bind` and set before
//! `close_and_shutdown_all` takes each shard lock, so a task is either seen
//! by shutdown or refused (and shut down) by `bind`.

use super::{Header, Notified, RawTask, Schedule, SpawnMeta, Task};
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::loom::sync::Mutex;
use crate::task::{Id, JoinHandle};
use std::future::Future;
use std::marker::PhantomData;
use std::ptr::NonNull;

pub(crate) struct OwnedTasks<S: 'static> {
    shards: Box<[ShardSlot]>,
    mask: usize,
    closed: AtomicBool,
    _p: PhantomData<S>,
}

struct Shard {
    head: Option<NonNull<Header>>,
}

/// One shard: its lock and its counts, on a line of its own so that
/// spawns and completions on different shards never write a shared cache
/// line. The counts are only written under the shard's lock (a load and a
/// store, no read-modify-write) and are read without it by metrics: they
/// are statistics (std atomics even under loom).
#[repr(align(128))]
struct ShardSlot {
    lock: Mutex<Shard>,
    alive: std::sync::atomic::AtomicUsize,
    spawned: std::sync::atomic::AtomicU64,
}

impl ShardSlot {
    /// Under the shard lock only.
    fn add_alive(&self, delta: isize) {
        let n = self.alive.load(Ordering::Relaxed);
        self.alive
            .store(n.wrapping_add_signed(delta), Ordering::Relaxed);
    }

    /// Under the shard lock only.
    fn count_spawn(&self) {
        let n = self.spawned.load(Ordering::Relaxed);
        self.spawned.store(n + 1, Ordering::Relaxed);
    }
}

// SAFETY: the raw pointers in a shard are only followed under its lock.
unsafe impl Send for Shard {}

impl<S: Schedule> OwnedTasks<S> {
    /// A list with at least `min_shards` shards (rounded to a power of two).
    pub(crate) fn new(min_shards: usize) -> OwnedTasks<S> {
        // Under loom one shard: ids differ between model executions, and
        // a shard chosen by id would make executions differ too.
        let n = if cfg!(loom) {
            1
        } else {
            min_shards.max(1).next_power_of_two()
        };
        OwnedTasks {
            shards: (0..n)
                .map(|_| ShardSlot {
                    lock: Mutex::new(Shard { head: None }),
                    alive: Default::default(),
                    spawned: Default::default(),
                })
                .collect(),
            mask: n - 1,
            closed: AtomicBool::new(false),
            _p: PhantomData,
        }
    }

    fn shard(&self, id: Id) -> &ShardSlot {
        &self.shards[id.0.get() as usize & self.mask]
    }

    /// Allocates a task for `future` and links it in. Returns its
    /// `JoinHandle` and, unless the list is closed (the runtime is shutting
    /// down, in which case the task is cancelled at once), its first
    /// `Notified` to schedule.
    pub(crate) fn bind<F>(
        &self,
        future: F,
        scheduler: S,
        id: Id,
        meta: SpawnMeta<'_>,
    ) -> (JoinHandle<F::Output>, Option<Notified<S>>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // SAFETY: the future and its output are `Send`, so wherever the
        // task is polled or dropped is fine.
        unsafe { self.bind_local(future, scheduler, id, meta) }
    }

    /// `bind` for a future that may not be `Send`.
    ///
    /// # Safety
    /// The caller guarantees the future is polled and dropped only on one
    /// thread, and the output dropped only where it may be (`LocalSet`:
    /// it polls on its own thread, shuts every task down there before it
    /// goes, and keeps each incomplete task alive through this list).
    pub(crate) unsafe fn bind_local<F>(
        &self,
        future: F,
        scheduler: S,
        id: Id,
        meta: SpawnMeta<'_>,
    ) -> (JoinHandle<F::Output>, Option<Notified<S>>)
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let raw = RawTask::new(future, scheduler, id, meta, 3);
        // SAFETY: `new` made three references: the list's, the Notified's and
        // the JoinHandle's.
        let (task, notified, join) = unsafe {
            (
                Task::<S>::from_raw(raw),
                Notified::<S>::from_raw(raw),
                JoinHandle::from_raw(raw),
            )
        };
        let slot = self.shard(id);
        let mut shard = slot.lock.lock();
        slot.count_spawn();
        if self.closed.load(Ordering::Acquire) {
            drop(shard);
            drop(notified);
            task.shutdown();
            return (join, None);
        }
        let ptr = task.into_raw().ptr;
        // SAFETY: the shard lock is held; `ptr` is not yet in any list and
        // `head` (if any) is a live task in this shard.
        unsafe {
            let header = ptr.as_ref();
            header.owned_next.with_mut(|n| *n = shard.head);
            header.owned_prev.with_mut(|p| *p = None);
            if let Some(head) = shard.head {
                head.as_ref().owned_prev.with_mut(|p| *p = Some(ptr));
            }
        }
        shard.head = Some(ptr);
        slot.add_alive(1);
        drop(shard);
        (join, Some(notified))
    }

    /// Unlinks `task`, returning the list's reference; `None` when it is not
    /// linked (already removed by shutdown).
    pub(crate) fn remove(&self, task: &Task<S>) -> Option<Task<S>> {
        let ptr = task.raw().ptr;
        let slot = self.shard(task.header().id());
        let mut shard = slot.lock.lock();
        // SAFETY: the shard lock is held and every linked node of this shard
        // is alive (the list holds a reference to each).
        unsafe {
            let header = ptr.as_ref();
            let prev = header.owned_prev.with(|p| *p);
            let next = header.owned_next.with(|n| *n);
            match prev {
                Some(prev) => prev.as_ref().owned_next.with_mut(|n| *n = next),
                None => {
                    if shard.head != Some(ptr) {
                        return None;
                    }
                    shard.head = next;
                }
            }
            if let Some(next) = next {
                next.as_ref().owned_prev.with_mut(|p| *p = prev);
            }
            header.owned_prev.with_mut(|p| *p = None);
            header.owned_next.with_mut(|n| *n = None);
        }
        // Before COMPLETE is set (rule 4): the count is exact by then.
        slot.add_alive(-1);
        drop(shard);
        // SAFETY: the node was linked, so the list owned one reference.
        Some(unsafe { Task::from_raw(task.raw()) })
    }

    /// Refuses new tasks and shuts down (cancels) every linked one. Safe to
    /// call from several threads at once: each task is unlinked once.
    pub(crate) fn close_and_shutdown_all(&self) {
        self.closed.store(true, Ordering::Release);
        for slot in self.shards.iter() {
            loop {
                let mut guard = slot.lock.lock();
                let Some(ptr) = guard.head else { break };
                // SAFETY: shard lock held; `ptr` is linked and alive.
                unsafe {
                    let next = ptr.as_ref().owned_next.with(|n| *n);
                    guard.head = next;
                    if let Some(next) = next {
                        next.as_ref().owned_prev.with_mut(|p| *p = None);
                    }
                    ptr.as_ref().owned_next.with_mut(|n| *n = None);
                }
                slot.add_alive(-1);
                drop(guard);
                // SAFETY: we unlinked it, so the list's reference is ours.
                let task = unsafe { Task::<S>::from_raw(RawTask { ptr }) };
                task.shutdown();
            }
        }
    }

    /// Calls `f` with the header of every linked task, one shard lock at
    /// a time (the runtime keeps running; a task spawned or completed
    /// during the walk may or may not be seen).
    pub(crate) fn for_each(&self, mut f: impl FnMut(&Header)) {
        for slot in self.shards.iter() {
            let guard = slot.lock.lock();
            let mut next = guard.head;
            while let Some(ptr) = next {
                // SAFETY: the shard lock is held, so `ptr` is linked, and the
                // list's reference keeps every linked task alive.
                let header = unsafe { ptr.as_ref() };
                f(header);
                // SAFETY: the links are only touched under the shard lock,
                // which is held.
                next = header.owned_next.with(|n| unsafe { *n });
            }
            drop(guard);
        }
    }

    /// Number of linked (alive) tasks.
    pub(crate) fn alive(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.alive.load(Ordering::Relaxed))
            .sum()
    }

    /// Number of tasks ever bound.
    pub(crate) fn spawned(&self) -> u64 {
        self.shards
            .iter()
            .map(|s| s.spawned.load(Ordering::Relaxed))
            .sum()
    }
}
