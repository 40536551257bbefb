/**
 * Issue 17, re-attacked on the reader as it is now (variants, imports, call sites, statements):
 * nothing multiplies the work or the models of one file without bound, nesting of statements and
 * types never overflows the stack, and a statement that uses up the steps costs that statement,
 * not the models after it. Each attack is a few lines; each message is checked at its line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSource } from '../../src/core/source';
import { parsePythonModels } from '../../src/core/python/index';
import type { ParseResult } from '../../src/core/ir';
import { boundedReader } from '../../src/core/nodeFiles';
import { planFix } from '../../src/core/fixes/index';

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

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

/** Parses within 2 s CPU, with no internal error; returns the result and the problem matching `message` (on `line`). */
function read(name: string, text: string, message: RegExp, line: number, options: Parameters<typeof parseSource>[2] = {}): ParseResult {
  const { value: result, ms } = cpu(() => parseSource(text, name, options));
  assert.ok(ms < 2000, `${name}: ${ms.toFixed(0)} ms CPU`);
  assert.equal(result.problems.find((p) => /internal error|RangeError|call stack/.test(p.message)), undefined, `${name}: ${JSON.stringify(result.problems.slice(0, 3))}`);
  const problem = result.problems.find((p) => message.test(p.message));
  assert.ok(problem, `${name}: no problem matching ${message}: ${result.problems.slice(0, 5).map((p) => p.message).join(' | ')}`);
  assert.equal(lineOf(text, problem.range.start), line, `${name}: '${problem.message}' on the wrong line`);
  return result;
}

test('statements and types nested past the limit are cut at their line; the model after them is read', () => {
  const elseIf = Array.from({ length: 3000 }, (_, i) => `if (k === 'x${i}') { u = ${i}; }`).join(' else ');
  const cases: [string, string, RegExp][] = [
    ['elseif.ts', `const k = 'a';\nlet u = 1;\n${elseIf}\n`, /statement nests too deeply/],
    ['ifs.ts', `const c = true;\nlet z = 0;\n${'if (c) '.repeat(3000)}{ z = 1; }\n`, /statement nests too deeply/],
    ['elseif10k.ts', `const k = 'a';\nlet u = 1;\n${Array.from({ length: 10000 }, (_, i) => `if (k === 'x${i}') { u = ${i}; }`).join(' else ')}\n`, /nests too deeply/],
    ['ternary.ts', `const c = true;\nconst u = 1;\nconst v = ${'c ? 1 : '.repeat(10000)}0;\n`, /nests too deeply/],
    ['generic.ts', `type A<T> = T;\nconst u = 1;\ntype T = ${'Array<'.repeat(2000)}number${'>'.repeat(2000)};\n`, /nests too deeply/],
    ['labels.ts', `let x = 0;\nconst u = 1;\n${Array.from({ length: 10000 }, (_, i) => `l${i}: `).join('')}x = 1;\n`, /nests too deeply/],
  ];
  for (const [name, body, message] of cases) {
    const text = `${TS_HEAD}${body}${TS_MODEL}`;
    const result = read(name, text, message, 4);
    assert.equal(result.models.length, 1, `${name}: the model after the attack is lost`);
    assert.equal(result.models[0]!.layers.length, 1);
    // The fix planners parse the same text: they must not overflow either.
    cpu(() => planFix(text, name, result.models[0]!, 'activation-relu'));
  }
  const jsx = `${TS_HEAD}const u = 1;\nconst v = 2;\nconst el = ${'<div>'.repeat(3000)}x${'</div>'.repeat(3000)};\n${TS_MODEL}`;
  assert.equal(read('jsx.tsx', jsx, /nests too deeply/, 4).models.length, 1);
});

test('a chain of `<` (quadratic in the TypeScript parser) is cut, and read in well under 2 s', () => {
  const text = `${TS_HEAD}const x = 1;\nconst c = ${'x < '.repeat(3000)}1;\n${TS_MODEL}`;
  assert.equal(read('angles.ts', text, /nests too deeply/, 3).models.length, 1);
  // Generics close their `<`: many of them on one line are never cut.
  const generics = `${TS_HEAD}const m = new Map<string, Array<number>>();\nconst xs: Array<Array<number>> = [${Array(300).fill('new Array<number>(2)').join(', ')}];\n${TS_MODEL}`;
  const fine = parseSource(generics, 'generics.ts');
  assert.deepEqual(fine.problems.filter((p) => /nests too deeply/.test(p.message)), []);
});

