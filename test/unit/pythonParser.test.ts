import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePythonModels } from '../../src/core/python/index';
import { CLIPPED_OPTIMIZER_CALL, type ModelGraph, type ParseResult, type SourceRange } from '../../src/core/ir';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'python');

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

function model(result: ParseResult, name: string): ModelGraph {
  const found = result.models.find((m) => m.name === name);
  assert.ok(found, `no model \`${name}\`; got ${result.models.map((m) => m.name).join(', ')}`);
  return found;
}

function slice(text: string, range: SourceRange | undefined): string {
  assert.ok(range, 'range is missing');
  return text.slice(range.start, range.end);
}

const types = (m: ModelGraph): string[] => m.layers.map((l) => l.type);
const ids = (m: ModelGraph): string[] => m.layers.map((l) => l.id);

test('sequential + add in a range loop: 11 sigmoid Dense layers, softmax head, SGD', () => {
  const src = fixture('sequential-add.py');
  const result = parsePythonModels(src, 'sequential-add.py');
  assert.deepEqual(result.problems, []);
  assert.equal(result.models.length, 1);
  const m = model(result, 'model');
  assert.equal(m.kind, 'sequential');
  assert.equal(m.layers.length, 12);
  assert.deepEqual(m.layers.map((l) => l.activation), [...Array(11).fill('sigmoid'), 'softmax']);
  assert.deepEqual(ids(m).slice(0, 3), ['dense_1', 'dense_2', 'dense_3']);
  assert.deepEqual(m.layers[0]!.config, { units: 64, activation: 'sigmoid', inputShape: [20] });
  assert.deepEqual(m.layers[11]!.config, { units: 10, activation: 'softmax' });
  assert.deepEqual(m.inputShape, [20]);
  assert.deepEqual(m.inputs, ['dense_1']);
  assert.deepEqual(m.outputs, ['dense_12']);
  assert.deepEqual(m.layers[2]!.inbound, ['dense_2']);
  assert.deepEqual(m.layers[0]!.inbound, []);
  // Keras' count: 20*64+64 + 10*(64*64+64) + 64*10+10.
  assert.equal(m.params, 43594);
  assert.deepEqual(m.layers[11]!.outputShape, [null, 10]);
  // Loop-made layers share the call's range and record their iteration.
  assert.equal(m.layers[1]!.range.start, m.layers[5]!.range.start);
  assert.deepEqual(m.layers[1]!.iteration, [0]);
  assert.deepEqual(m.layers[10]!.iteration, [9]);
  assert.equal(m.layers[0]!.iteration, undefined);
  assert.equal(slice(src, m.layers[1]!.range), "Dense(64, activation='sigmoid')");
  assert.equal(slice(src, m.layers[0]!.configRanges.activation!.property), "activation='sigmoid'");
  assert.equal(slice(src, m.layers[0]!.configRanges.activation!.value), "'sigmoid'");
  assert.equal(slice(src, m.layers[0]!.configRanges.units!.property), '64');
  assert.equal(slice(src, m.layers[0]!.configRanges.inputShape!.value), '(NUM_FEATURES,)');
  assert.equal(slice(src, m.layers[0]!.configRange), "(64, activation='sigmoid', input_shape=(NUM_FEATURES,))");
  assert.equal(slice(src, m.range), 'keras.Sequential()');
  assert.deepEqual(m.compile?.optimizer, { $call: 'train.sgd', args: [0.01] });
  assert.equal(m.compile?.loss, 'categoricalCrossentropy');
  assert.deepEqual(m.compile?.metrics, ['accuracy']);
  assert.equal(slice(src, m.compile?.range), "model.compile(optimizer=SGD(learning_rate=0.01), loss='categorical_crossentropy', metrics=['accuracy'])");
  assert.equal(slice(src, m.compile?.configRanges.optimizer?.value), 'SGD(learning_rate=0.01)');
  assert.equal(slice(src, m.compile?.configRanges.loss?.property), "loss='categorical_crossentropy'");
});

