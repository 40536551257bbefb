/**
 * A builder's body is walked for string comparisons of a parameter (one model per string) only
 * when its text holds `==`, `!=`, `switch` or a backslash (builders.ts `branchParameter`): each
 * spelling still splits, and a body without any builds one model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModels } from '../../src/core/parse/index';

const HEAD = "import * as tf from '@tensorflow/tfjs';\n";
const names = (body: string): string[] => parseModels(`${HEAD}export function build(kind) {\n  const m = tf.sequential();\n${body}  return m;\n}\n`, 'b.ts').models.map((m) => m.name);

test('every comparison spelling splits a builder by its string parameter', () => {
  const dense = (units: number): string => `m.add(tf.layers.dense({units: ${units}, inputShape: [4]}));`;
  assert.deepEqual(names(`  if (kind === 'a') ${dense(2)} else if (kind === 'b') ${dense(3)}\n`), ['build[a]', 'build[b]']);
  assert.deepEqual(names(`  if (kind == 'a') ${dense(2)} else if (kind == 'b') ${dense(3)}\n`), ['build[a]', 'build[b]']);
  // In an expression (no statement branches on it while running): only the body's walk splits.
  assert.deepEqual(names(`  m.add(tf.layers.dense({units: kind != 'a' ? (kind != 'b' ? 4 : 3) : 2, inputShape: [4]}));\n`).slice(0, 2), ['build[a]', 'build[b]']);
  assert.deepEqual(names(`  switch (kind) { case 'a': ${dense(2)} break; case 'b': ${dense(3)} break; }\n`), ['build[a]', 'build[b]']);
});

test('a builder that compares nothing is one model', () => {
  assert.deepEqual(names("  m.add(tf.layers.dense({units: 2, inputShape: [4], activation: kind}));\n"), ['build']);
});
