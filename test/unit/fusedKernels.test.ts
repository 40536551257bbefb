import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ADAM_KERNEL, BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL, GRADIENT_STATS_KERNEL, gradientStatistics, makeFusedAdam, registerFusedKernels } from '../../src/training/fusedKernels';
import { registerMissingWasmKernels } from '../../src/training/wasmKernels';
import { makeOptimizer } from '../../src/training/measure';

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);

/** Deterministic values of both signs and several magnitudes. */
function values(size: number, seed: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => Math.sin(i * 1.618 + seed * 7.3) * 10 ** ((i % 7) - 3));
}

/** The build writes the fused binaries beside the test bundles (scripts/build.mjs, copyWasm). */
async function wasmWithFusedKernels(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  registerMissingWasmKernels(tf);
  assert.equal(registerFusedKernels(tf, __dirname), undefined);
  assert.ok(tf.getKernel(ADAM_KERNEL, 'wasm') && tf.getKernel(GRADIENT_STATS_KERNEL, 'wasm'));
}

// Sizes: 1 and 7 exercise the scalar tail, 1,030 the vector loop and a tail, 4,096 the loop only.
const SHAPES = [[1], [7], [103, 10], [64, 64]];

/** Trains the same variables with `optimizer` for `steps` steps of fixed gradients; returns the values and moments. */
function train(optimizer: tf.Optimizer, steps: number): Float32Array[] {
  const variables = SHAPES.map((shape, k) => tf.variable(tf.tensor(values(tf.util.sizeFromShape(shape), k), shape), true, `w${k}_${Math.random()}`));
  for (let s = 0; s < steps; s++) {
    const grads = Object.fromEntries(variables.map((v, k) => [v.name, tf.tensor(values(v.size, 100 * s + k + 1), v.shape)]));
    optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
  const state = (optimizer as unknown as { accumulatedFirstMoment: { variable: tf.Variable }[]; accumulatedSecondMoment: { variable: tf.Variable }[] });
  const out = [...variables, ...state.accumulatedFirstMoment.map((m) => m.variable), ...state.accumulatedSecondMoment.map((m) => m.variable)].map((t) => t.dataSync() as Float32Array);
  tf.dispose(variables);
  optimizer.dispose();
  return out;
}

test('the fused Adam update gives tfjs Adam\'s numbers bit for bit on wasm, and leaves no tensor behind', async () => {
  await wasmWithFusedKernels();
  for (const [lr, beta1, beta2, epsilon] of [[0.001, 0.9, 0.999, undefined], [0.5, 0.5, 0.9, 1e-3]] as const) {
    const before = tf.memory().numTensors;
    const expected = train(tf.train.adam(lr, beta1, beta2, epsilon), 6);
    const afterTfjs = tf.memory().numTensors;
    const fused = train(makeFusedAdam(tf, lr, beta1, beta2, epsilon), 6);
    // tfjs' own Adam is the reference for what an optimizer may keep after its dispose.
    assert.equal(tf.memory().numTensors - afterTfjs, afterTfjs - before);
    assert.equal(fused.length, expected.length);
    fused.forEach((got, i) => assert.deepEqual(Array.from(got), Array.from(expected[i]!), `tensor ${i} (lr ${lr})`));
  }
});

test('the fused kernel is what runs: one call per weight and step', async () => {
  await wasmWithFusedKernels();
  const calls: string[] = [];
  const kernel = tf.getKernel(ADAM_KERNEL, 'wasm')!;
  tf.unregisterKernel(ADAM_KERNEL, 'wasm');
  tf.registerKernel({ ...kernel, kernelFunc: (args) => (calls.push(ADAM_KERNEL), kernel.kernelFunc(args)) });
  try {
    train(makeFusedAdam(tf, 0.01, 0.9, 0.999), 2);
  } finally {
    tf.unregisterKernel(ADAM_KERNEL, 'wasm');
    tf.registerKernel(kernel);
  }
  assert.equal(calls.length, 2 * SHAPES.length);
});

test('gradient statistics: the sum of squares, the sum and the max of |g|, within 1e-6 of float64 sums; NaN reaches the norm and the max', async () => {
  await wasmWithFusedKernels();
  for (const size of [1, 3, 4, 1030, 100_003]) {
    const data = values(size, size);
    let sumSq = 0;
    let sumAbs = 0;
    let max = 0;
    for (const v of data) {
      sumSq += v * v;
      sumAbs += Math.abs(v);
      max = Math.max(max, Math.abs(v));
    }
    const got = tf.tidy(() => gradientStatistics(tf, tf.tensor(data)).dataSync());
    assert.ok(Math.abs(got[0]! - sumSq) <= 1e-6 * sumSq, `sum of squares, size ${size}: ${got[0]} vs ${sumSq}`);
    assert.ok(Math.abs(got[1]! - sumAbs) <= 1e-6 * sumAbs, `sum of |g|, size ${size}`);
    assert.equal(got[2], Math.fround(max));
  }
  for (const at of [0, 5, 6]) {
    const data = values(7, 1);
    data[at] = NaN;
    const got = tf.tidy(() => gradientStatistics(tf, tf.tensor(data)).dataSync());
    assert.ok(Number.isNaN(got[0]) && Number.isNaN(got[2]), `NaN at ${at}: ${Array.from(got)}`);
  }
  const infinite = tf.tidy(() => gradientStatistics(tf, tf.tensor([1, -Infinity, 2, 3, 4])).dataSync());
  assert.equal(infinite[0], Infinity);
  assert.equal(infinite[2], Infinity);
});

test('on the cpu backend the same calls use tfjs\' ops: the same statistics and tfjs\' Adam', async () => {
  await tf.setBackend('cpu');
  const data = values(1030, 4);
  const cpu = tf.tidy(() => gradientStatistics(tf, tf.tensor(data)).dataSync());
  await wasmWithFusedKernels();
  const wasm = tf.tidy(() => gradientStatistics(tf, tf.tensor(data)).dataSync());
  await tf.setBackend('cpu');
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(cpu[i]! - wasm[i]!) <= 1e-5 * Math.abs(wasm[i]!), `statistic ${i}: ${cpu[i]} vs ${wasm[i]}`);
  const expected = train(tf.train.adam(0.01), 3);
  const fused = train(makeFusedAdam(tf, 0.01, 0.9, 0.999), 3);
  fused.forEach((got, i) => assert.deepEqual(Array.from(got), Array.from(expected[i]!)));
});

