#!/usr/bin/env bash
# Server CPU per request of the ported programs against their Tokio
# originals, side by side: builds both (the originals are rebuilt from the
# ports by reversing ports/port.sh's renames, which reproduces the
# upstream sources exactly), then runs benches/ports_load.rs, which drives
# each server with its own kind of load and reads the servers' CPU time
# from /proc, alternating ours and Tokio's sample by sample.
#
# Usage: benches/ports.sh [SAMPLES]   (default 15; needs crates.io for tokio)
set -euo pipefail
cd "$(dirname "$0")/.."
samples="${1:-15}"
root="$PWD"
orig="$root/target/ports-tokio"

echo "== ours (release)"
cargo build --release -q -p mini-redis -p tokio-examples-port

echo "== Tokio originals (release), regenerated from the ports"
rm -rf "$orig/src"
mkdir -p "$orig/src"
for port in mini-redis tokio-examples; do
    cp -r "ports/$port" "$orig/src/$port"
    find "$orig/src/$port" -name '*.rs' -print0 | xargs -0 sed -i -E \
        -e 's/(^|[^:[:alnum:]_])runtime::stream::/\1tokio_stream::/g' \
        -e 's/(^|[^:[:alnum:]_])runtime::codec::/\1tokio_util::codec::/g' \
        -e 's/(^|[^:[:alnum:]_])runtime::sync::CancellationToken/\1tokio_util::sync::CancellationToken/g' \
        -e 's/(^|[^:[:alnum:]_])runtime::/\1tokio::/g'
    sed -i -E 's|^runtime = \{ path = "../.." \}|tokio = { version = "1", features = ["full"] }\ntokio-stream = "0.1"\ntokio-util = { version = "0.7", features = ["codec"] }|' \
        "$orig/src/$port/Cargo.toml"
    sed -i -E 's/^name = "tokio-examples-port"/name = "tokio-examples-orig"/' "$orig/src/$port/Cargo.toml"
done
cat > "$orig/src/Cargo.toml" <<'EOF'
[workspace]
members = ["mini-redis", "tokio-examples"]
resolver = "2"
EOF
CARGO_TARGET_DIR="$orig/target" cargo build --release -q --manifest-path "$orig/src/Cargo.toml"

echo "== load"
cargo bench -q --bench ports_load -- \
    --samples "$samples" \
    --redis "$root/target/release/mini-redis-server" "$orig/target/release/mini-redis-server" \
    --proxy "$root/target/release/proxy" "$orig/target/release/proxy" \
    --echo "$root/target/release/echo-tcp"
