//! Task names (`task::Builder::name`): what a task is called, and where it
//! was spawned, as handed to the task machinery at spawn (`SpawnMeta`).
//!
//! A name lives in a process-wide side table keyed by task id, not in the
//! task cell, so unnamed tasks pay nothing for the feature (the cell stays
//! at 104 bytes, see `small_task_fits_in_104_bytes`). The header marks a
//! named task with the top bit of its id word (`NAMED`; ids never reach
//! 2^63), which also travels through the poll stamps, so the monitor
//! thread knows which tasks to look up; the entry is removed when the
//! task is freed. Keyed by id rather than held by the task, a name can be
//! read by the monitor thread without touching the task, which may be
//! freed at any moment while the monitor reports on it.
//!
//! The table's locks are leaves: nothing else is locked or called while
//! one is held, so they can be taken under any other lock (a task dump
//! takes them under the owned list's shard locks).

use crate::task::Id;
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::panic::Location;
use std::sync::Arc;

/// The bit of a header's id word that marks a named task.
pub(crate) const NAMED: u64 = 1 << 63;

/// Shards of the table, to keep named spawns on different threads from
/// contending (ids are handed out in per-thread blocks, see `Id::next`).
const SHARDS: usize = 16;

type Shard = Mutex<BTreeMap<u64, Arc<str>>>;

static TABLE: [Shard; SHARDS] = [const { parking_lot::const_mutex(BTreeMap::new()) }; SHARDS];

fn shard(id: u64) -> &'static Shard {
    &TABLE[(id % SHARDS as u64) as usize]
}

/// What a spawn call tells the task machinery besides the future: where
/// it was called from, and the task's name, if it was given one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SpawnMeta<'a> {
    pub(crate) location: &'static Location<'static>,
    pub(crate) name: Option<&'a str>,
}

impl SpawnMeta<'static> {
    /// An unnamed task spawned at `location`.
    pub(crate) fn at(location: &'static Location<'static>) -> SpawnMeta<'static> {
        SpawnMeta {
            location,
            name: None,
        }
    }
}

impl<'a> SpawnMeta<'a> {
    /// A task spawned at `location`, named `name` (if `Some`).
    pub(crate) fn new(
        location: &'static Location<'static>,
        name: Option<&'a str>,
    ) -> SpawnMeta<'a> {
        SpawnMeta { location, name }
    }
}

/// Records `name` for the task `id`; returns the header's id word.
pub(crate) fn register(id: Id, name: Option<&str>) -> u64 {
    let raw = id.as_u64();
    assert!(
        raw & NAMED == 0,
        "task id {raw} overflowed into the name bit"
    );
    match name {
        None => raw,
        Some(name) => {
            shard(raw).lock().insert(raw, Arc::from(name));
            raw | NAMED
        }
    }
}

/// The name of task `id` (a plain id, without `NAMED`), while it exists.
pub(crate) fn get(id: u64) -> Option<Arc<str>> {
    shard(id).lock().get(&id).cloned()
}

/// The name of the task whose id word is `word`, if it has one.
pub(crate) fn of_word(word: u64) -> Option<Arc<str>> {
    if word & NAMED == 0 {
        None
    } else {
        get(word & !NAMED)
    }
}

/// Forgets the name of the task whose id word is `word` (it is being
/// freed); nothing to do for an unnamed task.
pub(crate) fn forget(word: u64) {
    if word & NAMED != 0 {
        let id = word & !NAMED;
        // Dropped outside the lock.
        let name = shard(id).lock().remove(&id);
        drop(name);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn names_are_kept_until_forgotten() {
        let id = Id::next();
        let word = register(id, Some("worker"));
        assert_eq!(word, id.as_u64() | NAMED);
        assert_eq!(of_word(word).as_deref(), Some("worker"));
        assert_eq!(get(id.as_u64()).as_deref(), Some("worker"));
        // The plain id word carries no name and finds none.
        assert_eq!(of_word(id.as_u64()), None);
        forget(word);
        assert_eq!(of_word(word), None);

        let unnamed = Id::next();
        assert_eq!(register(unnamed, None), unnamed.as_u64());
        assert_eq!(get(unnamed.as_u64()), None);
    }
}
