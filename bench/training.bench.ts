/**
 * Training benchmarks (results recorded in bench/README.md; compare ratios from one run):
 *  1. recording overhead: our measured training loop vs plain `model.fit`, same model, data, backend;
 *  2. seed-model probe latency: worker start to first statistics;
 *  3. conv net training step on wasm (with Gradient Lens' kernels) vs the cpu backend, and GFLOP/s.
 * Run: npm run bench:training
 */
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { ModelGraph } from '../src/core/ir';
import { parseModels } from '../src/core/parse/index';
import { buildModel } from '../src/training/buildModel';
import { measure } from '../src/training/measure';
import { DEFAULT_RUN_OPTIONS } from '../src/training/protocol';
import { TrainingSession } from '../src/training/session';
import { registerMissingWasmKernels } from '../src/training/wasmKernels';

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
const root = join(__dirname, '..');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Multiply-adds x2 of one forward pass, per sample, for dense and conv layers. */
function forwardFlops(graph: ModelGraph): number {
  let flops = 0;
  for (const layer of graph.layers) {
    const params = layer.params ?? 0;
    const out = layer.outputShape;
    if (!out) continue;
    if (layer.type === 'dense') flops += 2 * params;
    if (layer.type === 'conv2d') {
      const positions = (out[1] ?? 1) * (out[2] ?? 1);
      flops += 2 * positions * (params - (out[3] ?? 0));
    }
  }
  return flops;
}

async function recordingOverhead(): Promise<string> {
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  const graph = parseModels(readFileSync(join(root, 'examples/deep-sigmoid-mlp.ts'), 'utf8'), 'deep-sigmoid-mlp.ts').models[0]!;
  const samples = 2048;
  const batchSize = 32;
  const epochs = 2;
  const steps = (samples / batchSize) * epochs;
  const times = { fit: [] as number[], measured: [] as number[] };
  for (let round = 0; round < 5; round++) {
    const model = buildModel(tf, graph);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const x = tf.randomNormal([samples, 20], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.floor(tf.randomUniform([samples], 0, 10, 'float32', 2)).toInt(), 10).toFloat();
    const started = performance.now();
    await model.fit(x, y, { epochs, batchSize, verbose: 0, shuffle: true });
    times.fit.push(performance.now() - started);
    tf.dispose([x, y]);
    model.dispose();
    // The training steps only: the probe before them is extra work model.fit does not do.
    const summary = await measure(tf, graph, { ...DEFAULT_RUN_OPTIONS, samples, batchSize, epochs, probeBatches: 1 }, {}, { cancelled: () => false });
    times.measured.push(summary.trainingMs);
  }
  const fit = median(times.fit);
  const measured = median(times.measured);
  // Per round: both runs of a round see about the same machine load.
  const ratios = times.fit.map((f, i) => times.measured[i]! / f);
  const gflops = (forwardFlops(graph) * 3 * batchSize * steps) / (measured / 1000) / 1e9;
  return [
    `### Recording overhead (deep sigmoid MLP, 12 dense layers, ${steps} steps of batch ${batchSize}, wasm)`,
    '| run | median ms | ratio |',
    '| --- | --- | --- |',
    `| plain model.fit (shuffle, same optimizer and loss) | ${fit.toFixed(0)} | 1.00x |`,
    `| Gradient Lens training steps (per-layer stats every step, activations every 25) | ${measured.toFixed(0)} | ${(measured / fit).toFixed(2)}x |`,
    '',
    `Per-round ratios (measured / fit): ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${median(ratios).toFixed(2)}x. Load average ${loadavg()[0]!.toFixed(1)} at the end.`,
    '',
    'Medians of 5 alternating rounds. The probe that runs before training is not counted.',
    '',
    `Achieved ${gflops.toFixed(2)} GFLOP/s on this model (forward + backward = 3x forward FLOPs); small layers are bound by per-op overhead.`,
  ].join('\n');
}

