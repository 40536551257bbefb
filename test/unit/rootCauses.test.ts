/**
 * Root causes named on the faulty line, with fixes that fit: the team's verdict case files
 * (test/fixtures/cases/keras, copied from shared/cases/keras), label facts in both languages, and the
 * applicability of the dead-ReLU and He-init fixes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { mergeFindings, type Finding } from '../../src/core/analysis/findings';
import { measuredFindings, type MeasuredAnalysis } from '../../src/core/analysis/measuredRules';
import { staticFindings } from '../../src/core/analysis/staticRules';
import { applicableFixes, applyFixes, planFix } from '../../src/core/fixes/index';
import type { ModelGraph } from '../../src/core/ir';
import { fileReport } from '../../src/core/report';
import { parseSource } from '../../src/core/source';
import { measure } from '../../src/training/measure';
import { DEFAULT_RUN_OPTIONS, type RunSummary } from '../../src/training/protocol';
import { headline } from '../../src/shared/headline';

const cases = join(__dirname, '..', 'test', 'fixtures', 'cases', 'keras');
const read = (file: string): string => readFileSync(join(cases, file), 'utf8');

async function analyse(text: string, file: string): Promise<{ graph: ModelGraph; merged: Finding[]; measured: Finding[]; analysis: MeasuredAnalysis; summary: RunSummary; lines: ReturnType<typeof fileReport>['models'][number]['findings'] }> {
  await tf.setBackend('cpu');
  const graph = parseSource(text, file).models[0]!;
  const summary = await measure(tf, graph, DEFAULT_RUN_OPTIONS, {}, { cancelled: () => false });
  const analysis = measuredFindings(graph, summary);
  const measured = analysis.findings;
  const merged = mergeFindings(staticFindings(graph), measured, new Set([graph.name]));
  const lines = fileReport(file, text, { models: [graph], problems: [] }, () => ({ findings: merged })).models[0]!.findings;
  return { graph, merged, measured, analysis, summary, lines };
}

const cli = join(__dirname, '..', 'dist', 'cli.js');
function runCli(...args: string[]): { code: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout };
}

test('softmax over one unit (r21): named on the output line with output-sigmoid first, measured as its cause, not as dead ReLUs', async () => {
  const file = 'r21_softmax_one_unit.py';
  const { measured, lines, analysis, summary } = await analyse(read(file), file);
  assert.ok(!measured.some((f) => f.code === 'dead-relu'), 'no dead-relu blame on hidden layers');
  // The verdict names the cause too: a constant output, not dead units, in every layer.
  assert.equal(analysis.modelVerdict, 'constant-output');
  assert.deepEqual(analysis.verdicts, { dense_1: 'constant-output', dense_2: 'constant-output' });
  const words = headline(analysis, summary);
  assert.equal(words.words, 'Constant output: softmax over one unit');
  assert.equal(words.finding!.code, 'softmax-one-unit');
  assert.ok(!measured.some((f) => f.fixes.some((c) => ['activation-leaky-relu', 'activation-elu', 'init-he'].includes(c))), 'no dead-ReLU fixes');
  const finding = lines.find((f) => f.code === 'softmax-one-unit')!;
  assert.equal(finding.severity, 'error');
  assert.equal(finding.source, 'measured');
  assert.equal(finding.line, 7);
  assert.deepEqual(finding.layers, ['dense_2']);
  assert.equal(finding.fixes[0], 'output-sigmoid');
  assert.match(finding.message, /always exactly 1.*exactly zero kernel gradients/s);
  // The fix makes gradients flow.
  const fixed = applyFixes(read(file), file, 'net', ['output-sigmoid']).text;
  assert.match(fixed, /Dense\(1, activation="sigmoid"\)/);
  const after = await analyse(fixed, file);
  assert.ok(!after.merged.some((f) => f.severity !== 'info'), after.merged.map((f) => f.code).join(', '));
});

test('softmax over one unit through the CLI: JSON verdict, text and SARIF name the constant output, never dead ReLUs', () => {
  const file = join(cases, 'r21_softmax_one_unit.py');
  const json = runCli('analyze', file, '--json', '--seed', '7');
  assert.equal(json.code, 1);
  const model = (JSON.parse(json.stdout) as { files: { models: { findings: { code: string; fixes: string[] }[]; measurement: { verdict: string; message: string } }[] }[] }).files[0]!.models[0]!;
  assert.equal(model.measurement.verdict, 'constant-output');
  assert.match(model.measurement.message, /verdict: constant-output(;|$)/);
  assert.deepEqual(model.findings.map((f) => f.code), ['softmax-one-unit']);
  assert.deepEqual(model.findings[0]!.fixes, ['output-sigmoid']);
  const text = runCli('analyze', file, '--seed', '7');
  assert.match(text.stdout, /verdict: constant-output/);
  assert.doesNotMatch(text.stdout, /dead-relu|dead units/);
  const sarif = JSON.parse(runCli('analyze', file, '--format', 'sarif', '--seed', '7').stdout) as { runs: { results: { ruleId: string; level: string }[] }[] };
  assert.deepEqual(sarif.runs[0]!.results.map((r) => [r.ruleId, r.level]), [['softmax-one-unit', 'error']]);
});

test('softmax over one unit after saturated tanh layers: the saturation is secondary (an info without fixes), the verdict is the constant output', async () => {
  const text = `from keras.models import Sequential
from keras.layers import Dense, Activation
from keras import initializers

net = Sequential()
net.add(Dense(16, input_dim=6, kernel_initializer=initializers.RandomNormal(stddev=5.0)))
net.add(Activation("tanh"))
net.add(Dense(16, kernel_initializer=initializers.RandomNormal(stddev=5.0)))
net.add(Activation("tanh"))
net.add(Dense(1, activation="softmax"))
net.compile(loss="binary_crossentropy", optimizer="adam")
`;
  const { analysis } = await analyse(text, 'saturated_softmax.py');
  assert.equal(analysis.modelVerdict, 'constant-output');
  assert.deepEqual(analysis.findings.filter((f) => f.severity !== 'info').map((f) => f.code), ['softmax-one-unit']);
  const saturated = analysis.findings.find((f) => f.code === 'saturating-activation');
  assert.ok(saturated, 'the tanh layers (stddev 5) saturate');
  assert.deepEqual([saturated.severity, saturated.fixes], ['info', []]);
  assert.match(saturated.message, /^Secondary to the constant output/);
  assert.ok(Object.values(analysis.verdicts).every((v) => v === 'constant-output'), JSON.stringify(analysis.verdicts));
});

test('categorical cross-entropy on one unit (r04): measurable, softmax named on the output line and the loss on the compile line', async () => {
  const file = 'r04_cce_one_unit.py';
  const { lines, analysis } = await analyse(read(file), file);
  assert.equal(analysis.modelVerdict, 'constant-output');
  assert.ok(!lines.some((f) => f.code === 'dead-relu'));
  const softmax = lines.find((f) => f.code === 'softmax-one-unit')!;
  assert.equal(softmax.line, 7);
  assert.equal(softmax.fixes[0], 'output-sigmoid');
  const loss = lines.find((f) => f.code === 'loss-mismatch')!;
  assert.equal(loss.line, 8);
  assert.equal(loss.severity, 'error');
  assert.equal(loss.fixes[0], 'loss-binary-crossentropy');
  const fixed = applyFixes(read(file), file, 'net', ['output-sigmoid', 'loss-binary-crossentropy']).text;
  assert.match(fixed, /Dense\(1, activation="sigmoid"\)\)\nnet\.compile\(loss="binary_crossentropy"/);
  assert.deepEqual(staticFindings(parseSource(fixed, file).models[0]!).filter((f) => f.severity !== 'info'), []);
});

test('two sigmoid outputs with sparse categorical cross-entropy (r06b): on the Activation line, output-softmax first', () => {
  const file = 'r06b_sparse_cce_sigmoid2.py';
  const text = read(file);
  const graph = parseSource(text, file).models[0]!;
  const report = fileReport(file, text, { models: [graph], problems: [] }, () => ({ findings: staticFindings(graph) })).models[0]!.findings;
  const finding = report.find((f) => f.code === 'output-activation-mismatch')!;
  assert.equal(finding.severity, 'warning');
  assert.equal(finding.line, 8);
  assert.deepEqual(finding.fixes, ['output-softmax', 'loss-binary-crossentropy']);
  assert.match(applyFixes(text, file, 'net', ['output-softmax']).text, /net\.add\(Activation\("softmax"\)\)/);
});

test('a model without an input shape (r01) still gets its softmax verdict from the code', () => {
  const file = 'r01_no_input_shape.py';
  const graph = parseSource(read(file), file).models[0]!;
  const finding = staticFindings(graph).find((f) => f.code === 'softmax-one-unit')!;
  assert.deepEqual(finding.layers, ['dense_2']);
  assert.equal(finding.fixes[0], 'output-sigmoid');
});

test('layers held in variables (dl_layer_variables): every offered fix applies with `fix`, He init is not offered, the learning rate comes first', async () => {
  const file = 'dl_layer_variables.py';
  const text = read(file);
  const { lines } = await analyse(text, file);
  const offered = [...new Set(lines.flatMap((f) => f.fixes))];
  assert.ok(offered.includes('insert-batch-norm'));
  assert.ok(!offered.includes('init-he'));
  for (const code of offered) {
    const result = applyFixes(text, file, 'net', [code as Parameters<typeof planFix>[3]]);
    assert.deepEqual(result.applied, [code], `${code}: ${result.skipped[0]?.reason ?? ''}`);
  }
  assert.match(applyFixes(text, file, 'net', ['insert-batch-norm']).text, /net\.add\(hidden\)\nnet\.add\(BatchNormalization\(\)\)/);
  const cause = lines.find((f) => f.code === 'high-learning-rate')!;
  assert.equal(cause.line, 13);
  assert.equal(cause.fixes[0], 'lower-learning-rate');
  assert.equal(lines.find((f) => f.code === 'non-finite-gradient')!.fixes[0], 'lower-learning-rate');
});

test('a builder compiled with SGD lr 50 (as dl_builder_caller): divergence named on the optimizer, lower-learning-rate first, and the fix ends it', async () => {
  const file = 'caller.py';
  const text = `from keras.models import Sequential
from keras.layers import Dense
from keras.optimizers import SGD

def build(width):
    net = Sequential()
    net.add(Dense(width, input_dim=4, activation='relu'))
    net.add(Dense(1))
    return net

net = build(16)
net.compile(loss='mse', optimizer=SGD(lr=50.0))
`;
  const { lines, measured } = await analyse(text, file);
  const cause = measured.find((f) => f.code === 'high-learning-rate')!;
  assert.ok(cause, measured.map((f) => f.code).join(', '));
  assert.equal(lines.find((f) => f.code === 'high-learning-rate')!.line, 12);
  assert.deepEqual(lines.find((f) => f.code === 'high-learning-rate')!.fixes, ['lower-learning-rate', 'clip-gradients']);
  const fixed = applyFixes(text, file, 'net', ['lower-learning-rate']);
  assert.match(fixed.text, /SGD\(lr=0\.01\)/);
  assert.deepEqual(applyFixes(fixed.text, file, 'net', ['lower-learning-rate']).applied, []);
  const after = await analyse(fixed.text, file);
  assert.ok(!after.merged.some((f) => f.severity !== 'info'), after.merged.map((f) => f.code).join(', '));
});

test('label facts: read from the fit call in both languages, through assignments, splits and constants', () => {
  const labels = (text: string, file: string) => parseSource(text, file).models[0]!.labels;
  const py = (y: string, extra = '') => `import numpy as np\nfrom keras.models import Sequential\nfrom keras.layers import Dense\n${extra}X = np.random.rand(10, 4)\n${y}\nm = Sequential()\nm.add(Dense(1, input_dim=4))\nm.compile(loss='mse', optimizer='adam')\nm.fit(X, y)\n`;
  assert.deepEqual(
    { kind: labels(py('y = to_categorical(labels, 10)'), 'a.py')!.kind, classes: labels(py('y = to_categorical(labels, 10)'), 'a.py')!.classes },
    { kind: 'one-hot', classes: 10 },
  );
  assert.equal(labels(py('y = keras.utils.to_categorical(labels, num_classes=N)', 'N = 7\n'), 'a.py')!.classes, 7);
  assert.equal(labels(py('y = np.random.randint(0, 2, size=(10, 1))'), 'a.py')!.kind, 'binary');
  assert.deepEqual(labels(py('y = np.random.randint(5, size=10)'), 'a.py')!.classes, 5);
  assert.equal(labels(py('X, y = make_classification(n_samples=10, n_classes=5)'), 'a.py')!.classes, 5);
  assert.equal(labels(py('X, y = make_classification(n_samples=10)'), 'a.py')!.kind, 'binary');
  assert.equal(labels(py('y = 2 * X[:, 0] + 1'), 'a.py')!.kind, 'regression');
  const split = labels(py('X2, y = make_regression(n_samples=10)\nX_train, X_test, y_train, y_test = train_test_split(X2, y)').replace('m.fit(X, y)', 'm.fit(X_train, y_train)'), 'a.py');
  assert.equal(split!.kind, 'regression');
  const uniform = labels(py('y = np.random.uniform(0, 100, size=(10, 1))'), 'a.py')!;
  assert.deepEqual([uniform.kind, uniform.min, uniform.max], ['regression', 0, 100]);
  assert.equal(labels(py('y = something_else()'), 'a.py'), undefined);
  const ts = (ys: string) => `import * as tf from '@tensorflow/tfjs';\nconst xs = tf.randomNormal([8, 4]);\nconst ys = ${ys};\nconst model = tf.sequential();\nmodel.add(tf.layers.dense({ units: 1, inputShape: [4] }));\nmodel.compile({ optimizer: 'adam', loss: 'meanSquaredError' });\nmodel.fit(xs, ys, { epochs: 1 });\n`;
  assert.deepEqual([labels(ts("tf.oneHot(tf.tensor1d([0, 1], 'int32'), 10)"), 'a.ts')!.kind, labels(ts("tf.oneHot(tf.tensor1d([0, 1], 'int32'), 10)"), 'a.ts')!.classes], ['one-hot', 10]);
  const literal = labels(ts('tf.tensor2d([-3, -1, 1, 3, 5, 7], [6, 1])'), 'a.ts')!;
  assert.deepEqual([literal.kind, literal.min, literal.max], ['regression', -3, 7]);
  assert.equal(labels(ts('tf.tensor2d([0, 1, 1, 0], [4, 1])'), 'a.ts')!.kind, 'binary');
  assert.equal(labels(ts('xs.mul(2).add(1)'), 'a.ts')!.kind, 'regression');
  // Stated facts decide: sigmoid + MSE on 0/1 labels is legitimate, on real-valued targets it is not.
  const sigmoidMse = (y: string) => py(y).replace('Dense(1, input_dim=4)', "Dense(1, input_dim=4, activation='sigmoid')");
  const codes = (text: string) => staticFindings(parseSource(text, 'a.py').models[0]!).filter((f) => f.severity !== 'info').map((f) => f.code);
  assert.deepEqual(codes(sigmoidMse('y = np.random.randint(0, 2, size=(10, 1))')), []);
  assert.deepEqual(codes(sigmoidMse('y = np.random.rand(10, 1)')), []);
  assert.deepEqual(codes(sigmoidMse('y = 2 * X[:, 0] + 1')), ['output-activation-mismatch']);
  // from_logits=True makes a linear output right for cross-entropy.
  const logits = py('y = to_categorical(labels, 3)', 'from tensorflow import keras\n').replace('Dense(1, input_dim=4)', 'Dense(3, input_dim=4)').replace("loss='mse'", 'loss=keras.losses.CategoricalCrossentropy(from_logits=True)');
  assert.deepEqual(codes(logits), []);
  assert.deepEqual(codes(logits.replace('from_logits=True', '')), ['output-activation-mismatch']);
});

test('dead ReLU layers get leaky ReLU, ELU and He init; a sigmoid stack never gets He init', () => {
  const relu = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({ units: 8, activation: 'relu', inputShape: [4] }));
model.add(tf.layers.dense({ units: 8, activation: 'relu' }));
model.add(tf.layers.dense({ units: 1 }));
`;
  const graph = parseSource(relu, 'relu.ts').models[0]!;
  const dead = { fixes: ['activation-leaky-relu', 'init-he', 'activation-elu'] as const, layers: ['dense_1', 'dense_2'] };
  assert.deepEqual(applicableFixes(relu, 'relu.ts', graph, { fixes: [...dead.fixes], layers: dead.layers }), ['activation-leaky-relu', 'init-he', 'activation-elu']);
  const leaky = applyFixes(relu, 'relu.ts', 'model', ['activation-leaky-relu']);
  assert.equal((leaky.text.match(/leakyReLU\(\)/g) ?? []).length, 2);
  assert.deepEqual(applyFixes(leaky.text, 'relu.ts', 'model', ['activation-leaky-relu']).applied, []);
  assert.equal((applyFixes(relu, 'relu.ts', 'model', ['activation-elu']).text.match(/'elu'/g) ?? []).length, 2);
  const sigmoid = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
for (let i = 0; i < 6; i++) model.add(tf.layers.dense({ units: 8, activation: 'sigmoid', inputShape: [4] }));
model.add(tf.layers.dense({ units: 1 }));
`;
  const stack = parseSource(sigmoid, 's.ts').models[0]!;
  const vanishing = staticFindings(stack).find((f) => f.code === 'vanishing-gradient')!;
  assert.ok(!vanishing.fixes.includes('init-he'));
  assert.ok('unavailable' in planFix(sigmoid, 's.ts', stack, 'init-he', vanishing.layers));
});

test('an optimizer made in a variable: the learning-rate finding sits where it is made, and the fix edits it there', () => {
  const py = `from keras.models import Sequential
from keras.layers import Dense
from keras.optimizers import Adam
model = Sequential()
model.add(Dense(8, activation='relu', input_dim=4))
model.add(Dense(1, activation='sigmoid'))
opt = Adam(lr=0.5)
model.compile(loss='binary_crossentropy', optimizer=opt)
`;
  const ts = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({ units: 1, inputShape: [4] }));
const optimizer = tf.train.sgd(5);
model.compile({ optimizer, loss: 'meanSquaredError' });
`;
  for (const [text, file, line, fixed] of [[py, 'a.py', 7, /opt = Adam\(lr=0\.001\)/], [ts, 'a.ts', 4, /tf\.train\.sgd\(0\.01\)/]] as const) {
    const graph = parseSource(text, file).models[0]!;
    const report = fileReport(file, text, { models: [graph], problems: [] }, () => ({ findings: staticFindings(graph) })).models[0]!.findings;
    const finding = report.find((f) => f.code === 'high-learning-rate');
    assert.ok(finding, `${file}: ${report.map((f) => f.code).join(', ')}`);
    assert.equal(finding.line, line, file);
    assert.deepEqual(finding.fixes, ['lower-learning-rate', 'clip-gradients']);
    assert.match(applyFixes(text, file, 'model', ['lower-learning-rate']).text, fixed);
  }
});