test('Sequential([...]) with * unpacking, helper lists, ReLU + BatchNormalization, he_normal, clipnorm', () => {
  const src = fixture('sequential-list-relu-bn.py');
  const result = parsePythonModels(src);
  assert.deepEqual(result.problems, []);
  // Keras' `name='relu_bn'` names the model (over the variable `model`).
  const m = model(result, 'relu_bn');
  assert.equal(m.layers.length, 1 + 3 * 11 + 1);
  assert.deepEqual(types(m).slice(0, 5), ['inputLayer', 'dense', 'batchNormalization', 'reLU', 'dense']);
  assert.deepEqual(ids(m).slice(0, 4), ['input_1', 'dense_1', 'batch_normalization_1', 're_lu_1']);
  assert.deepEqual(m.layers[0]!.config, { inputShape: [20] });
  assert.deepEqual(m.layers[1]!.config, { units: 64, kernelInitializer: 'heNormal', useBias: false });
  assert.deepEqual(m.inputShape, [20]);
  // Keras: 20*64 + 10*64*64 (no bias) + 11*4*64 (BN) + 64*10+10.
  assert.equal(m.params, 20 * 64 + 10 * 64 * 64 + 11 * 256 + 650);
  assert.deepEqual(m.layers[4]!.iteration, [0]);
  assert.deepEqual(m.compile?.optimizer, { $call: CLIPPED_OPTIMIZER_CALL, args: [{ $call: 'train.adam', args: [0.001] }, 1] });
  assert.equal(m.compile?.loss, 'sparseCategoricalCrossentropy');
  assert.deepEqual(m.compile?.metrics, ['accuracy']);
  assert.equal(slice(src, m.range).split('\n')[0], 'tf.keras.Sequential([');
});

test('functional API: Input, layer application, Add, concatenate, named layers, several inputs and outputs', () => {
  const src = fixture('functional-residual.py');
  const result = parsePythonModels(src);
  assert.deepEqual(result.problems, []);
  const m = model(result, 'resnet');
  assert.equal(m.kind, 'functional');
  assert.deepEqual(m.inputs, ['features']);
  assert.deepEqual(m.outputs, ['score']);
  assert.deepEqual(m.layers[0]!.config, { shape: [32], name: 'features' });
  assert.deepEqual(m.inputShape, [32]);
  const add = m.layers.find((l) => l.id === 'add_1')!;
  assert.deepEqual(add.inbound, ['dense_1', 'dense_3']);
  assert.deepEqual(add.iteration, [0]);
  assert.equal(slice(src, add.range), 'layers.Add()');
  const concat = m.layers.find((l) => l.type === 'concatenate')!;
  assert.deepEqual(concat.inbound, ['activation_3', 'dense_8']);
  assert.equal(slice(src, concat.range), 'layers.concatenate([x, skip])');
  assert.deepEqual(concat.outputShape, [null, 128]);
  const dense1 = m.layers.find((l) => l.id === 'dense_1')!;
  assert.equal(slice(src, dense1.range), "layers.Dense(64, activation='relu')");
  assert.equal(m.params, 2112 + 6 * 4160 + 2112 + 129);
  assert.equal(slice(src, m.range), 'keras.Model(inputs=inputs, outputs=outputs)');
  assert.equal(m.compile?.optimizer, 'adam');

  const two = model(result, 'two_heads');
  assert.deepEqual(two.inputs, ['input_1', 'input_2']);
  assert.deepEqual(two.outputs, ['dense_3', 'dense_4']);
  assert.deepEqual(two.layers.find((l) => l.type === 'add')!.inbound, ['dense_1', 'dense_2']);
  assert.equal(two.params, 36 + 36 + 5 + 10);
});

