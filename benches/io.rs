//! I/O and timer benchmarks, this runtime side by side with Tokio and
//! smol (async-executor + async-io) in one process, 2 worker threads each:
//!
//! - `tcp_echo`: 50 loopback connections to an echo server on the same
//!   runtime, each doing 200 round trips of 64 bytes (10,000 round trips;
//!   connecting is not timed).
//! - `timers`: 100,000 tasks each sleeping 1 ms (registering, firing and
//!   waking 100,000 timers), awaited through a countdown.
//!
//! `cargo bench --bench io -- --paired [SAMPLES]` alternates the runtimes
//! sample by sample and prints medians and paired ratios (the numbers in
//! `docs/benchmarks.md`); without `--paired` it runs a short paired pass.

#[path = "common/stats.rs"]
mod stats;
use stats::{quantile, ratio_cell};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 50;
const ROUND_TRIPS: usize = 200;
const MESSAGE: usize = 64;
const TIMERS: usize = 100_000;

fn workers() -> usize {
    std::env::var("BENCH_WORKERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2)
}

/// One runtime's version of the workloads; the bodies are the same code
/// with each runtime's spawn, sockets, I/O traits and sleep.
macro_rules! workloads {
    (
        mod $m:ident;
        rt: $Rt:ty = $new:expr;
        block_on: |$brt:ident, $bf:ident| $block_on:expr;
        spawn: |$sf:ident| $spawn:expr;
        listen: |$la:ident| $listen:expr;
        accept: |$al:ident| $accept:expr;
        connect: |$ca:ident| $connect:expr;
        sleep: |$sd:ident| $sleep:expr;
        use $($io:tt)*
    ) => {
        mod $m {
            use super::*;
            #[allow(unused_imports)]
            use $($io)*

            pub struct Bench {
                pub rt: $Rt,
                addr: std::net::SocketAddr,
            }

            fn spawn<F: std::future::Future<Output = ()> + Send + 'static>($sf: F) {
                $spawn
            }

            impl Bench {
                pub fn new() -> Bench {
                    let rt: $Rt = $new;
                    let addr = {
                        let $brt = &rt;
                        let $bf = async {
                            let listener = { let $la = "127.0.0.1:0"; $listen };
                            let addr = listener.local_addr().unwrap();
                            spawn(async move {
                                loop {
                                    let mut s = { let $al = &listener; $accept };
                                    spawn(async move {
                                        let mut buf = [0u8; MESSAGE];
                                        while s.read_exact(&mut buf).await.is_ok() {
                                            if s.write_all(&buf).await.is_err() {
                                                break;
                                            }
                                        }
                                    });
                                }
                            });
                            addr
                        };
                        $block_on
                    };
                    Bench { rt, addr }
                }

                pub fn tcp_echo(&self) -> Duration {
                    let addr = self.addr;
                    let $brt = &self.rt;
                    let $bf = async move {
                        let mut conns = Vec::with_capacity(CONNECTIONS);
                        for _ in 0..CONNECTIONS {
                            let s = { let $ca = addr; $connect };
                            s.set_nodelay(true).unwrap();
                            conns.push(s);
                        }
                        let left = Arc::new(AtomicUsize::new(CONNECTIONS));
                        let (tx, rx) = futures::channel::oneshot::channel();
                        let tx = Arc::new(std::sync::Mutex::new(Some(tx)));
                        let start = Instant::now();
                        for mut s in conns {
                            let (left, tx) = (left.clone(), tx.clone());
                            spawn(async move {
                                let mut buf = [7u8; MESSAGE];
                                for _ in 0..ROUND_TRIPS {
                                    s.write_all(&buf).await.unwrap();
                                    s.read_exact(&mut buf).await.unwrap();
                                }
                                if left.fetch_sub(1, Ordering::AcqRel) == 1 {
                                    let _ = tx.lock().unwrap().take().unwrap().send(());
                                }
                            });
                        }
                        rx.await.unwrap();
                        start.elapsed()
                    };
                    $block_on
                }

                pub fn timers(&self) -> Duration {
                    let $brt = &self.rt;
                    let $bf = async move {
                        let left = Arc::new(AtomicUsize::new(TIMERS));
                        let (tx, rx) = futures::channel::oneshot::channel();
                        let tx = Arc::new(std::sync::Mutex::new(Some(tx)));
                        let start = Instant::now();
                        for _ in 0..TIMERS {
                            let (left, tx) = (left.clone(), tx.clone());
                            spawn(async move {
                                { let $sd = Duration::from_millis(1); $sleep };
                                if left.fetch_sub(1, Ordering::AcqRel) == 1 {
                                    let _ = tx.lock().unwrap().take().unwrap().send(());
                                }
                            });
                        }
                        rx.await.unwrap();
                        start.elapsed()
                    };
                    $block_on
                }
            }
        }
    };
}

