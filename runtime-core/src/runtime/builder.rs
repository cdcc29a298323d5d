//! `Builder`: every knob of a runtime, with Tokio's names and defaults.

use super::{Config, HandoffConfig, Runtime};
use crate::blocking::{self, pool::Callback, pool::PoolConfig, pool::ThreadNameFn};
use crate::loom::sync::Arc;
use crate::scheduler::multi_thread::monitor::Handoff;
use crate::scheduler::{self, current_thread::CurrentThread, multi_thread};
use std::fmt;
use std::io;
use std::time::Duration;

/// Configures and builds a [`Runtime`].
///
/// ```
/// let rt = runtime_core::Builder::new_multi_thread()
///     .worker_threads(2)
///     .thread_name("my-worker")
///     .enable_all()
///     .build()
///     .unwrap();
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// ```
pub struct Builder {
    kind: Kind,
    worker_threads: Option<usize>,
    max_blocking_threads: usize,
    thread_name: ThreadNameFn,
    thread_stack_size: Option<usize>,
    after_start: Option<Callback>,
    before_stop: Option<Callback>,
    keep_alive: Duration,
    enable_io: bool,
    enable_time: bool,
    start_paused: bool,
    event_interval: u32,
    global_queue_interval: Option<u32>,
    slow_poll_threshold: Option<Duration>,
    handoff_threshold: Option<Duration>,
    max_handoff_threads: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    CurrentThread,
    MultiThread,
}

/// Tokio's default: a worker checks for I/O and timers, and for shutdown,
/// every 61 ticks (a prime, so it does not beat with other intervals).
const DEFAULT_EVENT_INTERVAL: u32 = 61;
/// Tokio's default for how often the global queue is looked at first.
const DEFAULT_GLOBAL_QUEUE_INTERVAL: u32 = 31;
/// Tokio's defaults for the blocking pool.
const DEFAULT_MAX_BLOCKING_THREADS: usize = 512;
const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(10);

impl Builder {
    /// A builder for the work-stealing multi-thread runtime (one worker per
    /// core by default).
    ///
    /// ```
    /// use runtime_core::runtime::RuntimeFlavor;
    ///
    /// let rt = runtime_core::Builder::new_multi_thread().enable_all().build().unwrap();
    /// assert_eq!(rt.handle().runtime_flavor(), RuntimeFlavor::MultiThread);
    /// assert_eq!(rt.block_on(rt.spawn(async { 6 * 7 })).unwrap(), 42);
    /// ```
    pub fn new_multi_thread() -> Builder {
        Builder::new(Kind::MultiThread)
    }

    /// A builder for the runtime that runs every task on the thread that
    /// calls `block_on`.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().build().unwrap();
    /// // Spawned tasks run on the thread that is inside `block_on`.
    /// let here = std::thread::current().id();
    /// let there = rt.block_on(async {
    ///     runtime_core::spawn(async { std::thread::current().id() }).await.unwrap()
    /// });
    /// assert_eq!(there, here);
    /// ```
    pub fn new_current_thread() -> Builder {
        Builder::new(Kind::CurrentThread)
    }

    fn new(kind: Kind) -> Builder {
        Builder {
            kind,
            worker_threads: None,
            max_blocking_threads: DEFAULT_MAX_BLOCKING_THREADS,
            thread_name: std::sync::Arc::new(|| "runtime-worker".to_string()),
            thread_stack_size: None,
            after_start: None,
            before_stop: None,
            keep_alive: DEFAULT_KEEP_ALIVE,
            enable_io: false,
            enable_time: false,
            start_paused: false,
            event_interval: DEFAULT_EVENT_INTERVAL,
            global_queue_interval: None,
            slow_poll_threshold: None,
            // Loom models threads it creates itself; the monitor's real
            // thread and clock have no place there.
            handoff_threshold: if cfg!(loom) {
                None
            } else {
                Some(DEFAULT_HANDOFF_THRESHOLD)
            },
            max_handoff_threads: None,
        }
    }

    /// Number of worker threads (multi-thread only; default: the number of
    /// cores).
    ///
    /// # Panics
    /// When `val` is 0: a runtime needs at least one worker thread.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_multi_thread().worker_threads(3).build().unwrap();
    /// assert_eq!(rt.metrics().num_workers(), 3);
    /// ```
    #[track_caller]
    pub fn worker_threads(&mut self, val: usize) -> &mut Self {
        assert!(val > 0, "worker_threads must be at least 1: a runtime with 0 worker threads could never run a task");
        self.worker_threads = Some(val);
        self
    }

