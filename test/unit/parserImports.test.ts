import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { parseModels } from '../../src/core/parse/index';

/** A little in-memory workspace: absolute path -> text. */
function workspace(files: Record<string, string>) {
  const map = new Map(Object.entries(files).map(([k, v]) => [resolve('/ws', k), v]));
  const reads: string[] = [];
  return {
    readFile: (path: string) => {
      reads.push(path);
      return map.get(path);
    },
    reads,
    path: (name: string) => resolve('/ws', name),
  };
}

test('constants imported from other files: ESM, enums, as-const objects, re-exports, require', () => {
  const ws = workspace({
    'data.ts': `export const IMAGE_H = 28;\nexport const IMAGE_W = IMAGE_H;\nexport enum Classes { A, B, C, Count }\nexport const CONFIG = { hidden: [64, 32], act: 'relu' } as const;\nexport function load() { return 1; }`,
    'constants/index.ts': `export * from '../data';\nexport { IMAGE_H as HEIGHT } from '../data';\nconst rate = 0.25;\nexport { rate };`,
    'legacy.js': `const N = 7;\nmodule.exports = { FEATURES: N * 2 };\nexports.extra = 3;`,
  });
  const src = `
import * as tf from '@tensorflow/tfjs';
import { IMAGE_W, Classes, CONFIG, load } from './data';
import { HEIGHT, rate } from './constants';
const { FEATURES } = require('./legacy.js');
export const model = tf.sequential();
model.add(tf.layers.flatten({inputShape: [HEIGHT, IMAGE_W, 1]}));
for (const units of CONFIG.hidden) model.add(tf.layers.dense({units, activation: CONFIG.act}));
model.add(tf.layers.dropout({rate}));
model.add(tf.layers.dense({units: FEATURES + Classes.Count}));
const loaded = load();
`;
  const result = parseModels(src, ws.path('model.ts'), { readFile: ws.readFile });
  const model = result.models[0]!;
  assert.deepEqual(model.inputShape, [28, 28, 1]);
  assert.deepEqual(model.layers.map((l) => l.config.units ?? l.config.rate ?? null), [null, 64, 32, 0.25, 17]);
  assert.equal(model.layers[1]!.activation, 'relu');
  assert.deepEqual(result.problems, []);
});

test('missing files and import cycles are problems, not crashes', () => {
  const ws = workspace({
    'a.ts': `import { B } from './b';\nexport const A = B + 1;`,
    'b.ts': `import { A } from './a';\nexport const B = 2;`,
  });
  const src = `
import * as tf from '@tensorflow/tfjs';
import { A } from './a';
import { NOPE } from './missing';
const m = tf.sequential();
m.add(tf.layers.dense({units: A, inputShape: [NOPE]}));
`;
  const result = parseModels(src, ws.path('model.ts'), { readFile: ws.readFile });
  const model = result.models[0]!;
  assert.equal(model.layers[0]!.config.units, 3, 'the cycle is cut, the constant still resolves');
  const messages = result.problems.map((p) => p.message).join('\n');
  assert.match(messages, /'\.\/missing' was not found/);
  assert.match(messages, /inputShape: `NOPE` is not a constant/);
});

test('an edited imported file is read again (the cache is keyed by its text)', () => {
  const files: Record<string, string> = { 'c.ts': 'export const U = 5;' };
  const readFile = (path: string) => files[path.replace(resolve('/ws') + '/', '')];
  const src = `import * as tf from '@tensorflow/tfjs';\nimport { U } from './c';\nconst m = tf.sequential({layers: [tf.layers.dense({units: U, inputShape: [1]})]});`;
  assert.equal(parseModels(src, resolve('/ws/m1.ts'), { readFile }).models[0]!.layers[0]!.config.units, 5);
  files['c.ts'] = 'export const U = 6;';
  assert.equal(parseModels(src, resolve('/ws/m1.ts'), { readFile }).models[0]!.layers[0]!.config.units, 6);
});
