#!/usr/bin/env bash
# Loading OpenAPI specs (issue 15): wall time and peak memory of loading the
# largest spec in the shared conformance data, the largest 3.x ones, a ~1 MB
# spec (start-up) and a spec grown 1x/10x/100x, each beside the cost of merely
# parsing the same file in the same run (PyYAML's C loader for YAML,
# node JSON.parse). seam's side is crates/seam-openapi/examples/openapi_load.rs
# (load: parse, bundle, convert 2.0, build the model; then the router),
# and `seam openapi validate` (start-up) when SEAM_VALIDATE=1 and
# target/release/seam has the command.
#
# Usage: bench/openapi-load.sh [RUNS]   (the best of RUNS runs each, default 3)
set -eo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
SHARED=${SEAM_SHARED:-../shared}
SPECS="$SHARED/conformance/openapi/specs"
[ -d "$SPECS" ] || { echo "conformance data not found at $SPECS (set SEAM_SHARED)"; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "/usr/bin/time is required (apt-get install time)"; exit 2; }

cargo build --release -q -p seam-openapi --example openapi_load
BIN=target/release/examples/openapi_load
WORK=$(mktemp -d /tmp/openapi-load.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# best RUNS CMD...: "seconds peak_kb" of the fastest run (exit status checked)
best() {
  local runs=$1; shift
  local out=""
  for _ in $(seq 1 "$runs"); do
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" > /dev/null 2> "$WORK/err" || { cat "$WORK/err" >&2; echo "failed: $*" >&2; return 1; }
    local line; line=$(tail -1 "$WORK/time")
    if [ -z "$out" ] || awk -v a="$line" -v b="$out" 'BEGIN { split(a, x, " "); split(b, y, " "); exit !(x[1] < y[1]) }'; then out=$line; fi
  done
  echo "$out"
}

printf 'JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"))\n' > "$WORK/parse.js"
printf 'import sys, yaml\nyaml.load(open(sys.argv[1]), Loader=yaml.CSafeLoader)\n' > "$WORK/parse.py"
reference() {  # the cheapest plain parse of the same file: JSON text by node, YAML by PyYAML's C loader
  if head -c 1 "$1" | grep -q '{'; then
    echo node "$WORK/parse.js" "$1"
  else
    echo python3 "$WORK/parse.py" "$1"
  fi
}

row() {  # row LABEL FILE
  local label=$1 file=$2
  local size; size=$(du -b "$file" | cut -f1)
  local r_t r_m s_t s_m ops r_name
  # shellcheck disable=SC2046
  read -r r_t r_m < <(best "$RUNS" $(reference "$file"))
  r_name=$(reference "$file" | awk '{print $1}'); [ "$r_name" = python3 ] && r_name="PyYAML (C)" || r_name="node JSON.parse"
  if ! ops=$("$BIN" "$file" 2> "$WORK/load-err" | cut -f2); then
    printf '| %s | %s KB | does not load: %s | | %s: %.3f s, %d MB |\n' \
      "$label" "$((size / 1024))" "$(head -1 "$WORK/load-err" | sed 's/.*: //')" "$r_name" "$r_t" "$((r_m / 1024))"
    return
  fi
  read -r s_t s_m < <(best "$RUNS" "$BIN" "$file")
  printf '| %s | %s KB | %s | %.3f s, %d MB | %s: %.3f s, %d MB |\n' \
    "$label" "$((size / 1024))" "$ops" "$s_t" "$((s_m / 1024))" "$r_name" "$r_t" "$((r_m / 1024))"
}

echo "| spec | size | operations | seam load + router (wall, peak RSS) | reference parse, same file |"
echo "| --- | ---: | ---: | ---: | ---: |"
LARGEST=$(find "$SPECS" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) ! -name INDEX.json -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
row "largest: ${LARGEST#"$SPECS"/}" "$LARGEST"
row "openai/openapi.yaml (3.1)" "$SPECS/openai/openapi.yaml"
row "stripe/spec3.yaml (3.0)" "$SPECS/stripe/spec3.yaml"
row "digitalocean (2,850 files)" "$SPECS/digitalocean/specification/DigitalOcean-public.v2.yaml"

BASE="$SPECS/readme-oas-examples/3.1/json/schema-types.json"
for n in 1 10 28 100; do
  python3 bench/openapi-grow.py "$BASE" "$n" "$WORK/grown-$n"
  for ext in json yaml; do
    row "schema-types.json x$n ($ext)" "$WORK/grown-$n.$ext"
  done
done

# Start-up of the real command (not rebuilt here: release builds are the
# caller's call): `seam openapi validate` on the ~1 MB spec and the largest.
if [ "${SEAM_VALIDATE:-0}" = 1 ] && [ -x target/release/seam ] && target/release/seam openapi validate --help >/dev/null 2>&1; then
  echo
  echo "| \`seam openapi validate\` (target/release/seam of $(date -u -r target/release/seam +%H:%M) UTC) | wall, peak RSS |"
  echo "| --- | ---: |"
  for f in "$WORK/grown-28.json" "$WORK/grown-28.yaml" "$LARGEST"; do
    # exit 1 (problems found) still measures a start-up
    read -r t m < <(best "$RUNS" sh -c 'target/release/seam openapi validate "$1" >/dev/null 2>&1; [ $? -le 1 ]' - "$f")
    printf '| %s | %.3f s, %d MB |\n' "$(basename "$f")" "$t" "$((m / 1024))"
  done
fi