test('a statement that uses up the steps costs that statement: the models after it are read', () => {
  const ts = `${TS_HEAD}function f(n) { return n < 2 ? 1 : f(n - 1) + f(n - 2); }\nconst v = f(60);\n${TS_MODEL}`;
  // Said where the steps ran out: inside the helper.
  const tsResult = read('fib.ts', ts, /Stopped reading this statement after .* the rest of the file is still read/, 2);
  assert.equal(tsResult.models.length, 1);
  const py = `${PY_HEAD}def f(n):\n    return 1 if n < 2 else f(n - 1) + f(n - 2)\nv = f(60)\n${PY_MODEL}`;
  const pyResult = read('fib.py', py, /Stopped reading this statement after .* the rest of the file is still read/, 3);
  assert.equal(pyResult.models.length, 1);
  // Many slow statements: each costs its share of a reserve, then the file stops; still bounded.
  const many = `${TS_HEAD}${TS_MODEL}${Array.from({ length: 30 }, (_, i) => `let n${i} = 0;\nfor (let a = 0; a < 3000; a++) for (let b = 0; b < 3000; b++) n${i} = n${i} + 1;\n`).join('')}`;
  assert.equal(read('many.ts', many, /Stopped reading this statement/, 5).models.length, 1);
});

test('a string compared with 1,000 literals gives 8 models, said at its line; a slow file gets no extra readings', () => {
  const ifs = Array.from({ length: 1000 }, (_, i) => `if (arch === "c${i}") model.add(tf.layers.dense({units: ${i + 1}, inputShape: [4]}));`).join('\n');
  const light = `const tf = require('@tensorflow/tfjs');\nconst arch = process.argv[2];\nconst model = tf.sequential();\n${ifs}\nmodel.add(tf.layers.dense({units: 1}));\n`;
  const result = read('split.js', light, /`arch` is compared with 1,000 strings; Gradient Lens reads the first 8/, 2);
  assert.equal(result.models.length, 8);
  const template = `const tf = require('@tensorflow/tfjs');\nfunction build(kind) {\n  const m = tf.sequential();\n${ifs.replace(/arch/g, 'kind').replace(/model\./g, 'm.')}\n  return m;\n}\n`;
  assert.equal(read('template.js', template, /`kind` is compared with 1,000 strings/, 2).models.length, 8);
  // A loop that nearly uses up the steps, then 20 choices: without a shared budget every reading
  // redid the loop (3.4 s CPU and no model); now the file's readings share two readings' steps.
  const heavy = `const tf = require('@tensorflow/tfjs');\nconst {ArgumentParser} = require('argparse');\nconst parser = new ArgumentParser();\nparser.addArgument('--arch', {choices: [${Array.from({ length: 20 }, (_, i) => `'c${i}'`).join(', ')}], defaultValue: 'c0'});\nconst args = parser.parseArgs();\nlet n = 0;\nfor (let a = 0; a < 3000; a++) for (let b = 0; b < 3000; b++) n = n + 1;\nconst model = tf.sequential();\n${ifs.replace(/arch ===/g, 'args.arch ===')}\n`;
  assert.equal(read('choices.js', heavy, /Stopped reading this statement/, 7).models.length, 1);
  const py = `${PY_HEAD}import argparse\np = argparse.ArgumentParser()\np.add_argument("--model", default="c0", choices=[${Array.from({ length: 20 }, (_, i) => `"c${i}"`).join(', ')}])\nargs = p.parse_args()\nn = 0\nfor a in range(3000):\n    for b in range(3000):\n        n = n + 1\n${Array.from({ length: 20 }, (_, i) => `${i ? 'elif' : 'if'} args.model == "c${i}":\n    model = keras.Sequential([keras.layers.Dense(${i + 1}, input_shape=(4,))])`).join('\n')}\n`;
  assert.equal(read('choices.py', py, /Stopped reading this statement/, 9).models.length, 1);
});

