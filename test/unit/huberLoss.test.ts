/**
 * Keras' Huber loss trains as Huber (delta 1), not as mean squared error: read from the string
 * and the loss object, computed as tfjs' own `tf.losses.huberLoss`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { parseSource } from '../../src/core/source';
import { lossFunction } from '../../src/training/measure';

const keras = (loss: string): string => `from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(8, activation='relu', input_shape=(4,)), keras.layers.Dense(1)])
model.compile(optimizer='adam', loss=${loss})
`;

test("Keras 'huber', 'huber_loss' and keras.losses.Huber() are read as the Huber loss, without a warning", () => {
  for (const loss of ["'huber'", "'huber_loss'", 'keras.losses.Huber()']) {
    const parsed = parseSource(keras(loss), 'm.py');
    assert.equal(parsed.models[0]!.compile?.loss, 'huber', loss);
    assert.deepEqual(parsed.problems.filter((p) => p.severity === 'warning').map((p) => p.message), [], loss);
  }
  const delta = parseSource(keras('keras.losses.Huber(delta=2.0)'), 'm.py');
  assert.ok(delta.problems.some((p) => p.severity === 'info' && /`delta` of the Huber loss is measured as Keras' default 1\.0/.test(p.message)));
});

test('the Huber loss is computed as tfjs computes it (delta 1), on both sides of the bend', async () => {
  await tf.setBackend('cpu');
  const y = tf.tensor2d([[0], [1], [2], [-3]]);
  const p = tf.tensor2d([[0.5], [-1.5], [2.2], [0.1]]);
  const ours = lossFunction(tf, 'huber')(y, p).dataSync()[0]!;
  const theirs = tf.losses.huberLoss(y, p).dataSync()[0]!;
  assert.ok(Math.abs(ours - theirs) < 1e-6, `${ours} vs ${theirs}`);
  assert.notEqual(ours, lossFunction(tf, 'meanSquaredError')(y, p).dataSync()[0]);
});
