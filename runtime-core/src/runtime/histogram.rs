//! `Histogram`: a snapshot of one of the runtime's latency histograms
//! (schedule latency, poll time), in fixed log-scale buckets.

use crate::scheduler::latency::{bucket_range, AtomicHistogram, BUCKETS};
use std::fmt;
use std::ops::Range;
use std::time::Duration;

/// A snapshot of a latency histogram from [`RuntimeMetrics`]: sampled
/// durations counted in 32 fixed buckets that double in width (the first
/// is under 64 ns, the last starts at about 69 s), plus the largest
/// sample.
///
/// The runtime samples one schedule in 64 per thread (see
/// [`RuntimeMetrics::schedule_latency`]), so `count()` is the number of
/// samples, not of polls.
///
/// ```
/// let rt = runtime_core::Builder::new_multi_thread().worker_threads(2).build().unwrap();
/// rt.block_on(async {
///     for _ in 0..1000 {
///         runtime_core::spawn(async {}).await.unwrap();
///     }
/// });
/// let h = rt.metrics().schedule_latency();
/// assert!(h.count() > 0);
/// let (p50, p99) = (h.percentile(50.0), h.percentile(99.0));
/// assert!(p50 <= p99 && p99 <= h.max());
/// for (range, n) in h.buckets().filter(|(_, n)| *n > 0) {
///     println!("{:?}..{:?}: {n}", range.start, range.end);
/// }
/// ```
///
/// [`RuntimeMetrics`]: crate::runtime::RuntimeMetrics
/// [`RuntimeMetrics::schedule_latency`]: crate::runtime::RuntimeMetrics::schedule_latency
#[derive(Clone, PartialEq, Eq)]
pub struct Histogram {
    pub(crate) counts: [u64; BUCKETS],
    pub(crate) max: Duration,
}

impl Histogram {
    pub(crate) fn empty() -> Histogram {
        Histogram {
            counts: [0; BUCKETS],
            max: Duration::ZERO,
        }
    }

    /// Adds a worker's live histogram to this snapshot.
    pub(crate) fn add(&mut self, live: &AtomicHistogram) {
        let max = live.add_to(&mut self.counts);
        self.max = self.max.max(max);
    }

    /// Samples counted.
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The largest sample (zero if there is none).
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The `p`th percentile (`percentile(99.0)` is p99), read from the
    /// bucket bounds: the upper bound of the bucket that holds the
    /// percentile's sample, but never more than `max()`. Zero if there is
    /// no sample.
    ///
    /// # Panics
    /// When `p` is not within `0.0..=100.0`.
    #[track_caller]
    pub fn percentile(&self, p: f64) -> Duration {
        assert!(
            (0.0..=100.0).contains(&p),
            "percentile must be within 0.0..=100.0, got {p} (use 99.0 for p99)"
        );
        let total = self.count();
        if total == 0 {
            return Duration::ZERO;
        }
        // The rank of the sample, 1-based: p0 is the smallest, p100 the
        // largest.
        let rank = ((p / 100.0) * total as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, &n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return bucket_range(i).end.min(self.max);
            }
        }
        self.max
    }

    /// Every bucket's range and count, in order (empty buckets too).
    pub fn buckets(&self) -> impl Iterator<Item = (Range<Duration>, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .map(|(i, &n)| (bucket_range(i), n))
    }
}

impl fmt::Debug for Histogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Histogram")
            .field("count", &self.count())
            .field("p50", &self.percentile(50.0))
            .field("p99", &self.percentile(99.0))
            .field("max", &self.max)
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn of(samples_ns: &[u64]) -> Histogram {
        let a = AtomicHistogram::default();
        for &s in samples_ns {
            a.record(s);
        }
        let mut h = Histogram::empty();
        h.add(&a);
        h
    }

    #[test]
    fn percentiles_come_from_bucket_bounds_capped_by_max() {
        // 98 samples of 1 us, one of 1 ms, one of 10 ms.
        let mut v = vec![1_000; 98];
        v.extend([1_000_000, 10_000_000]);
        let h = of(&v);
        assert_eq!(h.count(), 100);
        assert_eq!(h.max(), Duration::from_millis(10));
        // 1 us lies in [512 ns, 1024 ns).
        assert_eq!(h.percentile(50.0), Duration::from_nanos(1024));
        assert_eq!(h.percentile(98.0), Duration::from_nanos(1024));
        // The 99th sample is the 1 ms one: [524 us, 1.05 ms).
        assert_eq!(h.percentile(99.0), Duration::from_nanos(64 << 14));
        assert_eq!(h.percentile(100.0), Duration::from_millis(10));
        assert_eq!(h.percentile(0.0), Duration::from_nanos(1024));
    }

    #[test]
    fn empty_and_bad_input() {
        let h = Histogram::empty();
        assert_eq!(h.count(), 0);
        assert_eq!(h.percentile(99.0), Duration::ZERO);
        assert_eq!(h.buckets().count(), BUCKETS);
        let err = std::panic::catch_unwind(|| h.percentile(101.0)).unwrap_err();
        let msg = err.downcast_ref::<String>().unwrap();
        assert!(msg.contains("within 0.0..=100.0"), "{msg}");
    }
}
