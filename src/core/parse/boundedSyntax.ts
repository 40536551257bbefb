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
const STATEMENT_MESSAGE = `This statement nests too deeply for Gradient Lens to read (over ${PARSE_LIMITS.maxSyntaxDepth} levels); it is not read, the rest of the file is.`;

/** The identifier standing for a cut expression (never a name in real code). */
export const CUT_PLACEHOLDER = '$$deep$$';

export interface BoundedSource {
  readonly file: TS.SourceFile;
  /** The ranges cut out of the text (each read as an unknown), in order. */
  readonly cuts: readonly SourceRange[];
  /** One problem per cut, at its line. */
  readonly problems: readonly ParseProblem[];
}

/**
 * `node.getStart(file)` (where its first token begins, after comments and white space), with a
 * fast path for the common case: past spaces and tabs from `node.pos`, a character that cannot
 * begin trivia (a line break, a comment, a merge conflict marker, a shebang, non-ASCII white
 * space) is the start; anything else asks TypeScript. The interpreter asks for every range it
 * keeps (each property's, each layer's): TypeScript's `skipTrivia` was ~2% of a parse.
 */
export function nodeStart(node: TS.Node, file: TS.SourceFile): number {
  const text = file.text;
  let at = node.pos;
  const end = node.end;
  // A missing node (pos === end) starts at its pos: TypeScript says so too.
  if (at < end) {
    let c = text.charCodeAt(at);
    while (c === 32 || c === 9) c = text.charCodeAt(++at);
    // Printable ASCII but `/` (comments), `< = > |` (conflict markers) and `#` (a shebang).
    if (at < end && c > 32 && c < 127 && c !== 47 && c !== 60 && c !== 61 && c !== 62 && c !== 124 && c !== 35) return at;
  }
  return node.getStart(file);
}

export function isCutPlaceholder(name: string): boolean {
  return name === CUT_PLACEHOLDER;
}

/** Bracket nesting allowed before the contents are cut (each bracket is >= 1 tree level). */
const MAX_BRACKETS = 120;
/** Prefix operators / arrows in a row (each one tree level, no brackets) before a cut. */
const MAX_CHAIN = 400;
/**
 * Unclosed `<` in one bracket level (to a `,` or `;`) before a cut: `Array<` nests types, and
 * the parser's look-ahead for type arguments makes `x < x < x ...` quadratic (1,600: 2.2 s,
 * measured, TS 6). `>` closes one, so balanced generics never count.
 */
const MAX_ANGLES = 200;

/**
 * Parses `text` like `ts.createSourceFile(fileName, text, Latest, true, kind)` (JSDoc left unparsed), cutting what
 * nests too deep first. Linear in the text (one scan, at most two parses) unless the parser
 * still runs out of stack (nesting the scan cannot see: generic types, JSX, long `else if`
 * chains); then the lines that overflow it are found by bisection and blanked (see `overflowCuts`).
 */
export function createBoundedSourceFile(ts: typeof TS, fileName: string, text: string, kind?: TS.ScriptKind): BoundedSource {
  // The parser and then each fix planner parse the same text: the last tree is kept (read-only
  // for every caller), so planning ten fixes does not parse ten times.
  if (last && last.text === text && last.fileName === fileName && last.kind === kind) return last.source;
  const source = boundedSource(ts, fileName, text, kind);
  last = { text, fileName, kind, source };
  return source;
}
let last: { readonly text: string; readonly fileName: string; readonly kind: TS.ScriptKind | undefined; readonly source: BoundedSource } | undefined;

