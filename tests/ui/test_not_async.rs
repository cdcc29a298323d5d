//! Compile-fail case: test not async.
#[runtime::test]
fn adds() {
    assert_eq!(1 + 1, 2);
}

fn main() {}
