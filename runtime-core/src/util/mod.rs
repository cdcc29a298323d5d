//! Small helpers shared by the scheduler: a fast per-thread random number
//! generator for picking steal victims, a cheap coarse clock for
//! statistics, and a thread's wait for a CPU (for the hand-off monitor).

pub(crate) mod clock;
pub(crate) mod cpu_wait;
pub(crate) mod fmt;
pub(crate) mod rand;