    /// Upper bound on threads for `spawn_blocking` (default 512).
    ///
    /// # Panics
    /// When `val` is 0: `spawn_blocking` would never run anything.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_current_thread().max_blocking_threads(1).build().unwrap();
    /// rt.block_on(async {
    ///     let jobs: Vec<_> = (0..4).map(|i| runtime_core::spawn_blocking(move || i * 2)).collect();
    ///     for (i, job) in jobs.into_iter().enumerate() {
    ///         assert_eq!(job.await.unwrap(), i * 2);
    ///     }
    /// });
    /// // The four closures ran one after another on a single thread.
    /// assert_eq!(rt.metrics().num_blocking_threads(), 1);
    /// ```
    #[track_caller]
    pub fn max_blocking_threads(&mut self, val: usize) -> &mut Self {
        assert!(val > 0, "max_blocking_threads must be at least 1: with 0 blocking threads spawn_blocking could never run");
        self.max_blocking_threads = val;
        self
    }

    /// Name of every thread the runtime starts (default "runtime-worker").
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_multi_thread().thread_name("my-worker").build().unwrap();
    /// let name = rt.block_on(async {
    ///     runtime_core::spawn_blocking(|| std::thread::current().name().map(String::from))
    ///         .await
    ///         .unwrap()
    /// });
    /// assert_eq!(name.as_deref(), Some("my-worker"));
    /// ```
    pub fn thread_name(&mut self, val: impl Into<String>) -> &mut Self {
        let name: String = val.into();
        self.thread_name = std::sync::Arc::new(move || name.clone());
        self
    }

    /// A function producing the name of each new thread.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    ///
    /// static NEXT: AtomicUsize = AtomicUsize::new(0);
    /// let rt = runtime_core::Builder::new_current_thread()
    ///     .thread_name_fn(|| format!("blocking-{}", NEXT.fetch_add(1, Ordering::Relaxed)))
    ///     .build()
    ///     .unwrap();
    /// let name = rt.block_on(async {
    ///     runtime_core::spawn_blocking(|| std::thread::current().name().unwrap().to_string())
    ///         .await
    ///         .unwrap()
    /// });
    /// assert_eq!(name, "blocking-0");
    /// ```
    pub fn thread_name_fn<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() -> String + Send + Sync + 'static,
    {
        self.thread_name = std::sync::Arc::new(f);
        self
    }

    /// Stack size of the runtime's threads, in bytes.
    ///
    /// ```
    /// // Room for a 3 MiB buffer on the stack (the default is 2 MiB).
    /// let rt = runtime_core::Builder::new_multi_thread()
    ///     .thread_stack_size(8 * 1024 * 1024)
    ///     .build()
    ///     .unwrap();
    /// let sum = rt.block_on(async {
    ///     runtime_core::spawn_blocking(|| {
    ///         let buf = std::hint::black_box([1u8; 3 * 1024 * 1024]);
    ///         buf.iter().map(|&b| b as usize).sum::<usize>()
    ///     })
    ///     .await
    ///     .unwrap()
    /// });
    /// assert_eq!(sum, 3 * 1024 * 1024);
    /// ```
    pub fn thread_stack_size(&mut self, val: usize) -> &mut Self {
        self.thread_stack_size = Some(val);
        self
    }

