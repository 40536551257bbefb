/**
 * Calls: arguments (`*args`, `**kw`, keywords with their source ranges), calling a function of
 * the file (parameters bound; a template run binds unknown parameters as holes), and methods of
 * the values the evaluator knows (a model's `compile` / `fit` / `add`, NumPy arrays, argparse,
 * lists, strings, dicts). Keras API calls are dispatched to the layers above.
 */
import type { SyntaxNode } from '@lezer/common';
import type { SourceRange } from '../ir';
import { EvaluatorBase } from './base';
import { StatementEvaluator } from './statements';
import { kids, rangeOf, snippet } from './syntax';
import {
  ArgParser, Backbone, BoundMethod, Builtin, ClassValue, FunctionalModel, LayerValue, MAX_DEPTH, Namespace, NdArray, PyDict,
  PyFunction, PyInstance, PyModule, Scope, SequentialModel, TensorValue, Unknown, describe, equal, isPrimitive,
  type Arg, type Args, type CompileRecord, type ModelValue, type Value,
} from './values';


/** NumPy array methods that reduce over `axis` (their result's shape is read, not its values). */
const REDUCTIONS: ReadonlySet<string> = new Set(['mean', 'std', 'var', 'sum', 'max', 'min', 'prod', 'ptp']);

export abstract class CallEvaluator extends StatementEvaluator {
  /** Models by the path they were saved to or loaded from (`model.save(p)`, `load_model(p)`): one model per file. */
  protected readonly savedModels = new Map<string, SequentialModel | FunctionalModel>();
  private saidArgparse = false;

  /** A function defined in another file, run by that file's evaluator (evaluator.ts). */
  protected abstract callForeign(fn: PyFunction, args: Args, site: SyntaxNode): Value;
  /** `model.compile(...)` (kerasConfig.ts). */
  protected abstract compileRecord(args: Args, site: SyntaxNode): CompileRecord;
  /** The Keras API (kerasModels.ts). */
  protected abstract callApi(module: PyModule, args: Args, site: SyntaxNode): Value;
  protected abstract applyLayer(layer: LayerValue, args: Args, site: SyntaxNode): Value;
  protected abstract applyModel(model: ModelValue, args: Args, site: SyntaxNode): Value;
  protected abstract addToSequential(model: SequentialModel, value: Value, at: SourceRange): void;

  protected args(list: SyntaxNode | undefined, scope: Scope): Args {
    const positional: Arg[] = [];
    const keywords = new Map<string, Arg>();
    if (!list) return { positional, keywords };
    const parts = kids(list).slice(1, kids(list)[kids(list).length - 1]?.name === ')' ? -1 : undefined);
    // `f(x for x in xs)`: a generator is the only argument.
    if (parts.some((n) => n.name === 'for')) {
      positional.push({ value: this.comprehension(parts, scope) });
      return { positional, keywords, list };
    }
    for (let i = 0; i < parts.length; i++) {
      const n = parts[i]!;
      if (n.name === ',') continue;
      if (n.name === '*' || n.name === '**') {
        const valueNode = parts[++i];
        if (!valueNode) continue;
        const spread = this.eval(valueNode, scope);
        if (n.name === '*' && Array.isArray(spread)) for (const v of spread) positional.push({ value: v });
        else if (n.name === '**' && spread instanceof PyDict) for (const [k, v] of spread.items) keywords.set(k, { value: v });
        else if (n.name === '*') positional.push({ value: new Unknown(this.t(valueNode), spread instanceof Unknown ? spread.reason : 'unpacking a value that is not a list') });
        continue;
      }
      if (n.name === 'VariableName' && parts[i + 1]?.name === 'AssignOp') {
        const valueNode = parts[i + 2];
        if (!valueNode || valueNode.name === ',' || valueNode.type.isError) {
          i += 1;
          continue;
        }
        keywords.set(this.t(n), { value: this.eval(valueNode, scope), property: { start: n.from, end: valueNode.to }, valueRange: rangeOf(valueNode) });
        i += 2;
        continue;
      }
      // lezer's recovery leaves error nodes in an unclosed call (`Dense(4, activ` at the end):
      // they are no argument, and a name cut short by one is half-typed, not a positional value.
      if (n.type.isError) continue;
      if ((n.name === 'VariableName' || n.name === 'MemberExpression') && this.cutShort(n)) {
        this.cutShortName(n);
        continue;
      }
      if (this.holdsSyntaxError(n)) {
        // `Dense(4, activ` then `model.add(...)` on the next line: recovery reads both as one
        // argument, `activ⚠.add(...)`. When its first name is where the code stops, it is no
        // argument and not evaluated (that would run the next line's call); the name is said.
        let first: SyntaxNode | null = n;
        while (first && (first.name === 'CallExpression' || first.name === 'MemberExpression')) first = first.firstChild;
        if (first?.name === 'VariableName' && this.cutShort(first)) {
          this.cutShortName(first);
          continue;
        }
      }
      positional.push({ value: this.eval(n, scope), property: rangeOf(n), valueRange: rangeOf(n) });
    }
    return { positional, keywords, list };
  }

