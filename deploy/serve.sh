#!/bin/sh
# One app server (the container's command): Streamlit on $PORT, then one first visit so that it
# loads every model and computes the card examples now, not when the first student arrives.
set -eu
cd "$(dirname "$0")/.."
PORT=${PORT:-8501}
python -m streamlit run app.py --server.port "$PORT" --server.address "${ADDRESS:-0.0.0.0}" \
  --server.headless true --browser.gatherUsageStats false &
app=$!
trap 'kill -TERM "$app"' TERM INT
python deploy/warm.py "http://127.0.0.1:$PORT" || echo "the warm start did not run; pages compute on first use" >&2
wait "$app" || true
wait "$app" 2> /dev/null || true  # after a signal: until Streamlit has stopped
