//! Networking on the runtime: filled by the I/O issue.
