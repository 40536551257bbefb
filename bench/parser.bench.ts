/**
 * Parser speed: a 1,000-line model file must parse in under 20 ms, and time must grow
 * linearly with file size. Run: npm run bench:parser. Results are recorded in bench/README.md.
 *
 * Every timed parse gets a text of its own (a trailing comment with the run's number), as an
 * edit gives the editor: the TypeScript syntax tree of an identical text is reused
 * (boundedSyntax.ts), which would leave the TypeScript parser out of the time.
 * Columns: `median ms` = median of 30 parses after 5 warm-up parses (the JIT is still compiling:
 * this is the figure recorded since 2026-11-22); `steady ms` = median of 30 parses after 60 more;
 * the `CPU ms` columns are the same parses' CPU time (process.cpuUsage: all threads of the
 * process), which a loaded machine's wait for a core does not inflate.
 *
 * Same-run A/B against a commit: `node dist-bench/parser.bench.js --before COMMIT [--rounds N]`
 * builds that commit's parser and this tree's into dist-bench/, then alternates fresh processes
 * (before, after, after, before, ...) and prints per-round ratios and the load average.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseModels as ownParseModels } from '../src/core/parse/index';

type Parse = typeof ownParseModels;

/** One ~50-line chunk of the ways people write tfjs models; `k` keeps names unique. */
function chunk(k: number): string {
  return `
const UNITS_${k} = 64;
function block${k}(units: number, act = 'relu') {
  return [tf.layers.dense({units, activation: act, kernelInitializer: 'heNormal'}), tf.layers.batchNormalization()];
}
export const mlp${k} = tf.sequential();
mlp${k}.add(tf.layers.dense({units: UNITS_${k}, activation: 'sigmoid', inputShape: [20]}));
for (let i = 0; i < 10; i++) {
  mlp${k}.add(tf.layers.dense({units: UNITS_${k}, activation: 'sigmoid'}));
}
mlp${k}.add(tf.layers.dense({units: 10, activation: 'softmax'}));
mlp${k}.compile({optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy'});

export const stack${k} = tf.sequential({
  layers: [
    tf.layers.flatten({inputShape: [28, 28]}),
    ...[128, 64, 32].map((w) => block${k}(w)).flat(),
    tf.layers.dense({units: 10, activation: 'softmax'}),
  ],
});

const input${k} = tf.input({shape: [32]});
let x${k} = tf.layers.dense({units: 32, activation: 'relu'}).apply(input${k}) as tf.SymbolicTensor;
for (let i = 0; i < 4; i++) {
  const h = tf.layers.dense({units: 32, activation: 'relu'}).apply(x${k}) as tf.SymbolicTensor;
  x${k} = tf.layers.add().apply([x${k}, h]) as tf.SymbolicTensor;
}
export const resnet${k} = tf.model({inputs: input${k}, outputs: tf.layers.dense({units: 1}).apply(x${k}) as tf.SymbolicTensor});

export function createCnn${k}(filters = 8) {
  const cnn = tf.sequential();
  cnn.add(tf.layers.conv2d({inputShape: [28, 28, 1], filters, kernelSize: 3, activation: 'relu'}));
  cnn.add(tf.layers.maxPooling2d({poolSize: 2}));
  cnn.add(tf.layers.conv2d({filters: filters * 2, kernelSize: 3, activation: 'relu'}));
  cnn.add(tf.layers.flatten());
  cnn.add(tf.layers.dense({units: 10, activation: 'softmax'}));
  cnn.compile({optimizer: 'adam', loss: 'categoricalCrossentropy'});
  return cnn;
}

const rnn${k} = tf.sequential();
rnn${k}.add(tf.layers.simpleRNN({units: 32, inputShape: [100, 8]}));
rnn${k}.add(tf.layers.dense({units: 1, activation: 'sigmoid'}));
`;
}

function file(lines: number): string {
  let text = "import * as tf from '@tensorflow/tfjs';\n";
  for (let k = 0; text.split('\n').length < lines; k++) text += chunk(k);
  return text;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Row { lines: number; models: number; layers: number; ms: number; steady: number; cpu: number; steadyCpu: number }

function measure(parse: Parse, text: string, runs: number): Row {
  let n = 0;
  const fresh = (): string => `${text}// ${n++}\n`;
  const result = parse(fresh(), 'bench.ts');
  for (let i = 0; i < 5; i++) parse(fresh(), 'bench.ts'); // warm-up (JIT, lazy TypeScript load)
  // Wall time, and this process's CPU time (user + system, all its threads: the JIT and GC
  // helpers too), which waiting for a core on a loaded machine does not inflate.
  const timed = (): { wall: number; cpu: number } => {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const input = fresh();
      const cpuStarted = process.cpuUsage();
      const started = performance.now();
      parse(input, 'bench.ts');
      wall.push(performance.now() - started);
      const used = process.cpuUsage(cpuStarted);
      cpu.push((used.user + used.system) / 1000);
    }
    return { wall: median(wall), cpu: median(cpu) };
  };
  const first = timed();
  for (let i = 0; i < 60; i++) parse(fresh(), 'bench.ts');
  const steady = timed();
  return { lines: text.split('\n').length, models: result.models.length, layers: result.models.reduce((k, m) => k + m.layers.length, 0), ms: first.wall, steady: steady.wall, cpu: first.cpu, steadyCpu: steady.cpu };
}

