/**
 * Expressions: literals, names (fills, built-ins, bare Keras names), attribute and subscript
 * access (NumPy shapes, argparse namespaces, backbones), sequences, comprehensions, dicts,
 * f-strings, and unary / binary operators on constants. A value that cannot be known is an
 * `Unknown` that keeps the name of its hole (`x.shape[1]`), so it can be asked for and filled.
 */
import type { SyntaxNode } from '@lezer/common';
import { compactChain } from '../frontend/holeNames';
import { PARSE_LIMITS } from '../limits';
import { editDistance } from '../text';
import { EvaluatorBase } from './base';
import { KERAS_LAYERS, KERAS_MEMBERS, MERGE_FUNCTIONS, kerasPath } from './kerasApi';
import { MATH_CONSTANTS } from './pyLibraries';
import { CHAIN, comparisons, kids, pyNumber, pyString, rangeOf } from './syntax';
import {
  Backbone, BoundMethod, MAX_LOOP, Namespace, NdArray, PyDict, PyInstance, PyModule, PyModuleFile, Scope, SubclassedModel, TensorValue, Unknown,
  describe, equal, isPrimitive, truthy, type Value,
} from './values';

/** Node names that only read a value (no copy): reading a big list costs no extra steps. */
const READS = new Set(['VariableName', 'MemberExpression', 'ParenthesizedExpression', 'Number', 'String']);

/** The reason of a name the code stops after (a syntax error follows it): not a hole. */
export const CUT_SHORT = 'the code stops here with a syntax error';

export abstract class ExpressionEvaluator extends EvaluatorBase {
  /** Conditions already scanned for selectors, by start offset (a loop scans once). */
  protected readonly scannedChains = new Set<number>();
  /** A call expression (calls.ts). */
  protected abstract call(node: SyntaxNode, scope: Scope): Value;
  /** Binding names (statements.ts): comprehension variables are bound as assignments are. */
  protected abstract assign(target: SyntaxNode, value: Value, scope: Scope): void;
  protected abstract assignTuple(targets: readonly SyntaxNode[], value: Value, scope: Scope): void;
  protected abstract iterate(value: Value, at: SyntaxNode): Value[];

  /**
   * Whether the code stops right after `node`: a syntax error starts where it ends, with only
   * white space between (`Dense(4, activ` at the end of the file). Such a name is being typed,
   * not a value the code reads. Only for the file's own text (not an annotation's).
   */
  protected cutShort(node: SyntaxNode): boolean {
    if (this.src !== this.text) return false;
    const starts = this.errorStarts();
    if (!starts.length) return false;
    let at = node.to;
    while (at < this.text.length && /\s/.test(this.text[at]!)) at++;
    return starts[lowerBound(starts, at)] === at;
  }

  private sortedErrorStarts: number[] = [];

  /**
   * The syntax errors' starts, sorted: both checks are binary searches, so 2,000 nested calls
   * in a file with 1,600 syntax errors stay linear (the fuzz benchmark's slowest input).
   */
  private errorStarts(): readonly number[] {
    if (this.sortedErrorStarts.length !== this.syntaxErrorStarts.length) this.sortedErrorStarts = [...this.syntaxErrorStarts].sort((a, b) => a - b);
    return this.sortedErrorStarts;
  }

  /** Whether a syntax error lies inside `node` (`activ⚠.add(...)`: lezer's recovery, not an access chain). */
  protected holdsSyntaxError(node: SyntaxNode): boolean {
    if (this.src !== this.text) return false;
    const starts = this.errorStarts();
    const i = lowerBound(starts, node.from + 1);
    return i < starts.length && starts[i]! < node.to;
  }

  /** The value of a half-typed name: unknown, never a hole to fill, said once on its line. */
  protected cutShortName(node: SyntaxNode): Unknown {
    const name = this.t(node);
    this.problem(`\`${name}\` is cut short: the code stops here with a syntax error, so it is not read (not a value to fill). Finish this line to analyze it.`, rangeOf(node), 'warning');
    return new Unknown(name, CUT_SHORT);
  }

