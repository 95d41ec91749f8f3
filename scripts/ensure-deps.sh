#!/usr/bin/env bash
# Makes sure this machine has what building, running and testing need: a JDK 17+, Maven,
# redis-server, redis-cli for the tests, promtool (Debian package "prometheus"; the tests check metrics and alert rules with it)
# and, for the tests, chromium with its chromedriver (Debian packages "chromium" and "chromium-driver";
# the monitor page's browser tests drive them). Installs missing pieces with apt when running as root;
# otherwise says exactly what to install. Used by start.sh, test.sh and .ci/run.
set -euo pipefail

need_redis="${1:-yes}"   # "no" when REDIS_URL points at an existing Redis and tests are not run
need_promtool="${2:-no}" # "tests": test.sh runs the metric and alert-rule checks (promtool) and the browser tests (chromium)
missing=()
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
  missing+=(openjdk-17-jdk-headless)
fi
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if [ "$need_redis" = yes ] && ! command -v redis-server >/dev/null 2>&1; then
  missing+=(redis-server)
fi
# the Redis Cluster tests create their cluster with redis-cli (Debian package "redis-tools", which
# redis-server depends on; a redis-server built by hand may come without it)
if [ "$need_promtool" = tests ] && ! command -v redis-cli >/dev/null 2>&1; then
  missing+=(redis-tools)
fi
if [ "$need_promtool" = tests ] && ! command -v promtool >/dev/null 2>&1 && [ -z "${PROMTOOL_BIN:-}" ]; then
  missing+=(prometheus)
fi
if [ "$need_promtool" = tests ]; then
  # CHROME_BIN / CHROMEDRIVER point the browser tests elsewhere (MonitorPageBrowserTest)
  [ -x "${CHROME_BIN:-/usr/bin/chromium}" ] || missing+=(chromium)
  [ -x "${CHROMEDRIVER:-/usr/bin/chromedriver}" ] || missing+=(chromium-driver)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt-get..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q "${missing[@]}" >/dev/null
  # The Debian packages may start services (redis on 6379, prometheus on 9090) where an init system
  # runs; the project starts its own redis instances and only uses the promtool binary.
  exit 0
fi
echo "Missing: ${missing[*]}." >&2
echo "Install them first, e.g.: sudo apt-get install -y ${missing[*]}" >&2
echo "(macOS: brew install openjdk@17 maven redis prometheus; for the browser tests install Chrome and chromedriver" >&2
echo " and set CHROME_BIN and CHROMEDRIVER to their paths)" >&2
exit 1
