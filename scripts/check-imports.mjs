// Fails when the project's own modules import each other in a cycle, or when an import climbs
// a layer (the pure core importing the worker, the CLI or the editor adapter).
//   node scripts/check-imports.mjs        prints the cycles / climbing imports, exits 1 if any
// The graph is read with TypeScript's own `preProcessFile`, so `import type` edges count too:
// esbuild's metafile drops them, but a cycle through types is still a cycle for a reader.
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Layers from bottom to top; a module may import only from its own layer or the ones below. */
const LAYERS = [
  ['src/shared/', 'src/core/'],
  ['src/training/'],
  ['src/cli/', 'src/vscode/', 'src/extension.ts', 'webview/'],
];

function layerOf(file) {
  return LAYERS.findIndex((prefixes) => prefixes.some((p) => file.startsWith(p)));
}

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** `./x` from `src/a/b.ts` -> `src/a/x.ts` (or `x/index.ts`); undefined for packages. */
function resolveImport(fromFile, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = join(dirname(fromFile), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Import graph of the project's sources: repo-relative file -> repo-relative files it imports. */
function importGraph() {
  const graph = new Map();
  const rel = (file) => relative(root, file).split(sep).join('/');
  for (const file of [...walk(join(root, 'src')), ...walk(join(root, 'webview/src'))]) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((f) => resolveImport(file, f.fileName))
      .filter((f) => f !== undefined)
      .map(rel);
    graph.set(rel(file), [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one file (or a self-import): Tarjan's algorithm. */
function cycles(graph) {
  let index = 0;
  const stack = [];
  const onStack = new Set();
  const indices = new Map();
  const low = new Map();
  const found = [];
  const visit = (v) => {
    indices.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), indices.get(w)));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return found;
}

const graph = importGraph();
const problems = [];
for (const component of cycles(graph)) problems.push(`import cycle: ${component.join(' <-> ')}`);
for (const [from, tos] of graph) {
  for (const to of tos) {
    const a = layerOf(from);
    const b = layerOf(to);
    if (a >= 0 && b > a) problems.push(`import climbs a layer: ${from} -> ${to}`);
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`imports: ${graph.size} modules, no cycles, no import climbs a layer`);
