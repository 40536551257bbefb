// Constructs found in tfjs code written by others (bench/README.md, "tfjs code in the wild"):
// functions handed to the browser by storing them, models kept on objects the file does not
// define, React handlers, `default as tf` imports and classes extending tf.Sequential.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModels } from '../../src/core/parse/index';
import type { ModelGraph, ParseResult } from '../../src/core/ir';

const types = (model: ModelGraph): string[] => model.layers.map((l) => l.type);

function only(result: ParseResult): ModelGraph {
  assert.equal(result.models.length, 1, `expected one model, got ${result.models.map((m) => m.name).join(', ') || 'none'}`);
  return result.models[0]!;
}

test('a model built in `window.onload = async () => {...}` is found', () => {
  const src = `import * as tf from '@tensorflow/tfjs';
window.onload = async () => {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 8, inputShape: [2], activation: 'relu' }));
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  model.compile({ loss: 'binaryCrossentropy', optimizer: tf.train.adam(0.1) });
};`;
  const model = only(parseModels(src, 'index.js'));
  assert.deepEqual(types(model), ['dense', 'dense']);
  assert.deepEqual(model.layers[1]!.outputShape, [null, 1]);
});

test('a worker keeps its model on `self`: `self.model = tf.sequential(); self.model.add(...)`', () => {
  const src = `export default () => {
  self.addEventListener('message', (e) => { if (e.data.cmd === 'init') self.build(e.data.n); });
  self.build = (timeSteps) => {
    self.model = tf.sequential();
    self.model.add(tf.layers.lstm({ units: 16, inputShape: [timeSteps, 1] }));
    self.model.add(tf.layers.dense({ units: 1 }));
    return self.model;
  };
};`;
  const model = only(parseModels(src, 'worker.js'));
  assert.deepEqual(types(model), ['lstm', 'dense']);
  // The time steps come from the message: a hole named after the parameter, not a lost model.
  assert.ok(model.holes?.some((h) => h.name === 'timeSteps'), JSON.stringify(model.holes));
});

test('a function stored on an unknown object and called later is read once, with the arguments', () => {
  const src = `import * as tf from '@tensorflow/tfjs';
window.makeNet = (units) => {
  const net = tf.sequential();
  net.add(tf.layers.dense({ units, inputShape: [4] }));
  return net;
};
const net = window.makeNet(12);`;
  const model = only(parseModels(src, 'app.js'));
  assert.equal(model.layers[0]!.outputShape?.[1], 12);
});

test('a React handler given to JSX (`onClick={create}`) builds the model', () => {
  const src = `import React from 'react';
import * as tf from '@tensorflow/tfjs';
function Demo() {
  async function runTensorFlow() {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 1, inputShape: [1] }));
    model.compile({ loss: 'meanSquaredError', optimizer: 'sgd' });
  }
  const create = () => { runTensorFlow(); };
  return (<><button onClick={create}>create</button></>);
}
export default Demo;`;
  const model = only(parseModels(src, 'Demo.jsx'));
  assert.deepEqual(types(model), ['dense']);
});

test("`import { default as tf } from '@tensorflow/tfjs-node-gpu'` is the tfjs namespace", () => {
  const src = `import { default as tf } from '@tensorflow/tfjs-node-gpu';
export function createRNN() {
  const model = tf.sequential();
  model.add(tf.layers.gru({ inputShape: [20, 8], units: 32 }));
  model.add(tf.layers.dense({ units: 8, activation: 'softmax' }));
  return model;
}`;
  assert.deepEqual(types(only(parseModels(src, 'rnn.js'))), ['gru', 'dense']);
});

test('a class extending tf.Sequential builds its layers in the constructor', () => {
  const viaAdd = `import * as tf from '@tensorflow/tfjs';
export class Policy extends tf.Sequential {
  constructor(inputDim, units) {
    super();
    this.add(tf.layers.dense({ inputDim, units: units[0], activation: 'relu' }));
    this.add(tf.layers.dense({ units: 2, activation: 'tanh' }));
  }
}`;
  const policy = only(parseModels(viaAdd, 'policy.ts'));
  assert.deepEqual(types(policy), ['dense', 'dense']);
  const viaConfig = `import { layers, Sequential } from '@tensorflow/tfjs';
export class Network extends Sequential {
  constructor() {
    super({ name: 'Network', layers: [layers.dense({ units: 16, inputShape: [1] }), layers.dense({ units: 1 })] });
  }
}`;
  const network = only(parseModels(viaConfig, 'network.ts'));
  assert.deepEqual(network.layers.map((l) => l.outputShape), [[null, 16], [null, 1]]);
});

