/**
 * Our wasm Transpose (src/training/wasmTranspose.ts, `transpose` in fusedKernels.wat) against
 * tfjs 4.22's own, swapped in and out round by round (interleaved, so both see the same load):
 * single transposes of the shapes training makes, then training steps of bench/scale models as
 * the worker builds them (`buildModel`, our layers and kernels, same seed), each step the
 * gradients of every trainable weight, an sgd update and the loss read back.
 * Run: node scripts/build.mjs --bench && node dist-bench/transpose.bench.js [--rounds N] [--only resnet20,mlp-50x512] [--batch 32] [--shapes] [--forward]
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { parseModels } from '../src/core/parse/index';
import { buildModel } from '../src/training/buildModel';
import { registerFusedKernels } from '../src/training/fusedKernels';
import { registerMissingWasmKernels } from '../src/training/wasmKernels';
import { registerWasmTranspose } from '../src/training/wasmTranspose';

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const rounds = Number(option('rounds') ?? 5);
const batch = Number(option('batch') ?? 32);
const only = (option('only') ?? 'resnet20,mlp-50x512').split(',').filter(Boolean);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

type Config = NonNullable<ReturnType<typeof tf.getKernel>>;
function use(config: Config): void {
  tf.unregisterKernel('Transpose', 'wasm');
  tf.registerKernel(config);
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

/** One training step of a bench/scale model, as fastLayers.bench.ts runs it. */
function trainingStep(name: string): () => void {
  const file = join(__dirname, '..', 'bench', 'scale', `${name}.ts`);
  const graph = parseModels(readFileSync(file, 'utf8'), file).models[0]!;
  const model = buildModel(tf, graph, 1);
  const x = tf.randomNormal([batch, ...(model.inputs[0]!.shape.slice(1) as number[])], 0, 1, 'float32', 3);
  const y = tf.randomUniform([batch, ...(model.outputs[0]!.shape.slice(1) as number[])], 0, 1, 'float32', 4);
  const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.sgd(0.001);
  return () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, weights);
      optimizer.applyGradients(grads);
      return value;
    });
    loss.dataSync();
    loss.dispose();
  };
}

/** Transpose calls, elements moved and ms spent inside the kernel during one call of `f` (a timing wrapper of `config`). */
function profileTransposes(config: Config, f: () => void): { calls: number; elements: number; ms: number } {
  const counted = { calls: 0, elements: 0, ms: 0 };
  use({
    ...config,
    kernelFunc: ((a: Parameters<Config['kernelFunc']>[0]) => {
      counted.calls++;
      counted.elements += tf.util.sizeFromShape((a.inputs.x as tf.TensorInfo).shape);
      const started = performance.now();
      const out = config.kernelFunc(a);
      counted.ms += performance.now() - started;
      return out;
    }) as Config['kernelFunc'],
  });
  f();
  use(config);
  return counted;
}

/** `--shapes`: each distinct transpose of one step of each model, timed with both kernels (median of 5 steps). */
function shapesOfStep(theirs: Config, ours: Config): void {
  for (const name of only) {
    const step = trainingStep(name);
    step();
    const perShape = new Map<string, { calls: number; theirs: number[]; ours: number[] }>();
    for (let round = 0; round < 5; round++) {
      for (const [which, config] of [['theirs', theirs], ['ours', ours]] as const) {
        const sums = new Map<string, number>();
        use({
          ...config,
          kernelFunc: ((a: Parameters<Config['kernelFunc']>[0]) => {
            const key = `[${(a.inputs.x as tf.TensorInfo).shape.join(', ')}] by [${(a.attrs as { perm: number[] }).perm.join(', ')}]`;
            const started = performance.now();
            const out = config.kernelFunc(a);
            sums.set(key, (sums.get(key) ?? 0) + performance.now() - started);
            if (round === 0 && which === 'ours') perShape.set(key, { ...(perShape.get(key) ?? { theirs: [], ours: [] }), calls: (perShape.get(key)?.calls ?? 0) + 1 });
            return out;
          }) as Config['kernelFunc'],
        });
        step();
        for (const [key, ms] of sums) {
          const entry = perShape.get(key) ?? { calls: 0, theirs: [], ours: [] };
          entry[which].push(ms);
          perShape.set(key, entry);
        }
      }
    }
    use(ours);
    console.log(`\n${name}, one step at batch ${batch}: transpose, calls, ms in tfjs' kernel, ms in ours (median of 5 steps)`);
    for (const [key, e] of [...perShape].sort((a, b) => median(b[1].theirs) - median(a[1].theirs))) {
      console.log(`| ${key} | ${e.calls} | ${median(e.theirs).toFixed(3)} | ${median(e.ours).toFixed(3)} |`);
    }
  }
}

/**
 * `--forward`: a dense forward product x W (x 32 x 512, a fresh W 512 x 512 per call, as in
 * training) computed directly and as (W^T x^T)^T, with tfjs' Transpose and with ours, rounds
 * alternating: what `forwardSwapPays` in wasmDenseKernels.ts weighs (packing W against three
 * transposes and packing x^T).
 */
