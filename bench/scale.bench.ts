/**
 * Scale benchmark (issue 19): time to verdict on models people train, before and after a change,
 * interleaved in one run so both see the same machine load.
 *
 * Builds bench/scaleRun.ts + the training worker twice: from this working tree ("after") and from
 * the sources of a git commit ("before", default the commit below, the last one before the
 * issue-19 work), then runs every model of bench/scale/ once per version per round, alternating
 * which version goes first. Each run is a fresh process (peak RSS per run). Prints a markdown
 * table of medians and the load average seen at each run.
 *
 * Run: node scripts/build.mjs --bench && node dist-bench/scale.bench.js [--rounds N] [--before COMMIT]
 *      [--only name,name] [--budget S]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { ModelGraph } from '../src/core/ir';
import { parseModels } from '../src/core/parse/index';

const root = join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const BEFORE_COMMIT = option('before') ?? 'c9f6baf';
const rounds = Number(option('rounds') ?? 2);
const budget = option('budget');
const only = option('only')?.split(',');

/** Bundles the runner and the worker of a source tree into `outdir`, with tfjs' .wasm files beside them. */
function buildRunner(tree: string, outdir: string): void {
  mkdirSync(outdir, { recursive: true });
  copyFileSync(join(root, 'bench/scaleRun.ts'), join(tree, 'bench/scaleRun.ts'));
  buildSync({
    entryPoints: { scaleRun: join(tree, 'bench/scaleRun.ts'), worker: join(tree, 'src/training/worker.ts') },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outdir,
    packages: 'external',
    nodePaths: [join(root, 'node_modules')],
    logLevel: 'error',
  });
  const wasm = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const file of readdirSync(wasm).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasm, file), join(outdir, file));
  // Our fused kernels (scripts/build.mjs assembles them into dist-bench/); a tree without them
  // never looks for them.
  for (const file of readdirSync(join(root, 'dist-bench')).filter((f) => f.startsWith('gradient-lens-kernels'))) copyFileSync(join(root, 'dist-bench', file), join(outdir, file));
}

