//! Benchmark only: `hyper_server.rs` on Tokio (hyper-util's TokioIo and
//! TokioExecutor), so `benches/hyper.sh` can measure the same hyper
//! service on both runtimes. Not part of the runtime.
//!
//! ```text
//! cargo run --release --example hyper_server_tokio -- [ADDR] [WORKERS]
//! ```

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use std::convert::Infallible;
use std::io;
use std::time::Duration;

async fn hello(_: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(
        b"Hello, world!",
    ))))
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:3001".to_string());
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = args.next() {
        rt.worker_threads(workers.parse().expect("WORKERS must be a number"));
    }
    let rt = rt.enable_all().build()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        println!("listening on http://{}", listener.local_addr()?);
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(Duration::from_secs(5));
        builder.http2().timer(TokioTimer::new());
        let builder = std::sync::Arc::new(builder);
        let server = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let builder = builder.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(hello);
                    let _ = builder
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        tokio::signal::ctrl_c().await?;
        println!("Ctrl-C: shutting down");
        server.abort();
        Ok::<_, io::Error>(())
    })?;
    drop(rt);
    println!("bye");
    Ok(())
}
