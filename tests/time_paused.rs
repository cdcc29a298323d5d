//! The paused test clock, rule by rule as Tokio's (`tokio/tests/time_pause.rs`,
//! `time_sleep.rs`, `time_interval.rs`, `test_clock.rs`, `task_blocking.rs`,
//! rewritten): when the clock jumps and by how much, what `advance` does,
//! what a `Sleep` reports, `interval` under `advance`, timeouts, blocking
//! work, and a TCP key-value server whose expiry task runs on the clock
//! while the test advances it and queries the server over the socket.
//!
//! Self-contained (no `mod common`) and written against Tokio's API only,
//! so the same file can be checked against Tokio itself.

use runtime::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use runtime::net::{TcpListener, TcpStream};
use runtime::time::{self, Duration, Instant, MissedTickBehavior, Sleep};
use std::collections::HashMap;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A future polled by hand with a waker that records its wakes (what
/// `tokio_test::task::spawn` gives Tokio's tests).
struct Probe<F> {
    future: Pin<Box<F>>,
    waker: Arc<WakeFlag>,
}

#[derive(Default)]
struct WakeFlag(AtomicBool);

impl Wake for WakeFlag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl<F> Probe<F> {
    fn new(future: F) -> Probe<F> {
        Probe {
            future: Box::pin(future),
            waker: Arc::default(),
        }
    }

    /// Runs `f` with the future and a context of the probe's waker,
    /// clearing the "woken" mark.
    fn enter<R>(&mut self, f: impl FnOnce(Pin<&mut F>, &mut Context<'_>) -> R) -> R {
        self.waker.0.store(false, Ordering::SeqCst);
        let waker = Waker::from(self.waker.clone());
        let mut cx = Context::from_waker(&waker);
        f(self.future.as_mut(), &mut cx)
    }

    fn is_woken(&self) -> bool {
        self.waker.0.load(Ordering::SeqCst)
    }
}

impl<F: Future> Probe<F> {
    fn poll(&mut self) -> Poll<F::Output> {
        self.enter(|f, cx| f.poll(cx))
    }
}

fn tick(i: &mut Probe<time::Interval>) -> Poll<Instant> {
    i.enter(|mut i, cx| i.poll_tick(cx))
}

/// `tokio_test::assert_elapsed!`: at least `d`, at most 1 ms more.
#[track_caller]
fn assert_elapsed(since: Instant, d: Duration) {
    let elapsed = since.elapsed();
    assert!(
        elapsed >= d && elapsed <= d + ms(1),
        "elapsed {elapsed:?}, expected {d:?} (+1 ms at most)"
    );
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    match p.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

// ---- pause, resume and their misuse ---------------------------------------

#[runtime::test]
async fn pause_works_in_block_on_and_in_a_spawned_task() {
    time::pause();
    let frozen = Instant::now();
    std::thread::yield_now();
    assert_eq!(Instant::now(), frozen);
    time::resume();
    runtime::spawn(async { time::pause() }).await.unwrap();
    time::advance(ms(5)).await;
    assert!(Instant::now() >= frozen + ms(5));
}

#[test]
fn pause_on_a_multi_thread_runtime_panics_and_says_so() {
    let rt = runtime::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let msg = panic_message(
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async { time::pause() })
        }))
        .unwrap_err(),
    );
    assert!(msg.contains("current_thread"), "{msg}");
    // In a spawned task: the task fails with that panic.
    let err = rt
        .block_on(async { runtime::spawn(async { time::pause() }).await })
        .unwrap_err();
    assert!(err.is_panic());
}

#[runtime::test]
async fn resume_lets_time_go_on_from_where_it_stood() {
    let start = Instant::now();
    time::pause();
    time::advance(Duration::from_secs(10)).await;
    let advanced = Instant::now();
    assert!(advanced - start >= Duration::from_secs(10));
    assert!(advanced - start < Duration::from_secs(11));
    time::resume();
    assert!(Instant::now() >= advanced);
    // Paused again, advanced again: the two jumps add up.
    time::pause();
    time::advance(Duration::from_secs(10)).await;
    assert!(Instant::now() - start >= Duration::from_secs(20));
    assert!(Instant::now() - start < Duration::from_secs(21));
}

#[runtime::test]
async fn misuse_panics_with_what_was_wrong() {
    // `advance` on a running clock: names the fix.
    let adv = runtime::spawn(time::advance(Duration::from_secs(1)));
    let msg = panic_message(adv.await.unwrap_err().into_panic());
    assert!(msg.contains("not frozen"), "{msg}");
    // `pause` twice, `resume` twice.
    time::pause();
    let msg = panic_message(std::panic::catch_unwind(time::pause).unwrap_err());
    assert!(msg.contains("already frozen"), "{msg}");
    time::resume();
    let msg = panic_message(std::panic::catch_unwind(time::resume).unwrap_err());
    assert!(msg.contains("not frozen"), "{msg}");
}

