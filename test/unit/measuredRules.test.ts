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
  // Warnings and errors only: near a threshold an info says so (tested below).
  const codes = (norms: number[], extra: Partial<RunSummary> = {}, after?: number[]) =>
    measuredFindings(mlp, summaryOf(ids, norms, extra, after)).findings.filter((f) => f.severity !== 'info').map((f) => f.code);
  assert.deepEqual(codes([1e-6, 1e-5, 1e-3, 1]), ['vanishing-gradient']);
  assert.deepEqual(codes([t.vanishingRatio * 2, 1, 1, 1]), [], 'ratio above the threshold');
  assert.deepEqual(codes([t.vanishingRatio * 20, 1, 1, 1]), [], 'ratio far above the threshold');
  assert.deepEqual(codes([5e-4, 1e-3, 1e-2, 1]), [], 'ratio 5e-4 but the first norm is above 1e-4 (AutoTrainer needs both)');
  assert.deepEqual(codes([100, 10, 1, 1]), ['exploding-gradient']);
  assert.deepEqual(codes([70, 10, 1, 1]), [], 'exactly at the exploding threshold is not above it');
  // Growth during training: probe norms 1, trained norms 500 in the first layer.
  const grown = summaryOf(ids, [1, 1, 1, 1]);
  const grownSummary: RunSummary = { ...grown, layers: { ...grown.layers, [ids[0]!]: { ...grown.layers[ids[0]!]!, gradNorm: 500 } } };
  const growth = measuredFindings(mlp, grownSummary).findings;
  assert.deepEqual(growth.map((f) => [f.code, f.rule]), [['exploding-gradient', 'measured: first/last ratio above threshold']], 'a 500x ratio is reported by the ratio rule first');
  const slowGrowth: RunSummary = { ...grown, layers: Object.fromEntries(ids.map((id) => [id, { ...grown.layers[id]!, gradNorm: 2000 }])) };
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

test('initializations: a verdict all share says so; one most share depends on the initialization; one few share is borderline', () => {
  const vanishing = summaryOf(ids, [1e-6, 1e-5, 1e-3, 1]);
  const healthy = summaryOf(ids, [0.5, 0.5, 0.5, 1]);
  const withDead = (s: RunSummary): RunSummary => ({ ...s, layers: { ...s.layers, [ids[1]!]: { ...s.layers[ids[1]!]!, activations: { dead: 0.8 } } } });
  const runs = (...list: RunSummary[]): RunSummary => ({ ...list[0]!, initializations: list.slice(1) });

  const robust = measuredFindings(mlp, runs(vanishing, vanishing, vanishing));
  assert.equal(robust.modelVerdict, 'vanishing');
  assert.equal(robust.findings[0]!.severity, 'warning');
  assert.match(robust.findings[0]!.message, /Same in 3 of 3 initializations\.$/);
  assert.equal(robust.findings[0]!.evidence!.seedsAgreeing, 3);

  const mostly = measuredFindings(mlp, runs(withDead(healthy), withDead(healthy), healthy));
  assert.equal(mostly.modelVerdict, 'dead');
  assert.equal(mostly.findings[0]!.severity, 'warning');
  assert.match(mostly.findings[0]!.message, /^Dead in 2 of 3 initializations: depends on the initialization\. /);

  const rarely = measuredFindings(mlp, runs(withDead(healthy), healthy, healthy));
  assert.equal(rarely.modelVerdict, 'healthy', 'the verdict agrees with the findings: nothing at warning');
  assert.equal(rarely.verdicts[ids[1]!], 'healthy');
  assert.equal(rarely.findings[0]!.severity, 'info');
  assert.match(rarely.findings[0]!.message, /^Borderline: dead in 1 of 3 initializations: depends on the initialization\. /);

  // A verdict the run's own initialization does not show but the others do is still reported.
  const others = measuredFindings(mlp, runs(healthy, vanishing, vanishing));
  assert.equal(others.modelVerdict, 'vanishing');
  assert.match(others.findings[0]!.message, /^Vanishing in 2 of 3 initializations: depends on the initialization \(numbers from initialization 2\)\. /);
});

test('absolute test: tiny gradients in every layer are vanishing even when the first/last ratio is fine', () => {
  // mean |g| ~1e-11 everywhere (summaryOf takes mean |g| = norm / 10), ratio 1.
  const tiny = summaryOf(ids, [1e-10, 1e-10, 1e-10, 1e-10]);
  const result = measuredFindings(mlp, tiny);
  assert.equal(result.modelVerdict, 'vanishing');
  const finding = result.findings.find((f) => f.code === 'vanishing-gradient')!;
  assert.equal(finding.severity, 'warning');
  assert.equal(finding.rule, 'measured: mean |g| below the absolute threshold in every layer');
  assert.match(finding.message, /mean \|g\| is at most 10e-12 in all 4 trainable layers \(threshold 100e-9, DeepDiagnosis\)/);
  assert.deepEqual(finding.fixes.slice(0, 1), ['init-he']);
  // Just above the threshold in one layer: the test is network-wide, so it does not fire.
  assert.deepEqual(measuredFindings(mlp, summaryOf(ids, [1e-10, 1e-10, 2e-6, 1e-10])).findings.filter((f) => f.severity !== 'info').map((f) => f.code), []);
  // Dead units beside tiny gradients everywhere are secondary (an info), not the verdict.
  const withDead: RunSummary = { ...tiny, layers: { ...tiny.layers, [ids[1]!]: { ...tiny.layers[ids[1]!]!, activations: { dead: 0.8 } } } };
  const both = measuredFindings(mlp, withDead);
  assert.equal(both.modelVerdict, 'vanishing');
  assert.equal(both.findings.find((f) => f.code === 'dead-relu')!.severity, 'info');
});

