#!/usr/bin/env bash
# Runs the issue-16 benchmarks for two checkouts side by side, interleaved, N rounds:
#   bench/compare.sh <before-checkout> <after-checkout> [rounds] [out-dir]
# Each checkout must have its bench built (mvn -DskipTests package -pl bench -am). Logs go to the
# out dir, one file per checkout, benchmark and round, with the load average at the start of each.
set -euo pipefail
before="$(cd "$1" && pwd)"; after="$(cd "$2" && pwd)"; rounds="${3:-3}"; out="${4:-/tmp/bench-compare}"
mkdir -p "$out"
run() { # dir label bench main [env...]
  local dir="$1" label="$2" name="$3" main="$4"; shift 4
  local cp="$dir/bench/target/classes:$(cat "$dir/bench/target/classpath.txt")"
  local log="$out/$label-$name-r$round.log"
  echo "load $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%S)" > "$log"
  (cd "$dir" && env "$@" timeout 600 java -Xmx2g -cp "$cp" "$main" >> "$log" 2>&1) || echo "exit $?" >> "$log"
}
for round in $(seq 1 "$rounds"); do
  for side in before after; do
    dir=$before; [ "$side" = after ] && dir=$after
    submit=single; [ "$side" = after ] && submit=batch
    run "$dir" "$side" store io.emp.jobqueue.bench.StoreBench BENCH_PARTS=lifecycles
    run "$dir" "$side" worker io.emp.jobqueue.bench.WorkerBench
    run "$dir" "$side" gateway io.emp.jobqueue.bench.GatewayBench
    run "$dir" "$side" e2e io.emp.jobqueue.bench.E2eBench BENCH_RUNS=1 BENCH_SUBMIT=$submit
    run "$dir" "$side" memory io.emp.jobqueue.bench.RedisMemory
  done
done
echo "logs in $out"
