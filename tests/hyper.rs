//! hyper 1.x on the runtime: hyper's own client against a hyper server,
//! both on our executor, timer and sockets (HTTP/1.1 keep-alive, HTTP/2
//! multiplexing, header-read timeouts on the paused clock, Unix sockets),
//! and the `hyper_server` example driven the same way.

#[macro_use]
mod common;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::{Request, Response};
use hyper_util::server::conn::auto;
use runtime::compat::hyper::{HyperExecutor, HyperTimer};
use runtime::net::{TcpListener, TcpStream};
use std::convert::Infallible;
use std::time::Duration;

async fn echo_path(
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = format!("hello {}", req.uri().path());
    Ok(Response::new(Full::new(Bytes::from(body))))
}

fn server_builder(header_timeout: Duration) -> auto::Builder<HyperExecutor> {
    let mut b = auto::Builder::new(HyperExecutor);
    b.http1()
        .timer(HyperTimer)
        .header_read_timeout(header_timeout);
    b.http2().timer(HyperTimer);
    b
}

/// Serves `echo_path` on a fresh loopback listener; returns its address.
async fn start_server(header_timeout: Duration) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let builder = std::sync::Arc::new(server_builder(header_timeout));
    runtime::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let builder = builder.clone();
            runtime::spawn(async move {
                let _ = builder
                    .serve_connection(stream, hyper::service::service_fn(echo_path))
                    .await;
            });
        }
    });
    addr
}

async fn body_text(res: Response<hyper::body::Incoming>) -> String {
    assert_eq!(res.status(), 200);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn get(path: &str) -> Request<Empty<Bytes>> {
    Request::get(path)
        .header("host", "localhost")
        .body(Empty::new())
        .unwrap()
}

rt_test! {
    fn http1_keep_alive_with_hyper_client(rt) {
        rt.block_on(async {
            let addr = start_server(Duration::from_secs(30)).await;
            let stream = TcpStream::connect(addr).await.unwrap();
            let (mut sender, conn) = hyper::client::conn::http1::handshake(stream).await.unwrap();
            let conn = runtime::spawn(conn);
            // Three requests on one connection.
            for i in 0..3 {
                sender.ready().await.unwrap();
                let res = sender.send_request(get(&format!("/r{i}"))).await.unwrap();
                assert_eq!(res.version(), hyper::Version::HTTP_11);
                assert_eq!(body_text(res).await, format!("hello /r{i}"));
            }
            drop(sender);
            conn.await.unwrap().unwrap();
        });
    }

    fn http2_multiplexes_with_hyper_client(rt) {
        rt.block_on(async {
            let addr = start_server(Duration::from_secs(30)).await;
            let stream = TcpStream::connect(addr).await.unwrap();
            let (sender, conn) = hyper::client::conn::http2::Builder::new(HyperExecutor)
                .timer(HyperTimer)
                .handshake(stream)
                .await
                .unwrap();
            runtime::spawn(conn);
            // Twenty requests in flight at once on one connection.
            let mut set = runtime::task::JoinSet::new();
            for i in 0..20 {
                let mut sender = sender.clone();
                set.spawn(async move {
                    let res = sender.send_request(get(&format!("http://localhost/s{i}"))).await.unwrap();
                    assert_eq!(res.version(), hyper::Version::HTTP_2);
                    (i, body_text(res).await)
                });
            }
            let mut seen = 0;
            while let Some(res) = set.join_next().await {
                let (i, text) = res.unwrap();
                assert_eq!(text, format!("hello /s{i}"));
                seen += 1;
            }
            assert_eq!(seen, 20);
        });
    }
}

/// A client that sends half a request head is cut off after the
/// header-read timeout, measured on the runtime's (paused) clock: the test
/// takes no real time.
#[test]
fn header_read_timeout_fires_on_the_runtime_timer() {
    let rt = common::paused();
    rt.block_on(async {
        use runtime::io::{AsyncReadExt, AsyncWriteExt};
        let addr = start_server(Duration::from_secs(5)).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let start = runtime::time::Instant::now();
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let mut buf = Vec::new();
        // The server gives up on the request and closes the connection.
        let _ = stream.read_to_end(&mut buf).await;
        let waited = start.elapsed();
        assert!(waited >= Duration::from_secs(5), "closed after {waited:?}");
        assert!(waited < Duration::from_secs(30), "closed after {waited:?}");
        // Nothing but (at most) an error status came back.
        assert!(
            buf.is_empty() || buf.starts_with(b"HTTP/1.1 408"),
            "{buf:?}"
        );
    });
}

/// hyper's I/O traits on `UnixStream` too.
#[test]
fn http1_over_unix_sockets() {
    let rt = common::multi_thread(2);
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("rt-hyper-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("sock");
        let _ = std::fs::remove_file(&path);
        let listener = runtime::net::UnixListener::bind(&path).unwrap();
        runtime::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            hyper::server::conn::http1::Builder::new()
                .serve_connection(stream, hyper::service::service_fn(echo_path))
                .await
                .unwrap();
        });
        let stream = runtime::net::UnixStream::connect(&path).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(stream).await.unwrap();
        runtime::spawn(conn);
        let res = sender.send_request(get("/unix")).await.unwrap();
        assert_eq!(body_text(res).await, "hello /unix");
        let _ = std::fs::remove_file(&path);
    });
}

/// `HyperTimer::reset` moves a sleep to a new deadline in place.
#[test]
fn hyper_timer_reset_moves_the_deadline() {
    use hyper::rt::Timer;
    let rt = common::paused();
    rt.block_on(async {
        let timer = HyperTimer;
        let start = std::time::Instant::now();
        let mut sleep = timer.sleep(Duration::from_secs(100));
        let target = runtime::time::Instant::now() + Duration::from_secs(3);
        timer.reset(&mut sleep, target.into_std());
        let before = runtime::time::Instant::now();
        sleep.as_mut().await;
        let waited = before.elapsed();
        assert!(
            waited >= Duration::from_secs(3) && waited < Duration::from_secs(100),
            "{waited:?}"
        );
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the paused clock jumped"
        );
    });
}
