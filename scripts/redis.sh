#!/usr/bin/env bash
# Start a throw-away Redis server on 127.0.0.1 for the test suite and print its URL.
# Usage: eval "$(bash scripts/redis.sh)"   -> exports PRIVACYOPS_TEST_REDIS_URL
set -euo pipefail
source "$(dirname "$0")/wait_alive.sh"
port="${PRIVACYOPS_TEST_REDIS_PORT:-63799}"
data="${PRIVACYOPS_TEST_REDIS_DATA:-/tmp/privacyops-redis-$port}"
server=$(command -v redis-server || ls /usr/bin/redis-server 2>/dev/null || true)
cli=$(command -v redis-cli || ls /usr/bin/redis-cli 2>/dev/null || true)
if [[ -z "$server" || -z "$cli" ]]; then
  echo "Redis binaries not found: apt-get install redis-server" >&2
  exit 1
fi
alive() { "$cli" -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; }
if ! alive; then
  mkdir -p "$data"
  # Nothing is persisted (a test queue), and many numbered databases let each test take its own.
  "$server" --bind 127.0.0.1 --port "$port" --daemonize yes --dir "$data" --save "" --appendonly no \
    --databases 1024 --pidfile "$data/redis.pid" --logfile "$data/server.log" >/dev/null
  wait_alive "Redis on 127.0.0.1:$port" 40 0.25 "$data/server.log"
fi
echo "export PRIVACYOPS_TEST_REDIS_URL=redis://127.0.0.1:$port"
