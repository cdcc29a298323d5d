//! The driver of the runtime this thread belongs to, for the resources
//! created here: sockets and other I/O sources, signal listeners
//! (`current_io`) and timers (`current_time`). `scheduler/current.rs` sets
//! it together with the current runtime (`set_current`), so the I/O,
//! signal and timer layers find their driver without naming the
//! scheduler.

use crate::driver::Driver;
use std::cell::RefCell;
use std::sync::Arc;

/// `None`: no runtime; `Some(None)`: a runtime built without a driver.
pub(crate) type Slot = Option<Option<Arc<Driver>>>;

#[cfg(not(loom))]
std::thread_local! {
    static DRIVER: RefCell<Slot> = const { RefCell::new(None) };
}

#[cfg(loom)]
loom::thread_local! {
    static DRIVER: RefCell<Slot> = RefCell::new(None);
}

/// Makes `driver` (the entered runtime's, `None` if it has none) this
/// thread's until `restore`; returns what to restore, or `None` (set
/// nothing) when the slot is borrowed: called from a destructor that runs
/// inside `with_driver`.
pub(crate) fn set(driver: Option<Arc<Driver>>) -> Option<Slot> {
    DRIVER
        .try_with(|d| d.try_borrow_mut().ok().map(|mut d| d.replace(driver)))
        .ok()
        .flatten()
}

/// Puts back what `set` replaced.
pub(crate) fn restore(prev: Slot) {
    let _ = DRIVER.try_with(|d| {
        // Drop the replaced driver outside the borrow: dropping the last
        // reference may run destructors that look here again.
        if let Ok(mut d) = d.try_borrow_mut() {
            let replaced = std::mem::replace(&mut *d, prev);
            drop(d);
            drop(replaced);
        }
    });
}

/// Runs `f` with this thread's runtime's driver: `None` outside any
/// runtime, `Some(None)` in one built without a driver.
fn with_driver<R>(f: impl FnOnce(Option<Option<&Arc<Driver>>>) -> R) -> R {
    let mut f = Some(f);
    let res = DRIVER.try_with(|d| {
        let d = d.borrow();
        (f.take().expect("called once"))(d.as_ref().map(Option::as_ref))
    });
    match res {
        Ok(r) => r,
        // Thread-local already destroyed (thread exiting): no runtime.
        Err(_) => (f.take().expect("called once"))(None),
    }
}

/// The current runtime's driver, if it has one with I/O enabled.
pub(crate) fn io_driver() -> Option<Arc<Driver>> {
    with_driver(|d| d.flatten().filter(|d| d.io.enabled).cloned())
}

/// The current runtime's driver, for an I/O resource being created.
///
/// # Panics
/// Outside a runtime, or when the runtime was built without `enable_io`.
#[track_caller]
pub(crate) fn current_io() -> Arc<Driver> {
    with_driver(|d| {
        let Some(d) = d else {
            panic!(
                "no runtime: I/O resources must be created from the context of a runtime \
                 (inside Runtime::block_on, a spawned task, or after Runtime::enter)"
            )
        };
        match d {
            Some(d) if d.io.enabled => d.clone(),
            _ => panic!(
                "the runtime's I/O driver is disabled: build the runtime with \
                 Builder::enable_io() or enable_all()"
            ),
        }
    })
}

/// The current runtime's driver, for a timer being created by `what`.
///
/// # Panics
/// Outside a runtime, or when the runtime was built without `enable_time`.
#[track_caller]
pub(crate) fn current_time(what: &str) -> Arc<Driver> {
    with_driver(|d| {
        let Some(d) = d else {
            panic!(
                "no runtime: {what} must be called from the context of a runtime \
                 (inside Runtime::block_on, a spawned task, or after Runtime::enter)"
            )
        };
        match d {
            Some(d) if d.time.is_some() => d.clone(),
            _ => panic!(
                "{what}: the runtime's timer driver is disabled; build the runtime with \
                 Builder::enable_time() or enable_all()"
            ),
        }
    })
}
