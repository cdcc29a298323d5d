use std::time::{Duration, Instant};
const ROUNDS: u32 = 5000;
fn ours(rt: &runtime::Runtime) -> Duration {
    rt.block_on(async {
        let (tx, mut rx) = runtime::sync::mpsc::channel::<runtime::sync::oneshot::Sender<u32>>(10);
        runtime::spawn(async move {
            while let Some(r) = rx.recv().await {
                let _ = r.send(7);
            }
        });
        let s = Instant::now();
        for _ in 0..ROUNDS {
            let (a, b) = runtime::sync::oneshot::channel();
            tx.send(a).await.ok().unwrap();
            b.await.unwrap();
        }
        s.elapsed()
    })
}
fn theirs(rt: &tokio::runtime::Runtime) -> Duration {
    rt.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<tokio::sync::oneshot::Sender<u32>>(10);
        tokio::spawn(async move {
            while let Some(r) = rx.recv().await {
                let _ = r.send(7);
            }
        });
        let s = Instant::now();
        for _ in 0..ROUNDS {
            let (a, b) = tokio::sync::oneshot::channel();
            tx.send(a).await.ok().unwrap();
            b.await.unwrap();
        }
        s.elapsed()
    })
}
fn main() {
    let io = std::env::var("IO").is_ok();
    let w: usize = std::env::var("W").map(|w| w.parse().unwrap()).unwrap_or(2);
    let mut b = runtime::Builder::new_multi_thread();
    b.worker_threads(w);
    if io {
        b.enable_all();
    }
    let rt = b.build().unwrap();
    let mut tb = tokio::runtime::Builder::new_multi_thread();
    tb.worker_threads(w);
    if io {
        tb.enable_all();
    }
    let trt = tb.build().unwrap();
    let mut r = Vec::new();
    let mut a = Vec::new();
    let mut c = Vec::new();
    for _ in 0..31 {
        let x = ours(&rt).as_secs_f64();
        let y = theirs(&trt).as_secs_f64();
        r.push(x / y);
        a.push(x);
        c.push(y);
    }
    r.sort_by(|a, b| a.partial_cmp(b).unwrap());
    a.sort_by(|a, b| a.partial_cmp(b).unwrap());
    c.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("io={io} w={w}: ours {:.2}us tokio {:.2}us per round; ratio median {:.2} (p25 {:.2} p75 {:.2})", a[15]*1e6/ROUNDS as f64, c[15]*1e6/ROUNDS as f64, r[15], r[7], r[23]);
}
