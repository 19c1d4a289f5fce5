#!/usr/bin/env bash
# The cost of a large spec's schemas in `seam proxy --openapi` (issue 15): the
# first response of each operation through the proxy compiles that operation's
# validators. On Stripe's spec3.yaml (2.8 MB, 384 operations, schemas that
# reach most of the document) this prints, per operation, the first and the
# second request through the proxy, and, as the reference in the same run, the
# same request sent straight to the `seam mock --openapi` behind it (no
# response checked); then the proxy's peak RSS.
#
# Usage: SEAM_SHARED=../shared bench/openapi-first-check.sh
#        NO_BUILD=1 reuses target/release/seam; SEAM=path picks another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SEAM_SHARED:-../shared}
SPEC=$SHARED/conformance/openapi/specs/stripe/spec3.yaml
[ -f "$SPEC" ] || { echo "needs $SPEC (set SEAM_SHARED)"; exit 2; }
[ "${NO_BUILD:-0}" = 1 ] || cargo build --release -q -p seam-cli
SEAM=${SEAM:-target/release/seam}

WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Waits for "listening on http://127.0.0.1:PORT" in a log and prints the URL.
address() {
  for _ in $(seq 1 200); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*' "$1" | head -1 || true)
    [ -n "$url" ] && { echo "$url"; return; }
    sleep 0.05
  done
  echo "no address in $1:" >&2; cat "$1" >&2; exit 1
}

"$SEAM" mock --openapi "$SPEC" --port 0 >"$WORK/mock.log" 2>&1 &
MOCK=$(address "$WORK/mock.log")
"$SEAM" proxy --openapi "$SPEC" --to "$MOCK" --port 0 >"$WORK/proxy.log" 2>&1 &
PROXY_PID=$!
PROXY=$(address "$WORK/proxy.log")

seconds() { curl -s -o /dev/null -w '%{time_total}' -H 'Authorization: Bearer sk_test' "$1"; }
ms() { awk -v s="$1" 'BEGIN { printf "%.0f ms", s * 1000 }'; }

echo "| operation | straight to the mock | through the proxy, first | through the proxy, second |"
echo "| --- | ---: | ---: | ---: |"
for path in /v1/charges /v1/invoices /v1/customers /v1/subscriptions /v1/checkout/sessions /v1/accounts; do
  direct=$(seconds "$MOCK$path")
  first=$(seconds "$PROXY$path")
  second=$(seconds "$PROXY$path")
  echo "| GET $path | $(ms "$direct") | $(ms "$first") | $(ms "$second") |"
done
echo
echo "proxy peak RSS: $(awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$PROXY_PID/status")"
