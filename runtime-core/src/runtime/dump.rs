//! Task dumps: `Handle::dump` lists every live task of a runtime (id,
//! name, spawn location, state, polls, age) while it keeps running.
//!
//! The dump walks the runtime's owned-task list one shard lock at a time,
//! reading each task's header (its state word, poll count and spawn time);
//! no worker is stopped, and a spawn or completion only waits for the
//! shard it touches.

use crate::raw_task::Header;
use crate::scheduler;
use crate::task::Id;
use crate::util::clock;
use std::fmt;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

/// What a task was doing when the dump looked at it.
///
/// ```
/// use runtime_core::runtime::{Handle, TaskState};
///
/// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
/// let state_of = |id| rt.handle().dump().tasks().iter().find(|t| t.id() == id).unwrap().state();
/// let waiting = rt.spawn(std::future::pending::<()>());
/// // Not polled yet: waiting in the run queue.
/// assert_eq!(state_of(waiting.id()), TaskState::Scheduled);
/// let checker = rt.spawn(async {
///     let dump = Handle::current().dump();
///     let me = runtime_core::task::id();
///     dump.tasks().iter().map(|t| (t.id() == me, t.state())).collect::<Vec<_>>()
/// });
/// // The first task ran (and now waits); the second dumped while running.
/// assert_eq!(
///     rt.block_on(checker).unwrap(),
///     [(false, TaskState::Idle), (true, TaskState::Running)]
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskState {
    /// Waiting to be woken (its future returned `Pending`).
    Idle,
    /// Woken, waiting in a run queue for a worker.
    Scheduled,
    /// Being polled by a worker right now.
    Running,
}

impl TaskState {
    fn as_str(self) -> &'static str {
        match self {
            TaskState::Idle => "idle",
            TaskState::Scheduled => "scheduled",
            TaskState::Running => "running",
        }
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// One live task in a [`Dump`].
///
/// ```
/// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
/// let task = rt.spawn(std::future::pending::<()>());
/// rt.block_on(runtime_core::task::yield_now()); // let it run once
/// let dump = rt.handle().dump();
/// let info = &dump.tasks()[0];
/// assert_eq!(info.id(), task.id());
/// assert_eq!(info.location().file(), file!()); // spawned here
/// assert_eq!(info.polls(), 1);
/// assert!(info.age() < std::time::Duration::from_secs(60));
/// ```
#[derive(Clone, Debug)]
pub struct TaskInfo {
    id: Id,
    name: Option<Arc<str>>,
    location: &'static Location<'static>,
    state: TaskState,
    polls: u64,
    age: Duration,
}

impl TaskInfo {
    fn read(header: &Header, now_ms: u32) -> TaskInfo {
        let snapshot = header.state.load();
        let state = if snapshot.is_running() {
            TaskState::Running
        } else if snapshot.is_notified() {
            TaskState::Scheduled
        } else {
            TaskState::Idle
        };
        TaskInfo {
            id: header.id(),
            name: header.name(),
            location: header.location,
            state,
            polls: header.polls.load(std::sync::atomic::Ordering::Relaxed),
            age: Duration::from_millis(u64::from(now_ms.wrapping_sub(header.spawned_at_ms))),
        }
    }

    /// The task's id (as `JoinHandle::id` and `task::id()` give it).
    pub fn id(&self) -> Id {
        self.id
    }

    /// The name given to the task with [`task::Builder::name`]
    /// (`None` for a task spawned without one).
    ///
    /// ```
    /// let rt = runtime_core::Builder::new_current_thread().build().unwrap();
    /// let _guard = rt.enter();
    /// let named = runtime_core::task::Builder::new()
    ///     .name("accept loop")
    ///     .spawn(std::future::pending::<()>())
    ///     .unwrap();
    /// let plain = runtime_core::spawn(std::future::pending::<()>());
    /// let dump = rt.handle().dump();
    /// let name_of = |id| dump.tasks().iter().find(|t| t.id() == id).unwrap().name();
    /// assert_eq!(name_of(named.id()), Some("accept loop"));
    /// assert_eq!(name_of(plain.id()), None);
    /// // The table form quotes it after the location.
    /// assert!(dump.to_string().contains("\"accept loop\""));
    /// ```
    ///
    /// [`task::Builder::name`]: crate::task::Builder::name
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where the task was spawned (the caller of `spawn`).
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// Idle, scheduled or running.
    pub fn state(&self) -> TaskState {
        self.state
    }

    /// How many times the task's future has been polled.
    pub fn polls(&self) -> u64 {
        self.polls
    }

    /// Time since the task was spawned (to the kernel's coarse clock tick,
    /// 1-4 ms on Linux).
    pub fn age(&self) -> Duration {
        self.age
    }
}

/// A snapshot of every task alive in a runtime, from
/// [`Handle::dump`](crate::runtime::Handle::dump); tasks are listed by id
/// (spawn order for the tasks spawned from any one thread). Blocking closures (`spawn_blocking`) are not tasks and
/// are not listed.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// let stuck = rt.spawn(std::future::pending::<()>());
/// let dump = rt.handle().dump();
/// assert_eq!(dump.tasks().len(), 1);
/// assert_eq!(dump.tasks()[0].id(), stuck.id());
/// println!("{dump}");
/// ```
///
/// `Display` prints one row per task, with the name of a named task
/// ([`task::Builder::name`](crate::task::Builder::name)) after its
/// location:
///
/// ```text
///  task  state      polls       age  spawned at
///     1  idle           1     2.31s  src/main.rs:12:5  "accept loop"
///     7  running       40   153.0ms  src/handlers.rs:40:9
/// ```
#[derive(Clone, Debug)]
pub struct Dump {
    tasks: Vec<TaskInfo>,
}

impl Dump {
    pub(crate) fn capture(handle: &scheduler::SchedulerHandle) -> Dump {
        let now = clock::coarse_now_ms();
        let mut tasks = Vec::with_capacity(handle.num_alive_tasks() + 8);
        let mut visit = |header: &Header| tasks.push(TaskInfo::read(header, now));
        match handle {
            scheduler::SchedulerHandle::CurrentThread(h) => h.owned.for_each(&mut visit),
            scheduler::SchedulerHandle::MultiThread(h) => h.owned.for_each(&mut visit),
        }
        tasks.sort_unstable_by_key(|t| t.id.as_u64());
        Dump { tasks }
    }

    /// The live tasks, by id.
    pub fn tasks(&self) -> &[TaskInfo] {
        &self.tasks
    }
}

impl fmt::Display for Dump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:>6}  {:<10} {:>8}  {:>9}  spawned at",
            "task", "state", "polls", "age"
        )?;
        for t in &self.tasks {
            write!(
                f,
                "{:>6}  {:<10} {:>8}  {:>9}  {}:{}:{}",
                t.id,
                t.state,
                t.polls,
                crate::util::fmt::Human(t.age),
                t.location.file(),
                t.location.line(),
                t.location.column()
            )?;
            match &t.name {
                Some(name) => writeln!(f, "  {name:?}")?,
                None => writeln!(f)?,
            }
        }
        Ok(())
    }
}
