/**
 * The interpreter's state and the services every layer uses: problems with ranges, the step
 * budget, limits. The interpreter is one object built in layers, each a class extending the
 * one before, each file one concern:
 *   state -> statements -> expressions -> builtins -> calls -> tfjsModels -> fills -> builders
 *   -> Interpreter (../interpreter.ts: the file's top level, imports, exports).
 * A layer calls a later layer's methods through the abstract declarations at the end of this
 * class (each says where it is defined), so files import only the layer below: no cycles.
 */
import type * as TS from 'typescript';
import type { FlowRole } from '../../frontend/flowHoles';
import { ProblemLog } from '../../frontend/problems';
import type { ConfigValue, ParseProblem, SourceRange } from '../../ir';
import { EvaluationBudget, layerLimitMessage, lengthProblem, PARSE_LIMITS, ParseLimitError, sizeProblem } from '../../limits';
import type { ModuleLoader } from '../modules';
import {
  type ClassValue,
  type CustomLayerClass,
  type FunctionValue,
  type LayerValue,
  type ModelValue,
  type Namespace,
  type ObjectValue,
  Scope,
  type SequentialModel,
  Unknown,
  type Value,
} from '../values';
import { comparedChains, stringComparisons } from './stringCases';
import { nodeStart } from '../boundedSyntax';

/** A loop stops after this many iterations, with a problem (no model has that many layers). */
export const MAX_LOOP_ITERATIONS = 10_000;
/** A loop that has built no model part by this iteration is cut here (it can only compute constants). */
export const MAX_IDLE_LOOP_ITERATIONS = 1_000;
/** Total evaluation steps per file; keeps pathological input linear and bounded. */
export const MAX_STEPS = 2_000_000;
/** Calls nest at most this deep (recursion is cut with a problem). */
export const MAX_CALL_DEPTH = 64;

/** How a statement ended: normally (undefined), or by `break`, `continue`, `return` (`throw` too). */
export type Completion =
  | undefined
  | { readonly kind: 'break'; readonly label?: string }
  | { readonly kind: 'continue'; readonly label?: string }
  | { readonly kind: 'return'; readonly value: Value };

/** An unknown that decided control flow (a loop bound, a condition) while a model was built. */
export interface FlowHole {
  readonly name: string;
  readonly range: SourceRange;
  readonly role: FlowRole;
  /** The models being built when it was met: those of the template run, else the latest. */
  readonly models: readonly ModelValue[];
  /** The name a condition compares with string literals (`modelType` in `modelType === 'cnn'`), when it does. */
  readonly subject?: string;
  /** The string literals that subject is compared with there, in source order. */
  readonly strings?: readonly string[];
}

/** A value the parser did not know and did not need to block on: what it used instead, and why. */
export interface Assumption {
  readonly name: string;
  /** Source text of the value used. */
  readonly value: string;
  readonly message: string;
  readonly range: SourceRange;
  readonly models: readonly ModelValue[];
}

/** One `name=value` of an annotation or `--set`, parsed; `file` is the text it was parsed from. */
export interface AnnotationEntry {
  readonly name: string;
  readonly expression: TS.Expression;
  readonly file: TS.SourceFile;
}

export interface InterpreterResult {
  readonly models: ModelValue[];
  readonly problems: ParseProblem[];
}