#[runtime::test]
async fn advance_does_nothing_until_polled() {
    time::pause();
    let start = Instant::now();
    let later = time::advance(Duration::from_secs(5));
    assert_eq!(Instant::now(), start, "the clock moves on the first poll");
    later.await;
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}

#[runtime::test(start_paused = true)]
async fn a_clock_that_starts_paused_stands_still() {
    let now = Instant::now();
    for _ in 0..5 {
        std::thread::yield_now();
        assert_eq!(now, Instant::now());
    }
}

// ---- auto-advance ------------------------------------------------------------

/// Every sleep ends with the clock on its deadline's millisecond: the
/// elapsed times are the running sum of the durations rounded up to whole
/// milliseconds, the same on every run.
#[test]
fn paused_time_is_deterministic() {
    fn run() -> Vec<Duration> {
        let rt = runtime::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        rt.block_on(async {
            let mut rng = 0x2545_f491_4f6c_dd1d_u64;
            let start = Instant::now();
            let mut times = Vec::new();
            for _ in 0..10_000 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                time::sleep(Duration::from_nanos(rng % 1_000_000_000)).await;
                times.push(start.elapsed());
            }
            times
        })
    }
    let first = run();
    assert_eq!(first, run());
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut expected = Duration::ZERO;
    for (i, t) in first.iter().enumerate() {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        expected += ms((rng % 1_000_000_000).div_ceil(1_000_000));
        assert_eq!(*t, expected, "sleep {i}");
    }
}

/// The jump is the distance to the next timer in whole milliseconds, added
/// to the clock: a clock between two milliseconds stays between them.
#[runtime::test(start_paused = true)]
async fn auto_advance_keeps_the_sub_millisecond_offset() {
    time::advance(Duration::from_micros(51_592)).await;
    let before = Instant::now();
    // Deadline 61.592 ms: its millisecond is 62, "now" is 51: 11 ms on.
    time::sleep(ms(10)).await;
    assert_eq!(before.elapsed(), ms(11));
}

/// Pausing mid-run leaves the clock off the wheel's millisecond grid; the
/// jump keeps that offset (Tokio: `sub_ms_delayed_sleep`).
#[runtime::test]
async fn sub_ms_delayed_sleep_after_pausing_mid_run() {
    time::pause();
    for _ in 0..5 {
        let now = Instant::now();
        time::sleep_until(now + ms(1) + Duration::new(0, 1)).await;
        assert_elapsed(now, ms(1));
        assert_eq!(now.elapsed().subsec_nanos() % 1_000_000, 0);
    }
}

#[runtime::test(start_paused = true)]
async fn sleeps_at_level_zero_and_across_it() {
    for i in [1, 10, 60] {
        let now = Instant::now();
        time::sleep_until(now + ms(i)).await;
        assert_eq!(now.elapsed(), ms(i));
    }
    time::sleep(ms(5)).await;
    let now = Instant::now();
    time::sleep_until(now + ms(60)).await;
    assert_eq!(now.elapsed(), ms(60));
}

/// I/O that is ready when the runtime goes idle is served before the clock
/// jumps: the driver polls I/O first, and a task it wakes counts as a wake
/// (Tokio 1.53.3+, "fix paused time auto-advancing when I/O wakes a task").
#[runtime::test(start_paused = true)]
async fn io_ready_when_the_runtime_goes_idle_runs_before_the_clock_jumps() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut a = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (mut b, _) = listener.accept().await.unwrap();
    let start = Instant::now();
    let reader = runtime::spawn(async move {
        let mut byte = [0u8; 1];
        b.read_exact(&mut byte).await.unwrap();
        start.elapsed()
    });
    runtime::task::yield_now().await; // the reader waits for its byte
    a.write_all(b"x").await.unwrap();
    // Idle with the byte ready and a timer at 100 ms.
    time::sleep(ms(100)).await;
    assert_eq!(reader.await.unwrap(), Duration::ZERO);
    assert_eq!(start.elapsed(), ms(100));
}

/// Timers due at the same millisecond fire in the order they were set, and
/// timers passed in one jump fire in deadline order.
#[runtime::test(start_paused = true)]
async fn timers_fire_in_deadline_then_registration_order() {
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for (name, after) in [
        ("a", 100),
        ("b", 70),
        ("c", 100),
        ("d", 5000),
        ("e", 70),
        ("f", 65),
    ] {
        let order = order.clone();
        tasks.push(runtime::spawn(async move {
            time::sleep(ms(after)).await;
            order.lock().unwrap().push(name);
        }));
    }
    runtime::task::yield_now().await;
    time::advance(ms(10_000)).await;
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), ["f", "b", "e", "a", "c", "d"]);
}

