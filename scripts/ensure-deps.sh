#!/usr/bin/env bash
# Makes sure this machine has what building, running and testing need: a JDK 17+, Maven and
# redis-server. Installs missing pieces with apt when running as root; otherwise says exactly
# what to install. Used by start.sh, test.sh and .ci/run.
set -euo pipefail

need_redis="${1:-yes}"   # "no" when REDIS_URL points at an existing Redis and tests are not run
missing=()
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
  missing+=(openjdk-17-jdk-headless)
fi
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if [ "$need_redis" = yes ] && ! command -v redis-server >/dev/null 2>&1; then
  missing+=(redis-server)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt-get..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q "${missing[@]}" >/dev/null
  # The Debian package starts a service on 6379; the project starts its own instances.
  exit 0
fi
echo "Missing: ${missing[*]}." >&2
echo "Install them first, e.g.: sudo apt-get install -y ${missing[*]}" >&2
echo "(macOS: brew install openjdk@17 maven redis)" >&2
exit 1
