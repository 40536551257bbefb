/**
 * Code cut short while it is typed (a file truncated mid-property, an unclosed call): the
 * half-typed name is said on its line and is never a hole to fill (no `--set` advice), in both
 * front ends; a real hole just before the cut stays one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSource } from '../../src/core/source';

const TS_HEAD = "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential();\nmodel.add(tf.layers.dense({units: 4, inputShape: [3]}));\n";
const PY_HEAD = 'from tensorflow import keras\nfrom tensorflow.keras.layers import Dense\nmodel = keras.Sequential()\nmodel.add(Dense(4, input_shape=(3,)))\n';

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

function read(text: string, file: string) {
  const result = parseSource(text, file);
  const problems = result.problems.map((p) => ({ line: lineOf(text, p.range.start), severity: p.severity, message: p.message }));
  const holes = result.models.flatMap((m) => (m.holes ?? []).map((h) => h.name));
  return { result, problems, holes };
}

test('TS/JS: a property name or value cut short at the end of the file is no hole; the line says it is cut short', () => {
  for (const [tail, name] of [
    ['model.add(tf.layers.dense({units: 4, activ', 'activ'],
    ['model.add(tf.layers.dense({units: 4, activation: rel', 'rel'],
    ['model.add(tf.layers.dense({units: 4, kernelInitializer: xTrain.sha', 'xTrain.sha'],
    ['model.add(tf.layers.dense({units: 4, activ\nmodel.add(tf.layers.dense({units: 1}));\n', 'activ'],
  ] as const) {
    const text = TS_HEAD + tail;
    const { result, problems, holes } = read(text, 'm.js');
    assert.deepEqual(holes, [], `${tail}: no hole`);
    assert.ok(problems.some((p) => p.line === 4 && p.message.startsWith(`\`${name}\` is cut short`)), `${tail}: ${JSON.stringify(problems)}`);
    assert.ok(problems.some((p) => p.severity === 'error' && /^Syntax error/.test(p.message)), tail);
    // The warnings of the parser's misreading on the broken line are not said (only the cut and the error).
    assert.ok(problems.every((p) => p.severity === 'error' || p.message.includes('is cut short')), JSON.stringify(problems));
    const dense2 = result.models[0]!.layers[1]!;
    assert.equal(dense2.config.units, 4);
    assert.equal(dense2.config.activ, undefined, 'a half-typed property is no config key');
  }
  const atEnd = read(`${TS_HEAD}model.add(tf.layers.dense({units: 4, activ`, 'm.js').problems.find((p) => p.severity === 'error')!;
  assert.match(atEnd.message, /The file ends before this code is complete/);
});

test('TS/JS: a parameter read just before the cut is still a hole; an undefined name not at a cut is one too', () => {
  const template = "import * as tf from '@tensorflow/tfjs';\nexport function build(n) {\n  const model = tf.sequential();\n  model.add(tf.layers.dense({units: 4, inputShape: [3]}));\n  model.add(tf.layers.dense({units: n";
  assert.deepEqual(read(template, 'm.js').holes, ['n']);
  assert.deepEqual(read(`${TS_HEAD}model.add(tf.layers.dense({units: hidden}));\n`, 'm.js').holes, ['hidden']);
});

test('Python: a name cut short in an unclosed call is no positional argument and no hole; error nodes are no arguments', () => {
  for (const [tail, name] of [
    ['model.add(Dense(4, activ', 'activ'],
    ['model.add(Dense(4, activation=x_train.sha', 'x_train.sha'],
    ["model.add(Dense(4, activation='relu', kernel_init", 'kernel_init'],
    ['model.add(Dense(4, activ\nmodel.add(Dense(1))\n', 'activ'],
  ] as const) {
    const text = PY_HEAD + tail;
    const { result, problems, holes } = read(text, 'm.py');
    assert.deepEqual(holes, [], `${tail}: no hole`);
    assert.ok(problems.some((p) => p.line === 5 && p.message.startsWith(`\`${name}\` is cut short`)), `${tail}: ${JSON.stringify(problems)}`);
    assert.ok(!problems.some((p) => /`` is not a constant/.test(p.message)), `${tail}: an error node is no argument`);
    const dense2 = result.models[0]!.layers[1]!;
    assert.equal(dense2.config.units, 4);
    if (name === 'kernel_init' || name === 'activ') assert.ok(dense2.config.activation === undefined || dense2.config.activation === 'relu', `${tail}: ${JSON.stringify(dense2.config.activation)}`);
  }
  assert.match(read(`${PY_HEAD}model.add(Dense(4, activ`, 'm.py').problems.find((p) => p.severity === 'error')!.message, /the file ends before this code is complete/);
});
