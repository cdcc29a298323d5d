//! A worker: the run loop that pops, steals, polls and parks, and
//! `block_in_place`, which hands a worker's core to a new thread (the
//! hand-off monitor does the same from outside: `monitor.rs`; both follow
//! the lease rules of `lease.rs`).
//!
//! Order of looking for work on each tick:
//! 1. when the injector is due a look (every few polls, tuned from the
//!    poll time: `inject_interval.rs`), a batch from the injector first,
//!    so remote tasks are not starved by a busy local queue,
//! 2. the LIFO slot, then the local queue,
//! 3. a batch from the injector,
//! 4. (searching, if fewer than half the workers are) half of a random
//!    victim's queue, then the injector again,
//! 5. park.

use super::handle::{MultiThreadHandle, Notified};
use super::inject_interval::InjectInterval;
use super::lease::{self, Lease};
use super::queue::{Local, LOCAL_QUEUE_CAPACITY};
use crate::context::{self, EnterRuntime};
use crate::coop;
use crate::loom::sync::{Arc, Mutex};
use crate::park::Parker;
use crate::scheduler::{self, latency};
use crate::util::rand::FastRand;

/// Tokio's bound: a LIFO chain (e.g. ping-pong) may run three tasks in a
/// row before the rest of the queue gets a turn.
const MAX_LIFO_POLLS_PER_TICK: usize = 3;

/// One worker's private scheduling state; moves between threads only as a
/// whole (at start, and in `block_in_place`).
pub(crate) struct Core {
    tick: u32,
    /// When to look at the injector before the local queue.
    inject: InjectInterval,
    pub(crate) lifo_slot: Option<Notified>,
    pub(crate) run_queue: Local<Notified>,
    /// Tasks that yielded (or were woken while they ran), held back until
    /// nothing else is ready: the local queue and the injector come first,
    /// so a task spinning on `yield_now` cannot starve remote tasks. Not
    /// stealable until moved to the run queue (at most one tick later when
    /// the worker runs dry, or at maintenance).
    pub(crate) yielded: Vec<Notified>,
    is_searching: bool,
    is_shutdown: bool,
    /// Taken while the worker sleeps.
    pub(crate) park: Option<Parker>,
    rand: FastRand,
    /// When the current busy stretch began (`WorkerStats::busy_start`),
    /// for `worker_total_busy_duration`.
    busy_since: u64,
    /// The worker is in `park_now`, counted parked or just woken (for the
    /// recovery after a panic out of a driver turn).
    in_park: bool,
}

/// A worker slot: the core waits here until a thread runs it.
pub(crate) struct Worker {
    pub(crate) handle: Arc<MultiThreadHandle>,
    index: usize,
    core: Mutex<Option<Box<Core>>>,
}

/// The thread-local scheduler context of a thread running a worker.
pub(crate) struct WorkerContext {
    worker: Arc<Worker>,
    /// This thread's hold on the core: the core sits in it while a task is
    /// polled (so wakes can reach the LIFO slot, and the hand-off monitor
    /// can take it); the run loop holds it by value otherwise.
    pub(crate) lease: Arc<Lease>,
}

/// The workers to start once the runtime is assembled.
pub(crate) struct Launch(Vec<Arc<Worker>>);

type RunResult = Result<Box<Core>, ()>;

/// Creates the shared handle and the (not yet started) workers.
pub(crate) fn create(
    size: usize,
    config: crate::runtime::Config,
    blocking_spawner: crate::blocking::Spawner,
    driver: Option<std::sync::Arc<crate::driver::Driver>>,
) -> (Arc<MultiThreadHandle>, Launch) {
    let mut cores = Vec::with_capacity(size);
    let mut remotes = Vec::with_capacity(size);
    for _ in 0..size {
        let (run_queue, steal) = Local::new();
        let park = Parker::new(driver.clone());
        remotes.push(super::handle::Remote {
            steal,
            unpark: park.unparker(),
            stats: Default::default(),
        });
        cores.push(Box::new(Core {
            tick: 0,
            inject: InjectInterval::new(config.global_queue_interval, config.tune_global_queue),
            lifo_slot: None,
            run_queue,
            yielded: Vec::new(),
            is_searching: false,
            is_shutdown: false,
            park: Some(park),
            rand: FastRand::new(FastRand::seed()),
            busy_since: crate::scheduler::stats::WorkerStats::busy_start(),
            in_park: false,
        }));
    }
    let handle = Arc::new(MultiThreadHandle::new(
        remotes.into_boxed_slice(),
        config,
        blocking_spawner,
        driver,
    ));
    let workers = cores
        .into_iter()
        .enumerate()
        .map(|(index, core)| {
            Arc::new(Worker {
                handle: handle.clone(),
                index,
                core: Mutex::new(Some(core)),
            })
        })
        .collect();
    (handle, Launch(workers))
}

