/**
 * What a newcomer meets first on the command line: a folder or a quoted glob is read as its
 * files, a missing file is said in words, `--version` answers, and an activation typed halfway
 * is named with what it was probably meant to be instead of tfjs' multi-line error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expandFileArgs, readErrorText } from '../../src/cli/files';
import { parseArgs } from '../../src/cli/args';
import { nearestActivation, TFJS_ACTIVATIONS, unknownActivation } from '../../src/core/activations';
import { trainingBlocker } from '../../src/core/graph';
import { parseSource } from '../../src/core/source';

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');

function run(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const TS_MODEL = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({units: 4, inputShape: [3], activation: 'relu'}));
model.add(tf.layers.dense({units: 1}));
`;
const PY_MODEL = `from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(4, input_shape=(3,), activation='relu'), keras.layers.Dense(1)])
`;

/** A project tree: sources at two depths, and what a folder walk must skip. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gl-newcomer-'));
  mkdirSync(join(dir, 'src', 'nets'), { recursive: true });
  mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true });
  mkdirSync(join(dir, '.git'));
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, 'src', 'a.ts'), TS_MODEL);
  writeFileSync(join(dir, 'src', 'nets', 'b.py'), PY_MODEL);
  writeFileSync(join(dir, 'src', 'types.d.ts'), 'export type X = number;\n');
  writeFileSync(join(dir, 'src', 'notes.md'), '# notes\n');
  writeFileSync(join(dir, 'node_modules', 'dep', 'index.js'), TS_MODEL);
  writeFileSync(join(dir, '.git', 'hook.py'), PY_MODEL);
  writeFileSync(join(dir, 'empty', 'readme.txt'), 'nothing\n');
  return dir;
}

test('a folder gives its TS/JS/Python sources, sorted, without node_modules, dot folders or .d.ts', () => {
  const dir = project();
  assert.deepEqual(expandFileArgs(['src'], dir), { files: [join('src', 'a.ts'), join('src', 'nets', 'b.py')], errors: [] });
  assert.deepEqual(expandFileArgs(['.'], dir).files, [join('src', 'a.ts'), join('src', 'nets', 'b.py')]);
  const empty = expandFileArgs(['empty'], dir);
  assert.deepEqual(empty.files, []);
  assert.match(empty.errors[0]!, /empty is a directory with no TS\/JS or Python file/);
});

test('a glob the shell did not expand is matched here: *, ?, [..] and ** (zero or more folders)', () => {
  const dir = project();
  assert.deepEqual(expandFileArgs(['src/*.ts'], dir).files, [join('src', 'a.ts'), join('src', 'types.d.ts')]);
  assert.deepEqual(expandFileArgs(['src/**/*.py'], dir).files, [join('src', 'nets', 'b.py')]);
  assert.deepEqual(expandFileArgs(['**/?.ts'], dir).files, [join('src', 'a.ts')]);
  assert.deepEqual(expandFileArgs(['src/[ab].ts'], dir).files, [join('src', 'a.ts')]);
  assert.deepEqual(expandFileArgs([join(dir, 'src', '*', '*.py')], '/').files, [join(dir, 'src', 'nets', 'b.py')]);
  // Dot folders and dependencies are not searched by **.
  assert.deepEqual(expandFileArgs(['**/*.py'], dir).files, [join('src', 'nets', 'b.py')]);
  assert.deepEqual(expandFileArgs(['nothing/*.py'], dir), { files: [], errors: ['no file matches nothing/*.py'] });
  // A plain path that is missing is kept, so reading it says why (no such file).
  assert.deepEqual(expandFileArgs(['missing.ts'], dir), { files: ['missing.ts'], errors: [] });
  // The same file named twice is read once.
  assert.deepEqual(expandFileArgs(['src/a.ts', 'src/*.ts'], dir).files, ['src/a.ts', join('src', 'types.d.ts')]);
});