workloads! {
    mod ours;
    rt: runtime::Runtime = runtime::Builder::new_multi_thread()
        .worker_threads(workers())
        .enable_all()
        .build()
        .unwrap();
    block_on: |rt, f| {
        let _g = rt.enter();
        rt.block_on(f)
    };
    spawn: |f| drop(runtime::spawn(f));
    listen: |a| runtime::net::TcpListener::bind(a).await.unwrap();
    accept: |l| l.accept().await.unwrap().0;
    connect: |a| runtime::net::TcpStream::connect(a).await.unwrap();
    sleep: |d| runtime::time::sleep(d).await;
    use runtime::io::{AsyncReadExt, AsyncWriteExt};
}

workloads! {
    mod tokio_rt;
    rt: tokio::runtime::Runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers())
        .enable_all()
        .build()
        .unwrap();
    block_on: |rt, f| rt.block_on(f);
    spawn: |f| drop(tokio::spawn(f));
    listen: |a| tokio::net::TcpListener::bind(a).await.unwrap();
    accept: |l| l.accept().await.unwrap().0;
    connect: |a| tokio::net::TcpStream::connect(a).await.unwrap();
    sleep: |d| tokio::time::sleep(d).await;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
}

/// smol: one executor run by `workers()` threads, plus async-io's reactor.
pub struct SmolRt {
    ex: Arc<async_executor::Executor<'static>>,
    stop: Option<async_channel::Sender<()>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl SmolRt {
    fn new() -> SmolRt {
        let ex = Arc::new(async_executor::Executor::new());
        let (stop, rx) = async_channel::bounded::<()>(1);
        let threads = (0..workers())
            .map(|_| {
                let (ex, rx) = (ex.clone(), rx.clone());
                std::thread::spawn(move || {
                    let _ = async_io::block_on(ex.run(rx.recv()));
                })
            })
            .collect();
        SmolRt {
            ex,
            stop: Some(stop),
            threads,
        }
    }
}

impl Drop for SmolRt {
    fn drop(&mut self) {
        drop(self.stop.take());
        for t in self.threads.drain(..) {
            t.join().unwrap();
        }
    }
}

fn smol_spawn<F: std::future::Future<Output = ()> + Send + 'static>(f: F) {
    let ex = SMOL_EX.lock().unwrap().clone().expect("smol executor set");
    ex.spawn(f).detach();
}

static SMOL_EX: std::sync::Mutex<Option<Arc<async_executor::Executor<'static>>>> =
    std::sync::Mutex::new(None);

/// async-io's `Async<TcpStream>` with Tokio's `set_nodelay` name.
trait NoDelay {
    fn set_nodelay(&self, on: bool) -> std::io::Result<()>;
}

impl NoDelay for async_io::Async<std::net::TcpStream> {
    fn set_nodelay(&self, on: bool) -> std::io::Result<()> {
        self.get_ref().set_nodelay(on)
    }
}

/// async-io's listener with Tokio's `local_addr` name.
trait LocalAddr {
    fn local_addr(&self) -> std::io::Result<std::net::SocketAddr>;
}

impl LocalAddr for async_io::Async<std::net::TcpListener> {
    fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.get_ref().local_addr()
    }
}

