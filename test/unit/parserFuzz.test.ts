import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModels } from '../../src/core/parse/index';
import { seededRandom } from '../../src/training/seeding';

const INSERTS = [
  '{', '}', '(', ')', '[', ']', ',', ';', '...', '=>', '=', '+', '*', '-1', '0', '1e9', '1000000', 'NaN',
  'for (;;)', 'while (true)', 'while (i < n)', 'if (x)', 'return', 'break', 'continue', 'const', 'let', 'function f(x)',
  'tf.layers.dense(', 'model.add(', 'tf.sequential(', 'tf.model({inputs: x, outputs: x})', '.apply(', 'x', 'model', 'tf',
  'undefined', 'null', "'relu'", '`${x}`', 'Array.from({length: 1e9})', 'new Array(-1)', 'f(f)', 'as any', '?', ':',
];

function tokens(text: string): string[] {
  return text.match(/\s+|[A-Za-z_$][\w$]*|\d+(?:\.\d+)?|'[^'\n]*'|"[^"\n]*"|`[^`]*`|\/\/[^\n]*|[^\s\w]/g) ?? [];
}

function mutate(source: string[], rand: () => number): string {
  const out = [...source];
  const edits = 1 + Math.floor(rand() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (out.length + 1));
    const kind = rand();
    if (kind < 0.4 && out.length) out.splice(Math.min(at, out.length - 1), 1 + Math.floor(rand() * 3));
    else if (kind < 0.8) out.splice(at, 0, INSERTS[Math.floor(rand() * INSERTS.length)]!);
    else if (out.length) out.splice(at, 0, out[Math.floor(rand() * out.length)]!);
  }
  return out.join('');
}

test('mutated example files never throw, never hang, never hit an internal error', () => {
  const dir = join(__dirname, '..', 'examples');
  const files = readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f));
  assert.ok(files.length >= 4);
  // The project's seeded generator: a failure replays from its seed.
  const rand = seededRandom(20261122);
  let runs = 0;
  let slowest = 0;
  let withModels = 0;
  for (let i = 0; i < 1200; i++) {
    const file = files[i % files.length]!;
    const text = mutate(tokens(readFileSync(join(dir, file), 'utf8')), rand);
    const started = performance.now();
    const result = parseModels(text, file);
    slowest = Math.max(slowest, performance.now() - started);
    runs++;
    if (result.models.length) withModels++;
    const internal = result.problems.find((p) => /internal error/.test(p.message));
    assert.equal(internal, undefined, `internal error on mutation ${i} of ${file}:\n${text}`);
  }
  assert.equal(runs, 1200);
  // Most mutations leave a model readable: the parser recovers instead of giving up.
  assert.ok(withModels > runs / 2, `only ${withModels}/${runs} mutated files still had a model`);
  // Generous bound against hangs (the 1,000,000-iteration cap), not a speed target.
  assert.ok(slowest < 10_000, `slowest parse took ${slowest.toFixed(0)} ms`);
});
