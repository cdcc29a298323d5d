//! Runs the ported Tokio examples as their users would: as processes,
//! checked from the outside (they have no tests of their own upstream).
//! The servers take the address to bind as an argument and do not print
//! the one they bound, so they get a free port found here; if another
//! process takes it first, the start is retried on a new one (never a
//! silent pass).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::process::{Child, Command, Stdio};

/// Kills the child when dropped (a failed assertion leaves no server).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// How a started server shows that it listens.
#[derive(Clone, Copy)]
enum Ready {
    /// It prints a line containing this after its bind succeeded.
    Prints(&'static str),
    /// It prints nothing after binding (Tokio's proxy prints its
    /// addresses before it binds): connections are tried, refused ones
    /// again, while the process lives. The 30 s limit only turns a server
    /// that never binds into a failure instead of a hang.
    Accepts,
}

/// Starts `bin` with `args(port)` on a free port, until one start
/// listens; returns the process and the port. A start whose bind fails
/// (another process took the port meanwhile) exits, and another port is
/// tried.
fn start(bin: &str, ready: Ready, args: impl Fn(u16) -> Vec<String>) -> (Running, u16) {
    for _ in 0..5 {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut child = Running(
            Command::new(bin)
                .args(args(port))
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let mut out = BufReader::new(child.0.stdout.take().unwrap());
        let listening = match ready {
            Ready::Prints(text) => loop {
                let mut line = String::new();
                if out.read_line(&mut line).unwrap() == 0 {
                    break false; // it exited: the bind failed
                }
                if line.contains(text) {
                    break true;
                }
            },
            Ready::Accepts => {
                let limit = std::time::Instant::now() + std::time::Duration::from_secs(30);
                loop {
                    if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                        break true;
                    }
                    if child.0.try_wait().unwrap().is_some() {
                        break false; // it exited: the bind failed
                    }
                    assert!(std::time::Instant::now() < limit, "{bin} never listened on {port}");
                    std::thread::yield_now();
                }
            }
        };
        if listening {
            // Keep reading its output so it never blocks on a full pipe.
            std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
            return (child, port);
        }
    }
    panic!("{bin} did not start on any of 5 free ports");
}

#[test]
fn proxy_forwards_to_the_echo_server_both_ways() {
    let (_echo, echo_port) = start(env!("CARGO_BIN_EXE_echo-tcp"), Ready::Prints("Listening on"), |p| vec![format!("127.0.0.1:{p}")]);
    let (_proxy, proxy_port) = start(env!("CARGO_BIN_EXE_proxy"), Ready::Accepts, |p| {
        vec![format!("127.0.0.1:{p}"), format!("127.0.0.1:{echo_port}")]
    });
    let mut clients = Vec::new();
    for i in 0..8 {
        clients.push(std::thread::spawn(move || {
            let mut c = TcpStream::connect(("127.0.0.1", proxy_port)).unwrap();
            let msg = format!("client {i} says hello through the proxy\n").repeat(1000);
            let mut reader = c.try_clone().unwrap();
            let expected = msg.len();
            let back = std::thread::spawn(move || {
                let mut got = Vec::new();
                reader.read_to_end(&mut got).unwrap();
                got
            });
            c.write_all(msg.as_bytes()).unwrap();
            // Half-close: the proxy passes it to the echo server, which
            // closes, and that comes back as end of file.
            c.shutdown(std::net::Shutdown::Write).unwrap();
            let got = back.join().unwrap();
            assert_eq!(got.len(), expected);
            assert_eq!(got, msg.as_bytes());
        }));
    }
    for c in clients {
        c.join().unwrap();
    }
}

#[test]
fn udp_client_talks_to_the_udp_echo_server() {
    let mut server = Running(
        Command::new(env!("CARGO_BIN_EXE_echo-udp"))
            .arg("127.0.0.1:0")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut out = BufReader::new(server.0.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let addr = line.trim().rsplit(' ').next().unwrap().to_string();
    // A datagram from here first.
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.send_to(b"ping", &addr).unwrap();
    let mut buf = [0; 16];
    let (n, _) = s.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"ping");
    // Then the ported client, with its stdin as the datagram.
    let mut client = Command::new(env!("CARGO_BIN_EXE_udp-client"))
        .arg(&addr)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    client.stdin.take().unwrap().write_all(b"hello over udp").unwrap();
    let mut text = String::new();
    client.stdout.take().unwrap().read_to_string(&mut text).unwrap();
    assert!(client.wait().unwrap().success());
    assert_eq!(text, "Received 14 bytes:\nhello over udp\n");
}

/// A line-oriented client of a text protocol.
struct LineClient {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl LineClient {
    fn connect(port: u16) -> LineClient {
        let writer = TcpStream::connect(("127.0.0.1", port)).unwrap();
        LineClient {
            reader: BufReader::new(writer.try_clone().unwrap()),
            writer,
        }
    }

    fn send(&mut self, line: &str) {
        self.writer.write_all(format!("{line}\n").as_bytes()).unwrap();
    }

    fn recv(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        line.trim_end_matches(['\r', '\n']).to_string()
    }
}

/// A chat user whose lines arrive on a channel shared with the other
/// users (each line tagged with the user's name), so the test can wait for
/// whichever user hears something first.
struct ChatUser {
    writer: TcpStream,
}

impl ChatUser {
    fn connect(port: u16, name: &'static str, heard: &std::sync::mpsc::Sender<(&'static str, String)>) -> ChatUser {
        let writer = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut reader = BufReader::new(writer.try_clone().unwrap());
        let heard = heard.clone();
        std::thread::spawn(move || loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end_matches(['\r', '\n']).to_string();
            if heard.send((name, line)).is_err() {
                return;
            }
        });
        ChatUser { writer }
    }

    fn send(&mut self, line: &str) {
        self.writer.write_all(format!("{line}\n").as_bytes()).unwrap();
    }
}

/// The next line any user heard. The 30 s limit only turns a hang into a
/// failure.
fn next_heard(heard: &std::sync::mpsc::Receiver<(&'static str, String)>) -> (&'static str, String) {
    heard.recv_timeout(std::time::Duration::from_secs(30)).expect("nobody heard anything more")
}

/// Waits until `who` hears `what`, skipping the join announcements, the
/// only lines whose arrival depends on how the server's tasks interleave.
fn wait_until_heard(heard: &std::sync::mpsc::Receiver<(&'static str, String)>, who: &str, what: &str) {
    loop {
        let (user, line) = next_heard(heard);
        if (user, line.as_str()) == (who, what) {
            return;
        }
        assert!(line.ends_with(" has joined the chat"), "{user} heard {line:?} while waiting for {who} to hear {what:?}");
    }
}

#[test]
fn chat_server_relays_between_users() {
    let (_chat, port) = start(env!("CARGO_BIN_EXE_chat"), Ready::Prints("server running on"), |p| vec![format!("127.0.0.1:{p}")]);
    let (tx, heard) = std::sync::mpsc::channel();
    let mut alice = ChatUser::connect(port, "alice", &tx);
    assert_eq!(next_heard(&heard), ("alice", "Please enter your username:".to_string()));
    alice.send("alice");
    let mut bob = ChatUser::connect(port, "bob", &tx);
    assert_eq!(next_heard(&heard), ("bob", "Please enter your username:".to_string()));
    bob.send("bob");
    // The server registers a user, then announces the join to those
    // registered by then: whichever of the two registered first hears the
    // other join (or both hear each other), and from then on both are in.
    let (user, line) = next_heard(&heard);
    assert!(
        (user, line.as_str()) == ("alice", "bob has joined the chat") || (user, line.as_str()) == ("bob", "alice has joined the chat"),
        "{user} heard {line:?}"
    );
    alice.send("hi bob");
    wait_until_heard(&heard, "bob", "alice: hi bob");
    bob.send("hello alice");
    wait_until_heard(&heard, "alice", "bob: hello alice");
    bob.writer.shutdown(std::net::Shutdown::Both).unwrap();
    wait_until_heard(&heard, "alice", "bob has left the chat");
}

#[test]
fn tinydb_gets_and_sets() {
    let (_db, port) = start(env!("CARGO_BIN_EXE_tinydb"), Ready::Prints("Listening on"), |p| vec![format!("127.0.0.1:{p}")]);
    let mut c = LineClient::connect(port);
    c.send("GET foo");
    assert_eq!(c.recv(), "foo = bar");
    c.send("SET foo baz");
    assert_eq!(c.recv(), "set foo = `baz`, previous: Some(\"bar\")");
    // Another connection sees the shared database.
    let mut d = LineClient::connect(port);
    d.send("GET foo");
    assert_eq!(d.recv(), "foo = baz");
    d.send("GET nothing");
    assert_eq!(d.recv(), "error: no key nothing");
    d.send("DROP TABLES");
    assert_eq!(d.recv(), "error: unknown command: DROP");
}

#[test]
fn tinyhttp_answers_plaintext_and_json() {
    let (_http, port) = start(env!("CARGO_BIN_EXE_tinyhttp"), Ready::Prints("Listening on"), |p| vec![format!("127.0.0.1:{p}")]);
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut reader = BufReader::new(c.try_clone().unwrap());
    for (path, body) in [
        ("/plaintext", "Hello, World!".to_string()),
        ("/json", "{\"message\":\"Hello, World!\"}".to_string()),
    ] {
        c.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).unwrap();
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
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length: ") {
                len = v.trim().parse().unwrap();
            }
        }
        let mut got = vec![0; len];
        reader.read_exact(&mut got).unwrap();
        assert_eq!(String::from_utf8(got).unwrap(), body);
    }
}

#[test]
fn connect_tcp_pipes_stdin_through_an_echo_server() {
    let (_echo, port) = start(env!("CARGO_BIN_EXE_echo-tcp"), Ready::Prints("Listening on"), |p| vec![format!("127.0.0.1:{p}")]);
    let mut client = Running(
        Command::new(env!("CARGO_BIN_EXE_connect-tcp"))
            .arg(format!("127.0.0.1:{port}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stdin = client.0.stdin.take().unwrap();
    let mut out = BufReader::new(client.0.stdout.take().unwrap());
    // Each line comes back through the server before the next is sent.
    for i in 0..3 {
        stdin.write_all(format!("line {i}\n").as_bytes()).unwrap();
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert_eq!(line, format!("line {i}\n"));
    }
    drop(stdin); // end of its input: the program ends
    assert!(client.0.wait().unwrap().success());
}
