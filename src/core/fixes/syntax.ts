/**
 * Where a layer sits in the syntax tree, and the small edits fixes are made of. Pure: works on
 * source text with the TypeScript parser; never imports vscode.
 */
import type * as TS from 'typescript';
import type { SourceRange } from '../ir';
import { loadTypeScript, scriptKind } from '../parse/index';
import { createBoundedSourceFile } from '../parse/boundedSyntax';
import type { TextEdit } from './edits';

export type LayerContext =
  /** `model.add(<layer>);` */
  | { readonly kind: 'add'; readonly statement: TS.ExpressionStatement; readonly receiver: string }
  /** An element of an array literal (`layers: [<layer>, ...]`). */
  | { readonly kind: 'array'; readonly array: TS.ArrayLiteralExpression; readonly element: TS.Expression }
  /** `<layer>.apply(x)` in the functional API. */
  | { readonly kind: 'apply'; readonly applyCall: TS.CallExpression }
  | { readonly kind: 'other' };

export interface LayerSite {
  readonly call: TS.CallExpression;
  /** The factory name identifier (`dense` in `tf.layers.dense(...)`). */
  readonly factory: TS.Identifier | undefined;
  /** What precedes the factory name in the callee, e.g. `tf.layers.`; another factory is spelled with it. */
  readonly prefix: string;
  readonly config: TS.ObjectLiteralExpression | undefined;
  readonly context: LayerContext;
}

export class SourceView {
  readonly ts: typeof TS;
  readonly file: TS.SourceFile;
  readonly quote: string;