test('another backend is a reason, not a throw', async () => {
  await tf.setBackend('cpu');
  assert.match(registerFusedKernels(tf, __dirname) ?? '', /not wasm/);
});

test('only Adam is replaced by the fused one: SGD and the others stay tfjs\' (their instanceof answers yes to any optimizer)', async () => {
  await wasmWithFusedKernels();
  const cases: [Parameters<typeof makeOptimizer>[1], string][] = [
    ['sgd', 'SGD'],
    ['adam', 'Adam'],
    ['rmsprop', 'RMSProp'],
    [{ $call: 'train.sgd', args: [0.1] }, 'SGD'],
    [{ $call: 'train.adam', args: [0.01, 0.8] }, 'Adam'],
  ];
  for (const [value, className] of cases) {
    const { optimizer, learningRate } = makeOptimizer(tf, value);
    assert.equal(optimizer.getClassName(), className, JSON.stringify(value));
    assert.equal(optimizer.constructor.name === 'FusedAdamOptimizer', className === 'Adam', JSON.stringify(value));
    if (className === 'Adam' && typeof value !== 'string') {
      assert.equal(learningRate, 0.01);
      assert.equal((optimizer as unknown as { beta1: number }).beta1, 0.8);
    }
    optimizer.dispose();
  }
});

test('Sum and Mean over leading axes: the numbers of tfjs\' transpose-then-reduce, bit for bit; other axes unchanged', async () => {
  await wasmWithFusedKernels();
  const cases: [number[], number | number[], boolean][] = [
    [[4, 5, 6, 7], [0, 1, 2], false],
    [[4, 5, 6, 7], [0, 1, 2], true],
    [[33, 3], 0, false],
    [[2, 3, 9], [1, 0], true],
    [[8, 1], [0], false],
    [[3, 4, 5], [1, 2], false], // innermost: tfjs' kernel
    [[3, 4, 5], [0, 2], false], // not leading: tfjs' kernel
  ];
  for (const [shape, axis, keepDims] of cases) {
    const data = values(tf.util.sizeFromShape(shape), shape.length);
    const axes = typeof axis === 'number' ? [axis] : axis;
    const rest = shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const inner = axes.map((_, k) => rest.length + k);
    for (const op of ['sum', 'mean'] as const) {
      const [got, expected] = tf.tidy(() => {
        const x = tf.tensor(data, shape);
        const reference = tf[op](tf.transpose(x, [...rest, ...[...axes].sort((a, b) => a - b)]), inner, false);
        const result = tf[op](x, axis, keepDims);
        return [result, keepDims ? tf.reshape(reference, result.shape) : reference];
      }).map((t) => { const d = t.dataSync(); const s = t.shape; t.dispose(); return { d: Array.from(d), s }; });
      assert.deepEqual(got!.s, keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : rest.map((i) => shape[i]), `${op} ${shape} ${axis} shape`);
      assert.deepEqual(got!.d, expected!.d, `${op} ${shape} ${axis}`);
    }
  }
  // Gradients still flow through the replaced kernels (their gradient functions are tfjs').
  const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.mean(x, [0, 1]), tf.tensor([1, 2, 3]))))(tf.ones([2, 2, 3])).dataSync());
  assert.deepEqual(Array.from(grad), [0.25, 0.5, 0.75, 0.25, 0.5, 0.75, 0.25, 0.5, 0.75, 0.25, 0.5, 0.75]);
});