  protected override call(node: SyntaxNode, scope: Scope): Value {
    const [calleeNode, list] = kids(node);
    if (!calleeNode) return new Unknown(this.t(node), 'incomplete call');
    // A call result given a value by name (`ui.units()=32`).
    if (this.fileFills.size || this.templateFills?.size) {
      const fill = this.fillFor(this.t(node).replace(/\s+/g, ''));
      if (fill) return fill.value;
    }
    const callee = this.eval(calleeNode, scope);
    const args = this.args(list?.name === 'ArgList' ? list : undefined, scope);
    return this.callValue(callee, args, node);
  }

  protected callValue(callee: Value, args: Args, site: SyntaxNode): Value {
    if (callee instanceof PyFunction) {
      if (callee.owner instanceof EvaluatorBase && callee.owner !== this) return this.callForeign(callee, args, site);
      return this.callFunction(callee, args, site);
    }
    if (callee instanceof Builtin) return callee.call(args.positional.map((a) => a.value), new Map([...args.keywords].map(([k, a]) => [k, a.value])), site);
    if (callee instanceof BoundMethod) return this.callMethod(callee, args, site);
    if (callee instanceof PyModule) return this.callApi(callee, args, site);
    if (callee instanceof LayerValue) return this.applyLayer(callee, args, site);
    if (callee instanceof Backbone) return callee.output;
    if (callee instanceof SequentialModel || callee instanceof FunctionalModel) return this.applyModel(callee, args, site);
    if (callee instanceof ClassValue) {
      // A subclassed model is not read (statements.ts says so on its class).
      if (callee.model) return new Unknown(this.t(site), `instances of \`${callee.name}\` are not evaluated`);
      const instance = new PyInstance(callee);
      const init = callee.methods.get('__init__');
      if (init) this.inLayer(callee, () => this.callFunction(init, withSelf(instance, args), site));
      return instance;
    }
    if (callee instanceof PyInstance) return this.callInstance(callee, args, site);
    if (callee instanceof Unknown) {
      // Scalers and encoders keep an array's shape (`scaler.fit_transform(X)`).
      const first = args.positional[0]?.value;
      if (first instanceof NdArray && /\.(fit_transform|transform)$/.test(callee.text) && !/pca|svd|poly|onehot|vectori|embed|select/i.test(callee.text)) return new NdArray([...first.shape]);
      if (/is not defined in this file/.test(callee.reason)) this.problem(`\`${callee.text}\` is not defined in this file; the result of \`${snippet(this.t(site))}\` is unknown.`, rangeOf(site), 'info');
      // The call names its result: `ui.units()` is the hole, not the function `ui.units`.
      const text = this.t(site).replace(/\s+/g, '');
      const named = callee.hole && text.startsWith(`${callee.hole}(`) && text.length <= 80 ? text : callee.hole;
      if (named && named !== callee.hole && !this.holeRanges.has(named)) this.holeRanges.set(named, rangeOf(site));
      return new Unknown(this.t(site), callee.reason, named);
    }
    return new Unknown(this.t(site), `${describe(callee)} is not callable`);
  }

