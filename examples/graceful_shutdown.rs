//! Graceful shutdown on SIGTERM or Ctrl-C: a line-echo server that, when
//! told to stop, stops accepting, tells each open connection to finish
//! (it says goodbye and closes), waits for them for at most 10 s, and
//! exits with status 0. This is what a service manager (systemd,
//! Kubernetes, Docker) expects: SIGTERM first, SIGKILL only later.
//!
//! ```text
//! cargo run --example graceful_shutdown -- 127.0.0.1:7878
//! nc 127.0.0.1 7878          # type lines, they come back
//! kill -TERM <pid>           # or Ctrl-C in the server's terminal
//! ```

use runtime::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use runtime::net::{TcpListener, TcpStream};
use runtime::signal::unix::{signal, SignalKind};
use runtime::sync::CancellationToken;
use runtime::task::JoinSet;
use runtime::time::{timeout, Duration};

#[runtime::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7878".into());
    let listener = TcpListener::bind(&addr).await?;
    // Listen for the signals before announcing the address, so a signal
    // sent as soon as the address is printed is never missed.
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    println!("listening on {}", listener.local_addr()?);

    let stop = CancellationToken::new();
    let mut connections = JoinSet::new();
    let mut accepted = 0u64;
    loop {
        runtime::select! {
            conn = listener.accept() => {
                let (stream, _) = conn?;
                accepted += 1;
                connections.spawn(serve(stream, stop.child_token()));
            }
            _ = terminate.recv() => {
                println!("SIGTERM: shutting down");
                break;
            }
            _ = interrupt.recv() => {
                println!("SIGINT: shutting down");
                break;
            }
        }
    }
    drop(listener); // new connections are refused from here on
    stop.cancel();
    let drained = timeout(Duration::from_secs(10), async {
        while let Some(done) = connections.join_next().await {
            done.expect("a connection task panicked");
        }
    })
    .await;
    println!(
        "{accepted} connection(s) served, all closed cleanly: {}",
        drained.is_ok()
    );
    Ok(())
}

/// Echoes lines until the client leaves or the server stops.
async fn serve(stream: TcpStream, stop: CancellationToken) {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut line = String::new();
    loop {
        line.clear();
        runtime::select! {
            read = reader.read_line(&mut line) => match read {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    if writer.write_all(line.as_bytes()).await.is_err() {
                        return;
                    }
                }
            },
            _ = stop.cancelled() => {
                let _ = writer.write_all(b"server shutting down, bye\n").await;
                return;
            }
        }
    }
}
