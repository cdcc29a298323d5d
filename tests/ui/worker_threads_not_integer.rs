//! Compile-fail case: worker threads not integer.
#[runtime::main(worker_threads = "4")]
async fn main() {}
