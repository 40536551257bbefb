/**
 * The Python libraries the evaluator computes itself, without running Python: `math` and NumPy
 * functions of constant numbers, NumPy array shapes, `sklearn`'s split, `argparse` objects,
 * and the sample shapes of `keras.datasets`. Pure functions of values (no evaluator state).
 */
import { ArgParser, Namespace, NdArray, Unknown, type Args, type Value } from './values';

/** Modules whose calls the evaluator computes itself: pure math, NumPy shapes, argparse defaults. */
export const PURE_MODULES = new Set(['numpy', 'math', 'argparse', 'sklearn', 'absl', 'os']);

/** `math.sqrt` / `np.log`...: pure functions of numbers, evaluated on constants. */
export const MATH_FUNCTIONS: Readonly<Record<string, (...n: number[]) => number>> = {
  sqrt: Math.sqrt, log: Math.log, log2: Math.log2, log10: Math.log10, log1p: Math.log1p, exp: Math.exp,
  expm1: Math.expm1, floor: Math.floor, ceil: Math.ceil, abs: Math.abs, fabs: Math.abs, trunc: Math.trunc,
  pow: Math.pow, power: Math.pow, sin: Math.sin, cos: Math.cos, tan: Math.tan, tanh: Math.tanh,
  round: Math.round, rint: Math.round, square: (x) => x * x, maximum: Math.max, minimum: Math.min,
  hypot: Math.hypot, cbrt: Math.cbrt, sign: Math.sign, isqrt: (x) => Math.floor(Math.sqrt(x)),
};

export const MATH_CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E, inf: Infinity, tau: 2 * Math.PI };

/** The shape of nested lists of numbers (`np.array([[0, 1], [1, 0]])`), if regular. */
export function nestedShape(v: Value | undefined): number[] | undefined {
  if (typeof v === 'number' || typeof v === 'boolean') return [];
  if (!Array.isArray(v)) return undefined;
  if (v.length === 0) return [0];
  const inner = v.map(nestedShape);
  const first = inner[0];
  if (!first || inner.some((s) => !s || s.join() !== first.join())) return undefined;
  return [v.length, ...first];
}

/**
 * `keras.datasets.X.load_data()`: ((x_train, y_train), (x_test, y_test)) with the shapes Keras
 * documents; data of varying length (imdb, reuters) stays unknown.
 */
export function kerasDataset(name: string, siteText: string): Value {
  const shapes: Record<string, [number, number, readonly number[], readonly number[]]> = {
    mnist: [60000, 10000, [28, 28], []], fashion_mnist: [60000, 10000, [28, 28], []],
    cifar10: [50000, 10000, [32, 32, 3], [1]], cifar100: [50000, 10000, [32, 32, 3], [1]],
    boston_housing: [404, 102, [13], []], california_housing: [16512, 4128, [8], []],
  };
  const spec = shapes[name];
  if (!spec) return new Unknown(siteText, `\`${name}\` samples have no fixed shape`);
  const [train, test, x, y] = spec;
  return [[new NdArray([train, ...x]), new NdArray([train, ...y])], [new NdArray([test, ...x]), new NdArray([test, ...y])]];
}

