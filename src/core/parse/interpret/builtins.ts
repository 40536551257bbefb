/**
 * What the interpreter knows of JavaScript's library: `Math`, `Array`, `Object`, `Number`,
 * array and string methods, and the `argparse` package's parser (its defaults are the values).
 */
import type * as TS from 'typescript';
import { ArgParserValue, NativeFunction, ObjectValue, Scope, Unknown, type Value } from '../values';
import { copyProps, isPrimitive, strictEquals, toNumber, truthy } from './jsSemantics';
import { Expressions } from './expressions';
import { MAX_LOOP_ITERATIONS } from './state';

export abstract class Builtins extends Expressions {
  protected installGlobals(): void {
    const math = new ObjectValue();
    const numeric = (name: string, fn: (...xs: number[]) => number): void => {
      math.props.set(
        name,
        new NativeFunction(`Math.${name}`, (args) =>
          args.every((a) => typeof a === 'number') ? fn(...(args as number[])) : new Unknown(`Math.${name}(...)`, 'arguments are not constants'),
        ),
      );
    };
    for (const name of ['max', 'min', 'floor', 'ceil', 'round', 'pow', 'sqrt', 'abs', 'log', 'log2', 'log10', 'exp', 'trunc', 'sign'] as const) {
      numeric(name, Math[name] as (...xs: number[]) => number);
    }
    math.props.set('PI', Math.PI);
    math.props.set('E', Math.E);
    this.globals.declare('Math', math);
    this.globals.declare('undefined', undefined);
    this.globals.declare('NaN', NaN);
    this.globals.declare('Infinity', Infinity);

    const array = new ObjectValue();
    array.props.set('from', new NativeFunction('Array.from', (args, site) => this.arrayFrom(args, site)));
    array.props.set('isArray', new NativeFunction('Array.isArray', (args) => Array.isArray(args[0])));
    const makeArray = new NativeFunction('Array', (args) =>
      args.length === 1 && typeof args[0] === 'number' ? this.newArray(args[0]) : [...args],
    );
    this.globals.declare('Array', array);
    this.globals.declare('%ArrayConstructor', makeArray);

    const object = new ObjectValue();
    object.props.set('assign', new NativeFunction('Object.assign', (args) => {
      const [target, ...sources] = args;
      if (!(target instanceof ObjectValue)) return new Unknown('Object.assign(...)', 'target is not an object literal');
      for (const source of sources) if (source instanceof ObjectValue) copyProps(source, target);
      return target;
    }));
    object.props.set('keys', new NativeFunction('Object.keys', (args) =>
      args[0] instanceof ObjectValue ? [...args[0].props.keys()] : new Unknown('Object.keys(...)', 'not an object literal')));
    object.props.set('values', new NativeFunction('Object.values', (args) =>
      args[0] instanceof ObjectValue ? [...args[0].props.values()] : new Unknown('Object.values(...)', 'not an object literal')));
    object.props.set('entries', new NativeFunction('Object.entries', (args) =>
      args[0] instanceof ObjectValue ? [...args[0].props].map(([k, v]) => [k, v]) : new Unknown('Object.entries(...)', 'not an object literal')));
    object.props.set('freeze', new NativeFunction('Object.freeze', (args) => args[0]));
    this.globals.declare('Object', object);

    const number = new ObjectValue();
    const numberTest = (name: string, test: (x: number) => boolean): void => {
      number.props.set(name, new NativeFunction(`Number.${name}`, (args) =>
        args[0] instanceof Unknown ? new Unknown(`Number.${name}(...)`, args[0].reason, args[0].hole) : typeof args[0] === 'number' && test(args[0])));
    };
    numberTest('isInteger', Number.isInteger);
    numberTest('isFinite', Number.isFinite);
    numberTest('isNaN', Number.isNaN);
    this.globals.declare('Number', number);
    this.globals.declare('%NumberConstructor', new NativeFunction('Number', (args) => toNumber(args[0])));
    this.globals.declare('parseInt', new NativeFunction('parseInt', (args) =>
      typeof args[0] === 'string' || typeof args[0] === 'number' ? parseInt(String(args[0]), typeof args[1] === 'number' ? args[1] : 10) : new Unknown('parseInt(...)', 'argument is not a constant')));
    this.globals.declare('parseFloat', new NativeFunction('parseFloat', (args) =>
      typeof args[0] === 'string' || typeof args[0] === 'number' ? parseFloat(String(args[0])) : new Unknown('parseFloat(...)', 'argument is not a constant')));
    this.globals.declare('String', new NativeFunction('String', (args) =>
      isPrimitive(args[0]) ? String(args[0]) : new Unknown('String(...)', 'argument is not a constant')));
    this.globals.declare('Boolean', new NativeFunction('Boolean', (args) => truthy(args[0]) ?? new Unknown('Boolean(...)', 'argument is not a constant')));
  }

