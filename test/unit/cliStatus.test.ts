/**
 * The CLI's exit statuses, time budget and SARIF output (issue 14 item 7), run as users run it:
 * a subprocess of dist/cli.js on fixtures (test/fixtures/robustness holds copies of
 * ../shared/cases and our own odd models).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { modelCallIn } from '../../src/core/pipeline/buildsModel';

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const R = 'test/fixtures/robustness';
/** The team's Keras case files (one copy, test/fixtures/cases/keras). */
const K = 'test/fixtures/cases/keras';

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Measurement {
  status: string;
  message?: string;
  partial?: true;
  reason?: string;
  notes?: string[];
  line?: number;
  layer?: string;
}
interface JsonReport {
  files: { file: string; noModel?: { line: number; message: string }; models: { name: string; measurement: Measurement; findings: { severity: string }[] }[] }[];
}
const json = (stdout: string): JsonReport => JSON.parse(stdout) as JsonReport;

test('exit 3 when a model is not measured (failed on a layer, unresolved, none read from a file that builds one), with the line', () => {
  const failed = run('analyze', `${R}/neg.ts`, '--json');
  assert.equal(failed.code, 3);
  const negative = json(failed.stdout).files[0]!.models[0]!.measurement;
  assert.deepEqual({ ...negative, message: undefined }, { status: 'failed', message: undefined, line: 5, layer: 'dense_2' });
  assert.match(negative.message!, /^`dense_2` has `units: -3`; it must be a positive integer/);
  const inputOnly = json(run('analyze', `${R}/onlyinput.ts`, '--json').stdout).files[0]!.models[0]!.measurement;
  assert.equal(inputOnly.status, 'failed');
  assert.equal(inputOnly.line, 4);
  assert.match(inputOnly.message!, /no trainable weights \(it is only an input\)/);

  const unresolved = run('analyze', `${R}/unresolved.ts`, '--json');
  assert.equal(unresolved.code, 3);
  assert.equal(json(unresolved.stdout).files[0]!.models[0]!.measurement.status, 'unresolved');

  const none = run('analyze', `${R}/no_model_read.py`, '--json');
  assert.equal(none.code, 3);
  const file = json(none.stdout).files[0]!;
  assert.equal(file.models.length, 0);
  assert.equal(file.noModel!.line, 5);
  assert.match(file.noModel!.message, /builds a model \(it imports Keras and calls `keras\.Sequential\(\.\.\.\)` on line 5\), but no model could be read/);
  const text = run('analyze', `${R}/no_model_read.py`);
  assert.match(text.stdout, /line 5: error: This file builds a model/);

  // A script that trains a model loaded from a saved file: exit 3 with its own message (was exit 0, nothing said).
  const loaded = run('analyze', `${R}/loads_and_trains.py`, '--json');
  assert.equal(loaded.code, 3);
  const loadedFile = json(loaded.stdout).files[0]!;
  assert.equal(loadedFile.models.length, 0);
  assert.equal(loadedFile.noModel!.line, 6);
  assert.match(loadedFile.noModel!.message, /trains a model it loads from a saved file \(`load_model\(\.\.\.\)` on line 6\): its layers are in that file/);

  // 3 wins over findings: a clean verdict elsewhere does not hide an unmeasured model.
  assert.equal(run('analyze', 'examples/deep-sigmoid-mlp.ts', `${R}/neg.ts`, '--epochs', '1').code, 3);
  // A file that builds nothing is not a missing model.
  assert.equal(run('analyze', 'package.json', '--static').code, 0);
});

test('--static: 0/1 from static findings, 3 for unresolved, untrainable and unread models', () => {
  assert.equal(run('analyze', 'examples/residual-functional.ts', '--static').code, 0);
  assert.equal(run('analyze', 'examples/deep-sigmoid-mlp.ts', '--static').code, 1);
  assert.equal(run('analyze', `${R}/unresolved.ts`, '--static').code, 3);
  assert.equal(run('analyze', `${R}/zero.ts`, '--static').code, 3);
  assert.equal(run('analyze', `${R}/no_model_read.py`, '--static').code, 3);
});

test('models that crashed a run are measured: a GRU over one time step, a one-unit categorical loss, an embedding on wasm', () => {
  const { code, stdout } = run('analyze', `${K}/r05_gru_one_step.py`, `${K}/r04_cce_one_unit.py`, `${K}/r12_embedding_wasm.py`, '--json', '--epochs', '1');
  const [gru, cce, embedding] = json(stdout).files.map((f) => f.models[0]!.measurement);
  assert.notEqual(code, 3, stdout);
  assert.equal(gru!.status, 'measured');
  assert.equal(cce!.status, 'measured');
  assert.equal(embedding!.status, 'measured');
  assert.doesNotMatch(JSON.stringify([gru, cce, embedding]), /not registered|oneHot|stack must be/);
});

