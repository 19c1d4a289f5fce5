#!/usr/bin/env bash
# Templated answers: requests/s of seam mock answering a templated stub
# (`{{request.path}}`, a path parameter, a query value and a `jsonPath` helper
# on the posted JSON body), against a bare hyper hello-world server, measured
# by wrk in the same run. Two seam binaries can be compared side by side
# (before/after a change): each round loads hello-hyper, then each binary.
#
# Usage: bench/mock-templates.sh [SECONDS] [CONNECTIONS] [ROUNDS]
#   SEAM_A=path/to/seam SEAM_B=path/to/other/seam bench/mock-templates.sh
# Without SEAM_A, the workspace's release build is measured alone.
# INSTRUCTIONS=1 measures instructions per templated request instead (each
# server under `valgrind --tool=callgrind`, as bench/mock-instructions.sh does):
# repeatable where requests/s on a shared machine are not.
# As in mock-throughput.sh, the servers share core 1 and wrk runs on core 0;
# rounds alternate so that the host's drift hits every server alike, and the
# table gives medians and the median of each round's ratio to hello-hyper.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-3}
CONNS=${2:-64}
ROUNDS=${3:-10}
REQUEST=/api/orders/42?q=fast
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 2; }

if [ -z "${SEAM_A:-}" ]; then
  cargo build --release -q -p seam-cli
  SEAM_A=target/release/seam
fi
(cd bench/hello-hyper && cargo build --release -q)
HELLO=bench/hello-hyper/target/release/hello-hyper

WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
. bench/mock-lib.sh  # connection_instructions
python3 bench/mock-stubs.py "$WORK"
# one templated stub beside the 1,000 static ones
cat >> "$WORK/seam/stubs.yaml" <<'YAML'
  - name: templated order
    request: { method: POST, path: "/api/orders/{id}" }
    response:
      status: 200
      template: true
      headers: { Content-Type: application/json, X-Path: "{{request.path}}" }
      text: '{"id":"{{request.path.id}}","path":"{{request.path}}","q":"{{request.query.q}}","name":"{{jsonPath request.body ''$.customer.name''}}"}'
YAML
cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"customer": {"name": "Ann", "tier": "gold"}, "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-7", "qty": 1}]}'
wrk.headers["Content-Type"] = "application/json"
LUA

if [ "${INSTRUCTIONS:-}" = 1 ]; then
  command -v valgrind >/dev/null || { echo "valgrind is required"; exit 2; }
  # measure NAME COMMAND...: prints "instructions requests"
  measure() {
    local name=$1; shift
    valgrind --tool=callgrind --callgrind-out-file="$WORK/$name.cg" "$@" > "$WORK/$name.out" 2>/dev/null &
    local pid=$!
    for _ in $(seq 1 600); do grep -q http "$WORK/$name.out" 2>/dev/null && break; sleep 0.1; done
    local url; url=$(grep -o 'http://[0-9.:]*' "$WORK/$name.out" | head -1)
    curl -sf -X POST --data '{}' "$url$REQUEST" >/dev/null
    local served
    served=$(wrk -t1 -c16 -d"${SECS}s" -s "$WORK/post.lua" "$url$REQUEST" | awk '/requests in/ {print $1}')
    kill $pid; wait $pid 2>/dev/null || true   # callgrind writes its counts on SIGTERM
    local ir
    ir=$(connection_instructions "$WORK/$name.cg")
    echo "$ir $((served + 1))"
  }
  echo "| server | requests served | instructions per request (user space) |"
  echo "| --- | ---: | ---: |"
  for bin in "$HELLO" "$SEAM_A" ${SEAM_B:+"$SEAM_B"}; do
    if [ "$bin" = "$HELLO" ]; then set -- "$bin" 0; else set -- "$bin" mock --port 0 --stubs "$WORK/seam/stubs.yaml"; fi
    read -r ir n < <(measure "m$RANDOM" "$@")
    echo "| \`$bin\` | $n | $((ir / n)) |"
  done
  exit 0
fi

