//! Scheduler benchmarks: Tokio's six multi-thread workloads plus
//! `spawn_many_local_task` and `idle_tasks`, each run on this runtime, on
//! Tokio and on smol's executor (async-executor + async-io), all with two
//! worker threads, in one process.
//!
//! Two modes:
//! - `cargo bench --bench scheduler` runs the workloads under criterion.
//! - `cargo bench --bench scheduler -- --paired [SAMPLES]` alternates the
//!   three runtimes sample by sample (rotating which goes first), and
//!   prints the median time of each and the median of the per-sample
//!   ratios as a markdown table: the numbers in `docs/benchmarks.md`. On a
//!   noisy 2-core machine this is far more trustworthy than comparing
//!   criterion runs made one after the other.
//!
//! - `cargo bench --bench scheduler -- --latency [ROUNDS]` runs the
//!   latency workloads (`remote_latency_busy`, `blocked_worker`) on the
//!   three runtimes in turn and prints p50/p99/max of the time from a
//!   spawn to the task's first poll.
//!
//! - `cargo bench --bench scheduler -- --handoff [SAMPLES]` measures the
//!   cost of the hand-off monitor the same way: two runtimes with
//!   `handoff_threshold(None)` against two built by default.
//!
//! - `cargo bench --bench scheduler -- --observe [SAMPLES]` measures the
//!   cost of observability: the same workloads on two of our runtimes,
//!   one plain and one with `slow_poll_threshold(100 ms)` (metrics are
//!   always on), alternated sample by sample; prints the median of the
//!   per-sample ratios (on/off).
//!
//! `idle_tasks` measures RSS growth per task for 100,000 tasks parked on a
//! future that never completes; each runtime is measured in a fresh child
//! process (this binary re-run with `IDLE_TASKS_CHILD=<runtime>`) so that
//! memory freed by earlier work cannot hide growth.

#[path = "common/stats.rs"]
mod stats;
use stats::{median, ratio_cell};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Worker threads per runtime; `BENCH_WORKERS` overrides it for experiments.
fn workers() -> usize {
    std::env::var("BENCH_WORKERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
}
const NUM_SPAWN: usize = 10_000;
const NUM_YIELD: usize = 1_000;
const YIELD_TASKS: usize = 200;
const NUM_PINGS: usize = 1_000;
const CHAIN: usize = 1_000;
/// Tokio's figure for `spawn_many_remote_busy2`.
const NUM_REMOTE_BUSY2: usize = 1_000;
const IDLE_TASKS: usize = 100_000;
/// Tokio's busy-task stall between yields.
const STALL: Duration = Duration::from_micros(10);

// ---------------------------------------------------------------------
// One interface over the three runtimes.
// ---------------------------------------------------------------------

trait Spawner: Clone + Send + Sync + 'static {
    type Join<T: Send + 'static>: Future<Output = T> + Send + Unpin + 'static;
    /// Spawns; from inside a task of the same runtime this is a local spawn.
    fn spawn<T: Send + 'static>(
        &self,
        f: impl Future<Output = T> + Send + 'static,
    ) -> Self::Join<T>;
    fn spawn_detached(&self, f: impl Future<Output = ()> + Send + 'static);
    fn yield_now() -> impl Future<Output = ()> + Send;
}

trait Rt {
    type Sp: Spawner;
    const NAME: &'static str;
    fn new(workers: usize) -> Self;
    fn spawner(&self) -> Self::Sp;
    fn block_on<F: Future>(&self, f: F) -> F::Output;
}

/// Unwraps a `Result`-returning join future.
struct Unwrap<J>(J);

impl<J, T, E> Future for Unwrap<J>
where
    J: Future<Output = Result<T, E>> + Unpin,
    E: std::fmt::Debug,
{
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0).poll(cx).map(|r| r.unwrap())
    }
}

