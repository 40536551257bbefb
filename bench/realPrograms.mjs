// Runs `gradient-lens analyze <file> --json --static` on each model-building file of a corpus
// (each file alone, no values given), then again with every hole filled by the CLI's own
// suggestions, and counts: models found, measurable as written, unresolved, measurable with the
// suggestions, crashes. The corpus is read from a directory given by an environment variable
// (never committed: other people's code):
//   REAL_PROGRAMS=/path/to/tfjs-examples node bench/realPrograms.mjs [--train N]
// --train N: also trains the first N measurable models (not --static) and counts those that
// finish with a measurement.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.env.REAL_PROGRAMS;
if (!root) {
  console.error('set REAL_PROGRAMS to a directory of tfjs programs (e.g. a clone of tensorflow/tfjs-examples)');
  process.exit(2);
}
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
const trainArg = process.argv.indexOf('--train');
const trainCount = trainArg > 0 ? Number(process.argv[trainArg + 1]) : 0;
const verbose = process.argv.includes('--verbose');

/** Files that build a model: a tfjs model factory is called in them. */
function modelFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...modelFiles(path));
    else if (/\.(js|ts)$/.test(name) && /tf\.sequential|tf\.model\(|tf\.input\(/.test(readFileSync(path, 'utf8'))) out.push(path);
  }
  return out.sort();
}

function analyze(file, sets, extra = ['--static']) {
  const args = [cli, 'analyze', file, '--json', ...extra, ...sets.flatMap(([k, v]) => ['--set', `${k}=${v}`])];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 });
  if (![0, 1, 3].includes(run.status ?? -1)) return { crash: `exit ${run.status}: ${(run.stderr || '').slice(0, 300)}` };
  try {
    return { report: JSON.parse(run.stdout) };
  } catch {
    return { crash: `bad JSON: ${(run.stderr || '').slice(0, 300)}` };
  }
}

const blocking = (m) => (m.holes ?? []).filter((h) => h.blocking !== false);
// Measurable: no blocking hole and every output shape known (a custom layer's own weights may
// stay uncounted: it trains as a stand-in, as the product says).
const ready = (m) => m.measurement?.status !== 'unresolved' && m.layers.every((l) => l.outputShape !== null);
const totals = { files: 0, models: 0, asIs: 0, unresolved: 0, noParams: 0, filledOk: 0, filledTotal: 0, crashes: 0, internal: 0, trained: 0, trainTried: 0 };
const trainable = [];
for (const file of modelFiles(root)) {
  totals.files++;
  const name = relative(root, file);
  const first = analyze(file, []);
  if (first.crash) {
    totals.crashes++;
    console.log(`${name}: CRASH ${first.crash}`);
    continue;
  }
  const fileReport = first.report.files[0];
  const internal = fileReport.problems.filter((p) => /internal error/.test(p.message));
  totals.internal += internal.length;
  const models = fileReport.models;
  totals.models += models.length;
  const rows = [];
  for (const m of models) {
    const ok = ready(m);
    if (ok) {
      totals.asIs++;
      trainable.push([file, m.name, []]);
    } else if (m.measurement?.status === 'unresolved') totals.unresolved++;
    else totals.noParams++;
    rows.push(`${m.name}: ${m.layers.length} layers, ${m.params ?? '?'} params, ${ok ? 'measurable' : m.measurement?.status === 'unresolved' ? `unresolved [${blocking(m).map((h) => `${h.name}=${h.suggestion}`).join(' ')}]` : 'params unknown'}`);
  }
  // With every hole filled by its suggestion (file-wide, as a user pasting the advice would).
  const pending = models.filter((m) => !ready(m) && m.measurement?.status === 'unresolved');
  if (pending.length) {
    const sets = new Map();
    for (const m of pending) for (const h of m.holes ?? []) if (!sets.has(h.name)) sets.set(h.name, h.suggestion);
    let again = analyze(file, [...sets]);
    // A filled value may reveal another unknown (the advice should have listed it): one more round, counted.
    for (let round = 0; round < 2 && !again.crash; round++) {
      const more = again.report.files[0].models.filter((m) => pending.some((p) => p.name === m.name) && !ready(m)).flatMap((m) => m.holes ?? []).filter((h) => !sets.has(h.name));
      if (!more.length) break;
      for (const h of more) sets.set(h.name, h.suggestion);
      rows.push(`  (round ${round + 2} needed for ${more.map((h) => h.name).join(', ')})`);
      again = analyze(file, [...sets]);
    }
    if (again.crash) {
      totals.crashes++;
      rows.push(`  with suggestions: CRASH ${again.crash}`);
    } else {
      for (const m of pending) {
        totals.filledTotal++;
        const after = again.report.files[0].models.find((x) => x.name === m.name);
        const ok = after && ready(after);
        if (ok) {
          totals.filledOk++;
          trainable.push([file, m.name, [...sets]]);
        }
        rows.push(`  with suggestions ${m.name}: ${after ? `${after.layers.length} layers, ${after.params ?? '?'} params, ${ok ? 'measurable' : after.measurement?.status}` : 'gone'}`);
      }
    }
  }
  console.log(`${name}: ${models.length} models`);
  if (verbose || true) for (const row of rows) console.log(`  ${row}`);
}
for (const [file, model, sets] of trainable.slice(0, trainCount)) {
  totals.trainTried++;
  const run = analyze(file, sets, []);
  const m = run.report?.files[0].models.find((x) => x.name === model);
  const ok = m?.measurement?.status === 'measured';
  if (ok) totals.trained++;
  console.log(`train ${relative(root, file)} ${model}: ${run.crash ? `CRASH ${run.crash}` : m ? `${m.measurement?.status}: ${(m.measurement?.message ?? '').slice(0, 160)}` : 'gone'}`);
}
console.log(JSON.stringify(totals));