test('helper functions (defaults, keyword-only), loops over lists and ranges, comprehensions, positional compile', () => {
  const src = fixture('helpers-and-loops.py');
  const result = parsePythonModels(src);
  assert.deepEqual(result.problems, []);
  const mlp = model(result, 'mlp');
  assert.deepEqual(types(mlp), ['dense', 'dense', 'dropout', 'dense', 'dropout', 'dense', 'dropout', 'dense', 'dense', 'dense', 'dense']);
  assert.deepEqual(mlp.layers[0]!.config, { units: 256, inputDim: 784, activation: 'relu' });
  assert.deepEqual(mlp.inputShape, [784]);
  assert.deepEqual(mlp.layers.filter((l) => l.type === 'dropout').map((l) => l.config.rate), [0.5, 0.5, 0.5]);
  assert.deepEqual(mlp.layers.slice(7, 10).map((l) => l.config.units), [16, 48, 80]);
  assert.deepEqual(mlp.layers[10]!.config, { units: 10, activation: 'softmax' });
  // A layer made in a helper points at the call in the helper.
  assert.equal(slice(src, mlp.layers[1]!.range), 'Dense(units, activation=activation)');
  assert.equal(slice(src, mlp.layers[1]!.configRanges.units!.value), 'units');
  assert.equal(mlp.compile?.optimizer, 'rmsprop');
  assert.equal(mlp.compile?.loss, 'categoricalCrossentropy');

  const stack = model(result, 'stack');
  assert.equal(stack.layers.length, 12);
  assert.deepEqual(stack.layers[10]!.iteration, [9]);
  assert.equal(stack.params, 1344 + 10 * 4160 + 65);
  assert.equal(stack.compile?.optimizer, 'sgd');
  assert.equal(stack.compile?.loss, 'binaryCrossentropy');
  assert.equal(slice(src, stack.compile?.configRanges.optimizer?.property), "'sgd'");
});

test('initializers, regularizers, constraints and optimizer calls in tfjs form', () => {
  const src = fixture('initializers-regularizers.py');
  const result = parsePythonModels(src);
  assert.deepEqual(result.problems, []);
  const m = model(result, 'model');
  const [d1, d2, d3, d4, d5] = m.layers;
  assert.deepEqual(d1!.config.kernelInitializer, { $call: 'initializers.randomNormal', args: [{ mean: 0, stddev: 1.5 }] });
  assert.equal(d1!.config.biasInitializer, 'zeros');
  assert.deepEqual(d1!.config.kernelRegularizer, { $call: 'regularizers.l2', args: [{ l2: 0.01 }] });
  assert.equal(slice(src, d1!.configRanges.kernelInitializer!.value), 'initializers.RandomNormal(mean=0., stddev=1.5)');
  assert.deepEqual(d2!.config.kernelInitializer, { $call: 'initializers.heNormal', args: [{}] });
  assert.deepEqual(d2!.config.kernelRegularizer, { $call: 'regularizers.l1l2', args: [{ l1: 1e-5, l2: 1e-4 }] });
  assert.deepEqual(d2!.config.kernelConstraint, { $call: 'constraints.maxNorm', args: [{ maxValue: 3 }] });
  assert.equal(d3!.config.kernelInitializer, 'leCunNormal');
  assert.equal(d3!.activation, 'selu');
  assert.deepEqual(d4!.config.kernelInitializer, { $call: 'initializers.varianceScaling', args: [{ scale: 2, mode: 'fanIn', distribution: 'normal' }] });
  assert.deepEqual(d5!.config.kernelInitializer, { $call: 'initializers.constant', args: [{ value: 0.5 }] });
  assert.deepEqual(d5!.config.biasRegularizer, { $call: 'regularizers.l2', args: [{ l2: 0.01 }] });
  // `SGD(lr=..., momentum=...)`: the old `lr` spelling, and tfjs' momentum optimizer.
  assert.deepEqual(m.compile?.optimizer, { $call: 'train.momentum', args: [0.1, 0.9] });
  assert.equal(m.compile?.loss, 'meanSquaredError');
  assert.equal(m.params, 704 + 3 * 4160 + 65);
});

test('a function choosing the architecture by a string yields one model per branch', () => {
  const result = parsePythonModels(fixture('models-by-name.py'));
  assert.deepEqual(result.models.map((m) => m.name), ['build_model[mlp]', 'build_model[deep_sigmoid]', 'build_model[wide]']);
  assert.deepEqual(result.problems, []);
  const deep = model(result, 'build_model[deep_sigmoid]');
  assert.equal(deep.layers.length, 8);
  assert.ok(deep.layers.slice(0, 7).every((l) => l.activation === 'sigmoid'));
  assert.deepEqual(deep.inputShape, [16]);
  assert.equal(model(result, 'build_model[wide]').params, 16 * 512 + 512 + 513);
  assert.equal(model(result, 'build_model[mlp]').compile?.loss, 'binaryCrossentropy');
});

