//! `runtime::io`'s Tokio-named utilities: typed reads and writes,
//! `read_buf` into uninitialised capacity, `lines`/`next_line`
//! (cancel safe), `copy_bidirectional` through a TCP proxy with
//! half-closes, `duplex` and `simplex` backpressure and close rules,
//! `BufStream`, `copy_buf`, and the standard streams (through a child
//! process running this runtime), and vectored writes of more buffers
//! than one system call takes.

#[macro_use]
mod common;

use runtime::io::{
    copy_bidirectional, copy_buf, duplex, simplex, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt,
    BufReader, BufStream,
};
use runtime::net::{TcpListener, TcpStream};
use runtime::time::{timeout, Duration};

const LIMIT: Duration = Duration::from_secs(30);

rt_test! {
    fn typed_reads_and_writes_round_trip(rt) {
        rt.block_on(async {
            let (mut a, mut b) = duplex(7); // smaller than one frame: backpressure
            let writer = runtime::spawn(async move {
                a.write_u8(1).await.unwrap();
                a.write_i16(-2).await.unwrap();
                a.write_u32_le(3).await.unwrap();
                a.write_i64(-4).await.unwrap();
                a.write_u128_le(5).await.unwrap();
                a.write_f32(1.5).await.unwrap();
                a.write_f64_le(-2.25).await.unwrap();
                a.shutdown().await.unwrap();
            });
            assert_eq!(b.read_u8().await.unwrap(), 1);
            assert_eq!(b.read_i16().await.unwrap(), -2);
            assert_eq!(b.read_u32_le().await.unwrap(), 3);
            assert_eq!(b.read_i64().await.unwrap(), -4);
            assert_eq!(b.read_u128_le().await.unwrap(), 5);
            assert_eq!(b.read_f32().await.unwrap(), 1.5);
            assert_eq!(b.read_f64_le().await.unwrap(), -2.25);
            let err = b.read_u32().await.unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
            writer.await.unwrap();
        });
    }

    fn read_buf_on_a_socket_and_on_any_reader(rt) {
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let sender = runtime::spawn(async move {
                let (mut s, _) = listener.accept().await.unwrap();
                s.write_all(&[7u8; 100_000]).await.unwrap();
            });
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let mut buf = bytes::BytesMut::with_capacity(4096);
            let mut total = 0;
            loop {
                if buf.capacity() == buf.len() {
                    buf.reserve(4096);
                }
                // The socket's inherent read_buf: straight into the spare
                // capacity.
                let n = stream.read_buf(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                total += n;
            }
            assert_eq!(total, 100_000);
            assert_eq!(buf.len(), 100_000);
            assert!(buf.iter().all(|&b| b == 7));
            sender.await.unwrap();

            // The generic one, and a full buffer reading nothing.
            let mut input: &[u8] = b"abcdef";
            let mut small = [0u8; 4];
            let mut slice = &mut small[..];
            assert_eq!(input.read_buf(&mut slice).await.unwrap(), 4);
            assert_eq!(input.read_buf(&mut slice).await.unwrap(), 0);
            assert_eq!(&small, b"abcd");
        });
    }

    fn next_line_keeps_a_partial_line_when_cancelled(rt) {
        rt.block_on(async {
            let (mut tx, rx) = duplex(64);
            let mut lines = BufReader::new(rx).lines();
            tx.write_all(b"hel").await.unwrap();
            // Half a line: the call waits and is dropped.
            runtime::select! {
                biased;
                line = lines.next_line() => panic!("no full line yet: {line:?}"),
                _ = runtime::task::yield_now() => {}
            }
            tx.write_all(b"lo\r\nworld").await.unwrap();
            drop(tx);
            assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("hello"));
            assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("world"));
            assert_eq!(lines.next_line().await.unwrap(), None);
        });
    }

    fn copy_bidirectional_proxies_tcp_with_half_closes(rt) {
        rt.block_on(async {
            // An upper-casing echo server that answers after its input ends.
            let server = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let server_addr = server.local_addr().unwrap();
            let server_task = runtime::spawn(async move {
                let (mut s, _) = server.accept().await.unwrap();
                let mut all = Vec::new();
                s.read_to_end(&mut all).await.unwrap();
                s.write_all(&all.to_ascii_uppercase()).await.unwrap();
                // Dropped: the proxy passes the end on.
            });
            let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let proxy_addr = proxy.local_addr().unwrap();
            let proxy_task = runtime::spawn(async move {
                let (mut inbound, _) = proxy.accept().await.unwrap();
                let mut outbound = TcpStream::connect(server_addr).await.unwrap();
                copy_bidirectional(&mut inbound, &mut outbound).await.unwrap()
            });
            let mut client = TcpStream::connect(proxy_addr).await.unwrap();
            let payload = "through the proxy ".repeat(10_000);
            client.write_all(payload.as_bytes()).await.unwrap();
            client.shutdown().await.unwrap(); // half-close: the server's read ends
            let mut answer = String::new();
            timeout(LIMIT, client.read_to_string(&mut answer)).await.unwrap().unwrap();
            assert_eq!(answer, payload.to_uppercase());
            let (up, down) = proxy_task.await.unwrap();
            assert_eq!((up, down), (payload.len() as u64, payload.len() as u64));
            server_task.await.unwrap();
        });
    }

    fn simplex_backpressure_and_buf_stream(rt) {
        rt.block_on(async {
            let (mut rx, mut tx) = simplex(8);
            let writer = runtime::spawn(async move {
                for i in 0..100u32 {
                    tx.write_u32(i).await.unwrap();
                }
                tx.shutdown().await.unwrap();
            });
            for i in 0..100u32 {
                assert_eq!(rx.read_u32().await.unwrap(), i);
            }
            assert_eq!(rx.read(&mut [0u8; 4]).await.unwrap(), 0);
            writer.await.unwrap();

            let (a, b) = duplex(1024);
            let mut a = BufStream::new(a);
            let mut b = BufReader::new(b);
            a.write_all(b"buffered\n").await.unwrap();
            // Nothing has left yet: only flush sends it.
            a.flush().await.unwrap();
            let mut line = String::new();
            b.read_line(&mut line).await.unwrap();
            assert_eq!(line, "buffered\n");

            let mut reader = BufReader::new(&b"copied through the buffer"[..]);
            let mut out = Vec::new();
            assert_eq!(copy_buf(&mut reader, &mut out).await.unwrap(), 25);
            assert_eq!(out, b"copied through the buffer");
        });
    }
}

