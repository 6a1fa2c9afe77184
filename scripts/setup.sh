#!/usr/bin/env bash
# Create .venv and install newsmon (editable, with dev tools) into it.
# Idempotent: reinstalls only when pyproject.toml changed since the last run.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
log() { printf '[setup] %s\n' "$*"; }

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "[setup] Python 3.11+ required ($PYTHON is $("$PYTHON" --version 2>&1))" >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  log "creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi

stamp=.venv/.newsmon-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && .venv/bin/python -c 'import newsmon' 2>/dev/null; then
  log "environment up to date"
  exit 0
fi

start=$(date +%s)
for attempt in 1 2 3 4; do
  log "installing newsmon and dependencies (attempt $attempt)"
  if .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip \
     && .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'; then
    echo "$want" > "$stamp"
    log "installed in $(( $(date +%s) - start ))s"
    exit 0
  fi
  sleep $(( attempt * 5 ))
done
echo "[setup] pip install failed after 4 attempts" >&2
exit 1
