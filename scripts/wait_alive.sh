# Sourced by the test-server scripts: wait for a server started in the background to answer.
# Usage: wait_alive NAME TRIES SECONDS LOG   (the caller defines ``alive``; exits 1 with the log's tail)
wait_alive() {
  local name=$1 tries=$2 pause=$3 log=$4
  for _ in $(seq 1 "$tries"); do
    alive && return 0
    sleep "$pause"
  done
  alive && return 0
  echo "$name did not start; see $log" >&2
  tail -n 20 "$log" >&2 || true
  exit 1
}
