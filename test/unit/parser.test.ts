import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModels } from '../../src/core/parse/index';
import type { ModelGraph, ParseResult, SourceRange } from '../../src/core/ir';

function parse(text: string, fileName = 'model.ts'): ParseResult {
  return parseModels(text, fileName);
}

function only(result: ParseResult): ModelGraph {
  assert.equal(result.models.length, 1, `expected one model, got ${result.models.map((m) => m.name).join(', ')}`);
  return result.models[0]!;
}

function slice(text: string, range: SourceRange | undefined): string {
  assert.ok(range, 'range is missing');
  return text.slice(range.start, range.end);
}

const types = (model: ModelGraph): string[] => model.layers.map((l) => l.type);
const activations = (model: ModelGraph): (string | undefined)[] => model.layers.map((l) => l.activation);

test('namespace import, sequential + add in a constant loop', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
const N = 11;
const model = tf.sequential();
model.add(tf.layers.dense({units: 64, activation: 'sigmoid', inputShape: [20]}));
for (let i = 1; i < N; i++) {
  model.add(tf.layers.dense({units: 64, activation: 'sigmoid'}));
}
model.add(tf.layers.dense({units: 10, activation: 'softmax'}));
model.compile({optimizer: 'sgd', loss: 'categoricalCrossentropy'});
`;
  const result = parse(src);
  const model = only(result);
  assert.equal(model.name, 'model');
  assert.equal(model.kind, 'sequential');
  assert.equal(model.layers.length, 12);
  assert.deepEqual(activations(model), [...Array(11).fill('sigmoid'), 'softmax']);
  assert.deepEqual(model.layers.map((l) => l.id).slice(0, 3), ['dense_1', 'dense_2', 'dense_3']);
  assert.deepEqual(model.inputShape, [20]);
  assert.deepEqual(model.layers[2]!.inbound, ['dense_2']);
  assert.deepEqual(model.layers[0]!.inbound, []);
  assert.deepEqual(model.inputs, ['dense_1']);
  assert.deepEqual(model.outputs, ['dense_12']);
  // Loop-made layers share the call's range and record their iteration.
  assert.equal(model.layers[1]!.range.start, model.layers[5]!.range.start);
  assert.deepEqual(model.layers[1]!.iteration, [0]);
  assert.deepEqual(model.layers[10]!.iteration, [9]);
  assert.equal(model.layers[0]!.iteration, undefined);
  assert.equal(slice(src, model.layers[1]!.range), "tf.layers.dense({units: 64, activation: 'sigmoid'})");
  assert.equal(slice(src, model.layers[0]!.configRanges.activation!.property), "activation: 'sigmoid'");
  assert.equal(slice(src, model.layers[0]!.configRanges.activation!.value), "'sigmoid'");
  assert.equal(slice(src, model.layers[0]!.configRange), "{units: 64, activation: 'sigmoid', inputShape: [20]}");
  assert.equal(slice(src, model.range), 'tf.sequential()');
  assert.equal(model.compile?.optimizer, 'sgd');
  assert.equal(model.compile?.loss, 'categoricalCrossentropy');
  assert.equal(slice(src, model.compile?.configRanges.optimizer?.value), "'sgd'");
  assert.deepEqual(result.problems, []);
});

test('aliases and packages: tfjs-node, tfjs-layers, named imports, require', () => {
  const cases: [string, string][] = [
    [`import * as tfn from '@tensorflow/tfjs-node';\nconst m = tfn.sequential(); m.add(tfn.layers.dense({units: 3, inputShape: [2]}));`, 'm.ts'],
    [`import tf from '@tensorflow/tfjs-node-gpu';\nconst m = tf.sequential(); m.add(tf.layers.dense({units: 3, inputShape: [2]}));`, 'm.ts'],
    [`import { sequential, layers } from '@tensorflow/tfjs';\nconst m = sequential(); m.add(layers.dense({units: 3, inputShape: [2]}));`, 'm.ts'],
    [`import { sequential as seq, layers as L } from '@tensorflow/tfjs-layers';\nconst m = seq(); m.add(L.dense({units: 3, inputShape: [2]}));`, 'm.ts'],
    [`const { layers, sequential } = require('@tensorflow/tfjs');\nconst m = sequential(); m.add(layers.dense({units: 3, inputShape: [2]}));`, 'm.js'],
    [`const tf = require('@tensorflow/tfjs-node');\nconst { dense } = tf.layers;\nconst m = tf.sequential(); m.add(dense({units: 3, inputShape: [2]}));`, 'm.cjs'],
    [`import * as tf from '@tensorflow/tfjs';\nconst { layers: { dense } } = tf;\nexport const m = tf.sequential({layers: [dense({units: 3, inputShape: [2]})]});`, 'm.mjs'],
    // A browser script with the global \`tf\` of a <script> tag.
    [`const m = tf.sequential(); m.add(tf.layers.dense({units: 3, inputShape: [2]}));`, 'm.js'],
  ];
  for (const [src, file] of cases) {
    const model = only(parse(src, file));
    assert.equal(model.name, 'm', src);
    assert.deepEqual(types(model), ['dense'], src);
    assert.equal(model.layers[0]!.config.units, 3, src);
  }
});

test('a module that is not tfjs does not make models', () => {
  const result = parse(`import * as tf from 'some-other-lib';\nconst m = tf.sequential(); m.add(tf.layers.dense({units: 3}));`);
  assert.equal(result.models.length, 0);
});

test('tf.sequential({layers: [...]}) with spread, map and helper functions', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
const widths = [128, 64, 32];
function block(units: number, act = 'relu') {
  return [tf.layers.dense({units, activation: act, kernelInitializer: 'heNormal'}), tf.layers.batchNormalization()];
}
const head = () => tf.layers.dense({units: 1, activation: 'sigmoid'});
export const classifier = tf.sequential({
  layers: [
    tf.layers.flatten({inputShape: [28, 28]}),
    ...widths.map((w) => block(w)).flat(),
    head(),
  ],
});
`;
  const model = only(parse(src));
  assert.equal(model.name, 'classifier');
  assert.deepEqual(types(model), ['flatten', 'dense', 'batchNormalization', 'dense', 'batchNormalization', 'dense', 'batchNormalization', 'dense']);
  assert.deepEqual(model.layers.filter((l) => l.type === 'dense').map((l) => l.config.units), [128, 64, 32, 1]);
  assert.equal(model.layers[1]!.config.kernelInitializer, 'heNormal');
  assert.deepEqual(model.layers[1]!.iteration, [0]);
  assert.deepEqual(model.layers[5]!.iteration, [2]);
  // The helper's layers point at the call inside the helper, where a fix edits.
  assert.equal(slice(src, model.layers[1]!.range), "tf.layers.dense({units, activation: act, kernelInitializer: 'heNormal'})");
  assert.equal(slice(src, model.layers[1]!.configRanges.units!.property), 'units');
  assert.deepEqual(model.inputShape, [28, 28]);
});

