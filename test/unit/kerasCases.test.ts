/**
 * The team's Keras case files (test/fixtures/cases/keras, copied from shared/cases/keras): each
 * header says what is right; each test asserts that value (layer types, parameter counts as tfjs'
 * countParams gives them, the optimizer used, holes and problems). The ones that need training
 * (stateful batch, batch norm on axis 1, Flatten on a flat input, 3-D pooling) build the model
 * with tfjs on the cpu backend and take gradient steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parsePythonModels, type PythonParseOptions } from '../../src/core/python/index';
import type { ModelGraph, ParseResult } from '../../src/core/ir';
import { buildModel } from '../../src/training/buildModel';
import { makeOptimizer, measure } from '../../src/training/measure';
import { DEFAULT_RUN_OPTIONS } from '../../src/training/protocol';

const CASES = join(__dirname, '..', 'test', 'fixtures', 'cases', 'keras');
const read = (name: string): string => readFileSync(join(CASES, name), 'utf8');

function parse(name: string, options: PythonParseOptions = {}): ParseResult {
  return parsePythonModels(read(name), name, options);
}

function only(result: ParseResult): ModelGraph {
  assert.equal(result.models.length, 1, `models: ${result.models.map((m) => m.name).join(', ')}; problems: ${result.problems.map((p) => p.message).join(' | ')}`);
  return result.models[0]!;
}

const types = (m: ModelGraph): string[] => m.layers.map((l) => l.type);
const params = (m: ModelGraph): (number | undefined)[] => m.layers.map((l) => l.params);
const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;
const messages = (r: ParseResult): string => r.problems.map((p) => `${p.severity}: ${p.message}`).join(' | ');

/** tfjs' own count of the built model, the reference for `params`. */
function tfjsCount(m: ModelGraph): number {
  const built = buildModel(tf, m);
  const n = built.countParams();
  built.dispose();
  return n;
}

test('setup: cpu backend', async () => {
  await tf.setBackend('cpu');
});

test('dd_constant_default: Constant() without a value is 0', () => {
  const m = only(parse('dd_constant_default.py'));
  assert.deepEqual(m.layers[1]!.config.kernelInitializer, { $call: 'initializers.constant', args: [{ value: 0 }] });
  assert.deepEqual(params(m), [12, 5]);
  const built = buildModel(tf, m);
  const kernel = built.layers[1]!.getWeights()[0]!;
  assert.equal(kernel.abs().sum().dataSync()[0], 0);
  built.dispose();
});

test('dl_float_dot_comment: `8.  # comment` is the float 8.0, no syntax error', () => {
  const r = parse('dl_float_dot_comment.py');
  assert.deepEqual(r.problems, []);
  const m = only(r);
  assert.equal(m.layers[0]!.config.units, 8);
  assert.deepEqual(params(m), [40, 9]);
});

test('dl_keras1_init_zero: init= is the kernel initializer (zeros), said once', () => {
  const r = parse('dl_keras1_init_zero.py');
  const m = only(r);
  assert.equal(m.layers[0]!.config.kernelInitializer, 'zeros');
  assert.equal(m.layers[1]!.config.kernelInitializer, 'zeros');
  assert.equal(m.layers[2]!.config.kernelInitializer, undefined);
  assert.equal(m.layers[0]!.config.init, undefined);
  assert.deepEqual(params(m), [40, 72, 9]);
  assert.equal(r.problems.filter((p) => /Keras 1 argument names/.test(p.message)).length, 1);
  assert.ok(r.problems.every((p) => p.severity === 'info'), messages(r));
});

test('dl_layer_variables: layers added through variables, N(0,1) weights, SGD lr 3', () => {
  const r = parse('dl_layer_variables.py');
  assert.deepEqual(r.problems, []);
  const m = only(r);
  assert.deepEqual(types(m), ['dense', 'dense']);
  assert.deepEqual(params(m), [23550, 310]);
  assert.deepEqual(m.layers[0]!.config.kernelInitializer, { $call: 'initializers.randomNormal', args: [{ stddev: 1 }] });
  assert.deepEqual(m.compile?.optimizer, { $call: 'train.sgd', args: [3] });
});

