/**
 * Threads benchmark (issue 19): tfjs' wasm backend with 1 thread against N threads (the
 * threaded SIMD build, started as the training worker starts it: src/training/backend.ts).
 *
 * Each round starts one worker thread per thread count, in alternating order (interleaved, so
 * both see the same machine load), and each worker times, on its own fresh backend:
 * - its start (tfjs + the wasm module; with N threads, emscripten's 8 pthread workers);
 * - a 512x512 by 512x512 matrix product (median of 20, after 3 warm-up products);
 * - training steps of bench/scale/mlp-50x512.ts, bench/scale/resnet20.ts and the textbook
 *   examples/deep-sigmoid-mlp.ts, as the product measures them (`measure`: probe, then steps
 *   with gradient statistics; batch 32, one initialization, a 10-minute budget so nothing is
 *   cut): the step time is the run's training time / steps, the probe time is reported apart.
 * Then the same numbers check: examples/deep-sigmoid-mlp.ts (and the convolutional
 * examples/mnist-cnn.ts) through the real worker
 * (TrainingSession, default run options: 3 initializations) with 1 and N threads; the largest
 * relative difference of any gradient norm (probe and per-layer summaries, every initialization).
 *
 * With `--profile`: instead, one single-threaded worker runs each model as above and times the
 * kernels XNNPACK runs on the thread pool (matrix products, convolutions), for the share of the
 * run that threads can speed up (Amdahl), the basis of the 8-core estimate in bench/README.md.
 *
 * Run: npm run bench:threads [-- --threads N] [--rounds R] [--only matmul,mlp-50x512,resnet20,deep-sigmoid-mlp]
 *      npm run bench:threads -- --profile
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { ModelGraph } from '../src/core/ir';
import { parseModels } from '../src/core/parse/index';
import { startBackend } from '../src/training/backend';
import { measure } from '../src/training/measure';
import { DEFAULT_RUN_OPTIONS, type RunOptions, type RunSummary } from '../src/training/protocol';
import { TrainingSession } from '../src/training/session';

const root = join(__dirname, '..');
const MODELS: Record<string, { file: string; samples: number }> = {
  'mlp-50x512': { file: 'bench/scale/mlp-50x512.ts', samples: 32 * 4 },
  resnet20: { file: 'bench/scale/resnet20.ts', samples: 32 * 4 },
  'deep-sigmoid-mlp': { file: 'examples/deep-sigmoid-mlp.ts', samples: 32 * 8 },
};

interface Timing {
  readonly task: string;
  readonly ms: number;
  readonly probeMs?: number;
  readonly steps?: number;
}

interface WorkerResult {
  readonly threads: number;
  readonly startMs: number;
  readonly timings: readonly Timing[];
  /** With --profile: per model, the run's wall ms and the ms inside pool kernels. */
  readonly profile?: readonly { readonly task: string; readonly runMs: number; readonly poolMs: number; readonly byKernel: Readonly<Record<string, number>> }[];
}

/**
 * tfjs-backend-wasm kernels that hand their work to XNNPACK with the thread pool and dominate
 * training time: products and convolutions (element-wise XNNPACK ops also use the pool; they
 * are left out, so the share below is a floor). A transposed BatchMatMul is our kernel
 * (transposes, then a plain product: counted there), so only plain ones count.
 */
const POOL_KERNELS = ['BatchMatMul', '_FusedMatMul', 'Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D'];

/** Wraps the pool kernels with timers; returns the counters (ms by kernel name). */
function timePoolKernels(): Record<string, number> {
  const spent: Record<string, number> = {};
  for (const name of POOL_KERNELS) {
    const config = tf.getKernel(name, 'wasm');
    if (!config) continue;
    const inner = config.kernelFunc;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean } | undefined;
        if (name === 'BatchMatMul' && (attrs?.transposeA || attrs?.transposeB)) return inner(args);
        const t = performance.now();
        const out = inner(args);
        spent[name] = (spent[name] ?? 0) + performance.now() - t;
        return out;
      },
    });
  }
  return spent;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const graphOf = (file: string): ModelGraph => parseModels(readFileSync(join(root, file), 'utf8'), file).models[0]!;