test('functional API: skip connections form a DAG, casts, loops reassigning x', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
const input = tf.input({shape: [32]});
let x = tf.layers.dense({units: 32, activation: 'relu'}).apply(input) as tf.SymbolicTensor;
for (let i = 0; i < 3; i++) {
  const h = tf.layers.dense({units: 32, activation: 'relu'}).apply(x) as tf.SymbolicTensor;
  x = tf.layers.add().apply([x, h]) as tf.SymbolicTensor;
}
const out = tf.layers.dense({units: 1}).apply(x) as tf.SymbolicTensor;
const resnet = tf.model({inputs: input, outputs: out});
resnet.compile({optimizer: tf.train.adam(0.001), loss: 'meanSquaredError'});
`;
  const model = only(parse(src));
  assert.equal(model.name, 'resnet');
  assert.equal(model.kind, 'functional');
  assert.deepEqual(types(model), ['inputLayer', 'dense', 'dense', 'add', 'dense', 'add', 'dense', 'add', 'dense']);
  const byId = new Map(model.layers.map((l) => [l.id, l]));
  assert.deepEqual(byId.get('add_1')!.inbound, ['dense_1', 'dense_2']);
  assert.deepEqual(byId.get('add_2')!.inbound, ['add_1', 'dense_3']);
  assert.deepEqual(byId.get('dense_5')!.inbound, ['add_3']);
  assert.deepEqual(model.inputs, ['input_1']);
  assert.deepEqual(model.outputs, ['dense_5']);
  assert.deepEqual(model.inputShape, [32]);
  assert.deepEqual(model.compile?.optimizer, { $call: 'train.adam', args: [0.001] });
});

test('functional API: several inputs, concatenate, reduce over layers, unused branches dropped', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
const a = tf.input({shape: [8], name: 'a'});
const b = tf.input({shape: [4], name: 'b'});
const unused = tf.layers.dense({units: 99}).apply(a);
const merged = tf.layers.concatenate().apply([a, b]);
const stack = [16, 8].map((units) => tf.layers.dense({units, activation: 'tanh'}));
const y = stack.reduce((h, layer) => layer.apply(h), merged);
export const twoTower = tf.model({inputs: [a, b], outputs: y});
`;
  const model = only(parse(src));
  assert.deepEqual(model.layers.map((l) => l.id), ['a', 'b', 'concatenate_1', 'dense_1', 'dense_2']);
  assert.deepEqual(model.inputs, ['a', 'b']);
  assert.deepEqual(model.layers[3]!.config.units, 16);
});

