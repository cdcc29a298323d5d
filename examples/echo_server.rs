//! A TCP echo server: every byte a client sends comes back.
//!
//! ```text
//! cargo run --example echo_server -- [ADDR]
//! nc 127.0.0.1 7000
//! ```
//!
//! Its accept loop is the pattern to copy: `accept()` returns every
//! error; a connection aborted or reset before it was accepted is retried
//! at once, running out of file descriptors backs off with a timer (never
//! a spin), and the server keeps serving either way.

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use std::io;
use std::time::Duration;

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

#[runtime::main]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7000".to_string());
    let listener = TcpListener::bind(&addr).await?;
    println!("echo server listening on {}", listener.local_addr()?);
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                runtime::spawn(async move {
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
                runtime::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e),
        }
    }
}
