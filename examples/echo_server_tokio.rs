//! Benchmark only: the same TCP echo server as `echo_server.rs`, on Tokio,
//! so `cargo bench --bench syscalls` can count both servers' system calls
//! per connection and per request. Not part of the runtime.
//!
//! ```text
//! cargo run --release --example echo_server_tokio -- [ADDR]
//! ```

use std::io;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn echo(mut stream: TcpStream) -> io::Result<u64> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut total = 0;
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(total);
        }
        stream.write_all(&buf[..n]).await?;
        total += n as u64;
    }
}

#[tokio::main]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7000".to_string());
    let listener = TcpListener::bind(&addr).await?;
    println!("echo server listening on {}", listener.local_addr()?);
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                tokio::spawn(async move {
                    match echo(stream).await {
                        Ok(n) => println!("{peer}: echoed {n} bytes"),
                        Err(e) => println!("{peer}: {e}"),
                    }
                });
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
                ) => {}
            Err(e) if matches!(e.raw_os_error(), Some(24) | Some(23)) => {
                eprintln!("accept: {e} (out of file descriptors); backing off");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e),
        }
    }
}
