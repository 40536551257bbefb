/**
 * The values of the Python evaluator: constants are JS values, Keras objects are the classes
 * below (layers, symbolic tensors, models, config results), everything else is `Unknown`.
 * Also the scope chain, call arguments, and Python's truth and equality on these values.
 * A leaf module: every other file of the evaluator imports it, it imports none of them.
 */
import type { EvaluationBudget } from '../limits';
import type { SyntaxNode } from '@lezer/common';
import type { ConfigValue, PropertyRange, SourceRange } from '../ir';

/** A value the evaluator cannot know; `hole` names what would fill it (a parameter, `x.shape[1]`). */
export class Unknown {
  constructor(
    readonly text: string,
    readonly reason: string,
    readonly hole?: string,
  ) {}
}

/** A member of an imported API module, by its dotted path (`['tensorflow', 'keras', 'layers']`). */
export class PyModule {
  constructor(readonly path: readonly string[]) {}
}

export class PyDict {
  readonly items = new Map<string, Value>();
}

/** A `keras.applications` model, not read: `output` (and `input`) is an input standing for its features. */
export class Backbone {
  constructor(
    readonly name: string,
    readonly output: TensorValue,
  ) {}
}

/** A NumPy array whose shape the script states (`np.random.rand(100, 8)`, `np.zeros((n, 4))`). */
export class NdArray {
  constructor(readonly shape: readonly number[]) {}
}

/** `argparse` objects: a parser collecting defaults, and the namespace `parse_args()` returns. */
export class ArgParser {
  readonly defaults = new Map<string, Value>();
}

export class Namespace {
  constructor(
    readonly items: ReadonlyMap<string, Value>,
    /** Where the namespace was made: `FLAGS.x` reads say which default they use. */
    readonly what: string,
  ) {}
}

export class PyFunction {
  constructor(
    readonly node: SyntaxNode,
    readonly name: string,
    readonly scope: Scope,
    readonly params: readonly Param[],
    /** The evaluator of the file that defines it (another file's, for an imported builder). */
    readonly owner?: unknown,
  ) {}
}

/** A Python module of the user's, read from its file (`import helpers`): its top-level names. */
export class PyModuleFile {
  constructor(
    readonly name: string,
    readonly scope: Scope,
  ) {}
}

export type BuiltinFn = (args: Value[], kwargs: Map<string, Value>, site: SyntaxNode) => Value;

export class Builtin {
  constructor(
    readonly name: string,
    readonly call: BuiltinFn,
  ) {}
}

/** `obj.method` before it is called. */
export class BoundMethod {
  constructor(
    readonly self: Value,
    readonly name: string,
  ) {}
}

/**
 * A class defined in the file; `keras` tells whether it subclasses a Keras class, `model` whether
 * that class is a model (`keras.Model` / `Sequential`, directly or through a class of the file)
 * rather than a layer. `methods` are its own and its file bases' (`__init__`, `call`...): a
 * custom layer or a plain class is instantiated by running `__init__` on a PyInstance, and a
 * custom layer applied to tensors runs `call`; a subclassed model's instance is a `SubclassedModel`.
 */
export class ClassValue {
  constructor(
    readonly name: string,
    readonly keras: boolean,
    readonly model = false,
    readonly methods: ReadonlyMap<string, PyFunction> = new Map(),
  ) {}
}

/** An instance of a class of the file: its attributes (`self.dense = layers.Dense(8)`). */
export class PyInstance {
  readonly attrs = new Map<string, Value>();
  constructor(readonly cls: ClassValue) {}
}

/** A Keras object whose IR form is known: an initializer, regularizer, optimizer, loss... */
export class ConfigResult {
  constructor(
    readonly kind: 'initializer' | 'regularizer' | 'constraint' | 'optimizer' | 'loss' | 'metric',
    readonly value: ConfigValue,
  ) {}
}

export class LayerValue {
  constructor(
    readonly type: string,
    readonly known: boolean,
    readonly config: Record<string, ConfigValue>,
    readonly configRanges: Record<string, PropertyRange>,
    readonly configRange: SourceRange | undefined,
    readonly range: SourceRange,
    readonly iteration: readonly number[] | undefined,
    /** The model this layer comes from when a whole model is used as a layer (inlined). */
    readonly partOf?: string,
  ) {}

  inlined(model: string): LayerValue {
    return new LayerValue(this.type, this.known, this.config, this.configRanges, this.configRange, this.range, this.iteration, this.partOf ?? model);
  }
}