/** Batch norm over the last axis in float64, from the definition: [y, mean, variance, dx, dGamma, dBeta] for the loss sum(y * dy). */
function batchNormReference(x: Float32Array, dy: Float32Array, gamma: Float32Array, beta: Float32Array, channels: number, epsilon: number): Float64Array[] {
  const rows = x.length / channels;
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) mean[i % channels]! += x[i]! / rows;
  for (let i = 0; i < x.length; i++) variance[i % channels]! += (x[i]! - mean[i % channels]!) ** 2 / rows;
  const invStd = variance.map((v) => 1 / Math.sqrt(v + epsilon));
  const xHat = Float64Array.from(x, (v, i) => (v - mean[i % channels]!) * invStd[i % channels]!);
  const y = xHat.map((v, i) => v * gamma[i % channels]! + beta[i % channels]!);
  const dBeta = new Float64Array(channels);
  const dGamma = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) {
    dBeta[i % channels]! += dy[i]!;
    dGamma[i % channels]! += dy[i]! * xHat[i]!;
  }
  const dx = Float64Array.from(dy, (g, i) => {
    const c = i % channels;
    return gamma[c]! * invStd[c]! * (g - dBeta[c]! / rows - (xHat[i]! * dGamma[c]!) / rows);
  });
  return [y, mean, variance, dx, dGamma, dBeta];
}

test('batch norm\'s fused kernels: output, moments and gradients of the closed form within 1e-4 of float64, for any channel count; the layer path runs them', async () => {
  await wasmWithFusedKernels();
  const { batchNormTraining } = await import('../../src/training/fastBatchNorm');
  assert.ok(tf.getKernel(BATCH_NORM_KERNEL, 'wasm') && tf.getKernel(BATCH_NORM_GRAD_KERNEL, 'wasm'));
  // Channels 1, 3, 5, 6, 8, 16: the scalar tail, pairs without quads, quads and tails; a shifted
  // input (mean 100, std 0.5) shows the float64 moments (a float32 one-pass variance loses it).
  const cases: { shape: number[]; shift: number }[] = [
    { shape: [9, 1], shift: 0 }, { shape: [6, 3], shift: 0 }, { shape: [4, 3, 2, 5], shift: 0 },
    { shape: [2, 4, 4, 6], shift: 0 }, { shape: [3, 5, 8], shift: 0 }, { shape: [2, 6, 6, 16], shift: 100 },
  ];
  for (const { shape, shift } of cases) {
    const channels = shape[shape.length - 1]!;
    const size = tf.util.sizeFromShape(shape);
    const x = Float32Array.from(values(size, 1), (v, i) => shift + 0.5 * Math.sin(i * 0.37) + v * 1e-3);
    const dy = values(size, 2);
    const gamma = Float32Array.from({ length: channels }, (_, c) => 0.5 + c / channels);
    const beta = Float32Array.from({ length: channels }, (_, c) => c / 10 - 0.3);
    const epsilon = 1e-3;
    const before = tf.memory().numTensors;
    const got = tf.tidy(() => {
      const [xt, gt, bt, dyt] = [tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta), tf.tensor(dy, shape)];
      let outputs: tf.Tensor[] = [];
      const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const [y, mean, variance] = batchNormTraining(tf, a, g, b, epsilon);
        outputs = [tf.keep(y), mean, variance];
        return tf.sum(tf.mul(y, dyt));
      })([xt, gt, bt]);
      const arrays = [...outputs, ...grads].map((t) => t.dataSync() as Float32Array);
      tf.dispose(outputs);
      return arrays;
    });
    assert.equal(tf.memory().numTensors, before, `no tensor left behind (${shape})`);
    const expected = batchNormReference(x, dy, gamma, beta, channels, epsilon);
    ['y', 'mean', 'variance', 'dx', 'dGamma', 'dBeta'].forEach((name, k) => {
      const scale = Math.max(...Array.from(expected[k]!, Math.abs), 1e-6);
      got[k]!.forEach((v, i) => assert.ok(Math.abs(v - expected[k]![i]!) <= 1e-4 * scale, `${name}[${i}] ${v} vs ${expected[k]![i]} (shape ${shape}, shift ${shift})`));
    });
  }
  // What runs: the two kernels, and none of tfjs' batch norm ops.
  const profile = await tf.profile(() => tf.tidy(() => {
    const x = tf.tensor(values(2 * 4 * 4 * 8, 3), [2, 4, 4, 8]);
    return tf.grad((a: tf.Tensor) => {
      const [y, mean, variance] = batchNormTraining(tf, a, tf.ones([8]), tf.zeros([8]), 1e-3);
      tf.dispose([mean, variance]);
      return tf.sum(tf.square(y));
    })(x);
  }));
  const names = new Set(profile.kernels.map((k) => k.name));
  assert.ok(names.has(BATCH_NORM_KERNEL) && names.has(BATCH_NORM_GRAD_KERNEL), [...names].join(', '));
  assert.ok(!names.has('FusedBatchNorm'), [...names].join(', '));
});
