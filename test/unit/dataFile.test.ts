import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { parseDataFile, DataFileError } from '../../src/core/dataFile';
import { parseModels } from '../../src/core/parse/index';
import { measure, MeasureError } from '../../src/training/measure';
import { DEFAULT_RUN_OPTIONS } from '../../src/training/protocol';

test('CSV with a named label column, CSV without a header, and JSON', () => {
  assert.deepEqual(parseDataFile('a,label,b\n1,0,2\n3,1,4\n', 'd.csv'), { inputs: [[1, 2], [3, 4]], labels: [0, 1] });
  assert.deepEqual(parseDataFile('1,2,9\n3,4,8\n', 'd.csv'), { inputs: [[1, 2], [3, 4]], labels: [9, 8] });
  assert.deepEqual(parseDataFile('{"xs": [[1], [2]], "ys": [[0], [1]]}', 'd.json'), { inputs: [[1], [2]], labels: [[0], [1]] });
  assert.throws(() => parseDataFile('a,b\n1,x\n', 'd.csv'), (e: Error) => e instanceof DataFileError && /line 2, column 2: 'x' is not a finite number/.test(e.message));
  assert.throws(() => parseDataFile('{"inputs": 3}', 'd.json'), DataFileError);
  assert.throws(() => parseDataFile('{oops', 'd.json'), /not valid JSON/);
});

test('the worker trains on user rows, and a shape mismatch or NaN is a clear error', async () => {
  await tf.setBackend('cpu');
  const graph = parseModels(`import * as tf from '@tensorflow/tfjs';
const m = tf.sequential({layers: [tf.layers.dense({units: 4, inputShape: [2], activation: 'relu'}), tf.layers.dense({units: 2, activation: 'softmax'})]});
m.compile({optimizer: 'adam', loss: 'categoricalCrossentropy'});`, 'm.ts').models[0]!;
  const rows = Array.from({ length: 40 }, (_, i) => `${Math.sin(i)},${Math.cos(i)},${i % 2}`).join('\n');
  const data = parseDataFile(rows, 'd.csv');
  const summary = await measure(tf, graph, { ...DEFAULT_RUN_OPTIONS, data, batchSize: 8, epochs: 1 }, {}, { cancelled: () => false });
  assert.equal(summary.steps, 5);
  assert.ok(summary.layers.dense_1!.gradNorm! > 0);

  const wide = parseDataFile('1,2,3,0\n4,5,6,1\n', 'd.csv');
  await assert.rejects(measure(tf, graph, { ...DEFAULT_RUN_OPTIONS, data: wide }, {}, { cancelled: () => false }), (e: Error) => e instanceof MeasureError && /must have 2 values .* the file has 3/.test(e.message));
  await assert.rejects(measure(tf, graph, { ...DEFAULT_RUN_OPTIONS, data: { inputs: [[1, NaN]], labels: [0] } }, {}, { cancelled: () => false }), /not a finite number/);
});
