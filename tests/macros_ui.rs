//! Compile-fail tests for #[runtime::main] / #[runtime::test] misuse.
#[test]
fn macro_misuse_is_a_compile_error() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
