//! runtime-sync against tokio::sync (and, for mpsc, async-channel and
//! flume), every primitive driven by the same runtime (this one, 2
//! workers), so the figures compare the primitives, not the executors.
//!
//! `cargo bench --bench sync -- --paired [SAMPLES]`: samples alternate
//! between the implementations; medians and per-sample ratios (ours over
//! each other) as a markdown table. `--only NAME` runs just the workloads
//! whose name contains NAME; `--libs tokio,flume` only those peers.
//! `--handoff [SAMPLES]`: our mpsc workloads with the hand-off monitor on
//! against off (its cost).

#[path = "common/stats.rs"]
mod stats;

use stats::{quantile, ratio_cell};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PRODUCERS: usize = 4;
const PER_PRODUCER: usize = 5_000;
const CAP: usize = 128;
const ROUNDS: usize = 5_000;
const LOCK_TASKS: usize = 8;
const PER_TASK: usize = 1_000;

type Work = Box<dyn Fn(&runtime::Runtime) -> Duration>;

/// `producers` tasks each send `PER_PRODUCER` messages into the channel
/// `$make` creates, one task receives them all; returns the time taken.
macro_rules! fan_in {
    ($rt:expr, $make:expr, $producers:expr, |$t:ident, $v:ident| $send:expr, |$r:ident| $recv:expr) => {
        fan_in!(
            runtime::spawn,
            $rt,
            $make,
            $producers,
            |$t, $v| $send,
            |$r| $recv
        )
    };
    ($spawn:path, $rt:expr, $make:expr, $producers:expr, |$t:ident, $v:ident| $send:expr, |$r:ident| $recv:expr) => {
        $rt.block_on(async {
            let (tx, rx) = $make;
            let start = Instant::now();
            for _ in 0..$producers {
                let $t = tx.clone();
                $spawn(async move {
                    for $v in 0..PER_PRODUCER {
                        $send;
                    }
                });
            }
            drop(tx);
            let consumer = $spawn(async move {
                #[allow(unused_mut)]
                let mut $r = rx;
                let mut n = 0;
                while $recv.is_some() {
                    n += 1;
                }
                n
            });
            assert_eq!(consumer.await.unwrap(), $producers * PER_PRODUCER);
            start.elapsed()
        })
    };
}

/// mpsc workloads for one channel flavour: `$bounded(cap)`/`$unbounded()`
/// make (tx, rx); `$send`/`$recv` are the async calls.
macro_rules! mpsc_workloads {
    ($bounded:expr, $unbounded:expr, |$t:ident, $v:ident| $send:expr, |$r:ident| $recv:expr, |$ut:ident, $uv:ident| $usend:expr) => {{
        fn contended(rt: &runtime::Runtime, producers: usize) -> Duration {
            fan_in!(rt, $bounded(CAP), producers, |$t, $v| $send, |$r| $recv)
        }
        fn unbounded(rt: &runtime::Runtime) -> Duration {
            fan_in!(rt, $unbounded(), PRODUCERS, |$ut, $uv| $usend, |$r| $recv)
        }
        fn uncontended_unconstrained(rt: &runtime::Runtime) -> Duration {
            fan_in!(
                spawn_unconstrained,
                rt,
                $bounded(CAP),
                1,
                |$t, $v| $send,
                |$r| $recv
            )
        }
        let w: [Work; 4] = [
            Box::new(|rt| contended(rt, PRODUCERS)),
            Box::new(|rt| contended(rt, 1)),
            Box::new(uncontended_unconstrained),
            Box::new(unbounded),
        ];
        w
    }};
}

/// Spawns `f` outside the cooperative budget: runtime::sync's primitives
/// spend this runtime's budget (and yield every 128 operations), the
/// others do not know it; inside `unconstrained` none of them yields.
fn spawn_unconstrained<F>(f: F) -> runtime::task::JoinHandle<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime::spawn(runtime::task::unconstrained(f))
}

