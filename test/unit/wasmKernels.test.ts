import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { DENSE_FORWARD_COSTS, forwardSwapPays, matMulCost } from '../../src/training/wasmDenseKernels';
import { registerMissingWasmKernels } from '../../src/training/wasmKernels';
import { relativeError } from '../support/numeric';

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);

const TOLERANCE = 1e-4;
type Shape4 = [number, number, number, number];
type Padding = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];


/** Deterministic values without ties (so max pooling has one maximum per window). */
function values(size: number, seed: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => Math.sin(i * 1.618 + seed * 7.3) + 0.01 * Math.cos(i * 0.37 + seed));
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Runs `f` on a backend inside a tidy and returns its results' values. */
async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const results = tf.tidy(f);
  const data = results.map((t) => t.dataSync() as Float32Array);
  tf.dispose(results);
  return data;
}

/** One kernel call on the given inputs (values with shapes), returning the output values. */
function kernel(name: string, inputs: Record<string, { data: Float32Array; shape: number[] }>, attrs: Record<string, unknown>): () => tf.Tensor[] {
  return () => {
    const tensors = Object.fromEntries(Object.entries(inputs).map(([key, v]) => [key, tf.tensor(v.data, v.shape)]));
    return [tf.engine().runKernel(name, tensors, attrs as tf.NamedAttrMap) as tf.Tensor];
  };
}

async function assertSameOnBoth(label: string, f: () => tf.Tensor[], reference: () => tf.Tensor[] = f): Promise<void> {
  const expected = await on('cpu', reference);
  const actual = await on('wasm', f);
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => {
    const error = relativeError(a, expected[i]!);
    assert.ok(error < TOLERANCE, `${label} output ${i}: relative error ${error.toExponential(2)}`);
  });
}

/** A dilated filter is the undilated one with zeros between taps: how the cpu backend can check dilation. */
function expandFilter(filter: tf.Tensor4D, dilation: number): tf.Tensor4D {
  const [h, w, i, o] = filter.shape;
  const spread = tf.pad(tf.reshape(filter, [h, 1, w, 1, i, o]), [[0, 0], [0, dilation - 1], [0, 0], [0, dilation - 1], [0, 0], [0, 0]]);
  return tf.slice(tf.reshape(spread, [h * dilation, w * dilation, i, o]) as tf.Tensor4D, [0, 0, 0, 0], [(h - 1) * dilation + 1, (w - 1) * dilation + 1, i, o]);
}

/** The taps of a filter gradient computed for the zero-expanded filter that the dilated filter really has. */
function dilatedTaps(full: tf.Tensor4D, dilation: number): tf.Tensor {
  return tf.stridedSlice(full, [0, 0, 0, 0], full.shape, [dilation, dilation, 1, 1]);
}

interface ConvCase {
  x: Shape4;
  kernel: number;
  filters: number;
  strides: number | [number, number];
  dilation: number;
  pad: Padding;
  multiplier: number;
}

const cases: ConvCase[] = [
  { x: [2, 9, 9, 3], kernel: 3, filters: 4, strides: 1, dilation: 1, pad: 'valid', multiplier: 1 },
  { x: [3, 10, 8, 2], kernel: 3, filters: 5, strides: 2, dilation: 1, pad: 'same', multiplier: 2 },
  { x: [2, 11, 11, 4], kernel: 3, filters: 3, strides: 2, dilation: 1, pad: 'valid', multiplier: 1 },
  { x: [1, 7, 7, 4], kernel: 2, filters: 3, strides: 2, dilation: 1, pad: 'valid', multiplier: 3 },
  { x: [4, 12, 12, 1], kernel: 5, filters: 6, strides: 1, dilation: 1, pad: 'same', multiplier: 1 },
  { x: [2, 12, 10, 3], kernel: 3, filters: 4, strides: 1, dilation: 2, pad: 'same', multiplier: 2 },
  { x: [2, 13, 13, 2], kernel: 3, filters: 2, strides: 1, dilation: 2, pad: 'valid', multiplier: 1 },
  { x: [2, 8, 9, 3], kernel: 3, filters: 4, strides: 2, dilation: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]], multiplier: 2 },
  { x: [3, 6, 6, 2], kernel: 4, filters: 3, strides: 1, dilation: 1, pad: [[0, 0], [2, 1], [1, 2], [0, 0]], multiplier: 1 },
  // Strided input gradients go by output phase: a 1x1 shortcut (phases without taps), stride 3
  // with 5 taps, an even kernel, a stride above the kernel, unequal strides, a stride of 4.
  { x: [2, 9, 9, 3], kernel: 1, filters: 4, strides: 2, dilation: 1, pad: 'same', multiplier: 1 },
  { x: [2, 10, 11, 2], kernel: 5, filters: 3, strides: 3, dilation: 1, pad: 'same', multiplier: 2 },
  { x: [2, 8, 8, 3], kernel: 4, filters: 2, strides: 2, dilation: 1, pad: 'same', multiplier: 1 },
  { x: [1, 9, 7, 2], kernel: 2, filters: 3, strides: 3, dilation: 1, pad: 'valid', multiplier: 1 },
  { x: [2, 9, 10, 3], kernel: 3, filters: 2, strides: [2, 1], dilation: 1, pad: 'same', multiplier: 1 },
  { x: [2, 5, 6, 2], kernel: 3, filters: 3, strides: 4, dilation: 1, pad: 'valid', multiplier: 2 },
  // Stride and dilation both above 1: no forward op accepts it, but the kernels' arithmetic does.
  { x: [2, 13, 11, 3], kernel: 3, filters: 3, strides: 2, dilation: 2, pad: 'same', multiplier: 2 },
];

