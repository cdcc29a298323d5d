//! Networking on every scheduler flavour: echo under load, partial reads
//! and writes, resets, closed peers, refused connects, UDP and Unix
//! sockets, `AsyncFd`, and I/O progress while a worker is stuck in compute.

#[macro_use]
mod common;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream, UdpSocket, UnixDatagram, UnixListener, UnixStream};
use std::io::ErrorKind;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// An echo server on 127.0.0.1 that serves until the runtime stops; its
/// accept loop retries after per-connection errors, as the docs say to.
async fn echo_server() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    runtime::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                continue;
            };
            runtime::spawn(async move {
                let mut buf = vec![0; 4096];
                loop {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            if socket.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    addr
}

/// A deterministic byte pattern, different per client.
fn pattern(client: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 31 + client * 7) % 251) as u8)
        .collect()
}

rt_test! {
    fn echo_100_clients_64k(rt) {
        rt.block_on(async {
            let addr = echo_server().await;
            let clients: Vec<_> = (0..100)
                .map(|c| {
                    runtime::spawn(async move {
                        let data = pattern(c, 64 * 1024);
                        let stream = TcpStream::connect(addr).await.unwrap();
                        let (mut rd, mut wr) = stream.into_split();
                        let expected = data.clone();
                        let writer = runtime::spawn(async move {
                            wr.write_all(&data).await.unwrap();
                            wr
                        });
                        let mut got = vec![0; expected.len()];
                        rd.read_exact(&mut got).await.unwrap();
                        assert!(got == expected, "client {c} got different bytes back");
                        drop(writer.await.unwrap());
                    })
                })
                .collect();
            for c in clients {
                c.await.unwrap();
            }
        });
    }

    fn partial_reads_and_writes(rt) {
        rt.block_on(async {
            let addr = echo_server().await;
            let mut stream = TcpStream::connect(addr).await.unwrap();
            // One byte at a time out, small reads in.
            let data = pattern(1, 1000);
            for b in &data {
                stream.write_all(std::slice::from_ref(b)).await.unwrap();
            }
            let mut got = Vec::new();
            let mut small = [0; 7];
            while got.len() < data.len() {
                let n = stream.read(&mut small).await.unwrap();
                assert!(n > 0 && n <= 7);
                got.extend_from_slice(&small[..n]);
            }
            assert_eq!(got, data);

            // A write far larger than the socket buffers completes in
            // pieces while the reader drains slowly.
            let (a, b) = UnixStream::pair().unwrap();
            let big = pattern(2, 8 << 20);
            let expected = big.clone();
            let writer = runtime::spawn(async move {
                let mut a = a;
                let mut written = 0;
                while written < big.len() {
                    let n = a.write(&big[written..]).await.unwrap();
                    assert!(n > 0);
                    written += n;
                }
                written
            });
            let mut b = b;
            let mut got = Vec::with_capacity(expected.len());
            let mut buf = vec![0; 1000];
            while got.len() < expected.len() {
                let n = b.read(&mut buf).await.unwrap();
                got.extend_from_slice(&buf[..n]);
            }
            assert_eq!(writer.await.unwrap(), expected.len());
            assert!(got == expected);
        });
    }

    fn reset_mid_stream_is_an_error_and_the_server_keeps_serving(rt) {
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = runtime::spawn(async move {
                let mut results = Vec::new();
                for _ in 0..2 {
                    let (mut s, _) = listener.accept().await.unwrap();
                    let mut buf = vec![0; 1 << 16];
                    // Read until the peer stops, however it stops.
                    let outcome = loop {
                        match s.read(&mut buf).await {
                            Ok(0) => break Ok(()),
                            Ok(_) => {
                                let _ = s.write_all(b"ack").await;
                            }
                            Err(e) => break Err(e.kind()),
                        }
                    };
                    results.push(outcome);
                }
                results
            });
            // First client: sends, makes sure the server answered, then
            // resets the connection (SO_LINGER 0 + close sends RST).
            let mut c = TcpStream::connect(addr).await.unwrap();
            c.write_all(b"hello").await.unwrap();
            let mut ack = [0; 3];
            c.read_exact(&mut ack).await.unwrap();
            c.set_linger(Some(std::time::Duration::ZERO)).unwrap();
            drop(c);
            // Second client: served normally.
            let mut c = TcpStream::connect(addr).await.unwrap();
            c.write_all(b"again").await.unwrap();
            c.read_exact(&mut ack).await.unwrap();
            assert_eq!(&ack, b"ack");
            c.close().await.unwrap();
            let results = server.await.unwrap();
            assert_eq!(results[0], Err(ErrorKind::ConnectionReset));
            assert_eq!(results[1], Ok(()));
        });
    }

    fn write_to_closed_peer_is_an_error(rt) {
        rt.block_on(async {
            let (mut c, s) = common::tcp_pair().await;
            drop(s);
            // The first writes may be accepted into the buffer; the peer's
            // RST then turns later ones into errors (never SIGPIPE).
            let chunk = vec![7u8; 64 * 1024];
            let mut err = None;
            for _ in 0..1000 {
                if let Err(e) = c.write_all(&chunk).await {
                    err = Some(e.kind());
                    break;
                }
                runtime::task::yield_now().await;
            }
            let kind = err.expect("writing to a closed peer kept succeeding");
            assert!(
                matches!(kind, ErrorKind::BrokenPipe | ErrorKind::ConnectionReset),
                "unexpected error kind {kind:?}"
            );
        });
    }

    fn connect_to_closed_port_is_refused(rt) {
        rt.block_on(async {
            // Bound but not listening: the port refuses connections, and
            // no other socket can take it (and listen) meanwhile.
            let closed = runtime::net::TcpSocket::new_v4().unwrap();
            closed.bind("127.0.0.1:0".parse().unwrap()).unwrap();
            let addr = closed.local_addr().unwrap();
            let err = TcpStream::connect(addr).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
            drop(closed);
        });
    }

    fn udp_round_trip(rt) {
        rt.block_on(async {
            let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let b_addr = b.local_addr().unwrap();
            let a_addr = a.local_addr().unwrap();
            let echo = runtime::spawn(async move {
                let mut buf = [0; 64];
                for _ in 0..10 {
                    let (n, from) = b.recv_from(&mut buf).await.unwrap();
                    b.send_to(&buf[..n], from).await.unwrap();
                }
            });
            a.connect(b_addr).await.unwrap();
            for i in 0..10u8 {
                a.send(&[i; 5]).await.unwrap();
                let mut buf = [0; 64];
                let n = a.recv(&mut buf).await.unwrap();
                assert_eq!(&buf[..n], &[i; 5]);
            }
            assert_eq!(a.peer_addr().unwrap(), b_addr);
            assert_eq!(a.local_addr().unwrap(), a_addr);
            echo.await.unwrap();
        });
    }

    fn unix_stream_and_datagram_round_trips(rt) {
        rt.block_on(async {
            let dir = tempdir();
            let path = dir.join("stream.sock");
            let listener = UnixListener::bind(&path).unwrap();
            let server = runtime::spawn(async move {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = [0; 5];
                s.read_exact(&mut buf).await.unwrap();
                s.write_all(&buf).await.unwrap();
            });
            let mut c = UnixStream::connect(&path).await.unwrap();
            c.write_all(b"unix!").await.unwrap();
            let mut buf = [0; 5];
            c.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"unix!");
            server.await.unwrap();

            let a_path = dir.join("a.sock");
            let b_path = dir.join("b.sock");
            let a = UnixDatagram::bind(&a_path).unwrap();
            let b = UnixDatagram::bind(&b_path).unwrap();
            a.send_to(b"dgram", &b_path).await.unwrap();
            let (n, from) = b.recv_from(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"dgram");
            assert_eq!(from.as_pathname(), Some(a_path.as_path()));

            let (x, y) = UnixDatagram::pair().unwrap();
            x.send(b"pair").await.unwrap();
            let n = y.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"pair");
            std::fs::remove_dir_all(&dir).unwrap();
        });
    }

    fn async_fd_readiness(rt) {
        rt.block_on(async {
            use runtime::io::AsyncFd;
            use std::io::{Read, Write};
            let (a, mut b) = std::os::unix::net::UnixStream::pair().unwrap();
            a.set_nonblocking(true).unwrap();
            let a = AsyncFd::new(a).unwrap();
            // Nothing to read yet: try_io says WouldBlock.
            let mut buf = [0; 8];
            let err = a
                .try_io(runtime::io::Interest::READABLE, |s| (&*s).read(&mut buf))
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::WouldBlock);
            let reader = async {
                loop {
                    let mut guard = a.readable().await.unwrap();
                    assert!(guard.ready().is_readable());
                    match guard.try_io(|fd| fd.get_ref().read(&mut buf)) {
                        Ok(n) => break n.unwrap(),
                        Err(_) => continue,
                    }
                }
            };
            b.write_all(b"fd").unwrap();
            let n = reader.await;
            assert_eq!(&buf[..n], b"fd");
            let guard = a.writable().await.unwrap();
            assert!(guard.ready().is_writable());
        });
    }
}

