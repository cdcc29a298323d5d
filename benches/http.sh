#!/usr/bin/env bash
# HTTP/1.1 "Hello, world!" under wrk: examples/http_hello.rs (this runtime),
# examples/http_hello_tokio.rs and examples/http_hello_smol.rs (the same
# server on Tokio and on smol's executor), each with ONE worker thread,
# rotated round by round. On 2 cores wrk -t1 is
# itself the bottleneck near ~135k req/s, so the figure that tells the
# servers apart is the server's CPU time per request (utime + stime of the
# server process from /proc/PID/stat, divided by the requests wrk made),
# also shown split into user space and kernel. Clock ticks are 10 ms, so
# use runs of several seconds.
#
#   benches/http.sh [ROUNDS] [CONNECTIONS] [SECONDS]
#
# Prints one line per run and a markdown summary with medians. SERVERS
# (space-separated example names, ours first) picks other servers:
# benches/hyper.sh runs the hyper pair through this script.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
CONNS=${2:-50}
SECS=${3:-5}

if ! command -v wrk >/dev/null; then
    echo "installing wrk (apt-get install -y wrk)" >&2
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
SERVERS=${SERVERS:-"http_hello http_hello_tokio http_hello_smol"}
read -r -a servers <<<"$SERVERS"
cargo build --release $(printf -- '--example %s ' "${servers[@]}") >&2
TICKS=$(getconf CLK_TCK)

# cpu_ticks PID: "utime stime" of the process (all threads), in clock ticks.
cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }

# run NAME PORT: starts the server, runs wrk, prints "name req/s p50 p99 cpu_us_per_req".
run() {
    local name=$1 port=$2
    "target/release/examples/$name" "127.0.0.1:$port" 1 >/dev/null &
    local pid=$!
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
        sleep 0.05
    done
    # Warm-up, not measured.
    wrk -t1 -c"$CONNS" -d1s "http://127.0.0.1:$port/" >/dev/null
    local before after out reqs rps p50 p99
    before=$(cpu_ticks "$pid")
    out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$port/")
    after=$(cpu_ticks "$pid")
    # SIGINT (our server and Tokio's shut down cleanly on it); smol's twin
    # has no handler, and background jobs of a script ignore SIGINT, so
    # whatever is still alive after 2 s gets SIGTERM.
    kill -INT "$pid"
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || true
    reqs=$(echo "$out" | awk '/requests in/ {print $1}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    local us user sys
    read -r u0 s0 <<<"$before"
    read -r u1 s1 <<<"$after"
    us=$(awk -v t=$((u1 + s1 - u0 - s0)) -v hz="$TICKS" -v n="$reqs" 'BEGIN {printf "%.2f", t / hz * 1e6 / n}')
    user=$(awk -v t=$((u1 - u0)) -v hz="$TICKS" -v n="$reqs" 'BEGIN {printf "%.3f", t / hz * 1e6 / n}')
    sys=$(awk -v t=$((s1 - s0)) -v hz="$TICKS" -v n="$reqs" 'BEGIN {printf "%.3f", t / hz * 1e6 / n}')
    echo "$name $rps $p50 $p99 $us $user $sys"
}

results=$(mktemp)
for r in $(seq "$ROUNDS"); do
    # Rotate which server goes first.
    n=${#servers[@]}
    order=""
    for k in $(seq 0 $((n - 1))); do
        order="$order ${servers[$(( (r + k) % n ))]}"
    done
    for name in $order; do
        line=$(run "$name" $((18000 + r)))
        echo "round $r: $line" >&2
        echo "$line" >>"$results"
    done
done

python3 - "$results" "$CONNS" $SERVERS <<'PY'
import sys, statistics as st
names = sys.argv[3:]
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
def med(name, i, conv=float):
    return st.median(conv(r[i]) for r in rows if r[0] == name)
def ms(v):
    return float(v[:-2]) if v.endswith("ms") else float(v[:-2]) / 1000 if v.endswith("us") else float(v[:-1]) * 1000
print(f"| server (1 worker, wrk -t1 -c{sys.argv[2]}) | req/s | p50 | p99 | server CPU per request | user | kernel |")
print("|---|---|---|---|---|---|---|")
for name in names:
    print(f"| {name} | {med(name,1):.0f} | {med(name,2,ms):.3f} ms | {med(name,3,ms):.3f} ms | {med(name,4):.2f} us | {med(name,5):.2f} us | {med(name,6):.2f} us |")
ours = [float(r[4]) for r in rows if r[0] == names[0]]
for other in names[1:]:
    theirs = [float(r[4]) for r in rows if r[0] == other]
    ratios = sorted(a / b for a, b in zip(ours, theirs))
    print(f"\nCPU per request, runtime/{other.split('_')[-1]}: median {st.median(ratios):.2f}x over {len(ratios)} paired rounds (min {ratios[0]:.2f}, max {ratios[-1]:.2f})")
    ou = [float(r[5]) for r in rows if r[0] == names[0]]
    tu = [float(r[5]) for r in rows if r[0] == other]
    ur = sorted(a / b for a, b in zip(ou, tu) if b > 0)
    if ur:
        print(f"user-space CPU per request, runtime/{other.split('_')[-1]}: median {st.median(ur):.2f}x (min {ur[0]:.2f}, max {ur[-1]:.2f})")
PY
rm -f "$results"
