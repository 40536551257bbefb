/**
 * `nodeStart` (boundedSyntax.ts) is `node.getStart(file)` with a fast path past spaces and tabs:
 * it must give TypeScript's answer for every node, on every TS/JS file of the fixtures and
 * examples and on texts made of the trivia its fast path leaves to TypeScript.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type * as TS from 'typescript';
import { createBoundedSourceFile, nodeStart } from '../../src/core/parse/boundedSyntax';
import { loadTypeScript, scriptKind } from '../../src/core/parse/index';

const root = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|tsx|js|jsx|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

/** Compares every node's start; returns how many nodes were compared. */
function compare(ts: typeof TS, path: string, text: string): number {
  const file = createBoundedSourceFile(ts, path, text, scriptKind(ts, path)).file;
  let nodes = 0;
  const visit = (node: TS.Node): void => {
    assert.equal(nodeStart(node, file), node.getStart(file), `${path}: ${ts.SyntaxKind[node.kind]} at ${node.pos}`);
    nodes++;
    ts.forEachChild(node, visit);
  };
  visit(file);
  return nodes;
}

test('every node of the fixtures and examples starts where TypeScript says', () => {
  const ts = loadTypeScript();
  const files = [...sources(join(root, 'test', 'fixtures')), ...sources(join(root, 'examples'))];
  let nodes = 0;
  for (const path of files) nodes += compare(ts, path, readFileSync(path, 'utf8'));
  assert.ok(nodes > 10_000, `${nodes} nodes`);
});

test('comments, line breaks, conflict markers, a shebang, other white space and missing nodes', () => {
  const ts = loadTypeScript();
  const texts = [
    '#!/usr/bin/env node\nconst a = 1;\n',
    'const a = /* x */ 1, b = // y\n  2;\n\tconst c =\t\t3;\r\nconst d = \u00a0 4;\u3000const e = 5;\n',
    'const a = 1;\n<<<<<<< HEAD\nconst b = 2;\n=======\nconst b = 3;\n>>>>>>> other\n',
    "import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential();\nm.add(tf.layers.dense({units: , inputShape: [3]}));\nconst x = (\n",
    '/** doc */\nfunction f(/* a */ a, /* b */ b) { return a +  /**/ b; }\nconst t = `x${ f(1, 2) }y`;\n',
    'const a = 1;\f\vconst b = 2; \u2028 const c = 3;\u2029',
  ];
  for (const [i, text] of texts.entries()) assert.ok(compare(ts, `case${i}.ts`, text) > 5);
});
