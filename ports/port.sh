#!/usr/bin/env bash
# Ports Tokio sources to this runtime the only way the ports here are
# allowed to change: renaming the crates in paths. Every `.rs` file under
# the given directories is rewritten in place:
#   tokio_util::codec::  -> runtime::codec::
#   tokio_util::sync::   -> runtime::sync::
#   tokio_stream::       -> runtime::stream::
#   tokio::              -> runtime::
# Usage: ports/port.sh DIR...
set -euo pipefail
for dir in "$@"; do
    find "$dir" -name '*.rs' -print0 | xargs -0 sed -i \
        -e 's/\btokio_util::codec::/runtime::codec::/g' \
        -e 's/\btokio_util::sync::/runtime::sync::/g' \
        -e 's/\btokio_stream::/runtime::stream::/g' \
        -e 's/\btokio::/runtime::/g'
done