impl Launch {
    /// The workers (for the hand-off monitor, which starts threads on
    /// them).
    pub(crate) fn workers(&self) -> Vec<Arc<Worker>> {
        self.0.clone()
    }

    /// Starts every worker on a blocking-pool thread.
    pub(crate) fn launch(self) -> std::io::Result<()> {
        for worker in self.0 {
            start_thread(worker)?;
        }
        Ok(())
    }
}

/// Starts a thread (from the blocking pool) that runs `worker`'s core,
/// which the caller left in the worker's slot.
pub(crate) fn start_thread(worker: Arc<Worker>) -> std::io::Result<()> {
    let handle = scheduler::SchedulerHandle::MultiThread(worker.handle.clone());
    crate::scheduler::blocking_spawn::spawn_blocking(&handle, move || run(worker), true).map(drop)
}

impl Worker {
    /// Leaves `core` for the next thread that runs this worker.
    pub(crate) fn park_core(&self, core: Box<Core>) {
        *self.core.lock() = Some(core);
    }

    /// Takes back a core no thread has started on yet.
    pub(crate) fn unpark_core(&self) -> Option<Box<Core>> {
        self.core.lock().take()
    }
}

/// A worker thread's body: takes the core (unless another thread already
/// did) and runs it until shutdown or until the core moves to another
/// thread (`block_in_place`, or the hand-off monitor).
fn run(worker: Arc<Worker>) {
    let Some(core) = worker.unpark_core() else {
        return;
    };
    let handle = scheduler::SchedulerHandle::MultiThread(worker.handle.clone());
    let _current = crate::scheduler::current::set_current(&handle);
    let lease = worker.handle.register_lease(worker.index);
    context::enter_runtime(true, || {
        let cx = scheduler::SchedulerContext::MultiThread(WorkerContext {
            worker,
            lease: lease.clone(),
        });
        crate::scheduler::current::set_scheduler(&cx, || {
            let scheduler::SchedulerContext::MultiThread(cx) = &cx else {
                unreachable!()
            };
            // Err: shut down, or the core moved to another thread. A panic
            // here came from outside any task (tasks catch their own).
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cx.run(core)));
            if let Err(payload) = ran {
                recover_from_panic(&cx.worker, &cx.lease, payload);
            }
            cx.worker.handle.unregister_lease(&cx.lease);
        });
    });
}

/// A panic unwound a worker's run loop (outside any task: in a driver
/// turn or the scheduler itself). It is reported to the runtime
/// (`scheduler/escaped.rs`), and the core, if it was in the lease (the
/// panic came out of a park, a driver turn or around a poll), goes with its
/// queued tasks to a new thread with a fresh parker, so the worker keeps
/// running. A core the unwinding dropped takes its queued tasks with it:
/// that is logged.
fn recover_from_panic(worker: &Arc<Worker>, lease: &Lease, payload: scheduler::escaped::Payload) {
    let handle = &worker.handle;
    let index = worker.index;
    handle
        .escaped
        .report(&format!("runtime worker {index}'s run loop"), payload);
    let Some(mut core) = lease.recover() else {
        log::error!(
            target: "runtime::panic",
            "runtime worker {index} lost its core to that panic: the tasks queued on it will not run"
        );
        return;
    };
    core.park = Some(handle.remotes[index].unpark.recover_parker());
    if std::mem::take(&mut core.in_park) {
        // As `transition_from_parked`: off the parked list, or counted
        // searching by the notifier that already took it off.
        core.is_searching = !handle.idle.unpark_worker_by_id(index);
    }
    worker.park_core(core);
    if let Err(e) = start_thread(worker.clone()) {
        // The blocking pool refuses threads once the runtime shuts down:
        // the core goes through shutdown here instead.
        log::debug!("worker {index} not restarted after a panic: {e}");
        if let Some(core) = worker.unpark_core() {
            handle.owned.close_and_shutdown_all();
            handle.shutdown_core(*core);
        }
        return;
    }
    // The panic may have cut a driver hand-off short (driver rule 4).
    handle.notify_parked();
}

