#!/usr/bin/env bash
# `seam compat` (issue 16): pacts of 100, 1,000 and 10,000 interactions checked
# against a ~1 MB OpenAPI spec, beside swagger-mock-validator (PactFlow's
# engine, the reference) on the same files in the same run. Wall time and peak
# memory of each whole process (start-up, spec load, pact read, checks, report).
#
# The spec: the shared petstore-expanded.json (3.0) grown 150 times with
# bench/openapi-grow.py 200 times (800 operations under /copyK/..., 955 KB of JSON).
# The pacts: interactions spread over every copy's four operations (list,
# create, get, delete), with bodies; every tenth one is meant to be wrong, which
# falls on creates (a body without its required `name`: an error) and deletes
# (nothing to get wrong), so both tools have findings to report.
#
# Usage: bench/compat.sh [RUNS]   (seam: the best of RUNS runs, default 3)
# swagger-mock-validator takes about half a second per interaction on this
# spec, so it runs once per size, and only up to SMV_MAX interactions
# (default 1000; the 10,000 row would take over an hour).
# Needs: target/release/seam (built here unless SEAM_BIN names one), node, and
# the validator (`npm ci --prefix crates/seam-compat/tests/smv-client`).
set -eo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
SHARED=${SEAM_SHARED:-../shared}
BASE="$SHARED/conformance/openapi/specs/oai-examples/examples/v3.0/petstore-expanded.json"
[ -f "$BASE" ] || { echo "conformance data not found at $BASE (set SEAM_SHARED)"; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "/usr/bin/time is required (apt-get install time)"; exit 2; }
SMV=crates/seam-compat/tests/smv-client/node_modules/.bin/swagger-mock-validator
[ -x "$SMV" ] || npm ci --no-audit --no-fund --ignore-scripts --prefix crates/seam-compat/tests/smv-client >/dev/null
if [ -z "$SEAM_BIN" ]; then
  cargo build --release -q -p seam-cli
  SEAM_BIN=target/release/seam
fi

WORK=$(mktemp -d /tmp/compat-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

python3 bench/openapi-grow.py "$BASE" 200 "$WORK/spec" >/dev/null
SPEC="$WORK/spec.json"

# pact N FILE: N interactions over the grown spec's operations, every tenth wrong
pact() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
n, out = int(sys.argv[1]), sys.argv[2]
json_ct = {"Content-Type": "application/json"}
interactions = []
for i in range(n):
    copy, kind, bad = (i // 4) % 200, i % 4, i % 10 == 9
    base = f"/copy{copy}/pets"
    if kind == 0:
        pet = {"id": "seven" if bad else 7, "name": "rex", "tag": "dog"}
        inter = {"request": {"method": "GET", "path": base, "query": "limit=10"},
                 "response": {"status": 200, "headers": json_ct, "body": [pet, {"id": 8, "name": "tom"}]}}
    elif kind == 1:
        body = {"tag": "cat"} if bad else {"name": "tom", "tag": "cat"}
        inter = {"request": {"method": "POST", "path": base, "headers": json_ct, "body": body},
                 "response": {"status": 200, "headers": json_ct, "body": {"id": 9, "name": "tom", "tag": "cat"}}}
    elif kind == 2:
        inter = {"request": {"method": "GET", "path": f"{base}/{i}"},
                 "response": {"status": 200, "headers": json_ct,
                              "body": {"id": i, "name": 5 if bad else "rex"}}}
    else:
        inter = {"request": {"method": "DELETE", "path": f"{base}/{i}"}, "response": {"status": 204}}
    inter["description"] = f"interaction {i}"
    interactions.append(inter)
json.dump({"consumer": {"name": "bench"}, "provider": {"name": "petstore"},
           "interactions": interactions, "metadata": {"pactSpecification": {"version": "2.0.0"}}},
          open(out, "w"))
EOF
}

# best N CMD...: "seconds peak_kb" of the fastest of N runs (exit 0 or 1 accepted:
# 1 = findings); the last run's standard output is kept in $WORK/err.out
best() {
  local runs=$1 out=""; shift
  for _ in $(seq 1 "$runs"); do
    /usr/bin/time -f '%e %M' -o "$WORK/time" sh -c '"$@" >"$0.out" 2>"$0"; [ $? -le 1 ]' "$WORK/err" "$@" \
      || { cat "$WORK/err" >&2; echo "failed: $*" >&2; return 1; }
    local line; line=$(tail -1 "$WORK/time")
    if [ -z "$out" ] || awk -v a="$line" -v b="$out" 'BEGIN { split(a, x, " "); split(b, y, " "); exit !(x[1] < y[1]) }'; then out=$line; fi
  done
  echo "$out"
}

printf 'spec: %s (%s KB, 800 operations); seam: %s; swagger-mock-validator %s; seam best of %s runs, the validator one run\n\n' \
  "petstore-expanded.json x200" "$(( $(du -b "$SPEC" | cut -f1) / 1024 ))" "$SEAM_BIN" \
  "$(node -p 'require("./crates/seam-compat/tests/smv-client/node_modules/@pactflow/swagger-mock-validator/package.json").version')" "$RUNS"
echo "| interactions | seam compat (wall, peak RSS) | errors found | swagger-mock-validator (wall, peak RSS) | errors found | ratio |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
for n in 100 1000 10000; do
  pact "$n" "$WORK/pact-$n.json"
  read -r s_t s_m < <(best "$RUNS" "$SEAM_BIN" compat "$SPEC" "$WORK/pact-$n.json" -f json)
  s_err=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["errors"])' < "$WORK/err.out" || true)
  if [ "$n" -le "${SMV_MAX:-1000}" ]; then
    read -r v_t v_m < <(best 1 "$SMV" "$SPEC" "$WORK/pact-$n.json")
    v_err=$(sed -n 's/^\([0-9]*\) error(s)$/\1/p' "$WORK/err.out" || true)
    printf '| %s | %.3f s, %d MB | %s | %.1f s, %d MB | %s | %.0fx |\n' \
      "$n" "$s_t" "$((s_m / 1024))" "$s_err" "$v_t" "$((v_m / 1024))" "${v_err:-?}" \
      "$(awk -v a="$v_t" -v b="$s_t" 'BEGIN { print (b > 0 ? a / b : 0) }')"
  else
    printf '| %s | %.3f s, %d MB | %s | not run (SMV_MAX=%s) | | |\n' \
      "$n" "$s_t" "$((s_m / 1024))" "$s_err" "${SMV_MAX:-1000}"
  fi
done