  protected callback(fn: Value, args: readonly Value[], site: TS.Node): Value {
    return this.callValue(fn, args, site, undefined);
  }

  protected mapWithIterations(items: readonly Value[], fn: Value, site: TS.Node, array: readonly Value[]): Value[] {
    const result: Value[] = [];
    this.iterations.push(0);
    try {
      items.forEach((item, index) => {
        this.iterations[this.iterations.length - 1] = index;
        result.push(this.callback(fn, [item, index, array as Value[]], site));
      });
    } finally {
      this.iterations.pop();
    }
    return result;
  }

  protected arrayMethod(array: Value[], key: string, site: TS.CallExpression, scope: Scope): Value | undefined {
    const args = () => this.evalArgs(site.arguments, scope);
    switch (key) {
      case 'push': {
        const items = args();
        if (this.tooLong('list', array.length + items.length, site)) return array.length;
        array.push(...items);
        return array.length;
      }
      case 'unshift': {
        const items = args();
        if (this.tooLong('list', array.length + items.length, site)) return array.length;
        array.unshift(...items);
        return array.length;
      }
      case 'pop':
        return array.pop();
      case 'shift':
        return array.shift();
      case 'map':
        return this.mapWithIterations(array, args()[0], site, array);
      case 'forEach':
        this.mapWithIterations(array, args()[0], site, array);
        return undefined;
      case 'flatMap':
        return this.flatten(this.mapWithIterations(array, args()[0], site, array), site);
      case 'filter': {
        const [fn] = args();
        const keep = this.mapWithIterations(array, fn, site, array);
        return array.filter((_, i) => truthy(keep[i]) !== false);
      }
      case 'reduce': {
        const [fn, ...initial] = args();
        let accumulator: Value = initial.length ? initial[0] : array[0];
        const start = initial.length ? 0 : 1;
        this.iterations.push(0);
        try {
          for (let i = start; i < array.length; i++) {
            this.iterations[this.iterations.length - 1] = i;
            accumulator = this.callback(fn, [accumulator, array[i], i, array], site);
          }
        } finally {
          this.iterations.pop();
        }
        return accumulator;
      }
      case 'fill': {
        const [value, startArg, endArg] = args();
        const start = typeof startArg === 'number' ? startArg : 0;
        const end = typeof endArg === 'number' ? endArg : array.length;
        for (let i = start; i < end && i < array.length; i++) array[i] = value;
        return array;
      }
      case 'slice': {
        const [a, b] = args();
        return array.slice(typeof a === 'number' ? a : undefined, typeof b === 'number' ? b : undefined);
      }
      case 'concat':
        return this.flatten([array, ...args()], site);
      case 'reverse':
        return array.reverse();
      case 'join': {
        const [separator] = args();
        if (!array.every(isPrimitive)) return new Unknown(this.text(site), 'elements are not constants');
        const length = array.reduce<number>((n, item) => n + String(item).length + 1, 0);
        const refused = this.tooLong('string', length, site);
        if (refused) return refused;
        return array.join(typeof separator === 'string' ? separator : ',');
      }
      case 'includes': {
        const [value] = args();
        return array.some((item) => strictEquals(item, value) === true);
      }
      case 'indexOf': {
        const [value] = args();
        return array.findIndex((item) => strictEquals(item, value) === true);
      }
      case 'at': {
        const [index] = args();
        return typeof index === 'number' ? array.at(index) : new Unknown(this.text(site), 'index is not a constant');
      }
      case 'keys':
        return array.map((_, i) => i);
      case 'entries':
        return array.map((v, i) => [i, v]);
      case 'flat':
        return this.flatten(array, site);
      case 'every':
      case 'some': {
        const results = this.mapWithIterations(array, args()[0], site, array).map(truthy);
        if (results.some((r) => r === undefined)) return new Unknown(this.text(site), 'callback result is not a constant');
        return key === 'every' ? results.every(Boolean) : results.some(Boolean);
      }
    }
    return undefined;
  }