test('constant evaluator: arithmetic, templates, spreads, Array.from, fill/map, while, <=, +=', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
const base = {activation: 'relu', kernelInitializer: 'heNormal'};
const depth = 2 * 2;
const name = \`net_\${depth}\`;
const m = tf.sequential({name});
Array.from({length: depth - 2}, (_, i) => m.add(tf.layers.dense({...base, units: 2 ** (i + 4), inputShape: i === 0 ? [10] : undefined})));
new Array(2).fill(0).map(() => m.add(tf.layers.dense({...base, units: Math.max(8, depth)})));
let k = 0;
while (k < 2) { m.add(tf.layers.dropout({rate: 0.1 * (k + 1)})); k++; }
for (let u = 1; u <= 4; u += 2) m.add(tf.layers.dense({units: u}));
`;
  const model = only(parse(src));
  assert.equal(model.name, 'm');
  assert.deepEqual(model.layers.map((l) => l.config.units ?? l.config.rate), [16, 32, 8, 8, 0.1, 0.2, 1, 3]);
  assert.equal(model.layers[0]!.config.activation, 'relu');
  assert.deepEqual(model.layers[0]!.config.inputShape, [10]);
  assert.equal('inputShape' in model.layers[1]!.config, false);
  // Properties spread from \`base\` keep the range where they were written.
  assert.equal(slice(src, model.layers[0]!.configRanges.activation!.property), "activation: 'relu'");
});

test('builder functions: called with arguments, or read as templates when never called', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
export function createModel(hidden = 3, units = 16) {
  const model = tf.sequential();
  model.add(tf.layers.dense({units, activation: 'relu', inputShape: [4]}));
  for (let i = 0; i < hidden - 1; i++) model.add(tf.layers.dense({units, activation: 'relu'}));
  model.add(tf.layers.dense({units: 1}));
  return model;
}
export const buildTiny = () => tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
`;
  const result = parse(src);
  assert.deepEqual(result.models.map((m) => [m.name, m.layers.length]), [['createModel', 4], ['buildTiny', 1]]);

  const called = parse(`${src}\nconst small = createModel(1, 8);\nconst big = createModel(5);`);
  assert.deepEqual(called.models.map((m) => [m.name, m.layers.length, m.layers[0]!.config.units]), [['small', 2, 8], ['big', 6, 16], ['buildTiny', 1, 1]]);
});

test('class methods are read as templates', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
export class Trainer {
  model: tf.Sequential;
  constructor(private readonly units = 32) { this.model = tf.sequential(); }
  build() {
    this.model = tf.sequential();
    this.model.add(tf.layers.dense({units: 8, inputShape: [3], activation: 'elu'}));
    this.model.add(tf.layers.dense({units: 2}));
  }
}
`;
  const result = parse(src);
  const built = result.models.find((m) => m.layers.length === 2);
  assert.ok(built);
  assert.equal(built.name, 'Trainer.build');
  assert.deepEqual(activations(built), ['elu', undefined]);
});

