//! `signal::ctrl_c` (its own test binary: once the handler is installed,
//! SIGINT no longer ends the process).

#[macro_use]
mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

rt_test! {
    fn ctrl_c_resolves_on_sigint(rt) {
        rt.block_on(async {
            let waiting = Arc::new(AtomicBool::new(false));
            let w = waiting.clone();
            let waiter = runtime::spawn(async move {
                // The call registers the listener (and installs the
                // handler): a SIGINT from then on counts.
                let fut = runtime::signal::ctrl_c();
                w.store(true, Ordering::SeqCst);
                fut.await.unwrap();
            });
            while !waiting.load(Ordering::SeqCst) {
                runtime::task::yield_now().await;
            }
            // SAFETY: sending a signal to our own process; the handler
            // installed by `ctrl_c` catches it.
            unsafe { libc::kill(libc::getpid(), libc::SIGINT) };
            waiter.await.unwrap();
        });
    }
}