    /// Runs `f` on each runtime thread (workers and blocking threads) when
    /// it starts.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let started = Arc::new(AtomicUsize::new(0));
    /// let counter = started.clone();
    /// let rt = runtime_core::Builder::new_current_thread()
    ///     .on_thread_start(move || {
    ///         counter.fetch_add(1, Ordering::SeqCst);
    ///     })
    ///     .build()
    ///     .unwrap();
    /// // A current-thread runtime starts threads only for `spawn_blocking`.
    /// assert_eq!(started.load(Ordering::SeqCst), 0);
    /// rt.block_on(async { runtime_core::spawn_blocking(|| ()).await.unwrap() });
    /// assert_eq!(started.load(Ordering::SeqCst), 1);
    /// ```
    pub fn on_thread_start<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.after_start = Some(std::sync::Arc::new(f));
        self
    }

    /// Runs `f` on each runtime thread just before it exits.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let stopped = Arc::new(AtomicUsize::new(0));
    /// let counter = stopped.clone();
    /// let rt = runtime_core::Builder::new_multi_thread()
    ///     .worker_threads(2)
    ///     .on_thread_stop(move || {
    ///         counter.fetch_add(1, Ordering::SeqCst);
    ///     })
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async { runtime_core::spawn_blocking(|| ()).await.unwrap() });
    /// // Dropping the runtime joins its threads: both workers and the
    /// // blocking thread have run the hook by then.
    /// drop(rt);
    /// assert_eq!(stopped.load(Ordering::SeqCst), 3);
    /// ```
    pub fn on_thread_stop<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.before_stop = Some(std::sync::Arc::new(f));
        self
    }

    /// How long an idle blocking thread waits for work before exiting
    /// (default 10 s).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// // Blocking threads that stay idle for 100 ms exit (and are started again
    /// // when needed).
    /// let rt = runtime_core::Builder::new_current_thread()
    ///     .thread_keep_alive(Duration::from_millis(100))
    ///     .build()
    ///     .unwrap();
    /// let n = rt.block_on(async { runtime_core::spawn_blocking(|| 1 + 1).await.unwrap() });
    /// assert_eq!(n, 2);
    /// ```
    pub fn thread_keep_alive(&mut self, duration: Duration) -> &mut Self {
        self.keep_alive = duration;
        self
    }

    /// Turns on the I/O driver (sockets, `AsyncFd`, signals).
    ///
    /// ```
    /// use runtime_core::io::AsyncFd;
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_io().build().unwrap();
    /// rt.block_on(async {
    ///     let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    ///     a.set_nonblocking(true).unwrap();
    ///     let a = AsyncFd::new(a).unwrap(); // needs the I/O driver
    ///     let guard = a.writable().await.unwrap();
    ///     assert!(guard.ready().is_writable());
    /// });
    /// ```
    pub fn enable_io(&mut self) -> &mut Self {
        self.enable_io = true;
        self
    }

    /// Turns on the timer driver (`sleep`, `timeout`, `interval`).
    ///
    /// ```
    /// use runtime_core::time::{sleep, timeout, Duration};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_time().build().unwrap();
    /// rt.block_on(async {
    ///     sleep(Duration::from_millis(1)).await; // needs the timer driver
    ///     assert_eq!(timeout(Duration::from_secs(5), async { 7 }).await, Ok(7));
    /// });
    /// ```
    pub fn enable_time(&mut self) -> &mut Self {
        self.enable_time = true;
        self
    }

    /// Turns on every driver.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_multi_thread().enable_all().build().unwrap();
    /// rt.block_on(async {
    ///     runtime_core::time::sleep(std::time::Duration::from_millis(1)).await;
    /// });
    /// ```
    pub fn enable_all(&mut self) -> &mut Self {
        self.enable_io().enable_time()
    }

    /// Starts the test clock paused (current-thread runtimes with the timer
    /// driver only, as Tokio): see `time::pause`.
    ///
    /// ```
    /// use runtime_core::time::{sleep, Duration, Instant};
    ///
    /// let rt = runtime_core::Builder::new_current_thread()
    ///     .enable_time()
    ///     .start_paused(true)
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     let start = Instant::now();
    ///     sleep(Duration::from_secs(60)).await; // no real time passes
    ///     assert!(start.elapsed() >= Duration::from_secs(60));
    /// });
    ///
    /// // Only current-thread runtimes can start paused.
    /// let err = runtime_core::Builder::new_multi_thread()
    ///     .enable_all()
    ///     .start_paused(true)
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// ```
    pub fn start_paused(&mut self, start_paused: bool) -> &mut Self {
        self.start_paused = start_paused;
        self
    }

    /// Ticks between looks at the I/O and timer drivers (default 61).
    ///
    /// # Panics
    /// When `val` is 0.
    ///
    /// ```
    /// // Look at I/O and timers more often, at some cost in throughput.
    /// let rt = runtime_core::Builder::new_multi_thread()
    ///     .event_interval(31)
    ///     .enable_all()
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(rt.block_on(async { runtime_core::spawn(async { 1 }).await.unwrap() }), 1);
    /// ```
    #[track_caller]
    pub fn event_interval(&mut self, val: u32) -> &mut Self {
        assert!(val > 0, "event_interval must be at least 1");
        self.event_interval = val;
        self
    }

    /// Ticks between looks at the global queue before the local one.
    ///
    /// By default the current-thread scheduler looks every 31 ticks, and
    /// each multi-thread worker tunes its own interval from how long its
    /// polls take, so that a task spawned from outside waits about 10 us
    /// of other work at most (never more than 31 polls). Setting a value
    /// fixes the interval and turns that tuning off.
    ///
    /// # Panics
    /// When `val` is 0.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_multi_thread()
    ///     .global_queue_interval(61)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(rt.block_on(async { runtime_core::spawn(async { 1 }).await.unwrap() }), 1);
    /// ```
    #[track_caller]
    pub fn global_queue_interval(&mut self, val: u32) -> &mut Self {
        assert!(val > 0, "global_queue_interval must be at least 1");
        self.global_queue_interval = Some(val);
        self
    }

    /// Turns on slow-poll detection (asyncio's debug mode): every task
    /// poll that takes `threshold` or longer is logged through the `log`
    /// crate at warn level (target `runtime::slow_poll`) with the task id,
    /// where it was spawned and how long the poll took, e.g.
    ///
    /// ```text
    /// task 42 spawned at src/main.rs:10:5 blocked its worker for 212.0ms in one poll (worker 1); move blocking work to spawn_blocking (or block_in_place)
    /// ```
    ///
    /// and counted in [`RuntimeMetrics::slow_poll_count`]. A poll still
    /// running at twice the threshold is reported while it is stuck (and
    /// again at 4x, 8x, ...), so a task that never returns is named too.
    ///
    /// Off by default; also turned on, for a program that does not call
    /// this, by the environment variable `RUNTIME_SLOW_POLL_MS` (a
    /// threshold in milliseconds, like asyncio's `PYTHONASYNCIODEBUG`):
    /// `RUNTIME_SLOW_POLL_MS=100 cargo run`. When on, a worker spends three stores per poll on
    /// its own cache line (no clock read): a monitor thread samples the
    /// workers every `threshold / 10` (at most 100 ms), which is
    /// also the precision of the reported durations. See
    /// `docs/observability.md`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = runtime_core::Builder::new_multi_thread()
    ///     .slow_poll_threshold(Duration::from_millis(100))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    ///
    /// # Panics
    /// When `threshold` is under 10 ms: the monitor samples at most every
    /// millisecond, too coarse to tell a shorter poll from a longer one.
    ///
    /// [`RuntimeMetrics::slow_poll_count`]: crate::runtime::RuntimeMetrics::slow_poll_count
    #[track_caller]
    pub fn slow_poll_threshold(&mut self, threshold: Duration) -> &mut Self {
        assert!(
            threshold >= MIN_SLOW_POLL_THRESHOLD,
            "slow_poll_threshold must be at least 10 ms, got {threshold:?}: the watchdog samples \
             workers at most once a millisecond (try Duration::from_millis(100))"
        );
        self.slow_poll_threshold = Some(threshold);
        self
    }

    /// How long one poll may block a worker before the worker's core (its
    /// queues, and its turns at I/O and timers) is handed to another
    /// thread, so every other task keeps running (multi-thread only;
    /// default 10 ms; `None` turns the hand-off monitor off).
    ///
    /// With the monitor on, the tasks queued behind a poll that blocks
    /// (its thread asleep in the kernel) or has run for about a
    /// millisecond are moved where other workers take them, within about
    /// a millisecond while another worker is idle (up to 5 ms when the
    /// workers' wake-ups, which take the looks under steady load, stop
    /// just as the poll starts blocking), and at `threshold` the
    /// whole core moves to a spare thread from the blocking pool; the
    /// stuck thread finishes its poll and returns to the pool. The monitor
    /// reads one stamp per poll and sleeps while the runtime is idle. Tokio has no such thing: a blocking call there
    /// stalls its worker's queue until it returns.
    ///
    /// What it costs: while polls run, the monitor thread wakes every 0.5
    /// to 5 ms to look, and a worker that wakes from park takes the look
    /// itself when one is due (then the thread looks every 5 ms only).
    /// Under steady load two ported servers spent 0.98-1.03x the CPU per
    /// request with it than without on a 2-vCPU virtual machine (within
    /// that machine's noise). A server that idles between requests a few
    /// milliseconds apart pays up to about one look of that thread per request
    /// (gaps under 4 ms), or, after longer gaps on Linux, the arming and
    /// disarming of its alarm (two `timerfd_settime` calls, about 13 us
    /// of CPU on that machine), which can cost more than the request
    /// itself (`docs/benchmarks.md`, "Sparse load"). A program whose tasks
    /// never block can turn the monitor off with `None`.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = runtime_core::Builder::new_multi_thread()
    ///     .worker_threads(1)
    ///     .handoff_threshold(Some(Duration::from_millis(5)))
    ///     .enable_all()
    ///     .build()
    ///     .unwrap();
    /// let got = rt.block_on(async {
    ///     runtime_core::spawn(async {
    ///         let (tx, rx) = std::sync::mpsc::channel();
    ///         runtime_core::spawn(async move { tx.send(42).unwrap() });
    ///         // The only worker blocks until the task queued behind it
    ///         // runs: without the hand-off this would never return.
    ///         rx.recv().unwrap()
    ///     })
    ///     .await
    ///     .unwrap()
    /// });
    /// assert_eq!(got, 42);
    /// ```
    ///
    /// # Panics
    /// When `threshold` is under 1 ms: the monitor samples every 500 us.
    #[track_caller]
    pub fn handoff_threshold(&mut self, threshold: Option<Duration>) -> &mut Self {
        if let Some(t) = threshold {
            assert!(
                t >= MIN_HANDOFF_THRESHOLD,
                "handoff_threshold must be at least 1 ms, got {t:?}: the monitor samples workers \
                 every 500 us (try Some(Duration::from_millis(10)), or None to turn it off)"
            );
        }
        self.handoff_threshold = threshold;
        self
    }

    /// How many threads, beyond the workers, may run the cores of workers
    /// stuck in a poll at once (default: the number of workers; 0 means
    /// no hand-off, only the rescue of queued tasks). At the cap, a worker
    /// that blocks is reported through `log` at warn level (target
    /// `runtime::handoff`) with the task's id and spawn location.
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_multi_thread()
    ///     .worker_threads(2)
    ///     .max_handoff_threads(8)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(rt.metrics().handoff_count(), 0);
    /// ```
    pub fn max_handoff_threads(&mut self, val: usize) -> &mut Self {
        self.max_handoff_threads = Some(val);
        self
    }

    /// Builds the runtime; fails if its threads cannot be started, or if
    /// the settings do not fit together.
    ///
    /// ```
    /// use std::io::ErrorKind;
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().build().unwrap();
    /// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
    ///
    /// // A paused clock needs the timer driver.
    /// let err = runtime_core::Builder::new_current_thread().start_paused(true).build().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidInput);
    /// ```
    pub fn build(&mut self) -> io::Result<Runtime> {
        // runtime-sync's channels and semaphores spend task budgets too.
        runtime_sync::install_coop_hook(&super::sync_hook::SYNC_HOOK);
        if self.start_paused && self.kind == Kind::MultiThread {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "start_paused(true) is only supported on current_thread runtimes (Builder::new_current_thread())",
            ));
        }
        // Debug mode from the environment (as PYTHONASYNCIODEBUG), unless
        // the program set a threshold itself.
        let slow_poll_threshold = match self.slow_poll_threshold {
            Some(t) => Some(t),
            None => slow_poll_from_env(std::env::var_os(SLOW_POLL_ENV))?,
        };
        let config = Config {
            event_interval: self.event_interval,
            global_queue_interval: self
                .global_queue_interval
                .unwrap_or(DEFAULT_GLOBAL_QUEUE_INTERVAL),
            tune_global_queue: self.global_queue_interval.is_none(),
            slow_poll_threshold,
            handoff: None,
        };
        let driver = if self.enable_io || self.enable_time {
            Some(std::sync::Arc::new(crate::driver::Driver::new(
                self.enable_io,
                self.enable_time,
                self.start_paused,
            )?))
        } else {
            None
        };
        if self.start_paused && !self.enable_time {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "start_paused(true) needs the timer driver: call enable_time() or enable_all() too",
            ));
        }
        match self.kind {
            Kind::CurrentThread => {
                let pool = blocking::BlockingPool::new(self.pool_config(0));
                let (ct, handle) = CurrentThread::new(config, pool.spawner().clone(), driver);
                let mut rt = Runtime::from_parts(
                    super::runtime::Scheduler::CurrentThread(ct),
                    scheduler::SchedulerHandle::CurrentThread(handle),
                    pool,
                );
                rt.start_monitor(slow_poll_threshold, None)?;
                Ok(rt)
            }
            Kind::MultiThread => {
                let workers = self.worker_threads.unwrap_or_else(default_worker_threads);
                let handoff = self.handoff_threshold.map(|threshold| HandoffConfig {
                    threshold,
                    max_threads: self.max_handoff_threads.unwrap_or(workers),
                });
                let config = Config { handoff, ..config };
                let pool = blocking::BlockingPool::new(self.pool_config(workers));
                multi_thread::lease_fences_init();
                let (handle, launch) =
                    multi_thread::create(workers, config, pool.spawner().clone(), driver);
                let handoff_part = handoff.map(|h| Handoff::new(h, launch.workers()));
                let mut rt = Runtime::from_parts(
                    super::runtime::Scheduler::MultiThread(multi_thread::MultiThread),
                    scheduler::SchedulerHandle::MultiThread(Arc::clone(&handle)),
                    pool,
                );
                launch.launch()?;
                rt.start_monitor(slow_poll_threshold, handoff_part)?;
                Ok(rt)
            }
        }
    }

    fn pool_config(&self, workers: usize) -> PoolConfig {
        PoolConfig {
            thread_name: self.thread_name.clone(),
            stack_size: self.thread_stack_size,
            after_start: self.after_start.clone(),
            before_stop: self.before_stop.clone(),
            thread_cap: self.max_blocking_threads + workers,
            keep_alive: self.keep_alive,
        }
    }
}

