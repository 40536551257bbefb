/**
 * Values of the parser's small interpreter. The parser runs model-building code symbolically:
 * constants are real JS values, tfjs objects are these classes, anything else is `Unknown`.
 */
import type * as TS from 'typescript';
import { nodesReaching } from '../graph';
import { isCallValue, isUnknownValue, type ConfigValue, type PropertyRange, type SourceRange } from '../ir';

/** A value the interpreter cannot know; `text` is the source expression, `reason` says why. */
/** Where an unknown value comes from and the name that fills it: a parameter, or an access chain like `xTrain.shape[1]`. */
export interface HoleOrigin {
  readonly name: string;
  readonly range: SourceRange;
}

/**
 * The reason of the hole a first sequential layer without an input shape leaves: its layer's line
 * says so in full (TfjsModels.firstSequentialLayer), so the config's "not a constant" note is not repeated.
 */
export const NO_INPUT_SHAPE = 'the first layer of a sequential model declares no input shape';

export class Unknown {
  constructor(
    readonly text: string,
    readonly reason: string,
    readonly hole?: HoleOrigin,
    /** A function exported by another file (`file` is its path): calls of it are call sites of that file's builders. */
    readonly foreign?: { readonly file: string; readonly name: string },
    /**
     * The result of calling a function of another file (`encoder(opts)` in `train.js`): which
     * function, with which arguments, so a call site passing it on can say "the model that
     * builder builds" (callSites.ts).
     */
    readonly call?: { readonly file: string; readonly name: string; readonly args: readonly Value[] },
  ) {}
}

/** A path into the tfjs namespace: `[]` is `tf` itself, `['layers', 'dense']` is `tf.layers.dense`. */
export class Namespace {
  constructor(readonly path: readonly string[]) {}
  child(name: string): Namespace {
    return new Namespace([...this.path, name]);
  }
}

/** An object literal (or object built from one), remembering where each property was written. */
export class ObjectValue {
  readonly props = new Map<string, Value>();
  readonly ranges = new Map<string, PropertyRange>();
  constructor(readonly literal?: SourceRange) {}
}

/** A call of a tfjs factory that yields a plain value: an initializer, optimizer, regularizer... */
export class FactoryCall {
  constructor(
    readonly callee: string,
    readonly args: readonly Value[],
  ) {}
}

/** A layer object as created by a `tf.layers.X(config)` call, before or after it is applied. */
export class LayerValue {
  constructor(
    readonly type: string,
    readonly known: boolean,
    readonly config: ObjectValue | undefined,
    readonly range: SourceRange,
    readonly iteration: readonly number[] | undefined,
    /** A `tf.layers.Layer` subclass of the file: how its output shape relates to its input. */
    readonly custom?: CustomLayerInfo,
    /**
     * The models this layer came through when a model is used as a layer of another one,
     * outermost first: `[generator, cnn]` for a layer of `cnn` inside `generator` inside `combined`.
     */
    readonly partOf?: readonly ModelValue[],
  ) {}

  /**
   * The same layer as part of `model`, used as a layer inside another model. `frozen`: that
   * model was set `trainable = false` before it was used, so this copy is not trained (tfjs
   * reads `trainable` from a layer's config).
   */
  inlined(model: ModelValue, frozen = false): LayerValue {
    let config = this.config;
    if (frozen) {
      config = new ObjectValue(this.config?.literal);
      if (this.config) for (const [k, v] of this.config.props) config.props.set(k, v);
      if (this.config) for (const [k, r] of this.config.ranges) config.ranges.set(k, r);
      config.props.set('trainable', false);
    }
    return new LayerValue(this.type, this.known, config, this.range, this.iteration, this.custom, [model, ...(this.partOf ?? [])]);
  }
}

export interface CustomLayerInfo {
  readonly className: string;
  /** `same`: output shape = input shape; `last`: the last dimension becomes `lastDim`. */
  readonly output: 'same' | 'last' | 'unknown';
  readonly lastDim?: number;
}

/** A class that extends `tf.layers.Layer`; `new` of it makes an opaque layer. */
export class CustomLayerClass {
  constructor(readonly info: CustomLayerInfo) {}
}

/** A symbolic tensor: the output of a layer in the functional API (`index` for layers with several outputs). */
export class TensorValue {
  constructor(
    readonly node: GraphNode,
    readonly index = 0,
  ) {}
}

export interface GraphNode {
  readonly layer: LayerValue;
  readonly inbound: readonly GraphNode[];
  /** Which output of each inbound node feeds this one, when not all are the first. */
  readonly inboundIndex?: readonly number[];
  /** Creation order; creation order is a topological order of the graph. */
  readonly order: number;
}

export interface CompileRecord {
  readonly args: ObjectValue | undefined;
  readonly range: SourceRange;
}