impl WorkerContext {
    pub(crate) fn handle(&self) -> &Arc<MultiThreadHandle> {
        &self.worker.handle
    }

    fn run(&self, mut core: Box<Core>) -> RunResult {
        while !core.is_shutdown {
            core.tick = core.tick.wrapping_add(1);
            core = self.maintenance(core);
            if let Some(task) = core.next_task(&self.worker) {
                core = self.run_task(task, core)?;
                continue;
            }
            if let Some(task) = core.steal_work(&self.worker) {
                core = self.run_task(task, core)?;
                continue;
            }
            core = self.park(core);
        }
        // The last stretch counts too: metrics read after shutdown are
        // complete.
        self.stats().add_busy(core.busy_since);
        self.worker.handle.owned.close_and_shutdown_all();
        self.worker.handle.shutdown_core(*core);
        Err(())
    }

    fn stats(&self) -> &crate::scheduler::stats::WorkerStats {
        &self.worker.handle.remotes[self.worker.index].stats
    }

    fn run_task(&self, task: Notified, mut core: Box<Core>) -> RunResult {
        // Found work: stop searching, waking a replacement if we were the
        // last searcher (idle rule 3).
        core.transition_from_searching(&self.worker);
        let stats = self.stats();
        let handle = &self.worker.handle;
        let lease = &*self.lease;
        coop::budget(|| {
            let mut task = task;
            let mut lifo_polls = 0;
            loop {
                // Lease rules 1 and 2: the core is reachable from the poll.
                lease.put(core);
                let header = task.header();
                stats.count_poll();
                let timed = latency::poll_starts(header, &stats.latency);
                lease.begin_poll(header.id_word, header.location);
                let mut again = task.run();
                latency::poll_returned(timed, &stats.latency);
                // `None` (lease rule 5): `block_in_place` or the hand-off
                // monitor gave the core to another thread.
                let Some(c) = lease.end_poll() else {
                    if let Some(again) = again {
                        // Without a core, reschedule through the injector.
                        handle.push_remote_task(again.task);
                        handle.notify_parked();
                    }
                    if lease.outcome() == lease::TAKEN {
                        // This thread was a stuck poll's; it retires.
                        stats.add_stuck_busy(lease.taken_at());
                        handle.handoff_thread_done();
                    }
                    return Err(());
                };
                core = c;
                core.inject.polled();
                if let Some(again) = again.take() {
                    // Runnable again as of now.
                    latency::mark_runnable(again.task.header());
                    if again.yielded {
                        // Behind everything that is ready now, local or
                        // remote (see `Core::yielded`). Re-queueing a task
                        // that was already running adds no work, so nobody
                        // is woken.
                        core.yielded.push(again.task);
                    } else {
                        // Woken by someone else while it ran: to the back
                        // of the queue, where an idle worker may steal it.
                        let _ = handle.push_local_or_overflow(&core.run_queue, again.task);
                        handle.notify_parked();
                    }
                }
                let Some(next) = core.lifo_slot.take() else {
                    return Ok(core);
                };
                // A chain of wake-ups yields the worker after a few polls,
                // and as soon as remote tasks are due their turn.
                if lifo_polls >= MAX_LIFO_POLLS_PER_TICK
                    || core.remote_tasks_due(handle)
                    || !coop::has_budget_remaining()
                {
                    if handle.push_local_or_overflow(&core.run_queue, next) {
                        handle.notify_parked();
                    }
                    return Ok(core);
                }
                lifo_polls += 1;
                task = next;
            }
        })
    }

