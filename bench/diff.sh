#!/usr/bin/env bash
# `seam diff` (issue 16): two versions of the largest spec in the shared corpus
# (by `ls -S`), and of the spec closest to a tenth of its size to show growth.
# A third row is Stripe's spec, whose components reach each other from
# thousands of places (every resource expandable into others): the walk must
# not re-walk them.
# The revision is a scripted edit of the base (below, python3): one path
# removed, a new required property in a request body's schema, a new value in a
# response schema's enum. Both versions are written as JSON by the same script.
#
# Reported per spec: the best of RUNS wall times of `seam diff BASE REVISION -f json`
# (the whole process: start-up, loading both specs, the diff, the report), its
# peak RSS (`/usr/bin/time -v`), and, as the reference in the same run, the best
# time of `seam openapi validate BASE REVISION`: loading (and checking) the two
# specs, which a diff cannot avoid. oasdiff itself is not run: it needs a Go
# toolchain newer than this machine's packages.
#
# Target: the largest spec's diff under 1 s.
# Usage: bench/diff.sh [RUNS]   (default 5). Needs python3 (PyYAML for YAML
# specs), /usr/bin/time; builds target/release/seam unless SEAM_BIN names one.
set -eo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
SHARED=${SEAM_SHARED:-../shared}
SPECS="$SHARED/conformance/openapi/specs"
[ -d "$SPECS" ] || { echo "conformance data not found at $SPECS (set SEAM_SHARED)"; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "/usr/bin/time is required (apt-get install time)"; exit 2; }
if [ -z "$SEAM_BIN" ]; then
  cargo build --release -q -p seam-cli
  SEAM_BIN=target/release/seam
fi

WORK=$(mktemp -d /tmp/diff-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# the largest spec file (as `ls -S` orders them), and the one closest to a
# tenth of its size
read -r LARGE SMALL < <(find "$SPECS" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) \
  ! -name INDEX.json -printf '%s %p\n' | python3 -c '
import sys
files = sorted(((int(s), p) for s, p in (l.rstrip("\n").split(" ", 1) for l in sys.stdin)), reverse=True)
large = files[0]
small = min(files, key=lambda f: abs(f[0] - large[0] / 10))
print(large[1], small[1])')
DENSE="$SPECS/stripe/spec3.yaml"
[ -f "$DENSE" ] || DENSE=""

# edit SRC OUT_BASE OUT_REVISION: the base as JSON, and the edited revision
edit() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
src, out_base, out_rev = sys.argv[1:4]
text = open(src, encoding="utf-8").read()
try:
    doc = json.loads(text)
except ValueError:
    import yaml
    doc = yaml.safe_load(text)
json.dump(doc, open(out_base, "w"))
schemas = doc.get("definitions") if "swagger" in doc else doc.get("components", {}).get("schemas", {})
prefix = "#/definitions/" if "swagger" in doc else "#/components/schemas/"
done = []

paths = doc["paths"]
removed = sorted(paths)[0]
del paths[removed]
done.append(f"removed path {removed}")

def request_schemas(op):
    if "swagger" in doc:
        return [p.get("schema", {}) for p in op.get("parameters", []) if p.get("in") == "body"]
    content = op.get("requestBody", {}).get("content", {})
    return [m.get("schema", {}) for m in content.values()]

def named(schema):
    ref = schema.get("$ref", "")
    return ref[len(prefix):] if ref.startswith(prefix) else None

target = None
for path, item in sorted(paths.items()):
    for method in ("post", "put", "patch"):
        for schema in request_schemas(item.get(method, {}) or {}):
            if named(schema) in schemas:
                target = (named(schema), method.upper(), path)
                break
            if schema.get("type") == "object" or "properties" in schema:
                target = (schema, method.upper(), path)
                break
        if target: break
    if target: break
if target:
    schema = schemas[target[0]] if isinstance(target[0], str) else target[0]
    schema.setdefault("properties", {})["benchAdded"] = {"type": "string"}
    schema["required"] = schema.get("required", []) + ["benchAdded"]
    done.append(f"new required request property benchAdded ({target[1]} {target[2]})")

def enums(value):
    if isinstance(value, dict):
        if isinstance(value.get("enum"), list) and all(isinstance(v, str) for v in value["enum"]):
            yield value
        for v in value.values():
            yield from enums(v)
    elif isinstance(value, list):
        for v in value:
            yield from enums(v)
for schema in enums(schemas):
    schema["enum"].append("bench-added")
    done.append("enum value bench-added")
    break
json.dump(doc, open(out_rev, "w"))
print("; ".join(done))
PY
}

# best TIMES of RUNS: wall seconds of the command, its exit ignored (1 = changes found)
best() {
  local best=""
  for _ in $(seq "$RUNS"); do
    local start end t
    start=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  done
  printf '%.3f' "$best"
}

rss_mb() {
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {printf "%.0f", $2/1024}'
}

printf '%-62s %9s %8s %9s %8s %9s\n' spec size changes "diff (s)" "RSS MB" "load (s)"
for spec in "$LARGE" "$SMALL" $DENSE; do
  name=$(basename "$spec" | sed 's/\.[a-z]*$//')
  what=$(edit "$spec" "$WORK/$name-v1.json" "$WORK/$name-v2.json")
  changes=$("$SEAM_BIN" diff "$WORK/$name-v1.json" "$WORK/$name-v2.json" -f json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  t=$(best "$SEAM_BIN" diff "$WORK/$name-v1.json" "$WORK/$name-v2.json" -f json)
  rss=$(rss_mb "$SEAM_BIN" diff "$WORK/$name-v1.json" "$WORK/$name-v2.json" -f json)
  load=$(best "$SEAM_BIN" openapi validate "$WORK/$name-v1.json" "$WORK/$name-v2.json")
  printf '%-62s %8sK %8s %9s %8s %9s\n' "${spec#"$SHARED"/conformance/openapi/specs/}" \
    "$(( $(stat -c %s "$spec") / 1024 ))" "$changes" "$t" "$rss" "$load"
  echo "  edit: $what"
done
