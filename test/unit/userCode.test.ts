/**
 * Model code written the way people write it (tutorials, Stack Overflow), found by a newcomer's
 * pass over the CLI: loss functions passed by reference, custom losses, layer names tfjs refuses
 * but Keras accepts, and `analyze --help`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../src/cli/args';
import type { ModelGraph } from '../../src/core/ir';
import { parseSource } from '../../src/core/source';
import { isTfjsName, tfjsNamedGraph } from '../../src/training/tensorNames';

const root = join(__dirname, '..');
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