#[runtime::test(start_paused = true)]
async fn a_yielding_block_on_does_not_let_the_clock_jump() {
    let start = Instant::now();
    let sleeper = runtime::spawn(time::sleep(ms(10)));
    for _ in 0..100 {
        runtime::task::yield_now().await;
    }
    assert_eq!(Instant::now(), start);
    assert!(!sleeper.is_finished());
    sleeper.await.unwrap();
    assert_eq!(start.elapsed(), ms(10));
}

#[runtime::test(start_paused = true)]
async fn zero_sleep_is_ready_at_once_on_the_grid() {
    let start = Instant::now();
    let mut nap = Probe::new(time::sleep(Duration::ZERO));
    assert!(nap.poll().is_ready());
    for _ in 0..1000 {
        time::sleep(Duration::ZERO).await;
    }
    assert_eq!(Instant::now(), start);
}

/// Off the grid (after a sub-millisecond advance), even a zero sleep is in
/// a millisecond the wheel has not reached: it waits for the next one.
#[runtime::test(start_paused = true)]
async fn zero_sleep_off_the_grid_waits_for_the_next_millisecond() {
    time::advance(Duration::from_micros(500)).await;
    let start = Instant::now();
    let mut nap = Probe::new(time::sleep(Duration::ZERO));
    assert!(nap.poll().is_pending());
    nap.future.as_mut().await;
    assert_eq!(start.elapsed(), ms(1));
}

// ---- advance -----------------------------------------------------------------

#[runtime::test(start_paused = true)]
async fn advance_after_poll() {
    time::sleep(ms(1)).await;
    let start = Instant::now();
    let mut sleep = Probe::new(time::sleep_until(start + ms(300)));
    assert!(sleep.poll().is_pending());
    let before = Instant::now();
    time::advance(ms(100)).await;
    assert_eq!(before.elapsed(), ms(100));
    assert!(sleep.poll().is_pending());
}

#[runtime::test(start_paused = true)]
async fn sleep_no_poll() {
    let start = Instant::now();
    time::advance(ms(1)).await;
    let mut sleep = Probe::new(time::sleep_until(start + ms(300)));
    let before = Instant::now();
    time::advance(ms(100)).await;
    assert_eq!(before.elapsed(), ms(100));
    assert!(sleep.poll().is_pending());
}

/// One future that (optionally) polls a sleep, then awaits `advance` within
/// the same poll chain, then polls the sleep again.
enum Stage {
    Begin,
    Advancing(Pin<Box<dyn Future<Output = ()>>>),
    Done,
}

struct SameTask {
    sleep: Pin<Box<Sleep>>,
    stage: Stage,
    before: Option<Instant>,
    poll_first: bool,
}

impl Future for SameTask {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            match &mut self.stage {
                Stage::Begin => {
                    if self.poll_first {
                        assert!(self.sleep.as_mut().poll(cx).is_pending());
                    }
                    self.before = Some(Instant::now());
                    self.stage = Stage::Advancing(Box::pin(time::advance(ms(100))));
                }
                Stage::Advancing(adv) => {
                    if adv.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    self.stage = Stage::Done;
                }
                Stage::Done => {
                    assert_eq!(self.before.unwrap().elapsed(), ms(100));
                    assert!(self.sleep.as_mut().poll(cx).is_pending());
                    return Poll::Ready(());
                }
            }
        }
    }
}

#[runtime::test(start_paused = true)]
async fn sleep_and_advance_in_the_same_task() {
    for poll_first in [true, false] {
        let start = Instant::now();
        time::advance(ms(1)).await;
        SameTask {
            sleep: Box::pin(time::sleep_until(start + ms(300))),
            stage: Stage::Begin,
            before: None,
            poll_first,
        }
        .await;
    }
}

#[runtime::test(start_paused = true)]
async fn advance_by_sub_millisecond_and_odd_amounts_is_exact() {
    for micros in [51_592, 1, 3_141_592, 3_123_456, 1_000, 1_000] {
        let now = Instant::now();
        let d = Duration::from_micros(micros);
        time::advance(d).await;
        assert_eq!(now.elapsed(), d);
    }
}

#[runtime::test(start_paused = true)]
async fn sub_millisecond_advance_leaves_a_far_timer_alone() {
    let start = Instant::now();
    time::advance(ms(1)).await;
    let mut sleep = Probe::new(time::sleep_until(start + Duration::from_secs(60)));
    assert!(sleep.poll().is_pending());
    let before = Instant::now();
    time::advance(Duration::from_micros(51_592)).await;
    assert_eq!(before.elapsed(), Duration::from_micros(51_592));
    assert!(sleep.poll().is_pending());
}

