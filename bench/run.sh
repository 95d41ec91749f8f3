#!/usr/bin/env bash
# Runs a benchmark: bench/run.sh store|worker|gateway|e2e|batch|calls|complete-claim|memory|heap|tracing|buffer|metrics|metrics-record|cluster
# Builds what it needs first. Starts its own redis-server unless REDIS_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-store}"
mvn -B -q -DskipTests package -pl bench -am >/dev/null
cp="bench/target/classes:$(cat bench/target/classpath.txt)"
case "$which" in
  store) exec java -Xmx2g -cp "$cp" io.emp.jobqueue.bench.StoreBench ;;
  worker) exec java -Xmx2g -cp "$cp" io.emp.jobqueue.bench.WorkerBench ;;
  gateway) exec java -Xmx2g -cp "$cp" io.emp.jobqueue.bench.GatewayBench ;;
  tracing) exec java -Xmx2g -cp "$cp" org.openjdk.jmh.Main -prof gc "io.emp.jobqueue.bench.TracingBench" ;;
  buffer) exec java -Xmx2g -cp "$cp" io.emp.jobqueue.bench.SamplerMemory ;;
  metrics) exec java -Xmx2g ${BENCH_JAVA_OPTS:-} -cp "$cp" io.emp.jobqueue.bench.MetricsBench ;;
  metrics-record) exec java -Xmx2g -cp "$cp" org.openjdk.jmh.Main -prof gc "io.emp.jobqueue.bench.MetricsRecordBench" ;;
  e2e) exec java -Xmx2g -cp "$cp" io.emp.jobqueue.bench.E2eBench ;;
  heap) exec java -Xmx2g -cp "$cp" io.emp.jobqueue.bench.HeapBench ;;
  memory) exec java -Xmx1g -cp "$cp" io.emp.jobqueue.bench.RedisMemory ;;
  calls) exec java -Xmx1g ${BENCH_JAVA_OPTS:-} -cp "$cp" io.emp.jobqueue.bench.LifecycleCalls ;;
  complete-claim) exec java -Xmx1g ${BENCH_JAVA_OPTS:-} -cp "$cp" io.emp.jobqueue.bench.CompleteClaimBench ;;
  cluster) exec java -Xmx1g -cp "$cp" io.emp.jobqueue.bench.ClusterBench ;;
  batch) exec java -Xmx1g -cp "$cp" io.emp.jobqueue.bench.BatchBench ;;
  *) echo "unknown benchmark '$which' (known: store, worker, gateway, e2e, batch, calls, complete-claim, memory, heap, tracing, buffer, metrics, metrics-record, cluster)" >&2; exit 2 ;;
esac