export interface GraphNode {
  readonly layer: LayerValue;
  readonly inbound: readonly GraphNode[];
  /** Which output of each inbound node feeds this one, when not all are the first (RNN states). */
  readonly inboundIndex?: readonly number[];
  readonly order: number;
}

/** A symbolic tensor of the functional API: output `index` of a layer application. */
export class TensorValue {
  constructor(
    readonly node: GraphNode,
    readonly index = 0,
  ) {}
}

export interface CompileRecord {
  readonly optimizer?: ConfigValue;
  readonly loss?: ConfigValue;
  readonly metrics?: ConfigValue;
  readonly range: SourceRange;
  readonly configRanges: Record<string, PropertyRange>;
  readonly configRange?: SourceRange;
}

/** What every model value of the Python reader carries (Sequential, functional, subclassed). */
abstract class ModelCommon {
  compile?: CompileRecord;
  /** The variable the model is bound to (or its `name=`); `nameDepth` is the call depth of that binding. */
  name?: string;
  nameDepth = Infinity;
  /** True when the name is the model's own `name=` argument. */
  named?: boolean;
  /** The shape of the inputs `fit` was given, when the script states it (`np.random.rand(100, 8)`). */
  fitShape?: readonly number[];
  /** The call that stated `fitShape` (`model.fit`, `model.build`). */
  fitShapeFrom?: string;
  /** The fills of the template run that built it (an annotation above its function). */
  fills?: ReadonlyMap<string, Value>;
  /** Set for models built by a template run: the function's name (and the branch). */
  template?: { readonly fn: string; readonly branch?: string; readonly def: SyntaxNode; readonly start: number };
  /**
   * The outermost function below a template run that returned the model (`build_model` called by
   * an uncalled `train`): its title, as in TS. Unset when the run's own function returns it.
   */
  returnedBy?: string;
}

export class SequentialModel extends ModelCommon {
  readonly layers: LayerValue[] = [];
  /** Where it was first called on a tensor (its layers are then read inside that model too). */
  appliedAt?: SourceRange;
  /** The custom layer whose `__init__` / `call` made it (`self.ffn = keras.Sequential([...])`). */
  inLayer?: string;
  constructor(readonly range: SourceRange) {
    super();
  }
}

export class FunctionalModel extends ModelCommon {
  constructor(
    readonly range: SourceRange,
    readonly inputs: readonly TensorValue[],
    readonly outputs: readonly TensorValue[],
  ) {
    super();
  }
}

export type ModelValue = SequentialModel | FunctionalModel;

/**
 * An instance of a subclassed `keras.Model` of the file (`model = MyModel()`): its `__init__` has
 * run on `instance`. Its `call` is followed on an input once the reading is over and the shape
 * is known (kerasModels.ts `traceSubclassed`), which turns it into a `FunctionalModel`; called
 * on symbolic tensors it is followed right there, like a custom layer.
 */
export class SubclassedModel extends ModelCommon {
  /**
   * Input shapes (without the batch) the file states, by where they come from: `model.build(s)`,
   * `model(array)`, `model(keras.Input(...))`; the first of each kind is kept.
   */
  readonly givenShapes = new Map<'build' | 'call' | 'input', { readonly shape: readonly (number | null)[]; readonly from: string }>();
  /** Where it was called on symbolic tensors of another model (its layers are measured there). */
  appliedAt?: SourceRange;
  /** The custom layer or model whose `__init__` / `call` made it. */
  inLayer?: string;
  /** Its `build(input_shape)` ran (Keras runs it once, before the first `call`). */
  built = false;
  /** The evaluator of the file that defines its class, when that is another file (its `call` runs there). */
  owner?: unknown;
  constructor(
    readonly range: SourceRange,
    readonly instance: PyInstance,
    /** The call that made it (`MyModel()`): where its `call` is followed from. */
    readonly site: SyntaxNode,
  ) {
    super();
  }
}

/** Any model the reading keeps: a subclassed one becomes a FunctionalModel when its reading ends. */
export type KeptModel = ModelValue | SubclassedModel;

export type Value =
  | number | string | boolean | null | Value[]
  | PyDict | PyModule | PyFunction | Builtin | BoundMethod | ClassValue | ConfigResult
  | LayerValue | TensorValue | SequentialModel | FunctionalModel | SubclassedModel | Unknown
  | NdArray | ArgParser | Namespace | Backbone | PyModuleFile | PyInstance;

export interface Param {
  readonly name: string;
  readonly range: SourceRange;
  readonly kind: 'normal' | 'star' | 'kwstar';
  readonly defaultNode?: SyntaxNode;
}