test('dl_tf_compat_optimizer and r03c: TF1 optimizers train as the tfjs twin and say so', () => {
  for (const [file, units] of [['dl_tf_compat_optimizer.py', [176, 17]], ['r03c_tf1_optimizer.py', [40, 27]]] as const) {
    const r = parse(file);
    const m = only(r);
    assert.deepEqual(params(m), units);
    assert.deepEqual(m.compile?.optimizer, { $call: 'train.sgd', args: [0.01] }, file);
    const said = r.problems.find((p) => /GradientDescentOptimizer.*SGD/.test(p.message));
    assert.ok(said, messages(r));
    assert.equal(said.severity, 'info');
    assert.equal(makeOptimizer(tf, m.compile?.optimizer).learningRate, 0.01);
  }
  // The rest of the TF1 family: momentum and Adam's TF1 parameter names.
  const src = [
    'import tensorflow as tf', 'from tensorflow import keras',
    'm = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])',
    'm.compile(optimizer=tf.train.MomentumOptimizer(0.05, 0.8), loss="mse")',
    'n = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])',
    'n.compile(optimizer=tf.compat.v1.train.AdamOptimizer(learning_rate=0.002, beta1=0.5), loss="mse")',
  ].join('\n');
  const [m, n] = parsePythonModels(src).models;
  assert.deepEqual(m!.compile?.optimizer, { $call: 'train.momentum', args: [0.05, 0.8] });
  assert.deepEqual(n!.compile?.optimizer, { $call: 'train.adam', args: [0.002, 0.5] });
});

test('dl_tf_contrib_keras: keras from tensorflow.contrib is Keras', () => {
  const m = only(parse('dl_tf_contrib_keras.py'));
  assert.deepEqual(params(m), [176, 17]);
  assert.equal(m.compile?.optimizer, 'adam');
});

test('r01: a first layer without an input shape is a hole, filled, or taken from the data fit is given', () => {
  const src = read('r01_no_input_shape.py');
  const r = parsePythonModels(src);
  const m = only(r);
  assert.equal(m.holes?.length, 1);
  const hole = m.holes![0]!;
  assert.equal(hole.name, 'net.input_shape');
  assert.equal(hole.role, 'input shape');
  assert.deepEqual(hole.usedBy, ['dense_1.inputShape']);
  assert.equal(hole.suggestion, '(10,)');
  assert.equal(lineOf(src, hole.range.start), 6);
  // Filled from outside (the CLI's --set): the model is complete.
  const filled = only(parsePythonModels(src, 'r01.py', { set: { 'net.input_shape': '(8,)' } }));
  assert.equal(filled.holes, undefined);
  assert.deepEqual(params(filled), [72, 9]);
  assert.equal(tfjsCount(filled), 81);
  // The script states its data: the suggestion is that shape; with fit(X, ...) it is used.
  const withData = src.replace('net = keras.Sequential()', 'import numpy as np\nX = np.random.rand(100, 8)\ny = np.random.randint(0, 2, (100, 1))\nnet = keras.Sequential()');
  assert.equal(only(parsePythonModels(withData)).holes?.[0]?.suggestion, '(8,)');
  const fitted = parsePythonModels(`${withData}net.fit(X, y, epochs=3)\n`);
  assert.equal(only(fitted).holes, undefined);
  assert.deepEqual(only(fitted).inputShape, [8]);
  assert.ok(fitted.problems.some((p) => p.severity === 'info' && /model\.fit/.test(p.message)), messages(fitted));
  // `model.build((None, 8))` states it too.
  const built = only(parsePythonModels(`${src}net.build((None, 8))\n`));
  assert.deepEqual(built.inputShape, [8]);
  assert.equal(built.holes, undefined);
  // In a builder function, the annotation above the function fills it.
  const builder = 'from tensorflow import keras\n# gradient-lens: model.input_shape=(5,)\ndef make():\n    model = keras.Sequential([keras.layers.Dense(3), keras.layers.Dense(1)])\n    return model\n';
  const made = only(parsePythonModels(builder));
  assert.equal(made.holes, undefined);
  assert.deepEqual(params(made), [18, 4]);
  assert.equal(only(parsePythonModels(builder.replace('# gradient-lens: model.input_shape=(5,)\n', ''))).holes?.[0]?.name, 'model.input_shape');
});

