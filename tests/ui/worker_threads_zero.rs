//! Compile-fail case: worker threads zero.
#[runtime::main(worker_threads = 0)]
async fn main() {}
