//! The current-thread scheduler: every task runs on the thread that is
//! inside `Runtime::block_on`. Wakes from that thread push to a local
//! `VecDeque` with no synchronisation; wakes from other threads go through
//! a mutex-protected injector and unpark the `block_on` thread.
//!
//! The `Core` (queue + parker) is owned by whichever thread is in
//! `block_on`; a second thread calling `block_on` on the same runtime waits
//! for the core, polling its own future meanwhile.

use crate::blocking;
use crate::context;
use crate::coop;
use crate::loom::sync::atomic::{AtomicBool, Ordering::SeqCst};
use crate::loom::sync::{Arc, Mutex};
use crate::park::{Parked, Parker, Unparker};
use crate::raw_task::{self as task, list::OwnedTasks, SpawnMeta};
use crate::runtime::Config;
use crate::scheduler::{self, latency};
use crate::task::{Id, JoinHandle};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Poll, Wake, Waker};

type Notified = task::Notified<Arc<CurrentThreadHandle>>;

/// The runtime's part: the core, lent to `block_on` callers one at a time.
pub(crate) struct CurrentThread {
    core: Mutex<Option<Box<Core>>>,
    /// Threads waiting in `block_on` for the core.
    waiters: Mutex<Vec<Unparker>>,
}

/// Shared state, behind the runtime's `Arc<CurrentThreadHandle>`.
pub(crate) struct CurrentThreadHandle {
    /// Remote wakes; `None` once shut down (late tasks are dropped).
    inject: Mutex<Option<VecDeque<Notified>>>,
    pub(crate) owned: OwnedTasks<Arc<CurrentThreadHandle>>,
    /// The `block_on` future was woken.
    woken: AtomicBool,
    unpark: Unparker,
    /// The core's run-queue length (kept by `LocalQueue`).
    local_len: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    pub(crate) stats: crate::scheduler::stats::WorkerStats,
    /// Which poll the scheduler's thread is in (slow-poll detection).
    pub(crate) stamp: crate::scheduler::poll_stamp::PollStamp,
    /// The monitor thread's shared state.
    pub(crate) monitor: crate::scheduler::monitor_shared::Shared,
    /// Polls the watchdog found slower than the threshold.
    pub(crate) slow_polls: std::sync::atomic::AtomicU64,
    pub(crate) config: Config,
    pub(crate) blocking_spawner: blocking::Spawner,
    pub(crate) driver: Option<std::sync::Arc<crate::driver::Driver>>,
    /// Panics caught outside any task, for `block_on` to re-raise.
    pub(crate) escaped: crate::scheduler::escaped::Escaped,
}