test('a shape-keeping first layer without an input shape: the hole suggests the shape the next layer declares', () => {
  // DeepLocalize Stack Overflow 34673164 (our version): BatchNormalization first, input_dim on the Dense after it.
  const src = 'from keras.models import Sequential\nfrom keras.layers import Dense, BatchNormalization, Dropout\nmodel = Sequential()\nmodel.add(BatchNormalization())\nmodel.add(Dropout(0.1))\nmodel.add(Dense(64, input_dim=16, activation="tanh"))\nmodel.add(Dense(1, activation="sigmoid"))\n';
  const r = parsePythonModels(src);
  const hole = only(r).holes?.[0];
  assert.equal(hole?.name, 'model.input_shape');
  assert.equal(hole?.suggestion, '(16,)');
  assert.match(messages(r), /the input shape `dense_1` declares/);
  // A layer that changes the shape in between (Dense) makes the later declaration no guide.
  const changed = src.replace('model.add(Dropout(0.1))', 'model.add(Dense(8))');
  assert.notEqual(only(parsePythonModels(changed)).holes?.[0]?.suggestion, '(16,)');
});

test('an unknown input shape on a shape-keeping first layer is suggested for the layer after it (an image for Conv2D)', () => {
  // DeepLocalize GitHub Traffic-Sign-Classifier (our version): Lambda(normalize, input_shape=x.shape[1:]) then Conv2D.
  const src = 'import pickle\nfrom keras.models import Sequential\nfrom keras.layers import Lambda, Conv2D, Flatten, Dense\nx = pickle.load(open("train.p", "rb"))["features"]\nshape = x.shape[1:]\nmodel = Sequential()\nmodel.add(Lambda(lambda p: p / 255.0 - 0.5, input_shape=shape))\nmodel.add(Conv2D(8, (3, 3), activation="relu"))\nmodel.add(Flatten())\nmodel.add(Dense(10, activation="softmax"))\n';
  const hole = only(parsePythonModels(src)).holes?.[0];
  assert.equal(hole?.role, 'input shape');
  // `x.shape` includes the batch (the code takes [1:]): an image shape with a batch.
  assert.equal(hole?.suggestion, '(32, 28, 28, 1)');
  const filled = only(parsePythonModels(src, 'm.py', { set: { 'x.shape': hole!.suggestion } }));
  assert.equal(filled.holes, undefined);
  assert.deepEqual(filled.layers[1]!.outputShape, [null, 26, 26, 8]);
  // The same with a Dense after the Lambda: a flat shape.
  assert.equal(only(parsePythonModels(src.replace('model.add(Conv2D(8, (3, 3), activation="relu"))\nmodel.add(Flatten())\n', ''))).holes?.[0]?.suggestion, '(32, 10)');
});

test('r02: an initializer from keras.initializers.initializers_v1', () => {
  const r = parse('r02_initializers_v1.py');
  assert.deepEqual(r.problems, []);
  const m = only(r);
  assert.deepEqual(m.layers[0]!.config.kernelInitializer, { $call: 'initializers.randomNormal', args: [{ stddev: 1 }] });
  assert.deepEqual(params(m), [80, 51]);
});

