/**
 * A TS/JS syntax tree whose depth is bounded, so no reader of it (the interpreter, the fix
 * planners, any recursive walk) can overflow the stack. The TypeScript parser itself recurses:
 * ~780 nested parentheses or ~3,300 `!` overflow Node's default stack (measured, TS 6). So the
 * text is cut *before* parsing: an expression nested deeper than the limit is replaced by a
 * placeholder identifier padded with spaces (newlines kept), so every offset and line number of
 * the file stays the same, and the cut is a problem at its line. The interpreter reads the
 * placeholder as an unknown value without a hole name (see `isCutPlaceholder`).
 */
import type * as TS from 'typescript';
import type { ParseProblem, SourceRange } from '../ir';
import { PARSE_LIMITS } from '../limits';

const DEPTH_MESSAGE = 'This expression nests too deeply for Gradient Lens to read; its value is unknown, the rest of the file is still read.';

/** The identifier standing for a cut expression (never a name in real code). */
export const CUT_PLACEHOLDER = '$$deep$$';

export interface BoundedSource {
  readonly file: TS.SourceFile;
  /** The ranges cut out of the text (each read as an unknown), in order. */
  readonly cuts: readonly SourceRange[];
  /** One problem per cut, at its line. */
  readonly problems: readonly ParseProblem[];
}

export function isCutPlaceholder(name: string): boolean {
  return name === CUT_PLACEHOLDER;
}

/** Bracket nesting allowed before the contents are cut (each bracket is >= 1 tree level). */
const MAX_BRACKETS = 120;
/** Prefix operators / arrows in a row (each one tree level, no brackets) before a cut. */
const MAX_CHAIN = 400;

/**
 * Parses `text` like `ts.createSourceFile(fileName, text, Latest, true, kind)`, cutting what
 * nests too deep first. Linear in the text (one scan, at most two parses).
 */
export function createBoundedSourceFile(ts: typeof TS, fileName: string, text: string, kind?: TS.ScriptKind): BoundedSource {
  let cuts = lexicalCuts(ts, text);
  let cutText = applyCuts(text, cuts);
  let file: TS.SourceFile;
  try {
    file = ts.createSourceFile(fileName, cutText, ts.ScriptTarget.Latest, true, kind);
    const deep = deepNodes(ts, file);
    if (deep.length) {
      cuts = mergeCuts([...cuts, ...deep]);
      cutText = applyCuts(text, cuts);
      file = ts.createSourceFile(fileName, cutText, ts.ScriptTarget.Latest, true, kind);
    }
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // Nesting the scan did not foresee: keep the lines, read nothing of the file, and say why.
    cuts = [{ start: 0, end: text.length }];
    file = ts.createSourceFile(fileName, text.replace(/[^\r\n]/g, ' '), ts.ScriptTarget.Latest, true, kind);
    return {
      file,
      cuts,
      problems: [{ message: 'This file nests too deeply for Gradient Lens to read (the parser ran out of stack); it was not read.', range: { start: 0, end: 0 }, severity: 'error' }],
    };
  }
  const problems = cuts.map((range): ParseProblem => ({ message: DEPTH_MESSAGE, range: { start: range.start, end: Math.min(range.end, range.start + 1) }, severity: 'warning' }));
  return { file, cuts, problems };
}

/** Replaces each cut by the placeholder, spaces and the cut's own line breaks (same length). */
function applyCuts(text: string, cuts: readonly SourceRange[]): string {
  if (!cuts.length) return text;
  let out = '';
  let at = 0;
  for (const cut of cuts) {
    out += text.slice(at, cut.start);
    const inner = text.slice(cut.start, cut.end).replace(/[^\r\n]/g, ' ');
    out += CUT_PLACEHOLDER + inner.slice(CUT_PLACEHOLDER.length);
    at = cut.end;
  }
  return out + text.slice(at);
}

function mergeCuts(cuts: SourceRange[]): SourceRange[] {
  cuts.sort((a, b) => a.start - b.start);
  const out: SourceRange[] = [];
  for (const cut of cuts) {
    const last = out[out.length - 1];
    if (last && cut.start < last.end) out[out.length - 1] = { start: last.start, end: Math.max(last.end, cut.end) };
    else out.push(cut);
  }
  return out;
}

/**
 * Cuts found by the scanner: the contents of a bracket opened at depth MAX_BRACKETS - 8 when
 * brackets inside it go deeper than MAX_BRACKETS, and the rest of a run of MAX_CHAIN prefix
 * operators or arrows (to the next `,` `;` or closing bracket of its level).
 */
