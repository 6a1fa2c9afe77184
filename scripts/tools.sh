#!/usr/bin/env bash
# Debian tools the tests drive: promtool (package `prometheus`) checks
# /metrics and the alerting rules; headless `chromium` renders the dashboard;
# `shellcheck` checks the shell scripts and `openssl` makes the throwaway
# certificates of the TLS tests (tests/unit/deploy, tests/integration/test_secure_*).
# Idempotent (installs only what is missing), retried, and never starts the
# Prometheus daemon the package ships: a policy-rc.d keeps init scripts quiet
# during the install and a daemon that started anyway is stopped.
# Usage: scripts/tools.sh [PACKAGE...]   (default: prometheus chromium shellcheck openssl)
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE_DIR=${NEWSMON_CACHE_DIR:-.cache}
POLICY_RC_D=/usr/sbin/policy-rc.d
log() { printf '[tools] %s\n' "$*"; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "[tools] need root or sudo for apt-get" >&2; exit 1; }
  SUDO=(sudo -n)
fi

# package -> the command it provides
declare -A PROVIDES=([prometheus]=promtool [chromium]=chromium [shellcheck]=shellcheck [openssl]=openssl)
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(prometheus chromium shellcheck openssl)
missing=()
for pkg in "${wanted[@]}"; do
  cmd=${PROVIDES[$pkg]:-$pkg}
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  log "tools present: ${wanted[*]}"
  exit 0
fi
command -v apt-get >/dev/null 2>&1 || { echo "[tools] apt-get not found; install ${missing[*]} yourself" >&2; exit 1; }

mkdir -p "$CACHE_DIR"
apt_log=$CACHE_DIR/tools-apt.log
policy_ours=0
cleanup() { if [ "$policy_ours" -eq 1 ]; then "${SUDO[@]}" rm -f "$POLICY_RC_D"; fi; }
trap cleanup EXIT
if [ ! -e "$POLICY_RC_D" ]; then
  printf '#!/bin/sh\n# temporary, from newsmon scripts/tools.sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY_RC_D" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY_RC_D"
  policy_ours=1
fi

apt() {
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o Acquire::Retries=3 -o DPkg::Lock::Timeout=600 "$@"
}

start=$(date +%s)
ok=0
for attempt in 1 2 3 4; do
  log "installing ${missing[*]} with apt-get (attempt $attempt)"
  if { apt update && apt -y install --no-install-recommends "${missing[@]}"; } >>"$apt_log" 2>&1; then
    ok=1
    break
  fi
  sleep $((attempt * 5))
done
if [ "$ok" -ne 1 ]; then
  tail -n 30 "$apt_log" >&2
  echo "[tools] apt-get install ${missing[*]} failed (full log: $apt_log)" >&2
  exit 1
fi

# The tests only need promtool; a system Prometheus on :9090 would be an
# unasked-for daemon on a shared machine.
if command -v pgrep >/dev/null 2>&1 && pgrep -x prometheus >/dev/null 2>&1; then
  log "stopping the prometheus daemon the package started"
  "${SUDO[@]}" service prometheus stop >/dev/null 2>&1 || true
fi
log "installed ${missing[*]} in $(($(date +%s) - start))s"
