/** One seed drives weights, data, shuffling and dropout: the same command gives the same numbers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseSource } from '../../src/core/source';
import { buildModel } from '../../src/training/buildModel';
import { measure } from '../../src/training/measure';
import { DEFAULT_RUN_OPTIONS, type RunSummary } from '../../src/training/protocol';
import { deriveSeed, seedInitializers } from '../../src/training/seeding';

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const fixtures = ['test/fixtures/repro/dropout_mlp.py', 'test/fixtures/repro/small_cnn.ts', 'test/fixtures/repro/gru_dropout.ts', 'examples/deep-sigmoid-mlp.ts'];

/** The CLI's JSON without what depends on the clock: the run time in the measurement message. */
function analyzeJson(...extra: string[]): string {
  const result = spawnSync(process.execPath, [cli, 'analyze', ...fixtures, '--json', '--epochs', '1', '--samples', '64', ...extra], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  assert.ok(result.status === 0 || result.status === 1, result.stderr);
  return result.stdout.replace(/ in \d+(\.\d+)? s \(/g, ' in <time> s (').replace(/ after \d+(\.\d+)? s\b/g, ' after <time> s').replace(/"afterMs": \d+/g, '"afterMs": 0');
}

test('the CLI twice with the same seed: byte-identical JSON (dense, conv, rnn, dropout and noise)', () => {
  const first = analyzeJson('--seed', '7');
  const second = analyzeJson('--seed', '7');
  assert.equal(second, first);
  const report = JSON.parse(first) as { files: { models: { measurement: { status: string }; layers: { gradNorm: number | null }[] }[] }[] };
  assert.equal(report.files.length, 4);
  for (const file of report.files) for (const model of file.models) assert.equal(model.measurement.status, 'measured');
  // Another seed is another draw: the numbers change (so the equality above is not vacuous).
  assert.notEqual(analyzeJson('--seed', '8'), first);
});

const sample = `import * as tf from '@tensorflow/tfjs';
const m = tf.sequential();
m.add(tf.layers.embedding({inputDim: 20, outputDim: 4, inputLength: 6}));
m.add(tf.layers.bidirectional({layer: tf.layers.lstm({units: 3, returnSequences: true})}));
m.add(tf.layers.gru({units: 3, returnSequences: true}));
m.add(tf.layers.simpleRNN({units: 3}));
m.add(tf.layers.dense({units: 4, kernelInitializer: 'heNormal', biasInitializer: 'randomNormal'}));
m.add(tf.layers.batchNormalization());
m.add(tf.layers.dropout({rate: 0.5}));
m.add(tf.layers.dense({units: 2, kernelInitializer: tf.initializers.varianceScaling({scale: 2, distribution: 'uniform'})}));`;

test('every random initializer is seeded from (seed, layer): the same seed builds the same weights', async () => {
  await tf.setBackend('cpu');
  const graph = parseSource(sample, 'm.ts').models[0]!;
  const weights = (seed: number): number[][] => {
    const model = buildModel(tf, graph, seed);
    const values = model.getWeights().map((w) => Array.from(w.dataSync()));
    model.dispose();
    return values;
  };
  const a = weights(11);
  assert.deepEqual(weights(11), a);
  const b = weights(12);
  // Every weight drawn at random differs with another seed (zeros/ones initializers do not).
  const random = a.map((_, i) => i).filter((i) => new Set(a[i]).size > 1);
  assert.ok(random.length >= 12, `random weights: ${random.length}`);
  for (const i of random) assert.notDeepEqual(b[i], a[i], `weight ${i}`);
});

test('seedInitializers reaches RNN cells (orthogonal recurrent kernels) and wrapped layers; a seed the code gives stays', async () => {
  await tf.setBackend('cpu');
  const lstm = tf.layers.lstm({ units: 3 });
  assert.equal(seedInitializers(lstm, 5), 2, 'the kernel and recurrent (orthogonal) initializers of the cell; zeros draw nothing');
  const cell = (lstm as unknown as { cell: Record<string, { seed?: number }> }).cell;
  assert.equal(cell.recurrentInitializer!.seed, deriveSeed(5, 2));
  assert.equal(cell.kernelInitializer!.seed, deriveSeed(5, 1));
  const wrapped = tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 2 }) as unknown as tf.RNN });
  // The wrapped layer and the forward and backward copies tfjs makes of it: two each.
  assert.equal(seedInitializers(wrapped, 5), 6);
  const own = tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.randomNormal({ seed: 99 }) });
  seedInitializers(own, 5);
  assert.equal((own as unknown as { kernelInitializer: { seed: number } }).kernelInitializer.seed, 99);
});