/// The core's run queue, keeping the `worker_local_queue_depth` gauge
/// (shared with the `CurrentThreadHandle`) equal to its length on every change.
struct LocalQueue {
    tasks: VecDeque<Notified>,
    len: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl LocalQueue {
    fn publish_len(&self) {
        // Relaxed: a gauge, read only for metrics.
        self.len
            .store(self.tasks.len(), std::sync::atomic::Ordering::Relaxed);
    }

    fn push_back(&mut self, task: Notified) {
        self.tasks.push_back(task);
        self.publish_len();
    }

    fn pop_front(&mut self) -> Option<Notified> {
        let task = self.tasks.pop_front();
        if task.is_some() {
            self.publish_len();
        }
        task
    }

    fn extend(&mut self, tasks: impl IntoIterator<Item = Notified>) {
        self.tasks.extend(tasks);
        self.publish_len();
    }

    fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}

struct Core {
    tasks: LocalQueue,
    /// Tasks that yielded: queued again after the next driver turn (when
    /// the local and remote queues are empty, or at the next
    /// `event_interval` boundary), as Tokio's deferred wakers.
    yielded: Vec<Notified>,
    tick: u32,
    /// A task or the `block_on` future was woken since the last driver
    /// turn (told to the turn: the paused clock's "did wake"; a plain
    /// field, so the real clock pays nothing for it).
    woke: bool,
    /// Wakers of `yield_now` in futures that are not tasks (the `block_on`
    /// future): woken after the next driver turn, as Tokio's `defer`.
    deferred: Vec<Waker>,
    park: Option<Parker>,
    /// When the current busy stretch began (coarse clock).
    busy_since: u64,
}

/// Thread-local context of the thread driving the scheduler.
pub(crate) struct CurrentThreadContext {
    handle: Arc<CurrentThreadHandle>,
    core: RefCell<Option<Box<Core>>>,
    /// The `block_on` future's waker, while `run` polls it.
    block_on_waker: RefCell<Option<Waker>>,
}

impl CurrentThread {
    pub(crate) fn new(
        config: Config,
        blocking_spawner: blocking::Spawner,
        driver: Option<std::sync::Arc<crate::driver::Driver>>,
    ) -> (CurrentThread, Arc<CurrentThreadHandle>) {
        crate::util::escaped::install(crate::scheduler::escaped::to_current_runtime);
        let park = Parker::new(driver.clone());
        let local_len = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let handle = Arc::new(CurrentThreadHandle {
            inject: Mutex::new(Some(VecDeque::new())),
            owned: OwnedTasks::new(1),
            woken: AtomicBool::new(false),
            unpark: park.unparker(),
            local_len: local_len.clone(),
            stats: Default::default(),
            stamp: Default::default(),
            monitor: Default::default(),
            slow_polls: Default::default(),
            config,
            blocking_spawner,
            driver,
            escaped: Default::default(),
        });
        let core = Box::new(Core {
            tasks: LocalQueue {
                tasks: VecDeque::with_capacity(64),
                len: local_len,
            },
            yielded: Vec::new(),
            tick: 0,
            woke: false,
            deferred: Vec::new(),
            park: Some(park),
            busy_since: 0,
        });
        (
            CurrentThread {
                core: Mutex::new(Some(core)),
                waiters: Mutex::new(Vec::new()),
            },
            handle,
        )
    }

    /// Drives the scheduler on this thread until `future` completes.
    #[track_caller]
    pub(crate) fn block_on<F: Future>(
        &self,
        handle: &scheduler::SchedulerHandle,
        future: F,
    ) -> F::Output {
        let scheduler::SchedulerHandle::CurrentThread(h) = handle else {
            unreachable!("current_thread runtime with a multi-thread handle")
        };
        let _current = crate::scheduler::current::set_current(handle);
        let future = crate::scheduler::escaped::WatchPanics::new(&h.escaped, future);
        let mut future = std::pin::pin!(future);
        context::enter_runtime(false, || loop {
            // Take the core in its own statement: the lock must be released
            // before `run_core`, whose exit path locks it again.
            let core = self.core.lock().take();
            if let Some(core) = core {
                return self.run_core(h, core, future.as_mut());
            }
            // Another thread drives the scheduler: poll our future on our
            // own, and sleep until it is woken or the core comes back.
            let mut parker = Parker::new(None);
            let unparker = parker.unparker();
            let waker = Waker::from(std::sync::Arc::new(UnparkWaker(unparker.clone())));
            let mut cx = std::task::Context::from_waker(&waker);
            if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
                return v;
            }
            {
                let mut waiters = self.waiters.lock();
                if self.core.lock().is_some() {
                    continue;
                }
                waiters.push(unparker);
            }
            parker.park();
        })
    }