/// The timers an `advance` passes have fired (their tasks are woken) when
/// it returns; a 1 ms sleep needs the clock at 1 ms or later.
#[runtime::test(start_paused = true)]
async fn advance_fires_what_came_due_before_it_returns() {
    let mut sleep = Probe::new(time::sleep(ms(1)));
    assert!(sleep.poll().is_pending());
    time::advance(Duration::from_micros(250)).await;
    assert!(sleep.poll().is_pending());
    time::advance(Duration::from_micros(1500)).await;
    assert!(sleep.is_woken());
    assert!(sleep.poll().is_ready());

    let mut sleep = Probe::new(time::sleep(ms(1)));
    assert!(sleep.poll().is_pending());
    for _ in 0..3 {
        time::advance(Duration::from_micros(250)).await;
        assert!(sleep.poll().is_pending());
    }
    // 0.75 ms + 1 ms from 1.75 ms: the clock is at 2.75 ms, the timer at 3.
    time::advance(Duration::from_micros(250)).await;
    assert!(sleep.poll().is_pending());
    time::advance(Duration::from_micros(250)).await;
    assert!(sleep.is_woken());
    assert!(sleep.poll().is_ready());
}

/// In `block_on`'s own future, `advance` returns once the timers fired but
/// before the tasks they woke ran; one more yield runs them. A spawned
/// task that advances runs again only after them.
#[runtime::test(start_paused = true)]
async fn advance_wakes_but_does_not_wait_for_the_woken_tasks() {
    let fired = Arc::new(AtomicUsize::new(0));
    let sleeper = {
        let fired = fired.clone();
        runtime::spawn(async move {
            time::sleep(ms(10)).await;
            fired.fetch_add(1, Ordering::SeqCst);
        })
    };
    runtime::task::yield_now().await;
    time::advance(ms(10)).await;
    assert_eq!(fired.load(Ordering::SeqCst), 0, "woken, not yet run");
    runtime::task::yield_now().await;
    assert_eq!(fired.load(Ordering::SeqCst), 1);
    sleeper.await.unwrap();

    let fired2 = fired.clone();
    let sleeper = runtime::spawn(async move {
        time::sleep(ms(10)).await;
        fired2.fetch_add(1, Ordering::SeqCst);
    });
    let fired3 = fired.clone();
    let advancer = runtime::spawn(async move {
        time::advance(ms(10)).await;
        fired3.load(Ordering::SeqCst)
    });
    assert_eq!(advancer.await.unwrap(), 2, "the sleeper ran first");
    sleeper.await.unwrap();
}

// ---- Sleep ----------------------------------------------------------------------

#[runtime::test(start_paused = true)]
async fn immediate_sleep() {
    let now = Instant::now();
    let mut sleep = pin!(time::sleep_until(now));
    assert!(!sleep.is_elapsed());
    sleep.as_mut().await;
    assert_eq!(now.elapsed(), Duration::ZERO);
    assert!(sleep.is_elapsed());
}

/// `is_elapsed` turns true when the runtime fires the timer, before the
/// sleep is polled again.
#[runtime::test(start_paused = true)]
async fn is_elapsed_follows_the_wheel() {
    let mut sleep = Probe::new(time::sleep(ms(10)));
    assert!(!sleep.future.is_elapsed());
    assert!(sleep.poll().is_pending());
    assert!(!sleep.future.is_elapsed());
    time::advance(ms(10)).await;
    assert!(sleep.is_woken());
    assert!(sleep.future.is_elapsed(), "fired, not polled since");
    assert!(sleep.poll().is_ready());
}

#[runtime::test(start_paused = true)]
async fn reset_before_fire_to_later_and_to_earlier() {
    let now = Instant::now();
    let mut sleep = Probe::new(time::sleep_until(now + ms(100)));
    assert!(sleep.poll().is_pending());
    sleep.future.as_mut().reset(Instant::now() + ms(200));
    sleep.future.as_mut().await;
    assert_eq!(now.elapsed(), ms(200));

    let now = Instant::now();
    let mut sleep = Probe::new(time::sleep_until(now + ms(100)));
    assert!(sleep.poll().is_pending());
    sleep.future.as_mut().reset(now + ms(80));
    sleep.future.as_mut().await;
    assert_eq!(now.elapsed(), ms(80));

    let now = Instant::now();
    let mut sleep = Probe::new(time::sleep_until(now + ms(100)));
    assert!(sleep.poll().is_pending());
    time::sleep(ms(10)).await;
    sleep.future.as_mut().reset(now + ms(80));
    sleep.future.as_mut().await;
    assert_eq!(now.elapsed(), ms(80));
}

