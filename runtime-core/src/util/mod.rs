//! Small helpers shared by the scheduler: a fast per-thread random number
//! generator for picking steal victims, and a cheap coarse clock for
//! statistics.

pub(crate) mod clock;
pub(crate) mod fmt;
pub(crate) mod rand;
