//! The shared side of the multi-thread scheduler: spawning, scheduling a
//! woken task (locally or through the injector), waking idle workers, and
//! shutdown.

use super::idle::Idle;
use super::lease::Lease;
use super::queue::{Inject, Local, Steal, LOCAL_QUEUE_CAPACITY};
use super::worker::Core;
use crate::blocking;
use crate::loom::sync::atomic::{fence, AtomicBool, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::park::Unparker;
use crate::raw_task::{self as task, list::OwnedTasks, SpawnMeta};
use crate::runtime::Config;
use crate::scheduler;
use crate::task::{Id, JoinHandle};
use std::future::Future;

pub(crate) type Notified = task::Notified<Arc<MultiThreadHandle>>;

/// Everything the workers share, behind the runtime's `Arc<MultiThreadHandle>`.
pub(crate) struct MultiThreadHandle {
    pub(crate) remotes: Box<[Remote]>,
    pub(crate) inject: Inject<Notified>,
    pub(crate) idle: Idle,
    pub(crate) owned: OwnedTasks<Arc<MultiThreadHandle>>,
    /// Cores of workers that have stopped; the last one in drains them.
    pub(crate) shutdown_cores: Mutex<Vec<Core>>,
    pub(crate) is_shutdown: AtomicBool,
    /// Set once every core's queues were drained; late pushes drain
    /// themselves (see `push_remote_task`).
    pub(crate) finalized: AtomicBool,
    pub(crate) config: Config,
    /// Polls the watchdog found slower than the threshold.
    pub(crate) slow_polls: std::sync::atomic::AtomicU64,
    pub(crate) blocking_spawner: blocking::Spawner,
    /// The I/O and time driver the parking workers take turns on.
    pub(crate) driver: Option<std::sync::Arc<crate::driver::Driver>>,
    /// Every thread running (or stuck with) a worker core, for the
    /// hand-off monitor.
    pub(crate) leases: Mutex<Vec<Arc<Lease>>>,
    /// The monitor thread's shared state.
    pub(crate) monitor: crate::scheduler::monitor_shared::Shared,
    /// Panics caught outside any task, for `block_on` to re-raise.
    pub(crate) escaped: crate::scheduler::escaped::Escaped,
    /// Test hook (`runtime::Handle::__panic_in_next_park`). Plain std: not part of
    /// any protocol.
    pub(crate) inject_park_panic: std::sync::atomic::AtomicBool,
}

/// What other threads may touch of one worker.
pub(crate) struct Remote {
    pub(crate) steal: Steal<Notified>,
    pub(crate) unpark: Unparker,
    pub(crate) stats: crate::scheduler::stats::WorkerStats,
}

impl MultiThreadHandle {
    pub(crate) fn new(
        remotes: Box<[Remote]>,
        config: Config,
        blocking_spawner: blocking::Spawner,
        driver: Option<std::sync::Arc<crate::driver::Driver>>,
    ) -> MultiThreadHandle {
        crate::util::escaped::install(crate::scheduler::escaped::to_current_runtime);
        let n = remotes.len();
        MultiThreadHandle {
            idle: Idle::new(n),
            inject: Inject::new(),
            // Four shards per worker keeps spawn/complete lock collisions rare.
            owned: OwnedTasks::new(n * 4),
            shutdown_cores: Mutex::new(Vec::with_capacity(n)),
            is_shutdown: AtomicBool::new(false),
            finalized: AtomicBool::new(false),
            remotes,
            config,
            slow_polls: Default::default(),
            blocking_spawner,
            driver,
            leases: Mutex::new(Vec::new()),
            monitor: Default::default(),
            escaped: Default::default(),
            inject_park_panic: Default::default(),
        }
    }

    /// A thread starts running worker `index`'s core.
    pub(crate) fn register_lease(&self, index: usize) -> Arc<Lease> {
        let guarded = self.config.handoff.is_some();
        let stamped = guarded || self.config.watch_polls();
        let lease = Arc::new(Lease::new(index, guarded, stamped));
        self.leases.lock().push(lease.clone());
        lease
    }

    /// The thread of `lease` stops running worker cores.
    pub(crate) fn unregister_lease(&self, lease: &Arc<Lease>) {
        self.leases.lock().retain(|l| !Arc::ptr_eq(l, lease));
    }

    /// A thread whose core was handed off returned from its poll.
    pub(crate) fn handoff_thread_done(&self) {
        self.monitor.stuck_threads.fetch_sub(1, Ordering::SeqCst);
    }

    #[track_caller]
    pub(crate) fn spawn<F>(
        me: &Arc<MultiThreadHandle>,
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
            MultiThreadHandle::schedule_task(me, notified);
        }
        join
    }

    /// Schedules a task: into this worker's LIFO slot or queue when called
    /// from one of this runtime's workers (no lock, no syscall), otherwise
    /// into the injector, waking an idle worker.
    pub(crate) fn schedule_task(me: &Arc<Self>, task: Notified) {
        crate::scheduler::latency::mark_runnable(task.header());
        let task = crate::scheduler::current::with_scheduler(|cx| {
            if let Some(scheduler::SchedulerContext::MultiThread(cx)) = cx {
                if Arc::ptr_eq(cx.handle(), me) {
                    // Lease rule 3: through the lease, unless the core is
                    // elsewhere (lent, handed off, or being rescued).
                    let mut task = Some(task);
                    cx.lease.with_core(|core| {
                        me.schedule_local(core, task.take().expect("scheduled twice"))
                    });
                    return task;
                }
            }
            Some(task)
        });
        if let Some(task) = task {
            me.push_remote_task(task);
            me.notify_parked();
        }
    }

    fn schedule_local(&self, core: &mut Core, task: Notified) {
        // The new task takes the LIFO slot; the one it displaces goes to the
        // queue, where another worker could steal it.
        let Some(prev) = core.lifo_slot.replace(task) else {
            return;
        };
        self.push_local_or_overflow(&core.run_queue, prev);
        // While parked (park taken) this worker is about to look at its
        // queue itself; otherwise let an idle worker come and steal.
        if core.park.is_some() {
            self.notify_parked();
        }
    }

    /// Pushes to the local queue; when it is full, moves the older half to
    /// the injector first so other workers can take it. Returns `true` when
    /// it did (the caller should then wake an idle worker).
    pub(crate) fn push_local_or_overflow(&self, queue: &Local<Notified>, task: Notified) -> bool {
        let overflow = queue.len() >= LOCAL_QUEUE_CAPACITY;
        if overflow {
            for _ in 0..LOCAL_QUEUE_CAPACITY / 2 {
                match queue.pop() {
                    Some(t) => self.push_remote_task(t),
                    None => break,
                }
            }
        }
        queue.push(task);
        overflow
    }

    pub(crate) fn push_remote_task(&self, task: Notified) {
        self.inject.push(task);
        // Pairs with the fence in `finalize`: either the finalizer sees our
        // task, or we see `finalized` and drain it ourselves, so no task is
        // left in the injector (which would leak it through the cycle
        // task -> handle -> injector -> task).
        fence(Ordering::SeqCst);
        if self.finalized.load(Ordering::Relaxed) {
            while let Some(task) = self.inject.pop() {
                drop(task);
            }
        }
    }

    /// Wakes one parked worker if nobody is searching (idle rule 2).
    pub(crate) fn notify_parked(&self) {
        if let Some(index) = self.idle.worker_to_notify() {
            self.remotes[index].unpark.unpark();
        }
    }

    /// Idle rule 4: after the last searcher parked, wake a worker if any
    /// queue holds work.
    pub(crate) fn notify_if_work_pending(&self) {
        for remote in self.remotes.iter() {
            if !remote.steal.is_empty() {
                self.notify_parked();
                return;
            }
        }
        if !self.inject.is_empty() {
            self.notify_parked();
        }
    }

    /// Starts shutdown: workers see the flag at their next maintenance or
    /// wake-up, cancel all tasks and hand their cores in.
    pub(crate) fn close(&self) {
        if self.is_shutdown.swap(true, Ordering::SeqCst) {
            return;
        }
        for remote in self.remotes.iter() {
            remote.unpark.unpark();
        }
    }

    /// Called by each worker as it stops; the last one drains every queue.
    pub(crate) fn shutdown_core(&self, core: Core) {
        let mut cores = self.shutdown_cores.lock();
        cores.push(core);
        if cores.len() != self.remotes.len() {
            return;
        }
        // All tasks were shut down by the workers; what remains in the
        // queues are references to completed tasks.
        let cores = std::mem::take(&mut *cores);
        self.finalized.store(true, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        for mut core in cores {
            drop(core.lifo_slot.take());
            core.yielded.clear();
            while let Some(task) = core.run_queue.pop() {
                drop(task);
            }
        }
        while let Some(task) = self.inject.pop() {
            drop(task);
        }
    }
}

impl task::Schedule for Arc<MultiThreadHandle> {
    fn report_escaped(&self, place: &str, payload: crate::scheduler::escaped::Payload) {
        self.escaped.report(place, payload);
    }

    fn release(&self, task: &task::Task<Self>) -> Option<task::Task<Self>> {
        self.owned.remove(task)
    }

    fn schedule(&self, task: Notified) {
        MultiThreadHandle::schedule_task(self, task);
    }
}
