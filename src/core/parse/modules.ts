/**
 * Cross-file constants: `import { IMAGE_H } from './data'` is resolved by reading and running
 * the imported file's top level (never executing it for real). Only data crosses files
 * (numbers, strings, arrays, objects, enums); functions and models stay in their own file,
 * whose analysis reports them with the right ranges.
 */
import { dirname, join, resolve } from 'node:path';
import type * as TS from 'typescript';
import { ObjectValue, Unknown } from './values';
import { createBoundedSourceFile } from './boundedSyntax';
import type { EvaluationBudget } from '../limits';

/** A file that exists but is not read (a device, a link out of the workspace, too big), and why. */
export class RefusedFile {
  constructor(readonly reason: string) {}
}

/** An import whose file was refused: reported as a warning at the import. */
export class RefusedImport extends Unknown {}

/**
 * Reads a file by absolute path; undefined when it does not exist or cannot be read.
 * `request.prefix`: the first bytes of a file over the size limit are enough (a saved model's header).
 */
export type ReadFile = (absolutePath: string, request?: { readonly prefix?: boolean }) => string | undefined | RefusedFile;

export interface ModuleExports {
  readonly exports: ObjectValue;
}

interface CacheEntry {
  readonly text: string;
  readonly exports: ObjectValue;
}

/** Cache of module exports by path, valid while the file's text is unchanged (its version). */
const cache = new Map<string, CacheEntry>();
const MAX_CACHED_MODULES = 200;

const EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '/index.ts', '/index.js'];

/** Runs an imported file's top level within `budget` (when given) and returns its exports. */
export type RunModule = (file: TS.SourceFile, loader: ModuleLoader, budget?: EvaluationBudget) => ObjectValue;

export class ModuleLoader {
  /** Files being read right now, outermost first: an import of one of them is a cycle. */
  private readonly stack: string[];

  constructor(
    private readonly ts: typeof TS,
    private readonly readFile: ReadFile,
    private readonly runModule: RunModule,
    importer: string,
    stack: readonly string[] = [],
    /**
     * The steps every file this loader reads may use together (a child of the importing file's
     * budget): each file gets at most half of what the pool holds, so a chain or a fan of
     * imports stays within the pool. A file stopped by it is refused, and not cached.
     */
    private readonly pool?: EvaluationBudget,
  ) {
    this.stack = [...stack, resolve(importer)];
  }

  isRelative(specifier: string): boolean {
    return specifier.startsWith('./') || specifier.startsWith('../');
  }

  /** The text of a page next to the current file (`index.html`), or undefined. */
  readPage(): string | undefined {
    const importer = this.stack[this.stack.length - 1]!;
    for (const dir of [dirname(importer), dirname(dirname(importer))]) {
      const text = this.readFile(join(dir, 'index.html'));
      if (typeof text === 'string') return text;
    }
    return undefined;
  }

  /** The exports of `specifier` as imported from the current file, or why they are unknown. */
  load(specifier: string): ObjectValue | Unknown {
    const importer = this.stack[this.stack.length - 1]!;
    const base = join(dirname(importer), specifier);
    // TS sources often import './data.js' meaning './data.ts'.
    const candidates = [...EXTENSIONS.map((e) => base + e), ...(/\.js$/.test(base) ? ['.ts', '.tsx'].map((e) => base.replace(/\.js$/, e)) : [])];
    for (const path of candidates) {
      if (this.stack.includes(path)) return new Unknown(specifier, `'${specifier}' imports this file back (an import cycle)`);
      const text = this.readFile(path);
      if (text === undefined) continue;
      if (text instanceof RefusedFile) return new RefusedImport(specifier, text.reason);
      const cached = cache.get(path);
      if (cached && cached.text === text) return cached.exports;
      const kind = /\.(js|jsx|mjs|cjs)$/.test(path) ? this.ts.ScriptKind.JS : /\.tsx$/.test(path) ? this.ts.ScriptKind.TSX : this.ts.ScriptKind.TS;
      const file = createBoundedSourceFile(this.ts, path, text, kind).file;
      const budget = this.pool?.child(Math.floor(this.pool.maxSteps / 2));
      const exports = this.runModule(file, new ModuleLoader(this.ts, this.readFile, this.runModule, path, this.stack.slice(0, -1).concat(importer), this.pool), budget);
      if (budget?.exceeded) return new RefusedImport(specifier, `'${specifier}' takes more evaluation steps to read than Gradient Lens allows an imported file; it is not read`);
      if (cache.size >= MAX_CACHED_MODULES) cache.delete(cache.keys().next().value!);
      cache.set(path, { text, exports });
      return exports;
    }
    return new Unknown(specifier, `'${specifier}' was not found next to this file`);
  }
}
