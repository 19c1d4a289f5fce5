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

# start_server COMMAND...: runs it in the background; sets URL and PID. Waits
# START_WAIT seconds at most (default 60) for the URL it prints.
start_server() {
  : > "$WORK/out.txt"
  "$@" > "$WORK/out.txt" 2>/dev/null &
  PID=$!
  for _ in $(seq 1 $((${START_WAIT:-60} * 100))); do grep -q http "$WORK/out.txt" 2>/dev/null && break; sleep 0.01; done
  URL=$(grep -o 'https\?://[0-9.:]*' "$WORK/out.txt" | head -1) || { echo "no URL from: $*" >&2; exit 1; }
}

# connection_instructions FILE: from a callgrind output, the instructions spent
# inside hyper's HTTP/1 connection dispatcher (parsing, the handler, encoding,
# the journal: everything but start-up). The dispatcher runs under
# hyper-util's auto::Connection in hello-hyper and directly under seam-http's
# server in seam, so it is what both have in common.
connection_instructions() {
  callgrind_annotate --inclusive=yes "$1" 2>/dev/null \
    | awk '/h1::dispatch::Dispatcher<D,Bs,I,T>::poll_catch/ && !n++ {gsub(",", "", $1); print $1}'
}
