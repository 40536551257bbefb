// The closed-form batch-norm gradient and the fused recurrent layers (src/training/fastBatchNorm.ts,
// fastRecurrent.ts) against tfjs' own layers on the cpu backend: outputs, the gradients of the
// input and of every weight, the moving statistics, and no tensor left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { fastBatchNormalization } from '../../src/training/fastBatchNorm';
import { registerMissingWasmKernels } from '../../src/training/wasmKernels';

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);

/** float32 sums in different orders (and, for recurrent layers, over time steps). */
const TOLERANCE = 1e-4;

function values(size: number, seed: number, scale = 1): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => scale * Math.sin(i * 1.618 + seed * 7.3) + 0.05 * scale * Math.cos(i * 0.37 + seed));
}

/** max |a - b| / max |b|. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'result sizes differ');
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  assert.ok(scale > 0, 'the reference is all zeros, which would prove nothing');
  return diff / scale;
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
  layer.build(inputShape);
  layer.setWeights(layer.weights.map((w, k) => {
    const data = values(sizeOf(w.shape as number[]), k + 1, 0.5);
    return tf.tensor(w.trainable ? data : data.map((v) => Math.abs(v) + 0.1), w.shape as number[]);
  }));
  const x = tf.tensor(values(sizeOf(inputShape), 40, 2), inputShape);
  const results = new Map<string, Float32Array>();
  const outputShape = (layer.apply(x, { training: true }) as tf.Tensor).shape;
  tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
  // The first apply above ran the moving-average update once; reset so every run starts alike.
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
  for (const w of layer.trainableWeights) results.set(`d ${w.originalName}`, grads[(w.read() as tf.Variable).name]!.dataSync() as Float32Array);
  for (const w of layer.weights) results.set(`after ${w.originalName}`, w.read().dataSync() as Float32Array);
  tf.dispose([x, r, out, dx!, value, ...Object.values(grads), ...layer.weights.map((w) => w.read())]);
  return { results };
}

async function assertSameAsTfjs(label: string, fast: () => tf.layers.Layer, reference: () => tf.layers.Layer, inputShape: number[]): Promise<void> {
  const expected = await gradientStep('cpu', reference, inputShape);
  for (const backend of ['cpu', 'wasm'] as const) {
    const actual = await gradientStep(backend, fast, inputShape);
    assert.deepEqual([...actual.results.keys()].map((k) => k.replace(/_\d+\//, '/')), [...expected.results.keys()].map((k) => k.replace(/_\d+\//, '/')), `${label}: same results`);
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
    for (const layer of [fast, reference]) layer.build(x.shape);
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
    layer.build(x.shape);
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
