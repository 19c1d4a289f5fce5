#!/usr/bin/env bash
# seam scan beside Schemathesis 4 on Acme Notes (issue 18): the vulnerable
# API (one seeded flaw per scan check, crates/seam-testkit/src/vuln_api) and
# its hardened twin, each tool with the same identities (alice and bob as
# peers, root as admin; Web Fuzzing Commons auth file with login) and the
# same time budget, against a fresh server. Prints, per scan check, whether
# each tool found the seeded flaw; every finding on the twin (each one a false
# positive); and each tool's wall time and requests.
#
# Usage: bench/scan-schemathesis.sh [BUDGET_SECONDS]
#   SCHEMATHESIS=/path/to/schemathesis bench/scan-schemathesis.sh 60
#   SEAM=/path/to/seam (a built seam; else it is built)
# Schemathesis: `pip install schemathesis` (4.x; its security checks are
# ignored_auth, ST401, and object_level_authorization, ST402, with two peers).
# Its --max-time is a budget it spends whole; seam stops when its probes are
# done (it has no time budget: --max-requests bounds it).
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=${1:-60}
ST=${SCHEMATHESIS:-schemathesis}
command -v "$ST" >/dev/null || { echo "Schemathesis is required: pip install schemathesis (or set SCHEMATHESIS)"; exit 2; }
if [ -z "${SEAM:-}" ]; then
  cargo build --release -q -p seam-cli
  SEAM=target/release/seam
fi
cargo build --release -q -p seam-testkit --bin vuln-api
API=target/release/vuln-api
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$API" --print-spec > "$WORK/spec.yaml"
"$API" --print-auth > "$WORK/auth.yaml"
# Schemathesis reads the same file without seam's `roles` addition, and
# without the API keys: it refuses an entry with both `fixedHeaders` and
# `loginEndpointAuth`
grep -v -e '^    roles:' -e '^    fixedHeaders:' -e '^      - {name: X-API-Key' \
  "$WORK/auth.yaml" > "$WORK/auth-wfc.yaml"
cat > "$WORK/schemathesis.toml" <<TOML
[auth.wfc]
path = "$WORK/auth-wfc.yaml"
peers = ["alice", "bob"]
TOML

# run TOOL TARGET: a fresh server, the tool against it
run() {
  local tool=$1 target=$2 flag=""
  [ "$target" = fixed ] && flag=--fixed
  "$API" $flag > "$WORK/$tool-$target.url" &
  local pid=$!
  for _ in $(seq 50); do [ -s "$WORK/$tool-$target.url" ] && break; sleep 0.1; done
  local url; url=$(head -1 "$WORK/$tool-$target.url")
  local start end
  start=$(date +%s.%N)
  if [ "$tool" = seam ]; then
    "$SEAM" scan "$WORK/spec.yaml" --url "$url" --auth "$WORK/auth.yaml" \
      --report json --report-dir "$WORK/seam-$target" > "$WORK/seam-$target.out" 2>&1 || true
  else
    "$ST" --config-file "$WORK/schemathesis.toml" run "$WORK/spec.yaml" --url "$url" \
      --checks all --continue-on-failure --max-time "$BUDGET" \
      --report json --report-dir "$WORK/st-$target" > "$WORK/st-$target.out" 2>&1 || true
  fi
  end=$(date +%s.%N)
  kill $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  echo "$start $end" > "$WORK/$tool-$target.time"
}

for target in flawed fixed; do
  run seam $target
  run st $target
done

"$SEAM" explain | sed -n '/^seam scan:/,/^$/p' | awk 'NF>1 && $0 !~ /:$/ {print $1}' > "$WORK/checks.txt"
python3 - "$WORK" <<'EOF'
import glob, json, sys
work = sys.argv[1]
CHECKS = [c.strip() for c in open(f"{work}/checks.txt") if c.strip()]
# Schemathesis' codes that name a scan check's class; the rest (ST1xx/ST2xx:
# conformance) are counted apart
ST = {"ST401": "auth-missing", "ST402": "bola-read"}

def seam(target):
    d = json.load(open(f"{work}/seam-{target}/seam-scan.json"))
    return [f["check"] for f in d["findings"]], d["requests"]

def st(target):
    files = glob.glob(f"{work}/st-{target}/*.json")
    if not files:
        return None, None, None
    d = json.load(open(files[0]))
    security, other = [], []
    for f in d.get("failures", []):
        (security if f["code"] in ST else other).extend([ST.get(f["code"], f["code"])] * f.get("count", 1))
    requests = d.get("summary", {}).get("requests") or d.get("requests") or d.get("total_requests")
    return security, other, requests

def wall(tool, target):
    start, end = map(float, open(f"{work}/{tool}-{target}.time").read().split())
    return end - start

(seam_found, seam_n), (st_found, st_other, st_n) = seam("flawed"), st("flawed")
print("seeded flaw (vulnerable Acme Notes)   seam   Schemathesis")
for c in CHECKS:
    s = "found" if c in seam_found else "-"
    t = "?" if st_found is None else ("found" if c in st_found else "-")
    print(f"  {c:<35} {s:<6} {t}")
print(f"  {'flaws found':<35} {sum(c in seam_found for c in CHECKS):<6} "
      f"{'?' if st_found is None else sum(c in st_found for c in CHECKS)}  (of {len(CHECKS)})")
if st_other:
    print(f"  Schemathesis' other (conformance) failures on it: {sorted(set(st_other))}")
(fp_seam, _), (fp_st, fp_other, _) = seam("fixed"), st("fixed")
print(f"\nsecurity findings on the hardened twin (false positives): seam {len(fp_seam)} {sorted(set(fp_seam)) or ''}, "
      f"Schemathesis {'?' if fp_st is None else len(fp_st)} {sorted(set(fp_st or [])) or ''}")
print("\nwall time (Schemathesis: --max-time budget)")
for target in ["flawed", "fixed"]:
    for tool, name in [("seam", "seam"), ("st", "Schemathesis")]:
        print(f"  {target:<7} {name:<13} {wall(tool, target):6.1f} s")
print(f"  seam sent {seam_n} requests to the vulnerable API")
EOF
