import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import ts from 'typescript';
import { applyFixes, planFix } from '../../src/core/fixes/index';
import { parseModels } from '../../src/core/parse/index';

const examples = join(__dirname, '..', 'examples');

test('clip-gradients wraps the optimizer, adds the helper once, and the parser reads it back', () => {
  const src = readFileSync(join(examples, 'exploding-relu.ts'), 'utf8');
  const { text, applied } = applyFixes(src, 'exploding-relu.ts', 'createModel', ['clip-gradients']);
  assert.deepEqual(applied, ['clip-gradients']);
  assert.match(text, /optimizer: withGradientClipping\(tf\.train\.sgd\(0\.01\), 1\)/);
  assert.equal(text.match(/function withGradientClipping/g)?.length, 1);
  const model = parseModels(text, 'exploding-relu.ts').models.find((m) => m.name === 'createModel')!;
  assert.deepEqual(model.compile?.optimizer, { $call: 'gradientLens.withGradientClipping', args: [{ $call: 'train.sgd', args: [0.01] }, 1] });
  const again = planFix(text, 'exploding-relu.ts', model, 'clip-gradients');
  assert.ok('unavailable' in again && /already clipped/.test(again.unavailable));
});

test('a string optimizer becomes the optimizer tfjs would build for that name', () => {
  const src = readFileSync(join(examples, 'long-sequence-rnn.js'), 'utf8');
  const { text } = applyFixes(src, 'long-sequence-rnn.js', 'model', ['clip-gradients']);
  assert.match(text, /optimizer: withGradientClipping\(tf\.train\.adam\(0\.001\), 1\)/);
  assert.doesNotMatch(text, /<T extends/, 'plain JavaScript in a .js file');
});

test('the generated TypeScript typechecks against tfjs and clips updates at run time', async () => {
  const src = readFileSync(join(examples, 'exploding-relu.ts'), 'utf8');
  const { text } = applyFixes(src, 'exploding-relu.ts', 'createModel', ['clip-gradients']);
  // 1. Typecheck the fixed file against the real tfjs typings.
  const fileName = join(examples, '__clipped.ts');
  const host = ts.createCompilerHost({ strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext, skipLibCheck: true, types: [] });
  const readFile = host.readFile.bind(host);
  host.readFile = (f) => (f === fileName ? text : readFile(f));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => f === fileName || fileExists(f);
  const program = ts.createProgram([fileName], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext, skipLibCheck: true, types: [] }, host);
  const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(errors, []);

  // 2. Run the helper: one SGD step on huge gradients moves the weights by at most lr * maxNorm.
  const helper = text.slice(text.indexOf('function withGradientClipping'), text.indexOf('\nexport function createModel'));
  const js = ts.transpileModule(helper, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
  await tf.setBackend('cpu');
  const withGradientClipping = new Function('tf', `${js}\nreturn withGradientClipping;`)(tf) as (o: tf.Optimizer, n: number) => tf.Optimizer;
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], kernelInitializer: tf.initializers.randomNormal({ stddev: 10, seed: 1 }) })] });
  model.compile({ optimizer: withGradientClipping(tf.train.sgd(0.1), 1), loss: 'meanSquaredError' });
  const before = model.getWeights().map((w) => w.dataSync().slice());
  const x = tf.fill([8, 3], 100);
  const y = tf.zeros([8, 4]);
  const tensorsBefore = tf.memory().numTensors;
  await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
  const after = model.getWeights().map((w) => w.dataSync());
  let squared = 0;
  before.forEach((b, i) => b.forEach((v, j) => (squared += (after[i]![j]! - v) ** 2)));
  const step = Math.sqrt(squared);
  assert.ok(step > 0.05, `the weights moved (${step})`);
  assert.ok(step <= 0.1 * 1 + 1e-6, `update norm ${step} is within lr * maxNorm`);
  assert.ok(tf.memory().numTensors <= tensorsBefore + 1, 'no tensor leaked by the helper');
  tf.dispose([x, y]);
});