/** numpy / math / argparse calls: pure math on constants, array shapes, command-line defaults. */
export function callPure(path: readonly string[], args: Args, siteText: string): Value {
  const a = args.positional.map((x) => x.value);
  const kw = (name: string): Value | undefined => args.keywords.get(name)?.value;
  const last = path[path.length - 1]!;
  const what = path.join('.');
  const culprit = [...a, ...[...args.keywords.values()].map((x) => x.value)].find((v): v is Unknown => v instanceof Unknown);
  const unknown = (reason: string): Unknown => new Unknown(siteText, culprit ? culprit.reason : reason, culprit?.hole);
  if (path[0] === 'sklearn') {
    if (last === 'train_test_split') {
      // Rows split, other dimensions kept: [a_train, a_test, b_train, b_test, ...].
      const split = kw('test_size') ?? 0.25;
      const out: Value[] = [];
      for (const array of a) {
        if (!(array instanceof NdArray) || typeof split !== 'number') return unknown('the split arrays have no known shape');
        const rows = array.shape[0] ?? 0;
        const test = split < 1 ? Math.ceil(rows * split) : split;
        out.push(new NdArray([rows - test, ...array.shape.slice(1)]), new NdArray([test, ...array.shape.slice(1)]));
      }
      return out;
    }
    return unknown(`\`${what}(...)\` is not evaluated`);
  }
  if (path[0] === 'argparse') {
    if (last === 'ArgumentParser' && path.length === 2) return new ArgParser();
    if (last === 'Namespace' && path.length === 2) return new Namespace(new Map([...args.keywords].map(([k, v]) => [k, v.value])), 'the namespace');
    return unknown(`\`${what}(...)\` is not evaluated`);
  }
  if (path[0] === 'os') {
    // `os.path` on constant strings: the paths a script loads a saved model from. A relative
    // path stays relative (`abspath` of it is the script's folder when run from there, which is
    // how a relative path is resolved here); nothing else of `os` is evaluated.
    const strings = a.length > 0 && a.every((v): v is string => typeof v === 'string') ? (a as string[]) : undefined;
    if (path[1] === 'path' && path.length === 3 && strings) {
      if (last === 'join') return strings.reduce((joined, part) => (part.startsWith('/') ? part : joined === '' || joined.endsWith('/') ? joined + part : `${joined}/${part}`), '');
      if (last === 'abspath' || last === 'normpath' || last === 'realpath' || last === 'expanduser') return strings[0]!;
      if (last === 'basename') return strings[0]!.slice(strings[0]!.lastIndexOf('/') + 1);
      if (last === 'dirname') return strings[0]!.slice(0, Math.max(0, strings[0]!.lastIndexOf('/')));
    }
    return unknown(`\`${what}(...)\` is not evaluated`);
  }
  const fn = path.length === 2 ? MATH_FUNCTIONS[last] : undefined;
  if (fn) {
    if (a.length && a.every((v) => typeof v === 'number')) return fn(...(a as number[]));
    return unknown(`\`${what}\` of a value that is not a constant number`);
  }
  if (path[0] === 'numpy') {
    const dims = (v: Value | undefined): number[] | undefined => {
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return [v];
      if (Array.isArray(v) && v.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) return v as number[];
      return undefined;
    };
    const sub = path.slice(1).join('.');
    let shape: number[] | undefined;
    // Shapes as NumPy takes them: positional dims, a shape tuple, or `size=`.
    if (['random.rand', 'random.randn'].includes(sub)) shape = a.length === 0 ? [] : a.every((d) => typeof d === 'number') ? dims(a as Value) : undefined;
    else if (['zeros', 'ones', 'empty', 'full', 'random.random', 'random.random_sample', 'random.sample'].includes(sub)) shape = dims(a[0] ?? kw('shape') ?? kw('size'));
    else if (['random.normal', 'random.uniform'].includes(sub)) shape = dims(kw('size') ?? a[2]);
    else if (sub === 'random.randint') shape = dims(kw('size') ?? a[2]);
    else if (sub === 'random.choice') shape = dims(kw('size') ?? a[1]);
    else if (['zeros_like', 'ones_like', 'empty_like', 'full_like', 'array', 'asarray', 'copy'].includes(sub) && a[0] instanceof NdArray) shape = [...a[0].shape];
    else if (sub === 'array' || sub === 'asarray') shape = nestedShape(a[0]);
    else if (sub === 'expand_dims' && a[0] instanceof NdArray && typeof (a[1] ?? kw('axis')) === 'number') {
      const axis = (a[1] ?? kw('axis')) as number;
      const at = axis < 0 ? a[0].shape.length + 1 + axis : axis;
      if (at >= 0 && at <= a[0].shape.length) shape = [...a[0].shape.slice(0, at), 1, ...a[0].shape.slice(at)];
    }
    else if (sub === 'eye' || sub === 'identity') shape = typeof a[0] === 'number' ? [a[0], typeof a[1] === 'number' ? a[1] : a[0]] : undefined;
    else if (sub === 'arange' && a.every((d) => typeof d === 'number') && a.length) {
      const [start, stop, step] = a.length === 1 ? [0, a[0] as number, 1] : [a[0] as number, a[1] as number, (a[2] as number | undefined) ?? 1];
      shape = step ? [Math.max(0, Math.ceil((stop - start) / step))] : undefined;
    } else if (sub === 'prod' || sub === 'product') {
      const items = a[0] instanceof NdArray ? undefined : Array.isArray(a[0]) ? a[0] : undefined;
      if (items && items.every((d) => typeof d === 'number')) return (items as number[]).reduce((x, y) => x * y, 1);
      return unknown('`prod` of a value that is not a list of numbers');
    } else if (sub === 'random.seed') return null;
    if (shape) return new NdArray(shape);
    return unknown(`\`${what}(...)\` is not evaluated`);
  }
  return unknown(`\`${what}(...)\` is not evaluated`);
}
