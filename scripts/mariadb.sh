#!/usr/bin/env bash
# Start a throw-away MariaDB server on 127.0.0.1 for the test suite and print its admin URL.
# Usage: eval "$(bash scripts/mariadb.sh)"   -> exports PRIVACYOPS_TEST_MYSQL_URL
set -euo pipefail
source "$(dirname "$0")/wait_alive.sh"
port="${PRIVACYOPS_TEST_MYSQL_PORT:-33069}"
data="${PRIVACYOPS_TEST_MYSQL_DATA:-/tmp/privacyops-mariadb-$port}"
server=$(command -v mariadbd || command -v mysqld || ls /usr/sbin/mariadbd /usr/sbin/mysqld 2>/dev/null | head -n 1 || true)
installdb=$(command -v mariadb-install-db || command -v mysql_install_db || true)
admin=$(command -v mariadb-admin || command -v mysqladmin || true)
if [[ -z "$server" || -z "$installdb" || -z "$admin" ]]; then
  echo "MariaDB binaries not found: apt-get install mariadb-server" >&2
  exit 1
fi
user=$(id -un)
if [[ $(id -u) == 0 ]]; then user=mysql; fi
alive() { "$admin" --protocol=tcp -h 127.0.0.1 -P "$port" -u root ping >/dev/null 2>&1; }
if ! alive; then
  mkdir -p "$data"
  [[ $(id -u) == 0 ]] && chown "$user" "$data"
  if [[ ! -d "$data/db/mysql" ]]; then
    # Root may log in without a password, over TCP from 127.0.0.1 only: this server is for tests.
    "$installdb" --no-defaults --user="$user" --datadir="$data/db" --auth-root-authentication-method=normal \
      --skip-test-db >"$data/install.log" 2>&1 || { cat "$data/install.log" >&2; exit 1; }
  fi
  # A server that died leaves its pid file behind; remove it so that the new one can start.
  rm -f "$data/mariadb.pid"
  nohup "$server" --no-defaults --user="$user" --datadir="$data/db" --bind-address=127.0.0.1 --port="$port" \
    --socket="$data/mariadb.sock" --pid-file="$data/mariadb.pid" --log-error="$data/server.log" \
    --skip-name-resolve --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
    --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --innodb-buffer-pool-size=128M \
    --max-connections=200 >/dev/null 2>&1 &
  wait_alive "MariaDB on 127.0.0.1:$port" 60 0.5 "$data/server.log"
fi
echo "export PRIVACYOPS_TEST_MYSQL_URL=mysql+pymysql://root@127.0.0.1:$port/"