function lexicalCuts(ts: typeof TS, text: string): SourceRange[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const K = ts.SyntaxKind;
  const opens: number[] = []; // end offset of each open bracket token
  const templates: boolean[] = []; // whether that open is a template substitution `${`
  const chains: number[] = [0];
  const cuts: SourceRange[] = [];
  let cutFrom = -1; // the open bracket whose contents are being cut
  let cutDepth = -1;
  let chainCut = -1;
  let afterOperand = false; // the previous token ends an operand: a `+` / `-` now is binary
  for (let kind = scanner.scan(); kind !== K.EndOfFileToken; kind = scanner.scan()) {
    const operand = afterOperand;
    afterOperand = kind === K.Identifier || kind === K.NumericLiteral || kind === K.StringLiteral || kind === K.CloseParenToken ||
      kind === K.CloseBracketToken || kind === K.CloseBraceToken || kind === K.NoSubstitutionTemplateLiteral || kind === K.TemplateTail ||
      kind === K.ThisKeyword || kind === K.TrueKeyword || kind === K.FalseKeyword || kind === K.NullKeyword;
    // A new line may end a statement (no semicolons): chains of one expression stay on a line.
    if (scanner.hasPrecedingLineBreak() && chainCut < 0) chains[chains.length - 1] = 0;
    if (kind === K.OpenParenToken || kind === K.OpenBracketToken || kind === K.OpenBraceToken || kind === K.TemplateHead) {
      opens.push(scanner.getTokenEnd());
      templates.push(kind === K.TemplateHead);
      chains.push(0);
      if (opens.length > MAX_BRACKETS && cutFrom < 0) {
        cutDepth = MAX_BRACKETS - 8;
        cutFrom = opens[cutDepth - 1]!;
      }
    } else if (kind === K.CloseParenToken || kind === K.CloseBracketToken || kind === K.CloseBraceToken) {
      if (chainCut >= 0 && chains.length - 1 === opens.length) {
        cuts.push({ start: chainCut, end: scanner.getTokenStart() });
        chainCut = -1;
      }
      const template = templates.pop() ?? false;
      if (opens.length) {
        opens.pop();
        chains.pop();
      }
      if (cutFrom >= 0 && opens.length < cutDepth) {
        cuts.push({ start: cutFrom, end: scanner.getTokenStart() });
        cutFrom = -1;
      }
      // A `}` that ends a template substitution continues the template.
      if (kind === K.CloseBraceToken && template && scanner.reScanTemplateToken(false) === K.TemplateMiddle) {
        opens.push(scanner.getTokenEnd());
        templates.push(true);
        chains.push(0);
      }
    } else if (kind === K.CommaToken || kind === K.SemicolonToken) {
      if (chainCut >= 0) {
        cuts.push({ start: chainCut, end: scanner.getTokenStart() });
        chainCut = -1;
      }
      chains[chains.length - 1] = 0;
    } else if (
      kind === K.ExclamationToken || kind === K.TildeToken || kind === K.EqualsGreaterThanToken || kind === K.TypeOfKeyword ||
      kind === K.VoidKeyword || kind === K.AwaitKeyword || kind === K.NewKeyword ||
      ((kind === K.MinusToken || kind === K.PlusToken) && !operand)
    ) {
      const count = ++chains[chains.length - 1]!;
      if (count > MAX_CHAIN && chainCut < 0 && cutFrom < 0) chainCut = scanner.getTokenStart();
    }
  }
  if (cutFrom >= 0) cuts.push({ start: cutFrom, end: text.length });
  if (chainCut >= 0) cuts.push({ start: chainCut, end: text.length });
  return mergeCuts(cuts);
}

/**
 * Expressions of the parsed tree that sit deeper than the limit (left-nested sums such as a
 * 2,000-term `1 + 1 + ...` parse without brackets but are 2,000 levels deep): the ones at
 * depth limit - 8, cut whole. Walked with an explicit stack.
 */
function deepNodes(ts: typeof TS, file: TS.SourceFile): SourceRange[] {
  const limit = PARSE_LIMITS.maxSyntaxDepth;
  // Depth-first with an explicit stack (any child order is still depth-first), few allocations.
  const nodes: TS.Node[] = [file];
  const depths: number[] = [0];
  const found: SourceRange[] = [];
  const seen = new Set<TS.Node>();
  const atCutDepth: TS.Node[] = [];
  const ancestors: TS.Node[] = [];
  let childDepth = 0;
  const push = (child: TS.Node): undefined => {
    nodes.push(child);
    depths.push(childDepth);
    return undefined;
  };
  while (nodes.length) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    ancestors[depth] = node;
    if (depth > limit) {
      const holder = ancestors[limit - 8]!;
      if (!seen.has(holder)) {
        seen.add(holder);
        atCutDepth.push(holder);
      }
      continue; // nothing below needs a look: it is cut with its holder
    }
    childDepth = depth + 1;
    ts.forEachChild(node, push);
  }
  for (const node of atCutDepth) {
    // Cut the nearest expression at or above the holder (a statement cannot become an identifier).
    let target: TS.Node | undefined = node;
    while (target && !isExpressionNode(ts, target)) target = target.parent;
    if (target && target.kind !== ts.SyntaxKind.SourceFile) found.push({ start: target.getStart(file), end: target.getEnd() });
  }
  return found;
}

function isExpressionNode(ts: typeof TS, node: TS.Node): boolean {
  return ts.isExpression(node) && !ts.isOmittedExpression(node) && node.getWidth() >= CUT_PLACEHOLDER.length;
}
