/**
 * The transposed-BatchMatMul kernel (src/training/wasmDenseKernels.ts) against tfjs' own wasm
 * kernel: single products, then training steps of a wide MLP and an LSTM, the two kernels
 * swapped in and out round by round (interleaved, so both see the same machine load).
 * Run: node scripts/build.mjs --bench && node dist-bench/denseKernels.bench.js [--rounds N]
 */
import { dirname } from 'node:path';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerMissingWasmKernels } from '../src/training/wasmKernels';

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 5);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

type Config = ReturnType<typeof tf.getKernel>;

function use(config: Config): void {
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel(config!);
}

function timeIt(f: () => void, repeats: number): number {
  f();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    f();
    times.push(performance.now() - started);
  }
  return median(times);
}

function trainingStep(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, optimizer: tf.Optimizer): () => void {
  return () => {
    const cost = optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar, true);
    cost?.dataSync();
    cost?.dispose();
  };
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  const theirs = tf.getKernel('BatchMatMul', 'wasm');
  registerMissingWasmKernels(tf);
  const ours = tf.getKernel('BatchMatMul', 'wasm');
  const a = tf.randomNormal([32, 512], 0, 1, 'float32', 1);
  const w = tf.randomNormal([512, 512], 0, 1, 'float32', 2);
  const dy = tf.randomNormal([32, 512], 0, 1, 'float32', 3);
  // A fresh weight each call, as in training (an update gives the variable a new buffer).
  const products: Record<string, () => void> = {
    'plain x W (forward)': () => tf.tidy(() => tf.matMul(a, tf.add(w, 0)).dataSync()),
    'dY W^T (input gradient)': () => tf.tidy(() => tf.matMul(dy, tf.add(w, 0), false, true).dataSync()),
    'X^T dY (kernel gradient)': () => tf.tidy(() => tf.matMul(a, tf.add(dy, 0), true, false).dataSync()),
  };
  const mlp = tf.sequential({ layers: [tf.layers.dense({ units: 512, activation: 'relu', inputShape: [512] }), ...Array.from({ length: 19 }, () => tf.layers.dense({ units: 512, activation: 'relu' })), tf.layers.dense({ units: 10 })] });
  const lstm = tf.sequential({ layers: [tf.layers.lstm({ units: 32, inputShape: [100, 8] }), tf.layers.dense({ units: 1 })] });
  const steps: Record<string, () => void> = {
    'MLP 20 x 512 training step (batch 32, sgd)': trainingStep(mlp, tf.randomNormal([32, 512], 0, 1, 'float32', 4), tf.randomNormal([32, 10], 0, 1, 'float32', 5), tf.train.sgd(0.001)),
    'LSTM 32 units over 100 steps, training step (batch 32, sgd)': trainingStep(lstm, tf.randomNormal([32, 100, 8], 0, 1, 'float32', 6), tf.randomNormal([32, 1], 0, 1, 'float32', 7), tf.train.sgd(0.001)),
  };
  const results = new Map<string, { theirs: number[]; ours: number[] }>();
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    loads.push(loadavg()[0]!);
    for (const [label, f, repeats] of [...Object.entries(products).map(([k, v]) => [k, v, 9] as const), ...Object.entries(steps).map(([k, v]) => [k, v, 2] as const)]) {
      const entry = results.get(label) ?? { theirs: [], ours: [] };
      for (const which of round % 2 ? (['ours', 'theirs'] as const) : (['theirs', 'ours'] as const)) {
        use(which === 'ours' ? ours : theirs);
        entry[which].push(timeIt(f, repeats));
      }
      results.set(label, entry);
    }
  }
  use(ours);
  const lines = [`Dense kernels, ${rounds} interleaved rounds, load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}, node ${process.version}.`, '', '| operation | tfjs wasm ms | ours ms | per-round ratio ours/tfjs (median) |', '| --- | --- | --- | --- |'];
  for (const [label, { theirs: t, ours: o }] of results) {
    lines.push(`| ${label} | ${median(t).toFixed(2)} | ${median(o).toFixed(2)} | ${median(o.map((v, i) => v / t[i]!)).toFixed(2)}x |`);
  }
  console.log(lines.join('\n'));
}

void main();
