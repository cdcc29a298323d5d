//! Compile-fail case: second test attribute.
#[runtime::test]
#[test]
async fn twice() {}

fn main() {}