test('templates: parameters without values are holes; annotations and `set` fill them', () => {
  const src = fixture('template-with-holes.py');
  const result = parsePythonModels(src);
  const build = model(result, 'build');
  const shape = build.layers[0]!.config.inputShape;
  assert.deepEqual(shape, [{ $unknown: 'input_dim', reason: 'parameter without a value', hole: 'input_dim' }]);
  assert.equal(build.layers[0]!.config.units, 64); // the default applies
  assert.equal(build.layers[1]!.config.units, 32);
  assert.equal(build.params, undefined);
  assert.equal(build.holes?.length, 1);
  assert.equal(build.holes![0]!.name, 'input_dim');
  assert.deepEqual(build.holes![0]!.usedBy, ['dense_1.inputShape']);
  assert.equal(slice(src, build.holes![0]!.range), 'input_dim');
  assert.equal(src.slice(build.annotation!.lineStart).split('\n')[0], 'def build(input_dim, units=64):');
  const problem = result.problems.find((p) => p.message.includes('input_dim'));
  assert.ok(problem, 'the hole is reported');
  assert.equal(slice(src, problem.range), '(input_dim,)');

  // The annotation above `build_annotated` gives input_dim=13 and picks the "cnn" branch.
  const annotated = model(result, 'build_annotated');
  assert.deepEqual(types(annotated), ['inputLayer', 'conv2d', 'flatten', 'dense']);
  assert.deepEqual(annotated.inputShape, [13, 13, 1]);
  assert.equal(annotated.params, 80 + 11 * 11 * 8 + 1);
  assert.equal(slice(src, annotated.annotation?.existing), '# gradient-lens: input_dim=13, model_type="cnn"');
  assert.equal(annotated.holes, undefined);

  // `set` fills the holes of every template, as Python expression text.
  const filled = parsePythonModels(src, 'template-with-holes.py', { set: { input_dim: '2 * 5', units: '8' } });
  const b = model(filled, 'build');
  assert.deepEqual(b.inputShape, [10]);
  assert.deepEqual(b.layers.map((l) => l.config.units), [8, 4, 1]);
  assert.equal(b.params, 10 * 8 + 8 + 8 * 4 + 4 + 5);
  assert.equal(b.holes, undefined);
  assert.ok(!filled.problems.some((p) => p.message.includes('input_dim') && p.range.start < src.indexOf('# gradient-lens')));
});

test('import spellings: keras, tf.keras, module aliases, from-imports with aliases, star import', () => {
  const result = parsePythonModels(fixture('imports-spellings.py'));
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.models.map((m) => m.name), ['a', 'b', 'c', 'd', 'e', 'f']);
  for (const m of result.models) {
    assert.equal(m.layers.find((l) => l.type === 'dense')!.config.units, 8, m.name);
    assert.deepEqual(m.inputShape, [4], m.name);
  }
  assert.deepEqual(types(model(result, 'd')), ['dense', 'activation']);
  assert.equal(model(result, 'd').layers[1]!.activation, 'tanh');
  assert.equal(model(result, 'e').kind, 'functional');
  assert.equal(model(result, 'c').params, 40 + 72);
});

test('recurrent layers, Embedding, Bidirectional and TimeDistributed', () => {
  const result = parsePythonModels(fixture('rnn.py'));
  assert.deepEqual(result.problems, []);
  const text = model(result, 'text_model');
  assert.deepEqual(types(text), ['embedding', 'bidirectional', 'gru', 'simpleRNN', 'dense']);
  assert.deepEqual(text.layers[0]!.config, { inputDim: 1000, outputDim: 32, inputLength: 50 });
  assert.deepEqual(text.layers[1]!.config, { layer: { $call: 'layers.lstm', args: [{ units: 64, returnSequences: true }] } });
  assert.deepEqual(text.layers[1]!.outputShape, [null, 50, 128]);
  assert.equal(text.layers[1]!.params, 2 * 4 * (32 * 64 + 64 * 64 + 64));
  assert.deepEqual(text.layers[3]!.outputShape, [null, 16]);
  assert.equal(ids(text)[3], 'simple_rnn_1');
  const series = model(result, 'series');
  assert.deepEqual(series.layers[0]!.config, { units: 20, inputShape: [50, 3], returnSequences: true, recurrentActivation: 'hardSigmoid' });
  assert.deepEqual(series.layers[1]!.config, { layer: { $call: 'layers.dense', args: [{ units: 1 }] } });
  assert.deepEqual(series.layers[1]!.outputShape, [null, 50, 1]);
});

