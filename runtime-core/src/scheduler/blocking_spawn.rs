//! `spawn_blocking` on a runtime: builds the pool's job (`blocking/`) with
//! this runtime as the context it runs in, and on a current-thread
//! runtime a hold on its paused clock for as long as the job is queued or
//! running, and queues it on the runtime's own pool.

use super::SchedulerHandle;
use crate::blocking::{self, RuntimeContext};
use crate::raw_task::SpawnMeta;
use crate::task::JoinHandle;

/// Runs `func` on `handle`'s blocking pool. `mandatory` jobs (worker
/// threads) run even when the pool is shutting down. Fails only when the
/// pool has no thread and cannot start one.
#[track_caller]
pub(crate) fn spawn_blocking<F, R>(
    handle: &SchedulerHandle,
    func: F,
    mandatory: bool,
) -> std::io::Result<JoinHandle<R>>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let meta = SpawnMeta::at(std::panic::Location::caller());
    spawn_blocking_with(handle, func, mandatory, meta)
}

/// `spawn_blocking` with the caller's location and the task's name given
/// (`task::Builder::spawn_blocking_on`).
pub(crate) fn spawn_blocking_with<F, R>(
    handle: &SchedulerHandle,
    func: F,
    mandatory: bool,
    meta: SpawnMeta<'_>,
) -> std::io::Result<JoinHandle<R>>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    // While user blocking work is queued or running, a paused test clock
    // must not jump ahead (its result may be what the runtime waits for).
    // Only a current-thread runtime can pause its clock (Tokio counts
    // these there only, too).
    let inhibit = (!mandatory && matches!(handle, SchedulerHandle::CurrentThread(_)))
        .then(|| {
            handle
                .driver()
                .and_then(crate::driver::InhibitAutoAdvance::new)
        })
        .flatten();
    let context = Box::new(Inside {
        handle: handle.clone(),
        _inhibit: inhibit,
    });
    let (job, join) = blocking::job(func, mandatory, context, meta);
    handle.blocking_spawner().spawn(job)?;
    Ok(join)
}

/// A job's runtime, and what it holds until the job is done.
struct Inside {
    handle: SchedulerHandle,
    _inhibit: Option<crate::driver::InhibitAutoAdvance>,
}

impl RuntimeContext for Inside {
    fn run_inside(&self, f: &mut dyn FnMut()) {
        let _current = super::current::set_current(&self.handle);
        f();
    }
}
