//! Benchmark only: the same minimal HTTP/1.1 server as `http_hello.rs`,
//! on Tokio, so `benches/http.sh` can measure both under `wrk` with the
//! same request handling (`common/http.rs`). Not part of the runtime.
//!
//! ```text
//! cargo run --release --example http_hello_tokio -- [ADDR] [WORKERS]
//! ```

#[path = "common/http.rs"]
mod http;

use std::io;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn serve_connection(mut stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf = Vec::with_capacity(4096);
    let mut out = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        let keep_open = http::handle(&mut buf, &mut out);
        if !out.is_empty() {
            stream.write_all(&out).await?;
            out.clear();
        }
        if !keep_open {
            return stream.shutdown().await;
        }
    }
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8081".to_string());
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = args.next() {
        builder.worker_threads(workers.parse().expect("WORKERS must be a number"));
    }
    let rt = builder.enable_all().build()?;
    rt.block_on(async {
        let listener = TcpListener::bind(&addr).await?;
        println!("listening on http://{}", listener.local_addr()?);
        let server = tokio::spawn(async move {
            loop {
                if let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(async move {
                        let _ = serve_connection(stream).await;
                    });
                }
            }
        });
        tokio::signal::ctrl_c().await?;
        server.abort();
        Ok::<_, io::Error>(())
    })
}
