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
"$python" -m pytest --db sqlite --req-report="$report" "$@"  # joined: a path pytest must not take for a test
"$python" -m pytest --db postgres -m "not browser" tests/integration tests/acceptance tests/e2e tests/chaos "$@"
# Every id the code claims (src/) needs a passing test; only a run of the whole suite can tell.
if [ "$#" -eq 0 ]; then "$python" -m tests.reqtrace --report "$report" --strict --brief; fi