  protected callFunction(fn: PyFunction, args: Args, site: SyntaxNode, template?: { given: Map<string, Value> }): Value {
    this.calledFunctions.add(fn.node.from);
    this.callsOfRun?.add(fn.node.from);
    if (this.depth >= MAX_DEPTH) {
      this.problem(`Calls nest deeper than ${MAX_DEPTH} (recursion?); \`${fn.name}\` was not followed.`, rangeOf(site), 'info');
      return new Unknown(this.t(site), 'recursion too deep');
    }
    const scope = new Scope(fn.scope);
    let position = 0;
    const used = new Set<string>();
    for (const param of fn.params) {
      let value: Value | undefined;
      if (param.kind === 'star') {
        value = args.positional.slice(position).map((a) => a.value);
        position = args.positional.length;
      } else if (param.kind === 'kwstar') {
        const rest = new PyDict();
        for (const [k, a] of args.keywords) if (!used.has(k)) rest.items.set(k, a.value);
        value = rest;
      } else if (template?.given.has(param.name)) {
        value = template.given.get(param.name);
      } else if (args.keywords.has(param.name)) {
        value = args.keywords.get(param.name)!.value;
        used.add(param.name);
      } else if (position < args.positional.length) {
        // (A template run passes no arguments, but `self` for a class's `__init__`.)
        value = args.positional[position++]!.value;
      } else if (param.defaultNode) {
        value = this.eval(param.defaultNode, fn.scope);
      } else if (template) {
        this.holeRanges.set(param.name, param.range);
        value = new Unknown(param.name, 'parameter without a value', param.name);
      } else {
        value = new Unknown(param.name, `no argument for parameter \`${param.name}\` of \`${fn.name}\``);
      }
      scope.vars.set(param.name, value ?? null);
    }
    const body = kids(fn.node).find((n) => n.name === 'Body');
    this.depth++;
    try {
      const completion = this.execBody(body, scope);
      const returned = completion?.kind === 'return' ? completion.value : undefined;
      // Each function that hands a model up overwrites the title: the last below the run wins.
      if (returned instanceof SequentialModel || returned instanceof FunctionalModel) returned.returnedBy = template ? undefined : fn.name;
      return completion?.kind === 'return' ? completion.value : completion?.kind === 'raise' ? new Unknown(this.t(site), 'the function raises') : null;
    } finally {
      this.depth--;
    }
  }

  /**
   * absl / `tf.app.flags` definitions (`flags.DEFINE_enum('model', 'cnn', ['cnn', 'mlp'], '')`):
   * `FLAGS.model` reads the default; a string flag may pick the architecture, as an argparse
   * option does (its enum values are the values to try).
   */
  protected defineFlag(kind: string, args: Args, site: SyntaxNode): Value {
    const arg = (i: number, key: string): Value | undefined => args.keywords.get(key)?.value ?? args.positional[i]?.value;
    const name = arg(0, 'name');
    if (typeof name !== 'string') return null;
    let value: Value = arg(1, 'default') ?? null;
    const enumValues = kind === 'enum' ? arg(2, 'enum_values') : undefined;
    const strings = Array.isArray(enumValues) && enumValues.every((v) => typeof v === 'string') ? (enumValues as string[]) : [];
    const chosen = this.options.chosen?.[name];
    if (chosen !== undefined) value = chosen;
    if ((kind === 'string' || kind === 'enum') && (typeof value === 'string' || strings.length)) {
      if (typeof value === 'string') this.argStrings.set(name, value);
      this.selectors.set(`option:${name}`, { kind: 'option', name, label: `--${name}`, ...(typeof value === 'string' ? { current: value } : {}), values: [...strings], range: rangeOf(site) });
    }
    this.flagValues.set(name, value === null ? new Unknown(`FLAGS.${name}`, `flag \`${name}\` has no default`, `FLAGS.${name}`) : value);
    return null;
  }