fn ours_mpsc() -> [Work; 4] {
    mpsc_workloads!(
        runtime::sync::mpsc::channel::<usize>,
        runtime::sync::mpsc::unbounded_channel::<usize>,
        |tx, i| tx.send(i).await.unwrap(),
        |rx| rx.recv().await,
        |tx, i| tx.send(i).unwrap()
    )
}

fn tokio_mpsc() -> [Work; 4] {
    mpsc_workloads!(
        tokio::sync::mpsc::channel::<usize>,
        tokio::sync::mpsc::unbounded_channel::<usize>,
        |tx, i| tx.send(i).await.unwrap(),
        |rx| rx.recv().await,
        |tx, i| tx.send(i).unwrap()
    )
}

fn async_channel_mpsc() -> [Work; 4] {
    mpsc_workloads!(
        async_channel::bounded::<usize>,
        async_channel::unbounded::<usize>,
        |tx, i| tx.send(i).await.unwrap(),
        |rx| rx.recv().await.ok(),
        |tx, i| tx.try_send(i).unwrap()
    )
}

fn flume_mpsc() -> [Work; 4] {
    mpsc_workloads!(
        flume::bounded::<usize>,
        flume::unbounded::<usize>,
        |tx, i| tx.send_async(i).await.unwrap(),
        |rx| rx.recv_async().await.ok(),
        |tx, i| tx.send(i).unwrap()
    )
}

