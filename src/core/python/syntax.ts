/**
 * Reading the lezer Python tree: node ranges, meaningful children, and literal values
 * (numbers, strings) as Python spells them. No evaluation state.
 */
import type { SyntaxNode, Tree } from '@lezer/common';
import { parser } from '@lezer/python';
import { chainPattern, STEP, wholeChain } from '../frontend/holeNames';
import type { SourceRange } from '../ir';

/** A Python identifier (ASCII). */
const PY_IDENTIFIER = String.raw`[A-Za-z_]\w*`;

/** `# gradient-lens: name=value, ...`. */
export const ANNOTATION = /^\s*#+\s*gradient-lens:\s*(.*?)\s*$/;

/** A name in a Python annotation (no `$`; a call's parentheses may hold spaces and commas, removed from the name). */
export const FILL_NAME = chainPattern(PY_IDENTIFIER, [STEP.member(PY_IDENTIFIER), STEP.signedIndex, STEP.stringKey, String.raw`\((?:[^()=]|\([^()=]*\))*\)`]);

export const rangeOf = (node: SyntaxNode): SourceRange => ({ start: node.from, end: node.to });

/** Children that carry meaning (comments are skipped nodes in the tree and may appear anywhere). */
export function kids(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name !== 'Comment') out.push(c);
  return out;
}

