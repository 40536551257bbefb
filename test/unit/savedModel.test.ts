/**
 * `load_model('model.h5')`: the architecture Keras 2 saves in the file's `model_config`
 * attribute is read (AUTOTRAINER ships its cases this way). The saved files here are written by
 * the test: an HDF5 signature, binary bytes, the JSON config as Keras writes it (one ASCII
 * string ended by NUL padding), more binary bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePythonModels } from '../../src/core/python/index';
import { savedModelConfig } from '../../src/core/python/savedModel';
import { boundedReader } from '../../src/core/nodeFiles';
import { RefusedFile } from '../../src/core/parse/modules';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HDF5 = '\u0089HDF\r\n\u001a\n\u0000\u0000\u0001\u0008';
const saved = (config: object): string => `${HDF5}${'\u0000\u00ff'.repeat(40)}${JSON.stringify(config)}\u0000\u0000\u0000${'\u00e9\u0001'.repeat(40)}{"class_name": "Adam"`;

const dense = (name: string, units: number, activation: string, extra: object = {}) => ({
  class_name: 'Dense',
  config: {
    name, trainable: true, dtype: 'float32', units, activation, use_bias: true,
    kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 2.0, mode: 'fan_in', distribution: 'uniform', seed: null } },
    bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
    ...extra,
  },
});
// Keras 2.2 Sequential: the first layer carries batch_input_shape.
const SEQUENTIAL = { class_name: 'Sequential', config: { name: 'sequential_1', layers: [dense('dense_1', 50, 'relu', { batch_input_shape: [null, 2] }), dense('dense_2', 3, 'softmax')] } };
// Keras 2 functional: an InputLayer, inbound_nodes links, output_layers.
const link = (name: string) => [[[name, 0, 0, {}]]];
const FUNCTIONAL = {
  class_name: 'Model',
  config: {
    name: 'model_1',
    layers: [
      { name: 'input_1', class_name: 'InputLayer', config: { batch_input_shape: [null, 2], dtype: 'float32', sparse: false, name: 'input_1' }, inbound_nodes: [] },
      { name: 'dense_1', ...dense('dense_1', 5, 'sigmoid'), inbound_nodes: link('input_1') },
      { name: 'dense_2', ...dense('dense_2', 1, 'sigmoid'), inbound_nodes: link('dense_1') },
    ],
    input_layers: [['input_1', 0, 0]],
    output_layers: [['dense_2', 0, 0]],
  },
};

const SCRIPT = (path: string) => `from keras.models import load_model
for i in range(3):
    model = load_model(${JSON.stringify(path)})
    model.compile(loss='categorical_crossentropy', optimizer='adam')
    model.fit(x, y, batch_size=32)
`;

function read(files: Record<string, string>) {
  return (path: string): string | undefined => files[path];
}

test('the model config is found in a saved file between binary bytes; none in text without one', () => {
  const found = savedModelConfig(saved(FUNCTIONAL));
  assert.equal(found?.className, 'Model');
  assert.equal(found?.layers.length, 3);
  assert.deepEqual(found?.outputLayers, [['dense_2', 0, 0]]);
  assert.equal(savedModelConfig(`${HDF5}{"class_name": "Sequential", "config": {"layers": [`), undefined, 'cut off');
  assert.equal(savedModelConfig('{"class_name": "Adam", "config": {}}'), undefined, 'not a model');
});

test('load_model reads a saved Sequential: layers, initializers, input shape and the compile that follows; loaded in a loop it is one model', () => {
  const result = parsePythonModels(SCRIPT('./model.h5'), '/p/train.py', { readFile: read({ '/p/model.h5': saved(SEQUENTIAL) }) });
  assert.equal(result.models.length, 1);
  const m = result.models[0]!;
  assert.deepEqual(m.layers.map((l) => [l.type, l.activation]), [['dense', 'relu'], ['dense', 'softmax']]);
  assert.deepEqual(m.inputShape, [2]);
  assert.deepEqual(m.layers[0]!.config.kernelInitializer, { $call: 'initializers.varianceScaling', args: [{ scale: 2, mode: 'fanIn', distribution: 'uniform' }] });
  assert.equal(m.compile?.loss, 'categoricalCrossentropy');
  assert.ok(result.problems.some((p) => /Read the architecture saved in `\.\/model\.h5` \(2 layers\); its saved weights are not read/.test(p.message)));
});

test('load_model reads a saved functional model; an absolute path from another machine falls back to the file beside the script', () => {
  const result = parsePythonModels(SCRIPT('/data/someone/run/model.h5'), '/p/train.py', { readFile: read({ '/p/model.h5': saved(FUNCTIONAL) }) });
  assert.equal(result.models.length, 1);
  const m = result.models[0]!;
  assert.equal(m.kind, 'functional');
  assert.deepEqual(m.layers.map((l) => [l.type, l.activation ?? '']), [['inputLayer', ''], ['dense', 'sigmoid'], ['dense', 'sigmoid']]);
  assert.ok(result.problems.some((p) => /saved in `model\.h5` beside this file \(3 layers\)/.test(p.message)));
});

test('load_model of a missing file or a non-constant path is a warning on its line, not a model', () => {
  const missing = parsePythonModels(SCRIPT('gone.h5'), '/p/train.py', { readFile: read({}) });
  assert.equal(missing.models.length, 0);
  assert.ok(missing.problems.some((p) => p.severity === 'warning' && /`gone\.h5` was not found beside this file, so the model it loads is not read/.test(p.message)));
  const text = 'from keras.models import load_model\nimport sys\nm = load_model(sys.argv[1])\nm.fit(x, y)\n';
  const dynamic = parsePythonModels(text, '/p/t.py', { readFile: read({}) });
  assert.equal(dynamic.models.length, 0);
  const problem = dynamic.problems.find((p) => /the path is not a constant/.test(p.message));
  assert.equal(problem && text.slice(problem.range.start, problem.range.end), 'load_model(sys.argv[1])');
});

test('a model the script saves and loads back (AUTOTRAINER demo_activation.py) is the model it built: no file is read', () => {
  const text = "from keras.models import Sequential, load_model\nfrom keras.layers import Dense\nmodel = Sequential()\nmodel.add(Dense(3, activation='relu', input_dim=2))\nmodel.save('./m.h5')\nmodel = load_model('./m.h5')\nmodel.compile(loss='mse', optimizer='adam')\n";
  const result = parsePythonModels(text, '/p/t.py', { readFile: () => assert.fail('no file should be read') });
  assert.equal(result.models.length, 1);
  assert.equal(result.models[0]!.compile?.loss, 'meanSquaredError');
  assert.deepEqual(result.problems.filter((p) => p.severity !== 'info'), []);
});

test('getattr: a Keras class by a constant name is that class; a name read from data says so, not "getattr is not defined"', () => {
  const text = "from tensorflow import keras\nimport tensorflow.keras.optimizers as O\nmodel = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])\nopt = getattr(O, 'SGD')(learning_rate=0.5)\nmodel.compile(optimizer=opt, loss='mse')\nname = load()\nother = getattr(O, name)\n";
  const result = parsePythonModels(text, '/p/t.py');
  assert.deepEqual(result.models[0]!.compile?.optimizer, { $call: 'train.sgd', args: [0.5] });
  assert.ok(!result.problems.some((p) => /`getattr` is not defined/.test(p.message)), JSON.stringify(result.problems));
});

test('a saved model over the import size limit is read from its first bytes, where Keras writes the config (AUTOTRAINER Motivation/DyingReLU: 2.8 MB)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-saved-'));
  try {
    // The config near the start, then 3 MB of weights.
    writeFileSync(join(dir, 'model.h5'), Buffer.concat([Buffer.from(saved(SEQUENTIAL), 'latin1'), Buffer.alloc(3_000_000, 7)]));
    const result = parsePythonModels(SCRIPT('model.h5'), join(dir, 'train.py'), { readFile: boundedReader([dir]) });
    assert.equal(result.models.length, 1);
    assert.equal(result.models[0]!.layers.length, 2);
    // Imports keep their limit: a 3 MB module is still refused.
    assert.ok(boundedReader([dir])(join(dir, 'model.h5')) instanceof RefusedFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('os.path on constant strings gives the path a saved model is loaded from (AUTOTRAINER reproduce.py); other os calls stay unknown', () => {
  const text = "import os\nfrom keras.models import load_model\nos.environ['CUDA_VISIBLE_DEVICES'] = '1'\nmodel = load_model(os.path.abspath(os.path.join('./case', 'model.h5')))\nmodel.fit(x, y)\nif os.path.exists('a'):\n    pass\n";
  const result = parsePythonModels(text, '/p/t.py', { readFile: read({ '/p/case/model.h5': saved(SEQUENTIAL) }) });
  assert.equal(result.models.length, 1);
  assert.ok(result.problems.some((p) => /Read the architecture saved in `\.\/case\/model\.h5`/.test(p.message)), JSON.stringify(result.problems));
  assert.ok(result.problems.some((p) => /Condition `os\.path\.exists\('a'\)` is not a constant/.test(p.message)));
});
