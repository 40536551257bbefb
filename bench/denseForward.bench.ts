/**
 * A dense layer's forward product on wasm (`_FusedMatMul`, src/training/wasmDenseKernels.ts):
 * tfjs' kernel, which packs the new weights on every step, against the swapped form (W^T x^T)^T,
 * the two registered in turn round by round (interleaved, so both see the same machine load).
 * Also measures the per-element costs the kernel's cost model uses (transpose, packing, the
 * swapped product's extra per multiply-add) and says, per shape, whether the model with those
 * costs picks the faster form. Run: node scripts/build.mjs --bench && node dist-bench/denseForward.bench.js [--rounds N]
 */
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerMissingWasmKernels } from '../src/training/wasmKernels';
import { median, timeTensor } from './timing';
import { registerFusedKernels } from '../src/training/fusedKernels';
import { registerWasmTranspose } from '../src/training/wasmTranspose';
import { DENSE_FORWARD_COSTS, forwardSwapPays, fusedMatMul } from '../src/training/wasmDenseKernels';
import type { WasmKernelFunc } from '../src/training/wasmKernelSupport';

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 5);

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const tfjsKernel = tf.getKernel('_FusedMatMul', 'wasm')!;
  registerMissingWasmKernels(tf);
  registerFusedKernels(tf, join(__dirname));
  // Our Transpose, as the worker registers it (backend.ts): the swapped form's transposes run on it.
  const transposeFailed = registerWasmTranspose(tf, join(__dirname));
  if (transposeFailed) throw new Error(transposeFailed);
  const original = tfjsKernel.kernelFunc as unknown as WasmKernelFunc;
  const use = (swap: boolean): void => {
    tf.unregisterKernel('_FusedMatMul', 'wasm');
    tf.registerKernel({ ...tfjsKernel, kernelFunc: fusedMatMul(tf, original, () => swap) as unknown as tf.KernelFunc });
  };
  const shapes: [number, number, number][] = [[32, 512, 512], [32, 784, 128], [32, 1024, 1024], [128, 512, 512], [8, 512, 512], [32, 256, 256], [32, 128, 10], [4, 2048, 512]];
  const loads: number[] = [];
  const results = new Map<string, { direct: number[]; swapped: number[] }>();
  const parts = { transpose: [] as number[], pack: [] as number[], product: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    loads.push(loadavg()[0]!);
    for (const [m, k, n] of shapes) {
      const x = tf.randomNormal([m, k]);
      const w = tf.variable(tf.randomNormal([k, n], 0, 0.05));
      const bias = tf.zeros([n]);
      // Each call sees new weights, as a training step does (the optimizer assigns a new tensor).
      const forward = () => {
        w.assign(tf.add(w, 0));
        return tf.fused.matMul({ a: x as tf.Tensor2D, b: w as unknown as tf.Tensor2D, bias, activation: 'relu' });
      };
      const entry = results.get(`${m}x${k}x${n}`) ?? { direct: [], swapped: [] };
      for (const swap of round % 2 ? [true, false] : [false, true]) {
        use(swap);
        (swap ? entry.swapped : entry.direct).push(timeTensor(tf, forward, 15));
      }
      results.set(`${m}x${k}x${n}`, entry);
      tf.dispose([x, w, bias]);
    }
    // The cost model's per-element costs at 32 x 512 x 512.
    use(false);
    const x = tf.randomNormal([32, 512]);
    const w = tf.randomNormal([512, 512]);
    const wT = tf.transpose(w);
    const xT = tf.transpose(x);
    const cached = timeTensor(tf, () => tf.matMul(x, w), 15);
    const fresh = timeTensor(tf, () => tf.matMul(x, tf.add(w, 0)), 15);
    const addOnly = timeTensor(tf, () => tf.add(w, 0), 15);
    const swappedCached = timeTensor(tf, () => tf.matMul(wT, xT), 15);
    const transposeMs = timeTensor(tf, () => tf.transpose(w), 15);
    parts.pack.push(((fresh - cached - addOnly) * 1e6) / (512 * 512));
    parts.transpose.push((transposeMs * 1e6) / (512 * 512));
    parts.product.push(((swappedCached - cached) * 1e6) / (32 * 512 * 512));
    tf.dispose([x, w, wT, xT]);
  }
  const fitted = { transposeNs: median(parts.transpose), packNs: median(parts.pack), swappedProductNs: Math.max(0, median(parts.product)) };
  console.log(`Dense forward on wasm, ${rounds} rounds, load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}; node ${process.version}.`);
  console.log(`Measured costs: transpose ${fitted.transposeNs.toFixed(2)} ns/element, packing ${fitted.packNs.toFixed(2)} ns/element, swapped product +${fitted.swappedProductNs.toFixed(3)} ns/multiply-add (the kernel's constants: ${JSON.stringify(DENSE_FORWARD_COSTS)}).`);
  console.log('\n| m x k x n | tfjs (packs W) ms | swapped ms | swapped / tfjs per round | model picks (constants) | model picks (measured) |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [key, { direct, swapped }] of results) {
    const [m, k, n] = key.split('x').map(Number) as [number, number, number];
    const ratios = direct.map((d, i) => (swapped[i]! / d).toFixed(2));
    const pick = (costs: typeof DENSE_FORWARD_COSTS) => (forwardSwapPays(m, k, n, costs) ? 'swapped' : 'tfjs');
    console.log(`| ${key} | ${median(direct).toFixed(3)} | ${median(swapped).toFixed(3)} | ${ratios.join(', ')} | ${pick(DENSE_FORWARD_COSTS)} | ${pick(fitted)} |`);
  }
}

void main();