/// This runtime as built by default (the hand-off monitor on); the
/// variants below change one setting for the on/off comparisons.
/// `SLOW_POLL` turns slow-poll detection on (100 ms, the
/// watchdog thread running) for `--observe`.
struct OursRt<const SLOW_POLL: bool, const NO_HANDOFF: bool = false>(runtime::Runtime);
type Ours = OursRt<false>;
type Observed = OursRt<true>;
/// `handoff_threshold(None)`: no hand-off monitor.
type NoHandoff = OursRt<false, true>;

impl Spawner for runtime::Handle {
    type Join<T: Send + 'static> = Unwrap<runtime::task::JoinHandle<T>>;
    fn spawn<T: Send + 'static>(
        &self,
        f: impl Future<Output = T> + Send + 'static,
    ) -> Self::Join<T> {
        Unwrap(runtime::Handle::spawn(self, f))
    }
    fn spawn_detached(&self, f: impl Future<Output = ()> + Send + 'static) {
        drop(runtime::Handle::spawn(self, f));
    }
    fn yield_now() -> impl Future<Output = ()> + Send {
        runtime::task::yield_now()
    }
}

impl<const SLOW_POLL: bool, const NO_HANDOFF: bool> Rt for OursRt<SLOW_POLL, NO_HANDOFF> {
    type Sp = runtime::Handle;
    const NAME: &'static str = match (SLOW_POLL, NO_HANDOFF) {
        (true, _) => "runtime+slow_poll",
        (false, true) => "runtime-handoff",
        (false, false) => "runtime",
    };
    fn new(workers: usize) -> Self {
        let mut builder = runtime::Builder::new_multi_thread();
        builder.worker_threads(workers).enable_all();
        if SLOW_POLL {
            builder.slow_poll_threshold(Duration::from_millis(100));
        }
        if NO_HANDOFF {
            builder.handoff_threshold(None);
        }
        OursRt(builder.build().unwrap())
    }
    fn spawner(&self) -> runtime::Handle {
        self.0.handle().clone()
    }
    fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.0.block_on(f)
    }
}

struct Tokio(tokio::runtime::Runtime);

impl Spawner for tokio::runtime::Handle {
    type Join<T: Send + 'static> = Unwrap<tokio::task::JoinHandle<T>>;
    fn spawn<T: Send + 'static>(
        &self,
        f: impl Future<Output = T> + Send + 'static,
    ) -> Self::Join<T> {
        Unwrap(tokio::runtime::Handle::spawn(self, f))
    }
    fn spawn_detached(&self, f: impl Future<Output = ()> + Send + 'static) {
        drop(tokio::runtime::Handle::spawn(self, f));
    }
    fn yield_now() -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }
}

impl Rt for Tokio {
    type Sp = tokio::runtime::Handle;
    const NAME: &'static str = "tokio";
    fn new(workers: usize) -> Self {
        Tokio(
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .enable_all()
                .build()
                .unwrap(),
        )
    }
    fn spawner(&self) -> tokio::runtime::Handle {
        self.0.handle().clone()
    }
    fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.0.block_on(f)
    }
}