interface ModelCommon {
  readonly range: SourceRange;
  compile?: CompileRecord;
  /** The binding that names the model, and how deep in calls it was made (outer bindings win). */
  name?: string;
  nameDepth: number;
  /** The uncalled function the parser ran to find this model, if any. */
  template?: string;
  /** The statement an annotation for this model goes above (its template function's, or its own). */
  annotationHolder?: SourceRange;
  /** The uncalled function whose run built this model. */
  builder?: string;
  /** In a template run, the outermost function that returned this model (`buildModel` called by `train`). */
  returnedBy?: string;
  /** `model.trainable = false` was set: where it is used as a layer, its layers are frozen. */
  trainable?: boolean;
}

export class SequentialModel implements ModelCommon {
  readonly layers: LayerValue[] = [];
  compile?: CompileRecord;
  name?: string;
  nameDepth = Number.POSITIVE_INFINITY;
  template?: string;
  annotationHolder?: SourceRange;
  builder?: string;
  returnedBy?: string;
  trainable?: boolean;
  constructor(readonly range: SourceRange) {}
}

export class FunctionalModel implements ModelCommon {
  compile?: CompileRecord;
  name?: string;
  nameDepth = Number.POSITIVE_INFINITY;
  template?: string;
  annotationHolder?: SourceRange;
  builder?: string;
  returnedBy?: string;
  trainable?: boolean;
  constructor(
    readonly range: SourceRange,
    readonly inputs: readonly TensorValue[],
    readonly outputs: readonly TensorValue[],
  ) {}
}

export type ModelValue = SequentialModel | FunctionalModel;

/**
 * A command-line parser of the `argparse` package (`new argparse.ArgumentParser()`): the
 * defaults its arguments declare are what `node script.js` runs with, so `parseArgs()` gives them.
 */
export class ArgParserValue {
  /** Destination name -> declared default (an Unknown when none is declared). */
  readonly defaults = new Map<string, Value>();
}

/** A class of the user's code that is not a layer: `new` runs its field initializers and constructor. */
export class ClassValue {
  constructor(
    readonly declaration: TS.ClassLikeDeclaration,
    readonly scope: Scope,
    readonly name: string,
    readonly base?: ClassValue,
  ) {}
}

/** A regular expression literal (`/lstm/i`), for string methods on known strings. */
export class RegExpValue {
  constructor(readonly regexp: RegExp) {}
}

/** A function or arrow function of the user's code, closed over its scope. */
export class FunctionValue {
  constructor(
    readonly declaration: TS.FunctionLikeDeclaration,
    readonly scope: Scope,
    readonly name: string,
    readonly thisValue?: Value,
  ) {}
}

/** A built-in the interpreter implements (Math.max, Array.from, an array's map...). */
export class NativeFunction {
  constructor(
    readonly name: string,
    readonly call: (args: readonly Value[], site: TS.Node) => Value,
  ) {}
}

export type Value =
  | undefined
  | null
  | number
  | string
  | boolean
  | Value[]
  | ObjectValue
  | Unknown
  | Namespace
  | FactoryCall
  | LayerValue
  | TensorValue
  | SequentialModel
  | FunctionalModel
  | FunctionValue
  | NativeFunction
  | CustomLayerClass
  | RegExpValue
  | ArgParserValue
  | ClassValue;

interface Binding {
  value: Value;
}

/** Lexical scope: a chain of maps. */
export class Scope {
  /** Made at the first declaration: most scopes (a loop iteration's, a call's without `let`) declare nothing. */
  private bindings: Map<string, Binding> | undefined;
  constructor(readonly parent?: Scope) {}

  declare(name: string, value: Value): void {
    (this.bindings ??= new Map()).set(name, { value });
  }

  lookup(name: string): Binding | undefined {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      const binding = scope.bindings?.get(name);
      if (binding) return binding;
    }
    return undefined;
  }

  /** Assigns to an existing binding; returns false when the name is not declared. */
  assign(name: string, value: Value): boolean {
    const binding = this.lookup(name);
    if (!binding) return false;
    binding.value = value;
    return true;
  }
}

export function isModel(value: Value): value is ModelValue {
  return value instanceof SequentialModel || value instanceof FunctionalModel;
}

/** Every node of a functional model that reaches an output, in creation (topological) order. */
export function functionalNodes(model: FunctionalModel): GraphNode[] {
  return nodesReaching(model.outputs.map((tensor) => tensor.node));
}

/** A constant from the IR (an argument found in another file) as an interpreter value. */
/** The key of a call-site argument that is another builder's model: `{$builder: 'encoder', args: [...]}` (callSites.ts). */
export const BUILDER_CALL = '$builder';

export function fromConfigValue(value: ConfigValue): Value {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(fromConfigValue);
  if (isCallValue(value)) return new FactoryCall(value.$call, value.args.map(fromConfigValue));
  if (isUnknownValue(value)) return new Unknown(value.$unknown, value.reason);
  const object = new ObjectValue();
  for (const [key, item] of Object.entries(value)) object.props.set(key, fromConfigValue(item));
  return object;
}
