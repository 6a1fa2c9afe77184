#!/usr/bin/env bash
# Resolve pyproject.toml into the two lock files that every install uses:
#   requirements.lock          the application, its dev and data-build tools and the
#                              build backend (make setup / run / test install this)
#   requirements-runtime.lock  the application and the build backend only, at the
#                              same versions (deploy/Dockerfile installs this)
# Exact versions with sha256 hashes, for CPython 3.11 on Linux x86_64.
# Run after changing dependencies in pyproject.toml (make lock); not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."

UV=${UV:-.venv/bin/uv}
if [ ! -x "$UV" ]; then
  echo "[lock] $UV not found: run 'make setup' first (uv is a dev dependency)" >&2
  exit 2
fi
# The build backend is locked too, so the editable install needs no unpinned download.
build_in=$(mktemp)
trap 'rm -f "$build_in"' EXIT
.venv/bin/python - >"$build_in" <<'PY'
import tomllib
for req in tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]:
    print(req)
PY

common=(--generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu
        --custom-compile-command "make lock" --quiet)
"$UV" pip compile "${common[@]}" --all-extras pyproject.toml "$build_in" -o requirements.lock
"$UV" pip compile "${common[@]}" -c requirements.lock pyproject.toml "$build_in" -o requirements-runtime.lock
# The temporary file's name would change on every run: name its role instead.
sed -i "s|$build_in|build-system.requires|g" requirements.lock requirements-runtime.lock
echo "[lock] requirements.lock: $(grep -c '^[a-z0-9]' requirements.lock) packages;" \
  "requirements-runtime.lock: $(grep -c '^[a-z0-9]' requirements-runtime.lock) packages"
