#!/usr/bin/env bash
# One command for the real-VS-Code tests: installs code-server (cached in .cache/), packages the
# .vsix and installs it into a fresh code-server, then runs
#   1. the in-host suite (test/integration) in the real extension host, through the payload URL;
#   2. the UI test as a user (test/e2e/smoke.mjs) on the installed .vsix, with screenshots.
# Prints `N passed, N failed`, stops the server by its PID, exits non-zero on any failure.
# Needs Debian's chromium and ripgrep (apt-get install -y chromium ripgrep libkrb5-dev curl).
set -uo pipefail
cd "$(dirname "$0")/../.."
for tool in chromium rg curl; do
  command -v "$tool" >/dev/null || { echo "test:e2e needs '$tool' (apt-get install -y chromium ripgrep libkrb5-dev curl)" >&2; exit 2; }
done
set -e
bash scripts/e2e/install-code-server.sh
npm run package >/dev/null
node scripts/build.mjs --integration
vsix=$PWD/gradient-lens-$(node -p "require('./package.json').version").vsix
inhost_ws=$(mktemp -d)
ui_ws=$(mktemp -d)
cp examples/* "$inhost_ws/"
cp examples/* "$ui_ws/"
# A free port unless one is given: two runs on one machine must not talk to each other's server.
export PORT=${PORT:-$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")}
pid=$(VSIX="$vsix" bash scripts/e2e/start-code-server.sh)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$inhost_ws" "$ui_ws"' EXIT
set +e
WS="$inhost_ws" EXTENSION="$PWD" node test/e2e/inhost.mjs | tee .cache/e2e-inhost.log
inhost=${PIPESTATUS[0]}
WS="$ui_ws" node test/e2e/smoke.mjs | tee .cache/e2e-ui.log
ui=${PIPESTATUS[0]}
# The same UI test in the light theme (its screenshots are the README's light ones).
kill "$pid" 2>/dev/null || true
rm -rf "$ui_ws" && ui_ws=$(mktemp -d) && cp examples/* "$ui_ws/"
pid=$(THEME="Default Light Modern" VSIX="$vsix" bash scripts/e2e/start-code-server.sh)
WS="$ui_ws" OUT=test-results/e2e-light node test/e2e/smoke.mjs | tee .cache/e2e-ui-light.log
light=${PIPESTATUS[0]}
count() { grep -Eo "$1" "$2" | tail -1 | grep -Eo '^[0-9]+' || echo 0; }
passed=$(( $(count '[0-9]+ passed' .cache/e2e-inhost.log) + $(count '[0-9]+ passed' .cache/e2e-ui.log) + $(count '[0-9]+ passed' .cache/e2e-ui-light.log) ))
failed=$(( $(count '[0-9]+ failed' .cache/e2e-inhost.log) + $(count '[0-9]+ failed' .cache/e2e-ui.log) + $(count '[0-9]+ failed' .cache/e2e-ui-light.log) ))
for status in "$inhost" "$ui" "$light"; do
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
done
if [ "$failed" -eq 0 ]; then
  # The README's screenshots come from this run.
  mkdir -p docs
  cp test-results/e2e/3b-panel.png docs/panel-dark.png
  cp test-results/e2e/4-hover.png docs/hover.png
  cp test-results/e2e/4b-verify-fixes.png docs/verify-fixes.png
  cp test-results/e2e/5-quick-fixes.png docs/quick-fixes.png
  cp test-results/e2e/2-analyzing.png docs/panel-during-run.png
  cp test-results/e2e/7-panel-healthy.png docs/panel-healthy.png
  cp test-results/e2e/8-hole-prompt.png docs/hole-prompt.png
  cp test-results/e2e/9-annotation-saved.png docs/annotation-saved.png
  cp test-results/e2e/10-python-measured.png docs/python-keras.png
  cp test-results/e2e/11-python-quick-fixes.png docs/python-quick-fixes.png
  cp test-results/e2e-light/3b-panel.png docs/panel-light.png
  cp test-results/e2e-light/4b-verify-fixes.png docs/verify-fixes-light.png
  cp test-results/e2e/3e-high-contrast.png docs/panel-high-contrast.png
  cp test-results/e2e/12-width-360.png docs/panel-360.png
  cp test-results/e2e/12-width-630.png docs/panel-630.png
  cp test-results/e2e/13-non-finite.png docs/panel-non-finite.png
  cp test-results/e2e/14-extension-page.png docs/extension-page.png
fi
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
