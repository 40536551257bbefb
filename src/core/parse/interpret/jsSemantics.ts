/**
 * JavaScript's own semantics on the interpreter's values, as pure functions: truthiness,
 * operators, equality, string methods. No interpreter state; every layer of the interpreter uses them.
 */
import type * as TS from 'typescript';
import { chainPattern, compactChain, JS_IDENTIFIER, STEP, wholeChain } from '../../frontend/holeNames';
import { PARSE_LIMITS } from '../../limits';
import { ObjectValue, RegExpValue, Unknown, type Value } from '../values';

export function skipOuterExpressions(ts: typeof TS, node: TS.Expression): TS.Expression {
  let current = node;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isNonNullExpression(current) ||
    ts.isTypeAssertionExpression(current) ||
    ts.isSatisfiesExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

export function inferredFunctionName(ts: typeof TS, node: TS.Node): string {
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  // `self.createModel = (params) => {...}`
  if (parent && ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === node && ts.isPropertyAccessExpression(parent.left)) return parent.left.name.text;
  return 'anonymous';
}

export function copyProps(from: ObjectValue, to: ObjectValue): void {
  for (const [key, value] of from.props) {
    to.props.set(key, value);
    const range = from.ranges.get(key);
    if (range) to.ranges.set(key, range);
    else to.ranges.delete(key);
  }
}

export function isPrimitive(value: Value): value is number | string | boolean | null | undefined {
  return value === null || value === undefined || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean';
}

/** JS truthiness, or undefined when the value is not known. */
export function truthy(value: Value): boolean | undefined {
  if (value instanceof Unknown) return undefined;
  if (isPrimitive(value)) return Boolean(value);
  return true;
}

export function toNumber(value: Value): Value {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return Number(value);
  return new Unknown('Number(...)', 'argument is not a constant');
}

export function toPropertyKey(value: Value): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** `text` without spaces when it is a name or an access chain (`a.b[1].c`), else undefined. */
export function accessChain(text: string): string | undefined {
  return compactChain(text, ACCESS_CHAIN)?.replace(/\?\./g, '.');
}

/** Member access (optional chaining too) and numeric indexes: what the TS front end can fill. */
const ACCESS_CHAIN = wholeChain(chainPattern(JS_IDENTIFIER, [String.raw`\??\.${JS_IDENTIFIER}`, STEP.index]));

export function unknownReason(value: Value, text: string): string {
  return value instanceof Unknown ? value.reason : `\`${text}\` is not a constant`;
}

/** `require.main === module` and the ESM spellings of "this file is the program being run". */
export function isRunGuard(text: string): boolean {
  return /require\.main\s*[!=]==?\s*module|module\s*[!=]==?\s*require\.main|import\.meta\.main|import\.meta\.url|process\.argv\[1\]/.test(text) && !/[!]==?/.test(text);
}

export function strictEquals(a: Value, b: Value): boolean | undefined {
  if (a instanceof Unknown || b instanceof Unknown) return undefined;
  return a === b;
}

/** The array methods `arrayMethod` implements. */
export const ARRAY_METHODS: ReadonlySet<string> = new Set([
  'push', 'unshift', 'pop', 'shift', 'map', 'forEach', 'flatMap', 'filter', 'reduce', 'fill', 'slice', 'concat', 'reverse', 'join',
  'includes', 'indexOf', 'at', 'keys', 'entries', 'flat', 'every', 'some',
]);

/** String methods that test a string against a literal (`kind.startsWith('bi')`). */
export const STRING_TESTS: ReadonlySet<string> = new Set(['includes', 'startsWith', 'endsWith', 'match', 'indexOf', 'search']);

/** Methods whose result on an unknown string or list is decided by that value alone (its hole). */
export const VALUE_METHODS: ReadonlySet<string> = new Set([
  'includes', 'startsWith', 'endsWith', 'match', 'indexOf', 'lastIndexOf', 'search', 'toLowerCase', 'toUpperCase',
  'trim', 'trimStart', 'trimEnd', 'split', 'slice', 'substring', 'substr', 'charAt', 'at', 'replace', 'concat', 'padStart', 'padEnd', 'localeCompare',
]);

export function stringMethod(text: string, key: string, args: readonly Value[]): Value | undefined {
  const [a, b] = args;
  const pattern = typeof a === 'string' ? a : a instanceof RegExpValue ? a.regexp : undefined;
  switch (key) {
    case 'match': {
      if (pattern === undefined) return undefined;
      let found: RegExpMatchArray | null;
      try {
        found = text.match(pattern); // a string is read as a regular expression, as in JS
      } catch {
        return undefined;
      }
      return found ? [...found].map((m) => m ?? undefined) : null;
    }
    case 'search':
      try {
        return pattern === undefined ? undefined : text.search(pattern);
      } catch {
        return undefined;
      }
    case 'indexOf':
      return typeof a === 'string' ? text.indexOf(a, typeof b === 'number' ? b : undefined) : undefined;
    case 'lastIndexOf':
      return typeof a === 'string' ? text.lastIndexOf(a) : undefined;
    case 'replace':
    case 'replaceAll':
      return pattern !== undefined && typeof b === 'string' ? (key === 'replace' ? text.replace(pattern, b) : typeof pattern === 'string' ? text.split(pattern).join(b) : undefined) : undefined;
    case 'charAt':
      return text.charAt(typeof a === 'number' ? a : 0);
    case 'at':
      return typeof a === 'number' ? text.at(a) : undefined;
    case 'concat':
      return args.every(isPrimitive) ? text.concat(...args.map(String)) : undefined;
    case 'padStart':
    case 'padEnd':
      return typeof a === 'number' && a < 10_000 ? text[key](a, typeof b === 'string' ? b : undefined) : undefined;
    case 'trimStart':
      return text.trimStart();
    case 'trimEnd':
      return text.trimEnd();
    case 'localeCompare':
      return typeof a === 'string' ? (text < a ? -1 : text > a ? 1 : 0) : undefined;
    case 'substr':
      return text.substr(typeof a === 'number' ? a : 0, typeof b === 'number' ? b : undefined);
    case 'toUpperCase':
      return text.toUpperCase();
    case 'toLowerCase':
      return text.toLowerCase();
    case 'trim':
      return text.trim();
    case 'startsWith':
      return typeof a === 'string' ? text.startsWith(a) : undefined;
    case 'endsWith':
      return typeof a === 'string' ? text.endsWith(a) : undefined;
    case 'includes':
      return typeof a === 'string' ? text.includes(a) : undefined;
    case 'split':
      return typeof a === 'string' ? text.split(a) : undefined;
    case 'repeat':
      return typeof a === 'number' && a >= 0 && a < 10_000 && text.length * a <= PARSE_LIMITS.maxStringLength ? text.repeat(a) : undefined;
    case 'slice':
    case 'substring':
      return text[key](typeof a === 'number' ? a : 0, typeof b === 'number' ? b : undefined);
  }
  return undefined;
}

export const NOT_CONSTANT = Symbol('not constant');

export let compoundAssignments: Map<TS.SyntaxKind, TS.SyntaxKind> | undefined;
export function COMPOUND_ASSIGNMENT(ts: typeof TS): Map<TS.SyntaxKind, TS.SyntaxKind> {
  const k = ts.SyntaxKind;
  compoundAssignments ??= new Map([
    [k.PlusEqualsToken, k.PlusToken],
    [k.MinusEqualsToken, k.MinusToken],
    [k.AsteriskEqualsToken, k.AsteriskToken],
    [k.SlashEqualsToken, k.SlashToken],
    [k.PercentEqualsToken, k.PercentToken],
    [k.AsteriskAsteriskEqualsToken, k.AsteriskAsteriskToken],
    [k.LessThanLessThanEqualsToken, k.LessThanLessThanToken],
    [k.GreaterThanGreaterThanEqualsToken, k.GreaterThanGreaterThanToken],
    [k.AmpersandEqualsToken, k.AmpersandToken],
    [k.BarEqualsToken, k.BarToken],
  ]);
  return compoundAssignments;
}

export function binaryOp(ts: typeof TS, op: TS.SyntaxKind, left: Value, right: Value): Value | typeof NOT_CONSTANT {
  const k = ts.SyntaxKind;
  if (op === k.EqualsEqualsEqualsToken || op === k.ExclamationEqualsEqualsToken || op === k.EqualsEqualsToken || op === k.ExclamationEqualsToken) {
    const equal = strictEquals(left, right);
    if (equal === undefined) return NOT_CONSTANT;
    const loose = (op === k.EqualsEqualsToken || op === k.ExclamationEqualsToken) && isPrimitive(left) && isPrimitive(right) ? left == right : equal;
    return op === k.EqualsEqualsEqualsToken || op === k.EqualsEqualsToken ? loose : !loose;
  }
  if (op === k.PlusToken && (typeof left === 'string' || typeof right === 'string') && isPrimitive(left) && isPrimitive(right)) {
    return String(left) + String(right);
  }
  if (op === k.InstanceOfKeyword || op === k.InKeyword) {
    if (op === k.InKeyword && typeof left === 'string' && right instanceof ObjectValue) return right.props.has(left);
    return NOT_CONSTANT;
  }
  if (!isPrimitive(left) || !isPrimitive(right)) return NOT_CONSTANT;
  // An omitted argument is `undefined`: `undefined > 0` is false, as in JS. Arithmetic on it
  // stays unknown (NaN would only hide where the value went missing).
  const comparison = op === k.LessThanToken || op === k.LessThanEqualsToken || op === k.GreaterThanToken || op === k.GreaterThanEqualsToken;
  if ((left === undefined || right === undefined) && op !== k.PlusToken && !comparison) return NOT_CONSTANT;
  const a = Number(left);
  const b = Number(right);
  switch (op) {
    case k.PlusToken: return a + b;
    case k.MinusToken: return a - b;
    case k.AsteriskToken: return a * b;
    case k.SlashToken: return a / b;
    case k.PercentToken: return a % b;
    case k.AsteriskAsteriskToken: return a ** b;
    case k.LessThanToken: return a < b;
    case k.LessThanEqualsToken: return a <= b;
    case k.GreaterThanToken: return a > b;
    case k.GreaterThanEqualsToken: return a >= b;
    case k.LessThanLessThanToken: return a << b;
    case k.GreaterThanGreaterThanToken: return a >> b;
    case k.GreaterThanGreaterThanGreaterThanToken: return a >>> b;
    case k.AmpersandToken: return a & b;
    case k.BarToken: return a | b;
    case k.CaretToken: return a ^ b;
  }
  return NOT_CONSTANT;
}
