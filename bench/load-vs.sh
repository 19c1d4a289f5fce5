#!/usr/bin/env bash
# seam load beside wrk and oha (issue 19), all in the same run, against bare
# hyper (bench/hello-hyper) pinned to core 1 with the load generator on core 0
# (bench/mock-lib.sh's pinning):
#   1. maximum requests/s, closed model, CONNS connections, ROUNDS rounds
#      (median), every tool alternating within a round;
#   2. a fixed rate (RATE/s): the achieved rate of `seam load --rate` and
#      `oha -q`;
#   3. 10,000 connections held for HOLD seconds: seam load's peak RSS;
#   4. a stalled server: the server is stopped (SIGSTOP) for 1 s in the
#      middle of a 6 s run at 1,000 requests/s; wrk (uncorrected, closed
#      model), oha -q with and without --latency-correction, and seam load
#      --rate report their p50/p99/max;
#   5. https and HTTP/2, against `seam mock --tls-self-signed` (core 1): the
#      maximum requests/s of HTTP/1.1 over TLS (wrk, oha, seam load) and of
#      HTTP/2 over TLS (oha, seam load; CONNS requests in flight over
#      CONNS/STREAMS connections), median of ROUNDS rounds.
# On one core, seam load runs one worker thread (--threads 1), as wrk -t1.
#
# Usage: bench/load-vs.sh [SECONDS] [CONNECTIONS] [ROUNDS]
#   RATE=20000 HOLD=30 STREAMS=8 SECTIONS=12345 SEAM=/path/to/seam bench/load-vs.sh 10 64 3
# oha: `cargo install oha --locked` (skipped when absent, and said so).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
CONNS=${2:-64}
ROUNDS=${3:-3}
RATE=${RATE:-20000}
HOLD=${HOLD:-30}
STREAMS=${STREAMS:-8}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 2; }
OHA=$(command -v oha || true)
[ -z "$OHA" ] && [ -x "$HOME/.cargo/bin/oha" ] && OHA=$HOME/.cargo/bin/oha
[ -z "$OHA" ] && echo "oha not found (cargo install oha --locked): its columns are left out"
if [ -z "${SEAM:-}" ]; then
  cargo build --release -q -p seam-cli
  SEAM=target/release/seam
fi
(cd bench/hello-hyper && cargo build --release -q)
HELLO=bench/hello-hyper/target/release/hello-hyper
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

WORK=$(mktemp -d)
trap 'kill -CONT $(jobs -p) 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
. bench/mock-lib.sh  # SERVER_CPU, start_server
GEN="taskset -c 0"
# SECTIONS=135 runs only those sections (default: all)
want() { [[ "${SECTIONS:-12345}" == *"$1"* ]]; }

start_server $SERVER_CPU $HELLO 0
echo "server: $URL (hello-hyper, core 1); generators on core 0; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

seam_rps() { $GEN $SEAM load "$URL/" --threads 1 -c "$CONNS" -d "${SECS}s" -q --json "$WORK/s.json" "$@" > /dev/null 2>&1; python3 -c "import json;print(json.load(open('$WORK/s.json'))['rps'])"; }
wrk_rps() { $GEN wrk -t1 -c"$CONNS" -d"${SECS}s" "$URL/" | awk '/Requests\/sec/ {print $2}'; }
oha_rps() { $GEN $OHA -z "${SECS}s" -c "$CONNS" --no-tui --output-format json "$URL/" 2>/dev/null | python3 -c "import json,sys;print(json.load(sys.stdin)['summary']['requestsPerSec'])"; }

median() { python3 -c "import statistics,sys; print(round(statistics.median(map(float, sys.argv[1:]))))" "$@"; }

if want 1; then
echo; echo "## 1. maximum requests/s, $CONNS connections, ${SECS}s x $ROUNDS rounds"
S=(); W=(); O=()
for r in $(seq 1 "$ROUNDS"); do
  W+=("$(wrk_rps)"); S+=("$(seam_rps)")
  [ -n "$OHA" ] && O+=("$(oha_rps)")
  echo "round $r: wrk ${W[-1]}  seam ${S[-1]}  oha ${O[-1]:-}"
done
w=$(median "${W[@]}"); s=$(median "${S[@]}")
echo "| tool | requests/s (median) | vs wrk |"
echo "| --- | ---: | ---: |"
echo "| wrk 1 thread | $w | 100% |"
echo "| seam load | $s | $((100 * s / w))% |"
if [ -n "$OHA" ]; then o=$(median "${O[@]}"); echo "| oha | $o | $((100 * o / w))% |"; fi

fi
if want 2; then
echo; echo "## 2. fixed rate $RATE/s for ${SECS}s"
$GEN $SEAM load "$URL/" --rate "$RATE/s" -c "$CONNS" -d "${SECS}s" -q --json "$WORK/r.json" > /dev/null 2>&1
python3 - "$WORK/r.json" "$RATE" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); target = float(sys.argv[2])
print(f"seam load: {s['requests']} requests in {s['duration_s']} s = {s['rps']}/s, "
      f"{100 * s['requests'] / (target * round(s['duration_s'])):.2f}% of the planned requests; "
      f"late {s['late']}, dropped {s['dropped']}, send lag p99 {s['send_lag']['p99']} ms")