test('registers the missing conv gradient kernels (and the replaced ones) exactly once', async () => {
  await tf.setBackend('wasm');
  const before = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  const missing = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'];
  const first = registerMissingWasmKernels(tf);
  for (const name of missing) assert.ok(first.includes(name), `${name} registered`);
  assert.deepEqual([...first].sort(), [...missing, 'Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul', '_FusedMatMul', 'UnsortedSegmentSum', 'Conv3DBackpropInputV2', 'Identity', 'Cast'].sort());
  const after = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  for (const name of first) assert.ok(after.has(name), `${name} is in the wasm registry`);
  // Registration only adds to what was there.
  for (const name of before) assert.ok(after.has(name), `${name} still registered`);
  assert.deepEqual(registerMissingWasmKernels(tf), []);
});

test('each conv gradient kernel on wasm equals the cpu backend to 1e-4 relative', async () => {
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  for (const c of cases) {
    const label = JSON.stringify(c);
    const [batch, height, width, channels] = c.x;
    const filterShape: Shape4 = [c.kernel, c.kernel, channels, c.filters];
    const depthShape: Shape4 = [c.kernel, c.kernel, channels, c.multiplier];
    const x = values(sizeOf(c.x), 1);
    const filter = values(sizeOf(filterShape), 2);
    const depthFilter = values(sizeOf(depthShape), 3);
    // Output shapes from tfjs' own shape arithmetic, so the cases test the kernels, not ours.
    const outShape = (shape: Shape4, depthwise: boolean) => tf.backend_util.computeConv2DInfo(c.x, shape, c.strides, c.dilation, c.pad, undefined, depthwise).outShape;
    const convOut = outShape(filterShape, false);
    const depthOut = outShape(depthShape, true);
    const dyConv = { data: values(sizeOf(convOut), 4), shape: convOut };
    const dyDepth = { data: values(sizeOf(depthOut), 5), shape: depthOut };
    const convAttrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilation };

    // The cpu backend has no dilated gradient kernels (Conv2DBackprop* have no dilation
    // attribute; the depthwise ones take it but their loops ignore it), so dilated cases are
    // checked against the cpu kernels run on the zero-expanded filter, which is what a dilated
    // filter is.
    const expanded = (c.kernel - 1) * c.dilation + 1;
    const undilated = { ...convAttrs, dilations: 1 };
    const xInput = { data: x, shape: c.x };
    const filterGradient = (name: string, dy: typeof dyConv, shape: Shape4) => ({
      actual: kernel(name, { x: xInput, dy }, { ...convAttrs, filterShape: shape }),
      reference: () => [dilatedTaps(kernel(name, { x: xInput, dy }, { ...undilated, filterShape: [expanded, expanded, shape[2], shape[3]] })()[0] as tf.Tensor4D, c.dilation)],
    });
    const inputGradient = (name: string, dy: typeof dyConv, weights: Float32Array, shape: Shape4) => ({
      actual: kernel(name, { dy, filter: { data: weights, shape } }, { ...convAttrs, inputShape: c.x }),
      reference: () => [tf.engine().runKernel(name, { dy: tf.tensor(dy.data, dy.shape), filter: expandFilter(tf.tensor4d(weights, shape), c.dilation) }, { ...undilated, inputShape: c.x } as unknown as tf.NamedAttrMap) as tf.Tensor],
    });
    const checks = {
      Conv2DBackpropFilter: filterGradient('Conv2DBackpropFilter', dyConv, filterShape),
      Conv2DBackpropInput: inputGradient('Conv2DBackpropInput', dyConv, filter, filterShape),
      DepthwiseConv2dNativeBackpropFilter: filterGradient('DepthwiseConv2dNativeBackpropFilter', dyDepth, depthShape),
      DepthwiseConv2dNativeBackpropInput: inputGradient('DepthwiseConv2dNativeBackpropInput', dyDepth, depthFilter, depthShape),
    };
    for (const [name, check] of Object.entries(checks)) await assertSameOnBoth(`${name} ${label}`, check.actual, check.reference);
    assert.ok(batch >= 1 && height > 0 && width > 0);
  }
});

