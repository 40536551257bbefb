import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_MEASURED_THRESHOLDS, measuredFindings } from '../../src/core/analysis/measuredRules';
import { applyFixes } from '../../src/core/fixes/index';
import type { ModelGraph } from '../../src/core/ir';
import { parseModels } from '../../src/core/parse/index';
import { measure } from '../../src/training/measure';
import { DEFAULT_RUN_OPTIONS, type LayerGradients, type RunSummary } from '../../src/training/protocol';

const examples = join(__dirname, '..', 'examples');
const read = (file: string) => readFileSync(join(examples, file), 'utf8');
const graphOf = (text: string, file = 'm.ts'): ModelGraph => parseModels(text, file).models[0]!;

async function analyse(text: string, file: string) {
  await tf.setBackend('cpu');
  const graph = graphOf(text, file);
  const summary = await measure(tf, graph, { ...DEFAULT_RUN_OPTIONS, epochs: 1, samples: 128 }, {}, { cancelled: () => false });
  return measuredFindings(graph, summary);
}

test('on the examples: vanishing for deep sigmoid, none for its repair, exploding for the large initializer', async () => {
  const sigmoid = await analyse(read('deep-sigmoid-mlp.ts'), 'deep-sigmoid-mlp.ts');
  const vanishing = sigmoid.findings.find((f) => f.code === 'vanishing-gradient');
  assert.ok(vanishing, JSON.stringify(sigmoid.findings));
  assert.equal(sigmoid.modelVerdict, 'vanishing');
  assert.ok(vanishing.layers.includes('dense_1') && vanishing.layers.includes('dense_2') && !vanishing.layers.includes('dense_12'));
  assert.deepEqual(vanishing.fixes, ['activation-relu', 'insert-batch-norm', 'add-residual']);
  assert.ok(vanishing.evidence!.ratio! < 1e-3 && vanishing.evidence!.ordersPerLayer! > 0.3);
  assert.equal(vanishing.relatedLayer, 'dense_12');

  const repaired = await analyse(read('relu-batchnorm-mlp.ts'), 'relu-batchnorm-mlp.ts');
  assert.deepEqual(repaired.findings.filter((f) => f.severity !== 'info'), []);
  assert.equal(repaired.modelVerdict, 'healthy');

  const exploding = await analyse(read('exploding-relu.ts'), 'exploding-relu.ts');
  assert.ok(exploding.findings.some((f) => f.code === 'exploding-gradient'));
  assert.equal(exploding.modelVerdict, 'non-finite');
  assert.ok(!exploding.findings.some((f) => f.code === 'dead-relu'), 'after non-finite values, no dead-unit verdict');
});

test('applying activation-relu,init-he to the deep sigmoid MLP and measuring again: no vanishing finding', async () => {
  const { text } = applyFixes(read('deep-sigmoid-mlp.ts'), 'deep-sigmoid-mlp.ts', 'model', ['activation-relu', 'init-he']);
  const after = await analyse(text, 'deep-sigmoid-mlp.ts');
  assert.ok(!after.findings.some((f) => f.code === 'vanishing-gradient'), JSON.stringify(after.findings));
});

/** A hand-made summary: norms per layer, everything else empty. */
function summaryOf(ids: string[], norms: number[], extra: Partial<RunSummary> = {}, after?: number[]): RunSummary {
  const stats = (n: number[]): Record<string, LayerGradients> =>
    Object.fromEntries(ids.map((id, i) => [id, { kernel: { norm: n[i]!, meanAbs: n[i]! / 10, maxAbs: n[i]! } }]));
  return {
    backend: 'cpu',
    stoppedBy: extra.steps === 0 ? 'probe-only' : 'completed',
    steps: 10,
    epochs: 1,
    elapsedMs: 1,
    trainingMs: 1,
    losses: [],
    layers: Object.fromEntries(ids.map((id, i) => [id, { gradNorm: extra.steps === 0 ? null : norms[i]!, biasGradNorm: null, meanAbs: null, maxAbs: null, updateRatio: null }])),
    probe: { layers: stats(norms), loss: 1, activations: {}, temporal: [], elapsedMs: 1, ...(after ? { afterFirstUpdate: stats(after) } : {}) },
    trainableLayers: ids,
    ...extra,
  };
}

const mlp = graphOf(`import * as tf from '@tensorflow/tfjs';
const m = tf.sequential();
m.add(tf.layers.dense({units: 8, inputShape: [4], activation: 'relu'}));
m.add(tf.layers.dense({units: 8, activation: 'relu'}));
m.add(tf.layers.dense({units: 8, activation: 'relu'}));
m.add(tf.layers.dense({units: 1}));`);
const ids = mlp.layers.map((l) => l.id);

