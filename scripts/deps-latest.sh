#!/usr/bin/env bash
# Drift check, run by a person (not CI): install the newest versions that the
# ranges in pyproject.toml allow into a separate venv and run lint, typecheck
# and the unit tests there. If it passes, `make lock` moves the lock forward;
# if it fails, the output says which release broke what.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
venv=.cache/deps-latest
log() { printf '[deps-latest] %s\n' "$*"; }

rm -rf "$venv"
mkdir -p .cache
"$PYTHON" -m venv "$venv"
log "installing the newest releases allowed by pyproject.toml into $venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
# Not editable: this venv must not replace the .venv install's import path.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade '.[dev,data-build]'
"$venv/bin/python" -m pip list --format=freeze >"$venv/versions.txt"
log "versions: $venv/versions.txt; differences from requirements.lock:"
"$venv/bin/python" - <<'PY' || true
import re
locked = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", open("requirements.lock").read(), re.M))
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
locked = {norm(k): v for k, v in locked.items()}
for line in open(".cache/deps-latest/versions.txt"):
    name, _, ver = line.strip().partition("==")
    if norm(name) in locked and locked[norm(name)] != ver:
        print(f"  {name}: {locked[norm(name)]} -> {ver}")
PY
rc=0
log "ruff"; "$venv/bin/ruff" check newsmon streams agents tests bench || rc=1
log "mypy"; "$venv/bin/mypy" -p newsmon || rc=1
log "unit tests"
# Run from a copy-free path: the installed package, the repo's tests.
"$venv/bin/python" -m pytest tests/unit -q -p no:cacheprovider || rc=1
if [ "$rc" -ne 0 ]; then
  log "FAILED with the newest releases: fix the code or narrow the range in pyproject.toml, then make lock"
else
  log "passed with the newest releases: run make lock to move requirements.lock forward"
fi
exit "$rc"
