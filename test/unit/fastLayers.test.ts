// The closed-form batch-norm gradient and the fused recurrent layers (src/training/fastBatchNorm.ts,
// fastRecurrent.ts) against tfjs' own layers on the cpu backend: outputs, the gradients of the
// input and of every weight, the moving statistics, and no tensor left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { parseSource } from '../../src/core/source';
import { buildModel } from '../../src/training/buildModel';
import { fastBatchNormalization } from '../../src/training/fastBatchNorm';
import { fastRecurrent } from '../../src/training/fastRecurrent';
import { registerMissingWasmKernels } from '../../src/training/wasmKernels';
import { relativeError } from '../support/numeric';

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);

/** float32 sums in different orders (and, for recurrent layers, over time steps). */
const TOLERANCE = 1e-4;

function values(size: number, seed: number, scale = 1): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => scale * Math.sin(i * 1.618 + seed * 7.3) + 0.05 * scale * Math.cos(i * 0.37 + seed));
}


const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

interface Step {
  /** Named results: output, input gradient, each weight's gradient, weights after the call. */
  readonly results: Map<string, Float32Array>;
}

/**
 * Builds `make()` on `inputShape` (batch included), gives its weights deterministic values, and
 * takes the gradients of sum(output * R) in training mode, R fixed: returns the output, the
 * input gradient, each trainable weight's gradient by its name, and every weight's value after
 * the call (batch norm's moving statistics).
 */
async function gradientStep(backend: 'cpu' | 'wasm', make: () => tf.layers.Layer, inputShape: number[]): Promise<Step> {
  await tf.setBackend(backend);
  if (backend === 'wasm') registerMissingWasmKernels(tf);
  const layer = make();
  const x = tf.tensor(values(sizeOf(inputShape), 40, 2), inputShape);
  const results = new Map<string, Float32Array>();
  // The first call builds the layer (and runs one moving-average update); then the same weights everywhere.
  const outputShape = tf.tidy(() => (layer.apply(x, { training: true }) as tf.Tensor).shape);
  layer.setWeights(layer.weights.map((w, k) => {
    const data = values(sizeOf(w.shape as number[]), k + 1, 0.5);
    return tf.tensor(w.trainable ? data : data.map((v) => Math.abs(v) + 0.1), w.shape as number[]);
  }));
  const r = tf.tensor(values(sizeOf(outputShape), 60), outputShape);
  const loss = (input: tf.Tensor): tf.Scalar => {
    const out = layer.apply(input, { training: true }) as tf.Tensor;
    return tf.sum(tf.mul(out, r));
  };
  const out = tf.tidy(() => layer.apply(x, { training: true }) as tf.Tensor);
  results.set('output', out.dataSync() as Float32Array);
  const [dx] = tf.grads((input: tf.Tensor) => loss(input))([x]);
  results.set('dx', dx!.dataSync() as Float32Array);
  const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => loss(x), weights);
  for (const w of layer.trainableWeights) results.set(`d ${w.originalName.split('/').pop()}`, grads[(w.read() as tf.Variable).name]!.dataSync() as Float32Array);
  for (const w of layer.weights) results.set(`after ${w.originalName.split('/').pop()}`, w.read().dataSync() as Float32Array);
  tf.dispose([x, r, out, dx!, value, ...Object.values(grads), ...layer.weights.map((w) => w.read())]);
  return { results };
}

async function assertSameAsTfjs(label: string, fast: () => tf.layers.Layer, reference: () => tf.layers.Layer, inputShape: number[]): Promise<void> {
  const expected = await gradientStep('cpu', reference, inputShape);
  for (const backend of ['cpu', 'wasm'] as const) {
    const actual = await gradientStep(backend, fast, inputShape);
    assert.deepEqual([...actual.results.keys()], [...expected.results.keys()], `${label}: same results`);
    const keys = [...expected.results.keys()];
    [...actual.results.values()].forEach((a, i) => {
      const error = relativeError(a, expected.results.get(keys[i]!)!);
      assert.ok(error < TOLERANCE, `${label} on ${backend}, ${keys[i]}: relative error ${error.toExponential(2)} against tfjs' own layer on cpu`);
    });
  }
}

