//! Compile-fail case: unknown argument.
#[runtime::main(threads = 4)]
async fn main() {}
