#!/usr/bin/env bash
# Static checks: ruff (lint + format) and mypy on the package.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check newsmon streams agents tests bench
.venv/bin/ruff format --check newsmon streams agents tests bench
scripts/typecheck.sh
