// Analyze -> first picture, in a real VS Code (code-server + Chromium, as the e2e test), and the
// CLI's time to its first statistics on the same model in the same run.
//
//   node bench/first-picture.mjs            (needs `npm run package` and scripts/e2e/install-code-server.sh)
//   VSIX=a.vsix,b.vsix ROUNDS=3 node bench/first-picture.mjs    (builds compared, interleaved)
//
// Extension: the panel logs "First picture N ms after Analyze" with its timeline (ms after the
// Analyze command): the panel created, the page's start, its script fetched and run ("page
// ready"), the worker's `started`, the probe's statistics at the host, the state posted, its
// arrival in the page, the end of drawing in the page (the page's clock is the machine's: Date.now())
// and the page's "drawn" message back at the host. Read from the extension's log file.
// Per session: the first Analyze (a new page; the worker warmed in the background for WAIT ms, or
// still warming) and warm re-runs (the page open). Each round starts a fresh code-server per build.
// CLI: `gradient-lens analyze <file>` under a pseudo-terminal (its progress goes to a TTY only),
// from spawn to the "probed at initialization" line: process start, parse, worker, probe.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpSync, mkdtempSync, readdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { chromium } = createRequire(join(root, '.cache/code-server/package.json'))('playwright-core');
const model = process.env.MODEL ?? 'deep-sigmoid-mlp.ts';
const runs = Number(process.env.RUNS ?? 4);
const rounds = Number(process.env.ROUNDS ?? 1);
const wait = Number(process.env.WAIT ?? 0);
const vsixes = (process.env.VSIX ?? join(root, `gradient-lens-${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}.vsix`)).split(',');

function logLines(state) {
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

/** The timeline of each Analyze in a session's log: { picture, marks: { 'probe at host': ms, ... } }. */
function timelines(state) {
  return logLines(state).flatMap((line) => {
    const m = /First picture (\d+) ms after Analyze \(([^)]*)\)(?:; ms after Analyze: (.*)\.)?/.exec(line);
    if (!m) return [];
    const marks = Object.fromEntries((m[3] ?? '').split(', ').flatMap((part) => {
      const mark = /^(.*) (\d+)$/.exec(part);
      return mark ? [[mark[1], Number(mark[2])]] : [[part, true]];
    }));
    return [{ picture: Number(m[1]), what: m[2], marks }];
  });
}

async function session(vsix) {
  const port = String(18800 + Math.floor(Math.random() * 100));
  const state = mkdtempSync(join(tmpdir(), 'gl-bench-state-'));
  const ws = mkdtempSync(join(tmpdir(), 'gl-bench-ws-'));
  cpSync(join(root, 'examples'), ws, { recursive: true });
  const start = spawnSync('bash', ['scripts/e2e/start-code-server.sh'], { cwd: root, env: { ...process.env, PORT: port, STATE: state, VSIX: vsix }, encoding: 'utf8' });
  const pid = Number(start.stdout.trim());
  if (!pid) throw new Error(`code-server did not start: ${start.stderr}`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: model }).click({ timeout: 90_000 });
    await page.locator('.statusbar-item', { hasText: 'not measured' }).waitFor({ timeout: 90_000 });
    // WAIT: how long a user looks at the file before the first Analyze (the worker warms meanwhile).
    await page.waitForTimeout(wait);
    for (let i = 0; i < runs; i++) {
      await page.locator('.view-line').first().click();
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill('>Gradient Lens: Analyze Gradients');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Analyze Gradients' }).first().waitFor();
      await page.keyboard.press('Enter');
      for (let t = 0; t < 240 && timelines(state).length <= i; t++) await page.waitForTimeout(250);
      // Let the run finish before the next one.
      await page.locator('.statusbar-item', { hasText: /·/ }).waitFor({ timeout: 120_000 });
      await page.waitForTimeout(1000);
    }
    // How long each run took in the worker (the panel drawing live steps must not slow it).
    const runSeconds = logLines(state).flatMap((line) => {
      const m = /: (\d+) steps on \w+ in ([\d.]+) s; verdict/.exec(line);
      return m ? [Number(m[2])] : [];
    });
    return timelines(state).map((t, i) => ({ ...t, runSeconds: runSeconds[i] }));
  } finally {
    await browser.close();
    try {
      process.kill(pid);
    } catch {
      // already gone
    }
    rmSync(ws, { recursive: true, force: true });
  }
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

const results = new Map(vsixes.map((v) => [v, []]));
const loads = [];
for (let round = 0; round < rounds; round++) {
  for (const vsix of round % 2 ? [...vsixes].reverse() : vsixes) {
    const found = await session(vsix);
    loads.push(loadavg()[0]);
    results.get(vsix).push(found);
    for (const t of found) console.log(`${basename(vsix)} round ${round + 1}: first picture ${t.picture} ms (${t.what}): ${Object.entries(t.marks).map(([k, v]) => (v === true ? k : `${k} ${v}`)).join(', ')}`);
  }
}
const cli = [];
for (let i = 0; i < 3; i++) cli.push(await cliFirstStatistics());

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2)) : undefined;
};
console.log(`\nWAIT ${wait} ms before the first Analyze; model examples/${model}; ${rounds} round(s), builds interleaved`);
console.log(`load average (1 min) after each session: ${loads.map((x) => x.toFixed(1)).join(', ')}`);
for (const [vsix, sessions] of results) {
  const first = sessions.map((s) => s[0]).filter(Boolean);
  const warm = sessions.flatMap((s) => s.slice(1));
  const row = (ts, mark) => ts.map((t) => t.marks[mark]);
  const say = (label, ts) =>
    `  ${label}: drawn in the page ${row(ts, 'drawn in page').join(', ')} (median ${median(row(ts, 'drawn in page'))}); ` +
    `probe at host ${row(ts, 'probe at host').join(', ')} (median ${median(row(ts, 'probe at host'))}); ` +
    `drawn message at host ${row(ts, 'drawn message at host').join(', ')} (median ${median(row(ts, 'drawn message at host'))})`;
  console.log(`${basename(vsix)}, ms after Analyze:`);
  console.log(say('first Analyze (new page)', first));
  console.log(`    page ready ${row(first, 'page ready').join(', ')} (median ${median(row(first, 'page ready'))})`);
  console.log(say('later Analyzes (page open)', warm));
  console.log(`    whole run in the worker (s): first ${first.map((t) => t.runSeconds).join(', ')}; later ${warm.map((t) => t.runSeconds).join(', ')} (median ${median(warm.map((t) => t.runSeconds * 1000)) / 1000})`);
}
console.log(`CLI, spawn -> first statistics (ms): ${cli.join(', ')}; median ${median(cli)}`);
