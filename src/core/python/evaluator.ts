/**
 * A small symbolic evaluator for the Python that builds Keras models. It never runs Python:
 * constants are JS values, Keras objects are the classes below, everything else is `Unknown`.
 * Layer configs are turned into the tfjs IR (ConfigValue) where the layer is created, so
 * problems point at the argument that caused them.
 */
import type { SyntaxNode } from '@lezer/common';
import { ACTIVATION_STAND_INS } from '../activations';
import { nodesReaching } from '../graph';
import { parser } from '@lezer/python';
import {
  CLIPPED_OPTIMIZER_CALL,
  type AnnotationSite,
  type ConfigObject,
  type ConfigValue,
  type ParseProblem,
  type PropertyRange,
  type SourceRange,
} from '../ir';
import { LAYER_FACTORIES } from '../parse/tfjsApi';
import { BudgetExceeded, Deadline, EvaluationBudget, layerLimitMessage, lengthProblem, PARSE_LIMITS, ParseLimitError, timeLimitMessage } from '../limits';
import {
  ACTIVATIONS,
  KERAS1_KEYWORDS,
  KERAS1_MERGE_MODES,
  KERAS_LAYERS,
  MERGE_FUNCTIONS,
  NEAREST_OPTIMIZER,
  OPTIMIZERS,
  OPTIMIZER_TITLES,
  TF1_PARAM_NAMES,
  OPTIMIZER_NAMES,
  camelCase,
  tfjsConstraint,
  tfjsEnumValue,
  tfjsInitializer,
  tfjsKey,
  tfjsLoss,
  tfjsMetric,
  tfjsRegularizer,
} from './kerasApi';

// ---------------------------------------------------------------------------------------------
// Values

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

/** Feature channels (include_top=False) and default input size of keras.applications backbones. */
const BACKBONES: Readonly<Record<string, { readonly channels: number; readonly size: number }>> = {
  MobileNet: { channels: 1024, size: 224 }, MobileNetV2: { channels: 1280, size: 224 },
  MobileNetV3Small: { channels: 576, size: 224 }, MobileNetV3Large: { channels: 960, size: 224 },
  ResNet50: { channels: 2048, size: 224 }, ResNet101: { channels: 2048, size: 224 }, ResNet152: { channels: 2048, size: 224 },
  ResNet50V2: { channels: 2048, size: 224 }, ResNet101V2: { channels: 2048, size: 224 }, ResNet152V2: { channels: 2048, size: 224 },
  VGG16: { channels: 512, size: 224 }, VGG19: { channels: 512, size: 224 },
  InceptionV3: { channels: 2048, size: 299 }, InceptionResNetV2: { channels: 1536, size: 299 }, Xception: { channels: 2048, size: 299 },
  DenseNet121: { channels: 1024, size: 224 }, DenseNet169: { channels: 1664, size: 224 }, DenseNet201: { channels: 1920, size: 224 },
  NASNetMobile: { channels: 1056, size: 224 }, NASNetLarge: { channels: 4032, size: 331 },
  EfficientNetB0: { channels: 1280, size: 224 }, EfficientNetB1: { channels: 1280, size: 240 }, EfficientNetB2: { channels: 1408, size: 260 },
  EfficientNetB3: { channels: 1536, size: 300 }, EfficientNetB4: { channels: 1792, size: 380 }, EfficientNetB5: { channels: 2048, size: 456 },
  EfficientNetB6: { channels: 2304, size: 528 }, EfficientNetB7: { channels: 2560, size: 600 },
  ConvNeXtTiny: { channels: 768, size: 224 }, ConvNeXtSmall: { channels: 768, size: 224 }, ConvNeXtBase: { channels: 1024, size: 224 },
};

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

type BuiltinFn = (args: Value[], kwargs: Map<string, Value>, site: SyntaxNode) => Value;

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

/** A class defined in the file: not evaluated; `keras` tells whether it subclasses a Keras class. */
export class ClassValue {
  constructor(
    readonly name: string,
    readonly keras: boolean,
  ) {}
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

interface ModelCommon {
  compile?: CompileRecord;
  /** The variable the model is bound to (or its `name=`); `nameDepth` is the call depth of that binding. */
  name?: string;
  nameDepth: number;
  /** True when the name is the model's own `name=` argument. */
  named?: boolean;
  /** The shape of the inputs `fit` was given, when the script states it (`np.random.rand(100, 8)`). */
  fitShape?: readonly number[];
  /** The call that stated `fitShape` (`model.fit`, `model.build`). */
  fitShapeFrom?: string;
  /** The fills of the template run that built it (an annotation above its function). */
  fills?: ReadonlyMap<string, Value>;
  /** Set for models built by a template run: the function's name (and the branch). */
  template?: { readonly fn: string; readonly branch?: string; readonly def: SyntaxNode };
}

export class SequentialModel implements ModelCommon {
  readonly layers: LayerValue[] = [];
  compile?: CompileRecord;
  name?: string;
  nameDepth = Infinity;
  named?: boolean;
  fitShape?: readonly number[];
  fitShapeFrom?: string;
  fills?: ReadonlyMap<string, Value>;
  template?: ModelCommon['template'];
  constructor(readonly range: SourceRange) {}
}

export class FunctionalModel implements ModelCommon {
  compile?: CompileRecord;
  name?: string;
  nameDepth = Infinity;
  named?: boolean;
  fitShape?: readonly number[];
  fitShapeFrom?: string;
  fills?: ReadonlyMap<string, Value>;
  template?: ModelCommon['template'];
  constructor(
    readonly range: SourceRange,
    readonly inputs: readonly TensorValue[],
    readonly outputs: readonly TensorValue[],
  ) {}
}

export type ModelValue = SequentialModel | FunctionalModel;

export type Value =
  | number | string | boolean | null | Value[]
  | PyDict | PyModule | PyFunction | Builtin | BoundMethod | ClassValue | ConfigResult
  | LayerValue | TensorValue | SequentialModel | FunctionalModel | Unknown
  | NdArray | ArgParser | Namespace | Backbone | PyModuleFile;

interface Param {
  readonly name: string;
  readonly range: SourceRange;
  readonly kind: 'normal' | 'star' | 'kwstar';
  readonly defaultNode?: SyntaxNode;
}

interface Arg {
  readonly value: Value;
  /** The whole argument (`name=value` for a keyword one); absent for `*args` / `**kw` splats. */
  readonly property?: SourceRange;
  readonly valueRange?: SourceRange;
}

interface Args {
  readonly positional: Arg[];
  readonly keywords: Map<string, Arg>;
  readonly list?: SyntaxNode;
}

type Completion = undefined | { kind: 'return'; value: Value } | { kind: 'break' } | { kind: 'continue' } | { kind: 'raise' };

class Scope {
  readonly vars = new Map<string, Value>();
  constructor(readonly parent?: Scope) {}
  lookup(name: string): { value: Value } | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.vars.has(name)) return { value: s.vars.get(name)! };
    return undefined;
  }
}


/** Node names that only read a value (no copy): reading a big list costs no extra steps. */
const READS = new Set(['VariableName', 'MemberExpression', 'ParenthesizedExpression', 'Number', 'String']);

const MAX_STEPS = 300_000;
const MAX_LOOP = 10_000;
const MAX_DEPTH = 40;

/** `# gradient-lens: name=value, ...`. */
export const ANNOTATION = /^\s*#+\s*gradient-lens:\s*(.*?)\s*$/;

export interface TemplateRun {
  readonly def: SyntaxNode;
  readonly fn: string;
  readonly models: ModelValue[];
  /** Start offsets of the functions the run called (lezer nodes are not identity-stable). */
  readonly called: Set<number>;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const rangeOf = (node: SyntaxNode): SourceRange => ({ start: node.from, end: node.to });

/** Children that carry meaning (comments are skipped nodes in the tree and may appear anywhere). */
function kids(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name !== 'Comment') out.push(c);
  return out;
}

