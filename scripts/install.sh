#!/usr/bin/env bash
# Install privacyops and what its tests need on a fresh Debian machine: Debian's PostgreSQL, MariaDB,
# Redis and Chromium (as root), then the package with its test extras.
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1 || [[ -x /usr/sbin/mariadbd ]] \
  || need_apt+=(mariadb-server)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
if ((${#need_apt[@]})); then
  if [[ $(id -u) == 0 ]]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "missing Debian packages: ${need_apt[*]} (install them as root)" >&2
    exit 1
  fi
fi
# The test suite gets its own virtual environment (.venv) so that it never disturbs the Python the
# machine already has; PRIVACYOPS_PYTHON overrides the interpreter the suite uses.
python="${PRIVACYOPS_PYTHON:-.venv/bin/python}"
if [[ ! -x "$python" ]]; then
  python3 -m venv .venv
fi
log=$(mktemp)
if ! "$python" -m pip install -q --disable-pip-version-check -e ".[test]" >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
"$python" -c "import privacyops"
