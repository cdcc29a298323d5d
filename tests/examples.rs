//! The examples run: each is started as its own process (cargo builds
//! them for `cargo test`) and checked from the outside.

#[allow(unused_macros)]
#[macro_use]
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

/// Starts a server example and returns it with the address it printed.
fn start_server(name: &str, args: &[&str]) -> (Child, String) {
    let mut child = Command::new(common::example_path(name))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .trim_start_matches("http://")
        .to_string();
    (child, addr)
}

#[test]
fn hello_runs() {
    let out = common::run_example("hello");
    assert!(out.contains("hello from task"), "{out}");
}

#[test]
fn fetch_many_reports_each_url() {
    // Only the page that never answers can time out (the others have 30 s:
    // a hang guard, not a budget they could miss on a busy machine).
    let out = common::run_example("fetch_many");
    assert_eq!(out.matches("ok    ").count(), 3, "{out}");
    assert!(out.contains("/never: timed out after 500ms"), "{out}");
    assert_eq!(out.matches("timed out").count(), 1, "{out}");
    assert!(out.contains("/missing: HTTP 404"), "{out}");
    assert!(out.contains("refused"), "{out}");
}

#[test]
fn stream_tour_prints_its_results() {
    let out = common::run_example("stream_tour");
    assert!(
        out.contains("batches: [[0, 1, 2], [0, 1, 2, 3], [4], [0]]"),
        "{out}"
    );
    assert!(out.contains(r#"feeds: {"ticks": 3, "words": 2}"#), "{out}");
    assert_eq!(out.matches("deadline has elapsed").count(), 3, "{out}");
    assert!(out.contains(r#"config: ["v1", "v2"]"#), "{out}");
}

#[test]
fn producer_consumer_stays_within_capacity() {
    let out = common::run_example("producer_consumer");
    assert!(out.contains("60 items through a queue of 8"), "{out}");
}

#[test]
fn echo_server_echoes() {
    let (mut child, addr) = start_server("echo_server", &["127.0.0.1:0"]);
    let mut c = std::net::TcpStream::connect(&addr).unwrap();
    c.write_all(b"ping over tcp").unwrap();
    let mut buf = [0; 13];
    c.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ping over tcp");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn http_hello_keeps_alive_and_stops_on_ctrl_c() {
    let (child, addr) = start_server("http_hello", &["127.0.0.1:0", "1"]);
    let mut c = std::net::TcpStream::connect(&addr).unwrap();
    // Two requests on one connection, the second pipelined with a third.
    let mut reader = BufReader::new(c.try_clone().unwrap());
    for round in 0..2 {
        let req = if round == 0 {
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_string()
        } else {
            "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n".to_string()
        };
        c.write_all(req.as_bytes()).unwrap();
        for _ in 0..(round + 1) {
            let mut status = String::new();
            reader.read_line(&mut status).unwrap();
            assert_eq!(status, "HTTP/1.1 200 OK\r\n");
            let mut len = 0;
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                if h == "\r\n" {
                    break;
                }
                if let Some(v) = h.strip_prefix("Content-Length: ") {
                    len = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            assert_eq!(body, b"Hello, world!");
        }
    }
    let rest = common::stop_with_ctrl_c(child);
    assert!(
        rest.contains("shutting down") && rest.contains("bye"),
        "{rest}"
    );
}

#[test]
fn debug_mode_names_the_bad_handlers_and_dumps_tasks() {
    let (stdout, stderr) = common::run_example_with_stderr("debug_mode");
    // The dump: a header, the stuck handler running, its spawn location.
    assert!(stdout.contains("task  state"), "{stdout}");
    assert!(stdout.contains(" running "), "{stdout}");
    assert!(stdout.contains("examples/debug_mode.rs:"), "{stdout}");
    // At least the two bad polls, which last until the watchdog has named
    // them (a machine busy with other tests may stall a good one past
    // 100 ms too, which is then rightly counted).
    let slow: u32 = stdout
        .split("slow polls: ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .expect("a `slow polls: N,` line");
    assert!(slow >= 2, "{stdout}");
    // The warnings: the handlers (both spawned by the accept loop, line
    // 141) named while stuck and when they return.
    let from_handlers = |what: &str| {
        stderr
            .lines()
            .filter(|l| l.contains("spawned at examples/debug_mode.rs:141:") && l.contains(what))
            .count()
    };
    assert!(from_handlers("has not returned yet") >= 2, "{stderr}");
    assert!(from_handlers("blocked its worker for") >= 2, "{stderr}");
    assert!(stdout.contains("sleep -> slept"), "{stdout}");
    assert!(stdout.contains("spin -> spun"), "{stdout}");
}

/// hyper's own client, on this runtime, against the `hyper_server`
/// example: HTTP/1.1 and HTTP/2 on the same port, then Ctrl-C.
#[test]
fn hyper_server_serves_http1_and_http2() {
    use http_body_util::{BodyExt, Empty};
    use runtime::compat::hyper::HyperExecutor;
    let (child, addr) = start_server("hyper_server", &["127.0.0.1:0", "1"]);
    let rt = runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let get = || {
            hyper::Request::get("http://localhost/")
                .header("host", "localhost")
                .body(Empty::<bytes::Bytes>::new())
                .unwrap()
        };
        let stream = runtime::net::TcpStream::connect(&addr).await.unwrap();
        let (mut h1, conn) = hyper::client::conn::http1::handshake(stream).await.unwrap();
        runtime::spawn(conn);
        let stream = runtime::net::TcpStream::connect(&addr).await.unwrap();
        let (mut h2, conn) = hyper::client::conn::http2::handshake(HyperExecutor, stream)
            .await
            .unwrap();
        runtime::spawn(conn);
        for (version, res) in [
            (hyper::Version::HTTP_11, h1.send_request(get()).await),
            (hyper::Version::HTTP_2, h2.send_request(get()).await),
        ] {
            let res = res.unwrap();
            assert_eq!(res.version(), version);
            let body = res.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(&body[..], b"Hello, world!");
        }
    });
    let rest = common::stop_with_ctrl_c(child);
    assert!(rest.contains("bye"), "{rest}");
}

#[test]
fn graceful_shutdown_on_sigterm() {
    let (mut child, addr) = start_server("graceful_shutdown", &["127.0.0.1:0"]);
    let c = std::net::TcpStream::connect(&addr).unwrap();
    let mut reader = BufReader::new(c.try_clone().unwrap());
    (&c).write_all(b"hello\n").unwrap();
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line, "hello\n");
    // SAFETY: sends SIGTERM to the child we started.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(sent, 0);
    // The open connection is told, then closed.
    line.clear();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line, "server shutting down, bye\n");
    line.clear();
    assert_eq!(reader.read_line(&mut line).unwrap(), 0);
    let mut rest = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut rest)
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert!(rest.contains("SIGTERM: shutting down"), "{rest}");
    assert!(
        rest.contains("1 connection(s) served, all closed cleanly: true"),
        "{rest}"
    );
}
