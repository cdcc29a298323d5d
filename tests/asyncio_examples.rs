//! The asyncio guide's examples (`examples/asyncio_*.rs`, explained in
//! `docs/asyncio.md`) run: each is started as its own process and its
//! output checked. Each example also asserts its own results, so a wrong
//! result fails the process. The last test checks that the guide's code
//! excerpts are still taken verbatim from the example files.

#[allow(unused_macros)]
#[macro_use]
mod common;

use std::path::Path;

/// The examples this file runs.
const EXAMPLES: &[&str] = &[
    "asyncio_event_loop",
    "asyncio_tasks",
    "asyncio_wait",
    "asyncio_cancel",
    "asyncio_to_thread",
    "asyncio_queue",
    "asyncio_sync",
    "asyncio_streams",
    "asyncio_taskgroup",
    "asyncio_contextvars",
    "asyncio_debug",
    "asyncio_testing",
    "asyncio_net",
    "asyncio_files",
    "asyncio_subprocess",
];

/// Runs one of `EXAMPLES`; returns its stdout.
fn run(name: &str) -> String {
    run_with_stderr(name).0
}

/// Runs one of `EXAMPLES`; returns its stdout and stderr.
fn run_with_stderr(name: &str) -> (String, String) {
    assert!(EXAMPLES.contains(&name), "{name} is not in EXAMPLES");
    common::run_example_with_stderr(name)
}

/// Asserts that `out` holds each of `lines` as a whole line, in order.
fn has_lines(out: &str, lines: &[&str]) {
    let mut rest = out.lines();
    for want in lines {
        assert!(
            rest.any(|line| line == *want),
            "missing line (or out of order): {want:?}\nin:\n{out}"
        );
    }
}

#[test]
fn event_loop() {
    has_lines(
        &run("asyncio_event_loop"),
        &[
            "outside block_on: no current runtime",
            "answer() called: nothing ran yet",
            "block_on(answer()) = 42",
            "spawned through a cloned Handle: hello from another thread",
        ],
    );
}

#[test]
fn tasks_futures_gather() {
    has_lines(
        &run("asyncio_tasks"),
        &[
            "create_task: 49, and task::id() inside == JoinHandle::id()",
            "future: set_result -> done; setter dropped -> RecvError",
            "gather: [1, 4, 9] and [1, 4, 9, 16, 25]",
            "try_join!: \"x\": invalid digit found in string",
            "return_exceptions: [Ok(1), Err(\"\\\"two\\\": invalid digit found in string\"), Ok(3)]",
        ],
    );
}

#[test]
fn wait_for_timeouts_and_as_completed() {
    has_lines(
        &run("asyncio_wait"),
        &[
            "wait_for: deadline has elapsed",
            "timeout_at: step 1 finished before the deadline",
            "timeout_at: the deadline passed during step 2",
            "wait(FIRST_COMPLETED): fast won, slow still pending (then aborted)",
            "as_completed: [\"a\", \"b\", \"c\"]",
        ],
    );
}

#[test]
fn cancellation() {
    let out = run("asyncio_cancel");
    // The abort line names the task ("task <id> was cancelled").
    let abort = out.lines().next().unwrap_or_default();
    assert!(
        abort.starts_with("abort: task ") && abort.ends_with(" was cancelled; its clean-up ran"),
        "{out}"
    );
    has_lines(
        &out,
        &[
            "timeout dropped the inner future: clean-up ran",
            "shield: the wait timed out, the task still finished",
            "CancellationToken: worker handled 3 jobs, then stopped cleanly",
            "select! loop over recv(): all 100 messages, in order",
            "read_pair pinned outside the loop: (1, 2) across timer ticks",
        ],
    );
}

#[test]
fn to_thread() {
    has_lines(
        &run("asyncio_to_thread"),
        &[
            "spawn_blocking: sent by a task",
            "run_in_executor x3: [(10, 45), (100, 4950), (1000, 499500)]",
            "block_in_place: sent while blocked in place",
        ],
    );
}

#[test]
fn queues() {
    has_lines(
        &run("asyncio_queue"),
        &[
            "Queue(maxsize=4): 20 items by 3 workers, sum of doubles 380",
            "try_put on a full queue: Err(item); try_get on an empty one: None",
            "PriorityQueue: [\"urgent\", \"normal\", \"low\"]",
            "LifoQueue: [3, 2, 1]",
        ],
    );
}

#[test]
fn semaphore_lock_event_condition() {
    has_lines(
        &run("asyncio_sync"),
        &[
            "Semaphore(2): 6 jobs, never more than 2 at once",
            "Lock: 100 read-await-write increments, counter = 100",
            "Event: set() woke the waiter",
            "Condition: the consumer saw [0, 1, 2]",
        ],
    );
}

#[test]
fn async_iterators_and_generators() {
    has_lines(
        &run("asyncio_streams"),
        &[
            "Countdown(3): [3, 2, 1]",
            "async comprehension: [1, 5, 17]",
            "async for with break: last square below 50 is 49",
            "take(4).fold: 14",
        ],
    );
}