function boundedSource(ts: typeof TS, fileName: string, text: string, kind?: TS.ScriptKind): BoundedSource {
  let cuts: Cut[] = mayNeedLexicalCuts(text) ? lexicalCuts(ts, text) : [];
  // JSDoc is not parsed into the tree: nothing reads it from there (a `@param [units=64]`
  // default is read from the comment's text, fills.ts), and parsing it was a third to half of
  // the TypeScript parse of a JSDoc-heavy tfjs-examples file (mnist-acgan/gan.js).
  const options = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone };
  // Parent pointers are set by the depth walk below, which visits every node anyway: TypeScript's
  // own `setParentNodes` pass was a second walk of the whole tree (~12% of a parse, profile of the
  // 1,000-line benchmark). A tree the walk did not finish gets them from `setParents`.
  const parse = (source: string): TS.SourceFile => ts.createSourceFile(fileName, source, options, false, kind);
  let file = tryParse(parse, applyCuts(text, cuts));
  const lineCuts: Cut[] = [];
  if (!file) {
    lineCuts.push(...overflowCuts(parse, text, cuts));
    cuts = mergeCuts([...cuts, ...lineCuts]);
    file = tryParse(parse, applyCuts(text, cuts));
  }
  if (file) {
    const deep = deepNodes(ts, file);
    if (deep.cuts.length) {
      cuts = mergeCuts([...cuts, ...deep.cuts]);
      file = tryParse(parse, applyCuts(text, cuts));
      if (file) setParents(ts, file);
    } else if (!deep.complete) setParents(ts, file);
  }
  if (!file) {
    // Nesting even the bisection did not find: keep the lines, read nothing of the file, and say why.
    return {
      file: setParents(ts, parse(text.replace(/[^\r\n]/g, ' '))),
      cuts: [{ start: 0, end: text.length }],
      problems: [{ message: 'This file nests too deeply for Gradient Lens to read (the parser ran out of stack); it was not read.', range: { start: 0, end: 0 }, severity: 'error' }],
    };
  }
  const problems = cuts.map((range): ParseProblem => ({
    message: lineCuts.some((c) => c.start === range.start) ? LINES_MESSAGE : range.statement ? STATEMENT_MESSAGE : DEPTH_MESSAGE,
    range: { start: range.start, end: Math.min(range.end, range.start + 1) },
    severity: 'warning',
  }));
  return { file, cuts, problems };
}

const LINES_MESSAGE = 'This line nests too deeply for Gradient Lens to read (the parser ran out of stack); it is not read, the rest of the file is.';

