/**
 * The probe's look after one update applies the gradients its first batch already computed
 * (issue 19: one gradient pass less) instead of recomputing them: the whole run's numbers are
 * the same as when they are recomputed (`keepGradientsBytes: 0`), with batch norm (whose moving
 * statistics the skipped pass updated), dropout (whose draws make the pass unrepeatable: not kept),
 * and a clipped optimizer; and no kept tensor outlives the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { readSource } from '../../src/core/pipeline/index';
import { measure } from '../../src/training/measure';
import { DEFAULT_RUN_OPTIONS, type RunOptions, type RunSummary } from '../../src/training/protocol';

const CASES: Record<string, { file: string; text: string }> = {
  'batch norm, Adam': {
    file: 'bn.ts',
    text: `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({ units: 12, activation: 'relu', inputShape: [6] }));
model.add(tf.layers.batchNormalization());
model.add(tf.layers.dense({ units: 12, activation: 'relu' }));
model.add(tf.layers.batchNormalization());
model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
`,
  },
  'dropout, SGD': {
    file: 'dropout.ts',
    text: `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({ units: 12, activation: 'tanh', inputShape: [6] }));
model.add(tf.layers.dropout({ rate: 0.5 }));
model.add(tf.layers.dense({ units: 1 }));
model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
`,
  },
  'clipnorm (Keras)': {
    file: 'clipped.py',
    text: `from tensorflow import keras
model = keras.Sequential([
    keras.layers.Dense(12, activation='sigmoid', input_shape=(6,)),
    keras.layers.Dense(12, activation='sigmoid'),
    keras.layers.Dense(1),
])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5, clipnorm=0.01), loss='mse')
`,
  },
};

const OPTIONS: RunOptions = { ...DEFAULT_RUN_OPTIONS, epochs: 2, samples: 64, batchSize: 16, seeds: 1, seed: 5 };

/** The summary without its wall times (the only fields two runs of the same seed may differ in). */
function numbers(summary: RunSummary): unknown {
  return JSON.parse(JSON.stringify(summary, (key, value: unknown) => (/Ms$/.test(key) ? undefined : value)));
}

for (const [name, { file, text }] of Object.entries(CASES)) {
  test(`the look after one update reuses the probe's gradients with the same numbers: ${name}`, async () => {
    await tf.setBackend('cpu');
    const graph = readSource(text, file).entries[0]!.model;
    const tensors = tf.memory().numTensors;
    const kept = await measure(tf, graph, OPTIONS, {}, { cancelled: () => false });
    assert.equal(tf.memory().numTensors, tensors, 'no tensor outlives the run');
    const recomputed = await measure(tf, graph, OPTIONS, {}, { cancelled: () => false, keepGradientsBytes: 0 });
    assert.equal(kept.stoppedBy, 'completed');
    assert.ok(kept.probe?.afterFirstUpdate, 'the look after one update ran');
    assert.deepEqual(numbers(kept), numbers(recomputed));
  });
}
