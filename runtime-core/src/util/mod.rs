//! Small helpers shared by the scheduler and the layers below it: a fast
//! per-thread random number generator for picking steal victims, a cheap
//! coarse clock for statistics, a thread's wait for a CPU (for the
//! hand-off monitor), and the catching of panics that escape outside any
//! task.

pub(crate) mod clock;
pub(crate) mod cpu_wait;
pub(crate) mod escaped;
pub(crate) mod fmt;
pub(crate) mod rand;