function tryParse(parse: (source: string) => TS.SourceFile, source: string): TS.SourceFile | undefined {
  try {
    return parse(source);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** At most this many lines are blanked before the whole file is given up. */
const MAX_OVERFLOW_CUTS = 4;
/** Bisection costs ~log2(lines) parses per cut: beyond this size the file is given up at once. */
const MAX_BISECT_CHARS = 1_000_000;

/**
 * Lines whose nesting overflows the parser: the shortest prefix of lines that overflows ends
 * in the construct, and its last line is blanked as a statement (`$$deep$$;`), which also ends
 * a chain that runs over many lines (`else` / `if`, `Array<` per line). Repeated at most
 * MAX_OVERFLOW_CUTS times; empty when the file is too big to bisect or the cuts do not help.
 */
function overflowCuts(parse: (source: string) => TS.SourceFile, text: string, lexical: readonly Cut[]): Cut[] {
  if (text.length > MAX_BISECT_CHARS) return [];
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const lineEnd = (line: number): number => (line + 1 < starts.length ? starts[line + 1]! : text.length);
  let found: Cut[] = [];
  for (let round = 0; round <= MAX_OVERFLOW_CUTS; round++) {
    const current = applyCuts(text, mergeCuts([...lexical, ...found]));
    const overflows = (lines: number): boolean => tryParse(parse, current.slice(0, lineEnd(lines - 1))) === undefined;
    if (!overflows(starts.length)) break;
    if (round === MAX_OVERFLOW_CUTS) {
      found = [];
      break;
    }
    // The fewest lines from the top that overflow: the last of them holds the construct's depth.
    let low = 1;
    let high = starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (overflows(mid)) high = mid;
      else low = mid + 1;
    }
    found.push({ start: starts[low - 1]!, end: lineEnd(low - 1), statement: true });
  }
  return found;
}

/** A range cut out of the text; a statement's cut reads as the placeholder and a `;`. */
interface Cut extends SourceRange {
  readonly statement?: boolean;
}

/**
 * Replaces each cut by the placeholder (a statement's with `;`), spaces and the cut's own line
 * breaks (same length, so every offset and line stays). A cut whose first line is too short for
 * the placeholder is blanked.
 */
function applyCuts(text: string, cuts: readonly Cut[]): string {
  if (!cuts.length) return text;
  let out = '';
  let at = 0;
  for (const cut of cuts) {
    out += text.slice(at, cut.start);
    const inner = text.slice(cut.start, cut.end).replace(/[^\r\n]/g, ' ');
    const firstLine = inner.search(/[\r\n]/);
    const room = firstLine < 0 ? inner.length : firstLine;
    // A statement's cut too short for the placeholder is at least a `;` (it still ends a chain).
    const stand = cut.statement ? (room > CUT_PLACEHOLDER.length ? `${CUT_PLACEHOLDER};` : ';') : CUT_PLACEHOLDER;
    out += room >= stand.length ? stand + inner.slice(stand.length) : inner;
    at = cut.end;
  }
  return out + text.slice(at);
}

function mergeCuts(cuts: Cut[]): Cut[] {
  cuts.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Cut[] = [];
  for (const cut of cuts) {
    const last = out[out.length - 1];
    // The outer (first) cut's kind stays: what it replaces is what the tree sees.
    if (last && cut.start < last.end) out[out.length - 1] = { ...last, end: Math.max(last.end, cut.end) };
    else out.push(cut);
  }
  return out;
}

/** A merge conflict marker as TypeScript's scanner finds one: seven of a kind at a line's start. */
const CONFLICT_MARKER = /^(?:<{7}|={7}|>{7}|\|{7})/m;

/** Character classes of the prefilter's scan (`CLASS[code]`, codes below 128; others are 0). */
const enum Char { Other, LineBreak, Slash, Quote, Backtick, Open, Close, Separator, Less, Greater, Prefix, Letter }
const CLASS = new Uint8Array(128);
for (const [chars, kind] of [['\n\r', Char.LineBreak], ['/', Char.Slash], ['\'"', Char.Quote], ['`', Char.Backtick], ['([{', Char.Open], [')]}', Char.Close], [',;', Char.Separator], ['<', Char.Less], ['>', Char.Greater], ['!~+-\\', Char.Prefix], ['tvandy', Char.Letter]] as const) {
  for (const c of chars) CLASS[c.charCodeAt(0)] = kind;
}

/** Characters an escape at `at` takes in a string or template: the backslash, the next one, a LF after a CR. */
function escapeLength(text: string, at: number): number {
  return at + 1 >= text.length ? 1 : text.charCodeAt(at + 1) === 13 && text.charCodeAt(at + 2) === 10 ? 3 : 2;
}

/**
 * Whether a prefix keyword `lexicalCuts` counts (`typeof` `void` `await` `new` `delete` `yield`)
 * is spelled at `at`, where the letter `c` is (the second letter is compared first: most letters
 * of code start none).
 */
function startsPrefixKeyword(text: string, at: number, c: number): boolean {
  const next = text.charCodeAt(at + 1);
  switch (c) {
    case 116: return next === 121 && text.startsWith('typeof', at);
    case 118: return next === 111 && text.startsWith('void', at);
    case 97: return next === 119 && text.startsWith('await', at);
    case 110: return next === 101 && text.charCodeAt(at + 2) === 119;
    case 100: return next === 101 && text.startsWith('delete', at);
    default: return next === 105 && text.startsWith('yield', at);
  }
}

/**
 * False when `lexicalCuts` certainly finds nothing, so its TypeScript scan (about 4% of parsing
 * the 1,000-line benchmark) is skipped. A scan of characters, not tokens: it follows TypeScript's
 * scanner where that changes what is code (comments, strings, template literals; a regular
 * expression is scanned as code by both) and counts at least what `lexicalCuts` counts at every
 * point, with the same resets: every bracket; every `!` `~` `+` `-` `=>`, backslash (an escaped
 * keyword) and prefix keyword spelled anywhere; every `<`, and only the `>` not after a `=`.
 * True when a count passes its limit, or the text holds what this scan does not follow (merge
 * conflict markers, which the scanner skips; `\u{...}` escapes outside strings; U+2028/U+2029).
 */
export function mayNeedLexicalCuts(text: string): boolean {
  if (text.includes('\u2028') || text.includes('\u2029') || text.includes('\\u{')) return true;
  if (CONFLICT_MARKER.test(text)) return true;
  const n = text.length;
  const templates: boolean[] = []; // per open bracket: whether it is a template substitution `${`
  const chains: number[] = [0];
  const angles: number[] = [0];
  let i = 0;
  // A shebang line is trivia (TypeScript's /^#!.*/).
  if (text.startsWith('#!')) while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
  let inTemplate = false; // in a template literal's text
  while (i < n) {
    const c = text.charCodeAt(i);
    if (inTemplate) {
      if (c === 96 /* ` */) inTemplate = false;
      else if (c === 36 /* $ */ && text.charCodeAt(i + 1) === 123 /* { */) {
        templates.push(true);
        chains.push(0);
        angles.push(0);
        if (templates.length > MAX_BRACKETS) return true;
        inTemplate = false;
        i += 2;
        continue;
      } else if (c === 92 /* \ */) {
        i += escapeLength(text, i);
        continue;
      }
      i++;
      continue;
    }
    const top = chains.length - 1;
    switch (c < 128 ? CLASS[c] : Char.Other) {
      case Char.LineBreak: // a line break before the next token ends a chain
        chains[top] = 0;
        break;
      case Char.Slash: { // a comment, or an operator (a regular expression is scanned as code)
        const next = text.charCodeAt(i + 1);
        if (next === 47) {
          while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
          continue;
        }
        if (next === 42) {
          const end = text.indexOf('*/', i + 2);
          const stop = end < 0 ? n : end + 2;
          for (let j = i + 2; j < stop; j++) {
            const k = text.charCodeAt(j);
            if (k === 10 || k === 13) {
              chains[top] = 0;
              break;
            }
          }
          i = stop;
          continue;
        }
        break;
      }
      case Char.Quote: { // ends at its quote or before a line break
        let j = i + 1;
        while (j < n) {
          const k = text.charCodeAt(j);
          if (k === c) {
            j++;
            break;
          }
          if (k === 92) j += escapeLength(text, j);
          else if (k === 10 || k === 13) break;
          else j++;
        }
        i = j;
        continue;
      }
      case Char.Backtick:
        inTemplate = true;
        break;
      case Char.Open:
        templates.push(false);
        chains.push(0);
        angles.push(0);
        if (templates.length > MAX_BRACKETS) return true;
        break;
      case Char.Close: {
        const template = templates.pop() ?? false;
        if (chains.length > 1) {
          chains.pop();
          angles.pop();
        }
        if (c === 125 && template) inTemplate = true;
        break;
      }
      case Char.Separator:
        chains[top] = 0;
        angles[top] = 0;
        break;
      case Char.Less:
        if (++angles[top]! > MAX_ANGLES) return true;
        break;
      case Char.Greater: // `=>` may start a chain; any other `>` closes an angle
        if (text.charCodeAt(i - 1) === 61) {
          if (++chains[top]! > MAX_CHAIN) return true;
        } else if (angles[top]! > 0) angles[top]!--;
        break;
      case Char.Prefix: // `!` `~` `+` `-`, or `\` (an escaped keyword)
        if (++chains[top]! > MAX_CHAIN) return true;
        break;
      case Char.Letter: // t v a n d y: a prefix keyword may start here
        if (startsPrefixKeyword(text, i, c) && ++chains[top]! > MAX_CHAIN) return true;
        break;
    }
    i++;
  }
  return false;
}

/**
 * Cuts found by the scanner: the contents of a bracket opened at depth MAX_BRACKETS - 8 when
 * brackets inside it go deeper than MAX_BRACKETS, and the rest of a run of MAX_CHAIN prefix
 * operators or arrows (to the next `,` `;` or closing bracket of its level).
 */
export function lexicalCuts(ts: typeof TS, text: string): Cut[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const K = ts.SyntaxKind;
  const opens: number[] = []; // end offset of each open bracket token
  const templates: boolean[] = []; // whether that open is a template substitution `${`
  const chains: number[] = [0];
  const angles: number[] = [0];
  const cuts: Cut[] = [];
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
      angles.push(0);
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
        angles.pop();
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
        angles.push(0);
      }
    } else if (kind === K.CommaToken || kind === K.SemicolonToken) {
      if (chainCut >= 0) {
        cuts.push({ start: chainCut, end: scanner.getTokenStart() });
        chainCut = -1;
      }
      chains[chains.length - 1] = 0;
      angles[angles.length - 1] = 0;
    } else if (kind === K.LessThanToken) {
      // Cut after the `<`, so the placeholder is its operand (`x < $$deep$$`, `Array<$$deep$$`).
      const count = ++angles[angles.length - 1]!;
      if (count > MAX_ANGLES && chainCut < 0 && cutFrom < 0) chainCut = scanner.getTokenEnd();
    } else if (kind === K.GreaterThanToken) {
      angles[angles.length - 1] = Math.max(0, angles[angles.length - 1]! - 1);
    } else if (
      kind === K.ExclamationToken || kind === K.TildeToken || kind === K.EqualsGreaterThanToken || kind === K.TypeOfKeyword ||
      kind === K.VoidKeyword || kind === K.AwaitKeyword || kind === K.NewKeyword || kind === K.DeleteKeyword || kind === K.YieldKeyword ||
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
function deepNodes(ts: typeof TS, file: TS.SourceFile): { cuts: Cut[]; complete: boolean } {
  const limit = PARSE_LIMITS.maxSyntaxDepth;
  // Depth-first with an explicit stack (any child order is still depth-first), few allocations.
  // Sets each child's `parent` on the way (the tree is parsed without them).
  const nodes: TS.Node[] = [file];
  const depths: number[] = [0];
  const found: Cut[] = [];
  const seen = new Set<TS.Node>();
  const atCutDepth: TS.Node[] = [];
  const ancestors: TS.Node[] = [];
  let childDepth = 0;
  let parent: TS.Node = file;
  const push = (child: TS.Node): undefined => {
    (child as { parent: TS.Node }).parent = parent;
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
    parent = node;
    ts.forEachChild(node, push);
  }
  for (const node of atCutDepth) {
    // Cut the nearest expression or statement at or above the holder (a statement becomes the
    // placeholder and a `;`; `else if` chains and nested `if`s nest statements, not expressions).
    let target: TS.Node | undefined = node;
    while (target && !isExpressionNode(ts, target) && !isStatementNode(ts, target)) target = target.parent;
    if (target && target.kind !== ts.SyntaxKind.SourceFile) found.push({ start: target.getStart(file), end: target.getEnd(), ...(isExpressionNode(ts, target) ? {} : { statement: true }) });
  }
  return { cuts: found, complete: atCutDepth.length === 0 };
}

/** Sets `parent` on every node of `file`, as `createSourceFile(..., setParentNodes = true)` does (no JSDoc is parsed). */
function setParents(ts: typeof TS, file: TS.SourceFile): TS.SourceFile {
  const nodes: TS.Node[] = [file];
  let parent: TS.Node = file;
  const push = (child: TS.Node): undefined => {
    (child as { parent: TS.Node }).parent = parent;
    nodes.push(child);
    return undefined;
  };
  while (nodes.length) {
    parent = nodes.pop()!;
    ts.forEachChild(parent, push);
  }
  return file;
}

function isStatementNode(ts: typeof TS, node: TS.Node): boolean {
  return ts.isStatement(node) && node.getWidth() > CUT_PLACEHOLDER.length;
}

function isExpressionNode(ts: typeof TS, node: TS.Node): boolean {
  return ts.isExpression(node) && !ts.isOmittedExpression(node) && node.getWidth() >= CUT_PLACEHOLDER.length;
}
