//! Time: the hierarchical timer wheel. The time driver that owns it (one
//! per runtime, advanced by the parking worker), `sleep`, `timeout`,
//! `interval` and the paused test clock arrive with the I/O and time
//! issue; the wheel is built and tested on its own first.

#[allow(dead_code)] // Used by the time driver (I/O and time issue).
pub(crate) mod wheel;
