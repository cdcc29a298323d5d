//! The task API: `spawn` and its relatives, `Builder` (named tasks),
//! `JoinHandle`, `AbortHandle`, `JoinSet`, `TaskGroup`, `LocalSet`, `task_local!`, `yield_now`,
//! `unconstrained`, task ids and `JoinError`. The machinery they stand on
//! (the task cell, its state word, the harness and wakers, the owned-task
//! list, and the numbered rules every `// SAFETY:` comment about tasks
//! cites) is in `raw_task/`.

mod abort;
mod builder;
mod error;
mod id;
mod join;
pub mod join_set;
mod local;
mod spawn;
mod task_group;
mod task_local;
mod unconstrained;
mod yield_now;

pub use crate::coop::consume_budget;
pub use abort::AbortHandle;
pub use builder::Builder;
pub use error::JoinError;
pub use id::{id, try_id, Id};
pub use join::JoinHandle;
pub use join_set::JoinSet;
pub use local::{spawn_local, LocalSet, RunUntil};
pub use spawn::{block_in_place, spawn, spawn_blocking};
pub use task_group::{TaskGroup, TaskGroupClosed, TaskGroupError, TaskGroupSpawner};
pub use task_local::{AccessError, LocalKey, TaskLocalFuture};
pub use unconstrained::{unconstrained, Unconstrained};
pub use yield_now::yield_now;

pub(crate) use id::TaskIdGuard;
