//! Short human forms for log lines and task dumps: durations (`Human`),
//! spawn locations (`Where`) and tasks (`TaskLabel`).

use std::fmt;
use std::panic::Location;
use std::time::Duration;

/// A short human form of a duration: `850us`, `153.0ms`, `2.31s`, `4m05s`.
pub(crate) struct Human(pub(crate) Duration);

impl fmt::Display for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        let text = if d < Duration::from_millis(1) {
            format!("{}us", d.as_micros())
        } else if d < Duration::from_secs(1) {
            format!("{:.1}ms", d.as_secs_f64() * 1e3)
        } else if d < Duration::from_secs(60) {
            format!("{:.2}s", d.as_secs_f64())
        } else {
            let s = d.as_secs();
            format!("{}m{:02}s", s / 60, s % 60)
        };
        f.pad(&text)
    }
}

/// `file:line:col`, or a placeholder if the location was not published.
pub(crate) struct Where(pub(crate) Option<&'static Location<'static>>);

impl fmt::Display for Where {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(l) => write!(f, "{}:{}:{}", l.file(), l.line(), l.column()),
            None => f.write_str("<unknown location>"),
        }
    }
}

/// How messages name a task: `task 42`, or `task 42 "accept loop"` for a
/// task named with `task::Builder::name` (quoted as a Rust string, so a
/// name cannot be mistaken for the rest of the line).
pub(crate) struct TaskLabel<'a>(pub(crate) u64, pub(crate) Option<&'a str>);

impl fmt::Display for TaskLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(name) => write!(f, "task {} {name:?}", self.0),
            None => write!(f, "task {}", self.0),
        }
    }
}
