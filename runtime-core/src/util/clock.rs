//! Monotonic clocks for statistics: a cheap coarse one for task ages in
//! dumps and lease stamps, where a few milliseconds of resolution are
//! plenty, and a precise one for worker busy time, read only when a worker
//! parks, wakes or runs its maintenance tick.
//!
//! On Linux it reads `CLOCK_MONOTONIC_COARSE`: a vDSO memory read, about
//! 7.5 ns here against 42 ns for `Instant::now` (`cargo bench --bench
//! clock`), with the kernel tick as its resolution (1-4 ms). Elsewhere it falls back to `Instant`. Values are
//! nanoseconds since an arbitrary origin, comparable only with each other.

/// Nanoseconds on the coarse clock.
#[inline]
pub(crate) fn coarse_now_ns() -> u64 {
    #[cfg(target_os = "linux")]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC_COARSE
        // exists on every Linux since 2.6.32 and cannot fail with a valid
        // pointer.
        unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) };
        (ts.tv_sec as u64)
            .wrapping_mul(1_000_000_000)
            .wrapping_add(ts.tv_nsec as u64)
    }
    #[cfg(not(target_os = "linux"))]
    {
        static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        ORIGIN
            .get_or_init(std::time::Instant::now)
            .elapsed()
            .as_nanos() as u64
    }
}

/// Nanoseconds on the precise monotonic clock (`CLOCK_MONOTONIC`, the
/// clock `Instant` reads): about 40 ns here, so it is kept off the
/// per-poll path. Same origin rules as [`coarse_now_ns`], but the two
/// clocks are not comparable with each other.
#[inline]
pub(crate) fn precise_now_ns() -> u64 {
    #[cfg(target_os = "linux")]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec and CLOCK_MONOTONIC
        // always exists, so the call cannot fail.
        unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
        (ts.tv_sec as u64)
            .wrapping_mul(1_000_000_000)
            .wrapping_add(ts.tv_nsec as u64)
    }
    #[cfg(not(target_os = "linux"))]
    {
        coarse_now_ns()
    }
}

/// Milliseconds on the coarse clock, wrapping (compare with
/// `wrapping_sub`; good for spans under 49 days).
#[inline]
pub(crate) fn coarse_now_ms() -> u32 {
    (coarse_now_ns() / 1_000_000) as u32
}

#[cfg(all(test, not(loom)))]
mod tests {
    #[test]
    fn coarse_clock_moves_forward() {
        let a = super::coarse_now_ns();
        let start = std::time::Instant::now();
        // Spin (not sleep) past the coarsest tick the kernel may use.
        while start.elapsed() < std::time::Duration::from_millis(25) {
            std::hint::spin_loop();
        }
        let b = super::coarse_now_ns();
        let d = std::time::Duration::from_nanos(b.saturating_sub(a));
        assert!(d >= std::time::Duration::from_millis(15), "{d:?}");
        assert!(d <= std::time::Duration::from_secs(5), "{d:?}");
    }
}
