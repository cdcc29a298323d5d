//! Debug mode: slow-poll warnings, the stall watchdog and a task dump, shown
//! on a small line-protocol server with two badly behaved handlers.
//!
//! ```text
//! cargo run --example debug_mode
//! ```
//!
//! The server answers `fast`, `sleep` and `spin` requests. `sleep` makes a
//! blocking call inside an async handler (the classic mistake: it blocks
//! the worker); `spin` computes without ever awaiting. With
//! `slow_poll_threshold(100 ms)` the runtime names both handlers' tasks and
//! their spawn locations through the `log` crate while they are stuck and
//! when they return, and `Handle::dump` lists every task with its state.
//! So that the demo shows the same on a busy machine, each bad handler
//! goes on until the watchdog has named it (the logger below keeps the
//! warnings), and `spin` until the dump has been taken too, instead of for
//! a fixed time. The output is reproduced in `docs/observability.md`.

use runtime::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::Notify;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Prints `log` records to stderr (any logger works: env_logger,
/// tracing-log, ...), and keeps them for `named_as_stuck`.
struct StderrLogger {
    lines: Mutex<Vec<String>>,
    logged: Condvar,
}

static LOGGER: StderrLogger = StderrLogger {
    lines: Mutex::new(Vec::new()),
    logged: Condvar::new(),
};

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn
    }
    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!("[{} {}] {}", record.level(), record.target(), record.args());
            self.lines.lock().unwrap().push(record.args().to_string());
            self.logged.notify_all();
        }
    }
    fn flush(&self) {}
}

/// Whether the watchdog has reported the current task as stuck in a poll.
fn named_as_stuck(lines: &[String]) -> bool {
    let me = format!("task {} spawned at", runtime::task::id());
    lines
        .iter()
        .any(|l| l.contains(&me) && l.contains("has not returned yet"))
}

/// Serves one connection: one request per line.
async fn handle(
    stream: TcpStream,
    spinning: Arc<Notify>,
    dumped: Arc<AtomicBool>,
) -> io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader).lines();
    use runtime::stream::StreamExt;
    while let Some(line) = lines.next().await {
        let reply = match line?.trim() {
            "fast" => "ok".to_string(),
            "sleep" => {
                // BAD: a blocking call (a condvar wait; std::thread::sleep
                // or a blocking read does the same) blocks the worker
                // thread. Use runtime::time::sleep(..).await, or
                // spawn_blocking. It returns once the watchdog named it.
                let mut lines = LOGGER.lines.lock().unwrap();
                while !named_as_stuck(&lines) {
                    lines = LOGGER.logged.wait(lines).unwrap();
                }
                "slept".to_string()
            }
            "spin" => {
                spinning.notify_one();
                // BAD: computing without an .await. Use spawn_blocking, or
                // yield_now() inside the loop. It stops once the dump is
                // taken and the watchdog named it.
                let mut x = 0u64;
                let mut rounds = 0u64;
                loop {
                    x = x.wrapping_mul(31).wrapping_add(7);
                    rounds += 1;
                    if rounds.is_multiple_of(4096)
                        && dumped.load(Ordering::SeqCst)
                        && named_as_stuck(&LOGGER.lines.lock().unwrap())
                    {
                        break;
                    }
                }
                format!("spun {}", x % 10)
            }
            other => format!("unknown request {other:?}"),
        };
        writer.write_all(format!("{reply}\n").as_bytes()).await?;
    }
    Ok(())
}

async fn request(addr: std::net::SocketAddr, what: &str) -> io::Result<String> {
    let stream = TcpStream::connect(addr).await?;
    let (reader, mut writer) = stream.into_split();
    writer.write_all(format!("{what}\n").as_bytes()).await?;
    let mut line = String::new();
    BufReader::new(reader).read_line(&mut line).await?;
    Ok(line.trim().to_string())
}

fn main() -> io::Result<()> {
    log::set_logger(&LOGGER).expect("no logger installed yet");
    log::set_max_level(log::LevelFilter::Warn);

    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .slow_poll_threshold(Duration::from_millis(100))
        .build()?;

    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let spinning = Arc::new(Notify::new());
        let dumped = Arc::new(AtomicBool::new(false));
        let (notify, dump_taken) = (spinning.clone(), dumped.clone());
        runtime::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (notify, dump_taken) = (notify.clone(), dump_taken.clone());
                runtime::spawn(async move {
                    if let Err(e) = handle(stream, notify, dump_taken).await {
                        eprintln!("connection error: {e}");
                    }
                });
            }
        });

        // A few well-behaved requests, then the two bad ones.
        for _ in 0..3 {
            assert_eq!(request(addr, "fast").await?, "ok");
        }
        let sleeper = runtime::spawn(request(addr, "sleep"));
        let spinner = runtime::spawn(request(addr, "spin"));

        // While the spin handler is stuck, look at every task.
        spinning.notified().await;
        println!("task dump while the spin handler is stuck:");
        print!("{}", runtime::Handle::current().dump());
        dumped.store(true, Ordering::SeqCst);

        println!("sleep -> {}", sleeper.await??);
        println!("spin -> {}", spinner.await??);
        Ok::<_, io::Error>(())
    })?;

    // Both bad polls were counted while they ran (at 100 ms).
    let m = rt.metrics();
    println!(
        "slow polls: {}, tasks spawned: {}, I/O events: {}",
        m.slow_poll_count(),
        m.spawned_tasks_count(),
        m.io_driver_ready_count()
    );
    Ok(())
}
