#!/usr/bin/env bash
# How seam fuzz grows with the size of a spec (issue 17): the sample API's
# spec (9 operations) copied 1, 10 and 100 times under /copyK/
# (bench/openapi-grow.py), served by `seam mock --openapi` (examples or
# generated answers, requests validated), fuzzed with every phase. Prints,
# per size, the operations, requests sent, wall time, requests/s and the
# fuzzer's peak RSS; Schemathesis 4 runs the same phases on the 1x and 10x
# specs in the same run as the reference (100x would take it an hour).
#
# Usage: bench/fuzz-scale.sh [SIZES]   (default "1 10 100")
#   SEAM=/path/to/seam  SCHEMATHESIS=/path/to/schemathesis (optional)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${1:-1 10 100}
ST=${SCHEMATHESIS:-schemathesis}
if [ -z "${SEAM:-}" ]; then
  cargo build --release -q -p seam-cli
  SEAM=target/release/seam
fi
cargo build --release -q -p seam-testkit --bin sample-api
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
target/release/sample-api --print-spec > "$WORK/sample.yaml"
python3 -c 'import json,sys,yaml; json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2], "w"))' \
  "$WORK/sample.yaml" "$WORK/sample.json"

printf '%-6s %-13s %6s %9s %8s %10s %9s\n' size tool ops requests "time s" "requests/s" "RSS MB"
for n in $SIZES; do
  python3 bench/openapi-grow.py "$WORK/sample.json" "$n" "$WORK/grown$n"
  spec="$WORK/grown$n.json"
  "$SEAM" mock --openapi "$spec" -p 0 > "$WORK/mock$n.log" 2>&1 &
  mock=$!
  for _ in $(seq 100); do grep -q 'http://' "$WORK/mock$n.log" 2>/dev/null && break; sleep 0.1; done
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/mock$n.log" | head -1)
  /usr/bin/time -f '%e %M' -o "$WORK/seam$n.time" \
    "$SEAM" fuzz "$spec" --url "$url" --bearer sample-token --report json --report-dir "$WORK/seam$n" \
    > "$WORK/seam$n.out" 2>&1 || true
  read -r secs kb < <(tail -1 "$WORK/seam$n.time")
  python3 - "$WORK/seam$n/fuzz.json" "$n" "$secs" "$kb" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
secs, kb = float(sys.argv[3]), int(sys.argv[4])
print(f"{sys.argv[2] + 'x':<6} {'seam':<13} {len(d['operations']):>6} {d['requests']:>9} {secs:>8.1f} {d['requests'] / secs:>10.0f} {kb / 1024:>9.0f}")
EOF
  if command -v "$ST" >/dev/null && [ "$n" -le 10 ]; then
    /usr/bin/time -f '%e %M' -o "$WORK/st$n.time" \
      "$ST" run "$spec" --url "$url" -H "Authorization: Bearer sample-token" --checks all --continue-on-failure \
      --report json --report-dir "$WORK/st$n" > "$WORK/st$n.out" 2>&1 || true
    read -r secs kb < <(tail -1 "$WORK/st$n.time")
    python3 - "$WORK/st$n" "$n" "$secs" "$kb" <<'EOF'
import glob, json, sys
d = json.load(open(glob.glob(sys.argv[1] + "/*.json")[0]))
secs, kb = float(sys.argv[3]), int(sys.argv[4])
cases = d["test_cases"]["generated"]
print(f"{sys.argv[2] + 'x':<6} {'Schemathesis':<13} {d['operations']['tested']:>6} {cases:>9} {secs:>8.1f} {cases / secs:>10.0f} {kb / 1024:>9.0f}  (test cases, not requests)")
EOF
  fi
  kill $mock 2>/dev/null || true
  wait $mock 2>/dev/null || true
done
