/**
 * The training worker after abnormal ends (issue 17 item 3): a run stopped at its budget, a wasm
 * out-of-memory and a crash each end with a result, and the next run works on a fresh worker;
 * failing runs leak nothing, so the process' memory stays flat over 20 of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelGraph } from '../../src/core/ir';
import { parseSource } from '../../src/core/source';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../src/training/protocol';
import { TrainingSession } from '../../src/training/session';

const workerPath = join(__dirname, 'worker.js');
const ts = (text: string): ModelGraph => parseSource(`import * as tf from '@tensorflow/tfjs';\n${text}`, 'model.ts').models[0]!;
const healthy = parseSource(readFileSync(join(__dirname, '..', 'examples', 'deep-sigmoid-mlp.ts'), 'utf8'), 'deep-sigmoid-mlp.ts').models[0]!;
const QUICK: RunOptions = { ...DEFAULT_RUN_OPTIONS, epochs: 1, seeds: 1 };

/** The worker the session is using now (private; read to tell a fresh worker from the old one). */
const workerOf = (session: TrainingSession): unknown => (session as unknown as { worker: unknown }).worker;

test('after a run stopped at its budget the next run works; a budget stop after the probe keeps the probe, marked partial', async () => {
  // No grace: the host stops the worker the moment the budget ends, before it could answer.
  const session = new TrainingSession({ workerPath, graceMs: 0 });
  try {
    const stopped = await session.run(healthy, { ...QUICK, timeBudgetMs: 1 });
    assert.equal(stopped.status, 'error');
    if (stopped.status === 'error') assert.match(stopped.message, /Nothing was measured within the 1 ms time budget/);
    assert.equal(workerOf(session), undefined, 'the stopped worker is dropped at once');
    const next = await session.run(healthy, QUICK);
    assert.equal(next.status, 'done', JSON.stringify(next));

    // Training far longer than the budget: whichever side stops it (the worker between steps, or
    // the host), the result is the measurement so far, marked partial.
    const partial = await session.run(healthy, { ...QUICK, epochs: 100_000, timeBudgetMs: 4000 });
    assert.equal(partial.status, 'done', JSON.stringify(partial));
    if (partial.status === 'done') {
      assert.equal(partial.summary.stoppedBy, 'budget');
      assert.match(partial.summary.partial!.reason, /4 s time budget ran out/);
      assert.ok(partial.summary.layers.dense_1!.gradNorm! > 0);
    }
    const after = await session.run(healthy, QUICK);
    assert.equal(after.status, 'done');
  } finally {
    await session.dispose();
  }
});

test('after a wasm out-of-memory the worker is replaced and the next run works', async () => {
  const session = new TrainingSession({ workerPath });
  try {
    await session.run(healthy, QUICK);
    const first = workerOf(session);
    // 32 x 5800 x 5800 floats (4.3 GB) is past the wasm heap's 4 GiB; the memory check is lifted
    // so the backend itself runs out.
    const huge = ts(`const m = tf.sequential();\nm.add(tf.layers.upSampling2d({size: [5800, 5800], inputShape: [1, 1, 1]}));\nm.add(tf.layers.globalAveragePooling2d({}));\nm.add(tf.layers.dense({units: 1}));`);
    const oom = await session.run(huge, { ...QUICK, samples: 64, timeBudgetMs: 600_000, memoryLimitBytes: 64 * 1024 ** 3 });
    assert.equal(oom.status, 'error', JSON.stringify(oom));
    if (oom.status === 'error') assert.match(oom.message, /The wasm backend ran out of memory while training this model/);
    assert.notEqual(workerOf(session), first, 'the worker that ran out of memory is not reused');
    const next = await session.run(healthy, QUICK);
    assert.equal(next.status, 'done', JSON.stringify(next));
  } finally {
    await session.dispose();
  }
});

test('after a crash mid-run the next run works', async () => {
  const session = new TrainingSession({ workerPath });
  try {
    const crashed = await session.run(healthy, { ...QUICK, epochs: 500 }, (m) => {
      if (m.type === 'probe') void (workerOf(session) as { terminate(): Promise<number> }).terminate();
    });
    assert.equal(crashed.status, 'error');
    const next = await session.run(healthy, QUICK);
    assert.equal(next.status, 'done', JSON.stringify(next));
  } finally {
    await session.dispose();
  }
});

test('20 failing runs (an unknown optimizer, a layer tfjs rejects) keep the worker and leave RSS flat', async (t) => {
  const session = new TrainingSession({ workerPath });
  // 2 x 2000 x 2000 weights: 32 MB a model, so a run that leaked its model would add 32 MB.
  const big = `const m = tf.sequential();\nm.add(tf.layers.dense({units: 2000, inputShape: [2000]}));\nm.add(tf.layers.dense({units: 2000}));\n`;
  const badOptimizer = ts(`${big}m.compile({optimizer: tf.train.notAnOptimizer(0.1), loss: 'meanSquaredError'});`);
  const rejectedLayer = ts(`${big}m.add(tf.layers.conv2d({filters: 2, kernelSize: 3}));`);
  try {
    const rss: number[] = [];
    let worker: unknown;
    for (let i = 0; i < 20; i++) {
      const result = await session.run(i % 2 ? rejectedLayer : badOptimizer, QUICK);
      assert.equal(result.status, 'error');
      if (result.status === 'error') assert.match(result.message, i % 2 ? /conv2d_1/ : /notAnOptimizer/);
      if (i === 0) worker = workerOf(session);
      else assert.equal(workerOf(session), worker, 'an ordinary failure keeps the worker');
      rss.push(process.memoryUsage().rss);
    }
    // From the 5th run (allocators warmed up) to the 20th: measured growth here is 0-20 MB
    // (218 -> 236 -> 233 MB); a leaked model per run would add 15 x 32 = 480 MB. 64 MB is two
    // leaked models' worth, well above the noise.
    const growth = (rss[19]! - rss[4]!) / 1024 ** 2;
    t.diagnostic(`RSS MB over 20 failing runs: ${rss.map((r) => Math.round(r / 1024 ** 2)).join(' ')}`);
    assert.ok(growth < 64, `RSS grew ${growth.toFixed(0)} MB over 15 failing runs (${rss.map((r) => Math.round(r / 1024 ** 2)).join(' ')})`);
    const next = await session.run(healthy, QUICK);
    assert.equal(next.status, 'done');
  } finally {
    await session.dispose();
  }
});
