//! Is a thread of this process waiting for a CPU? The hand-off monitor
//! asks before it hands a stuck worker's core to a new thread.
//!
//! A poll the monitor sees running for the whole hand-off threshold is
//! either blocking (asleep in a system call), computing, or neither: a
//! short poll whose thread the OS took off the CPU because more threads
//! want to run than there are cores. Handing off helps in the first two
//! cases. In the third it helps nobody (the new thread waits for the same
//! busy CPUs) and costs a thread; on a loaded server it happens over and
//! over, and each new thread takes its own allocator arena, so RSS grows.
//!
//! Linux tells the third case apart: the thread's state is `R` (runnable)
//! in `/proc/self/task/TID/stat`, and its time on a CPU (first field of
//! `/proc/self/task/TID/schedstat`) has hardly moved. (The run-queue wait
//! in `schedstat` is no help: the kernel adds a wait to it only when the
//! wait ends.) Elsewhere, or where the files cannot be read, `sample`
//! returns `None` and the monitor hands off as before.
//!
//! The same state letter tells the monitor, at a look that finds a poll
//! running while a worker is parked, whether the polling thread is asleep
//! in the kernel inside it (a blocking call in a poll: `S` or `D`); then
//! it rescues the queued tasks at once instead of a look later. The files stay open per thread (`ThreadFiles`),
//! so a reading is one `pread` (about 3 us for `stat`, 1 us for
//! `schedstat`, against 12 us to open, read and close).

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::time::Duration;

/// What the kernel says of one thread at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sample {
    /// Time the thread has spent on a CPU so far, in nanoseconds.
    pub(crate) on_cpu_ns: u64,
    /// Running or waiting for a CPU (not asleep).
    pub(crate) runnable: bool,
}

/// The calling thread's kernel id, for `sample`; `0` where there is none.
pub(crate) fn current_tid() -> i32 {
    #[cfg(all(target_os = "linux", not(loom)))]
    {
        // SAFETY: gettid has no preconditions and cannot fail.
        unsafe { libc::gettid() }
    }
    #[cfg(not(all(target_os = "linux", not(loom))))]
    {
        0
    }
}

/// The kernel's files on one thread of this process, each opened at its
/// first reading and kept open (an open file names the thread itself, not
/// its number, so a reused id is never read by mistake).
pub(crate) struct ThreadFiles {
    tid: i32,
    stat: Option<File>,
    schedstat: Option<File>,
}

impl ThreadFiles {
    /// The files of thread `tid` (`current_tid` on that thread; `0` for
    /// none: every reading is then `None`).
    pub(crate) fn new(tid: i32) -> ThreadFiles {
        ThreadFiles {
            tid,
            stat: None,
            schedstat: None,
        }
    }

    /// The thread now; `None` if it cannot be read.
    pub(crate) fn sample(&mut self) -> Option<Sample> {
        let mut buf = [0u8; 128];
        let text = read_start(self.tid, &mut self.schedstat, "schedstat", &mut buf)?;
        let on_cpu_ns = parse_schedstat(text)?;
        Some(Sample {
            on_cpu_ns,
            runnable: self.state()? == 'R',
        })
    }

    /// `Some(true)` if the thread is asleep in the kernel (state `S`, a
    /// wait that a signal can end, or `D`, one it cannot: blocked either
    /// way); `None` if it cannot be read.
    pub(crate) fn asleep(&mut self) -> Option<bool> {
        Some(matches!(self.state()?, 'S' | 'D'))
    }

    /// The state letter of the thread's `stat` line.
    fn state(&mut self) -> Option<char> {
        // The letter follows the command name, which is at most 15 bytes
        // (in parentheses, after the id): well inside the first 128.
        let mut buf = [0u8; 128];
        parse_stat_state(read_start(self.tid, &mut self.stat, "stat", &mut buf)?)
    }
}

/// The start of thread `tid`'s file `name` read into `buf`, through `file`
/// (opened here at the first reading and kept).
fn read_start<'b>(
    tid: i32,
    file: &mut Option<File>,
    name: &str,
    buf: &'b mut [u8],
) -> Option<&'b str> {
    if tid <= 0 || cfg!(loom) || !cfg!(target_os = "linux") {
        return None;
    }
    if file.is_none() {
        *file = Some(File::open(format!("/proc/self/task/{tid}/{name}")).ok()?);
    }
    // Offset 0: the kernel writes the file afresh for each reading.
    let n = file.as_ref()?.read_at(buf, 0).ok()?;
    std::str::from_utf8(&buf[..n]).ok()
}

