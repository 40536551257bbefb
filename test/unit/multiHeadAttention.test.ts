/**
 * Keras' MultiHeadAttention as the worker builds it (tfjs has none): its output against the
 * attention formula computed head by head with slices (another path than the layer's
 * reshape/transpose), Keras' parameter count, and a transformer block read from Python trains.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { multiHeadAttention } from '../../src/training/multiHeadAttention';
import { parsePythonModels } from '../../src/core/python/index';

test('MultiHeadAttention: output equals softmax(Q K^T / sqrt(key_dim)) V per head, then the output projection', async () => {
  await tf.setBackend('cpu');
  const heads = 2;
  const keyDim = 3;
  const valueDim = 2;
  const query = tf.randomNormal([2, 4, 5], 0, 1, 'float32', 1);
  const value = tf.randomNormal([2, 6, 7], 0, 1, 'float32', 2);
  const layer = multiHeadAttention(tf, { name: 'mha', numHeads: heads, keyDim, valueDim, attentionOutputShape: 3 });
  const out = layer.apply([query, value]) as tf.Tensor;
  assert.deepEqual(out.shape, [2, 4, 3]);
  // Keras: (5+1)*2*3 + (7+1)*2*3 + (7+1)*2*2 + (2*2+1)*3
  assert.equal(layer.countParams(), 36 + 48 + 32 + 15);
  const w = Object.fromEntries(layer.weights.map((v) => [v.originalName.replace('mha/', ''), v.read()]));
  const perHead = [];
  for (let h = 0; h < heads; h++) {
    const proj = (x: tf.Tensor, name: string, dim: number): tf.Tensor => {
      const kernel = tf.slice(w[`${name}/kernel`]!, [0, h * dim], [-1, dim]);
      const bias = tf.slice(w[`${name}/bias`]!, [h * dim], [dim]);
      return tf.add(tf.matMul(x as tf.Tensor3D, tf.tile(kernel.expandDims(0), [x.shape[0]!, 1, 1]) as tf.Tensor3D), bias);
    };
    const q = proj(query, 'query', keyDim);
    const k = proj(value, 'key', keyDim);
    const v = proj(value, 'value', valueDim);
    const scores = tf.softmax(tf.div(tf.matMul(q as tf.Tensor3D, k as tf.Tensor3D, false, true), Math.sqrt(keyDim)));
    perHead.push(tf.matMul(scores as tf.Tensor3D, v as tf.Tensor3D));
  }
  const concat = tf.concat(perHead, 2);
  const expected = tf.add(tf.matMul(concat as tf.Tensor3D, tf.tile(w['attention_output/kernel']!.expandDims(0), [2, 1, 1]) as tf.Tensor3D), w['attention_output/bias']!);
  const diff = tf.max(tf.abs(tf.sub(out, expected))).dataSync()[0]!;
  assert.ok(diff < 1e-5, `max difference ${diff}`);
});

const BLOCK = `import keras
from keras import layers

class TransformerBlock(layers.Layer):
    def __init__(self, dim, heads):
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads=heads, key_dim=dim)
        self.norm = layers.LayerNormalization()

    def call(self, inputs):
        return self.norm(inputs + self.att(inputs, inputs))

inputs = layers.Input(shape=(12,))
x = layers.Embedding(100, 16)(inputs)
x = TransformerBlock(16, 2)(x)
outputs = layers.Dense(1, activation="sigmoid")(layers.GlobalAveragePooling1D()(x))
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="binary_crossentropy")
`;

test('a transformer block with MultiHeadAttention reads with Keras shapes and parameter counts (self-attention is one input)', () => {
  const parsed = parsePythonModels(BLOCK, 't.py');
  const mha = parsed.models[0]!.layers.find((l) => l.type === 'multiHeadAttention')!;
  assert.deepEqual(mha.outputShape, [null, 12, 16]);
  assert.equal(mha.params, 3 * (16 + 1) * 32 + (32 + 1) * 16);
  assert.equal(mha.inbound.length, 1);
  assert.deepEqual(parsed.problems.filter((p) => p.severity !== 'info'), []);
});

test('the CLI trains a keras-io style transformer classifier', () => {
  const root = join(__dirname, '..');
  const result = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'analyze', 'test/fixtures/kerasio/transformer_block.py', '--json', '--seeds', '1', '--time-budget', '30'], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  const report = JSON.parse(result.stdout) as { files: { models: { name: string; measurement: { status: string; message?: string } }[] }[] };
  assert.deepEqual(report.files[0]!.models.map((m) => [m.name, m.measurement.status, m.measurement.status === 'measured' ? '' : m.measurement.message]), [['classifier', 'measured', '']]);
});
