#!/usr/bin/env bash
# The whole test suite on a fresh machine: set-up, services, lint, unit and
# integration tests. `make test` and .ci/run call this.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

scripts/setup.sh
scripts/services.sh up
scripts/tools.sh  # promtool, chromium, shellcheck, openssl for the ops, deploy and TLS tests
scripts/lint.sh

mkdir -p artifacts
set +e
.venv/bin/python -m pytest tests -p no:cacheprovider --junitxml=artifacts/junit.xml "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "[test] pytest collected no tests: failing" >&2
  rc=1
fi
echo "[test] finished in $(( $(date +%s) - start ))s with exit code $rc"
exit "$rc"
