#!/usr/bin/env bash
# The chaos tier at full length: 200 kill-and-restart trials (CI runs 20). Usage: bash bench/chaos/run.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
python="${PRIVACYOPS_PYTHON:-.venv/bin/python}"
eval "$(bash scripts/postgres.sh)"
"$python" -m pytest --db postgres -p no:cacheprovider -o timeout=0 tests/chaos/test_worker_kill.py \
  --chaos-trials "${1:-200}" --durations=0