function measureAll(parse: Parse): { rows: Row[]; loopMs: number } {
  const rows = [1000, 2000, 4000].map((lines) => measure(parse, file(lines), 30));
  const loopStarted = performance.now();
  parse('let c = 0;\nfor (let i = 0; i < 1000000; i++) c++;\n', 'loop.ts');
  return { rows, loopMs: performance.now() - loopStarted };
}

const COLUMN_NAMES = { ms: 'median ms', steady: 'steady ms', cpu: 'median CPU ms', steadyCpu: 'steady CPU ms' } as const;

const root = join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);

/** `src/core/parse/index.ts` of `tree` bundled on its own (packages external), exporting parseModels. */
function bundleParser(tree: string, out: string): string {
  execFileSync(process.execPath, ['-e', `require('esbuild').buildSync({entryPoints: [${JSON.stringify(join(tree, 'src/core/parse/index.ts'))}], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: ${JSON.stringify(out)}, packages: 'external', logLevel: 'error'})`], { cwd: root });
  return out;
}

function treeOf(commit: string): string {
  const tree = join(root, 'dist-bench', `tree-${commit}`);
  if (!existsSync(join(tree, 'src'))) {
    mkdirSync(tree, { recursive: true });
    execFileSync('tar', ['-x', '-C', tree], { input: execFileSync('git', ['-C', root, 'archive', commit, 'src'], { maxBuffer: 1 << 28 }) });
    symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  }
  return tree;
}

const child = option('child');
const before = option('before');
if (child) {
  // One side of an A/B round: this process measures the bundle given.
  process.stdout.write(`${JSON.stringify(measureAll((require(child) as { parseModels: Parse }).parseModels))}\n`);
} else if (before) {
  const rounds = Number(option('rounds') ?? 6);
  const bundles = { before: bundleParser(treeOf(before), join(root, 'dist-bench', `parser-${before}.js`)), after: bundleParser(root, join(root, 'dist-bench', 'parser-after.js')) };
  const results: Record<'before' | 'after', { rows: Row[]; loopMs: number }[]> = { before: [], after: [] };
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 ? (['after', 'before'] as const) : (['before', 'after'] as const)) {
      loads.push(loadavg()[0]!);
      const run = spawnSync(process.execPath, [__filename, '--child', bundles[side]], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_PATH: join(root, 'node_modules') } });
      if (run.status !== 0) throw new Error(run.stderr);
      results[side].push(JSON.parse(run.stdout) as { rows: Row[]; loopMs: number });
    }
  }
  console.log(`Parser A/B, ${rounds} alternating rounds (fresh process each), before = ${before}, after = this tree; load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}; node ${process.version}, ${new Date().toISOString().slice(0, 16)}`);
  console.log('| lines | column | before ms | after ms | ratio of medians | per-round ratios |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [i, { lines }] of results.after[0]!.rows.entries()) {
    for (const column of ['ms', 'steady', 'cpu', 'steadyCpu'] as const) {
      const b = results.before.map((r) => r.rows[i]![column]);
      const a = results.after.map((r) => r.rows[i]![column]);
      const ratios = a.map((x, k) => (x / b[k]!).toFixed(2)).join(', ');
      console.log(`| ${lines} | ${COLUMN_NAMES[column]} | ${median(b).toFixed(2)} | ${median(a).toFixed(2)} | ${(median(a) / median(b)).toFixed(2)}x | ${ratios} |`);
    }
  }
} else {
  const { rows, loopMs } = measureAll(ownParseModels);
  console.log(`Parser benchmark, node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${loadavg()[0]!.toFixed(1)}`);
  console.log('| lines | models | layers | median ms | steady ms | median CPU ms | steady CPU ms | vs 1,000 lines (steady CPU) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(`| ${row.lines} | ${row.models} | ${row.layers} | ${row.ms.toFixed(2)} | ${row.steady.toFixed(2)} | ${row.cpu.toFixed(2)} | ${row.steadyCpu.toFixed(2)} | ${(row.steadyCpu / rows[0]!.steadyCpu).toFixed(2)}x |`);
  console.log(`\n1,000,000-iteration constant loop: capped after 10,000 iterations in ${loopMs.toFixed(1)} ms.`);
}
