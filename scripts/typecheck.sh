#!/usr/bin/env bash
# mypy over the installed layout (see scripts/layout_tree.sh); the strict
# modules are listed in pyproject.toml ([[tool.mypy.overrides]]).
set -euo pipefail
cd "$(dirname "$0")/.."
tree=$(scripts/layout_tree.sh)
MYPYPATH=$tree .venv/bin/mypy -p newsmon
