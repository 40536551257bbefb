/**
 * An over-scaled kernel initializer named as the cause of what it does to a run: ReLU stacks with
 * `RandomNormal(stddev=1)` / `randomNormal({stddev: 10})` whose softmax saturates (exactly-zero
 * gradients that looked like dead ReLU units), that overflow (blamed on a learning rate only 10x
 * its default), or whose MSE gradients are tiny behind a saturated softmax ("initializers too
 * small"). The prediction (initScale.ts) and its measured confirmation (the ReLU outputs' RMS).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mergeFindings } from '../../src/core/analysis/findings';
import { explodingInitializer, initializerScale } from '../../src/core/analysis/initScale';
import { measuredFindings } from '../../src/core/analysis/measuredRules';
import { staticFindings } from '../../src/core/analysis/staticRules';
import { applyFixes } from '../../src/core/fixes/index';
import { fileReport } from '../../src/core/report';
import { parseSource } from '../../src/core/source';
import { measure } from '../../src/training/measure';
import { DEFAULT_RUN_OPTIONS, type RunSummary } from '../../src/training/protocol';

/** A Keras ReLU stack with N(0, 1) kernels, softmax and categorical cross-entropy (a Stack Overflow classic). */
const KERAS_NORMAL_1 = `from keras.models import Sequential
from keras.layers import Dense
from keras.initializers import RandomNormal

model = Sequential()
model.add(Dense(64, input_dim=20, activation='relu', kernel_initializer=RandomNormal(stddev=1)))
model.add(Dense(64, activation='relu', kernel_initializer=RandomNormal(stddev=1)))
model.add(Dense(64, activation='relu', kernel_initializer=RandomNormal(stddev=1)))
model.add(Dense(64, activation='relu', kernel_initializer=RandomNormal(stddev=1)))
model.add(Dense(10, activation='softmax', kernel_initializer=RandomNormal(stddev=1)))
model.compile(optimizer='adam', loss='categorical_crossentropy')
`;

/** Two hidden layers only, `initializers.RandomNormal(mean=0, stddev=1)` (the old static rule needed 3). */
const KERAS_TWO_HIDDEN = `from tensorflow import keras
from tensorflow.keras import layers, initializers

model = keras.Sequential([
    layers.Dense(128, activation='relu', input_shape=(784,), kernel_initializer=initializers.RandomNormal(mean=0, stddev=1)),
    layers.Dense(128, activation='relu', kernel_initializer=initializers.RandomNormal(mean=0, stddev=1)),
    layers.Dense(10, activation='softmax', kernel_initializer=initializers.RandomNormal(mean=0, stddev=1)),
])
model.compile(optimizer='sgd', loss='categorical_crossentropy')
`;

/** tfjs, stddev 10, SGD at 10x its default rate, a regression head: it overflows at step 1. */
const TFJS_STDDEV_10 = `import * as tf from '@tensorflow/tfjs';

const model = tf.sequential();
model.add(tf.layers.dense({units: 16, inputShape: [4], activation: 'relu', kernelInitializer: tf.initializers.randomNormal({stddev: 10})}));
model.add(tf.layers.dense({units: 16, activation: 'relu', kernelInitializer: tf.initializers.randomNormal({stddev: 10})}));
model.add(tf.layers.dense({units: 1}));
model.compile({optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError'});
`;

/** tfjs, stddev 10, softmax trained with MSE: the gradients behind the saturated softmax are ~1e-17. */
const TFJS_STDDEV_10_MSE = `import * as tf from '@tensorflow/tfjs';

const model = tf.sequential();
model.add(tf.layers.dense({units: 32, inputShape: [10], activation: 'relu', kernelInitializer: tf.initializers.randomNormal({stddev: 10})}));
model.add(tf.layers.dense({units: 32, activation: 'relu', kernelInitializer: tf.initializers.randomNormal({stddev: 10})}));
model.add(tf.layers.dense({units: 32, activation: 'relu', kernelInitializer: tf.initializers.randomNormal({stddev: 10})}));
model.add(tf.layers.dense({units: 3, activation: 'softmax'}));
model.compile({optimizer: 'adam', loss: 'meanSquaredError'});
`;

const graphOf = (text: string, file: string) => parseSource(text, file).models[0]!;

