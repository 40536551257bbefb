/**
 * Models that used to crash a run (issue 14 item 6) are measured or refused with the product's
 * own message on the right layer, every failing run releases what it built, a run over its
 * budget keeps what it probed, and a kernel missing on wasm falls back to cpu. In-process, with
 * the same `measure` the worker runs. Inputs: the team's cases (test/fixtures/cases, copies of
 * ../shared/cases) and our own (test/fixtures/robustness).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { ModelGraph } from '../../src/core/ir';
import { parseSource } from '../../src/core/source';
import { measure, measureWithFallback, MeasureError } from '../../src/training/measure';
import { DEFAULT_RUN_OPTIONS, type RunOptions, type RunSummary } from '../../src/training/protocol';
import { registerMissingWasmKernels } from '../../src/training/wasmKernels';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'robustness');
const EXAMPLES = join(__dirname, '..', 'examples');
const graphOf = (path: string): ModelGraph => {
  const models = parseSource(readFileSync(path, 'utf8'), path).models;
  assert.equal(models.length, 1, `${path}: one model`);
  return models[0]!;
};
/** The team's case files live once, in test/fixtures/cases/{keras,tfjs}; the rest here. */
const CASES = join(__dirname, '..', 'test', 'fixtures', 'cases');
const fixture = (name: string): ModelGraph => graphOf(/^(r\d|dd_|dl_)/.test(name) ? join(CASES, 'keras', name) : /^\d\d_/.test(name) ? join(CASES, 'tfjs', name) : join(FIXTURES, name));
const QUICK: RunOptions = { ...DEFAULT_RUN_OPTIONS, epochs: 1, samples: 64, seeds: 1 };
const run = (graph: ModelGraph, options: RunOptions = QUICK): Promise<RunSummary> => measure(tf, graph, options, {}, { cancelled: () => false });

async function refusal(graph: ModelGraph, options: RunOptions = QUICK): Promise<MeasureError> {
  try {
    await run(graph, options);
  } catch (error) {
    assert.ok(error instanceof MeasureError, `a MeasureError, not ${String(error)}`);
    return error;
  }
  assert.fail('the run should have been refused');
}

test('a GRU stack over one time step trains (tfjs Unpack gradient with one output)', async () => {
  await tf.setBackend('cpu');
  const summary = await run(fixture('r05_gru_one_step.py'));
  assert.equal(summary.stoppedBy, 'completed');
  assert.deepEqual(summary.trainableLayers, ['gru_1', 'gru_2', 'dense_1']);
  for (const id of summary.trainableLayers) {
    const norm = summary.layers[id]!.gradNorm!;
    assert.ok(Number.isFinite(norm) && norm > 0, `${id}: gradient norm ${norm}`);
  }
});

test('categorical crossentropy on one softmax unit is measured: loss and gradients are 0, as in Keras', async () => {
  await tf.setBackend('cpu');
  const summary = await run(fixture('r04_cce_one_unit.py'));
  assert.equal(summary.stoppedBy, 'completed');
  // softmax over one unit is 1: -log(1) up to the 1e-7 clip, and the clip passes no gradient.
  assert.ok(summary.losses.every((l) => Math.abs(l) < 1e-6), `losses ${summary.losses.slice(0, 3)}`);
  assert.equal(summary.layers.dense_1!.gradNorm, 0);
});

test('zero and negative dimensions and an input-only model are refused on their layer before anything is built', async () => {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const zero = await refusal(fixture('zero.ts'));
  assert.equal(zero.layerId, 'dense_1');
  assert.match(zero.message, /^`dense_1` has a dimension of 0; every dimension must be a positive integer/);
  const negative = await refusal(fixture('neg.ts'));
  assert.equal(negative.layerId, 'dense_2');
  assert.match(negative.message, /^`dense_2` has `units: -3`; it must be a positive integer/);
  const inputOnly = await refusal(fixture('onlyinput.ts'));
  assert.equal(inputOnly.layerId, undefined);
  assert.match(inputOnly.message, /no trainable weights \(it is only an input\)/);
  assert.doesNotMatch(inputOnly.message, /variableGrads/);
  assert.equal(tf.memory().numTensors, before);
});

