#!/usr/bin/env bash
# seam fuzz beside Schemathesis 4 on the sample API (issue 17): the flawed
# service (one seeded defect per check, crates/seam-testkit/src/sample_api)
# and its corrected twin, each tool with the same time budget and a fresh
# server. Prints, per check, whether each tool found the seeded defect on the
# flawed service; every finding on the twin (each one a false positive); the
# requests each tool sent (counted by the server) and its wall time.
#
# Usage: bench/fuzz-schemathesis.sh [BUDGET_SECONDS]
#   SCHEMATHESIS=/path/to/schemathesis bench/fuzz-schemathesis.sh 60
#   SEAM=/path/to/seam (a built seam; else it is built)
# Schemathesis: `pip install schemathesis` (4.x). Its --max-time is a
# budget it spends whole (fuzzing and stateful tests repeat until it is
# used); seam stops when its phases are done, or at --max-time.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=${1:-60}
ST=${SCHEMATHESIS:-schemathesis}
command -v "$ST" >/dev/null || { echo "Schemathesis is required: pip install schemathesis (or set SCHEMATHESIS)"; exit 2; }
if [ -z "${SEAM:-}" ]; then
  cargo build --release -q -p seam-cli
  SEAM=target/release/seam
fi
cargo build --release -q -p seam-testkit --bin sample-api
API=target/release/sample-api
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$API" --print-spec > "$WORK/spec.yaml"

# run TOOL TARGET: a fresh server, the tool against it, its counts kept
run() {
  local tool=$1 target=$2 flag=""
  [ "$target" = fixed ] && flag=--fixed
  "$API" $flag --count-file "$WORK/$tool-$target.count" > "$WORK/$tool-$target.url" &
  local pid=$!
  for _ in $(seq 50); do [ -s "$WORK/$tool-$target.url" ] && break; sleep 0.1; done
  local url; url=$(head -1 "$WORK/$tool-$target.url")
  local start end
  start=$(date +%s.%N)
  if [ "$tool" = seam ]; then
    "$SEAM" fuzz "$WORK/spec.yaml" --url "$url" --bearer sample-token --max-response-time 1s \
      --max-time "${BUDGET}s" --report json --report-dir "$WORK/seam-$target" > "$WORK/seam-$target.out" 2>&1 || true
  else
    "$ST" run "$WORK/spec.yaml" --url "$url" -H "Authorization: Bearer sample-token" --checks all --continue-on-failure \
      --max-response-time 1 --max-time "$BUDGET" --report json --report-dir "$WORK/st-$target" \
      > "$WORK/st-$target.out" 2>&1 || true
  fi
  end=$(date +%s.%N)
  sleep 0.2
  kill $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  echo "$start $end" > "$WORK/$tool-$target.time"
}

for target in flawed fixed; do
  run seam $target
  run st $target
done

python3 - "$WORK" <<'EOF'
import glob, json, sys
work = sys.argv[1]
ST = {"ST101": "server-error", "ST102": "server-error", "ST103": "undocumented-status",
      "ST104": "content-type", "ST105": "content-type", "ST106": "content-type",
      "ST107": "response-headers", "ST108": "response-schema", "ST109": "response-schema",
      "ST110": "response-schema", "ST111": "response-schema", "ST112": "response-time",
      "ST201": "invalid-accepted", "ST202": "valid-rejected", "ST203": "missing-header-accepted",
      "ST204": "method-not-allowed", "ST205": "method-not-allowed", "ST301": "use-after-delete",
      "ST302": "created-not-found"}
CHECKS = ["server-error", "undocumented-status", "content-type", "response-headers",
          "response-schema", "invalid-accepted", "valid-rejected", "missing-header-accepted",
          "method-not-allowed", "use-after-delete", "created-not-found",
          "failed-write-changed-state", "response-time"]

def seam(target):
    d = json.load(open(f"{work}/seam-{target}/fuzz.json"))
    return [f["check"] for f in d["findings"] if not f["flaky"]]

def st(target):
    files = glob.glob(f"{work}/st-{target}/*.json")
    if not files:
        return None
    d = json.load(open(files[0]))
    out = []
    for f in d.get("failures", []):
        out += [ST.get(f["code"], f["code"])] * f.get("count", 1)
    return out

def stats(tool, target):
    start, end = map(float, open(f"{work}/{tool}-{target}.time").read().split())
    n = int(open(f"{work}/{tool}-{target}.count").read() or 0)
    return n, end - start

found = {"seam": seam("flawed"), "schemathesis": st("flawed")}
print("seeded defect (flawed sample API)   seam   Schemathesis")
for c in CHECKS:
    s = "found" if c in found["seam"] else "-"
    t = "?" if found["schemathesis"] is None else ("found" if c in found["schemathesis"] else "-")
    print(f"  {c:<33} {s:<6} {t}")
print(f"  {'defects found':<33} {sum(c in found['seam'] for c in CHECKS):<6} "
      f"{'?' if found['schemathesis'] is None else sum(c in found['schemathesis'] for c in CHECKS)}"
      f"  (of {len(CHECKS)})")
fp_seam, fp_st = seam("fixed"), st("fixed")
print(f"\nfindings on the corrected twin (false positives): seam {len(fp_seam)} {sorted(set(fp_seam)) or ''}, "
      f"Schemathesis {'?' if fp_st is None else len(fp_st)} {sorted(set(fp_st or [])) or ''}")
print("\nrequests sent and wall time (budget: --max-time each)")
for target in ["flawed", "fixed"]:
    for tool, name in [("seam", "seam"), ("st", "Schemathesis")]:
        n, t = stats(tool, target)
        print(f"  {target:<7} {name:<13} {n:>7} requests in {t:6.1f} s ({n / max(t, 1e-9):7.0f}/s)")
EOF
