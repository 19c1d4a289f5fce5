#!/usr/bin/env bash
# Mock server cost per request in instructions (issue #3), the repeatable
# companion of bench/mock-throughput.sh: requests/s on a shared virtual machine
# drift by ±20% within minutes, instruction counts do not. Runs hello-hyper
# (bare hyper, the reference) and seam mock with 1,000 stubs under
# `valgrind --tool=callgrind`, loads each with wrk for SECONDS, and divides the
# instructions spent inside hyper's connection tasks (parsing, the handler,
# encoding, the journal: everything but start-up) by the requests served.
# User-space instructions only: the kernel's share (the socket calls, the same
# two per request for both servers) is not counted.
#
# Usage: bench/mock-instructions.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-8}
CONNS=${2:-16}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is required"; exit 2; }

cargo build --release -q -p seam-cli
(cd bench/hello-hyper && cargo build --release -q)
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 bench/mock-stubs.py "$WORK"
. bench/mock-lib.sh  # connection_instructions

# measure NAME COMMAND...: prints "instructions requests"
measure() {
  local name=$1; shift
  valgrind --tool=callgrind --callgrind-out-file="$WORK/$name.cg" "$@" > "$WORK/$name.out" 2>/dev/null &
  local pid=$!
  for _ in $(seq 1 600); do grep -q http "$WORK/$name.out" 2>/dev/null && break; sleep 0.1; done
  local url; url=$(grep -o 'http://[0-9.:]*' "$WORK/$name.out" | head -1)
  curl -sf "$url/api/items/500" >/dev/null
  local served
  served=$(wrk -t1 -c"$CONNS" -d"${SECS}s" "$url/api/items/500" | awk '/requests in/ {print $1}')
  kill $pid; wait $pid 2>/dev/null || true   # callgrind writes its counts on SIGTERM
  local ir
  ir=$(connection_instructions "$WORK/$name.cg")
  echo "$ir $((served + 1))"
}

measure hello bench/hello-hyper/target/release/hello-hyper 0 > "$WORK/hello.counts"
measure seam target/release/seam mock --port 0 --stubs "$WORK/seam/stubs.yaml" > "$WORK/seam.counts"
python3 - $(cat "$WORK/hello.counts" "$WORK/seam.counts") <<'PY'
import sys
h_ir, h_n, s_ir, s_n = map(int, sys.argv[1:])
h, s = h_ir / h_n, s_ir / s_n
print("| server | requests served | instructions per request (user space) | vs hello-hyper |")
print("| --- | ---: | ---: | ---: |")
print(f"| hello-hyper (reference) | {h_n:,} | {h:,.0f} | 100% |")
print(f"| seam mock, 1,000 stubs | {s_n:,} | {s:,.0f} | {100*s/h:.0f}% (+{s-h:,.0f}) |")
PY
