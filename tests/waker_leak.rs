//! Tasks parked on `runtime::sync`'s channels, locks and notifiers whose
//! other ends outlive the runtime: once the runtime is dropped (and with it
//! every parked future), no task allocation may remain. A waker that a
//! dropped future or a dropped handle leaves behind in a primitive holds
//! its task's allocation (and, through it, the scheduler's handle) for as
//! long as the primitive lives.
//!
//! The check counts allocations with a global allocator: every task spawned
//! here wraps its future in [`Parked`], whose alignment (512 bytes) nothing
//! else in this process asks for, so the allocations of that alignment that
//! are live are exactly the task cells of this test.

use runtime::sync::{
    broadcast, mpsc, oneshot, watch, Barrier, CancellationToken, Mutex, Notify, OnceCell, Queue,
    RwLock, Semaphore,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

/// The alignment that marks a task cell of this test.
const CELL_ALIGN: usize = 512;

#[repr(align(512))]
struct CellAlign;

/// Live allocations aligned to `CELL_ALIGN`.
static LIVE_CELLS: AtomicUsize = AtomicUsize::new(0);

struct Counting;

// SAFETY: every call is passed on to `System` unchanged; the counter is
// only read by the test.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc`, passed on.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() && layout.align() == CELL_ALIGN {
            LIVE_CELLS.fetch_add(1, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc_zeroed`, passed on.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() && layout.align() == CELL_ALIGN {
            LIVE_CELLS.fetch_add(1, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.align() == CELL_ALIGN {
            LIVE_CELLS.fetch_sub(1, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // The alignment stays: the count does not change.
        // SAFETY: the caller's contract for `realloc`, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Tasks per kind of wait (17 kinds).
const PER_KIND: usize = 6_000;

/// Counts first polls; wakes the test once every task has been polled.
struct Progress {
    total: usize,
    polled: AtomicUsize,
    completed: AtomicUsize,
    all_parked: Notify,
}

/// A task's future: the wait itself (boxed), aligned so that the task cell
/// holding it can be told apart (see the module docs).
struct Parked {
    _align: [CellAlign; 0],
    wait: Pin<Box<dyn Future<Output = ()> + Send>>,
    first_poll: bool,
    progress: Arc<Progress>,
}

impl Future for Parked {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let res = this.wait.as_mut().poll(cx);
        if res.is_ready() {
            this.progress.completed.fetch_add(1, Ordering::SeqCst);
        }
        if std::mem::take(&mut this.first_poll)
            && this.progress.polled.fetch_add(1, Ordering::SeqCst) + 1 == this.progress.total
        {
            this.progress.all_parked.notify_one();
        }
        res
    }
}

/// The ends that outlive the runtime (and the waits' shared primitives).
#[derive(Default)]
struct Kept {
    oneshot_senders: Vec<oneshot::Sender<u32>>,
    oneshot_receivers: Vec<oneshot::Receiver<u32>>,
    mpsc_senders: Vec<mpsc::Sender<u32>>,
    mpsc_receivers: Vec<mpsc::Receiver<u32>>,
    unbounded_senders: Vec<mpsc::UnboundedSender<u32>>,
    broadcast_senders: Vec<broadcast::Sender<u32>>,
    watch_senders: Vec<watch::Sender<u32>>,
    guards: Vec<Box<dyn Send>>,
    shared: Vec<Arc<dyn Send + Sync>>,
}

/// Parks `PER_KIND` tasks on each kind of wait; returns the other ends.
fn park_everything(rt: &runtime::Runtime, progress: &Arc<Progress>) -> Kept {
    let mut kept = Kept::default();
    let spawn = |wait: Pin<Box<dyn Future<Output = ()> + Send>>| {
        drop(rt.spawn(Parked {
            _align: [],
            wait,
            first_poll: true,
            progress: progress.clone(),
        }));
    };

    let notify = Arc::new(Notify::new());
    let semaphore = Arc::new(Semaphore::new(0));
    let mutex = Arc::new(Mutex::new(()));
    let rwlock = Arc::new(RwLock::new(()));
    let barrier = Arc::new(Barrier::new(PER_KIND + 1));
    let empty = Arc::new(Queue::<u32>::new(0));
    let full = Arc::new(Queue::<u32>::new(1));
    full.try_put(0).unwrap();
    let token = CancellationToken::new();
    let cell = Arc::new(OnceCell::<u32>::new());
    kept.guards
        .push(Box::new(mutex.clone().try_lock_owned().unwrap()));
    kept.guards
        .push(Box::new(rt.block_on(rwlock.clone().read_owned())));
    kept.guards.push(Box::new(token.clone()));
    // Initialising for ever: the other `get_or_init`s wait for it. It
    // must have begun before they are spawned (on several workers a later
    // task could otherwise start first, initialise the cell and let every
    // one of them finish).
    let c = cell.clone();
    let (began_tx, began_rx) = oneshot::channel::<()>();
    spawn(Box::pin(async move {
        c.get_or_init(|| async move {
            let _ = began_tx.send(());
            std::future::pending().await
        })
        .await;
    }));
    rt.block_on(began_rx).expect("the initialiser began");
    kept.shared.extend([
        notify.clone() as Arc<dyn Send + Sync>,
        semaphore.clone(),
        mutex.clone(),
        rwlock.clone(),
        barrier.clone(),
        empty.clone(),
        full.clone(),
        cell.clone(),
    ]);

    for _ in 0..PER_KIND {
        // oneshot: a receiver waiting, and a sender waiting in `closed()`.
        let (tx, rx) = oneshot::channel::<u32>();
        kept.oneshot_senders.push(tx);
        spawn(Box::pin(async move {
            let _ = rx.await;
        }));
        let (mut tx, rx) = oneshot::channel::<u32>();
        kept.oneshot_receivers.push(rx);
        spawn(Box::pin(async move { tx.closed().await }));

        // mpsc: receivers waiting (both kinds), a sender waiting for a
        // slot, a sender waiting in `closed()`.
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        kept.mpsc_senders.push(tx);
        spawn(Box::pin(async move {
            rx.recv().await;
        }));
        let (tx, mut rx) = mpsc::unbounded_channel::<u32>();
        kept.unbounded_senders.push(tx);
        spawn(Box::pin(async move {
            rx.recv().await;
        }));
        let (tx, rx) = mpsc::channel::<u32>(1);
        tx.try_send(0).unwrap();
        kept.mpsc_receivers.push(rx);
        let tx2 = tx.clone();
        spawn(Box::pin(async move {
            let _ = tx.send(1).await;
        }));
        spawn(Box::pin(async move { tx2.closed().await }));

        // broadcast and watch receivers.
        let (tx, mut rx) = broadcast::channel::<u32>(1);
        kept.broadcast_senders.push(tx);
        spawn(Box::pin(async move {
            let _ = rx.recv().await;
        }));
        let (tx, mut rx) = watch::channel(0u32);
        kept.watch_senders.push(tx);
        spawn(Box::pin(async move {
            let _ = rx.changed().await;
        }));

        // Locks, notifiers and queues, shared by the tasks of a kind.
        let n = notify.clone();
        spawn(Box::pin(async move { n.notified().await }));
        let s = semaphore.clone();
        spawn(Box::pin(async move {
            let _ = s.acquire().await;
        }));
        let m = mutex.clone();
        spawn(Box::pin(async move {
            let _ = m.lock().await;
        }));
        let l = rwlock.clone();
        spawn(Box::pin(async move {
            let _ = l.write().await;
        }));
        let b = barrier.clone();
        spawn(Box::pin(async move {
            b.wait().await;
        }));
        let q = empty.clone();
        spawn(Box::pin(async move {
            q.get().await;
        }));
        let q = full.clone();
        spawn(Box::pin(async move { q.put(1).await }));
        let t = token.clone();
        spawn(Box::pin(t.cancelled_owned()));
        let c = cell.clone();
        spawn(Box::pin(async move {
            c.get_or_init(|| async { 1 }).await;
        }));
    }
    kept
}

fn check(flavor: &str, rt: runtime::Runtime) {
    const KINDS: usize = 17;
    let total = KINDS * PER_KIND + 1;
    assert_eq!(LIVE_CELLS.load(Ordering::SeqCst), 0);
    let progress = Arc::new(Progress {
        total,
        polled: AtomicUsize::new(0),
        completed: AtomicUsize::new(0),
        all_parked: Notify::new(),
    });
    let kept = park_everything(&rt, &progress);
    rt.block_on(progress.all_parked.notified());
    assert_eq!(progress.polled.load(Ordering::SeqCst), total);
    assert_eq!(
        progress.completed.load(Ordering::SeqCst),
        0,
        "{flavor}: a wait ended"
    );
    assert_eq!(
        LIVE_CELLS.load(Ordering::SeqCst),
        total,
        "{flavor}: the allocator does not see the task cells"
    );
    drop(rt);
    let left = LIVE_CELLS.load(Ordering::SeqCst);
    drop(kept);
    let after_the_other_ends = LIVE_CELLS.load(Ordering::SeqCst);
    assert_eq!(
        left, 0,
        "{flavor}: {left} of {total} task cells outlived the runtime, held by wakers kept in \
         primitives whose other ends are still alive ({after_the_other_ends} still allocated once \
         those ends were dropped too)"
    );
}

/// One test for both flavours: the allocation counter is global, so the
/// runs must not overlap.
#[test]
fn no_task_outlives_the_runtime_through_a_kept_waker() {
    check(
        "multi-thread",
        runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap(),
    );
    check(
        "current-thread",
        runtime::Builder::new_current_thread().build().unwrap(),
    );
}