/// smol's executor run by `workers()` threads, as smol's docs suggest.
struct Smol {
    ex: Arc<async_executor::Executor<'static>>,
    stop: Option<async_channel::Sender<()>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

#[derive(Clone)]
struct SmolSpawner(Arc<async_executor::Executor<'static>>);

impl Spawner for SmolSpawner {
    type Join<T: Send + 'static> = async_executor::Task<T>;
    fn spawn<T: Send + 'static>(
        &self,
        f: impl Future<Output = T> + Send + 'static,
    ) -> Self::Join<T> {
        self.0.spawn(f)
    }
    fn spawn_detached(&self, f: impl Future<Output = ()> + Send + 'static) {
        self.0.spawn(f).detach();
    }
    fn yield_now() -> impl Future<Output = ()> + Send {
        futures_lite::future::yield_now()
    }
}

impl Rt for Smol {
    type Sp = SmolSpawner;
    const NAME: &'static str = "smol";
    fn new(workers: usize) -> Self {
        let ex = Arc::new(async_executor::Executor::new());
        let (stop, rx) = async_channel::bounded::<()>(1);
        let threads = (0..workers)
            .map(|_| {
                let ex = ex.clone();
                let rx = rx.clone();
                std::thread::spawn(move || {
                    let _ = async_io::block_on(ex.run(rx.recv()));
                })
            })
            .collect();
        Smol {
            ex,
            stop: Some(stop),
            threads,
        }
    }
    fn spawner(&self) -> SmolSpawner {
        SmolSpawner(self.ex.clone())
    }
    fn block_on<F: Future>(&self, f: F) -> F::Output {
        async_io::block_on(f)
    }
}

impl Drop for Smol {
    fn drop(&mut self) {
        drop(self.stop.take());
        for t in self.threads.drain(..) {
            t.join().unwrap();
        }
    }
}

// ---------------------------------------------------------------------
// The workloads: each runs once and returns its duration.
// ---------------------------------------------------------------------

/// A task that decrements `rem` and signals `tx` if it was the last.
fn countdown(
    tx: &mpsc::SyncSender<()>,
    rem: &Arc<AtomicUsize>,
) -> impl Future<Output = ()> + Send + 'static {
    let (tx, rem) = (tx.clone(), rem.clone());
    async move {
        if rem.fetch_sub(1, Relaxed) == 1 {
            tx.send(()).unwrap();
        }
    }
}

/// Spawns `NUM_SPAWN` empty tasks from outside, then awaits them all.
fn spawn_and_join_many<R: Rt>(rt: &R) {
    let sp = rt.spawner();
    let handles: Vec<_> = (0..NUM_SPAWN).map(|_| sp.spawn(async {})).collect();
    rt.block_on(async {
        for h in handles {
            h.await;
        }
    });
}

/// 10,000 spawns from the `block_on` thread (not a worker), each task
/// decrementing a counter; the last one signals.
fn spawn_many_local<R: Rt>(rt: &R) -> Duration {
    let sp = rt.spawner();
    let (tx, rx) = mpsc::sync_channel(1);
    let rem = Arc::new(AtomicUsize::new(NUM_SPAWN));
    let start = Instant::now();
    rt.block_on(async {
        for _ in 0..NUM_SPAWN {
            sp.spawn_detached(countdown(&tx, &rem));
        }
        rx.recv().unwrap();
    });
    start.elapsed()
}

/// The same 10,000 spawns made from inside a task on a worker.
fn spawn_many_local_task<R: Rt>(rt: &R) -> Duration {
    let sp = rt.spawner();
    let (tx, rx) = mpsc::sync_channel(1);
    let rem = Arc::new(AtomicUsize::new(NUM_SPAWN));
    let start = Instant::now();
    let inner = sp.clone();
    sp.spawn_detached(async move {
        for _ in 0..NUM_SPAWN {
            inner.spawn_detached(countdown(&tx, &rem));
        }
    });
    rx.recv().unwrap();
    start.elapsed()
}

/// 10,000 empty tasks spawned from outside onto an idle runtime, then
/// awaited.
fn spawn_many_remote_idle<R: Rt>(rt: &R) -> Duration {
    let start = Instant::now();
    spawn_and_join_many(rt);
    start.elapsed()
}

/// Spins for `STALL` (a task doing 10 us of work).
fn stall() {
    let t = Instant::now();
    while t.elapsed() < STALL {
        std::hint::spin_loop();
    }
}

/// As `spawn_many_remote_idle`, while 2 tasks per worker keep the workers
/// busy (yield, then stall 10 us, in a loop). The busy tasks run only
/// during this runtime's own sample.
fn spawn_many_remote_busy1<R: Rt>(rt: &R) -> Duration {
    let sp = rt.spawner();
    let flag = Arc::new(AtomicBool::new(true));
    let busy: Vec<_> = (0..2 * workers())
        .map(|_| {
            let flag = flag.clone();
            sp.spawn(async move {
                while flag.load(Relaxed) {
                    <R::Sp as Spawner>::yield_now().await;
                    stall();
                }
            })
        })
        .collect();
    let start = Instant::now();
    spawn_and_join_many(rt);
    let elapsed = start.elapsed();
    flag.store(false, Relaxed);
    rt.block_on(async {
        for h in busy {
            h.await;
        }
    });
    elapsed
}

