/**
 * A first verdict (issue 19): when a run measures several initializations, the first one's
 * summary is handed out as soon as it is measured, judged alone, and the final report says what
 * it was and when; a single-initialization run has none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_MEASURED_THRESHOLDS } from '../../src/core/analysis/measuredRules';
import { firstInitializationAnalysis, measureEntry, readSource, sourceReport, type MeasurementPort } from '../../src/core/pipeline/index';
import { measure } from '../../src/training/measure';
import { DEFAULT_RUN_OPTIONS, type RunOptions, type RunResult, type RunSummary } from '../../src/training/protocol';

const DEEP_SIGMOID = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({ units: 16, activation: 'sigmoid', inputShape: [8] }));
for (let i = 0; i < 8; i++) model.add(tf.layers.dense({ units: 16, activation: 'sigmoid' }));
model.add(tf.layers.dense({ units: 1 }));
model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
`;

const OPTIONS: RunOptions = { ...DEFAULT_RUN_OPTIONS, epochs: 1, samples: 64, batchSize: 16 };

/** A port that runs `measure` in this thread on the cpu backend and relays the first-initialization event. */
class InThreadPort implements MeasurementPort<{ summary: RunSummary; planned: number }> {
  async run(graph: Parameters<typeof measure>[1], options: RunOptions, onEvent?: (event: { summary: RunSummary; planned: number }) => void): Promise<RunResult> {
    await tf.setBackend('cpu');
    const summary = await measure(tf, graph, options, { firstInitialization: (s, planned) => onEvent?.({ summary: s, planned }) }, { cancelled: () => false });
    return { status: 'done', summary, backend: summary.backend };
  }
}

test('with 3 initializations the first one is handed out once, alone, and judged as the final summary judges it', async () => {
  const source = readSource(DEEP_SIGMOID, 'deep.ts');
  const entry = source.entries[0]!;
  const events: { summary: RunSummary; planned: number }[] = [];
  const measured = await measureEntry(new InThreadPort(), entry, { ...OPTIONS, seeds: 3 }, DEFAULT_MEASURED_THRESHOLDS, (e) => events.push(e));
  assert.equal(events.length, 1);
  const [first] = events;
  assert.equal(first!.planned, 3);
  assert.deepEqual(first!.summary.initializations, []);
  assert.ok(measured?.result.status === 'done');
  const final = measured.result.summary;
  assert.equal(final.initializations?.length, 2);
  // The first verdict's time is when the event was posted, and the final run took longer.
  assert.equal(final.firstInitializationMs, first!.summary.elapsedMs);
  assert.ok(final.elapsedMs >= final.firstInitializationMs!);
  // The same numbers: the final summary is the first initialization's run plus the others.
  assert.deepEqual(first!.summary.layers, final.layers);
  const live = firstInitializationAnalysis(measured.graph, first!.summary, 3, DEFAULT_MEASURED_THRESHOLDS);
  assert.equal(live.firstOf, 3);
  assert.equal(live.modelVerdict, measured.firstAnalysis?.modelVerdict);
  assert.equal(live.modelVerdict, 'vanishing');
  const warnings = live.findings.filter((f) => f.severity !== 'info');
  assert.ok(warnings.length > 0);
  for (const f of warnings) assert.match(f.message, /On the first of 3 initializations; the other 2 are being measured\.$/);
  // The report says what the first initialization gave and when.
  const report = sourceReport('deep.ts', source, () => ({ measured }));
  const measurement = report.models[0]!.measurement!;
  assert.deepEqual(measurement.firstVerdict, { verdict: 'vanishing', afterMs: final.firstInitializationMs });
  assert.match(measurement.message ?? '', /; the first of 3 initializations gave it after \d+\.\d s$/);
});

test('a single initialization has no first verdict: no event, no time, nothing in the report', async () => {
  const source = readSource(DEEP_SIGMOID, 'deep.ts');
  const events: unknown[] = [];
  const measured = await measureEntry(new InThreadPort(), source.entries[0]!, { ...OPTIONS, seeds: 1 }, DEFAULT_MEASURED_THRESHOLDS, (e) => events.push(e));
  assert.equal(events.length, 0);
  assert.ok(measured?.result.status === 'done');
  assert.equal(measured.result.summary.firstInitializationMs, undefined);
  assert.equal(measured.firstAnalysis, undefined);
  const report = sourceReport('deep.ts', source, () => ({ measured }));
  assert.equal(report.models[0]!.measurement!.firstVerdict, undefined);
});

test('a stop while the others confirm the first keeps the first initialization, marked partial', async () => {
  await tf.setBackend('cpu');
  const graph = readSource(DEEP_SIGMOID, 'deep.ts').entries[0]!.model;
  let stop = false;
  const summary = await measure(tf, graph, { ...OPTIONS, seeds: 3 }, { firstInitialization: () => (stop = true) }, { cancelled: () => stop });
  assert.deepEqual(summary.initializations, []);
  assert.equal(summary.stoppedBy, 'completed');
  assert.equal(summary.partial?.reason, 'the run was stopped after 1 of 3 initializations');
});
