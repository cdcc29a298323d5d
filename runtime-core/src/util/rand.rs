//! `FastRand`: a xorshift64* generator, good enough to spread steal
//! attempts across victims; not for anything that needs real randomness.

use std::cell::Cell;

#[derive(Debug)]
pub(crate) struct FastRand {
    state: Cell<u64>,
}

impl FastRand {
    pub(crate) fn new(seed: u64) -> FastRand {
        FastRand {
            state: Cell::new(seed | 1),
        }
    }

    /// A seed that differs between calls and threads.
    pub(crate) fn seed() -> u64 {
        // Loom replays executions and needs them deterministic.
        if cfg!(loom) {
            return 0x9E37_79B9_7F4A_7C15;
        }
        use std::hash::{BuildHasher, Hasher};
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        h.finish()
    }

    pub(crate) fn next(&self) -> u64 {
        let mut x = self.state.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`), by multiply-shift rather than modulo.
    pub(crate) fn below(&self, n: u32) -> u32 {
        (((self.next() >> 32) * n as u64) >> 32) as u32
    }
}
