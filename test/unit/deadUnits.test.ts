import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { deadUnitFraction } from '../../src/training/measure';

const fractionOf = (t: tf.Tensor, channelsFirst = false): number => {
  const f = deadUnitFraction(tf, t, channelsFirst);
  const value = f.dataSync()[0]!;
  tf.dispose([t, f]);
  return value;
};

test('a dense layer: a unit is dead when it is zero for every sample', async () => {
  await tf.setBackend('cpu');
  // units 0 and 2 are zero for both samples; unit 1 fires for the second sample only.
  assert.equal(fractionOf(tf.tensor2d([[0, 0, -1, 0], [0, 3, 0, 2]])), 0.5);
});

test('a conv filter active at one position of one sample is alive (a unit is a channel, not a position)', async () => {
  await tf.setBackend('cpu');
  // [batch 2, 3 x 3, 4 channels]: channel 1 fires at a single position; channels 0, 2, 3 never.
  const values = new Float32Array(2 * 3 * 3 * 4);
  values[(1 * 9 + 4) * 4 + 1] = 0.5;
  assert.equal(fractionOf(tf.tensor4d(values, [2, 3, 3, 4])), 0.75);
  // Counted per position it would be 71 of 72 (0.986): the reading this replaces.
});

test('channels-first outputs count their second axis as the channels', async () => {
  await tf.setBackend('cpu');
  // [batch 1, 4 channels, 1 x 2]: channel 0 fires at both positions, channels 1-3 never.
  const values = [1, 1, 0, 0, 0, 0, 0, 0];
  assert.equal(fractionOf(tf.tensor4d(values, [1, 4, 1, 2]), true), 0.75);
  // Read as channels last, the same values are 2 channels, both alive.
  assert.equal(fractionOf(tf.tensor4d(values, [1, 4, 1, 2]), false), 0);
});

test('dead units are judged on 32 samples whatever the training batch: a healthy He ReLU layer trained on batches of 1 is not half dead', async () => {
  await tf.setBackend('cpu');
  const { parseSource } = await import('../../src/core/source');
  const { measure, DEAD_UNIT_SAMPLES } = await import('../../src/training/measure');
  const { DEFAULT_RUN_OPTIONS } = await import('../../src/training/protocol');
  const { measuredFindings } = await import('../../src/core/analysis/measuredRules');
  const text = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({units: 64, inputShape: [20], activation: 'relu', kernelInitializer: 'heNormal'}));
model.add(tf.layers.dense({units: 64, activation: 'relu', kernelInitializer: 'heNormal'}));
model.add(tf.layers.dense({units: 1}));
model.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
`;
  const graph = parseSource(text, 'm.ts').models[0]!;
  // A batch of 1, as the time budget leaves a large conv net: "zero for every sample" of one
  // sample is about half of any ReLU layer.
  const summary = await measure(tf, graph, { ...DEFAULT_RUN_OPTIONS, batchSize: 1, samples: 64, epochs: 1, seeds: 1, maxSeeds: 1 }, {}, { cancelled: () => false });
  for (const id of ['dense_1', 'dense_2']) {
    const dead = summary.probe!.activations[id]!.dead!;
    assert.ok(dead < 0.1, `${id}: ${dead}`);
  }
  assert.equal(DEAD_UNIT_SAMPLES, 32);
  assert.ok(!measuredFindings(graph, summary).findings.some((f) => f.code === 'dead-relu'));
});