test('batch norm: the closed-form gradient equals tfjs\' own layer on cpu (rank 2, 3, 4; training mode)', async () => {
  for (const [shape, config] of [
    [[6, 5], {}],
    [[4, 3, 5], { momentum: 0.9 }],
    [[3, 4, 4, 5], {}],
    [[2, 3, 3, 4], { epsilon: 0.01, momentum: 0.5, axis: 3 }],
  ] as const) {
    await assertSameAsTfjs(`batch norm ${JSON.stringify(shape)} ${JSON.stringify(config)}`, () => fastBatchNormalization(tf, { ...config }), () => tf.layers.batchNormalization({ ...config }), [...shape]);
  }
});

test('batch norm: inference, other axes and rank 5 are tfjs\' own call', async () => {
  await tf.setBackend('cpu');
  const x = tf.tensor(values(2 * 3 * 4, 3), [2, 3, 4]);
  for (const config of [{ axis: 1 }, {}]) {
    const fast = fastBatchNormalization(tf, config);
    const reference = tf.layers.batchNormalization(config);
    for (const layer of [fast, reference]) tf.dispose(layer.apply(x) as tf.Tensor);
    reference.setWeights(fast.getWeights());
    for (const training of [false, ...('axis' in config ? [true] : [])]) {
      const a = fast.apply(x, { training }) as tf.Tensor;
      const b = reference.apply(x, { training }) as tf.Tensor;
      assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()), `${JSON.stringify(config)} training ${training}`);
      tf.dispose([a, b]);
    }
    assert.equal(fast.getClassName(), 'BatchNormalization');
    assert.deepEqual(fast.getConfig(), { ...reference.getConfig(), name: fast.name });
  }
  x.dispose();
});

test('batch norm: a training step leaves no tensor behind', async () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    if (backend === 'wasm') registerMissingWasmKernels(tf);
    const layer = fastBatchNormalization(tf, {});
    const x = tf.tensor(values(2 * 3 * 3 * 4, 5), [2, 3, 3, 4]);
    tf.dispose(layer.apply(x) as tf.Tensor);
    const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const step = (): void => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)), weights);
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    assert.equal(tf.memory().numTensors, before, `${backend}: tensors after 3 more steps`);
    const predicted = tf.tidy(() => layer.apply(x, { training: true }) as tf.Tensor);
    predicted.dispose();
    assert.equal(tf.memory().numTensors, before, `${backend}: a forward pass without a gradient tape`);
    tf.dispose([x, ...layer.weights.map((w) => w.read())]);
  }
});

/** Recurrent configs: tfjs' defaults (hardSigmoid gates) and Keras' (sigmoid), every option the fused path computes. */
const RECURRENT_CASES: [string, 'lstm' | 'gru' | 'simpleRNN', Record<string, unknown>][] = [
  ['lstm, last output', 'lstm', { units: 4 }],
  ['lstm, sequences, backwards, sigmoid gates', 'lstm', { units: 3, returnSequences: true, goBackwards: true, recurrentActivation: 'sigmoid' }],
  ['lstm, no bias, relu', 'lstm', { units: 3, useBias: false, activation: 'relu', recurrentActivation: 'sigmoid', returnSequences: true }],
  ['gru, last output', 'gru', { units: 4 }],
  ['gru, sequences, backwards, sigmoid gates', 'gru', { units: 3, returnSequences: true, goBackwards: true, recurrentActivation: 'sigmoid' }],
  ['gru, no bias, linear', 'gru', { units: 2, useBias: false, activation: 'linear' }],
  ['simpleRNN, last output', 'simpleRNN', { units: 4 }],
  ['simpleRNN, sequences, backwards, relu', 'simpleRNN', { units: 3, returnSequences: true, goBackwards: true, activation: 'relu' }],
];

