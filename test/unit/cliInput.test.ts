/**
 * Bad input to the CLI gets a clear message in the right place: a malformed `--set` is a usage
 * error (exit 2, nothing analyzed), paths print as given or absolute, `--help` lists every fix
 * code. Run as users run it: a subprocess of dist/cli.js, plus the pure pieces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HELP_WIDTH, parseArgs, UsageError, wrapList } from '../../src/cli/args';
import { displayPath } from '../../src/cli/paths';
import { EXIT_OK, EXIT_UNMEASURED, exitStatus } from '../../src/cli/status';
import { fillValueProblem } from '../../src/core/frontend/fillValues';
import { FIX_CODES } from '../../src/core/fixes/codes';
import { parseSource } from '../../src/core/source';

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');

function run(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const TEMPLATE = `import * as tf from '@tensorflow/tfjs';
export function build(inputShape: number[]) {
  const model = tf.sequential();
  model.add(tf.layers.dense({units: 4, inputShape, activation: 'relu'}));
  model.add(tf.layers.dense({units: 1}));
  return model;
}
`;

test('a malformed --set value is a usage error naming the flag and value: exit 2, nothing analyzed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-set-'));
  writeFileSync(join(dir, 'm.ts'), TEMPLATE);
  writeFileSync(join(dir, 'm.py'), 'from tensorflow import keras\nmodel = keras.Sequential([keras.layers.Dense(4, input_shape=(3,))])\n');
  for (const bad of ['inputShape=[4', '=3', 'units', 'inputShape=', 'x=4); foo(', 'cfg=dict(units=3)']) {
    const result = run(dir, 'analyze', 'm.ts', '--static', '--set', bad);
    assert.equal(result.code, 2, bad);
    assert.equal(result.stdout, '', `${bad}: nothing is analyzed`);
    assert.ok(result.stderr.includes('--set') && result.stderr.includes(`'${bad}'`), `${bad}: ${result.stderr.split('\n')[0]}`);
  }
  // Python is checked as Python: a tuple is a value there, an unclosed one is not.
  assert.equal(run(dir, 'analyze', 'm.py', '--static', '--set', 'shape=(4,)').code, 0);
  const py = run(dir, 'analyze', 'm.py', '--static', '--set', 'shape=(4');
  assert.equal(py.code, 2);
  assert.match(py.stderr, /--set 'shape=\(4': `\(4` is not a complete Python expression/);
  // A good value still fills the hole.
  const good = run(dir, 'analyze', 'm.ts', '--static', '--set', 'inputShape=[4]');
  assert.equal(good.code, 0);
  assert.match(good.stdout, /25 params/);
  assert.doesNotMatch(good.stdout, /Annotation value/);
});

test('--set values are checked in the language of each file given, in parseArgs (fix too)', () => {
  assert.throws(() => parseArgs(['analyze', 'a.ts', '--set', 'n=[4']), UsageError);
  assert.throws(() => parseArgs(['fix', 'a.py', '--apply', 'init-he', '--set', 'n=(4']), UsageError);
  assert.doesNotThrow(() => parseArgs(['analyze', 'a.ts', '--set', "kind='cnn'", '--set', 'xTrain.shape[1]=13']));
  // `(4,)` is a Python tuple but not a JS expression: with a .ts file given it is refused for it.
  assert.throws(() => parseArgs(['analyze', 'a.py', 'b.ts', '--set', 'shape=(4,)']), /for b\.ts/);
  assert.equal(fillValueProblem('shape', '(4,)', 'py'), undefined);
  assert.equal(fillValueProblem('units', '64', 'ts'), undefined);
  assert.match(fillValueProblem('units', '64; 3', 'py')!, /not one Python expression/);
  assert.match(fillValueProblem('units', ' ', 'ts')!, /empty/);
});

test('paths in text, JSON and SARIF: relative under the working directory, else absolute (a file:// URI in SARIF)', () => {
  const work = mkdtempSync(join(tmpdir(), 'gl-cwd-'));
  const elsewhere = mkdtempSync(join(tmpdir(), 'gl-other-'));
  // A template with a hole: unresolved, so SARIF has a result in each file.
  const model = `import * as tf from '@tensorflow/tfjs';\nexport function build(n: number) {\n  const model = tf.sequential();\n  model.add(tf.layers.dense({units: n, inputShape: [3]}));\n  return model;\n}\n`;
  mkdirSync(join(work, 'sub'));
  writeFileSync(join(work, 'sub', 'in.ts'), model);
  writeFileSync(join(elsewhere, 'out.ts'), model);
  const outside = join(elsewhere, 'out.ts');
  const climb = relative(work, outside);
  assert.ok(climb.startsWith('..'), 'the test needs a file outside the working directory');

  const text = run(work, 'analyze', 'sub/../sub/in.ts', climb, '--static');
  assert.equal(text.code, 3, text.stderr);
  assert.match(text.stdout, /^sub\/in\.ts$/m);
  assert.ok(text.stdout.split('\n').includes(outside), text.stdout);
  assert.doesNotMatch(text.stdout, /\.\.\//);

  const json = JSON.parse(run(work, 'analyze', 'sub/in.ts', climb, '--static', '--json').stdout) as { files: { file: string }[] };
  assert.deepEqual(json.files.map((f) => f.file), ['sub/in.ts', outside]);

  const sarif = JSON.parse(run(work, 'analyze', 'sub/in.ts', climb, '--static', '--format', 'sarif').stdout);
  const sarifRun = sarif.runs[0] as { originalUriBaseIds: Record<string, { uri: string }>; results: { locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[] }[] };
  assert.equal(sarifRun.originalUriBaseIds['%SRCROOT%']!.uri, pathToFileURL(`${work}/`).href);
  assert.match(sarifRun.originalUriBaseIds['%SRCROOT%']!.uri, /^file:\/\/.*\/$/);
  assert.deepEqual(
    sarifRun.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation),
    [{ uri: 'sub/in.ts', uriBaseId: '%SRCROOT%' }, { uri: pathToFileURL(outside).href }],
  );
  assert.equal(displayPath(climb, work), outside);
  assert.equal(displayPath(join(work, 'sub', 'in.ts'), work), join('sub', 'in.ts'));
  assert.equal(displayPath('..', work), dirname(work));
});

test('--help lists every fix code of the registry, wrapped to the help width; README "Fixes" documents each', () => {
  const help = run(root, '--help');
  assert.equal(help.code, 0);
  for (const line of help.stdout.split('\n')) assert.ok(line.length <= HELP_WIDTH, `${line.length} columns: ${line}`);
  const listed = /Fix codes[^:]*:([^]*?)\.\n/.exec(help.stdout)![1]!.split(',').map((c) => c.trim());
  assert.deepEqual(listed, [...FIX_CODES]);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const fixes = readme.slice(readme.indexOf('## Fixes'), readme.indexOf('\n## ', readme.indexOf('## Fixes') + 3));
  const documented = new Set([...fixes.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([a-z-]+)`/g)].map((c) => c[1]!)));
  assert.deepEqual(FIX_CODES.filter((code) => !documented.has(code)), [], 'every fix code has a row in README "Fixes"');
  assert.deepEqual([...documented].filter((code) => !(FIX_CODES as readonly string[]).includes(code)), [], 'README lists no code the registry lacks');
  assert.equal(wrapList('Codes:', ['a'.repeat(10), 'b'.repeat(10)], 16), `Codes:\n${'a'.repeat(10)},\n${'b'.repeat(10)}.`);
});

test('a parse error (part of the file not read) is never success: exit 3 with --static, and a SARIF parse-error result on its line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-syntax-'));
  const healthy = `import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential();\nmodel.add(tf.layers.dense({units: 4, inputShape: [3], activation: 'relu'}));\nmodel.add(tf.layers.dense({units: 1}));\n`;
  writeFileSync(join(dir, 'ok.ts'), healthy);
  writeFileSync(join(dir, 'broken.ts'), `${healthy}const later = (1 + ;\n`);
  writeFileSync(join(dir, 'broken.py'), 'from tensorflow import keras\nmodel = keras.Sequential([keras.layers.Dense(4, input_shape=(3,))])\nif True\n    pass\n');
  assert.equal(run(dir, 'analyze', 'ok.ts', '--static').code, 0);
  const broken = run(dir, 'analyze', 'broken.ts', '--static');
  assert.match(broken.stdout, /line 5: error: Syntax error/);
  assert.equal(broken.code, 3);
  assert.equal(run(dir, 'analyze', 'broken.py', '--static').code, 3);
  const sarif = JSON.parse(run(dir, 'analyze', 'ok.ts', 'broken.ts', '--static', '--format', 'sarif').stdout);
  const results = sarif.runs[0].results as { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[];
  assert.deepEqual(results.map((r) => `${r.ruleId} ${r.locations[0]!.physicalLocation.artifactLocation.uri}:${r.locations[0]!.physicalLocation.region.startLine}`), ['parse-error broken.ts:5']);
  // A file that builds no model (a JSON file given by a glob) concerns no model, whatever its syntax.
  writeFileSync(join(dir, 'package.json'), '{"name": "x", "version": "1.0.0"}\n');
  assert.equal(run(dir, 'analyze', 'package.json', '--static').code, 0);
  // Warnings and infos of the parser do not change the status by themselves.
  const model = JSON.parse(run(dir, 'analyze', 'ok.ts', '--static', '--json').stdout).files[0].models[0];
  const file = { file: 'a.ts', problems: [{ line: 1, message: 'x is not a constant', severity: 'warning' }], models: [model] };
  assert.equal(exitStatus({ files: [file] }, false), EXIT_OK);
  assert.equal(exitStatus({ files: [{ ...file, problems: [{ line: 1, message: 'Syntax error', severity: 'error' }] }] }, false), EXIT_UNMEASURED);
  assert.equal(exitStatus({ files: [{ ...file, models: [], problems: [{ line: 1, message: 'Syntax error', severity: 'error' }] }] }, false), EXIT_OK);
});

test('a malformed annotation in the file stays a warning on the comment\'s own line (TS and Python alike)', () => {
  const ts = `import * as tf from '@tensorflow/tfjs';\n\n// gradient-lens: inputShape=[4\n${TEMPLATE.split('\n').slice(1).join('\n')}`;
  const py = 'from tensorflow import keras\n\n# gradient-lens: n=(4\ndef build(n):\n    return keras.Sequential([keras.layers.Dense(n, input_shape=(3,))])\n';
  for (const [text, file] of [[ts, 'm.ts'], [py, 'm.py']] as const) {
    const problem = parseSource(text, file).problems.find((p) => /Annotation value/.test(p.message))!;
    assert.equal(problem.severity, 'warning', file);
    assert.equal(text.slice(0, problem.range.start).split('\n').length, 3, `${file}: on the comment's line`);
  }
});
