#!/usr/bin/env bash
# WireMock parity: sends requests/<root>.json to WireMock and to `seam mock` on roots/<root>
# and reports what differs. Usage: bench/wiremock-parity/run.sh [ROOT...]
# Env: FAIL_UNDER (exit 1 below this identical percentage), WIREMOCK_JAR (default: the jar from `npm install --prefix /tmp/wiremock wiremock`),
#      SEAM (default: target/release/seam when newer than target/debug/seam, else debug),
#      REPORT (default: /tmp/wiremock-parity/report).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
jar="${WIREMOCK_JAR:-}"
if [ -z "$jar" ]; then
  jar="$(find /tmp/wiremock -name 'wiremock-standalone-*.jar' 2>/dev/null | head -1 || true)"
fi
if [ -z "$jar" ] || [ ! -f "$jar" ]; then
  echo "no WireMock jar: npm install --prefix /tmp/wiremock wiremock (or set WIREMOCK_JAR)" >&2
  exit 2
fi
seam="${SEAM:-}"
if [ -z "$seam" ]; then
  seam="$repo/target/debug/seam"
  if [ -x "$repo/target/release/seam" ] && [ "$repo/target/release/seam" -nt "$seam" ]; then
    seam="$repo/target/release/seam"
  fi
fi
[ -x "$seam" ] || { echo "no seam binary at $seam: cargo build -p seam-cli" >&2; exit 2; }
echo "WireMock: $jar"
echo "seam:     $seam ($(cd "$repo" && git log -1 --format='%h %s' | cut -c1-70))"
roots=()
[ $# -gt 0 ] && roots=(--roots "$@")
extra=()
[ -n "${FAIL_UNDER:-}" ] && extra=(--fail-under "$FAIL_UNDER")
exec python3 "$here/parity.py" --jar "$jar" --seam "$seam" --report "${REPORT:-/tmp/wiremock-parity/report}" "${extra[@]}" "${roots[@]}"
