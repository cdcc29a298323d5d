//! asyncio's subprocesses and signal handlers: `create_subprocess_exec`,
//! `communicate`, streaming a child's output line by line, a timeout that
//! kills the child, and `loop.add_signal_handler`.
//!
//! ```python
//! import asyncio, os, signal
//!
//! async def main():
//!     proc = await asyncio.create_subprocess_exec(
//!         "tr", "a-z", "A-Z",
//!         stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
//!     out, _ = await proc.communicate(b"shout this")
//!
//!     proc = await asyncio.create_subprocess_exec(
//!         "sh", "-c", "for i in 1 2 3; do echo line $i; done",
//!         stdout=asyncio.subprocess.PIPE)
//!     async for line in proc.stdout:
//!         print(line.decode().rstrip())
//!     await proc.wait()
//!
//!     proc = await asyncio.create_subprocess_exec("sleep", "1000")
//!     try:
//!         await asyncio.wait_for(proc.wait(), 0.1)
//!     except TimeoutError:
//!         proc.kill()
//!         await proc.wait()             # returncode == -9
//!
//!     loop = asyncio.get_running_loop()
//!     got = asyncio.Event()
//!     loop.add_signal_handler(signal.SIGUSR1, got.set)
//!     os.kill(os.getpid(), signal.SIGUSR1)
//!     await got.wait()
//!
//! asyncio.run(main())
//! ```
//!
//! ```text
//! cargo run --example asyncio_subprocess
//! ```

use runtime::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use runtime::process::{Command, Stdio};
use runtime::signal::unix::{signal, SignalKind};
use runtime::time::{timeout, Duration};
use std::os::unix::process::ExitStatusExt;

#[runtime::main]
async fn main() -> std::io::Result<()> {
    // communicate(): write stdin, close it, collect stdout.
    let mut child = Command::new("tr")
        .args(["a-z", "A-Z"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"shout this").await?;
    drop(stdin); // end of file for the child
    let out = child.wait_with_output().await?;
    println!("communicate: {}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(out.stdout, b"SHOUT THIS");

    // async for line in proc.stdout
    let mut child = Command::new("sh")
        .args(["-c", "for i in 1 2 3; do echo line $i; done"])
        .stdout(Stdio::piped())
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(line) = lines.next_line().await? {
        println!("streamed: {line}");
    }
    assert!(child.wait().await?.success());

    // wait_for(proc.wait(), 0.1), then kill on timeout.
    let mut child = Command::new("sleep").arg("1000").spawn()?;
    let waited = timeout(Duration::from_millis(100), child.wait()).await;
    if waited.is_err() {
        child.kill().await?;
    }
    let status = child.wait().await?;
    println!("killed: signal {:?}", status.signal());
    assert_eq!(status.signal(), Some(libc::SIGKILL));

    // loop.add_signal_handler(SIGUSR1, ...)
    let mut usr1 = signal(SignalKind::user_defined1())?;
    // SAFETY: sends SIGUSR1 to this process, whose handler is installed.
    unsafe { libc::kill(libc::getpid(), libc::SIGUSR1) };
    usr1.recv().await;
    println!("SIGUSR1 received");
    Ok(())
}
