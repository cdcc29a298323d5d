//! asyncio's cancellation: `task.cancel()` and `CancelledError`,
//! `finally:` clean-up, `asyncio.shield`, cooperative shutdown, and cancel
//! safety (what `wait_for` / `select` may lose when they cancel).
//!
//! ```python
//! import asyncio
//!
//! async def forever(log):
//!     try:
//!         await asyncio.Event().wait()
//!     finally:
//!         log.append("cleanup")            # runs on cancellation
//!
//! async def main():
//!     log = []
//!     task = asyncio.create_task(forever(log))
//!     await asyncio.sleep(0)
//!     task.cancel()
//!     try:
//!         await task
//!     except asyncio.CancelledError:
//!         print("cancelled, log =", log)
//!
//!     job = asyncio.create_task(asyncio.sleep(0.05, result="finished"))
//!     try:
//!         await asyncio.wait_for(asyncio.shield(job), 0.01)
//!     except TimeoutError:
//!         print("gave up waiting; the job goes on:", await job)
//!
//! asyncio.run(main())
//! ```
//!
//! ```text
//! cargo run --example asyncio_cancel
//! ```

use runtime::sync::{mpsc, oneshot, CancellationToken};
use runtime::time::{interval, sleep, timeout, Duration};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Sets its flag when dropped: a `finally:` block.
struct Finally(Arc<AtomicBool>);

impl Drop for Finally {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Two receives in a row: NOT cancel safe. Dropped between them, the first
/// value is lost with the future.
async fn read_pair(rx: &mut mpsc::Receiver<u32>) -> (u32, u32) {
    let a = rx.recv().await.unwrap();
    let b = rx.recv().await.unwrap();
    (a, b)
}

#[runtime::main]
async fn main() {
    // task.cancel(): abort(). The task's future is dropped at its next
    // await point; Drop impls run, as `finally:` blocks do. Awaiting the
    // handle gives a JoinError with is_cancelled(): the CancelledError.
    let cleaned = Arc::new(AtomicBool::new(false));
    let finally = Finally(cleaned.clone());
    let task = runtime::spawn(async move {
        let _finally = finally;
        std::future::pending::<()>().await;
    });
    task.abort();
    let err = task.await.unwrap_err();
    assert!(err.is_cancelled());
    assert!(cleaned.load(Ordering::SeqCst));
    println!("abort: {err}; its clean-up ran");

    // Dropping a future cancels it: timeout (wait_for) drops the future it
    // gave up on, so its clean-up runs too.
    let cleaned = Arc::new(AtomicBool::new(false));
    let finally = Finally(cleaned.clone());
    let gave_up = timeout(Duration::from_millis(10), async move {
        let _finally = finally;
        sleep(Duration::from_secs(10)).await;
    })
    .await;
    assert!(gave_up.is_err() && cleaned.load(Ordering::SeqCst));
    println!("timeout dropped the inner future: clean-up ran");

    // asyncio.shield: spawn the work and wait on its JoinHandle. Giving up
    // on the wait (or dropping the handle) does not cancel the task.
    let (go, wait_for_go) = oneshot::channel::<()>();
    let mut job = runtime::spawn(async move {
        wait_for_go.await.unwrap(); // work that outlasts the wait below
        "finished"
    });
    assert!(timeout(Duration::from_millis(10), &mut job).await.is_err());
    go.send(()).unwrap();
    assert_eq!(job.await.unwrap(), "finished");
    println!("shield: the wait timed out, the task still finished");

    // Cooperative cancellation with async clean-up (asyncio: catching
    // CancelledError, awaiting, re-raising): a CancellationToken the task
    // watches. A child token is cancelled with its parent.
    let shutdown = CancellationToken::new();
    let token = shutdown.child_token();
    let (jobs, mut job_rx) = mpsc::channel::<u32>(8);
    let (done, mut done_rx) = mpsc::channel::<u32>(8);
    let worker = runtime::spawn(async move {
        let mut handled = 0;
        loop {
            runtime::select! {
                _ = token.cancelled() => break,
                Some(job) = job_rx.recv() => {
                    handled += 1;
                    done.send(job).await.unwrap();
                }
            }
        }
        // Clean-up may await here: flush, say goodbye, ...
        runtime::task::yield_now().await;
        handled
    });
    for job in 0..3 {
        jobs.send(job).await.unwrap();
        assert_eq!(done_rx.recv().await, Some(job));
    }
    shutdown.cancel();
    assert_eq!(worker.await.unwrap(), 3);
    println!("CancellationToken: worker handled 3 jobs, then stopped cleanly");

    // Cancel safety. rx.recv() is cancel safe: in a select! loop the losing
    // recv() is dropped every round and no message is lost.
    let (tx, mut rx) = mpsc::channel::<u32>(4);
    runtime::spawn(async move {
        for i in 0..100 {
            tx.send(i).await.unwrap();
        }
    });
    let mut ticker = interval(Duration::from_millis(1));
    let mut got = Vec::new();
    while got.len() < 100 {
        runtime::select! {
            Some(v) = rx.recv() => got.push(v),
            _ = ticker.tick() => {}
        }
    }
    assert_eq!(got, (0..100).collect::<Vec<_>>());
    println!("select! loop over recv(): all 100 messages, in order");

    // read_pair is not cancel safe; create it once, pinned outside the
    // loop, and poll it by reference so select! never drops it half-way.
    let (tx, mut rx) = mpsc::channel::<u32>(4);
    runtime::spawn(async move {
        tx.send(1).await.unwrap();
        sleep(Duration::from_millis(30)).await;
        tx.send(2).await.unwrap();
    });
    let pair = read_pair(&mut rx);
    runtime::pin!(pair);
    let mut ticks = 0;
    let mut ticker = interval(Duration::from_millis(5));
    let (a, b) = loop {
        runtime::select! {
            pair = &mut pair => break pair,
            _ = ticker.tick() => ticks += 1,
        }
    };
    assert_eq!((a, b), (1, 2));
    assert!(ticks > 0);
    println!("read_pair pinned outside the loop: ({a}, {b}) across timer ticks");
}