test('convolutions: Conv2D/MaxPooling2D/MaxPool2D/Flatten/GlobalAveragePooling2D, positional kernel sizes', () => {
  const result = parsePythonModels(fixture('cnn.py'));
  assert.deepEqual(result.problems, []);
  const cnn = model(result, 'cnn');
  assert.deepEqual(types(cnn), ['conv2d', 'maxPooling2d', 'conv2d', 'maxPooling2d', 'flatten', 'dropout', 'dense']);
  assert.deepEqual(cnn.layers[0]!.config, { filters: 32, kernelSize: [3, 3], activation: 'relu', padding: 'same', inputShape: [28, 28, 1] });
  assert.equal(cnn.layers[2]!.config.dataFormat, 'channelsLast');
  assert.deepEqual(cnn.layers[1]!.config, { poolSize: [2, 2] });
  assert.deepEqual(cnn.layers[4]!.outputShape, [null, 2304]);
  assert.equal(cnn.params, 320 + 18496 + 23050);
  assert.deepEqual(ids(cnn).slice(0, 2), ['conv2d_1', 'max_pooling2d_1']);
  const gap = model(result, 'gap');
  assert.deepEqual(types(gap), ['conv2d', 'globalAveragePooling2d', 'dense']);
  assert.equal(gap.params, 448 + 170);
});

test('unsupported constructs are reported and the rest is read', () => {
  const src = fixture('unsupported.py');
  const result = parsePythonModels(src);
  const m = model(result, 'model');
  assert.deepEqual(types(m), ['dense', 'lambda', 'dense']);
  assert.equal(m.layers[0]!.config.activation, 'exponential'); // kept as written
  assert.equal(m.layers[1]!.known, false);
  // tfjs has no Nadam: it trains as Adam, the nearest tfjs optimizer, and says so.
  assert.equal(m.compile?.optimizer, 'adam');
  const find = (part: string) => {
    const p = result.problems.find((q) => q.message.includes(part));
    assert.ok(p, `no problem mentioning ${part}: ${result.problems.map((q) => q.message).join(' | ')}`);
    return p;
  };
  const exp = find('tfjs has no `exponential` activation');
  assert.equal(exp.severity, 'warning');
  assert.equal(slice(src, exp.range), slice(src, m.layers[0]!.range));
  assert.equal(slice(src, find('Lambda').range), 'layers.Lambda(lambda t: tf.square(t))');
  // A subclassed model is read; with no input shape stated, the shape is a hole on the instance.
  assert.equal(slice(src, find('(a subclassed model) gets its input shape').range), 'MyModel()');
  assert.deepEqual(types(model(result, 'subclassed')), ['inputLayer', 'dense']);
  assert.equal(slice(src, find('`nadam` optimizer').range), "'nadam'");
  assert.equal(slice(src, find('is not a layer the parser could read').range), 'make_custom_layer()');
});

test('half-typed code never throws and keeps what it can read', () => {
  const full = fixture('sequential-add.py') + fixture('functional-residual.py') + fixture('models-by-name.py');
  for (let cut = 0; cut <= full.length; cut += 7) {
    const result = parsePythonModels(full.slice(0, cut));
    assert.ok(Array.isArray(result.models));
    assert.ok(!result.problems.some((p) => p.message.includes('internal error')), `internal error at ${cut}`);
  }
  const src = "from keras.layers import Dense\nfrom keras.models import Sequential\nm = Sequential()\nm.add(Dense(8, input_shape=(4,)))\nm.add(Dense(3, activation=\nm.add(Dense(2))\n";
  const result = parsePythonModels(src);
  const m = result.models[0];
  assert.ok(m);
  assert.deepEqual(m.layers[0]!.config, { units: 8, inputShape: [4] });
  assert.ok(result.problems.some((p) => p.severity === 'error' && p.message.startsWith('Syntax error')));
  for (const junk of ['', 'def', 'model = Sequential(', 'x = [Dense(3) for', 'class', '(((', 'for i in range(10**9): pass', 'while True: x = 1']) {
    assert.doesNotThrow(() => parsePythonModels(junk), junk);
  }
});

