/** The built CLI, run as users run it: a subprocess on the examples. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('analyze --json follows the contract and measures gradients', () => {
  const { code, stdout } = run('analyze', 'examples/deep-sigmoid-mlp.ts', 'examples/relu-batchnorm-mlp.ts', '--json', '--epochs', '1');
  assert.equal(code, 1, 'findings make exit status 1');
  const report = JSON.parse(stdout) as { files: { file: string; problems: unknown[]; models: { name: string; line: number; layers: { name: string; type: string; activation?: string; line: number; params: number; gradNorm: number | null }[]; findings: { code: string; severity: string; line: number; layers: string[]; fixes: string[] }[] }[] }[] };
  const [sigmoid, relu] = report.files;
  assert.equal(sigmoid!.file, 'examples/deep-sigmoid-mlp.ts');
  const model = sigmoid!.models[0]!;
  assert.equal(model.name, 'model');
  assert.equal(model.line, 10);
  assert.deepEqual(model.layers[0], { ...model.layers[0], name: 'dense_1', type: 'dense', activation: 'sigmoid', line: 11, params: 1344 });
  assert.ok(model.layers[0]!.gradNorm! < 1e-5 && model.layers[11]!.gradNorm! > 0.01);
  const vanishing = model.findings.find((f) => f.code === 'vanishing-gradient')!;
  assert.equal(vanishing.severity, 'warning');
  assert.equal(vanishing.line, 11);
  assert.deepEqual(vanishing.fixes, ['activation-relu', 'insert-batch-norm', 'add-residual']);
  assert.deepEqual(relu!.models[0]!.findings.filter((f) => f.severity !== 'info'), []);
});

test('analyze --static prints the per-layer table without training, exit 0 for a healthy model', () => {
  const { code, stdout } = run('analyze', 'examples/residual-functional.ts', '--static');
  assert.equal(code, 0);
  assert.match(stdout, /model resnet \(functional, line 22\): 21 layers, 52,097 params/);
  assert.match(stdout, /add_1 +add +\[null,64\] +0 +12/);
});

test('usage errors and unreadable files exit 2', () => {
  assert.equal(run('analyze').code, 2);
  assert.equal(run('frobnicate').code, 2);
  assert.equal(run('analyze', 'examples/deep-sigmoid-mlp.ts', '--epochs', 'many').code, 2);
  const missing = run('analyze', 'no/such/file.ts', '--static');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read no\/such\/file\.ts/);
  assert.equal(run('fix', 'examples/deep-sigmoid-mlp.ts', '--apply', 'make-it-better').code, 2);
  assert.match(run('--help').stdout, /gradient-lens analyze <file>/);
});

test('fix --apply prints or writes the fixed file', () => {
  const printed = run('fix', 'examples/deep-sigmoid-mlp.ts', '--apply', 'activation-relu,init-he', '--stdout');
  assert.equal(printed.code, 0);
  assert.match(printed.stdout, /activation: 'relu', kernelInitializer: 'heNormal'/);
  const dir = mkdtempSync(join(tmpdir(), 'gl-'));
  const copy = join(dir, 'model.ts');
  copyFileSync(join(root, 'examples', 'long-sequence-rnn.js'), copy.replace(/\.ts$/, '.js'));
  const written = run('fix', copy.replace(/\.ts$/, '.js'), '--apply', 'rnn-gru', '--write');
  assert.equal(written.code, 0);
  assert.match(readFileSync(copy.replace(/\.ts$/, '.js'), 'utf8'), /tf\.layers\.gru\(\{ units: 32/);
});

test('analyze --verify adds measured before/after verdicts; --data and --threshold are used', () => {
  const { code, stdout } = run('analyze', 'examples/deep-sigmoid-mlp.ts', '--json', '--epochs', '1', '--verify');
  assert.equal(code, 1);
  const model = JSON.parse(stdout).files[0].models[0] as { verification: { fix: string; verdict: string }[] };
  assert.deepEqual(model.verification.map((v) => v.fix).sort(), ['activation-relu', 'add-residual', 'insert-batch-norm']);
  assert.ok(['fixed', 'improved'].includes(model.verification[0]!.verdict));

  // With a threshold no ratio can reach, the same model has no vanishing finding.
  const lenient = run('analyze', 'examples/deep-sigmoid-mlp.ts', '--json', '--epochs', '1', '--threshold', 'vanishingRatio=1e-12');
  const findings = JSON.parse(lenient.stdout).files[0].models[0].findings as { code: string }[];
  assert.ok(!findings.some((f) => f.code === 'vanishing-gradient'));
  assert.equal(run('analyze', 'examples/deep-sigmoid-mlp.ts', '--threshold', 'nonsense=1').code, 2);

  const dir = mkdtempSync(join(tmpdir(), 'gl-data-'));
  const csv = join(dir, 'rows.csv');
  writeFileSync(csv, Array.from({ length: 64 }, (_, i) => [...Array.from({ length: 20 }, (_, j) => Math.sin(i + j).toFixed(3)), i % 10].join(',')).join('\n'));
  const withData = run('analyze', 'examples/deep-sigmoid-mlp.ts', '--json', '--epochs', '1', '--data', csv);
  assert.equal(withData.code, 1);
  assert.match(JSON.parse(withData.stdout).files[0].models[0].measurement.message, /completed/);
  const badData = join(dir, 'bad.csv');
  writeFileSync(badData, '1,2,3\n');
  const mismatch = run('analyze', 'examples/deep-sigmoid-mlp.ts', '--json', '--data', badData);
  assert.match(JSON.parse(mismatch.stdout).files[0].models[0].measurement.message, /must have 20 values/);
});

test('--set fills a template parameter so the model can be measured', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-set-'));
  const model = join(dir, 'model.ts');
  writeFileSync(model, `import * as tf from '@tensorflow/tfjs';
export function createModel(features: number) {
  const m = tf.sequential();
  m.add(tf.layers.dense({units: 16, activation: 'relu', kernelInitializer: 'heNormal', inputShape: [features]}));
  m.add(tf.layers.dense({units: 1}));
  m.compile({optimizer: 'adam', loss: 'meanSquaredError'});
  return m;
}
`);
  const without = JSON.parse(run('analyze', model, '--json', '--epochs', '1').stdout).files[0].models[0];
  assert.equal(without.measurement.status, 'unresolved');
  assert.match(without.measurement.message, /`features` \(input dim, used by dense_1\.inputShape\)/);
  assert.match(without.measurement.message, /gradient-lens: features=10/);
  assert.deepEqual(without.holes, [{ name: 'features', role: 'input dim', line: 2, usedBy: ['dense_1.inputShape'], suggestion: '10', blocking: true }]);
  const withSet = JSON.parse(run('analyze', model, '--json', '--epochs', '1', '--set', 'features=13').stdout).files[0].models[0];
  assert.equal(withSet.measurement.status, 'measured');
  assert.equal(withSet.layers[0].params, 13 * 16 + 16);
  assert.equal(run('analyze', model, '--set', 'nonsense').code, 2);
});

test('a Keras .py model gives the same verdicts as its tfjs twin (deep sigmoid MLP and its ReLU + batch-norm repair)', () => {
  type Model = { params: number; layers: { type: string; activation?: string; params: number }[]; findings: { code: string; severity: string; line: number; source: string }[]; measurement: { status: string; message: string } };
  const models = (...files: string[]): Model[] => {
    const { stdout } = run('analyze', ...files, '--json', '--epochs', '2');
    return (JSON.parse(stdout) as { files: { models: Model[] }[] }).files.map((f) => f.models[0]!);
  };
  const [tsSigmoid, pySigmoid, tsRelu, pyRelu] = models('examples/deep-sigmoid-mlp.ts', 'examples/deep_sigmoid_mlp.py', 'examples/relu-batchnorm-mlp.ts', 'examples/relu_batchnorm_mlp.py');
  const verdict = (m: Model): string => /verdict: (\w+)/.exec(m.measurement.message)?.[1] ?? m.measurement.status;
  const shape = (m: Model): string[] => m.layers.map((l) => `${l.type}:${l.activation ?? ''}:${l.params}`);
  const warnings = (m: Model): string[] => m.findings.filter((f) => f.severity !== 'info').map((f) => `${f.code}@${f.line}/${f.source}`).sort();
  assert.deepEqual(shape(pySigmoid!), shape(tsSigmoid!));
  assert.equal(pySigmoid!.params, tsSigmoid!.params);
  assert.equal(verdict(tsSigmoid!), 'vanishing');
  assert.equal(verdict(pySigmoid!), 'vanishing');
  // The twins are written line for line alike, so the findings land on the same lines.
  assert.deepEqual(warnings(pySigmoid!), warnings(tsSigmoid!));
  assert.deepEqual(shape(pyRelu!), shape(tsRelu!));
  assert.equal(verdict(tsRelu!), 'healthy');
  assert.equal(verdict(pyRelu!), 'healthy');
  assert.deepEqual(warnings(pyRelu!), []);
});

test('analyze binds a builder from call sites in the other files given on the command line, and in the files of its project that import it', () => {
  const { stdout } = run('analyze', 'test/fixtures/realworld/builder-lib.ts', 'test/fixtures/realworld/uses-builder.ts', '--static', '--json');
  const [library] = (JSON.parse(stdout) as { files: { models: { name: string; params: number | null; holes?: unknown[] }[] }[] }).files;
  assert.deepEqual(library!.models.map((m) => [m.name, m.params, m.holes?.length ?? 0]), [['denseStack(9, 2)', 449, 0], ["denseStack(9, 8, 'tanh')", 2081, 0]]);
  const alone = JSON.parse(run('analyze', 'test/fixtures/realworld/builder-lib.ts', '--static', '--json').stdout) as { files: { models: { name: string; measurement: { status: string } }[] }[] };
  // Alone, its importers in the project are found as the extension finds them in the workspace: the same names.
  assert.deepEqual(alone.files[0]!.models.map((m) => [m.name, m.measurement.status]), [['denseStack(9, 2)', 'static'], ["denseStack(9, 8, 'tanh')", 'static']]);
});

test('unreadable sources: a binary file is an error (exit 2); UTF-16 with a BOM is read; a data file with null is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-cli-bytes-'));
  const binary = join(dir, 'model.ts');
  writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0]));
  const bin = run('analyze', binary, '--static');
  assert.equal(bin.code, 2);
  assert.match(bin.stderr, /cannot read .*model\.ts: it is a binary file/);
  const utf16 = join(dir, 'utf16.ts');
  writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(readFileSync(join(root, 'examples', 'deep-sigmoid-mlp.ts'), 'utf8'), 'utf16le')]));
  const text = run('analyze', utf16, '--static');
  assert.equal(text.code, 1);
  assert.match(text.stdout, /12 layers, 43,594 params/);
  const data = join(dir, 'data.json');
  writeFileSync(data, '{"inputs": [[1, null]], "labels": [0]}');
  const refused = run('analyze', join(root, 'examples', 'deep-sigmoid-mlp.ts'), '--data', data);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /inputs\[0\]\[1\] is null, not a number/);
});
