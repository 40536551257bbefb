/**
 * Training benchmarks (results recorded in bench/README.md; compare ratios from one run):
 *  1. recording overhead: our measured training loop vs plain `model.fit`, same model, data, backend
 *     (deep sigmoid MLP with SGD; MLP 50x512 with Adam); `--overhead [--rounds N]` runs only this;
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
import { makeFusedAdam, registerFusedKernels } from '../src/training/fusedKernels';

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
const root = join(__dirname, '..');

/** This process's CPU time so far (user + system, ms). */
function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

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

interface OverheadCase {
  readonly title: string;
  readonly file: string;
  readonly samples: number;
  readonly epochs: number;
  /** The model's own optimizer as tfjs builds it, for `model.fit`. */
  readonly tfjsOptimizer: () => tf.Optimizer;
  /** The same update fused (fusedKernels.ts), when the product fuses it: a second `model.fit`. */
  readonly fusedOptimizer?: () => tf.Optimizer;
}

const OVERHEAD_CASES: OverheadCase[] = [
  { title: 'deep sigmoid MLP, 12 dense layers, SGD', file: 'examples/deep-sigmoid-mlp.ts', samples: 2048, epochs: 2, tfjsOptimizer: () => tf.train.sgd(0.1) },
  {
    title: 'MLP 50x512 (13.1 M weights), Adam',
    file: 'bench/scale/mlp-50x512.ts',
    samples: 256,
    epochs: 1,
    tfjsOptimizer: () => tf.train.adam(0.001),
    fusedOptimizer: () => makeFusedAdam(tf, 0.001, 0.9, 0.999),
  },
  {
    // The default run's training: 3 epochs of 256 samples (the step-0 and final activation passes
    // and the weight-norm samples weigh less than over 8 steps).
    title: 'MLP 50x512 (13.1 M weights), Adam, the default 24 steps',
    file: 'bench/scale/mlp-50x512.ts',
    samples: 256,
    epochs: 3,
    tfjsOptimizer: () => tf.train.adam(0.001),
    fusedOptimizer: () => makeFusedAdam(tf, 0.001, 0.9, 0.999),
  },
];

/**
 * Recording overhead (issue 19: <= 1.10x of plain `model.fit` on the same backend, per round):
 * the product's training steps (`measure`, the probe excluded) against `model.fit` of the same
 * model, data size, batch, optimizer and loss, alternating in each round. Where the product fuses
 * the optimizer's update, `model.fit` also runs with the fused optimizer, so that the recording
 * alone is compared.
 */
