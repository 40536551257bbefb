/**
 * The threaded wasm build in the training worker (issue 19): the pool size we choose, the
 * threaded start, the same numbers as single-threaded, and the fallback when it cannot start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, UsageError } from '../../src/cli/args';
import { DEFAULT_MEASURED_THRESHOLDS, measuredFindings } from '../../src/core/analysis/measuredRules';
import type { ModelGraph } from '../../src/core/ir';
import { parseModels } from '../../src/core/parse/index';
import { DEFAULT_RUN_OPTIONS, type RunOptions, type RunSummary } from '../../src/training/protocol';
import { TrainingSession } from '../../src/training/session';
import { autoWasmThreads, MAX_WASM_THREADS, resolveWasmThreads } from '../../src/training/threads';
import { PTHREAD_MAIN_SCRIPT, PTHREAD_WORKER_SCRIPT } from '../../src/training/wasmThreads';

const workerPath = join(__dirname, 'worker.js');
const graph: ModelGraph = parseModels(`
import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({ units: 48, activation: 'sigmoid', inputShape: [16] }));
for (let i = 0; i < 6; i++) model.add(tf.layers.dense({ units: 48, activation: 'sigmoid' }));
model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
`, 'tiny-sigmoid.ts').models[0]!;
const options: RunOptions = { ...DEFAULT_RUN_OPTIONS, epochs: 1, samples: 64, batchSize: 16, seeds: 1, maxSeeds: 1 };
const noThreads = availableParallelism() < 2 ? `this machine has ${availableParallelism()} CPU: a 2-thread pool cannot run in parallel here` : false;

/** A folder with tfjs' .wasm files (from beside the test bundle) and, optionally, pthread scripts. */
function wasmFolder(pthreadWorker?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gl-wasm-'));
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(__dirname, file), join(dir, file));
  if (pthreadWorker !== undefined) {
    copyFileSync(join(__dirname, PTHREAD_MAIN_SCRIPT), join(dir, PTHREAD_MAIN_SCRIPT));
    writeFileSync(join(dir, PTHREAD_WORKER_SCRIPT), pthreadWorker);
  }
  return dir;
}

async function runWith(sessionOptions: ConstructorParameters<typeof TrainingSession>[0]): Promise<{ summary: RunSummary; threads: number | undefined; log: string[] }> {
  const log: string[] = [];
  const session = new TrainingSession({ workerPath, ...sessionOptions, log: (line) => log.push(line) });
  try {
    const result = await session.run(graph, options);
    assert.equal(result.status, 'done', JSON.stringify(result));
    if (result.status !== 'done') throw new Error('not done');
    assert.equal(result.backend, 'wasm');
    return { summary: result.summary, threads: session.currentThreads, log };
  } finally {
    await session.dispose();
  }
}

test('auto threads: off on 1-2 cores, half the cores shared among workers, at most 8', () => {
  assert.equal(autoWasmThreads(1), 1);
  assert.equal(autoWasmThreads(2), 1);
  assert.equal(autoWasmThreads(3), 1, 'half of 3 is 1: no pool');
  assert.equal(autoWasmThreads(4), 2);
  assert.equal(autoWasmThreads(8), 4);
  assert.equal(autoWasmThreads(16), 8);
  assert.equal(autoWasmThreads(64), MAX_WASM_THREADS);
  assert.equal(autoWasmThreads(8, 2), 2, 'two workers share 8 cores: 2 threads each');
  assert.equal(autoWasmThreads(8, 4), 1, 'four workers on 8 cores: one thread each');
  assert.equal(resolveWasmThreads(undefined, 8), 4);
  assert.equal(resolveWasmThreads(0, 8), 4);
  assert.equal(resolveWasmThreads(1, 64), 1);
  assert.equal(resolveWasmThreads(3, 2), 3, 'an explicit count is kept on a small machine');
  assert.equal(resolveWasmThreads(20, 64), MAX_WASM_THREADS);
  assert.throws(() => resolveWasmThreads(-1, 8), RangeError);
  assert.throws(() => resolveWasmThreads(1.5, 8), RangeError);
});