    fn run_core<F: Future>(
        &self,
        handle: &Arc<CurrentThreadHandle>,
        core: Box<Core>,
        future: Pin<&mut F>,
    ) -> F::Output {
        /// Puts the core back and wakes a waiting `block_on` even if the
        /// future panics.
        struct Return<'a> {
            rt: &'a CurrentThread,
            cx: &'a scheduler::SchedulerContext,
        }
        impl Drop for Return<'_> {
            fn drop(&mut self) {
                let scheduler::SchedulerContext::CurrentThread(cx) = self.cx else {
                    unreachable!()
                };
                if let Some(core) = cx.core.borrow_mut().take() {
                    *self.rt.core.lock() = Some(core);
                }
                for waiter in self.rt.waiters.lock().drain(..) {
                    waiter.unpark();
                }
            }
        }
        let cx = scheduler::SchedulerContext::CurrentThread(CurrentThreadContext {
            handle: handle.clone(),
            core: RefCell::new(Some(core)),
            block_on_waker: RefCell::new(None),
        });
        let _return = Return { rt: self, cx: &cx };
        let scheduler::SchedulerContext::CurrentThread(inner) = &cx else {
            unreachable!()
        };
        crate::scheduler::current::set_scheduler(&cx, || inner.run(future))
    }

    /// Cancels every task (their destructors run on this thread, inside the
    /// runtime's context) and drops the queued references.
    pub(crate) fn shutdown(&self, handle: &scheduler::SchedulerHandle) {
        let scheduler::SchedulerHandle::CurrentThread(h) = handle else {
            unreachable!()
        };
        let _current = crate::scheduler::current::set_current(handle);
        h.owned.close_and_shutdown_all();
        let core = self.core.lock().take();
        if let Some(mut core) = core {
            while let Some(task) = core.tasks.pop_front() {
                drop(task);
            }
            core.yielded.clear();
            *self.core.lock() = Some(core);
        }
        let remote = h.inject.lock().take();
        drop(remote);
    }
}

struct UnparkWaker(Unparker);

impl Wake for UnparkWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.unpark();
    }
}

/// The `block_on` future's waker: marks it woken and unparks the thread.
struct BlockOnWaker(Arc<CurrentThreadHandle>);

impl Wake for BlockOnWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        if self.0.woken.swap(true, SeqCst) {
            return;
        }
        // On the scheduler's own thread nothing sleeps: note the wake for
        // the driver (as Tokio's `unpark_self`); elsewhere, unpark.
        let local = crate::scheduler::current::with_scheduler(|cx| match cx {
            Some(scheduler::SchedulerContext::CurrentThread(cx))
                if Arc::ptr_eq(&cx.handle, &self.0) =>
            {
                cx.core
                    .borrow_mut()
                    .as_mut()
                    .map(|core| core.woke = true)
                    .is_some()
            }
            _ => false,
        });
        if !local {
            self.0.unpark.unpark();
        }
    }
}

impl CurrentThreadContext {
    fn run<F: Future>(&self, mut future: Pin<&mut F>) -> F::Output {
        let handle = &self.handle;
        let waker = Waker::from(std::sync::Arc::new(BlockOnWaker(handle.clone())));
        *self.block_on_waker.borrow_mut() = Some(waker.clone());
        let mut cx = std::task::Context::from_waker(&waker);
        handle.woken.store(true, SeqCst);
        self.with_core(|core| core.busy_since = crate::scheduler::stats::WorkerStats::busy_start());
        loop {
            if handle.woken.swap(false, SeqCst) {
                if let Poll::Ready(v) = coop::budget(|| future.as_mut().poll(&mut cx)) {
                    self.with_core(|core| {
                        handle.stats.add_busy(core.busy_since);
                    });
                    return v;
                }
            }
            // Run up to `event_interval` tasks before looking at the
            // `block_on` future again (as Tokio), so a `block_on` future
            // that yields lets the spawned tasks make progress.
            let mut drained = false;
            let watch = handle.config.watch_polls();
            for _ in 0..handle.config.event_interval {
                let Some(task) = self.next_task() else {
                    drained = true;
                    break;
                };
                let header = task.header();
                handle.stats.count_poll();
                let timed = latency::poll_starts(header, &handle.stats.latency);
                if watch {
                    handle.stamp.begin(header.id_word, header.location);
                }
                let again = coop::budget(|| task.run());
                if watch {
                    handle.stamp.end();
                }
                latency::poll_returned(timed, &handle.stats.latency);
                if let Some(again) = again {
                    // Yielded: after the next driver turn; woken by
                    // something else while it ran: to the back.
                    self.push_again(again);
                }
            }
            // As Tokio's current-thread loop: with the queue empty and
            // nothing pending, sleep on the driver; otherwise (a full batch,
            // yielded tasks, a woken `block_on` future) turn it without
            // sleeping. Either way the yielded tasks go to the back of the
            // queue only after that turn (Tokio's `defer`), behind what it
            // woke: a task that yields (`time::advance` does) runs again
            // after the timers and I/O that came due meanwhile.
            if drained && !self.has_yielded() && !handle.woken.load(SeqCst) {
                self.park();
            } else {
                self.poll_driver();
            }
            self.flush_yielded();
        }
    }