test('Conv2D gradient kernels handle NCHW inputs like the cpu backend', async () => {
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  const xShape: Shape4 = [2, 3, 9, 8];
  const filterShape: Shape4 = [3, 3, 3, 4];
  const dy = { data: values(2 * 4 * 5 * 4, 6), shape: [2, 4, 5, 4] };
  const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW', dilations: 1 };
  await assertSameOnBoth('Conv2DBackpropFilter NCHW', kernel('Conv2DBackpropFilter', { x: { data: values(sizeOf(xShape), 7), shape: xShape }, dy }, { ...attrs, filterShape }));
  await assertSameOnBoth('Conv2DBackpropInput NCHW', kernel('Conv2DBackpropInput', { dy, filter: { data: values(sizeOf(filterShape), 8), shape: filterShape } }, { ...attrs, inputShape: xShape }));
});

test('pooling gradients on wasm equal the cpu backend (tfjs\' own wasm MaxPoolGrad fails the 2x2 cases)', async () => {
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  const xShape: Shape4 = [2, 9, 8, 3];
  const x = values(sizeOf(xShape), 9);
  for (const [filterSize, strides, pad] of [[2, 2, 'valid'], [2, 2, 'same'], [2, 1, 'valid'], [3, 2, 'same'], [3, 1, 'same'], [3, 2, 'valid']] as const) {
    for (const pool of ['max', 'avg'] as const) {
      const f = () => {
        const input = tf.tensor4d(x, xShape);
        const output = pool === 'max' ? tf.maxPool(input, filterSize, strides, pad) : tf.avgPool(input, filterSize, strides, pad);
        const dy = tf.tensor(values(output.size, 10), output.shape);
        const attrs = { filterSize, strides, pad } as unknown as tf.NamedAttrMap;
        return [pool === 'max' ? tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, attrs) as tf.Tensor : tf.engine().runKernel('AvgPoolGrad', { dy, input }, attrs) as tf.Tensor];
      };
      await assertSameOnBoth(`${pool}PoolGrad ${filterSize}/${strides}/${pad}`, f);
    }
  }
});

test('gradients through conv2d, depthwise, separable, conv1d, conv2dTranspose and pooling ops match cpu', async () => {
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  const xShape: Shape4 = [3, 10, 10, 2];
  const x = values(sizeOf(xShape), 11);
  const w = values(3 * 3 * 2 * 4, 12);
  const depth = values(3 * 3 * 2 * 2, 13);
  const point = values(4 * 3, 14);
  const w1d = values(3 * 2 * 3, 15);
  const wT = values(3 * 3 * 5 * 2, 16);
  const f = () => {
    const input = tf.tensor4d(x, xShape);
    const weights = [tf.tensor4d(w, [3, 3, 2, 4]), tf.tensor4d(depth, [3, 3, 2, 2]), tf.tensor4d(point, [1, 1, 4, 3]), tf.tensor3d(w1d, [3, 2, 3]), tf.tensor4d(wT, [3, 3, 2, 5])];
    const loss = (a: tf.Tensor, k: tf.Tensor, d: tf.Tensor, p: tf.Tensor, k1: tf.Tensor, kT: tf.Tensor): tf.Scalar => {
      const x4 = a as tf.Tensor4D;
      const conv = tf.maxPool(tf.tanh(tf.conv2d(x4, k as tf.Tensor4D, 1, 'same')), 2, 2, 'same');
      const depthwise = tf.avgPool(tf.depthwiseConv2d(x4, d as tf.Tensor4D, 2, 'same'), 2, 1, 'valid');
      const separable = tf.separableConv2d(x4, d as tf.Tensor4D, p as tf.Tensor4D, 1, 'valid');
      const conv1d = tf.conv1d(tf.reshape(x4, [3, 100, 2]) as tf.Tensor3D, k1 as tf.Tensor3D, 2, 'same');
      const transposed = tf.conv2dTranspose(tf.slice(separable, [0, 0, 0, 0], [3, 5, 5, 3]).pad([[0, 0], [0, 0], [0, 0], [0, 2]]) as tf.Tensor4D, kT as tf.Tensor4D, [3, 11, 11, 2], 2, 'valid');
      return tf.addN([conv, depthwise, separable, conv1d, transposed].map((t) => tf.sum(tf.square(t)))) as tf.Scalar;
    };
    return tf.grads(loss as (...args: tf.Tensor[]) => tf.Tensor)([input, ...weights]);
  };
  await assertSameOnBoth('op gradients', f);
});

