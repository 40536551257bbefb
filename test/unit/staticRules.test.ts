import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { staticFindings } from '../../src/core/analysis/staticRules';
import { parseModels } from '../../src/core/parse/index';

const examples = join(__dirname, '..', 'examples');

function findingsOf(text: string, file = 'm.ts') {
  const result = parseModels(text, file);
  return result.models.flatMap((m) => staticFindings(m));
}

function mlp(depth: number, activation: string, init?: string, width = 64): string {
  const initText = init ? `, kernelInitializer: ${init.startsWith('tf.') ? init : `'${init}'`}` : '';
  return `import * as tf from '@tensorflow/tfjs';
const m = tf.sequential();
m.add(tf.layers.dense({units: ${width}, activation: '${activation}', inputShape: [20]${initText}}));
for (let i = 1; i < ${depth}; i++) m.add(tf.layers.dense({units: ${width}, activation: '${activation}'${initText}}));
m.add(tf.layers.dense({units: 1}));
`;
}

test('the examples get the static findings they are about, and the healthy ones get none', () => {
  const codes = (file: string): string[] => findingsOf(readFileSync(join(examples, file), 'utf8'), file).map((f) => `${f.code}:${f.severity}`);
  assert.deepEqual(codes('deep-sigmoid-mlp.ts'), ['vanishing-gradient:warning']);
  assert.deepEqual(codes('relu-batchnorm-mlp.ts'), []);
  assert.deepEqual(codes('residual-functional.ts'), []);
  assert.deepEqual(codes('long-sequence-rnn.js'), ['long-sequence-rnn:warning']);
  assert.deepEqual(codes('exploding-relu.ts'), ['exploding-gradient:warning']);
  assert.deepEqual(codes('mnist-cnn.ts'), ['vanishing-gradient:warning']);
});

test('the deep sigmoid finding names the hidden layers, not the output, and ranks the fixes', () => {
  const [finding] = findingsOf(readFileSync(join(examples, 'deep-sigmoid-mlp.ts'), 'utf8'));
  assert.ok(finding);
  assert.deepEqual(finding.layers, Array.from({ length: 11 }, (_, i) => `dense_${i + 1}`));
  assert.deepEqual(finding.fixes, ['activation-relu', 'insert-batch-norm', 'add-residual']);
  assert.equal(finding.source, 'static');
  assert.match(finding.message, /^Predicted vanishing gradient: 11 hidden layers/);
  assert.equal(finding.relatedLayer, 'dense_12');
  assert.equal(finding.evidence?.saturatingLayers, 11);
});

test('no false positives: tanh + Glorot 11 deep, ReLU + He, shallow sigmoid and ReLU', () => {
  assert.deepEqual(findingsOf(mlp(11, 'tanh')), []);
  assert.deepEqual(findingsOf(mlp(11, 'relu', 'heNormal')), []);
  assert.deepEqual(findingsOf(mlp(3, 'sigmoid')), []);
  assert.deepEqual(findingsOf(mlp(2, 'relu')), []);
});

test('initializer rules: large random normal explodes, He under sigmoid is a mismatch, ReLU + Glorot shrinks when deep', () => {
  const exploding = findingsOf(mlp(6, 'relu', 'tf.initializers.randomNormal({stddev: 1.5})'));
  assert.deepEqual(exploding.map((f) => f.code), ['exploding-gradient']);
  assert.ok(exploding[0]!.evidence!.stackGain! > 1e4);
  const smallNormal = findingsOf(mlp(6, 'relu', 'tf.initializers.randomNormal({stddev: 0.177})'));
  assert.deepEqual(smallNormal, [], 'stddev sqrt(2/64) is He scale: healthy');
  assert.deepEqual(findingsOf(mlp(2, 'sigmoid', 'heNormal')).map((f) => f.code), ['init-mismatch']);
  assert.deepEqual(findingsOf(mlp(16, 'relu')).map((f) => `${f.code}:${f.severity}`), ['init-mismatch:info']);
});

test('simpleRNN: long sequences flagged from the input shape, short ones not', () => {
  const rnn = (steps: number) => `import * as tf from '@tensorflow/tfjs';
const m = tf.sequential({layers: [tf.layers.simpleRNN({units: 8, inputShape: [${steps}, 4]}), tf.layers.dense({units: 1})]});`;
  assert.deepEqual(findingsOf(rnn(300)).map((f) => f.code), ['long-sequence-rnn']);
  assert.equal(findingsOf(rnn(300))[0]!.evidence!.timeSteps, 300);
  assert.deepEqual(findingsOf(rnn(20)), []);
});

test('a deep plain stack without normalization or skips is pointed out as info', () => {
  assert.deepEqual(findingsOf(mlp(14, 'relu', 'heNormal')), []);
  const findings = findingsOf(mlp(16, 'relu', 'heNormal'));
  assert.deepEqual(findings.map((f) => `${f.code}:${f.severity}`), ['missing-normalization:info']);
});