    /// Tokio's `defer` for `yield_now` in the `block_on` future: its waker
    /// is woken after the next driver turn. Other wakers (a combinator's,
    /// an executor's nested in a task) are woken at once: deferring those
    /// could leave a nested executor waiting on this blocked thread.
    pub(crate) fn defer(&self, waker: &Waker) {
        let is_block_on = self
            .block_on_waker
            .borrow()
            .as_ref()
            .is_some_and(|w| w.will_wake(waker));
        if is_block_on {
            if let Some(core) = self.core.borrow_mut().as_mut() {
                if !core.deferred.iter().any(|w| w.will_wake(waker)) {
                    core.deferred.push(waker.clone());
                }
                return;
            }
        }
        waker.wake_by_ref();
    }

    fn push_again(&self, again: task::Again<Arc<CurrentThreadHandle>>) {
        latency::mark_runnable(again.task.header());
        let mut core = self.core.borrow_mut();
        let core = core.as_mut().expect("current_thread core missing");
        if again.yielded {
            core.yielded.push(again.task);
        } else {
            core.tasks.push_back(again.task);
        }
    }

    /// After a driver turn: moves the yielded tasks to the back of the run
    /// queue and wakes the deferred wakers (Tokio's `defer.wake()`).
    fn flush_yielded(&self) {
        let deferred = {
            let mut core = self.core.borrow_mut();
            let core = core.as_mut().expect("current_thread core missing");
            let Core {
                tasks,
                yielded,
                deferred,
                woke,
                ..
            } = &mut **core;
            // Runs after every batch, most often with nothing to move (an
            // empty extend still costs a call and the length gauge's store).
            if !yielded.is_empty() {
                tasks.extend(yielded.drain(..));
                *woke = true;
            }
            if deferred.is_empty() {
                return;
            }
            std::mem::take(deferred)
        };
        // Outside the borrow: the `block_on` waker looks at the core.
        for w in deferred {
            w.wake();
        }
    }

    fn next_task(&self) -> Option<Notified> {
        let mut core = self.core.borrow_mut();
        let core = core.as_mut().expect("current_thread core missing");
        core.tick = core.tick.wrapping_add(1);
        let remote_first = core
            .tick
            .is_multiple_of(self.handle.config.global_queue_interval);
        if !remote_first {
            if let Some(task) = core.tasks.pop_front() {
                return Some(task);
            }
        }
        match self.handle.pop_remote() {
            Some(task) => {
                // Scheduled from another thread: a wake for the driver too.
                core.woke = true;
                Some(task)
            }
            None if remote_first => core.tasks.pop_front(),
            None => None,
        }
    }

    /// Yielded tasks or deferred wakers wait for the next driver turn.
    fn has_yielded(&self) -> bool {
        self.with_core(|core| !core.yielded.is_empty() || !core.deferred.is_empty())
    }

    fn with_core<R>(&self, f: impl FnOnce(&mut Core) -> R) -> R {
        let mut core = self.core.borrow_mut();
        f(core.as_mut().expect("current_thread core missing"))
    }