test('config values: initializers, regularizers, wrapped layers, compile with tf.train', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
const m = tf.sequential();
m.add(tf.layers.dense({units: 4, inputShape: [3], kernelInitializer: tf.initializers.randomNormal({stddev: 1.5}), kernelRegularizer: tf.regularizers.l2({l2: 0.01})}));
m.add(tf.layers.reshape({targetShape: [2, 2]}));
m.add(tf.layers.bidirectional({layer: tf.layers.lstm({units: 5}) as tf.RNN, mergeMode: 'concat'}));
m.compile({optimizer: tf.train.sgd(0.5), loss: ['meanSquaredError'], metrics: ['mse']});
`;
  const model = only(parse(src));
  assert.deepEqual(model.layers[0]!.config.kernelInitializer, { $call: 'initializers.randomNormal', args: [{ stddev: 1.5 }] });
  assert.deepEqual(model.layers[0]!.config.kernelRegularizer, { $call: 'regularizers.l2', args: [{ l2: 0.01 }] });
  assert.deepEqual(model.layers[2]!.config.layer, { $call: 'layers.lstm', args: [{ units: 5 }] });
  assert.deepEqual(model.compile?.optimizer, { $call: 'train.sgd', args: [0.5] });
  assert.deepEqual(model.compile?.loss, ['meanSquaredError']);
});

test('control flow under constants: if, switch, ternary, &&, ??', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
const kind: string = 'cnn';
const useBn = false;
const m = tf.sequential();
if (kind === 'mlp') { m.add(tf.layers.dense({units: 1, inputShape: [4]})); }
else if (kind === 'cnn') { m.add(tf.layers.conv2d({filters: 8, kernelSize: 3, inputShape: [28, 28, 1]})); }
switch (kind) {
  case 'rnn': m.add(tf.layers.lstm({units: 4})); break;
  case 'cnn': m.add(tf.layers.flatten());
  default: m.add(tf.layers.dense({units: 10}));
}
useBn && m.add(tf.layers.batchNormalization());
const act = useBn ? 'relu' : 'tanh';
m.add(tf.layers.dense({units: 2, activation: act ?? 'relu'}));
`;
  const model = only(parse(src));
  assert.deepEqual(types(model), ['conv2d', 'flatten', 'dense', 'dense']);
  assert.equal(model.layers[3]!.activation, 'tanh');
});

test('unknown layer types are kept as opaque layers with a problem', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
const m = tf.sequential();
m.add(tf.layers.dense({units: 4, inputShape: [3]}));
m.add(tf.layers.myFancyLayer({units: 4}));
m.add(tf.layers.dense({units: 1}));
`;
  const result = parse(src);
  const model = only(result);
  assert.deepEqual(types(model), ['dense', 'myFancyLayer', 'dense']);
  assert.equal(model.layers[1]!.known, false);
  assert.ok(result.problems.some((p) => /myFancyLayer/.test(p.message) && slice(src, p.range).startsWith('tf.layers.myFancyLayer')));
});

test('values that are not constants become UnknownValues with a problem at their range', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
export function build(xTrain: tf.Tensor, n: number) {
  const m = tf.sequential();
  m.add(tf.layers.dense({units: n, inputShape: [xTrain.shape[1]]}));
  return m;
}
`;
  const result = parse(src);
  const model = only(result);
  assert.deepEqual(model.layers[0]!.config.units, { $unknown: 'n', reason: 'parameter `n` of `build` has no known value', hole: 'n' });
  const units = result.problems.find((p) => p.message.startsWith('units:'));
  assert.ok(units, JSON.stringify(result.problems));
  assert.match(units.message, /units: `n` is not a constant/);
  assert.equal(slice(src, units.range), 'n');
  assert.ok(result.problems.some((p) => p.message.startsWith('inputShape: `xTrain.shape[1]`')));
});

