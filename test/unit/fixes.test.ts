import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits } from '../../src/core/fixes/edits';
import { applyFixes, FIX_CODES, planFix, type FixCode } from '../../src/core/fixes/index';
import { parseModels } from '../../src/core/parse/index';

const examples = join(__dirname, '..', 'examples');
const read = (name: string): string => readFileSync(join(examples, name), 'utf8');

function modelOf(text: string, file: string, name: string) {
  const result = parseModels(text, file);
  assert.deepEqual(result.problems.filter((p) => p.severity === 'error'), [], `fixed text has errors:\n${text}`);
  const model = result.models.find((m) => m.name === name);
  assert.ok(model, `model ${name} not found in:\n${text}`);
  return model;
}

function fix(text: string, file: string, name: string, code: FixCode): string {
  const plan = planFix(text, file, modelOf(text, file, name), code);
  assert.ok(!('unavailable' in plan), 'unavailable' in plan ? plan.unavailable : '');
  return applyEdits(text, plan.edits);
}

test('applyEdits applies from the end and rejects overlaps', () => {
  assert.equal(applyEdits('abcdef', [{ range: { start: 1, end: 2 }, newText: 'X' }, { range: { start: 4, end: 4 }, newText: 'Y' }]), 'aXcdYef');
  assert.throws(() => applyEdits('abcdef', [{ range: { start: 1, end: 4 }, newText: '' }, { range: { start: 2, end: 3 }, newText: '' }]));
});

test('activation-relu edits the activation once per call, in the loop body, keeping formatting', () => {
  const src = read('deep-sigmoid-mlp.ts');
  const fixed = fix(src, 'deep-sigmoid-mlp.ts', 'model', 'activation-relu');
  const model = modelOf(fixed, 'deep-sigmoid-mlp.ts', 'model');
  assert.deepEqual(model.layers.map((l) => l.activation), [...Array(11).fill('relu'), 'softmax']);
  // Only the two activation strings changed: the diff is exactly those characters.
  assert.equal(fixed.replace(/'relu'/g, "'sigmoid'"), src);
});

test('init-he adds kernelInitializer to each ReLU layer call, after activation-relu', () => {
  const src = read('deep-sigmoid-mlp.ts');
  const { text, applied, skipped } = applyFixes(src, 'deep-sigmoid-mlp.ts', 'model', ['activation-relu', 'init-he']);
  assert.deepEqual(applied, ['activation-relu', 'init-he']);
  assert.deepEqual(skipped, []);
  const model = modelOf(text, 'deep-sigmoid-mlp.ts', 'model');
  assert.deepEqual(model.layers.slice(0, 11).map((l) => l.config.kernelInitializer), Array(11).fill('heNormal'));
  assert.equal(model.layers[11]!.config.kernelInitializer, undefined);
  assert.match(text, /model\.add\(tf\.layers\.dense\(\{ units: UNITS, activation: 'relu', kernelInitializer: 'heNormal' \}\)\);/);
});

test('insert-batch-norm adds a model.add statement after each hidden layer call, idempotently', () => {
  const src = read('deep-sigmoid-mlp.ts');
  const once = fix(src, 'deep-sigmoid-mlp.ts', 'model', 'insert-batch-norm');
  const model = modelOf(once, 'deep-sigmoid-mlp.ts', 'model');
  assert.equal(model.layers.length, 23);
  assert.deepEqual(model.layers.slice(0, 4).map((l) => l.type), ['dense', 'batchNormalization', 'dense', 'batchNormalization']);
  assert.match(once, /\n  model\.add\(tf\.layers\.batchNormalization\(\)\);\n\}/, 'inserted inside the loop with its indentation');
  const again = planFix(once, 'deep-sigmoid-mlp.ts', model, 'insert-batch-norm');
  assert.ok('unavailable' in again, 'a second application changes nothing');
});

