//! One place through which every synchronisation primitive of the crate is
//! reached, so that `RUSTFLAGS="--cfg loom"` swaps them all for loom's
//! model-checked versions (see `tests/loom_*.rs`). Outside loom these are
//! `std` atomics, `parking_lot` locks and `std` threads.
//!
//! Both halves expose the same parking_lot-style API (`lock()` returns the
//! guard directly, `Condvar::wait(&mut guard)`), so no code outside this
//! module knows which one it got.

#[cfg(loom)]
mod mocked;
#[cfg(not(loom))]
mod real;

#[cfg(loom)]
pub(crate) use mocked::*;
#[cfg(not(loom))]
pub(crate) use real::*;
