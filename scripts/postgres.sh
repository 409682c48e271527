#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the test suite and print its admin URL.
# Usage: eval "$(bash scripts/postgres.sh)"   -> exports PRIVACYOPS_TEST_PG_URL
set -euo pipefail
port="${PRIVACYOPS_TEST_PG_PORT:-54329}"
data="${PRIVACYOPS_TEST_PG_DATA:-/tmp/privacyops-pg-$port}"
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z "$bindir" ]]; then
  echo "PostgreSQL binaries not found: apt-get install postgresql" >&2
  exit 1
fi
runas=()
if [[ $(id -u) == 0 ]]; then runas=(runuser -u postgres --); fi
if ! "${runas[@]}" "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
  if [[ ! -f "$data/PG_VERSION" ]]; then
    mkdir -p "$data"
    [[ $(id -u) == 0 ]] && chown postgres:postgres "$data"
    "${runas[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  "${runas[@]}" "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w \
    -o "-h 127.0.0.1 -p $port -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >&2
fi
echo "export PRIVACYOPS_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
