//! The runtime's monitor thread: one thread per runtime that looks at
//! every polling thread's poll stamp (`scheduler/poll_stamp.rs`) at a
//! fixed period and feeds what it sees to up to two parts:
//!
//! - slow-poll detection (`watchdog.rs`), when
//!   `Builder::slow_poll_threshold` is set (both flavours);
//! - the blocking hand-off (`scheduler/multi_thread/monitor.rs`), on by
//!   default on the multi-thread flavour.
//!
//! The period is the finer of the two parts' (500 us with the hand-off
//! on, a tenth of the slow-poll threshold otherwise). With the hand-off
//! on, the thread sleeps on a condvar while every worker is parked, after
//! one last look (so polls that ended are reported), until a worker wakes
//! (`Shared::worker_woke`).

use super::watchdog::{Report, Seen, SlowPolls};
use crate::scheduler::multi_thread::monitor::{Handoff, Track};
use crate::scheduler::{self, StampSource};
use parking_lot::{Condvar, Mutex};
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The monitor's state that the schedulers and metrics see (in each
/// scheduler's handle).
#[derive(Default)]
pub(crate) struct Shared {
    /// Set by the monitor before it sleeps until a worker wakes (SeqCst:
    /// Dekker with the idle state's unparked count, see `worker_woke`).
    sleeping: AtomicBool,
    stop: Mutex<bool>,
    wake: Condvar,
    /// Cores handed to a new thread so far.
    pub(crate) handoffs: AtomicU64,
    /// Threads whose core was handed off and whose poll has not returned.
    pub(crate) stuck_threads: AtomicUsize,
}

impl Shared {
    /// Called by a worker after it wakes from park: wakes the monitor if
    /// it sleeps because every worker was parked. The worker was counted
    /// unparked (SeqCst) before this load; the monitor stores `sleeping`
    /// before it reads that count, so one of the two sees the other.
    #[inline]
    pub(crate) fn worker_woke(&self) {
        if self.sleeping.load(SeqCst) {
            let _stop = self.stop.lock();
            self.wake.notify_one();
        }
    }
}

/// The monitor thread of one runtime; stopped at shutdown.
pub(crate) struct Monitor {
    handle: scheduler::Handle,
    thread: Option<JoinHandle<()>>,
}

impl Monitor {
    /// Starts the thread if either part is on.
    pub(crate) fn start(
        handle: scheduler::Handle,
        slow_poll: Option<Duration>,
        handoff: Option<Handoff>,
    ) -> io::Result<Option<Monitor>> {
        if slow_poll.is_none() && handoff.is_none() {
            return Ok(None);
        }
        let mut slow = slow_poll.map(|t| SlowPolls::new(t, handoff.is_some(), handle.clone()));
        let tick = match (&slow, &handoff) {
            (Some(_), Some(_)) => {
                let tick = crate::scheduler::multi_thread::monitor::TICK;
                slow.as_mut().expect("matched").set_tick(tick);
                tick
            }
            (Some(s), None) => s.tick(),
            (None, _) => crate::scheduler::multi_thread::monitor::TICK,
        };
        let looker = Looker {
            handle: handle.clone(),
            tick,
            slow,
            handoff,
            tracked: Vec::new(),
            reports: Vec::new(),
        };
        let thread = std::thread::Builder::new()
            .name("runtime-monitor".into())
            .spawn(move || looker.run())?;
        Ok(Some(Monitor {
            handle,
            thread: Some(thread),
        }))
    }

    /// Stops the thread after one last look and waits for it (it waits on
    /// nothing but its period, so this is quick).
    pub(crate) fn stop(&mut self) {
        let shared = self.handle.monitor_shared();
        *shared.stop.lock() = true;
        shared.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What the monitor keeps per stamp.
struct Tracked {
    source: StampSource,
    slow: Option<Seen>,
    handoff: Track,
}

/// The thread's state.
struct Looker {
    handle: scheduler::Handle,
    tick: Duration,
    slow: Option<SlowPolls>,
    handoff: Option<Handoff>,
    tracked: Vec<Tracked>,
    reports: Vec<Report>,
}

impl Looker {
    fn run(mut self) {
        let mut last_look = Instant::now();
        loop {
            // Before the look: a poll that ended before every worker
            // parked is seen ended by this look. A thread stuck in a poll
            // after its core was handed off is no worker (the core it ran
            // may be parked): the look says whether any poll is running.
            let all_parked = self.handoff.as_ref().is_some_and(Handoff::all_parked);
            let now = Instant::now();
            let polling = self.look(last_look, now);
            let idle = all_parked && !polling;
            last_look = now;
            if !self.wait(idle, last_look) {
                // That was not the last look yet: one more, so a slow
                // poll that ended just before shutdown is still reported.
                let _ = self.look(last_look, Instant::now());
                return;
            }
        }
    }

    /// Waits for the next look: a period, or, when `idle`, until a worker
    /// wakes. `false`: stop.
    fn wait(&self, idle: bool, last_look: Instant) -> bool {
        let shared = self.handle.monitor_shared();
        let mut stop = shared.stop.lock();
        if idle {
            shared.sleeping.store(true, SeqCst);
            // Re-check after the store (Dekker with `worker_woke`).
            if self.handoff.as_ref().is_some_and(Handoff::all_parked) && !*stop {
                shared.wake.wait(&mut stop);
            }
            shared.sleeping.store(false, SeqCst);
            return !*stop;
        }
        let deadline = last_look + self.tick;
        while !*stop && Instant::now() < deadline {
            shared.wake.wait_until(&mut stop, deadline);
        }
        !*stop
    }

    /// One look at every stamp; reports are logged after it, outside any
    /// lock (`stop` never waits for a slow logger). Returns whether any
    /// thread was in a poll.
    fn look(&mut self, last_look: Instant, now: Instant) -> bool {
        let sources = self.handle.stamp_sources();
        // Stamps whose thread stopped: their last poll ended.
        let mut i = 0;
        while i < self.tracked.len() {
            if sources.iter().any(|s| s.same(&self.tracked[i].source)) {
                i += 1;
                continue;
            }
            let mut gone = self.tracked.swap_remove(i);
            if let Some(slow) = &self.slow {
                let worker = gone.source.worker();
                slow.observe(
                    worker,
                    &mut gone.slow,
                    None,
                    last_look,
                    now,
                    &mut self.reports,
                );
            }
        }
        for source in sources {
            if !self.tracked.iter().any(|t| t.source.same(&source)) {
                self.tracked.push(Tracked {
                    source,
                    slow: None,
                    handoff: Track::default(),
                });
            }
        }
        let mut polling = false;
        for t in &mut self.tracked {
            let mark = t.source.stamp().mark();
            polling |= mark.is_some();
            if let Some(slow) = &self.slow {
                let worker = t.source.worker();
                slow.observe(worker, &mut t.slow, mark, last_look, now, &mut self.reports);
            }
            if let (Some(handoff), StampSource::Lease(lease)) = (&self.handoff, &t.source) {
                handoff.observe(lease, &mut t.handoff, mark, now);
            }
        }
        if let Some(slow) = &self.slow {
            for report in self.reports.drain(..) {
                report.log(slow.flavor_advice(), slow.meanwhile());
            }
        }
        polling
    }
}
