//! asyncio's classic: fetch many URLs concurrently, each with its own
//! timeout, and report a result or an error per URL.
//!
//! The example starts its own local HTTP server (one path is slow, one
//! never answers, one is missing) and also asks a port nobody listens on,
//! so every kind of outcome shows up: success, HTTP error, timeout,
//! connection refused. The page known never to answer gets a short
//! timeout; the others a generous one, so a busy machine does not turn a
//! slow answer into a timeout.
//!
//! ```text
//! cargo run --example fetch_many
//! ```

#[path = "common/http.rs"]
mod http;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpSocket, TcpStream};
use runtime::task::JoinSet;
use runtime::time::{sleep, timeout, Duration, Instant};
use std::io;

/// The local server: `/slow/N` answers after N ms, `/never` never
/// answers, `/missing` is a 404, anything else is "Hello, world!".
async fn server(listener: TcpListener) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        runtime::spawn(async move {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            let req = loop {
                let n = stream.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                match http::parse(&buf) {
                    Ok(Some(req)) => break req,
                    Ok(None) => continue,
                    Err(_) => return,
                }
            };
            let mut out = Vec::new();
            if req.path == "/never" {
                // Holds the connection without a word, like a hung server.
                std::future::pending::<()>().await;
            } else if let Some(ms) = req.path.strip_prefix("/slow/") {
                sleep(Duration::from_millis(ms.parse().unwrap_or(0))).await;
                http::respond(&mut out, "200 OK", "finally", false);
            } else if req.path == "/missing" {
                http::respond(&mut out, "404 Not Found", "no such page", false);
            } else {
                http::respond(&mut out, "200 OK", http::BODY, false);
            }
            let _ = stream.write_all(&out).await;
        });
    }
}

/// A tiny HTTP/1.1 GET: returns the status code and the body.
async fn fetch(url: &str) -> io::Result<(u16, String)> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "only http:// URLs"))?;
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = TcpStream::connect(host).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no status line"))?;
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Ok((status, body.to_string()))
}

#[runtime::main]
async fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = runtime::spawn(server(listener));
    // A port nobody listens on: bound (so no one else takes it) but not
    // listening, so connecting is refused.
    let closed = TcpSocket::new_v4()?;
    closed.bind("127.0.0.1:0".parse().unwrap())?;
    let closed_port = closed.local_addr()?;

    let patient = Duration::from_secs(30);
    let impatient = Duration::from_millis(500);
    let urls = [
        (format!("http://{addr}/"), patient),
        (format!("http://{addr}/about"), patient),
        (format!("http://{addr}/slow/100"), patient),
        (format!("http://{addr}/never"), impatient),
        (format!("http://{addr}/missing"), patient),
        (format!("http://{closed_port}/"), patient),
    ];
    let started = Instant::now();
    let mut set = JoinSet::new();
    for (i, (url, per_url)) in urls.iter().cloned().enumerate() {
        set.spawn(async move {
            let outcome = match timeout(per_url, fetch(&url)).await {
                Ok(Ok((200, body))) => Ok(format!("200, {} bytes: {body:?}", body.len())),
                Ok(Ok((status, _))) => Err(format!("HTTP {status}")),
                Ok(Err(e)) => Err(format!("{e}")),
                Err(_) => Err(format!("timed out after {per_url:?}")),
            };
            (i, url, outcome)
        });
    }
    let mut results = set.join_all().await;
    results.sort_by_key(|(i, _, _)| *i);
    let mut failures = 0;
    for (_, url, outcome) in &results {
        match outcome {
            Ok(ok) => println!("ok    {url}: {ok}"),
            Err(e) => {
                failures += 1;
                println!("error {url}: {e}");
            }
        }
    }
    println!(
        "{} URLs in {:?} (all at once, so about the slowest one, not the sum): {} ok, {failures} failed",
        results.len(),
        started.elapsed(),
        results.len() - failures
    );
    server.abort();
    Ok(())
}