  /**
   * A custom layer applied to tensors runs its `call` (a plain object its `__call__`): the layers
   * its `__init__` made are applied as written, so the model holds them. When `call` gives no
   * symbolic tensor (it uses an op that is not evaluated, or weights made in `build`), the result
   * is unknown with the reason, and the model that uses it says so.
   */
  protected callInstance(instance: PyInstance, args: Args, site: SyntaxNode): Value {
    const name = instance.cls.keras ? 'call' : '__call__';
    const method = instance.cls.methods.get(name);
    if (!method) return new Unknown(this.t(site), `\`${instance.cls.name}\` has no \`${name}\` the parser could read`);
    const result = this.inLayer(instance.cls, () => this.callFunction(method, withSelf(instance, args), site));
    if (!instance.cls.keras) return result;
    const tensors = Array.isArray(result) ? result : [result];
    if (tensors.length && tensors.every((t) => t instanceof TensorValue)) return result;
    const bad = tensors.find((t) => !(t instanceof TensorValue));
    const reason = bad instanceof Unknown ? bad.reason : bad === undefined ? 'it returns nothing' : `it returns ${describe(bad)}`;
    return new Unknown(this.t(site), `the \`call\` of the custom layer \`${instance.cls.name}\` could not be followed: ${reason}`);
  }

  /** Custom layers being instantiated or called, innermost last (models they make belong to them). */
  protected readonly customLayers: string[] = [];

  private inLayer<T>(cls: ClassValue, run: () => T): T {
    if (!cls.keras) return run();
    this.customLayers.push(cls.name);
    try {
      return run();
    } finally {
      this.customLayers.pop();
    }
  }