#[test]
fn subprocesses_and_signals() {
    has_lines(
        &run("asyncio_subprocess"),
        &[
            "communicate: SHOUT THIS",
            "streamed: line 1",
            "streamed: line 2",
            "streamed: line 3",
            "killed: signal Some(9)",
            "SIGUSR1 received",
        ],
    );
}

#[test]
fn task_group() {
    has_lines(
        &run("asyncio_taskgroup"),
        &[
            "all ok: [0, 10, 20, 30]",
            "one failed: no route to host; the hanging sibling was cancelled",
            "one panicked: \"bug in a child\" comes back as TaskGroupError::Panicked",
        ],
    );
}

#[test]
fn contextvars() {
    has_lines(
        &run("asyncio_contextvars"),
        &[
            "[request 1] child",
            "[request 1] start",
            "[request 2] child",
            "[request 2] start",
            "[request 3] child",
            "[request 3] start",
            "[request 7] sync",
        ],
    );
}

#[test]
fn debug_mode() {
    let (stdout, stderr) = run_with_stderr("asyncio_debug");
    // The dump's header, and the waiter's row found by its id.
    assert!(stdout.contains("task  state"), "{stdout}");
    assert!(
        stdout.contains("the dump lists the waiter, spawned at examples/asyncio_debug.rs:"),
        "{stdout}"
    );
    has_lines(
        &stdout,
        &[
            "the watchdog named the blocked task and its spawn location",
            "slow polls counted: at least 1",
        ],
    );
    // The stall warning, through the example's logger.
    assert!(
        stderr.contains("[WARN runtime::slow_poll] task ")
            && stderr.contains("spawned at examples/asyncio_debug.rs:")
            && stderr.contains("has not returned yet"),
        "{stderr}"
    );
}

#[test]
fn testing_with_a_paused_clock() {
    has_lines(
        &run("asyncio_testing"),
        &[
            "backoff: 3 retries, 7 s on the paused clock",
            "advance: an hour-long sleep fired after advance(1 h)",
            "real time taken: less than the backoff's 7 s",
        ],
    );
}

#[test]
fn tcp_streams() {
    has_lines(
        &run("asyncio_net"),
        &[
            "replies: [\"HELLO\", \"ASYNCIO\"]",
            "closed: the server saw EOF and closed its side",
        ],
    );
}

#[test]
fn files() {
    has_lines(
        &run("asyncio_files"),
        &[
            "lines: [\"first line\", \"second line\", \"third line\"]",
            "size: 34 bytes",
            "listdir: [\"notes.txt\"]",
            "cleaned up",
        ],
    );
}

/// Every ```rust block of docs/asyncio.md is taken from the example named
/// by the next "runnable: `cargo run --example ...`" line: its parts
/// (separated by `// ...` lines) are runs of consecutive lines of that
/// file, in file order. Every asyncio example is named by the guide.
#[test]
fn guide_excerpts_match_the_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let guide = std::fs::read_to_string(root.join("docs/asyncio.md")).unwrap();
    let lines: Vec<&str> = guide.lines().collect();
    const RUN: &str = "runnable: `cargo run --example ";

    let mut checked = 0;
    let mut i = 0;
    while i < lines.len() {
        if lines[i] != "```rust" {
            i += 1;
            continue;
        }
        let end = i + 1 + lines[i + 1..].iter().position(|l| *l == "```").unwrap();
        let name = lines[end..]
            .iter()
            .find_map(|l| l.strip_prefix(RUN))
            .and_then(|rest| rest.strip_suffix('`'))
            .unwrap_or_else(|| panic!("no `runnable:` line after the block at line {}", i + 1));
        let file = std::fs::read_to_string(root.join("examples").join(format!("{name}.rs")))
            .unwrap_or_else(|e| panic!("examples/{name}.rs: {e}"));
        let file: Vec<&str> = file.lines().collect();
        let mut from = 0;
        for part in lines[i + 1..end].split(|l| l.trim() == "// ...") {
            assert!(!part.is_empty(), "empty excerpt part at line {}", i + 1);
            let at = (from..file.len().saturating_sub(part.len() - 1))
                .find(|&k| file[k..k + part.len()] == *part)
                .unwrap_or_else(|| {
                    panic!(
                        "docs/asyncio.md line {}: this part is not in examples/{name}.rs \
                         (after line {from}):\n{}",
                        i + 1,
                        part.join("\n")
                    )
                });
            from = at + part.len();
        }
        checked += 1;
        i = end + 1;
    }
    assert!(checked >= 20, "only {checked} excerpts found");

    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(stem) = name
            .strip_prefix("asyncio_")
            .and_then(|n| n.strip_suffix(".rs"))
        {
            assert!(
                guide.contains(&format!("{RUN}asyncio_{stem}`")),
                "examples/{name} is not in docs/asyncio.md"
            );
            assert!(
                EXAMPLES.contains(&format!("asyncio_{stem}").as_str()),
                "examples/{name} is not run by this file"
            );
        }
    }
}
