#!/usr/bin/env bash
# A tree of links that mirrors the installed layout (streams/ and agents/ import
# as newsmon.streams and newsmon.agents), for tools that read source files:
# mypy and import-linter. Prints the tree's path.
set -euo pipefail
cd "$(dirname "$0")/.."
tree=.cache/layout
rm -rf "$tree"
mkdir -p "$tree/newsmon"
for f in newsmon/*; do ln -s "$PWD/$f" "$tree/newsmon/"; done
ln -s "$PWD/streams" "$tree/newsmon/streams"
ln -s "$PWD/agents" "$tree/newsmon/agents"
echo "$tree"
