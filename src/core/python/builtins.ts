/**
 * Python built-in functions on constant values: `range`, `len`, `int`, `min`, `zip`... A call
 * whose arguments are not constants gives an `Unknown` that keeps the argument's hole.
 */
import type { SyntaxNode } from '@lezer/common';
import type { SourceRange } from '../ir';
import { Builtin, MAX_LOOP, Namespace, NdArray, PyDict, PyModule, PyModuleFile, SequentialModel, Unknown, isPrimitive, truthy, type BuiltinFn, type Value } from './values';

/** What the built-ins read of the evaluator: node text, and where holes are named and filled. */
export interface BuiltinHost {
  readonly text: (node: SyntaxNode) => string;
  readonly holeRanges: Map<string, SourceRange>;
  readonly fillFor: (chain: string) => { value: Value } | undefined;
}

/** The built-in functions by name. */
export function pythonBuiltins(host: BuiltinHost): Map<string, Value> {
  const builtins = new Map<string, Value>();
  const b = (name: string, fn: BuiltinFn): void => void builtins.set(name, new Builtin(name, fn));
  const unknown = (site: SyntaxNode, reason: string): Unknown => new Unknown(host.text(site), reason);
  b('range', (args, _kw, site) => {
    if (!args.every((a) => typeof a === 'number') || args.length === 0 || args.length > 3) {
      const culprit = args.find((a): a is Unknown => a instanceof Unknown);
      return new Unknown(host.text(site), culprit ? culprit.reason : 'arguments are not constants', culprit?.hole);
    }
    const [start, stop, step] = args.length === 1 ? [0, args[0] as number, 1] : [args[0] as number, args[1] as number, (args[2] as number | undefined) ?? 1];
    if (step === 0) return unknown(site, 'range step is zero');
    const out: number[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
      out.push(i);
      if (out.length > MAX_LOOP) return unknown(site, 'range is too long');
    }
    return out;
  });
  b('len', (args, _kw, site) => {
    const a = args[0];
    if (Array.isArray(a) || typeof a === 'string') return a.length;
    if (a instanceof PyDict) return a.items.size;
    if (a instanceof SequentialModel) return a.layers.length;
    if (a instanceof NdArray && a.shape.length) return a.shape[0]!;
    if (a instanceof Unknown) {
      // The length is its own value (a count the data decides): `len(words)` names it.
      const name = host.text(site).replace(/\s+/g, '');
      if (!host.holeRanges.has(name)) host.holeRanges.set(name, { start: site.from, end: site.to });
      return host.fillFor(name)?.value ?? new Unknown(host.text(site), a.reason, name);
    }
    return unknown(site, 'length of a value that is not a list');
  });
  const numeric = (convert: (n: number) => number) => (args: Value[], _kw: Map<string, Value>, site: SyntaxNode): Value => {
    const a = args[0];
    if (typeof a === 'number' || typeof a === 'boolean') return convert(Number(a));
    if (typeof a === 'string' && a.trim() !== '' && !Number.isNaN(Number(a))) return convert(Number(a));
    return a instanceof Unknown ? new Unknown(host.text(site), a.reason, a.hole) : unknown(site, 'argument is not a number');
  };
  b('int', numeric(Math.trunc));
  b('float', numeric((n) => n));
  b('abs', numeric(Math.abs));
  b('round', (args, kw, site) => (typeof args[0] === 'number' && args.length === 1 ? Math.round(args[0]) : numeric((n) => n)(args, kw, site)));
  b('str', (args, _kw, site) => (isPrimitive(args[0] ?? '') ? String(args[0] ?? '') : unknown(site, 'argument is not a constant')));
  b('bool', (args, _kw, site) => truthy(args[0] ?? false) ?? unknown(site, 'argument is not a constant'));
  const listOf = (args: Value[], _kw: Map<string, Value>, site: SyntaxNode): Value => {
    const a = args[0];
    if (a === undefined) return [];
    if (Array.isArray(a)) return [...a];
    if (typeof a === 'string') return [...a];
    if (a instanceof PyDict) return [...a.items.keys()];
    return a instanceof Unknown ? new Unknown(host.text(site), a.reason, a.hole) : unknown(site, 'argument is not a list');
  };
  b('list', listOf);
  b('tuple', listOf);
  // `set(sample)` (a char-RNN's vocabulary): the distinct items in first-seen order. Python's
  // order of a str set changes per process (hash randomization); its size, which is what
  // shapes read (`len(set(text))`), does not.
  const setOf = (args: Value[], kw: Map<string, Value>, site: SyntaxNode): Value => {
    const items = listOf(args, kw, site);
    if (!Array.isArray(items)) return items;
    if (!items.every(isPrimitive)) return unknown(site, 'items are not constants');
    return [...new Map(items.map((item) => [`${typeof item}:${String(item)}`, item])).values()];
  };
  b('set', setOf);
  b('frozenset', setOf);
  b('sorted', (args, kw, site) => {
    const items = listOf(args, kw, site);
    if (!Array.isArray(items)) return items;
    const reverse = kw.get('reverse') === true;
    if (kw.has('key') || !(items.every((i) => typeof i === 'number') || items.every((i) => typeof i === 'string'))) return unknown(site, 'items are not constant numbers or strings');
    const sorted = [...(items as (number | string)[])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return reverse ? sorted.reverse() : sorted;
  });
  // `dict(a=1)`, `dict([(k, v), ...])`, `dict(other)`: keys are strings, as in a dict display.
  b('dict', (args, kw, site) => {
    const dict = new PyDict();
    const source = args[0];
    if (source instanceof PyDict) for (const [k, v] of source.items) dict.items.set(k, v);
    else if (Array.isArray(source)) {
      for (const pair of source) {
        if (!Array.isArray(pair) || pair.length !== 2 || !isPrimitive(pair[0]!)) return unknown(site, 'items are not constant key-value pairs');
        dict.items.set(String(pair[0]), pair[1]!);
      }
    } else if (source !== undefined) return source instanceof Unknown ? new Unknown(host.text(site), source.reason, source.hole) : unknown(site, 'argument is not a dict or a list of pairs');
    for (const [k, v] of kw) dict.items.set(k, v);
    return dict;
  });
  const extreme = (pick: (...n: number[]) => number) => (args: Value[], _kw: Map<string, Value>, site: SyntaxNode): Value => {
    const items = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
    return items.every((a) => typeof a === 'number') && items.length ? pick(...(items as number[])) : unknown(site, 'arguments are not constant numbers');
  };
  b('min', extreme(Math.min));
  b('max', extreme(Math.max));
  b('sum', (args, _kw, site) => (Array.isArray(args[0]) && args[0].every((a) => typeof a === 'number') ? (args[0] as number[]).reduce((s, n) => s + n, (args[1] as number | undefined) ?? 0) : unknown(site, 'argument is not a list of numbers')));
  b('enumerate', (args, kw, site) => {
    const start = typeof (args[1] ?? kw.get('start')) === 'number' ? ((args[1] ?? kw.get('start')) as number) : 0;
    return Array.isArray(args[0]) ? args[0].map((v, i) => [i + start, v]) : unknown(site, 'argument is not a list');
  });
  b('zip', (args, _kw, site) => {
    if (!args.length || !args.every(Array.isArray)) return unknown(site, 'arguments are not lists');
    const lists = args as Value[][];
    const n = Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => lists.map((l) => l[i]!));
  });
  b('reversed', (args, _kw, site) => (Array.isArray(args[0]) ? [...args[0]].reverse() : unknown(site, 'argument is not a list')));
  // `vars(args)`: the argparse namespace as a dict (`options['model']`).
  b('vars', (args, _kw, site) => {
    const a = args[0];
    if (!(a instanceof Namespace)) return a instanceof Unknown ? new Unknown(host.text(site), a.reason, a.hole) : unknown(site, 'argument is not a namespace');
    const dict = new PyDict();
    for (const [k, v] of a.items) dict.items.set(k, v);
    return dict;
  });
  // `getattr(optimizers, 'Adam')`: attribute access by a constant name, on what `.name` reads
  // (modules, argparse namespaces, a user module's names); the default when given and missing.
  b('getattr', (args, _kw, site) => {
    const [object, name, fallback] = args;
    if (typeof name !== 'string') return new Unknown(host.text(site), name instanceof Unknown ? `the attribute name is not a constant (${name.reason})` : 'the attribute name is not a string', name instanceof Unknown ? name.hole : undefined);
    if (object instanceof PyModule) return new PyModule([...object.path, name]);
    if (object instanceof Namespace && object.items.has(name)) return object.items.get(name) ?? unknown(site, `\`${name}\` has no default in ${object.what}`);
    if (object instanceof PyModuleFile && object.scope.vars.has(name)) return object.scope.vars.get(name)!;
    if (fallback !== undefined && (object instanceof Namespace || object instanceof PyModuleFile)) return fallback;
    return object instanceof Unknown ? new Unknown(host.text(site), object.reason, object.hole) : unknown(site, `\`${name}\` of this value is not read`);
  });
  b('print', () => null);
  // `super().__init__(**kwargs)` in a class of the file: Keras' own base class is not run.
  b('super', (_args, _kw, site) => unknown(site, 'the base class is not evaluated'));
  b('isinstance', (_args, _kw, site) => unknown(site, 'types are not evaluated'));
  return builtins;
}
