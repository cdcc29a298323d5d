//! pytest-asyncio: async test functions, and fast timer tests on a paused
//! clock (in Python that takes a plugin such as `looptime`; here it is
//! built in).
//!
//! ```python
//! import asyncio, pytest
//!
//! async def with_backoff(attempt):
//!     delay = 1.0
//!     for n in range(1, 10):
//!         if (result := attempt(n)) is not None:
//!             return result, n
//!         await asyncio.sleep(delay)       # 1 s, 2 s, 4 s, ...
//!         delay *= 2
//!
//! @pytest.mark.asyncio
//! async def test_backoff_waits_1_2_4_seconds():
//!     loop = asyncio.get_running_loop()
//!     start = loop.time()
//!     assert await with_backoff(lambda n: "ok" if n == 4 else None) == ("ok", 4)
//!     assert loop.time() - start >= 7       # and the test took 7 real seconds
//! ```
//!
//! The same test here takes no real time: `#[runtime::test(start_paused =
//! true)]` starts the runtime's clock paused, and an idle runtime jumps it
//! straight to the next timer. `time::advance` moves it by hand. The tests
//! at the bottom of this file run with
//! `cargo test --example asyncio_testing`; `main` runs the same checks so
//! that `cargo run --example asyncio_testing` shows them.
//!
//! ```text
//! cargo run --example asyncio_testing
//! ```

use runtime::time::{self, sleep, Duration, Instant};

/// Calls `attempt(1)`, `attempt(2)`, ... until it returns `Some`, sleeping
/// 1 s, 2 s, 4 s, ... in between. Returns the value and the attempt number.
async fn with_backoff<T>(mut attempt: impl FnMut(u32) -> Option<T>) -> (T, u32) {
    let mut delay = Duration::from_secs(1);
    for n in 1.. {
        if let Some(value) = attempt(n) {
            return (value, n);
        }
        sleep(delay).await;
        delay *= 2;
    }
    unreachable!()
}

/// The body of the first test: 7 s of backoff, on the paused clock.
async fn backoff_waits_1_2_4_seconds() {
    let start = Instant::now();
    let result = with_backoff(|n| (n == 4).then_some("ok")).await;
    assert_eq!(result, ("ok", 4));
    assert_eq!(start.elapsed(), Duration::from_secs(7));
}

/// The body of the second test: moving the clock by hand.
async fn advance_fires_due_timers() {
    let timer = runtime::spawn(sleep(Duration::from_secs(3600)));
    runtime::task::yield_now().await; // let it register its timer
    time::advance(Duration::from_secs(3599)).await;
    assert!(!timer.is_finished());
    time::advance(Duration::from_secs(1)).await;
    // The timer has fired; the task it woke runs at the next yield (as on
    // Tokio: `advance` does not wait for it).
    runtime::task::yield_now().await;
    assert!(timer.is_finished());
}

// `start_paused` needs the current-thread flavor (as Tokio's).
#[runtime::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let real = std::time::Instant::now();
    backoff_waits_1_2_4_seconds().await;
    println!("backoff: 3 retries, 7 s on the paused clock");
    advance_fires_due_timers().await;
    println!("advance: an hour-long sleep fired after advance(1 h)");
    // Less than the backoff alone would take on a running clock (a bound
    // that only a clock that waited for real can miss).
    assert!(real.elapsed() < Duration::from_secs(7));
    println!("real time taken: less than the backoff's 7 s");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[runtime::test(start_paused = true)]
    async fn backoff_takes_no_real_time() {
        backoff_waits_1_2_4_seconds().await;
    }

    #[runtime::test(start_paused = true)]
    async fn advance_moves_the_clock_by_hand() {
        advance_fires_due_timers().await;
    }
}
