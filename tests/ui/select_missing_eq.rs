#[runtime::main(flavor = "current_thread")]
async fn main() {
    runtime::select! {
        v async { 1 } => v,
    };
}