/** A small conv net with every layer kind the kernels serve, built the same way on each backend. */
function smallConvNet(): tf.Sequential {
  const seed = (n: number) => tf.initializers.glorotUniform({ seed: n });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 1, padding: 'same', inputShape: [12, 12, 2], activation: 'tanh', kernelInitializer: seed(1) }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'tanh', depthwiseInitializer: seed(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.separableConv2d({ filters: 3, kernelSize: 2, depthwiseInitializer: seed(3), pointwiseInitializer: seed(4) }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: seed(5) }),
      tf.layers.averagePooling2d({ poolSize: 2, padding: 'same' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seed(6) }),
    ],
  });
}

test('a small conv net gets the same weight gradients on wasm as on cpu, and a training step leaks no tensors', async () => {
  const inputs = values(4 * 12 * 12 * 2, 17);
  const labels = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0];
  const run = async (backend: 'cpu' | 'wasm') => {
    await tf.setBackend(backend);
    if (backend === 'wasm') registerMissingWasmKernels(tf);
    const model = smallConvNet();
    const x = tf.tensor4d(inputs, [4, 12, 12, 2]);
    const y = tf.tensor2d(labels, [4, 3]);
    const optimizer = tf.train.sgd(0.1);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar);
      const data = model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name]?.dataSync() as Float32Array);
      optimizer.applyGradients(grads);
      tf.dispose([value, ...Object.values(grads)]);
      return data;
    };
    const gradients = step();
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      step();
      // Tensors the engine tracks, and buffers the backend holds (a reference-count slip in a
      // kernel leaks the second without the first).
      counts.push(tf.memory().numTensors * 1e6 + tf.engine().backend.numDataIds());
    }
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
    return { gradients, counts };
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  assert.equal(wasm.gradients.length, 11);
  wasm.gradients.forEach((g, i) => {
    assert.ok(g, `weight ${i} has a gradient`);
    const error = relativeError(g, cpu.gradients[i]!);
    assert.ok(error < TOLERANCE, `weight ${i}: relative error ${error.toExponential(2)}`);
  });
  assert.equal(new Set(wasm.counts).size, 1, `tensors x 1e6 + backend buffers per step on wasm: ${wasm.counts.join(', ')}`);
});

