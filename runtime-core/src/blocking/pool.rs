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
        // A runtime dropped on one of its own pool threads (say, inside
        // `spawn_blocking`) must not wait for that thread.
        let own = usize::from(POOL.with(|p| p.get()) == Arc::as_ptr(inner) as usize);
        let deadline = timeout.map(|t| Instant::now().checked_add(t));
        while shared.num_threads > own {
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
        let all_exited = shared.num_threads <= own;
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
            let mandatory = job.mandatory;
            job.cancel();
            // A mandatory job (a worker taking over in `block_in_place`) is
            // never run on the caller's thread: the caller must know it was
            // refused and keep its core.
            return if mandatory {
                Err(io::Error::other("the runtime is shutting down"))
            } else {
                Ok(())
            };
        }
        // A mandatory job (a thread for a worker core: at start, in
        // `block_in_place`, or a hand-off) goes first and may start a
        // thread past the cap: the worker count and `max_handoff_threads`
        // bound those, and an extra thread only lowers how many blocking
        // closures can run until it retires (it counts in `num_threads`).
        let mandatory = job.mandatory;
        if mandatory {
            shared.queue.push_front(job);
        } else {
            shared.queue.push_back(job);
        }
        if shared.num_idle > 0 {
            shared.num_idle -= 1;
            shared.num_notify += 1;
            inner.condvar.notify_one();
            return Ok(());
        }
        if shared.num_threads >= inner.config.thread_cap && !mandatory {
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
        builder.spawn(move || Inner::run(&inner, id))
    }

    pub(crate) fn num_threads(&self) -> usize {
        self.inner.shared.lock().num_threads
    }
}

#[cfg(not(loom))]
std::thread_local! {
    /// The pool (its `Inner` address) this thread belongs to; 0 for none.
    static POOL: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

// Loom runs its threads on one OS thread: a std thread-local would be
// shared by all of them.
#[cfg(loom)]
loom::thread_local! {
    static POOL: std::cell::Cell<usize> = std::cell::Cell::new(0);
}

/// Counts a pool thread out when it ends, even by unwinding.
struct ThreadExit(Arc<Inner>);

impl Drop for ThreadExit {
    fn drop(&mut self) {
        let mut shared = self.0.shared.lock();
        shared.num_threads -= 1;
        // Every exit, not only the last: a shutdown running on a pool
        // thread waits for all but itself.
        self.0.exited.notify_all();
    }
}

/// Runs a user's thread hook; a panic in it is reported, not propagated
/// (it would kill a worker thread).
fn run_hook(hook: Option<&Callback>, name: &str) {
    if let Some(f) = hook {
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f())).is_err() {
            log::error!("the {name} hook panicked; the runtime thread carries on");
        }
    }
}

impl Inner {
    fn run(me: &Arc<Inner>, id: usize) {
        POOL.with(|p| p.set(Arc::as_ptr(me) as usize));
        // However this thread ends (even by a panicking hook), it stops
        // counting as live, so a shutdown waiting for it cannot hang.
        let _exit = ThreadExit(me.clone());
        let this: &Inner = me;
        run_hook(this.config.after_start.as_ref(), "on_thread_start");
        let mut shared = this.shared.lock();
        'work: loop {
            while let Some(job) = shared.queue.pop_front() {
                let shutdown = shared.shutdown;
                drop(shared);
                if shutdown && !job.mandatory {
                    job.cancel();
                } else {
                    job.run();
                }
                shared = this.shared.lock();
            }
            shared.num_idle += 1;
            loop {
                if shared.shutdown {
                    shared.num_idle -= 1;
                    break 'work;
                }
                let timed_out = crate::loom::condvar_wait_timeout(
                    &this.condvar,
                    &mut shared,
                    this.config.keep_alive,
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
            shared = this.shared.lock();
        }
        // The stop hook runs while the thread still counts as live, so a
        // runtime that waited for its threads has seen every hook run.
        drop(shared);
        run_hook(this.config.before_stop.as_ref(), "on_thread_stop");
    }
}
