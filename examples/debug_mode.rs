//! Debug mode: slow-poll warnings, the stall watchdog and a task dump, shown
//! on a small line-protocol server with two badly behaved handlers.
//!
//! ```text
//! cargo run --example debug_mode
//! ```
//!
//! The server answers `fast`, `sleep` and `spin` requests. `sleep` calls
//! `std::thread::sleep` inside an async handler (the classic mistake: it
//! blocks the worker); `spin` computes for a while without ever awaiting.
//! With `slow_poll_threshold(100 ms)` the runtime names both handlers'
//! tasks and their spawn locations through the `log` crate, the `spin`
//! one while it is still stuck, and `Handle::dump` lists every task with
//! its state. The output is reproduced in `docs/observability.md`.

use runtime::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::Notify;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Prints `log` records to stderr (any logger works: env_logger,
/// tracing-log, ...).
struct StderrLogger;

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn
    }
    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!("[{} {}] {}", record.level(), record.target(), record.args());
        }
    }
    fn flush(&self) {}
}

/// Serves one connection: one request per line.
async fn handle(stream: TcpStream, spinning: Arc<Notify>) -> io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader).lines();
    use runtime::stream::StreamExt;
    while let Some(line) = lines.next().await {
        let reply = match line?.trim() {
            "fast" => "ok".to_string(),
            "sleep" => {
                // BAD: blocks the worker thread for 250 ms. Use
                // runtime::time::sleep(..).await (or spawn_blocking).
                std::thread::sleep(Duration::from_millis(250));
                "slept".to_string()
            }
            "spin" => {
                spinning.notify_one();
                // BAD: 600 ms of computing without an .await. Use
                // spawn_blocking, or yield_now() inside the loop.
                let start = Instant::now();
                let mut x = 0u64;
                while start.elapsed() < Duration::from_millis(600) {
                    x = x.wrapping_mul(31).wrapping_add(7);
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
    log::set_logger(&StderrLogger).expect("no logger installed yet");
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
        let notify = spinning.clone();
        runtime::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let notify = notify.clone();
                runtime::spawn(async move {
                    if let Err(e) = handle(stream, notify).await {
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
        runtime::time::sleep(Duration::from_millis(300)).await;
        println!("task dump while the spin handler is stuck:");
        print!("{}", runtime::Handle::current().dump());

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
