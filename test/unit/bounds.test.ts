import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSource } from '../../src/core/source';
import { staticFindings } from '../../src/core/analysis/staticRules';
import { planFix } from '../../src/core/fixes/index';
import { boundedReader, isInside, readBoundedFile, RefusedFile } from '../../src/core/nodeFiles';
import { parseDataFile, DataFileError, MAX_DATA_BYTES } from '../../src/core/dataFile';
import { escapeMarkdown, inlineCode } from '../../src/core/markdown';
import { trainingBlocker } from '../../src/core/graph';
import { decodeSource } from '../../src/core/decode';
import { callSitesByTarget } from '../../src/core/parse/callSites';

const TS_HEAD = "import * as tf from '@tensorflow/tfjs';\n";
const TS_MODEL = "const model = tf.sequential();\nmodel.add(tf.layers.dense({units: 4, inputShape: [4]}));\n";
const PY_HEAD = 'from tensorflow import keras\n';
const PY_MODEL = 'm = keras.Sequential([keras.layers.Dense(4, input_shape=(4,))])\n';

function cpu<T>(body: () => T): { value: T; ms: number } {
  const before = process.cpuUsage();
  const value = body();
  const used = process.cpuUsage(before);
  return { value, ms: (used.user + used.system) / 1000 };
}

/** Parses; asserts no internal error, the model after the attack is still read, and the message. */
function attack(name: string, text: string, message: RegExp, line: number): void {
  const { value: result, ms } = cpu(() => parseSource(text, name));
  assert.ok(ms < 2000, `${name}: ${ms} ms CPU`);
  assert.equal(result.problems.find((p) => /internal error|RangeError/.test(p.message)), undefined, `${name}: ${JSON.stringify(result.problems)}`);
  assert.equal(result.models.length, 1, `${name}: the model after the attack is lost`);
  const problem = result.problems.find((p) => message.test(p.message));
  assert.ok(problem, `${name}: no problem matching ${message}: ${result.problems.map((p) => p.message).join(' | ')}`);
  assert.equal(text.slice(0, problem.range.start).split('\n').length, line, `${name}: reported on the wrong line`);
}

const DEEP = /nests too deeply/;

test('deep nesting in TS is a problem at its line, never a RangeError', () => {
  attack('parens.ts', `${TS_HEAD}const a = ${'('.repeat(1000)}1${')'.repeat(1000)};\n${TS_MODEL}`, DEEP, 2);
  attack('sum.ts', `${TS_HEAD}const a = ${Array(2000).fill('1').join(' + ')};\n${TS_MODEL}`, DEEP, 2);
  attack('bang.ts', `${TS_HEAD}const a = ${'!'.repeat(2000)}1;\n${TS_MODEL}`, DEEP, 2);
  attack('calls.ts', `${TS_HEAD}const f = (x) => x;\nconst a = ${'f('.repeat(2000)}1${')'.repeat(2000)};\n${TS_MODEL}`, DEEP, 3);
});

test('deep nesting in Python is a problem at its line, never a RangeError', () => {
  attack('unary.py', `${PY_HEAD}a = ${'-'.repeat(3000)}1\n${PY_MODEL}`, DEEP, 2);
  attack('parens.py', `${PY_HEAD}a = ${'('.repeat(1000)}1${')'.repeat(1000)}\n${PY_MODEL}`, DEEP, 2);
  attack('calls.py', `${PY_HEAD}def f(x):\n    return x\na = ${'f('.repeat(2000)}1${')'.repeat(2000)}\n${PY_MODEL}`, DEEP, 4);
});