  constructor(
    readonly text: string,
    fileName: string,
  ) {
    this.ts = loadTypeScript();
    // Bounded depth: the planners walk the tree recursively (the cuts keep every offset).
    this.file = createBoundedSourceFile(this.ts, fileName, text, scriptKind(this.ts, fileName)).file;
    // Keep the file's quote style: count the quotes that open string literals.
    const singles = (text.match(/'[^'\n]*'/g) ?? []).length;
    const doubles = (text.match(/"[^"\n]*"/g) ?? []).length;
    this.quote = doubles > singles ? '"' : "'";
  }

  string(value: string): string {
    return `${this.quote}${value}${this.quote}`;
  }

  range(node: TS.Node): SourceRange {
    return { start: node.getStart(this.file), end: node.getEnd() };
  }

  private calls: Map<string, TS.CallExpression> | undefined;

  /** The call expression exactly covering `range` (the outermost; every call indexed in one walk). */
  findCall(range: SourceRange): TS.CallExpression | undefined {
    if (!this.calls) {
      const ts = this.ts;
      const calls = new Map<string, TS.CallExpression>();
      const stack: TS.Node[] = [this.file];
      while (stack.length) {
        const node = stack.pop()!;
        if (ts.isCallExpression(node)) {
          const key = `${node.getStart(this.file)}:${node.getEnd()}`;
          if (!calls.has(key)) calls.set(key, node);
        }
        const children: TS.Node[] = [];
        ts.forEachChild(node, (child) => {
          children.push(child);
        });
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
      }
      this.calls = calls;
    }
    return this.calls.get(`${range.start}:${range.end}`);
  }

  layerSite(range: SourceRange): LayerSite | undefined {
    const ts = this.ts;
    const call = this.findCall(range);
    if (!call) return undefined;
    const callee = call.expression;
    const factory = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
    const prefix = factory ? this.text.slice(callee.getStart(this.file), factory.getStart(this.file)) : '';
    const first = call.arguments[0];
    const config = first && ts.isObjectLiteralExpression(first) ? first : undefined;
    return { call, factory, prefix, config, context: this.contextOf(call) };
  }

  private contextOf(call: TS.CallExpression): LayerContext {
    const ts = this.ts;
    let node: TS.Expression = call;
    // Casts around the layer (`tf.layers.lstm(...) as tf.RNN`) belong to it.
    while (ts.isAsExpression(node.parent) || ts.isParenthesizedExpression(node.parent) || ts.isNonNullExpression(node.parent)) {
      node = node.parent;
    }
    const parent = node.parent;
    if (
      ts.isCallExpression(parent) &&
      parent.arguments.length === 1 &&
      parent.arguments[0] === node &&
      ts.isPropertyAccessExpression(parent.expression) &&
      parent.expression.name.text === 'add' &&
      ts.isExpressionStatement(parent.parent)
    ) {
      return { kind: 'add', statement: parent.parent, receiver: parent.expression.expression.getText(this.file) };
    }
    if (ts.isArrayLiteralExpression(parent)) return { kind: 'array', array: parent, element: node };
    if (node === call && ts.isPropertyAccessExpression(parent) && parent.name.text === 'apply' && ts.isCallExpression(parent.parent)) {
      return { kind: 'apply', applyCall: parent.parent };
    }
    return { kind: 'other' };
  }

  /** Indentation of the line `node` starts on. */
  indentOf(node: TS.Node): string {
    // The line map (binary search) and a forward scan: constant work even on a 600 KB line.
    const start = node.getStart(this.file);
    const lineStart = this.file.getLineStarts()[this.file.getLineAndCharacterOfPosition(start).line]!;
    let end = lineStart;
    while (end < start && (this.text[end] === ' ' || this.text[end] === '\t')) end++;
    return this.text.slice(lineStart, end);
  }

  property(config: TS.ObjectLiteralExpression, key: string): TS.ObjectLiteralElementLike | undefined {
    const ts = this.ts;
    return config.properties.find((p) => p.name !== undefined && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === key);
  }

  /** Sets `key: valueText` in an object literal: replaces the value, or adds the property in the literal's style. */
  setProperty(config: TS.ObjectLiteralExpression, key: string, valueText: string): TextEdit {
    const ts = this.ts;
    const existing = this.property(config, key);
    if (existing && ts.isPropertyAssignment(existing)) return { range: this.range(existing.initializer), newText: valueText };
    if (existing) return { range: this.range(existing), newText: `${key}: ${valueText}` };
    const properties = config.properties;
    if (properties.length === 0) {
      return { range: this.range(config), newText: `{ ${key}: ${valueText} }` };
    }
    const last = properties[properties.length - 1]!;
    const multiline = this.text.slice(config.getStart(this.file), last.getStart(this.file)).includes('\n');
    if (properties.hasTrailingComma) {
      const comma = this.text.indexOf(',', last.getEnd());
      const separator = multiline ? `\n${this.indentOf(last)}` : ' ';
      return { range: { start: comma + 1, end: comma + 1 }, newText: `${separator}${key}: ${valueText},` };
    }
    const separator = multiline ? `,\n${this.indentOf(last)}` : ', ';
    return { range: { start: last.getEnd(), end: last.getEnd() }, newText: `${separator}${key}: ${valueText}` };
  }

  /** Removes a property and the comma that separates it from its neighbour. */
  removeProperty(config: TS.ObjectLiteralExpression, key: string): TextEdit | undefined {
    const existing = this.property(config, key);
    if (!existing) return undefined;
    const properties = config.properties;
    const index = properties.indexOf(existing);
    const next = properties[index + 1];
    if (next) return { range: { start: existing.getStart(this.file), end: next.getStart(this.file) }, newText: '' };
    const previous = properties[index - 1];
    if (previous) return { range: { start: previous.getEnd(), end: existing.getEnd() }, newText: '' };
    return { range: this.range(existing), newText: '' };
  }

  /**
   * Inserts the layer expression `layerText` right after a layer, in the layer's own style:
   * a new `model.add(...)` statement, a new array element, or a wrapping `.apply(...)`.
   */
  insertAfter(site: LayerSite, layerText: string): TextEdit[] | undefined {
    const context = site.context;
    if (context.kind === 'add') {
      const statement = context.statement;
      return [{
        range: { start: statement.getEnd(), end: statement.getEnd() },
        newText: `\n${this.indentOf(statement)}${context.receiver}.add(${layerText});`,
      }];
    }
    if (context.kind === 'array') {
      const elements = context.array.elements;
      const index = elements.indexOf(context.element);
      const next = elements[index + 1];
      const multiline = this.text.slice(context.element.getEnd(), (next ?? context.array).getEnd()).includes('\n');
      if (next) {
        const separator = multiline ? `\n${this.indentOf(next)}` : ' ';
        return [{ range: { start: next.getStart(this.file), end: next.getStart(this.file) }, newText: `${layerText},${separator}` }];
      }
      const end = context.element.getEnd();
      const separator = multiline ? `\n${this.indentOf(context.element)}` : ' ';
      if (elements.hasTrailingComma) {
        const comma = this.text.indexOf(',', end);
        return [{ range: { start: comma + 1, end: comma + 1 }, newText: `${separator}${layerText},` }];
      }
      return [{ range: { start: end, end }, newText: `,${separator}${layerText}` }];
    }
    if (context.kind === 'apply') {
      // Two insertions, not a replacement, so edits inside the wrapped call still compose.
      const { start, end } = this.range(context.applyCall);
      return [
        { range: { start, end: start }, newText: `${layerText}.apply(` },
        { range: { start: end, end }, newText: ')' },
      ];
    }
    return undefined;
  }
}