test('bad input: syntax errors, half-typed code, non-constant loops, recursion, huge loops', () => {
  const half = `
import * as tf from '@tensorflow/tfjs';
const m = tf.sequential();
m.add(tf.layers.dense({units: 4, inputShape: [3]}));
m.add(tf.layers.dense({units: 4, activation: 'rel
m.add(tf.layers.
`;
  const r1 = parse(half);
  assert.ok(r1.problems.some((p) => p.severity === 'error' && /Syntax error/.test(p.message)));
  assert.ok(r1.models.length >= 1);
  assert.equal(r1.models[0]!.layers[0]!.config.units, 4);

  const loops = `
import * as tf from '@tensorflow/tfjs';
declare const depth: number;
const m = tf.sequential();
m.add(tf.layers.dense({units: 4, inputShape: [3]}));
for (let i = 0; i < depth; i++) m.add(tf.layers.dense({units: 4}));
let count = 0;
for (let i = 0; i < 1000000; i++) count++;
function forever(k: number): number { return forever(k + 1); }
forever(0);
while (true) { count++; }
`;
  const started = Date.now();
  const r2 = parse(loops);
  assert.ok(Date.now() - started < 5000, 'bounded time');
  const model = only(r2);
  assert.equal(model.layers.length, 2);
  const messages = r2.problems.map((p) => p.message).join('\n');
  assert.match(messages, /Loop condition `i < depth` is not a constant; the loop body was read once/);
  assert.match(messages, /Loop runs more than 1,000 times/);
  assert.match(messages, /recursion/);
});

test('never throws on arbitrary text', () => {
  for (const text of ['', '}}}{{{', 'tf.layers.dense(', 'const m = tf.sequential(); m.add(m); m.add(tf.layers.dense(m));', '\u0000\u0001', 'x'.repeat(10000)]) {
    const result = parse(text);
    assert.ok(Array.isArray(result.models));
  }
});

test('a model added as a layer is read as its layers, marked with the model they come from', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
const inner = tf.sequential({layers: [tf.layers.dense({units: 2, inputShape: [2]})]});
const outer = tf.sequential();
outer.add(tf.layers.dense({units: 2, inputShape: [2]}));
outer.add(inner);
`;
  const result = parse(src);
  assert.deepEqual(result.models.map((m) => m.name), ['inner', 'outer']);
  const outer = result.models[1]!;
  assert.deepEqual(outer.layers.map((l) => [l.id, l.partOf ?? null]), [['dense_1', null], ['dense_2', 'inner']]);
  assert.equal(outer.params, 12);
  const self = parse(`import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential();\nm.add(tf.layers.dense({units: 1, inputShape: [1]}));\nm.add(m);\n`);
  assert.ok(self.problems.some((p) => /cannot be added to itself/.test(p.message)));
});

test('code that builds no model part raises no control-flow problems', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
export const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [3]})]});
export async function train(epochs: number, data: {size: number}) {
  for (let epoch = 0; epoch < epochs; epoch++) {
    if (data.size > 10) { await model.fit(tf.zeros([1, 3]), tf.zeros([1, 1])); }
  }
  while (data.size-- > 0) { console.log(epochs); }
}
for (let i = 0; i < (globalThis as {n?: number}).n!; i++) console.log(i);
`;
  const result = parse(src);
  assert.equal(result.models.length, 1);
  assert.deepEqual(result.problems, []);
});

