#!/usr/bin/env bash
# Provider verification benchmark (issue #4, issue #13 point 13): verify a pact
# of 1,000 HTTP interactions against local providers, with seam and with the
# official Pact verifier (pact-python-cli), in the same run, against the same
# providers:
#   fast      seam mock serving the pact itself (hyper, TCP_NODELAY);
#   threaded  Python http.server, ThreadingHTTPServer (bench/verify-provider.py:
#             BaseHTTPRequestHandler, keep-alive, Nagle on, headers and body in
#             two writes): what `python3 -m http.server` runs;
#   single    the same handler on HTTPServer: one connection at a time.
#
# Usage: bench/verify-1000.sh [RUNS] [PROVIDERS]   e.g. bench/verify-1000.sh 3 "fast threaded"
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
PROVIDERS=${2:-fast threaded single}
cargo build --release -q -p seam-cli
SEAM=target/release/seam
[ -x target/pact-cli/bin/pact ] || { python3 -m venv target/pact-cli && target/pact-cli/bin/pip install --quiet 'pact-python-cli==1!0.10.9'; }
PACT=target/pact-cli/bin/pact

WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 - "$WORK/pact.json" <<'PY'
import json, sys
interactions = []
for i in range(1000):
    interactions.append({
        "description": f"get item {i}",
        "request": {"method": "GET", "path": f"/api/items/{i}", "headers": {"Accept": "application/json"}},
        "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                     "body": {"id": i, "name": f"item {i}", "price": 9.5, "tags": ["a", "b"]},
                     "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]},
                                                "$.name": {"matchers": [{"match": "regex", "regex": "item \\d+"}]},
                                                "$.price": {"matchers": [{"match": "decimal"}]},
                                                "$.tags": {"matchers": [{"match": "type", "min": 1}]}}}}})
json.dump({"consumer": {"name": "web"}, "provider": {"name": "items"}, "interactions": interactions,
           "metadata": {"pactSpecification": {"version": "3.0.0"}}}, open(sys.argv[1], "w"))
PY

# starts a provider in the background; sets URL (its base URL) and PID
start() { # NAME COMMAND...
  local name=$1; shift
  "$@" > "$WORK/$name.txt" 2>/dev/null &
  PID=$!
  for _ in $(seq 1 200); do grep -q http "$WORK/$name.txt" 2>/dev/null && break; sleep 0.05; done
  URL=$(grep -o 'http://[0-9.:]*' "$WORK/$name.txt" | head -1)
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# providers on core 1 where there are two
PIN=""; [ "$(nproc)" -ge 2 ] && PIN="taskset -c 1"

best() { # best wall time in ms of RUNS runs of the command; it must exit 0
  python3 - "$RUNS" "$@" <<'PY'
import subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
best = None
for _ in range(runs):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ms = (time.perf_counter() - t) * 1000
    if r.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({r.returncode}): {r.stderr.decode()[-500:]}")
    best = ms if best is None else min(best, ms)
print(f"{best:.0f}")
PY
}

echo "| provider | verifier | 1,000 interactions, best of $RUNS | interactions/s |"
echo "| --- | --- | ---: | ---: |"
for P in $PROVIDERS; do
  case $P in
    fast) start fast $PIN $SEAM mock --port 0 --journal 0 --pact "$WORK/pact.json" ;;
    threaded) start threaded $PIN python3 bench/verify-provider.py "$(free_port)" --threads ;;
    single) start single $PIN python3 bench/verify-provider.py "$(free_port)" ;;
    *) echo "unknown provider $P (fast, threaded, single)" >&2; exit 2 ;;
  esac
  PORT=${URL##*:}
  SEAM_MS=$(best $SEAM verify --provider-base-url "$URL" "$WORK/pact.json")
  PACT_MS=$(best $PACT verifier -f "$WORK/pact.json" -h 127.0.0.1 -p "$PORT")
  python3 - "$P" "$SEAM_MS" "$PACT_MS" <<'PY'
import sys
name, (s, p) = sys.argv[1], map(float, sys.argv[2:])
print(f"| {name} | pact verifier (pact-python-cli 0.10.9) | {p:,.0f} ms | {1000/p*1000:,.0f} |")
print(f"| {name} | seam verify | {s:,.0f} ms | {1000/s*1000:,.0f} |")
PY
  kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true
done
