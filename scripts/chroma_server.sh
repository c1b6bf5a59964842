#!/usr/bin/env bash
# Start or stop a local Chroma server (`chroma run`) on 127.0.0.1 for XZQA_CHROMA_HOST / XZQA_CHROMA_PORT.
#
#   scripts/chroma_server.sh start [PORT] [DIR]   # background server, waits (max 30 s) until its heartbeat answers
#   scripts/chroma_server.sh stop  [PORT]         # stops the server started for PORT
#   scripts/chroma_server.sh status [PORT]
#
# PORT defaults to $XZQA_CHROMA_PORT or 8765, DIR (the server's data) to data/chroma-server. The pid file and the
# log are data/chroma-server.PORT.pid and .log. Needs no terminal (CI, root, no stdin).
set -euo pipefail
cd "$(dirname "$0")/.."

cmd=${1:-}
port=${2:-${XZQA_CHROMA_PORT:-8765}}
dir=${3:-data/chroma-server}
run_dir=data
pid_file=$run_dir/chroma-server.$port.pid
log_file=$run_dir/chroma-server.$port.log
wait_s=${CHROMA_START_TIMEOUT_S:-30}

if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=${PYTHON:-python3}; fi
if [ -x .venv/bin/chroma ]; then CHROMA=.venv/bin/chroma; else CHROMA=$(command -v chroma || true); fi

usage() { echo "usage: $0 start|stop|status [PORT] [DIR]" >&2; exit 2; }
[[ "$port" =~ ^[0-9]+$ ]] || { echo "error: port must be a number, got '$port'" >&2; exit 2; }

heartbeat() {
  "$PY" - "$port" <<'EOF' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/v2/heartbeat", timeout=2).read()
EOF
}

# pid from the pid file, if that process is still a chroma server
server_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid=$(cat "$pid_file" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "chroma.* run" || return 1
  echo "$pid"
}

start() {
  [ -n "$CHROMA" ] || { echo "error: the chroma CLI is not installed (pip install chromadb)" >&2; exit 1; }
  mkdir -p "$run_dir" "$dir"
  if pid=$(server_pid); then
    if heartbeat; then echo "chroma server already running on 127.0.0.1:$port (pid $pid)"; return 0; fi
  elif heartbeat; then
    echo "error: something else already answers on 127.0.0.1:$port; choose another port" >&2
    exit 1
  fi
  ANONYMIZED_TELEMETRY=False nohup "$CHROMA" run --path "$dir" --host 127.0.0.1 --port "$port" \
    >"$log_file" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pid_file"
  local deadline=$((SECONDS + wait_s))
  until heartbeat; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: chroma server exited while starting; log $log_file:" >&2
      tail -n 20 "$log_file" >&2 || true
      rm -f "$pid_file"
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "error: chroma server on 127.0.0.1:$port did not answer within ${wait_s} s; log $log_file:" >&2
      tail -n 20 "$log_file" >&2 || true
      kill "$pid" 2>/dev/null || true
      rm -f "$pid_file"
      exit 1
    fi
    sleep 0.2
  done
  echo "chroma server on 127.0.0.1:$port (pid $pid, data $dir, log $log_file)"
}

stop() {
  local pid
  if ! pid=$(server_pid); then
    rm -f "$pid_file"
    echo "no chroma server started for port $port"
    return 0
  fi
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do  # up to 10 s for a clean shutdown
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "chroma server (pid $pid) did not stop; killing it" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
  echo "chroma server on port $port stopped"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status)
    if pid=$(server_pid) && heartbeat; then echo "running on 127.0.0.1:$port (pid $pid)"; else echo "not running"; exit 1; fi ;;
  *) usage ;;
esac