SERVER_CPU="taskset -c 1"; WRK="taskset -c 0 wrk -t1"
run_wrk() { $WRK -c"$CONNS" -d"${SECS}s" -s "$WORK/post.lua" --latency "$1" | tee "$WORK/wrk.txt" >&2; awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt"; }

start_server() { # sets URL and PID
  local out="$WORK/out-$RANDOM.txt"
  "$@" > "$out" 2>/dev/null &
  PID=$!
  for _ in $(seq 1 500); do grep -q http "$out" 2>/dev/null && break; sleep 0.01; done
  URL=$(grep -o 'http://[0-9.:]*' "$out" | head -1)
}

start_server $SERVER_CPU $HELLO 0; HELLO_URL=$URL
start_server $SERVER_CPU "$SEAM_A" mock --port 0 --stubs "$WORK/seam/stubs.yaml"; A_URL=$URL; A_PID=$PID
B_URL=""
if [ -n "${SEAM_B:-}" ]; then
  start_server $SERVER_CPU "$SEAM_B" mock --port 0 --stubs "$WORK/seam/stubs.yaml"; B_URL=$URL; B_PID=$PID
fi
check() { # the templated answer, once, so a broken stub fails the run
  local got
  got=$(curl -sf -X POST -H 'Content-Type: application/json' --data '{"customer": {"name": "Ann"}}' "$1$REQUEST")
  [ "$got" = '{"id":"42","path":"/api/orders/42","q":"fast","name":"Ann"}' ] || { echo "unexpected answer from $1: $got" >&2; exit 1; }
}
check "$A_URL"; [ -z "$B_URL" ] || check "$B_URL"

HELLO_ALL=(); A_ALL=(); B_ALL=()
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round: hello-hyper, seam A${B_URL:+, seam B}" >&2
  HELLO_ALL+=("$(run_wrk "$HELLO_URL$REQUEST")")
  A_ALL+=("$(run_wrk "$A_URL$REQUEST")")
  [ -z "$B_URL" ] || B_ALL+=("$(run_wrk "$B_URL$REQUEST")")
done
A_RSS=$(awk '/VmRSS/ {print $2}' /proc/$A_PID/status)
B_RSS=0; [ -z "$B_URL" ] || B_RSS=$(awk '/VmRSS/ {print $2}' /proc/$B_PID/status)

python3 - "$(IFS=,; echo "${HELLO_ALL[*]}")" "$(IFS=,; echo "${A_ALL[*]}")" "$(IFS=,; echo "${B_ALL[*]:-}")" \
  "$A_RSS" "$B_RSS" "$SEAM_A" "${SEAM_B:-}" <<'PY'
import statistics, sys
hello, a, b, a_rss, b_rss, a_name, b_name = sys.argv[1:]
hello = [float(x) for x in hello.split(",")]
print(f"rounds: hello-hyper {', '.join(f'{x:,.0f}' for x in hello)}")
print("| server | requests/s (median) | vs hello-hyper (median of paired rounds; quartiles) | RSS after load |")
print("| --- | ---: | ---: | ---: |")
print(f"| hello-hyper (reference) | {statistics.median(hello):,.0f} | 100% | |")
for name, runs, rss in ((a_name, a, a_rss), (b_name, b, b_rss)):
    if not runs:
        continue
    runs = [float(x) for x in runs.split(",")]
    print(f"rounds: {name} {', '.join(f'{x:,.0f}' for x in runs)}", file=sys.stderr)
    ratios = sorted(s / h for s, h in zip(runs, hello))
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
    print(f"| seam mock `{name}`, templated stub | {statistics.median(runs):,.0f} | "
          f"{100*statistics.median(ratios):.1f}% ({100*q[0]:.1f}%, {100*q[2]:.1f}%) | {int(rss)/1024:.1f} MB |")
if a and b:
    # B against A, round by round: the two ran seconds apart, so host drift cancels best here
    pairs = sorted(float(y) / float(x) for x, y in zip(a.split(","), b.split(",")))
    q = statistics.quantiles(pairs, n=4) if len(pairs) > 1 else [pairs[0]] * 3
    print(f"\nB / A, median of paired rounds: {100*statistics.median(pairs):.1f}% (quartiles {100*q[0]:.1f}%, {100*q[2]:.1f}%)")
PY
