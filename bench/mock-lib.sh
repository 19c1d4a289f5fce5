# Shell shared by the mock benchmarks (sourced, not run): pinning, wrk, and
# starting a server that prints its URL. Expects WORK (a scratch directory),
# CONNS and SECS to be set by the sourcing script.

# The server gets core 1 and wrk core 0, so the figure is the server's own cost,
# not how the scheduler shares two cores between them.
SERVER_CPU="taskset -c 1"; WRK="taskset -c 0 wrk -t1"

# run_wrk URL [SECONDS] [WRK ARGS...]: wrk's report on stderr, requests/s on stdout
run_wrk() {
  local url=$1 secs=${2:-$SECS}
  shift; [ $# -gt 0 ] && shift
  $WRK -c"$CONNS" -d"${secs}s" --latency "$@" "$url" < /dev/null | tee "$WORK/wrk.txt" >&2
  awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt"
}

# start_server COMMAND...: runs it in the background; sets URL and PID
start_server() {
  : > "$WORK/out.txt"
  "$@" > "$WORK/out.txt" 2>/dev/null &
  PID=$!
  for _ in $(seq 1 1000); do grep -q http "$WORK/out.txt" 2>/dev/null && break; sleep 0.01; done
  URL=$(grep -o 'http://[0-9.:]*' "$WORK/out.txt" | head -1)
}
