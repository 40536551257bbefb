/**
 * `mayNeedLexicalCuts` (boundedSyntax.ts) lets the parser skip the TypeScript scan for depth
 * cuts: whenever it says false, `lexicalCuts` must find nothing. Checked on every TS/JS file of
 * the fixtures and examples, on hand-made texts where comments, strings, templates and regular
 * expressions hide or show brackets, and on seeded random texts near each limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { lexicalCuts, mayNeedLexicalCuts } from '../../src/core/parse/boundedSyntax';
import { loadTypeScript } from '../../src/core/parse/index';
import { seededRandom } from '../../src/training/seeding';

const root = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|tsx|js|jsx|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

/** Asserts the prefilter's promise on `text`; returns [prefilter says maybe, cuts found]. */
function check(text: string, label: string): [boolean, number] {
  const maybe = mayNeedLexicalCuts(text);
  const cuts = lexicalCuts(loadTypeScript(), text).length;
  if (!maybe) assert.equal(cuts, 0, `${label}: the prefilter skipped a text with ${cuts} cut(s): ${JSON.stringify(text.slice(0, 200))}`);
  return [maybe, cuts];
}

test('fixtures and examples: never a skipped cut, and the scan is skipped for files without one', () => {
  const files = [...sources(join(root, 'test', 'fixtures')), ...sources(join(root, 'examples'))];
  assert.ok(files.length > 100, `${files.length} files`);
  let skipped = 0;
  for (const path of files) if (!check(readFileSync(path, 'utf8'), path)[0]) skipped++;
  // Merge-conflict-like lines (`=======` in a comment) send a file to the scanner: rare.
  assert.ok(skipped >= files.length * 0.95, `${skipped} of ${files.length} skipped`);
});

test('brackets hidden in comments, strings and templates do not count; brackets in code do', () => {
  const deep = (n: number): string => `${'('.repeat(n)}1${')'.repeat(n)}`;
  // Below the limit: skipped.
  assert.deepEqual(check(`const a = ${deep(100)};\n`, 'shallow'), [false, 0]);
  // Over it: found, whatever surrounds it.
  assert.deepEqual(check(`const a = ${deep(130)};\n`, 'deep')[1] > 0, true);
  assert.equal(check(`const a = ${deep(130)};\n`, 'deep')[0], true);
  // Opening brackets in a string, a comment, a template's text: not code.
  for (const hidden of [`'${'('.repeat(130)}'`, `"${'['.repeat(130)}"`, `/* ${'{'.repeat(130)} */`, `// ${'('.repeat(130)}\n`, `\`${'('.repeat(130)}\``]) {
    assert.deepEqual(check(`const a = ${hidden};\n`, hidden.slice(0, 12)), [false, 0]);
  }
  // Closing brackets in a string / comment do not close the code's brackets.
  const open = '('.repeat(70);
  const close = ')'.repeat(70);
  for (const hidden of [`')))))'`, `/* ))))) */`, `"\\")))"`, `\`))) \\\` )))\``]) {
    const [maybe, cuts] = check(`a = ${open}${hidden}${open}1${close}${close};\n`, hidden);
    assert.ok(maybe && cuts > 0, `${hidden}: ${maybe} ${cuts}`);
  }
  // Template substitutions are brackets, nested templates too.
  const nested = `${'`${'.repeat(130)}1${'}`'.repeat(130)}`;
  assert.equal(check(`a = ${nested};\n`, 'templates')[0], true);
  // A regular expression is scanned as code by both: its quote starts a string to the line's end.
  assert.deepEqual(check(`a = /'/;\nb = ${deep(130)};\n`, 'regex quote')[0], true);
  assert.deepEqual(check(`a = /'${'('.repeat(130)}/;\n`, 'regex quote hides')[1], 0);
  // A string continued over CRLF keeps its brackets hidden.
  assert.deepEqual(check(`a = '\\\r\n${'('.repeat(130)}';\n`, 'continuation'), [false, 0]);
  // An unterminated string ends at the line break: brackets after it are code.
  assert.equal(check(`a = 'open\n${deep(130)};\n`, 'unterminated')[1] > 0, true);
});

test('chains of prefix operators and runs of `<` near their limits', () => {
  for (const n of [390, 410]) {
    for (const op of ['!', '~', '- ', 'typeof ', 'void ', 'await ', 'new ', 'delete ', 'yield ', 'x => ', '\\u0074ypeof ']) {
      const [, cuts] = check(`a = ${op.repeat(n)}1;\n`, `${op} x ${n}`);
      if (n === 410 && op !== '\\u0074ypeof ') assert.ok(cuts > 0, `${op} x ${n}: a cut expected`);
    }
  }
  for (const n of [190, 210]) {
    const [, cuts] = check(`a = ${'x < '.repeat(n)}1;\n`, `< x ${n}`);
    if (n === 210) assert.ok(cuts > 0, 'a cut expected');
    check(`a = ${'x << '.repeat(n)}1 ${'> '.repeat(n)};\n`, `<< x ${n}`);
    check(`a = ${'x <= '.repeat(n)}1 ${'==> '.repeat(n)};\n`, `<= x ${n}`);
  }
});

test('seeded random texts near the limits: the prefilter never skips a cut', () => {
  const next = seededRandom(19);
  const pieces = ['(', ')', '[', ']', '{', '}', '${', '`', "'", '"', '\\', '\n', '\r\n', '\r', '//', '/*', '*/', '/', '!', '~', '+', '-', '=>', '==>', '<', '>', '<<', ',', ';', 'typeof ', 'new ', '\\u0074ypeof ', ' x ', '1', '\u2028', '=======', '\\u{28}'];
  const runs: Record<string, [number, number]> = { '(': [100, 135], '[': [100, 135], '{': [100, 135], '${': [100, 135], '!': [380, 420], '-': [380, 420], '=>': [380, 420], 'typeof ': [380, 420], '<': [180, 220] };
  let withCuts = 0;
  let skipped = 0;
  for (let k = 0; k < 1500; k++) {
    let text = '';
    const count = 5 + Math.floor(next() * 40);
    for (let i = 0; i < count; i++) {
      const piece = pieces[Math.floor(next() * pieces.length)]!;
      const run = runs[piece];
      const times = run && next() < 0.3 ? run[0] + Math.floor(next() * (run[1] - run[0])) : 1 + Math.floor(next() * 3);
      text += piece.repeat(times);
    }
    const [maybe, cuts] = check(text, `random text ${k}`);
    if (cuts) withCuts++;
    if (!maybe) skipped++;
  }
  // Both sides occur, or the test shows nothing.
  assert.ok(withCuts > 50, `${withCuts} texts with cuts`);
  assert.ok(skipped > 300, `${skipped} texts skipped`);
});
