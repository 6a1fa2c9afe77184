#!/usr/bin/env bash
# Static checks: ruff (lint, format, complexity cap), the package layers
# (import-linter, contracts in pyproject.toml), dead code (vulture) and mypy.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check newsmon streams agents tests bench
.venv/bin/ruff format --check newsmon streams agents tests bench
.venv/bin/lint-imports --no-cache
.venv/bin/vulture
scripts/typecheck.sh
