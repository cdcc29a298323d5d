//! The monitor's alarm (`scheduler/monitor_alarm.rs`): a worker that
//! parks last disarms it while another wakes and arms it. Whatever the
//! interleaving (loom's timer stand-in takes a lock, as the kernel's
//! timerfd does), a worker left running has the alarm set, so the
//! sleeping monitor is sure to look at it.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Arc;
use crate::scheduler::monitor_alarm::Alarm;
use loom::thread;
use std::time::Duration;

const PERIOD: Duration = Duration::from_micros(500);

#[test]
fn a_disarm_racing_a_waking_worker_leaves_the_alarm_set() {
    loom::model(|| {
        // One worker running, which armed the alarm when it woke.
        let running = Arc::new(AtomicUsize::new(1));
        let alarm = Arc::new(Alarm::new().unwrap());
        alarm.arm(PERIOD);

        let parks = {
            let (running, alarm) = (running.clone(), alarm.clone());
            thread::spawn(move || {
                // Parks: counted parked, then, every worker parked,
                // disarms (`Shared::everyone_parked`).
                if running.fetch_sub(1, SeqCst) == 1 {
                    alarm.disarm(PERIOD, || running.load(SeqCst) != 0);
                }
            })
        };
        // Another worker wakes: counted running, then arms
        // (`Shared::worker_woke`, after a long gap).
        running.fetch_add(1, SeqCst);
        alarm.arm(PERIOD);
        parks.join().unwrap();

        assert_eq!(running.load(SeqCst), 1);
        assert!(
            alarm.is_set(),
            "a running worker was left without the alarm"
        );
    });
}

#[test]
fn two_workers_parking_together_leave_it_disarmed_or_harmlessly_set() {
    loom::model(|| {
        // Two workers running; the alarm armed by the first to wake.
        let running = Arc::new(AtomicUsize::new(2));
        let alarm = Arc::new(Alarm::new().unwrap());
        alarm.arm(PERIOD);
        let park = |running: Arc<AtomicUsize>, alarm: Arc<Alarm>| {
            move || {
                if running.fetch_sub(1, SeqCst) == 1 {
                    alarm.disarm(PERIOD, || running.load(SeqCst) != 0);
                }
            }
        };
        let a = thread::spawn(park(running.clone(), alarm.clone()));
        park(running.clone(), alarm.clone())();
        a.join().unwrap();
        // Exactly one of them saw every worker parked and disarmed it.
        assert_eq!(running.load(SeqCst), 0);
        assert!(
            !alarm.is_set(),
            "the alarm stayed set with every worker parked"
        );
    });
}
