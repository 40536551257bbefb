/**
 * Python constructs of real Keras scripts (issue 14, items 1, 3 and 4): Keras 1 spellings,
 * command-line defaults, backend layout branches, run guards, model names, tuple unpacking,
 * free time axes, holes inside wrappers, string methods in conditions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { parsePythonModels } from '../../src/core/python/index';
import type { ModelGraph, ParseResult } from '../../src/core/ir';
import { buildModel } from '../../src/training/buildModel';

const messages = (r: ParseResult): string => r.problems.map((p) => `${p.severity}: ${p.message}`).join(' | ');
const params = (m: ModelGraph): (number | undefined)[] => m.layers.map((l) => l.params);

function one(src: string, name?: string): ModelGraph {
  const r = parsePythonModels(src);
  const found = name ? r.models.find((m) => m.name === name) : r.models[0];
  assert.ok(found, `no model ${name ?? ''}: ${r.models.map((m) => m.name).join(', ')}; ${messages(r)}`);
  return found;
}

const HEAD = 'from keras.models import Sequential\nfrom keras.layers import *\n';

test('setup: cpu backend', async () => {
  await tf.setBackend('cpu');
});

test('Keras 1: Convolution2D(64, 9, 9) is a 9x9 kernel; nb_filter, border_mode, subsample, output_dim, W_regularizer', () => {
  const m = one(`${HEAD}m = Sequential()\nm.add(Convolution2D(64, 9, 9, border_mode='same', subsample=(2, 2), input_shape=(32, 32, 3)))\nm.add(Convolution2D(nb_filter=8, nb_row=3, nb_col=5, init='he_normal', W_regularizer='l2'))\nm.add(Flatten())\nm.add(Dense(output_dim=10))\n`);
  assert.deepEqual(m.layers[0]!.config.kernelSize, [9, 9]);
  assert.equal(m.layers[0]!.config.padding, 'same');
  assert.deepEqual(m.layers[0]!.config.strides, [2, 2]);
  assert.deepEqual(m.layers[1]!.config.kernelSize, [3, 5]);
  assert.equal(m.layers[1]!.config.filters, 8);
  assert.equal(m.layers[1]!.config.kernelInitializer, 'heNormal');
  assert.ok(m.layers[1]!.config.kernelRegularizer);
  assert.equal(m.layers[3]!.config.units, 10);
  // 9*9*3*64+64; 3*5*64*8+8; flatten 14*12*8; dense.
  assert.deepEqual(params(m), [15616, 7688, 0, 13450]);
  const built = buildModel(tf, m);
  assert.equal(built.countParams(), 15616 + 7688 + 13450);
  built.dispose();
  // tf.keras reads Conv2D(64, 3, 3) as strides 3 (no Keras 1 layer there); Embedding keeps output_dim.
  const tfk = one("from tensorflow.keras import layers, Sequential\nm = Sequential([layers.Conv2D(4, 3, 3, input_shape=(9, 9, 1)), layers.Flatten()])\n");
  assert.equal(tfk.layers[0]!.config.kernelSize, 3);
  assert.equal(tfk.layers[0]!.config.strides, 3);
  const emb = one(`${HEAD}m = Sequential([Embedding(100, output_dim=8, input_length=5)])\n`);
  assert.equal(emb.layers[0]!.config.outputDim, 8);
  // Keras 1 sequence layers: input_dim + input_length is the input shape; merge(mode=...).
  const rnn = one(`${HEAD}m = Sequential()\nm.add(LSTM(4, input_dim=3, input_length=7))\nm.add(Dense(1))\n`);
  assert.deepEqual(rnn.inputShape, [7, 3]);
  assert.deepEqual(params(rnn), [4 * (3 * 4 + 4 * 4 + 4), 5]);
  const merged = one("from keras.layers import Input, Dense, merge\nfrom keras.models import Model\na = Input(shape=(4,))\nb = Input(shape=(4,))\nc = merge([a, b], mode='concat', concat_axis=-1)\nm = Model([a, b], Dense(1)(c))\n");
  assert.deepEqual(merged.layers.map((l) => l.type), ['inputLayer', 'inputLayer', 'concatenate', 'dense']);
  assert.equal(merged.params, 9);
});

test('argparse defaults give command-line values; K.image_data_format() branches read channels-last', () => {
  const src = [
    'import argparse', 'from keras import backend as K', 'from keras.models import Sequential', 'from keras.layers import Conv2D, Flatten, Dense',
    'def build():',
    "    shape = (1, 28, 28) if K.image_data_format() == 'channels_first' else (28, 28, 1)",
    '    m = Sequential()',
    '    m.add(Conv2D(FLAGS.filters, FLAGS.kernel_size, input_shape=shape))',
    '    if K.image_dim_ordering() == "th":',
    '        m.add(Dense(3))',
    '    m.add(Flatten())',
    '    m.add(Dense(FLAGS.classes, activation="softmax"))',
    '    m.compile(optimizer="sgd", loss="categorical_crossentropy")',
    '    return m',
    'if __name__ == "__main__":',
    '    parser = argparse.ArgumentParser()',
    "    parser.add_argument('--filters', type=int, default=8)",
    "    parser.add_argument('--kernel-size', type=int, default='3')",
    "    parser.add_argument('--classes', type=int, default=10)",
    '    FLAGS, _ = parser.parse_known_args()',
    '    model = build()',
  ].join('\n');
  const r = parsePythonModels(src);
  const m = one(src, 'model');
  assert.equal(m.holes, undefined);
  assert.deepEqual(m.inputShape, [28, 28, 1]);
  assert.deepEqual(m.layers.map((l) => l.type), ['conv2d', 'flatten', 'dense']);
  assert.deepEqual(params(m), [80, 0, 26 * 26 * 8 * 10 + 10]);
  assert.ok(r.problems.some((p) => p.severity === 'info' && /channels-last/.test(p.message)), messages(r));
  assert.ok(r.problems.some((p) => p.severity === 'info' && /argparse defaults/.test(p.message)), messages(r));
  // An option without a default stays a hole, named as the script reads it.
  const noDefault = parsePythonModels(src.replace("'--classes', type=int, default=10", "'--classes', type=int"));
  assert.deepEqual(noDefault.models[0]!.holes?.map((h) => h.name), ['FLAGS.classes']);
});

test('name= names the model (stable across runs), run guards never block, string methods decide branches', () => {
  const src = [
    'from tensorflow import keras', 'import sys',
    'ARCH = "deep_mlp"',
    'def make():',
    '    layers = [keras.layers.Dense(8, input_shape=(4,))]',
    '    if ARCH.startswith("deep") and "mlp" in ARCH and not ARCH.endswith("cnn"):',
    '        layers.append(keras.layers.Dense(8))',
    '    if ARCH.split("_")[1] == "mlp" and ARCH.find("mlp") == 5 and ARCH.replace("deep", "").strip("_") == "mlp":',
    '        layers.append(keras.layers.Dense(4))',
    '    return keras.Sequential(layers + [keras.layers.Dense(1)], name="scorer")',
    'if __name__ == "__main__":',
    '    net = make()',
  ].join('\n');
  const first = parsePythonModels(src);
  const again = parsePythonModels(src);
  assert.deepEqual(first.models.map((m) => m.name), ['scorer']);
  assert.deepEqual(again.models.map((m) => m.name), ['scorer']);
  assert.deepEqual(params(first.models[0]!), [40, 72, 36, 5]);
  assert.ok(!first.problems.some((p) => /Condition/.test(p.message)), messages(first));
});

test('tuple unpacking of data shapes names each element; arrays the script makes have shapes', () => {
  const hole = parsePythonModels(`${HEAD}import numpy as np\nx = np.load('x.npy')\n_, n = x.shape\nm = Sequential([Dense(4, input_dim=n), Dense(1)])\n`);
  assert.deepEqual(hole.models[0]!.holes?.map((h) => [h.name, h.role]), [['x.shape[1]', 'input dim']]);
  const filled = parsePythonModels(`${HEAD}import numpy as np\nx = np.load('x.npy')\n_, n = x.shape\nm = Sequential([Dense(4, input_dim=n), Dense(1)])\n`, 'f.py', { set: { 'x.shape[1]': '6' } });
  assert.deepEqual(params(filled.models[0]!), [28, 5]);
  const known = one(`${HEAD}import numpy as np\nX = np.zeros((50, 3, 5)).astype('float32')\nsamples, steps, feats = X.shape\nm = Sequential([LSTM(2, input_shape=X.shape[1:]), Dense(1, input_dim=feats)])\n`);
  assert.deepEqual(known.inputShape, [3, 5]);
  const math = one(`${HEAD}import math\nimport numpy as np\nm = Sequential([Dense(int(math.sqrt(64)) + int(np.log2(8)), input_dim=int(np.prod([2, 3])))])\n`);
  assert.equal(math.layers[0]!.config.units, 11);
  assert.equal(math.params, 6 * 11 + 11);
});

test('a None time axis trains with a chosen length, said; holes inside wrappers are named with their role', () => {
  const r = parsePythonModels(`${HEAD}m = Sequential([LSTM(8, input_shape=(None, 3)), Dense(1)])\n`);
  const m = r.models[0]!;
  assert.deepEqual(m.inputShape, [20, 3]);
  assert.ok(r.problems.some((p) => p.severity === 'info' && /time axis is free.*20 steps/.test(p.message)), messages(r));
  const built = buildModel(tf, m);
  assert.deepEqual(built.inputs[0]!.shape, [null, 20, 3]);
  built.dispose();
  // An Embedding without input_length reads sequences of any length: the run picks 20 too.
  const emb = parsePythonModels(`${HEAD}m = Sequential([Embedding(1000, 16), GlobalAveragePooling1D(), Dense(1)])\n`);
  assert.deepEqual(emb.models[0]!.inputShape, [20]);
  assert.ok(emb.problems.some((p) => /input_length.*20 steps/.test(p.message)), messages(emb));
  const wrapped = parsePythonModels(`${HEAD}def make(units, steps):\n    return Sequential([Bidirectional(LSTM(units), input_shape=(steps, 4)), TimeDistributed(Dense(units))])\n`);
  const holes = wrapped.models[0]!.holes ?? [];
  assert.deepEqual(holes.map((h) => [h.name, h.role]).sort(), [['steps', 'time steps'], ['units', 'units']]);
  const filled = parsePythonModels(`${HEAD}def make(units, steps):\n    return Sequential([Bidirectional(LSTM(units), input_shape=(steps, 4))])\n`, 'w.py', { setFor: { make: { units: '5', steps: '7' } } });
  assert.equal(filled.models[0]!.holes, undefined);
  assert.equal(filled.models[0]!.params, 2 * 4 * (4 * 5 + 5 * 5 + 5));
});

test('a condition on an unknown string suggests the string, not True', () => {
  const r = parsePythonModels(`${HEAD}import sys\nkind = sys.argv[1]\nm = Sequential()\nif kind == 'cnn':\n    m.add(Conv1D(4, 3, input_shape=(10, 2)))\nelse:\n    m.add(LSTM(4, input_shape=(10, 2)))\n`);
  const hole = r.models[0]!.holes?.find((h) => h.role === 'condition');
  assert.ok(hole, messages(r));
  assert.equal(hole.name, 'sys.argv[1]');
  assert.equal(hole.suggestion, '"cnn"');
  // The suggestion fills the hole: the model of that branch.
  const filled = parsePythonModels(`${HEAD}import sys\nkind = sys.argv[1]\nm = Sequential()\nif kind == 'cnn':\n    m.add(Conv1D(4, 3, input_shape=(10, 2)))\nelse:\n    m.add(LSTM(4, input_shape=(10, 2)))\n`, 'k.py', { set: { [hole.name]: hole.suggestion } });
  assert.deepEqual(filled.models[0]!.layers.map((l) => l.type), ['conv1d']);
  assert.equal(filled.models[0]!.holes, undefined);
});

test('data the script loads has shapes: keras.datasets, reshape, arithmetic, train_test_split, scalers', () => {
  const mnist = one(`${HEAD}from keras.datasets import mnist\n(x_train, y_train), (x_test, y_test) = mnist.load_data()\nx_train = x_train.reshape(x_train.shape[0], -1).astype('float32') / 255\nm = Sequential([Dense(16, input_shape=(x_train.shape[1],)), Dense(10)])\n`);
  assert.deepEqual(mnist.inputShape, [784]);
  const split = one(`${HEAD}import numpy as np\nfrom sklearn.model_selection import train_test_split\nfrom sklearn.preprocessing import StandardScaler\nX = np.random.randn(200, 7)\ny = np.zeros(200)\nX_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)\nX_train = StandardScaler().fit_transform(X_train)\nm = Sequential([Dense(4, input_dim=X_train.shape[1]), Dense(1)])\nassert len(X_test) == 40\n`);
  assert.deepEqual(split.inputShape, [7]);
  // Data the script reads from a file stays a hole, named as the script reads it.
  const csv = parsePythonModels(`${HEAD}import pandas as pd\nX = pd.read_csv('d.csv').values\nm = Sequential([Dense(4, input_dim=X.shape[1]), Dense(1)])\n`);
  assert.deepEqual(csv.models[0]!.holes?.map((h) => h.name), ['X.shape[1]']);
});
