//! Child processes (asyncio's `create_subprocess_exec`, Tokio's
//! `tokio::process`): [`Command`] builds and starts one, [`Child`] waits
//! for it, kills it and holds its standard streams as non-blocking pipes
//! on the I/O driver.
//!
//! ```
//! use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
//! use runtime_core::process::Command;
//! use std::process::Stdio;
//!
//! let rt = runtime_core::Runtime::new().unwrap();
//! rt.block_on(async {
//!     // Run to completion and collect the output.
//!     let out = Command::new("echo").arg("hello").output().await.unwrap();
//!     assert!(out.status.success());
//!     assert_eq!(out.stdout, b"hello\n");
//!
//!     // Talk to it through pipes.
//!     let mut child = Command::new("cat")
//!         .stdin(Stdio::piped())
//!         .stdout(Stdio::piped())
//!         .spawn()
//!         .unwrap();
//!     let mut stdin = child.stdin.take().unwrap();
//!     stdin.write_all(b"ping").await.unwrap();
//!     drop(stdin); // end of file for `cat`
//!     let mut echoed = String::new();
//!     child.stdout.take().unwrap().read_to_string(&mut echoed).await.unwrap();
//!     assert_eq!(echoed, "ping");
//!     assert!(child.wait().await.unwrap().success());
//! });
//! ```
//!
//! A child's exit is seen without a thread per child (a pidfd on Linux
//! 5.3+, `SIGCHLD` otherwise), and a [`Child`] dropped before it was
//! waited for is reaped in the background: no zombie stays behind.

mod pipe;
mod reap;

pub use pipe::{ChildStderr, ChildStdin, ChildStdout};
#[doc(hidden)]
pub use reap::__disable_pidfd;
pub(crate) use reap::reap_orphans;
pub use std::process::{ExitStatus, Output, Stdio};

use reap::ExitWatch;
use std::ffi::OsStr;
use std::future::Future;
use std::io;
use std::path::Path;

/// Builds a child process: program, arguments, environment, working
/// directory and standard streams (std's `Command`, plus
/// [`kill_on_drop`](Command::kill_on_drop); the starters are async).
///
/// By default the child inherits the three standard streams, except with
/// [`output`](Command::output), which captures stdout and stderr and gives
/// the child an empty stdin unless they were set.
pub struct Command {
    std: std::process::Command,
    kill_on_drop: bool,
    stdin_set: bool,
    stdout_set: bool,
    stderr_set: bool,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.std.fmt(f)
    }
}

impl From<std::process::Command> for Command {
    fn from(std: std::process::Command) -> Command {
        Command {
            std,
            kill_on_drop: false,
            stdin_set: false,
            stdout_set: false,
            stderr_set: false,
        }
    }
}