/** In a bench worker: start the backend with `threads`, then time each task. */
async function timeTasks(threads: number, tasks: readonly string[], profile = false): Promise<WorkerResult> {
  const started = performance.now();
  const backend = await startBackend(tf, { backend: 'wasm', threads });
  if ('threadsFailed' in backend) throw new Error(`the threaded build did not start: ${backend.threadsFailed}`);
  if (backend.threads !== threads) throw new Error(`asked for ${threads} threads, got ${backend.threads} (${backend.note ?? ''})`);
  const startMs = performance.now() - started;
  const timings: Timing[] = [];
  if (profile) {
    const spent = timePoolKernels();
    const rows: NonNullable<WorkerResult['profile']>[number][] = [];
    for (const [name, model] of Object.entries(MODELS)) {
      if (!tasks.includes(name)) continue;
      for (const key of Object.keys(spent)) delete spent[key];
      const options: RunOptions = { ...DEFAULT_RUN_OPTIONS, epochs: 1, batchSize: 32, samples: model.samples, seeds: 1, maxSeeds: 1, probeBatches: 1, timeBudgetMs: 600_000 };
      const t = performance.now();
      await measure(tf, graphOf(model.file), options, {}, { cancelled: () => false });
      const runMs = performance.now() - t;
      rows.push({ task: name, runMs, poolMs: Object.values(spent).reduce((a, b) => a + b, 0), byKernel: { ...spent } });
    }
    return { threads, startMs, timings, profile: rows };
  }
  if (tasks.includes('matmul')) {
    const a = tf.randomNormal([512, 512], 0, 1, 'float32', 1);
    const b = tf.randomNormal([512, 512], 0, 1, 'float32', 2);
    const product = (): void => tf.tidy(() => void tf.matMul(a, b).dataSync());
    for (let i = 0; i < 3; i++) product();
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      product();
      times.push(performance.now() - t);
    }
    timings.push({ task: 'matmul', ms: median(times) });
    tf.dispose([a, b]);
  }
  for (const [name, model] of Object.entries(MODELS)) {
    if (!tasks.includes(name)) continue;
    const options: RunOptions = { ...DEFAULT_RUN_OPTIONS, epochs: 1, batchSize: 32, samples: model.samples, seeds: 1, maxSeeds: 1, probeBatches: 1, timeBudgetMs: 600_000 };
    const summary = await measure(tf, graphOf(model.file), options, {}, { cancelled: () => false });
    if (!summary.steps) throw new Error(`${name}: no training step (${summary.stoppedBy})`);
    timings.push({ task: name, ms: summary.trainingMs / summary.steps, steps: summary.steps, ...(summary.probe ? { probeMs: summary.probe.elapsedMs } : {}) });
  }
  return { threads, startMs, timings };
}

function inWorker(threads: number, tasks: readonly string[], profile = false): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: { threads, tasks, profile } });
    worker.once('message', (message: WorkerResult | { error: string }) => {
      if ('error' in message) reject(new Error(message.error));
      else resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`bench worker exited (${code})`)));
  });
}

/** Every gradient norm of a summary (probe and last-epoch summaries, each initialization), by a path name. */
function norms(summary: RunSummary, prefix = ''): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, layer] of Object.entries(summary.layers)) {
    if (layer.gradNorm !== null) out.set(`${prefix}${id}.gradNorm`, layer.gradNorm);
    if (layer.biasGradNorm !== null) out.set(`${prefix}${id}.biasGradNorm`, layer.biasGradNorm);
  }
  for (const [id, layer] of Object.entries(summary.probe?.layers ?? {})) {
    if (layer.kernel) out.set(`${prefix}probe.${id}.kernel`, layer.kernel.norm);
    if (layer.bias) out.set(`${prefix}probe.${id}.bias`, layer.bias.norm);
  }
  summary.losses.forEach((loss, i) => out.set(`${prefix}loss.${i}`, loss));
  for (const [i, init] of (summary.initializations ?? []).entries()) for (const [k, v] of norms(init, `init${i + 1}.`)) out.set(k, v);
  return out;
}

