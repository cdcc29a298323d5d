//! The task allocation (`Cell`), its hot `Header`, the type-erased vtable,
//! and the reference-holding handles `RawTask`, `Task` and `Notified`.

use super::harness::Harness;
use super::names::{self, SpawnMeta};
use super::state::State;
use super::Schedule;
use crate::loom::cell::UnsafeCell;
use crate::task::{Id, JoinError};
use std::future::Future;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::panic::Location;
use std::ptr::NonNull;
use std::task::{Poll, Waker};

/// The first part of every task; all handles point here.
///
/// Field order is chosen against false sharing (see `Cell`): the fields
/// that are only read after spawn come first, the state word last, right
/// before the hot stage.
#[repr(C)]
pub(crate) struct Header {
    pub(crate) vtable: &'static Vtable,
    /// The task's id, with `names::NAMED` set if it has a name (see
    /// `names.rs`); read through `id()` and `is_named()`.
    pub(crate) id_word: u64,
    pub(crate) location: &'static Location<'static>,
    /// Owned-list links; only touched under that list's shard lock.
    pub(crate) owned_prev: UnsafeCell<Option<NonNull<Header>>>,
    pub(crate) owned_next: UnsafeCell<Option<NonNull<Header>>>,
    /// When the task was spawned: milliseconds on the coarse clock
    /// (`util::clock::coarse_now_ms`), wrapping after 49 days.
    pub(crate) spawned_at_ms: u32,
    /// When the task last became runnable, if that schedule was sampled
    /// for the latency histograms (`scheduler/latency.rs`; 0: not).
    /// Statistics only: written by the scheduling thread, cleared by the
    /// poller.
    pub(crate) runnable_at: std::sync::atomic::AtomicU32,
    pub(crate) state: State,
    /// Times the future was polled. Written only by the thread that owns
    /// the future (rule 1) with a load and a store; read by task dumps.
    pub(crate) polls: std::sync::atomic::AtomicU64,
}

impl Header {
    /// The task's id.
    pub(crate) fn id(&self) -> Id {
        Id::from_u64(self.id_word & !names::NAMED)
    }

    /// The task's name, if it has one.
    pub(crate) fn name(&self) -> Option<std::sync::Arc<str>> {
        names::of_word(self.id_word)
    }
}

// SAFETY: the `UnsafeCell` links are only accessed under the owned list's
// shard lock, which makes every access exclusive.
unsafe impl Send for Header {}
// SAFETY: as above.
unsafe impl Sync for Header {}

/// The whole task allocation.
///
/// Layout against false sharing without padding: tasks spawned one after
/// another sit next to each other in memory but often run on different
/// workers. The parts written on every poll (state word, poll count,
/// stage) are in the middle; 48 bytes of read-mostly header before them,
/// and the join waker (written once per join) plus the allocator's 8-byte
/// chunk header after them, keep the hot bytes of two neighbouring tasks
/// at least 64 bytes apart, so they never share a cache line. Aligning
/// the cell to 128 bytes instead (as Tokio does) cost 320 B per idle task
/// here, against 112-128 B with this layout (`docs/benchmarks.md`).
#[repr(C)]
pub(crate) struct Cell<F: Future, S> {
    pub(crate) header: Header,
    pub(crate) scheduler: S,
    pub(crate) stage: UnsafeCell<Stage<F>>,
    /// The `JoinHandle`'s waker; ownership follows rules 9-11.
    pub(crate) join_waker: UnsafeCell<Option<Waker>>,
}

/// The future, then its output: which of the two is live follows the
/// state word (rule 13), so the stage needs no tag of its own.
pub(crate) union Stage<F: Future> {
    pub(crate) future: ManuallyDrop<F>,
    pub(crate) output: ManuallyDrop<Result<F::Output, JoinError>>,
}

/// Type-erased operations on a task.
pub(crate) struct Vtable {
    /// Returns the task back when it must go to the back of a run queue.
    pub(crate) poll: unsafe fn(NonNull<Header>) -> Option<(RawTask, bool)>,
    pub(crate) schedule: unsafe fn(NonNull<Header>),
    pub(crate) dealloc: unsafe fn(NonNull<Header>),
    pub(crate) try_read_output: unsafe fn(NonNull<Header>, *mut (), &Waker),
    pub(crate) drop_join_handle_slow: unsafe fn(NonNull<Header>, bool),
    pub(crate) shutdown: unsafe fn(NonNull<Header>),
}

