/**
 * A Keras `Lambda` whose function is an elementwise affine map of its input, read as the
 * `Rescaling(scale, offset)` layer it equals: `lambda x: x / 255.0 - 0.5`,
 * `lambda x: (x - 127.5) / 127.5`, `lambda p: p * 2 - 1`. Real scripts normalize images this way
 * in their first layer; read as opaque, such a Lambda left every shape after it unknown.
 * Only numbers, the lambda's one parameter, + - * /, unary minus and parentheses are read; any
 * other expression (a function call, a second variable, x * x) is not affine here: undefined.
 */

/** y = scale * x + offset. */
export interface Affine {
  readonly scale: number;
  readonly offset: number;
}

type Term = { readonly a: number; readonly b: number };

/** The affine map a lambda's source text computes, or undefined. */
export function lambdaAffine(source: string): Affine | undefined {
  const match = /^\s*lambda\s+([A-Za-z_]\w*)\s*:(.*)$/s.exec(source);
  if (!match) return undefined;
  const param = match[1]!;
  const tokens = match[2]!.match(/\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|[A-Za-z_]\w*|\*\*|[-+*/()]|\S/g) ?? [];
  let at = 0;
  const peek = (): string | undefined => tokens[at];
  const finite = (t: Term | undefined): Term | undefined => (t && Number.isFinite(t.a) && Number.isFinite(t.b) ? t : undefined);

  const primary = (): Term | undefined => {
    const token = tokens[at++];
    if (token === undefined) return undefined;
    if (token === '(') {
      const inner = sum();
      return tokens[at++] === ')' ? inner : undefined;
    }
    if (token === '-') {
      const inner = primary();
      return inner && { a: -inner.a, b: -inner.b };
    }
    if (token === '+') return primary();
    if (token === param) return { a: 1, b: 0 };
    if (/^(\d|\.\d)/.test(token)) return { a: 0, b: Number(token) };
    return undefined;
  };
  const product = (): Term | undefined => {
    let left = primary();
    while (left && (peek() === '*' || peek() === '/')) {
      const op = tokens[at++];
      const right = primary();
      if (!right) return undefined;
      if (op === '*') {
        // Affine only while one side is a constant.
        if (left.a !== 0 && right.a !== 0) return undefined;
        left = left.a === 0 ? { a: left.b * right.a, b: left.b * right.b } : { a: left.a * right.b, b: left.b * right.b };
      } else {
        if (right.a !== 0 || right.b === 0) return undefined;
        left = { a: left.a / right.b, b: left.b / right.b };
      }
    }
    return finite(left);
  };
  const sum = (): Term | undefined => {
    let left = product();
    while (left && (peek() === '+' || peek() === '-')) {
      const op = tokens[at++];
      const right = product();
      if (!right) return undefined;
      left = op === '+' ? { a: left.a + right.a, b: left.b + right.b } : { a: left.a - right.a, b: left.b - right.b };
    }
    return finite(left);
  };

  const result = sum();
  // The whole body must be read, and it must depend on the input (a constant is not a rescaling).
  if (!result || at !== tokens.length || result.a === 0) return undefined;
  // `+ 0` turns -0 (from `-x`) into 0.
  return { scale: result.a, offset: result.b + 0 };
}