#[runtime::test(start_paused = true)]
async fn reset_after_fire_waits_again() {
    let now = Instant::now();
    let mut sleep = Box::pin(time::sleep_until(now + ms(100)));
    sleep.as_mut().await;
    assert_eq!(now.elapsed(), ms(100));
    sleep.as_mut().reset(now + ms(110));
    sleep.as_mut().await;
    assert_eq!(now.elapsed(), ms(110));
}

/// A reset into the past fires the timer at once and wakes the task that
/// polled it.
#[runtime::test(start_paused = true)]
async fn reset_to_the_past_fires_and_wakes() {
    let now = Instant::now();
    let mut sleep = Probe::new(time::sleep_until(now + ms(100)));
    assert!(sleep.poll().is_pending());
    time::sleep(ms(50)).await;
    assert!(!sleep.is_woken());
    sleep.future.as_mut().reset(now + ms(40));
    assert!(sleep.is_woken());
    assert!(sleep.future.is_elapsed());
    assert!(sleep.poll().is_ready());
}

/// A reset puts the timer in the wheel even if nobody polls the sleep: the
/// runtime fires it as the clock passes, and a reset into the past fires it
/// at once.
#[runtime::test(start_paused = true)]
async fn a_reset_registers_the_timer_without_a_poll() {
    let start = Instant::now();
    let mut sleep = Box::pin(time::sleep(Duration::from_secs(3600)));
    sleep.as_mut().reset(start + ms(30));
    assert!(!sleep.is_elapsed());
    time::sleep(ms(40)).await;
    assert!(sleep.is_elapsed(), "fired by the runtime, never polled");
    let mut other = Box::pin(time::sleep(Duration::from_secs(3600)));
    other.as_mut().reset(start);
    assert!(other.is_elapsed());
}

#[runtime::test(start_paused = true)]
async fn very_long_sleeps_end_on_their_deadline() {
    let start = Instant::now();
    let year = Duration::from_secs(365 * 24 * 3600);
    for _ in 0..5 {
        time::sleep(year).await;
    }
    assert_eq!(start.elapsed(), 5 * year);
    let deadline = Instant::now() + 10 * year;
    time::sleep_until(deadline).await;
    assert!(Instant::now() >= deadline);
    assert!(Instant::now() <= deadline + ms(1));
}

#[runtime::test(start_paused = true)]
async fn sleeps_past_the_end_of_the_clock() {
    let start = Instant::now();
    // Cut to about 30 years.
    let nap = time::sleep(Duration::MAX);
    assert_eq!(
        nap.deadline(),
        start + Duration::from_secs(86400 * 365 * 30)
    );
    nap.await;
    time::sleep(Duration::MAX - ms(1)).await;
    runtime::select! {
        biased;
        _ = time::sleep(Duration::from_secs(u64::MAX / 10)) => panic!("the far one won"),
        _ = time::sleep(Duration::from_nanos(1)) => {}
    }
}

#[runtime::test(start_paused = true)]
async fn dropping_timers_from_a_waker_is_fine() {
    struct DropAll(Mutex<Vec<Pin<Box<Sleep>>>>, AtomicBool);
    impl Wake for DropAll {
        fn wake(self: Arc<Self>) {
            let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.0.lock().unwrap().clear();
            }));
            if ok.is_err() {
                self.1.store(true, Ordering::SeqCst);
            }
        }
    }
    let all = Arc::new(DropAll(Mutex::new(Vec::new()), AtomicBool::new(false)));
    let waker = Waker::from(all.clone());
    for _ in 0..100 {
        let mut t = Box::pin(time::sleep(ms(10)));
        assert!(t
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending());
        all.0.lock().unwrap().push(t);
    }
    time::sleep(ms(11)).await;
    assert!(!all.1.load(Ordering::SeqCst), "panicked dropping timers");
    assert!(all.0.lock().unwrap().is_empty());
}

#[runtime::test(start_paused = true)]
async fn drop_after_reschedule_to_a_shared_deadline() {
    let start = Instant::now();
    let mut a = Box::pin(time::sleep(ms(5)));
    let mut b = Box::pin(time::sleep(ms(5)));
    let mut c = Box::pin(time::sleep(ms(10)));
    let noop = Waker::from(Arc::new(WakeFlag::default()));
    let mut cx = Context::from_waker(&noop);
    let _ = a.as_mut().poll(&mut cx);
    let _ = b.as_mut().poll(&mut cx);
    let _ = c.as_mut().poll(&mut cx);
    b.as_mut().reset(start + ms(10));
    a.await;
    drop(b);
    assert_eq!(start.elapsed(), ms(5));
}

