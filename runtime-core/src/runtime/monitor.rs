//! The runtime's monitor thread: one thread per runtime that looks at
//! every polling thread's poll stamp (`scheduler/poll_stamp.rs`) at a
//! period and feeds what it sees to up to two parts (the looks' state is
//! in `Shared::looker`, so that waking workers can take looks too):
//!
//! - slow-poll detection (`watchdog.rs`), when
//!   `Builder::slow_poll_threshold` is set (both flavours);
//! - the blocking hand-off (`scheduler/multi_thread/monitor.rs`), on by
//!   default on the multi-thread flavour.
//!
//! The period is the finer of the two parts' (500 us with the hand-off
//! on, a tenth of the slow-poll threshold otherwise). With the hand-off
//! on, it adapts to what the workers do:
//!
//! - the last look found a poll it had seen at the look before (a long
//!   poll: it may need a rescue or a hand-off soon): every 500 us;
//! - some worker is parked (a core is free, so a look preempts nobody):
//!   every 500 us while the looks find a poll running, doubling up to
//!   1 ms while they find none. A poll that starts blocking is seen
//!   within 1 ms; if its thread is asleep in the kernel then, the tasks
//!   queued behind it are rescued at that look, and if it computes, at
//!   the next one, 500 us later. But while workers wake from park often
//!   (a server under load), they take these looks themselves: a worker
//!   waking from park takes the look if none was taken for 500 us
//!   (`Shared::watch`, a clock read and a `try_lock` when none is due),
//!   and this thread, finding that workers looked since each of its last
//!   two looks, waits the busy period (5 ms) instead. A server's workers
//!   wake for every few requests, so the looks cost no wake-up of their
//!   own (the 500 us looks of this thread had cost the ported mini-redis
//!   5-11% more CPU per request under load than no monitor,
//!   `benches/ports.sh`). Two looks, not one: a worker that wakes once,
//!   helps with a burst of spawns and parks again (`blocked_worker` in
//!   `benches/scheduler.rs`) must not leave the poll behind it, which may
//!   block next, to a 5 ms look (with one, two runs in six waited 5.3 ms).
//!   If the workers stop waking just as a poll starts blocking after
//!   they had kept waking, this thread sees it within 5 ms. (A worker sleeping on the driver with a
//!   500 us timeout, to look even without events, was tried and not kept:
//!   on this VM an `epoll_wait` with a short timeout costs about 15 us
//!   more CPU per sleep than one without, and the workers sleep far more
//!   often than the monitor looks.)
//! - every worker is busy with short polls: every 5 ms (or the slow-poll
//!   part's period, if finer). On a machine with no free core each look
//!   preempts a worker; 500 us looks cost 5-7% of `yield_many` on this
//!   2-core box, 5 ms looks about a tenth of that. A poll that starts
//!   blocking then waits up to one slow period before the fast looks
//!   begin. A worker that parks cuts the period short (a core is free
//!   again: the fast looks resume, `Shared::worker_parks`), unless
//!   workers have looked since each of this thread's last two looks:
//!   then they take the fast looks as they wake, and the period runs
//!   its course. Under a server's load the workers park many times a
//!   period, and that nudge had woken this thread for nearly every busy
//!   period (ported mini-redis: 0.23 us of this thread's CPU per
//!   request with the nudge, 0.04-0.10 us without, and 0.95-0.97x the
//!   whole server's CPU per request; `blocked_worker` unchanged);
//! - every worker is parked and no poll runs: it lingers, looking at
//!   periods that double from 500 us up to 4 ms, and once the runtime has
//!   been idle for 50 ms it sleeps on a condvar until a worker wakes
//!   (`Shared::worker_woke`). Sleeping at once would make every request
//!   of a lightly loaded server (whose workers all park between requests)
//!   wake this thread too: with that and fixed 500 us looks, a ported
//!   mini-redis spent 7-14% more CPU per request than with no monitor
//!   (`benches/ports.sh`). While it lingers, a poll that starts blocking
//!   is seen within 4 ms. (Having a waking worker cut a lingering period
//!   longer than 1 ms short would bring that to 1 ms, at one `futex` wake
//!   on the path of every request that comes after 1.5 ms or more of
//!   quiet; tried, and not kept for that reason.) But when the last idle
//!   stretch lasted 4 ms or more, it sleeps at once: lingering through a
//!   long gap costs a look every 4 ms (2.6 per request at 10 ms gaps),
//!   sleeping costs the waking worker's wake-up of this thread and
//!   usually one look after it (1.85 per request). Gaps shorter than
//!   that cost less than one look each while it lingers (0.13 at 300 us,
//!   0.86 at 3 ms: `cargo bench --bench sparse`). On Linux it sleeps
//!   then on an alarm (`scheduler/monitor_alarm.rs`, a timerfd): a worker
//!   waking after every worker was parked for 4 ms or more arms it for
//!   one period instead of waking this thread, and the last worker to
//!   park disarms it, so a request shorter than a period (most) costs no
//!   wake-up of this thread at all: 0.01 per request at 10 ms gaps. The
//!   two `timerfd_settime` calls cost the worker about 13 us of CPU after
//!   a sleep on this KVM guest (the timer's reprogramming), which is why
//!   shorter gaps keep lingering (with 1 ms instead of 4, gaps of 1.5 and
//!   3 ms cost as much as lingering did). A worker that wakes after a
//!   shorter gap fires the alarm at once, so load coming back wakes this
//!   thread as before.
//!
//! The thread asks Linux for 1 us of timer slack instead of the default
//! 50 us: with the default, each look came about 85 us after its period
//! ended, with it about 30 us.

