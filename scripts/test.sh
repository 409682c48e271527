#!/usr/bin/env bash
# The whole test suite: installs what it needs, starts PostgreSQL, MariaDB and Redis, runs every tier
# on SQLite, then the database tiers again on PostgreSQL, then ruff and mypy.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
python="${PRIVACYOPS_PYTHON:-.venv/bin/python}"
eval "$(bash scripts/postgres.sh)"
eval "$(bash scripts/mariadb.sh)"
eval "$(bash scripts/redis.sh)"
export PRIVACYOPS_CHROMIUM="${PRIVACYOPS_CHROMIUM:-$(command -v chromium)}"
"$python" -m ruff check src tests bench
"$python" -m mypy
"$python" scripts/audit_dependencies.py  # known vulnerabilities fail the run; an unreachable service warns
report=build/req-report.json  # which requirement ids each test proves, and how it did
# Tests spend much of their time waiting on servers, browsers and subprocesses: two processes overlap
# those waits. By file, so that a module's shared set-up (a served app, a browser) is built once.
parallel=(-n "${PRIVACYOPS_TEST_PROCESSES:-2}" --dist loadfile)
"$python" -m pytest --db sqlite "${parallel[@]}" --req-report="$report" "$@"  # joined: a path pytest must not take for a test
"$python" -m pytest --db postgres "${parallel[@]}" -m "not browser" tests/integration tests/acceptance tests/e2e tests/chaos "$@"
# Every id the code claims (src/) needs a passing test; only a run of the whole suite can tell.
if [ "$#" -eq 0 ]; then "$python" -m tests.reqtrace --report "$report" --strict --brief; fi