    fn maintenance(&self, mut core: Box<Core>) -> Box<Core> {
        if core
            .tick
            .is_multiple_of(self.worker.handle.config.event_interval)
        {
            core.check_shutdown(&self.worker);
            core.busy_since = self.stats().add_busy(core.busy_since);
            core.inject.maintenance(self.stats().polls());
            // Yielded tasks wait at most one maintenance interval even if
            // wakes keep the local queue full.
            core.flush_yielded(&self.worker);
            // Driver rule 1: a busy worker looks at I/O and timers without
            // sleeping, so compute cannot starve them.
            if self.worker.handle.driver.is_some() {
                core = self.poll_driver(core);
            }
        }
        core
    }

    /// A zero-timeout driver turn with the core in the context, so the
    /// tasks it wakes go to this worker's queue.
    fn poll_driver(&self, mut core: Box<Core>) -> Box<Core> {
        let mut park = core.park.take().expect("worker parker missing");
        self.lease.put(core);
        let wake_another = park.poll_driver();
        let mut core = self
            .lease
            .take()
            .expect("worker core taken during a driver turn");
        core.park = Some(park);
        if wake_another || core.has_tasks_to_share() {
            self.worker.handle.notify_parked();
        }
        core
    }

    fn park(&self, mut core: Box<Core>) -> Box<Core> {
        if core.transition_to_parked(&self.worker) {
            while !core.is_shutdown {
                core = self.park_now(core);
                core.check_shutdown(&self.worker);
                if core.transition_from_parked(&self.worker) {
                    // Counted unparked now (by itself or its notifier), so
                    // a monitor that goes to sleep because every worker
                    // was parked either sees this worker running or is
                    // woken here (`Shared::worker_woke`).
                    self.worker.handle.monitor.worker_woke();
                    break;
                }
            }
        }
        core
    }

    fn park_now(&self, mut core: Box<Core>) -> Box<Core> {
        // Busy time first: a reader that sees the park sees its stretch.
        self.stats().add_busy(core.busy_since);
        self.stats().inc_parks();
        // Only a worker still running can be stuck: with every other one
        // parked too, the monitor has nothing to look at sooner.
        let idle = &self.worker.handle.idle;
        if !idle.all_parked() {
            self.worker.handle.monitor.worker_parks();
        } else {
            self.worker
                .handle
                .monitor
                .everyone_parked(|| !idle.all_parked());
        }
        core.inject.parked();
        let mut park = core.park.take().expect("worker parker missing");
        core.in_park = true;
        self.lease.put(core);
        let inject = &self.worker.handle.inject_park_panic;
        if inject.load(std::sync::atomic::Ordering::Relaxed)
            && inject.swap(false, std::sync::atomic::Ordering::Relaxed)
        {
            panic!("expected panic: injected into a worker's park");
        }
        let wake_another = park.park();
        let mut core = self.lease.take().expect("worker core taken during park");
        core.in_park = false;
        core.park = Some(park);
        core.busy_since = crate::scheduler::stats::WorkerStats::busy_start();
        if self.worker.handle.config.handoff.is_some() {
            // The watch: the monitor's look, if one is due, at no wake-up
            // of its own.
            self.worker.handle.monitor.watch(super::monitor::TICK);
        }
        // Events woke more tasks than this worker runs at once: let an
        // idle worker help (and take the driver). With only its own task(s)
        // to run, this worker is usually back in the driver soon: driver
        // rule 4's wake is left to the hand-off monitor, when there is one.
        if core.has_tasks_to_share() {
            self.worker.handle.notify_parked();
        } else if wake_another {
            match &self.worker.handle.driver {
                // The hand-off monitor looks every millisecond or so.
                Some(driver) if self.worker.handle.config.handoff.is_some() => {
                    driver.leave_orphaned()
                }
                _ => self.worker.handle.notify_parked(),
            }
        }
        core
    }
}

impl Core {
    /// A bare core for the lease model (no parker, no driver).
    #[cfg(loom)]
    pub(crate) fn for_model() -> Box<Core> {
        Box::new(Core {
            tick: 0,
            inject: InjectInterval::new(31, false),
            lifo_slot: None,
            run_queue: Local::new().0,
            yielded: Vec::new(),
            is_searching: false,
            is_shutdown: false,
            park: None,
            rand: FastRand::new(1),
            busy_since: 0,
            in_park: false,
        })
    }

