/**
 * Batch norm's fused wasm kernels (`GradientLensBatchNormTraining` / `GradientLensBatchNormGrad`,
 * src/training/fusedKernels.wat) against the closed form as tfjs ops (fastBatchNorm.ts without
 * them), the kernels registered and unregistered round by round (interleaved). Measures one
 * batch-norm forward + backward at ResNet-20's three activation shapes, and whole training
 * steps of ResNet-20 (bench/scale/resnet20.ts as the worker builds it, sgd, batch 32).
 * Run: node scripts/build.mjs --bench && node dist-bench/batchNormKernels.bench.js [--rounds N]
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { parseModels } from '../src/core/parse/index';
import { buildModel } from '../src/training/buildModel';
import { batchNormTraining } from '../src/training/fastBatchNorm';
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL, registerFusedKernels } from '../src/training/fusedKernels';
import { registerMissingWasmKernels } from '../src/training/wasmKernels';
import { median, timeTensor } from './timing';

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 5);

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  registerMissingWasmKernels(tf);
  const why = registerFusedKernels(tf, __dirname);
  if (why) throw new Error(`the fused kernels did not start: ${why}`);
  const configs = [tf.getKernel(BATCH_NORM_KERNEL, 'wasm')!, tf.getKernel(BATCH_NORM_GRAD_KERNEL, 'wasm')!];
  const use = (fused: boolean): void => {
    for (const config of configs) {
      if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
      if (fused) tf.registerKernel(config);
    }
  };
  const file = join(__dirname, '../bench/scale/resnet20.ts');
  const graph = parseModels(readFileSync(file, 'utf8'), file).models[0]!;
  const model = buildModel(tf, graph, 1);
  const x = tf.randomNormal([32, 32, 32, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 10), 'int32'), 10);
  const weights = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const optimizer = tf.train.sgd(0.01);
  const step = () => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, weights);
    optimizer.applyGradients(grads);
    return value;
  };
  const shapes = [[32, 32, 32, 16], [32, 16, 16, 32], [32, 8, 8, 64]];
  const layer = (shape: number[]) => {
    const input = tf.randomNormal(shape, 0, 1, 'float32', 2);
    const dy = tf.randomNormal(shape, 0, 1, 'float32', 3);
    const channels = shape[3]!;
    const gamma = tf.ones([channels]);
    const beta = tf.zeros([channels]);
    return () => {
      const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const [out, mean, variance] = batchNormTraining(tf, a, g, b, 1e-3);
        tf.dispose([mean, variance]);
        return tf.sum(tf.mul(out, dy));
      })([input, gamma, beta]);
      return tf.addN(grads.map((g) => tf.sum(g)));
    };
  };
  const layers = shapes.map(layer);
  const times = new Map<string, { ops: number[]; fused: number[] }>();
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    loads.push(loadavg()[0]!);
    for (const fused of round % 2 ? [true, false] : [false, true]) {
      use(fused);
      const record = (key: string, ms: number) => {
        const entry = times.get(key) ?? { ops: [], fused: [] };
        (fused ? entry.fused : entry.ops).push(ms);
        times.set(key, entry);
      };
      shapes.forEach((shape, i) => record(`batch norm forward + backward ${JSON.stringify(shape)}`, timeTensor(tf, layers[i]!, 9)));
      record('ResNet-20 training step (batch 32)', timeTensor(tf, step, 3));
    }
  }
  console.log(`Batch norm on wasm, fused kernels vs tfjs ops, ${rounds} rounds, load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}; node ${process.version}.\n`);
  console.log('| operation | tfjs ops ms | fused ms | fused / ops per round |');
  console.log('| --- | --- | --- | --- |');
  for (const [key, { ops, fused }] of times) {
    console.log(`| ${key} | ${median(ops).toFixed(2)} | ${median(fused).toFixed(2)} | ${ops.map((o, i) => (fused[i]! / o).toFixed(2)).join(', ')} |`);
  }
}

void main();
