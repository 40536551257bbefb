import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MEASURED_THRESHOLDS } from '../../src/core/analysis/measuredRules';
import type { ModelGraph } from '../../src/core/ir';
import { DEFAULT_RUN_OPTIONS, type RunOptions, type RunResult, type RunSummary } from '../../src/core/measurement';
import { documentFindings, measureEntry, measuredOutcome, readSource, sourceReport, type MeasurementPort } from '../../src/core/pipeline/index';

/** A deep sigmoid stack whose learning rate the code cannot know (an environment variable). */
const UNKNOWN_RATE = `import * as tf from '@tensorflow/tfjs';
const learningRate = Number(process.env.LEARNING_RATE);
const model = tf.sequential();
model.add(tf.layers.dense({ units: 32, activation: 'sigmoid', inputShape: [16] }));
for (let i = 0; i < 8; i++) model.add(tf.layers.dense({ units: 32, activation: 'sigmoid' }));
model.add(tf.layers.dense({ units: 1 }));
model.compile({ optimizer: tf.train.sgd(learningRate), loss: 'meanSquaredError' });
`;

/** The input width is unknown: it decides a shape, so it blocks. */
const UNKNOWN_WIDTH = `import * as tf from '@tensorflow/tfjs';
const width = Number(process.env.WIDTH);
const model = tf.sequential();
model.add(tf.layers.dense({ units: 4, activation: 'relu', inputShape: [width] }));
model.add(tf.layers.dense({ units: 1 }));
model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
`;

/** A fake measurement: kernel gradient norms falling 10x per layer from the output down. */
class FakePort implements MeasurementPort<string> {
  readonly graphs: ModelGraph[] = [];
  async run(graph: ModelGraph, _options: RunOptions, onEvent?: (event: string) => void): Promise<RunResult> {
    this.graphs.push(graph);
    onEvent?.('started');
    const ids = graph.layers.map((l) => l.id);
    const norms = ids.map((_, i) => 10 ** (i - ids.length + 1));
    const summary: RunSummary = {
      backend: 'fake',
      stoppedBy: 'completed',
      steps: 10,
      epochs: 1,
      elapsedMs: 5,
      trainingMs: 4,
      losses: [1, 0.9],
      layers: Object.fromEntries(ids.map((id, i) => [id, { gradNorm: norms[i]!, biasGradNorm: null, meanAbs: null, maxAbs: null, updateRatio: null }])),
      probe: {
        layers: Object.fromEntries(ids.map((id, i) => [id, { kernel: { norm: norms[i]!, meanAbs: norms[i]! / 10, maxAbs: norms[i]! } }])),
        loss: 1,
        activations: {},
        temporal: [],
        elapsedMs: 1,
      },
      trainableLayers: ids,
    };
    return { status: 'done', summary, backend: 'fake' };
  }
}

test('pipeline: a hole that decides no layer is measured with its documented default, said in the report', async () => {
  const source = readSource(UNKNOWN_RATE, 'rate.ts');
  const [entry] = source.entries;
  assert.ok(entry);
  assert.equal(entry.model.holes?.[0]?.name, 'learningRate', 'the model as written keeps its hole');
  assert.ok(entry.predicted.some((f) => f.code === 'vanishing-gradient'), 'static rules predict vanishing gradients');
  const ready = entry.measurable();
  assert.ok(ready);
  assert.equal(ready.graph.holes, undefined, 'the measured graph has the default filled');
  assert.match(ready.defaultsUsed[0]?.message ?? '', /learning rate `learningRate` unknown: used 0\.01/);

  const port = new FakePort();
  const events: string[] = [];
  const measured = await measureEntry(port, entry, DEFAULT_RUN_OPTIONS, DEFAULT_MEASURED_THRESHOLDS, (e) => events.push(e));
  assert.deepEqual(events, ['started'], 'the port\'s events reach the caller');
  assert.equal(port.graphs[0], ready.graph, 'the port trained the filled graph');
  assert.equal(measured?.analysis?.modelVerdict, 'vanishing');

  // The merged findings: the measurement replaces the prediction of the same code.
  const findings = documentFindings(source, new Map([[entry.model.name, measured!.analysis!]]));
  const vanishing = findings.filter((f) => f.code === 'vanishing-gradient');
  assert.equal(vanishing.length, 1);
  assert.equal(vanishing[0]!.source, 'measured');

  // The CLI's report and the editor's export are the same function of the same result.
  const fromRun = sourceReport('rate.ts', source, () => ({ measured: measured! }));
  const fromStore = sourceReport('rate.ts', source, (e) => measuredOutcome(e, (measured!.result as Extract<RunResult, { status: 'done' }>).summary, measured!.analysis!));
  assert.deepEqual(fromStore, fromRun);
  const model = fromRun.models[0]!;
  assert.equal(model.measurement?.status, 'measured');
  assert.equal(model.measurement?.verdict, 'vanishing');
  assert.equal(model.defaultsUsed?.[0]?.name, 'learningRate');
  assert.equal(model.holes?.[0]?.blocking, false);
});

test('pipeline: a hole that decides a shape blocks; nothing is sent to the port and the report says unresolved', async () => {
  const source = readSource(UNKNOWN_WIDTH, 'width.ts');
  const [entry] = source.entries;
  assert.ok(entry);
  assert.equal(entry.measurable(), undefined);
  const port = new FakePort();
  assert.equal(await measureEntry(port, entry, DEFAULT_RUN_OPTIONS, DEFAULT_MEASURED_THRESHOLDS), undefined);
  assert.equal(port.graphs.length, 0);
  const report = sourceReport('width.ts', source, () => ({}));
  assert.equal(report.models[0]?.measurement?.status, 'unresolved');
  assert.match(report.models[0]?.measurement?.message ?? '', /width/);
  assert.equal(report.models[0]?.holes?.[0]?.blocking, true);
});

test('pipeline: a file that builds a model the parser cannot read is said, with the line of the call', () => {
  const text = `import * as tf from '@tensorflow/tfjs';\nconst layers = makeLayers();\nexport const net = tf.sequential({ layers });\n`;
  const source = readSource(text, 'opaque.ts');
  assert.equal(source.entries.length, 0);
  const report = sourceReport('opaque.ts', source, () => ({}));
  assert.equal(report.noModel?.line, 3);
  assert.match(report.noModel?.message ?? '', /tf\.sequential\(/);
});

test('pipeline: a refusal found before training (static run) is a failed measurement on the layer at fault', () => {
  const source = readSource(UNKNOWN_RATE, 'rate.ts');
  const [entry] = source.entries;
  const layer = entry!.model.layers[3]!;
  const report = sourceReport('rate.ts', source, () => ({ refusal: { message: `\`${layer.id}\` is refused`, layerId: layer.id } }));
  assert.equal(report.models[0]?.measurement?.status, 'failed');
  assert.equal(report.models[0]?.measurement?.layer, layer.id);
  assert.equal(report.models[0]?.measurement?.line, 5, 'the line of the loop call that made the layer');
});