/// oneshot request/reply, mutex and semaphore under contention for one
/// library.
macro_rules! other_workloads {
    ($oneshot:path, $reply:ty, $mutex:path, $semaphore:path) => {{
        /// Tokio's own request/reply shape (`benches/sync_mpsc_oneshot.rs`
        /// there): a long-lived server task answers each request through
        /// the oneshot that came with it. The request channel is this
        /// runtime's mpsc for every library, so only the oneshot differs.
        async fn serve(rounds: usize) -> Duration {
            let (tx, mut rx) = runtime::sync::mpsc::channel::<$reply>(10);
            runtime::spawn(async move {
                while let Some(reply) = rx.recv().await {
                    let reply: $reply = reply;
                    let _ = reply.send(7);
                }
            });
            let start = Instant::now();
            for _ in 0..rounds {
                let (reply, answer) = $oneshot();
                assert!(tx.send(reply).await.is_ok());
                assert_eq!(answer.await.unwrap(), 7);
            }
            start.elapsed()
        }
        /// The primitive alone: create, send, receive (ready at once, no
        /// wake) and drop, on one task.
        fn oneshot_same_task(rt: &runtime::Runtime) -> Duration {
            rt.block_on(async {
                let start = Instant::now();
                for i in 0..20 * ROUNDS {
                    let (tx, rx) = $oneshot();
                    assert!(tx.send(i).is_ok());
                    assert_eq!(rx.await.unwrap(), i);
                }
                start.elapsed()
            })
        }
        fn oneshot_server(rt: &runtime::Runtime) -> Duration {
            rt.block_on(serve(ROUNDS))
        }
        fn oneshot_server_current_thread(_: &runtime::Runtime) -> Duration {
            let rt = runtime::Builder::new_current_thread().build().unwrap();
            rt.block_on(serve(10 * ROUNDS))
        }
        fn oneshot(rt: &runtime::Runtime) -> Duration {
            rt.block_on(async {
                let start = Instant::now();
                for i in 0..ROUNDS {
                    let (tx, rx) = $oneshot();
                    runtime::spawn(async move {
                        let _ = tx.send(i);
                    });
                    assert_eq!(rx.await.unwrap(), i);
                }
                start.elapsed()
            })
        }
        fn mutex(rt: &runtime::Runtime) -> Duration {
            rt.block_on(async {
                let m = Arc::new(<$mutex>::new(0usize));
                let start = Instant::now();
                let tasks: Vec<_> = (0..LOCK_TASKS)
                    .map(|_| {
                        let m = m.clone();
                        runtime::spawn(async move {
                            for _ in 0..PER_TASK {
                                *m.lock().await += 1;
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.unwrap();
                }
                assert_eq!(*m.lock().await, LOCK_TASKS * PER_TASK);
                start.elapsed()
            })
        }
        fn semaphore(rt: &runtime::Runtime) -> Duration {
            rt.block_on(async {
                let s = Arc::new(<$semaphore>::new(2));
                let start = Instant::now();
                let tasks: Vec<_> = (0..LOCK_TASKS)
                    .map(|_| {
                        let s = s.clone();
                        runtime::spawn(async move {
                            for _ in 0..PER_TASK {
                                let _p = s.acquire().await.unwrap();
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.unwrap();
                }
                start.elapsed()
            })
        }
        let w: [Work; 6] = [
            Box::new(oneshot),
            Box::new(oneshot_same_task),
            Box::new(oneshot_server),
            Box::new(oneshot_server_current_thread),
            Box::new(mutex),
            Box::new(semaphore),
        ];
        w
    }};
}

/// Tokio's request/reply benchmark (`benches/sync_mpsc_oneshot.rs` there)
/// on one whole stack: `$spawn` onto the runtime in use, that library's
/// own mpsc for the requests and its oneshot for the replies.
macro_rules! stack_request_reply {
    ($spawn:path, $mpsc:path, $oneshot:path, $reply:ty, $rounds:expr) => {
        async {
            let (tx, mut rx) = $mpsc(10);
            $spawn(async move {
                while let Some(reply) = rx.recv().await {
                    let reply: $reply = reply;
                    let _ = reply.send(7);
                }
            });
            let start = Instant::now();
            for _ in 0..$rounds {
                let (reply, answer) = $oneshot();
                assert!(tx.send(reply).await.is_ok());
                assert_eq!(answer.await.unwrap(), 7);
            }
            start.elapsed()
        }
    };
}

/// Whole stacks side by side: this runtime with runtime::sync against a
/// Tokio runtime (same flavour, same worker count) with tokio::sync. What
/// a user switching both sees; the rows above hold the executor fixed.
fn full_stacks() -> Vec<(&'static str, Vec<Work>)> {
    let ours_ct = Arc::new(runtime::Builder::new_current_thread().build().unwrap());
    let tokio_mt = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap(),
    );
    let tokio_ct = Arc::new(
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap(),
    );
    let ours: Vec<Work> = vec![
        Box::new(|rt: &runtime::Runtime| {
            fan_in!(
                rt,
                runtime::sync::mpsc::channel::<usize>(CAP),
                PRODUCERS,
                |tx, i| tx.send(i).await.unwrap(),
                |rx| rx.recv().await
            )
        }),
        Box::new(|rt: &runtime::Runtime| {
            rt.block_on(stack_request_reply!(
                runtime::spawn,
                runtime::sync::mpsc::channel,
                runtime::sync::oneshot::channel,
                runtime::sync::oneshot::Sender<usize>,
                ROUNDS
            ))
        }),
        Box::new(move |_: &runtime::Runtime| {
            ours_ct.block_on(stack_request_reply!(
                runtime::spawn,
                runtime::sync::mpsc::channel,
                runtime::sync::oneshot::channel,
                runtime::sync::oneshot::Sender<usize>,
                10 * ROUNDS
            ))
        }),
    ];
    let tokio_mt2 = tokio_mt.clone();
    let theirs: Vec<Work> = vec![
        Box::new(move |_: &runtime::Runtime| {
            fan_in!(
                tokio::spawn,
                tokio_mt,
                tokio::sync::mpsc::channel::<usize>(CAP),
                PRODUCERS,
                |tx, i| tx.send(i).await.unwrap(),
                |rx| rx.recv().await
            )
        }),
        Box::new(move |_: &runtime::Runtime| {
            tokio_mt2.block_on(stack_request_reply!(
                tokio::spawn,
                tokio::sync::mpsc::channel,
                tokio::sync::oneshot::channel,
                tokio::sync::oneshot::Sender<usize>,
                ROUNDS
            ))
        }),
        Box::new(move |_: &runtime::Runtime| {
            tokio_ct.block_on(stack_request_reply!(
                tokio::spawn,
                tokio::sync::mpsc::channel,
                tokio::sync::oneshot::channel,
                tokio::sync::oneshot::Sender<usize>,
                10 * ROUNDS
            ))
        }),
    ];
    vec![("runtime", ours), ("tokio", theirs)]
}

/// `--handoff [SAMPLES]`: runtime-sync's mpsc workloads on a default
/// runtime (hand-off monitor on) against one with `handoff_threshold(None)`,
/// alternated sample by sample; prints the on/off ratio medians.
fn handoff_on_off(samples: usize) {
    let build = |on: bool| {
        let mut b = runtime::Builder::new_multi_thread();
        b.worker_threads(2).enable_all();
        if !on {
            b.handoff_threshold(None);
        }
        b.build().unwrap()
    };
    let (on, off) = (build(true), build(false));
    let names = [
        "mpsc_bounded_contended (4->1)",
        "mpsc_bounded_uncontended (1->1)",
        "mpsc_bounded_uncontended (1->1), tasks unconstrained",
        "mpsc_unbounded (4->1)",
    ];
    println!("| workload | off | on | on/off median (p25-p75) |");
    println!("|---|---|---|---|");
    for (w, work) in ours_mpsc().iter().enumerate() {
        work(&on);
        work(&off);
        let (mut t_on, mut t_off) = (Vec::new(), Vec::new());
        for s in 0..samples {
            if s % 2 == 0 {
                t_on.push(work(&on).as_secs_f64());
                t_off.push(work(&off).as_secs_f64());
            } else {
                t_off.push(work(&off).as_secs_f64());
                t_on.push(work(&on).as_secs_f64());
            }
        }
        let mut r: Vec<f64> = t_on.iter().zip(&t_off).map(|(a, b)| a / b).collect();
        println!(
            "| {} | {:.2} ms | {:.2} ms | {} |",
            names[w],
            quantile(&mut t_off, 0.5) * 1e3,
            quantile(&mut t_on, 0.5) * 1e3,
            ratio_cell(&mut r)
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(p) = args.iter().position(|a| a == "--handoff") {
        handoff_on_off(args.get(p + 1).and_then(|s| s.parse().ok()).unwrap_or(61));
        return;
    }
    let samples = args
        .iter()
        .position(|a| a == "--paired")
        .map(|p| args.get(p + 1).and_then(|s| s.parse().ok()).unwrap_or(31))
        .unwrap_or(5);
    // `--only SUBSTRING`: run just the workloads whose name contains it
    // (for profiling one of them).
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|p| args.get(p + 1).cloned());
    // `--libs a,b`: only these implementations ("runtime" is always kept,
    // as the column the ratios are taken against).
    let keep = args
        .iter()
        .position(|a| a == "--libs")
        .and_then(|p| args.get(p + 1).cloned());
    let kept = |name: &str| {
        name == "runtime"
            || keep
                .as_ref()
                .is_none_or(|k| k.split(',').any(|l| l == name))
    };
    let show_metrics = args.iter().any(|a| a == "--metrics");
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let names_mpsc = [
        "mpsc_bounded_contended (4->1)",
        "mpsc_bounded_uncontended (1->1)",
        "mpsc_bounded_uncontended (1->1), tasks unconstrained",
        "mpsc_unbounded (4->1)",
    ];
    let names_other = [
        "oneshot_request_reply (spawn per request)",
        "oneshot create + send + recv (one task, 100k)",
        "oneshot_request_reply (server task, 2 workers)",
        "oneshot_request_reply (server task, current thread)",
        "mutex_contended (8 tasks)",
        "semaphore_contended (8 tasks, 2 permits)",
    ];
    let libs_mpsc: Vec<(&str, [Work; 4])> = vec![
        ("runtime", ours_mpsc()),
        ("tokio", tokio_mpsc()),
        ("async-channel", async_channel_mpsc()),
        ("flume", flume_mpsc()),
    ];
    let libs_other: Vec<(&str, [Work; 6])> = vec![
        (
            "runtime",
            other_workloads!(
                runtime::sync::oneshot::channel,
                runtime::sync::oneshot::Sender<usize>,
                runtime::sync::Mutex<usize>,
                runtime::sync::Semaphore
            ),
        ),
        (
            "tokio",
            other_workloads!(
                tokio::sync::oneshot::channel,
                tokio::sync::oneshot::Sender<usize>,
                tokio::sync::Mutex<usize>,
                tokio::sync::Semaphore
            ),
        ),
    ];
    let keep_libs = |libs: Vec<(&'static str, Vec<Work>)>| -> Vec<(&'static str, Vec<Work>)> {
        libs.into_iter().filter(|l| kept(l.0)).collect()
    };
    let libs_mpsc = keep_libs(
        libs_mpsc
            .into_iter()
            .map(|(n, w)| (n, Vec::from(w)))
            .collect(),
    );
    let libs_other = keep_libs(
        libs_other
            .into_iter()
            .map(|(n, w)| (n, Vec::from(w)))
            .collect(),
    );
    let names_stack = [
        "stack: mpsc_bounded_contended (4->1), 2 workers",
        "stack: request_reply (mpsc + oneshot), 2 workers",
        "stack: request_reply (mpsc + oneshot), current thread",
    ];
    let libs_stack = keep_libs(full_stacks());
    println!("| workload | runtime | others (median) | runtime/other median (p25-p75) |");
    println!("|---|---|---|---|");
    for (names, libs) in [
        (&names_mpsc[..], &libs_mpsc),
        (&names_other[..], &libs_other),
        (&names_stack[..], &libs_stack),
    ] {
        for (w, name) in names.iter().enumerate() {
            if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
                continue;
            }
            let mut times: Vec<Vec<f64>> = vec![Vec::new(); libs.len()];
            for lib in libs.iter() {
                (lib.1[w])(&rt); // warm-up
            }
            // Per implementation: polls, steals, parks, busy time summed
            // over the workers (`--metrics` prints them: they tell a
            // primitive that costs less CPU but wakes tasks in a worse
            // pattern from one that is just slower).
            let mut counts = vec![[0u64; 4]; libs.len()];
            let snapshot = |rt: &runtime::Runtime| {
                let m = rt.metrics();
                let mut c = [0u64; 4];
                for i in 0..m.num_workers() {
                    c[0] += m.worker_poll_count(i);
                    c[1] += m.worker_steal_count(i);
                    c[2] += m.worker_park_count(i);
                    c[3] += m.worker_total_busy_duration(i).as_micros() as u64;
                }
                c
            };
            for s in 0..samples {
                for k in 0..libs.len() {
                    let which = (s + k) % libs.len();
                    let before = snapshot(&rt);
                    times[which].push((libs[which].1[w])(&rt).as_secs_f64());
                    let after = snapshot(&rt);
                    for j in 0..4 {
                        counts[which][j] += after[j] - before[j];
                    }
                }
            }
            if show_metrics {
                for (i, lib) in libs.iter().enumerate() {
                    let per = |j: usize| counts[i][j] as f64 / samples as f64;
                    eprintln!(
                        "{name} {}: per sample {:.0} polls, {:.0} steals, {:.0} parks, {:.0} us busy",
                        lib.0,
                        per(0),
                        per(1),
                        per(2),
                        per(3)
                    );
                }
            }
            let mut others = Vec::new();
            let mut ratios = Vec::new();
            for (i, lib) in libs.iter().enumerate().skip(1) {
                let mut r: Vec<f64> = times[0].iter().zip(&times[i]).map(|(a, b)| a / b).collect();
                others.push(format!(
                    "{} {:.2} ms",
                    lib.0,
                    quantile(&mut times[i].clone(), 0.5) * 1e3
                ));
                ratios.push(format!("vs {} {}", lib.0, ratio_cell(&mut r)));
            }
            println!(
                "| {name} | {:.2} ms | {} | {} |",
                quantile(&mut times[0].clone(), 0.5) * 1e3,
                others.join(", "),
                ratios.join(", ")
            );
        }
    }
}
