//! Small helpers shared by the scheduler: a fast per-thread random number
//! generator for picking steal victims.

pub(crate) mod rand;