test('inline snippets: keyword-only layers, f-string names, dict kwargs, conditionals and module arithmetic', () => {
  const src = [
    'from tensorflow.keras import layers, Sequential',
    'N = 3',
    'CFG = {"units": 16, "activation": "elu"}',
    'use_bn = N > 2',
    'net = Sequential(name="net")',
    'net.add(layers.Dense(**CFG, input_shape=(N * 4,)))',
    'for i in range(1, N):',
    '    net.add(layers.Dense(CFG["units"] // i, name=f"hidden_{i}"))',
    '    if use_bn:',
    '        net.add(layers.BatchNormalization())',
    '    else:',
    '        net.add(layers.Dropout(0.1))',
    'net.add(layers.Dense(1, activation="hard_sigmoid" if N == 3 else "relu"))',
    'net.add(layers.LeakyReLU(alpha=0.2))',
  ].join('\n');
  const result = parsePythonModels(src);
  assert.deepEqual(result.problems, []);
  const net = model(result, 'net');
  assert.deepEqual(ids(net), ['dense_1', 'hidden_1', 'batch_normalization_1', 'hidden_2', 'batch_normalization_2', 'dense_2', 'leaky_re_lu_1']);
  assert.deepEqual(net.layers[0]!.config, { units: 16, activation: 'elu', inputShape: [12] });
  assert.deepEqual(net.layers[3]!.config, { units: 8, name: 'hidden_2' });
  assert.equal(net.layers[5]!.activation, 'hardSigmoid');
  assert.deepEqual(net.layers[6]!.config, { alpha: 0.2 });
});

test('an annotation above a top-level statement wins over --set, as in TS; an earlier annotation keeps its value', () => {
  const text = [
    'import sys',
    'from tensorflow import keras',
    '# gradient-lens: sys.argv[1]=4',
    'n = int(sys.argv[1])',
    '# gradient-lens: sys.argv[1]=9',
    'm = int(sys.argv[1])',
    'model = keras.Sequential([keras.layers.Dense(n, input_shape=(3,)), keras.layers.Dense(m)])',
  ].join('\n');
  const units = (set: Record<string, string>) => parsePythonModels(text, 'm.py', { set }).models[0]!.layers.map((l) => l.config.units);
  assert.deepEqual(units({}), [4, 4], 'the first annotation of a name holds');
  assert.deepEqual(units({ 'sys.argv[1]': '7' }), [4, 4], 'the file\'s annotation beats --set');
  assert.deepEqual(parsePythonModels(text.replace(/# gradient-lens.*\n/g, ''), 'm.py', { set: { 'sys.argv[1]': '7' } }).models[0]!.layers.map((l) => l.config.units), [7, 7], 'without an annotation, --set fills it');
});

test('a float with a trailing dot before a keyword (`0. and`) is valid Python: no syntax error, the condition is read', () => {
  const text = "from tensorflow import keras\ndrop = 0.\nmodel = keras.Sequential()\nmodel.add(keras.layers.Dense(8, input_shape=(4,)))\nif drop > 0. and drop < 1.:\n    model.add(keras.layers.Dropout(drop))\nx = 1 if 0. else 2\nmodel.add(keras.layers.Dense(1))\n";
  const result = parsePythonModels(text, 'm.py');
  assert.deepEqual(result.problems.filter((p) => p.severity === 'error'), []);
  assert.deepEqual(result.models[0]!.layers.map((l) => l.type), ['dense', 'dense'], 'drop is 0, so no Dropout');
  // Ranges stay true: the layer's call is where the text says.
  const second = result.models[0]!.layers[1]!;
  assert.equal(text.slice(second.range.start, second.range.start + 'keras.layers.Dense(1)'.length), 'keras.layers.Dense(1)');
});