test('a loop with an unknown bound that adds layers is reported where the bound is', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
export function build(depth: number) {
  const m = tf.sequential();
  m.add(tf.layers.dense({units: 8, inputShape: [4]}));
  for (let i = 0; i < depth; i++) m.add(tf.layers.dense({units: 8}));
  return m;
}
`;
  const result = parse(src);
  const problem = result.problems.find((p) => /Loop condition/.test(p.message));
  assert.ok(problem);
  assert.equal(slice(src, problem.range), 'i < depth');
  assert.equal(problem.severity, 'warning');
});

test('models built in callbacks and behind argument checks are found', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
data.load().then(async () => {
  const model = tf.sequential();
  model.add(tf.layers.dense({units: 4, inputShape: [3]}));
});
document.getElementById('go')!.addEventListener('click', () => {
  const other = tf.sequential({layers: [tf.layers.dense({units: 2, inputShape: [2]})]});
});
export function createQNetwork(h: number, actions: number) {
  if (!(Number.isInteger(h) && h > 0)) {
    throw new Error('bad height');
  }
  const q = tf.sequential();
  q.add(tf.layers.dense({units: 8, inputShape: [h]}));
  q.add(tf.layers.dense({units: actions}));
  return q;
}
`;
  const result = parse(src);
  assert.deepEqual(result.models.map((m) => [m.name, m.layers.length]), [['model', 1], ['other', 1], ['createQNetwork', 2]]);
});

test('a loop that builds layers is cut at the per-model layer limit with a warning', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
const m = tf.sequential();
for (let i = 0; i < 20000; i++) if (i % 4 === 0) m.add(tf.layers.dense({units: 1, inputShape: i === 0 ? [1] : undefined}));
`;
  const result = parse(src);
  assert.equal(only(result).layers.length, 2_500);
  const cap = result.problems.find((p) => /Loop runs more than 10,000 times/.test(p.message));
  assert.equal(cap?.severity, 'warning');
});

test('a model stops at 5,000 layers, said once at the call that would add the next', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
const m = tf.sequential();
for (let i = 0; i < 9000; i++) m.add(tf.layers.dense({units: 1, inputShape: i === 0 ? [1] : undefined}));
`;
  const result = parse(src);
  assert.equal(only(result).layers.length, 5_000);
  const limits = result.problems.filter((p) => /more than 5,000 layers/.test(p.message));
  assert.equal(limits.length, 1);
  assert.equal(src.slice(0, limits[0]!.range.start).split('\n').length, 4);
});

test('a template called by another template is read once, from its caller', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
function createAndCompile(units) {
  const model = tf.sequential();
  model.add(tf.layers.dense({units, inputShape: [4]}));
  return model;
}
class Demo {
  constructor() { this.model = createAndCompile(16); }
}
`;
  const result = parse(src, 'demo.js');
  assert.deepEqual(result.models.map((m) => [m.name, m.layers[0]!.config.units]), [['Demo', 16]]);
});

test('annotations and presets give template parameters their values', () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
const IMAGE = 28;
// gradient-lens: inputShape=[IMAGE, IMAGE, 1], units=32, activation='tanh'
export function createModel(inputShape: number[], units: number, activation = 'relu') {
  const model = tf.sequential();
  model.add(tf.layers.flatten({inputShape}));
  model.add(tf.layers.dense({units, activation}));
  return model;
}
/** gradient-lens: numFeatures=13 */
export const createRegressor = ({numFeatures, hidden = 8}: {numFeatures: number; hidden?: number}) =>
  tf.sequential({layers: [tf.layers.dense({units: hidden, inputShape: [numFeatures]}), tf.layers.dense({units: 1})]});
export function unannotated(width: number) {
  return tf.sequential({layers: [tf.layers.dense({units: width, inputShape: [4]})]});
}
`;
  const result = parse(src);
  const [cnn, regressor, plain] = result.models;
  assert.deepEqual(cnn!.inputShape, [28, 28, 1]);
  assert.equal(cnn!.layers[1]!.config.units, 32);
  assert.equal(cnn!.layers[1]!.activation, 'tanh');
  assert.equal(cnn!.params, 28 * 28 * 32 + 32);
  assert.deepEqual(regressor!.inputShape, [13]);
  assert.equal(regressor!.layers[0]!.config.units, 8, 'a destructured default still applies');
  assert.deepEqual(plain!.layers[0]!.config.units, { $unknown: 'width', reason: 'parameter `width` of `unannotated` has no known value', hole: 'width' });

  const preset = parseModels(src, 'model.ts', { set: { width: '16' } });
  assert.equal(preset.models[2]!.layers[0]!.config.units, 16);
  assert.ok(!preset.problems.some((p) => p.message.startsWith('units:')), 'the preset removes the problem');
});