/// The default hand-off threshold: a task stuck in one poll for longer
/// strands the tasks queued behind it for no more than this (Go's
/// scheduler preempts a goroutine after the same 10 ms).
const DEFAULT_HANDOFF_THRESHOLD: Duration = Duration::from_millis(10);
/// Two of the monitor's 500 us ticks.
const MIN_HANDOFF_THRESHOLD: Duration = Duration::from_millis(1);

/// The smallest slow-poll threshold: ten of the watchdog's finest
/// sampling steps (1 ms).
const MIN_SLOW_POLL_THRESHOLD: Duration = Duration::from_millis(10);

/// Turns slow-poll detection on for programs that do not set it
/// themselves: a threshold in milliseconds.
pub(crate) const SLOW_POLL_ENV: &str = "RUNTIME_SLOW_POLL_MS";

/// Reads `RUNTIME_SLOW_POLL_MS`: unset or empty is off; a positive number
/// of milliseconds is the threshold; anything else is an error that names
/// the variable.
fn slow_poll_from_env(value: Option<std::ffi::OsString>) -> io::Result<Option<Duration>> {
    let Some(value) = value else { return Ok(None) };
    let text = value.to_string_lossy();
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<u64>() {
        Ok(ms) if Duration::from_millis(ms) >= MIN_SLOW_POLL_THRESHOLD => {
            Ok(Some(Duration::from_millis(ms)))
        }
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{SLOW_POLL_ENV}={text:?} is not a slow-poll threshold: give a whole number of \
                 milliseconds, at least 10 (e.g. {SLOW_POLL_ENV}=100), or unset it"
            ),
        )),
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::slow_poll_from_env;
    use std::time::Duration;

    #[test]
    fn slow_poll_env_values() {
        assert_eq!(slow_poll_from_env(None).unwrap(), None);
        assert_eq!(slow_poll_from_env(Some("".into())).unwrap(), None);
        assert_eq!(
            slow_poll_from_env(Some(" 250 ".into())).unwrap(),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            slow_poll_from_env(Some("10".into())).unwrap(),
            Some(Duration::from_millis(10))
        );
        for bad in ["0", "9", "-5", "0.5", "100ms", "lots"] {
            let err = slow_poll_from_env(Some(bad.into())).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
            let msg = err.to_string();
            assert!(
                msg.contains("RUNTIME_SLOW_POLL_MS") && msg.contains("milliseconds"),
                "{msg}"
            );
        }
    }
}

fn default_worker_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("kind", &self.kind)
            .field("worker_threads", &self.worker_threads)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_stack_size", &self.thread_stack_size)
            .field("thread_keep_alive", &self.keep_alive)
            .field("enable_io", &self.enable_io)
            .field("enable_time", &self.enable_time)
            .field("start_paused", &self.start_paused)
            .field("event_interval", &self.event_interval)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("slow_poll_threshold", &self.slow_poll_threshold)
            .field("handoff_threshold", &self.handoff_threshold)
            .field("max_handoff_threads", &self.max_handoff_threads)
            .finish()
    }
}