export abstract class InterpreterState {
  private readonly problemLog = new ProblemLog((message, range) => `${range.start}:${range.end}:${message}`);
  protected readonly problems: ParseProblem[] = this.problemLog.items;
  readonly models: ModelValue[] = [];
  /** This reading's steps; inside the file's budget when the parser shares one (`useBudget`). */
  budget = new EvaluationBudget(MAX_STEPS);
  /** True when a step or time budget ended the reading (its models may be partial). */
  stopped = false;
  /** True when a top-level statement used up the reading's steps (the rest was read on a reserve): no extra readings. */
  stepLimited = false;
  protected callDepth = 0;
  /** Nested `eval`s right now (expression depth across calls); bounded so the stack is. */
  protected evalDepth = 0;
  /** Layers made in this file: bounded, so nested loops of layers stay small. */
  protected layersMade = 0;
  protected readonly overLimit = new WeakSet<ModelValue>();
  /** The statement being executed: where a budget that runs out is reported. */
  protected at: TS.Node | undefined;
  protected nodeOrder = 0;
  /** Loop counters of the loops (and `.map` callbacks) currently running, outermost first. */
  protected readonly iterations: number[] = [];
  protected readonly calledFunctions = new Set<TS.Node>();
  /**
   * Functions handed to code outside the file by storing them (`window.onload = async () => {...}`,
   * `self.createModel = (...) => {...}` in a worker, `<button onClick={train}>`): the browser or
   * the importer calls them, so they run as templates once the file's statements have run.
   */
  protected readonly escapedFunctions: { fn: FunctionValue; name: string }[] = [];
  /**
   * What the file stores on objects it does not define (`self.model = tf.sequential()` in a
   * worker, `window.net = ...`), by access chain, so `self.model.add(...)` reads it back.
   * Only models, layers, functions and objects: a stored flag would decide branches run in
   * an order the browser may not follow.
   */
  protected readonly storedOnUnknown = new Map<string, Value>();
  protected templateName: string | undefined;
  /** The function a template run started from (`buildModel` for the run labelled `buildModel[cnn]`). */
  protected builderName: string | undefined;
  /** Values given from outside for one builder function's runs only (remembered per model). */
  presetsFor: Readonly<Record<string, Readonly<Record<string, string>>>> = {};
  protected templateHolder: SourceRange | undefined;
  protected readonly appliedLayers = new WeakSet<LayerValue>();
  /** Functions called during the template run in progress. */
  protected callsOfRun: Set<TS.Node> | undefined;
  /** Counts layers, inputs and models built so far; control-flow problems matter only where it moves. */
  protected modelWork = 0;
  protected readonly globals = new Scope();

  /** Values for template parameters, by name, while a template runs (annotations, `--set`). */
  protected templateValues: Map<string, Value> | undefined;
  /** Told of every call of a function another file exports (call sites of its builders). */
  /**
   * Command-line options declared with string `choices` (`addArgument('--modelType', {choices:
   * [...], defaultValue})`), in declaration order: a run per choice reads the other architectures.
   */
  readonly argumentChoices: { readonly dest: string; readonly choices: readonly string[]; readonly defaultValue: Value }[] = [];
  /** `throw` statements executed so far: a run with a string no literal is that throws was rejected by the code. */
  thrown = 0;
  /** Values that replace declared argparse defaults, by destination (one run per choice). */
  argumentOverrides?: ReadonlyMap<string, Value>;
  /**
   * argparse options with a constant default (`addArgument('--units', {defaultValue: 64})`), in
   * declaration order: `node script.js` builds with these, so a model they decide says so.
   */
  readonly argumentDefaults: { readonly dest: string; readonly flag: string; readonly value: string | number | boolean; readonly range: SourceRange }[] = [];
  onForeignCall?: (callee: { readonly file: string; readonly name: string }, args: readonly Value[], site: TS.Node) => void;
  /** Calls of this file's builder functions found in other files: argument lists by function name. */
  callSites: Readonly<Record<string, readonly (readonly ConfigValue[])[]>> = {};
  /** Control-flow holes met so far; toGraph attaches them to the models they shaped. */
  readonly flowHoles: FlowHole[] = [];
  private readonly flowHoleKeys = new Set<string>();
  /** Models there were when the top-level statement being read began (`maxModelValues` counts from it). */
  protected statementModels = 0;

  /** Takes back the flow holes from `from` on (a run redone per branch notes them again). */
  protected dropFlowHoles(from: number): void {
    this.flowHoles.splice(from);
    this.flowHoleKeys.clear();
  }
  /** Unknowns that decide no layer, read with a documented value (a run guard as true). */
  readonly assumptions: Assumption[] = [];
  /** Names compared with string literals anywhere in the file (`kind === 'lstm'`, `case 'gru':`), by access chain. */
  protected stringCases: Map<string, string[]> | undefined;
  /** The base class a constructor's `super(...)` constructs, by constructor. */
  protected readonly superTargets = new Map<TS.Node, ClassValue | undefined>();
  /** The page next to the file, read once (`''` when there is none). */
  protected page: string | undefined;
  /** How many flow holes the file's top-level statements met (those before the template runs). */
  protected topLevelFlowHoles = 0;
  /** File-wide fills by name (`--set`, top-level annotations); `value` once evaluated. */
  protected readonly fileFills = new Map<string, { entry: AnnotationEntry; value?: Value }>();
  protected moduleScope: Scope | undefined;