test('r03 / r03b: Nadam (string and class) trains as Adam and says so, never "unknown optimizer"', () => {
  const string = parse('r03_nadam_string.py');
  assert.equal(only(string).compile?.optimizer, 'adam');
  const klass = parse('r03b_nadam_class.py');
  assert.deepEqual(only(klass).compile?.optimizer, { $call: 'train.adam', args: [0.001] });
  for (const r of [string, klass]) {
    const said = r.problems.find((p) => /Nadam.*Adam|nadam.*Adam/.test(p.message));
    assert.ok(said, messages(r));
    assert.equal(said.severity, 'info');
    assert.ok(!r.problems.some((p) => /SGD/.test(p.message)));
    assert.equal(makeOptimizer(tf, only(r).compile?.optimizer).learningRate, 0.001);
  }
  // Every Keras optimizer tfjs lacks maps to a tfjs one, with its rate.
  for (const name of ['AdamW', 'Ftrl', 'Lion', 'Adafactor']) {
    const src = `from keras import Sequential, optimizers\nfrom keras.layers import Dense\nm = Sequential([Dense(1, input_dim=2)])\nm.compile(optimizer=optimizers.${name}(learning_rate=0.02), loss='mse')\n`;
    const optimizer = only(parsePythonModels(src)).compile?.optimizer;
    assert.equal(makeOptimizer(tf, optimizer).learningRate, 0.02, name);
  }
});