/// Starts one busy chain per worker: each link stalls 10 us, then spawns
/// the next (which a LIFO-slot scheduler runs next on the same worker),
/// until `flag` is cleared. Returns a receiver that yields once per chain
/// when it ends.
fn start_chains<S: Spawner>(sp: &S, flag: &Arc<AtomicBool>) -> mpsc::Receiver<()> {
    fn link<S: Spawner>(sp: S, flag: Arc<AtomicBool>, done: mpsc::SyncSender<()>) {
        if !flag.load(Relaxed) {
            done.send(()).unwrap();
            return;
        }
        stall();
        let next = sp.clone();
        sp.spawn_detached(async move { link(next, flag, done) });
    }
    let (done_tx, done_rx) = mpsc::sync_channel(workers());
    for _ in 0..workers() {
        let (next, flag, done) = (sp.clone(), flag.clone(), done_tx.clone());
        sp.spawn_detached(async move { link(next, flag, done) });
    }
    done_rx
}

fn stop_chains(flag: &AtomicBool, done: mpsc::Receiver<()>) {
    flag.store(false, Relaxed);
    for _ in 0..workers() {
        done.recv().unwrap();
    }
}

/// Tokio's `spawn_many_remote_busy2`: 1,000 empty tasks spawned from
/// outside and awaited while every worker runs a chain of 10 us tasks,
/// each spawning the next.
fn spawn_many_remote_busy2<R: Rt>(rt: &R) -> Duration {
    let sp = rt.spawner();
    let flag = Arc::new(AtomicBool::new(true));
    let chains = start_chains(&sp, &flag);
    let start = Instant::now();
    let handles: Vec<_> = (0..NUM_REMOTE_BUSY2).map(|_| sp.spawn(async {})).collect();
    rt.block_on(async {
        for h in handles {
            h.await;
        }
    });
    let elapsed = start.elapsed();
    stop_chains(&flag, chains);
    elapsed
}

/// 200 tasks each yielding 1,000 times.
fn yield_many<R: Rt>(rt: &R) -> Duration {
    let sp = rt.spawner();
    let (tx, rx) = mpsc::sync_channel(YIELD_TASKS);
    let start = Instant::now();
    for _ in 0..YIELD_TASKS {
        let tx = tx.clone();
        sp.spawn_detached(async move {
            for _ in 0..NUM_YIELD {
                <R::Sp as Spawner>::yield_now().await;
            }
            tx.send(()).unwrap();
        });
    }
    for _ in 0..YIELD_TASKS {
        rx.recv().unwrap();
    }
    start.elapsed()
}

/// 1,000 pings: each spawns a task that spawns a ponger and exchanges two
/// oneshot messages with it (futures-channel's oneshot for every runtime).
fn ping_pong<R: Rt>(rt: &R) -> Duration {
    use futures_channel::oneshot;
    let sp = rt.spawner();
    let (done_tx, done_rx) = mpsc::sync_channel(1);
    let rem = Arc::new(AtomicUsize::new(NUM_PINGS));
    let start = Instant::now();
    let outer = sp.clone();
    rt.block_on(async {
        outer.clone().spawn_detached(async move {
            for _ in 0..NUM_PINGS {
                let rem = rem.clone();
                let done_tx = done_tx.clone();
                let sp = outer.clone();
                outer.spawn_detached(async move {
                    let (tx1, rx1) = oneshot::channel::<()>();
                    let (tx2, rx2) = oneshot::channel::<()>();
                    sp.spawn_detached(async move {
                        rx1.await.unwrap();
                        tx2.send(()).unwrap();
                    });
                    tx1.send(()).unwrap();
                    rx2.await.unwrap();
                    if rem.fetch_sub(1, Relaxed) == 1 {
                        done_tx.send(()).unwrap();
                    }
                });
            }
        });
        done_rx.recv().unwrap();
    });
    start.elapsed()
}