async function sameNumbers(threads: number, file: string): Promise<string> {
  const graph = graphOf(file);
  const summaries: RunSummary[] = [];
  for (const t of [1, threads]) {
    const session = new TrainingSession({ workerPath: join(__dirname, 'worker.js'), threads: t });
    const result = await session.run(graph, DEFAULT_RUN_OPTIONS);
    const got = session.currentThreads;
    await session.dispose();
    if (result.status !== 'done') throw new Error(`same numbers: ${t} threads: ${JSON.stringify(result)}`);
    if (got !== t) throw new Error(`same numbers: asked ${t} threads, worker has ${got}`);
    summaries.push(result.summary);
  }
  const [a, b] = summaries.map((s) => norms(s!));
  let worst = 0;
  let worstAt = '';
  let identical = 0;
  for (const [key, x] of a!) {
    const y = b!.get(key);
    if (y === undefined) throw new Error(`same numbers: ${key} missing with ${threads} threads`);
    const rel = x === y ? 0 : Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
    if (rel === 0) identical++;
    if (rel > worst) [worst, worstAt] = [rel, key];
  }
  return `Same numbers (${file}, default run options, 1 vs ${threads} threads): ${a!.size} gradient norms and losses compared, ${identical} bit-identical; largest relative difference ${worst.toExponential(2)}${worstAt ? ` (${worstAt})` : ''}.`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const threads = Number(option('threads') ?? 2);
  const rounds = Number(option('rounds') ?? 3);
  const tasks = option('only')?.split(',') ?? ['matmul', ...Object.keys(MODELS)];
  if (args.includes('--profile')) {
    const load = loadavg()[0]!;
    const { profile } = await inWorker(1, tasks, true);
    console.log(`Share of a run in thread-pool kernels (1 thread; load average ${load.toFixed(1)}, ${availableParallelism()} CPUs, node ${process.version}).\n`);
    console.log('| model | run ms | in products/convolutions ms | share p | by kernel ms |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const row of profile ?? []) {
      const kernels = Object.entries(row.byKernel).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
      console.log(`| ${row.task} | ${row.runMs.toFixed(0)} | ${row.poolMs.toFixed(0)} | ${(row.poolMs / row.runMs).toFixed(2)} | ${kernels} |`);
    }
    return;
  }
  const results: { round: number; load: number; result: WorkerResult }[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const t of round % 2 ? [threads, 1] : [1, threads]) {
      const load = loadavg()[0]!;
      const result = await inWorker(t, tasks);
      results.push({ round, load, result });
      process.stderr.write(`round ${round + 1}, ${t} thread(s), load ${load.toFixed(1)}: start ${result.startMs.toFixed(0)} ms, ${result.timings.map((x) => `${x.task} ${x.ms.toFixed(1)} ms`).join(', ')}\n`);
    }
  }
  const loads = results.map((r) => r.load);
  console.log(`Threads, ${rounds} interleaved round(s), 1 vs ${threads} threads, ${availableParallelism()} CPUs, load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}, node ${process.version}.\n`);
  console.log(`| task | 1 thread ms | ${threads} threads ms | per-round ratio ${threads}/1 | median ratio |`);
  console.log('| --- | --- | --- | --- | --- |');
  const row = (label: string, pick: (r: WorkerResult) => number | undefined): void => {
    const ratios: number[] = [];
    const one: number[] = [];
    const many: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const a = pick(results.find((r) => r.round === round && r.result.threads === 1)!.result);
      const b = pick(results.find((r) => r.round === round && r.result.threads === threads)!.result);
      if (a === undefined || b === undefined) continue;
      one.push(a);
      many.push(b);
      ratios.push(b / a);
    }
    if (ratios.length) console.log(`| ${label} | ${median(one).toFixed(1)} | ${median(many).toFixed(1)} | ${ratios.map((r) => r.toFixed(2)).join(', ')} | **${median(ratios).toFixed(2)}x** |`);
  };
  row('backend start', (r) => r.startMs);
  for (const task of tasks) {
    const label = task === 'matmul' ? '512x512 x 512x512 product' : `${task}: training step (batch 32)`;
    row(label, (r) => r.timings.find((x) => x.task === task)?.ms);
    if (task !== 'matmul') row(`${task}: probe`, (r) => r.timings.find((x) => x.task === task)?.probeMs);
  }
  console.log('');
  for (const file of ['examples/deep-sigmoid-mlp.ts', 'examples/mnist-cnn.ts']) console.log(await sameNumbers(threads, file));
}

if (isMainThread) {
  void main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
} else {
  const { threads, tasks, profile } = workerData as { threads: number; tasks: string[]; profile: boolean };
  timeTasks(threads, tasks, profile).then(
    (result) => parentPort!.postMessage(result),
    (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? error.stack ?? error.message : String(error) }),
  );
}
