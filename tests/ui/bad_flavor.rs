//! Compile-fail case: bad flavor.
#[runtime::main(flavor = "single_thread")]
async fn main() {}
