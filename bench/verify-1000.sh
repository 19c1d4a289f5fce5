#!/usr/bin/env bash
# Provider verification benchmark (issue #4): verify a pact of 1,000 HTTP
# interactions against a local provider, with seam and with the official Pact
# verifier (pact-python-cli), in the same run, against the same provider.
#
# Usage: bench/verify-1000.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
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

# the provider: seam mock serving the pact itself, on core 1 where there are two
PIN=""; [ "$(nproc)" -ge 2 ] && PIN="taskset -c 1"
$PIN $SEAM mock --port 0 --journal 0 --pact "$WORK/pact.json" > "$WORK/mock.txt" 2>/dev/null &
for _ in $(seq 1 200); do grep -q http "$WORK/mock.txt" 2>/dev/null && break; sleep 0.05; done
URL=$(grep -o 'http://[0-9.:]*' "$WORK/mock.txt" | head -1); PORT=${URL##*:}

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
SEAM_MS=$(best $SEAM verify --provider-base-url "$URL" "$WORK/pact.json")
PACT_MS=$(best $PACT verifier -f "$WORK/pact.json" -h 127.0.0.1 -p "$PORT")
python3 - "$SEAM_MS" "$PACT_MS" <<'PY'
import sys
s, p = map(float, sys.argv[1:])
print("| verifier | 1,000 interactions, best of runs | interactions/s |")
print("| --- | ---: | ---: |")
print(f"| pact verifier (pact-python-cli 0.10.9) | {p:,.0f} ms | {1000/p*1000:,.0f} |")
print(f"| seam verify | {s:,.0f} ms | {1000/s*1000:,.0f} |")
print(f"\nseam is {p/s:.1f}x faster")
PY