/// A fresh directory for socket files.
fn tempdir() -> std::path::PathBuf {
    let dir = common::temp_path("runtime-net-test");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A task spinning in compute on one worker does not stop another
/// worker's I/O: an idle worker takes the driver over (driver rule 4).
#[test]
fn stuck_worker_does_not_stop_io() {
    for _ in 0..20 {
        let rt = common::multi_thread(2);
        let stop = Arc::new(AtomicBool::new(false));
        rt.block_on(async {
            let addr = echo_server().await;
            let started = Arc::new(AtomicBool::new(false));
            let (s2, stop2) = (started.clone(), stop.clone());
            let spinner = runtime::spawn(async move {
                s2.store(true, Ordering::SeqCst);
                // Compute that never yields, until the I/O below is done.
                while !stop2.load(Ordering::SeqCst) {
                    std::hint::spin_loop();
                }
            });
            while !started.load(Ordering::SeqCst) {
                runtime::task::yield_now().await;
            }
            let io = runtime::spawn(async move {
                let mut c = TcpStream::connect(addr).await.unwrap();
                for i in 0..50u8 {
                    c.write_all(&[i; 100]).await.unwrap();
                    let mut buf = [0; 100];
                    c.read_exact(&mut buf).await.unwrap();
                    assert_eq!(buf, [i; 100]);
                }
            });
            io.await.unwrap();
            stop.store(true, Ordering::SeqCst);
            spinner.await.unwrap();
        });
    }
}

/// Sockets need a runtime with the I/O driver: the panic says which
/// builder call is missing.
#[test]
fn io_without_enable_io_names_the_fix() {
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    let msg = common::panic_of(|| {
        rt.block_on(async {
            let _ = UnixStream::pair();
        })
    });
    assert!(msg.contains("enable_io"), "{msg}");
    let msg = common::panic_of(|| UnixStream::pair());
    assert!(msg.contains("no runtime"), "{msg}");
}

rt_test! {
    fn several_tasks_wait_on_one_socket(rt) {
        rt.block_on(async {
            // Two tasks receiving on one shared UDP socket: both are woken.
            let server = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
            let addr = server.local_addr().unwrap();
            let receivers: Vec<_> = (0..2)
                .map(|_| {
                    let s = server.clone();
                    runtime::spawn(async move {
                        let mut buf = [0; 8];
                        s.recv_from(&mut buf).await.unwrap().0
                    })
                })
                .collect();
            for _ in 0..10 {
                runtime::task::yield_now().await;
            }
            let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            client.send_to(b"one", addr).await.unwrap();
            client.send_to(b"two", addr).await.unwrap();
            for r in receivers {
                assert_eq!(r.await.unwrap(), 3);
            }
            // Two tasks accepting on one shared listener: both get one.
            let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
            let addr = listener.local_addr().unwrap();
            let acceptors: Vec<_> = (0..2)
                .map(|_| {
                    let l = listener.clone();
                    runtime::spawn(async move { l.accept().await.unwrap().1 })
                })
                .collect();
            for _ in 0..10 {
                runtime::task::yield_now().await;
            }
            let _a = TcpStream::connect(addr).await.unwrap();
            let _b = TcpStream::connect(addr).await.unwrap();
            for a in acceptors {
                assert!(a.await.unwrap().ip().is_loopback());
            }
        });
    }
}

/// After a socket error is reported once (ICMP "port unreachable" on a
/// connected UDP socket), waiting again sleeps instead of spinning: over
/// many driver turns the waiting task is polled once, never woken again.
#[test]
fn socket_error_is_cleared_once_reported() {
    let rt = common::current_thread();
    rt.block_on(async {
        // A port nobody receives on, and that nobody can take while the
        // test runs: its socket is connected elsewhere, so the kernel
        // finds no socket for our datagram and answers "port unreachable".
        let holder = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let elsewhere = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        holder.connect(elsewhere.local_addr().unwrap()).unwrap();
        let closed = holder.local_addr().unwrap();
        let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        sock.connect(closed).await.unwrap();
        sock.send(b"anyone?").await.unwrap();
        let mut buf = [0; 8];
        let err = sock.recv(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        let polls = || runtime::Handle::current().metrics().worker_poll_count(0);
        let polls_before = polls();
        let waiting = runtime::spawn(async move {
            let mut buf = [0; 8];
            let _ = sock.recv(&mut buf).await;
        });
        // Each yield of the `block_on` future lets the spawned task run
        // and then turns the driver (I/O included) before it runs again.
        for _ in 0..50 {
            runtime::task::yield_now().await;
        }
        assert!(
            !waiting.is_finished(),
            "nothing was sent, recv must still wait"
        );
        let polls = polls() - polls_before;
        assert_eq!(
            polls,
            1,
            "recv was woken again {} times over 50 driver turns",
            polls - 1
        );
        waiting.abort();
        drop((holder, elsewhere));
    });
}

rt_test! {
    fn eof_arriving_with_the_data_is_not_lost(rt) {
        rt.block_on(async {
            // The peer writes and closes before the reader first looks:
            // data and FIN reach the socket as one readiness event. A read
            // that comes back short must not clear the end of the stream.
            let (mut client, server) = common::tcp_pair().await;
            let mut server = server.into_std().unwrap();
            server.set_nonblocking(false).unwrap();
            std::io::Write::write_all(&mut server, b"last words").unwrap();
            drop(server);
            let mut got = Vec::new();
            let read = runtime::time::timeout(
                std::time::Duration::from_secs(10),
                client.read_to_end(&mut got),
            )
            .await
            .expect("read_to_end never saw the end of the stream");
            assert_eq!(read.unwrap(), 10);
            assert_eq!(got, b"last words");
        });
    }
}

rt_test! {
    fn lookup_host_and_address_forms(rt) {
        rt.block_on(async {
            // A host name goes through the resolver on the blocking pool.
            let addrs: Vec<_> = runtime::net::lookup_host("localhost:8080").await.unwrap().collect();
            assert!(!addrs.is_empty());
            assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 8080), "{addrs:?}");
            let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let ip: std::net::IpAddr = "127.0.0.1".parse().unwrap();
            // Every form Tokio accepts connects.
            let _a = TcpStream::connect(format!("127.0.0.1:{port}")).await.unwrap();
            let _b = TcpStream::connect(("localhost", port)).await.unwrap();
            let _c = TcpStream::connect((ip, port)).await.unwrap();
            let _d = TcpStream::connect(std::net::SocketAddr::new(ip, port)).await.unwrap();
            let _e = TcpStream::connect(&format!("127.0.0.1:{port}")[..]).await.unwrap();
            let res = runtime::net::lookup_host("no-such-host.invalid:80").await;
            assert!(res.is_err(), "a name under .invalid must not resolve");
        });
    }

    fn tcp_socket_options_and_peek_try_io(rt) {
        rt.block_on(async {
            let socket = runtime::net::TcpSocket::new_v4().unwrap();
            socket.set_reuseaddr(true).unwrap();
            socket.set_reuseport(true).unwrap();
            assert!(socket.reuseaddr().unwrap() && socket.reuseport().unwrap());
            socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
            let listener = socket.listen(16).unwrap();
            let addr = listener.local_addr().unwrap();
            listener.set_ttl(42).unwrap();
            assert_eq!(listener.ttl().unwrap(), 42);
            let client = runtime::net::TcpSocket::new_v4().unwrap().connect(addr).await.unwrap();
            let (server, peer) = listener.accept().await.unwrap();
            assert_eq!(peer, client.local_addr().unwrap());
            assert_eq!(server.peer_addr().unwrap(), client.local_addr().unwrap());
            client.set_nodelay(true).unwrap();
            assert!(client.nodelay().unwrap());
            // try_write once writable; peek sees the bytes without taking them.
            client.writable().await.unwrap();
            assert_eq!(client.try_write(b"peekaboo").unwrap(), 8);
            let mut buf = [0; 8];
            let mut n = 0;
            while n < 8 {
                n = server.peek(&mut buf).await.unwrap();
            }
            assert_eq!(&buf, b"peekaboo");
            let mut got = Vec::new();
            while got.len() < 8 {
                server.readable().await.unwrap();
                match server.try_read(&mut buf) {
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                    Err(e) => panic!("{e}"),
                }
            }
            assert_eq!(got, b"peekaboo");
            // Nothing left: try_read says WouldBlock instead of waiting.
            assert_eq!(server.try_read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
            // shutdown(Write) is seen by the peer as end of stream.
            client.shutdown_std(std::net::Shutdown::Write).unwrap();
            let mut server = server;
            let mut rest = Vec::new();
            server.read_to_end(&mut rest).await.unwrap();
            assert!(rest.is_empty());
        });
    }

    fn split_halves_work_together_and_reunite(rt) {
        rt.block_on(async {
            let (mut a, b) = UnixStream::pair().unwrap();
            let echo = runtime::spawn(async move {
                let (mut rd, mut wr) = b.into_split();
                runtime::io::copy(&mut rd, &mut wr).await.unwrap();
                rd.reunite(wr).unwrap()
            });
            {
                // Borrowed halves used at the same time by two futures.
                let (mut rd, mut wr) = a.split();
                let data = pattern(3, 200_000);
                let expected = data.clone();
                let write = async move {
                    wr.write_all(&data).await.unwrap();
                };
                let read = async move {
                    let mut got = vec![0; expected.len()];
                    rd.read_exact(&mut got).await.unwrap();
                    assert!(got == expected);
                };
                futures::join!(write, read);
            }
            a.close().await.unwrap();
            let b = echo.await.unwrap();
            // Reunited: the same socket, still usable for reading its EOF.
            let mut b = b;
            let mut rest = Vec::new();
            b.read_to_end(&mut rest).await.unwrap();
            assert!(rest.is_empty());
        });
    }
}

/// A multicast group of its own for each test run (the group's members
/// are per host, and test binaries may run side by side).
fn unique_group_v4(salt: u8) -> std::net::Ipv4Addr {
    let pid = std::process::id();
    std::net::Ipv4Addr::new(239, 255, (pid >> 8) as u8 ^ salt, pid as u8)
}

/// Receives datagrams on `socket` until one equals `marker`; returns the
/// ones that came before it.
async fn recv_until(socket: &UdpSocket, marker: &[u8]) -> Vec<Vec<u8>> {
    let mut before = Vec::new();
    let mut buf = [0; 64];
    loop {
        let n = socket.recv(&mut buf).await.unwrap();
        if &buf[..n] == marker {
            return before;
        }
        before.push(buf[..n].to_vec());
    }
}

rt_test! {
    fn udp_multicast_v4_join_loop_and_leave_on_loopback(rt) {
        use std::net::Ipv4Addr;
        rt.block_on(async {
            // A group per flavour too: the three run side by side in this
            // process, and Linux delivers a group's datagrams to a socket
            // bound to the wildcard address while any socket of the host
            // is a member (IP_MULTICAST_ALL), so another flavour's member
            // made "after leaving" arrive here now and then.
            let flavour = if common::is_current_thread(&rt) { 1 } else { 1 + rt.metrics().num_workers() as u8 };
            let group = unique_group_v4(flavour);
            let lo = Ipv4Addr::LOCALHOST;
            let member = UdpSocket::bind("0.0.0.0:0").await.unwrap();
            let port = member.local_addr().unwrap().port();
            // And only the groups this socket joined, whoever else joins.
            #[cfg(target_os = "linux")]
            {
                use std::os::fd::AsRawFd;
                let off: libc::c_int = 0;
                // SAFETY: setsockopt on a socket this test owns, with a
                // c_int option value and its size.
                let set = unsafe {
                    libc::setsockopt(
                        member.as_raw_fd(),
                        libc::IPPROTO_IP,
                        libc::IP_MULTICAST_ALL,
                        (&off as *const libc::c_int).cast(),
                        std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                    )
                };
                assert_eq!(set, 0, "IP_MULTICAST_ALL: {}", std::io::Error::last_os_error());
            }
            if let Err(e) = member.join_multicast_v4(group, lo) {
                // A host whose loopback cannot take multicast: the kernel
                // names the missing device, nothing else is acceptable.
                assert_eq!(e.raw_os_error(), Some(libc::ENODEV), "join failed: {e}");
                return;
            }
            // Already a member.
            assert_eq!(member.join_multicast_v4(group, lo).unwrap_err().kind(), ErrorKind::AddrInUse);

            // Bound to 127.0.0.1, so its multicast goes out on loopback.
            let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            assert_eq!(sender.multicast_ttl_v4().unwrap(), 1);
            sender.set_multicast_ttl_v4(3).unwrap();
            assert_eq!(sender.multicast_ttl_v4().unwrap(), 3);
            assert!(sender.multicast_loop_v4().unwrap());
            sender.send_to(b"to the group", (group, port)).await.unwrap();
            let mut buf = [0; 64];
            let (n, from) = member.recv_from(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"to the group");
            assert_eq!(from, sender.local_addr().unwrap());

            // IP_MULTICAST_LOOP is kept by the kernel. (Its effect cannot
            // be seen here: what goes out on the loopback interface comes
            // back in through it whatever the option says.)
            let quiet = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            quiet.set_multicast_loop_v4(false).unwrap();
            assert!(!quiet.multicast_loop_v4().unwrap());
            quiet.set_multicast_loop_v4(true).unwrap();
            assert!(quiet.multicast_loop_v4().unwrap());

            // After leaving, group datagrams stop; a unicast marker still
            // arrives.
            member.leave_multicast_v4(group, lo).unwrap();
            assert_eq!(
                member.leave_multicast_v4(group, lo).unwrap_err().kind(),
                ErrorKind::AddrNotAvailable
            );
            sender.send_to(b"after leaving", (group, port)).await.unwrap();
            sender.send_to(b"marker", (lo, port)).await.unwrap();
            assert_eq!(recv_until(&member, b"marker").await, Vec::<Vec<u8>>::new());
        });
    }

    fn udp_multicast_v6_membership_and_loop(rt) {
        rt.block_on(async {
            let socket = match UdpSocket::bind("[::]:0").await {
                Ok(socket) => socket,
                Err(e) => {
                    // No IPv6 on this host: the specific errors only.
                    assert!(
                        matches!(e.raw_os_error(), Some(libc::EAFNOSUPPORT | libc::EADDRNOTAVAIL)),
                        "bind [::]:0 failed: {e}"
                    );
                    return;
                }
            };
            assert!(socket.multicast_loop_v6().unwrap());
            socket.set_multicast_loop_v6(false).unwrap();
            assert!(!socket.multicast_loop_v6().unwrap());
            let lo: u32 = std::fs::read_to_string("/sys/class/net/lo/ifindex")
                .map(|s| s.trim().parse().unwrap())
                .unwrap_or(1);
            let pid = std::process::id();
            let group = std::net::Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0x4242, pid as u16);
            socket.join_multicast_v6(&group, lo).unwrap();
            assert_eq!(socket.join_multicast_v6(&group, lo).unwrap_err().kind(), ErrorKind::AddrInUse);
            socket.leave_multicast_v6(&group, lo).unwrap();
            assert_eq!(
                socket.leave_multicast_v6(&group, lo).unwrap_err().kind(),
                ErrorKind::AddrNotAvailable
            );
        });
    }

    fn udp_broadcast_and_ttl_options(rt) {
        rt.block_on(async {
            let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
            assert!(!socket.broadcast().unwrap());
            // Without SO_BROADCAST the kernel refuses a broadcast address.
            let refused = socket.send_to(b"x", ("255.255.255.255", 9)).await.unwrap_err();
            assert_eq!(refused.kind(), ErrorKind::PermissionDenied, "{refused}");
            socket.set_broadcast(true).unwrap();
            assert!(socket.broadcast().unwrap());
            socket.set_ttl(17).unwrap();
            assert_eq!(socket.ttl().unwrap(), 17);
        });
    }

    fn tcp_socket_keepalive_buffers_linger_and_tos(rt) {
        use std::time::Duration;
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let socket = runtime::net::TcpSocket::new_v4().unwrap();
            assert!(!socket.keepalive().unwrap());
            socket.set_keepalive(true).unwrap();
            assert!(socket.keepalive().unwrap());
            socket.set_send_buffer_size(96 * 1024).unwrap();
            socket.set_recv_buffer_size(96 * 1024).unwrap();
            assert!(socket.send_buffer_size().unwrap() >= 96 * 1024);
            assert!(socket.recv_buffer_size().unwrap() >= 96 * 1024);
            assert!(!socket.nodelay().unwrap());
            socket.set_nodelay(true).unwrap();
            assert!(socket.nodelay().unwrap());
            assert_eq!(socket.linger().unwrap(), None);
            socket.set_linger(Some(Duration::from_secs(3))).unwrap();
            assert_eq!(socket.linger().unwrap(), Some(Duration::from_secs(3)));
            socket.set_zero_linger().unwrap();
            assert_eq!(socket.linger().unwrap(), Some(Duration::ZERO));
            socket.set_tos_v4(0x08).unwrap();
            assert_eq!(socket.tos_v4().unwrap(), 0x08);
            assert!(socket.take_error().unwrap().is_none());

            let client = socket.connect(listener.local_addr().unwrap()).await.unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            // The options stay with the connection.
            assert!(client.nodelay().unwrap());
            assert_eq!(client.linger().unwrap(), Some(Duration::ZERO));
            assert!(client.take_error().unwrap().is_none());
            // Zero linger: closing resets the connection.
            drop(client);
            let err = server.read(&mut [0; 8]).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        });
    }

    fn tcp_stream_set_zero_linger_resets_on_drop(rt) {
        rt.block_on(async {
            let (client, mut server) = common::tcp_pair().await;
            client.set_zero_linger().unwrap();
            drop(client);
            let err = server.read(&mut [0; 8]).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        });
    }

    fn unix_stream_peer_cred_is_this_process(rt) {
        rt.block_on(async {
            // SAFETY: getuid and getgid have no preconditions.
            let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
            let check = |cred: runtime::net::unix::UCred| {
                assert_eq!((cred.uid(), cred.gid()), (uid, gid));
                assert_eq!(cred.pid(), Some(std::process::id() as i32));
            };
            let (a, b) = UnixStream::pair().unwrap();
            check(a.peer_cred().unwrap());
            check(b.peer_cred().unwrap());
            let path = tempdir().join("cred.sock");
            let listener = UnixListener::bind(&path).unwrap();
            let client = UnixStream::connect(&path).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            check(server.peer_cred().unwrap());
            check(client.peer_cred().unwrap());
            assert!(server.take_error().unwrap().is_none());
        });
    }

    fn unix_datagram_try_send_and_try_recv(rt) {
        rt.block_on(async {
            let (a, b) = UnixDatagram::pair().unwrap();
            let mut buf = [0; 1024];
            assert_eq!(b.try_recv(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
            // Fill b's queue without waiting.
            a.writable().await.unwrap();
            let mut sent = 0usize;
            let full = loop {
                match a.try_send(&[7; 512]) {
                    Ok(n) => {
                        assert_eq!(n, 512);
                        sent += 1;
                    }
                    Err(e) => break e,
                }
            };
            assert_eq!(full.kind(), ErrorKind::WouldBlock);
            assert!(sent > 0);
            // Drain it the same way: every datagram, then WouldBlock.
            let mut got = 0usize;
            while got < sent {
                b.readable().await.unwrap();
                loop {
                    match b.try_recv(&mut buf) {
                        Ok(n) => {
                            assert_eq!(n, 512);
                            got += 1;
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(e) => panic!("{e}"),
                    }
                }
            }
            assert_eq!(got, sent);
            // Room again: the sender can go on.
            a.writable().await.unwrap();
            assert_eq!(a.try_send(b"more").unwrap(), 4);

            // Unconnected sockets: the address comes with the datagram.
            let dir = tempdir();
            let (path_x, path_y) = (dir.join("x.sock"), dir.join("y.sock"));
            let x = UnixDatagram::bind(&path_x).unwrap();
            let y = UnixDatagram::bind(&path_y).unwrap();
            x.writable().await.unwrap();
            assert_eq!(x.try_send_to(b"from x", &path_y).unwrap(), 6);
            let (n, from) = loop {
                y.readable().await.unwrap();
                match y.try_recv_from(&mut buf) {
                    Ok(got) => break got,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                    Err(e) => panic!("{e}"),
                }
            };
            assert_eq!(&buf[..n], b"from x");
            assert_eq!(from.as_pathname(), Some(path_x.as_path()));
            assert!(y.take_error().unwrap().is_none());
            // Sending to a path nobody bound fails at once.
            let err = x.try_send_to(b"lost", dir.join("nobody.sock")).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::NotFound);
        });
    }
}