test('the CLI reads a folder and a quoted glob; a glob that matches nothing and a missing file are exit 2 in words', () => {
  const dir = project();
  const folder = run(dir, 'analyze', 'src', '--static');
  assert.equal(folder.code, 0, folder.stderr);
  assert.deepEqual(folder.stdout.split('\n').filter((l) => /^\S/.test(l)), [join('src', 'a.ts'), join('src', 'nets', 'b.py')]);
  const glob = run(dir, 'analyze', 'src/**/*.py', '--static', '--json');
  assert.equal(glob.code, 0, glob.stderr);
  assert.deepEqual((JSON.parse(glob.stdout) as { files: { file: string }[] }).files.map((f) => f.file), [join('src', 'nets', 'b.py')]);
  const none = run(dir, 'analyze', 'nets/*.py', '--static');
  assert.equal(none.code, 2);
  assert.equal(none.stdout, '');
  assert.match(none.stderr, /no file matches nets\/\*\.py/);
  const missing = run(dir, 'analyze', 'gone.ts', '--static');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read gone\.ts: no such file/);
  assert.doesNotMatch(missing.stderr, /ENOENT/);
  assert.equal(readErrorText('EACCES', 'x'), 'permission denied');
  assert.equal(readErrorText(undefined, 'Error: x'), 'Error: x');
});

test('--version prints the package version, exit 0', () => {
  assert.deepEqual(parseArgs(['--version']), { command: 'version' });
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const result = run(root, '--version');
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `${pkg.version}\n`);
});

test('TFJS_ACTIVATIONS is exactly what tfjs builds a layer with; any other name throws in tfjs', () => {
  for (const name of TFJS_ACTIVATIONS) {
    assert.doesNotThrow(() => tf.layers.dense({ units: 1, activation: name as never }), name);
  }
  for (const name of ['re', 'leaky_relu', 'Relu', 'hard_sigmoid', 'exponential']) {
    assert.throws(() => tf.layers.dense({ units: 1, activation: name as never }), /Unknown activation/, name);
  }
});

test('an unknown activation is named with the likely meant one: typed halfway, misspelt, or Keras spelling', () => {
  assert.equal(nearestActivation('re'), 'relu');
  assert.equal(nearestActivation('rel'), 'relu');
  assert.equal(nearestActivation('sigm'), 'sigmoid');
  assert.equal(nearestActivation('sigmod'), 'sigmoid');
  assert.equal(nearestActivation('Relu'), 'relu');
  assert.equal(nearestActivation('hard_sigmoid'), 'hardSigmoid');
  assert.equal(nearestActivation('log_softmax'), 'logSoftmax');
  assert.equal(nearestActivation('leaky_relu'), undefined, 'tfjs has no such activation: nothing close is made up');
  assert.equal(unknownActivation({ activation: 'relu', recurrentActivation: 'hardSigmoid' }), undefined);
  assert.equal(unknownActivation({ activation: 'exponential' }), undefined, 'a stand-in the worker builds is not unknown');
  assert.deepEqual(unknownActivation({ activation: 'tanh', recurrentActivation: 'sigmod' }), { key: 'recurrentActivation', value: 'sigmod', near: 'sigmoid' });
});

test('an activation typed halfway: a warning on its line, and the model refused before training with the likely name', () => {
  const text = TS_MODEL.replace("activation: 'relu'", "activation: 're'");
  const parsed = parseSource(text, 'm.ts');
  const warning = parsed.problems.find((p) => /activation/.test(p.message))!;
  assert.equal(warning.severity, 'warning');
  assert.equal(text.slice(warning.range.start, warning.range.end), "'re'", 'on the value as written');
  assert.match(warning.message, /tfjs has no `re` activation \(did you mean `relu`\?\)/);
  const blocked = trainingBlocker(parsed.models[0]!)!;
  assert.match(blocked, /`dense_1` has `activation: 're'`, which tfjs does not know \(did you mean 'relu'\?\), so `model` cannot be built or trained/);
  assert.equal(trainingBlocker(parseSource(TS_MODEL, 'm.ts').models[0]!), undefined);
  // The same from Python (Keras spelling typed wrong), and one line in the CLI's report: exit 3.
  const dir = mkdtempSync(join(tmpdir(), 'gl-act-'));
  writeFileSync(join(dir, 'm.py'), PY_MODEL.replace("activation='relu'", "activation='rleu'"));
  writeFileSync(join(dir, 'one.ts'), TS_MODEL.replace("model.add(tf.layers.dense({units: 1}));\n", ''));
  const result = run(dir, 'analyze', 'm.py', 'one.ts', '--static');
  assert.equal(result.code, 3);
  assert.match(result.stdout, /failed \(line 2\): `dense_1` has `activation: 'rleu'`, which tfjs does not know \(did you mean 'relu'\?\)/);
  // A one-layer model reads "1 layer", not "1 layers".
  assert.match(result.stdout, /model model \(sequential, line 2\): 1 layer, 16 params/);
});
