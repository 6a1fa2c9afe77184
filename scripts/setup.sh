#!/usr/bin/env bash
# Create .venv and install exactly what requirements.lock pins (versions and
# hashes), then newsmon itself (editable, without dependencies).
# Idempotent: reinstalls only when the lock or pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
LOCK=requirements.lock
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
want=$(cat "$LOCK" pyproject.toml | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && .venv/bin/python -c 'import newsmon' 2>/dev/null; then
  log "environment up to date ($LOCK)"
  exit 0
fi

# pip's own output goes to a log that is shown whole when a step fails.
mkdir -p .cache
out=.cache/setup-pip.log
pip=(.venv/bin/python -m pip --disable-pip-version-check --no-input)
run_step() {
  local what=$1
  shift
  for attempt in 1 2 3 4; do
    if "$@" >"$out" 2>&1; then
      return 0
    fi
    log "$what failed (attempt $attempt of 4)"
    [ "$attempt" -lt 4 ] && sleep $(( attempt * 5 ))
  done
  echo "[setup] $what failed; pip's output:" >&2
  cat "$out" >&2
  exit 1
}

start=$(date +%s)
log "installing $(grep -c '^[a-z0-9]' "$LOCK") pinned packages from $LOCK (hashes checked)"
run_step "install from $LOCK" "${pip[@]}" install --require-hashes -r "$LOCK"
log "installing newsmon (editable, no dependencies)"
run_step "install newsmon" "${pip[@]}" install --no-deps --no-build-isolation -e .
echo "$want" > "$stamp"
log "installed in $(( $(date +%s) - start ))s"
