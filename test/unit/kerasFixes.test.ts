/** Fixes on Keras (Python) code: edits in the file's style, re-read by the Keras parser, built in tfjs. */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { applyFixes, FIX_CODES, planFix } from '../../src/core/fixes/index';
import { CLIPPED_OPTIMIZER_CALL } from '../../src/core/ir';
import { parseSource } from '../../src/core/source';
import { buildModel } from '../../src/training/buildModel';

const ROOT = join(__dirname, '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const only = (text: string, name?: string) => {
  const models = parseSource(text, 'model.py').models;
  return name ? models.find((m) => m.name === name)! : models[0]!;
};

test('the seed example: activation-relu then init-he make every hidden layer ReLU + He, the output stays softmax', () => {
  const source = read('examples/deep_sigmoid_mlp.py');
  const { text, applied } = applyFixes(source, 'deep_sigmoid_mlp.py', 'model', ['activation-relu', 'init-he']);
  assert.deepEqual(applied, ['activation-relu', 'init-he']);
  assert.match(text, /model\.add\(layers\.Dense\(UNITS, activation='relu', input_shape=\(INPUTS,\), kernel_initializer='he_normal'\)\)/);
  assert.match(text, /\n {4}model\.add\(layers\.Dense\(UNITS, activation='relu', kernel_initializer='he_normal'\)\)\n/);
  const model = only(text);
  assert.deepEqual(model.layers.map((l) => `${l.activation}/${l.config.kernelInitializer ?? '-'}`), [
    ...Array.from({ length: 11 }, () => 'relu/heNormal'),
    'softmax/-',
  ]);
});

test('each fix code writes Python in the file style', () => {
  const sequential = "from tensorflow.keras.layers import Dense, SimpleRNN\nfrom tensorflow import keras\n\nmodel = keras.Sequential()\nmodel.add(SimpleRNN(8, input_shape=(50, 2)))\nmodel.add(Dense(16, activation=\"sigmoid\"))\nmodel.add(Dense(1))\nmodel.compile(optimizer='adam', loss='mse')\n";
  const fixed = (code: (typeof FIX_CODES)[number]): string => applyFixes(sequential, 'm.py', 'model', [code]).text;
  assert.match(fixed('activation-relu'), /model\.add\(Dense\(16, activation="relu"\)\)/);
  assert.match(fixed('activation-elu'), /model\.add\(Dense\(16, activation="elu"\)\)/);
  assert.match(fixed('activation-leaky-relu'), /import Dense, SimpleRNN, LeakyReLU\n[\s\S]*model\.add\(Dense\(16\)\)\nmodel\.add\(LeakyReLU\(\)\)\n/);
  assert.match(fixed('init-glorot'), /model\.add\(Dense\(16, activation="sigmoid", kernel_initializer="glorot_normal"\)\)/);
  assert.match(fixed('insert-batch-norm'), /import Dense, SimpleRNN, BatchNormalization\n[\s\S]*model\.add\(Dense\(16, activation="sigmoid"\)\)\nmodel\.add\(BatchNormalization\(\)\)\n/);
  assert.match(fixed('rnn-lstm'), /import Dense, SimpleRNN, LSTM\n[\s\S]*model\.add\(LSTM\(8, input_shape=\(50, 2\)\)\)/);
  assert.match(fixed('rnn-gru'), /model\.add\(GRU\(8, input_shape=\(50, 2\)\)\)/);
  assert.match(fixed('clip-gradients'), /model\.compile\(optimizer=keras\.optimizers\.Adam\(clipnorm=1\.0\), loss='mse'\)/);
  const residual = planFix(sequential, 'm.py', only(sequential), 'add-residual');
  assert.ok('unavailable' in residual && /No layer keeps the shape/.test(residual.unavailable), JSON.stringify(residual));
});