    /// Adds `by` to the tick and returns it (the lease model's marker of
    /// a monitor write).
    #[cfg(loom)]
    pub(crate) fn tick_for_model(&mut self, by: u32) -> u32 {
        self.tick += by;
        self.tick
    }

    fn next_task(&mut self, worker: &Worker) -> Option<Notified> {
        if self.inject.due() {
            if let Some(task) = self.pop_injector_batch(worker) {
                return Some(task);
            }
            return self.next_local_task();
        }
        if let Some(task) = self.next_local_task() {
            return Some(task);
        }
        if let Some(task) = self.pop_injector_batch(worker) {
            return Some(task);
        }
        // Nothing else is ready: the yielded tasks' turn.
        self.flush_yielded(worker);
        self.run_queue.pop()
    }

    /// The injector is due a look and holds tasks (a look that finds it
    /// empty counts as done, so a LIFO chain goes on).
    fn remote_tasks_due(&mut self, handle: &MultiThreadHandle) -> bool {
        if !self.inject.due() {
            return false;
        }
        if handle.inject.is_empty() {
            self.inject.checked();
            return false;
        }
        true
    }

    /// Takes a batch from the injector into the local queue (returning
    /// one): this worker's share of what waits there, so that remote
    /// tasks drain at the rate they arrive even while every worker is
    /// busy, and the other workers get some too.
    fn pop_injector_batch(&mut self, worker: &Worker) -> Option<Notified> {
        let handle = &worker.handle;
        self.inject.checked();
        if handle.inject.is_empty() {
            return None;
        }
        let share = handle.inject.len() / handle.remotes.len() + 1;
        let room = LOCAL_QUEUE_CAPACITY.saturating_sub(self.run_queue.len());
        handle
            .inject
            .pop_batch_into(&self.run_queue, share.min(room).max(1))
    }

    /// Moves the yielded tasks to the run queue, where they can also be
    /// stolen; wakes an idle worker when there is more than one.
    fn flush_yielded(&mut self, worker: &Worker) {
        let n = self.yielded.len();
        if n == 0 {
            return;
        }
        let handle = &worker.handle;
        for task in self.yielded.drain(..) {
            let _ = handle.push_local_or_overflow(&self.run_queue, task);
        }
        if n > 1 {
            handle.notify_parked();
        }
    }

    /// Moves every queued task (LIFO slot, yielded, local queue) to the
    /// injector, where busy workers look every few polls (the monitor's
    /// rescue of a stuck worker). Returns how many moved.
    pub(crate) fn drain_into_injector(&mut self, handle: &MultiThreadHandle) -> usize {
        let mut moved = 0;
        for task in self
            .lifo_slot
            .take()
            .into_iter()
            .chain(self.yielded.drain(..))
        {
            handle.push_remote_task(task);
            moved += 1;
        }
        while let Some(task) = self.run_queue.pop() {
            handle.push_remote_task(task);
            moved += 1;
        }
        moved
    }

    /// More than the one task this worker will run next is queued.
    fn has_tasks_to_share(&self) -> bool {
        !self.run_queue.is_empty()
    }

    fn next_local_task(&mut self) -> Option<Notified> {
        self.lifo_slot.take().or_else(|| self.run_queue.pop())
    }

    fn steal_work(&mut self, worker: &Worker) -> Option<Notified> {
        if !self.transition_to_searching(worker) {
            return None;
        }
        let remotes = &worker.handle.remotes;
        let n = remotes.len();
        let start = self.rand.below(n as u32) as usize;
        for i in 0..n {
            let victim = (start + i) % n;
            if victim == worker.index {
                continue;
            }
            if let Some(task) = remotes[victim].steal.steal_into(&self.run_queue) {
                remotes[worker.index].stats.inc_steals();
                return Some(task);
            }
        }
        self.pop_injector_batch(worker)
    }

    fn transition_to_searching(&mut self, worker: &Worker) -> bool {
        if !self.is_searching {
            self.is_searching = worker.handle.idle.transition_worker_to_searching();
        }
        self.is_searching
    }

    fn transition_from_searching(&mut self, worker: &Worker) {
        if !self.is_searching {
            return;
        }
        self.is_searching = false;
        if worker.handle.idle.transition_worker_from_searching() {
            worker.handle.notify_parked();
        }
    }