// ---- interval ---------------------------------------------------------------------

/// Polls `i` once per expected tick, then checks it is pending.
#[track_caller]
fn ticks(i: &mut Probe<time::Interval>, start: Instant, expected: &[u64]) {
    for &t in expected {
        assert_eq!(tick(i), Poll::Ready(start + ms(t)));
    }
    assert!(tick(i).is_pending());
}

async fn interval_under_advance(behavior: MissedTickBehavior) -> Vec<Vec<u64>> {
    let start = Instant::now();
    time::advance(ms(1)).await;
    let mut i = Probe::new(time::interval_at(start, ms(300)));
    i.future.set_missed_tick_behavior(behavior);
    let mut seen = Vec::new();
    for step in [0, 100, 200, 650, 100, 201, 300, 300] {
        if step > 0 {
            time::advance(ms(step)).await;
        }
        let mut now = Vec::new();
        while let Poll::Ready(t) = tick(&mut i) {
            now.push((t - start).as_millis() as u64);
        }
        seen.push(now);
    }
    seen
}

#[runtime::test(start_paused = true)]
async fn interval_missed_ticks_under_advance() {
    let e: &[&[u64]] = &[
        &[0],
        &[],
        &[300],
        &[600, 900],
        &[],
        &[1200],
        &[1500],
        &[1800],
    ];
    assert_eq!(interval_under_advance(MissedTickBehavior::Burst).await, e);
    let e: &[&[u64]] = &[&[0], &[], &[300], &[600], &[], &[1251], &[1551], &[1851]];
    assert_eq!(interval_under_advance(MissedTickBehavior::Delay).await, e);
    let e: &[&[u64]] = &[&[0], &[], &[300], &[600], &[], &[1200], &[1500], &[1800]];
    assert_eq!(interval_under_advance(MissedTickBehavior::Skip).await, e);
}

#[runtime::test(start_paused = true)]
async fn interval_at_under_advance() {
    let start = Instant::now();
    time::advance(ms(1)).await;
    let mut i = Probe::new(time::interval_at(start, ms(300)));
    ticks(&mut i, start, &[0]);
    for (step, expected) in [
        (100, &[][..]),
        (200, &[300][..]),
        (400, &[600][..]),
        (500, &[900, 1200][..]),
    ] {
        let before = Instant::now();
        time::advance(ms(step)).await;
        assert_eq!(before.elapsed(), ms(step));
        ticks(&mut i, start, expected);
    }
}

#[runtime::test(start_paused = true)]
async fn interval_reset_and_reset_immediately() {
    let start = Instant::now();
    time::advance(ms(1)).await;
    let mut i = Probe::new(time::interval_at(start, ms(300)));
    ticks(&mut i, start, &[0]);
    time::advance(ms(100)).await;
    ticks(&mut i, start, &[]);
    time::advance(ms(200)).await;
    ticks(&mut i, start, &[300]);
    time::advance(ms(100)).await;
    ticks(&mut i, start, &[]);
    i.future.reset();
    time::advance(ms(250)).await;
    ticks(&mut i, start, &[]);
    time::advance(ms(50)).await;
    ticks(&mut i, start, &[701]);
    time::advance(ms(300)).await;
    ticks(&mut i, start, &[1001]);
    i.future.reset_immediately();
    ticks(&mut i, start, &[1001]);
    time::advance(ms(300)).await;
    ticks(&mut i, start, &[1301]);
}

/// A ticked interval that nobody polls has no timer: the clock does not
/// jump to its next tick.
#[runtime::test(start_paused = true)]
async fn an_unpolled_interval_is_no_jump_target() {
    let start = Instant::now();
    let mut i = time::interval(ms(10));
    i.tick().await;
    let other = time::sleep(ms(25));
    other.await;
    assert_eq!(start.elapsed(), ms(25));
    // Its missed ticks come in a burst when it is polled again.
    assert_eq!(i.tick().await, start + ms(10));
    assert_eq!(i.tick().await, start + ms(20));
}

// ---- timeout ----------------------------------------------------------------------

#[runtime::test(start_paused = true)]
async fn timeouts_on_the_paused_clock() {
    let start = Instant::now();
    let never = std::future::pending::<()>();
    assert!(time::timeout(ms(500), never).await.is_err());
    assert_eq!(start.elapsed(), ms(500));
    let quick = time::timeout(ms(500), time::sleep(ms(100))).await;
    assert!(quick.is_ok());
    assert_eq!(start.elapsed(), ms(600));
    // Completes at the deadline's own millisecond: the inner future is
    // polled first.
    let tie = time::timeout(ms(100), time::sleep(ms(100))).await;
    assert!(tie.is_ok());
    assert_eq!(start.elapsed(), ms(700));
}