function forwardProducts(theirs: Config, ours: Config): void {
  const x = tf.randomNormal([32, 512], 0, 1, 'float32', 1);
  const w = tf.randomNormal([512, 512], 0, 1, 'float32', 2);
  // The tidy returns nothing: a typed array returned from it is walked element by element.
  const forms: Record<string, () => void> = {
    direct: () => tf.tidy(() => void tf.matMul(x, tf.add(w, 0)).dataSync()),
    swapped: () => tf.tidy(() => void tf.transpose(tf.matMul(tf.transpose(tf.add(w, 0)), tf.transpose(x))).dataSync()),
    'fresh W only (the add)': () => tf.tidy(() => void tf.add(w, 0).dataSync()),
  };
  const times = new Map<string, number[]>();
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    loads.push(loadavg()[0]!);
    for (const [which, config] of round % 2 ? ([['ours', ours], ['theirs', theirs]] as const) : ([['theirs', theirs], ['ours', ours]] as const)) {
      use(config);
      for (const [form, f] of Object.entries(forms)) {
        f();
        const key = `${form}, ${which} Transpose`;
        times.set(key, [...(times.get(key) ?? []), timeIt(f, 9)]);
      }
    }
  }
  use(ours);
  console.log(`x W, 32x512 by 512x512, ${rounds} rounds, load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}: median ms (per round)`);
  for (const [key, t] of times) console.log(`| ${key} | ${median(t).toFixed(3)} | ${t.map((v) => v.toFixed(2)).join(', ')} |`);
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  registerMissingWasmKernels(tf);
  const fused = registerFusedKernels(tf, __dirname);
  if (fused) throw new Error(`The fused kernels did not start: ${fused}`);
  const theirs = tf.getKernel('Transpose', 'wasm')!;
  const failed = registerWasmTranspose(tf, __dirname);
  if (failed) throw new Error(`Our Transpose did not start: ${failed}`);
  const ours = tf.getKernel('Transpose', 'wasm')!;
  if (args.includes('--shapes')) return shapesOfStep(theirs, ours);
  if (args.includes('--forward')) return forwardProducts(theirs, ours);

  const single: [number[], number[], string][] = [
    [[32, 32, 32, 16], [3, 1, 2, 0], 'conv filter gradient, x'],
    [[32, 32, 32, 16], [1, 2, 0, 3], 'conv filter gradient, dy'],
    [[32, 16, 16, 32], [3, 1, 2, 0], 'conv filter gradient, x (stage 2)'],
    [[16, 3, 3, 16], [1, 2, 0, 3], 'conv filter gradient, result'],
    [[512, 512], [1, 0], 'dense kernel 512x512'],
    [[32, 512], [1, 0], 'dense activations 32x512'],
    [[32, 32, 32, 3], [3, 1, 2, 0], 'first conv, x (3 channels)'],
  ];
  const inputs = single.map(([shape]) => tf.randomNormal(shape, 0, 1, 'float32', 1));
  const cases: { label: string; f: () => void; repeats: number }[] = single.map(([shape, perm, what], i) => ({
    label: `[${shape.join(', ')}] by [${perm.join(', ')}] (${what})`,
    f: () => tf.transpose(inputs[i]!, perm).dispose(),
    repeats: 15,
  }));
  const counts = new Map<string, string>();
  const steps: { label: string; step: () => void }[] = [];
  for (const name of only) {
    const step = trainingStep(name);
    step();
    step();
    const c = profileTransposes(ours, step);
    const label = `${name} training step (batch ${batch}, sgd)`;
    counts.set(label, `${c.calls} calls, ${(c.elements / 1e6).toFixed(1)} M elements`);
    cases.push({ label, f: step, repeats: 2 });
    steps.push({ label: `${name}: time inside Transpose per step`, step });
  }
  const results = new Map<string, { theirs: number[]; ours: number[] }>();
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    loads.push(loadavg()[0]!);
    for (const { label, f, repeats } of cases) {
      const entry = results.get(label) ?? { theirs: [], ours: [] };
      for (const which of round % 2 ? (['ours', 'theirs'] as const) : (['theirs', 'ours'] as const)) {
        use(which === 'ours' ? ours : theirs);
        f();
        entry[which].push(timeIt(f, repeats));
      }
      results.set(label, entry);
    }
    // The kernel's own share of a step, timed call by call (less noisy than a whole step).
    for (const { label, step } of steps) {
      const entry = results.get(label) ?? { theirs: [], ours: [] };
      for (const which of round % 2 ? (['ours', 'theirs'] as const) : (['theirs', 'ours'] as const)) {
        entry[which].push(profileTransposes(which === 'ours' ? ours : theirs, step).ms);
      }
      results.set(label, entry);
    }
  }
  use(ours);
  const lines = [
    `Transpose, tfjs wasm vs ours, ${rounds} interleaved rounds, load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} (per round: ${loads.map((l) => l.toFixed(1)).join(', ')}), node ${process.version}.`,
    '',
    '| operation | tfjs wasm ms | ours ms | per-round ratio ours/tfjs (median; all rounds) | transposes per step |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [label, { theirs: t, ours: o }] of results) {
    const ratios = o.map((v, i) => v / t[i]!);
    lines.push(`| ${label} | ${median(t).toFixed(3)} | ${median(o).toFixed(3)} | ${median(ratios).toFixed(2)}x; ${ratios.map((r) => r.toFixed(2)).join(', ')} | ${counts.get(label) ?? ''} |`);
  }
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
