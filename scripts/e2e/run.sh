#!/usr/bin/env bash
# One command for the real-VS-Code UI test: installs code-server (cached in .cache/), packages
# the .vsix, installs it into a fresh code-server, runs test/e2e/smoke.mjs, stops the server.
# Needs Debian's chromium and ripgrep (apt-get install -y chromium ripgrep libkrb5-dev).
set -euo pipefail
cd "$(dirname "$0")/../.."
for tool in chromium rg curl; do
  command -v "$tool" >/dev/null || { echo "test:e2e needs '$tool' (apt-get install -y chromium ripgrep libkrb5-dev curl)" >&2; exit 2; }
done
bash scripts/e2e/install-code-server.sh
npm run package >/dev/null
vsix=$PWD/gradient-lens-$(node -p "require('./package.json').version").vsix
workspace=$(mktemp -d)
cp examples/* "$workspace/"
export PORT=${PORT:-8765}
pid=$(VSIX="$vsix" bash scripts/e2e/start-code-server.sh)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$workspace"' EXIT
WS="$workspace" node test/e2e/smoke.mjs
