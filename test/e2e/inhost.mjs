// Runs the in-host test suite (test/integration, bundled to dist-integration/) inside the real
// extension host of a running code-server, through VS Code's test payload URL, and relays its
// output. Exit code: the suite's. Needs: code-server running (scripts/e2e/start-code-server.sh).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// playwright-core lives with code-server in .cache/ (scripts/e2e/install-code-server.sh), outside
// the extension's own dependencies.
const { chromium } = createRequire(fileURLToPath(new URL('../../.cache/code-server/package.json', import.meta.url)))('playwright-core');
import { resolve } from 'node:path';
import { format } from 'node:util';

const port = process.env.PORT ?? '8765';
const workspace = process.env.WS ?? '/tmp/ws';
const root = resolve(process.env.EXTENSION ?? '.');
const remote = (path) => `vscode-remote://127.0.0.1:${port}${path}`;
const payload = JSON.stringify([
  ['extensionDevelopmentPath', remote(root)],
  ['extensionTestsPath', remote(`${root}/dist-integration/index.js`)],
]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const page = await browser.newPage();
let finish;
const exited = new Promise((done) => (finish = done));
await page.exposeFunction('codeAutomationExit', (code) => finish(code));
let passed = 0;
let failed = 0;
let suiteStarted = false;
await page.exposeFunction('codeAutomationLog', (_type, args) => {
  const line = format(...(Array.isArray(args) ? args : [args]));
  // mocha colours its marks (ESC[32m✔): count on the text without colour codes.
  const plain = line.replace(/\u001b\[[0-9;]*m/g, '');
  if (line.includes('Gradient Lens in the extension host')) suiteStarted = true;
  if (!suiteStarted || !line.trim()) return; // workbench noise before the suite (open-vsx lookups...)
  if (/^\s*✔/.test(plain)) passed++;
  if (/^\s*\d+\) /.test(plain) && !/^\s*\d+\) Gradient Lens/.test(plain)) failed++;
  console.log(line);
});
await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
const code = await Promise.race([exited, new Promise((done) => setTimeout(() => done('timeout'), 600_000))]);
await browser.close();
if (code === 'timeout') {
  console.log('in-host suite: no result after 10 minutes');
  process.exit(1);
}
console.log(`in-host: ${passed} passed, ${failed} failed (exit code ${code})`);
process.exit(code === 0 ? 0 : 1);