/// The first field of a `schedstat` line: "on_cpu_ns wait_ns timeslices".
fn parse_schedstat(text: &str) -> Option<u64> {
    text.split_ascii_whitespace().next()?.parse().ok()
}

/// The state letter of a `stat` line: "tid (comm) S ...", where comm may
/// hold spaces and parentheses, so the state follows the last `)`.
fn parse_stat_state(text: &str) -> Option<char> {
    let after_comm = &text[text.rfind(')')? + 1..];
    after_comm.trim_start().chars().next()
}

/// `true` if a thread sampled `before` and, `window` later, `after` is
/// waiting for a CPU: runnable now, and on a CPU for less than half of
/// the window.
pub(crate) fn waiting_for_cpu(window: Duration, before: Sample, after: Sample) -> bool {
    let ran = after.on_cpu_ns.saturating_sub(before.on_cpu_ns);
    after.runnable && u128::from(ran) * 2 < window.as_nanos()
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fields_it_needs() {
        assert_eq!(parse_schedstat("123456 7890 42\n"), Some(123456));
        assert_eq!(parse_schedstat("x 1 2"), None);
        assert_eq!(parse_schedstat(""), None);
        assert_eq!(parse_stat_state("42 (runtime-worker) R 1 2 3"), Some('R'));
        assert_eq!(parse_stat_state("42 (a) b) (c) S 1 2 3"), Some('S'));
        assert_eq!(parse_stat_state("no comm"), None);
    }

    #[test]
    fn waiting_means_runnable_and_mostly_off_the_cpu() {
        let window = Duration::from_millis(10);
        let at = |ms: u64, runnable| Sample {
            on_cpu_ns: ms * 1_000_000,
            runnable,
        };
        // Preempted: runnable, 1 ms on a CPU in 10.
        assert!(waiting_for_cpu(window, at(5, true), at(6, true)));
        // Computing: runnable and on a CPU most of the time.
        assert!(!waiting_for_cpu(window, at(5, true), at(14, true)));
        // Blocked: asleep.
        assert!(!waiting_for_cpu(window, at(5, false), at(5, false)));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_sleeping_thread_reads_as_asleep_and_this_one_as_runnable() {
        let me = current_tid();
        assert!(me > 0);
        assert_eq!(ThreadFiles::new(0).sample(), None);
        assert_eq!(ThreadFiles::new(0).asleep(), None);
        let mut mine = ThreadFiles::new(me);
        assert_eq!(mine.asleep(), Some(false));
        let kept = std::path::Path::new(&format!("/proc/self/task/{me}/schedstat")).exists();
        if !kept {
            // A kernel without schedstat: the monitor hands off as before.
            assert_eq!(mine.sample(), None);
            return;
        }
        // Read again and again through the same open files: each reading
        // is afresh, so the CPU time read grows while this thread computes
        // (the kernel updates it at its ticks and switches, so look until
        // it moves; the bound only turns a stale reading into a failure).
        let first = mine.sample().expect("readable");
        assert!(first.runnable);
        let mut spent = 0u64;
        let mut chunks = 0u64;
        loop {
            for i in 0..100_000u64 {
                spent = spent.wrapping_add(std::hint::black_box(i));
            }
            let now = mine.sample().expect("readable");
            if now.on_cpu_ns > first.on_cpu_ns {
                break;
            }
            chunks += 1;
            assert!(
                chunks < 1_000_000,
                "the CPU time read through a kept-open file never grew: {first:?} then {now:?}"
            );
        }
        std::hint::black_box(spent);
        let (tx, rx) = std::sync::mpsc::channel();
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let sleeper = std::thread::spawn(move || {
            tx.send(current_tid()).unwrap();
            let _ = wait.recv();
        });
        let tid = rx.recv().unwrap();
        let mut files = ThreadFiles::new(tid);
        // It blocks in recv() soon; until then it reads runnable. (The
        // bound only turns a wrong reading into a failure, not a hang.)
        let mut looks = 0;
        while files.sample().expect("readable").runnable {
            looks += 1;
            assert!(
                looks < 10_000_000,
                "a thread blocked in recv() never read as asleep"
            );
            std::thread::yield_now();
        }
        // The same through the state alone (a spurious wake-up could
        // show it runnable for a moment: look again, as above).
        while files.asleep() != Some(true) {
            looks += 1;
            assert!(
                looks < 10_000_000,
                "a thread blocked in recv() never read as asleep"
            );
            std::thread::yield_now();
        }
        release.send(()).unwrap();
        sleeper.join().unwrap();
    }
}