    /// `false` when there is local work after all (do not park).
    fn transition_to_parked(&mut self, worker: &Worker) -> bool {
        if self.lifo_slot.is_some() || !self.run_queue.is_empty() || !self.yielded.is_empty() {
            return false;
        }
        let is_last_searcher = worker
            .handle
            .idle
            .transition_worker_to_parked(worker.index, self.is_searching);
        self.is_searching = false;
        if is_last_searcher {
            worker.handle.notify_if_work_pending();
        }
        true
    }

    /// `true` when the worker should run again (`false`: spurious wake-up).
    fn transition_from_parked(&mut self, worker: &Worker) -> bool {
        if self.lifo_slot.is_some() || !self.run_queue.is_empty() {
            // Woken with local work (not by a notifier): not searching.
            self.is_searching = !worker.handle.idle.unpark_worker_by_id(worker.index);
            return true;
        }
        if worker.handle.idle.is_parked(worker.index) {
            return false;
        }
        // A notifier took us off the parked list and counted us searching.
        self.is_searching = true;
        true
    }

    fn check_shutdown(&mut self, worker: &Worker) {
        if !self.is_shutdown {
            self.is_shutdown = worker
                .handle
                .is_shutdown
                .load(crate::loom::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// Runs a blocking closure on a worker thread after handing the worker's
/// core (its queue) to a new thread, so the other tasks keep running.
#[track_caller]
pub(crate) fn block_in_place<F: FnOnce() -> R, R>(f: F) -> R {
    enum Setup {
        LentCore,
        OutsideWorker,
        NotInRuntime,
    }
    let setup =
        crate::scheduler::current::with_scheduler(|cx| match (context::runtime_entered(), cx) {
            (EnterRuntime::Entered { .. }, Some(scheduler::SchedulerContext::MultiThread(cx))) => {
                let Some(mut core) = cx.lease.lend() else {
                    // Already lent (nested block_in_place), or the hand-off
                    // monitor has it: just run.
                    return Ok(Setup::OutsideWorker);
                };
                // Neither the LIFO slot nor the yielded list can be stolen:
                // queue their tasks so other workers can take them meanwhile.
                if let Some(task) = core.lifo_slot.take() {
                    core.yielded.push(task);
                }
                // Blocking here is what block_in_place is for: not a stuck
                // poll. The worker's next thread publishes its own polls.
                cx.lease.stamp.hide();
                core.flush_yielded(&cx.worker);
                cx.worker.handle.notify_parked();
                cx.worker.park_core(core);
                if start_thread(cx.worker.clone()).is_err() {
                    // Refused (the runtime is shutting down) or no thread
                    // could start: keep the core and block this worker.
                    if let Some(core) = cx.worker.unpark_core() {
                        cx.lease.reattach(core);
                    }
                    return Ok(Setup::OutsideWorker);
                }
                Ok(Setup::LentCore)
            }
            (
                EnterRuntime::Entered {
                    allow_block_in_place: false,
                },
                _,
            ) => Err(()),
            (
                EnterRuntime::Entered {
                    allow_block_in_place: true,
                },
                _,
            ) => Ok(Setup::OutsideWorker),
            (EnterRuntime::NotEntered, _) => Ok(Setup::NotInRuntime),
        });
    let setup = match setup {
        Ok(s) => s,
        Err(()) => panic!(
            "block_in_place can only be called from the multi-thread runtime's threads; \
             on a current_thread runtime use spawn_blocking instead"
        ),
    };
    match setup {
        Setup::NotInRuntime => f(),
        Setup::OutsideWorker => context::exit_runtime(|| coop::with_unconstrained(f)),
        Setup::LentCore => {
            /// Takes the core back if the new thread has not started yet.
            struct Reclaim;
            impl Drop for Reclaim {
                fn drop(&mut self) {
                    crate::scheduler::current::with_scheduler(|cx| {
                        if let Some(scheduler::SchedulerContext::MultiThread(cx)) = cx {
                            if let Some(core) = cx.worker.unpark_core() {
                                cx.lease.reattach(core);
                            }
                        }
                    });
                }
            }
            let _reclaim = Reclaim;
            context::exit_runtime(|| coop::with_unconstrained(f))
        }
    }
}
