#!/usr/bin/env bash
# Run newsmon on this machine: set-up, Kafka and Redis, a local alert
# receiver (standing in for your webhook and Slack), the worker, and the two
# sample articles. Ctrl-C stops the worker and the receiver (Kafka and Redis
# keep running; `make services-down` stops them).
set -euo pipefail
cd "$(dirname "$0")/.."

RECEIVER_PORT=${NEWSMON_RECEIVER_PORT:-8787}
SEED=${NEWSMON_SEED_FILE:-../shared/seed-articles.txt}
RUN_DIR=.cache/run
mkdir -p "$RUN_DIR"

scripts/setup.sh
scripts/services.sh up

# Demo channels point at the local receiver; real deployments name their own
# secrets in a channels file (see config/channels.example.yaml).
if [ -z "${NEWSMON_CHANNELS_PATH:-}" ]; then
  export NEWSMON_CHANNELS_PATH=$RUN_DIR/channels.yaml
  cat > "$NEWSMON_CHANNELS_PATH" <<'YAML'
channels:
  - {name: webhook, type: webhook, url_env: NEWSMON_WEBHOOK_URL, secret_env: NEWSMON_WEBHOOK_SECRET}
  - {name: slack, type: slack, url_env: NEWSMON_SLACK_WEBHOOK_URL}
  - {name: log, type: log}
YAML
  export NEWSMON_WEBHOOK_URL=http://127.0.0.1:$RECEIVER_PORT/webhook
  export NEWSMON_SLACK_WEBHOOK_URL=http://127.0.0.1:$RECEIVER_PORT/slack
  if [ -z "${NEWSMON_WEBHOOK_SECRET:-}" ]; then
    NEWSMON_WEBHOOK_SECRET="whsec_$(head -c 32 /dev/urandom | base64)"
    export NEWSMON_WEBHOOK_SECRET
  fi
fi
export NEWSMON_KAFKA_BROKER=${NEWSMON_KAFKA_BROKER:-kafka://127.0.0.1:${NEWSMON_KAFKA_PORT:-9092}}
export NEWSMON_REDIS_URL=${NEWSMON_REDIS_URL:-redis://127.0.0.1:${NEWSMON_REDIS_PORT:-6379}/0}

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

.venv/bin/newsmon receiver --port "$RECEIVER_PORT" >"$RUN_DIR/receiver.log" 2>&1 &
pids+=($!)
.venv/bin/newsmon worker >"$RUN_DIR/worker.log" 2>&1 &
worker_pid=$!
pids+=("$worker_pid")

echo "[run] waiting for the worker to join its consumer group (log: $RUN_DIR/worker.log)"
for _ in $(seq 1 120); do
  if ! kill -0 "$worker_pid" 2>/dev/null; then
    echo "[run] the worker exited:" >&2
    tail -n 40 "$RUN_DIR/worker.log" >&2
    exit 1
  fi
  if grep -q "Worker ready" "$RUN_DIR/worker.log" && grep -q "Seek stream partitions to committed offsets" "$RUN_DIR/worker.log"; then
    break
  fi
  sleep 0.5
done

if [ -f "$SEED" ]; then
  echo "[run] ingesting $SEED"
  .venv/bin/newsmon ingest "$SEED"
else
  echo "[run] no sample file at $SEED; ingest your own with: .venv/bin/newsmon ingest FILE"
fi

cat <<MSG

newsmon is running.
  Alerts received (webhook + Slack stand-in): http://127.0.0.1:$RECEIVER_PORT/
  Ops dashboard, /metrics, /readyz:            http://127.0.0.1:${NEWSMON_WEB_PORT:-6066}/
  Worker log:                                  $RUN_DIR/worker.log
  Ingest more:                                 .venv/bin/newsmon ingest FILE.jsonl
Press Ctrl-C to stop the worker and the receiver.
MSG
wait "$worker_pid"