test('recurrent layers: the fused sequence equals tfjs\' own layer on cpu (outputs, input and weight gradients)', async () => {
  for (const [label, kind, config] of RECURRENT_CASES) {
    const make = (): tf.layers.Layer => (tf.layers[kind] as (c: object) => tf.layers.Layer)({ ...config });
    await assertSameAsTfjs(label, () => fastRecurrent(tf, kind, { ...config }), make, [3, 5, 2]);
  }
});

test('recurrent layers: dropout, returnState, stateful and masks are tfjs\' own call', async () => {
  await tf.setBackend('cpu');
  const x = tf.tensor(values(3 * 5 * 2, 9), [3, 5, 2]);
  const same = (label: string, a: tf.Tensor | tf.Tensor[], b: tf.Tensor | tf.Tensor[]): void => {
    const [as, bs] = [a, b].map((t) => (Array.isArray(t) ? t : [t]));
    assert.equal(as!.length, bs!.length, label);
    as!.forEach((t, i) => assert.deepEqual(Array.from(t.dataSync()), Array.from(bs![i]!.dataSync()), label));
    tf.dispose([...as!, ...bs!]);
  };
  for (const config of [{ units: 3, returnState: true }, { units: 3, dropout: 0.5 }, { units: 3, recurrentDropout: 0.5 }, { units: 3, activation: 'selu' }, { units: 3, stateful: true, batchInputShape: [3, 5, 2] }]) {
    for (const kind of ['lstm', 'gru', 'simpleRNN'] as const) {
      const fast = fastRecurrent(tf, kind, { ...config });
      const reference = (tf.layers[kind] as (c: object) => tf.layers.Layer)({ ...config });
      for (const layer of [fast, reference]) tf.dispose(layer.apply(x) as tf.Tensor);
      reference.setWeights(fast.getWeights());
      if ('stateful' in config) for (const layer of [fast, reference]) (layer as tf.RNN).resetStates();
      // Inference: dropout masks are ones, so both must agree exactly when both run tfjs' call.
      same(`${kind} ${JSON.stringify(config)}`, fast.apply(x, { training: false }) as tf.Tensor, reference.apply(x, { training: false }) as tf.Tensor);
      assert.equal(fast.getClassName(), reference.getClassName());
    }
  }
  // A mask (from a masking layer or an embedding with maskZero) goes to tfjs' call too.
  const mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], [3, 5], 'bool');
  const fast = fastRecurrent(tf, 'lstm', { units: 2 });
  const reference = tf.layers.lstm({ units: 2 });
  for (const layer of [fast, reference]) tf.dispose(layer.apply(x) as tf.Tensor);
  reference.setWeights(fast.getWeights());
  same('lstm with a mask', fast.call(x, { mask }) as tf.Tensor, reference.call(x, { mask }) as tf.Tensor);
  tf.dispose([x, mask]);
});

test('recurrent layers: a training step of the fused sequence leaves no tensor behind', async () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    if (backend === 'wasm') registerMissingWasmKernels(tf);
    for (const kind of ['lstm', 'gru', 'simpleRNN'] as const) {
      const layer = fastRecurrent(tf, kind, { units: 3, returnSequences: true });
      const x = tf.tensor(values(2 * 4 * 2, 5), [2, 4, 2]);
      tf.dispose(layer.apply(x) as tf.Tensor);
      const weights = [...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
      const step = (): void => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)), weights);
        tf.dispose([value, ...Object.values(grads)]);
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      tf.dispose(tf.tidy(() => layer.apply(x) as tf.Tensor));
      assert.equal(tf.memory().numTensors, before, `${backend} ${kind}: tensors after 3 more steps and a forward pass`);
      tf.dispose([x, ...layer.weights.map((w) => w.read())]);
    }
  }
});

