//! asyncio's debug mode: "Executing <Task ...> took 0.300 seconds" for a
//! callback that blocks the loop, plus a list of every live task.
//!
//! ```python
//! import asyncio, logging, time
//!
//! async def bad():
//!     time.sleep(0.3)                      # blocks the event loop
//!
//! async def main():
//!     waiter = asyncio.create_task(asyncio.Event().wait())
//!     await asyncio.sleep(0)
//!     for task in asyncio.all_tasks():     # the "task dump"
//!         print(task.get_name(), task.get_coro())
//!     await asyncio.create_task(bad())     # WARNING: Executing <Task ...> took 0.300 seconds
//!     waiter.cancel()
//!
//! logging.basicConfig(level=logging.DEBUG)
//! loop = asyncio.new_event_loop()
//! loop.set_debug(True)
//! loop.slow_callback_duration = 0.1
//! loop.run_until_complete(main())
//! ```
//!
//! More in `docs/observability.md` and `examples/debug_mode.rs`.
//!
//! ```text
//! cargo run --example asyncio_debug
//! ```

use runtime::runtime::TaskState;
use runtime::sync::oneshot;
use std::sync::mpsc as std_mpsc;
use std::sync::Mutex;
use std::time::Duration;

/// Prints `log` warnings to stderr and forwards them to the example (any
/// logger works: env_logger, tracing-log, ...).
struct Logger(Mutex<Option<std_mpsc::Sender<String>>>);

static LOGGER: Logger = Logger(Mutex::new(None));

impl log::Log for Logger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn
    }
    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let line = format!("[{} {}] {}", record.level(), record.target(), record.args());
            eprintln!("{line}");
            if let Some(tx) = &*self.0.lock().unwrap() {
                let _ = tx.send(line);
            }
        }
    }
    fn flush(&self) {}
}

fn main() -> std::io::Result<()> {
    let (warnings_tx, warnings) = std_mpsc::channel();
    *LOGGER.0.lock().unwrap() = Some(warnings_tx);
    log::set_logger(&LOGGER).expect("no logger installed yet");
    log::set_max_level(log::LevelFilter::Warn);

    // loop.set_debug(True); loop.slow_callback_duration = 0.1
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .slow_poll_threshold(Duration::from_millis(100))
        .build()?;

    rt.block_on(async {
        // asyncio.all_tasks(): Handle::dump() lists every live task with its
        // id, state, polls, age and spawn location.
        let (release, wait) = oneshot::channel::<()>();
        let (started, is_waiting) = oneshot::channel::<()>();
        let waiter = runtime::spawn(async move {
            started.send(()).unwrap();
            let _ = wait.await;
        });
        is_waiting.await.unwrap();
        let dump = runtime::Handle::current().dump();
        print!("{dump}");
        let row = dump.tasks().iter().find(|t| t.id() == waiter.id()).unwrap();
        assert_ne!(row.state(), TaskState::Scheduled);
        println!("the dump lists the waiter, spawned at {}", row.location());

        // The classic mistake: a blocking call inside a task. This one
        // blocks until the stall watchdog has named it (it reports a poll
        // still running at twice the threshold), so the demo needs no timing.
        let bad = runtime::spawn(async move {
            warnings
                .recv_timeout(Duration::from_secs(10))
                .expect("the watchdog reports the stuck poll")
        });
        let warning = bad.await.unwrap();
        assert!(warning.contains("has not returned yet"), "{warning}");
        assert!(warning.contains("examples/asyncio_debug.rs:"), "{warning}");
        println!("the watchdog named the blocked task and its spawn location");
        release.send(()).unwrap();
        waiter.await.unwrap();
    });

    let slow = rt.metrics().slow_poll_count();
    assert!(slow >= 1);
    println!("slow polls counted: at least 1");
    Ok(())
}
