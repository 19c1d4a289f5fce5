#!/usr/bin/env bash
# Mock server benchmark (issue #3): with 1,000 stubs loaded, seam mock's
# requests/s against a bare hyper hello-world server, both measured by wrk in the
# same run; start-up to first served request; RSS after the load. WireMock is
# measured too when java is present (its standalone jar comes from npm).
#
# Usage: bench/mock-throughput.sh [SECONDS] [CONNECTIONS] [ROUNDS]
# Both servers run side by side on the same core and wrk loads one at a time,
# alternating, ROUNDS times each (default 15 rounds of 3 s): on a shared
# virtual machine the speed of the host drifts by ±20% within minutes, so only
# close pairs compare. The table gives medians, and the median of the ratios of
# each round's pair with its spread.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-3}
CONNS=${2:-64}
ROUNDS=${3:-15}
# the request's path and query: REQUEST='/api/items/500?page=1' measures a query string
REQUEST=${REQUEST:-/api/items/500}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 2; }

cargo build --release -q -p seam-cli
(cd bench/hello-hyper && cargo build --release -q)
SEAM=target/release/seam
HELLO=bench/hello-hyper/target/release/hello-hyper

WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 bench/mock-stubs.py "$WORK"

# start-up: spawn to first 200, best of 5
startup_ms() {
python3 - "$@" <<'PY'
import subprocess, sys, time, urllib.request
best = None
for _ in range(5):
    t0 = time.perf_counter()
    p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    base = next(w for w in line.split() if w.startswith("http"))
    while True:
        try:
            with urllib.request.urlopen(base + "/api/items/999") as r:
                if r.status == 200:
                    break
        except Exception:
            time.sleep(0.001)
    ms = (time.perf_counter() - t0) * 1000
    best = ms if best is None else min(best, ms)
    p.kill(); p.wait()
print(f"{best:.1f}")
PY
}

. bench/mock-lib.sh  # SERVER_CPU, WRK, run_wrk, start_server

start_server $SERVER_CPU $HELLO 0; HELLO_URL=$URL
start_server $SERVER_CPU $SEAM mock --port 0 --stubs "$WORK/seam/stubs.yaml"   # default journal: 10,000 requests
SEAM_URL=$URL; SEAM_PID=$PID
curl -sf "$HELLO_URL$REQUEST" >/dev/null; curl -sf "$SEAM_URL$REQUEST" >/dev/null
HELLO_ALL=(); SEAM_ALL=()
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round: hello-hyper (reference), then seam mock with 1,000 stubs" >&2
  HELLO_ALL+=("$(run_wrk "$HELLO_URL$REQUEST")")
  SEAM_ALL+=("$(run_wrk "$SEAM_URL$REQUEST")")
done
SEAM_RSS=$(awk '/VmRSS/ {print $2}' /proc/$SEAM_PID/status)
kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true
HELLO_RPS=$(IFS=,; echo "${HELLO_ALL[*]}"); SEAM_RPS=$(IFS=,; echo "${SEAM_ALL[*]}")
SEAM_START=$(startup_ms $SEAM mock --port 0 --stubs "$WORK/seam/stubs.yaml")

WM_RPS="-"; WM_RSS="-"
if command -v java >/dev/null && command -v npm >/dev/null; then
  (cd "$WORK" && npm install --no-audit --no-fund --silent wiremock >/dev/null 2>&1) || true
  JAR=$(find "$WORK/node_modules/wiremock" -name 'wiremock-standalone*.jar' 2>/dev/null | head -1)
  if [ -n "$JAR" ]; then
    echo "== WireMock $(basename "$JAR"), 1,000 stubs" >&2
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    $SERVER_CPU java -jar "$JAR" --port "$PORT" --root-dir "$WORK/wiremock" --disable-banner > "$WORK/wm.txt" 2>&1 &
    PID=$!
    for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT$REQUEST" >/dev/null 2>&1 && break; sleep 0.1; done
    $WRK -c"$CONNS" -d5s "http://127.0.0.1:$PORT$REQUEST" >/dev/null 2>&1 || true  # JIT warm-up
    WM_RPS=$(run_wrk "http://127.0.0.1:$PORT$REQUEST" 10)
    WM_RSS=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
    kill $PID; wait $PID 2>/dev/null || true
  fi
fi

python3 - "$HELLO_RPS" "$SEAM_RPS" "$SEAM_RSS" "$SEAM_START" "$WM_RPS" "$WM_RSS" <<'PY'
import statistics, sys
hello_all, seam_all, rss, start, wm, wm_rss = sys.argv[1:]
hello_all = [float(x) for x in hello_all.split(",")]
seam_all = [float(x) for x in seam_all.split(",")]
hello, seam = statistics.median(hello_all), statistics.median(seam_all)
ratios = sorted(s / h for s, h in zip(seam_all, hello_all))
paired = statistics.median(ratios)
q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [paired, paired, paired]
print(f"rounds: hello-hyper {', '.join(f'{x:,.0f}' for x in hello_all)}")
print(f"        seam mock   {', '.join(f'{x:,.0f}' for x in seam_all)}\n")
print("| server | requests/s (median) | vs hello-hyper | RSS after load |")
print("| --- | ---: | ---: | ---: |")
print(f"| hello-hyper (reference) | {hello:,.0f} | 100% | |")
print(f"| seam mock, 1,000 stubs | {seam:,.0f} | {100*paired:.0f}% (median of paired rounds; quartiles {100*q[0]:.0f}%, {100*q[2]:.0f}%) | {int(rss)/1024:.1f} MB |")
if wm != "-":
    print(f"| WireMock, 1,000 stubs | {float(wm):,.0f} | {100*float(wm)/hello:.1f}% | {int(wm_rss)/1024:.1f} MB |")
print(f"\nseam mock start-up to first served request (1,000 stubs, best of 5): {start} ms")
PY
