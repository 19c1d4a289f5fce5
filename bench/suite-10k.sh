#!/usr/bin/env bash
# Suite runner benchmark (issue #5): a suite of 10,000 simple steps (100 tests x
# 100 steps, each a GET with a status and a JSONPath assertion) against a local
# server (`seam mock`), with wall time and peak RSS of `seam test`.
#
# Usage: bench/suite-10k.sh [TESTS]      (TESTS x 100 steps; default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p seam-cli
SEAM=target/release/seam
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
cat > "$WORK/api.yaml" <<'YAML'
stubs:
  - request: { method: GET, pathPattern: "/items/[0-9]+" }
    response: { json: { id: 1, name: item, price: 9.5 } }
YAML
PIN=""; [ "$(nproc)" -ge 2 ] && PIN="taskset -c 1"
$PIN $SEAM mock --port 0 --journal 0 --stubs "$WORK/api.yaml" > "$WORK/mock.txt" 2>/dev/null &
for _ in $(seq 1 200); do grep -q http "$WORK/mock.txt" 2>/dev/null && break; sleep 0.05; done
URL=$(grep -o 'http://[0-9.:]*' "$WORK/mock.txt" | head -1)
python3 - "$WORK/suite.yaml" "$URL" "${1:-100}" <<'PY'
import sys
path, base, tests = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = [f"baseUrl: {base}", "tests:"]
for t in range(tests):
    lines.append(f"  - name: test {t}")
    lines.append("    steps:")
    for s in range(100):
        lines.append(f"      - request: {{ path: /items/{t * 100 + s} }}")
        lines.append("        assert: { status: 200, json: [ { path: '$.price', gt: 0 } ] }")
open(path, "w").write("\n".join(lines) + "\n")
PY
/usr/bin/time -f "%e s wall, %M KB peak RSS" $SEAM test "$WORK/suite.yaml" 2> "$WORK/time.txt" | tail -1
cat "$WORK/time.txt"