/// A timeout past the end of the clock has no timer: nothing to jump to,
/// the inner future decides.
#[runtime::test(start_paused = true)]
async fn a_timeout_that_never_elapses_sets_no_timer() {
    let start = Instant::now();
    let inner = async {
        time::sleep(ms(5)).await;
        7
    };
    assert_eq!(time::timeout(Duration::MAX, inner).await, Ok(7));
    assert_eq!(start.elapsed(), ms(5));
}

// ---- blocking work ----------------------------------------------------------------

/// The clock does not move while a blocking closure is in flight, however
/// short the timeout; the closure's end lets the runtime go on.
#[runtime::test(start_paused = true)]
async fn blocking_work_holds_the_clock() {
    let start = Instant::now();
    let work = runtime::task::spawn_blocking(|| {
        // Real work taking real time (not synchronisation): the runtime
        // parks meanwhile with a 1 ms timer.
        std::thread::sleep(Duration::from_millis(20));
        7
    });
    let res = time::timeout(ms(1), work).await;
    assert_eq!(
        res.expect("the clock jumped past blocking work").unwrap(),
        7
    );
    assert_eq!(Instant::now(), start);
}

#[runtime::test(start_paused = true)]
async fn a_finished_blocking_task_wakes_the_paused_runtime() {
    let start = Instant::now();
    // Not awaited until after the sleep: its end must still wake the
    // runtime, which then jumps the hour (a missed wake-up would wait an
    // hour of real time here).
    let work = runtime::task::spawn_blocking(|| 1 + 1);
    time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(work.await.unwrap(), 2);
    assert_eq!(start.elapsed(), Duration::from_secs(3600));

    let panicking = runtime::task::spawn_blocking(move || {
        if start.elapsed() == Duration::from_secs(3600) {
            panic!("blocking task panicked (on purpose)");
        }
    });
    let res = time::timeout(Duration::from_secs(3600), panicking).await;
    assert!(res.expect("no timeout while it ran").is_err());
}

// ---- a TCP key-value server with timed expiry -----------------------------------

/// A line-protocol key-value store: `SET key value seconds` (answers `OK`),
/// `GET key` (answers the value or `NONE`). Expiry is the job of a
/// background task that sleeps until the earliest deadline, and is told
/// of new keys through a channel; `GET` itself does not look at the clock.
struct Store {
    entries: Mutex<HashMap<String, (String, Instant)>>,
}

async fn start_kv_server() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let store = Arc::new(Store {
        entries: Mutex::new(HashMap::new()),
    });
    let (new_key, mut new_keys) = runtime::sync::mpsc::unbounded_channel::<()>();
    // The expiry task.
    let s = store.clone();
    runtime::spawn(async move {
        loop {
            let next = {
                let mut entries = s.entries.lock().unwrap();
                let now = Instant::now();
                entries.retain(|_, (_, expires)| *expires > now);
                entries.values().map(|(_, e)| *e).min()
            };
            match next {
                Some(when) => {
                    runtime::select! {
                        _ = time::sleep_until(when) => {}
                        msg = new_keys.recv() => if msg.is_none() { return },
                    }
                }
                None => {
                    if new_keys.recv().await.is_none() {
                        return;
                    }
                }
            }
        }
    });
    runtime::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let store = store.clone();
            let new_key = new_key.clone();
            runtime::spawn(async move {
                let (r, mut w) = socket.into_split();
                let mut lines = BufReader::new(r).lines();
                while let Some(line) = lines.next_line().await.unwrap() {
                    let parts: Vec<&str> = line.split_whitespace().collect();
                    let reply = match parts.as_slice() {
                        ["SET", k, v, secs] => {
                            let ttl = Duration::from_secs(secs.parse().unwrap());
                            let expires = Instant::now() + ttl;
                            let mut entries = store.entries.lock().unwrap();
                            entries.insert(k.to_string(), (v.to_string(), expires));
                            let _ = new_key.send(());
                            "OK".to_string()
                        }
                        ["GET", k] => match store.entries.lock().unwrap().get(*k) {
                            Some((v, _)) => v.clone(),
                            None => "NONE".to_string(),
                        },
                        _ => "ERR".to_string(),
                    };
                    w.write_all(format!("{reply}\n").as_bytes()).await.unwrap();
                }
            });
        }
    });
    addr
}

struct Client {
    lines: runtime::io::Lines<BufReader<runtime::net::tcp::OwnedReadHalf>>,
    w: runtime::net::tcp::OwnedWriteHalf,
}

impl Client {
    async fn connect(addr: std::net::SocketAddr) -> Client {
        let (r, w) = TcpStream::connect(addr).await.unwrap().into_split();
        Client {
            lines: BufReader::new(r).lines(),
            w,
        }
    }