test('--time-budget: a run over it reports what it measured so far, marked partial, in JSON and text', () => {
  const { code, stdout } = run('analyze', `${K}/r18b_budget.py`, '--json', '--time-budget', '4');
  const measurement = json(stdout).files[0]!.models[0]!.measurement;
  assert.equal(measurement.status, 'measured', JSON.stringify(measurement));
  assert.equal(measurement.partial, true);
  assert.match(measurement.reason!, /the 4 s time budget (ran out|left room for the probe on one sample only)/);
  assert.match(measurement.notes!.join(' '), /Batch size \d+ instead of 32/);
  assert.notEqual(code, 3);
  const text = run('analyze', `${K}/r18b_budget.py`, '--time-budget', '4').stdout;
  assert.match(text, /measured \(partial\): .*\n\s+partial: the 4 s time budget/);
});

test('usage: --format and --time-budget are checked, and --help documents every exit status', () => {
  assert.equal(run('analyze', 'examples/deep-sigmoid-mlp.ts', '--format', 'xml').code, 2);
  assert.equal(run('analyze', 'examples/deep-sigmoid-mlp.ts', '--json', '--format', 'sarif').code, 2);
  assert.equal(run('analyze', 'examples/deep-sigmoid-mlp.ts', '--time-budget', '0').code, 2);
  assert.equal(run('analyze', 'examples/deep-sigmoid-mlp.ts', '--time-budget', 'soon').code, 2);
  const help = run('--help').stdout;
  for (const status of [/^ {2}2 {2}usage error/m, /^ {2}3 {2}a model could not be measured/m, /^ {2}1 {2}findings/m, /^ {2}0 {2}every model was measured/m]) assert.match(help, status);
  assert.match(help, /--time-budget SECONDS/);
  assert.match(help, /--format text\|json\|sarif/);
});

test('--format sarif writes a SARIF 2.1.0 log: findings and unmeasured models as results on their lines', () => {
  const { code, stdout } = run('analyze', 'examples/deep-sigmoid-mlp.ts', `${R}/neg.ts`, `${R}/no_model_read.py`, `${R}/unresolved.ts`, '--format', 'sarif', '--epochs', '1');
  assert.equal(code, 3);
  const log = JSON.parse(stdout) as Record<string, unknown> & { runs: Record<string, unknown>[] };
  // The 2.1.0 schema's required properties, checked one by one.
  assert.equal(log.version, '2.1.0');
  assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  assert.equal(log.runs.length, 1);
  const sarifRun = log.runs[0] as { tool: { driver: { name: string; version: string; rules: { id: string; shortDescription: { text: string }; help: { text: string }; helpUri: string }[] } }; results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] };
  const driver = sarifRun.tool.driver;
  assert.equal(driver.name, 'Gradient Lens');
  assert.match(driver.version, /^\d+\.\d+\.\d+/);
  const ids = driver.rules.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
  for (const rule of driver.rules) {
    assert.ok(rule.shortDescription.text.length > 10 && rule.help.text.length > 20, rule.id);
    assert.match(rule.helpUri, /^https:\/\//);
  }
  assert.ok(Array.isArray(sarifRun.results) && sarifRun.results.length >= 4);
  for (const result of sarifRun.results) {
    assert.equal(ids[result.ruleIndex], result.ruleId);
    assert.ok(['error', 'warning', 'note', 'none'].includes(result.level));
    assert.ok(result.message.text.length > 0);
    const location = result.locations[0]!.physicalLocation;
    assert.equal(typeof location.artifactLocation.uri, 'string');
    assert.doesNotMatch(location.artifactLocation.uri, /\\/);
    assert.ok(Number.isInteger(location.region.startLine) && location.region.startLine >= 1);
  }
  const at = (ruleId: string) => sarifRun.results.filter((r) => r.ruleId === ruleId).map((r) => `${r.locations[0]!.physicalLocation.artifactLocation.uri}:${r.locations[0]!.physicalLocation.region.startLine}:${r.level}`);
  assert.ok(at('vanishing-gradient').includes('examples/deep-sigmoid-mlp.ts:11:warning'), JSON.stringify(at('vanishing-gradient')));
  assert.deepEqual(at('model-not-measured'), [`${R}/neg.ts:5:error`]);
  assert.deepEqual(at('no-model-found'), [`${R}/no_model_read.py:5:error`]);
  assert.equal(at('model-unresolved').length, 1);
  assert.match(at('model-unresolved')[0]!, /^test\/fixtures\/robustness\/unresolved\.ts:\d+:error$/);
});

