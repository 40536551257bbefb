/**
 * The root-cause corpus, static part: every buggy program (TS and Keras) is flagged on its marked
 * line with the marked first fix, no fixed twin is flagged; the first fix applied to the buggy
 * program removes the finding, is idempotent, and the result still builds in tfjs (TS files are
 * run as written; Python files are built from the re-read graph).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import ts from 'typescript';
import { staticFindings } from '../../src/core/analysis/staticRules';
import { applyFixes, isFixCode } from '../../src/core/fixes/index';
import { parseSource } from '../../src/core/source';
import { buildModel } from '../../src/training/buildModel';
import { confusion, evaluateVerdictCorpus } from '../support/verdictCorpus';

const root = join(__dirname, '..', 'test', 'fixtures', 'verdicts');

/** Runs a TS model file with tfjs (its `fit` call left out) and returns the model it binds to `model`. */
function runTs(text: string, fileName: string): tf.LayersModel {
  const source = `${text.replace(/^model\.fit\(.*$/m, '')}\nmodule.exports.model = model;\n`;
  const js = ts.transpileModule(source, { fileName, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
  const module = { exports: {} as Record<string, unknown> };
  new Function('require', 'module', 'exports', js)((name: string) => {
    if (name.startsWith('@tensorflow/tfjs')) return tf;
    throw new Error(`unexpected import ${name}`);
  }, module, module.exports);
  const model = module.exports.model;
  assert.ok(model instanceof tf.LayersModel, `${fileName}: no model`);
  return model;
}

test('root-cause corpus (static): every buggy program caught on its line with the right first fix, no fixed twin flagged', async () => {
  const rows = await evaluateVerdictCorpus(root);
  const table = confusion(rows);
  assert.ok(table.buggy >= 40, `only ${table.buggy} buggy programs`);
  assert.equal(table.fixed, table.buggy);
  assert.ok(rows.some((r) => r.file.endsWith('.ts')) && rows.some((r) => r.file.endsWith('.py')));
  assert.deepEqual(rows.filter((r) => r.buggy && !r.caught).map((r) => `${r.file}: ${r.flagged.map((f) => `${f.line} ${f.code} ${f.fixes[0]}`).join('; ')}`), []);
  assert.deepEqual(rows.filter((r) => !r.buggy && r.anyFlag).map((r) => `${r.file}: ${r.flagged.map((f) => f.code).join(', ')}`), []);
});

test('root-cause corpus: the first fix removes the cause, applies once, and builds in tfjs', async () => {
  await tf.setBackend('cpu');
  const rows = await evaluateVerdictCorpus(root);
  for (const row of rows.filter((r) => r.buggy)) {
    const file = row.file.slice('buggy/'.length);
    const text = readFileSync(join(root, row.file), 'utf8');
    const model = parseSource(text, file).models[0]!;
    const fix = row.expected!.fix;
    assert.ok(isFixCode(fix), `${row.file}: ${fix} is a fix code`);
    const once = applyFixes(text, file, model.name, [fix]);
    assert.deepEqual(once.applied, [fix], `${row.file}: ${fix} applies (${once.skipped[0]?.reason ?? ''})`);
    const fixed = parseSource(once.text, file).models.find((m) => m.name === model.name);
    assert.ok(fixed, `${row.file}: the model is still read after ${fix}`);
    const left = staticFindings(fixed).filter((f) => f.severity !== 'info' && f.code === row.expected!.code);
    assert.deepEqual(left.map((f) => f.message), [], `${row.file}: ${fix} removes the cause`);
    const twice = applyFixes(once.text, file, model.name, [fix]);
    assert.equal(twice.text, once.text, `${row.file}: ${fix} applied again changes nothing`);
    const built = file.endsWith('.ts') ? runTs(once.text, file) : buildModel(tf, fixed);
    if (fixed.params !== undefined) assert.equal(built.countParams(), fixed.params, `${row.file}: parameters after ${fix}`);
    tf.dispose(built.weights.map((w) => w.read()));
  }
});