test('memory bombs end in a size problem at their line; the rest of the file is read', () => {
  attack('double.ts', `${TS_HEAD}let s = 'ab';\nfor (let i = 0; i < 100; i++) { s = s + s; }\n${TS_MODEL}`, /string would have .* over Gradient Lens' limit/, 3);
  attack('push.ts', `${TS_HEAD}const b = [1];\nfor (let i = 0; i < 100; i++) { b.push(...b); }\n${TS_MODEL}`, /list would have .* over Gradient Lens' limit/, 3);
  attack('repeat.ts', `${TS_HEAD}const r = 'abc'.repeat(9999);\nconst q = [r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r, r].join(r);\n${TS_MODEL}`, /string would have/, 3);
  attack('double.py', `${PY_HEAD}x = [1]\nfor i in range(100):\n    x = x + x\n${PY_MODEL}`, /list would have .* over Gradient Lens' limit/, 4);
  attack('mul.py', `${PY_HEAD}x = [1] * 10000\ny = x * 10000\n${PY_MODEL}`, /list would have 100,000,000 elements/, 3);
});

test('nested loops of layers stop at the layer limit, quickly, said once', () => {
  const ts = `${TS_HEAD}const model = tf.sequential();\nfor (let a = 0; a < 100; a++) for (let b = 0; b < 100; b++) for (let c = 0; c < 100; c++) model.add(tf.layers.dense({units: 4, inputShape: [4]}));\n`;
  const { value, ms } = cpu(() => parseSource(ts, 'loops.ts'));
  assert.ok(ms < 2000, `${ms} ms`);
  assert.equal(value.models[0]!.layers.length, 5000);
  assert.equal(value.problems.filter((p) => /more than 5,000 layers/.test(p.message)).length, 1);
  const py = `${PY_HEAD}m = keras.Sequential()\nfor a in range(100):\n    for b in range(100):\n        for c in range(100):\n            m.add(keras.layers.Dense(4, input_shape=(4,)))\n`;
  const parsed = cpu(() => parseSource(py, 'loops.py'));
  assert.ok(parsed.ms < 2000, `${parsed.ms} ms`);
  assert.ok(parsed.value.problems.some((p) => /more than 5,000 layers/.test(p.message)));
});

test('static rules and fix planning stay near-linear on 5,000 layers and a 600 KB line', () => {
  const layers = 5000;
  const oneLine = `${TS_HEAD}const model = tf.sequential();${"model.add(tf.layers.dense({units: 4, inputShape: [4], activation: 'sigmoid', useBias: true, kernelInitializer: 'glorotUniform'}));".repeat(layers)}\n`;
  assert.ok(oneLine.length > 600_000);
  const model = parseSource(oneLine, 'line.ts').models[0]!;
  assert.equal(model.layers.length, layers);
  const rules = cpu(() => staticFindings(model));
  assert.ok(rules.ms < 500, `static rules ${rules.ms} ms`);
  for (const code of ['activation-relu', 'insert-batch-norm', 'add-residual'] as const) {
    const plan = cpu(() => planFix(oneLine, 'line.ts', model, code));
    assert.ok(plan.ms < 3000, `${code}: ${plan.ms} ms`);
  }
});

test('imports: devices, links out and big files are refused with a reason; regular files inside are read', () => {
  const root = mkdtempSync(join(tmpdir(), 'gl-bounds-'));
  const project = join(root, 'proj');
  mkdirSync(project);
  mkdirSync(join(root, 'proj-secrets'));
  writeFileSync(join(root, 'proj-secrets', 'data.ts'), 'export const SECRET = 7;\n');
  writeFileSync(join(project, 'consts.ts'), 'export const UNITS = 8;\n');
  symlinkSync(join(root, 'proj-secrets', 'data.ts'), join(project, 'link.ts'));
  writeFileSync(join(project, 'big.ts'), `export const X = 1;\n${'// pad\n'.repeat(400_000)}`);
  const read = boundedReader([project]);
  assert.equal(read(join(project, 'consts.ts')), 'export const UNITS = 8;\n');
  assert.match((read('/dev/zero') as RefusedFile).reason, /not a regular file/);
  assert.match((read(join(project, 'link.ts')) as RefusedFile).reason, /outside the workspace/);
  assert.match((read(join(root, 'proj-secrets', 'data.ts')) as RefusedFile).reason, /outside the workspace/);
  assert.match((read(join(project, 'big.ts')) as RefusedFile).reason, /MB/);
  assert.ok(isInside('/w/proj/a.ts', '/w/proj') && !isInside('/w/proj-secrets/a.ts', '/w/proj'));
  assert.equal(readBoundedFile(join(project, 'missing.ts')), undefined);

  const text = `${TS_HEAD}import zero from '../../../../../../../../dev/zero';\nimport { SECRET } from './link';\nimport { UNITS } from './consts';\nconst model = tf.sequential();\nmodel.add(tf.layers.dense({units: UNITS, inputShape: [4]}));\n`;
  const result = parseSource(text, join(project, 'model.ts'), { readFile: read });
  assert.ok(result.problems.some((p) => /dev\/zero.*not a regular file/.test(p.message) && p.severity === 'warning'));
  assert.ok(result.problems.some((p) => /link.*outside the workspace/.test(p.message)));
  assert.equal(result.models[0]!.layers[0]!.config.units, 8);
});

test('data files are strict, with row and column, a short quote, BOM and a size limit', () => {
  const bad = (text: string, name: string, message: RegExp): void =>
    assert.throws(() => parseDataFile(text, name), (e: Error) => e instanceof DataFileError && message.test(e.message), `${text.slice(0, 40)} -> ${message}`);
  bad('{"inputs": [[1, null]], "labels": [0]}', 'd.json', /inputs\[0\]\[1\] is null, not a number/);
  bad('{"inputs": [[1, true]], "labels": [0]}', 'd.json', /inputs\[0\]\[1\] is the boolean true/);
  bad('{"inputs": [[1, ""]], "labels": [0]}', 'd.json', /inputs\[0\]\[1\] is the string ''/);
  bad('{"inputs": [[1, "3"]], "labels": [0]}', 'd.json', /inputs\[0\]\[1\] is the string '3'/);
  bad('{"inputs": [[1, 2], [3, [6]]], "labels": [0, 1]}', 'd.json', /inputs\[1\]\[1\] has shape \[1\]/);
  bad('{"inputs": [[1, 2], [3]], "labels": [0, 1]}', 'd.json', /inputs\[1\] has shape \[1\], but inputs\[0\] has \[2\]/);
  bad('{"inputs": [[1, 2, 3], [4]], "labels": [0, 1]}', 'd.json', /same width/);
  bad(`{"inputs": [${'['.repeat(5000)}1${']'.repeat(5000)}], "labels": [0]}`, 'd.json', /nests deeper than 4 levels/);
  bad('a,b,label\n1,2,0\n,,\n', 'd.csv', /line 3, column 1: an empty cell/);
  bad(`a,label\n${'x'.repeat(500)},1\n`, 'd.csv', /column 1: 'x{20}\.\.\.' is not a finite number\.$/);
  bad('a,label\n0x10,1\n', 'd.csv', /'0x10' is not a finite number/);
  assert.deepEqual(parseDataFile('\uFEFF{"inputs": [[1, 2]], "labels": [0]}', 'd.json'), { inputs: [[1, 2]], labels: [0] });
  assert.deepEqual(parseDataFile('\uFEFFa,label\n1,0\n', 'd.csv'), { inputs: [[1]], labels: [0] });
  assert.throws(() => parseDataFile('1'.repeat(MAX_DATA_BYTES + 1), 'd.csv'), /up to 20 MB/);
});

test('layer names and user text are escaped in Markdown', () => {
  const evil = 'a](command:x)\n# head|`tick`';
  const escaped = escapeMarkdown(evil);
  assert.ok(!escaped.includes('\n') && !/[^\\]\]\(/.test(escaped) && !/(^|[^\\])\|/.test(escaped), escaped);
  const code = inlineCode('x`y`\nz');
  assert.equal(code, '``x`y` z``');
});

test('odd but valid models get the product\'s own message; no negative params', () => {
  const only = parseSource(`${TS_HEAD}const input = tf.input({shape: [4]});\nconst model = tf.model({inputs: input, outputs: input});\n`, 'only.ts').models[0]!;
  assert.match(trainingBlocker(only)!, /no trainable weights \(it is only an input\)/);
  const zero = parseSource(`${TS_HEAD}const model = tf.sequential();\nmodel.add(tf.layers.dense({units: 4, inputShape: [0]}));\n`, 'zero.ts');
  assert.match(trainingBlocker(zero.models[0]!)!, /dimension of 0/);
  assert.ok(zero.problems.some((p) => /dimension of 0/.test(p.message)));
  const negative = parseSource(`${TS_HEAD}const model = tf.sequential();\nmodel.add(tf.layers.dense({units: -1, inputShape: [2]}));\nmodel.add(tf.layers.dense({units: 1}));\n`, 'neg.ts');
  const graph = negative.models[0]!;
  assert.ok(graph.layers.every((l) => l.params === undefined || l.params >= 0));
  assert.equal(graph.params, undefined);
  assert.match(trainingBlocker(graph)!, /`units: -1`; it must be a positive integer/);
  const fine = parseSource(`${TS_HEAD}${TS_MODEL}`, 'ok.ts').models[0]!;
  assert.equal(trainingBlocker(fine), undefined);
});

test('source bytes: UTF-16 is decoded, binary is refused', () => {
  const text = `${TS_HEAD}${TS_MODEL}`;
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  assert.equal((decodeSource(le) as { text: string }).text, text);
  const be = Buffer.from(le);
  for (let i = 0; i < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1]!, be[i]!];
  assert.equal((decodeSource(be) as { text: string }).text, text);
  assert.match((decodeSource(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0, 0, 0])) as { error: string }).error, /binary/);
});

