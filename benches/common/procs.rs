//! Child processes for the benchmark binaries that run servers: starting
//! one on a free port and waiting until it listens, killing it when done,
//! and reading its memory and descriptors from `/proc`. Each benchmark
//! uses a part of it.
#![allow(dead_code)]

use std::net::TcpStream;
use std::process::Child;
use std::time::{Duration, Instant};

/// A child process, killed and reaped when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port nothing listens on right now (another process may take it
/// before the caller binds it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The path of the release build of `example`; panics, naming the file's
/// header (which says how to build it), when it is missing.
pub fn release_example(example: &str) -> String {
    let bin = format!("target/release/examples/{example}");
    assert!(
        std::path::Path::new(&bin).exists(),
        "{bin} is missing: build it first (see this file's header)"
    );
    bin
}

/// Polls `done` every 20 ms until it holds; panics, naming `what`, after
/// `limit`.
pub fn wait_for(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits (up to 20 s) until something accepts connections on
/// 127.0.0.1:`port`.
pub fn wait_until_listening(port: u16, what: &str) {
    wait_for(
        Duration::from_secs(20),
        &format!("{what} to listen"),
        || TcpStream::connect(("127.0.0.1", port)).is_ok(),
    );
}

/// A `/proc/<pid>/status` figure in kB (`field` is e.g. `"VmRSS:"`).
pub fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{field} missing from /proc/{pid}/status"))
}

/// Descriptors `pid` has open.
pub fn fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}