async function analyse(text: string, file: string) {
  await tf.setBackend('cpu');
  const graph = graphOf(text, file);
  const summary = await measure(tf, graph, DEFAULT_RUN_OPTIONS, {}, { cancelled: () => false });
  const analysis = measuredFindings(graph, summary);
  const merged = mergeFindings(staticFindings(graph), analysis.findings, new Set([graph.name]));
  const lines = fileReport(file, text, { models: [graph], problems: [] }, () => ({ findings: merged })).models[0]!.findings;
  return { graph, summary, analysis, lines, warnings: lines.filter((f) => f.severity !== 'info') };
}

test('the predicted scale follows He et al.: N(0,1) over fan-in 20 and 64 gives logits ~4.6e3x the input; He + Glorot keeps ~1; batch norm resets it', () => {
  const scale = initializerScale(graphOf(KERAS_NORMAL_1, 'm.py'))!;
  // sqrt(20 * 64^4 / 2^4) = 4,580: each ReLU layer multiplies the second moment by fan-in / 2.
  assert.ok(Math.abs(scale.outputScale - Math.sqrt(20 * 64 ** 4 / 16)) < 1, String(scale.outputScale));
  assert.deepEqual(scale.overscaled.map((l) => l.id), ['dense_1', 'dense_2', 'dense_3', 'dense_4', 'dense_5']);
  assert.equal(scale.outputId, 'dense_5');
  const he = KERAS_NORMAL_1.replace(/kernel_initializer=RandomNormal\(stddev=1\)/g, "kernel_initializer='he_normal'").replace("activation='softmax', kernel_initializer='he_normal'", "activation='softmax'");
  const healthy = initializerScale(graphOf(he, 'm.py'))!;
  assert.ok(healthy.outputScale > 0.3 && healthy.outputScale < 3, String(healthy.outputScale));
  assert.equal(explodingInitializer(graphOf(he, 'm.py')), undefined);
  const normalized = KERAS_NORMAL_1.replace('from keras.layers import Dense', 'from keras.layers import Dense, BatchNormalization')
    .replace(/(model\.add\(Dense\(64[^\n]*\n)/g, '$1model.add(BatchNormalization())\n');
  const reset = initializerScale(graphOf(normalized, 'm.py'))!;
  // After the last batch norm only the N(0,1) softmax layer scales: sqrt(64) = 8.
  assert.ok(Math.abs(reset.outputScale - 8) < 0.01, String(reset.outputScale));
  assert.equal(explodingInitializer(graphOf(normalized, 'm.py')), undefined);
});

test('static: two over-scaled hidden layers are predicted exploding too (the old rule wanted three), with He init first', () => {
  for (const [text, file] of [[KERAS_TWO_HIDDEN, 'two.py'], [TFJS_STDDEV_10, 'ten.ts']] as const) {
    const findings = staticFindings(graphOf(text, file)).filter((f) => f.code === 'exploding-gradient');
    assert.equal(findings.length, 1, file);
    assert.equal(findings[0]!.fixes[0], 'init-he');
    assert.equal(findings[0]!.layers[0], 'dense_1');
  }
});

test('Keras ReLU + RandomNormal(stddev=1) + softmax/CCE: exploding from the initializer, on the first Dense, He first; not dead ReLU', async () => {
  const { analysis, warnings, lines } = await analyse(KERAS_NORMAL_1, 'normal1.py');
  assert.equal(analysis.modelVerdict, 'exploding');
  assert.ok(!warnings.some((f) => f.code === 'dead-relu'), warnings.map((f) => `${f.code}:${f.rule}`).join(', '));
  const cause = warnings[0]!;
  assert.equal(cause.code, 'exploding-gradient');
  assert.equal(cause.source, 'measured');
  assert.equal(cause.line, 6);
  assert.equal(cause.fixes[0], 'init-he');
  assert.match(cause.message, /root mean square reaches .* exactly zero kernel gradients/s);
  // The zero gradients are still said, as what the initializer did.
  assert.ok(lines.some((f) => f.code === 'dead-relu' && f.severity === 'info' && /^Secondary to the over-scaled initializer/.test(f.message)));
  // The first fix ends it.
  const fixed = applyFixes(KERAS_NORMAL_1, 'normal1.py', 'model', ['init-he']);
  assert.deepEqual(fixed.applied, ['init-he']);
  const after = await analyse(fixed.text, 'normal1.py');
  assert.equal(after.analysis.modelVerdict, 'healthy', after.warnings.map((f) => f.message).join('\n'));
});

test('Keras, two hidden layers with initializers.RandomNormal(mean=0, stddev=1): exploding, He first', async () => {
  const { analysis, warnings } = await analyse(KERAS_TWO_HIDDEN, 'two.py');
  assert.equal(analysis.modelVerdict, 'exploding');
  assert.equal(warnings[0]!.code, 'exploding-gradient');
  assert.equal(warnings[0]!.line, 5);
  assert.deepEqual(warnings[0]!.fixes.slice(0, 2), ['init-he', 'init-glorot']);
});

test('tfjs randomNormal({stddev: 10}) with SGD at 10x its default: the initializer is the cause, not the learning rate', async () => {
  const { analysis, warnings } = await analyse(TFJS_STDDEV_10, 'ten.ts');
  assert.equal(analysis.modelVerdict, 'non-finite');
  assert.ok(!warnings.some((f) => f.code === 'high-learning-rate'), warnings.map((f) => f.code).join(', '));
  assert.equal(warnings[0]!.code, 'exploding-gradient');
  assert.equal(warnings[0]!.line, 4);
  assert.equal(warnings[0]!.fixes[0], 'init-he');
  assert.match(warnings[0]!.message, /learning rate 0\.1 \(10x its default\) adds to it/);
  assert.equal(warnings.find((f) => f.code === 'non-finite-gradient')!.fixes[0], 'init-he');
});

test('tfjs stddev 10 behind a softmax trained with MSE: not "vanishing: initializers too small", but exploding from the initializer', async () => {
  const { analysis, warnings, lines } = await analyse(TFJS_STDDEV_10_MSE, 'mse.ts');
  assert.equal(analysis.modelVerdict, 'exploding');
  const cause = warnings.find((f) => f.code === 'exploding-gradient')!;
  assert.equal(cause.line, 4);
  assert.equal(cause.fixes[0], 'init-he');
  assert.ok(!warnings.some((f) => f.code === 'vanishing-gradient' || f.code === 'dead-relu'), warnings.map((f) => f.code).join(', '));
  assert.ok(!lines.some((f) => /initializers are too small/.test(f.message)));
});

test('a prediction the run does not confirm (ReLU outputs of normal size) names no initializer cause', () => {
  const graph = graphOf(TFJS_STDDEV_10, 'ten.ts');
  const layer = { kernel: { norm: 0, meanAbs: 0, maxAbs: 0 } };
  const summary: RunSummary = {
    backend: 'cpu', stoppedBy: 'completed', steps: 4, epochs: 1, elapsedMs: 1, trainingMs: 1, losses: [1, 1, 1, 1],
    trainableLayers: ['dense_1', 'dense_2', 'dense_3'],
    layers: { dense_1: { gradNorm: 0, biasGradNorm: 0, meanAbs: 0, maxAbs: 0, updateRatio: 0 }, dense_2: { gradNorm: 0, biasGradNorm: 0, meanAbs: 0, maxAbs: 0, updateRatio: 0 }, dense_3: { gradNorm: 0, biasGradNorm: 0, meanAbs: 0, maxAbs: 0, updateRatio: 0 } },
    probe: { layers: { dense_1: layer, dense_2: layer, dense_3: layer }, loss: 1, activations: { dense_1: { dead: 0.2, rms: 0.8 }, dense_2: { dead: 0.2, rms: 0.9 } }, temporal: [], elapsedMs: 1 },
  } as RunSummary;
  const measured = measuredFindings(graph, summary);
  assert.ok(!measured.findings.some((f) => f.rule === 'measured: over-scaled initializer'));
  assert.equal(measured.modelVerdict, 'dead');
  // The same run with the ReLU outputs grown as predicted: the initializer is named.
  const grown = { ...summary, probe: { ...summary.probe!, activations: { dense_1: { dead: 0.2, rms: 14 }, dense_2: { dead: 0.2, rms: 300 } } } };
  const named = measuredFindings(graph, grown as RunSummary);
  assert.ok(named.findings.some((f) => f.rule === 'measured: over-scaled initializer'));
  assert.equal(named.modelVerdict, 'exploding');
});
