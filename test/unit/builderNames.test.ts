/**
 * TS/JS front end: a model built by a builder function called from another function is titled
 * after the builder, stably; an optimizer tfjs lacks trains as the nearest tfjs one, said so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseModels } from '../../src/core/parse/index';
import { parseSource } from '../../src/core/source';
import { makeOptimizer } from '../../src/training/measure';

const DIR = join(__dirname, '..', 'test', 'fixtures', 'naming');
const parseFile = (file: string) => parseModels(readFileSync(join(DIR, file), 'utf8'), join(DIR, file));
const names = (text: string): string[] => parseModels(text, 'inline.js').models.map((m) => m.name);

test('a builder called by an uncalled function titles its model, not the caller', () => {
  const first = parseFile('builder_called_by_train.js');
  assert.deepEqual(first.models.map((m) => [m.name, m.layers.length]), [['buildModel', 2], ['buildHead', 1]]);
  // The values a builder's parameters need are still asked of the function that was run (`train`).
  assert.equal(first.models[0]!.builder, 'train');
  // Stable: the same file gives the same names on every reading.
  assert.deepEqual(parseFile('builder_called_by_train.js').models.map((m) => m.name), ['buildModel', 'buildHead']);
});

test('a run that returns the model it built keeps its own title; a branch label stays on the builder', () => {
  const head = "const tf = require('@tensorflow/tfjs');\nfunction base(n) { const m = tf.sequential(); m.add(tf.layers.dense({units: n, inputShape: [3]})); return m; }\n";
  // `createModel` adds to and returns the model `base` made: it is the builder.
  assert.deepEqual(names(`${head}function createModel() { const model = base(4); model.add(tf.layers.dense({units: 1})); return model; }`), ['createModel']);
  // An uncalled method of a class keeps its qualified title.
  assert.deepEqual(names(`const tf = require('@tensorflow/tfjs');\nclass Agent { create() { const m = tf.sequential(); m.add(tf.layers.dense({units: 2, inputShape: [3]})); return m; } }`), ['Agent.create']);
  // One model per architecture string of the run, each titled after the builder it called.
  const split = names(`${head}function pick(kind) { if (kind === 'wide') return base(64); if (kind === 'narrow') return base(2); }
async function train(kind) { const net = pick(kind); await net.fit(); }`);
  assert.deepEqual(split, ['pick[wide]', 'pick[narrow]']);
});

test('optimizers tfjs lacks train as the nearest tfjs optimizer and say so, never "Unknown optimizer"', () => {
  const result = parseFile('optimizer_tfjs_lacks.ts');
  const byName = new Map(result.models.map((m) => [m.name, m]));
  const expected: [string, string, number, string][] = [
    ['named', 'Adam', 9, 'tfjs has no `nadam` optimizer; training uses Adam, the nearest tfjs optimizer, with its default learning rate.'],
    ['factory', 'Adam', 14, 'tfjs has no `tf.train.adamw` optimizer; training uses Adam, the nearest tfjs optimizer, with the same learning rate.'],
    ['ftrl', 'Adagrad', 18, 'tfjs has no `Ftrl` optimizer; training uses Adagrad, the nearest tfjs optimizer, with its default learning rate.'],
  ];
  const text = readFileSync(join(DIR, 'optimizer_tfjs_lacks.ts'), 'utf8');
  for (const [name, className, line, message] of expected) {
    const graph = byName.get(name);
    assert.ok(graph, `model ${name}`);
    const { optimizer, learningRate } = makeOptimizer(tf, graph.compile?.optimizer);
    assert.equal(optimizer.getClassName(), className, name);
    if (name === 'factory') assert.equal(learningRate, 0.01, 'the rate carries over');
    const problem = result.problems.find((p) => p.message === message);
    assert.ok(problem, `${name}: ${result.problems.map((p) => p.message).join(' | ')}`);
    assert.equal(problem.severity, 'info');
    assert.equal(text.slice(0, problem.range.start).split('\n').length, line, `${name}: said on the optimizer's line`);
  }
  // A name that is no optimizer at all is not hidden: it fails as it does in tfjs, by its name.
  const typo = parseModels("import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential(); m.add(tf.layers.dense({units: 1, inputShape: [2]}));\nm.compile({optimizer: tf.train.adamm(0.1), loss: 'meanSquaredError'});", 'typo.ts');
  assert.throws(() => makeOptimizer(tf, typo.models[0]!.compile?.optimizer), /tf\.train\.adamm/);
  // A name tfjs has is left alone, in any case, and says nothing.
  const plain = parseModels("import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential(); m.add(tf.layers.dense({units: 1, inputShape: [2]}));\nm.compile({optimizer: 'RMSProp', loss: 'meanSquaredError'});", 'plain.ts');
  assert.equal(plain.models[0]!.compile?.optimizer, 'RMSProp');
  assert.equal(plain.problems.filter((p) => p.message.includes('optimizer')).length, 0);
});

test('Keras: a builder called by an uncalled function titles its model, as in TS; a run returning its own model keeps its title', () => {
  const read = (text: string) => parseSource(text, 'm.py').models.map((m) => m.name);
  const file = readFileSync(join(DIR, 'builder_called_by_train.py'), 'utf8');
  assert.deepEqual(read(file), ['build_model', 'build_head']);
  assert.deepEqual(read(file), ['build_model', 'build_head'], 'stable');
  const head = 'from tensorflow import keras\nfrom tensorflow.keras import layers\ndef base(n):\n    m = keras.Sequential([layers.Dense(n, input_shape=(3,))])\n    return m\n';
  assert.deepEqual(read(`${head}def create_model():\n    model = base(4)\n    model.add(layers.Dense(1))\n    return model\n`), ['create_model']);
});
