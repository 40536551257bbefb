/**
 * Values given from outside the code: annotation comments (`// gradient-lens: units=64`),
 * `--set` pairs, JSDoc defaults. A name's fill replaces the hole an unknown would leave.
 */
import type * as TS from 'typescript';
import type { SourceRange } from '../../ir';
import { presetText, splitFills } from '../../frontend/annotations';
import { Unknown, type Scope, type Value } from '../values';
import type { AnnotationEntry } from './state';
import { TfjsModels } from './tfjsModels';

/** The annotation comment: `// gradient-lens: name=value, ...` (or inside a block comment). */
export const ANNOTATION = /^[ \t]*(?:\/\/+|\/\*+|\*)[ \t]*gradient-lens:[ \t]*([^\n]*?)[ \t]*(\*\/)?$/m;

export abstract class Fills extends TfjsModels {
  /**
   * Values for a template's parameters: presets (`--set`, remembered values) overridden by the
   * function's annotation, a comment just above it: `// gradient-lens: inputShape=[13], units=64, modelType='cnn'`.
   * Values are constant expressions of the file (`[IMAGE_H, IMAGE_W, 1]` works).
   */
  protected valuesFor(declaration: TS.Node, scope: Scope, builder: string): Map<string, Value> {
    const values = new Map<string, Value>();
    const given = { ...this.presets, ...(this.presetsFor[builder] ?? {}) };
    for (const entry of this.annotationEntries(presetText(given), declaration)) {
      values.set(entry.name, this.evalForeign(entry.expression, entry.file, scope));
    }
    for (const entry of this.annotationAbove(this.annotationHolder(declaration))) {
      values.set(entry.name, this.evalForeign(entry.expression, entry.file, scope));
    }
    return values;
  }

  /** The default a JSDoc comment gives a parameter: `@param {number} [units=64]`, as an expression. */
  protected jsDocDefault(declaration: TS.Node, name: string): { expression: TS.Expression; file: TS.SourceFile } | undefined {
    const ts = this.ts;
    const holder = this.annotationHolder(declaration);
    for (const comment of ts.getLeadingCommentRanges(this.file.text, holder.getFullStart()) ?? []) {
      const text = this.file.text.slice(comment.pos, comment.end);
      const escaped = name.replace(/[$]/g, '\\$');
      const match = new RegExp(`@param\\s+(?:\\{[^}]*\\}\\s*)?\\[\\s*${escaped}\\s*=\\s*([^\\]]+?)\\s*\\]`).exec(text);
      if (!match) continue;
      const file = ts.createSourceFile('jsdoc.ts', `(${match[1]})`, ts.ScriptTarget.Latest, true);
      const statement = file.statements[0];
      if (statement && ts.isExpressionStatement(statement)) return { expression: statement.expression, file };
    }
    return undefined;
  }

  /** The statement an annotation comment sits above (a `const f = () => ...` too). */
  protected annotationHolder(declaration: TS.Node): TS.Node {
    const ts = this.ts;
    let holder: TS.Node = declaration;
    while (holder.parent && !ts.isSourceFile(holder.parent) && !ts.isClassLike(holder.parent) && !ts.isBlock(holder.parent)) holder = holder.parent;
    return holder;
  }

  protected annotationAbove(holder: TS.Node): AnnotationEntry[] {
    const entries: AnnotationEntry[] = [];
    for (const comment of this.ts.getLeadingCommentRanges(this.file.text, holder.getFullStart()) ?? []) {
      const match = ANNOTATION.exec(this.file.text.slice(comment.pos, comment.end));
      // A malformed value is said on the comment's own line, as in Python files.
      if (match) entries.push(...this.annotationEntries(match[1]!, { start: comment.pos, end: comment.end }));
    }
    return entries;
  }

  /** `a=1, xTrain.shape[1]=13, shape=[28, 28, 1]` -> one parsed expression per name. */
  protected annotationEntries(text: string, at: TS.Node | SourceRange): AnnotationEntry[] {
    const ts = this.ts;
    const entries: AnnotationEntry[] = [];
    for (const { name, expression } of splitFills(text)) {
      const file = ts.createSourceFile('annotation.ts', `(${expression})`, ts.ScriptTarget.Latest, true);
      const statement = file.statements[0];
      if (!statement || !ts.isExpressionStatement(statement) || (file as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length) {
        this.problem(`Annotation value of \`${name}\` is not an expression: ${expression}`, at, 'warning');
        continue;
      }
      entries.push({ name, expression: statement.expression, file });
    }
    return entries;
  }

  /**
   * File-wide values: `--set` pairs and annotations above top-level statements that are not
   * functions (those belong to the function). Evaluated on first use, in the module scope.
   */
  protected collectFileFills(): void {
    const ts = this.ts;
    // What the code says comes first: annotations, then values given from outside.
    const entries: AnnotationEntry[] = [];
    for (const statement of this.file.statements) {
      const isFunction =
        ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) ||
        (ts.isVariableStatement(statement) && statement.declarationList.declarations.some((d) => d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))));
      if (!isFunction) entries.push(...this.annotationAbove(statement));
    }
    entries.push(...this.annotationEntries(presetText(this.presets), this.file));
    for (const entry of entries) if (!this.fileFills.has(entry.name)) this.fileFills.set(entry.name, { entry });
  }

  protected fillFor(chain: string): { found: true; value: Value } | { found: false } {
    if (this.templateValues?.has(chain)) return { found: true, value: this.templateValues.get(chain) };
    const fill = this.fileFills.get(chain);
    if (!fill || !this.moduleScope) return { found: false };
    if (!('value' in fill)) {
      // Mark first: an annotation that names itself (`n=n`) must not recurse.
      fill.value = new Unknown(chain, 'annotation refers to itself');
      fill.value = this.evalForeign(fill.entry.expression, fill.entry.file, this.moduleScope);
    }
    return { found: true, value: fill.value };
  }

  /** Evaluates an expression parsed from other text (an annotation) against this file's scope. */
  protected evalForeign(expression: TS.Expression, file: TS.SourceFile, scope: Scope): Value {
    const saved = this.file;
    this.file = file;
    try {
      return this.eval(expression, scope);
    } finally {
      this.file = saved;
    }
  }
}
