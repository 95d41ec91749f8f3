#!/usr/bin/env bash
# Builds (when sources changed) and starts the whole system in one JVM: queue, HTTP/WebSocket
# gateway and a simulation worker. Without REDIS_URL a local redis-server is started with its data
# under ./data/. Ctrl-C stops everything, the Redis child included.
set -euo pipefail
cd "$(dirname "$0")"
if [ -n "${REDIS_URL:-}" ]; then scripts/ensure-deps.sh no; else scripts/ensure-deps.sh; fi
jar=app/target/emp-job-queue-fat.jar
if [ ! -f "$jar" ] || [ -n "$(find . -path ./data -prune -o -path '*/target' -prune -o \
      \( -name '*.java' -o -name 'pom.xml' -o -name '*.lua' -o -name '*.json' \) -newer "$jar" -print -quit)" ]; then
  echo "Building (first run takes a few minutes while Maven downloads dependencies)..."
  mvn -B -q -DskipTests package
fi
exec java -XX:+UseG1GC -Xms256m -jar "$jar" --roles all "$@"
