/** The team's verdict cases (shared/cases/keras, copied to test/fixtures/cases/keras) measured end to end. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { measuredFindings } from '../../src/core/analysis/measuredRules';
import { parseSource } from '../../src/core/source';
import { measure } from '../../src/training/measure';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../src/training/protocol';

const fixtures = join(__dirname, '..', 'test', 'fixtures', 'repro');
/** The team's case files (one copy, test/fixtures/cases/keras); the rest in repro/. */
const cases = join(__dirname, '..', 'test', 'fixtures', 'cases', 'keras');

async function analyse(file: string, options: Partial<RunOptions> = {}) {
  await tf.setBackend('cpu');
  const graph = parseSource(readFileSync(join(/^(r\d|dd_|dl_)/.test(file) ? cases : fixtures, file), 'utf8'), file).models[0]!;
  const summary = await measure(tf, graph, { ...DEFAULT_RUN_OPTIONS, ...options }, {}, { cancelled: () => false });
  return { graph, summary, analysis: measuredFindings(graph, summary) };
}

test('dd_tiny_uniform_relu.py: tiny gradients in every layer are vanishing (absolute test), on every initialization', async () => {
  const { analysis } = await analyse('dd_tiny_uniform_relu.py');
  assert.equal(analysis.modelVerdict, 'vanishing');
  const warnings = analysis.findings.filter((f) => f.severity !== 'info');
  assert.deepEqual(warnings.map((f) => f.code), ['vanishing-gradient'], JSON.stringify(analysis.findings, null, 1));
  const [vanishing] = warnings;
  assert.equal(vanishing!.rule, 'measured: mean |g| below the absolute threshold in every layer');
  assert.equal(vanishing!.layers[0], 'dense_1');
  assert.equal(vanishing!.fixes[0], 'init-he');
  assert.match(vanishing!.message, /threshold 100e-9, DeepDiagnosis/);
  assert.match(vanishing!.message, /Same in 3 of 3 initializations\.$/);
});

test('r22_borderline_message.py: the verdict and the message agree, with the numbers', async () => {
  const { analysis } = await analyse('r22_borderline_message.py');
  const vanishing = analysis.findings.find((f) => f.code === 'vanishing-gradient')!;
  assert.ok(vanishing, JSON.stringify(analysis.findings));
  // Either vanishing held on most initializations (a warning, and the verdict says so) or it did
  // not (an info "Borderline", and the verdict is not vanishing): never one with the other.
  if (analysis.modelVerdict === 'vanishing') {
    assert.equal(vanishing.severity, 'warning');
    assert.doesNotMatch(vanishing.message, /Borderline/);
  } else {
    assert.equal(vanishing.severity, 'info');
    assert.match(vanishing.message, /^Borderline/);
  }
  assert.match(vanishing.message, /kernel gradient norm of [0-9.e-]+, [0-9.]+ orders of magnitude below the output layer `dense_4`/);
  assert.ok(vanishing.evidence!.seeds === 3 && vanishing.evidence!.seedsAgreeing !== undefined);
  // Measured here: vanishing on all three initializations (ratio ~1e-4, first norm below 1e-4).
  assert.equal(analysis.modelVerdict, 'vanishing');
});

test('a functional simpleRNN over 200 steps gets the time-step measurement like its Sequential twin', async () => {
  const options = { epochs: 1, samples: 32, batchSize: 32, probeBatches: 1, probeOnly: true, seeds: 1 };
  for (const file of ['functional_rnn.py', 'simple_rnn_200.py']) {
    const { summary, analysis } = await analyse(file, options);
    const temporal = summary.probe!.temporal;
    assert.equal(temporal.length, 1, file);
    assert.equal(temporal[0]!.perTimeStep.length, 200, file);
    const finding = analysis.findings.find((f) => f.code === 'long-sequence-rnn');
    assert.ok(finding && finding.severity === 'warning', `${file}: ${JSON.stringify(analysis.findings)}`);
    assert.match(finding.message, /first of 200 time steps of `simple_rnn_1`/);
  }
});