test('unknown optimizer parameters and optimizers use documented defaults and say so', () => {
  const src = [
    'from keras.models import Sequential', 'from keras.layers import Dense', 'from keras.optimizers import Adam',
    'def build(lr, opt):',
    '    m = Sequential([Dense(4, input_dim=3), Dense(1)])',
    '    m.compile(optimizer=Adam(lr=lr), loss="mse")',
    '    n = Sequential([Dense(4, input_dim=3), Dense(1)])',
    '    n.compile(optimizer=opt, loss="mse")',
    '    return m, n',
  ].join('\n');
  const r = parsePythonModels(src);
  assert.equal(r.models.length, 2);
  for (const m of r.models) assert.equal(m.holes, undefined, JSON.stringify(m.holes));
  assert.deepEqual(r.models[0]!.compile?.optimizer, { $call: 'train.adam', args: [0.001] });
  assert.equal(r.models[1]!.compile?.optimizer, 'rmsprop');
  assert.ok(r.problems.some((p) => /Adam learning rate `lr` is unknown: used 0\.001, Adam's default/.test(p.message)), messages(r));
  assert.ok(r.problems.some((p) => /optimizer `opt` is unknown: used RMSprop/.test(p.message)), messages(r));
  // A value given still wins.
  const given = parsePythonModels(src, 'b.py', { setFor: { build: { lr: '0.5' } } });
  assert.deepEqual(given.models[0]!.compile?.optimizer, { $call: 'train.adam', args: [0.5] });
});

test('r06a: BatchNormalization(axis=1) after a channels-last conv: Keras count, and it trains', async () => {
  const m = only(parse('r06a_bn_axis1.py'));
  assert.deepEqual(params(m), [40, 32, 0, 514]);
  assert.equal(tfjsCount(m), 586);
  const summary = await measure(tf, m, { ...DEFAULT_RUN_OPTIONS, epochs: 1, samples: 64, seeds: 1 }, {}, { cancelled: () => false });
  assert.ok(Number.isFinite(summary.layers['batch_normalization_1']?.gradNorm), JSON.stringify(Object.keys(summary.layers)));
});

test('r08: pure math on constants is evaluated; an unknown call is a hole named by its variable', () => {
  const r = parse('r08_hole_from_call.py');
  assert.deepEqual(r.problems, []);
  const m = only(r);
  const bound = Math.sqrt(6 / 40);
  assert.deepEqual(m.layers[0]!.config.kernelInitializer, { $call: 'initializers.randomUniform', args: [{ minval: -bound, maxval: bound }] });
  const src = read('r08_hole_from_call.py').replace('np.sqrt(6.0 / 40)', 'scale_for(40)').replace('import numpy as np', 'from mylib import scale_for');
  const unknown = parsePythonModels(src);
  assert.deepEqual(only(unknown).holes?.map((h) => h.name), ['bound']);
  const filled = only(parsePythonModels(src, 'r08.py', { set: { bound: '0.25' } }));
  assert.equal(filled.holes, undefined);
  assert.deepEqual(filled.layers[0]!.config.kernelInitializer, { $call: 'initializers.randomUniform', args: [{ minval: -0.25, maxval: 0.25 }] });
  // An inline call is named by its text and can be filled by it.
  const inline = 'from keras.models import Sequential\nfrom keras.layers import Dense\nimport ui\nm = Sequential([Dense(ui.units(), input_dim=3)])\n';
  assert.deepEqual(only(parsePythonModels(inline)).holes?.map((h) => h.name), ['ui.units()']);
  assert.equal(only(parsePythonModels(inline, 'i.py', { set: { 'ui.units()': '7' } })).layers[0]!.config.units, 7);
});

test('r09: a stateful LSTM fixes the batch; the run uses it', async () => {
  const r = parse('r09_stateful_batch.py');
  const m = only(r);
  assert.equal(m.batchSize, 50);
  assert.ok(r.problems.some((p) => p.severity === 'info' && /batches of 50/.test(p.message)), messages(r));
  const summary = await measure(tf, m, { ...DEFAULT_RUN_OPTIONS, epochs: 1, samples: 120, seeds: 2 }, {}, { cancelled: () => false });
  assert.equal(summary.steps, 2); // 100 samples (two whole batches of 50)
  assert.ok(Number.isFinite(summary.layers['lstm_1']?.gradNorm));
});

test('r10: Flatten on a flat input is a no-op that trains', async () => {
  const m = only(parse('r10_flatten_2d.py'));
  assert.deepEqual(params(m), [0, 56, 9]);
  assert.deepEqual(m.layers[0]!.outputShape, [null, 6]);
  assert.equal(tfjsCount(m), 65);
  const summary = await measure(tf, m, { ...DEFAULT_RUN_OPTIONS, epochs: 1, samples: 64, seeds: 1 }, {}, { cancelled: () => false });
  assert.ok(Number.isFinite(summary.layers['dense_1']?.gradNorm));
});

test('r11: Input imported from keras.models', () => {
  const r = parse('r11_input_from_models.py');
  assert.deepEqual(r.problems, []);
  const m = only(r);
  assert.deepEqual(types(m), ['inputLayer', 'dense', 'dense']);
  assert.deepEqual(params(m), [0, 56, 9]);
});

test('r16: a keras.applications backbone is not read, said on its line; the head is analysed on its output', () => {
  const src = read('r16_applications_base.py');
  const r = parsePythonModels(src);
  const said = r.problems.find((p) => /MobileNetV2.*not read/.test(p.message));
  assert.ok(said, messages(r));
  assert.equal(lineOf(src, said.range.start), 6);
  const m = only(r);
  assert.deepEqual(types(m), ['inputLayer', 'globalAveragePooling2d', 'dense']);
  assert.deepEqual(m.inputShape, [2, 2, 1280]);
  assert.deepEqual(params(m), [0, 0, 1281]);
  assert.equal(tfjsCount(m), 1281);
  // A backbone as the first layer of a Sequential model: the same stand-in input.
  const seq = only(parsePythonModels("from tensorflow.keras.applications import ResNet50\nfrom tensorflow.keras import layers, models\nbase = ResNet50(include_top=False, input_shape=(128, 128, 3))\nm = models.Sequential([base, layers.GlobalAveragePooling2D(), layers.Dense(5)])\n"));
  assert.deepEqual(seq.inputShape, [4, 4, 2048]);
  assert.equal(tfjsCount(seq), 2048 * 5 + 5);
});

test('r17 / r17b: 3-D pooling and batch norm after Conv3D: shapes and counts equal tfjs', async () => {
  const pool = only(parse('r17_maxpool3d.py'));
  assert.deepEqual(params(pool), [112, 0, 0, 257]);
  assert.deepEqual(pool.layers[1]!.outputShape, [null, 4, 4, 4, 4]);
  assert.equal(tfjsCount(pool), 369);
  const built = buildModel(tf, pool);
  assert.deepEqual(built.layers[1]!.outputShape, [null, 4, 4, 4, 4]);
  built.dispose();
  const bn = only(parse('r17b_bn_after_conv3d.py'));
  assert.deepEqual(params(bn), [112, 16, 0, 257]);
  assert.equal(tfjsCount(bn), 385);
  // tfjs cannot train batch norm on rank 5: it runs folded to rank 4 (same statistics).
  const trained = await measure(tf, bn, { ...DEFAULT_RUN_OPTIONS, epochs: 1, samples: 32, seeds: 1 }, {}, { cancelled: () => false });
  assert.ok(Number.isFinite(trained.layers['batch_normalization_1']?.gradNorm), JSON.stringify(Object.keys(trained.layers)));
  // Strides and 'same' padding as tfjs computes them.
  const src = 'from keras.models import Sequential\nfrom keras.layers import Conv3D, AveragePooling3D\nm = Sequential()\nm.add(Conv3D(2, 3, input_shape=(9, 7, 5, 1)))\nm.add(AveragePooling3D((2, 3, 2), strides=(2, 1, 1), padding="same"))\n';
  const odd = only(parsePythonModels(src));
  const tfjsModel = buildModel(tf, odd);
  assert.deepEqual(odd.layers[1]!.outputShape, tfjsModel.layers[1]!.outputShape);
  tfjsModel.dispose();
});

test('the other engineers\' cases parse right (types, counts equal tfjs, no problems)', () => {
  const expected: Record<string, string[]> = {
    'dd_tiny_uniform_relu.py': ['dense', 'activation', ...Array(7).fill(['dense', 'activation']).flat(), 'dense', 'activation'],
    'r04_cce_one_unit.py': ['dense', 'dense'],
    'r05_gru_one_step.py': ['gru', 'gru', 'dense'],
    'r06b_sparse_cce_sigmoid2.py': ['dense', 'dense', 'activation'],
    'r12_embedding_wasm.py': ['embedding', 'globalAveragePooling1d', 'dense'],
    'r18a_wasm_memory.py': ['conv2d', 'conv2d', 'conv2d', 'conv2d', 'globalAveragePooling2d', 'dense'],
    'r18b_budget.py': ['conv2d', 'conv2d', 'maxPooling2d', 'conv2d', 'conv2d', 'maxPooling2d', 'flatten', 'dense'],
    'r21_softmax_one_unit.py': ['dense', 'dense'],
    'r22_borderline_message.py': ['dense', 'dense', 'dense', 'dense'],
  };
  for (const [file, layerTypes] of Object.entries(expected)) {
    const r = parse(file);
    assert.deepEqual(r.problems, [], file);
    const m = only(r);
    assert.deepEqual(types(m), layerTypes, file);
    assert.equal(m.params, tfjsCount(m), file);
  }
});

test('dl_builder_caller: a builder imported from the user\'s module beside the file is found here, compiled here', () => {
  const readFile = (path: string): string | undefined => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  const caller = join(CASES, 'dl_builder_caller.py');
  const text = readFileSync(caller, 'utf8');
  const r = parsePythonModels(text, caller, { readFile });
  assert.deepEqual(r.problems, []);
  const m = only(r);
  assert.equal(m.name, 'net');
  assert.deepEqual(types(m), ['dense', 'dense']);
  assert.deepEqual(params(m), [80, 17]); // build(16): Dense(16, input_dim=4), Dense(1)
  assert.deepEqual(m.compile?.optimizer, { $call: 'train.sgd', args: [50] });
  // Every range is in this file: the call that built it.
  assert.equal(text.slice(m.layers[0]!.range.start, m.layers[0]!.range.end), 'build(16)');
  // Without a way to read files the import stays unknown (no model, nothing invented).
  assert.equal(parsePythonModels(text, caller).models.length, 0);
  // `import module` then `module.build(...)` reads the same.
  const dotted = text.replace('from dl_builder_module import build', 'import dl_builder_module as mb').replace('net = build(16)', 'net = mb.build(16)');
  assert.deepEqual(params(only(parsePythonModels(dotted, caller, { readFile }))), [80, 17]);
});
