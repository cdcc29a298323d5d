//! Time errors.

use std::fmt;

/// A [`timeout`](super::timeout) ran out before its future completed.
///
/// ```
/// use runtime_core::time::{error::Elapsed, sleep, timeout, Duration};
///
/// # let rt = runtime_core::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
/// # rt.block_on(async {
/// let err: Elapsed = timeout(Duration::from_secs(1), sleep(Duration::from_secs(5)))
///     .await
///     .unwrap_err();
/// assert_eq!(err.to_string(), "deadline has elapsed");
/// // `?` turns it into an `io::Error` of kind `TimedOut`.
/// let io: std::io::Error = err.into();
/// assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(pub(super) ());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(e: Elapsed) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::TimedOut, e)
    }
}