export function pyNumber(raw: string): number | undefined {
  const t = raw.replace(/_/g, '');
  if (/[jJlL]$/.test(t)) return undefined;
  const n = /^0[oO]/.test(t) ? parseInt(t.slice(2), 8) : Number(t);
  return Number.isNaN(n) ? undefined : n;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"', '\n': '' };

/** The value of a Python string literal (prefixes, triple quotes, escapes). */
export function pyString(raw: string): string {
  const m = /^([a-zA-Z]{0,2})('''|"""|'|")/.exec(raw);
  if (!m) return raw;
  const quote = m[2]!;
  const end = raw.length >= m[0].length + quote.length && raw.endsWith(quote) ? raw.length - quote.length : raw.length;
  const body = raw.slice(m[0].length, end);
  if (m[1]!.toLowerCase().includes('r')) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[\s\S])/g, (all, e: string) =>
    e.length > 1 ? String.fromCharCode(parseInt(e.slice(1), 16)) : ESCAPES[e] ?? all);
}

/** The empty error lezer leaves after a float written with a trailing dot (`0.`). */
export function isTrailingDotFloat(error: SyntaxNode): boolean {
  const parent = error.parent;
  let before = error.prevSibling;
  while (before?.name === 'Comment') before = before.prevSibling; // `8.  # width`
  return error.from === error.to && parent?.name === 'MemberExpression' && parent.firstChild?.name === 'Number' && before?.name === '.';
}

export function hasError(top: SyntaxNode): boolean {
  const cursor = top.cursor();
  do if (cursor.type.isError) return true;
  while (cursor.next());
  return false;
}

/** An access chain a fill can name: `args.model`, `sys.argv[1]`, `cfg["arch"]` (spaces removed). */
export const CHAIN = wholeChain(chainPattern(PY_IDENTIFIER, [STEP.member(PY_IDENTIFIER), STEP.signedIndex, STEP.stringKey]));

/**
 * The comparisons in a condition that could test a string, as (subject, what it is compared
 * with): `x == "a"` and `x == A` both ways, `x in ("a", B)`, `"a" in x`, `x.startswith("a")`.
 * Only literals, names, access chains and `chain.lower()` take part (reading them again changes nothing); the
 * caller evaluates them and keeps the pairs whose other side is strings.
 */
export function comparisons(cond: SyntaxNode, text: (node: SyntaxNode) => string): { subject: SyntaxNode; against: SyntaxNode[] }[] {
  const out: { subject: SyntaxNode; against: SyntaxNode[] }[] = [];
  // `args.model.lower()`: a chain normalised by a string method without arguments reads nothing else.
  const normalised = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[[^\]]*\])*\.(?:lower|upper|strip|lstrip|rstrip)\(\)$/;
  const simple = (n: SyntaxNode | undefined): n is SyntaxNode =>
    !!n && (n.name === 'String' || n.name === 'VariableName' || (n.name === 'MemberExpression' && CHAIN.test(text(n).replace(/\s+/g, '')))
      || (n.name === 'CallExpression' && normalised.test(text(n).replace(/\s+/g, '')) && CHAIN.test(text(n).replace(/\s+/g, '').replace(/\.\w+\(\)$/, ''))));
  const items = (n: SyntaxNode): SyntaxNode[] | undefined => {
    if (!['TupleExpression', 'ArrayExpression', 'SetExpression'].includes(n.name)) return undefined;
    const list = kids(n).filter((k) => !['(', ')', '[', ']', '{', '}', ','].includes(k.name));
    return list.length && list.every(simple) ? list : undefined;
  };
  // The subject of `args.model.lower()` is `args.model`: a value tried for it is lower case already.
  const inner = (n: SyntaxNode): SyntaxNode => (n.name === 'CallExpression' ? kids(kids(n)[0]!)[0]! : n);
  const cursor = cond.cursor();
  do {
    const node = cursor.node;
    if (node.name === 'BinaryExpression') {
      const parts = kids(node);
      const a = parts[0];
      const b = parts[parts.length - 1];
      const op = parts.slice(1, -1).map(text).join(' ');
      if (!a || !b) continue;
      if ((op === '==' || op === '!=') && simple(a) && simple(b)) out.push({ subject: inner(a), against: [b] }, { subject: inner(b), against: [a] });
      else if (op === 'in' || op === 'not in') {
        const list = items(b);
        if (list && simple(a)) out.push({ subject: inner(a), against: list });
        else if (simple(a) && simple(b)) out.push({ subject: inner(b), against: [a] });
      }
    } else if (node.name === 'CallExpression') {
      const [callee, list] = kids(node);
      const parts = callee?.name === 'MemberExpression' ? kids(callee) : [];
      const args = list ? kids(list).filter((k) => k.name !== '(' && k.name !== ')') : [];
      if (parts.length === 3 && /^(startswith|endswith)$/.test(text(parts[2]!)) && simple(parts[0]) && args.length === 1 && simple(args[0])) {
        out.push({ subject: inner(parts[0]!), against: [args[0]!] });
      }
    }
  } while (cursor.next() && cursor.from < cond.to);
  return out;
}

/** Bracket depth above which a line is blanked when the parser library overflows the stack. */
const MAX_LINE_BRACKET_DEPTH = 200;

/**
 * The lezer tree of `text`. @lezer/common builds trees recursively, so very deep nesting (2,000
 * nested calls) overflows the JS stack, sooner when the caller's stack is already deep (the
 * editor, the fuzz harness). Then each line whose running bracket depth exceeds
 * MAX_LINE_BRACKET_DEPTH is blanked (same length, so every offset stays right) and the text is
 * parsed again; `cut` lists those lines, for a problem on each.
 */
export function parsePython(text: string): { tree: Tree; cut: SourceRange[] } {
  try {
    return { tree: parser.parse(text), cut: [] };
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
  }
  const cut: SourceRange[] = [];
  let depth = 0;
  let quote: string | undefined;
  let blanked = '';
  let lineStart = 0;
  let deepLine = false;
  const endLine = (end: number): void => {
    const line = text.slice(lineStart, end);
    if (deepLine) {
      cut.push({ start: lineStart, end });
      blanked += line.replace(/[^\n]/g, ' ');
    } else blanked += line;
    lineStart = end;
    deepLine = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote || c === '\n') quote = undefined;
    } else if (c === '#') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') {
      depth++;
      if (depth > MAX_LINE_BRACKET_DEPTH) deepLine = true;
    } else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    if (text[i] === '\n' || i === text.length - 1) endLine(i + 1);
  }
  if (lineStart < text.length) endLine(text.length);
  return { tree: parser.parse(blanked), cut };
}

/**
 * Source text quoted in a one-line message: white space runs (line breaks of a call written over
 * several lines) as one space, at most `max` characters, cut ones ending in `...`.
 */
export function snippet(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3).trimEnd()}...` : flat;
}
