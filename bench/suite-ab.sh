#!/usr/bin/env bash
# Suite runner A/B (structure issue, point 6): `seam test` from two binaries,
# alternately, on the same generated suite against one `seam mock` (binary A's,
# pinned to core 1), with wall time and peak RSS of each run. The host's speed
# drifts, so compare the two columns of one run, not runs of different days.
#
# Usage: bench/suite-ab.sh SEAM_A SEAM_B [ROUNDS=7] [KIND=10k]
#   KIND 10k:    the suite of bench/suite-10k.sh (100 tests x 100 steps, each
#                step run once: a status and one JSONPath assertion)
#   KIND matrix: 10 tests x 100 matrix rows x 10 steps = 10,000 steps, each with
#                a header matcher, a JSON Schema, a JSONPath `gt`, a `matches`
#                regex and a Pact matcher (each step runs 100 times)
# SEAM_A is typically target/release/seam built before a change and copied
# aside; SEAM_B the build after it. The suite and mock are pinned as in
# bench/suite-10k.sh; `seam test` uses its default --jobs.
set -euo pipefail
A=$1; B=$2; ROUNDS=${3:-7}; KIND=${4:-10k}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
cat > "$WORK/api.yaml" <<'YAML'
stubs:
  - request: { method: GET, pathPattern: "/items/[0-9]+" }
    response: { json: { id: 1, name: item, price: 9.5 } }
YAML
PIN=""; [ "$(nproc)" -ge 2 ] && PIN="taskset -c 1"
$PIN $A mock --port 0 --journal 0 --stubs "$WORK/api.yaml" > "$WORK/mock.txt" 2>/dev/null &
for _ in $(seq 1 200); do grep -q http "$WORK/mock.txt" 2>/dev/null && break; sleep 0.05; done
URL=$(grep -o 'http://[0-9.:]*' "$WORK/mock.txt" | head -1)
python3 - "$WORK/suite.yaml" "$URL" "$KIND" <<'PY'
import sys
path, base, kind = sys.argv[1], sys.argv[2], sys.argv[3]
lines = [f"baseUrl: {base}", "tests:"]
if kind == "10k":
    for t in range(100):
        lines.append(f"  - name: test {t}")
        lines.append("    steps:")
        for s in range(100):
            lines.append(f"      - request: {{ path: /items/{t * 100 + s} }}")
            lines.append("        assert: { status: 200, json: [ { path: '$.price', gt: 0 } ] }")
else:
    schema = ("{ type: object, required: [id, name, price], additionalProperties: false, "
              "properties: { id: { type: integer, minimum: 1 }, name: { type: string, minLength: 1 }, "
              "price: { type: number, exclusiveMinimum: 0 } } }")
    for t in range(10):
        lines.append(f"  - name: test {t}")
        lines.append("    matrix:")
        lines.append("      rows:")
        for r in range(100):
            lines.append(f"        - {{ n: {r} }}")
        lines.append("    steps:")
        for s in range(10):
            lines.append(f"      - request: {{ path: '/items/{{{{n}}}}{s}' }}")
            lines.append("        assert:")
            lines.append("          status: 200")
            lines.append("          headers: { Content-Type: { contains: json } }")
            lines.append(f"          schema: {schema}")
            lines.append("          json:")
            lines.append("            - { path: '$.price', gt: 0 }")
            lines.append("            - { path: '$.name', matches: '[a-z]+' }")
            lines.append("            - { path: '$.id', matcher: { match: integer } }")
open(path, "w").write("\n".join(lines) + "\n")
PY
$A test "$WORK/suite.yaml" | tail -1 >&2   # warm-up, and the suite passes
echo "side wall_s peak_rss_kb"
for r in $(seq 1 "$ROUNDS"); do
  for side in A B; do
    BIN=$A; [ $side = B ] && BIN=$B
    /usr/bin/time -f "%e %M" $BIN test "$WORK/suite.yaml" > /dev/null 2> "$WORK/t.txt" || true
    echo "$side $(tail -1 "$WORK/t.txt")"
  done
done
