//! The thread pool behind `spawn_blocking` (see the module docs of
//! `blocking`). One mutex guards the queue and the thread counts; idle
//! threads wait on a condvar with the keep-alive as timeout.

use super::Job;
use crate::loom::sync::{Arc, Condvar, Mutex};
use crate::loom::thread;
use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::time::{Duration, Instant};

pub(crate) type Callback = std::sync::Arc<dyn Fn() + Send + Sync>;
pub(crate) type ThreadNameFn = std::sync::Arc<dyn Fn() -> String + Send + Sync>;

/// Settings of the pool, from the `Builder`.
#[derive(Clone)]
pub(crate) struct PoolConfig {
    pub(crate) thread_name: ThreadNameFn,
    pub(crate) stack_size: Option<usize>,
    pub(crate) after_start: Option<Callback>,
    pub(crate) before_stop: Option<Callback>,
    /// max_blocking_threads + worker threads.
    pub(crate) thread_cap: usize,
    pub(crate) keep_alive: Duration,
}

/// Owned by the `Runtime`; shuts the pool down when dropped.
pub(crate) struct BlockingPool {
    spawner: Spawner,
}

/// Submits jobs; cloned into every scheduler handle.
#[derive(Clone)]
pub(crate) struct Spawner {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Mutex<Shared>,
    /// Idle threads wait here for jobs.
    condvar: Condvar,
    /// The shutdown caller waits here for threads to exit.
    exited: Condvar,
    config: PoolConfig,
}

struct Shared {
    queue: VecDeque<Job>,
    num_threads: usize,
    num_idle: usize,
    /// Wake-ups handed to idle threads and not yet taken.
    num_notify: usize,
    shutdown: bool,
    /// A `shutdown` call already waited (or gave up waiting).
    waited: bool,
    threads: BTreeMap<usize, thread::JoinHandle<()>>,
    next_thread_id: usize,
}

impl BlockingPool {
    pub(crate) fn new(config: PoolConfig) -> BlockingPool {
        BlockingPool {
            spawner: Spawner {
                inner: Arc::new(Inner {
                    shared: Mutex::new(Shared {
                        queue: VecDeque::new(),
                        num_threads: 0,
                        num_idle: 0,
                        num_notify: 0,
                        shutdown: false,
                        waited: false,
                        threads: BTreeMap::new(),
                        next_thread_id: 0,
                    }),
                    condvar: Condvar::new(),
                    exited: Condvar::new(),
                    config,
                }),
            },
        }
    }

    pub(crate) fn spawner(&self) -> &Spawner {
        &self.spawner
    }

    /// Stops accepting jobs and cancels queued non-mandatory ones (their
    /// JoinHandles resolve as cancelled). Idempotent. The runtime calls this
    /// before stopping its workers, so a worker thread that becomes free
    /// cannot pick up a closure that was still queued.
    pub(crate) fn begin_shutdown(&self) {
        let inner = &self.spawner.inner;
        let mut shared = inner.shared.lock();
        if shared.shutdown {
            return;
        }
        shared.shutdown = true;
        inner.condvar.notify_all();
        // Mandatory jobs (workers) stay queued: a thread still runs them.
        let (mandatory, cancelled): (VecDeque<Job>, VecDeque<Job>) =
            shared.queue.drain(..).partition(|job| job.mandatory);
        shared.queue = mandatory;
        drop(shared);
        for job in cancelled {
            job.cancel();
        }
    }

    /// `begin_shutdown`, then waits for running threads to exit: forever
    /// with `None`, at most `timeout` otherwise. Only the first call waits.
    pub(crate) fn shutdown(&self, timeout: Option<Duration>) {
        self.begin_shutdown();
        let inner = &self.spawner.inner;
        let mut shared = inner.shared.lock();
        if shared.waited {
            return;
        }
        shared.waited = true;
        let threads = std::mem::take(&mut shared.threads);
        let deadline = timeout.map(|t| Instant::now().checked_add(t));
        while shared.num_threads > 0 {
            match deadline {
                None => inner.exited.wait(&mut shared),
                Some(None) => inner.exited.wait(&mut shared),
                Some(Some(deadline)) => {
                    let now = Instant::now();
                    if now >= deadline {
                        break;
                    }
                    crate::loom::condvar_wait_timeout(&inner.exited, &mut shared, deadline - now);
                }
            }
        }
        let all_exited = shared.num_threads == 0;
        drop(shared);
        if all_exited {
            let me = thread::current().id();
            for (_, handle) in threads {
                // A pool thread dropping the runtime cannot join itself.
                if handle.thread().id() != me {
                    let _ = handle.join();
                }
            }
        }
    }

