//! A `log` logger for tests that check the runtime's warnings: it keeps
//! every warn line of the process as "target message" (tests of one binary
//! run in parallel, so each looks for lines that name its own task).

use parking_lot::{Condvar, Mutex};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Captures every warn record of the process (tests of this binary run in
/// parallel, so each one looks for its own task id).
pub struct Capture {
    pub lines: Mutex<Vec<String>>,
    pub cv: Condvar,
}

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn
    }
    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let line = format!("{} {}", record.target(), record.args());
            self.lines.lock().push(line);
            self.cv.notify_all();
        }
    }
    fn flush(&self) {}
}

pub fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let c: &'static Capture = Box::leak(Box::new(Capture {
            lines: Mutex::new(Vec::new()),
            cv: Condvar::new(),
        }));
        log::set_logger(c).expect("no other logger in this test binary");
        log::set_max_level(log::LevelFilter::Warn);
        c
    })
}

/// Waits (on the logger's condvar, not a sleep) for a line containing
/// every one of `parts`; panics after a generous deadline.
pub fn wait_for_log(parts: &[&str]) -> String {
    let c = capture();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut lines = c.lines.lock();
    loop {
        if let Some(line) = lines.iter().find(|l| parts.iter().all(|p| l.contains(p))) {
            return line.clone();
        }
        if Instant::now() >= deadline {
            panic!("no log line with {parts:?}; got {:#?}", *lines);
        }
        c.cv.wait_until(&mut lines, deadline);
    }
}

pub fn logged(parts: &[&str]) -> bool {
    let lines = capture().lines.lock();
    lines.iter().any(|l| parts.iter().all(|p| l.contains(p)))
}