  constructor(
    protected readonly ts: typeof TS,
    /** The file being read; briefly an annotation's text while its values are evaluated. */
    protected file: TS.SourceFile,
    protected readonly modules?: ModuleLoader,
    /** `name=value` pairs given from outside (the CLI's `--set`), for every template. */
    protected readonly presets: Readonly<Record<string, string>> = {},
  ) {}

  /** The problems reported so far (the same objects `run` returns). */
  problemsOf(): readonly ParseProblem[] {
    return this.problems;
  }

  rangeOf(node: TS.Node): SourceRange {
    return { start: nodeStart(node, this.file), end: node.getEnd() };
  }

  protected text(node: TS.Node): string {
    // Only a prefix is read: nested nodes of a long line would make this quadratic.
    const start = nodeStart(node, this.file);
    const text = this.file.text.slice(start, Math.min(node.getEnd(), start + 200)).replace(/\s+/g, ' ');
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  }

  /** `leftOut`: a model or a layer the code builds is not read here (ParseProblem.leftOut). */
  problem(message: string, at: TS.Node | SourceRange, severity: ParseProblem['severity'] = 'warning', leftOut = false): void {
    const range = 'kind' in at ? this.rangeOf(at) : at;
    this.problemLog.add(message, range, severity, leftOut);
  }

  /** A problem about control flow, reported only if the construct built model parts (else it is noise). */
  protected flowProblem(workBefore: number, message: string, at: TS.Node, value?: Value, role?: FlowHole['role']): void {
    if (this.modelWork === workBefore) return;
    this.problem(message, at, 'warning');
    // The unknown decides how the model is built: a hole of the models being built now.
    if (!(value instanceof Unknown) || !value.hole || !role) return;
    const models = this.templateName ? this.models.filter((m) => m.template === this.templateName) : this.models.slice(-1);
    // The same hole at the same construct for the same models is noted once: a recursive helper
    // meets it at every call, and each note walks the construct (the fuzz benchmark found one
    // such file growing to 4 GB).
    const key = `${value.hole.name}:${at.pos}:${role}:${models.map((m) => this.models.indexOf(m)).join(',')}`;
    if (this.flowHoleKeys.has(key)) return;
    this.flowHoleKeys.add(key);
    const subject = role === 'condition' ? comparedChains(this.ts, this.file, at)[0] : undefined;
    const strings = subject ? stringComparisons(this.ts, this.file, at).get(subject) : undefined;
    this.flowHoles.push({ ...value.hole, role, models, ...(subject ? { subject } : {}), ...(strings?.length ? { strings } : {}) });
  }

  /** One evaluation step (`cost` for work proportional to a value's size). */
  protected tick(cost = 1): void {
    this.budget.tick(cost);
  }

  /**
   * Runs `body`; a per-statement limit (too many layers, an expression too deep for the stack)
   * becomes a problem at its line and the reading goes on after it.
   */
  protected guarded<T>(body: () => T): T | undefined {
    try {
      return body();
    } catch (error) {
      if (error instanceof ParseLimitError) {
        this.problem(error.message, error.range ?? (this.at ? this.rangeOf(this.at) : { start: 0, end: 0 }), 'warning');
        return undefined;
      }
      if (error instanceof RangeError && /call stack/i.test(error.message)) {
        const at = this.at ? this.rangeOf(this.at) : { start: 0, end: 0 };
        this.problem('This code nests too deeply for Gradient Lens to read (calls within calls); it was skipped, the rest of the file is still read.', at, 'warning');
        return undefined;
      }
      throw error;
    }
  }

