/**
 * The model list keeps one of each copy: a builder reached twice the same way (two listeners
 * of one callback) gives one model; the same builder with other arguments gives another one
 * (`model (2)`). Without branch readings, index.ts compares the layers only when two models
 * share a name and a start (a lazy signature): these cases go through that path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModels } from '../../src/core/parse/index';

const BUILDER = "import * as tf from '@tensorflow/tfjs';\nfunction build(units) {\n  const m = tf.sequential();\n  m.add(tf.layers.dense({units, inputShape: [3]}));\n  return m;\n}\n";
const listener = (id: string, units: number): string => `document.getElementById('${id}').addEventListener('click', () => { const model = build(${units}); });\n`;

function listed(text: string): [string, number, unknown[]][] {
  return parseModels(text, 'page.js').models.map((m) => [m.name, m.range.start, m.layers.map((l) => l.config.units)]);
}

test('a builder reached twice the same way is one model', () => {
  const models = listed(BUILDER + listener('a', 4) + listener('b', 4));
  assert.deepEqual(models, [['model', BUILDER.indexOf('tf.sequential()'), [4]]]);
});

test('the same builder with other layers is another model, and a copy of the second is dropped', () => {
  const start = BUILDER.indexOf('tf.sequential()');
  assert.deepEqual(listed(BUILDER + listener('a', 4) + listener('b', 8)), [['model', start, [4]], ['model (2)', start, [8]]]);
  assert.deepEqual(listed(BUILDER + listener('a', 4) + listener('b', 8) + listener('c', 8) + listener('d', 4)), [['model', start, [4]], ['model (2)', start, [8]]]);
  assert.deepEqual(listed(BUILDER + listener('a', 4) + listener('b', 8) + listener('c', 16)), [['model', start, [4]], ['model (2)', start, [8]], ['model (3)', start, [16]]]);
});
