/**
 * Subclassed `keras.Model` (bench/README "keras-io examples", subclassed models): `__init__`
 * runs, `call` is followed on the input shape the file states, diagnostics and fixes land on the
 * layer's line in `__init__`, and a model whose `call` or training cannot be followed is left out
 * (exit 3) on the line to fix. Inputs of our own: test/fixtures/subclassed/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parsePythonModels } from '../../src/core/python/index';
import { readSource } from '../../src/core/pipeline/analysis';
import { sourceReport } from '../../src/core/pipeline/outcome';
import { exitStatus, EXIT_OK, EXIT_UNMEASURED } from '../../src/cli/status';
import { planFix } from '../../src/core/fixes/index';
import { applyEdits } from '../../src/core/fixes/edits';
import type { ModelGraph, ParseResult } from '../../src/core/ir';

const ROOT = join(__dirname, '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'subclassed');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

function only(result: ParseResult, name: string): ModelGraph {
  const model = result.models.find((m) => m.name === name);
  assert.ok(model, `no model ${name}: ${result.models.map((m) => m.name).join(', ')} / ${result.problems.map((p) => p.message).join(' | ')}`);
  return model;
}

function staticExit(text: string, file: string): number {
  return exitStatus({ files: [sourceReport(file, readSource(text, file), () => ({}))] }, false);
}

test('the TF quickstart model (class MyModel(Model)) is read: layers in call order, input shape from the data given to fit', () => {
  const text = fixture('quickstart.py');
  const result = parsePythonModels(text, 'quickstart.py');
  const model = only(result, 'model');
  assert.equal(model.kind, 'functional');
  assert.deepEqual(model.layers.map((l) => l.type), ['inputLayer', 'conv2d', 'flatten', 'dense', 'dense']);
  // `x_train[..., tf.newaxis]` of MNIST: (60000, 28, 28, 1) -> input (28, 28, 1).
  assert.deepEqual(model.layers.map((l) => l.outputShape), [[null, 28, 28, 1], [null, 26, 26, 32], [null, 21632], [null, 128], [null, 10]]);
  // Each layer's range is its constructor in __init__ (where a fix edits it).
  assert.deepEqual(model.layers.slice(1).map((l) => text.slice(l.range.start, l.range.end)), ["Conv2D(32, 3, activation='relu')", 'Flatten()', "Dense(128, activation='relu')", 'Dense(10)']);
  assert.equal(model.compile?.optimizer, 'adam');
  assert.equal(model.compile?.loss, 'sparseCategoricalCrossentropy');
  assert.ok(result.problems.some((p) => /`model` \(a subclassed model\) is measured on the input shape `model.fit` states, \(28, 28, 1,\)/.test(p.message)));
  assert.ok(!result.problems.some((p) => p.leftOut));
  assert.equal(staticExit(text, 'quickstart.py'), EXIT_OK);
});

test('a layer applied twice in call is two layers (weights of their own), said on the layer', () => {
  const text = `import keras
from keras import layers

class M(keras.Model):
    def __init__(self):
        super().__init__()
        self.d = layers.Dense(8, activation="relu")
        self.out = layers.Dense(1)

    def call(self, x):
        return self.out(self.d(self.d(x)))

m = M()
m.build((None, 8))
`;
  const result = parsePythonModels(text, 'shared.py');
  assert.deepEqual(only(result, 'm').layers.map((l) => l.type), ['inputLayer', 'dense', 'dense', 'dense']);
  const said = result.problems.find((p) => /applied 2 times in `M.call`/.test(p.message));
  assert.ok(said);
  assert.equal(text.slice(said.range.start, said.range.end), 'layers.Dense(8, activation="relu")');
});

test('a residual subclassed block: `x + f(x)` is an Add; `model(tf.zeros((1, 16)))` states the input', () => {
  const result = parsePythonModels(fixture('residual.py'), 'residual.py');
  const model = only(result, 'model');
  assert.equal(model.layers.filter((l) => l.type === 'add').length, 4);
  const adds = model.layers.filter((l) => l.type === 'add');
  // The first Add joins the stem's output and the block's second Dense.
  assert.deepEqual(adds[0]!.inbound, ['dense_1', 'dense_3']);
  assert.deepEqual(model.layers[0]!.outputShape, [null, 16]);
  assert.deepEqual(model.layers[model.layers.length - 1]!.outputShape, [null, 1]);
});

test('input shapes in order: build, a call on an array, keras.Input, fit data, input_shape= on a layer; else a hole', () => {
  const make = (use: string, first = 'layers.Dense(8)'): string => `import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

class M(keras.Model):
    def __init__(self):
        super().__init__()
        self.a = ${first}
        self.b = layers.Dense(1)

    def call(self, x):
        return self.b(self.a(x))

x_train = np.random.rand(100, 7)
m = M()
${use}
m.compile(optimizer="adam", loss="mse")
`;
  const shape = (text: string): unknown => only(parsePythonModels(text, 'm.py'), 'm').layers[0]!.outputShape;
  assert.deepEqual(shape(make('m.build((None, 3))\nm(np.zeros((2, 4)))\nm.fit(x_train, x_train)')), [null, 3]);
  assert.deepEqual(shape(make('m(np.zeros((2, 4)))\nm.fit(x_train, x_train)')), [null, 4]);
  assert.deepEqual(shape(make('m(x_train[:1])')), [null, 7]);
  assert.deepEqual(shape(make('out = m(keras.Input((5,)))\nm.fit(x_train, x_train)')), [null, 5]);
  assert.deepEqual(shape(make('m.fit(x_train, x_train)')), [null, 7]);
  assert.deepEqual(shape(make('', 'layers.Dense(8, input_shape=(6,))')), [null, 6]);
  // Nothing stated: a hole on the instance, suggested from the data the script makes; --set fills it.
  const bare = make('');
  const result = parsePythonModels(bare, 'm.py');
  const hole = only(result, 'm').holes?.find((h) => h.name === 'm.input_shape');
  assert.ok(hole, JSON.stringify(only(result, 'm').holes));
  assert.equal(bare.slice(hole.range.start, hole.range.end), 'M()');
  assert.ok(result.problems.some((p) => /give `m.input_shape` a value, e.g. `# gradient-lens: m.input_shape=\(7,\)`/.test(p.message)));
  assert.equal(staticExit(bare, 'm.py'), EXIT_UNMEASURED);
  assert.deepEqual(only(parsePythonModels(bare, 'm.py', { set: { 'm.input_shape': '(9,)' } }), 'm').layers[0]!.outputShape, [null, 9]);
});

test('a subclassed model used inside another is measured there; build() makes layers; training=True branches are read; x / 255.0 is a Rescaling', () => {
  const result = parsePythonModels(fixture('nested.py'), 'nested.py');
  assert.deepEqual(result.models.map((m) => m.name), ['classifier']);
  const model = only(result, 'classifier');
  assert.deepEqual(model.layers.map((l) => l.type), ['inputLayer', 'rescaling', 'dense', 'layerNormalization', 'dropout', 'dense']);
  assert.equal(model.layers[1]!.config.scale, 1 / 255);
  assert.deepEqual(model.layers[model.layers.length - 1]!.outputShape, [null, 3]);
  assert.ok(result.problems.some((p) => p.severity === 'info' && /`Encoder` \(a subclassed model\) is called on a tensor at line 30/.test(p.message)));
});

test('what cannot be followed is left out on the line to fix: a TF op in call, a class that is never made, a train_step', () => {
  const text = fixture('not_followed.py');
  const result = parsePythonModels(text, 'not_followed.py');
  assert.deepEqual(result.models.map((m) => m.name), ['generator']);
  const left = result.problems.filter((p) => p.leftOut);
  const at = left.map((p) => [lineOf(text, p.range.start), text.slice(p.range.start, p.range.end).split('\n')[0]]);
  assert.deepEqual(at, [
    [17, 'tf.reduce_sum(x, axis=1)'],
    [22, 'class Unused(keras.Model)'],
    [38, 'def train_step(self, data)'],
  ]);
  assert.equal(left[0]!.message, '`patches` (a subclassed model) is not measured: its `call` could not be followed here: `tensorflow.reduce_sum(...)` is not evaluated.');
  // Not said as measured on a shape when it is not measured.
  assert.ok(!result.problems.some((p) => /`patches` \(a subclassed model\) is measured/.test(p.message)));
  assert.equal(staticExit(text, 'not_followed.py'), EXIT_UNMEASURED);
});

test('a model class nobody in the file instantiates (a models.py) is made once as a template: defaults, holes, fills', () => {
  const text = fixture('models_lib.py');
  const result = parsePythonModels(text, 'models_lib.py');
  assert.deepEqual(result.models.map((m) => m.name), ['Classifier', 'Needs']);
  const classifier = only(result, 'Classifier');
  // Defaults of __init__: depth=3 tanh layers, 10 classes; the input shape is a hole on the class name.
  assert.deepEqual(classifier.layers.map((l) => l.type), ['inputLayer', 'dense', 'dense', 'dense', 'dense']);
  const hole = classifier.holes?.find((h) => h.name === 'Classifier.input_shape');
  assert.ok(hole);
  assert.equal(text.slice(hole.range.start, hole.range.end), 'Classifier');
  // `units` has no default: a hole named by the parameter.
  assert.ok(only(result, 'Needs').holes?.some((h) => h.name === 'units'));
  assert.equal(staticExit(text, 'models_lib.py'), EXIT_UNMEASURED);
  const filled = parsePythonModels(text, 'models_lib.py', { set: { 'Classifier.input_shape': '(20,)', units: '3' } });
  assert.deepEqual(only(filled, 'Classifier').layers.map((l) => l.outputShape), [[null, 20], [null, 64], [null, 64], [null, 64], [null, 10]]);
  assert.deepEqual(only(filled, 'Needs').layers[1]!.outputShape, [null, 3]);
  // An annotation above the class fills it too.
  const annotated = text.replace('class Classifier(', '# gradient-lens: Classifier.input_shape=(6,)\nclass Classifier(');
  assert.deepEqual(only(parsePythonModels(annotated, 'models_lib.py'), 'Classifier').layers[0]!.outputShape, [null, 6]);
});

test('TF ops on tensors inside call are Keras layers: tf.nn.relu / softmax / leaky_relu, tf.add, tf.concat, tf.reshape(x, (-1, ...))', () => {
  const text = fixture('resnet_tfops.py');
  const model = only(parsePythonModels(text, 'resnet_tfops.py'), 'net');
  const types = model.layers.map((l) => l.type);
  assert.deepEqual(types.filter((t) => t === 'activation').length, 6);
  assert.deepEqual(types.filter((t) => t === 'add').length, 2);
  const reshapes = model.layers.filter((l) => l.type === 'reshape');
  assert.deepEqual(reshapes.map((l) => l.outputShape), [[null, 1024, 20], [null, 32, 32, 20]]);
  assert.deepEqual(model.layers.find((l) => l.type === 'concatenate')!.outputShape, [null, 32, 32, 20]);
  assert.equal(model.layers.find((l) => l.type === 'leakyReLU')!.config.alpha, 0.2);
  assert.equal(model.layers[model.layers.length - 1]!.activation, 'softmax');
  // The op's line is the layer's line.
  const first = model.layers.find((l) => l.type === 'activation')!;
  assert.equal(text.slice(first.range.start, first.range.end), 'tf.nn.relu(self.stem(x))');
  // A fix that rewrites a layer's arguments cannot edit an op: said, not a wrong edit.
  const sigmoid = text.replace(/tf\.nn\.relu/g, 'tf.nn.sigmoid');
  const plan = planFix(sigmoid, 'resnet_tfops.py', only(parsePythonModels(sigmoid, 'resnet_tfops.py'), 'net'), 'activation-relu', ['activation_1']);
  assert.ok('unavailable' in plan, JSON.stringify(plan));
});

test('a subclassed model imported from the user\'s models.py is read: its __init__ and call run in that file, what train.py states (fit, build, compile) is used', () => {
  const dir = join(FIXTURES, 'project');
  const file = join(dir, 'train.py');
  const readFile = (path: string): string | undefined => {
    try {
      return readFileSync(path.startsWith('/') ? path : join(dir, path), 'utf8');
    } catch {
      return undefined;
    }
  };
  const text = readFileSync(file, 'utf8');
  const result = parsePythonModels(text, file, { readFile });
  assert.deepEqual(result.models.map((m) => m.name), ['net']);
  const net = only(result, 'net');
  // `Net(depth=8)`: 8 sigmoid layers and the output, on the (12,) rows given to fit.
  assert.deepEqual(net.layers.map((l) => l.type), ['inputLayer', ...Array<string>(8).fill('dense'), 'dense']);
  assert.deepEqual(net.layers[1]!.outputShape, [null, 32]);
  assert.deepEqual(net.layers[0]!.outputShape, [null, 12]);
  assert.equal(net.compile?.loss, 'binaryCrossentropy');
  // Every range is in train.py (the other file's offsets mean nothing here): on `Net(depth=8)`.
  for (const layer of net.layers) assert.equal(text.slice(layer.range.start, layer.range.end), 'Net(depth=8)');
  const left = result.problems.filter((p) => p.leftOut);
  assert.equal(left.length, 1);
  assert.equal(text.slice(left[0]!.range.start, left[0]!.range.end), 'Broken()');
  assert.match(left[0]!.message, /`broken` \(a subclassed model\) is not measured: its `call` could not be followed \(in `models.py`, line 24\): `tensorflow.matmul\(...\)` is not evaluated/);
});

test('the deep sigmoid subclassed MLP is predicted vanishing, on the line of its layers in __init__; activation-relu edits that line', () => {
  const text = fixture('deep_sigmoid.py');
  const source = readSource(text, 'deep_sigmoid.py');
  const model = only(source.parsed, 'model');
  assert.equal(model.layers.length, 14);
  assert.deepEqual(model.layers[0]!.outputShape, [null, 784]);
  const plan = planFix(text, 'deep_sigmoid.py', model, 'activation-relu');
  assert.ok('edits' in plan, JSON.stringify(plan));
  const fixed = applyEdits(text, plan.edits);
  assert.match(fixed, /self\.hidden = \[layers\.Dense\(units, activation="relu"\) for _ in range\(depth\)\]/);
});

test('fixes on self.x layers: BatchNormalization / LeakyReLU are made in __init__ and applied after the use in call; init-he edits __init__', () => {
  const text = fixture('sigmoid_attrs.py');
  const model = only(parsePythonModels(text, 'sigmoid_attrs.py'), 'net');
  const bn = planFix(text, 'sigmoid_attrs.py', model, 'insert-batch-norm');
  assert.ok('edits' in bn, JSON.stringify(bn));
  const fixed = applyEdits(text, bn.edits);
  assert.match(fixed, /from tensorflow\.keras\.layers import Dense, BatchNormalization/);
  assert.match(fixed, /        self\.d1 = Dense\(64, activation="sigmoid", input_shape=\(20,\)\)\n        self\.d1_bn = BatchNormalization\(\)\n/);
  assert.match(fixed, /        x = self\.d1\(x\)\n        x = self\.d1_bn\(x\)\n/);
  // The fixed file reads back with a batch norm after every hidden Dense (none after the output).
  const again = only(parsePythonModels(fixed, 'sigmoid_attrs.py'), 'net');
  assert.equal(again.layers.filter((l) => l.type === 'batchNormalization').length, 8);
  assert.equal(again.layers[again.layers.length - 1]!.type, 'dense');
  const reluText = fixture('relu_random_normal.py');
  const he = planFix(reluText, 'relu_random_normal.py', only(parsePythonModels(reluText, 'relu_random_normal.py'), 'net'), 'init-he');
  assert.ok('edits' in he, JSON.stringify(he));
  const withHe = applyEdits(reluText, he.edits);
  assert.match(withHe, /        self\.d1 = Dense\(64, activation="relu", kernel_initializer="he_normal", input_shape=\(20,\)\)\n        self\.d2 = Dense\(64, activation="relu", kernel_initializer="he_normal"\)\n/);
  // A layer applied more than once in call cannot take an inserted layer: said, not guessed.
  const twice = text.replace('x = self.d3(x)', 'x = self.d3(x)\n        x = self.d3(x)');
  const plan = planFix(twice, 'sigmoid_attrs.py', only(parsePythonModels(twice, 'sigmoid_attrs.py'), 'net'), 'insert-batch-norm');
  assert.ok('unavailable' in plan);
  assert.match(plan.unavailable, /`self\.d3` is not applied once/);
});

test('measured: the deep sigmoid subclassed MLP is found vanishing, the quickstart model trains (CLI, 1 initialization)', () => {
  const run = (file: string): { code: number | null; report: { files: { models: { name: string; measurement: { status: string; verdict?: string; message?: string } }[] }[] } } => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'analyze', join('test', 'fixtures', 'subclassed', file), '--json', '--seeds', '1', '--time-budget', '20'], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    return { code: r.status, report: JSON.parse(r.stdout) };
  };
  const deep = run('deep_sigmoid.py');
  const m = deep.report.files[0]!.models[0]!;
  assert.equal(m.measurement.status, 'measured', m.measurement.message);
  assert.equal(m.measurement.verdict, 'vanishing');
  assert.equal(deep.code, 1);
  const quick = run('residual.py');
  assert.equal(quick.report.files[0]!.models[0]!.measurement.status, 'measured', quick.report.files[0]!.models[0]!.measurement.message);
});