  eval(node: SyntaxNode, scope: Scope): Value {
    // A name or access chain where the code stops (`Dense(4, activ`) is not read.
    if ((node.name === 'VariableName' || node.name === 'MemberExpression') && this.cutShort(node)) return this.cutShortName(node);
    if (this.evalDepth >= PARSE_LIMITS.maxEvalDepth / 3) {
      // Once per statement: every branch of a deep tree hits the limit.
      this.problem('This expression nests too deeply for Gradient Lens to read; its value is unknown, the rest of the file is still read.', this.at ?? rangeOf(node), 'warning');
      return new Unknown('...', 'it nests too deeply to read');
    }
    this.evalDepth++;
    let value: Value;
    try {
      value = this.evalNode(node, scope);
    } finally {
      this.evalDepth--;
    }
    if ((typeof value === 'string' || Array.isArray(value)) && value.length > 64) {
      // Work proportional to what was built (a copy, a concatenation) counts against the budget.
      if (!READS.has(node.name)) this.step(value.length >> 6);
      const refused = this.tooLong(typeof value === 'string' ? 'string' : 'list', value.length, rangeOf(node));
      if (refused) return refused;
    }
    return value;
  }

  protected evalNode(node: SyntaxNode, scope: Scope): Value {
    this.step();
    switch (node.name) {
      case 'Number':
        return pyNumber(this.t(node)) ?? new Unknown(this.t(node), 'complex numbers are not supported');
      case 'String':
        return pyString(this.t(node));
      case 'ContinuedString':
        return kids(node).map((s) => (s.name === 'String' ? pyString(this.t(s)) : '')).join('');
      case 'FormatString':
        return this.formatString(node, scope);
      case 'None':
        return null;
      case 'Boolean':
        return this.t(node) === 'True';
      case 'VariableName':
        return this.lookup(this.t(node), scope);
      case 'MemberExpression':
        return this.member(node, scope);
      case 'ParenthesizedExpression': {
        const inner = kids(node).find((n) => n.name !== '(' && n.name !== ')');
        return inner ? this.eval(inner, scope) : [];
      }
      case 'TupleExpression':
      case 'ArrayExpression':
      case 'SetExpression':
        return this.sequence(kids(node).slice(1, -1), scope);
      case 'ArrayComprehensionExpression':
      case 'SetComprehensionExpression':
      case 'ComprehensionExpression':
        return this.comprehension(kids(node).slice(1, -1), scope);
      case 'DictionaryExpression':
        return this.dict(node, scope);
      case 'DictionaryComprehensionExpression': {
        // `{c: i for i, c in enumerate(chars)}`: the pairs of a comprehension, keys as in a display.
        const parts = kids(node).slice(1, -1);
        const [keyNode, colon, valueNode] = parts;
        if (!keyNode || colon?.name !== ':' || !valueNode) return new Unknown(this.t(node), 'incomplete expression');
        const dict = new PyDict();
        for (const pair of this.comprehension(parts.slice(2), scope, (inner) => [this.eval(keyNode, inner), this.eval(valueNode, inner)])) {
          const [key, value] = pair as Value[];
          if (!isPrimitive(key!)) return new Unknown(this.t(node), key instanceof Unknown ? key.reason : 'a key is not a constant', key instanceof Unknown ? key.hole : undefined);
          dict.items.set(String(key), value!);
        }
        return dict;
      }
      case 'UnaryExpression':
        return this.unary(node, scope);
      case 'BinaryExpression':
        return this.binaryExpression(node, scope);
      case 'ConditionalExpression': {
        const [a, , c, , b] = kids(node);
        if (!a || !c || !b) return new Unknown(this.t(node), 'incomplete expression');
        const condition = this.eval(c, scope);
        if (this.argStrings.size || condition instanceof Unknown) this.noteComparisons(c, scope);
        const cond = truthy(condition);
        if (cond === undefined) return new Unknown(this.t(node), `condition \`${this.t(c)}\` is not a constant`);
        return this.eval(cond ? a : b, scope);
      }
      case 'NamedExpression': {
        // The walrus `(d := dropout)` binds its name and is its value (PEP 572).
        const [target, , valueNode] = kids(node);
        if (!target || !valueNode) return new Unknown(this.t(node), 'incomplete expression');
        const value = this.eval(valueNode, scope);
        this.assign(target, value, scope);
        return value;
      }
      case 'CallExpression':
        return this.call(node, scope);
      case 'LambdaExpression':
        return new Unknown(this.t(node), 'lambdas are not evaluated');
      default:
        return new Unknown(this.t(node), node.type.isError ? 'syntax error' : 'this kind of expression is not evaluated');
    }
  }