struct VtableFor<F, S>(PhantomData<(F, S)>);

impl<F: Future + 'static, S: Schedule> VtableFor<F, S>
where
    F::Output: 'static,
{
    const VTABLE: Vtable = Vtable {
        poll: poll::<F, S>,
        schedule: schedule::<F, S>,
        dealloc: dealloc::<F, S>,
        try_read_output: try_read_output::<F, S>,
        drop_join_handle_slow: drop_join_handle_slow::<F, S>,
        shutdown: shutdown::<F, S>,
    };
}

unsafe fn poll<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>) -> Option<(RawTask, bool)>
where
    F::Output: 'static,
{
    // SAFETY: the vtable was built for this task's `F` and `S`.
    unsafe { Harness::<F, S>::from_raw(ptr) }.poll()
}

unsafe fn schedule<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>)
where
    F::Output: 'static,
{
    // SAFETY: the caller hands over one reference as a `Notified` (rule 6/7).
    let notified = unsafe { Notified::from_raw(RawTask { ptr }) };
    // SAFETY: the vtable was built for this task's `F` and `S`.
    unsafe { Harness::<F, S>::from_raw(ptr) }
        .scheduler()
        .schedule(notified);
}

unsafe fn dealloc<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>)
where
    F::Output: 'static,
{
    // SAFETY: the vtable was built for this task's `F` and `S`; the caller
    // dropped the last reference.
    unsafe { Harness::<F, S>::from_raw(ptr) }.dealloc();
}

unsafe fn try_read_output<F: Future + 'static, S: Schedule>(
    ptr: NonNull<Header>,
    dst: *mut (),
    waker: &Waker,
) where
    F::Output: 'static,
{
    // SAFETY: the caller (a `JoinHandle<F::Output>`) passes a
    // `*mut Poll<Result<F::Output, JoinError>>`.
    let dst = unsafe { &mut *dst.cast::<Poll<Result<F::Output, JoinError>>>() };
    // SAFETY: the vtable was built for this task's `F` and `S`.
    unsafe { Harness::<F, S>::from_raw(ptr) }.try_read_output(dst, waker);
}

unsafe fn drop_join_handle_slow<F: Future + 'static, S: Schedule>(
    ptr: NonNull<Header>,
    output_taken: bool,
) where
    F::Output: 'static,
{
    // SAFETY: the vtable was built for this task's `F` and `S`.
    unsafe { Harness::<F, S>::from_raw(ptr) }.drop_join_handle_slow(output_taken);
}

unsafe fn shutdown<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>)
where
    F::Output: 'static,
{
    // SAFETY: the vtable was built for this task's `F` and `S`.
    unsafe { Harness::<F, S>::from_raw(ptr) }.shutdown();
}

/// A pointer to a task that does not own a reference by itself.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawTask {
    pub(crate) ptr: NonNull<Header>,
}

// SAFETY: a task may be touched from any thread; the state word and the
// rules in `raw_task/mod.rs` order every access.
unsafe impl Send for RawTask {}
// SAFETY: as above.
unsafe impl Sync for RawTask {}

impl RawTask {
    /// Allocates a task holding `refs` references; records its name, if
    /// any, until the task is freed (`Harness::dealloc`).
    pub(crate) fn new<F, S>(
        future: F,
        scheduler: S,
        id: Id,
        meta: SpawnMeta<'_>,
        refs: usize,
    ) -> RawTask
    where
        F: Future + 'static,
        F::Output: 'static,
        S: Schedule,
    {
        let cell = Box::new(Cell {
            header: Header {
                vtable: &VtableFor::<F, S>::VTABLE,
                id_word: names::register(id, meta.name),
                location: meta.location,
                owned_prev: UnsafeCell::new(None),
                owned_next: UnsafeCell::new(None),
                spawned_at_ms: crate::util::clock::coarse_now_ms(),
                runnable_at: std::sync::atomic::AtomicU32::new(0),
                state: State::new(refs),
                polls: std::sync::atomic::AtomicU64::new(0),
            },
            scheduler,
            stage: UnsafeCell::new(Stage {
                future: ManuallyDrop::new(future),
            }),
            join_waker: UnsafeCell::new(None),
        });
        let ptr = NonNull::from(Box::leak(cell)).cast::<Header>();
        RawTask { ptr }
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: the caller holds a reference, so the allocation is alive.
        unsafe { self.ptr.as_ref() }
    }

    pub(crate) fn id(&self) -> Id {
        self.header().id()
    }

