/**
 * The parser's output shapes and parameter counts must equal what tfjs itself computes for the
 * same code: each case is parsed, and also run with tfjs (cpu backend), and every layer is
 * compared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import ts from 'typescript';
import { parseModels } from '../../src/core/parse/index';

const seq = (...layers: string[]) => `const m = tf.sequential();\n${layers.map((l) => `m.add(tf.layers.${l});`).join('\n')}`;

const CASES: Record<string, string> = {
  dense: seq(`dense({units: 7, inputShape: [5]})`, `dense({units: 3, useBias: false})`, `dense({units: 2})`),
  denseRank3: seq(`dense({units: 6, inputShape: [4, 5]})`, `flatten()`, `dense({units: 1})`),
  inputDim: seq(`dense({units: 4, inputDim: 3})`, `activation({activation: 'relu'})`),
  conv2d: seq(
    `conv2d({filters: 4, kernelSize: 3, inputShape: [28, 28, 1]})`,
    `conv2d({filters: 6, kernelSize: [5, 3], strides: 2, padding: 'same'})`,
    `conv2d({filters: 2, kernelSize: 3, dilationRate: 2})`,
    `conv2d({filters: 3, kernelSize: 1, useBias: false})`,
  ),
  conv2dChannelsFirst: seq(`conv2d({filters: 4, kernelSize: 3, dataFormat: 'channelsFirst', inputShape: [2, 12, 12]})`, `flatten()`),
  conv1d: seq(`conv1d({filters: 8, kernelSize: 5, inputShape: [40, 3]})`, `maxPooling1d({poolSize: 2})`, `conv1d({filters: 4, kernelSize: 3, strides: 2, padding: 'same'})`, `averagePooling1d({})`, `globalMaxPooling1d()`),
  conv2dTranspose: seq(`conv2dTranspose({filters: 3, kernelSize: 3, strides: 2, inputShape: [7, 7, 4]})`, `conv2dTranspose({filters: 2, kernelSize: 4, strides: 2, padding: 'same'})`),
  separableDepthwise: seq(`separableConv2d({filters: 8, kernelSize: 3, depthMultiplier: 2, inputShape: [16, 16, 3]})`, `depthwiseConv2d({kernelSize: 3, depthMultiplier: 3})`, `depthwiseConv2d({kernelSize: 2, useBias: false, strides: 2})`),
  pooling2d: seq(`maxPooling2d({poolSize: 2, inputShape: [15, 15, 3]})`, `averagePooling2d({poolSize: [3, 3], strides: 1, padding: 'same'})`, `maxPooling2d({poolSize: 3, strides: 2})`, `globalAveragePooling2d({})`),
  reshapeEtc: seq(`reshape({targetShape: [6, 4], inputShape: [24]})`, `permute({dims: [2, 1]})`, `reshape({targetShape: [12, 2]})`, `flatten()`, `repeatVector({n: 3})`),
  rnns: seq(`simpleRNN({units: 5, returnSequences: true, inputShape: [10, 3]})`, `lstm({units: 4, returnSequences: true})`, `gru({units: 6})`, `dense({units: 1})`),
  rnnNoBias: seq(`lstm({units: 3, useBias: false, inputShape: [4, 2]})`),
  wrappers: seq(`bidirectional({layer: tf.layers.lstm({units: 4, returnSequences: true}) as tf.RNN, inputShape: [6, 3]})`, `bidirectional({layer: tf.layers.gru({units: 2}) as tf.RNN, mergeMode: 'sum'})`),
  timeDistributed: seq(`timeDistributed({layer: tf.layers.dense({units: 5}), inputShape: [7, 3]})`, `simpleRNN({units: 2})`),
  embedding: seq(`embedding({inputDim: 100, outputDim: 8, inputLength: 12})`, `globalAveragePooling1d({})`, `dense({units: 1})`),
  normalization: seq(`dense({units: 6, inputShape: [4]})`, `batchNormalization()`, `layerNormalization()`, `batchNormalization({center: false})`, `dropout({rate: 0.3})`, `gaussianNoise({stddev: 0.1})`, `alphaDropout({rate: 0.1})`, `gaussianDropout({rate: 0.1})`),
  activations: seq(`dense({units: 6, inputShape: [4]})`, `reLU()`, `leakyReLU({alpha: 0.2})`, `elu()`, `prelu()`, `softmax()`, `thresholdedReLU()`),
  imageOps: seq(`zeroPadding2d({padding: [[1, 2], [3, 0]], inputShape: [8, 8, 2]})`, `cropping2D({cropping: [[1, 1], [2, 0]]})`, `upSampling2d({size: [2, 3]})`, `zeroPadding2d({})`),
  spatialDropout: seq(`conv1d({filters: 3, kernelSize: 2, inputShape: [9, 2]})`, `spatialDropout1d({rate: 0.1})`, `globalAveragePooling1d({})`),
  preluShared: seq(`conv2d({filters: 3, kernelSize: 3, inputShape: [6, 6, 2]})`, `prelu({sharedAxes: [1, 2]})`),
  functional: `
const a = tf.input({shape: [8], name: 'a'});
const b = tf.input({shape: [8], name: 'b'});
const d1 = tf.layers.dense({units: 8, name: 'd1'}).apply(a) as tf.SymbolicTensor;
const s = tf.layers.add({name: 's'}).apply([d1, b]) as tf.SymbolicTensor;
const c = tf.layers.concatenate({name: 'c'}).apply([s, a, b]) as tf.SymbolicTensor;
const mx = tf.layers.maximum({name: 'mx'}).apply([d1, s]) as tf.SymbolicTensor;
const av = tf.layers.average({name: 'av'}).apply([mx, d1]) as tf.SymbolicTensor;
const mu = tf.layers.multiply({name: 'mu'}).apply([av, s]) as tf.SymbolicTensor;
const mn = tf.layers.minimum({name: 'mn'}).apply([mu, av]) as tf.SymbolicTensor;
const out = tf.layers.dense({units: 2, name: 'out'}).apply(tf.layers.concatenate({name: 'c2'}).apply([c, mn])) as tf.SymbolicTensor;
export const m = tf.model({inputs: [a, b], outputs: out});`,
  functionalImage: `
const img = tf.input({shape: [12, 12, 3], name: 'img'});
let x = tf.layers.conv2d({filters: 4, kernelSize: 3, padding: 'same', name: 'c1'}).apply(img) as tf.SymbolicTensor;
const y = tf.layers.conv2d({filters: 4, kernelSize: 3, padding: 'same', name: 'c2'}).apply(x) as tf.SymbolicTensor;
x = tf.layers.add({name: 'skip'}).apply([x, y]) as tf.SymbolicTensor;
x = tf.layers.concatenate({axis: -1, name: 'cat'}).apply([x, img]) as tf.SymbolicTensor;
x = tf.layers.globalMaxPooling2d({name: 'gmp'}).apply(x) as tf.SymbolicTensor;
export const m = tf.model({inputs: img, outputs: x});`,
  reshapeFree: seq(`reshape({targetShape: [-1, 2], inputShape: [3, 4]})`, `lstm({units: 2})`),
  inputLayer: seq(`inputLayer({inputShape: [5]})`, `dense({units: 3})`),
  batchInputShape: seq(`dense({units: 3, batchInputShape: [4, 6]})`),
  dot: `
const q = tf.layers.input({shape: [6, 8], name: 'q'});
const k = tf.input({shape: [5, 8], name: 'k'});
const v = tf.input({shape: [8], name: 'v'});
const scores = tf.layers.dot({axes: [2, 2], name: 'scores'}).apply([q, k]) as tf.SymbolicTensor;
const ctx = tf.layers.dot({axes: [2, 1], name: 'ctx'}).apply([scores, k]) as tf.SymbolicTensor;
const cos = tf.layers.dot({axes: -1, normalize: true, name: 'cos'}).apply([ctx, q]) as tf.SymbolicTensor;
const vv = tf.layers.dot({axes: 1, name: 'vv'}).apply([v, v]) as tf.SymbolicTensor;
const out = tf.layers.dense({units: 2, name: 'out'}).apply(tf.layers.flatten({name: 'f'}).apply(cos)) as tf.SymbolicTensor;
export const m = tf.model({inputs: [q, k, v], outputs: [out, vv]});`,
  broadcastingMerges: `
const a = tf.input({shape: [6, 8], name: 'a'});
const b = tf.input({shape: [1, 8], name: 'b'});
const c = tf.input({shape: [8], name: 'c'});
const s = tf.layers.add({name: 's'}).apply([a, b]) as tf.SymbolicTensor;
const p = tf.layers.multiply({name: 'p'}).apply([s, c]) as tf.SymbolicTensor;
const mx = tf.layers.maximum({name: 'mx'}).apply([c, p]) as tf.SymbolicTensor;
export const m = tf.model({inputs: [a, b, c], outputs: mx});`,
  stackedCells: `
const m = tf.sequential();
m.add(tf.layers.rnn({cell: [tf.layers.lstmCell({units: 5}), tf.layers.gruCell({units: 3}), tf.layers.simpleRNNCell({units: 2})], returnSequences: true, inputShape: [7, 4]}));
m.add(tf.layers.rnn({cell: tf.layers.lstmCell({units: 3, useBias: false})}));`,
  initialState: `
const enc = tf.input({shape: [5, 3], name: 'enc'});
const dec = tf.input({shape: [6, 3], name: 'dec'});
const [encSeq, h, c] = tf.layers.lstm({units: 4, returnState: true, name: 'e'}).apply(enc) as tf.SymbolicTensor[];
const decSeq = tf.layers.lstm({units: 4, returnSequences: true, name: 'd'}).apply(dec, {initialState: [h, c]}) as tf.SymbolicTensor;
const g = tf.layers.gru({units: 4, name: 'g'}).apply(decSeq, {initialState: h}) as tf.SymbolicTensor;
export const m = tf.model({inputs: [enc, dec], outputs: g});`,
};

function runWithTfjs(source: string): tf.LayersModel {
  const text = `import * as tf from '@tensorflow/tfjs';\n${source}\nexports.__model = m;`;
  const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const module = { exports: {} as Record<string, unknown> };
  new Function('require', 'module', 'exports', js)(() => tf, module, module.exports);
  return module.exports.__model as tf.LayersModel;
}

test('shapes and parameter counts equal what tfjs computes, layer by layer', async () => {
  await tf.setBackend('cpu');
  let layersCompared = 0;
  for (const [name, source] of Object.entries(CASES)) {
    const result = parseModels(`import * as tf from '@tensorflow/tfjs';\n${source}`, `${name}.ts`);
    const ours = result.models[0];
    assert.ok(ours, `${name}: parsed a model`);
    assert.deepEqual(result.problems, [], `${name}: no problems`);
    const model = runWithTfjs(source);
    const tfLayers = model.layers.filter((l) => l.getClassName() !== 'InputLayer' || ours.kind === 'functional' || ours.layers[0]!.type === 'inputLayer');
    const ourLayers = ours.layers;
    assert.equal(ourLayers.length, tfLayers.length, `${name}: layer count`);
    for (let i = 0; i < ourLayers.length; i++) {
      const layer = ourLayers[i]!;
      const twin = ours.kind === 'functional' ? model.getLayer(layer.id) : tfLayers[i]!;
      // A layer with several outputs (an RNN with `returnState`): the IR's shape is output 0's.
      const tfShape = Array.isArray(twin.outputShape[0]) ? twin.outputShape[0] : twin.outputShape;
      assert.deepEqual(layer.outputShape, tfShape, `${name}: output shape of ${layer.id}`);
      assert.equal(layer.params, twin.countParams(), `${name}: params of ${layer.id} (${layer.type})`);
      layersCompared++;
    }
    assert.equal(ours.params, model.countParams(), `${name}: total params`);
    model.dispose();
  }
  assert.ok(layersCompared >= 80, `compared ${layersCompared} layers`);
  console.log(`compared ${layersCompared} layers in ${Object.keys(CASES).length} models with tfjs`);
});

test('the examples: parameter counts equal tfjs', async () => {
  await tf.setBackend('cpu');
  const { readFileSync, readdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = join(__dirname, '..', 'examples');
  for (const file of readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f))) {
    const text = readFileSync(join(dir, file), 'utf8');
    const js = ts.transpileModule(text, { fileName: file, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
    const module = { exports: {} as Record<string, unknown> };
    new Function('require', 'module', 'exports', js)(() => tf, module, module.exports);
    for (const graph of parseModels(text, file).models) {
      if (graph.holes?.length) continue; // needs data to run; its filled graph is checked in realWorld.test
      const value = module.exports[graph.name];
      const model = (typeof value === 'function' ? (value as () => unknown)() : value) as tf.LayersModel;
      assert.equal(graph.params, model.countParams(), `${file} ${graph.name}`);
      model.dispose();
    }
  }
});

test('dot: negative axes in a list are a shape problem, as tfjs rejects them', () => {
  const text = `import * as tf from '@tensorflow/tfjs';
const q = tf.input({shape: [6, 8]});
const s = tf.layers.dot({axes: [-1, -1]}).apply([q, q]);
export const m = tf.model({inputs: q, outputs: s});`;
  const { models, problems } = parseModels(text, 'dotNegative.ts');
  assert.equal(models[0]!.params, undefined);
  assert.ok(problems.some((p) => /negative axes in a list/.test(p.message)), JSON.stringify(problems));
});

test('shape errors are problems on the layer, and later layers get no shape', () => {
  const result = parseModels(`import * as tf from '@tensorflow/tfjs';
const m = tf.sequential();
m.add(tf.layers.conv2d({filters: 2, kernelSize: 9, inputShape: [4, 4, 1]}));
m.add(tf.layers.dense({units: 1}));
const n = tf.sequential();
n.add(tf.layers.dense({units: 4}));
n.add(tf.layers.reshape({targetShape: [3, 3]}));`, 'bad.ts');
  const [m, n] = result.models;
  assert.equal(m!.layers[0]!.outputShape, undefined);
  assert.equal(m!.layers[1]!.outputShape, undefined);
  assert.equal(m!.params, undefined);
  const messages = result.problems.map((p) => p.message).join('\n');
  assert.match(messages, /kernel 9x9 does not fit the input 4x4/);
  assert.match(messages, /`dense` is the first layer of a sequential model and declares no input shape: tfjs throws here/);
  assert.equal(n!.params, undefined);
});