use super::watchdog::{self, Report, SlowPolls};
use crate::scheduler::monitor_shared::{Look, Seen, AWAKE, BUSY_SLEEP, IDLE_SLEEP, LONG_IDLE};
use crate::scheduler::multi_thread::monitor::{Handoff, Track, TICK};
use crate::scheduler::{self, StampSource};
use std::io;
use std::sync::atomic::Ordering::SeqCst;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The monitor thread of one runtime; stopped at shutdown.
pub(crate) struct Monitor {
    handle: scheduler::SchedulerHandle,
    thread: Option<JoinHandle<()>>,
}

impl Monitor {
    /// Starts the thread if either part is on.
    pub(crate) fn start(
        handle: scheduler::SchedulerHandle,
        slow_poll: Option<Duration>,
        handoff: Option<Handoff>,
    ) -> io::Result<Option<Monitor>> {
        if slow_poll.is_none() && handoff.is_none() {
            return Ok(None);
        }
        let mut slow = slow_poll.map(|t| SlowPolls::new(t, handoff.is_some(), handle.clone()));
        let slow_tick = slow.as_ref().map_or(BUSY_TICK, SlowPolls::tick);
        let (tick, busy_tick) = if handoff.is_some() {
            (TICK, BUSY_TICK.min(slow_tick))
        } else {
            (slow_tick, slow_tick)
        };
        if let Some(slow) = &mut slow {
            // The longest gap between two looks, for its estimates.
            slow.set_tick(busy_tick);
        }
        let handoff_on = handoff.is_some();
        #[cfg(target_os = "linux")]
        if handoff_on {
            // Without it (no timerfd), workers wake the sleeping monitor
            // with the condvar, as on other systems.
            match crate::scheduler::monitor_alarm::Alarm::new() {
                Ok(alarm) => {
                    let _ = handle.monitor_shared().alarm.set(alarm);
                }
                Err(e) => {
                    log::debug!(target: "runtime::handoff", "no timerfd for the monitor: {e}")
                }
            }
        }
        *handle.monitor_shared().looker.lock() = Some(Box::new(Looks {
            handle: handle.clone(),
            slow,
            handoff,
            tracked: Vec::new(),
            reports: Vec::new(),
            last_look: Instant::now(),
            worker_looks: 0,
        }));
        let looker = Looker {
            handle: handle.clone(),
            tick,
            busy_tick,
            handoff_on,
        };
        let thread = match std::thread::Builder::new()
            .name("runtime-monitor".into())
            .spawn(move || looker.run())
        {
            Ok(thread) => thread,
            Err(e) => {
                // No monitor to stop: take the looks back out here (they
                // hold the scheduler's handle, which holds them).
                handle.monitor_shared().looker.lock().take();
                return Err(e);
            }
        };
        Ok(Some(Monitor {
            handle,
            thread: Some(thread),
        }))
    }