test('a kernel called outside any scope leaves no tensor or backend buffer behind once its output is disposed', async () => {
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  const x = tf.tensor4d(values(2 * 8 * 8 * 3, 18), [2, 8, 8, 3]);
  const dy = tf.tensor4d(values(2 * 4 * 4 * 6, 19), [2, 4, 4, 6]);
  const filter = tf.tensor4d(values(3 * 3 * 3 * 6, 20), [3, 3, 3, 6]);
  const depthFilter = tf.tensor4d(values(3 * 3 * 3 * 2, 21), [3, 3, 3, 2]);
  const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
  const calls: [string, tf.NamedTensorMap, Record<string, unknown>][] = [
    ['Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: filter.shape }],
    ['Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: x.shape }],
    ['DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: depthFilter.shape }],
    ['DepthwiseConv2dNativeBackpropInput', { dy, filter: depthFilter }, { ...attrs, inputShape: x.shape }],
  ];
  const footprint = () => [tf.memory().numTensors, tf.engine().backend.numDataIds()];
  const before = footprint();
  for (const [name, inputs, kernelAttrs] of calls) {
    const output = tf.engine().runKernel(name, inputs, kernelAttrs as tf.NamedAttrMap) as tf.Tensor;
    assert.ok(Number.isFinite(tf.tidy(() => output.sum().arraySync() as number)), `${name} output is readable`);
    tf.dispose(output);
    assert.deepEqual(footprint(), before, `${name}: tensors and backend buffers`);
  }
  // The inputs survive the kernels (the kernels' wrappers of them took and returned their own references).
  assert.deepEqual(x.dataSync(), values(2 * 8 * 8 * 3, 18));
  tf.dispose([x, dy, filter, depthFilter]);
});

test('BatchMatMul with transposed inputs equals the cpu backend, in both of its forms and with batch axes', async () => {
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  // [m, k, n]: a dense layer's two gradient products (both forms get chosen), square, and one row.
  const sizes: [number, number, number][] = [[8, 64, 48], [48, 64, 8], [5, 7, 5], [1, 9, 4], [16, 3, 1]];
  for (const [m, k, n] of sizes) {
    for (const batch of [[], [3], [2, 2]]) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const aShape = [...batch, ...(transposeA ? [k, m] : [m, k])];
          const bShape = [...batch, ...(transposeB ? [n, k] : [k, n])];
          const a = { data: values(sizeOf(aShape), m + k), shape: aShape };
          const b = { data: values(sizeOf(bShape), k + n), shape: bShape };
          await assertSameOnBoth(`BatchMatMul ${JSON.stringify({ m, k, n, batch, transposeA, transposeB })}`, kernel('BatchMatMul', { a, b }, { transposeA, transposeB }));
        }
      }
    }
  }
});

test('the matrix product form packs the smaller operand: (W dY^T)^T for a dense input gradient, X^T dY as is for its kernel gradient', () => {
  // dX = dY W^T at batch 32, 512 -> 512 units: the swapped form avoids transposing and packing W.
  assert.ok(matMulCost(32, 512, 512, false, true, true) < matMulCost(32, 512, 512, false, true, false));
  // dW = X^T dY: the direct form transposes only the small X.
  assert.ok(matMulCost(512, 32, 512, true, false, false) < matMulCost(512, 32, 512, true, false, true));
  // No transpose: the direct form is tfjs' own kernel, never more work.
  assert.ok(matMulCost(32, 512, 512, false, false, false) <= matMulCost(32, 512, 512, false, false, true));
});