  /**
   * The strings `cond` compares values with (`x == "cnn"`, `x in ("a", B)`): values to try for an
   * argparse option or a named hole among them. Once per condition.
   */
  protected noteComparisons(cond: SyntaxNode, scope: Scope): void {
    if (this.scannedChains.has(cond.from)) return;
    this.scannedChains.add(cond.from);
    for (const { subject, against } of comparisons(cond, (n) => this.t(n))) {
      const values = against.map((n) => this.eval(n, scope));
      if (values.every((v): v is string => typeof v === 'string')) this.noteSelector(this.eval(subject, scope), values);
    }
  }

  protected lookup(name: string, scope: Scope): Value {
    const found = scope.lookup(name);
    if (found) {
      const v = found.value;
      // A parameter without a value that a fill names.
      if (v instanceof Unknown && v.hole === name) return this.fillFor(name)?.value ?? v;
      return v;
    }
    const fill = this.fillFor(name);
    if (fill) return fill.value;
    const builtin = this.builtins.get(name);
    if (builtin !== undefined) return builtin;
    for (const from of this.starImports) {
      const path = kerasPath([...from, name]);
      if (path && (KERAS_LAYERS[name] || MERGE_FUNCTIONS[name] || KERAS_MEMBERS.has(name) || (path[0] === 'layers' && /^[A-Z]/.test(name)))) return new PyModule([...from, name]);
    }
    // Snippets often leave the imports out: a bare Keras class name still means Keras.
    if (KERAS_LAYERS[name] || name === 'Sequential' || name === 'Input') return new PyModule(['keras', name === 'Sequential' ? 'models' : 'layers', name]);
    const near = nearestImport(name, scope);
    return new Unknown(name, `\`${name}\` is not defined in this file${near ? ` (a typo for \`${near}\`?)` : ''}`);
  }

  /** `a.b.c` / `a[1]` as text when it is a plain access chain (a fillable hole name). */
  protected chainText(node: SyntaxNode): string | undefined {
    if (this.holdsSyntaxError(node)) return undefined;
    return compactChain(this.t(node), CHAIN);
  }

  protected member(node: SyntaxNode, scope: Scope): Value {
    const parts = kids(node);
    const objectNode = parts[0];
    if (!objectNode) return new Unknown(this.t(node), 'incomplete expression');
    const chain = this.chainText(node);
    const fill = chain ? this.fillFor(chain) : undefined;
    if (fill) return fill.value;
    // lezer reads the float `0.` as `0` `.` and a missing name: it is a number.
    const trailingDotFloat = objectNode.name === 'Number' && parts[1]?.name === '.' && (!parts[2] || parts[2].type.isError || /^[eE]\d+$/.test(this.t(parts[2])));
    if (trailingDotFloat) {
      const exponent = parts[2] && !parts[2].type.isError ? this.t(parts[2]) : '';
      return pyNumber(this.t(objectNode) + exponent) ?? new Unknown(this.t(node), 'malformed number');
    }
    const object = this.eval(objectNode, scope);
    const unknown = (reason: string, hole?: string): Unknown => {
      if (chain && !this.holeRanges.has(chain)) this.holeRanges.set(chain, rangeOf(node));
      return new Unknown(this.t(node), reason, chain ?? hole);
    };
    if (parts[1]?.name === '.') {
      const prop = parts[2] ? this.t(parts[2]) : '';
      if (object instanceof PyModule) {
        if ((object.path[0] === 'numpy' || object.path[0] === 'math') && object.path.length === 1 && prop in MATH_CONSTANTS) return MATH_CONSTANTS[prop]!;
        // absl / tf.app flags: `FLAGS.model` is the flag's default (or a variant run's value).
        if (object.path[object.path.length - 1] === 'FLAGS' && this.flagValues.has(prop)) return this.flagValues.get(prop)!;
        return new PyModule([...object.path, prop]);
      }
      if (object instanceof PyModuleFile) {
        const found = object.scope.vars.get(prop);
        return found ?? unknown(`\`${object.name}\` has no \`${prop}\``);
      }
      if (object instanceof Backbone) {
        if (prop === 'output' || prop === 'input' || prop === 'outputs' || prop === 'inputs') return prop.endsWith('s') ? [object.output] : object.output;
        return unknown(`\`${prop}\` of the backbone \`${object.name}\` is not read`);
      }
      if (object instanceof NdArray) {
        if (prop === 'shape') return [...object.shape];
        if (prop === 'ndim') return object.shape.length;
        if (prop === 'size') return object.shape.reduce((a, b) => a * b, 1);
        if (prop === 'T') return new NdArray([...object.shape].reverse());
      }
      if (object instanceof Namespace) {
        if (object.items.has(prop)) {
          const value = object.items.get(prop)!;
          if (value === null) return unknown(`\`${prop}\` has no default in ${object.what}`);
          return value;
        }
        return unknown(`${object.what} has no \`${prop}\``);
      }
      if (object instanceof Unknown) return unknown(object.reason, object.hole);
      if (object instanceof TensorValue && prop === 'shape') return unknown('shapes of symbolic tensors are not evaluated');
      if (object === null || typeof object === 'number' || typeof object === 'boolean') return unknown(`\`${prop}\` of a constant is not evaluated`);
      if (object instanceof SubclassedModel) {
        // `model.encoder`, `model.my_method()`: the instance's; `model.fit(...)`: Keras' own.
        const { instance } = object;
        if (instance.attrs.has(prop)) return instance.attrs.get(prop)!;
        if (instance.cls.methods.has(prop)) return new BoundMethod(instance, prop);
        return new BoundMethod(object, prop);
      }
      if (object instanceof PyInstance) {
        if (object.attrs.has(prop)) return object.attrs.get(prop)!;
        if (object.cls.methods.has(prop)) return new BoundMethod(object, prop);
        // Weights and layers a custom layer makes in `build` (or in Keras' own base class).
        return unknown(`\`${prop}\` of \`${object.cls.name}\` is not set in its \`__init__\``);
      }
      return new BoundMethod(object, prop);
    }
    // Subscript: `a[i]`, `a[i:j]`.
    const inner = parts.slice(2, -1);
    if (object instanceof Unknown) return unknown(object.reason, object.hole);
    if (object instanceof NdArray) return this.indexArray(object, inner, scope, node);
    if (inner.some((n) => n.name === ':')) {
      const bounds = this.sliceBounds(inner, scope, node);
      if (bounds instanceof Unknown) return bounds;
      if (!Array.isArray(object) && typeof object !== 'string') return new Unknown(this.t(node), `slicing ${describe(object)} is not evaluated`);
      if (bounds[2] !== undefined && bounds[2] !== 1) {
        if (bounds[2] === -1 && bounds[0] === undefined && bounds[1] === undefined) return Array.isArray(object) ? [...object].reverse() : [...object].reverse().join('');
        return new Unknown(this.t(node), 'slices with a step are not evaluated');
      }
      return object.slice(bounds[0], bounds[1]);
    }
    const indexNode = inner[0];
    if (!indexNode) return new Unknown(this.t(node), 'incomplete expression');
    const index = this.eval(indexNode, scope);
    if ((Array.isArray(object) || typeof object === 'string') && typeof index === 'number') {
      const item = object[index < 0 ? object.length + index : index];
      return item ?? new Unknown(this.t(node), 'index out of range');
    }
    // A table picked by a string from outside (`BUILDERS[args.model]`): its keys are the choices.
    if (object instanceof PyDict && (typeof index === 'string' || index instanceof Unknown)) this.noteSelector(index, [...object.items.keys()]);
    if (object instanceof PyDict && isPrimitive(index)) return object.items.get(String(index)) ?? new Unknown(this.t(node), `no key \`${String(index)}\``);
    return unknown(index instanceof Unknown ? index.reason : `indexing ${describe(object)} is not evaluated`);
  }

  protected sequence(items: readonly SyntaxNode[], scope: Scope): Value[] {
    const out: Value[] = [];
    for (let i = 0; i < items.length; i++) {
      const n = items[i]!;
      if (n.name === ',') continue;
      if (n.name === '*' && items[i + 1]) {
        const spread = this.eval(items[++i]!, scope);
        if (Array.isArray(spread)) out.push(...spread);
        else out.push(new Unknown(this.t(items[i]!), spread instanceof Unknown ? spread.reason : 'unpacking a value that is not a list'));
        continue;
      }
      out.push(this.eval(n, scope));
    }
    return out;
  }

  /** `[element for a in xs if c for b in ys]`: each clause nests; layers record the iterations. */
  protected comprehension(parts: readonly SyntaxNode[], scope: Scope, each?: (inner: Scope) => Value): Value[] {
    const firstFor = parts.findIndex((n) => n.name === 'for');
    const element = parts[0];
    if (firstFor < 1 || !element) return [];
    const clauses = parts.slice(firstFor);
    const inner = new Scope(scope); // comprehension variables do not leak (Python 3)
    const out: Value[] = [];
    const loop = (at: number): void => {
      if (at >= clauses.length) {
        out.push(each ? each(inner) : this.eval(element, inner));
        return;
      }
      const clause = clauses[at]!;
      if (clause.name === 'if') {
        const cond = truthy(this.eval(clauses[at + 1]!, inner));
        if (cond !== false) loop(at + 2);
        return;
      }
      if (clause.name !== 'for') return loop(at + 1);
      const inIndex = clauses.findIndex((n, i) => i > at && n.name === 'in');
      const targets = clauses.slice(at + 1, inIndex).filter((n) => n.name !== ',');
      const iterNode = clauses[inIndex + 1];
      if (inIndex < 0 || !iterNode) return;
      const items = this.iterate(this.eval(iterNode, inner), iterNode);
      items.forEach((item, i) => {
        if (targets.length === 1) this.assign(targets[0]!, item, inner);
        else this.assignTuple(targets, item, inner);
        this.iterations.push(i);
        try {
          loop(inIndex + 2);
        } finally {
          this.iterations.pop();
        }
      });
    };
    loop(0);
    return out;
  }

  protected dict(node: SyntaxNode, scope: Scope): Value {
    const dict = new PyDict();
    const parts = kids(node).slice(1, -1);
    for (let i = 0; i < parts.length; i++) {
      const n = parts[i]!;
      if (n.name === ',') continue;
      if (n.name === '**') {
        const spread = this.eval(parts[++i]!, scope);
        if (spread instanceof PyDict) for (const [k, v] of spread.items) dict.items.set(k, v);
        continue;
      }
      if (parts[i + 1]?.name === ':' && parts[i + 2]) {
        const key = this.eval(n, scope);
        const value = this.eval(parts[i + 2]!, scope);
        if (isPrimitive(key)) dict.items.set(String(key), value);
        i += 2;
      }
    }
    return dict;
  }

  protected formatString(node: SyntaxNode, scope: Scope): Value {
    const raw = this.t(node);
    const m = /^([a-zA-Z]{0,2})('''|"""|'|")/.exec(raw);
    if (!m) return new Unknown(raw, 'malformed string');
    const quote = m[2]!;
    let pos = node.from + m[0].length;
    const end = raw.endsWith(quote) ? node.to - quote.length : node.to;
    let out = '';
    const literal = (from: number, to: number): string => this.src.slice(from, to).replace(/\{\{/g, '{').replace(/\}\}/g, '}');
    for (const rep of kids(node)) {
      if (rep.name !== 'FormatReplacement') continue;
      out += literal(pos, rep.from);
      const inner = kids(rep).filter((n) => n.name !== '{' && n.name !== '}');
      if (inner.length !== 1) return new Unknown(raw, 'f-string formats are not evaluated');
      const value = this.eval(inner[0]!, scope);
      if (!isPrimitive(value)) return new Unknown(raw, value instanceof Unknown ? value.reason : 'f-string of a value that is not a constant', value instanceof Unknown ? value.hole : undefined);
      out += value === null ? 'None' : typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value);
      pos = rep.to;
    }
    return out + literal(pos, end);
  }

  protected unary(node: SyntaxNode, scope: Scope): Value {
    const [op, operandNode] = kids(node);
    if (!op || !operandNode) return new Unknown(this.t(node), 'incomplete expression');
    const operand = this.eval(operandNode, scope);
    const opText = this.t(op);
    if (opText === 'not') {
      const t = truthy(operand);
      return t === undefined ? new Unknown(this.t(node), 'operand is not a constant') : !t;
    }
    if (typeof operand === 'number' || typeof operand === 'boolean') {
      const n = Number(operand);
      return opText === '-' ? -n : opText === '~' ? ~n : n;
    }
    return new Unknown(this.t(node), operand instanceof Unknown ? operand.reason : 'operand is not a number', operand instanceof Unknown ? operand.hole : undefined);
  }

  protected binaryExpression(node: SyntaxNode, scope: Scope): Value {
    const parts = kids(node);
    const left = parts[0];
    const right = parts[parts.length - 1];
    if (!left || !right || parts.length < 3) return new Unknown(this.t(node), 'incomplete expression');
    const op = parts.slice(1, -1).map((n) => this.t(n)).join(' ');
    const a = this.eval(left, scope);
    if (op === 'and' || op === 'or') {
      const t = truthy(a);
      if (t === undefined) return new Unknown(this.t(node), a instanceof Unknown ? a.reason : 'operand is not a constant', a instanceof Unknown ? a.hole : undefined);
      if (op === 'and' ? !t : t) return a;
      return this.eval(right, scope);
    }
    return this.binary(op, a, this.eval(right, scope), node);
  }

  /** The bounds of a slice `a:b:c` (its parts between the brackets), undefined where omitted. */
  protected sliceBounds(parts: readonly SyntaxNode[], scope: Scope, node: SyntaxNode): (number | undefined)[] | Unknown {
    const bounds: (number | undefined)[] = [];
    let current: number | undefined;
    for (const n of parts) {
      if (n.name === ':') {
        bounds.push(current);
        current = undefined;
      } else {
        const v = this.eval(n, scope);
        if (typeof v !== 'number') return new Unknown(this.t(node), 'slice bounds are not constants');
        current = v;
      }
    }
    bounds.push(current);
    return bounds;
  }

  /**
   * The shape of `x[...]` for an array of known shape: `x[:1]`, `x[0:10, :, None]`,
   * `x[..., tf.newaxis]`, `x[0]` (slices keep an axis, cut to their constant bounds; `None` /
   * `newaxis` add one; an integer drops one). Anything else is unknown.
   */
  protected indexArray(array: NdArray, inner: readonly SyntaxNode[], scope: Scope, node: SyntaxNode): Value {
    const items: SyntaxNode[][] = [[]];
    for (const n of inner) {
      if (n.name === ',') items.push([]);
      else items[items.length - 1]!.push(n);
    }
    const shape: number[] = [];
    let axis = 0;
    const ellipsis = items.findIndex((item) => item.length === 1 && item[0]!.name === 'Ellipsis');
    const consumes = items.filter((item) => !(item.length === 1 && (item[0]!.name === 'Ellipsis' || item[0]!.name === 'None' || /(^|\.)newaxis$/.test(this.t(item[0]!))))).length;
    for (const [i, item] of items.entries()) {
      if (item.length === 0) return new Unknown(this.t(node), 'an empty index');
      if (i === ellipsis) {
        const kept = array.shape.length - consumes;
        if (kept < 0) return new Unknown(this.t(node), 'too many indices for the array');
        shape.push(...array.shape.slice(axis, axis + kept));
        axis += kept;
        continue;
      }
      if (item.length === 1 && (item[0]!.name === 'None' || /(^|\.)newaxis$/.test(this.t(item[0]!)))) {
        shape.push(1);
        continue;
      }
      const size = array.shape[axis];
      if (size === undefined) return new Unknown(this.t(node), 'too many indices for the array');
      axis++;
      if (item.some((n) => n.name === ':')) {
        const bounds = this.sliceBounds(item, scope, node);
        if (bounds instanceof Unknown) return bounds;
        const step = bounds[2] ?? 1;
        if (step !== 1) return new Unknown(this.t(node), 'slices with a step are not evaluated');
        const at = (b: number | undefined, fallback: number): number => (b === undefined ? fallback : Math.min(size, Math.max(0, b < 0 ? size + b : b)));
        shape.push(Math.max(0, at(bounds[1], size) - at(bounds[0], 0)));
        continue;
      }
      if (item.length === 1 && typeof this.eval(item[0]!, scope) === 'number') continue;
      return new Unknown(this.t(node), 'this index of an array is not evaluated');
    }
    shape.push(...array.shape.slice(axis));
    return new NdArray(shape);
  }

  /** `x + y` / `x * y` on symbolic tensors, as Keras' Add / Multiply layer (kerasModels.ts); undefined otherwise. */
  protected tensorArithmetic(_op: string, _a: TensorValue, _b: TensorValue, _node: SyntaxNode): Value | undefined {
    return undefined;
  }

  /** `x * 2.0`, `x / 255`, `x - 1` on a symbolic tensor and a number (kerasModels.ts); undefined otherwise. */
  protected tensorScalar(_op: string, _a: TensorValue | number, _b: TensorValue | number, _node: SyntaxNode): Value | undefined {
    return undefined;
  }

  protected binary(op: string, a: Value, b: Value, node: SyntaxNode): Value {
    const unknownOf = (reason: string): Unknown => {
      const culprit = a instanceof Unknown ? a : b instanceof Unknown ? b : undefined;
      return new Unknown(this.t(node), culprit ? culprit.reason : reason, culprit?.hole);
    };
    if (a instanceof Unknown || b instanceof Unknown) {
      // `x is None` on an unknown parameter stays unknown; so does everything else.
      return unknownOf('operands are not constants');
    }
    switch (op) {
      case '==': return equal(a, b) ?? unknownOf('operands are not constants');
      case '!=': { const e = equal(a, b); return e === undefined ? unknownOf('operands are not constants') : !e; }
      case 'is': return a === b || (isPrimitive(a) && a === b);
      case 'is not': return !(a === b);
      case 'in':
      case 'not in': {
        let found: boolean | undefined;
        if (typeof b === 'string' && typeof a === 'string') found = b.includes(a);
        else if (Array.isArray(b)) found = b.some((x) => equal(x, a) === true) ? true : b.some((x) => equal(x, a) === undefined) ? undefined : false;
        else if (b instanceof PyDict && isPrimitive(a)) found = b.items.has(String(a));
        if (found === undefined) return unknownOf('membership is not evaluated here');
        return op === 'in' ? found : !found;
      }
    }
    if (a instanceof TensorValue && b instanceof TensorValue) {
      const merged = this.tensorArithmetic(op, a, b, node);
      if (merged) return merged;
    }
    if ((a instanceof TensorValue && typeof b === 'number') || (typeof a === 'number' && b instanceof TensorValue)) {
      const scaled = this.tensorScalar(op, a, b, node);
      if (scaled) return scaled;
    }
    if (a instanceof TensorValue || b instanceof TensorValue) {
      const lost = unknownOf(`\`${op}\` of these values is not evaluated`);
      this.lostTensors?.push({ range: rangeOf(node), reason: `\`${this.t(node).slice(0, 60)}\` is not evaluated on a symbolic tensor` });
      return lost;
    }
    // Element-wise arithmetic keeps an array's shape (`x / 255`, `x - mean`), broadcast on scalars.
    if ((a instanceof NdArray || b instanceof NdArray) && ['+', '-', '*', '/', '//', '**', '%'].includes(op)) {
      const other = a instanceof NdArray ? b : a;
      const array = (a instanceof NdArray ? a : b) as NdArray;
      if (typeof other === 'number' || typeof other === 'boolean' || (other instanceof NdArray && other.shape.join() === array.shape.join())) return array;
      // NumPy broadcasting (`x - x.mean(axis=0)`: [404, 13] with [13]): trailing dimensions equal or 1.
      if (other instanceof NdArray) {
        const broadcast = broadcastShapes(array.shape, other.shape);
        if (broadcast) return new NdArray(broadcast);
      }
    }
    if (typeof a === 'boolean') a = Number(a);
    if (typeof b === 'boolean') b = Number(b);
    if (typeof a === 'number' && typeof b === 'number') {
      switch (op) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/': return a / b;
        case '//': return Math.floor(a / b);
        case '%': return ((a % b) + b) % b;
        case '**': return a ** b;
        case '<': return a < b;
        case '>': return a > b;
        case '<=': return a <= b;
        case '>=': return a >= b;
        case '&': return a & b;
        case '|': return a | b;
        case '^': return a ^ b;
        case '<<': return a << b;
        case '>>': return a >> b;
      }
    }
    if (typeof a === 'string' && typeof b === 'string') {
      if (op === '+') return a + b;
      if (op === '<') return a < b;
      if (op === '>') return a > b;
    }
    if (op === '%' && typeof a === 'string') {
      // `'dense_%d' % i`: printf-style formatting of simple values.
      const values = Array.isArray(b) ? b : [b];
      let k = 0;
      return a.replace(/%[-+ 0#]*\d*(?:\.\d+)?[sdifr%]/g, (spec) => (spec.endsWith('%') ? '%' : String(values[k++] ?? '')));
    }
    if (op === '+' && Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    // Repetition is sized before it is built: `[0] * 10**9` must not allocate.
    const times = typeof a === 'number' ? a : typeof b === 'number' ? b : 0;
    const repeated = Array.isArray(a) ? a : Array.isArray(b) ? b : typeof a === 'string' ? a : undefined;
    if (op === '*' && repeated !== undefined) {
      const refused = this.tooLong(Array.isArray(repeated) ? 'list' : 'string', repeated.length * Math.min(Math.max(times, 0), MAX_LOOP), rangeOf(node));
      if (refused) return refused;
    }
    if (op === '*' && Array.isArray(a) && typeof b === 'number') return Array.from({ length: Math.min(Math.max(b, 0), MAX_LOOP) }, () => a).flat();
    if (op === '*' && typeof a === 'number' && Array.isArray(b)) return Array.from({ length: Math.min(Math.max(a, 0), MAX_LOOP) }, () => b).flat();
    if (op === '*' && typeof a === 'string' && typeof b === 'number') return a.repeat(Math.max(0, Math.min(b, MAX_LOOP)));
    return unknownOf(`\`${op}\` of these values is not evaluated`);
  }

}

/** The index of the first element of the ascending `sorted` that is >= `x` (its length if none). */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The NumPy broadcast of two shapes (trailing dimensions equal, or one of them 1), or undefined when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const out: number[] = [];
  for (let i = 1; i <= Math.max(a.length, b.length); i++) {
    const x = a[a.length - i] ?? 1;
    const y = b[b.length - i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.unshift(x === 1 ? y : x);
  }
  return out;
}

/**
 * The module name `name` is probably a typo of (`laysers` for `layers`, `kears` for `keras`):
 * the one module binding in scope or Keras module name within 2 edits (1 for names under 6
 * letters), swapped neighbours counting as one; undefined when none or several are that close.
 */
function nearestImport(name: string, scope: Scope): string | undefined {
  if (name.length < 4) return undefined;
  const allowed = name.length >= 6 ? 2 : 1;
  const close: string[] = [];
  const seen = new Set<string>();
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    for (const [bound, value] of s.vars) {
      if (seen.has(bound) || !(value instanceof PyModule)) continue;
      seen.add(bound);
      if (Math.abs(bound.length - name.length) <= allowed && editDistance(name, bound) <= allowed) close.push(bound);
    }
  }
  // Keras' own module names, imported or not (`laysers.Dense` in a file that never imports `layers`).
  for (const module of KERAS_MODULE_NAMES) {
    if (!seen.has(module) && Math.abs(module.length - name.length) <= allowed && editDistance(name, module) <= allowed) close.push(module);
  }
  return close.length === 1 ? close[0] : undefined;
}

/** Module names Keras code calls through (`layers.Dense`, `models.Sequential`). */
const KERAS_MODULE_NAMES = ['keras', 'layers', 'models', 'optimizers', 'losses', 'regularizers', 'initializers', 'activations', 'callbacks'];

