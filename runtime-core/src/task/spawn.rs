//! The free functions that start work on the current runtime: `spawn`,
//! `spawn_blocking` and `block_in_place`.

use super::{Id, JoinHandle};
use crate::raw_task::SpawnMeta;
use std::future::Future;
use std::panic::Location;

const NO_RUNTIME: &str =
    "must be called from the context of a runtime: there is no runtime on this thread. \
     Call it inside Runtime::block_on or a spawned task, or after Runtime::enter / Handle::enter";

/// Spawns a task on the current runtime; it starts running in the
/// background at once. The spawn location is recorded for debugging.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let handle = runtime_core::spawn(async { "hello" });
///     assert_eq!(handle.await.unwrap(), "hello");
/// });
/// ```
///
/// The future must be `Send`: it may move between workers at every
/// `.await`. Holding a `!Send` value across an `.await` does not compile:
///
/// ```compile_fail
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     runtime_core::spawn(async {
///         let not_send = std::rc::Rc::new(1);
///         runtime_core::task::yield_now().await;
///         drop(not_send);
///     });
/// });
/// ```
///
/// # Panics
/// Outside a runtime ("no runtime ... must be called from the context of
/// a runtime").
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    spawn_with(future, SpawnMeta::at(Location::caller()), "spawn")
}

/// `spawn` with the location and name given; `who` names the caller in
/// the panic message.
#[track_caller]
pub(crate) fn spawn_with<F>(future: F, meta: SpawnMeta<'_>, who: &str) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let id = Id::next();
    crate::scheduler::current::with_current(move |handle| match handle {
        Some(handle) => handle.spawn(future, id, meta),
        None => panic!("{who}: {NO_RUNTIME}"),
    })
}

/// Runs a blocking closure on the current runtime's blocking pool and
/// returns a handle to await its result.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// let n = rt.block_on(async {
///     runtime_core::spawn_blocking(|| std::fs::read_dir(".").map(|d| d.count()).unwrap_or(0))
///         .await
///         .unwrap()
/// });
/// assert!(n > 0);
/// ```
///
/// # Panics
/// Outside a runtime.
#[track_caller]
pub fn spawn_blocking<F, R>(func: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    crate::scheduler::current::with_current(move |handle| match handle {
        Some(handle) => crate::scheduler::blocking_spawn::spawn_blocking(handle, func, false)
            .unwrap_or_else(|e| panic!("spawn_blocking: {e}")),
        None => panic!("spawn_blocking: {NO_RUNTIME}"),
    })
}

/// Runs blocking code on a worker thread of the multi-thread runtime,
/// first handing the worker's queue to a new thread so other tasks keep
/// running. Outside a runtime it just calls `f`.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// let v = rt.block_on(async {
///     runtime_core::spawn(async { runtime_core::task::block_in_place(|| 5) }).await.unwrap()
/// });
/// assert_eq!(v, 5);
/// ```
///
/// # Panics
/// On a current-thread runtime (use `spawn_blocking` there).
#[track_caller]
pub fn block_in_place<F, R>(f: F) -> R
where
    F: FnOnce() -> R,
{
    crate::scheduler::multi_thread::block_in_place(f)
}
