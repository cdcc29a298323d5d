//! Compile-fail case: main with params.
#[runtime::main]
async fn main(args: Vec<String>) {
    println!("{args:?}");
}