test('a file "builds a model" when it imports tfjs/Keras and calls a layer constructor (not array methods, not tf.model over loaded layers)', () => {
  const tfjs = "import * as tf from '@tensorflow/tfjs';\n";
  assert.deepEqual(modelCallIn(`${tfjs}const x = 1;\nconst d = tf.layers.dense({units: 2});`, false), { line: 3, call: 'tf.layers.dense(' });
  assert.deepEqual(modelCallIn(`const {layers} = require('@tensorflow/tfjs');\nconst d = layers.conv2d({filters: 2});`, false), { line: 2, call: 'layers.conv2d(' });
  // tfjs-examples visualize-convnet and jena-weather: these build no model of their own.
  assert.equal(modelCallIn(`${tfjs}const aux = tf.model({inputs: model.inputs, outputs: layer.output});\nmanifest.layers.push(x);`, false), undefined);
  assert.equal(modelCallIn(`${tfjs}const {layers} = tf;\nlayers.forEach((l) => l.dispose());`, false), undefined);
  assert.equal(modelCallIn('const d = tf.layers.dense({units: 2});', false)?.line, 1, 'the global tf of a script tag');
  assert.equal(modelCallIn('import numpy as np\nx = Dense(3)', true), undefined, 'no Keras import');
  assert.deepEqual(modelCallIn('from tensorflow.keras.layers import (\n    Dense,\n    LSTM as L,\n)\nx = L(3)', true), { line: 5, call: 'L(' });
  assert.equal(modelCallIn('from keras.callbacks import EarlyStopping\ncb = EarlyStopping()', true), undefined);
  // A call written inside a string or a comment is not one (DeepDiagnosis FinalConversion.py writes code to a file).
  assert.equal(modelCallIn('import keras\nf.write("model = tf.keras.Sequential()")\n# keras.layers.Dense(3)\ns = \'\'\'\nkeras.Model(x)\n\'\'\'', true), undefined);
  assert.equal(modelCallIn(`${tfjs}// tf.layers.dense({units: 2})\nconst s = 'tf.sequential()';\nconst t = \`tf.layers.dense(\`;`, false), undefined);
  assert.deepEqual(modelCallIn('import keras\nname = "it\'s # not a comment"\nm = keras.Sequential()', true), { line: 3, call: 'keras.Sequential(' });
  // A saved model that is trained counts (its layers are elsewhere); one only used for predictions does not.
  assert.deepEqual(modelCallIn('from keras.models import load_model\nm = load_model("m.h5")\nm.fit(x, y)', true), { line: 2, call: 'load_model(', loaded: true });
  assert.deepEqual(modelCallIn('import tensorflow as tf\nm = tf.keras.models.model_from_json(s)\nm.compile(loss="mse")', true), { line: 2, call: 'model_from_json(', loaded: true });
  assert.equal(modelCallIn('from keras.models import load_model\nm = load_model("m.h5")\nprint(m.predict(x))', true), undefined);
  assert.equal(modelCallIn('import keras\n# load_model("m.h5")\nm.fit(x, y)', true), undefined);
  assert.deepEqual(modelCallIn(`${tfjs}const m = await tf.loadLayersModel('file://m/model.json');\nawait m.fit(xs, ys);`, false), { line: 2, call: 'loadLayersModel(', loaded: true });
  assert.equal(modelCallIn(`${tfjs}const m = await tf.loadLayersModel(url);\nm.predict(x);`, false), undefined);
  // tfjs-examples abalone-node: the trained model is built elsewhere; the loaded one is only compared.
  assert.equal(modelCallIn(`${tfjs}const model = createModel([8]);\nawait model.fitDataset(ds);\nconst loadedModel = await tf.loadLayersModel(p);`, false), undefined);
  // A constructor call wins over a load (the file builds a model of its own).
  assert.deepEqual(modelCallIn('import keras\nm = load_model("m.h5")\nn = keras.Sequential()\nn.fit(x, y)', true), { line: 3, call: 'keras.Sequential(' });
});

test('a model measured without a compile of its own says which loss and optimizer were used', () => {
  const out = run('analyze', `${R}/uncompiled.py`, '--json', '--seeds', '1');
  const measurement = json(out.stdout).files[0]!.models[0]!.measurement;
  assert.equal(measurement.status, 'measured');
  assert.match(measurement.notes?.join(' ') ?? '', /No `compile` of `model` was read: measured with mean squared error and SGD \(learning rate 0\.01\)/);
  const compiled = json(run('analyze', `${K}/r21_softmax_one_unit.py`, '--json', '--seeds', '1').stdout).files[0]!.models[0]!.measurement;
  assert.ok(!(compiled.notes ?? []).some((n) => n.startsWith('No `compile`')), JSON.stringify(compiled.notes));
});