workloads! {
    mod smol_rt;
    rt: SmolRt = {
        let rt = SmolRt::new();
        *SMOL_EX.lock().unwrap() = Some(rt.ex.clone());
        rt
    };
    block_on: |rt, f| {
        let _ = rt;
        async_io::block_on(f)
    };
    spawn: |f| smol_spawn(f);
    listen: |a| async_io::Async::<std::net::TcpListener>::bind(a.parse::<std::net::SocketAddr>().unwrap()).unwrap();
    accept: |l| l.accept().await.unwrap().0;
    connect: |a| async_io::Async::<std::net::TcpStream>::connect(a).await.unwrap();
    sleep: |d| { async_io::Timer::after(d).await; };
    use futures_lite::{AsyncReadExt, AsyncWriteExt};
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let samples = args
        .iter()
        .position(|a| a == "--paired")
        .map(|p| args.get(p + 1).and_then(|s| s.parse().ok()).unwrap_or(31))
        .unwrap_or(5);
    let filter = std::env::var("BENCH_FILTER").ok();
    let o = ours::Bench::new();
    let t = tokio_rt::Bench::new();
    let s = smol_rt::Bench::new();
    type Run<'a> = [Box<dyn Fn() -> Duration + 'a>; 3];
    let workloads: Vec<(&str, Run)> = vec![
        (
            "tcp_echo",
            [
                Box::new(|| o.tcp_echo()),
                Box::new(|| t.tcp_echo()),
                Box::new(|| s.tcp_echo()),
            ],
        ),
        (
            "timers",
            [
                Box::new(|| o.timers()),
                Box::new(|| t.timers()),
                Box::new(|| s.timers()),
            ],
        ),
    ];
    println!("| workload | runtime | tokio | smol | runtime/tokio median (p25-p75) | runtime/smol median (p25-p75) |");
    println!("|---|---|---|---|---|---|");
    for (name, run) in &workloads {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        for r in run {
            r(); // warm-up
        }
        let stats = |rt: &runtime::Runtime| -> Vec<(u64, u64, u64)> {
            let m = rt.metrics();
            (0..m.num_workers())
                .map(|w| {
                    (
                        m.worker_poll_count(w),
                        m.worker_steal_count(w),
                        m.worker_park_count(w),
                    )
                })
                .collect()
        };
        let before = stats(&o.rt);
        let mut times = [vec![], vec![], vec![]];
        for sample in 0..samples {
            for k in 0..3 {
                let which = (sample + k) % 3;
                times[which].push(run[which]().as_secs_f64());
            }
        }
        if std::env::var_os("BENCH_STATS").is_some() {
            let after = stats(&o.rt);
            let per_sample: Vec<_> = after
                .iter()
                .zip(&before)
                .map(|(a, b)| {
                    let n = samples as u64;
                    ((a.0 - b.0) / n, (a.1 - b.1) / n, (a.2 - b.2) / n)
                })
                .collect();
            eprintln!(
                "{name}: runtime (polls, steals, parks) per worker per sample: {per_sample:?}"
            );
        }
        let mut rt_: Vec<f64> = times[0].iter().zip(&times[1]).map(|(a, b)| a / b).collect();
        let mut rs: Vec<f64> = times[0].iter().zip(&times[2]).map(|(a, b)| a / b).collect();
        let per_sec = |t: f64| match *name {
            "tcp_echo" => format!(
                "{:.1} ms ({:.0}k rt/s)",
                t * 1e3,
                (CONNECTIONS * ROUND_TRIPS) as f64 / t / 1e3
            ),
            _ => format!("{:.1} ms", t * 1e3),
        };
        let [a, b, c] = &mut times;
        println!(
            "| {name} | {} | {} | {} | {} | {} |",
            per_sec(quantile(a, 0.5)),
            per_sec(quantile(b, 0.5)),
            per_sec(quantile(c, 0.5)),
            ratio_cell(&mut rt_),
            ratio_cell(&mut rs),
        );
    }
    drop(workloads);
    drop((o, t, s));
}