test('--threads N: 0 (auto) to 8, in the usage text', () => {
  const parsed = parseArgs(['analyze', 'm.ts', '--threads', '2']);
  assert.equal(parsed.command === 'analyze' && parsed.threads, 2);
  const auto = parseArgs(['analyze', 'm.ts', '--threads=0']);
  assert.equal(auto.command === 'analyze' && auto.threads, 0);
  for (const bad of ['9', '-1', '1.5', 'many']) assert.throws(() => parseArgs(['analyze', 'm.ts', '--threads', bad]), UsageError, bad);
});

test('the threaded build starts in the worker and trains to the same numbers and verdict as one thread', { skip: noThreads }, async () => {
  const one = await runWith({ threads: 1 });
  const two = await runWith({ threads: 2 });
  assert.equal(one.threads, 1);
  assert.equal(two.threads, 2, `log: ${two.log.join(' | ')}`);
  assert.equal(two.summary.notes, undefined, 'no fallback note (threads, or the fused kernels on the shared memory)');
  const verdict = (summary: RunSummary): string => measuredFindings(graph, summary, DEFAULT_MEASURED_THRESHOLDS).modelVerdict;
  assert.equal(verdict(two.summary), verdict(one.summary));
  assert.equal(two.summary.steps, one.summary.steps);
  // XNNPACK splits a product by output tiles, one thread per tile, so each sum keeps its order:
  // measured identical. A tolerance of float32 rounding would still accept a reordered sum.
  for (const id of one.summary.trainableLayers) {
    const a = one.summary.layers[id]!.gradNorm!;
    const b = two.summary.layers[id]!.gradNorm!;
    assert.ok(Math.abs(a - b) <= 1e-5 * Math.abs(a), `${id}: ${a} vs ${b}`);
  }
  assert.deepEqual(two.summary.losses.map((l) => l.toPrecision(5)), one.summary.losses.map((l) => l.toPrecision(5)));
});

test('a threaded start that fails (a pthread script that throws) falls back to one thread, with a note in the run', { skip: noThreads }, async () => {
  const dir = wasmFolder('throw new Error("broken pthread script");\n');
  try {
    const { summary, threads, log } = await runWith({ threads: 2, wasmDir: dir });
    assert.equal(threads, 1);
    const note = summary.notes?.find((n) => n.startsWith('The threaded wasm build (2 threads) did not start'));
    assert.ok(note, `notes: ${JSON.stringify(summary.notes)}`);
    assert.match(note, /broken pthread script|worker/);
    assert.ok(log.some((line) => line.startsWith('The threaded wasm build')), log.join('\n'));
    assert.ok(summary.steps > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a threaded start that hangs (a pthread worker that never loads) is given up after its timeout, the run posted again single-threaded', { skip: noThreads }, async () => {
  // Alive, listening, never answering `load` with `loaded`: tfjs' start never ends.
  const dir = wasmFolder('require("node:worker_threads").parentPort.on("message", () => undefined);\n');
  try {
    const started = performance.now();
    const { summary, threads } = await runWith({ threads: 2, wasmDir: dir, threadsStartTimeoutMs: 1500 });
    assert.equal(threads, 1);
    assert.ok(summary.notes?.some((n) => n.includes('did not start (it did not start within 1.5 s)')), JSON.stringify(summary.notes));
    assert.ok(performance.now() - started >= 1500, 'the fallback came after the timeout');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without the pthread scripts beside the .wasm files, the worker runs single-threaded and says why', async () => {
  const dir = wasmFolder();
  try {
    const { summary, threads } = await runWith({ threads: 2, wasmDir: dir });
    assert.equal(threads, 1);
    assert.ok(summary.notes?.some((n) => n.includes(PTHREAD_WORKER_SCRIPT) && n.includes('single-threaded')), JSON.stringify(summary.notes));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
