#!/usr/bin/env bash
# can-i-deploy on a long history (issue 20): one consumer with N versions,
# each with a pact for each of 10 providers, each pact verified by 20
# provider versions (bench/broker-seed.sql), at N = 100, 1,000 and 10,000
# (10,000 × 10 × 20 = 2,000,000 verifications), on SQLite and, when
# SEAM_BROKER_TEST_POSTGRES names a server, on PostgreSQL. For each, `seam
# load` asks two questions for SECONDS with 4 users: the consumer's newest
# version to production, and a provider's deployed version to production;
# latency percentiles from its JSON summary. The small history is the
# reference: the figure to read is how cost grows with N.
#
# Usage: bench/broker-can-i-deploy.sh [SECONDS]
#   SIZES="10000" SEAM=path/to/seam bench/broker-can-i-deploy.sh 10
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
SIZES=${SIZES:-100 1000 10000}
if [ -z "${SEAM:-}" ]; then
  cargo build --release -q -p seam-cli
  SEAM=target/release/seam
fi
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

# start_broker ARGS...: sets URL and PID
start_broker() {
  : > "$WORK/out.txt"
  "$SEAM" broker --port 0 "$@" > "$WORK/out.txt" 2>&1 &
  PID=$!
  for _ in $(seq 1 600); do grep -q http "$WORK/out.txt" && break; sleep 0.1; done
  URL=$(grep -o 'http://[0-9.:]*' "$WORK/out.txt" | head -1)
}

# ask NAME PATH: one row of figures, once the answer is checked: 200 and
# deployable (every pact in the seed is verified and the providers are
# deployed), so a broken query cannot pass for a fast one
ask() {
  python3 - "$URL$2" <<'PY' || { echo "the broker's answer to $2 is wrong" >&2; exit 1; }
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1]) as r:
    body = json.load(r)
    assert r.status == 200, r.status
assert body["summary"]["deployable"] is True, body["summary"]
PY
  "$SEAM" load "$URL$2" -c 4 -d "${SECS}s" --threads 1 --json "$WORK/load.json" > /dev/null
  python3 - "$WORK/load.json" "$1" "$N" "$BACKEND" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
lat = s.get("latency_ms") or s.get("latency") or {}
def p(q):
    for k in (q, f"p{q}"):
        if k in s: return s[k]
        if k in lat: return lat[k]
    return float("nan")
print(f"| {sys.argv[4]} | {int(sys.argv[3]):,} | {sys.argv[2]} | {s.get('rps', float('nan')):,.0f} | {p('p50')} | {p('p95')} | {p('p99')} |")
PY
}

echo "| backend | consumer versions | question | requests/s | p50 ms | p95 ms | p99 ms |"
echo "| --- | ---: | --- | ---: | ---: | ---: | ---: |"
for N in $SIZES; do
  sed "s/:versions/$N/g" bench/broker-seed.sql > "$WORK/seed.sql"
  for BACKEND in sqlite postgres; do
    if [ "$BACKEND" = sqlite ]; then
      DATA="$WORK/sqlite-$N"
      start_broker --data "$DATA"; kill $PID; wait $PID 2>/dev/null || true   # the schema
      python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(open(sys.argv[2]).read()); c.commit()" "$DATA/broker.db" "$WORK/seed.sql"
      start_broker --data "$DATA"
    else
      [ -n "${SEAM_BROKER_TEST_POSTGRES:-}" ] || continue
      DB="seam_bench_$N"
      psql -q "$SEAM_BROKER_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
      DBURL="${SEAM_BROKER_TEST_POSTGRES%/*}/$DB"
      start_broker --database-url "$DBURL"; kill $PID; wait $PID 2>/dev/null || true
      psql -q "$DBURL" -f "$WORK/seed.sql" > /dev/null
      psql -q "$DBURL" -c "ANALYZE" > /dev/null
      start_broker --database-url "$DBURL"
    fi
    ask "consumer c$N → production" "/can-i-deploy?pacticipant=consumer&version=c$N&environment=production"
    ask "provider-1 p$((N + 5)) → production" "/can-i-deploy?pacticipant=provider-1&version=p$((N + 5))&environment=production"
    kill $PID; wait $PID 2>/dev/null || true
  done
done