    /// Stops the thread after one last look and waits for it (it waits on
    /// nothing but its period, so this is quick).
    pub(crate) fn stop(&mut self) {
        let shared = self.handle.monitor_shared();
        shared.control.lock().stop = true;
        shared.wake.notify_all();
        #[cfg(target_os = "linux")]
        if let Some(alarm) = shared.alarm.get() {
            alarm.fire();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // The looks hold the scheduler's handle, which holds them.
        shared.looker.lock().take();
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
    slow: Option<watchdog::Seen>,
    handoff: Track,
    /// The poll seen at the last look.
    last_seq: Option<u64>,
}

/// The period while every worker is busy with short polls (see the
/// module docs).
const BUSY_TICK: Duration = Duration::from_millis(5);

/// How long every worker must have been parked before the monitor sleeps
/// until one wakes (see the module docs).
const IDLE_AFTER: Duration = Duration::from_millis(50);

/// The longest period between two looks while lingering.
const LINGER_MAX: Duration = Duration::from_millis(4);

/// The longest period while a core is free and the looks find no poll
/// running.
const QUIET_MAX: Duration = Duration::from_millis(1);

/// How to wait for the next look.
#[derive(Clone, Copy)]
enum Next {
    /// Every worker is parked and no poll runs: until a worker wakes.
    Idle,
    /// Every worker is busy with short polls: a long period, unless a
    /// worker parks meanwhile.
    Busy(Duration),
    /// A period.
    Soon(Duration),
}

/// Why `wait` returned.
enum Woke {
    /// The runtime is stopping.
    Stop,
    /// A worker woke or parked (`Shared::worker_woke`, `worker_parks`).
    Nudged,
    /// The period ran out.
    Period,
}

/// The thread's state (what it looks with is in `Looks`).
struct Looker {
    handle: scheduler::SchedulerHandle,
    /// The period when a look may be needed soon.
    tick: Duration,
    /// The period while every worker is busy with short polls.
    busy_tick: Duration,
    handoff_on: bool,
}

/// The looks' state, in `Shared::looker` (`Look`): the monitor thread
/// takes most looks, workers waking from park the others (the watch,
/// `Shared::watch`).
struct Looks {
    handle: scheduler::SchedulerHandle,
    slow: Option<SlowPolls>,
    handoff: Option<Handoff>,
    tracked: Vec<Tracked>,
    reports: Vec<Report>,
    last_look: Instant,
    worker_looks: u64,
}

impl Looker {
    /// Every worker is parked (the hand-off part only).
    fn all_parked(&self) -> bool {
        match &self.handle {
            scheduler::SchedulerHandle::MultiThread(h) if self.handoff_on => h.idle.all_parked(),
            _ => false,
        }
    }

    /// No worker is parked (the hand-off part only).
    fn none_parked(&self) -> bool {
        match &self.handle {
            scheduler::SchedulerHandle::MultiThread(h) if self.handoff_on => !h.idle.any_parked(),
            _ => false,
        }
    }

    /// One look, under the looks' lock; also says how many looks the
    /// workers have taken so far.
    fn look(&self, now: Instant) -> (Seen, u64) {
        let mut looks = self.handle.monitor_shared().looker.lock();
        let looks = looks
            .as_mut()
            .expect("the monitor's looks are set until it stops");
        (looks.look(now, false), looks.worker_looks())
    }

    fn run(self) {
        tighten_timer_slack();
        // Since when every look found every worker parked, and how many
        // looks in a row found no poll running (the period doubles with
        // each, see the module docs).
        let mut idle_since: Option<Instant> = None;
        // How long the last idle stretch lasted at least: from the first
        // look that saw it to the last one that still did, or to the
        // worker's wake-up that ended this thread's sleep through it. (Not
        // to the first look that saw it over: that is a period later, and
        // the periods while lingering are up to 4 ms.)
        let mut last_idle = Duration::ZERO;
        let mut idle_last_seen = Instant::now();
        let mut slept_idle = false;
        let mut quiet_looks = 0u32;
        // A worker woke this thread for the look just taken: the runtime
        // has work again, so that look's finding no poll yet does not
        // lengthen the period.
        let mut woken = false;
        let mut seen_worker_looks = 0;
        let mut looked_before = false;
        loop {
            // Before the look: a poll that ended before every worker
            // parked is seen ended by this look. A thread stuck in a poll
            // after its core was handed off is no worker (the core it ran
            // may be parked): the look says whether any poll is running.
            let all_parked = self.all_parked();
            let now = Instant::now();
            let (seen, worker_looks) = self.look(now);
            // Workers looked since this thread's last look and since the
            // one before (`Shared::watch`): they keep waking, not just
            // once (as a worker does that wakes, helps with a burst of
            // spawns and parks again, leaving a poll behind that may
            // block).
            let looked = std::mem::replace(&mut seen_worker_looks, worker_looks) != worker_looks;
            let watched = std::mem::replace(&mut looked_before, looked) && looked;
            let idle = all_parked && !seen.polling;
            if idle {
                idle_last_seen = now;
            } else if let Some(since) = idle_since.take() {
                let until = if slept_idle { now } else { idle_last_seen };
                last_idle = until.saturating_duration_since(since);
            }
            quiet_looks = if seen.polling || woken {
                0
            } else {
                quiet_looks + 1
            };
            // Doubling from the base period with each quiet look.
            let backed_off = |max: Duration| (self.tick * (1 << quiet_looks.min(8))).min(max);
            let next = if idle {
                // A server between requests parks every worker many times
                // a second: sleeping until a worker wakes would cost a
                // wake-up of this thread per request. Linger with timed
                // looks (no worker wakes this thread) until the runtime
                // has been idle for a while.
                let since = *idle_since.get_or_insert(now);
                if now.duration_since(since) >= IDLE_AFTER || last_idle >= LONG_IDLE {
                    Next::Idle
                } else {
                    Next::Soon(backed_off(LINGER_MAX))
                }
            } else if seen.long_poll || !self.handoff_on {
                Next::Soon(self.tick)
            } else if watched {
                // Workers wake often enough to look themselves: they take
                // the fast looks, this thread only the busy period's, in
                // case they stop waking. Not cut short when a worker
                // parks, even if none is parked now (see the module docs:
                // under a server's load that nudge woke this thread for
                // nearly every period).
                Next::Soon(self.busy_tick)
            } else if !self.none_parked() {
                // A core is free: the base period while polls are seen
                // running, backing off while the looks find none.
                Next::Soon(backed_off(QUIET_MAX))
            } else {
                Next::Busy(self.busy_tick)
            };
            slept_idle = matches!(next, Next::Idle);
            match self.wait(next, now) {
                Woke::Stop => {
                    // That was not the last look yet: one more, so a slow
                    // poll that ended just before shutdown is still
                    // reported.
                    let _ = self.look(Instant::now());
                    return;
                }
                Woke::Nudged => woken = true,
                Woke::Period => woken = false,
            }
        }
    }

    /// Waits for the next look: until a worker wakes (`Next::Idle`), or a
    /// period after the last look, cut short by a parking worker when it
    /// is the long one (`Next::Busy`).
    fn wait(&self, next: Next, last_look: Instant) -> Woke {
        let shared = self.handle.monitor_shared();
        let mut control = shared.control.lock();
        control.nudged = false;
        let (state, period) = match next {
            Next::Idle => (IDLE_SLEEP, None),
            Next::Busy(p) => (BUSY_SLEEP, Some(p)),
            Next::Soon(p) => (AWAKE, Some(p)),
        };
        // Asleep on the alarm (Linux): no expiry from before, and the gap
        // a waking worker measures starts now (`Shared::worker_woke`).
        #[cfg(target_os = "linux")]
        let alarm = match next {
            Next::Idle => shared.alarm.get().inspect(|alarm| {
                alarm.reset();
                shared
                    .idle_since_ns
                    .store(crate::scheduler::monitor_shared::monotonic_ns(), SeqCst);
            }),
            _ => None,
        };
        shared.sleep.store(state, SeqCst);
        // Re-check after the store (Dekker with the workers' park and
        // wake transitions): a change before it is seen here.
        let still = !self.handoff_on
            || match next {
                Next::Idle => self.all_parked(),
                Next::Busy(_) => self.none_parked(),
                Next::Soon(_) => true,
            };
        if still {
            if state == IDLE_SLEEP {
                // For `Handle::__wait_until_monitor_sleeps` (tests); no
                // waiter is the rule, and then this is one atomic load.
                shared.asleep.notify_all();
            }
            #[cfg(target_os = "linux")]
            if let Some(alarm) = alarm {
                // Until a worker's alarm goes off (one still running a
                // period after it woke), or a worker fires it (after a
                // short gap), or `stop` does. A `stop` before this check
                // (under `control`) fired it before the `reset` above
                // cleared that: not waited for.
                if !control.stop {
                    parking_lot::MutexGuard::unlocked(&mut control, || alarm.wait());
                }
                control.nudged = true;
            }
            let deadline = period.map(|p| last_look + p);
            while !control.stop && !control.nudged {
                match deadline {
                    None => shared.wake.wait(&mut control),
                    Some(d) if Instant::now() < d => {
                        shared.wake.wait_until(&mut control, d);
                    }
                    Some(_) => break,
                }
            }
        }
        shared.sleep.store(AWAKE, SeqCst);
        if control.stop {
            Woke::Stop
        } else if control.nudged {
            Woke::Nudged
        } else {
            Woke::Period
        }
    }
}

impl Look for Looks {
    fn last_look(&self) -> Instant {
        self.last_look
    }

    fn worker_looks(&self) -> u64 {
        self.worker_looks
    }

    /// One look at every stamp; reports are logged after it (under the
    /// looks' lock: the monitor thread's next look waits for a slow
    /// logger, a waking worker's is skipped).
    fn look(&mut self, now: Instant, by_worker: bool) -> Seen {
        self.worker_looks += u64::from(by_worker);
        let last_look = std::mem::replace(&mut self.last_look, now);
        // Driver rule 4, deferred: a driver left free while a worker wanted
        // it gets a worker now.
        if let scheduler::SchedulerHandle::MultiThread(h) = &self.handle {
            if h.driver.as_ref().is_some_and(|d| d.take_orphaned()) {
                h.notify_parked();
            }
        }
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
                    last_seq: None,
                });
            }
        }
        let mut seen = Seen {
            polling: false,
            long_poll: false,
        };
        for t in &mut self.tracked {
            let mark = t.source.stamp().mark();
            let seq = mark.map(|m| m.seq);
            seen.polling |= seq.is_some();
            seen.long_poll |= seq.is_some() && seq == t.last_seq;
            t.last_seq = seq;
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
        seen
    }
}

/// Asks Linux to wake this thread within 1 us of each deadline instead of
/// the default 50 us of slack, which every look overshot its period by
/// (about 85 us in all, on a 500 us period). Elsewhere, nothing.
fn tighten_timer_slack() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_TIMERSLACK takes one integer argument (the slack
        // in nanoseconds) and changes only the calling thread's timers;
        // the other arguments are unused. A failure leaves the default.
        unsafe {
            libc::prctl(libc::PR_SET_TIMERSLACK, 1000 as libc::c_ulong, 0, 0, 0);
        }
    }
}
