/**
 * Conv kernels benchmark (results recorded in bench/README.md, section "Conv kernels").
 *  1. One training step (gradients of all weights + sgd update) of a 7-conv-layer net on
 *     28x28x1 inputs, batch 64: wasm with Gradient Lens' kernels, wasm with tfjs' own
 *     Conv2DBackpropInput put back, and the pure-JS cpu backend, in one run; GFLOP/s achieved.
 *  2. Single kernels on one layer's shapes: our gradient kernels against the forward convolution
 *     and against the alternatives they were chosen over.
 * Run: node scripts/build.mjs --bench && node dist-bench/conv.bench.js [--wasm-steps 7] [--cpu-steps 1]
 */
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerMissingWasmKernels } from '../src/training/wasmKernels';

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);

const BATCH = 64;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** 7 conv layers (3x3, 8..32 filters, relu), two max pools, a softmax head. */
function buildNet(): tf.Sequential {
  const conv = (filters: number, extra: Partial<Parameters<typeof tf.layers.conv2d>[0]> = {}) =>
    tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'heNormal', ...extra });
  return tf.sequential({
    layers: [
      conv(8, { inputShape: [28, 28, 1] }),
      conv(8),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      conv(16),
      conv(16),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      conv(32),
      conv(32),
      conv(32, { padding: 'valid' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/**
 * FLOPs of one training step per sample, from the layers' real shapes: forward (2 per
 * multiply-add), the weight gradient (same count) and the input gradient (same count, except
 * for the first layer, whose input needs none).
 */
function stepFlopsPerSample(model: tf.Sequential): { forward: number; step: number } {
  let forward = 0;
  let step = 0;
  model.layers.forEach((layer, index) => {
    const kernel = layer.getWeights()[0];
    if (!kernel || (layer.getClassName() !== 'Conv2D' && layer.getClassName() !== 'Dense')) return;
    const out = layer.outputShape as number[];
    const positions = out.length === 4 ? out[1]! * out[2]! : 1;
    const flops = 2 * positions * kernel.size;
    forward += flops;
    step += flops * (index === 0 ? 2 : 3);
  });
  return { forward, step };
}

/** Median ms of one gradient + update step, after warm-up steps (which may use a smaller batch). */
async function trainingStep(backend: 'wasm' | 'cpu', steps: number, warmupBatch: number): Promise<number> {
  await tf.setBackend(backend);
  const model = buildNet();
  const optimizer = tf.train.sgd(0.01);
  const data = (batch: number) => ({
    x: tf.randomNormal([batch, 28, 28, 1], 0, 1, 'float32', 3),
    y: tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 4), 10).toFloat(),
  });
  const step = ({ x, y }: { x: tf.Tensor; y: tf.Tensor }) => {
    const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar, true);
    cost?.dataSync();
    cost?.dispose();
  };
  const warmup = data(warmupBatch);
  step(warmup);
  step(warmup);
  const batch = data(BATCH);
  const tensorsBefore = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const started = performance.now();
    step(batch);
    times.push(performance.now() - started);
  }
  const grown = tf.memory().numTensors - tensorsBefore;
  if (grown !== 0) throw new Error(`${backend}: ${grown} tensors more after ${steps} steps`);
  tf.dispose([warmup.x, warmup.y, batch.x, batch.y]);
  model.dispose();
  optimizer.dispose();
  return median(times);
}

/** Median ms of `f` (its result read back and disposed) over runs after one warm-up. */
function timeKernel(f: () => tf.Tensor, runs = 7): number {
  f().dispose();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = f();
    result.dataSync();
    times.push(performance.now() - started);
    result.dispose();
  }
  return median(times);
}

