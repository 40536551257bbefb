import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelGraph } from '../../src/core/ir';
import { parseModels } from '../../src/core/parse/index';
import { DEFAULT_RUN_OPTIONS, type WorkerToHost } from '../../src/training/protocol';
import { TrainingSession } from '../../src/training/session';

const examples = join(__dirname, '..', 'examples');
const example = (file: string): ModelGraph => parseModels(readFileSync(join(examples, file), 'utf8'), file).models[0]!;

function ratio(summary: { trainableLayers: readonly string[]; probe?: { layers: Record<string, { kernel?: { norm: number } }> } }): number {
  const ids = summary.trainableLayers;
  const first = summary.probe!.layers[ids[0]!]!.kernel!.norm;
  const last = summary.probe!.layers[ids[ids.length - 1]!]!.kernel!.norm;
  return first / last;
}

test('the textbook case vanishes at initialization on wasm; its ReLU + batch-norm repair does not', async () => {
  const session = new TrainingSession({ workerPath: join(__dirname, 'worker.js') });
  try {
    const events: WorkerToHost['type'][] = [];
    const sigmoid = await session.run(example('deep-sigmoid-mlp.ts'), { ...DEFAULT_RUN_OPTIONS, epochs: 1 }, (m) => events.push(m.type));
    assert.equal(sigmoid.status, 'done', JSON.stringify(sigmoid));
    if (sigmoid.status !== 'done') return;
    assert.equal(sigmoid.backend, 'wasm');
    assert.ok(ratio(sigmoid.summary) < 1e-3, `first/last ratio ${ratio(sigmoid.summary)}`);
    assert.deepEqual([events[0], events[1]], ['started', 'probe'], 'the probe arrives before any step');
    assert.ok(events.includes('steps'));
    assert.equal(events[events.length - 1], 'done');
    assert.ok(sigmoid.summary.layers.dense_1!.gradNorm! < 1e-5);

    const repaired = await session.run(example('relu-batchnorm-mlp.ts'), { ...DEFAULT_RUN_OPTIONS, epochs: 1 });
    assert.equal(repaired.status, 'done');
    if (repaired.status === 'done') assert.ok(ratio(repaired.summary) > 0.1, `first/last ratio ${ratio(repaired.summary)}`);
  } finally {
    await session.dispose();
  }
});

test('exploding gradients end the run at the first non-finite value', async () => {
  const session = new TrainingSession({ workerPath: join(__dirname, 'worker.js') });
  try {
    const result = await session.run(example('exploding-relu.ts'), DEFAULT_RUN_OPTIONS);
    assert.equal(result.status, 'done');
    if (result.status !== 'done') return;
    assert.equal(result.summary.stoppedBy, 'non-finite');
    assert.ok(result.summary.nonFinite);
    assert.ok(result.summary.steps <= 1);
  } finally {
    await session.dispose();
  }
});

test('cancel, zero budget, a short budget, bad graphs and a crash each end cleanly, and the worker keeps working', async () => {
  const session = new TrainingSession({ workerPath: join(__dirname, 'worker.js') });
  const graph = example('deep-sigmoid-mlp.ts');
  try {
    // Cancel as soon as the probe arrives.
    const cancelled = await session.run(graph, { ...DEFAULT_RUN_OPTIONS, epochs: 500 }, (m) => {
      if (m.type === 'probe') session.cancel();
    });
    assert.equal(cancelled.status, 'cancelled');
    if (cancelled.status === 'cancelled') assert.ok(cancelled.summary!.steps < 500 * 8);

    const zero = await session.run(graph, { ...DEFAULT_RUN_OPTIONS, timeBudgetMs: 0 });
    assert.equal(zero.status, 'error');

    const budget = await session.run(graph, { ...DEFAULT_RUN_OPTIONS, epochs: 10_000, timeBudgetMs: 1500 });
    assert.equal(budget.status, 'done');
    if (budget.status === 'done') assert.equal(budget.summary.stoppedBy, 'budget');

    const unknownLayer = parseModels(`import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential();\nm.add(tf.layers.dense({units: 2, inputShape: [3]}));\nm.add(tf.layers.fancy({units: 2}));`, 'x.ts').models[0]!;
    const bad = await session.run(unknownLayer, DEFAULT_RUN_OPTIONS);
    assert.equal(bad.status, 'error');
    if (bad.status === 'error') {
      assert.equal(bad.layerId, 'fancy_1');
      assert.match(bad.message, /not a tfjs layer/);
    }
    const shapeError = parseModels(`import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential();\nm.add(tf.layers.conv2d({filters: 2, kernelSize: 3, inputShape: [8]}));`, 'y.ts').models[0]!;
    const rejected = await session.run(shapeError, DEFAULT_RUN_OPTIONS);
    assert.equal(rejected.status, 'error');

    // A worker that dies mid-run: the run ends with an error, the next run gets a new worker.
    const crashing = new TrainingSession({ workerPath: join(__dirname, 'worker.js') });
    const crash = crashing.run(graph, { ...DEFAULT_RUN_OPTIONS, epochs: 500 }, (m) => {
      if (m.type === 'probe') void (crashing as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    });
    const crashed = await crash;
    assert.equal(crashed.status, 'error');
    if (crashed.status === 'error') assert.match(crashed.message, /stopped|crashed/);
    const after = await crashing.run(graph, { ...DEFAULT_RUN_OPTIONS, epochs: 1 });
    assert.equal(after.status, 'done');
    await crashing.dispose();

    const still = await session.run(graph, { ...DEFAULT_RUN_OPTIONS, epochs: 1 });
    assert.equal(still.status, 'done');
  } finally {
    await session.dispose();
  }
});
