#!/usr/bin/env bash
# Starts code-server on 127.0.0.1:$PORT with a fresh user-data-dir and extensions-dir under
# $STATE (default .cache/e2e-state), quiet settings, and prints its PID. Stop it with kill <PID>.
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${PORT:-8765}
state=${STATE:-$PWD/.cache/e2e-state}
rm -rf "$state" && mkdir -p "$state/user/User" "$state/extensions"
cat > "$state/user/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "extensions.autoUpdate": false,
  "git.enabled": false,
  "update.mode": "none",
  "telemetry.telemetryLevel": "off",
  "files.autoSave": "off",
  "workbench.colorTheme": "${THEME:-Default Dark Modern}"
}
JSON
sed -i "s/\${THEME:-Default Dark Modern}/${THEME:-Default Dark Modern}/" "$state/user/User/settings.json"
echo "bind-addr: 127.0.0.1:$port" > "$state/config.yaml"
bin=.cache/code-server/node_modules/.bin/code-server
if [ -n "${VSIX:-}" ]; then
  "$bin" --config "$state/config.yaml" --user-data-dir "$state/user" --extensions-dir "$state/extensions" --install-extension "$VSIX" >&2
fi
"$bin" --config "$state/config.yaml" --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --user-data-dir "$state/user" --extensions-dir "$state/extensions" "${EXTRA_ARGS[@]:-}" > "$state/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do
  if curl -fs "http://127.0.0.1:$port/healthz" > /dev/null; then echo "$pid"; exit 0; fi
  sleep 0.5
done
echo "code-server did not start; see $state/server.log" >&2
kill "$pid" 2>/dev/null || true
exit 1