  /** A string or list over the size limits is refused with a problem at `site`. */
  protected tooBig(value: Value, site: TS.Node): Unknown | undefined {
    const message = sizeProblem(value);
    if (!message) return undefined;
    this.problem(message, site, 'warning');
    return new Unknown(this.text(site), 'it is too large to read');
  }

  protected tooLong(kind: 'string' | 'list', length: number, site: TS.Node): Unknown | undefined {
    const message = lengthProblem(kind, length);
    if (!message) return undefined;
    this.problem(message, site, 'warning');
    return new Unknown(this.text(site), 'it is too large to read');
  }

  /** A layer is being made at `site`: bounded per file (nested loops of layers). */
  protected countLayer(site: TS.Node): void {
    if (++this.layersMade > PARSE_LIMITS.maxLayersPerModel * 4) throw new ParseLimitError(layerLimitMessage(), this.rangeOf(site), 'statement');
  }

  /** Runs `body`; when it builds no model, it was not model code and its problems are dropped. */
  protected speculate(body: () => void): { models: ModelValue[]; problems: ParseProblem[] } {
    const modelsBefore = this.models.length;
    const problemsBefore = this.problems.length;
    this.guarded(body);
    const models = this.models.slice(modelsBefore);
    const problems = this.problems.slice(problemsBefore);
    if (!models.length) this.dropProblems(problems);
    return { models, problems };
  }

  protected dropProblems(problems: readonly ParseProblem[]): void {
    this.problemLog.drop(problems);
  }

  // Defined by later layers (the file named), called from earlier ones.
  /** Defined in `expressions.ts`. */
  abstract eval(node: TS.Expression, scope: Scope): Value;
  /** Defined in `expressions.ts`. */
  abstract member(object: Value, key: string, site: TS.Node): Value;
  /** Defined in `expressions.ts`. */
  protected abstract propertyName(name: TS.PropertyName, scope: Scope): string | undefined;
  /** Defined in `builtins.ts`. */
  protected abstract installGlobals(): void;
  /** Defined in `calls.ts`. */
  protected abstract evalCall(node: TS.CallExpression, scope: Scope): Value;
  /** Defined in `calls.ts`. */
  abstract callValue(callee: Value, args: readonly Value[], site: TS.Node, thisValue: Value): Value;
  /** Defined in `calls.ts`. */
  protected abstract construct(cls: ClassValue, args: readonly Value[], site: TS.Node, instance?: ObjectValue, install?: boolean): ObjectValue;
  /** Defined in `calls.ts`. */
  protected abstract classValue(node: TS.ClassLikeDeclaration, name: string, scope: Scope): ClassValue;
  /** Defined in `calls.ts`. */
  protected abstract customLayerClass(node: TS.ClassDeclaration, scope: Scope): CustomLayerClass | undefined;
  /** Defined in `tfjsModels.ts`. */
  protected abstract callTf(callee: Namespace, args: readonly Value[], site: TS.Node): Value;
  /** Defined in `tfjsModels.ts`. */
  protected abstract compileModel(model: ModelValue, config: Value, site: TS.Node): void;
  /** Defined in `tfjsModels.ts`. */
  protected abstract applyLayer(layer: LayerValue, args: readonly Value[], site: TS.Node): Value;
  /** Defined in `tfjsModels.ts`. */
  protected abstract applyModel(model: ModelValue, args: readonly Value[], site: TS.Node): Value;
  /** Defined in `tfjsModels.ts`. */
  protected abstract addModelAsLayers(outer: SequentialModel, inner: ModelValue, site: TS.Node): void;
  /** Defined in `fills.ts`. */
  protected abstract fillFor(chain: string): { found: true; value: Value } | { found: false };

  protected abstract firstSequentialLayer(layer: LayerValue): LayerValue;
  /** Defined in `fills.ts`. */
  protected abstract jsDocDefault(declaration: TS.Node, name: string): { expression: TS.Expression; file: TS.SourceFile } | undefined;
  /** Defined in `fills.ts`. */
  protected abstract evalForeign(expression: TS.Expression, file: TS.SourceFile, scope: Scope): Value;
  /** Defined in `builders.ts`. */
  protected abstract runCallbacks(args: readonly Value[]): void;
}