/// A chain of 1,000 tasks, each spawning the next.
fn chained_spawn<R: Rt>(rt: &R) -> Duration {
    fn link<S: Spawner>(sp: S, done: mpsc::SyncSender<()>, n: usize) {
        if n == 0 {
            done.send(()).unwrap();
        } else {
            let next = sp.clone();
            sp.spawn_detached(async move { link(next, done, n - 1) });
        }
    }
    let sp = rt.spawner();
    let (done_tx, done_rx) = mpsc::sync_channel(1);
    let start = Instant::now();
    rt.block_on(async {
        let first = sp.clone();
        sp.spawn_detached(async move { link(first, done_tx, CHAIN) });
        done_rx.recv().unwrap();
    });
    start.elapsed()
}

type Workload<R> = fn(&R) -> Duration;

fn workloads<R: Rt>() -> Vec<(&'static str, Workload<R>)> {
    vec![
        ("spawn_many_local", spawn_many_local::<R>),
        ("spawn_many_local_task", spawn_many_local_task::<R>),
        ("spawn_many_remote_idle", spawn_many_remote_idle::<R>),
        ("spawn_many_remote_busy1", spawn_many_remote_busy1::<R>),
        ("spawn_many_remote_busy2", spawn_many_remote_busy2::<R>),
        ("yield_many", yield_many::<R>),
        ("ping_pong", ping_pong::<R>),
        ("chained_spawn", chained_spawn::<R>),
    ]
}

// ---------------------------------------------------------------------
// idle_tasks: RSS growth per parked task, one child process per runtime.
// ---------------------------------------------------------------------

fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("read /proc/self/statm");
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

fn idle_tasks_child<R: Rt>() -> f64 {
    let rt = R::new(workers());
    let sp = rt.spawner();
    // Warm up allocator and runtime structures.
    rt.block_on(async {
        for _ in 0..1000 {
            sp.spawn(async {}).await;
        }
    });
    let before = rss_bytes();
    let started = Arc::new(AtomicUsize::new(0));
    for _ in 0..IDLE_TASKS {
        let started = started.clone();
        sp.spawn_detached(async move {
            started.fetch_add(1, Relaxed);
            std::future::pending::<()>().await
        });
    }
    // Wait until every task has been polled once and parked.
    while started.load(Relaxed) < IDLE_TASKS {
        std::thread::yield_now();
    }
    let after = rss_bytes();
    let per_task = (after.saturating_sub(before)) as f64 / IDLE_TASKS as f64;
    // Leak the runtime: tearing down 100k tasks is not what we measure.
    std::mem::forget(rt);
    per_task
}

fn idle_tasks_in_child(name: &str) -> f64 {
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .env("IDLE_TASKS_CHILD", name)
        .output()
        .expect("run idle_tasks child");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("idle_bytes_per_task="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("idle_tasks child for {name} failed: {text}"))
}

// ---------------------------------------------------------------------
// Paired mode.
// ---------------------------------------------------------------------

/// (polls, steals, parks) of each of our workers, for `BENCH_STATS=1`.
fn worker_stats(rt: &Ours) -> Vec<(u64, u64, u64)> {
    let m = rt.0.metrics();
    (0..m.num_workers())
        .map(|i| {
            (
                m.worker_poll_count(i),
                m.worker_steal_count(i),
                m.worker_park_count(i),
            )
        })
        .collect()
}

