/**
 * TS/JS: the first layer of a `tf.sequential` without an input shape. tfjs throws at
 * `model.add` ("The first layer in a Sequential model must get an `inputShape` or
 * `batchInputShape` argument"), so the model cannot be built as written: it is a blocking hole
 * `inputShape` with the usual `--set` / annotation advice, as Keras' missing input shape is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSource } from '../../src/core/source';
import { blocksTraining } from '../../src/core/holes';

const HEAD = "import * as tf from '@tensorflow/tfjs';\n";

test('a first dense without inputShape is a blocking `inputShape` hole, said on its line with what tfjs says', () => {
  const text = `${HEAD}const model = tf.sequential();\nmodel.add(tf.layers.dense({units: 8, activation: 'relu'}));\nmodel.add(tf.layers.dense({units: 1}));\n`;
  const result = parseSource(text, 'm.js');
  const model = result.models[0]!;
  assert.deepEqual(model.holes?.map((h) => [h.name, h.role, h.usedBy]), [['inputShape', 'input shape', ['dense_1.inputShape']]]);
  assert.ok(blocksTraining(model.holes![0]!));
  const problem = result.problems.find((p) => /first layer of a sequential model/.test(p.message))!;
  assert.equal(text.slice(0, problem.range.start).split('\n').length, 3, 'on the layer\'s line');
  assert.match(problem.message, /must get an `inputShape` or `batchInputShape` argument/);
  assert.ok(!result.problems.some((p) => /is not a constant/.test(p.message)), 'said once');
});

test('the hole is filled by --set or an annotation; tf.sequential({layers}) and templates alike', () => {
  const text = `${HEAD}const model = tf.sequential({layers: [tf.layers.flatten(), tf.layers.dense({units: 3})]});\n`;
  assert.deepEqual(parseSource(text, 'm.js').models[0]!.holes?.map((h) => h.name), ['inputShape']);
  const filled = parseSource(text, 'm.js', { set: { inputShape: '[4, 5]' } }).models[0]!;
  assert.equal(filled.holes, undefined);
  assert.equal(filled.params, 63);
  const template = `${HEAD}// gradient-lens: inputShape=[6]\nexport function build() {\n  const m = tf.sequential();\n  m.add(tf.layers.dense({units: 2}));\n  return m;\n}\n`;
  const built = parseSource(template, 'm.ts').models[0]!;
  assert.equal(built.holes, undefined);
  assert.equal(built.params, 14);
});

test('no hole where tfjs has an input shape or the config is not known', () => {
  for (const first of [
    'tf.layers.dense({units: 8, inputShape: [3]})',
    'tf.layers.dense({units: 8, inputDim: 3})',
    'tf.layers.dense({units: 8, batchInputShape: [null, 3]})',
    'tf.layers.embedding({inputDim: 100, outputDim: 8})',
    'tf.layers.dense(config)',
  ]) {
    const text = `${HEAD}const model = tf.sequential();\nmodel.add(${first});\nmodel.add(tf.layers.dense({units: 1}));\n`;
    const result = parseSource(text, 'm.js');
    assert.ok(!(result.models[0]!.holes ?? []).some((h) => h.name === 'inputShape'), first);
    assert.ok(!result.problems.some((p) => /first layer of a sequential model/.test(p.message)), first);
  }
  // A functional model's layers are not first layers of a sequential one.
  const functional = `${HEAD}const input = tf.input({shape: [3]});\nconst out = tf.layers.dense({units: 1}).apply(input);\nconst model = tf.model({inputs: input, outputs: out});\n`;
  assert.equal(parseSource(functional, 'm.js').models[0]!.holes, undefined);
});

test('data the code fits (or predicts) on suggests the shape, but does not fill it: tfjs throws as written', () => {
  const body = `${HEAD}const model = tf.sequential();\nmodel.add(tf.layers.dense({units: 8}));\nmodel.add(tf.layers.dense({units: 1}));\n`;
  for (const [data, shape] of [
    ['const xs = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);\nmodel.fit(xs, tf.zeros([2, 1]));\n', '[3]'],
    ['const xs = tf.tensor2d(values, [64, 5]);\nmodel.fit(xs, ys, {epochs: 2});\n', '[5]'],
    ['const xs = tf.randomNormal([100, 7]);\nmodel.predict(xs);\n', '[7]'],
  ] as const) {
    const result = parseSource(body + data, 'm.js');
    const hole = result.models[0]!.holes!.find((h) => h.name === 'inputShape')!;
    assert.equal(hole.suggestion, shape, data);
    assert.ok(blocksTraining(hole), 'still a hole');
    assert.ok(result.problems.some((p) => p.severity === 'info' && p.message.includes(`suggested from \`xs\` (one sample: ${shape})`)), data);
  }
  // Data the code does not write (loaded from a file) leaves the role's example.
  const loaded = parseSource(`${body}const xs = await loadData();\nmodel.fit(xs, ys);\n`, 'm.js').models[0]!.holes![0]!;
  assert.notEqual(loaded.suggestion, undefined);
  assert.ok(!/suggested from/.test(JSON.stringify(parseSource(`${body}const xs = await loadData();\nmodel.fit(xs, ys);\n`, 'm.js').problems)));
});
