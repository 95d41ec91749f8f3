#!/usr/bin/env bash
# Runs the whole test suite: unit, integration (real redis-server processes started by the tests,
# real HTTP/WebSocket, child JVMs) — everything Maven's verify phase runs.
set -euo pipefail
cd "$(dirname "$0")"
scripts/ensure-deps.sh yes tests
exec mvn -B verify "$@"