/** A model with every layer the worker builds as ours, as a user would write it. */
const MODEL_SOURCE = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.conv1d({ filters: 4, kernelSize: 3, inputShape: [9, 3] }));
model.add(tf.layers.batchNormalization());
model.add(tf.layers.lstm({ units: 5, returnSequences: true }));
model.add(tf.layers.gru({ units: 4, returnSequences: true, goBackwards: true }));
model.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, returnSequences: true }), mergeMode: 'concat' }));
model.add(tf.layers.simpleRNN({ units: 3 }));
model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
`;

/** Gradients of every trainable weight, by weight name, of the model built with or without our layers. */
async function modelGradients(backend: 'cpu' | 'wasm', fastLayers: boolean): Promise<{ grads: Map<string, Float32Array>; ours: number }> {
  await tf.setBackend(backend);
  if (backend === 'wasm') registerMissingWasmKernels(tf);
  const graph = parseSource(MODEL_SOURCE, 'model.ts').models[0]!;
  const model = buildModel(tf, graph, 7, { fastLayers });
  const tfjsCall = (type: string): unknown => Object.getPrototypeOf((tf.layers as unknown as Record<string, (c: object) => tf.layers.Layer>)[type]!({ units: 1 })).call;
  const isOurs = (l: tf.layers.Layer): boolean => ['batchNormalization', 'lstm', 'gru', 'simpleRNN'].some((type) => l.getClassName().toLowerCase() === type.toLowerCase() && (l as unknown as { call: unknown }).call !== tfjsCall(type));
  // A bidirectional wrapper counts its two inner layers.
  const inner = (l: tf.layers.Layer): tf.layers.Layer[] => (l.getClassName() === 'Bidirectional' ? [(l as unknown as { forwardLayer: tf.layers.Layer }).forwardLayer, (l as unknown as { backwardLayer: tf.layers.Layer }).backwardLayer] : [l]);
  const ours = model.layers.flatMap(inner).filter(isOurs).length;
  const x = tf.tensor(values(4 * 9 * 3, 11), [4, 9, 3]);
  const y = tf.tensor([[1], [0], [1], [0]]);
  const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, weights);
  // Unnamed inner layers (a bidirectional's) get names from tfjs' process-wide counter: without its number.
  const result = new Map(model.trainableWeights.map((w) => [w.originalName.replace(/(_[A-Z][A-Za-z]*)\d+\//g, '$1/'), grads[(w.read() as tf.Variable).name]!.dataSync() as Float32Array]));
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
  return { grads: result, ours };
}

test('the worker builds batch norm and recurrent layers (bidirectional\'s too) as ours, with tfjs\' per-weight gradients', async () => {
  const reference = await modelGradients('cpu', false);
  assert.equal(reference.ours, 0, 'fastLayers false builds tfjs\' own layers');
  assert.equal(reference.grads.size, 21, 'conv 2 + batch norm 2 + lstm 3 + gru 3 + bidirectional lstm 2 x 3 + simpleRNN 3 + dense 2 trainable weights');
  for (const backend of ['cpu', 'wasm'] as const) {
    const fast = await modelGradients(backend, true);
    assert.equal(fast.ours, 6, `${backend}: batch norm, lstm, gru, the bidirectional's two lstms and simpleRNN are ours`);
    assert.deepEqual([...fast.grads.keys()], [...reference.grads.keys()], 'same weight names');
    for (const [name, expected] of reference.grads) {
      // Relative to the largest gradient of the same layer: the bias of the conv before the batch
      // norm has a gradient of exactly zero in exact arithmetic (the norm removes any per-channel
      // shift), so both computations give float noise there, ~1e-8 of the kernel's gradient.
      const layer = name.split('/')[0]!;
      const scale = Math.max(...[...reference.grads].filter(([n]) => n.split('/')[0] === layer).flatMap(([, g]) => Array.from(g, Math.abs)));
      const actual = fast.grads.get(name)!;
      const error = Math.max(...Array.from(actual, (v, i) => Math.abs(v - expected[i]!))) / scale;
      assert.ok(error < TOLERANCE, `${backend} ${name}: error ${error.toExponential(2)} of the layer's largest gradient, against tfjs' layers on cpu`);
    }
  }
});
