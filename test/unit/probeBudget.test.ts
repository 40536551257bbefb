// The probe scales its work to the model's cost and respects the run's budget (issue 19).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { parseModels } from '../../src/core/parse/index';
import { batchForBudget, measure, planProbe, PROBE_SHARE, type ProbeCosts } from '../../src/training/measure';
import { DEFAULT_RUN_OPTIONS } from '../../src/training/protocol';
import { registerMissingWasmKernels } from '../../src/training/wasmKernels';

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);

const costs = (passMs: number, extra: Partial<ProbeCosts> = {}): ProbeCosts => ({
  passMs,
  remainingMs: 60_000 - passMs,
  budgetMs: 60_000,
  trainingSteps: 24,
  probeBatches: 3,
  seeds: 3,
  simpleRnnLayers: 0,
  otherRecurrentLayers: 1,
  judgesActivations: true,
  ...extra,
});

test('a cheap model gets the whole probe: every part, all batches and initializations', () => {
  const plan = planProbe(costs(50));
  assert.deepEqual(plan.parts, ['activations', 'after-update', 'regularization', 'seeds', 'batches', 'temporal-all']);
  assert.deepEqual(plan.parts, plan.wanted);
  assert.equal(plan.batches, 3);
  assert.equal(plan.seeds, 3);
});

test('an expensive model gets a probe that fits in its share of the budget, most needed parts first', () => {
  // 24 training steps of ~2.5 s do not fit with a full probe in 60 s.
  const plan = planProbe(costs(2000));
  assert.notDeepEqual(plan.parts, plan.wanted);
  // Allowance: a quarter of the budget minus the first pass = 13 s = 6.5 passes.
  const passes: Record<string, number> = { activations: 0.4, 'after-update': 2, regularization: 0.4, seeds: 3, batches: 2, 'temporal-all': 1 };
  const used = plan.parts.reduce((sum, p) => sum + passes[p]!, 0) * 2000;
  assert.ok(used <= PROBE_SHARE * 60_000 - 2000, `planned ${used} ms`);
  assert.ok(plan.parts.includes('activations') && plan.parts.includes('after-update'), 'the parts verdicts need most come first');
  // A pass that alone takes a quarter of the budget leaves room for nothing else.
  const huge = planProbe(costs(20_000));
  assert.deepEqual(huge.parts, []);
  assert.equal(huge.batches, 1);
  assert.equal(huge.seeds, 1);
});

test('the planned probe shrinks as a pass gets more expensive', () => {
  let previous = Infinity;
  for (const passMs of [10, 100, 500, 1000, 2000, 4000, 8000, 16_000]) {
    const plan = planProbe(costs(passMs));
    const work = plan.parts.length + plan.batches + plan.seeds;
    assert.ok(work <= previous, `${passMs} ms: ${work} > ${previous}`);
    previous = work;
  }
  assert.ok(previous < planProbe(costs(10)).parts.length + 6);
});

test('simpleRNN time steps are kept before other initializations; LSTM time steps only when everything fits', () => {
  const plan = planProbe(costs(2500, { simpleRnnLayers: 1, otherRecurrentLayers: 0 }));
  assert.ok(plan.parts.includes('temporal'));
  assert.ok(!plan.parts.includes('seeds'));
});

test('an expensive model on a tight budget: a reduced probe, marked, and a run that ends inside its budget', async () => {
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  const source = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({ units: 1024, activation: 'relu', inputShape: [1024] }));
for (let i = 0; i < 7; i++) model.add(tf.layers.dense({ units: 1024, activation: 'relu' }));
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });`;
  const graph = parseModels(source, 'wide.ts').models[0]!;
  const timeBudgetMs = 1500;
  const summary = await measure(tf, graph, { ...DEFAULT_RUN_OPTIONS, timeBudgetMs }, {}, { cancelled: () => false });
  const reduced = summary.probe?.reduced;
  assert.ok(reduced, 'the probe says what it left out');
  assert.ok(reduced.skipped.length > 0);
  // 8 M parameters: a pass is tens of ms even on a quiet machine, so the full probe and 24 steps cannot fit in 1.5 s.
  assert.ok(reduced.passMs > 0);
  assert.equal(summary.stoppedBy, 'budget');
  assert.ok(summary.elapsedMs <= timeBudgetMs + 3 * reduced.passMs, `${summary.elapsedMs} ms for a ${timeBudgetMs} ms budget, pass ${reduced.passMs} ms`);
  // Statistics exist for every trainable layer, from training or the probe alone.
  assert.equal(Object.keys(summary.layers).filter((id) => summary.layers[id]!.gradNorm !== null).length, 9);
});

test('the batch shrinks only when a pass at the requested batch would take more than the probe share of the budget', () => {
  // 10 ms fixed + 1 ms per sample forward: a pass at 32 is ~126 ms, far inside 15 s.
  assert.equal(batchForBudget({ fixedMs: 10, perSampleMs: 1 }, 32, 60_000), 32);
  // 600 ms per sample: a pass at 32 is ~58 s; the largest batch within 15 s is 8.
  const batch = batchForBudget({ fixedMs: 0, perSampleMs: 600 }, 32, 60_000);
  assert.equal(batch, 8);
  assert.ok(3 * 600 * batch <= PROBE_SHARE * 60_000 && 3 * 600 * (batch + 1) > PROBE_SHARE * 60_000);
  // Overhead-bound (a long LSTM): a smaller batch would not help much, but it is still the largest that fits.
  assert.equal(batchForBudget({ fixedMs: 6000, perSampleMs: 0 }, 32, 60_000), 32);
  // Nothing fits: one sample.
  assert.equal(batchForBudget({ fixedMs: 1000, perSampleMs: 5000 }, 32, 60_000), 1);
});