    /// A zero-timeout driver turn (wakes from it land in the local queue).
    fn poll_driver(&self) {
        let stats = &self.handle.stats;
        self.with_core(|core| core.busy_since = stats.add_busy(core.busy_since));
        if self.handle.driver.is_none() {
            return;
        }
        let (mut park, woke) = {
            let mut core = self.core.borrow_mut();
            let core = core.as_mut().expect("current_thread core missing");
            let park = core.park.take().expect("current_thread parker missing");
            (park, core.woke)
        };
        let parked = park.poll_driver_noting(woke);
        self.put_park(park, parked);
    }

    /// Gives the parker back; after a driver turn the wakes it was told of,
    /// and the ones it delivered, are the driver's to count.
    fn put_park(&self, park: Parker, parked: Parked) {
        let mut core = self.core.borrow_mut();
        let core = core.as_mut().expect("current_thread core missing");
        core.park = Some(park);
        if parked.turned {
            core.woke = false;
        }
    }

    /// Sleeps until a remote wake or the `block_on` future's waker.
    fn park(&self) {
        let (mut park, woke) = {
            let mut core = self.core.borrow_mut();
            let core = core.as_mut().expect("current_thread core missing");
            if !core.tasks.is_empty() {
                return;
            }
            let park = core.park.take().expect("current_thread parker missing");
            (park, core.woke)
        };
        let mut parked = Parked::default();
        if self.handle.inject_is_empty() && !self.handle.woken.load(SeqCst) {
            let stats = &self.handle.stats;
            // Busy time first: a reader that sees the park sees its stretch.
            self.with_core(|core| stats.add_busy(core.busy_since));
            stats.inc_parks();
            parked = park.park_noting(woke);
            self.with_core(|core| {
                core.busy_since = crate::scheduler::stats::WorkerStats::busy_start()
            });
        }
        self.put_park(park, parked);
    }
}

impl CurrentThreadHandle {
    #[track_caller]
    pub(crate) fn spawn<F>(
        me: &Arc<CurrentThreadHandle>,
        future: F,
        id: Id,
        meta: SpawnMeta<'_>,
    ) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (join, notified) = me.owned.bind(future, me.clone(), id, meta);
        if let Some(notified) = notified {
            task::Schedule::schedule(me, notified);
        }
        join
    }

    fn pop_remote(&self) -> Option<Notified> {
        self.inject.lock().as_mut().and_then(|q| q.pop_front())
    }

    fn inject_is_empty(&self) -> bool {
        self.inject.lock().as_ref().is_none_or(|q| q.is_empty())
    }

    pub(crate) fn inject_len(&self) -> usize {
        self.inject.lock().as_ref().map_or(0, |q| q.len())
    }

    pub(crate) fn local_len(&self) -> usize {
        self.local_len.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl task::Schedule for Arc<CurrentThreadHandle> {
    fn report_escaped(&self, place: &str, payload: crate::scheduler::escaped::Payload) {
        self.escaped.report(place, payload);
    }

    fn release(&self, task: &task::Task<Self>) -> Option<task::Task<Self>> {
        self.owned.remove(task)
    }

    fn schedule(&self, task: Notified) {
        latency::mark_runnable(task.header());
        let task = crate::scheduler::current::with_scheduler(|cx| {
            if let Some(scheduler::SchedulerContext::CurrentThread(cx)) = cx {
                if Arc::ptr_eq(&cx.handle, self) {
                    if let Some(core) = cx.core.borrow_mut().as_mut() {
                        core.tasks.push_back(task);
                        core.woke = true;
                        return None;
                    }
                }
            }
            Some(task)
        });
        if let Some(task) = task {
            let mut inject = self.inject.lock();
            match inject.as_mut() {
                Some(q) => {
                    q.push_back(task);
                    drop(inject);
                    self.unpark.unpark();
                }
                // Shut down: the task was cancelled; drop this reference
                // outside the lock.
                None => {
                    drop(inject);
                    drop(task);
                }
            }
        }
    }
}
