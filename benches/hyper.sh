#!/usr/bin/env bash
# hyper 1.x "Hello, world!" under wrk: examples/hyper_server.rs (this
# runtime, through runtime::compat::hyper) against
# examples/hyper_server_tokio.rs (the same hyper service with hyper-util's
# TokioIo/TokioExecutor), one worker each, rotated round by round; reports
# req/s, p50/p99 and server CPU time per request (see benches/http.sh).
#
#   benches/hyper.sh [ROUNDS] [CONNECTIONS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
SERVERS="hyper_server hyper_server_tokio" exec ./http.sh "$@"