export interface Arg {
  readonly value: Value;
  /** The whole argument (`name=value` for a keyword one); absent for `*args` / `**kw` splats. */
  readonly property?: SourceRange;
  readonly valueRange?: SourceRange;
}

export interface Args {
  readonly positional: Arg[];
  readonly keywords: Map<string, Arg>;
  readonly list?: SyntaxNode;
}

export type Completion = undefined | { kind: 'return'; value: Value } | { kind: 'break' } | { kind: 'continue' } | { kind: 'raise' };

export class Scope {
  readonly vars = new Map<string, Value>();
  constructor(readonly parent?: Scope) {}
  lookup(name: string): { value: Value } | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.vars.has(name)) return { value: s.vars.get(name)! };
    return undefined;
  }
}

export interface TemplateRun {
  readonly def: SyntaxNode;
  readonly fn: string;
  readonly models: KeptModel[];
  /** Start offsets of the functions the run called (lezer nodes are not identity-stable). */
  readonly called: Set<number>;
}

export function isPrimitive(v: Value): v is number | string | boolean | null {
  return v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

export function truthy(v: Value): boolean | undefined {
  if (v instanceof Unknown) return undefined;
  if (v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof PyDict) return v.items.size > 0;
  return true;
}

export function equal(a: Value, b: Value): boolean | undefined {
  if (a instanceof Unknown || b instanceof Unknown) return undefined;
  if (isPrimitive(a) || isPrimitive(b)) return a === b;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    let all: boolean | undefined = true;
    a.forEach((x, i) => {
      const e = equal(x, b[i]!);
      if (e === false) all = false;
      else if (e === undefined && all) all = undefined;
    });
    return all;
  }
  return a === b;
}

export function describe(v: Value): string {
  if (v instanceof TensorValue) return 'a symbolic tensor';
  if (v instanceof SequentialModel || v instanceof FunctionalModel || v instanceof SubclassedModel) return 'a model';
  if (v instanceof PyFunction || v instanceof Builtin || v instanceof BoundMethod) return 'a function';
  if (v instanceof ClassValue) return 'a class';
  if (v instanceof PyInstance) return `an instance of \`${v.cls.name}\``;
  if (v instanceof PyModule) return `\`${v.path.join('.')}\``;
  return 'a value';
}

export interface EvaluatorOptions {
  readonly set?: Readonly<Record<string, string>>;
  /** This file's path: imported modules of the user's are looked up beside it. */
  readonly fileName?: string;
  /** Reads another file (absolute or as given); undefined when there is none, `{reason}` when it is refused. */
  readonly readFile?: (path: string, request?: { readonly prefix?: boolean }) => string | undefined | { readonly reason: string };
  /**
   * This reading's steps, inside the file's budget (variants.ts: readings share the file's
   * steps and deadline); by default a budget of its own of MAX_STEPS and `timeMs`.
   */
  readonly budget?: EvaluationBudget;
  /** The steps imported files of this reading may use together (each file at most half). */
  readonly importPool?: EvaluationBudget;
  /** Files being read up the import chain (cycles stop). */
  readonly importing?: readonly string[];
  /** Values for one builder function's runs only, by function name (remembered per model). */
  readonly setFor?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Wall-clock limit of evaluating the file, in ms (default `PARSE_LIMITS.timeMs`). */
  readonly timeMs?: number;
  /** Values of argparse string options by dest, instead of their defaults (one variant run). */
  readonly chosen?: Readonly<Record<string, string>>;
}

/**
 * A string chosen outside the file that may pick the architecture: an argparse option
 * (`--model`, by dest) or a named hole (`sys.argv[1]`, `cfg["arch"]`), with the strings the
 * code compares it with (and an option's `choices`). Each is tried as its own run.
 */
export interface Selector {
  readonly kind: 'option' | 'hole';
  /** The option's dest, or the hole's name (an access chain). */
  readonly name: string;
  /** The option's flag as written (`--model`), or the hole's name. */
  readonly label: string;
  /** The value this run read: an option's default; undefined when there is none (a hole). */
  readonly current?: string;
  /** Values to try, in order: `choices`, then the literals the code compares it with. */
  readonly values: string[];
  readonly range: SourceRange;
}

/** The evaluator's own budgets: steps per file, iterations per loop, nested calls. */
export const MAX_STEPS = 300_000;

export const MAX_LOOP = 10_000;

export const MAX_DEPTH = 40;