async function probeLatency(): Promise<string> {
  const graph = parseModels(readFileSync(join(root, 'examples/deep-sigmoid-mlp.ts'), 'utf8'), 'deep-sigmoid-mlp.ts').models[0]!;
  const rows: number[] = [];
  for (let round = 0; round < 3; round++) {
    const session = new TrainingSession({ workerPath: join(__dirname, 'worker.js') });
    const started = performance.now();
    let firstStats = 0;
    await session.run(graph, { ...DEFAULT_RUN_OPTIONS, probeOnly: true }, (message) => {
      if (message.type === 'probe' && !firstStats) firstStats = performance.now() - started;
    });
    rows.push(firstStats);
    await session.dispose();
  }
  return [
    '### Seed model probe: worker start to first statistics',
    `Median ${median(rows).toFixed(0)} ms over 3 cold starts (new worker each: thread start, tfjs + wasm load, model build, probe of 3 batches); goal < 1000 ms.`,
  ].join('\n');
}

const CONV_NET = `import * as tf from '@tensorflow/tfjs';
const m = tf.sequential();
m.add(tf.layers.conv2d({inputShape: [28, 28, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu'}));
m.add(tf.layers.conv2d({filters: 8, kernelSize: 3, padding: 'same', activation: 'relu'}));
m.add(tf.layers.maxPooling2d({poolSize: 2}));
m.add(tf.layers.conv2d({filters: 16, kernelSize: 3, padding: 'same', activation: 'relu'}));
m.add(tf.layers.conv2d({filters: 16, kernelSize: 3, padding: 'same', activation: 'relu'}));
m.add(tf.layers.maxPooling2d({poolSize: 2}));
m.add(tf.layers.conv2d({filters: 32, kernelSize: 3, padding: 'same', activation: 'relu'}));
m.add(tf.layers.conv2d({filters: 32, kernelSize: 3, padding: 'same', activation: 'relu'}));
m.add(tf.layers.conv2d({filters: 32, kernelSize: 3, activation: 'relu'}));
m.add(tf.layers.flatten());
m.add(tf.layers.dense({units: 10, activation: 'softmax'}));
m.compile({optimizer: 'sgd', loss: 'categoricalCrossentropy'});`;

async function convStep(backend: 'wasm' | 'cpu', steps: number): Promise<number> {
  await tf.setBackend(backend);
  if (backend === 'wasm') registerMissingWasmKernels(tf);
  const graph = parseModels(CONV_NET, 'conv.ts').models[0]!;
  const model = buildModel(tf, graph);
  const optimizer = tf.train.sgd(0.01);
  const x = tf.randomNormal([64, 28, 28, 1], 0, 1, 'float32', 3);
  const y = tf.oneHot(tf.floor(tf.randomUniform([64], 0, 10, 'float32', 4)).toInt(), 10).toFloat();
  const step = () => {
    const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar, true);
    cost?.dataSync();
    cost?.dispose();
  };
  step(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const started = performance.now();
    step();
    times.push(performance.now() - started);
  }
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return median(times);
}

async function convNet(): Promise<string> {
  const graph = parseModels(CONV_NET, 'conv.ts').models[0]!;
  const wasm = await convStep('wasm', 5);
  const cpu = await convStep('cpu', 1);
  const gflops = (forwardFlops(graph) * 3 * 64) / (wasm / 1000) / 1e9;
  return [
    '### Conv net training step (7 conv layers, 28x28x1, batch 64)',
    '| backend | ms per step | speed-up |',
    '| --- | --- | --- |',
    `| cpu (pure JS) | ${cpu.toFixed(0)} | 1x |`,
    `| wasm + Gradient Lens conv gradient kernels | ${wasm.toFixed(0)} | ${(cpu / wasm).toFixed(1)}x |`,
    '',
    `wasm achieves ${gflops.toFixed(2)} GFLOP/s on this net (${(forwardFlops(graph) / 1e6).toFixed(1)} MFLOP forward per sample). Medians of 5 wasm steps and 1 cpu step after a warm-up step each.`,
  ].join('\n');
}

void (async () => {
  // --overhead: only the recording overhead (the cpu conv step takes minutes on a loaded machine).
  const sections = process.argv.includes('--overhead') ? [await recordingOverhead()] : [await recordingOverhead(), await probeLatency(), await convNet()];
  console.log(`## Training benchmarks (node ${process.version}, ${new Date().toISOString().slice(0, 10)}, 2 cores)\n`);
  console.log(sections.join('\n\n'));
})();