impl Command {
    /// A command that runs `program` (looked up in `PATH` when it has no
    /// slash).
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command::from(std::process::Command::new(program))
    }

    /// The std `Command` underneath.
    pub fn as_std(&self) -> &std::process::Command {
        &self.std
    }

    /// The std `Command` underneath, to set what this type has no method
    /// for.
    pub fn as_std_mut(&mut self) -> &mut std::process::Command {
        &mut self.std
    }

    /// The std `Command` underneath (`kill_on_drop` is lost).
    pub fn into_std(self) -> std::process::Command {
        self.std
    }

    /// Adds one argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.std.arg(arg);
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std.args(args);
        self
    }

    /// Sets an environment variable for the child.
    pub fn env(&mut self, key: impl AsRef<OsStr>, val: impl AsRef<OsStr>) -> &mut Command {
        self.std.env(key, val);
        self
    }

    /// Sets several environment variables.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.envs(vars);
        self
    }

    /// Removes an environment variable from the child's environment.
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.std.env_remove(key);
        self
    }

    /// Starts the child with an empty environment (plus what `env` adds).
    pub fn env_clear(&mut self) -> &mut Command {
        self.std.env_clear();
        self
    }

    /// The child's working directory.
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.std.current_dir(dir);
        self
    }

    /// The child's standard input (`Stdio::piped()` gives
    /// [`Child::stdin`]).
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdin(cfg);
        self.stdin_set = true;
        self
    }

    /// The child's standard output (`Stdio::piped()` gives
    /// [`Child::stdout`]).
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdout(cfg);
        self.stdout_set = true;
        self
    }

    /// The child's standard error (`Stdio::piped()` gives
    /// [`Child::stderr`]).
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stderr(cfg);
        self.stderr_set = true;
        self
    }

    /// Whether dropping the [`Child`] (or the `output`/`status` future)
    /// before the child exited kills it with `SIGKILL` (default: no, the
    /// child keeps running and is reaped in the background when it
    /// exits).
    ///
    /// ```
    /// use runtime_core::process::Command;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let child = Command::new("sleep").arg("1000").kill_on_drop(true).spawn().unwrap();
    ///     drop(child); // killed, then reaped in the background
    /// });
    /// ```
    pub fn kill_on_drop(&mut self, kill: bool) -> &mut Command {
        self.kill_on_drop = kill;
        self
    }

    /// Whether [`kill_on_drop`](Command::kill_on_drop) is set.
    pub fn get_kill_on_drop(&self) -> bool {
        self.kill_on_drop
    }

    /// Runs the child with this user id.
    pub fn uid(&mut self, id: u32) -> &mut Command {
        std::os::unix::process::CommandExt::uid(&mut self.std, id);
        self
    }

    /// Runs the child with this group id.
    pub fn gid(&mut self, id: u32) -> &mut Command {
        std::os::unix::process::CommandExt::gid(&mut self.std, id);
        self
    }

    /// The child's `argv[0]` (by default the program).
    pub fn arg0(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        std::os::unix::process::CommandExt::arg0(&mut self.std, arg);
        self
    }

    /// Puts the child in the process group `pgroup` (0: a new group with
    /// the child's pid as its id, so a terminal's Ctrl-C does not reach
    /// it).
    pub fn process_group(&mut self, pgroup: i32) -> &mut Command {
        std::os::unix::process::CommandExt::process_group(&mut self.std, pgroup);
        self
    }

    /// Runs `f` in the child after `fork` and before `exec`.
    ///
    /// # Safety
    /// As std's `CommandExt::pre_exec`: `f` runs in a forked copy of a
    /// multi-threaded process, so it may only do async-signal-safe things
    /// (no allocation, no locks).
    pub unsafe fn pre_exec<F>(&mut self, f: F) -> &mut Command
    where
        F: FnMut() -> io::Result<()> + Send + Sync + 'static,
    {
        // SAFETY: the caller upholds `pre_exec`'s contract (this
        // function's own).
        unsafe { std::os::unix::process::CommandExt::pre_exec(&mut self.std, f) };
        self
    }

    /// Starts the child.
    ///
    /// # Errors
    /// When the program cannot be started (not found, not executable...),
    /// with the OS's error.
    ///
    /// # Panics
    /// Outside a runtime with the I/O driver enabled.
    ///
    /// ```
    /// use runtime_core::process::Command;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut child = Command::new("true").spawn().unwrap();
    ///     assert!(child.id().is_some());
    ///     assert!(child.wait().await.unwrap().success());
    ///     assert_eq!(child.id(), None); // collected
    ///
    ///     let err = Command::new("/no/such/program").spawn().unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn(&mut self) -> io::Result<Child> {
        // Checked first, so that a misuse panics before a process exists.
        drop(crate::current_driver::current_io());
        reap_orphans();
        let mut std_child = self.std.spawn()?;
        let pid = std_child.id();
        let (stdin, stdout, stderr) = (
            std_child.stdin.take(),
            std_child.stdout.take(),
            std_child.stderr.take(),
        );
        let mut child = Child {
            stdin: None,
            stdout: None,
            stderr: None,
            state: State::Running(std_child, None),
            kill_on_drop: self.kill_on_drop,
        };
        // On an error below, dropping `child` kills it (if asked) and
        // reaps it in the background.
        let exit = ExitWatch::new(pid)?;
        if let State::Running(_, watch) = &mut child.state {
            *watch = Some(exit);
        }
        child.stdin = stdin.map(ChildStdin::from_std).transpose()?;
        child.stdout = stdout.map(ChildStdout::from_std).transpose()?;
        child.stderr = stderr.map(ChildStderr::from_std).transpose()?;
        Ok(child)
    }

    /// Starts the child and waits for it to exit, with the standard
    /// streams inherited unless set (stdin, if piped, is closed first).
    /// The child starts when this is called, not at the first poll.
    ///
    /// ```
    /// use runtime_core::process::Command;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let status = Command::new("sh").args(["-c", "exit 3"]).status().await.unwrap();
    ///     assert_eq!(status.code(), Some(3));
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes drops the [`Child`]: the
    /// process keeps running (unless [`kill_on_drop`](Command::kill_on_drop)
    /// was set) and is reaped in the background, and its status is lost.
    /// To wait under a timeout, `spawn` and call [`Child::wait`].
    #[track_caller]
    pub fn status(&mut self) -> impl Future<Output = io::Result<ExitStatus>> {
        let child = self.spawn();
        async move {
            let mut child = child?;
            child.stdout = None;
            child.stderr = None;
            child.wait().await
        }
    }

    /// Starts the child, collects all of its stdout and stderr and waits
    /// for it to exit. Unless set, stdout and stderr are captured and
    /// stdin is empty (`Stdio::null()`); as with Tokio, those settings
    /// stay on this `Command`. The child starts when this is called.
    ///
    /// ```
    /// use runtime_core::process::Command;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let out = Command::new("sh").args(["-c", "echo out; echo err >&2"]).output().await.unwrap();
    ///     assert_eq!(out.stdout, b"out\n");
    ///     assert_eq!(out.stderr, b"err\n");
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe, as [`Child::wait_with_output`]: dropping the future
    /// drops the child and what was read of its output.
    #[track_caller]
    pub fn output(&mut self) -> impl Future<Output = io::Result<Output>> {
        if !self.stdin_set {
            self.std.stdin(Stdio::null());
        }
        if !self.stdout_set {
            self.std.stdout(Stdio::piped());
        }
        if !self.stderr_set {
            self.std.stderr(Stdio::piped());
        }
        let child = self.spawn();
        async move { child?.wait_with_output().await }
    }
}

