/**
 * The bounded parse sets parent pointers itself (boundedSyntax.ts, during its depth walk) instead
 * of TypeScript's `setParentNodes` pass: every node must get the parent TypeScript would give it,
 * on every TS/JS file of the fixtures and examples, and on trees that were cut and parsed again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type * as TS from 'typescript';
import { createBoundedSourceFile } from '../../src/core/parse/boundedSyntax';
import { loadTypeScript, scriptKind } from '../../src/core/parse/index';

const root = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|tsx|js|jsx|mjs|cjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every node of `file` with its parent, in forEachChild order. */
function parentsOf(ts: typeof TS, file: TS.SourceFile): [TS.Node, TS.Node | undefined][] {
  const out: [TS.Node, TS.Node | undefined][] = [];
  const visit = (node: TS.Node): void => {
    out.push([node, node.parent]);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

test('every node has the parent TypeScript gives it (fixtures and examples)', () => {
  const ts = loadTypeScript();
  const files = [...sources(join(root, 'test', 'fixtures')), ...sources(join(root, 'examples'))];
  assert.ok(files.length > 100, `${files.length} files`);
  let nodes = 0;
  for (const path of files) {
    const text = readFileSync(path, 'utf8');
    const bounded = createBoundedSourceFile(ts, path, text, scriptKind(ts, path));
    if (bounded.cuts.length) continue; // another text than TypeScript's: compared below
    const own = parentsOf(ts, bounded.file);
    const theirs = parentsOf(ts, ts.createSourceFile(path, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true, scriptKind(ts, path)));
    assert.equal(own.length, theirs.length, path);
    for (let i = 0; i < own.length; i++) {
      const [node, parent] = own[i]!;
      const [twin, twinParent] = theirs[i]!;
      assert.equal(node.kind, twin.kind, path);
      assert.equal(parent?.kind, twinParent?.kind, `${path}: parent of ${ts.SyntaxKind[node.kind]} at ${node.pos}`);
      assert.equal(parent?.pos, twinParent?.pos, `${path}: parent of ${ts.SyntaxKind[node.kind]} at ${node.pos}`);
      assert.equal(node.getSourceFile(), bounded.file);
      nodes++;
    }
  }
  assert.ok(nodes > 10_000, `${nodes} nodes`);
});

test('a tree cut for depth and parsed again has every parent set', () => {
  const ts = loadTypeScript();
  // Deep statement nesting (no brackets the lexical scan counts) and a deep expression.
  const deepIfs = `${'if (a) '.repeat(700)}x();\nconst model = tf.sequential();\n`;
  const deepCalls = `const y = ${'f('.repeat(300)}1${')'.repeat(300)};\nconst model = tf.sequential();\n`;
  for (const text of [deepIfs, deepCalls]) {
    const bounded = createBoundedSourceFile(ts, 'deep.ts', text, ts.ScriptKind.TS);
    assert.ok(bounded.cuts.length > 0, 'the text was cut');
    for (const [node, parent] of parentsOf(ts, bounded.file)) {
      if (node === bounded.file) continue;
      assert.ok(parent, `${ts.SyntaxKind[node.kind]} at ${node.pos} has no parent`);
      assert.equal(node.getSourceFile(), bounded.file);
    }
  }
});