test('an image-size hole in a deep conv stack is suggested at a side the stack fits (32 for five 2x2 poolings)', () => {
  const block = (filters: number): string => `model.add(tf.layers.conv2d({ filters: ${filters}, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: [2, 2], strides: [2, 2] }));`;
  const src = `import * as tf from '@tensorflow/tfjs';
export const getModel = (imageSize) => {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [imageSize, imageSize, 3], filters: 8, kernelSize: 3, padding: 'same' }));
  ${[8, 16, 32, 64, 64].map(block).join('\n  ')}
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  return model;
};`;
  const model = only(parseModels(src, 'vgg.js'));
  const hole = model.holes?.find((h) => h.name === 'imageSize');
  assert.equal(hole?.suggestion, '32');
  const filled = only(parseModels(src, 'vgg.js', { set: { imageSize: hole!.suggestion } }));
  assert.deepEqual(filled.layers.at(-3)?.outputShape, [null, 1, 1, 64]);
  // A shallow net keeps MNIST's 28.
  const shallow = src.replace(/\n  model\.add\(tf\.layers\.conv2d\(\{ filters: (16|32|64)[^\n]*\n[^\n]*/g, '');
  assert.equal(only(parseModels(shallow, 'small.js')).holes?.find((h) => h.name === 'imageSize')?.suggestion, '28');
});

test('a misspelled layer factory is named with the tfjs layer it is likely a typo of', () => {
  const src = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], kernelSize: 3, filters: 8 }));
model.add(tf.layers.fatten());
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));`;
  const result = parseModels(src, 'typo.js');
  const warning = result.problems.find((p) => p.message.includes('layers.fatten'));
  assert.match(warning?.message ?? '', /a typo for `layers\.flatten`\?/);
  assert.equal(src.slice(warning!.range.start, warning!.range.end), 'tf.layers.fatten()');
});

test('`sequential()` called without importing it says so on its line', () => {
  const src = `import * as tf from "@tensorflow/tfjs";
import { lstm } from "@tensorflow/tfjs-layers/dist/exports_layers";
const model = sequential();
model.add(tf.layers.dense({ units: 100, inputShape: [82] }));`;
  const result = parseModels(src, 'prediction.js');
  const warning = result.problems.find((p) => p.message.startsWith('`sequential` is not defined'));
  assert.ok(warning, JSON.stringify(result.problems.map((p) => p.message)));
  assert.equal(src.slice(warning.range.start, warning.range.end), 'sequential');
  assert.match(warning.message, /import \{ sequential \} from '@tensorflow\/tfjs'/);
  // Imported, it is the factory: no such warning.
  const imported = parseModels(`import { sequential, layers } from '@tensorflow/tfjs';\nconst m = sequential();\nm.add(layers.dense({ units: 1, inputShape: [2] }));`, 'ok.js');
  assert.ok(!imported.problems.some((p) => p.message.includes('is not defined in this file, so no model')));
});

test('an ES5 constructor function fills `this`: its parameters name the holes, `new` binds them', () => {
  const template = `const tf = require('@tensorflow/tfjs-node');
const RlModel = function (numStates, numActions) {
  this.numStates = numStates;
  this.numActions = numActions;
  this.model = tf.sequential({ layers: [
    tf.layers.dense({ units: 64, inputShape: [this.numStates], activation: 'relu' }),
    tf.layers.dense({ units: this.numActions, activation: 'softmax' }),
  ] });
};
module.exports = RlModel;`;
  const model = only(parseModels(template, 'rl-bot.js'));
  assert.deepEqual(model.holes?.map((h) => h.name).sort(), ['numActions', 'numStates']);
  const called = `${template}\nconst bot = new RlModel(6, 5);`;
  const bound = only(parseModels(called, 'rl-bot.js'));
  assert.equal(bound.holes, undefined);
  assert.deepEqual(bound.layers.map((l) => l.outputShape), [[null, 64], [null, 5]]);
});

test('a stateful RNN with `batchInputShape` fixes the batch the run uses', () => {
  const src = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.gru({ batchInputShape: [8, 12, 4], units: 16, stateful: true }));
model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));`;
  const result = parseModels(src, 'rnn.js');
  assert.equal(only(result).batchSize, 8);
  assert.ok(result.problems.some((p) => p.message.includes('batches of 8')));
  // Not stateful: any batch works, none is fixed.
  assert.equal(only(parseModels(src.replace(', stateful: true', ''), 'rnn.js')).batchSize, undefined);
});