function pyNumber(raw: string): number | undefined {
  const t = raw.replace(/_/g, '');
  if (/[jJlL]$/.test(t)) return undefined;
  const n = /^0[oO]/.test(t) ? parseInt(t.slice(2), 8) : Number(t);
  return Number.isNaN(n) ? undefined : n;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"', '\n': '' };

/** The value of a Python string literal (prefixes, triple quotes, escapes). */
function pyString(raw: string): string {
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
function isTrailingDotFloat(error: SyntaxNode): boolean {
  const parent = error.parent;
  let before = error.prevSibling;
  while (before?.name === 'Comment') before = before.prevSibling; // `8.  # width`
  return error.from === error.to && parent?.name === 'MemberExpression' && parent.firstChild?.name === 'Number' && before?.name === '.';
}

function hasError(top: SyntaxNode): boolean {
  const cursor = top.cursor();
  do if (cursor.type.isError) return true;
  while (cursor.next());
  return false;
}

function isPrimitive(v: Value): v is number | string | boolean | null {
  return v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

function truthy(v: Value): boolean | undefined {
  if (v instanceof Unknown) return undefined;
  if (v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof PyDict) return v.items.size > 0;
  return true;
}

function equal(a: Value, b: Value): boolean | undefined {
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

function describe(v: Value): string {
  if (v instanceof TensorValue) return 'a symbolic tensor';
  if (v instanceof SequentialModel || v instanceof FunctionalModel) return 'a model';
  if (v instanceof PyFunction || v instanceof Builtin || v instanceof BoundMethod) return 'a function';
  if (v instanceof ClassValue) return 'a class';
  if (v instanceof PyModule) return `\`${v.path.join('.')}\``;
  return 'a value';
}

/** The path of a Keras API member relative to the `keras` package, or undefined if not Keras. */
export function kerasPath(path: readonly string[]): readonly string[] | undefined {
  let p = path;
  if (p[0] === 'tensorflow') {
    if (p[1] === 'keras') p = p.slice(2);
    // TF 1.x and compat spellings: tf.contrib.keras, tf.python.keras, tf.compat.v1.keras.
    else if ((p[1] === 'python' || p[1] === 'contrib') && p[2] === 'keras') p = p.slice(3);
    else if (p[1] === 'compat' && /^v[12]$/.test(p[2] ?? '') && p[3] === 'keras') p = p.slice(4);
    else return undefined;
  } else if (p[0] === 'keras' || p[0] === 'tf_keras') p = p.slice(1);
  else return undefined;
  if (p[0] === 'src' || p[0] === 'api') p = p.slice(1);
  if (p[0] === '_impl' && p[1] === 'keras') p = p.slice(2);
  // Version modules are spellings of the same package: keras.initializers.initializers_v1.X.
  return p.filter((part, i) => i === p.length - 1 || !/^(initializers|optimizers)_v[12]$|^legacy$/.test(part));
}

/** The shape of nested lists of numbers (`np.array([[0, 1], [1, 0]])`), if regular. */
function nestedShape(v: Value | undefined): number[] | undefined {
  if (typeof v === 'number' || typeof v === 'boolean') return [];
  if (!Array.isArray(v)) return undefined;
  if (v.length === 0) return [0];
  const inner = v.map(nestedShape);
  const first = inner[0];
  if (!first || inner.some((s) => !s || s.join() !== first.join())) return undefined;
  return [v.length, ...first];
}

/**
 * The Keras optimizer a TF1 optimizer class stands for (`tf.compat.v1.train.AdamOptimizer`,
 * `tensorflow.python.training.gradient_descent.GradientDescentOptimizer`), lower case.
 */
export function tf1Optimizer(path: readonly string[]): string | undefined {
  const last = path[path.length - 1] ?? '';
  if (path[0] !== 'tensorflow' || !/Optimizer$/.test(last) || !path.some((p) => p === 'train' || p === 'training')) return undefined;
  const base = last.slice(0, -'Optimizer'.length).toLowerCase();
  return ({ gradientdescent: 'sgd', momentum: 'sgd_momentum', adam: 'adam', adagrad: 'adagrad', adadelta: 'adadelta', rmsprop: 'rmsprop', ftrl: 'ftrl', proximalgradientdescent: 'sgd', proximaladagrad: 'adagrad', adagradda: 'adagrad' } as Record<string, string>)[base] ?? base;
}

/** The activation a function reference names: `keras.activations.relu`, `tf.nn.relu`, `tf.tanh`. */
function activationOfPath(path: readonly string[]): string | undefined {
  const k = kerasPath(path);
  if (k && k[0] === 'activations' && k.length === 2) return k[1];
  if (path[0] === 'tensorflow' && (path[1] === 'nn' || path[1] === 'math' || path.length === 2)) return path[path.length - 1];
  return undefined;
}

const KERAS_BASES = new Set(['Model', 'Layer', 'Sequential']);

/** Layers over sequences: Keras turns their `input_dim` / `input_length` into an input shape. */
const SEQUENCE_LAYERS = new Set(['lstm', 'gru', 'simpleRNN', 'conv1d', 'maxPooling1d', 'averagePooling1d']);

/** Modules whose calls the evaluator computes itself: pure math, NumPy shapes, argparse defaults. */
const PURE_MODULES = new Set(['numpy', 'math', 'argparse', 'sklearn']);

/** `math.sqrt` / `np.log`...: pure functions of numbers, evaluated on constants. */
const MATH_FUNCTIONS: Readonly<Record<string, (...n: number[]) => number>> = {
  sqrt: Math.sqrt, log: Math.log, log2: Math.log2, log10: Math.log10, log1p: Math.log1p, exp: Math.exp,
  expm1: Math.expm1, floor: Math.floor, ceil: Math.ceil, abs: Math.abs, fabs: Math.abs, trunc: Math.trunc,
  pow: Math.pow, power: Math.pow, sin: Math.sin, cos: Math.cos, tan: Math.tan, tanh: Math.tanh,
  round: Math.round, rint: Math.round, square: (x) => x * x, maximum: Math.max, minimum: Math.min,
  hypot: Math.hypot, cbrt: Math.cbrt, sign: Math.sign, isqrt: (x) => Math.floor(Math.sqrt(x)),
};

const MATH_CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E, inf: Infinity, tau: 2 * Math.PI };

/** Names a star import of a Keras package can bring in, besides layer classes. */
const KERAS_MEMBERS = new Set([
  'Input', 'Sequential', 'Model', 'layers', 'models', 'optimizers', 'initializers', 'regularizers',
  'constraints', 'losses', 'metrics', 'activations',
]);

// ---------------------------------------------------------------------------------------------
// The evaluator

export interface EvaluatorOptions {
  readonly set?: Readonly<Record<string, string>>;
  /** This file's path: imported modules of the user's are looked up beside it. */
  readonly fileName?: string;
  /** Reads another file (absolute or as given); undefined when there is none. */
  readonly readFile?: (path: string) => string | undefined;
  /** Files being read up the import chain (cycles stop). */
  readonly importing?: readonly string[];
  /** Values for one builder function's runs only, by function name (remembered per model). */
  readonly setFor?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Wall-clock limit of evaluating the file, in ms (default `PARSE_LIMITS.timeMs`). */
  readonly timeMs?: number;
}

export class Evaluator {
  readonly problems: ParseProblem[] = [];
  readonly models: ModelValue[] = [];
  /** Where each named hole comes from (a parameter's declaration, a data access). */
  readonly holeRanges = new Map<string, SourceRange>();
  /** Unknown loop counts and lists that decided how many layers a model got. */
  readonly flowHoles: { readonly name: string; readonly role: 'repeat count' | 'layer sizes' | 'condition'; readonly model: ModelValue; readonly suggestion?: string }[] = [];
  private layersMade = 0;
  private saidChannelsLast = false;
  private saidArgparse = false;
  private saidKeras1 = false;
  /** Arrays of two or more dimensions the script makes, by variable: where an input shape may come from. */
  readonly dataArrays: { readonly name: string; readonly shape: readonly number[] }[] = [];
  readonly templateRuns: TemplateRun[] = [];
  private readonly problemKeys = new Set<string>();
  private src: string;
  private readonly budget: EvaluationBudget;
  private depth = 0;
  /** Nested `eval`s right now (expression depth across calls); bounded so the stack is. */
  private evalDepth = 0;
  private readonly overLimit = new WeakSet<SequentialModel>();
  /** The statement being executed: where a budget that runs out is reported. */
  private at: SourceRange | undefined;
  private nodeOrder = 0;
  private readonly iterations: number[] = [];
  /** Functions called so far, by start offset: lezer makes a new node object per access. */
  private readonly calledFunctions = new Set<number>();
  private callsOfRun: Set<number> | undefined;
  private readonly starImports: (readonly string[])[] = [];
  private readonly builtins = new Map<string, Value>();
  /** Values by name or access chain: `set`, module-level annotations, then a template's own. */
  private readonly fileFills = new Map<string, Value>();
  private templateFills: Map<string, Value> | undefined;
  private moduleScope = new Scope();
  private readonly pendingFills = new Map<number, { entries: string; range: SourceRange }>();
  private top: SyntaxNode | undefined;

  constructor(
    private readonly text: string,
    private readonly options: EvaluatorOptions = {},
  ) {
    this.src = text;
    this.budget = new EvaluationBudget(MAX_STEPS, new Deadline(options.timeMs));
    this.installBuiltins();
  }

  // ----- problems

  problem(message: string, range: SourceRange, severity: ParseProblem['severity'] = 'warning'): void {
    const key = `${range.start}:${message}`;
    if (this.problemKeys.has(key)) return;
    this.problemKeys.add(key);
    this.problems.push({ message, range, severity });
  }

  private dropProblemsFrom(index: number): void {
    for (const p of this.problems.splice(index)) this.problemKeys.delete(`${p.range.start}:${p.message}`);
  }

  private t(node: SyntaxNode): string {
    return this.src.slice(node.from, node.to);
  }

  /** One evaluation step (`cost` for work proportional to a value's size). */
  private step(cost = 1): void {
    this.budget.tick(cost);
  }

  /**
   * Runs `body`; a per-statement limit (too many layers, code too deep for the stack) becomes a
   * problem at its line and the reading goes on after it.
   */
  private guarded<T>(body: () => T): T | undefined {
    try {
      return body();
    } catch (error) {
      if (error instanceof ParseLimitError) {
        this.problem(error.message, error.range ?? this.at ?? { start: 0, end: 0 }, 'warning');
        return undefined;
      }
      if (error instanceof RangeError && /call stack/i.test(error.message)) {
        this.problem('This code nests too deeply for Gradient Lens to read; it was skipped, the rest of the file is still read.', this.at ?? { start: 0, end: 0 }, 'warning');
        return undefined;
      }
      throw error;
    }
  }

  /** A string or list over the size limits is refused with a problem at `site`. */
  private tooLong(kind: 'string' | 'list', length: number, site: SourceRange): Unknown | undefined {
    const message = lengthProblem(kind, length);
    if (!message) return undefined;
    this.problem(message, site, 'warning');
    return new Unknown(this.src.slice(site.start, Math.min(site.end, site.start + 60)), 'it is too large to read');
  }

  // ----- entry

  run(): void {
    const tree = parser.parse(this.text);
    const top = tree.topNode;
    this.top = top;
    this.reportSyntaxErrors(top);
    this.moduleScope = new Scope();
    this.moduleScope.vars.set('__name__', '__main__');
    this.collectFileFills(top);
    try {
      // One statement that hits a limit is reported at its line; the next ones are still read.
      for (const statement of kids(top)) {
        if (this.guarded(() => this.execBlock([statement], this.moduleScope))) break;
      }
      this.runTemplates(top);
    } catch (error) {
      if (!(error instanceof BudgetExceeded)) throw error;
      this.problem(
        error.kind === 'time' ? timeLimitMessage(this.budget.deadline.ms) : `Stopped reading this file here after ${MAX_STEPS.toLocaleString('en-US')} evaluation steps (Gradient Lens' limit; a very long loop?); models found so far are kept.`,
        this.at ?? { start: 0, end: 0 },
        'warning',
      );
    }
  }

  /** An empty error at the end of a file that ends in indented blank space (valid Python). */
  private isIndentedEnd(from: number, to: number): boolean {
    if (from !== to || !/\n[ \t]+$/.test(this.text) || this.text.slice(from).trim() !== '') return false;
    return !hasError(parser.parse(`${this.text.trimEnd()}\n`).topNode);
  }

  private reportSyntaxErrors(top: SyntaxNode): void {
    let count = 0;
    const cursor = top.cursor();
    do {
      // A file ending in indented blank space leaves an empty error at its end: not an error.
      if (cursor.type.isError && count < 20 && !isTrailingDotFloat(cursor.node) && !this.isIndentedEnd(cursor.from, cursor.to)) {
        count++;
        const end = Math.max(cursor.to, Math.min(cursor.from + 1, this.text.length));
        this.problem('Syntax error: the Python here could not be parsed; the rest of the file is still read.', { start: cursor.from, end }, 'error');
      }
    } while (cursor.next());
  }

  // ----- annotations and fills

  /** `input_dim=13, model_type="cnn"` -> values, evaluated in the module scope. */
  private parseFills(entriesText: string, at: SourceRange): Map<string, Value> {
    const out = new Map<string, Value>();
    const starts = [...entriesText.matchAll(/([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\]|\([^()=]*\))*)\s*=(?!=)/g)];
    starts.forEach((match, i) => {
      const end = i + 1 < starts.length ? starts[i + 1]!.index : entriesText.length;
      const expression = entriesText.slice(match.index + match[0].length, end).trim().replace(/,\s*$/, '');
      const value = this.evalForeign(expression);
      if (value === undefined) {
        this.problem(`Annotation value of \`${match[1]}\` is not an expression: ${expression}`, at, 'warning');
        return;
      }
      out.set(match[1]!.replace(/\s+/g, ''), value);
    });
    return out;
  }

  /** Evaluates expression text from outside the file (an annotation, `set`). */
  private evalForeign(expression: string): Value | undefined {
    const tree = parser.parse(expression);
    const statement = kids(tree.topNode)[0];
    let bad = false;
    tree.iterate({ enter: (n) => { if (n.type.isError) bad = true; } });
    if (!statement || statement.name !== 'ExpressionStatement' || bad || !expression.trim()) return undefined;
    const saved = this.src;
    this.src = expression;
    try {
      return this.eval(kids(statement)[0]!, this.moduleScope);
    } finally {
      this.src = saved;
    }
  }

  /** Comments right above `node` (blank lines allowed between comments only). */
  private annotationAbove(node: SyntaxNode): { entries: string; range: SourceRange } | undefined {
    for (let prev = node.prevSibling; prev && prev.name === 'Comment'; prev = prev.prevSibling) {
      const between = this.text.slice(prev.to, node.from);
      if ((between.match(/\n/g) ?? []).length > 1 && prev.nextSibling === node) return undefined;
      const match = ANNOTATION.exec(this.t(prev));
      if (match) return { entries: match[1]!, range: rangeOf(prev) };
    }
    return undefined;
  }

  private collectFileFills(top: SyntaxNode): void {
    const set = Object.entries(this.options.set ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
    for (const statement of kids(top)) {
      if (statement.name === 'FunctionDefinition' || statement.name === 'DecoratedStatement' || statement.name === 'ClassDefinition') continue;
      // Evaluated when the module reaches the statement, so constants above it are defined.
      const annotation = this.annotationAbove(statement);
      if (annotation) this.pendingFills.set(statement.from, annotation);
    }
    if (set) for (const [k, v] of this.parseFills(set, { start: 0, end: 0 })) this.fileFills.set(k, v);
  }

  /** A value given for `chain` for `model`: its template run's fills, then the file's. */
  fillForModel(model: ModelValue, chain: string): { value: Value } | undefined {
    if (model.fills?.has(chain)) return { value: model.fills.get(chain)! };
    return this.fileFills.has(chain) ? { value: this.fileFills.get(chain)! } : undefined;
  }

  fillFor(chain: string): { value: Value } | undefined {
    if (this.templateFills?.has(chain)) return { value: this.templateFills.get(chain)! };
    if (this.fileFills.has(chain)) return { value: this.fileFills.get(chain)! };
    return undefined;
  }

  // ----- statements

  private execBlock(statements: readonly SyntaxNode[], scope: Scope): Completion {
    for (const statement of statements) {
      const pending = scope === this.moduleScope ? this.pendingFills.get(statement.from) : undefined;
      if (pending) {
        for (const [k, v] of this.parseFills(pending.entries, pending.range)) if (!this.fileFills.has(k)) this.fileFills.set(k, v);
      }
      const completion = this.exec(statement, scope);
      if (completion) return completion;
    }
    return undefined;
  }

  private execBody(body: SyntaxNode | undefined, scope: Scope): Completion {
    if (!body) return undefined;
    return this.execBlock(kids(body).filter((n) => n.name !== ':'), scope);
  }

  private exec(node: SyntaxNode, scope: Scope): Completion {
    this.step();
    this.at = rangeOf(node);
    switch (node.name) {
      case 'ExpressionStatement': {
        const expr = kids(node)[0];
        if (expr) this.eval(expr, scope);
        return undefined;
      }
      case 'AssignStatement':
        this.execAssign(node, scope);
        return undefined;
      case 'UpdateStatement':
        this.execUpdate(node, scope);
        return undefined;
      case 'IfStatement':
        return this.execIf(node, scope);
      case 'ForStatement':
        return this.execFor(node, scope);
      case 'WhileStatement':
        return this.execWhile(node, scope);
      case 'FunctionDefinition':
        this.defineFunction(node, scope);
        return undefined;
      case 'DecoratedStatement': {
        const inner = kids(node).find((n) => n.name === 'FunctionDefinition' || n.name === 'ClassDefinition');
        return inner ? this.exec(inner, scope) : undefined;
      }
      case 'ClassDefinition':
        this.defineClass(node, scope);
        return undefined;
      case 'ReturnStatement': {
        const parts = kids(node).slice(1).filter((n) => n.name !== ',');
        const value = parts.length === 0 ? null : parts.length === 1 ? this.eval(parts[0]!, scope) : parts.map((p) => this.eval(p, scope));
        return { kind: 'return', value };
      }
      case 'ImportStatement':
        this.execImport(node, scope);
        return undefined;
      case 'WithStatement': {
        const parts = kids(node);
        const asIndex = parts.findIndex((n) => n.name === 'as');
        if (asIndex >= 0 && parts[asIndex + 1]?.name === 'VariableName') scope.vars.set(this.t(parts[asIndex + 1]!), new Unknown(this.t(parts[asIndex + 1]!), 'bound by `with`'));
        return this.execBody(parts.find((n) => n.name === 'Body'), scope);
      }
      case 'TryStatement': {
        const bodies = kids(node);
        const completion = this.execBody(bodies.find((n) => n.name === 'Body'), scope);
        const finallyIndex = bodies.findIndex((n) => n.name === 'finally');
        if (finallyIndex >= 0) this.execBody(bodies[finallyIndex + 1], scope);
        return completion?.kind === 'raise' ? undefined : completion;
      }
      case 'BreakStatement':
        return { kind: 'break' };
      case 'ContinueStatement':
        return { kind: 'continue' };
      case 'RaiseStatement':
        return { kind: 'raise' };
      default:
        // pass, global, assert, del, comments, syntax errors: nothing to evaluate.
        return undefined;
    }
  }

  /** `a = b = value`, `a, b = 1, 2`, `x: int = 5`. */
  private execAssign(node: SyntaxNode, scope: Scope): void {
    const groups: SyntaxNode[][] = [[]];
    for (const child of kids(node)) {
      if (child.name === 'AssignOp') groups.push([]);
      else if (child.name !== 'TypeDef') groups[groups.length - 1]!.push(child);
    }
    if (groups.length < 2) return;
    const valueGroup = groups.pop()!;
    const items = valueGroup.filter((n) => n.name !== ',');
    if (items.length === 0) return;
    let value = items.length === 1 && !valueGroup.some((n) => n.name === ',') ? this.eval(items[0]!, scope) : items.map((n) => this.eval(n, scope));
    // `bound = lib.call(...)` that cannot be evaluated: the variable names the hole (fillable as
    // `bound=...`), unless the unknown comes from a named value the call read (`np.sqrt(width)`).
    const target = groups.length === 1 && groups[0]!.length === 1 && groups[0]![0]!.name === 'VariableName' ? this.t(groups[0]![0]!) : undefined;
    if (target && value instanceof Unknown && items.length === 1 && items[0]!.name === 'CallExpression') {
      const callee = this.t(items[0]!).replace(/\s+/g, '');
      if (!value.hole || callee.startsWith(`${value.hole}(`) || value.hole === callee) {
        if (!this.holeRanges.has(target)) this.holeRanges.set(target, rangeOf(items[0]!));
        value = this.fillFor(target)?.value ?? new Unknown(value.text, value.reason, target);
      }
    }
    for (const group of groups) {
      const targets = group.filter((n) => n.name !== ',');
      if (targets.length === 1 && !group.some((n) => n.name === ',')) this.assign(targets[0]!, value, scope);
      else this.assignTuple(targets, value, scope);
    }
  }

  private assignTuple(targets: readonly SyntaxNode[], value: Value, scope: Scope): void {
    const starIndex = targets.findIndex((n) => n.name === '*');
    targets.forEach((target, i) => {
      if (target.name === '*') return;
      let item: Value;
      if (Array.isArray(value)) {
        if (starIndex >= 0 && i === starIndex + 1) item = value.slice(starIndex, value.length - (targets.length - i - 1));
        else item = value[starIndex >= 0 && i > starIndex ? value.length - (targets.length - i) : i] ?? new Unknown(this.t(target), 'too few values to unpack');
      } else if (value instanceof Unknown && value.hole && starIndex < 0) {
        // `_, n = x.shape`: each name is an element of the unknown (`x.shape[1]`), fillable as such.
        const hole = `${value.hole}[${i}]`;
        if (!this.holeRanges.has(hole)) this.holeRanges.set(hole, this.holeRanges.get(value.hole) ?? rangeOf(target));
        item = this.fillFor(hole)?.value ?? new Unknown(this.t(target), value.reason, hole);
      } else {
        item = new Unknown(this.t(target), value instanceof Unknown ? value.reason : `unpacking ${describe(value)} is not evaluated`);
      }
      this.assign(target, item, scope);
    });
  }

  private assign(target: SyntaxNode, value: Value, scope: Scope): void {
    switch (target.name) {
      case 'VariableName': {
        const name = this.t(target);
        scope.vars.set(name, value);
        if (value instanceof NdArray && value.shape.length > 1) this.dataArrays.push({ name, shape: value.shape });
        if (value instanceof SequentialModel || value instanceof FunctionalModel) {
          if (this.depth < value.nameDepth) {
            value.name = name;
            value.nameDepth = this.depth;
          }
        }
        return;
      }
      case 'TupleExpression':
      case 'ArrayExpression':
      case 'ParenthesizedExpression':
        this.assignTuple(kids(target).filter((n) => !['(', ')', '[', ']', ','].includes(n.name)), value, scope);
        return;
      case 'MemberExpression': {
        const parts = kids(target);
        if (parts[1]?.name !== '[') return; // attribute assignment (`self.x = ...`): objects are not modelled
        const object = this.eval(parts[0]!, scope);
        const index = this.eval(parts[2]!, scope);
        if (Array.isArray(object) && typeof index === 'number') {
          const i = index < 0 ? object.length + index : index;
          if (i >= 0 && i < object.length) object[i] = value;
        } else if (object instanceof PyDict && isPrimitive(index)) object.items.set(String(index), value);
        return;
      }
      default:
        return;
    }
  }

  private execUpdate(node: SyntaxNode, scope: Scope): void {
    const [target, op, valueNode] = kids(node);
    if (!target || !op || !valueNode) return;
    const current = this.eval(target, scope);
    const operand = this.eval(valueNode, scope);
    // `list += [...]` extends the list in place, as Python does.
    if (this.t(op) === '+=' && Array.isArray(current) && Array.isArray(operand)) {
      current.push(...operand);
      return;
    }
    this.assign(target, this.binary(this.t(op).slice(0, -1), current, operand, node), scope);
  }

  private execIf(node: SyntaxNode, scope: Scope): Completion {
    const parts = kids(node);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part.name === 'else') return this.execBody(parts[i + 1], scope);
      if (part.name !== 'if' && part.name !== 'elif') continue;
      const condNode = parts[i + 1];
      const body = parts[i + 2];
      if (!condNode || body?.name !== 'Body') return undefined;
      const value = this.eval(condNode, scope);
      const condition = truthy(value);
      if (condition === true) return this.execBody(body, scope);
      if (condition === undefined) {
        // Argument checks (`if x < 0: raise ...`) guard the model code: read past them.
        const statements = kids(body).filter((n) => n.name !== ':');
        if (statements.length === 1 && statements[0]!.name === 'RaiseStatement') continue;
        this.problem(`Condition \`${this.t(condNode)}\` is not a constant; read the first branch only.`, rangeOf(condNode), 'info');
        const layersBefore = this.layersMade;
        const completion = this.execBody(body, scope);
        // The unknown decided which layers the model got: a hole of the model.
        if (value instanceof Unknown && value.hole) this.noteFlowHole(value.hole, 'condition', layersBefore, this.stringOfCondition(condNode));
        return completion;
      }
      i += 2;
    }
    return undefined;
  }

  private execFor(node: SyntaxNode, scope: Scope): Completion {
    const parts = kids(node);
    const inIndex = parts.findIndex((n) => n.name === 'in');
    const targets = parts.slice(1, inIndex).filter((n) => n.name !== ',');
    const iterNode = parts[inIndex + 1];
    const body = parts.find((n) => n.name === 'Body');
    if (inIndex < 0 || !iterNode || !body) return undefined;
    const iterable = this.eval(iterNode, scope);
    const items = this.iterate(iterable, iterNode);
    const layersBefore = this.layersMade;
    // A loop over an unknown count or list that builds layers: the count is a hole of the model.
    const flowHole = !Array.isArray(iterable) && iterable instanceof Unknown && iterable.hole ? iterable.hole : undefined;
    const flowRole = iterNode.name === 'CallExpression' && this.t(iterNode).startsWith('range(') ? 'repeat count' : 'layer sizes';
    const bind = (item: Value): void => {
      if (targets.length === 1) this.assign(targets[0]!, item, scope);
      else this.assignTuple(targets, item, scope);
    };
    for (let i = 0; i < items.length; i++) {
      bind(items[i]!);
      this.iterations.push(i);
      let completion: Completion;
      try {
        completion = this.execBody(body, scope);
      } finally {
        this.iterations.pop();
      }
      if (completion?.kind === 'break') break;
      if (completion?.kind === 'return' || completion?.kind === 'raise') {
        this.noteFlowHole(flowHole, flowRole, layersBefore);
        return completion;
      }
    }
    this.noteFlowHole(flowHole, flowRole, layersBefore);
    const elseIndex = parts.findIndex((n) => n.name === 'else');
    return elseIndex >= 0 ? this.execBody(parts[elseIndex + 1], scope) : undefined;
  }

  private noteFlowHole(name: string | undefined, role: 'repeat count' | 'layer sizes' | 'condition', layersBefore: number, suggestion?: string): void {
    const model = this.models[this.models.length - 1];
    if (!name || this.layersMade === layersBefore || !model) return;
    this.flowHoles.push({ name, role, model, ...(suggestion !== undefined ? { suggestion } : {}) });
  }

  /**
   * A condition that compares the unknown with a string (`kind == 'cnn'`, `'cnn' in kind`,
   * `kind.startswith('cnn')`) is filled by that string, not by True: the string, quoted.
   */
  private stringOfCondition(cond: SyntaxNode): string | undefined {
    const strings: SyntaxNode[] = [];
    const cursor = cond.cursor();
    do if (cursor.name === 'String') strings.push(cursor.node);
    while (cursor.next() && cursor.from < cond.to);
    if (!strings.length || !/==|!=|\bin\b|startswith|endswith/.test(this.t(cond))) return undefined;
    // Double quotes: the advice wraps `--set 'name=value'` in single quotes for the shell.
    return JSON.stringify(pyString(this.t(strings[0]!)));
  }

  /** The items of an iterable; an unknown one is read once with an unknown item. */
  private iterate(value: Value, at: SyntaxNode): Value[] {
    if (Array.isArray(value)) return value.slice(0, MAX_LOOP);
    if (typeof value === 'string') return [...value];
    if (value instanceof PyDict) return [...value.items.keys()];
    const reason = value instanceof Unknown ? value.reason : `${describe(value)} is not iterable here`;
    this.problem(`Loop over \`${this.t(at)}\` is not a constant (${reason}); its body is read once.`, rangeOf(at), 'info');
    return [new Unknown(`element of ${this.t(at)}`, reason, value instanceof Unknown ? value.hole : undefined)];
  }

  private execWhile(node: SyntaxNode, scope: Scope): Completion {
    const parts = kids(node);
    const condNode = parts[1];
    const body = parts.find((n) => n.name === 'Body');
    if (!condNode || !body) return undefined;
    for (let i = 0; i < MAX_LOOP; i++) {
      const condition = truthy(this.eval(condNode, scope));
      if (condition === undefined) {
        this.problem(`Loop condition \`${this.t(condNode)}\` is not a constant; the loop is not followed.`, rangeOf(condNode), 'info');
        return undefined;
      }
      if (!condition) return undefined;
      this.iterations.push(i);
      let completion: Completion;
      try {
        completion = this.execBody(body, scope);
      } finally {
        this.iterations.pop();
      }
      if (completion?.kind === 'break') return undefined;
      if (completion?.kind === 'return' || completion?.kind === 'raise') return completion;
    }
    return undefined;
  }

  private execImport(node: SyntaxNode, scope: Scope): void {
    const parts = kids(node);
    const bindModule = (path: string[], alias: string | undefined): void => {
      const api = path[0] === 'tensorflow' || path[0] === 'keras' || path[0] === 'tf_keras' || PURE_MODULES.has(path[0]!);
      // `import a.b` binds `a`; `import a.b as c` binds `c` to `a.b`.
      const bound = alias ? path : path.slice(0, 1);
      const user = api ? undefined : this.userModule(path, false);
      if (user && (alias || path.length === 1)) {
        scope.vars.set(alias ?? path[0]!, user);
        return;
      }
      scope.vars.set(alias ?? path[0]!, api ? new PyModule(bound) : new Unknown(alias ?? path[0]!, `module \`${path.join('.')}\` is not read`));
    };
    if (parts[0]?.name === 'import') {
      // import a.b.c [as x], d [as y]
      let path: string[] = [];
      for (let i = 1; i < parts.length; i++) {
        const p = parts[i]!;
        if (p.name === 'VariableName') path.push(this.t(p));
        else if (p.name === 'as') {
          bindModule(path, parts[i + 1] ? this.t(parts[i + 1]!) : undefined);
          path = [];
          i++;
        } else if (p.name === ',') {
          if (path.length) bindModule(path, undefined);
          path = [];
        }
      }
      if (path.length) bindModule(path, undefined);
      return;
    }
    // from a.b import c [as d], e  |  from a import *  |  from . import x
    const importIndex = parts.findIndex((n) => n.name === 'import');
    if (importIndex < 0) return;
    const from = parts.slice(1, importIndex).filter((n) => n.name === 'VariableName').map((n) => this.t(n));
    const relative = parts.slice(1, importIndex).some((n) => n.name === '.' && n.from === parts[1]!.from);
    const api = !relative && (from[0] === 'tensorflow' || from[0] === 'keras' || from[0] === 'tf_keras' || PURE_MODULES.has(from[0]!));
    const names = parts.slice(importIndex + 1);
    for (let i = 0; i < names.length; i++) {
      const n = names[i]!;
      if (n.name === '*') {
        if (api) this.starImports.push(from);
        continue;
      }
      if (n.name !== 'VariableName') continue;
      const name = this.t(n);
      let alias = name;
      if (names[i + 1]?.name === 'as' && names[i + 2]) {
        alias = this.t(names[i + 2]!);
        i += 2;
      }
      if (!api) {
        const module = this.userModule(from, relative);
        const found = module?.scope.vars.get(name);
        if (found !== undefined) {
          scope.vars.set(alias, found);
          continue;
        }
      }
      scope.vars.set(alias, api ? new PyModule([...from, name]) : new Unknown(alias, `imported from \`${from.join('.') || '.'}\`, which is not read`, alias));
    }
  }

  private readonly userModules = new Map<string, PyModuleFile | undefined>();

  /**
   * A module of the user's (`from dl_builder_module import build`), read from the file beside
   * this one when the host can read files: its functions are called as this file's are, and the
   * models they build belong to the calling file (on the call's range).
   */
  private userModule(from: readonly string[], relative: boolean): PyModuleFile | undefined {
    const { readFile, fileName } = this.options;
    if (!readFile || !fileName || !from.length) return undefined;
    const cut = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
    const sep = fileName[cut] ?? '/';
    const base = fileName.slice(0, cut + 1) + from.join(sep);
    const key = `${relative ? '.' : ''}${base}`;
    if (this.userModules.has(key)) return this.userModules.get(key);
    this.userModules.set(key, undefined);
    for (const path of [`${base}.py`, `${base}${sep}__init__.py`]) {
      if ((this.options.importing ?? []).includes(path) || path === fileName) continue;
      const text = readFile(path);
      if (text === undefined) continue;
      const nested = new Evaluator(text, { fileName: path, readFile, importing: [...(this.options.importing ?? []), fileName], ...(this.options.timeMs !== undefined ? { timeMs: this.options.timeMs } : {}) });
      nested.runModule();
      const module = new PyModuleFile(from.join('.'), nested.moduleScope);
      this.userModules.set(key, module);
      return module;
    }
    return undefined;
  }

  /** Runs the file as an imported module: its top level only (`__name__` is not `__main__`). */
  runModule(): void {
    const top = parser.parse(this.text).topNode;
    this.top = top;
    this.moduleScope = new Scope();
    this.moduleScope.vars.set('__name__', 'module');
    try {
      this.execBlock(kids(top), this.moduleScope);
    } catch (error) {
      if (!(error instanceof BudgetExceeded)) throw error;
    }
  }

  /**
   * Calls a function of another file in its own evaluator, then moves the models it built here,
   * with every range on the call (the other file's offsets mean nothing in this one).
   */
  private callForeign(fn: PyFunction, owner: Evaluator, args: Args, site: SyntaxNode): Value {
    const modelsBefore = owner.models.length;
    const problemsBefore = owner.problems.length;
    const result = owner.callFunction(fn, args, fn.node);
    const at = rangeOf(site);
    const moved = new Map<LayerValue, LayerValue>();
    const rehome = (layer: LayerValue): LayerValue => {
      let copy = moved.get(layer);
      if (!copy) {
        copy = new LayerValue(layer.type, layer.known, layer.config, {}, undefined, at, layer.iteration, layer.partOf);
        moved.set(layer, copy);
      }
      return copy;
    };
    const rehomeNodes = (outputs: readonly GraphNode[]): void => {
      for (const node of nodesReaching(outputs)) (node as { layer: LayerValue }).layer = rehome(node.layer);
    };
    for (const model of owner.models.splice(modelsBefore)) {
      (model as { range: SourceRange }).range = at;
      if (model instanceof SequentialModel) model.layers.splice(0, model.layers.length, ...model.layers.map(rehome));
      else rehomeNodes([...model.outputs, ...model.inputs].map((t) => t.node));
      if (model.compile) {
        const { configRange: _dropped, ...rest } = model.compile;
        void _dropped;
        model.compile = { ...rest, range: at, configRanges: {} };
      }
      model.nameDepth = Infinity;
      this.models.push(model);
    }
    const file = owner.options.fileName?.split(/[\\/]/).pop() ?? 'the imported file';
    for (const p of owner.problems.slice(problemsBefore)) if (p.severity !== 'info') this.problem(`${p.message} (in \`${file}\`)`, at, p.severity);
    if (result instanceof LayerValue) return rehome(result);
    if (result instanceof TensorValue) rehomeNodes([result.node]);
    return result;
  }

  private defineFunction(node: SyntaxNode, scope: Scope): PyFunction | undefined {
    const parts = kids(node);
    const nameNode = parts.find((n) => n.name === 'VariableName');
    const paramList = parts.find((n) => n.name === 'ParamList');
    if (!nameNode || !paramList) return undefined;
    const fn = new PyFunction(node, this.t(nameNode), scope, this.params(paramList), this);
    scope.vars.set(fn.name, fn);
    return fn;
  }

  private params(list: SyntaxNode): Param[] {
    const params: Param[] = [];
    const parts = kids(list);
    let pendingKind: Param['kind'] = 'normal';
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (p.name === '*') pendingKind = 'star';
      else if (p.name === '**') pendingKind = 'kwstar';
      else if (p.name === ',') pendingKind = 'normal';
      else if (p.name === 'VariableName') {
        let defaultNode: SyntaxNode | undefined;
        let j = i + 1;
        if (parts[j]?.name === 'TypeDef') j++;
        if (parts[j]?.name === 'AssignOp' && parts[j + 1]) defaultNode = parts[j + 1];
        params.push({ name: this.t(p), range: rangeOf(p), kind: pendingKind, ...(defaultNode ? { defaultNode } : {}) });
        i = defaultNode ? j + 1 : j - 1;
        pendingKind = 'normal';
      }
    }
    return params;
  }

  private defineClass(node: SyntaxNode, scope: Scope): void {
    const parts = kids(node);
    const nameNode = parts.find((n) => n.name === 'VariableName');
    if (!nameNode) return;
    const name = this.t(nameNode);
    const bases = parts.find((n) => n.name === 'ArgList');
    let keras = false;
    if (bases) {
      for (const base of kids(bases)) {
        if (base.name === '(' || base.name === ')' || base.name === ',') continue;
        const value = this.eval(base, scope);
        const path = value instanceof PyModule ? kerasPath(value.path) : undefined;
        if ((path && KERAS_BASES.has(path[path.length - 1]!)) || (value instanceof ClassValue && value.keras)) keras = true;
      }
    }
    if (keras) {
      this.problem(`Subclassed Keras class \`${name}\` is not supported: its layers are wired in Python code (\`call\`) that Gradient Lens does not follow. Build it with \`Sequential\` or the functional API to analyze it.`, { start: node.from, end: bases ? bases.to : nameNode.to }, 'warning');
    }
    scope.vars.set(name, new ClassValue(name, keras));
  }

  // ----- expressions

  eval(node: SyntaxNode, scope: Scope): Value {
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

  private evalNode(node: SyntaxNode, scope: Scope): Value {
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
      case 'UnaryExpression':
        return this.unary(node, scope);
      case 'BinaryExpression':
        return this.binaryExpression(node, scope);
      case 'ConditionalExpression': {
        const [a, , c, , b] = kids(node);
        if (!a || !c || !b) return new Unknown(this.t(node), 'incomplete expression');
        const cond = truthy(this.eval(c, scope));
        if (cond === undefined) return new Unknown(this.t(node), `condition \`${this.t(c)}\` is not a constant`);
        return this.eval(cond ? a : b, scope);
      }
      case 'CallExpression':
        return this.call(node, scope);
      case 'LambdaExpression':
        return new Unknown(this.t(node), 'lambdas are not evaluated');
      default:
        return new Unknown(this.t(node), node.type.isError ? 'syntax error' : 'this kind of expression is not evaluated');
    }
  }

  private lookup(name: string, scope: Scope): Value {
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
    return new Unknown(name, `\`${name}\` is not defined in this file`);
  }

  /** `a.b.c` / `a[1]` as text when it is a plain access chain (a fillable hole name). */
  private chainText(node: SyntaxNode): string | undefined {
    const text = this.t(node).replace(/\s+/g, '');
    return /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[-?\d+\])*$/.test(text) ? text : undefined;
  }

  private member(node: SyntaxNode, scope: Scope): Value {
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
      return new BoundMethod(object, prop);
    }
    // Subscript: `a[i]`, `a[i:j]`.
    const inner = parts.slice(2, -1);
    if (object instanceof Unknown) return unknown(object.reason, object.hole);
    if (inner.some((n) => n.name === ':')) {
      const bounds: (number | undefined)[] = [];
      let current: number | undefined;
      for (const n of inner) {
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
    if (object instanceof PyDict && isPrimitive(index)) return object.items.get(String(index)) ?? new Unknown(this.t(node), `no key \`${String(index)}\``);
    return unknown(index instanceof Unknown ? index.reason : `indexing ${describe(object)} is not evaluated`);
  }

  private sequence(items: readonly SyntaxNode[], scope: Scope): Value[] {
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
  private comprehension(parts: readonly SyntaxNode[], scope: Scope): Value[] {
    const firstFor = parts.findIndex((n) => n.name === 'for');
    const element = parts[0];
    if (firstFor < 1 || !element) return [];
    const clauses = parts.slice(firstFor);
    const inner = new Scope(scope); // comprehension variables do not leak (Python 3)
    const out: Value[] = [];
    const loop = (at: number): void => {
      if (at >= clauses.length) {
        out.push(this.eval(element, inner));
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

  private dict(node: SyntaxNode, scope: Scope): Value {
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

  private formatString(node: SyntaxNode, scope: Scope): Value {
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

  private unary(node: SyntaxNode, scope: Scope): Value {
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

  private binaryExpression(node: SyntaxNode, scope: Scope): Value {
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

  private binary(op: string, a: Value, b: Value, node: SyntaxNode): Value {
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
    // Element-wise arithmetic keeps an array's shape (`x / 255`, `x - mean`), broadcast on scalars.
    if ((a instanceof NdArray || b instanceof NdArray) && ['+', '-', '*', '/', '//', '**', '%'].includes(op)) {
      const other = a instanceof NdArray ? b : a;
      const array = (a instanceof NdArray ? a : b) as NdArray;
      if (typeof other === 'number' || typeof other === 'boolean' || (other instanceof NdArray && other.shape.join() === array.shape.join())) return array;
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

  // ----- calls

  private args(list: SyntaxNode | undefined, scope: Scope): Args {
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
        if (!valueNode || valueNode.name === ',') {
          i += 1;
          continue;
        }
        keywords.set(this.t(n), { value: this.eval(valueNode, scope), property: { start: n.from, end: valueNode.to }, valueRange: rangeOf(valueNode) });
        i += 2;
        continue;
      }
      positional.push({ value: this.eval(n, scope), property: rangeOf(n), valueRange: rangeOf(n) });
    }
    return { positional, keywords, list };
  }

  private call(node: SyntaxNode, scope: Scope): Value {
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

  private callValue(callee: Value, args: Args, site: SyntaxNode): Value {
    if (callee instanceof PyFunction) {
      if (callee.owner instanceof Evaluator && callee.owner !== this) return this.callForeign(callee, callee.owner, args, site);
      return this.callFunction(callee, args, site);
    }
    if (callee instanceof Builtin) return callee.call(args.positional.map((a) => a.value), new Map([...args.keywords].map(([k, a]) => [k, a.value])), site);
    if (callee instanceof BoundMethod) return this.callMethod(callee, args, site);
    if (callee instanceof PyModule) return this.callApi(callee, args, site);
    if (callee instanceof LayerValue) return this.applyLayer(callee, args, site);
    if (callee instanceof Backbone) return callee.output;
    if (callee instanceof SequentialModel || callee instanceof FunctionalModel) return this.applyModel(callee, args, site);
    if (callee instanceof ClassValue) return new Unknown(this.t(site), `instances of \`${callee.name}\` are not evaluated`);
    if (callee instanceof Unknown) {
      // Scalers and encoders keep an array's shape (`scaler.fit_transform(X)`).
      const first = args.positional[0]?.value;
      if (first instanceof NdArray && /\.(fit_transform|transform)$/.test(callee.text) && !/pca|svd|poly|onehot|vectori|embed|select/i.test(callee.text)) return new NdArray([...first.shape]);
      if (/is not defined in this file/.test(callee.reason)) this.problem(`\`${callee.text}\` is not defined in this file; the result of \`${this.t(site).slice(0, 60)}\` is unknown.`, rangeOf(site), 'info');
      // The call names its result: `ui.units()` is the hole, not the function `ui.units`.
      const text = this.t(site).replace(/\s+/g, '');
      const named = callee.hole && text.startsWith(`${callee.hole}(`) && text.length <= 80 ? text : callee.hole;
      if (named && named !== callee.hole && !this.holeRanges.has(named)) this.holeRanges.set(named, rangeOf(site));
      return new Unknown(this.t(site), callee.reason, named);
    }
    return new Unknown(this.t(site), `${describe(callee)} is not callable`);
  }

  private callFunction(fn: PyFunction, args: Args, site: SyntaxNode, template?: { given: Map<string, Value> }): Value {
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
      } else if (position < args.positional.length && !template) {
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
      return completion?.kind === 'return' ? completion.value : completion?.kind === 'raise' ? new Unknown(this.t(site), 'the function raises') : null;
    } finally {
      this.depth--;
    }
  }

  private callMethod(method: BoundMethod, args: Args, site: SyntaxNode): Value {
    const { self, name } = method;
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
        return self.replace(/\{(\w*)\}/g, (_, key: string) => {
          const v = key === '' ? a[k++] : /^\d+$/.test(key) ? a[Number(key)] : args.keywords.get(key)?.value;
          return v === undefined || !isPrimitive(v) ? `{${key}}` : String(v);
        });
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

  private addToSequential(model: SequentialModel, value: Value, at: SourceRange): void {
    if (model.layers.length >= PARSE_LIMITS.maxLayersPerModel) {
      // Said once per model, at the first layer refused.
      if (this.overLimit.has(model)) return;
      this.overLimit.add(model);
      throw new ParseLimitError(layerLimitMessage(), at, 'statement');
    }
    if (value instanceof LayerValue) model.layers.push(value);
    else if (value instanceof Backbone && model.layers.length === 0) model.layers.push(this.asInputLayer(value.output.node.layer));
    else if (value instanceof TensorValue && value.node.layer.type === 'inputLayer') model.layers.push(this.asInputLayer(value.node.layer));
    else if (value instanceof SequentialModel || value instanceof FunctionalModel) this.addModel(model, value, at);
    else {
      const reason = value instanceof Unknown ? value.reason : describe(value);
      this.problem(`\`${this.src.slice(at.start, at.end).slice(0, 80)}\` is not a layer the parser could read (${reason}); it is left out of the model.`, at, 'warning');
    }
  }


  /** A model added to a Sequential is read as its layers, inlined and marked with its name. */
  private addModel(outer: SequentialModel, inner: ModelValue, at: SourceRange): void {
    const name = inner.name ?? 'model';
    if (inner === outer) {
      this.problem('A model cannot be added to itself.', at, 'warning');
      return;
    }
    const layers = inner instanceof SequentialModel ? [...inner.layers] : nodesReaching(inner.outputs.map((t) => t.node)).map((n) => n.layer);
    if (inner instanceof FunctionalModel) {
      const nodes = nodesReaching(inner.outputs.map((t) => t.node));
      const chain = inner.inputs.length === 1 && inner.outputs.length === 1 && nodes.every((n) => n.inbound.length <= 1 && nodes.filter((m) => m.inbound.includes(n)).length <= 1);
      if (!chain) {
        this.problem(`\`${name}\` has branches; adding it to a Sequential model is not read (call it on a tensor in a functional model instead).`, at, 'warning');
        return;
      }
    }
    if (outer.layers.length + layers.length > PARSE_LIMITS.maxLayersPerModel) throw new ParseLimitError(layerLimitMessage(), at, 'statement');
    for (const layer of layers) if (layer.type !== 'inputLayer' || outer.layers.length === 0) outer.layers.push(layer.inlined(name));
  }

  /** A model called on tensors: its layers are replayed on them, inlined and marked with its name. */
  private applyModel(model: ModelValue, args: Args, site: SyntaxNode): Value {
    const input = args.positional[0]?.value ?? args.keywords.get('inputs')?.value;
    const given = Array.isArray(input) ? input : [input];
    if (!given.length || !given.every((v): v is TensorValue => v instanceof TensorValue)) {
      const unknown = given.find((v): v is Unknown => v instanceof Unknown);
      return new Unknown(this.t(site), unknown ? unknown.reason : 'model called on a value that is not a tensor', unknown?.hole);
    }
    const name = model.name ?? 'model';
    if (model instanceof SequentialModel) {
      let current = given[0]!;
      for (const layer of model.layers) {
        if (layer.type === 'inputLayer') continue;
        current = new TensorValue({ layer: layer.inlined(name), inbound: [current.node], order: this.nodeOrder++ });
      }
      return current;
    }
    if (given.length !== model.inputs.length) {
      this.problem(`\`${name}\` takes ${model.inputs.length} inputs but is called on ${given.length}.`, rangeOf(site), 'warning');
      return new Unknown(this.t(site), 'model called on the wrong number of inputs');
    }
    const copies = new Map<GraphNode, GraphNode>();
    model.inputs.forEach((tensor, i) => copies.set(tensor.node, given[i]!.node));
    for (const node of nodesReaching(model.outputs.map((t) => t.node))) {
      if (copies.has(node)) continue;
      copies.set(node, { layer: node.layer.inlined(name), inbound: node.inbound.map((n) => copies.get(n)!), order: this.nodeOrder++ });
    }
    const outputs = model.outputs.map((t) => new TensorValue(copies.get(t.node)!));
    return outputs.length === 1 ? outputs[0] : outputs;
  }

  /** `keras.Input(shape=...)` placed in a Sequential: tfjs' `inputLayer` reads `inputShape`. */
  private asInputLayer(layer: LayerValue): LayerValue {
    const rename = (key: string): string => (key === 'shape' ? 'inputShape' : key === 'batchShape' ? 'batchInputShape' : key);
    return new LayerValue(
      'inputLayer', true,
      Object.fromEntries(Object.entries(layer.config).map(([k, v]) => [rename(k), v])),
      Object.fromEntries(Object.entries(layer.configRanges).map(([k, v]) => [rename(k), v])),
      layer.configRange, layer.range, layer.iteration,
    );
  }

  // ----- the Keras API

  private callApi(module: PyModule, args: Args, site: SyntaxNode): Value {
    if (PURE_MODULES.has(module.path[0]!)) return this.callPure(module.path, args, site);
    const tf1 = tf1Optimizer(module.path);
    if (tf1) return this.optimizer(['optimizers', tf1], args, site, module.path.join('.'));
    const path = kerasPath(module.path);
    const what = module.path.join('.');
    if (!path || path.length === 0) return new Unknown(this.t(site), `\`${what}(...)\` is not evaluated`);
    const last = path[path.length - 1]!;
    const first = path[0]!;
    // Old Keras exports Input from keras.models too.
    if (last === 'Input' && (path.length === 1 || first === 'layers' || first === 'engine' || first === 'models')) return this.input(args, site);
    if (first === 'backend' && path.length === 2) return this.backend(last, args, site);
    if (first === 'datasets' && last === 'load_data' && path.length === 3) return this.dataset(path[1]!, site);
    if (first === 'utils' && (last === 'to_categorical')) {
      const y = args.positional[0]?.value;
      const classes = args.positional[1]?.value ?? args.keywords.get('num_classes')?.value;
      if (y instanceof NdArray && typeof classes === 'number') return new NdArray([y.shape[0] ?? 1, classes]);
      return new Unknown(this.t(site), 'the number of classes is not a constant');
    }
    if (first === 'applications') return this.application(path, args, site);
    if (last === 'Sequential' && (path.length === 1 || first === 'models')) return this.sequential(args, site);
    if (last === 'Model' && (path.length === 1 || first === 'models')) return this.functional(args, site);
    if (first === 'layers' || path.length === 1) {
      const spec = KERAS_LAYERS[last];
      if (spec) return this.makeLayer(spec.type, true, spec.positional, this.keras1Args(spec.type, last, module.path[0] !== 'tensorflow', args, site), site);
      if ((last === 'merge' || last === 'Merge') && first === 'layers') return this.keras1Merge(last, args, site);
      const merge = MERGE_FUNCTIONS[last];
      if (merge) {
        const [inputs, ...rest] = args.positional;
        const layer = this.makeLayer(merge, true, [], { ...args, positional: rest }, site);
        return this.applyLayer(layer, { positional: inputs ? [inputs] : [], keywords: new Map() }, site);
      }
      if (first === 'layers' && /^[A-Z]/.test(last)) {
        const why = last === 'Lambda'
          ? '`Lambda` layers run Python code, which Gradient Lens does not evaluate'
          : `\`${last}\` has no tfjs twin that Gradient Lens knows`;
        this.problem(`${why}; it is kept as an opaque layer (shapes after it are unknown).`, rangeOf(site), 'warning');
        const type = last.charAt(0).toLowerCase() + last.slice(1);
        return this.makeLayer(type, LAYER_FACTORIES.has(type), [], { ...args, positional: [] }, site, true);
      }
    }
    if (first === 'initializers' && path.length === 2) return this.initializer(last, args, site);
    if (first === 'regularizers' && path.length === 2) return this.regularizer(last, args, site);
    if (first === 'constraints' && path.length === 2) return this.constraint(last, args, site);
    if (first === 'optimizers') return this.optimizer(path, args, site);
    if (first === 'losses' && path.length === 2) {
      const loss = tfjsLoss(last);
      if (!loss) return new Unknown(this.t(site), `tfjs has no \`${last}\` loss`);
      if (args.keywords.get('from_logits')?.value === true) {
        this.problem('`from_logits=True`: tfjs losses take probabilities, so the loss is read as if the model ended in softmax/sigmoid.', args.keywords.get('from_logits')!.property!, 'info');
      }
      return new ConfigResult('loss', loss);
    }
    if (first === 'metrics' && path.length === 2) return new ConfigResult('metric', tfjsMetric(last));
    return new Unknown(this.t(site), `\`${what}(...)\` is not evaluated`);
  }

  /**
   * A `keras.applications` backbone: its layers are not read (hundreds of pretrained layers).
   * It becomes an input standing for its output, so the head built on it is analysed on that
   * feature map; a problem on the line says so. Output shape: the feature channels of the
   * architecture at input size / 32 (rounded up), or the pooled / classifier vector.
   */
  private application(path: readonly string[], args: Args, site: SyntaxNode): Value {
    const name = path[path.length - 1]!;
    const spec = BACKBONES[name];
    if (!spec) return new Unknown(this.t(site), `\`keras.applications.${name}(...)\` is not evaluated`);
    const kw = (k: string): Value | undefined => args.keywords.get(k)?.value;
    let size: Value[] | undefined;
    const tensor = kw('input_tensor');
    if (tensor instanceof TensorValue) {
      const c = tensor.node.layer.config;
      const shape = c.shape ?? c.inputShape;
      if (Array.isArray(shape)) size = shape as Value[];
    }
    const given = kw('input_shape');
    if (Array.isArray(given)) size = given;
    const includeTop = truthy(kw('include_top') ?? true) !== false;
    const pooling = kw('pooling');
    const [h, w] = [size?.[0], size?.[1]].map((d) => (typeof d === 'number' ? d : spec.size));
    const classes = typeof kw('classes') === 'number' ? (kw('classes') as number) : 1000;
    const shape: number[] = includeTop ? [classes] : pooling === 'avg' || pooling === 'max' ? [spec.channels] : [Math.ceil(h! / 32), Math.ceil(w! / 32), spec.channels];
    this.problem(
      `\`${name}\` (keras.applications) is a pretrained backbone Gradient Lens does not read; layers built on it are analysed on its output, a (${shape.join(', ')}${shape.length === 1 ? ',' : ''}) ${shape.length > 1 ? 'feature map' : 'vector'}, as the model's input.`,
      rangeOf(site), 'warning',
    );
    const layer = new LayerValue('inputLayer', true, { shape }, {}, args.list ? rangeOf(args.list) : undefined, rangeOf(site), undefined);
    const out = new TensorValue({ layer, inbound: [], order: this.nodeOrder++ });
    return new Backbone(name, out);
  }

  /**
   * `keras.datasets.X.load_data()`: ((x_train, y_train), (x_test, y_test)) with the shapes Keras
   * documents; data of varying length (imdb, reuters) stays unknown.
   */
  private dataset(name: string, site: SyntaxNode): Value {
    const shapes: Record<string, [number, number, readonly number[], readonly number[]]> = {
      mnist: [60000, 10000, [28, 28], []], fashion_mnist: [60000, 10000, [28, 28], []],
      cifar10: [50000, 10000, [32, 32, 3], [1]], cifar100: [50000, 10000, [32, 32, 3], [1]],
      boston_housing: [404, 102, [13], []], california_housing: [16512, 4128, [8], []],
    };
    const spec = shapes[name];
    if (!spec) return new Unknown(this.t(site), `\`${name}\` samples have no fixed shape`);
    const [train, test, x, y] = spec;
    return [[new NdArray([train, ...x]), new NdArray([train, ...y])], [new NdArray([test, ...x]), new NdArray([test, ...y])]];
  }

  /** numpy / math / argparse calls: pure math on constants, array shapes, command-line defaults. */
  private callPure(path: readonly string[], args: Args, site: SyntaxNode): Value {
    const a = args.positional.map((x) => x.value);
    const kw = (name: string): Value | undefined => args.keywords.get(name)?.value;
    const last = path[path.length - 1]!;
    const what = path.join('.');
    const culprit = [...a, ...[...args.keywords.values()].map((x) => x.value)].find((v): v is Unknown => v instanceof Unknown);
    const unknown = (reason: string): Unknown => new Unknown(this.t(site), culprit ? culprit.reason : reason, culprit?.hole);
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

  /**
   * `keras.backend` queries that steer model code. The image layout is assumed channels-last
   * (Keras' default, and what tfjs trains fastest) and said once per file.
   */
  private backend(name: string, args: Args, site: SyntaxNode): Value {
    if (name === 'image_data_format' || name === 'image_dim_ordering') {
      if (!this.saidChannelsLast) {
        this.saidChannelsLast = true;
        this.problem(`\`${this.t(site)}\` is read as channels-last (Keras' default); shapes follow that branch.`, rangeOf(site), 'info');
      }
      return name === 'image_data_format' ? 'channels_last' : 'tf';
    }
    if (name === 'floatx') return 'float32';
    if (name === 'epsilon') return 1e-7;
    if (['set_image_data_format', 'set_image_dim_ordering', 'clear_session', 'set_floatx', 'set_epsilon', 'set_learning_phase'].includes(name)) return null;
    void args;
    return new Unknown(this.t(site), `\`keras.backend.${name}(...)\` is not evaluated`);
  }

  private input(args: Args, site: SyntaxNode): Value {
    // Keys as tf.input takes them (`shape`, `batchShape`), not as the inputLayer class does.
    const layer = this.makeLayer('inputLayer', true, ['shape', 'batch_size', 'name', 'dtype'], args, site, false, { shape: 'shape', batch_shape: 'batchShape' });
    return new TensorValue({ layer, inbound: [], order: this.nodeOrder++ });
  }

  /** Keras' `name=` names the model: it wins over the variable it is bound to. */
  private nameModel(model: ModelValue, args: Args): void {
    const name = args.keywords.get('name')?.value;
    if (typeof name === 'string' && name) {
      model.name = name;
      model.nameDepth = -1;
      model.named = true;
    }
  }

  private sequential(args: Args, site: SyntaxNode): Value {
    const model = new SequentialModel(rangeOf(site));
    if (this.templateFills) model.fills = this.templateFills;
    this.nameModel(model, args);
    const layersArg = args.positional[0] ?? args.keywords.get('layers');
    if (layersArg && layersArg.value !== null) {
      const list = layersArg.value;
      if (Array.isArray(list)) for (const item of list) this.addToSequential(model, item, layersArg.valueRange ?? rangeOf(site));
      else this.addToSequential(model, list, layersArg.valueRange ?? rangeOf(site));
    }
    this.models.push(model);
    return model;
  }

  private functional(args: Args, site: SyntaxNode): Value {
    const tensors = (arg: Arg | undefined, what: string): TensorValue[] | undefined => {
      if (!arg) {
        this.problem(`\`Model(...)\` without \`${what}\` cannot be read.`, rangeOf(site), 'warning');
        return undefined;
      }
      const values = Array.isArray(arg.value) ? arg.value : arg.value instanceof PyDict ? [...arg.value.items.values()] : [arg.value];
      const bad = values.find((v) => !(v instanceof TensorValue));
      if (bad !== undefined || values.length === 0) {
        const reason = bad instanceof Unknown ? bad.reason : bad === undefined ? 'empty' : describe(bad);
        this.problem(`The ${what} of this model are not layers the parser could follow (${reason}); the model is left out.`, arg.valueRange ?? rangeOf(site), 'warning');
        return undefined;
      }
      return values as TensorValue[];
    };
    const inputs = tensors(args.positional[0] ?? args.keywords.get('inputs'), 'inputs');
    const outputs = inputs && tensors(args.positional[1] ?? args.keywords.get('outputs'), 'outputs');
    if (!inputs || !outputs) return new Unknown(this.t(site), 'a model the parser could not follow');
    const model = new FunctionalModel(rangeOf(site), inputs, outputs);
    this.nameModel(model, args);
    this.models.push(model);
    return model;
  }

  private applyLayer(layer: LayerValue, args: Args, site: SyntaxNode): Value {
    const input = args.positional[0]?.value ?? args.keywords.get('inputs')?.value;
    const values = Array.isArray(input) ? input : [input];
    if (input === undefined || values.length === 0) return new Unknown(this.t(site), 'layer applied to nothing');
    const bad = values.find((v) => !(v instanceof TensorValue));
    if (bad !== undefined) {
      return new Unknown(this.t(site), bad instanceof Unknown ? `input \`${bad.text}\` is unknown (${bad.reason})` : `input is ${describe(bad ?? null)}, not a tensor`);
    }
    const tensors = values as TensorValue[];
    const indexed = tensors.some((t) => t.index !== 0);
    const node: GraphNode = { layer, inbound: tensors.map((t) => t.node), ...(indexed ? { inboundIndex: tensors.map((t) => t.index) } : {}), order: this.nodeOrder++ };
    // `return_state=True`: [output, *states], two states for an LSTM, one for GRU / SimpleRNN.
    if (['lstm', 'gru', 'simpleRNN'].includes(layer.type) && layer.config.returnState === true) {
      return Array.from({ length: layer.type === 'lstm' ? 3 : 2 }, (_, i) => new TensorValue(node, i));
    }
    return new TensorValue(node);
  }

  /**
   * Creates a layer from a Keras constructor call: arguments by Keras signature, keys in tfjs
   * spelling, values converted to the IR right here so problems point at the argument.
   */
  /**
   * Keras 1 spellings as Keras 2 arguments: keyword renames (`nb_filter`, `border_mode`, `init`,
   * `subsample`, `output_dim`...), `Convolution2D(64, 9, 9)` as a 9x9 kernel (standalone Keras 2
   * read it so too; tf.keras reads the third number as strides, so `Conv2D` from tf keeps that),
   * `nb_row`/`nb_col`, and `dim_ordering` values.
   */
  private keras1Args(type: string, className: string, standalone: boolean, args: Args, site: SyntaxNode): Args {
    const keywords = new Map<string, Arg>();
    let renamed = false;
    for (const [k, arg] of args.keywords) {
      const to = k === 'output_dim' && type === 'embedding' ? undefined : KERAS1_KEYWORDS[k];
      if (to && !args.keywords.has(to)) {
        renamed = true;
        let value = arg.value;
        if (k === 'dim_ordering') value = value === 'th' ? 'channels_first' : value === 'tf' ? 'channels_last' : value;
        keywords.set(to, { ...arg, value });
      } else keywords.set(k, arg);
    }
    let positional = args.positional;
    const spatial = type === 'conv2d' ? 2 : type === 'conv3d' ? 3 : 0;
    const dims = positional.slice(1, 1 + spatial);
    const keras1Name = /^Convolution[23]D$/.test(className);
    if (spatial && (keras1Name || standalone) && positional.length === spatial + 1 && dims.every((d) => typeof d.value === 'number')) {
      const kernel = dims.map((d) => d.value);
      const first = dims[0]!;
      const lastDim = dims[dims.length - 1]!;
      const range = first.valueRange && lastDim.valueRange ? { start: first.valueRange.start, end: lastDim.valueRange.end } : undefined;
      positional = [positional[0]!, { value: kernel, ...(range ? { property: range, valueRange: range } : {}) }];
      this.problem(`Keras 1 arguments: \`${this.t(site).slice(0, 40)}\` is read as a ${kernel.join('x')} kernel.`, rangeOf(site), 'info');
    }
    const rows = keywords.get('nb_row');
    const cols = keywords.get('nb_col');
    if (rows && cols && !keywords.has('kernel_size')) {
      keywords.delete('nb_row');
      keywords.delete('nb_col');
      keywords.set('kernel_size', { value: [rows.value, cols.value] });
      renamed = true;
    }
    if (keywords.has('mode') && type === 'batchNormalization') keywords.delete('mode');
    if (renamed && !this.saidKeras1) {
      this.saidKeras1 = true;
      this.problem('Keras 1 argument names (`init`, `border_mode`, `nb_filter`, `output_dim`...) are read as their Keras 2 twins in this file.', rangeOf(site), 'info');
    }
    return { ...args, positional, keywords };
  }

  /** Keras 1 `merge([a, b], mode='concat', concat_axis=-1)`: the merge layer of that mode. */
  private keras1Merge(name: string, args: Args, site: SyntaxNode): Value {
    const mode = args.keywords.get('mode')?.value ?? 'sum';
    const type = typeof mode === 'string' ? KERAS1_MERGE_MODES[mode] : undefined;
    if (!type) return new Unknown(this.t(site), `merge mode \`${String(mode)}\` is not read`);
    const keywords = new Map<string, Arg>();
    const axis = args.keywords.get('concat_axis') ?? args.keywords.get('dot_axes');
    if (axis) keywords.set(type === 'dot' ? 'axes' : 'axis', axis);
    const layer = this.makeLayer(type, true, [], { positional: [], keywords, ...(args.list ? { list: args.list } : {}) }, site);
    const inputs = args.positional[0] ?? args.keywords.get('layers') ?? args.keywords.get('inputs');
    if (name === 'Merge') return layer; // the class form is a layer to call or add
    return this.applyLayer(layer, { positional: inputs ? [inputs] : [], keywords: new Map() }, site);
  }

  private makeLayer(
    type: string, known: boolean, positional: readonly string[], args: Args, site: SyntaxNode,
    skipReport = false, renames: Readonly<Record<string, string>> = {},
  ): LayerValue {
    const config: Record<string, ConfigValue> = {};
    const ranges: Record<string, PropertyRange> = {};
    const layerRange = rangeOf(site);
    const put = (pyName: string, arg: Arg): void => {
      const key = renames[pyName] ?? tfjsKey(type, pyName);
      config[key] = this.toConfig(key, arg.value, arg.valueRange ?? layerRange, layerRange);
      if (arg.property && arg.valueRange) ranges[key] = { property: arg.property, value: arg.valueRange };
    };
    args.positional.forEach((arg, i) => {
      const name = positional[i];
      if (name) put(name, arg);
      else if (!skipReport) this.problem(`Too many positional arguments for \`${type}\`; argument ${i + 1} is ignored.`, arg.property ?? layerRange, 'warning');
    });
    for (const [name, arg] of args.keywords) put(name, arg);
    if (SEQUENCE_LAYERS.has(type) && config.inputDim !== undefined && config.inputShape === undefined && config.batchInputShape === undefined) {
      // Keras reads a sequence layer's `input_dim` (and `input_length`) as input_shape=(length, dim).
      config.inputShape = [config.inputLength ?? null, config.inputDim];
      delete config.inputDim;
      delete config.inputLength;
    }
    this.checkLayerConfig(type, config, ranges, layerRange);
    const iteration = this.iterations.length ? [...this.iterations] : undefined;
    if (++this.layersMade > PARSE_LIMITS.maxLayersPerModel * 4) throw new ParseLimitError(layerLimitMessage(), layerRange, 'statement');
    return new LayerValue(type, known, config, ranges, args.list ? rangeOf(args.list) : undefined, layerRange, iteration);
  }

  private checkLayerConfig(type: string, config: Record<string, ConfigValue>, ranges: Record<string, PropertyRange>, at: SourceRange): void {
    if (type === 'reLU') {
      for (const key of ['negativeSlope', 'threshold']) {
        if (typeof config[key] === 'number' && config[key] !== 0) this.problem(`tfjs' reLU has no \`${key}\`; it is ignored when training.`, ranges[key]?.property ?? at, 'warning');
      }
    }
  }

  /** A Keras argument value as a tfjs config value; unknowns are reported at `at`. */
  private toConfig(key: string, value: Value, at: SourceRange, layerRange: SourceRange): ConfigValue {
    if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
    if (typeof value === 'string') return this.configString(key, value, layerRange);
    if (Array.isArray(value)) return value.map((v) => this.toConfig(key, v, at, layerRange));
    if (value instanceof PyDict) {
      const object: Record<string, ConfigValue> = {};
      for (const [k, v] of value.items) object[k] = this.toConfig(k, v, at, layerRange);
      return object;
    }
    if (value instanceof ConfigResult) return value.value;
    if (value instanceof LayerValue) return { $call: `layers.${value.type}`, args: [value.config] };
    if (value instanceof PyModule) {
      const activation = activationOfPath(value.path);
      if (activation !== undefined && /activation$/i.test(key)) return this.configString(key, activation, layerRange);
      const path = kerasPath(value.path);
      // `kernel_initializer=initializers.HeNormal` (the class, not called).
      if (path && path[0] === 'initializers' && /Initializer$/.test(key)) return this.configString(key, path[path.length - 1]!, layerRange);
    }
    if (value instanceof Unknown) {
      const fill = value.hole ? ` Give \`${value.hole}\` a value with \`# gradient-lens: ${value.hole}=...\` above the function or statement, or --set.` : '';
      this.problem(`${key}: \`${value.text}\` is not a constant (${value.reason}).${fill}`, at, 'warning');
      return { $unknown: value.text, reason: value.reason, ...(value.hole ? { hole: value.hole } : {}) };
    }
    const reason = `${describe(value)} cannot be used as a config value here`;
    this.problem(`${key}: ${reason}.`, at, 'warning');
    return { $unknown: this.src.slice(at.start, at.end), reason };
  }

  private configString(key: string, value: string, layerRange: SourceRange): ConfigValue {
    if (/activation$/i.test(key)) {
      const tfjs = ACTIVATIONS[value] ?? (Object.values(ACTIVATIONS).includes(value) ? value : undefined);
      if (tfjs) return tfjs;
      this.problem(
        ACTIVATION_STAND_INS.has(value)
          ? `tfjs has no \`${value}\` activation; training uses the layer without it, followed by a weightless stand-in layer that computes it.`
          : `tfjs has no \`${value}\` activation; the layer cannot be trained as written.`,
        layerRange,
        'warning',
      );
      return value;
    }
    if (/Initializer$/.test(key)) {
      const tfjs = tfjsInitializer(value);
      if (tfjs) return tfjs;
      this.problem(`tfjs has no \`${value}\` initializer.`, layerRange, 'warning');
      return value;
    }
    if (/Regularizer$/.test(key)) {
      const tfjs = tfjsRegularizer(value);
      if (!tfjs) {
        this.problem(`tfjs has no \`${value}\` regularizer.`, layerRange, 'warning');
        return value;
      }
      // Keras' string regularizers use factor 0.01.
      return { $call: `regularizers.${tfjs}`, args: [tfjs === 'l1l2' ? { l1: 0.01, l2: 0.01 } : { [tfjs]: 0.01 }] };
    }
    if (/Constraint$/.test(key)) return tfjsConstraint(value) ?? value;
    return tfjsEnumValue(key, value);
  }

  /** Keyword/positional arguments of a factory as one tfjs config object (camelCase keys). */
  private factoryConfig(positional: readonly string[], args: Args, site: SyntaxNode, renames: Readonly<Record<string, string>> = {}): ConfigObject {
    const config: Record<string, ConfigValue> = {};
    const at = rangeOf(site);
    const put = (name: string, arg: Arg): void => {
      const key = renames[name] ?? camelCase(name);
      config[key] = this.toConfig(key, arg.value, arg.valueRange ?? at, at);
    };
    args.positional.forEach((arg, i) => {
      const name = positional[i];
      if (name) put(name, arg);
    });
    for (const [name, arg] of args.keywords) put(name, arg);
    return config;
  }

  private initializer(name: string, args: Args, site: SyntaxNode): Value {
    const tfjs = tfjsInitializer(name);
    if (!tfjs) {
      this.problem(`tfjs has no \`${name}\` initializer.`, rangeOf(site), 'warning');
      return new Unknown(this.t(site), `tfjs has no \`${name}\` initializer`);
    }
    if (tfjs === 'zeros' || tfjs === 'ones') return new ConfigResult('initializer', { $call: `initializers.${tfjs}`, args: [] });
    const positional: Record<string, readonly string[]> = {
      constant: ['value'], randomNormal: ['mean', 'stddev', 'seed'], truncatedNormal: ['mean', 'stddev', 'seed'],
      randomUniform: ['minval', 'maxval', 'seed'], varianceScaling: ['scale', 'mode', 'distribution', 'seed'],
      orthogonal: ['gain', 'seed'], identity: ['gain'],
    };
    const config = this.factoryConfig(positional[tfjs] ?? ['seed'], args, site);
    // Keras' Constant() defaults to 0; tfjs' constant has no default.
    if (tfjs === 'constant' && !('value' in config)) return new ConfigResult('initializer', { $call: 'initializers.constant', args: [{ ...config, value: 0 }] });
    return new ConfigResult('initializer', { $call: `initializers.${tfjs}`, args: [config] });
  }

  private regularizer(name: string, args: Args, site: SyntaxNode): Value {
    const tfjs = tfjsRegularizer(name);
    if (!tfjs) return new Unknown(this.t(site), `tfjs has no \`${name}\` regularizer`);
    const config = { ...this.factoryConfig(tfjs === 'l1l2' ? ['l1', 'l2'] : [tfjs], args, site) };
    // Keras' defaults: 0.01 for l1/l2 and the `l1_l2` function, 0 for the `L1L2` class; tfjs' differ.
    const fallback = name === 'L1L2' ? 0 : 0.01;
    for (const k of tfjs === 'l1l2' ? ['l1', 'l2'] : [tfjs]) if (!(k in config)) config[k] = fallback;
    return new ConfigResult('regularizer', { $call: `regularizers.${tfjs}`, args: [config] });
  }

  private constraint(name: string, args: Args, site: SyntaxNode): Value {
    const tfjs = tfjsConstraint(name);
    if (!tfjs) return new Unknown(this.t(site), `tfjs has no \`${name}\` constraint`);
    if (tfjs === 'nonNeg') return new ConfigResult('constraint', { $call: 'constraints.nonNeg', args: [] });
    const positional: Record<string, readonly string[]> = { maxNorm: ['max_value', 'axis'], unitNorm: ['axis'], minMaxNorm: ['min_value', 'max_value', 'rate', 'axis'] };
    return new ConfigResult('constraint', { $call: `constraints.${tfjs}`, args: [this.factoryConfig(positional[tfjs] ?? [], args, site)] });
  }

  /**
   * `optimizers.SGD(learning_rate=0.01, clipnorm=1.0)` -> `train.sgd(0.01)`, clipped. An optimizer
   * tfjs lacks trains as the nearest one (NEAREST_OPTIMIZER) and says so; a TF1 optimizer
   * (`tf1`: its full dotted name) reads TF1's parameter names. A parameter whose value is unknown
   * takes Keras' documented default and says so: it decides no layer, so it never blocks a run.
   */
  private optimizer(path: readonly string[], args: Args, site: SyntaxNode, tf1?: string): Value {
    const name = path[path.length - 1]!;
    if (path.includes('schedules')) return new Unknown(this.t(site), 'learning-rate schedules are not evaluated');
    let key = name.toLowerCase();
    const given = new Map<string, Arg>();
    for (const [k, arg] of args.keywords) given.set(k === 'lr' ? 'learning_rate' : tf1 ? TF1_PARAM_NAMES[k] ?? (key === 'rmsprop' && k === 'decay' ? 'rho' : k) : k, arg);
    if (key === 'sgd_momentum') {
      // TF1 MomentumOptimizer(learning_rate, momentum): SGD with momentum.
      key = 'sgd';
      if (args.positional[1] && !given.has('momentum')) given.set('momentum', args.positional[1]);
      if (args.positional[0] && !given.has('learning_rate')) given.set('learning_rate', args.positional[0]);
    }
    const nearest = OPTIMIZERS[key] ? undefined : NEAREST_OPTIMIZER[key] ?? 'adam';
    const spec = OPTIMIZERS[nearest ?? key]!;
    const title = OPTIMIZER_TITLES[nearest ?? key] ?? key;
    if (tf1) this.problem(`TF1 optimizer \`${tf1.split('.').pop()}\` trains as tfjs' ${title} with the same parameters.`, rangeOf(site), 'info');
    else if (nearest) this.problem(`tfjs has no \`${name}\` optimizer; training uses ${title}, the nearest tfjs optimizer, with the same learning rate.`, rangeOf(site), 'info');
    args.positional.forEach((arg, i) => {
      const param = spec.params[i];
      if (param && !given.has(param[0])) given.set(param[0], arg);
    });
    const value = (pyName: string, fallback: number | boolean): ConfigValue => {
      const arg = given.get(pyName);
      if (!arg) return fallback;
      if (arg.value instanceof Unknown) {
        const what = pyName === 'learning_rate' ? 'learning rate' : `\`${pyName}\``;
        const fill = arg.value.hole ? ` (give \`${arg.value.hole}\` a value to use it)` : '';
        this.problem(`${title} ${what} \`${arg.value.text}\` is unknown: used ${String(fallback)}, ${title}'s default${fill}.`, arg.valueRange ?? rangeOf(site), 'info');
        return fallback;
      }
      return this.toConfig(pyName, arg.value, arg.valueRange ?? rangeOf(site), rangeOf(site));
    };
    let call: ConfigValue;
    const momentum = given.get('momentum');
    if (spec.factory === 'sgd' && momentum && momentum.value !== 0) {
      // tfjs' plain sgd has no momentum: its momentum optimizer is the twin.
      const nesterov = given.get('nesterov');
      call = { $call: 'train.momentum', args: [value('learning_rate', 0.01), value('momentum', 0.9), ...(nesterov ? [value('nesterov', false)] : [])] };
    } else {
      // Positional tfjs arguments up to the last one written (the rate always: tfjs needs it).
      let lastGiven = 0;
      spec.params.forEach(([p], i) => { if (given.has(p)) lastGiven = i; });
      call = { $call: `train.${spec.factory}`, args: spec.params.slice(0, lastGiven + 1).map(([p, d]) => value(p, d)) };
    }
    if (given.has('clipvalue')) this.problem('`clipvalue` is not supported; only `clipnorm` is applied when training.', given.get('clipvalue')!.property ?? rangeOf(site), 'info');
    const clip = given.get('clipnorm') ?? given.get('global_clipnorm');
    // Keras applies clipnorm only when it is positive (clipnorm=0.0 means no clipping).
    if (clip && !(clip.value instanceof Unknown) && !(typeof clip.value === 'number' && clip.value <= 0)) {
      const norm = this.toConfig('clipnorm', clip.value, clip.valueRange ?? rangeOf(site), rangeOf(site));
      call = { $call: CLIPPED_OPTIMIZER_CALL, args: [call, norm] };
    }
    return new ConfigResult('optimizer', call);
  }

  private compileRecord(args: Args, site: SyntaxNode): CompileRecord {
    const names = ['optimizer', 'loss', 'metrics'];
    const found = new Map<string, Arg>();
    args.positional.forEach((arg, i) => { if (names[i]) found.set(names[i]!, arg); });
    for (const name of names) if (args.keywords.has(name)) found.set(name, args.keywords.get(name)!);
    const configRanges: Record<string, PropertyRange> = {};
    const result: { optimizer?: ConfigValue; loss?: ConfigValue; metrics?: ConfigValue } = {};
    for (const [name, arg] of found) {
      if (arg.property && arg.valueRange) configRanges[name] = { property: arg.property, value: arg.valueRange };
      const at = arg.valueRange ?? rangeOf(site);
      if (name === 'optimizer') result.optimizer = this.compileOptimizer(arg.value, at);
      else if (name === 'loss') result.loss = this.compileLoss(arg.value, at);
      else result.metrics = this.compileMetrics(arg.value, at);
    }
    return { range: rangeOf(site), configRanges, ...(args.list ? { configRange: rangeOf(args.list) } : {}), ...result };
  }

  private compileOptimizer(value: Value, at: SourceRange): ConfigValue {
    if (typeof value === 'string') {
      const lower = value.toLowerCase();
      if (OPTIMIZER_NAMES.has(lower)) return lower;
      const nearest = NEAREST_OPTIMIZER[lower] ?? 'adam';
      this.problem(`tfjs has no \`${value}\` optimizer; training uses ${OPTIMIZER_TITLES[nearest]}, the nearest tfjs optimizer, with Keras' default learning rate.`, at, 'info');
      return nearest;
    }
    if (value instanceof ConfigResult && value.kind === 'optimizer') return value.value;
    if (value instanceof Unknown || value === null) {
      // The optimizer decides no layer: Keras' own default (`compile(optimizer='rmsprop')`) stands in.
      const hole = value instanceof Unknown && value.hole ? ` (give \`${value.hole}\` a value to use it)` : '';
      this.problem(`The optimizer \`${value instanceof Unknown ? value.text : 'None'}\` is unknown: used RMSprop, Keras' default for \`compile\`${hole}.`, at, 'info');
      return 'rmsprop';
    }
    return this.toConfig('optimizer', value, at, at);
  }

  private compileLoss(value: Value, at: SourceRange): ConfigValue {
    if (typeof value === 'string') {
      const loss = tfjsLoss(value);
      if (loss) return loss;
      this.problem(`tfjs has no \`${value}\` loss; training uses mean squared error instead.`, at, 'warning');
      return value;
    }
    if (Array.isArray(value)) return value.map((v) => this.compileLoss(v, at));
    if (value instanceof PyDict) return [...value.items.values()].map((v) => this.compileLoss(v, at));
    if (value instanceof ConfigResult) return value.value;
    if (value instanceof PyModule) {
      const path = kerasPath(value.path);
      const loss = path && path[0] === 'losses' ? tfjsLoss(path[path.length - 1]!) : undefined;
      if (loss) return loss;
    }
    if (value instanceof PyFunction) {
      this.problem(`Custom loss \`${value.name}\` is not evaluated; training uses mean squared error instead.`, at, 'warning');
      return { $unknown: value.name, reason: 'custom loss functions are not evaluated' };
    }
    return this.toConfig('loss', value, at, at);
  }

  private compileMetrics(value: Value, at: SourceRange): ConfigValue {
    if (typeof value === 'string') return tfjsMetric(value);
    if (Array.isArray(value)) return value.map((v) => this.compileMetrics(v, at));
    if (value instanceof ConfigResult) return value.value;
    if (value instanceof PyModule) return tfjsMetric(value.path[value.path.length - 1]!);
    if (value instanceof Unknown) return { $unknown: value.text, reason: value.reason };
    return { $unknown: describe(value), reason: 'not a metric the parser knows' };
  }

  /** Where an annotation for the model at `range` goes: above its top-level statement. */
  annotationSite(range: SourceRange, template?: SyntaxNode): AnnotationSite | undefined {
    const statement = template ?? (this.top ? kids(this.top).find((n) => n.from <= range.start && range.end <= n.to) : undefined);
    if (!statement) return undefined;
    const lineStart = this.text.lastIndexOf('\n', statement.from - 1) + 1;
    const indent = /^[ \t]*/.exec(this.text.slice(lineStart, statement.from))![0];
    const existing = this.annotationAbove(statement);
    return { lineStart, indent, ...(existing ? { existing: existing.range } : {}) };
  }

  // ----- templates

  /**
   * Functions nobody in the file calls are run once with unknown parameters (defaults and
   * fills applied), so the models they build are found too. A string parameter compared with
   * literals (`if kind == "cnn":`) is run once per literal: one model per branch.
   */
  private runTemplates(top: SyntaxNode): void {
    const candidates: { fn: PyFunction; statement: SyntaxNode }[] = [];
    for (const statement of kids(top)) {
      const def = statement.name === 'DecoratedStatement' ? kids(statement).find((n) => n.name === 'FunctionDefinition') : statement.name === 'FunctionDefinition' ? statement : undefined;
      if (!def) continue;
      const name = kids(def).find((n) => n.name === 'VariableName');
      const fn = name ? this.moduleScope.lookup(this.t(name))?.value : undefined;
      if (fn instanceof PyFunction && fn.node.from === def.from) candidates.push({ fn, statement });
    }
    for (const { fn, statement } of candidates) {
      if (this.calledFunctions.has(fn.node.from)) continue;
      const given = new Map<string, Value>(this.fileFills);
      const own = Object.entries(this.options.setFor?.[fn.name] ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
      if (own) for (const [k, v] of this.parseFills(own, { start: 0, end: 0 })) given.set(k, v);
      const annotation = this.annotationAbove(statement);
      if (annotation) for (const [k, v] of this.parseFills(annotation.entries, annotation.range)) given.set(k, v);
      const branchParam = fn.params.find((p) => p.kind === 'normal' && !given.has(p.name) && this.stringCases(fn, p.name).length > 0);
      const branches = branchParam ? this.stringCases(fn, branchParam.name) : [undefined];
      for (const branch of branches) {
        const runGiven = new Map(given);
        if (branchParam && branch !== undefined) runGiven.set(branchParam.name, branch);
        this.runTemplate(fn, statement, runGiven, branch);
      }
    }
    // A template another template calls (a helper that builds the model) is better read
    // from its caller, with arguments bound: drop its own run.
    for (const run of this.templateRuns) {
      if (!this.templateRuns.some((other) => other !== run && other.models.length && other.called.has(run.def.from))) continue;
      const dropped = new Set<ModelValue>(run.models);
      const kept = this.models.filter((m) => !dropped.has(m));
      this.models.splice(0, this.models.length, ...kept);
    }
  }

  private runTemplate(fn: PyFunction, statement: SyntaxNode, given: Map<string, Value>, branch: string | undefined): void {
    const modelsBefore = this.models.length;
    const problemsBefore = this.problems.length;
    const called = new Set<number>();
    this.callsOfRun = called;
    this.templateFills = given;
    try {
      this.guarded(() => this.callFunction(fn, { positional: [], keywords: new Map() }, fn.node, { given }));
    } finally {
      this.callsOfRun = undefined;
      this.templateFills = undefined;
    }
    called.delete(fn.node.from);
    const models = this.models.slice(modelsBefore);
    // A function that builds no model was not model code: its problems are noise.
    if (models.length === 0) this.dropProblemsFrom(problemsBefore);
    for (const model of models) model.template = { fn: fn.name, ...(branch !== undefined ? { branch } : {}), def: statement };
    this.templateRuns.push({ def: fn.node, fn: fn.name, models, called });
  }

  /** String literals a parameter is compared with (`p == "cnn"`, `"cnn" in p`), in order. */
  private stringCases(fn: PyFunction, param: string): string[] {
    const cases: string[] = [];
    const body = kids(fn.node).find((n) => n.name === 'Body');
    if (!body) return cases;
    const cursor = body.cursor();
    do {
      if (cursor.name !== 'BinaryExpression') continue;
      const parts = kids(cursor.node);
      if (parts.length !== 3) continue;
      const [a, op, b] = parts as [SyntaxNode, SyntaxNode, SyntaxNode];
      const opText = this.t(op);
      let literal: SyntaxNode | undefined;
      if (opText === '==' && a.name === 'VariableName' && this.t(a) === param && b.name === 'String') literal = b;
      else if (opText === '==' && b.name === 'VariableName' && this.t(b) === param && a.name === 'String') literal = a;
      else if (opText === 'in' && b.name === 'VariableName' && this.t(b) === param && a.name === 'String') literal = a;
      if (literal) {
        const value = pyString(this.t(literal));
        if (!cases.includes(value)) cases.push(value);
      }
    } while (cursor.next());
    return cases;
  }

  // ----- builtins

  private installBuiltins(): void {
    const b = (name: string, fn: BuiltinFn): void => void this.builtins.set(name, new Builtin(name, fn));
    const unknown = (site: SyntaxNode, reason: string): Unknown => new Unknown(this.t(site), reason);
    b('range', (args, _kw, site) => {
      if (!args.every((a) => typeof a === 'number') || args.length === 0 || args.length > 3) {
        const culprit = args.find((a): a is Unknown => a instanceof Unknown);
        return new Unknown(this.t(site), culprit ? culprit.reason : 'arguments are not constants', culprit?.hole);
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
        const name = this.t(site).replace(/\s+/g, '');
        if (!this.holeRanges.has(name)) this.holeRanges.set(name, { start: site.from, end: site.to });
        return this.fillFor(name)?.value ?? new Unknown(this.t(site), a.reason, name);
      }
      return unknown(site, 'length of a value that is not a list');
    });
    const numeric = (convert: (n: number) => number) => (args: Value[], _kw: Map<string, Value>, site: SyntaxNode): Value => {
      const a = args[0];
      if (typeof a === 'number' || typeof a === 'boolean') return convert(Number(a));
      if (typeof a === 'string' && a.trim() !== '' && !Number.isNaN(Number(a))) return convert(Number(a));
      return a instanceof Unknown ? new Unknown(this.t(site), a.reason, a.hole) : unknown(site, 'argument is not a number');
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
      return a instanceof Unknown ? new Unknown(this.t(site), a.reason, a.hole) : unknown(site, 'argument is not a list');
    };
    b('list', listOf);
    b('tuple', listOf);
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
    b('print', () => null);
    b('isinstance', (_args, _kw, site) => unknown(site, 'types are not evaluated'));
  }
}