  protected callMethod(method: BoundMethod, args: Args, site: SyntaxNode): Value {
    const { self, name } = method;
    if (self instanceof PyInstance) {
      const fn = self.cls.methods.get(name);
      return fn ? this.inLayer(self.cls, () => this.callFunction(fn, withSelf(self, args), site)) : new Unknown(this.t(site), `\`${self.cls.name}.${name}\` is not defined in this file`);
    }
    const a = args.positional.map((x) => x.value);
    if (self instanceof SequentialModel || self instanceof FunctionalModel) {
      if (name === 'compile') {
        self.compile = this.compileRecord(args, site);
        return null;
      }
      if (name === 'fit' || name === 'fit_generator' || name === 'train_on_batch') {
        const x = args.positional[0]?.value ?? args.keywords.get('x')?.value;
        if (x instanceof NdArray && x.shape.length > 1 && !self.fitShape) {
          self.fitShape = x.shape;
          self.fitShapeFrom = `model.${name}`;
        }
        return new Unknown(this.t(site), `\`model.${name}(...)\` is not evaluated`);
      }
      if (name === 'build' && self instanceof SequentialModel) {
        // `model.build((None, 8))` states the input shape (batch first).
        const shape = args.positional[0]?.value ?? args.keywords.get('input_shape')?.value;
        if (Array.isArray(shape) && shape.length > 1 && shape.slice(1).every((d) => typeof d === 'number')) {
          self.fitShape = [0, ...(shape.slice(1) as number[])];
          self.fitShapeFrom = 'model.build';
        }
        return null;
      }
      if (self instanceof SequentialModel && name === 'add') {
        const arg = args.positional[0] ?? args.keywords.get('layer');
        if (arg) this.addToSequential(self, arg.value, arg.valueRange ?? rangeOf(site));
        return null;
      }
      if (name === 'save') {
        // `model.save('m.h5')` then `load_model('m.h5')`: the loaded model is this one.
        const path = a[0] ?? args.keywords.get('filepath')?.value;
        if (typeof path === 'string') this.savedModels.set(path, self);
        return null;
      }
      if (self instanceof SequentialModel && name === 'pop') {
        self.layers.pop();
        return null;
      }
      return new Unknown(this.t(site), `\`model.${name}(...)\` is not evaluated`);
    }
    if (self instanceof NdArray) {
      if (name === 'reshape') {
        const dims = (a.length === 1 && Array.isArray(a[0]) ? a[0] : a) as Value[];
        const total = self.shape.reduce((x, y) => x * y, 1);
        if (!dims.every((d) => typeof d === 'number')) return new Unknown(this.t(site), 'reshape to a shape that is not constant');
        const known = (dims as number[]).filter((d) => d !== -1).reduce((x, y) => x * y, 1);
        return new NdArray((dims as number[]).map((d) => (d === -1 && known ? total / known : d)));
      }
      if (['astype', 'copy', 'squeeze'].includes(name)) return name === 'squeeze' ? new NdArray(self.shape.filter((d) => d !== 1)) : self;
      if (REDUCTIONS.has(name)) {
        // `x.mean(axis=0)` (feature-wise normalization): the shape without the reduced axes; no
        // axis reduces all, a 0-d array. Values stay unknown; shapes are what models read.
        const axisArg = a[0] ?? args.keywords.get('axis')?.value;
        const keepdims = args.keywords.get('keepdims')?.value === true;
        const axes = axisArg === undefined || axisArg === null ? self.shape.map((_, i) => i) : Array.isArray(axisArg) ? axisArg : [axisArg];
        if (!axes.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= -self.shape.length && x < self.shape.length)) return new Unknown(this.t(site), `array method \`${name}\` with an axis that is not a constant`);
        const reduced = new Set((axes as number[]).map((x) => (x + self.shape.length) % self.shape.length));
        return new NdArray(keepdims ? self.shape.map((d, i) => (reduced.has(i) ? 1 : d)) : self.shape.filter((_, i) => !reduced.has(i)));
      }
      return new Unknown(this.t(site), `array method \`${name}\` is not evaluated`);
    }
    if (self instanceof ArgParser) {
      if (name === 'add_argument') {
        const flags = a.filter((v): v is string => typeof v === 'string');
        const long = flags.find((f) => f.startsWith('--')) ?? flags[0];
        const destArg = args.keywords.get('dest')?.value;
        const dest = typeof destArg === 'string' ? destArg : long?.replace(/^-+/, '').replace(/-/g, '_');
        if (!dest) return null;
        const action = args.keywords.get('action')?.value;
        let value: Value = args.keywords.get('default')?.value ?? (action === 'store_true' ? false : action === 'store_false' ? true : null);
        const type = args.keywords.get('type')?.value;
        const typeName = type instanceof Builtin ? type.name : undefined;
        if (typeof value === 'string' && (typeName === 'int' || typeName === 'float') && value.trim() !== '' && !Number.isNaN(Number(value))) value = typeName === 'int' ? Math.trunc(Number(value)) : Number(value);
        // A string option (or one with string `choices`) may pick the architecture: its values
        // are tried as runs of their own (variants.ts); `chosen` is such a run's value.
        const choices = args.keywords.get('choices')?.value;
        const strings = Array.isArray(choices) && choices.length && choices.every((c) => typeof c === 'string') ? (choices as string[]) : [];
        const chosen = this.options.chosen?.[dest];
        if (chosen !== undefined) value = chosen;
        if ((typeof value === 'string' && typeName !== 'int' && typeName !== 'float') || strings.length) {
          if (typeof value === 'string') this.argStrings.set(dest, value);
          this.selectors.set(`option:${dest}`, { kind: 'option', name: dest, label: long ?? dest, ...(typeof value === 'string' ? { current: value } : {}), values: [...strings], range: rangeOf(site) });
        }
        self.defaults.set(dest, value);
        return null;
      }
      if (name === 'set_defaults') {
        for (const [k, v] of args.keywords) self.defaults.set(k, v.value);
        return null;
      }
      if (name === 'add_argument_group' || name === 'add_mutually_exclusive_group') return self;
      if (name === 'parse_args' || name === 'parse_known_args') {
        if (!this.saidArgparse) {
          this.saidArgparse = true;
          this.problem('Command-line options are read with their argparse defaults.', rangeOf(site), 'info');
        }
        const namespace = new Namespace(self.defaults, 'the argparse defaults');
        return name === 'parse_args' ? namespace : [namespace, []];
      }
      return null;
    }
    if (Array.isArray(self)) {
      if ((name === 'append' || name === 'extend' || name === 'insert') && this.tooLong('list', self.length + (name === 'extend' && Array.isArray(a[0]) ? a[0].length : 1), rangeOf(site))) return null;
      if (name === 'append' && a.length === 1) self.push(a[0]!);
      else if (name === 'extend' && Array.isArray(a[0])) self.push(...a[0]);
      else if (name === 'insert' && typeof a[0] === 'number' && a.length === 2) self.splice(a[0] < 0 ? self.length + a[0] : a[0], 0, a[1]!);
      else if (name === 'pop') return (a.length && typeof a[0] === 'number' ? self.splice(a[0] < 0 ? self.length + a[0] : a[0], 1)[0] : self.pop()) ?? null;
      else if (name === 'copy') return [...self];
      else if (name === 'index' && a.length) return self.findIndex((x) => equal(x, a[0]!) === true);
      else if (name === 'count' && a.length) return self.filter((x) => equal(x, a[0]!) === true).length;
      else return new Unknown(this.t(site), `list method \`${name}\` is not evaluated`);
      return null;
    }
    if (typeof self === 'string') {
      if (name === 'lower') return self.toLowerCase();
      if (name === 'upper') return self.toUpperCase();
      const chars = typeof a[0] === 'string' ? a[0] : undefined;
      const trim = (from: 'start' | 'end' | 'both'): string => {
        if (chars === undefined) return from === 'start' ? self.trimStart() : from === 'end' ? self.trimEnd() : self.trim();
        let [i, j] = [0, self.length];
        if (from !== 'end') while (i < j && chars.includes(self[i]!)) i++;
        if (from !== 'start') while (j > i && chars.includes(self[j - 1]!)) j--;
        return self.slice(i, j);
      };
      if (name === 'strip') return trim('both');
      if (name === 'lstrip') return trim('start');
      if (name === 'rstrip') return trim('end');
      if (name === 'split') {
        if (a[0] === undefined || a[0] === null) return self.split(/\s+/).filter(Boolean);
        if (typeof a[0] === 'string' && a[0]) return self.split(a[0]);
      }
      if (name === 'replace' && typeof a[0] === 'string' && typeof a[1] === 'string') return self.split(a[0]).join(a[1]);
      if (name === 'find' && typeof a[0] === 'string') return self.indexOf(a[0]);
      if (name === 'count' && typeof a[0] === 'string' && a[0]) return self.split(a[0]).length - 1;
      if (name === 'join' && Array.isArray(a[0]) && a[0].every((x) => typeof x === 'string')) return (a[0] as string[]).join(self);
      if (name === 'isdigit') return /^\d+$/.test(self);
      if (name === 'title') return self.replace(/\b\w/g, (c) => c.toUpperCase());
      if (name === 'capitalize') return self.charAt(0).toUpperCase() + self.slice(1).toLowerCase();
      if (name === 'startswith' && typeof a[0] === 'string') return self.startsWith(a[0]);
      if (name === 'endswith' && typeof a[0] === 'string') return self.endsWith(a[0]);
      if (name === 'format') {
        let k = 0;
        let missing: Value | undefined;
        const formatted = self.replace(/\{(\w*)\}/g, (_, key: string) => {
          const v = key === '' ? a[k++] : /^\d+$/.test(key) ? a[Number(key)] : args.keywords.get(key)?.value;
          if (v === undefined || !isPrimitive(v)) missing ??= v ?? null;
          return v === undefined || !isPrimitive(v) ? `{${key}}` : String(v);
        });
        // `"encoder_{}".format(i)` with `i` unknown is unknown, not the template (a name made
        // of it would not be the model's, nor a name `--set` accepts).
        if (missing !== undefined) return new Unknown(this.t(site), missing instanceof Unknown ? missing.reason : 'a `format` argument is not a constant', missing instanceof Unknown ? missing.hole : undefined);
        return formatted;
      }
      return new Unknown(this.t(site), `string method \`${name}\` is not evaluated`);
    }
    if (self instanceof PyDict) {
      if (name === 'get' && isPrimitive(a[0] ?? null)) return self.items.get(String(a[0])) ?? a[1] ?? null;
      if (name === 'keys') return [...self.items.keys()];
      if (name === 'values') return [...self.items.values()];
      if (name === 'items') return [...self.items].map(([k, v]) => [k, v]);
      return new Unknown(this.t(site), `dict method \`${name}\` is not evaluated`);
    }
    return new Unknown(this.t(site), `\`.${name}(...)\` of ${describe(self)} is not evaluated`);
  }
}

/** `args` with `self` first (a method called on an instance of a class of the file). */
export function withSelf(self: PyInstance, args: Args): Args {
  return { ...args, positional: [{ value: self }, ...args.positional] };
}
