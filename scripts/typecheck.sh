#!/usr/bin/env bash
# mypy over the package as it installs (newsmon/streams and newsmon/agents are
# links to the top-level folders).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/mypy -p newsmon