test('sigmoid_500x4.ts: four 500-unit sigmoid layers near a 2e-3 ratio are borderline, with the numbers, not healthy without a word', async () => {
  const { analysis } = await analyse('sigmoid_500x4.ts', { epochs: 1, samples: 32, batchSize: 32 });
  // Not vanishing: the ratio is above AutoTrainer's 1e-3 (and the first norm above 1e-4).
  assert.equal(analysis.modelVerdict, 'healthy');
  const borderline = analysis.findings.filter((f) => f.code === 'vanishing-gradient');
  assert.equal(borderline.length, 1, JSON.stringify(analysis.findings));
  const [finding] = borderline;
  assert.deepEqual([finding!.severity, finding!.rule, finding!.layers], ['info', 'measured: near the vanishing thresholds', ['dense_1']]);
  const ratio = finding!.evidence!.ratio!;
  assert.ok(ratio >= 1e-3 && ratio < 1e-2, `ratio ${ratio}`);
  assert.match(finding!.message, /^Borderline: `dense_1` gets a kernel gradient norm of [0-9.e-]+, [0-9.e-]+ of the output layer `dense_5`'s/);
  assert.match(finding!.message, /the ratio is within 10x of it/);
  assert.deepEqual(finding!.fixes, ['activation-relu', 'insert-batch-norm', 'add-residual']);
});

test('narrow_he_relu_16.py: initializations that disagree are followed by more until the majority of 15 is settled; ones that agree stop at 3', async () => {
  const { judgeInitialization } = await import('../../src/core/analysis/measuredRules');
  const keys = (graph: Parameters<typeof judgeInitialization>[0], run: Parameters<typeof judgeInitialization>[1]): string[] => {
    const judged = judgeInitialization(graph, { ...run, initializations: [] });
    return [`verdict ${judged.modelVerdict}`, ...judged.findings.filter((f) => f.severity !== 'info').map((f) => f.code)];
  };
  let extended = 0;
  for (const seed of [1, 2, 3, 4, 5]) {
    const { graph, summary, analysis } = await analyse('narrow_he_relu_16.py', { seed });
    const runs = [summary, ...(summary.initializations ?? [])];
    const judged = runs.map((run) => new Set(keys(graph, run)));
    const all = [...new Set(judged.flatMap((k) => [...k]))];
    const held = (key: string, upTo = judged.length) => judged.slice(0, upTo).filter((k) => k.has(key)).length;
    const firstThreeAgree = all.every((key) => held(key, 3) === 0 || held(key, 3) === 3);
    if (firstThreeAgree) {
      assert.equal(runs.length, 3, `seed ${seed}`);
      continue;
    }
    extended++;
    assert.ok(runs.length > 3 && runs.length <= 15, `seed ${seed}: ${runs.length}`);
    // Settled: every key is held by a majority of 15 already, or can no longer reach one.
    for (const key of all) assert.ok(runs.length === 15 || held(key) >= 8 || runs.length - held(key) >= 8, `seed ${seed}: ${key} in ${held(key)} of ${runs.length}`);
    // The last one drawn was needed: one fewer would not have settled every key.
    const before = runs.length - 1;
    assert.ok(all.some((key) => held(key, before) < 8 && before - held(key, before) < 8), `seed ${seed}: drew one too many`);
    // The finding says over how many the verdict was decided, and the verdict is their majority.
    const dead = analysis.findings.find((f) => f.code === 'dead-relu');
    assert.ok(dead, `seed ${seed}`);
    assert.match(dead.message, new RegExp(`dead in ${held('dead-relu')} of ${runs.length} initializations: depends on the initialization`, 'i'));
    assert.equal(analysis.modelVerdict === 'dead', held('verdict dead') * 2 > runs.length, `seed ${seed}`);
  }
  assert.ok(extended >= 1, 'some seed of five splits its first three initializations (dead in about 60% of them)');
});