test('a dense forward product (_FusedMatMul) computed swapped equals the cpu backend for every fused activation, with and without bias; its gradient too', async () => {
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  // Both forms, whatever the machine's costs: the swapped one forced (free transposes, dear
  // packing), then tfjs' own (the opposite).
  const costs = DENSE_FORWARD_COSTS as { transposeNs: number; packNs: number; swappedProductNs: number };
  const measured = { ...costs };
  const units = 96;
  try {
    for (const [form, forced] of [['swapped', { transposeNs: 0, packNs: 1e9, swappedProductNs: 0 }], ['direct', { transposeNs: 1e9, packNs: 0, swappedProductNs: 0 }]] as const) {
      Object.assign(costs, forced);
      assert.equal(forwardSwapPays(5, units, units), form === 'swapped');
      for (const m of [1, 5]) {
        const x = values(m * units, 40);
        const w = values(units * units, 41).map((v) => v / 8);
        const b = values(units, 42);
        const alpha = values(units, 43);
        const activations = m === 1 ? (['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const) : (['relu'] as const);
        for (const activation of activations) {
          for (const withBias of [true, false]) {
            const run = () => {
              const [xt, wt] = [tf.tensor2d(x, [m, units]), tf.tensor2d(w, [units, units])];
              const bias = withBias ? tf.tensor1d(b) : undefined;
              const preluActivationWeights = activation === 'prelu' ? tf.tensor1d(alpha) : undefined;
              const forward = (a: tf.Tensor, k: tf.Tensor) => tf.fused.matMul({ a: a as tf.Tensor2D, b: k as tf.Tensor2D, bias, activation, preluActivationWeights, leakyreluAlpha: 0.1 });
              const grads = tf.grads((a: tf.Tensor, k: tf.Tensor) => tf.sum(tf.square(forward(a, k))))([xt, wt]);
              return [forward(xt, wt), ...grads];
            };
            await assertSameOnBoth(`_FusedMatMul ${form} m=${m} ${activation} bias=${withBias}`, run);
          }
        }
      }
    }
  } finally {
    Object.assign(costs, measured);
  }
  const before = tf.memory().numTensors;
  Object.assign(costs, { transposeNs: 0, packNs: 1e9, swappedProductNs: 0 });
  tf.tidy(() => tf.fused.matMul({ a: tf.ones([1, units]), b: tf.ones([units, units]), bias: tf.ones([units]), activation: 'relu' })).dispose();
  Object.assign(costs, measured);
  assert.equal(tf.memory().numTensors, before);
});

test('UnsortedSegmentSum on wasm equals the cpu backend (ids out of range dropped, rows of any rank)', async () => {
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  const x = { data: values(6 * 4, 30), shape: [6, 4] };
  const ids = (list: number[]) => () => [tf.unsortedSegmentSum(tf.tensor(x.data, x.shape), tf.tensor1d(list, 'int32'), 5)];
  await assertSameOnBoth('UnsortedSegmentSum repeated ids', ids([0, 3, 3, 1, 0, 4]));
  await assertSameOnBoth('UnsortedSegmentSum with a negative id', ids([0, 3, -1, 1, 0, 4]));
  await assertSameOnBoth('UnsortedSegmentSum over a 3-D x', () => [tf.unsortedSegmentSum(tf.tensor(x.data, [3, 2, 4]), tf.tensor1d([1, 4, 1], 'int32'), 5)]);
  // The gradient it serves: gather (an embedding lookup).
  await assertSameOnBoth('gather gradient', () => [tf.grad((table: tf.Tensor) => tf.sum(tf.square(tf.gather(table, tf.tensor1d([2, 0, 2, 5, 1], 'int32')))))(tf.tensor(values(7 * 3, 31), [7, 3]))]);
});

test('the dense kernels leave no tensor or backend buffer behind', async () => {
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  const a = tf.tensor2d(values(8 * 16, 32), [8, 16]);
  const b = tf.tensor2d(values(16 * 24, 33), [16, 24]);
  const c = tf.tensor2d(values(8 * 24, 34), [8, 24]);
  const footprint = () => [tf.memory().numTensors, tf.engine().backend.numDataIds()];
  const before = footprint();
  for (const run of [() => tf.matMul(c, b, false, true), () => tf.matMul(a, c, true, false), () => tf.matMul(b, a, true, true), () => tf.unsortedSegmentSum(a as tf.Tensor, tf.tensor1d([0, 1, 1, 2, 0, 3, 3, 1], 'int32'), 4)]) {
    const output = tf.tidy(run);
    tf.dispose(output);
    assert.deepEqual(footprint(), before);
  }
  tf.dispose([a, b, c]);
});

test('Identity on wasm shares the data (a clone costs no copy), and each reference lives on its own', async () => {
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  const footprint = () => [tf.memory().numTensors, tf.engine().backend.numDataIds()];
  const before = footprint();
  const x = tf.tensor1d([1, 2, 3]);
  const copy = tf.clone(x);
  assert.equal(copy.dataId, x.dataId);
  // No new buffer for the clone: the backend holds one more reference, not one more tensor's data.
  assert.deepEqual(footprint(), [before[0]! + 2, before[1]! + 1]);
  x.dispose();
  assert.deepEqual(Array.from(copy.dataSync()), [1, 2, 3]);
  copy.dispose();
  assert.deepEqual(footprint(), before);
  // A kept input of a gradient (the engine clones it) still gives the right gradient.
  const g = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, v)))(tf.tensor1d([1, -2, 3])).dataSync());
  assert.deepEqual(Array.from(g), [2, -4, 6]);
  const strings = tf.tensor1d(['a', 'b'], 'string');
  assert.deepEqual(tf.clone(strings).dataSync(), ['a', 'b']);
  // A cast to the same dtype shares the data too; to another dtype it converts.
  const floats = tf.tensor1d([1.5, -2, 0]);
  const same = tf.cast(floats, 'float32');
  assert.equal(same.dataId, floats.dataId);
  floats.dispose();
  assert.deepEqual(Array.from(same.dataSync()), [1.5, -2, 0]);
  assert.deepEqual(Array.from(tf.cast(same, 'int32').dataSync()), [1, -2, 0]);
  assert.deepEqual(Array.from(tf.cast(tf.tensor1d([true, false], 'bool'), 'float32').dataSync()), [1, 0]);
  same.dispose();
});
