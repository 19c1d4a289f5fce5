#!/usr/bin/env bash
# `seam mock --openapi` with request validation on (issue 15): requests/s of
# two validated requests against bare hyper (bench/hello-hyper, the reference)
# and Prism (@stoplight/prism-cli 5, when installed), all in the same run, on
# the spec crates/seam-openapi/tests/data/mock-shop.yaml:
#   - POST /orders with a JSON body checked against its schema and a bearer token
#     (answered 201 from the example),
#   - GET /orders?limit=5&status=open with its query parameters checked
#     (answered 200 from the example, a required header generated).
# Target: seam >= 0.5x hello-hyper.
#
# Usage: bench/openapi-mock.sh [SECONDS] [CONNECTIONS] [ROUNDS]
#        INSTRUCTIONS=1 bench/openapi-mock.sh [SECONDS] [CONNECTIONS]
# The second form is the repeatable companion (as bench/mock-instructions.sh):
# hello-hyper and seam under `valgrind --tool=callgrind`, each loaded with wrk,
# instructions inside hyper's connection tasks divided by requests served.
# PRISM=/path/to/prism overrides where Prism is looked for
# (default /tmp/prism/node_modules/.bin/prism; `npm install --prefix /tmp/prism
# @stoplight/prism-cli@5` installs it there).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-3}
CONNS=${2:-32}
ROUNDS=${3:-5}
PRISM=${PRISM:-/tmp/prism/node_modules/.bin/prism}
SPEC=crates/seam-openapi/tests/data/mock-shop.yaml
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 2; }

[ "${NO_BUILD:-0}" = 1 ] || cargo build --release -q -p seam-cli
(cd bench/hello-hyper && cargo build --release -q)
SEAM=target/release/seam
HELLO=bench/hello-hyper/target/release/hello-hyper

WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"items": [{"sku": "AB-1234", "qty": 2}, {"sku": "CD-5678", "qty": 1}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"
LUA
POST_PATH=/orders
GET_PATH='/orders?limit=5&status=open'
. bench/mock-lib.sh  # SERVER_CPU, WRK, run_wrk, start_server, connection_instructions

# check URL: both requests answer as the spec says (201 and 200), so the
# figures are of validated, accepted requests
check() {
  local post get
  post=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H 'Authorization: Bearer bench' -d '{"items": [{"sku": "AB-1234", "qty": 2}, {"sku": "CD-5678", "qty": 1}]}' "$1$POST_PATH")
  get=$(curl -s -o /dev/null -w '%{http_code}' "$1$GET_PATH")
  [ "$post" = 201 ] && [ "$get" = 200 ] || { echo "$1: POST $post, GET $get (expected 201, 200)" >&2; exit 1; }
}

if [ "${INSTRUCTIONS:-0}" = 1 ]; then
  command -v valgrind >/dev/null || { echo "valgrind is required"; exit 2; }
  SECS=${1:-8}; CONNS=${2:-16}
  # measure NAME WRKARGS COMMAND...: prints "instructions requests"
  measure() {
    local name=$1 path=$2 script=$3; shift 3
    valgrind --tool=callgrind --callgrind-out-file="$WORK/$name.cg" "$@" > "$WORK/$name.out" 2>/dev/null &
    local pid=$!
    for _ in $(seq 1 600); do grep -q http "$WORK/$name.out" 2>/dev/null && break; sleep 0.1; done
    local url; url=$(grep -o 'http://[0-9.:]*' "$WORK/$name.out" | head -1)
    # warm up with the measured request itself: its first check compiles the
    # operation's validators once (jsonschema, ~130M instructions under
    # callgrind), a start-up cost that would otherwise be spread over the
    # requests counted
    if [ -n "$script" ]; then
      curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -H 'Authorization: Bearer bench' \
        -d '{"items": [{"sku": "AB-1234", "qty": 2}, {"sku": "CD-5678", "qty": 1}]}' "$url$path" || true
    else
      curl -s -o /dev/null "$url$path" || true
    fi
    local served
    if [ -n "$script" ]; then
      served=$(wrk -t1 -c"$CONNS" -d"${SECS}s" -s "$script" "$url$path" | awk '/requests in/ {print $1}')
    else
      served=$(wrk -t1 -c"$CONNS" -d"${SECS}s" "$url$path" | awk '/requests in/ {print $1}')
    fi
    kill $pid; wait $pid 2>/dev/null || true   # callgrind writes its counts on SIGTERM
    echo "$(connection_instructions "$WORK/$name.cg") $((served + 1))"
  }
  start_server $SEAM mock --port 0 --openapi "$SPEC"; check "$URL"; kill $PID; wait $PID 2>/dev/null || true
  H_POST=$(measure hello-post "$POST_PATH" "$WORK/post.lua" $HELLO 0)
  S_POST=$(measure seam-post "$POST_PATH" "$WORK/post.lua" $SEAM mock --port 0 --openapi "$SPEC")
  H_GET=$(measure hello-get "$GET_PATH" "" $HELLO 0)
  S_GET=$(measure seam-get "$GET_PATH" "" $SEAM mock --port 0 --openapi "$SPEC")
  python3 - $H_POST $S_POST $H_GET $S_GET <<'PY'
