import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerMissingWasmKernels } from '../../src/training/wasmKernels';

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / Math.max(scale, 1e-12);
}

/** Runs `f` on the given backend with the same inputs; returns flat results. */
async function on(backend: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const result = tf.tidy(f);
  const data = result.map((t) => t.dataSync() as Float32Array);
  tf.dispose(result);
  return data;
}

test('registers the missing kernels once', async () => {
  await tf.setBackend('wasm');
  const first = registerMissingWasmKernels(tf);
  assert.deepEqual(first.sort(), ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'MaxPoolGrad']);
  assert.deepEqual(registerMissingWasmKernels(tf), []);
});

test('conv2d and depthwise gradients on wasm equal the cpu backend to 1e-4', async () => {
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  const cases = [
    { x: [2, 9, 9, 3], k: 3, out: 4, strides: 1, pad: 'valid' as const, mult: 1 },
    { x: [3, 10, 8, 2], k: 3, out: 5, strides: 2, pad: 'same' as const, mult: 2 },
    { x: [1, 7, 7, 4], k: 2, out: 3, strides: 2, pad: 'valid' as const, mult: 3 },
    { x: [4, 12, 12, 1], k: 5, out: 6, strides: 1, pad: 'same' as const, mult: 1 },
  ];
  for (const c of cases) {
    const xs = Array.from({ length: c.x.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37));
    const filter = Array.from({ length: c.k * c.k * c.x[3]! * c.out }, (_, i) => Math.cos(i * 0.11));
    const depthFilter = Array.from({ length: c.k * c.k * c.x[3]! * c.mult }, (_, i) => Math.cos(i * 0.23));
    const run = () => {
      const x = tf.tensor4d(xs, c.x as [number, number, number, number]);
      const w = tf.tensor4d(filter, [c.k, c.k, c.x[3]!, c.out]);
      const dw = tf.tensor4d(depthFilter, [c.k, c.k, c.x[3]!, c.mult]);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad))))([x, w]);
      const [gdx, gdw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad))))([x, dw]);
      // Max pooling after a 'same' convolution: the case where tfjs' own wasm MaxPoolGrad goes wrong.
      const gpool = tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.maxPool(tf.conv2d(a as tf.Tensor4D, w, 1, 'same'), 2, c.strides, c.pad))))(x);
      return [gx!, gw!, gdx!, gdw!, gpool];
    };
    const cpu = await on('cpu', run);
    const wasm = await on('wasm', run);
    cpu.forEach((expected, i) => {
      const error = relativeError(wasm[i]!, expected);
      assert.ok(error < 1e-4, `case ${JSON.stringify(c)} gradient ${i}: relative error ${error}`);
    });
  }
});

test('a conv net with conv2d, depthwise, separable and pooling trains one step on wasm like on cpu', async () => {
  const build = () => {
    const model = tf.sequential({
      layers: [
        // tanh, not relu: relu's exact zeros make max-pool ties, which cpu and wasm break differently.
        tf.layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [12, 12, 2], activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.separableConv2d({ filters: 3, kernelSize: 2, depthwiseInitializer: tf.initializers.glorotUniform({ seed: 3 }), pointwiseInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
        tf.layers.averagePooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
      ],
    });
    return model;
  };
  const gradients = async (backend: string) => {
    await tf.setBackend(backend);
    if (backend === 'wasm') registerMissingWasmKernels(tf);
    const model = build();
    const x = tf.tensor4d(Array.from({ length: 3 * 12 * 12 * 2 }, (_, i) => Math.sin(i)), [3, 12, 12, 2]);
    const y = tf.tensor2d([1, 0, 0, 1, 1, 0], [3, 2]);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar);
    const out = model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name]!.dataSync() as Float32Array);
    tf.dispose([value, ...Object.values(grads)]);
    const leaked = tf.memory().numTensors - before;
    tf.dispose([x, y]);
    model.dispose();
    return { out, leaked };
  };
  const cpu = await gradients('cpu');
  const wasm = await gradients('wasm');
  assert.equal(wasm.out.length, cpu.out.length);
  wasm.out.forEach((g, i) => assert.ok(relativeError(g, cpu.out[i]!) < 1e-4, `weight ${i}: ${relativeError(g, cpu.out[i]!)}`));
  assert.ok(wasm.leaked <= 0, `wasm leaked ${wasm.leaked} tensors`);
});
