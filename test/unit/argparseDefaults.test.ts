/**
 * JS argparse options without `choices`: `node script.js` builds with their defaults. A default
 * that decides a model is listed in its `defaultsUsed` (the text's "default used" line), as
 * Python files note their argparse defaults; an option that decides nothing (epochs) is not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSource } from '../../src/core/source';

const SCRIPT = `const tf = require('@tensorflow/tfjs');
const argparse = require('argparse');
const parser = new argparse.ArgumentParser({description: 'train'});
parser.addArgument('--units', {type: 'int', defaultValue: 64});
parser.addArgument('--epochs', {type: 'int', defaultValue: 10});
parser.addArgument('--lr', {type: 'float', defaultValue: 0.01});
parser.addArgument('--verbose', {action: 'storeTrue'});
const args = parser.parseArgs();
const model = tf.sequential();
model.add(tf.layers.dense({units: args.units, inputShape: [3]}));
model.add(tf.layers.dense({units: 1}));
model.compile({optimizer: tf.train.adam(args.lr), loss: 'meanSquaredError'});
model.fit(tf.zeros([8, 3]), tf.zeros([8, 1]), {epochs: args.epochs, verbose: args.verbose ? 1 : 0});
`;

test('an argparse default that decides the layers or the compile call is a default used, on its addArgument line', () => {
  const model = parseSource(SCRIPT, 'train.js').models[0]!;
  assert.equal(model.layers[0]!.config.units, 64);
  const used = (model.defaultsUsed ?? []).map((d) => [d.name, d.value, SCRIPT.slice(0, d.range.start).split('\n').length]);
  assert.deepEqual(used, [['--units', '64', 4], ['--lr', '0.01', 6]]);
  assert.match(model.defaultsUsed![0]!.message, /command-line option `--units` not given: used its default, 64/);
});

test('an option with choices stays a model per choice, with no default-used note of its own', () => {
  const text = SCRIPT.replace("parser.addArgument('--epochs'", "parser.addArgument('--act', {choices: ['relu', 'tanh'], defaultValue: 'relu'});\nparser.addArgument('--epochs'")
    .replace('units: args.units, inputShape', 'units: args.units, activation: args.act, inputShape');
  const models = parseSource(text, 'train.js').models;
  assert.deepEqual(models.map((m) => m.name), ['model[relu]', 'model[tanh]']);
  for (const model of models) assert.deepEqual((model.defaultsUsed ?? []).map((d) => d.name), ['--units', '--lr'], model.name);
});