    async fn ask(&mut self, request: &str) -> String {
        self.w
            .write_all(format!("{request}\n").as_bytes())
            .await
            .unwrap();
        self.lines.next_line().await.unwrap().unwrap()
    }
}

/// A key-expiry scenario, written as a test on Tokio's paused clock is (the
/// pattern of mini-redis's `key_value_timeout`): a key with a one-second
/// lifetime is read back at once, the test advances the clock by that
/// second, and the key is gone; then the test sleeps past one key's
/// deadline (the runtime jumps to it and the expiry task runs) but not the
/// other's.
///
/// While the test waits for an answer the runtime is idle, so the clock
/// may jump to the expiry timer, as on Tokio: the answer to `GET a` comes
/// back at a's deadline, and is still `1` because the server's task, woken
/// by the request's I/O, runs before the expiry task the jump woke.
#[runtime::test(start_paused = true)]
async fn kv_server_expires_keys_as_the_test_advances_the_clock() {
    let addr = start_kv_server().await;
    let mut c = Client::connect(addr).await;
    assert_eq!(c.ask("GET a").await, "NONE");
    assert_eq!(c.ask("SET a 1 1").await, "OK");
    assert_eq!(c.ask("GET a").await, "1");
    time::advance(Duration::from_secs(1)).await;
    assert_eq!(c.ask("GET a").await, "NONE");

    assert_eq!(c.ask("SET b 2 2").await, "OK");
    assert_eq!(c.ask("SET c 3 60").await, "OK");
    time::sleep(Duration::from_secs(5)).await;
    assert_eq!(c.ask("GET b").await, "NONE");
    assert_eq!(c.ask("GET c").await, "3");
}

// ---- a mixed trace, event by event ----------------------------------------------

/// Timers, an interval, yields, a sub-millisecond `advance`, a timeout and
/// a TCP echo round trip interleaved; every event is logged with the
/// clock in microseconds. The expected log is the one Tokio 1.54
/// produces: which task runs when, and where the clock stands, match.
#[runtime::test(start_paused = true)]
async fn a_mixed_trace_matches_tokio_event_for_event() {
    type Log = Arc<Mutex<Vec<(&'static str, u128)>>>;
    let start = Instant::now();
    let log: Log = Arc::default();
    let rec = move |log: &Log, what: &'static str| {
        log.lock()
            .unwrap()
            .push((what, start.elapsed().as_micros()));
    };

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let l = log.clone();
    let server = runtime::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 1];
        for _ in 0..3 {
            s.read_exact(&mut buf).await.unwrap();
            rec(&l, "server got");
            s.write_all(&buf).await.unwrap();
        }
    });
    let l = log.clone();
    let client = runtime::spawn(async move {
        let mut c = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 1];
        for _ in 0..3 {
            c.write_all(b"x").await.unwrap();
            c.read_exact(&mut buf).await.unwrap();
            rec(&l, "client echo");
            time::sleep(ms(45)).await;
        }
    });
    let l = log.clone();
    let ticker = runtime::spawn(async move {
        let mut i = time::interval(ms(30));
        i.set_missed_tick_behavior(MissedTickBehavior::Skip);
        for _ in 0..5 {
            i.tick().await;
            rec(&l, "tick");
            runtime::task::yield_now().await;
        }
    });
    let l = log.clone();
    let sleeper = runtime::spawn(async move {
        let mut s = Box::pin(time::sleep(ms(100)));
        let _ = time::timeout(ms(70), s.as_mut()).await;
        rec(&l, "timeout");
        s.as_mut().reset(Instant::now() + ms(20));
        s.await;
        rec(&l, "slept");
    });
    time::advance(Duration::from_micros(250)).await;
    rec(&log, "advanced");
    time::advance(ms(10)).await;
    rec(&log, "advanced");
    time::sleep(ms(200)).await;
    rec(&log, "main woke");
    for t in [server, client, ticker, sleeper] {
        t.await.unwrap();
    }
    let got = log.lock().unwrap().clone();
    let expected: &[(&str, u128)] = &[
        ("advanced", 250),
        ("advanced", 10_250),
        ("server got", 10_250),
        ("tick", 10_250),
        ("client echo", 10_250),
        ("tick", 31_250),
        ("server got", 56_250),
        ("client echo", 56_250),
        ("tick", 61_250),
        ("timeout", 71_250),
        ("tick", 91_250),
        ("slept", 92_250),
        ("server got", 102_250),
        ("client echo", 102_250),
        ("tick", 121_250),
        ("main woke", 211_250),
    ];
    assert_eq!(got, expected);
}
