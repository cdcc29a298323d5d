//! Compile-fail case: duplicate argument.
#[runtime::test(flavor = "multi_thread", flavor = "current_thread")]
async fn twice() {}

fn main() {}
