//! Benchmark only: the same minimal HTTP/1.1 server as `http_hello.rs`, on
//! smol's executor (async-executor run by one thread, async-io's reactor),
//! so `benches/http.sh` measures all three with the same request handling
//! (`common/http.rs`). Not part of the runtime. Ends on SIGINT (default
//! action).
//!
//! ```text
//! cargo run --release --example http_hello_smol -- [ADDR]
//! ```

#[path = "common/http.rs"]
mod http;

use async_io::Async;
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

async fn serve_connection(mut stream: Async<TcpStream>) -> io::Result<()> {
    stream.get_ref().set_nodelay(true)?;
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
            return stream.close().await;
        }
    }
}

fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8082".to_string());
    let ex = Arc::new(async_executor::Executor::new());
    let listener = Async::<TcpListener>::bind(addr.parse::<std::net::SocketAddr>().expect("ADDR"))?;
    println!("listening on http://{}", listener.get_ref().local_addr()?);
    // One thread runs the executor (the other servers run 1 worker).
    async_io::block_on(ex.run(async {
        loop {
            if let Ok((stream, _)) = listener.accept().await {
                ex.spawn(async move {
                    let _ = serve_connection(stream).await;
                })
                .detach();
            }
        }
    }))
}
