//! Compile-fail case: main not async.
#[runtime::main]
fn main() {}