/// A running (or exited, not yet collected) child process, from
/// [`Command::spawn`].
///
/// Dropping it does not wait: the child keeps running (unless
/// [`Command::kill_on_drop`] was set) and is reaped in the background
/// once it exits.
pub struct Child {
    /// The child's stdin, if it was piped.
    pub stdin: Option<ChildStdin>,
    /// The child's stdout, if it was piped.
    pub stdout: Option<ChildStdout>,
    /// The child's stderr, if it was piped.
    pub stderr: Option<ChildStderr>,
    state: State,
    kill_on_drop: bool,
}

enum State {
    /// The exit watch is `None` only while `spawn` builds the child.
    Running(std::process::Child, Option<ExitWatch>),
    Exited(ExitStatus),
}

impl std::fmt::Debug for Child {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Child")
            .field("pid", &self.id())
            .field("stdin", &self.stdin)
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .finish()
    }
}

impl Child {
    /// The child's process id; `None` once its exit was collected (the id
    /// may then belong to another process).
    pub fn id(&self) -> Option<u32> {
        match &self.state {
            State::Running(c, _) => Some(c.id()),
            State::Exited(_) => None,
        }
    }

    /// The exit status if the child has exited, without waiting.
    ///
    /// ```
    /// use runtime_core::process::Command;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut child = Command::new("sleep").arg("1000").kill_on_drop(true).spawn().unwrap();
    ///     assert!(child.try_wait().unwrap().is_none());
    /// });
    /// ```
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        match &mut self.state {
            State::Exited(status) => Ok(Some(*status)),
            State::Running(c, _) => match c.try_wait()? {
                Some(status) => {
                    self.state = State::Exited(status);
                    Ok(Some(status))
                }
                None => Ok(None),
            },
        }
    }

    /// Waits for the child to exit and returns its status (closing
    /// [`stdin`](Child::stdin) first, so a child reading it is not left
    /// waiting for input). May be called again after it returned.
    ///
    /// ```
    /// use runtime_core::process::Command;
    /// use std::os::unix::process::ExitStatusExt;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut child = Command::new("sleep").arg("1000").spawn().unwrap();
    ///     child.start_kill().unwrap();
    ///     let status = child.wait().await.unwrap();
    ///     assert_eq!(status.signal(), Some(libc::SIGKILL));
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: the exit status is kept in the `Child` by the poll that
    /// collects it, which is the poll that returns it, so a call dropped
    /// before it completes loses nothing; the next call (or
    /// [`try_wait`](Child::try_wait)) returns the status.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        self.stdin = None;
        std::future::poll_fn(|cx| loop {
            let State::Running(_, Some(watch)) = &mut self.state else {
                // Exited (a running child has its exit watch once spawned).
                return std::task::Poll::Ready(self.try_wait().map(|s| s.expect("exited")));
            };
            // With a pidfd, `waitpid` runs only once it says the child
            // exited; a SIGCHLD listener only says "some child changed",
            // so look first.
            if watch.exact() {
                std::task::ready!(watch.poll_hint(cx))?;
            }
            if let Some(status) = self.try_wait()? {
                return std::task::Poll::Ready(Ok(status));
            }
            let State::Running(_, Some(watch)) = &mut self.state else {
                unreachable!("still running");
            };
            std::task::ready!(watch.poll_hint(cx))?;
        })
        .await
    }

    /// Sends `SIGKILL` without waiting for the child to exit (then call
    /// [`wait`](Child::wait) or [`try_wait`](Child::try_wait) to collect
    /// it, or drop the `Child` to have it reaped in the background).
    ///
    /// # Errors
    /// `InvalidInput` when the child's exit was already collected.
    pub fn start_kill(&mut self) -> io::Result<()> {
        match &mut self.state {
            State::Running(c, _) => c.kill(),
            State::Exited(_) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "cannot kill a child process whose exit was already collected",
            )),
        }
    }

    /// Sends `SIGKILL` and waits for the child to exit.
    ///
    /// ```
    /// use runtime_core::process::Command;
    ///
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut child = Command::new("sleep").arg("1000").spawn().unwrap();
    ///     child.kill().await.unwrap();
    ///     assert!(child.id().is_none());
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a call dropped before it completes may have sent the
    /// signal already; [`wait`](Child::wait) then collects the exit.
    pub async fn kill(&mut self) -> io::Result<()> {
        self.start_kill()?;
        self.wait().await.map(drop)
    }

    /// Reads all of stdout and stderr (those that are piped) while waiting
    /// for the child to exit: reading both at once means a child that
    /// fills one pipe while the parent drains the other cannot deadlock.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: the future owns the `Child` and the output read so
    /// far, so dropping it loses both (the process keeps running unless
    /// [`kill_on_drop`](Command::kill_on_drop) was set, and is reaped in the
    /// background). Under a timeout, take `stdout` and `stderr`, read them
    /// with `read_to_end` (which keeps what it read in its buffer) and call
    /// [`wait`](Child::wait).
    pub async fn wait_with_output(mut self) -> io::Result<Output> {
        use futures_lite::future::try_zip;
        async fn read_all(r: Option<impl crate::io::AsyncRead + Unpin>) -> io::Result<Vec<u8>> {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                futures_lite::io::AsyncReadExt::read_to_end(&mut r, &mut buf).await?;
            }
            Ok(buf)
        }
        let out = read_all(self.stdout.take());
        let err = read_all(self.stderr.take());
        let ((stdout, stderr), status) = try_zip(try_zip(out, err), self.wait()).await?;
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if let State::Running(c, watch) = &mut self.state {
            drop(watch.take()); // deregisters the pidfd while the runtime is here
            if self.kill_on_drop {
                let _ = c.kill();
            }
            let c = std::mem::replace(&mut self.state, State::Exited(ExitStatus::default()));
            if let State::Running(c, _) = c {
                reap::adopt(c);
            }
        }
    }
}
