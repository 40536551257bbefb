/**
 * Gradient Lens' batch-norm and recurrent layers (src/training/fastBatchNorm.ts, fastRecurrent.ts)
 * against tfjs' own, on the wasm backend with Gradient Lens' kernels: one training step of a
 * model of bench/scale/ as the worker builds it (`buildModel`, same seed, so the same weights),
 * tfjs' layers and ours alternating round by round (interleaved: both see the same load).
 * A step is what the worker's step does: gradients of every trainable weight (tf.variableGrads),
 * an sgd update and the loss read back. Also counts the kernels one step runs (tf.profile).
 * Run: node scripts/build.mjs --bench && node dist-bench/fastLayers.bench.js [--rounds N] [--only resnet20,lstm-300] [--batch 32] [--profile] [--ours-only]
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { parseModels } from '../src/core/parse/index';
import { buildModel } from '../src/training/buildModel';
import { registerMissingWasmKernels } from '../src/training/wasmKernels';

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const rounds = Number(option('rounds') ?? 5);
const batch = Number(option('batch') ?? 32);
const only = (option('only') ?? 'resnet20,lstm-300').split(',');
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Variant {
  readonly model: tf.LayersModel;
  readonly step: () => void;
}

function variant(file: string, fastLayers: boolean): Variant {
  const graph = parseModels(readFileSync(file, 'utf8'), file).models[0]!;
  const model = buildModel(tf, graph, 1, { fastLayers });
  const inputShape = model.inputs[0]!.shape.slice(1) as number[];
  const outputShape = (model.outputs[0]!.shape.slice(1) as number[]);
  const x = tf.randomNormal([batch, ...inputShape], 0, 1, 'float32', 3);
  const y = tf.randomUniform([batch, ...outputShape], 0, 1, 'float32', 4);
  const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.sgd(0.001);
  const step = (): void => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, weights);
      optimizer.applyGradients(grads);
      return value;
    });
    loss.dataSync();
    loss.dispose();
  };
  return { model, step };
}

function timeIt(f: () => void, repeats: number): number {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    f();
    times.push(performance.now() - started);
  }
  return median(times);
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  const lines = [`Batch-norm and recurrent layers, tfjs' vs Gradient Lens', wasm, batch ${batch}, ${rounds} interleaved rounds (median of 2 steps per round), node ${process.version}.`, '', '| model | tfjs layers ms | ours ms | per-round ratio ours/tfjs (median; all rounds) | kernels per step tfjs / ours | load |', '| --- | --- | --- | --- | --- | --- |'];
  for (const name of only) {
    const file = join(__dirname, '..', 'bench', 'scale', `${name}.ts`);
    const ours = variant(file, true);
    if (args.includes('--ours-only')) {
      // For a CPU profile of our layers alone (node --cpu-prof).
      for (let i = 0; i < rounds; i++) process.stderr.write(`${name} ours: ${timeIt(ours.step, 1).toFixed(0)} ms\n`);
      continue;
    }
    const theirs = variant(file, false);
    // Warm-up: first steps compile kernels and grow the heap.
    theirs.step();
    ours.step();
    const kernels: number[] = [];
    for (const [label, v] of [['tfjs', theirs], ['ours', ours]] as const) {
      const profile = await tf.profile(() => v.step());
      kernels.push(profile.kernels.length);
      if (args.includes('--profile')) {
        // Wall time per kernel name (the profiler times each kernel call): where a step goes.
        const byName = new Map<string, number>();
        for (const k of profile.kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + (k.kernelTimeMs as number));
        const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 12);
        process.stderr.write(`${name} ${label}: ${top.map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(', ')}\n`);
      }
    }
    const times = { theirs: [] as number[], ours: [] as number[] };
    const loads: number[] = [];
    for (let round = 0; round < rounds; round++) {
      loads.push(loadavg()[0]!);
      for (const which of round % 2 ? (['ours', 'theirs'] as const) : (['theirs', 'ours'] as const)) {
        times[which].push(timeIt(which === 'ours' ? ours.step : theirs.step, 2));
      }
      process.stderr.write(`${name} round ${round}: tfjs ${times.theirs.at(-1)!.toFixed(0)} ms, ours ${times.ours.at(-1)!.toFixed(0)} ms, load ${loads.at(-1)!.toFixed(1)}\n`);
    }
    const ratios = times.ours.map((v, i) => v / times.theirs[i]!);
    lines.push(`| ${name} | ${median(times.theirs).toFixed(0)} | ${median(times.ours).toFixed(0)} | ${median(ratios).toFixed(2)}x; ${ratios.map((r) => r.toFixed(2)).join(', ')} | ${kernels[0]} / ${kernels[1]} | ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} |`);
    theirs.model.dispose();
    ours.model.dispose();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