test('a loop that builds a model per iteration lists 100 models and says so at the 101st', () => {
  // Distinct models (a builder run once per fold builds one model, listed once).
  const text = `${PY_HEAD}for i in range(1000):\n    m = keras.Sequential([keras.layers.Dense(i + 1, input_shape=(4,))])\n`;
  const result = read('loop.py', text, /defines 1,000 models, more than Gradient Lens' limit of 100 per file/, 3);
  assert.equal(result.models.length, 100);
});

test('imports: a chain or a fan of slow files shares one pool of steps; Python says why a file is refused', () => {
  const root = mkdtempSync(join(tmpdir(), 'gl-readings-'));
  const slowTs = 'let n = 0;\nfor (let a = 0; a < 1000; a++) for (let b = 0; b < 1000; b++) n = n + 1;\n';
  for (let i = 0; i < 40; i++) writeFileSync(join(root, `f${i}.ts`), `${slowTs}export const U${i} = 4;\n`);
  const fan = `${TS_HEAD}${Array.from({ length: 40 }, (_, i) => `import { U${i} } from './f${i}';`).join('\n')}\n${TS_MODEL}`;
  const tsResult = read(join(root, 'fan.ts'), fan, /'\.\/f0' takes more evaluation steps to read than Gradient Lens allows an imported file/, 2, { readFile: boundedReader([root]) });
  assert.equal(tsResult.models.length, 1);
  for (let i = 0; i < 200; i++) writeFileSync(join(root, `m${i}.ts`), i < 199 ? `import { U as V } from './m${i + 1}';\n${slowTs.replace(/1000/g, '100')}export const U = V + 1;\n` : 'export const U = 1;\n');
  read(join(root, 'chain.ts'), `${TS_HEAD}import { U } from './m0';\n${TS_MODEL}`, /'\.\/m0' takes more evaluation steps/, 2, { readFile: boundedReader([root]) });

  const slowPy = 'n = 0\nfor a in range(1000):\n    for b in range(1000):\n        n = n + 1\n';
  for (let i = 0; i < 40; i++) writeFileSync(join(root, `p${i}.py`), `${slowPy}U${i} = 4\n`);
  const pyFan = `${PY_HEAD}${Array.from({ length: 40 }, (_, i) => `from p${i} import U${i}`).join('\n')}\n${PY_MODEL}`;
  assert.equal(read(join(root, 'fan.py'), pyFan, /`p0` are unknown: it takes more evaluation steps to read/, 2, { readFile: boundedReader([root]) }).models.length, 1);

  const project = join(root, 'proj');
  mkdirSync(project);
  symlinkSync('/dev/zero', join(project, 'zero.py'));
  mkdirSync(join(root, 'proj-secrets'));
  writeFileSync(join(root, 'proj-secrets', 'secret.py'), 'KEY = 7\n');
  symlinkSync(join(root, 'proj-secrets', 'secret.py'), join(project, 'secret.py'));
  const text = `${PY_HEAD}import zero\nfrom secret import KEY\n${PY_MODEL}`;
  const result = read(join(project, 'main.py'), text, /`zero` are unknown: .* not a regular file/, 2, { readFile: boundedReader([project]) });
  const outside = result.problems.find((p) => /`secret` are unknown: .*outside the workspace/.test(p.message));
  assert.ok(outside && lineOf(text, outside.range.start) === 3, JSON.stringify(result.problems));
});

test('a builder called with 2,000 argument lists in other files gives 8 models, said at the builder', () => {
  const text = `${TS_HEAD}export function createModel(n: number) {\n  const m = tf.sequential();\n  m.add(tf.layers.dense({units: n, inputShape: [4]}));\n  return m;\n}\n`;
  const callSites = { createModel: Array.from({ length: 2000 }, (_, i) => [i + 1]) };
  const result = read('model.ts', text, /`createModel` is called with 2,000 different arguments in other files; Gradient Lens reads the first 8/, 2, { callSites });
  assert.equal(result.models.length, 8);
});

test('a model given more layers than the limit in one list keeps the layers up to it', () => {
  const py = `${PY_HEAD}model = keras.Sequential([\n${Array.from({ length: 6000 }, (_, i) => `    keras.layers.Dense(${(i % 7) + 1}),`).join('\n')}\n])\n`;
  const pyResult = read('list.py', py, /more than 5,000 layers/, 2);
  assert.equal(pyResult.models.length, 1);
  assert.equal(pyResult.models[0]!.layers.length, 5000);
  const ts = `${TS_HEAD}const model = tf.sequential({layers: [\n${Array.from({ length: 6000 }, (_, i) => `  tf.layers.dense({units: ${(i % 7) + 1}${i ? '' : ', inputShape: [4]'}}),`).join('\n')}\n]});\n`;
  const tsResult = read('list.ts', ts, /more than 5,000 layers/, 2);
  assert.equal(tsResult.models.length, 1);
  assert.equal(tsResult.models[0]!.layers.length, 5000);
});

test('a helper that builds a model at every call of a recursion stops at 1,000 models, quickly', () => {
  // Found by the fuzz benchmark: a stray `{` moved the file into a recursive function, which then
  // built a model per call; every call scanned every model so far (4 GB, then out of memory).
  const ts = `${TS_HEAD}function grow(n) {\n  const m = tf.sequential();\n  m.add(tf.layers.dense({units: 2, inputShape: [4]}));\n  return n < 2 ? m : grow(n - 1) && grow(n - 2);\n}\nconst big = grow(60);\n${TS_MODEL}`;
  const tsResult = read('grow.ts', ts, /builds more than 1,000 models while it is read/, 3);
  assert.ok(tsResult.models.some((m) => m.name === 'model'), tsResult.models.map((m) => m.name).join(', '));
  const py = `${PY_HEAD}for i in range(100):\n    for j in range(100):\n        extra = keras.Sequential([keras.layers.Dense(i * 100 + j + 1, input_shape=(4,))])\n${PY_MODEL}`;
  const pyResult = read('grow.py', py, /builds more than 1,000 models while it is read/, 4);
  assert.ok(pyResult.models.some((m) => m.name === 'm'), pyResult.models.map((m) => m.name).join(', '));
  assert.equal(pyResult.models.length, 9);
});

test('a Python variant read after the file\'s steps ran out is said as not read, never an internal error', () => {
  // Found by the fuzz benchmark: the variant's value was evaluated before the reading's guard.
  const branches = ['a', 'b', 'c'].map((v, i) => `${i ? 'elif' : 'if'} sys.argv[1] == "${v}":\n    m = keras.Sequential([keras.layers.Dense(${i + 1}, input_shape=(4,))])`).join('\n');
  const py = `${PY_HEAD}import sys\nn = 0\nfor a in range(250):\n    for b in range(250):\n        n = n + 1\n${branches}\nelse:\n    m = keras.Sequential([keras.layers.Dense(4, input_shape=(4,))])\n`;
  assert.ok(read('late.py', py, /step limit for this file ran out before every value of `sys.argv\[1\]` was read: no model for .*'c'/, 7).models.length >= 1);
});

test('Python nesting that overflows the parser library on a deep caller stack: that line is skipped, the model after it kept', () => {
  const src = `import keras\ndef ident(x):\n    return x\ncalls = ${'ident('.repeat(2000)}1${')'.repeat(2000)}\nmodel = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])\n`;
  // The editor and the fuzz harness call in with frames already on the stack.
  const atDepth = (n: number): ReturnType<typeof parsePythonModels> => (n > 0 ? atDepth(n - 1) : parsePythonModels(src));
  const result = atDepth(1000);
  assert.equal(result.models.length, 1);
  assert.ok(!result.problems.some((p) => /internal error/.test(p.message)), result.problems.map((p) => p.message).join(' | '));
  const deep = result.problems.find((p) => /nests brackets too deeply/.test(p.message));
  assert.ok(deep);
  assert.equal(src.slice(0, deep.range.start).split('\n').length, 4);
});
