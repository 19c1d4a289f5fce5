#!/usr/bin/env bash
# Mock server with conditional stubs (issue 14): WireMock mappings in a
# realistic mix (bench/mock-conditional.py: regex paths with header matchers,
# query matchers, POSTs with JSON body matchers, plain URLs, a fifth templated)
# at 100, 1,000 and 10,000 stubs. For each size, wrk loads bare hyper
# (bench/hello-hyper) and then seam mock with each kind of request, in rounds,
# all in the same run; then seam's RSS after the load.
#
# Usage: bench/mock-conditional.sh [SECONDS] [CONNECTIONS] [ROUNDS]
#   SIZES="1000" bench/mock-conditional.sh       # some sizes only
#   SEAM=/path/to/other/seam bench/mock-conditional.sh   # another build (before/after)
# As in mock-throughput.sh, the servers share core 1 and wrk runs on core 0
# (bench/mock-lib.sh); each figure is the median over rounds of seam's
# requests/s over hello-hyper's in the same round.
# Memory: RSS after the load minus that of seam with one plain stub after the
# same load, per stub, beside the mappings' own size per stub.
# MEMORY_ONLY=1 measures memory alone: one round of one second per request
# kind (the load the RSS is read after); its requests/s are not to be read.
# INSTRUCTIONS=1 counts instructions per request instead (each server under
# `valgrind --tool=callgrind`, counters zeroed before and dumped after each
# request kind; the instructions inside hyper's connection tasks over the
# requests served, as bench/mock-instructions.sh counts): repeatable where
# requests/s on a loaded shared machine are not.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-3}
CONNS=${2:-64}
ROUNDS=${3:-5}
SIZES=${SIZES:-100 1000 10000}
if [ "${MEMORY_ONLY:-}" = 1 ]; then SECS=1; ROUNDS=1; fi
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 2; }

if [ -z "${SEAM:-}" ]; then
  cargo build --release -q -p seam-cli
  SEAM=target/release/seam
fi
(cd bench/hello-hyper && cargo build --release -q)
HELLO=bench/hello-hyper/target/release/hello-hyper

WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
. bench/mock-lib.sh  # SERVER_CPU, WRK, run_wrk, start_server

# header_args HEADER...: `-H NAME: VALUE` for wrk and curl, one per line
header_args() {
  local h
  for h in "$@"; do printf -- '-H\n%s\n' "${h/:/: }"; done
}

# check that each request is answered by a stub (not the catch-all's 404)
check_requests() { # DIR URL
  local kind url hdrs args
  while read -r kind METHOD url hdrs; do
    mapfile -t args < <(header_args $hdrs)
    local data=()
    [ "$METHOD" = POST ] && data=(--data "$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$1/post.lua")")
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' -X "$METHOD" "${args[@]}" "${data[@]}" "$2$url")
    [ "$code" = 200 ] || { echo "$kind $METHOD $url answered $code, not 200" >&2; exit 1; }
  done < "$1/requests.txt"
}

RESULTS="$WORK/results.txt"; : > "$RESULTS"

if [ "${INSTRUCTIONS:-}" = 1 ]; then
  command -v valgrind >/dev/null || { echo "valgrind is required"; exit 2; }
  # cg_load NAME URL KIND [WRK ARGS...]: zeroes the counters, loads, dumps;
  # appends "NAME KIND instructions requests" to RESULTS
  cg_load() {
    local name=$1 url=$2 kind=$3; shift 3
    callgrind_control -z "$PID" >/dev/null
    local served
    served=$(wrk -t1 -c"$CONNS" -d"${SECS}s" "$@" "$url" < /dev/null | awk '/requests in/ {print $1}')
    callgrind_control -d "$PID" >/dev/null
    DUMPS=$((DUMPS + 1))
    sleep 0.5
    echo "$name $kind $(connection_instructions "$WORK/$name.cg.$DUMPS") $served" >> "$RESULTS"
  }
  DUMPS=0
  start_server valgrind --tool=callgrind --callgrind-out-file="$WORK/hello.cg" $HELLO 0
  cg_load hello "$URL/api/plain/1" hello
  kill $PID; wait $PID 2>/dev/null || true
  for N in $SIZES; do
    DIR="$WORK/s$N"
    python3 bench/mock-conditional.py "$DIR" "$N" > "$DIR.requests"; mv "$DIR.requests" "$DIR/requests.txt"
    DUMPS=0
    start_server valgrind --tool=callgrind --callgrind-out-file="$WORK/s$N.cg" "$SEAM" mock --port 0 --stubs "$DIR"
    check_requests "$DIR" "$URL"
    while read -r kind METHOD url hdrs; do
      mapfile -t args < <(header_args $hdrs)
      [ "$METHOD" = POST ] && args+=(-s "$DIR/post.lua")
      cg_load "s$N" "$URL$url" "$kind" "${args[@]}"
    done < "$DIR/requests.txt"
    kill $PID; wait $PID 2>/dev/null || true
  done
  python3 - "$RESULTS" "$SEAM" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