    /// Polls (or cancels) the task, consuming the `Notified` reference.
    /// `Some` hands a new `Notified` reference back: the task was woken
    /// while it ran and goes to the back of a run queue; the flag says it
    /// woke itself with `yield_now`.
    pub(crate) fn poll(self) -> Option<(RawTask, bool)> {
        // SAFETY: vtable entry for this task; the caller passes its Notified.
        unsafe { (self.header().vtable.poll)(self.ptr) }
    }

    /// Schedules the task, consuming one reference as a `Notified`.
    pub(crate) fn schedule(self) {
        // SAFETY: vtable entry for this task; the caller passes one ref.
        unsafe { (self.header().vtable.schedule)(self.ptr) }
    }

    /// Frees the task; the caller dropped the last reference.
    pub(crate) fn dealloc(self) {
        // SAFETY: vtable entry for this task; no references remain.
        unsafe { (self.header().vtable.dealloc)(self.ptr) }
    }

    /// Drops one reference, freeing the task if it was the last.
    pub(crate) fn drop_reference(self) {
        if self.header().state.ref_dec() {
            self.dealloc();
        }
    }

    /// Cancels the task if it is idle (rule 8).
    pub(crate) fn shutdown(self) {
        // SAFETY: vtable entry for this task; the caller holds a reference.
        unsafe { (self.header().vtable.shutdown)(self.ptr) }
    }

    /// Aborts the task from any thread (rule 7).
    pub(crate) fn remote_abort(self) {
        if self.header().state.transition_to_notified_and_cancel() {
            // The new reference goes to the scheduler as a Notified.
            self.schedule();
        }
    }
}

/// A reference to a task held by the owned list.
pub(crate) struct Task<S: 'static> {
    raw: RawTask,
    _p: PhantomData<S>,
}

/// A task handed back by [`Notified::run`] because it was woken while it
/// ran. A `yielded` task goes behind all ready work (local and remote); a
/// task woken by something else goes to the back of the run queue, where
/// idle workers can steal it.
pub(crate) struct Again<S: 'static> {
    pub(crate) task: Notified<S>,
    pub(crate) yielded: bool,
}

/// A reference to a task that sits in a run queue (rule 2, rule 5).
pub(crate) struct Notified<S: 'static>(Task<S>);

// SAFETY: `Task` is a counted pointer to a `Send + Sync` header whose
// future is only touched under the rules; `S: Schedule` is `Sync`.
unsafe impl<S> Send for Task<S> {}
// SAFETY: as above.
unsafe impl<S> Sync for Task<S> {}

impl<S: 'static> Task<S> {
    /// # Safety
    /// The caller transfers one reference it owns.
    pub(crate) unsafe fn from_raw(raw: RawTask) -> Task<S> {
        Task {
            raw,
            _p: PhantomData,
        }
    }

    pub(crate) fn raw(&self) -> RawTask {
        self.raw
    }

    pub(crate) fn header(&self) -> &Header {
        self.raw.header()
    }

    /// Gives the reference up without dropping it.
    pub(crate) fn into_raw(self) -> RawTask {
        let raw = self.raw;
        std::mem::forget(self);
        raw
    }

    /// Cancels the task on this thread if it is idle (rule 8).
    pub(crate) fn shutdown(self) {
        self.into_raw().shutdown();
    }
}

impl<S: 'static> Notified<S> {
    /// # Safety
    /// The caller transfers one reference it owns, under rule 5.
    pub(crate) unsafe fn from_raw(raw: RawTask) -> Notified<S> {
        // SAFETY: forwarded from the caller.
        Notified(unsafe { Task::from_raw(raw) })
    }

    /// Runs (or cancels) the task on this thread. `Some`: the task was
    /// woken while it ran (rule 3) and must be queued again by the caller;
    /// see [`Again`].
    #[must_use = "a task handed back must be scheduled again"]
    pub(crate) fn run(self) -> Option<Again<S>> {
        let (raw, yielded) = self.0.into_raw().poll()?;
        // SAFETY: rule 3: the poller's reference became a new Notified.
        let task = unsafe { Notified::from_raw(raw) };
        Some(Again { task, yielded })
    }

    pub(crate) fn into_raw(self) -> RawTask {
        self.0.into_raw()
    }

    pub(crate) fn header(&self) -> &Header {
        self.0.header()
    }
}

impl<S: 'static> Drop for Task<S> {
    fn drop(&mut self) {
        self.raw.drop_reference();
    }
}
