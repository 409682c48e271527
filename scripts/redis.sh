#!/usr/bin/env bash
# Start a throw-away Redis server on 127.0.0.1 for the test suite and print its URL.
# Usage: eval "$(bash scripts/redis.sh)"   -> exports PRIVACYOPS_TEST_REDIS_URL
set -euo pipefail
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
  for _ in $(seq 1 40); do
    alive && break
    sleep 0.25
  done
  if ! alive; then
    echo "Redis did not start on 127.0.0.1:$port; see $data/server.log" >&2
    tail -n 20 "$data/server.log" >&2 || true
    exit 1
  fi
fi
echo "export PRIVACYOPS_TEST_REDIS_URL=redis://127.0.0.1:$port"