    /// Live pool threads (workers included).
    pub(crate) fn num_threads(&self) -> usize {
        self.spawner.num_threads()
    }
}

impl Drop for BlockingPool {
    fn drop(&mut self) {
        self.shutdown(None);
    }
}

impl Spawner {
    /// Queues `job`, waking an idle thread or starting a new one. After
    /// shutdown a mandatory job runs on the caller, others are cancelled.
    pub(crate) fn spawn(&self, job: Job) -> io::Result<()> {
        let inner = &self.inner;
        let mut shared = inner.shared.lock();
        if shared.shutdown {
            drop(shared);
            if job.mandatory {
                job.run();
            } else {
                job.cancel();
            }
            return Ok(());
        }
        shared.queue.push_back(job);
        if shared.num_idle > 0 {
            shared.num_idle -= 1;
            shared.num_notify += 1;
            inner.condvar.notify_one();
            return Ok(());
        }
        if shared.num_threads >= inner.config.thread_cap {
            // At the cap: a thread will take it when one frees up.
            return Ok(());
        }
        let id = shared.next_thread_id;
        shared.next_thread_id += 1;
        match self.start_thread(id) {
            Ok(handle) => {
                shared.num_threads += 1;
                shared.threads.insert(id, handle);
                Ok(())
            }
            Err(err) if shared.num_threads == 0 => {
                // Nobody would ever run the job: take it back and fail.
                let job = shared.queue.pop_back();
                drop(shared);
                if let Some(job) = job {
                    job.cancel();
                }
                Err(io::Error::new(
                    err.kind(),
                    format!("the blocking pool could not start a thread: {err}"),
                ))
            }
            // Other threads exist and will take the job eventually.
            Err(_) => Ok(()),
        }
    }

    fn start_thread(&self, id: usize) -> io::Result<thread::JoinHandle<()>> {
        let config = &self.inner.config;
        let mut builder = thread::Builder::new().name((config.thread_name)());
        if let Some(size) = config.stack_size {
            builder = builder.stack_size(size);
        }
        let inner = self.inner.clone();
        builder.spawn(move || inner.run(id))
    }

    pub(crate) fn num_threads(&self) -> usize {
        self.inner.shared.lock().num_threads
    }
}

impl Inner {
    fn run(&self, id: usize) {
        if let Some(f) = &self.config.after_start {
            f();
        }
        let mut shared = self.shared.lock();
        'work: loop {
            while let Some(job) = shared.queue.pop_front() {
                let shutdown = shared.shutdown;
                drop(shared);
                if shutdown && !job.mandatory {
                    job.cancel();
                } else {
                    job.run();
                }
                shared = self.shared.lock();
            }
            shared.num_idle += 1;
            loop {
                if shared.shutdown {
                    shared.num_idle -= 1;
                    break 'work;
                }
                let timed_out = crate::loom::condvar_wait_timeout(
                    &self.condvar,
                    &mut shared,
                    self.config.keep_alive,
                );
                if shared.num_notify > 0 {
                    // A spawner counted us busy already.
                    shared.num_notify -= 1;
                    continue 'work;
                }
                if timed_out && !shared.shutdown {
                    // Idle for the whole keep-alive: leave, detaching our
                    // own JoinHandle (a thread cannot join itself).
                    shared.num_idle -= 1;
                    drop(shared.threads.remove(&id));
                    break 'work;
                }
            }
        }
        // Shutdown: mandatory jobs (workers) still run, others are cancelled.
        while shared.shutdown {
            let Some(job) = shared.queue.pop_front() else {
                break;
            };
            drop(shared);
            if job.mandatory {
                job.run();
            } else {
                job.cancel();
            }
            shared = self.shared.lock();
        }
        // The stop hook runs while the thread still counts as live, so a
        // runtime that waited for its threads has seen every hook run.
        drop(shared);
        if let Some(f) = &self.config.before_stop {
            f();
        }
        let mut shared = self.shared.lock();
        shared.num_threads -= 1;
        if shared.num_threads == 0 {
            self.exited.notify_all();
        }
    }
}