test('exploding needs large gradients or a diverging loss: recovery from near zero is not exploding', () => {
  const recovering = summaryOf(ids, [1e-3, 1e-3, 1e-3, 1e-3]);
  const recovered: RunSummary = { ...recovering, layers: Object.fromEntries(ids.map((id) => [id, { ...recovering.layers[id]!, gradNorm: 0.12 }])) };
  assert.deepEqual(measuredFindings(mlp, recovered).findings.filter((f) => f.code === 'exploding-gradient'), [], '1e-3 -> 0.12 grows 120x but ends small');
  // A loss that grows 10x per step, caught in a 5-step run before it overflows.
  const diverging: RunSummary = { ...summaryOf(ids, [1, 1, 1, 1]), steps: 5, losses: [1, 10, 100, 1e3, 1e4] };
  const result = measuredFindings(mlp, diverging);
  assert.equal(result.modelVerdict, 'exploding');
  const finding = result.findings.find((f) => f.rule === 'measured: diverging loss')!;
  assert.match(finding.message, /from 1 to 10e3 in 5 training steps \(10e3x; threshold 100x\)/);
  assert.equal(finding.fixes[0], 'clip-gradients');
  // A noisy but falling loss is not diverging.
  assert.deepEqual(measuredFindings(mlp, { ...diverging, losses: [2, 3, 1.5, 1.2, 0.9] }).findings, []);
});

test('near the vanishing threshold: an info "Borderline" with the numbers; the verdict stays healthy', () => {
  const result = measuredFindings(mlp, summaryOf(ids, [2e-5, 1e-3, 1e-2, 1e-2]));
  assert.equal(result.modelVerdict, 'healthy');
  assert.equal(result.findings.length, 1);
  const finding = result.findings[0]!;
  assert.deepEqual([finding.code, finding.severity, finding.rule], ['vanishing-gradient', 'info', 'measured: near the vanishing thresholds']);
  assert.match(finding.message, /^Borderline: `dense_1` gets a kernel gradient norm of 20e-6, 2e-3 of the output layer `dense_4`'s \(0\.01\)/);
  assert.match(finding.message, /ratio below 1e-3 and a norm below 100e-6 \(AutoTrainer\): the ratio is within 10x of it/);
});

test('gradients that collapse to exactly zero during training are reported, not called healthy', () => {
  const base = summaryOf(ids, [1, 1, 1, 1]);
  const collapsed: RunSummary = { ...base, layers: Object.fromEntries(ids.map((id) => [id, { ...base.layers[id]!, gradNorm: 0 }])) };
  const result = measuredFindings(mlp, collapsed);
  assert.deepEqual(result.findings.map((f) => [f.code, f.rule]), [['dead-relu', 'measured: gradients collapsed to zero during training']]);
  assert.equal(result.modelVerdict, 'dead');
});

test('divergence message: ReLU units die, other activations collapse; the words fit the layers', () => {
  const stack = (activation: string) => graphOf(`import * as tf from '@tensorflow/tfjs';
const m = tf.sequential();
m.add(tf.layers.dense({units: 8, inputShape: [4], activation: '${activation}'}));
m.add(tf.layers.dense({units: 8, activation: '${activation}'}));
m.add(tf.layers.dense({units: 1}));
m.compile({optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError'});`);
  for (const [activation, words] of [['relu', /ReLU units that were alive at initialization died/], ['sigmoid', /gradients that were non-zero at initialization collapsed to exactly zero/]] as const) {
    const graph = stack(activation);
    const ids = graph.layers.map((l) => l.id);
    // Alive at initialization (probe), exactly zero by the end of training.
    const summary = summaryOf(ids, [0.1, 0.2, 0.3], { layers: Object.fromEntries(ids.map((id) => [id, { gradNorm: 0, biasGradNorm: 0, meanAbs: 0, maxAbs: 0, updateRatio: null }])) });
    const cause = measuredFindings(graph, summary).findings.find((f) => f.code === 'high-learning-rate');
    assert.ok(cause, `${activation}: ${JSON.stringify(measuredFindings(graph, summary).findings.map((f) => [f.code, f.rule]))}`);
    assert.match(cause.message, words);
  }
});
