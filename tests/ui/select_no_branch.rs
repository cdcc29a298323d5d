#[runtime::main(flavor = "current_thread")]
async fn main() {
    runtime::select! {
        else => 1,
    };
}