fn paired(samples: usize, filter: Option<&str>) {
    let ours = Ours::new(workers());
    let tokio = Tokio::new(workers());
    let smol = Smol::new(workers());
    let names: Vec<_> = workloads::<Ours>().iter().map(|w| w.0).collect();
    let (wo, wt, ws) = (
        workloads::<Ours>(),
        workloads::<Tokio>(),
        workloads::<Smol>(),
    );
    println!("| workload | runtime | tokio | smol | runtime/tokio median (p25-p75) | runtime/smol median (p25-p75) |");
    println!("|---|---|---|---|---|---|");
    for (i, name) in names.iter().enumerate() {
        if filter.is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let stats_before = worker_stats(&ours);
        // Warm-up: one run each.
        (wo[i].1)(&ours);
        (wt[i].1)(&tokio);
        (ws[i].1)(&smol);
        let (mut to, mut tt, mut ts) = (vec![], vec![], vec![]);
        for s in 0..samples {
            let mut t = [0.0f64; 3];
            for k in 0..3 {
                let which = (s + k) % 3;
                t[which] = match which {
                    0 => (wo[i].1)(&ours),
                    1 => (wt[i].1)(&tokio),
                    _ => (ws[i].1)(&smol),
                }
                .as_secs_f64();
            }
            to.push(t[0]);
            tt.push(t[1]);
            ts.push(t[2]);
        }
        if std::env::var_os("BENCH_STATS").is_some() {
            let after = worker_stats(&ours);
            let delta: Vec<_> = after
                .iter()
                .zip(&stats_before)
                .map(|(a, b)| (a.0 - b.0, a.1 - b.1, a.2 - b.2))
                .collect();
            eprintln!(
                "{name}: runtime (polls, steals, parks) per worker over all its runs: {delta:?}"
            );
        }
        if std::env::var_os("BENCH_DUMP").is_some() {
            let ms = |v: &[f64]| {
                v.iter()
                    .map(|t| format!("{:.2}", t * 1e3))
                    .collect::<Vec<_>>()
            };
            eprintln!("{name} ms: runtime {:?}", ms(&to));
            eprintln!("{name} ms: tokio   {:?}", ms(&tt));
            eprintln!("{name} ms: smol    {:?}", ms(&ts));
        }
        let mut r_tokio: Vec<f64> = to.iter().zip(&tt).map(|(a, b)| a / b).collect();
        let mut r_smol: Vec<f64> = to.iter().zip(&ts).map(|(a, b)| a / b).collect();
        println!(
            "| {name} | {:.3} ms | {:.3} ms | {:.3} ms | {} | {} |",
            median(&mut to) * 1e3,
            median(&mut tt) * 1e3,
            median(&mut ts) * 1e3,
            ratio_cell(&mut r_tokio),
            ratio_cell(&mut r_smol),
        );
    }
    drop((ours, tokio, smol));
    if filter.is_none_or(|f| "idle_tasks".contains(f)) {
        let (o, t, s) = (
            idle_tasks_in_child(Ours::NAME),
            idle_tasks_in_child(Tokio::NAME),
            idle_tasks_in_child(Smol::NAME),
        );
        println!(
            "| idle_tasks (bytes/task) | {o:.0} B | {t:.0} B | {s:.0} B | {:.2}x | {:.2}x |",
            o / t,
            o / s
        );
    }
}

/// A feature on vs off, alternated per sample. Two runtimes of each kind
/// take turns (sample `s` uses pair `s % 2`), so a runtime that happens
/// to get unlucky thread placement does not pass for the cost of the
/// feature. Returns the "on" runtimes (for their metrics).
fn on_off<Off: Rt, On: Rt>(samples: usize, filter: Option<&str>) -> [On; 2] {
    let off = [Off::new(workers()), Off::new(workers())];
    let on = [On::new(workers()), On::new(workers())];
    let names: Vec<_> = workloads::<Off>().iter().map(|w| w.0).collect();
    let (w_off, w_on) = (workloads::<Off>(), workloads::<On>());
    println!("| workload | off | on | on/off median (p25-p75) |");
    println!("|---|---|---|---|");
    for (i, name) in names.iter().enumerate() {
        if filter.is_some_and(|f| !name.contains(f)) {
            continue;
        }
        for k in 0..2 {
            (w_off[i].1)(&off[k]);
            (w_on[i].1)(&on[k]);
        }
        let (mut t_off, mut t_on) = (vec![], vec![]);
        for s in 0..samples {
            let (a, b) = (&off[s % 2], &on[(s / 2) % 2]);
            if s % 3 == 0 {
                t_off.push((w_off[i].1)(a).as_secs_f64());
                t_on.push((w_on[i].1)(b).as_secs_f64());
            } else {
                t_on.push((w_on[i].1)(b).as_secs_f64());
                t_off.push((w_off[i].1)(a).as_secs_f64());
            }
        }
        let mut ratios: Vec<f64> = t_on.iter().zip(&t_off).map(|(a, b)| a / b).collect();
        println!(
            "| {name} | {:.3} ms | {:.3} ms | {} |",
            median(&mut t_off) * 1e3,
            median(&mut t_on) * 1e3,
            ratio_cell(&mut ratios),
        );
    }
    on
}