import sys
v = list(map(int, sys.argv[1:]))
print("| request | hello-hyper instructions/request | seam mock --openapi instructions/request | seam vs hello-hyper |")
print("| --- | ---: | ---: | ---: |")
for name, (h_ir, h_n, s_ir, s_n) in (("POST /orders (JSON body validated)", v[0:4]), ("GET /orders?limit=5&status=open", v[4:8])):
    h, s = h_ir / h_n, s_ir / s_n
    print(f"| {name} | {h:,.0f} | {s:,.0f} | {100*s/h:.0f}% (+{s-h:,.0f}) |")
PY
  exit 0
fi

start_server $SERVER_CPU $HELLO 0; HELLO_URL=$URL
start_server $SERVER_CPU $SEAM mock --port 0 --openapi "$SPEC"; SEAM_URL=$URL; check "$SEAM_URL"
PRISM_URL=""
if [ -x "$PRISM" ]; then
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  $SERVER_CPU "$PRISM" mock -h 127.0.0.1 -p "$PORT" "$SPEC" > "$WORK/prism.txt" 2>&1 &
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/orders" >/dev/null 2>&1 && break; sleep 0.1; done
  PRISM_URL="http://127.0.0.1:$PORT"; check "$PRISM_URL"
else
  echo "Prism not found at $PRISM: measured without it" >&2
fi

declare -A ALL
for round in $(seq 1 "$ROUNDS"); do
  for req in post get; do
    if [ $req = post ]; then P=$POST_PATH; ARGS=(-s "$WORK/post.lua"); else P=$GET_PATH; ARGS=(); fi
    echo "== round $round, $req: hello-hyper, seam mock --openapi${PRISM_URL:+, Prism}" >&2
    ALL[hello-$req]+="$(run_wrk "$HELLO_URL$P" "$SECS" "${ARGS[@]}"),"
    ALL[seam-$req]+="$(run_wrk "$SEAM_URL$P" "$SECS" "${ARGS[@]}"),"
    [ -n "$PRISM_URL" ] && ALL[prism-$req]+="$(run_wrk "$PRISM_URL$P" "$SECS" "${ARGS[@]}"),"
  done
done
kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true

python3 - "${ALL[hello-post]}" "${ALL[seam-post]}" "${ALL[prism-post]:-}" \
  "${ALL[hello-get]}" "${ALL[seam-get]}" "${ALL[prism-get]:-}" <<'PY'
import statistics, sys
def nums(s): return [float(x) for x in s.split(",") if x]
args = [nums(a) for a in sys.argv[1:]]
print("| request | hello-hyper req/s | seam mock --openapi req/s | seam vs hello-hyper (median of paired rounds) | Prism req/s | seam vs Prism |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for name, (h, s, p) in (("POST /orders, JSON body validated", args[0:3]), ("GET /orders?limit=5&status=open", args[3:6])):
    ratio = statistics.median(b / a for a, b in zip(h, s))
    pm = f"{statistics.median(p):,.0f}" if p else "-"
    vs = f"{statistics.median(s)/statistics.median(p):.1f}x" if p else "-"
    print(f"| {name} | {statistics.median(h):,.0f} | {statistics.median(s):,.0f} | {100*ratio:.0f}% | {pm} | {vs} |")
PY