per = {(r[0], r[1]): int(r[2]) / (int(r[3]) + 1) for r in rows}
hello = per[("hello", "hello")]
kinds = ["regex", "query", "templated", "post", "plain"]
print(f"seam: {sys.argv[2]}; hello-hyper: {hello:,.0f} instructions per request\n")
print("| stubs | GET path-regex + headers | GET query matchers | templated | POST JSON body | plain `url` in the mix |")
print("| ---: | ---: | ---: | ---: | ---: | ---: |")
for name in sorted({r[0] for r in rows if r[0] != "hello"}, key=lambda s: int(s[1:])):
    cells = [f"{per[(name, k)]:,.0f} ({100*hello/per[(name, k)]:.0f}%)" for k in kinds]
    print(f"| {int(name[1:]):,} | " + " | ".join(cells) + " |")
print("\n(instructions per request; in brackets, hello-hyper's count over seam's: the share of hello-hyper's requests/s seam would serve if instructions were all that counted)")
PY
  exit 0
fi
# the baseline for memory: one plain stub, the same load
mkdir -p "$WORK/base/mappings"
echo '{"request": {"method": "GET", "url": "/api/plain/0"}, "response": {"body": "x"}}' > "$WORK/base/mappings/one.json"
start_server $SERVER_CPU "$SEAM" mock --port 0 --stubs "$WORK/base"; BASE_PID=$PID
run_wrk "$URL/api/plain/0" "$SECS" > /dev/null
BASE_RSS=$(awk '/VmRSS/ {print $2}' /proc/$BASE_PID/status)
kill $BASE_PID; wait $BASE_PID 2>/dev/null || true

for N in $SIZES; do
  DIR="$WORK/s$N"
  python3 bench/mock-conditional.py "$DIR" "$N" > "$DIR.requests"
  mv "$DIR.requests" "$DIR/requests.txt"
  TEXT=$(cat "$DIR"/mappings/*.json | wc -c)
  start_server $SERVER_CPU $HELLO 0; HELLO_URL=$URL; HELLO_PID=$PID
  start_server $SERVER_CPU "$SEAM" mock --port 0 --stubs "$DIR"; SEAM_URL=$URL; SEAM_PID=$PID
  check_requests "$DIR" "$SEAM_URL"
  for round in $(seq 1 "$ROUNDS"); do
    echo "== $N stubs, round $round: hello-hyper, then seam mock per request kind" >&2
    echo "$N hello $(run_wrk "$HELLO_URL/api/plain/1" "$SECS")" >> "$RESULTS"
    while read -r kind METHOD url hdrs; do
      mapfile -t args < <(header_args $hdrs)
      [ "$METHOD" = POST ] && args+=(-s "$DIR/post.lua")
      echo "$N $kind $(run_wrk "$SEAM_URL$url" "$SECS" "${args[@]}")" >> "$RESULTS"
    done < "$DIR/requests.txt"
  done
  echo "$N rss $(awk '/VmRSS/ {print $2}' /proc/$SEAM_PID/status) $TEXT" >> "$RESULTS"
  kill $HELLO_PID $SEAM_PID; wait $HELLO_PID $SEAM_PID 2>/dev/null || true
done

python3 - "$RESULTS" "$BASE_RSS" "$SEAM" <<'PY'
import collections, statistics, sys
results, base_rss, seam = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rounds = collections.defaultdict(list)  # (n, kind) -> [rps per round]
rss = {}
for line in open(results):
    n, kind, *rest = line.split()
    if kind == "rss":
        rss[int(n)] = (int(rest[0]), int(rest[1]))
    else:
        rounds[(int(n), kind)].append(float(rest[0]))
kinds = ["regex", "query", "templated", "post", "plain"]
print(f"seam: {seam}; RSS of seam with one plain stub after the same load: {base_rss/1024:.1f} MB\n")
print("| stubs | hello-hyper | GET path-regex + headers | GET query matchers | templated | POST JSON body | plain `url` in the mix | RSS after load | per stub (mappings' own text) |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for n in sorted(rss):
    hello = rounds[(n, "hello")]
    cells = []
    for k in kinds:
        ratios = [s / h for s, h in zip(rounds[(n, k)], hello)]
        cells.append(f"{100*statistics.median(ratios):.0f}% ({statistics.median(rounds[(n, k)]):,.0f})")
    r, text = rss[n]
    per = (r - base_rss) * 1024 / n / 1024
    print(f"| {n:,} | {statistics.median(hello):,.0f} | " + " | ".join(cells)
          + f" | {r/1024:.1f} MB | {per:.1f} KB ({text/n/1024:.2f} KB) |")
print("\nrequests/s per round:")
for (n, k), v in sorted(rounds.items()):
    print(f"  {n:>6} {k:<10} {', '.join(f'{x:,.0f}' for x in v)}")
PY
