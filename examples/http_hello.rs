//! A minimal HTTP/1.1 keep-alive server answering "Hello, world!" to every
//! request, that shuts down cleanly on Ctrl-C.
//!
//! ```text
//! cargo run --release --example http_hello -- [ADDR] [WORKERS]
//! curl http://127.0.0.1:8080/
//! ```
//!
//! ADDR defaults to 127.0.0.1:8080 (port 0 picks a free port), WORKERS to
//! the number of cores. The accept loop follows the runtime's policy:
//! retry at once after a connection aborted before it was accepted, back
//! off with a timer when out of file descriptors.

#[path = "common/http.rs"]
mod http;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use std::io;
use std::time::Duration;

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
            return stream.close().await;
        }
    }
}

/// Accepts forever, one task per connection.
async fn accept_loop(listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                runtime::spawn(async move {
                    if let Err(e) = serve_connection(stream).await {
                        if e.kind() != io::ErrorKind::ConnectionReset {
                            eprintln!("connection error: {e}");
                        }
                    }
                });
            }
            // The peer gave up before we accepted: nothing to do.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
                ) => {}
            // Out of file descriptors (EMFILE/ENFILE): wait for some to
            // free up instead of spinning on accept.
            Err(e) if matches!(e.raw_os_error(), Some(24) | Some(23)) => {
                eprintln!("accept: {e}; backing off");
                runtime::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => {
                eprintln!("accept failed: {e}");
                runtime::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let mut builder = runtime::Builder::new_multi_thread();
    if let Some(workers) = args.next() {
        builder.worker_threads(workers.parse().expect("WORKERS must be a number"));
    }
    let rt = builder.enable_all().build()?;
    rt.block_on(async {
        let listener = TcpListener::bind(&addr).await?;
        // Listen for Ctrl-C from here on, before announcing the address.
        let shutdown = runtime::signal::ctrl_c();
        println!("listening on http://{}", listener.local_addr()?);
        let server = runtime::spawn(accept_loop(listener));
        shutdown.await?;
        println!("Ctrl-C: shutting down");
        server.abort();
        Ok::<_, io::Error>(())
    })?;
    // Dropping the runtime cancels the open connections' tasks.
    drop(rt);
    println!("bye");
    Ok(())
}