function kernelTable(originalBackpropInput: tf.KernelConfig | undefined): string[] {
  const [batch, size, inC, outC, k] = [BATCH, 14, 16, 16, 3];
  const x = tf.randomNormal([batch, size, size, inC], 0, 1, 'float32', 5) as tf.Tensor4D;
  const w = tf.randomNormal([k, k, inC, outC], 0, 1, 'float32', 6) as tf.Tensor4D;
  const dy = tf.randomNormal([batch, size, size, outC], 0, 1, 'float32', 7) as tf.Tensor4D;
  const dw = tf.randomNormal([k, k, inC, 1], 0, 1, 'float32', 8) as tf.Tensor4D;
  const dyDepth = tf.randomNormal([batch, size, size, inC], 0, 1, 'float32', 9) as tf.Tensor4D;
  const run = (name: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown>) => () => tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
  const same = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] };
  const rows: [string, number][] = [
    ['conv2d forward (XNNPACK)', timeKernel(() => tf.conv2d(x, w, 1, 'same'))],
    ['Conv2DBackpropFilter, ours (transposed convolution)', timeKernel(run('Conv2DBackpropFilter', { x, dy }, { ...same, filterShape: w.shape }))],
    ['Conv2DBackpropFilter via Conv3DBackpropFilterV2 at depth 1', timeKernel(() => tf.tidy(() => {
      const out = tf.engine().runKernel('Conv3DBackpropFilterV2', { x: x.reshape([batch, 1, size, size, inC]), dy: dy.reshape([batch, 1, size, size, outC]) }, { strides: [1, 1, 1], pad: 'same', filterShape: [1, k, k, inC, outC] } as unknown as tf.NamedAttrMap) as tf.Tensor;
      return out.reshape([k, k, inC, outC]);
    }))],
    ['Conv2DBackpropInput, ours (flipped-filter convolution)', timeKernel(run('Conv2DBackpropInput', { dy, filter: w }, { ...same, inputShape: x.shape }))],
  ];
  if (originalBackpropInput) {
    const ours = tf.getKernel('Conv2DBackpropInput', 'wasm')!;
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel(originalBackpropInput);
    rows.push(["Conv2DBackpropInput, tfjs' wasm kernel", timeKernel(run('Conv2DBackpropInput', { dy, filter: w }, { ...same, inputShape: x.shape }))]);
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel(ours);
  }
  rows.push(
    ['depthwiseConv2d forward (multiplier 1)', timeKernel(() => tf.depthwiseConv2d(x, dw, 1, 'same'))],
    ['DepthwiseConv2dNativeBackpropFilter, ours', timeKernel(run('DepthwiseConv2dNativeBackpropFilter', { x, dy: dyDepth }, { ...same, filterShape: dw.shape }))],
    ['DepthwiseConv2dNativeBackpropInput, ours', timeKernel(run('DepthwiseConv2dNativeBackpropInput', { dy: dyDepth, filter: dw }, { ...same, inputShape: x.shape }))],
  );
  tf.dispose([x, w, dy, dw, dyDepth]);
  return [
    `#### Single kernels (wasm, x ${batch}x${size}x${size}x${inC}, 3x3 filter, ${outC} filters / multiplier 1, 'same'; median of 7)`,
    '| kernel | ms |',
    '| --- | --- |',
    ...rows.map(([name, ms]) => `| ${name} | ${ms.toFixed(1)} |`),
  ];
}

void (async () => {
  const wasmSteps = option('wasm-steps', 7);
  const cpuSteps = option('cpu-steps', 1);
  await tf.setBackend('wasm');
  // tfjs' own kernel, kept to measure what replacing it gains.
  const originalBackpropInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  const registered = registerMissingWasmKernels(tf);
  const flops = stepFlopsPerSample(buildNet());

  const wasm = await trainingStep('wasm', wasmSteps, BATCH);
  let wasmOwnInput: number | undefined;
  if (originalBackpropInput) {
    const ours = tf.getKernel('Conv2DBackpropInput', 'wasm')!;
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel(originalBackpropInput);
    wasmOwnInput = await trainingStep('wasm', wasmSteps, BATCH);
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel(ours);
  }
  await tf.setBackend('wasm');
  const kernels = kernelTable(originalBackpropInput);
  // The cpu backend takes tens of seconds per step: warm it up (JIT) on a batch of 8.
  const cpu = await trainingStep('cpu', cpuSteps, 8);

  const gflops = (ms: number) => ((flops.step * BATCH) / (ms / 1000) / 1e9).toFixed(2);
  const lines = [
    `Run: node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), tfjs ${tf.version.tfjs}.`,
    `Kernels registered for wasm: ${registered.join(', ')}.`,
    '',
    `#### Training step: 7 conv layers (3x3, 8-32 filters, relu), 2 max pools, dense softmax; 28x28x1, batch ${BATCH}, sgd`,
    '| backend | ms per step | vs cpu | GFLOP/s |',
    '| --- | --- | --- | --- |',
    `| cpu (pure JS) | ${cpu.toFixed(0)} | 1x | ${gflops(cpu)} |`,
    ...(wasmOwnInput === undefined ? [] : [`| wasm, our kernels but tfjs' own Conv2DBackpropInput | ${wasmOwnInput.toFixed(0)} | ${(cpu / wasmOwnInput).toFixed(1)}x | ${gflops(wasmOwnInput)} |`]),
    `| wasm + Gradient Lens kernels | ${wasm.toFixed(0)} | ${(cpu / wasm).toFixed(1)}x | ${gflops(wasm)} |`,
    '',
    `FLOPs counted: conv and dense layers, ${(flops.forward / 1e6).toFixed(2)} MFLOP forward per sample, ${(flops.step / 1e6).toFixed(2)} MFLOP per sample for forward + weight gradients + input gradients (none for the first layer). ` +
      `wasm: median of ${wasmSteps} steps after 2 warm-up steps; cpu: median of ${cpuSteps} step(s) at batch ${BATCH} after 2 warm-up steps at batch 8 (no scaling). Tensor count checked constant across steps.`,
    '',
    ...kernels,
  ];
  console.log(lines.join('\n'));
})();
