/**
 * TS/JS front end: the side of a string test no literal names (`else`, `default:`) is an
 * architecture of its own, built with a string none of the literals is; a side that only throws
 * adds nothing. Each model is checked against tfjs building the same builder with that string.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModels } from '../../src/core/parse/index';
import { otherString } from '../../src/core/parse/interpret/stringCases';

const DIR = join(__dirname, '..', 'test', 'fixtures', 'branches');
const parse = (file: string) => parseModels(readFileSync(join(DIR, file), 'utf8'), join(DIR, file));
type Built = { layers: unknown[]; countParams(): number };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const builder = (file: string, name: string) => (require(join(DIR, file)) as Record<string, (kind: string) => Built>)[name]!;

function checkAgainstTfjs(file: string, name: string, literals: string[], otherSide: boolean): void {
  const result = parse(file);
  const other = otherString(literals)!;
  const expected = [...literals.map((l) => [`${name}[${l}]`, l]), ...(otherSide ? [[`${name}[other than ${literals.length <= 2 ? literals.map((l) => `'${l}'`).join(', ') : `the ${literals.length} strings`}]`, other]] : [])];
  assert.deepEqual(result.models.map((m) => m.name), expected.map(([label]) => label), file);
  for (const [label, value] of expected) {
    const graph = result.models.find((m) => m.name === label)!;
    const built = builder(file, name)(value!);
    assert.equal(graph.layers.length, built.layers.length, `${label}: layers`);
    assert.equal(graph.params, built.countParams(), `${label}: params`);
  }
  assert.ok(!result.problems.some((p) => /first (branch|case) only/.test(p.message)), result.problems.map((p) => p.message).join(' | '));
}

test('the else of a string test with one literal is built too', () => {
  checkAgainstTfjs('else_of_string.js', 'head', ['conv'], true);
});

test('a switch default that builds is one more model; one that throws adds nothing and says nothing', () => {
  checkAgainstTfjs('default_builds.js', 'pool', ['max', 'avg'], true);
  checkAgainstTfjs('default_throws.js', 'net', ['small', 'big'], false);
  assert.deepEqual(parse('default_throws.js').problems.filter((p) => p.severity !== 'info'), []);
  // The model the rejected string began (a layer before the tests) is no model either.
  checkAgainstTfjs('else_throws.js', 'embed', ['mean', 'recurrent'], false);
});

test('a top-level string read from the command line splits into its literal and the else', () => {
  const result = parse('top_level_else.js');
  assert.deepEqual(result.models.map((m) => [m.name, m.layers.map((l) => l.type)]), [
    ['model[recurrent]', ['gru', 'dense']],
    ["model[other than 'recurrent']", ['dense', 'dense']],
  ]);
});

test('the other string is clear of every literal, also as a regular expression', () => {
  for (const literals of [['a'], ['other'], ['o', 'n'], ['.'], ['lstm', 'bidirectional-lstm']]) {
    const other = otherString(literals);
    if (other === undefined) continue;
    for (const l of literals) {
      assert.ok(!other.includes(l) && !new RegExp(l).test(other), `${other} vs ${l}`);
    }
  }
  assert.equal(otherString(['.']), undefined, 'a pattern that matches anything leaves no other string');
});

test('a string condition with no else is suggested one of its literals, not `true`, and the suggestion fills it', () => {
  const text = "const tf = require('@tensorflow/tfjs');\nfunction build(kind) {\n  const m = tf.sequential();\n  m.add(tf.layers.dense({units: 4, inputShape: [3]}));\n  if (kind === 'deep') m.add(tf.layers.dense({units: 4}));\n  return m;\n}\nmodule.exports = {build};\n";
  const blind = parseModels(text, 'one.js');
  const hole = blind.models[0]!.holes?.find((h) => h.name === 'kind');
  assert.equal(hole?.suggestion, "'deep'");
  const filled = parseModels(text, 'one.js', { set: { kind: hole!.suggestion } });
  assert.equal(filled.models[0]!.layers.length, 2);
  assert.equal(filled.models[0]!.holes, undefined);
});