/// `--observe`: slow-poll detection on vs off.
fn observe(samples: usize, filter: Option<&str>) {
    let on = on_off::<Ours, Observed>(samples, filter);
    let slow: u64 = on.iter().map(|r| r.0.metrics().slow_poll_count()).sum();
    if slow > 0 {
        eprintln!("note: {slow} poll(s) took 100 ms or more (the machine stalled?)");
    }
}

// ---------------------------------------------------------------------
// Latency mode: spawn -> first poll, as percentiles.
// ---------------------------------------------------------------------

/// Spawns `f` through `sp`, recording into `out` how long after the spawn
/// call its first poll began.
fn timed_spawn<S: Spawner>(sp: &S, out: &Arc<parking_lot::Mutex<Vec<Duration>>>) -> S::Join<()> {
    let out = out.clone();
    let spawned = Instant::now();
    sp.spawn(async move {
        let waited = spawned.elapsed();
        out.lock().push(waited);
    })
}

/// While every worker runs a chain of 10 us tasks, a thread outside the
/// runtime spawns a task about every 100 us (a `thread::sleep`, which
/// overshoots); returns each task's wait from spawn to first poll.
fn remote_latency_busy<R: Rt>(rt: &R) -> Vec<Duration> {
    let sp = rt.spawner();
    let flag = Arc::new(AtomicBool::new(true));
    let chains = start_chains(&sp, &flag);
    let out = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let handles: Vec<_> = (0..REMOTE_LATENCY_SPAWNS)
        .map(|_| {
            let h = timed_spawn(&sp, &out);
            std::thread::sleep(Duration::from_micros(100));
            h
        })
        .collect();
    rt.block_on(async {
        for h in handles {
            h.await;
        }
    });
    stop_chains(&flag, chains);
    let v = std::mem::take(&mut *out.lock());
    v
}

/// One task spawns 200 small tasks from its worker, then blocks its
/// worker for 100 ms inside the same poll (`thread::sleep`); returns each
/// small task's wait from spawn to first poll.
fn blocked_worker<R: Rt>(rt: &R) -> Vec<Duration> {
    let sp = rt.spawner();
    let out = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let (inner, out2) = (sp.clone(), out.clone());
    let blocker = sp.spawn(async move {
        let handles: Vec<_> = (0..BLOCKED_SPAWNS)
            .map(|_| timed_spawn(&inner, &out2))
            .collect();
        std::thread::sleep(BLOCK_FOR);
        handles
    });
    rt.block_on(async {
        for h in blocker.await {
            h.await;
        }
    });
    let v = std::mem::take(&mut *out.lock());
    v
}

const REMOTE_LATENCY_SPAWNS: usize = 500;
const BLOCKED_SPAWNS: usize = 200;
const BLOCK_FOR: Duration = Duration::from_millis(100);

