/**
 * Every fix's output must parse and build in tfjs: apply each fix to each example, run the
 * fixed file with tfjs (cpu backend), and compare the model tfjs builds with the one the
 * parser reads from the same text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import ts from 'typescript';
import { applyFixes, FIX_CODES } from '../../src/core/fixes/index';
import { parseModels } from '../../src/core/parse/index';

const examples = join(__dirname, '..', 'examples');

/** Runs a model file as CommonJS with tfjs as its only import, and returns its exports. */
function run(text: string, fileName: string): Record<string, unknown> {
  const js = ts.transpileModule(text, { fileName, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
  const module = { exports: {} as Record<string, unknown> };
  const requireTf = (name: string): unknown => {
    if (name.startsWith('@tensorflow/tfjs')) return tf;
    throw new Error(`unexpected import ${name}`);
  };
  new Function('require', 'module', 'exports', js)(requireTf, module, module.exports);
  return module.exports;
}

function built(exports: Record<string, unknown>, name: string): tf.LayersModel {
  const value = exports[name];
  const model = typeof value === 'function' ? (value as () => unknown)() : value;
  assert.ok(model instanceof tf.LayersModel, `export ${name} is not a model`);
  return model;
}

test('each fix applied to each example builds in tfjs, with the layers the parser reads', async () => {
  await tf.setBackend('cpu');
  const files = readdirSync(examples).filter((f) => /\.(ts|js)$/.test(f));
  let checked = 0;
  for (const file of files) {
    const source = readFileSync(join(examples, file), 'utf8');
    for (const graph of parseModels(source, file).models) {
      if (graph.holes?.length) continue; // its builder needs data to run
      for (const code of FIX_CODES) {
        const { text, applied } = applyFixes(source, file, graph.name, [code]);
        if (!applied.length) continue;
        const fixed = parseModels(text, file).models.find((m) => m.name === graph.name);
        assert.ok(fixed, `${file} ${code}: the parser still finds ${graph.name}`);
        const model = built(run(text, file), graph.name);
        const tfLayers = model.layers.filter((l) => l.getClassName() !== 'InputLayer').length;
        const ourLayers = fixed.layers.filter((l) => l.type !== 'inputLayer').length;
        assert.equal(ourLayers, tfLayers, `${file} ${code}: layer count`);
        if (fixed.params !== undefined) assert.equal(fixed.params, model.countParams(), `${file} ${code}: parameter count`);
        tf.dispose(model.weights.map((w) => w.read()));
        checked++;
      }
    }
  }
  assert.ok(checked >= 20, `only ${checked} fixed variants were checked`);
});