/** The sources of a commit, unpacked beside the benchmark's output (git archive: no worktree needed). */
function treeOf(commit: string): string {
  const tree = join(root, 'dist-bench', `tree-${commit}`);
  if (!existsSync(join(tree, 'src'))) {
    mkdirSync(join(tree, 'bench'), { recursive: true });
    const archive = execFileSync('git', ['-C', root, 'archive', commit, 'src'], { maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', tree], { input: archive });
    symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  }
  return tree;
}

/** Multiply-adds x2 of one forward pass per sample (dense, conv, depthwise, recurrent); an estimate from parameter counts. */
function forwardFlops(graph: ModelGraph): number {
  let flops = 0;
  for (const layer of graph.layers) {
    const params = layer.params ?? 0;
    const out = layer.outputShape ?? [];
    if (layer.type === 'dense') flops += 2 * params;
    if (layer.type === 'conv2d' || layer.type === 'depthwiseConv2d') flops += 2 * (out[1] ?? 1) * (out[2] ?? 1) * params;
    if (layer.type === 'lstm' || layer.type === 'gru' || layer.type === 'simpleRNN') {
      const input = graph.layers[graph.layers.indexOf(layer) - 1]?.outputShape ?? [null, ...(graph.inputShape ?? [])];
      flops += 2 * params * (input[1] ?? 1);
    }
  }
  return flops;
}

interface RunRecord {
  status: string;
  error?: string;
  wallMs: number;
  probeAt?: number;
  firstStepsAt?: number;
  /** When the first initialization's verdict was posted (several initializations only). */
  firstVerdictAt?: number;
  probeMs?: number;
  steps: number;
  trainingMs?: number;
  batchSize?: number;
  initializations?: number;
  stoppedBy?: string;
  verdict?: string;
  maxRssMiB: number;
  load: number;
}

function run(dir: string, file: string): RunRecord {
  const load = loadavg()[0]!;
  const child = spawnSync(process.execPath, [join(dir, 'scaleRun.js'), file, ...(budget ? [budget] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  try {
    return { ...(JSON.parse(line) as RunRecord), load };
  } catch {
    return { status: 'crash', error: (child.stderr || line).slice(0, 200), wallMs: NaN, steps: 0, maxRssMiB: NaN, load };
  }
}

const median = (values: number[]): number => {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  return finite.length ? finite[Math.floor(finite.length / 2)]! : NaN;
};
const seconds = (ms: number | undefined): string => (ms === undefined || !Number.isFinite(ms) ? '-' : (ms / 1000).toFixed(1));

function main(): void {
  const versions = [
    { name: 'before', dir: join(root, 'dist-bench/scale-before') },
    { name: 'after', dir: join(root, 'dist-bench/scale-after') },
  ];
  buildRunner(treeOf(BEFORE_COMMIT), versions[0]!.dir);
  buildRunner(root, versions[1]!.dir);
  const models = readdirSync(join(root, 'bench/scale'))
    .filter((f) => f.endsWith('.ts') && (!only || only.some((o) => f.includes(o))))
    .sort();
  const records = new Map<string, RunRecord[]>();
  for (let round = 0; round < rounds; round++) {
    for (const model of models) {
      const order = round % 2 === 0 ? versions : [...versions].reverse();
      for (const version of order) {
        const record = run(version.dir, join(root, 'bench/scale', model));
        const key = `${model}|${version.name}`;
        records.set(key, [...(records.get(key) ?? []), record]);
        process.stderr.write(`${model} ${version.name}: ${JSON.stringify(record)}\n`);
      }
    }
  }
  const lines = [
    `Scale benchmark: ${rounds} round(s), before = ${BEFORE_COMMIT}, after = working tree; default run options${budget ? `, budget ${budget} s` : ' (60 s budget)'}; node ${process.version}.`,
    '',
    '| model | params | version | wall s | first stats s | first verdict s | probe s | steps | batch | training ms per sample | initializations | stopped by | verdict | GFLOP/s | peak RSS MiB | load |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const model of models) {
    const graph = parseModels(readFileSync(join(root, 'bench/scale', model), 'utf8'), model).models[0]!;
    const params = graph.layers.reduce((sum, l) => sum + (l.params ?? 0), 0);
    const flops = forwardFlops(graph);
    for (const version of versions) {
      const list = records.get(`${model}|${version.name}`) ?? [];
      const firstStats = median(list.map((r) => Math.min(r.probeAt ?? Infinity, r.firstStepsAt ?? Infinity)));
      const gflops = median(list.map((r) => (r.trainingMs && r.steps ? (flops * 3 * (r.batchSize ?? 32) * r.steps) / (r.trainingMs / 1000) / 1e9 : NaN)));
      const perSample = median(list.map((r) => (r.trainingMs && r.steps ? r.trainingMs / (r.steps * (r.batchSize ?? 32)) : NaN)));
      const column = (pick: (r: RunRecord) => number | undefined): string => list.map((r) => pick(r) ?? '-').join(', ');
      const outcomes = [...new Set(list.map((r) => (r.status === 'done' || r.status === 'cancelled' ? r.stoppedBy : `${r.status}: ${r.error?.slice(0, 60)}`)))].join(', ');
      lines.push(
        `| ${model.replace(/\.ts$/, '')} | ${(params / 1e6).toFixed(2)} M | ${version.name} | ${seconds(median(list.map((r) => r.wallMs)))} | ${seconds(firstStats)} | ${seconds(median(list.map((r) => r.firstVerdictAt ?? NaN)))} | ${seconds(median(list.map((r) => r.probeMs ?? NaN)))} | ${list.map((r) => r.steps).join(', ')} | ${column((r) => r.batchSize)} | ${Number.isFinite(perSample) ? perSample.toFixed(1) : '-'} | ${column((r) => r.initializations)} | ${outcomes} | ${[...new Set(list.map((r) => r.verdict ?? '-'))].join(', ')} | ${Number.isFinite(gflops) ? gflops.toFixed(2) : '-'} | ${median(list.map((r) => r.maxRssMiB)).toFixed(0)} | ${list.map((r) => r.load.toFixed(1)).join(', ')} |`,
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
