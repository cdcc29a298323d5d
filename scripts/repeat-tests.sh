#!/usr/bin/env bash
# Runs the whole test suite (`cargo test --workspace`) N times in a row
# (default 20) to catch tests that fail by luck. Stops at the first failing
# run and prints its number, the failing tests and where its full output
# is. Arguments after N replace `--workspace` (e.g. `--test net`).
#
#   scripts/repeat-tests.sh            # 20 runs of the whole suite
#   scripts/repeat-tests.sh 5
#   scripts/repeat-tests.sh 50 --test net
set -uo pipefail
cd "$(dirname "$0")/.."

runs=${1:-20}
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [N] [cargo test arguments]" >&2
    exit 2
fi
shift $(( $# > 0 ? 1 : 0 ))
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--workspace)

logs=$(mktemp -d "${TMPDIR:-/tmp}/repeat-tests.XXXXXX")
echo "cargo test ${args[*]}: $runs runs, logs in $logs"
# Build once up front, so a compile error is not reported as run 1's
# failure and the runs' times are the tests' own.
if ! cargo test "${args[@]}" --no-run >"$logs/build.log" 2>&1; then
    echo "the build failed:"
    tail -n 30 "$logs/build.log"
    exit 1
fi

for ((i = 1; i <= runs; i++)); do
    log="$logs/run-$i.log"
    start=$SECONDS
    if CARGO_TERM_COLOR=never cargo test "${args[@]}" >"$log" 2>&1; then
        echo "run $i/$runs passed ($((SECONDS - start)) s)"
        continue
    fi
    echo "run $i/$runs FAILED ($((SECONDS - start)) s); full output: $log"
    echo "failing tests:"
    # libtest's "test NAME ... FAILED" lines, and for a binary whose tests
    # do not use libtest (or that crashed) cargo's "to rerun" line.
    grep -E '^test .* \.\.\. FAILED$' "$log" | sed -E 's/^test (.*) \.\.\. FAILED$/  \1/' | sort -u
    grep -E '^error: test failed, to rerun pass' "$log" | sed -E 's/^error: test failed, to rerun pass /  in: /'
    # A hung test that was killed prints no result line, only libtest's
    # 60 s warning (slow tests that then finished have both).
    grep -E '^test .* has been running for over 60 seconds$' "$log" |
        sed -E 's/^test (.*) has been running for over 60 seconds$/\1/' | sort -u |
        while read -r name; do
            grep -qF "test $name ... " "$log" || echo "  $name (never finished)"
        done
    exit 1
done
echo "all $runs runs passed"
