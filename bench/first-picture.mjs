// Analyze -> first picture, in a real VS Code (code-server + Chromium, as the e2e test), and the
// CLI's time to its first statistics on the same model in the same run.
//
//   node bench/first-picture.mjs            (needs `npm run package` and scripts/e2e/install-code-server.sh)
//
// Extension: the panel logs "First picture N ms after Analyze" when its page has drawn the first
// chart of a run (the probe's per-layer statistics, at initialization); the time runs from the
// Analyze command to the page's message that it drew. Read from the extension's log file.
// Runs: the first Analyze (worker cold: thread start, tfjs and wasm load) and warm re-runs.
// CLI: `gradient-lens analyze <file>` under a pseudo-terminal (its progress goes to a TTY only),
// from spawn to the "probed at initialization" line: process start, parse, worker, probe.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpSync, mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { chromium } = createRequire(join(root, '.cache/code-server/package.json'))('playwright-core');
const model = process.env.MODEL ?? 'deep-sigmoid-mlp.ts';
const runs = Number(process.env.RUNS ?? 4);
const port = String(18800 + Math.floor(Math.random() * 100));
const state = mkdtempSync(join(tmpdir(), 'gl-bench-state-'));
const ws = mkdtempSync(join(tmpdir(), 'gl-bench-ws-'));
cpSync(join(root, 'examples'), ws, { recursive: true });
const vsix = join(root, `gradient-lens-${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}.vsix`);
const start = spawnSync('bash', ['scripts/e2e/start-code-server.sh'], { cwd: root, env: { ...process.env, PORT: port, STATE: state, VSIX: vsix }, encoding: 'utf8' });
const pid = Number(start.stdout.trim());
if (!pid) throw new Error(`code-server did not start: ${start.stderr}`);

function logLines() {
  const logs = join(state, 'user', 'logs');
  const lines = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, name.name);
      if (name.isDirectory()) walk(path);
      else if (name.name === 'Gradient Lens.log') lines.push(...readFileSync(path, 'utf8').split('\n'));
    }
  };
  if (existsSync(logs)) walk(logs);
  return lines;
}
const firstPictures = () => logLines().map((l) => /First picture (\d+) ms after Analyze/.exec(l)).filter(Boolean).map((m) => Number(m[1]));
const probeArrivals = () => logLines().map((l) => /Probe statistics arrived (\d+) ms after Analyze/.exec(l)).filter(Boolean).map((m) => Number(m[1]));

const extension = [];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
try {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: model }).click({ timeout: 90_000 });
  await page.locator('.statusbar-item', { hasText: 'not measured' }).waitFor({ timeout: 90_000 });
  // WAIT: how long a user looks at the file before the first Analyze (the worker warms meanwhile).
  await page.waitForTimeout(Number(process.env.WAIT ?? 0));
  for (let i = 0; i < runs; i++) {
    await page.locator('.view-line').first().click();
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('>Gradient Lens: Analyze Gradients');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Analyze Gradients' }).first().waitFor();
    await page.keyboard.press('Enter');
    const before = firstPictures().length;
    for (let t = 0; t < 240 && firstPictures().length === before; t++) await page.waitForTimeout(250);
    extension.push(firstPictures()[before]);
    // Let the run finish before the next one.
    await page.locator('.statusbar-item', { hasText: /·/ }).waitFor({ timeout: 120_000 });
    await page.waitForTimeout(1000);
  }
} finally {
  await browser.close();
  process.kill(pid);
}

function cliFirstStatistics() {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn('script', ['-qfc', `node dist/cli.js analyze examples/${model}`, '/dev/null'], { cwd: root });
    let done = false;
    child.stdout.on('data', (chunk) => {
      if (!done && chunk.toString().includes('probed at initialization')) {
        done = true;
        resolve(Math.round(performance.now() - t0));
      }
    });
    child.on('exit', () => !done && resolve(undefined));
  });
}
const cli = [];
for (let i = 0; i < 3; i++) cli.push(await cliFirstStatistics());

const median = (xs) => { const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : undefined; };
console.log(`WAIT ${process.env.WAIT ?? 0} ms before the first Analyze`);
console.log(`model: examples/${model}; load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`extension, Analyze -> first picture (ms): first (cold worker) ${extension[0]}; warm ${extension.slice(1).join(', ')}; median of warm ${median(extension.slice(1))}`);
console.log(`extension, Analyze -> the probe's statistics reach the host (ms): ${probeArrivals().join(', ')}`);
console.log(`CLI, spawn -> first statistics (ms): ${cli.join(', ')}; median ${median(cli)}`);