PY
if [ -n "$OHA" ]; then
  $GEN $OHA -z "${SECS}s" -q "$RATE" -c "$CONNS" --no-tui --output-format json "$URL/" 2>/dev/null > "$WORK/o.json"
  python3 - "$WORK/o.json" "$RATE" "$SECS" <<'PY'
import json, sys
o = json.load(open(sys.argv[1])); target, secs = float(sys.argv[2]), float(sys.argv[3])
n = sum(o.get("statusCodeDistribution", {}).values())
print(f"oha -q: {n} requests in {o['summary']['total']:.2f} s = {o['summary']['requestsPerSec']:.1f}/s, "
      f"{100 * n / (target * secs):.2f}% of the planned requests")
PY
fi

fi
if want 3; then
echo; echo "## 3. 10,000 connections for ${HOLD}s (seam load, closed model)"
$GEN /usr/bin/time -f "%M" -o "$WORK/rss" $SEAM load "$URL/" -c 10000 -d "${HOLD}s" -q --json "$WORK/c.json" > "$WORK/c.out" 2> "$WORK/c.err" || true
grep -i "open-file" "$WORK/c.err" || true
python3 - "$WORK/c.json" "$WORK/rss" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); rss = int(open(sys.argv[2]).read().split()[-1]) / 1024
print(f"seam load -c 10000: {s['requests']} requests, {s['rps']}/s, p99 {s['p99']} ms, errors {s['errors']} {s['errors_by_kind']}; peak RSS {rss:.1f} MB")
PY

fi
if want 4; then
echo; echo "## 4. the server stopped for 1 s in a 6 s run at 1,000 requests/s"
stall() { (sleep 2.5; kill -STOP "$PID"; sleep 1; kill -CONT "$PID") & STALL=$!; }
stall; $GEN wrk -t1 -c16 -d6s --latency "$URL/" > "$WORK/wrk.txt"; wait "$STALL"
echo "wrk -c16 (closed, uncorrected): $(awk '/50%/ {a=$2} /99%/ {b=$2} /Latency/ && !m {m=$4} END {print "p50 " a ", p99 " b ", max " m}' "$WORK/wrk.txt")"
if [ -n "$OHA" ]; then
  for corr in "" "--latency-correction"; do
    stall; $GEN $OHA -z 6s -q 1000 -c 16 $corr --no-tui --output-format json "$URL/" 2>/dev/null > "$WORK/o.json"; wait "$STALL"
    python3 - "$WORK/o.json" "oha -q 1000 ${corr:-(no correction)}" <<'PY'
import json, sys
o = json.load(open(sys.argv[1])); p = o["latencyPercentiles"]
print(f"{sys.argv[2]}: p50 {p['p50']*1000:.2f} ms, p99 {p['p99']*1000:.2f} ms, max {o['summary']['slowest']*1000:.2f} ms")
PY
  done
fi
stall; $GEN $SEAM load "$URL/" --rate 1000/s -c 16 -d 6s -q --json "$WORK/st.json" > /dev/null 2>&1; wait "$STALL"
python3 - "$WORK/st.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"seam load --rate 1000/s (corrected): p50 {s['p50']} ms, p99 {s['p99']} ms, max {s['max']} ms; late {s['late']}")
PY

fi
if want 5; then
echo; echo "## 5. https and HTTP/2: seam mock --tls-self-signed (core 1), $CONNS requests in flight, ${SECS}s x $ROUNDS rounds"
kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true
printf 'stubs:\n  - request: { path: / }\n    response: { text: hello }\n' > "$WORK/hello.yaml"
start_server $SERVER_CPU $SEAM mock --stubs "$WORK/hello.yaml" --tls-self-signed --port 0
H2C=$((CONNS / STREAMS))
TLS_W=(); TLS_S=(); TLS_O=(); H2_S=(); H2_O=()
for r in $(seq 1 "$ROUNDS"); do
  TLS_W+=("$(wrk_rps)"); TLS_S+=("$(seam_rps -k)")
  H2_S+=("$(seam_rps -k --http2 --streams "$STREAMS")")
  if [ -n "$OHA" ]; then
    TLS_O+=("$($GEN $OHA -z "${SECS}s" -c "$CONNS" --insecure --no-tui --output-format json "$URL/" 2>/dev/null | python3 -c "import json,sys;print(json.load(sys.stdin)['summary']['requestsPerSec'])")")
    H2_O+=("$($GEN $OHA -z "${SECS}s" -c "$H2C" -p "$STREAMS" --http2 --insecure --no-tui --output-format json "$URL/" 2>/dev/null | python3 -c "import json,sys;print(json.load(sys.stdin)['summary']['requestsPerSec'])")")
  fi
  echo "round $r: https wrk ${TLS_W[-1]}  seam ${TLS_S[-1]}  oha ${TLS_O[-1]:-};  h2 seam ${H2_S[-1]}  oha ${H2_O[-1]:-}"
done
echo "| protocol | wrk | oha | seam load |"
echo "| --- | ---: | ---: | ---: |"
echo "| HTTP/1.1 over TLS, $CONNS connections | $(median "${TLS_W[@]}") | $( [ -n "$OHA" ] && median "${TLS_O[@]}") | $(median "${TLS_S[@]}") |"
echo "| HTTP/2 over TLS, $H2C connections x $STREAMS streams | - | $( [ -n "$OHA" ] && median "${H2_O[@]}") | $(median "${H2_S[@]}") |"
fi
