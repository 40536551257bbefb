#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the last release on Node 20) and playwright-core
# (no browser download: Debian's chromium drives it) into .cache/,
# offline-safe, outside the extension's own dependencies. Facts behind each step: ../shared/E2E.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=.cache/code-server
if [ -x "$dest/node_modules/.bin/code-server" ] && [ -d "$dest/node_modules/playwright-core" ]; then echo "code-server already installed"; exit 0; fi
command -v rg >/dev/null || { echo "ripgrep (rg) is needed: apt-get install -y ripgrep" >&2; exit 1; }
# @vscode/ripgrep's postinstall downloads from GitHub: seed its cache with Debian's rg.
tmp=${TMPDIR:-/tmp}
cache="$tmp/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache" "$tmp/rg-pack"
cp "$(command -v rg)" "$tmp/rg-pack/rg"
tar -czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$tmp/rg-pack" rg
mkdir -p "$dest"
cd "$dest"
[ -f package.json ] || echo '{"name":"code-server-cache","private":true}' > package.json
npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund --foreground-scripts code-server@4.100.3 playwright-core@1.65.1
test -x node_modules/.bin/code-server
echo "code-server and playwright-core installed in $dest"