test('thresholds: exactly at and around them', () => {
  const t = DEFAULT_MEASURED_THRESHOLDS;
  const codes = (norms: number[], extra: Partial<RunSummary> = {}, after?: number[]) => measuredFindings(mlp, summaryOf(ids, norms, extra, after)).findings.map((f) => f.code);
  assert.deepEqual(codes([1e-6, 1e-5, 1e-3, 1]), ['vanishing-gradient']);
  assert.deepEqual(codes([t.vanishingRatio * 2, 1, 1, 1]), [], 'ratio above the threshold');
  assert.deepEqual(codes([5e-4, 1e-3, 1e-2, 1]), [], 'ratio 5e-4 but the first norm is above 1e-4 (AutoTrainer needs both)');
  assert.deepEqual(codes([100, 10, 1, 1]), ['exploding-gradient']);
  assert.deepEqual(codes([70, 10, 1, 1]), [], 'exactly at the exploding threshold is not above it');
  // Growth during training: probe norms 1, trained norms 500 in the first layer.
  const grown = summaryOf(ids, [1, 1, 1, 1]);
  const grownSummary: RunSummary = { ...grown, layers: { ...grown.layers, [ids[0]!]: { ...grown.layers[ids[0]!]!, gradNorm: 500 } } };
  const growth = measuredFindings(mlp, grownSummary).findings;
  assert.deepEqual(growth.map((f) => [f.code, f.rule]), [['exploding-gradient', 'measured: first/last ratio above threshold']], 'a 500x ratio is reported by the ratio rule first');
  const slowGrowth: RunSummary = { ...grown, layers: Object.fromEntries(ids.map((id) => [id, { ...grown.layers[id]!, gradNorm: 200 }])) };
  assert.deepEqual(measuredFindings(mlp, slowGrowth).findings.map((f) => f.rule), ['measured: gradient growth during training']);
  // A zero-initialized first layer that recovers after one update is not vanishing.
  assert.deepEqual(codes([0, 1, 1, 1], { steps: 0 }, [0.5, 1, 1, 1]), []);
  // One that stays at exactly zero is not "vanishing" but dead: a different finding with other fixes.
  assert.deepEqual(codes([0, 1, 1, 1], { steps: 0 }, [0, 1, 1, 1]), ['dead-relu']);
});

test('priority: non-finite first; dead units and saturation are separate findings', () => {
  const dead = summaryOf(ids, [1, 1, 1, 1]);
  const withDead: RunSummary = { ...dead, layers: { ...dead.layers, [ids[1]!]: { ...dead.layers[ids[1]!]!, activations: { dead: 0.8 } } } };
  const deadResult = measuredFindings(mlp, withDead);
  assert.deepEqual(deadResult.findings.map((f) => f.code), ['dead-relu']);
  assert.equal(deadResult.verdicts[ids[1]!], 'dead');
  assert.equal(deadResult.modelVerdict, 'dead');

  const nonFinite: RunSummary = { ...withDead, nonFinite: { step: 3, layerId: ids[2]!, what: 'kernel gradient' } };
  const nf = measuredFindings(mlp, nonFinite);
  assert.deepEqual(nf.findings.map((f) => f.code), ['non-finite-gradient', 'exploding-gradient']);
  assert.equal(nf.modelVerdict, 'non-finite');
  assert.match(nf.findings[0]!.message, /kernel gradient of `dense_3` became Infinity or NaN at step 3/);
});

test('recurrent layers: the gradient per time step is judged', () => {
  const rnn = graphOf(`import * as tf from '@tensorflow/tfjs';
const m = tf.sequential({layers: [tf.layers.simpleRNN({units: 4, inputShape: [50, 2]}), tf.layers.dense({units: 1})]});`);
  const rnnIds = rnn.layers.map((l) => l.id);
  const base = summaryOf(rnnIds, [1, 1]);
  const vanishing: RunSummary = { ...base, probe: { ...base.probe!, temporal: [{ layerId: rnnIds[0]!, perTimeStep: [1e-9, ...Array(48).fill(1e-3), 0.1] }] } };
  const result = measuredFindings(rnn, vanishing);
  assert.deepEqual(result.findings.map((f) => f.code), ['long-sequence-rnn']);
  assert.deepEqual(result.findings[0]!.fixes, ['rnn-lstm', 'rnn-gru']);
  const healthy: RunSummary = { ...base, probe: { ...base.probe!, temporal: [{ layerId: rnnIds[0]!, perTimeStep: Array(50).fill(0.1) }] } };
  assert.deepEqual(measuredFindings(rnn, healthy).findings, []);
});

test('seeds: a verdict most initializations share is stated as such; one that flips is borderline (info)', () => {
  const base = summaryOf(ids, [1e-6, 1e-5, 1e-3, 1]);
  const withSeeds = (ratios: number[]): RunSummary => ({
    ...base,
    probe: { ...base.probe!, seeds: ratios.map((r, k) => ({ seed: k, kernelNorms: { [ids[0]!]: r, [ids[1]!]: 1, [ids[2]!]: 1, [ids[3]!]: 1 } })) },
  });
  const robust = measuredFindings(mlp, withSeeds([1e-6, 2e-6, 5e-7])).findings[0]!;
  assert.equal(robust.severity, 'warning');
  assert.match(robust.message, /Same verdict on 3 of 3 initializations/);
  assert.equal(robust.evidence!.seedsAgreeing, 3);
  const flipping = measuredFindings(mlp, withSeeds([1e-6, 0.5, 0.4])).findings[0]!;
  assert.equal(flipping.code, 'vanishing-gradient');
  assert.equal(flipping.severity, 'info');
  assert.match(flipping.message, /^Borderline: vanishing on 1 of 3 initializations only \(ratio 1\.0e-6 to 0\.5\)/);
});

test('gradients that collapse to exactly zero during training are reported, not called healthy', () => {
  const base = summaryOf(ids, [1, 1, 1, 1]);
  const collapsed: RunSummary = { ...base, layers: Object.fromEntries(ids.map((id) => [id, { ...base.layers[id]!, gradNorm: 0 }])) };
  const result = measuredFindings(mlp, collapsed);
  assert.deepEqual(result.findings.map((f) => [f.code, f.rule]), [['dead-relu', 'measured: gradients collapsed to zero during training']]);
  assert.equal(result.modelVerdict, 'dead');
});
