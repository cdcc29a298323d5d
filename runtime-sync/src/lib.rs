//! Executor-agnostic synchronisation primitives: filled by the sync issue.