/// `--latency [ROUNDS]`: each latency workload `ROUNDS` times on each
/// runtime, rotating which runtime goes first; prints p50/p99/max of all
/// the waits each runtime's tasks saw.
fn latency(rounds: usize, filter: Option<&str>) {
    type LatencyWorkload<R> = fn(&R) -> Vec<Duration>;
    fn list<R: Rt>() -> Vec<(&'static str, LatencyWorkload<R>)> {
        vec![
            ("remote_latency_busy", remote_latency_busy::<R>),
            ("blocked_worker", blocked_worker::<R>),
        ]
    }
    let ours = Ours::new(workers());
    let tokio = Tokio::new(workers());
    let smol = Smol::new(workers());
    let (wo, wt, ws) = (list::<Ours>(), list::<Tokio>(), list::<Smol>());
    println!("| workload (spawn -> first poll) | runtime p50 / p99 / max | tokio p50 / p99 / max | smol p50 / p99 / max |");
    println!("|---|---|---|---|");
    for i in 0..wo.len() {
        let name = wo[i].0;
        if filter.is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let mut all: [Vec<f64>; 3] = Default::default();
        for r in 0..rounds {
            for k in 0..3 {
                let which = (r + k) % 3;
                let waits = match which {
                    0 => (wo[i].1)(&ours),
                    1 => (wt[i].1)(&tokio),
                    _ => (ws[i].1)(&smol),
                };
                all[which].extend(waits.iter().map(|d| d.as_secs_f64() * 1e6));
            }
        }
        let cell = |v: &mut Vec<f64>| {
            let max = v.iter().cloned().fold(0.0, f64::max);
            format!(
                "{} / {} / {}",
                us(stats::quantile(v, 0.5)),
                us(stats::quantile(v, 0.99)),
                us(max)
            )
        };
        let [a, b, c] = &mut all;
        println!("| {name} | {} | {} | {} |", cell(a), cell(b), cell(c));
    }
}

/// Microseconds, or milliseconds from 10 ms up.
fn us(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.1} ms", v / 1e3)
    } else {
        format!("{v:.0} us")
    }
}

// ---------------------------------------------------------------------
// Criterion mode.
// ---------------------------------------------------------------------

fn criterion_mode() {
    use criterion::Criterion;
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    fn group<R: Rt>(c: &mut Criterion, rt: &R) {
        for (name, f) in workloads::<R>() {
            c.bench_function(&format!("{name}/{}", R::NAME), |b| {
                b.iter_custom(|iters| (0..iters).map(|_| f(rt)).sum())
            });
        }
    }
    group(&mut c, &Ours::new(workers()));
    group(&mut c, &Tokio::new(workers()));
    group(&mut c, &Smol::new(workers()));
    c.final_summary();
}

fn main() {
    if let Ok(name) = std::env::var("IDLE_TASKS_CHILD") {
        let per_task = match name.as_str() {
            "runtime" => idle_tasks_child::<Ours>(),
            "tokio" => idle_tasks_child::<Tokio>(),
            "smol" => idle_tasks_child::<Smol>(),
            other => panic!("unknown runtime {other}"),
        };
        println!("idle_bytes_per_task={per_task}");
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--paired") {
        let samples = args.get(pos + 1).and_then(|s| s.parse().ok()).unwrap_or(41);
        let filter = std::env::var("BENCH_FILTER").ok();
        paired(samples, filter.as_deref());
        return;
    }
    if let Some(pos) = args.iter().position(|a| a == "--latency") {
        let rounds = args.get(pos + 1).and_then(|s| s.parse().ok()).unwrap_or(10);
        let filter = std::env::var("BENCH_FILTER").ok();
        latency(rounds, filter.as_deref());
        return;
    }
    if let Some(pos) = args.iter().position(|a| a == "--handoff") {
        let samples = args.get(pos + 1).and_then(|s| s.parse().ok()).unwrap_or(41);
        let filter = std::env::var("BENCH_FILTER").ok();
        let on = on_off::<NoHandoff, Ours>(samples, filter.as_deref());
        let handoffs: u64 = on.iter().map(|r| r.0.metrics().handoff_count()).sum();
        eprintln!("hand-offs during the run: {handoffs}");
        return;
    }
    if let Some(pos) = args.iter().position(|a| a == "--observe") {
        let samples = args.get(pos + 1).and_then(|s| s.parse().ok()).unwrap_or(41);
        let filter = std::env::var("BENCH_FILTER").ok();
        observe(samples, filter.as_deref());
        return;
    }
    criterion_mode();
}
