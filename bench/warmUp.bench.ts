/**
 * The worker's first real run after a background warm-up: how soon its probe statistics arrive
 * (the panel's first picture waits for them), for three warm-ups, interleaved, in fresh workers:
 * - `none`: the run starts the worker itself (thread, tfjs, wasm, first execution of the kernels);
 * - `tiny`: AnalysisController.warm()'s probe of a 2-layer model (what the extension does);
 * - `model`: a probe-only run of the very model Analyze will run, with its options.
 * Per round and warm-up: the warm-up's own time, then 3 runs of the model (default options), each
 * from `session.run` to the worker's `started` and `probe` messages. Medians; load average printed.
 * Run: node scripts/build.mjs --bench && node dist-bench/warmUp.bench.js [--rounds N] [--model examples/x.ts]
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseSource } from '../src/core/source';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../src/training/protocol';
import { TrainingSession } from '../src/training/session';

const root = join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const rounds = Number(option('rounds') ?? 5);
const file = option('model') ?? 'examples/deep-sigmoid-mlp.ts';

/** The warm-up model of src/vscode/analysisController.ts (WARM_UP_MODEL), and its options. */
const TINY = `const m = tf.sequential();
m.add(tf.layers.dense({ units: 8, activation: 'sigmoid', inputShape: [4] }));
m.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });`;
const tinyOptions: RunOptions = { ...DEFAULT_RUN_OPTIONS, epochs: 1, samples: 8, batchSize: 8, probeBatches: 1, seeds: 1, probeOnly: true, timeBudgetMs: 30_000 };

const graph = parseSource(readFileSync(join(root, file), 'utf8'), file).models[0];
const tiny = parseSource(TINY, 'warm-up.ts').models[0];
if (!graph || !tiny) throw new Error('no model');

type Mode = 'none' | 'tiny' | 'model';
interface Sample { warmMs: number; firstProbeMs: number; laterProbeMs: number[] }

async function once(mode: Mode): Promise<Sample> {
  const session = new TrainingSession({ workerPath: join(__dirname, 'worker.js') });
  try {
    const t0 = Date.now();
    session.warm();
    if (mode === 'tiny') await session.run(tiny!, tinyOptions);
    if (mode === 'model') await session.run(graph!, { ...DEFAULT_RUN_OPTIONS, probeOnly: true });
    const warmMs = Date.now() - t0;
    const probes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = Date.now();
      let probe = Number.NaN;
      const result = await session.run(graph!, DEFAULT_RUN_OPTIONS, (message) => {
        if (message.type === 'probe') probe = Date.now() - start;
      });
      if (result.status !== 'done') throw new Error(`run ${result.status}`);
      probes.push(probe);
    }
    return { warmMs, firstProbeMs: probes[0]!, laterProbeMs: probes.slice(1) };
  } finally {
    await session.dispose();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : Math.round((s[s.length / 2 - 1]! + s[s.length / 2]!) / 2);
};

async function main(): Promise<void> {
  const modes: Mode[] = ['none', 'tiny', 'model'];
  const samples = new Map<Mode, Sample[]>(modes.map((m) => [m, []]));
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Interleaved, the order rotating per round, so load changes hit every warm-up alike.
    for (const mode of modes.map((_, i) => modes[(i + round) % modes.length]!)) samples.get(mode)!.push(await once(mode));
    loads.push(loadavg()[0]!);
  }
  console.log(`${file}: ${rounds} rounds; load average (1 min) after each: ${loads.map((l) => l.toFixed(1)).join(', ')}`);
  console.log('warm-up | warm-up ms (median) | first run: probe ms after run() (each; median) | later runs: probe ms (median)');
  for (const [mode, list] of samples) {
    const first = list.map((s) => s.firstProbeMs);
    console.log(`${mode} | ${median(list.map((s) => s.warmMs))} | ${first.join(', ')}; ${median(first)} | ${median(list.flatMap((s) => s.laterProbeMs))}`);
  }
}

void main();