test('measure twice in-process: identical per-step losses and statistics on every initialization', async () => {
  await tf.setBackend('cpu');
  const graph = parseSource(sample.replace('inputLength: 6', 'inputLength: 6, inputShape: [6]'), 'm.ts').models[0]!;
  const options = { ...DEFAULT_RUN_OPTIONS, epochs: 1, samples: 32, batchSize: 8, seeds: 2 };
  const strip = (s: RunSummary): unknown => JSON.parse(JSON.stringify(s, (key, value) => (key === 'elapsedMs' || key === 'trainingMs' || key === 'firstInitializationMs' ? undefined : value)));
  const first = await measure(tf, graph, options, {}, { cancelled: () => false });
  const second = await measure(tf, graph, options, {}, { cancelled: () => false });
  assert.equal(first.initializations?.length, 1);
  assert.deepEqual(strip(second), strip(first));
  assert.notDeepEqual(first.initializations![0]!.losses, first.losses, 'the second initialization is another draw');
});

test('--seeds sets how many initializations a verdict is decided over; the JSON says how many', () => {
  const run = (...extra: string[]) => {
    const result = spawnSync(process.execPath, [cli, 'analyze', 'examples/deep-sigmoid-mlp.ts', '--json', '--epochs', '1', '--samples', '64', ...extra], { cwd: root, encoding: 'utf8', timeout: 240_000 });
    const report = JSON.parse(result.stdout) as { files: { models: { measurement: { verdict: string; initializations: number }; findings: { code: string; message: string }[] }[] }[] };
    return report.files[0]!.models[0]!;
  };
  const one = run('--seeds', '1');
  assert.deepEqual([one.measurement.verdict, one.measurement.initializations], ['vanishing', 1]);
  assert.doesNotMatch(one.findings.find((f) => f.code === 'vanishing-gradient')!.message, /initializations/);
  const three = run();
  assert.deepEqual([three.measurement.verdict, three.measurement.initializations], ['vanishing', 3]);
  assert.match(three.findings.find((f) => f.code === 'vanishing-gradient')!.message, /Same in 3 of 3 initializations\.$/);
});

test('a run that overflows gives the same numbers whether its statistics are read every step or once: steps after the first non-finite one are left out', async () => {
  await tf.setBackend('cpu');
  const text = readFileSync(join(root, 'test', 'fixtures', 'cases', 'keras', 'dl_layer_variables.py'), 'utf8');
  const graph = parseSource(text, 'dl_layer_variables.py').models[0]!;
  const options = { ...DEFAULT_RUN_OPTIONS, seeds: 1 };
  const strip = (s: RunSummary): unknown => JSON.parse(JSON.stringify(s, (key, value) => (key === 'elapsedMs' || key === 'trainingMs' || key === 'firstInitializationMs' ? undefined : value)));
  const everyStep = await measure(tf, graph, options, {}, { cancelled: () => false, flushIntervalMs: 0 });
  const once = await measure(tf, graph, options, {}, { cancelled: () => false, flushIntervalMs: 1e9 });
  assert.ok(everyStep.nonFinite, 'SGD at lr 3 on N(0,1) weights overflows');
  assert.equal(everyStep.steps, everyStep.nonFinite.step + 1);
  assert.equal(everyStep.losses.length, everyStep.steps);
  assert.deepEqual(strip(once), strip(everyStep));
});