test('20 failing runs of 5 kinds leave no tensor and no variable behind', async () => {
  await tf.setBackend('cpu');
  const head = `import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential();\nm.add(tf.layers.dense({units: 64, inputShape: [32]}));\nm.add(tf.layers.dense({units: 64}));\n`;
  const ts = (body: string): ModelGraph => parseSource(head + body, 'leak.ts').models[0]!;
  const failing = [
    // each fails at a different point: compile, tfjs' layer check, the data, the memory check, the loss
    ts(`m.compile({optimizer: tf.train.notAnOptimizer(0.1), loss: 'meanSquaredError'});`),
    ts(`m.add(tf.layers.conv2d({filters: 2, kernelSize: 3}));`),
    ts(`m.add(tf.layers.dense({units: 1}));`),
    ts(`m.add(tf.layers.dense({units: 1}));`),
    fixture('neg.ts'),
  ];
  const options: RunOptions[] = [QUICK, QUICK, { ...QUICK, data: { inputs: [[1, 2]], labels: [1] } }, { ...QUICK, memoryLimitBytes: 1000 }, QUICK];
  const tensors = tf.memory().numTensors;
  const variables = Object.keys(tf.engine().registeredVariables).length;
  for (let i = 0; i < 20; i++) {
    const k = i % failing.length;
    await refusal(failing[k]!, options[k]!);
    assert.equal(tf.memory().numTensors, tensors, `run ${i + 1} (kind ${k + 1}) left tensors`);
    assert.equal(Object.keys(tf.engine().registeredVariables).length, variables, `run ${i + 1} (kind ${k + 1}) left variables`);
  }
  // A successful run releases everything too.
  await run(graphOf(join(EXAMPLES, 'deep-sigmoid-mlp.ts')));
  assert.equal(tf.memory().numTensors, tensors);
});

test('a budget that runs out during the probe reports what was probed, marked partial', async () => {
  await tf.setBackend('cpu');
  const graph = graphOf(join(EXAMPLES, 'deep-sigmoid-mlp.ts'));
  const summary = await run(graph, { ...DEFAULT_RUN_OPTIONS, timeBudgetMs: 1 });
  assert.equal(summary.stoppedBy, 'budget');
  assert.equal(summary.steps, 0);
  assert.equal(summary.probe!.reduced!.batches, 1);
  assert.match(summary.partial!.reason, /the 1 ms time budget ran out during the probe at initialization \(1 of 3 probe batches; probe parts left out: .*; no training\)/);
  assert.ok(summary.layers.dense_1!.gradNorm! > 0, 'the probed statistics are kept');

  // Training far longer than the budget: it stops before the budget, with what it has (on a
  // loaded machine the probe alone may use the budget up; the reason then says so).
  const training = await run(graph, { ...QUICK, epochs: 100_000, timeBudgetMs: 3000 });
  assert.equal(training.stoppedBy, 'budget');
  const expected = training.steps > 0 ? `ran out after ${training.steps} of 200000 training steps` : 'ran out during the probe';
  assert.match(training.partial!.reason, new RegExp(`the 3 s time budget ${expected}`));
  assert.ok(training.elapsedMs < 3000 + 1000, `stopped near the budget: ${training.elapsedMs} ms`);

  const complete = await run(graph);
  assert.equal(complete.partial, undefined);
});

test('a step too large for memory gets a smaller batch, said in a note; a model too large even for one sample is refused on its largest layer', async () => {
  await tf.setBackend('cpu');
  const graph = graphOf(join(EXAMPLES, 'deep-sigmoid-mlp.ts'));
  // 43,594 params x 16 bytes + 4 samples x 714 output floats x 32 bytes
  const limit = 43_594 * 16 + 4 * 714 * 32 + 100;
  const smaller = await run(graph, { ...QUICK, memoryLimitBytes: limit });
  assert.equal(smaller.batchSize, 4);
  assert.match(smaller.notes!.join(' '), /Batch size 4 instead of 32/);
  assert.equal(smaller.stoppedBy, 'completed');
  const big = await refusal(fixture('r18a_wasm_memory.py'), { ...QUICK, samples: 2, memoryLimitBytes: 256 * 1024 ** 2 });
  assert.equal(big.layerId, 'conv2d_1');
  assert.match(big.message, /too large to train here: one sample needs about .*largest output is `conv2d_1`'s/);
});

test('a kernel missing on wasm: the model falls back to the cpu backend by itself and says so', async () => {
  setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  // Whatever kernels the wasm backend gains, this one is taken away for the test and put back.
  const kernel = 'UnsortedSegmentSum';
  const saved = tf.getKernel(kernel, 'wasm');
  if (saved) tf.unregisterKernel(kernel, 'wasm');
  try {
    const summary = await measureWithFallback(tf, fixture('r12_embedding_wasm.py'), QUICK, {}, { cancelled: () => false });
    assert.equal(summary.backend, 'cpu');
    assert.equal(summary.stoppedBy, 'completed');
    assert.match(summary.notes![0]!, /no 'UnsortedSegmentSum' kernel.*measured on the slower cpu backend/);
    assert.ok(summary.layers.embedding_1!.gradNorm! > 0);
    assert.equal(tf.getBackend(), 'wasm', 'the next model starts on wasm again');
  } finally {
    if (saved) tf.registerKernel(saved);
    await tf.setBackend('cpu');
  }
});
