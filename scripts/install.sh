#!/usr/bin/env bash
# Install privacyops and what its tests need on a fresh Debian machine (as root) or into the current Python.
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if ((${#need_apt[@]})) && [[ "${1:-}" == "--test" ]]; then
  if [[ $(id -u) == 0 ]]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "missing Debian packages: ${need_apt[*]} (install them as root)" >&2
    exit 1
  fi
fi
extra=""
[[ "${1:-}" == "--test" ]] && extra="[test]"
python3 -m pip install -q --disable-pip-version-check -e ".$extra" 2>&1 | grep -vE '^(WARNING|\[notice\])' || true
python3 -c "import privacyops" 