async function recordingOverhead(rounds: number): Promise<string> {
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  const fused = registerFusedKernels(tf, __dirname);
  if (fused) throw new Error(`The fused kernels did not start: ${fused}`);
  const batchSize = 32;
  const out: string[] = [];
  // --case TEXT: only the cases whose title contains TEXT.
  const only = process.argv.includes('--case') ? process.argv[process.argv.indexOf('--case') + 1] : undefined;
  for (const c of OVERHEAD_CASES.filter((c) => !only || c.title.includes(only))) {
    const graph = parseModels(readFileSync(join(root, c.file), 'utf8'), c.file).models[0]!;
    const steps = (c.samples / batchSize) * c.epochs;
    const shapeOf = buildModel(tf, graph);
    const inputWidth = shapeOf.inputs[0]!.shape[1] as number;
    shapeOf.dispose();
    const classes = 10;
    const fit = async (optimizer: tf.Optimizer): Promise<{ ms: number; cpu: number }> => {
      const model = buildModel(tf, graph);
      model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      const x = tf.randomNormal([c.samples, inputWidth], 0, 1, 'float32', 1);
      const y = tf.oneHot(tf.floor(tf.randomUniform([c.samples], 0, classes, 'float32', 2)).toInt(), classes).toFloat();
      const started = performance.now();
      const cpuStarted = cpuMs();
      await model.fit(x, y, { epochs: c.epochs, batchSize, verbose: 0, shuffle: true });
      const ms = performance.now() - started;
      const cpu = cpuMs() - cpuStarted;
      tf.dispose([x, y]);
      model.dispose();
      optimizer.dispose();
      return { ms, cpu };
    };
    const times = { fit: [] as number[], fused: [] as number[], measured: [] as number[] };
    const cpu = { fit: [] as number[], fused: [] as number[], measured: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      const plain = await fit(c.tfjsOptimizer());
      times.fit.push(plain.ms);
      cpu.fit.push(plain.cpu);
      if (c.fusedOptimizer) {
        const fused = await fit(c.fusedOptimizer());
        times.fused.push(fused.ms);
        cpu.fused.push(fused.cpu);
      }
      // The training steps only: the probe before them is extra work model.fit does not do
      // (training starts right after the probe's result is posted).
      let trainingCpuStarted = 0;
      const summary = await measure(tf, graph, { ...DEFAULT_RUN_OPTIONS, samples: c.samples, batchSize, epochs: c.epochs, probeBatches: 1, seeds: 1 }, { probe: () => (trainingCpuStarted = cpuMs()) }, { cancelled: () => false });
      cpu.measured.push(cpuMs() - trainingCpuStarted);
      times.measured.push(summary.trainingMs);
    }
    const ratios = (base: number[]) => base.map((f, i) => times.measured[i]! / f);
    const cpuRatios = (base: number[]) => base.map((f, i) => cpu.measured[i]! / f);
    const gflops = (forwardFlops(graph) * 3 * batchSize * steps) / (median(times.measured) / 1000) / 1e9;
    out.push(
      `### Recording overhead (${c.title}; ${steps} steps of batch ${batchSize}, wasm)`,
      '| run | median ms | measured / it, per round | median ratio | CPU ms (median) | CPU time: measured / it, per round | median CPU ratio |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      `| plain model.fit (tfjs' optimizer) | ${median(times.fit).toFixed(0)} | ${ratios(times.fit).map((r) => r.toFixed(2)).join(', ')} | ${median(ratios(times.fit)).toFixed(2)}x | ${median(cpu.fit).toFixed(0)} | ${cpuRatios(cpu.fit).map((r) => r.toFixed(2)).join(', ')} | ${median(cpuRatios(cpu.fit)).toFixed(2)}x |`,
      ...(times.fused.length
        ? [`| plain model.fit (the fused optimizer) | ${median(times.fused).toFixed(0)} | ${ratios(times.fused).map((r) => r.toFixed(2)).join(', ')} | ${median(ratios(times.fused)).toFixed(2)}x | ${median(cpu.fused).toFixed(0)} | ${cpuRatios(cpu.fused).map((r) => r.toFixed(2)).join(', ')} | ${median(cpuRatios(cpu.fused)).toFixed(2)}x |`]
        : []),
      `| Gradient Lens training steps (per-layer stats every step, activations every 25) | ${median(times.measured).toFixed(0)} | | | ${median(cpu.measured).toFixed(0)} | | |`,
      '',
      `${rounds} alternating rounds; load average ${loadavg().map((l) => l.toFixed(1)).join(', ')} at the end. The probe before training is not counted. CPU time is this process's (user + system): on a shared machine it moves less with the others' load than wall time. ${gflops.toFixed(2)} GFLOP/s in the measured steps (forward + backward = 3x forward FLOPs).`,
      '',
    );
  }
  return out.join('\n');
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
  const roundsAt = process.argv.indexOf('--rounds');
  const rounds = roundsAt >= 0 ? Number(process.argv[roundsAt + 1]) : 5;
  const sections = process.argv.includes('--overhead') ? [await recordingOverhead(rounds)] : [await recordingOverhead(rounds), await probeLatency(), await convNet()];
  console.log(`## Training benchmarks (node ${process.version}, ${new Date().toISOString().slice(0, 10)}, 2 cores)\n`);
  console.log(sections.join('\n\n'));
})();