test('insert-batch-norm in a layers: [...] list and in the functional API', () => {
  const cnn = read('mnist-cnn.ts');
  const fixedCnn = fix(cnn, 'mnist-cnn.ts', 'cnn', 'insert-batch-norm');
  const cnnModel = modelOf(fixedCnn, 'mnist-cnn.ts', 'cnn');
  assert.deepEqual(cnnModel.layers.map((l) => l.type), [
    'conv2d', 'batchNormalization', 'conv2d', 'batchNormalization', 'maxPooling2d', 'conv2d', 'batchNormalization',
    'maxPooling2d', 'flatten', 'dense', 'batchNormalization', 'dense',
  ]);
  assert.match(fixedCnn, /activation: 'sigmoid' \}\),\n    tf\.layers\.batchNormalization\(\),\n    tf\.layers\.conv2d/);

  const res = read('residual-functional.ts');
  const fixedRes = fix(res, 'residual-functional.ts', 'resnet', 'insert-batch-norm');
  const resModel = modelOf(fixedRes, 'residual-functional.ts', 'resnet');
  const types = resModel.layers.map((l) => l.type);
  assert.equal(types.filter((t) => t === 'batchNormalization').length, 1 + 6 * 2);
  assert.match(fixedRes, /tf\.layers\.batchNormalization\(\)\.apply\(tf\.layers\.dense\(\{ units, activation: 'relu', kernelInitializer: 'heNormal' \}\)\.apply\(x\)\) as tf\.SymbolicTensor/);
});

test('activation-leaky-relu removes the activation and adds a leakyReLU layer', () => {
  const src = read('deep-sigmoid-mlp.ts');
  const fixed = fix(src, 'deep-sigmoid-mlp.ts', 'model', 'activation-leaky-relu');
  const model = modelOf(fixed, 'deep-sigmoid-mlp.ts', 'model');
  assert.deepEqual(model.layers.slice(0, 4).map((l) => [l.type, l.activation]), [['dense', undefined], ['leakyReLU', undefined], ['dense', undefined], ['leakyReLU', undefined]]);
  assert.match(fixed, /tf\.layers\.dense\(\{ units: UNITS, inputShape: \[INPUTS\] \}\)/);
});

test('rnn-lstm and rnn-gru rename the factory only', () => {
  const src = read('long-sequence-rnn.js');
  for (const [code, type] of [['rnn-lstm', 'lstm'], ['rnn-gru', 'gru']] as const) {
    const fixed = fix(src, 'long-sequence-rnn.js', 'model', code);
    assert.equal(fixed, src.replace('tf.layers.simpleRNN(', `tf.layers.${type}(`));
    assert.equal(modelOf(fixed, 'long-sequence-rnn.js', 'model').layers[0]!.type, type);
  }
});

test('every fix is idempotent or says why not, on every example', () => {
  const files = ['deep-sigmoid-mlp.ts', 'relu-batchnorm-mlp.ts', 'residual-functional.ts', 'long-sequence-rnn.js', 'exploding-relu.ts', 'mnist-cnn.ts'];
  for (const file of files) {
    const src = read(file);
    for (const model of parseModels(src, file).models) {
      for (const code of FIX_CODES) {
        const plan = planFix(src, file, model, code);
        if ('unavailable' in plan) {
          assert.ok(plan.unavailable.length > 10, `${file} ${code}: a reason is given`);
          continue;
        }
        const once = applyEdits(src, plan.edits);
        const model2 = modelOf(once, file, model.name);
        const second = planFix(once, file, model2, code);
        const twice = 'unavailable' in second ? once : applyEdits(once, second.edits);
        assert.equal(twice, once, `${file} ${code} is not idempotent`);
      }
    }
  }
});

test('setProperty inserts in the literal style: empty, one-line, multi-line with trailing comma', () => {
  const src = `import * as tf from '@tensorflow/tfjs';
const m = tf.sequential();
m.add(tf.layers.dense({units: 4, inputShape: [3], activation: "sigmoid"}));
m.add(tf.layers.dense({
  units: 4,
  activation: "sigmoid",
}));
m.add(tf.layers.dense({units: 1}));
`;
  const fixed = fix(src, 'm.ts', 'm', 'init-glorot');
  assert.match(fixed, /activation: "sigmoid", kernelInitializer: "glorotNormal"\}\)/);
  assert.match(fixed, /  activation: "sigmoid",\n  kernelInitializer: "glorotNormal",\n\}\)/);
});