test('one run of a calling file gives the call sites of every file it imports', () => {
  const root = mkdtempSync(join(tmpdir(), 'gl-sites-'));
  writeFileSync(join(root, 'a.ts'), 'export function makeA(n: number) { return n; }\n');
  writeFileSync(join(root, 'b.ts'), 'export function makeB(n: number) { return n; }\n');
  const caller = "import { makeA } from './a';\nimport { makeB } from './b';\nmakeA(3);\nmakeB(5);\n";
  const sites = callSitesByTarget(caller, join(root, 'train.ts'), boundedReader([root]));
  assert.deepEqual(sites.get(join(root, 'a.ts')), { makeA: [[3]] });
  assert.deepEqual(sites.get(join(root, 'b.ts')), { makeB: [[5]] });
});

test('the time limit ends the file with a problem at the statement reached, models so far kept', () => {
  const text = `${TS_HEAD}${TS_MODEL}let n = 0;\nfor (let a = 0; a < 10000; a++) for (let b = 0; b < 10000; b++) n = n + 1;\n`;
  const result = parseSource(text, 'slow.ts', { timeMs: 1 });
  assert.equal(result.models.length, 1);
  const problem = result.problems.find((p) => /took more than 0.001 s/.test(p.message));
  assert.ok(problem, result.problems.map((p) => p.message).join(' | '));
  assert.equal(text.slice(0, problem.range.start).split('\n').length, 5);
  const py = parseSource(`${PY_HEAD}${PY_MODEL}n = 0\nfor a in range(10000):\n    for b in range(10000):\n        n = n + 1\n`, 'slow.py', { timeMs: 1 });
  assert.equal(py.models.length, 1);
  assert.ok(py.problems.some((p) => /took more than 0.001 s/.test(p.message)));
});