#[test]
fn stdio_example_numbers_its_input() {
    use std::io::{Read, Write};
    let mut child = std::process::Command::new(common::example_path("stdio_lines"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        for i in 0..5000 {
            writeln!(stdin, "line {i}").unwrap();
        }
    });
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    feeder.join().unwrap();
    assert!(child.wait().unwrap().success());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5000);
    assert_eq!(lines[0], "1: line 0");
    assert_eq!(lines[4999], "5000: line 4999");
    assert_eq!(err.trim(), "5000 lines");
}

rt_test! {
    fn pipes_and_fifos(rt) {
        rt.block_on(async {
            use runtime::net::unix::pipe;
            let (mut tx, mut rx) = pipe::pipe().unwrap();
            let mut buf = [0u8; 16];
            // Empty: a try is refused, not blocked.
            assert_eq!(rx.try_read(&mut buf).unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
            // More than a pipe holds (64 KiB): the writer waits for the reader.
            let writer = runtime::spawn(async move {
                tx.write_all(&vec![3u8; 1 << 20]).await.unwrap();
            });
            let mut got = Vec::new();
            rx.read_to_end(&mut got).await.unwrap();
            assert_eq!(got.len(), 1 << 20);
            writer.await.unwrap();

            let path = std::env::temp_dir().join(format!("fifo-test-{}-{:p}", std::process::id(), &got));
            let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
            // SAFETY: mkfifo with a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            // No reader yet: a non-blocking open for writing fails (ENXIO).
            let err = pipe::OpenOptions::new().open_sender(&path).unwrap_err();
            assert_eq!(err.raw_os_error(), Some(libc::ENXIO));
            let mut rx = pipe::OpenOptions::new().open_receiver(&path).unwrap();
            let mut tx = pipe::OpenOptions::new().open_sender(&path).unwrap();
            tx.write_u64(42).await.unwrap();
            assert_eq!(rx.read_u64().await.unwrap(), 42);
            std::fs::remove_file(&path).unwrap();

            // A regular file is refused with a message.
            let file = std::fs::File::open("/proc/self/stat").unwrap();
            let err = pipe::Receiver::from_file(file).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        });
    }

    fn async_fd_ready_on_either_direction(rt) {
        rt.block_on(async {
            use runtime::io::{AsyncFd, Interest};
            use std::io::Write;
            let (a, mut b) = std::os::unix::net::UnixStream::pair().unwrap();
            a.set_nonblocking(true).unwrap();
            let a = AsyncFd::with_interest(a, Interest::READABLE).unwrap();
            let waiter = runtime::spawn(async move {
                let mut guard = a.ready(Interest::READABLE).await.unwrap();
                assert!(guard.ready().is_readable());
                guard.clear_ready();
            });
            b.write_all(b"x").unwrap();
            timeout(LIMIT, waiter).await.unwrap().unwrap();
        });
    }
}

rt_test! {
    fn cancelled_async_waits_leave_no_waker(rt) {
        rt.block_on(async {
            use runtime::io::AsyncFd;
            use std::sync::Arc;
            let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
            a.set_nonblocking(true).unwrap();
            let a = Arc::new(AsyncFd::new(a).unwrap());
            // 100 tasks each start waiting for readability, give up, and
            // end: their wakers (which keep the tasks' memory) must go.
            let mut tasks = Vec::new();
            for _ in 0..100 {
                let a = a.clone();
                tasks.push(runtime::spawn(async move {
                    runtime::select! {
                        biased;
                        _ = a.readable() => panic!("nothing was written"),
                        _ = runtime::task::yield_now() => {}
                    }
                    runtime::select! {
                        biased;
                        _ = a.ready(runtime::io::Interest::READABLE) => panic!("nothing was written"),
                        _ = runtime::task::yield_now() => {}
                    }
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!(a.__list_waiters(), 0);
            // A wait in progress holds exactly one.
            let waiting = runtime::spawn({
                let a = a.clone();
                async move { drop(a.readable().await.unwrap()) }
            });
            while a.__list_waiters() == 0 {
                runtime::task::yield_now().await;
            }
            assert_eq!(a.__list_waiters(), 1);
            use std::io::Write;
            (&_b).write_all(b"x").unwrap();
            timeout(LIMIT, waiting).await.unwrap().unwrap();
            assert_eq!(a.__list_waiters(), 0);
        });
    }
}

rt_test! {
    fn vectored_writes_over_iov_max_are_short_not_errors(rt) {
        rt.block_on(async {
            // 3000 one-byte buffers: more than the kernel's IOV_MAX (1024).
            let data: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let reader = runtime::spawn(async move {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut got = Vec::new();
                s.read_to_end(&mut got).await.unwrap();
                got
            });
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let mut sent = 0;
            let mut calls = 0;
            while sent < data.len() {
                let slices: Vec<std::io::IoSlice<'_>> =
                    data[sent..].chunks(1).map(std::io::IoSlice::new).collect();
                let n = stream.write_vectored(&slices).await.unwrap();
                assert!(n > 0 && n <= 1024, "one vectored write took {n} buffers");
                if calls == 0 {
                    let n2 = stream.try_write_vectored(&slices[n..]).unwrap();
                    assert!(n2 > 0 && n2 <= 1024, "try_write_vectored took {n2}");
                    sent += n2;
                }
                sent += n;
                calls += 1;
            }
            assert!(calls >= 2, "3000 buffers went in {calls} call(s)");
            stream.shutdown().await.unwrap();
            let got = timeout(LIMIT, reader).await.unwrap().unwrap();
            assert_eq!(got, data, "bytes were lost or reordered");
        });
    }
}

rt_test! {
    fn a_dropped_socket_whose_fd_lives_on_in_a_duplicate_disturbs_nothing(rt) {
        // Dropping a socket leaves its removal from the poller to the
        // kernel, which removes it only when the last duplicate of the fd
        // closes. Until then, events for the dropped socket's key must be
        // ignored, even after its table slot went to a new socket.
        use std::io::Read;
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let mut client_a = TcpStream::connect(addr).await.unwrap();
            let (server_a, _) = listener.accept().await.unwrap();
            let dup = std::net::TcpStream::from(
                std::os::fd::AsFd::as_fd(&server_a).try_clone_to_owned().unwrap(),
            );
            drop(server_a);
            // Likely in the slot server_a had.
            let mut client_b = TcpStream::connect(addr).await.unwrap();
            let (mut server_b, _) = listener.accept().await.unwrap();
            let reader = runtime::spawn(async move {
                let mut buf = [0u8; 16];
                let n = server_b.read(&mut buf).await.unwrap();
                buf[..n].to_vec()
            });
            // Events on the duplicate: data, then the peer's close.
            for _ in 0..10 {
                client_a.write_all(b"stale").await.unwrap();
            }
            client_a.shutdown().await.unwrap();
            drop(client_a);
            let dup_read = runtime::spawn_blocking(move || {
                let mut dup = dup;
                dup.set_nonblocking(false).unwrap();
                let mut got = Vec::new();
                dup.read_to_end(&mut got).unwrap();
                got
            });
            assert_eq!(timeout(LIMIT, dup_read).await.unwrap().unwrap(), b"stale".repeat(10));
            client_b.write_all(b"fresh").await.unwrap();
            assert_eq!(timeout(LIMIT, reader).await.unwrap().unwrap(), b"fresh");
        });
    }
}

rt_test! {
    fn read_line_and_read_to_string_append_as_tokio_does(rt) {
        rt.block_on(async {
            let mut reader = BufReader::new(&b"one\ntwo"[..]);
            let mut text = String::from("kept:");
            assert_eq!(reader.read_line(&mut text).await.unwrap(), 4);
            assert_eq!(text, "kept:one\n");
            assert_eq!(reader.read_line(&mut text).await.unwrap(), 3);
            assert_eq!(text, "kept:one\ntwo");
            assert_eq!(reader.read_line(&mut text).await.unwrap(), 0);
            assert_eq!(text, "kept:one\ntwo");

            let mut input: &[u8] = &[b'x'; 5000];
            let mut all = String::from("head ");
            assert_eq!(input.read_to_string(&mut all).await.unwrap(), 5000);
            assert_eq!(all.len(), 5005);
            assert!(all.starts_with("head xxx"));

            // Not UTF-8: an InvalidData error, and the string as it was.
            let mut reader = BufReader::new(&[0xff, 0xfe, b'\n'][..]);
            let mut text = String::from("before");
            let err = reader.read_line(&mut text).await.unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
            assert_eq!(text, "before");
            let mut input: &[u8] = &[b'a', 0xc3];
            let err = input.read_to_string(&mut text).await.unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
            assert_eq!(text, "before");
        });
    }
}
