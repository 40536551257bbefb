/**
 * Model code written the way people write it (tutorials, Stack Overflow), found by a newcomer's
 * pass over the CLI: loss functions passed by reference, custom losses, layer names tfjs refuses
 * but Keras accepts, causal and dilated Conv1D (which tfjs cannot run or train), fixes on CRLF
 * files, and `analyze --help`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from '../../src/cli/args';
import { applyFixes } from '../../src/core/fixes/index';
import { holeAdvice } from '../../src/core/holes';
import type { ModelGraph } from '../../src/core/ir';
import { parseSource } from '../../src/core/source';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { buildModel } from '../../src/training/buildModel';
import { registerDilatedConvGradient } from '../../src/training/dilatedConvGradient';
import { registerMissingWasmKernels } from '../../src/training/wasmKernels';
import { lossFunction } from '../../src/training/measure';
import { isTfjsName, tfjsNamedGraph } from '../../src/training/tensorNames';

const root = join(__dirname, '..');
setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
const cli = join(root, 'dist', 'cli.js');

const tfjsModel = (loss: string, before = ''): string => `import * as tf from '@tensorflow/tfjs';
${before}const model = tf.sequential();
model.add(tf.layers.dense({units: 8, inputShape: [4], activation: 'relu'}));
model.add(tf.layers.dense({units: 1, activation: 'sigmoid'}));
model.compile({optimizer: tf.train.adam(0.01), loss: ${loss}});
`;

function only(text: string, fileName: string): { model: ModelGraph; problems: string[] } {
  const result = parseSource(text, fileName);
  assert.equal(result.models.length, 1);
  return { model: result.models[0]!, problems: result.problems.map((p) => `${p.severity}: ${p.message}`) };
}

test('a tfjs loss function passed by reference is the loss string compile takes for it, with no warning', () => {
  // The tfjs "2D data" tutorial writes `loss: tf.losses.meanSquaredError`.
  const cases: [string, string | string[]][] = [
    ['tf.losses.meanSquaredError', 'meanSquaredError'],
    ['tf.losses.logLoss', 'binaryCrossentropy'],
    ['tf.losses.absoluteDifference', 'meanAbsoluteError'],
    ['tf.losses.softmaxCrossEntropy', 'categoricalCrossentropy'],
    ['tf.metrics.binaryCrossentropy', 'binaryCrossentropy'],
    ['tf.metrics.MSE', 'meanSquaredError'],
    ['[tf.losses.logLoss]', ['binaryCrossentropy']],
  ];
  for (const [written, loss] of cases) {
    const { model, problems } = only(tfjsModel(written), 'model.ts');
    assert.deepEqual(model.compile?.loss, loss, written);
    assert.deepEqual(problems, [], written);
  }
  // softmaxCrossEntropy takes logits: still read as such.
  assert.equal(only(tfjsModel('tf.losses.softmaxCrossEntropy'), 'model.ts').model.lossFromLogits, true);
});

test('a custom loss function in TS/JS is said to be replaced by mean squared error, named when it has a name', () => {
  const inline = only(tfjsModel('(yTrue: tf.Tensor, yPred: tf.Tensor) => tf.log(yPred).mean()'), 'model.ts');
  assert.deepEqual(inline.problems, ['warning: Custom loss function is not evaluated; training uses mean squared error instead.']);
  const named = only(tfjsModel('myLoss', 'function myLoss(a: tf.Tensor, b: tf.Tensor) { return a.sub(b).abs().mean(); }\n'), 'model.js');
  assert.deepEqual(named.problems, ['warning: Custom loss `myLoss` is not evaluated; training uses mean squared error instead.']);
  // A tfjs loss with no string twin is a custom loss here, said with its name.
  const huber = only(tfjsModel('tf.losses.huberLoss'), 'model.ts');
  assert.deepEqual(huber.problems, ['warning: Custom loss `tf.losses.huberLoss` is not evaluated; training uses mean squared error instead.']);
});

const UNICODE_KERAS = `from tensorflow import keras
größe = 16
modèle = keras.Sequential([
    keras.layers.Dense(größe, activation='sigmoid', input_shape=(4,), name='schicht_ä'),
    keras.layers.Dense(8, activation='relu', name='my layer'),
    keras.layers.Dense(1, name='ausgang_😀'),
])
modèle.compile(optimizer='adam', loss='mse')
`;

test('layer names tfjs refuses are built under valid aliases and given back in what the worker sends', () => {
  const { model } = only(UNICODE_KERAS, 'model.py');
  assert.deepEqual(model.layers.map((l) => l.id), ['schicht_ä', 'my layer', 'ausgang_😀']);
  const named = tfjsNamedGraph(model);
  const ids = named.graph.layers.map((l) => l.id);
  assert.ok(ids.every(isTfjsName), ids.join(', '));
  assert.equal(new Set(ids).size, 3);
  assert.deepEqual(named.graph.layers[1]!.inbound, [ids[0]]);
  assert.deepEqual(named.graph.outputs, [ids[2]]);
  // A message as the worker posts it: names as keys, values and inside error text.
  const message = { trainableLayers: ids, dead: { [ids[1]!]: 0.5 }, message: `\`${ids[0]}\`: Not a valid tensor name: '${ids[0]}_input'`, grads: new Float32Array([1, 2]) };
  const restored = named.restore(message);
  assert.deepEqual(restored.trainableLayers, ['schicht_ä', 'my layer', 'ausgang_😀']);
  assert.deepEqual(Object.keys(restored.dead), ['my layer']);
  assert.equal(restored.message, "`schicht_ä`: Not a valid tensor name: 'schicht_ä_input'");
  assert.ok(restored.grads instanceof Float32Array);
  // Valid names are left alone (the same graph object).
  const plain = only("from tensorflow import keras\nm = keras.Sequential([keras.layers.Dense(1, input_shape=(2,), name='out.1')])\n", 'plain.py').model;
  assert.equal(tfjsNamedGraph(plain).graph, plain);
});

test('CLI: a Keras model with unicode and spaced layer names is measured, reported under its own names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-user-'));
  const file = join(dir, 'unicode_names.py');
  writeFileSync(file, UNICODE_KERAS);
  const result = spawnSync(process.execPath, [cli, 'analyze', file, '--json', '--seeds', '1', '--epochs', '1', '--samples', '64'], { encoding: 'utf8', timeout: 120_000 });
  const report = JSON.parse(result.stdout) as { files: { models: { measurement: { status: string; message?: string }; layers: { id?: string; name?: string }[] }[] }[] };
  const model = report.files[0]!.models[0]!;
  assert.equal(model.measurement.status, 'measured', model.measurement.message);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(model.layers.map((l) => l.id ?? l.name), ['schicht_ä', 'my layer', 'ausgang_😀']);
});

test('CLI args: `analyze --help` and `fix -h` print the usage instead of an unknown-option error', () => {
  assert.deepEqual(parseArgs(['analyze', '--help']), { command: 'help' });
  assert.deepEqual(parseArgs(['analyze', 'model.ts', '-h']), { command: 'help' });
  assert.deepEqual(parseArgs(['fix', '--help']), { command: 'help' });
});

const CAUSAL_KERAS = `import tensorflow as tf
model = tf.keras.models.Sequential([
  tf.keras.layers.Conv1D(filters=4, kernel_size=3, dilation_rate=2, padding="causal", activation="relu", input_shape=[10, 2]),
  tf.keras.layers.Conv1D(filters=3, kernel_size=2, padding="causal"),
  tf.keras.layers.GlobalAveragePooling1D(),
  tf.keras.layers.Dense(1),
])
model.compile(loss="mse", optimizer="sgd")
`;

test('a causal Conv1D keeps the sequence length and trains as Keras computes it: (k-1)*dilation zeros before, then valid', async () => {
  // tfjs 4.22's conv1d throws "CAUSAL padding mode ... not implemented" at the first step.
  const { model: graph } = only(CAUSAL_KERAS, 'causal.py');
  assert.deepEqual(graph.layers.map((l) => l.outputShape), [[null, 10, 4], [null, 10, 3], [null, 3], [null, 1]]);
  await tf.setBackend('cpu');
  const model = buildModel(tf, graph, 3);
  const x = tf.randomNormal([5, 10, 2], 0, 1, 'float32', 11);
  const conv = model.getLayer(graph.layers[0]!.id);
  const [kernel, bias] = conv.getWeights();
  // Keras' definition, written out: pad 4 steps before the first, valid dilated convolution.
  const expected = tf.relu(tf.add(tf.conv1d(tf.pad(x, [[0, 0], [4, 0], [0, 0]]) as tf.Tensor3D, kernel as tf.Tensor3D, 1, 'valid', 'NWC', 2), bias!));
  const probe = tf.model({ inputs: model.inputs, outputs: conv.output as tf.SymbolicTensor });
  const actual = probe.predict(x) as tf.Tensor;
  assert.deepEqual(actual.shape, [5, 10, 4]);
  assert.ok(tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]! < 1e-5);
  // It trains (with the dilated convolutions' gradient the worker registers).
  registerDilatedConvGradient(tf);
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const history = await model.fit(x, tf.zeros([5, 1]), { epochs: 1, verbose: 0 });
  assert.ok(Number.isFinite(history.history.loss![0] as number));
});

test('dilated convolutions have a gradient (tfjs refuses dilation > 1), equal to that of the convolution written as shifted taps', async () => {
  registerDilatedConvGradient(tf);
  for (const backend of ['cpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    if (backend === 'wasm') registerMissingWasmKernels(tf);
    // Conv1D: [batch 2, 11 steps, 3 channels], kernel 3, dilation 2, 4 filters; 'valid' and 'same'.
    const x = tf.randomNormal([2, 11, 3], 0, 1, 'float32', 5) as tf.Tensor3D;
    const filter = tf.randomNormal([3, 3, 4], 0, 1, 'float32', 6) as tf.Tensor3D;
    const weights = tf.randomNormal([2, 11, 4], 0, 1, 'float32', 7);
    for (const padding of ['valid', 'same'] as const) {
      const conv = (a: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(tf.conv1d(a as tf.Tensor3D, f as tf.Tensor3D, 1, padding, 'NWC', 2), padding === 'same' ? weights : tf.slice(weights, [0, 0, 0], [2, 7, 4])));
      // y[t] = sum_j x[t + 2j] . F[j], with 'same' padding 2 steps on each side.
      const taps = (a: tf.Tensor, f: tf.Tensor) => {
        const padded = padding === 'same' ? tf.pad(a, [[0, 0], [2, 2], [0, 0]]) : a;
        const steps = padding === 'same' ? 11 : 7;
        const y = [0, 1, 2].map((j) => tf.reshape(tf.matMul(tf.reshape(tf.slice(padded, [0, 2 * j, 0], [2, steps, 3]), [2 * steps, 3]), tf.reshape(tf.slice(f, [j, 0, 0], [1, 3, 4]), [3, 4])), [2, steps, 4])).reduce((p, q) => tf.add(p, q));
        return tf.sum(tf.mul(y, padding === 'same' ? weights : tf.slice(weights, [0, 0, 0], [2, 7, 4])));
      };
      const [dx, df] = tf.grads(conv)([x, filter]);
      const [rx, rf] = tf.grads(taps)([x, filter]);
      assert.ok(tf.max(tf.abs(tf.sub(dx!, rx!))).dataSync()[0]! < 1e-4, `${backend} ${padding} input gradient`);
      assert.ok(tf.max(tf.abs(tf.sub(df!, rf!))).dataSync()[0]! < 1e-4, `${backend} ${padding} filter gradient`);
    }
  }
  await tf.setBackend('cpu');
});

test('fixes keep a CRLF file CRLF: the lines they add end in CRLF too', () => {
  const python = 'from tensorflow import keras\n\nmodel = keras.Sequential()\nmodel.add(keras.layers.Dense(8, activation="sigmoid", input_shape=(4,)))\nmodel.add(keras.layers.Dense(8, activation="sigmoid"))\nmodel.add(keras.layers.Dense(1))\nmodel.compile(optimizer="adam", loss="mse")\n';
  const ts = tfjsModel("'binaryCrossentropy'").replace("{units: 8, inputShape: [4], activation: 'relu'}", "{units: 8, inputShape: [4], activation: 'sigmoid'}");
  for (const [text, fileName, codes] of [[python, 'model.py', ['insert-batch-norm', 'activation-leaky-relu']], [ts, 'model.ts', ['insert-batch-norm', 'clip-gradients']]] as const) {
    const crlf = text.replace(/\n/g, '\r\n');
    const result = applyFixes(crlf, fileName, 'model', codes);
    assert.deepEqual(result.skipped, [], fileName);
    assert.ok(result.text.length > crlf.length, fileName);
    assert.equal(result.text.match(/(?<!\r)\n/g), null, `${fileName}: a bare LF in\n${result.text}`);
    // An LF file stays LF.
    assert.ok(!applyFixes(text, fileName, 'model', codes).text.includes('\r'), fileName);
  }
});

test('the unresolved advice says where a suggested input shape was read from, not that it is an example', () => {
  const text = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({ units: 8, activation: 'relu' }));
model.add(tf.layers.dense({ units: 1 }));
model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
const xs = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
model.fit(xs, tf.tensor2d([[1], [2]]), { epochs: 10 });
`;
  const advice = holeAdvice(only(text, 'model.ts').model)!;
  assert.match(advice, /--set 'inputShape=\[3\]' \(`inputShape` from the data `xs`: check it is what the model should take\)/);
  assert.doesNotMatch(advice, /examples/);
  // A value with nothing to read it from is still called an example.
  const unknownWidth = only(text.replace(/const xs = .*\n/, '').replace('model.fit(xs', 'model.fit(loadX()'), 'model.ts').model;
  assert.match(holeAdvice(unknownWidth)!, /the values shown are examples, not read from your code/);
});

test('a half-typed TS file names the missing value as missing, not as an empty name', () => {
  const text = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({units: 10, inputShape: [3], activation: 'relu'}));
model.add(tf.layers.dense({units: `;
  const result = parseSource(text, 'half.ts');
  const units = result.models[0]!.layers[1]!.config.units as { $unknown: string; reason: string };
  assert.deepEqual(units, { $unknown: '(missing)', reason: 'the code is incomplete here: a value is missing' });
  assert.ok(!JSON.stringify(result).includes('``'));
});

test('Python: the walrus operator binds its name (`if (d := dropout) is not None:`)', () => {
  const text = `import tensorflow as tf
def build(widths=(32, 32), *, act: str = "relu", dropout: float | None = None) -> tf.keras.Model:
    inputs = tf.keras.Input(shape=(8,))
    x = inputs
    for w in widths:
        x = tf.keras.layers.Dense(w, activation=act)(x)
        if (d := dropout) is not None:
            x = tf.keras.layers.Dropout(d)(x)
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(x), name="mlp")
    model.compile(optimizer="adam", loss="mse")
    return model

m = build([64, 64], act="tanh", dropout=0.1)
`;
  const { model, problems } = only(text, 'walrus.py');
  assert.deepEqual(problems, []);
  assert.deepEqual(model.layers.filter((l) => l.type === 'dropout').map((l) => l.config.rate), [0.1, 0.1]);
});

test('every tfjs loss string trains as tfjs computes it (Poisson, KL, MSLE, MAPE, hinge variants, cosine were mean squared error)', async () => {
  await tf.setBackend('cpu');
  const p = tf.tensor2d([[0.2, 0.5, 0.3], [0.7, 0.1, 0.2], [0.05, 0.05, 0.9], [1.5, 0.4, 0.3]]);
  const oneHot = tf.tensor2d([[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]]);
  const real = tf.tensor2d([[0.3, 2, -1], [4, 0.5, 0.2], [1, 1, 1], [-2, 0.1, 3]]);
  const cases: [string, tf.Tensor][] = [
    ['poisson', oneHot], ['kullbackLeiblerDivergence', oneHot], ['meanSquaredLogarithmicError', real],
    ['meanAbsolutePercentageError', real], ['categoricalHinge', oneHot], ['cosineProximity', real],
  ];
  const identity = tf.sequential({ layers: [tf.layers.activation({ activation: 'linear', inputShape: [3] })] });
  const tfjsLoss = (name: string, y: tf.Tensor): number => {
    identity.compile({ optimizer: 'sgd', loss: name });
    return (identity.evaluate(p, y) as tf.Scalar).dataSync()[0]!;
  };
  for (const [name, y] of cases) {
    const ours = lossFunction(tf, name)(y, p).dataSync()[0]!;
    assert.ok(Math.abs(ours - tfjsLoss(name, y)) < 1e-5 * Math.max(1, Math.abs(ours)), `${name}: ${ours} vs ${tfjsLoss(name, y)}`);
    assert.ok(Math.abs(ours - lossFunction(tf, 'meanSquaredError')(y, p).dataSync()[0]!) > 1e-3, `${name} is not MSE`);
  }
  // Hinge losses take 0/1 labels as Keras does, as -1/1.
  const binary = tf.tensor2d([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0]]);
  const ours = lossFunction(tf, 'squaredHinge')(binary, p).dataSync()[0]!;
  assert.ok(Math.abs(ours - tfjsLoss('squaredHinge', tf.sub(tf.mul(binary, 2), 1))) < 1e-5);
});

test('TS/JS: a layer name tfjs refuses is a warning on the name (the code throws there); Keras accepts it, so Python has none', () => {
  const ts = only(`import * as tf from '@tensorflow/tfjs';
const m = tf.sequential();
m.add(tf.layers.dense({units: 4, inputShape: [3], name: 'schicht_ä'}));
m.add(tf.layers.dense({units: 1, name: 'out.final-1'}));
`, 'model.ts');
  assert.equal(ts.problems.length, 1);
  assert.match(ts.problems[0]!, /^warning: tfjs refuses the layer name `schicht_ä` .*"Not a valid tensor name"/);
  assert.deepEqual(only(UNICODE_KERAS, 'model.py').problems, []);
});
