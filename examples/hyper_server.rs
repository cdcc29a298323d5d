//! hyper 1.x on this runtime: an HTTP/1.1 and HTTP/2 "Hello, world!"
//! server (hyper-util's auto builder picks the protocol per connection:
//! HTTP/2 with prior knowledge, HTTP/1.1 otherwise), with a header-read
//! timeout on the runtime's timer wheel, stopping cleanly on Ctrl-C.
//!
//! ```text
//! cargo run --release --example hyper_server -- [ADDR] [WORKERS]
//! curl http://127.0.0.1:3000/
//! curl --http2-prior-knowledge http://127.0.0.1:3000/
//! ```
//!
//! Our `TcpStream` is hyper's I/O as it is (`runtime::compat::hyper`
//! implements hyper's `Read`/`Write` for it); `HyperExecutor` spawns
//! HTTP/2 streams on the runtime and `HyperTimer` gives hyper its timers.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use hyper_util::server::conn::auto;
use runtime::compat::hyper::{HyperExecutor, HyperTimer};
use runtime::net::TcpListener;
use std::convert::Infallible;
use std::io;
use std::time::Duration;

/// How long a client may take to send a request's headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

async fn hello(_: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(
        b"Hello, world!",
    ))))
}

fn builder() -> auto::Builder<HyperExecutor> {
    let mut builder = auto::Builder::new(HyperExecutor);
    builder
        .http1()
        .timer(HyperTimer)
        .header_read_timeout(HEADER_READ_TIMEOUT);
    builder.http2().timer(HyperTimer);
    builder
}

async fn accept_loop(listener: TcpListener) {
    let builder = std::sync::Arc::new(builder());
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Aborted handshakes, or out of fds: back off briefly.
                eprintln!("accept: {e}");
                runtime::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let builder = builder.clone();
        runtime::spawn(async move {
            let service = hyper::service::service_fn(hello);
            // Errors (header timeouts, resets) end only this connection.
            let _ = builder.serve_connection(stream, service).await;
        });
    }
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:3000".to_string());
    let mut rt = runtime::Builder::new_multi_thread();
    if let Some(workers) = args.next() {
        rt.worker_threads(workers.parse().expect("WORKERS must be a number"));
    }
    let rt = rt.enable_all().build()?;
    rt.block_on(async {
        let listener = TcpListener::bind(&addr).await?;
        let shutdown = runtime::signal::ctrl_c();
        println!("listening on http://{}", listener.local_addr()?);
        let server = runtime::spawn(accept_loop(listener));
        shutdown.await?;
        println!("Ctrl-C: shutting down");
        server.abort();
        Ok::<_, io::Error>(())
    })?;
    drop(rt);
    println!("bye");
    Ok(())
}
