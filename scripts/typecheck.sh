#!/usr/bin/env bash
# mypy over the installed layout: streams/ and agents/ import as newsmon.streams
# and newsmon.agents, so type-check a tree of links that mirrors that layout.
set -euo pipefail
cd "$(dirname "$0")/.."
tree=.cache/typecheck
rm -rf "$tree"
mkdir -p "$tree/newsmon"
for f in newsmon/*; do ln -s "$PWD/$f" "$tree/newsmon/"; done
ln -s "$PWD/streams" "$tree/newsmon/streams"
ln -s "$PWD/agents" "$tree/newsmon/agents"
MYPYPATH=$tree .venv/bin/mypy -p newsmon