test('add-residual rewrites a Sequential grown by add statements into the functional API with Add skips', () => {
  const source = read('examples/deep_sigmoid_mlp.py');
  const { text, applied } = applyFixes(source, 'deep_sigmoid_mlp.py', 'model', ['add-residual']);
  assert.deepEqual(applied, ['add-residual']);
  assert.match(
    text,
    /\ninputs = keras\.Input\(shape=\(INPUTS,\)\)\nx = inputs\nx = layers\.Dense\(UNITS, activation='sigmoid'\)\(x\)\nfor i in range\(1, HIDDEN_LAYERS\):\n {4}x = layers\.Add\(\)\(\[x, layers\.Dense\(UNITS, activation='sigmoid'\)\(x\)\]\)\nx = layers\.Dense\(10, activation='softmax'\)\(x\)\nmodel = keras\.Model\(inputs=inputs, outputs=x\)\n\nmodel\.compile\(/,
  );
  const model = only(text);
  assert.equal(model.kind, 'functional');
  assert.equal(model.layers.filter((l) => l.type === 'add').length, 10);
  assert.equal(model.params, only(source).params);
  // Bare names: `Add` joins the import line.
  const bare = applyFixes(read('test/fixtures/python/sequential-add.py'), 's.py', 'model', ['add-residual']).text;
  assert.match(bare, /from tensorflow\.keras\.layers import Dense, Add\n/);
});

test('functional code: a new layer is applied to the same variable; list elements keep their layout; parenthesized imports gain names', () => {
  const functional = 'from tensorflow.keras.layers import (\n    Input,\n    Dense,\n)\nfrom tensorflow.keras.models import Model\n\ninputs = Input(shape=(16,))\nx = Dense(32, activation="tanh")(inputs)\nx = Dense(32, activation="tanh")(x)\noutputs = Dense(1)(x)\nnet = Model(inputs=inputs, outputs=outputs)\n';
  const { text } = applyFixes(functional, 'f.py', 'net', ['insert-batch-norm']);
  assert.equal(
    text,
    'from tensorflow.keras.layers import (\n    Input,\n    Dense,\n    BatchNormalization,\n)\nfrom tensorflow.keras.models import Model\n\ninputs = Input(shape=(16,))\nx = Dense(32, activation="tanh")(inputs)\nx = BatchNormalization()(x)\nx = Dense(32, activation="tanh")(x)\nx = BatchNormalization()(x)\noutputs = Dense(1)(x)\nnet = Model(inputs=inputs, outputs=outputs)\n',
  );
  const list = 'import tensorflow as tf\nmodel = tf.keras.Sequential([\n    tf.keras.layers.Dense(8, activation="sigmoid", input_shape=(4,)),\n    tf.keras.layers.Dense(\n        8,\n        activation="sigmoid",\n    ),\n    tf.keras.layers.Dense(1)\n])\n';
  const listed = applyFixes(list, 'l.py', 'model', ['insert-batch-norm', 'init-he', 'activation-relu']).text;
  assert.equal(
    listed,
    'import tensorflow as tf\nmodel = tf.keras.Sequential([\n    tf.keras.layers.Dense(8, activation="relu", input_shape=(4,)),\n    tf.keras.layers.BatchNormalization(),\n    tf.keras.layers.Dense(\n        8,\n        activation="relu",\n    ),\n    tf.keras.layers.BatchNormalization(),\n    tf.keras.layers.Dense(1)\n])\n',
  );
});

test('clip-gradients edits an optimizer call, one assigned to a variable, or replaces a string; clipped optimizers are read as clipped', () => {
  const call = "from tensorflow import keras\nmodel = keras.Sequential([keras.layers.Dense(1, input_shape=(2,))])\nopt = keras.optimizers.SGD(learning_rate=0.01)\nmodel.compile(optimizer=opt, loss='mse')\n";
  const { text } = applyFixes(call, 'c.py', 'model', ['clip-gradients']);
  assert.match(text, /opt = keras\.optimizers\.SGD\(learning_rate=0\.01, clipnorm=1\.0\)/);
  const optimizer = only(text).compile?.optimizer;
  assert.ok(optimizer && typeof optimizer === 'object' && '$call' in optimizer && optimizer.$call === CLIPPED_OPTIMIZER_CALL, JSON.stringify(optimizer));
  // No `tf` or `keras` name in the file: a bare class and its import, never an undefined name.
  const bare = "from tensorflow.keras.models import Sequential\nfrom tensorflow.keras.layers import Dense\nmodel = Sequential([Dense(1, input_shape=(2,))])\nmodel.compile(optimizer='sgd', loss='mse')\n";
  const clipped = applyFixes(bare, 'b.py', 'model', ['clip-gradients']).text;
  assert.match(clipped, /^from tensorflow\.keras\.optimizers import SGD\n/);
  assert.match(clipped, /model\.compile\(optimizer=SGD\(clipnorm=1\.0\), loss='mse'\)/);
  const bareOptimizer = only(clipped).compile?.optimizer;
  assert.ok(bareOptimizer && typeof bareOptimizer === 'object' && '$call' in bareOptimizer && bareOptimizer.$call === CLIPPED_OPTIMIZER_CALL, JSON.stringify(bareOptimizer));
  const again = planFix(text, 'c.py', only(text), 'clip-gradients');
  assert.ok('unavailable' in again && /already clips/.test(again.unavailable));
});

test('every fix on every Python fixture and example: re-read, built in tfjs with the parsed parameter count, idempotent', async () => {
  await tf.setBackend('cpu');
  const files = [
    ...readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.py')).map((f) => `examples/${f}`),
    ...readdirSync(join(ROOT, 'test', 'fixtures', 'python')).filter((f) => f.endsWith('.py') && f !== 'unsupported.py').map((f) => `test/fixtures/python/${f}`),
  ];
  let checked = 0;
  for (const file of files) {
    const source = read(file);
    for (const graph of parseSource(source, file).models) {
      if (graph.holes?.length) continue;
      for (const code of FIX_CODES) {
        const { text, applied } = applyFixes(source, file, graph.name, [code]);
        if (!applied.length) continue;
        const fixed = parseSource(text, file).models.find((m) => m.name === graph.name);
        assert.ok(fixed, `${file} ${code}: the model is still found`);
        assert.ok(!parseSource(text, file).problems.some((p) => p.severity === 'error'), `${file} ${code}: no syntax error`);
        const built = buildModel(tf, fixed);
        if (fixed.params !== undefined) assert.equal(built.countParams(), fixed.params, `${file} ${code}: parameter count`);
        built.dispose();
        const twice = applyFixes(text, file, graph.name, [code]);
        assert.equal(twice.text, text, `${file} ${code}: applying it again changes nothing`);
        checked++;
      }
    }
  }
  console.log(`checked ${checked} fixed Keras variants`);
  assert.ok(checked >= 25, `only ${checked} fixed variants were checked`);
});