  /** One level of nesting removed (`flat`, `concat`), refused before it is built when too long. */
  protected flatten(items: readonly Value[], site: TS.Node): Value {
    let total = 0;
    for (const item of items) total += Array.isArray(item) ? item.length : 1;
    const refused = this.tooLong('list', total, site);
    if (refused) return refused;
    this.tick(total >> 6);
    return items.flatMap((v) => (Array.isArray(v) ? v : [v]));
  }

  protected newArray(length: number): Value[] {
    if (!Number.isInteger(length) || length < 0 || length > MAX_LOOP_ITERATIONS) return [];
    return new Array<Value>(length).fill(undefined);
  }

  protected arrayFrom(args: readonly Value[], site: TS.Node): Value {
    const [source, fn] = args;
    let items: Value[];
    if (Array.isArray(source)) items = [...source];
    else if (typeof source === 'string') items = [...source];
    else if (source instanceof ObjectValue && typeof source.props.get('length') === 'number') {
      const length = source.props.get('length') as number;
      if (length > MAX_LOOP_ITERATIONS) {
        this.loopCapProblem(site, this.modelWork);
        items = this.newArray(MAX_LOOP_ITERATIONS);
      } else {
        items = this.newArray(length);
      }
    } else {
      return new Unknown(this.text(site), 'Array.from of a value that is not a constant');
    }
    return fn === undefined ? items : this.mapWithIterations(items, fn, site, items);
  }

  /** `addArgument('--latentSize', {defaultValue: 100})` records a default; `parseArgs()` returns them. */
  protected argParserMethod(parser: ArgParserValue, key: string, site: TS.CallExpression, scope: Scope): { value: Value } | undefined {
    const args = this.evalArgs(site.arguments, scope);
    if (key === 'addArgument' || key === 'add_argument') {
      const names = (Array.isArray(args[0]) ? args[0] : args.filter((a) => typeof a === 'string')).filter((n): n is string => typeof n === 'string');
      const options = args.find((a): a is ObjectValue => a instanceof ObjectValue);
      const long = names.find((n) => n.startsWith('--')) ?? names[0];
      const explicit = options?.props.get('dest');
      const dest = typeof explicit === 'string' ? explicit : long?.replace(/^-+/, '').replace(/-/g, '_');
      if (!dest) return { value: undefined };
      const action = options?.props.get('action');
      let value: Value = options?.props.has('defaultValue') ? options.props.get('defaultValue') : options?.props.get('default');
      if (value === undefined && (action === 'storeTrue' || action === 'store_true')) value = false;
      if (value === undefined && (action === 'storeFalse' || action === 'store_false')) value = true;
      const type = options?.props.get('type');
      if (typeof value === 'string' && (type === 'int' || type === 'float')) value = Number(value);
      const choices = options?.props.get('choices');
      if (Array.isArray(choices) && choices.length >= 2 && choices.every((c) => typeof c === 'string') && !this.argumentChoices.some((c) => c.dest === dest)) {
        this.argumentChoices.push({ dest, choices: choices as string[], defaultValue: value });
      }
      if ((typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') && !this.argumentDefaults.some((d) => d.dest === dest)) {
        this.argumentDefaults.push({ dest, flag: long ?? dest, value, range: this.rangeOf(site) });
      }
      if (this.argumentOverrides?.has(dest)) value = this.argumentOverrides.get(dest);
      parser.defaults.set(dest, value === undefined ? new Unknown(`args.${dest}`, `command-line argument \`${long}\` has no default`) : value);
      return { value: undefined };
    }
    if (key === 'parseArgs' || key === 'parse_args' || key === 'parseKnownArgs' || key === 'parse_known_args') {
      const result = new ObjectValue();
      for (const [dest, value] of parser.defaults) result.props.set(dest, value);
      return { value: key.toLowerCase().includes('known') ? [result, []] : result };
    }
    return { value: undefined };
  }
}
