#!/usr/bin/env bash
# K app servers and HAProxy in front of them, on this machine:
#
#     bash deploy/run.sh 2            # servers on 127.0.0.1:8501-8502, the class opens http://localhost:8080
#     BASE_PORT=9001 BALANCER_PORT=9000 bash deploy/run.sh 3
#
# Each server is `streamlit run app.py` on its own port, warmed by one first visit (deploy/warm.py);
# HAProxy (apt-get install haproxy) balances new browsers over them and keeps each browser on its
# server (deploy/haproxy.cfg). Logs, the generated config and one PID file per process go to
# RUN_DIR (a new temporary directory unless given). Ctrl+C or SIGTERM stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
K=${1:-2}
BASE_PORT=${BASE_PORT:-8501}
export BALANCER_PORT=${BALANCER_PORT:-8080}
PYTHON=${PYTHON:-.venv/bin/python}
RUN_DIR=${RUN_DIR:-$(mktemp -d)}
mkdir -p "$RUN_DIR"
command -v haproxy > /dev/null || { echo "haproxy is not installed (apt-get install haproxy)" >&2; exit 1; }

pids=()
stop() {
  trap - EXIT INT TERM
  kill "${pids[@]}" 2> /dev/null || true
  wait 2> /dev/null || true
}
trap stop EXIT INT TERM

urls=()
sed '/^    server app/d' deploy/haproxy.cfg > "$RUN_DIR/haproxy.cfg"
for i in $(seq 1 "$K"); do
  port=$((BASE_PORT + i - 1))
  # MALLOC_ARENA_MAX: one session thread per student; fewer malloc arenas keep the freed memory reusable
  MALLOC_ARENA_MAX=2 "$PYTHON" -m streamlit run app.py --server.port "$port" --server.address 127.0.0.1 \
    --server.headless true --browser.gatherUsageStats false > "$RUN_DIR/app$i.log" 2>&1 &
  pids+=($!)
  echo $! > "$RUN_DIR/app$i.pid"
  echo "    server app$i 127.0.0.1:$port check cookie app$i" >> "$RUN_DIR/haproxy.cfg"
  urls+=("http://127.0.0.1:$port")
done
"$PYTHON" deploy/warm.py "${urls[@]}"
haproxy -db -f "$RUN_DIR/haproxy.cfg" > "$RUN_DIR/haproxy.log" 2>&1 &
pids+=($!)
echo $! > "$RUN_DIR/haproxy.pid"
echo "serving ${K} app servers at http://localhost:${BALANCER_PORT} (logs in $RUN_DIR)"
wait "${pids[-1]}" || true  # until the balancer ends or a signal comes; an app server may stop alone
