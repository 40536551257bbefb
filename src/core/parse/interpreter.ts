/**
 * Runs a file's model-building code symbolically, without executing it: constants are
 * evaluated, tfjs calls build layers, tensors and models, everything else is `Unknown`.
 * It never throws on user code; what it cannot resolve becomes a problem with a range.
 */
import type * as TS from 'typescript';
import { CLIP_HELPER_NAME, CLIPPED_OPTIMIZER_CALL, type ConfigValue, type ParseProblem, type SourceRange } from '../ir';
import { HOLE_NAME } from '../holes';
import { RefusedImport, type ModuleLoader } from './modules';
import { isCutPlaceholder } from './boundedSyntax';
import { BudgetExceeded, Deadline, EvaluationBudget, layerLimitMessage, lengthProblem, PARSE_LIMITS, ParseLimitError, sizeProblem, timeLimitMessage } from '../limits';
import { LAYER_FACTORIES, MERGE_LAYERS, TFJS_MODULES } from './tfjsApi';
import {
  ArgParserValue,
  ClassValue,
  CustomLayerClass,
  FactoryCall,
  FunctionalModel,
  FunctionValue,
  fromConfigValue,
  functionalNodes,
  type GraphNode,
  isModel,
  LayerValue,
  type ModelValue,
  Namespace,
  NativeFunction,
  ObjectValue,
  RegExpValue,
  Scope,
  SequentialModel,
  TensorValue,
  Unknown,
  type Value,
} from './values';

/** A loop stops after this many iterations, with a problem (no model has that many layers). */
export const MAX_LOOP_ITERATIONS = 10_000;
/** A loop that has built no model part by this iteration is cut here (it can only compute constants). */
export const MAX_IDLE_LOOP_ITERATIONS = 1_000;
/** Total evaluation steps per file; keeps pathological input linear and bounded. */
export const MAX_STEPS = 2_000_000;
const MAX_CALL_DEPTH = 64;

/** Node kinds that only read a value (no copy): reading a big list costs no extra steps. */
const READS = new Set<number>();

type Completion =
  | undefined
  | { readonly kind: 'break'; readonly label?: string }
  | { readonly kind: 'continue'; readonly label?: string }
  | { readonly kind: 'return'; readonly value: Value };

/** The annotation comment: `// gradient-lens: name=value, ...` (or inside a block comment). */
export const ANNOTATION = /^[ \t]*(?:\/\/+|\/\*+|\*)[ \t]*gradient-lens:[ \t]*([^\n]*?)[ \t]*(\*\/)?$/m;

/** An unknown that decided control flow (a loop bound, a condition) while a model was built. */
export interface FlowHole {
  readonly name: string;
  readonly range: SourceRange;
  readonly role: 'repeat count' | 'condition' | 'layer sizes';
  /** The models being built when it was met: those of the template run, else the latest. */
  readonly models: readonly ModelValue[];
  /** The name a condition compares with string literals (`modelType` in `modelType === 'cnn'`), when it does. */
  readonly subject?: string;
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

interface AnnotationEntry {
  readonly name: string;
  readonly expression: TS.Expression;
  readonly file: TS.SourceFile;
}

export interface InterpreterResult {
  readonly models: ModelValue[];
  readonly problems: ParseProblem[];
}

export class Interpreter {
  private readonly problems: ParseProblem[] = [];
  private readonly problemKeys = new Set<string>();
  readonly models: ModelValue[] = [];
  private readonly budget = new EvaluationBudget(MAX_STEPS);
  private callDepth = 0;
  /** Nested `eval`s right now (expression depth across calls); bounded so the stack is. */
  private evalDepth = 0;
  /** Layers made in this file: bounded, so nested loops of layers stay small. */
  private layersMade = 0;
  private readonly overLimit = new WeakSet<ModelValue>();
  /** The statement being executed: where a budget that runs out is reported. */
  private at: TS.Node | undefined;
  private nodeOrder = 0;
  /** Loop counters of the loops (and `.map` callbacks) currently running, outermost first. */
  private readonly iterations: number[] = [];
  private readonly calledFunctions = new Set<TS.Node>();
  private templateName: string | undefined;
  /** The function a template run started from (`buildModel` for the run labelled `buildModel[cnn]`). */
  private builderName: string | undefined;
  /** Values given from outside for one builder function's runs only (remembered per model). */
  presetsFor: Readonly<Record<string, Readonly<Record<string, string>>>> = {};
  private templateHolder: SourceRange | undefined;
  private readonly appliedLayers = new WeakSet<LayerValue>();
  /** Functions called during the template run in progress. */
  private callsOfRun: Set<TS.Node> | undefined;
  /** Counts layers, inputs and models built so far; control-flow problems matter only where it moves. */
  private modelWork = 0;
  private readonly globals = new Scope();

  /** Values for template parameters, by name, while a template runs (annotations, `--set`). */
  private templateValues: Map<string, Value> | undefined;
  /** File-wide fills by name (`--set`, top-level annotations); `value` once evaluated. */
  /** Told of every call of a function another file exports (call sites of its builders). */
  onForeignCall?: (callee: { readonly file: string; readonly name: string }, args: readonly Value[], site: TS.Node) => void;
  /** Calls of this file's builder functions found in other files: argument lists by function name. */
  callSites: Readonly<Record<string, readonly (readonly ConfigValue[])[]>> = {};
  /** Control-flow holes met so far; toGraph attaches them to the models they shaped. */
  readonly flowHoles: FlowHole[] = [];
  /** Unknowns that decide no layer, read with a documented value (a run guard as true). */
  readonly assumptions: Assumption[] = [];
  /** Names compared with string literals anywhere in the file (`kind === 'lstm'`, `case 'gru':`), by access chain. */
  private stringCases: Map<string, string[]> | undefined;
  /** The base class a constructor's `super(...)` constructs, by constructor. */
  private readonly superTargets = new Map<TS.Node, ClassValue | undefined>();
  /** The page next to the file, read once (`''` when there is none). */
  private page: string | undefined;
  /** How many flow holes the file's top-level statements met (those before the template runs). */
  private topLevelFlowHoles = 0;
  private readonly fileFills = new Map<string, { entry: AnnotationEntry; value?: Value }>();
  private moduleScope: Scope | undefined;

  constructor(
    private readonly ts: typeof TS,
    /** The file being read; briefly an annotation's text while its values are evaluated. */
    private file: TS.SourceFile,
    private readonly modules?: ModuleLoader,
    /** `name=value` pairs given from outside (the CLI's `--set`), for every template. */
    private readonly presets: Readonly<Record<string, string>> = {},
  ) {
    this.installGlobals();
  }

  /**
   * Runs an imported file's top level and returns what it exports (ES `export`s and CommonJS
   * `module.exports` / `exports.x`). Only data is exported: see `shareable`.
   */
  runModule(): ObjectValue {
    const scope = new Scope(this.globals);
    const exports = new ObjectValue();
    const module = new ObjectValue();
    module.props.set('exports', exports);
    scope.declare('module', module);
    scope.declare('exports', exports);
    const ts = this.ts;
    try {
      this.bindImports(this.file.statements, scope);
      this.execBlock(this.file.statements, scope);
    } catch (error) {
      if (!(error instanceof BudgetExceeded)) throw error;
    }
    const result = new ObjectValue();
    const cjs = module.props.get('exports');
    if (cjs instanceof ObjectValue) for (const [k, v] of cjs.props) result.props.set(k, shareable(v, k, this.file.fileName));
    // `module.exports = createModel`: what `require` of this file returns is that value.
    else if (cjs !== undefined) result.props.set('default', shareable(cjs, 'default', this.file.fileName));
    const exported = (node: TS.Node): boolean =>
      ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false);
    for (const statement of this.file.statements) {
      if (ts.isVariableStatement(statement) && exported(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          for (const name of this.boundNames(declaration.name)) result.props.set(name, shareable(scope.lookup(name)?.value, name, this.file.fileName));
        }
      } else if ((ts.isEnumDeclaration(statement) || ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name && exported(statement)) {
        result.props.set(statement.name.text, shareable(scope.lookup(statement.name.text)?.value, statement.name.text, this.file.fileName));
      } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
        const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
        const source = from !== undefined ? this.importModule(from) : undefined;
        if (!statement.exportClause) {
          // `export * from './other'`
          if (source instanceof ObjectValue) for (const [k, v] of source.props) if (!result.props.has(k)) result.props.set(k, v);
        } else if (ts.isNamedExports(statement.exportClause)) {
          for (const element of statement.exportClause.elements) {
            const local = (element.propertyName ?? element.name).text;
            const value = source === undefined ? scope.lookup(local)?.value : source instanceof ObjectValue ? source.props.get(local) : source;
            result.props.set(element.name.text, shareable(value, element.name.text, this.file.fileName));
          }
        }
      } else if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
        result.props.set('default', shareable(this.eval(statement.expression, scope), 'default', this.file.fileName));
      }
    }
    return result;
  }

  private boundNames(name: TS.BindingName): string[] {
    const ts = this.ts;
    if (ts.isIdentifier(name)) return [name.text];
    return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : this.boundNames(e.name)));
  }

  /** The exports of a relative import, or an Unknown saying why not (not read, missing, cycle). */
  private importModule(specifier: string): ObjectValue | Unknown {
    if (!this.modules || !this.modules.isRelative(specifier)) return new Unknown(specifier, `imported from '${specifier}', which is not read`);
    return this.modules.load(specifier);
  }

  /** Evaluation stops `ms` from now (a problem at the statement reached), whatever the steps left. */
  limitTime(ms: number): void {
    this.budget.deadline = new Deadline(ms);
  }

  run(): InterpreterResult {
    const scope = new Scope(this.globals);
    this.moduleScope = scope;
    try {
      this.collectFileFills();
      this.bindImports(this.file.statements, scope);
      this.hoistFunctions(this.file.statements, scope);
      // One statement that hits a limit is reported at its line; the next ones are still read.
      for (const statement of this.file.statements) {
        if (this.guarded(() => this.exec(statement, scope))?.kind === 'return') break;
      }
      this.topLevelFlowHoles = this.flowHoles.length;
      this.runTemplates(scope);
    } catch (error) {
      if (!(error instanceof BudgetExceeded)) throw error;
      const at = this.at ?? this.file;
      this.problem(
        error.kind === 'time'
          ? timeLimitMessage(this.budget.deadline.ms)
          : `Stopped reading this file here after ${MAX_STEPS.toLocaleString('en-US')} evaluation steps (Gradient Lens' limit); models after this point may be missing.`,
        at === this.file ? { start: 0, end: 0 } : at,
        'warning',
      );
    }
    return { models: this.models, problems: this.problems };
  }

  // ---------------------------------------------------------------- problems and ranges

  /** The problems reported so far (the same objects `run` returns). */
  problemsOf(): readonly ParseProblem[] {
    return this.problems;
  }

  rangeOf(node: TS.Node): SourceRange {
    return { start: node.getStart(this.file), end: node.getEnd() };
  }

  private text(node: TS.Node): string {
    // Only a prefix is read: nested nodes of a long line would make this quadratic.
    const start = node.getStart(this.file);
    const text = this.file.text.slice(start, Math.min(node.getEnd(), start + 200)).replace(/\s+/g, ' ');
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  }

  problem(message: string, at: TS.Node | SourceRange, severity: ParseProblem['severity'] = 'warning'): void {
    const range = 'kind' in at ? this.rangeOf(at) : at;
    const key = `${range.start}:${range.end}:${message}`;
    if (this.problemKeys.has(key)) return;
    this.problemKeys.add(key);
    this.problems.push({ message, range, severity });
  }

  /** A problem about control flow, reported only if the construct built model parts (else it is noise). */
  private flowProblem(workBefore: number, message: string, at: TS.Node, value?: Value, role?: FlowHole['role']): void {
    if (this.modelWork === workBefore) return;
    this.problem(message, at, 'warning');
    // The unknown decides how the model is built: a hole of the models being built now.
    if (!(value instanceof Unknown) || !value.hole || !role) return;
    const models = this.templateName ? this.models.filter((m) => m.template === this.templateName) : this.models.slice(-1);
    const subject = role === 'condition' ? this.comparedChains(at)[0] : undefined;
    this.flowHoles.push({ ...value.hole, role, models, ...(subject ? { subject } : {}) });
  }

  /** One evaluation step (`cost` for work proportional to a value's size). */
  private tick(cost = 1): void {
    this.budget.tick(cost);
  }

  /**
   * Runs `body`; a per-statement limit (too many layers, an expression too deep for the stack)
   * becomes a problem at its line and the reading goes on after it.
   */
  private guarded<T>(body: () => T): T | undefined {
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
  private tooBig(value: Value, site: TS.Node): Unknown | undefined {
    const message = sizeProblem(value);
    if (!message) return undefined;
    this.problem(message, site, 'warning');
    return new Unknown(this.text(site), 'it is too large to read');
  }

  private tooLong(kind: 'string' | 'list', length: number, site: TS.Node): Unknown | undefined {
    const message = lengthProblem(kind, length);
    if (!message) return undefined;
    this.problem(message, site, 'warning');
    return new Unknown(this.text(site), 'it is too large to read');
  }

  /** A layer is being made at `site`: bounded per file (nested loops of layers). */
  private countLayer(site: TS.Node): void {
    if (++this.layersMade > PARSE_LIMITS.maxLayersPerModel * 4) throw new ParseLimitError(layerLimitMessage(), this.rangeOf(site), 'statement');
  }

  // ---------------------------------------------------------------- imports and globals

  private installGlobals(): void {
    if (!READS.size) {
      const K = this.ts.SyntaxKind;
      for (const kind of [K.Identifier, K.PropertyAccessExpression, K.ElementAccessExpression, K.ParenthesizedExpression, K.ThisKeyword, K.AsExpression, K.NonNullExpression]) READS.add(kind);
    }
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

  private isTfjsModule(node: TS.Expression | undefined): boolean {
    return !!node && this.ts.isStringLiteralLike(node) && TFJS_MODULES.has(node.text);
  }

  /** Imports are hoisted: bind every tfjs import before running the file. */
  private bindImports(statements: readonly TS.Statement[], scope: Scope): void {
    const ts = this.ts;
    let tfBound = false;
    for (const statement of statements) {
      if (!ts.isImportDeclaration(statement) || !statement.importClause) continue;
      const clause = statement.importClause;
      const fromTfjs = this.isTfjsModule(statement.moduleSpecifier);
      const source = ts.isStringLiteralLike(statement.moduleSpecifier) ? statement.moduleSpecifier.text : '?';
      if (clause.isTypeOnly) continue;
      const module = fromTfjs ? undefined : this.importModule(source);
      if (module instanceof Unknown && this.modules?.isRelative(source)) {
        this.problem(`Values imported from '${source}' are unknown: ${module.reason}.`, statement.moduleSpecifier, module instanceof RefusedImport ? 'warning' : 'info');
      }
      const member = (name: string, local: string): Value => {
        if (module instanceof ObjectValue) {
          return module.props.has(name) ? module.props.get(name) : new Unknown(local, `'${source}' exports no constant \`${name}\``);
        }
        return new Unknown(local, module?.reason ?? `imported from '${source}', which is not read`);
      };
      if (clause.name) {
        scope.declare(clause.name.text, fromTfjs ? new Namespace([]) : member('default', clause.name.text));
        tfBound ||= fromTfjs;
      }
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) {
        scope.declare(bindings.name.text, fromTfjs ? new Namespace([]) : module ?? new Unknown(bindings.name.text, 'not read'));
        tfBound ||= fromTfjs;
      } else if (bindings) {
        for (const element of bindings.elements) {
          if (element.isTypeOnly) continue;
          const name = (element.propertyName ?? element.name).text;
          scope.declare(element.name.text, fromTfjs ? new Namespace([name]) : member(name, element.name.text));
          tfBound ||= fromTfjs;
        }
      }
    }
    // Browser scripts use the global `tf` of a <script> tag.
    if (!tfBound) this.globals.declare('tf', new Namespace([]));
  }

  // ---------------------------------------------------------------- statements

  private hoistFunctions(statements: readonly TS.Statement[], scope: Scope): void {
    for (const statement of statements) {
      if (this.ts.isFunctionDeclaration(statement) && statement.name && statement.body) {
        scope.declare(statement.name.text, new FunctionValue(statement, scope, statement.name.text));
      }
    }
  }

  private execBlock(statements: readonly TS.Statement[], scope: Scope): Completion {
    this.hoistFunctions(statements, scope);
    for (const statement of statements) {
      const completion = this.exec(statement, scope);
      if (completion) return completion;
    }
    return undefined;
  }

  private exec(node: TS.Statement, scope: Scope): Completion {
    const ts = this.ts;
    this.tick();
    this.at = node;
    if (ts.isVariableStatement(node)) {
      const ambient = node.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword) ?? false;
      for (const declaration of node.declarationList.declarations) {
        const value = declaration.initializer
          ? this.eval(declaration.initializer, scope)
          : ambient ? new Unknown(this.text(declaration.name), `\`${this.text(declaration.name)}\` is declared but has no value in this file`) : undefined;
        this.bindPattern(declaration.name, value, scope);
      }
      return undefined;
    }
    if (ts.isExpressionStatement(node)) {
      this.eval(node.expression, scope);
      return undefined;
    }
    if (ts.isReturnStatement(node)) {
      return { kind: 'return', value: node.expression ? this.eval(node.expression, scope) : undefined };
    }
    if (ts.isBlock(node)) return this.execBlock(node.statements, new Scope(scope));
    if (ts.isIfStatement(node)) {
      const value = this.eval(node.expression, scope);
      const condition = truthy(value);
      if (condition === undefined) {
        // Argument checks (`if (!(h > 0)) throw ...`) guard the model code: read past them.
        if (this.alwaysThrows(node.thenStatement)) return node.elseStatement ? this.exec(node.elseStatement, scope) : undefined;
        // `if (require.main === module) main();`: the file run as a script, which is what a
        // measurement stands for. It decides no layer, so it is read as true and said so.
        if (isRunGuard(this.text(node.expression))) {
          const before = this.models.length;
          const completion = this.exec(node.thenStatement, scope);
          const models = this.models.slice(before);
          if (models.length) this.assumptions.push({ name: this.text(node.expression), value: 'true', message: `run guard \`${this.text(node.expression)}\` unknown: read as true (the file run as a script)`, range: this.rangeOf(node.expression), models });
          return completion;
        }
        const work = this.modelWork;
        const completion = this.exec(node.thenStatement, scope);
        // `if (digits < 1) { status.textContent = '...'; return; }`: a guard that builds nothing
        // and leaves; like argument checks, the code after it is the model code.
        if (completion?.kind === 'return' && this.modelWork === work && !node.elseStatement) return undefined;
        this.flowProblem(work, `Condition \`${this.text(node.expression)}\` is not a constant; read the first branch only.`, node.expression, value, 'condition');
        return completion;
      }
      if (condition) return this.exec(node.thenStatement, scope);
      return node.elseStatement ? this.exec(node.elseStatement, scope) : undefined;
    }
    if (ts.isForStatement(node)) return this.execFor(node, scope);
    if (ts.isForOfStatement(node) || ts.isForInStatement(node)) return this.execForOf(node, scope);
    if (ts.isWhileStatement(node) || ts.isDoStatement(node)) return this.execWhile(node, scope);
    if (ts.isFunctionDeclaration(node) || ts.isEmptyStatement(node) || ts.isImportDeclaration(node)) return undefined;
    if (ts.isBreakStatement(node)) return { kind: 'break', label: node.label?.text };
    if (ts.isContinueStatement(node)) return { kind: 'continue', label: node.label?.text };
    if (ts.isLabeledStatement(node)) {
      const completion = this.exec(node.statement, scope);
      if (completion && completion.kind === 'break' && completion.label === node.label.text) return undefined;
      return completion;
    }
    if (ts.isSwitchStatement(node)) return this.execSwitch(node, scope);
    if (ts.isTryStatement(node)) {
      const completion = this.exec(node.tryBlock, scope);
      if (completion) return completion;
      return node.finallyBlock ? this.exec(node.finallyBlock, scope) : undefined;
    }
    if (ts.isThrowStatement(node)) return { kind: 'return', value: undefined };
    if (ts.isExportAssignment(node)) {
      const value = this.eval(node.expression, scope);
      this.nameModel(value, 'default');
      return undefined;
    }
    if (ts.isEnumDeclaration(node)) {
      scope.declare(node.name.text, this.evalEnum(node, scope));
      return undefined;
    }
    if (ts.isClassDeclaration(node)) {
      if (node.name) scope.declare(node.name.text, this.customLayerClass(node, scope) ?? this.classValue(node, node.name.text, scope));
      return undefined;
    }
    return undefined;
  }

  /**
   * `class Scale extends tf.layers.Layer {...}`: an opaque layer type. Its output shape is read
   * from a simple `computeOutputShape` (`return inputShape;`, `return [inputShape[0], 7];`);
   * without one it is the input's, as in tfjs' own Layer.
   */
  private customLayerClass(node: TS.ClassDeclaration, scope: Scope): CustomLayerClass | undefined {
    const ts = this.ts;
    const base = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    const baseValue = base && this.eval(base, scope);
    const isLayer = (baseValue instanceof Namespace && baseValue.path.join('.') === 'layers.Layer') || baseValue instanceof CustomLayerClass;
    if (!isLayer || !node.name) return undefined;
    const className = node.name.text;
    const method = node.members.find(
      (m): m is TS.MethodDeclaration => ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === 'computeOutputShape' && !!m.body,
    );
    if (!method) return new CustomLayerClass(baseValue instanceof CustomLayerClass ? { ...baseValue.info, className } : { className, output: 'same' });
    const parameter = method.parameters[0]?.name;
    const returned = method.body!.statements.find(ts.isReturnStatement)?.expression;
    const inner = returned && skipOuterExpressions(ts, returned);
    const isParameter = (e: TS.Expression | undefined): boolean => !!e && !!parameter && ts.isIdentifier(parameter) && ts.isIdentifier(e) && e.text === parameter.text;
    if (isParameter(inner)) return new CustomLayerClass({ className, output: 'same' });
    // `return inputShape[0];` of a layer applied to a list: the first input's shape.
    if (inner && ts.isElementAccessExpression(inner) && isParameter(inner.expression) && ts.isNumericLiteral(inner.argumentExpression) && inner.argumentExpression.text === '0') {
      return new CustomLayerClass({ className, output: 'same' });
    }
    if (inner && ts.isArrayLiteralExpression(inner) && inner.elements.length === 2) {
      const [batch, last] = inner.elements;
      const lastDim = last && this.eval(last, scope);
      if (batch && ts.isElementAccessExpression(batch) && isParameter(batch.expression) && typeof lastDim === 'number') {
        return new CustomLayerClass({ className, output: 'last', lastDim });
      }
    }
    return new CustomLayerClass({ className, output: 'unknown' });
  }

  /**
   * An `<input>` or `<textarea>` of the page next to the file (`index.html`) with a `value`: an
   * object with that `value` (a string, as the DOM gives it) and `checked`. Undefined when the
   * page or the element is not there, or the element is a `<select>` (its value is a choice:
   * the comparisons on it split the model instead).
   */
  private pageElement(id: string): ObjectValue | undefined {
    this.page ??= this.modules?.readPage() ?? '';
    const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const tag = new RegExp(`<(input|textarea)\\b[^>]*\\bid\\s*=\\s*["']${escaped}["'][^>]*>`, 'i').exec(this.page)?.[0];
    if (!tag) return undefined;
    const value = /\bvalue\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag);
    if (!value) return undefined;
    const element = new ObjectValue();
    element.props.set('value', value[1] ?? value[2] ?? '');
    element.props.set('checked', /\bchecked\b/i.test(tag));
    return element;
  }

  /** A class value; its base when it extends another class of the file. */
  private classValue(node: TS.ClassLikeDeclaration, name: string, scope: Scope): ClassValue {
    const ts = this.ts;
    const baseNode = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    const base = baseNode ? this.eval(baseNode, scope) : undefined;
    return new ClassValue(node, scope, name, base instanceof ClassValue ? base : undefined);
  }

  /**
   * `new Agent(config)`: an object with the class's methods bound to it, its field initializers
   * run, then its constructor with the arguments (so a model built in the constructor, or in a
   * method it calls, gets them). `super(...)` runs the base class's constructor on the same object.
   */
  private construct(cls: ClassValue, args: readonly Value[], site: TS.Node, instance = new ObjectValue(), install = true): ObjectValue {
    const ts = this.ts;
    // Methods of the whole chain, base first, so a subclass's override wins.
    if (install) {
      const chain: ClassValue[] = [];
      for (let c: ClassValue | undefined = cls; c && chain.length < MAX_CALL_DEPTH; c = c.base) chain.unshift(c);
      for (const each of chain) this.installMembers(each, instance);
    }
    const ctor = cls.declaration.members.find((m): m is TS.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
    if (ctor) {
      const fn = new FunctionValue(ctor, cls.scope, cls.name, instance);
      this.superTargets.set(ctor, cls.base);
      this.callFunction(fn, args, site, instance);
    } else if (cls.base) {
      this.construct(cls.base, args, site, instance, false);
    }
    return instance;
  }

  private installMembers(cls: ClassValue, instance: ObjectValue): void {
    const ts = this.ts;
    for (const member of cls.declaration.members) {
      if (ts.canHaveModifiers(member) && ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) continue;
      if (ts.isMethodDeclaration(member) && member.body) {
        const name = this.propertyName(member.name, cls.scope);
        if (name !== undefined) instance.props.set(name, new FunctionValue(member, cls.scope, `${cls.name}.${name}`, instance));
      } else if (ts.isPropertyDeclaration(member) && member.initializer) {
        const name = this.propertyName(member.name, cls.scope);
        const scope = new Scope(cls.scope);
        scope.declare('this', instance);
        if (name !== undefined) instance.props.set(name, this.eval(member.initializer, scope));
      }
    }
  }

  private alwaysThrows(node: TS.Statement): boolean {
    const ts = this.ts;
    if (ts.isThrowStatement(node)) return true;
    if (ts.isBlock(node)) {
      const last = node.statements[node.statements.length - 1];
      return !!last && this.alwaysThrows(last);
    }
    return false;
  }

  private evalEnum(node: TS.EnumDeclaration, scope: Scope): ObjectValue {
    const result = new ObjectValue(this.rangeOf(node));
    let next = 0;
    for (const member of node.members) {
      const name = this.propertyName(member.name, scope);
      if (name === undefined) continue;
      let value: Value = next;
      if (member.initializer) value = this.eval(member.initializer, scope);
      result.props.set(name, value);
      next = typeof value === 'number' ? value + 1 : NaN;
    }
    return result;
  }

  /** Runs one loop iteration's body; returns 'stop' on break/return, the completion to propagate. */
  private loopBody(body: TS.Statement, scope: Scope, label: string | undefined): { stop: boolean; completion: Completion } {
    const completion = this.exec(body, scope);
    if (!completion) return { stop: false, completion: undefined };
    if (completion.kind === 'continue' && (!completion.label || completion.label === label)) return { stop: false, completion: undefined };
    if (completion.kind === 'break' && (!completion.label || completion.label === label)) return { stop: true, completion: undefined };
    return { stop: true, completion };
  }

  private labelOf(node: TS.Node): string | undefined {
    return this.ts.isLabeledStatement(node.parent) ? node.parent.label.text : undefined;
  }

  private execFor(node: TS.ForStatement, outer: Scope): Completion {
    const ts = this.ts;
    const scope = new Scope(outer);
    const label = this.labelOf(node);
    if (node.initializer) {
      if (ts.isVariableDeclarationList(node.initializer)) {
        for (const declaration of node.initializer.declarations) {
          this.bindPattern(declaration.name, declaration.initializer ? this.eval(declaration.initializer, scope) : undefined, scope);
        }
      } else {
        this.eval(node.initializer, scope);
      }
    }
    const work = this.modelWork;
    let readOnce = false;
    let unknownCondition: Value;
    this.iterations.push(0);
    try {
      for (let i = 0; ; i++) {
        if (node.condition) {
          const value = this.eval(node.condition, scope);
          const condition = truthy(value);
          if (condition === undefined) {
            if (i > 0) break;
            readOnce = true;
            unknownCondition = value;
          } else if (!condition) {
            break;
          }
        }
        if (this.loopLimitReached(i, work)) {
          this.loopCapProblem(node, work, i);
          break;
        }
        this.iterations[this.iterations.length - 1] = i;
        // Each iteration gets its own copy of `let` bindings, as in JS.
        const { stop, completion } = this.loopBody(node.statement, new Scope(scope), label);
        if (stop) return completion;
        if (node.incrementor) this.eval(node.incrementor, scope);
      }
    } finally {
      this.iterations.pop();
      if (readOnce && node.condition) {
        this.flowProblem(work, `Loop condition \`${this.text(node.condition)}\` is not a constant; the loop body was read once.`, node.condition, unknownCondition, 'repeat count');
      }
    }
    return undefined;
  }

  /** Loops that build layers may run 10,000 times; loops that build nothing stop sooner (they only cost time). */
  private loopLimitReached(iteration: number, workBefore: number): boolean {
    return iteration >= MAX_LOOP_ITERATIONS || (iteration >= MAX_IDLE_LOOP_ITERATIONS && this.modelWork === workBefore);
  }

  private loopCapProblem(node: TS.Node, workBefore: number, iterations = MAX_LOOP_ITERATIONS): void {
    const n = iterations.toLocaleString('en-US');
    this.problem(`Loop runs more than ${n} times; read only the first ${n} iterations.`, node, this.modelWork === workBefore ? 'info' : 'warning');
  }

  private execForOf(node: TS.ForOfStatement | TS.ForInStatement, outer: Scope): Completion {
    const ts = this.ts;
    const label = this.labelOf(node);
    const iterable = this.eval(node.expression, outer);
    let items: Value[];
    if (ts.isForInStatement(node)) {
      items = iterable instanceof ObjectValue ? [...iterable.props.keys()] : Array.isArray(iterable) ? iterable.map((_, i) => String(i)) : [];
    } else {
      items = Array.isArray(iterable) ? [...iterable] : typeof iterable === 'string' ? [...iterable] : [];
    }
    const readOnce = !Array.isArray(iterable) && !(iterable instanceof ObjectValue && ts.isForInStatement(node)) && typeof iterable !== 'string';
    if (readOnce) {
      items = [new Unknown(this.text(node.initializer), `element of \`${this.text(node.expression)}\`, which is not a constant`)];
    }
    const work = this.modelWork;
    this.iterations.push(0);
    try {
      for (let i = 0; i < items.length; i++) {
        if (this.loopLimitReached(i, work)) {
          this.loopCapProblem(node, work, i);
          break;
        }
        this.iterations[this.iterations.length - 1] = i;
        const scope = new Scope(outer);
        if (ts.isVariableDeclarationList(node.initializer)) {
          const declaration = node.initializer.declarations[0];
          if (declaration) this.bindPattern(declaration.name, items[i], scope);
        } else {
          this.assignTo(node.initializer, items[i], scope);
        }
        const { stop, completion } = this.loopBody(node.statement, scope, label);
        if (stop) return completion;
      }
    } finally {
      this.iterations.pop();
      if (readOnce) this.flowProblem(work, `\`${this.text(node.expression)}\` is not a constant list; the loop body was read once.`, node.expression, iterable, 'layer sizes');
    }
    return undefined;
  }

  private execWhile(node: TS.WhileStatement | TS.DoStatement, scope: Scope): Completion {
    const label = this.labelOf(node);
    const isDo = this.ts.isDoStatement(node);
    const work = this.modelWork;
    let readOnce = false;
    let unknownCondition: Value;
    this.iterations.push(0);
    try {
      for (let i = 0; ; i++) {
        if (!isDo || i > 0) {
          const value = this.eval(node.expression, scope);
          const condition = truthy(value);
          if (condition === undefined) {
            readOnce = true;
            unknownCondition = value;
            if (isDo || i > 0) break;
          } else if (!condition) {
            break;
          }
        }
        if (this.loopLimitReached(i, work)) {
          this.loopCapProblem(node, work, i);
          break;
        }
        this.iterations[this.iterations.length - 1] = i;
        const { stop, completion } = this.loopBody(node.statement, new Scope(scope), label);
        if (stop) return completion;
      }
    } finally {
      this.iterations.pop();
      if (readOnce) this.flowProblem(work, `Loop condition \`${this.text(node.expression)}\` is not a constant; the loop body was read once.`, node.expression, unknownCondition, 'repeat count');
    }
    return undefined;
  }

  private execSwitch(node: TS.SwitchStatement, outer: Scope): Completion {
    const ts = this.ts;
    const value = this.eval(node.expression, outer);
    const scope = new Scope(outer);
    const clauses = node.caseBlock.clauses;
    let start = -1;
    const work = this.modelWork;
    if (value instanceof Unknown) {
      start = 0;
    } else {
      start = clauses.findIndex((clause) => ts.isCaseClause(clause) && strictEquals(this.eval(clause.expression, scope), value) === true);
      if (start < 0) start = clauses.findIndex((clause) => ts.isDefaultClause(clause));
    }
    if (start < 0) return undefined;
    try {
      for (const clause of clauses.slice(start)) {
        this.hoistFunctions(clause.statements, scope);
        for (const statement of clause.statements) {
          const completion = this.exec(statement, scope);
          if (completion?.kind === 'break' && !completion.label) return undefined;
          if (completion) return completion;
        }
      }
      return undefined;
    } finally {
      if (value instanceof Unknown) {
        this.flowProblem(work, `Switch on \`${this.text(node.expression)}\`, which is not a constant; read the first case only.`, node.expression, value, 'condition');
      }
    }
  }

  // ---------------------------------------------------------------- bindings

  private bindPattern(name: TS.BindingName, value: Value, scope: Scope): void {
    const ts = this.ts;
    if (ts.isIdentifier(name)) {
      scope.declare(name.text, value);
      this.nameModel(value, name.text);
      return;
    }
    if (ts.isObjectBindingPattern(name)) {
      const used = new Set<string>();
      for (const element of name.elements) {
        if (element.dotDotDotToken) {
          const rest = new ObjectValue();
          if (value instanceof ObjectValue) {
            for (const [k, v] of value.props) if (!used.has(k)) rest.props.set(k, v);
          }
          this.bindPattern(element.name, rest, scope);
          continue;
        }
        const key = element.propertyName
          ? this.propertyName(element.propertyName, scope)
          : ts.isIdentifier(element.name) ? element.name.text : undefined;
        if (key === undefined) continue;
        used.add(key);
        let item = this.member(value, key, element);
        // An unknown options object: its defaults are what a caller gets by leaving keys out.
        if ((item === undefined || value instanceof Unknown) && element.initializer) item = this.eval(element.initializer, scope);
        else if (item instanceof Unknown && ts.isIdentifier(element.name)) {
          item = new Unknown(element.name.text, item.reason, { name: element.name.text, range: this.rangeOf(element.name) }, item.foreign);
        }
        this.bindPattern(element.name, item, scope);
      }
      return;
    }
    name.elements.forEach((element, index) => {
      if (ts.isOmittedExpression(element)) return;
      let item: Value;
      if (element.dotDotDotToken) item = Array.isArray(value) ? value.slice(index) : new Unknown(this.text(element), 'rest of a value that is not a constant list');
      else item = Array.isArray(value) ? value[index] : value instanceof Unknown ? new Unknown(this.text(element), value.reason, value.hole) : undefined;
      if (item === undefined && element.initializer) item = this.eval(element.initializer, scope);
      this.bindPattern(element.name, item, scope);
    });
  }

  /** A model takes the name of the first binding it gets; a binding further out (a call site) wins. */
  private nameModel(value: Value, name: string): void {
    if (!isModel(value)) return;
    if (this.callDepth < value.nameDepth) {
      value.name = name;
      value.nameDepth = this.callDepth;
    }
  }

  private assignTo(target: TS.Expression, value: Value, scope: Scope): void {
    const ts = this.ts;
    const inner = skipOuterExpressions(ts, target);
    if (ts.isIdentifier(inner)) {
      if (!scope.assign(inner.text, value)) scope.declare(inner.text, value);
      this.nameModel(value, inner.text);
      return;
    }
    if (ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner)) {
      const object = this.eval(inner.expression, scope);
      const key = ts.isPropertyAccessExpression(inner) ? inner.name.text : toPropertyKey(this.eval(inner.argumentExpression, scope));
      if (key === undefined) return;
      // `layer.trainable = false` / `model.trainable = false`: frozen weights (tfjs reads the
      // layer config's `trainable`; a model's layers are frozen where it is used as a layer).
      if (key === 'trainable' && typeof value === 'boolean') {
        if (isModel(object)) object.trainable = value;
        else if (object instanceof LayerValue && object.config) object.config.props.set('trainable', value);
        return;
      }
      if (object instanceof ObjectValue) {
        object.props.set(key, value);
        object.ranges.set(key, { property: this.rangeOf(inner.parent), value: this.rangeOf(target.parent) });
      } else if (Array.isArray(object) && /^\d+$/.test(key)) {
        if (Number(key) >= PARSE_LIMITS.maxListLength) this.tooLong('list', Number(key) + 1, inner);
        else object[Number(key)] = value;
      }
      this.nameModel(value, key);
      return;
    }
    if (ts.isArrayLiteralExpression(inner)) {
      inner.elements.forEach((element, index) => this.assignTo(element, Array.isArray(value) ? value[index] : undefined, scope));
    }
  }

  // ---------------------------------------------------------------- expressions

  /**
   * Evaluates `node`. An unknown read through a name or access chain (`features`,
   * `xTrain.shape[1]`) is a hole named after that chain: a value given for the name (annotation,
   * `--set`, a remembered value) fills it, otherwise the Unknown carries the name.
   */
  eval(node: TS.Expression, scope: Scope): Value {
    if (this.evalDepth >= PARSE_LIMITS.maxEvalDepth) {
      // Once per statement: every branch of a deep tree hits the limit.
      this.problem('This expression nests too deeply for Gradient Lens to read (with the calls around it); its value is unknown.', this.at ?? node, 'warning');
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
      if (!READS.has(node.kind)) this.tick(value.length >> 6);
      const big = this.tooBig(value, node);
      if (big) return big;
    }
    if (!(value instanceof Unknown)) return value;
    const ts = this.ts;
    if (!ts.isIdentifier(node) && !ts.isPropertyAccessExpression(node) && !ts.isElementAccessExpression(node)) return value;
    // Identifiers are chains already; only member accesses need their text checked.
    // (A zero-width identifier is the parser's stand-in for missing code: no name, no hole.)
    const chain = ts.isIdentifier(node) ? (isCutPlaceholder(node.text) ? undefined : node.text || undefined) : accessChain(node.getText(this.file));
    if (chain === undefined) return value;
    const filled = this.fillFor(chain);
    if (filled.found) return filled.value;
    const extendsHole = value.hole && (chain.startsWith(`${value.hole.name}.`) || chain.startsWith(`${value.hole.name}[`));
    if (value.hole && !extendsHole) return value;
    return new Unknown(value.text, value.reason, { name: chain, range: this.rangeOf(node) }, value.foreign);
  }

  private evalNode(node: TS.Expression, scope: Scope): Value {
    const ts = this.ts;
    this.tick();
    switch (node.kind) {
      case ts.SyntaxKind.NumericLiteral:
        return Number((node as TS.NumericLiteral).text);
      case ts.SyntaxKind.BigIntLiteral:
        return new Unknown(this.text(node), 'bigint values are not supported');
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
        return (node as TS.StringLiteral).text;
      case ts.SyntaxKind.TrueKeyword:
        return true;
      case ts.SyntaxKind.FalseKeyword:
        return false;
      case ts.SyntaxKind.NullKeyword:
        return null;
      case ts.SyntaxKind.RegularExpressionLiteral: {
        const text = (node as TS.RegularExpressionLiteral).text;
        const at = text.lastIndexOf('/');
        try {
          return new RegExpValue(new RegExp(text.slice(1, at), text.slice(at + 1).replace(/[gy]/g, '')));
        } catch {
          return new Unknown(text, 'regular expression not understood');
        }
      }
      case ts.SyntaxKind.ThisKeyword: {
        const binding = scope.lookup('this');
        return binding ? binding.value : new Unknown('this', '`this` is not known here');
      }
    }
    if (ts.isIdentifier(node)) {
      const binding = scope.lookup(node.text);
      if (binding) return binding.value;
      if (isCutPlaceholder(node.text)) return new Unknown('...', 'it nests too deeply to read');
      return new Unknown(node.text, `\`${node.text}\` is not defined in this file`);
    }
    if (
      ts.isParenthesizedExpression(node) ||
      ts.isAsExpression(node) ||
      ts.isTypeAssertionExpression(node) ||
      ts.isNonNullExpression(node) ||
      ts.isSatisfiesExpression(node) ||
      ts.isAwaitExpression(node)
    ) {
      return this.eval(node.expression, scope);
    }
    if (ts.isTemplateExpression(node)) {
      let result = node.head.text;
      for (const span of node.templateSpans) {
        const value = this.eval(span.expression, scope);
        if (!isPrimitive(value)) return new Unknown(this.text(node), `\`${this.text(span.expression)}\` is not a constant`);
        result += String(value) + span.literal.text;
      }
      return result;
    }
    if (ts.isArrayLiteralExpression(node)) {
      const result: Value[] = [];
      for (const element of node.elements) {
        if (ts.isSpreadElement(element)) {
          const spread = this.eval(element.expression, scope);
          if (Array.isArray(spread)) result.push(...spread);
          else if (typeof spread === 'string') result.push(...spread);
          else result.push(new Unknown(this.text(element), `\`${this.text(element.expression)}\` is not a constant list`));
        } else if (ts.isOmittedExpression(element)) {
          result.push(undefined);
        } else {
          result.push(this.eval(element, scope));
        }
      }
      return result;
    }
    if (ts.isObjectLiteralExpression(node)) return this.evalObject(node, scope);
    if (ts.isPropertyAccessExpression(node)) {
      const object = this.eval(node.expression, scope);
      if (node.questionDotToken && (object === undefined || object === null)) return undefined;
      return this.member(object, node.name.text, node);
    }
    if (ts.isElementAccessExpression(node)) {
      const object = this.eval(node.expression, scope);
      const key = toPropertyKey(this.eval(node.argumentExpression, scope));
      if (key === undefined) {
        return new Unknown(this.text(node), object instanceof Unknown ? object.reason : `index \`${this.text(node.argumentExpression)}\` is not a constant`, object instanceof Unknown ? object.hole : undefined);
      }
      return this.member(object, key, node);
    }
    if (ts.isCallExpression(node)) return this.evalCall(node, scope);
    if (ts.isNewExpression(node)) {
      const callee = this.eval(node.expression, scope);
      const args = this.evalArgs(node.arguments ?? ts.factory.createNodeArray(), scope);
      if (callee instanceof ObjectValue && ts.isIdentifier(node.expression) && node.expression.text === 'Array') {
        return this.callValue(this.globals.lookup('%ArrayConstructor')?.value, args, node, undefined);
      }
      if (callee instanceof FunctionValue || callee instanceof NativeFunction) return this.callValue(callee, args, node, undefined);
      // `new tf.Sequential({...})` / `new tf.LayersModel({...})` are the classes behind the factories.
      if (callee instanceof Namespace && callee.path.length === 1 && (callee.path[0] === 'Sequential' || callee.path[0] === 'LayersModel')) {
        return this.callTf(new Namespace([callee.path[0] === 'Sequential' ? 'sequential' : 'model']), args, node);
      }
      if (callee instanceof Unknown && /(^|\.)ArgumentParser$/.test(node.expression.getText(this.file))) return new ArgParserValue();
      if (callee instanceof ClassValue) return this.construct(callee, args, node);
      if (callee instanceof CustomLayerClass) {
        const [config] = args;
        const iteration = this.iterations.length ? [...this.iterations] : undefined;
        this.countLayer(node);
        return new LayerValue(callee.info.className, false, config instanceof ObjectValue ? config : undefined, this.rangeOf(node), iteration, callee.info);
      }
      return new Unknown(this.text(node), `\`new ${this.text(node.expression)}\` is not evaluated`);
    }
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      const thisValue = ts.isArrowFunction(node) ? scope.lookup('this')?.value : undefined;
      const name = node.name?.text ?? inferredFunctionName(ts, node);
      return new FunctionValue(node, scope, name, thisValue);
    }
    if (ts.isConditionalExpression(node)) {
      const condition = truthy(this.eval(node.condition, scope));
      if (condition === undefined) {
        return new Unknown(this.text(node), `condition \`${this.text(node.condition)}\` is not a constant`);
      }
      return this.eval(condition ? node.whenTrue : node.whenFalse, scope);
    }
    if (ts.isPrefixUnaryExpression(node)) return this.evalPrefix(node, scope);
    if (ts.isPostfixUnaryExpression(node)) {
      const old = this.eval(node.operand, scope);
      if (typeof old !== 'number') {
        this.assignTo(node.operand, new Unknown(this.text(node.operand), 'not a number'), scope);
        return new Unknown(this.text(node), 'not a number');
      }
      this.assignTo(node.operand, node.operator === ts.SyntaxKind.PlusPlusToken ? old + 1 : old - 1, scope);
      return old;
    }
    if (ts.isBinaryExpression(node)) return this.evalBinary(node, scope);
    if (ts.isTypeOfExpression(node)) {
      const value = this.eval(node.expression, scope);
      if (value instanceof Unknown) return new Unknown(this.text(node), value.reason, value.hole);
      if (Array.isArray(value) || value === null || value instanceof ObjectValue) return 'object';
      if (value instanceof FunctionValue || value instanceof NativeFunction) return 'function';
      return isPrimitive(value) ? typeof value : 'object';
    }
    if (ts.isVoidExpression(node)) {
      this.eval(node.expression, scope);
      return undefined;
    }
    if (ts.isDeleteExpression(node)) return true;
    if (ts.isClassExpression(node)) return this.customLayerClass(node as unknown as TS.ClassDeclaration, scope) ?? this.classValue(node, node.name?.text ?? inferredFunctionName(ts, node), scope);
    if (ts.isTaggedTemplateExpression(node)) return new Unknown(this.text(node), 'tagged templates are not evaluated');
    return new Unknown(this.text(node), 'this kind of expression is not evaluated');
  }

  private evalObject(node: TS.ObjectLiteralExpression, scope: Scope): ObjectValue {
    const ts = this.ts;
    const result = new ObjectValue(this.rangeOf(node));
    for (const property of node.properties) {
      if (ts.isSpreadAssignment(property)) {
        const spread = this.eval(property.expression, scope);
        if (spread instanceof ObjectValue) copyProps(spread, result);
        else if (!(spread === undefined || spread === null)) {
          this.problem(`Spread \`${this.text(property.expression)}\` is not a constant object; its properties are unknown.`, property, 'info');
        }
        continue;
      }
      if (ts.isShorthandPropertyAssignment(property)) {
        result.props.set(property.name.text, this.eval(property.name, scope));
        result.ranges.set(property.name.text, { property: this.rangeOf(property), value: this.rangeOf(property.name) });
        continue;
      }
      const key = property.name ? this.propertyName(property.name, scope) : undefined;
      if (key === undefined) continue;
      if (ts.isPropertyAssignment(property)) {
        result.props.set(key, this.eval(property.initializer, scope));
        result.ranges.set(key, { property: this.rangeOf(property), value: this.rangeOf(property.initializer) });
      } else if (ts.isMethodDeclaration(property) && property.body) {
        result.props.set(key, new FunctionValue(property, scope, key, result));
      }
    }
    return result;
  }

  private propertyName(name: TS.PropertyName, scope: Scope): string | undefined {
    const ts = this.ts;
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
    if (ts.isComputedPropertyName(name)) return toPropertyKey(this.eval(name.expression, scope));
    return undefined;
  }

  private evalPrefix(node: TS.PrefixUnaryExpression, scope: Scope): Value {
    const ts = this.ts;
    const operand = this.eval(node.operand, scope);
    switch (node.operator) {
      case ts.SyntaxKind.PlusPlusToken:
      case ts.SyntaxKind.MinusMinusToken: {
        const next = typeof operand === 'number' ? operand + (node.operator === ts.SyntaxKind.PlusPlusToken ? 1 : -1) : new Unknown(this.text(node), 'not a number');
        this.assignTo(node.operand, next, scope);
        return next;
      }
      case ts.SyntaxKind.ExclamationToken: {
        const t = truthy(operand);
        return t === undefined ? new Unknown(this.text(node), 'operand is not a constant') : !t;
      }
      case ts.SyntaxKind.MinusToken:
        return typeof operand === 'number' ? -operand : new Unknown(this.text(node), unknownReason(operand, this.text(node.operand)));
      case ts.SyntaxKind.PlusToken:
        return toNumber(operand);
      case ts.SyntaxKind.TildeToken:
        return typeof operand === 'number' ? ~operand : new Unknown(this.text(node), 'operand is not a constant');
    }
    return new Unknown(this.text(node), 'operator not supported');
  }

  private evalBinary(node: TS.BinaryExpression, scope: Scope): Value {
    const ts = this.ts;
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsToken) {
      const value = this.eval(node.right, scope);
      this.assignTo(node.left, value, scope);
      return value;
    }
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
      const left = this.eval(node.left, scope);
      if (op === ts.SyntaxKind.QuestionQuestionToken) {
        if (left instanceof Unknown) return new Unknown(this.text(node), left.reason, left.hole);
        return left === undefined || left === null ? this.eval(node.right, scope) : left;
      }
      const t = truthy(left);
      if (t === undefined) return new Unknown(this.text(node), unknownReason(left, this.text(node.left)));
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) return t ? this.eval(node.right, scope) : left;
      return t ? left : this.eval(node.right, scope);
    }
    if (op === ts.SyntaxKind.CommaToken) {
      this.eval(node.left, scope);
      return this.eval(node.right, scope);
    }
    const compound = COMPOUND_ASSIGNMENT(ts).get(op);
    if (compound !== undefined) {
      const value = binaryOp(ts, compound, this.eval(node.left, scope), this.eval(node.right, scope));
      const result = value === NOT_CONSTANT ? new Unknown(this.text(node), 'operands are not constants') : value;
      this.assignTo(node.left, result, scope);
      return result;
    }
    const left = this.eval(node.left, scope);
    const right = this.eval(node.right, scope);
    const value = binaryOp(ts, op, left, right);
    if (value !== NOT_CONSTANT) return value;
    const culprit = left instanceof Unknown ? left : right instanceof Unknown ? right : undefined;
    return new Unknown(this.text(node), culprit ? culprit.reason : 'operands are not constants', culprit?.hole);
  }

  private evalArgs(args: TS.NodeArray<TS.Expression>, scope: Scope): Value[] {
    const result: Value[] = [];
    for (const arg of args) {
      if (this.ts.isSpreadElement(arg)) {
        const spread = this.eval(arg.expression, scope);
        if (Array.isArray(spread)) result.push(...spread);
        else result.push(new Unknown(this.text(arg), 'spread of a value that is not a constant list'));
      } else {
        result.push(this.eval(arg, scope));
      }
    }
    return result;
  }

  private evalCall(node: TS.CallExpression, scope: Scope): Value {
    const ts = this.ts;
    const calleeNode = skipOuterExpressions(ts, node.expression);
    // `require('@tensorflow/tfjs')`
    if (ts.isIdentifier(calleeNode) && calleeNode.text === 'require' && !scope.lookup('require')) {
      const specifier = node.arguments[0];
      if (this.isTfjsModule(specifier)) return new Namespace([]);
      const source = specifier && ts.isStringLiteralLike(specifier) ? specifier.text : '?';
      const module = this.importModule(source);
      if (module instanceof ObjectValue) return module.props.size === 1 && module.props.has('default') ? module.props.get('default') : module;
      return new Unknown(this.text(node), module.reason);
    }
    // `document.getElementById('digits').value` in a page's script: the page's default value.
    if (ts.isPropertyAccessExpression(calleeNode) && ts.isIdentifier(calleeNode.expression) && calleeNode.expression.text === 'document' && !scope.lookup('document')) {
      const [id] = node.arguments;
      const key = calleeNode.name.text;
      if (id && ts.isStringLiteralLike(id) && (key === 'getElementById' || (key === 'querySelector' && id.text.startsWith('#')))) {
        const element = this.pageElement(key === 'querySelector' ? id.text.slice(1) : id.text);
        if (element) return element;
      }
    }
    if (calleeNode.kind === ts.SyntaxKind.SuperKeyword) {
      const ctor = ts.findAncestor(node, ts.isConstructorDeclaration);
      const base = ctor ? this.superTargets.get(ctor) : undefined;
      const self = scope.lookup('this')?.value;
      const args = this.evalArgs(node.arguments, scope);
      if (base && self instanceof ObjectValue) this.construct(base, args, node, self, false);
      return undefined;
    }
    let thisValue: Value;
    let callee: Value;
    if (ts.isPropertyAccessExpression(calleeNode) || ts.isElementAccessExpression(calleeNode)) {
      thisValue = this.eval(calleeNode.expression, scope);
      const key = ts.isPropertyAccessExpression(calleeNode) ? calleeNode.name.text : toPropertyKey(this.eval(calleeNode.argumentExpression, scope));
      if (key === undefined) return new Unknown(this.text(node), 'method name is not a constant');
      if (node.questionDotToken || (ts.isPropertyAccessExpression(calleeNode) && calleeNode.questionDotToken)) {
        if (thisValue === undefined || thisValue === null) return undefined;
      }
      const method = this.method(thisValue, key, node, scope);
      if (method) return method.value;
      callee = this.member(thisValue, key, calleeNode);
    } else {
      callee = this.eval(calleeNode, scope);
    }
    const args = this.evalArgs(node.arguments, scope);
    if (callee instanceof Unknown) {
      if (callee.foreign) this.onForeignCall?.(callee.foreign, args, node);
      this.runCallbacks(args);
      return this.unknownCallResult(node, calleeNode, callee);
    }
    return this.callValue(callee, args, node, thisValue);
  }

  /**
   * The result of calling something unknown. A string or array method of a hole is still that
   * hole (`kind.startsWith('bi')` is decided by `kind`); any other call through a name or access
   * chain with constant arguments is a hole named after the call (`settings.units()`,
   * `ui.getDenseUnits()`, `base.outputs[0].shape.slice(1)`), which `--set` and annotations fill.
   */
  private unknownCallResult(node: TS.CallExpression, calleeNode: TS.Expression, callee: Unknown): Value {
    const ts = this.ts;
    const method = ts.isPropertyAccessExpression(calleeNode) ? calleeNode.name.text : undefined;
    if (callee.hole && method && VALUE_METHODS.has(method)) return new Unknown(this.text(node), callee.reason, callee.hole);
    const chain = accessChain(calleeNode.getText(this.file));
    const constantArgs = node.arguments.length <= 1 && node.arguments.every((a) => ts.isNumericLiteral(a) || ts.isStringLiteralLike(a) || (ts.isPrefixUnaryExpression(a) && ts.isNumericLiteral(a.operand)));
    if (chain === undefined || !constantArgs) return new Unknown(this.text(node), callee.reason, chain === undefined ? callee.hole : undefined);
    const name = `${chain}(${node.arguments.map((a) => a.getText(this.file)).join(',')})`;
    const filled = this.fillFor(name);
    if (filled.found) return filled.value;
    return new Unknown(this.text(node), callee.reason, { name, range: this.rangeOf(node) });
  }

  callValue(callee: Value, args: readonly Value[], site: TS.Node, thisValue: Value): Value {
    if (callee instanceof Namespace) return this.callTf(callee, args, site);
    if (callee instanceof ObjectValue && callee === this.globals.lookup('Number')?.value) {
      return this.callValue(this.globals.lookup('%NumberConstructor')?.value, args, site, undefined);
    }
    if (callee instanceof NativeFunction) return callee.call(args, site);
    if (callee instanceof FunctionValue) return this.callFunction(callee, args, site, thisValue);
    this.runCallbacks(args);
    return new Unknown(this.text(site), 'call of a value that is not a known function');
  }

  /** `asTemplate`: parameters without an argument or default are unknown, not `undefined`. */
  private callFunction(fn: FunctionValue, args: readonly Value[], site: TS.Node, thisValue: Value, asTemplate = false): Value {
    const ts = this.ts;
    // The clip-gradients fix's helper: its effect is known, its body need not be run.
    if (fn.name === CLIP_HELPER_NAME && !asTemplate) {
      this.calledFunctions.add(fn.declaration);
      return new FactoryCall(CLIPPED_OPTIMIZER_CALL, args.slice(0, 2));
    }
    this.calledFunctions.add(fn.declaration);
    this.callsOfRun?.add(fn.declaration);
    if (this.callDepth >= MAX_CALL_DEPTH) {
      this.problem(`Calls nest deeper than ${MAX_CALL_DEPTH} (recursion?); \`${fn.name}\` was not followed.`, site);
      return new Unknown(this.text(site), 'recursion too deep');
    }
    const scope = new Scope(fn.scope);
    const boundThis = fn.thisValue ?? thisValue;
    if (boundThis !== undefined) scope.declare('this', boundThis);
    const given = asTemplate ? this.templateValues : undefined;
    fn.declaration.parameters.forEach((parameter, index) => {
      let value: Value = parameter.dotDotDotToken ? args.slice(index) : args[index];
      if (given && ts.isIdentifier(parameter.name) && given.has(parameter.name.text)) value = given.get(parameter.name.text);
      else if (given && ts.isObjectBindingPattern(parameter.name) && parameter.name.elements.some((e) => ts.isIdentifier(e.name) && given.has(e.name.text))) {
        // `function build({inputShape, units})`: an options object made of the given values.
        const options = new ObjectValue();
        for (const element of parameter.name.elements) {
          if (!ts.isIdentifier(element.name)) continue;
          const key = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : element.name.text;
          if (given.has(element.name.text)) options.props.set(key, given.get(element.name.text));
          else if (!element.initializer) options.props.set(key, new Unknown(element.name.text, `\`${element.name.text}\` of \`${fn.name}\`'s options has no known value`, { name: element.name.text, range: this.rangeOf(element.name) }));
        }
        value = options;
      } else if (value === undefined && parameter.initializer) value = this.eval(parameter.initializer, scope);
      else if (value === undefined && asTemplate && ts.isIdentifier(parameter.name) && this.jsDocDefault(fn.declaration, parameter.name.text)) {
        const { expression, file } = this.jsDocDefault(fn.declaration, parameter.name.text)!;
        value = this.evalForeign(expression, file, scope);
      } else if (value === undefined && asTemplate) {
        const name = this.text(parameter.name);
        value = new Unknown(name, `parameter \`${name}\` of \`${fn.name}\` has no known value`, { name, range: this.rangeOf(parameter.name) });
      }
      this.bindPattern(parameter.name, value, scope);
      // `constructor(private readonly units: number)` also sets `this.units`.
      if (boundThis instanceof ObjectValue && ts.isIdentifier(parameter.name) && ts.isParameterPropertyDeclaration(parameter, parameter.parent)) {
        boundThis.props.set(parameter.name.text, scope.lookup(parameter.name.text)?.value);
      }
    });
    const body = fn.declaration.body;
    if (!body) return undefined;
    this.callDepth++;
    try {
      if (ts.isBlock(body)) {
        const completion = this.execBlock(body.statements, scope);
        return completion?.kind === 'return' ? completion.value : undefined;
      }
      return this.eval(body, scope);
    } finally {
      this.callDepth--;
    }
  }

  /**
   * Functions nobody in the file calls (`export function createModel() {...}`) are run once with
   * unknown parameters (defaults applied), so the models they build are found too.
   */
  private runTemplates(scope: Scope): void {
    const ts = this.ts;
    const candidates: { fn: FunctionValue; name: string }[] = [];
    const addClassMethods = (node: TS.ClassLikeDeclaration, className: string): void => {
      const instance = new ObjectValue();
      for (const member of node.members) {
        if ((ts.isMethodDeclaration(member) || ts.isConstructorDeclaration(member)) && member.body) {
          const name = ts.isConstructorDeclaration(member) ? className : this.propertyName(member.name, scope) ?? className;
          const fn = new FunctionValue(member, scope, name, instance);
          if (!ts.isConstructorDeclaration(member)) instance.props.set(name, fn);
          candidates.push({ fn, name: ts.isConstructorDeclaration(member) ? className : `${className}.${name}` });
        }
      }
    };
    for (const statement of this.file.statements) {
      if (ts.isFunctionDeclaration(statement) && statement.name && statement.body) {
        const value = scope.lookup(statement.name.text)?.value;
        if (value instanceof FunctionValue) candidates.push({ fn: value, name: statement.name.text });
      } else if (ts.isFunctionDeclaration(statement) && !statement.name && statement.body) {
        candidates.push({ fn: new FunctionValue(statement, scope, 'default'), name: 'default' });
      } else if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (!ts.isIdentifier(declaration.name)) continue;
          const value = scope.lookup(declaration.name.text)?.value;
          if (value instanceof FunctionValue) candidates.push({ fn: value, name: declaration.name.text });
        }
      } else if (ts.isClassDeclaration(statement)) {
        addClassMethods(statement, statement.name?.text ?? 'default');
      } else if (ts.isExportAssignment(statement)) {
        const inner = skipOuterExpressions(ts, statement.expression);
        if (ts.isArrowFunction(inner) || ts.isFunctionExpression(inner)) {
          candidates.push({ fn: new FunctionValue(inner, scope, 'default'), name: 'default' });
        }
      }
    }
    const runs: { fn: FunctionValue; models: ModelValue[]; problems: ParseProblem[]; called: Set<TS.Node> }[] = [];
    for (const { fn, name } of candidates) {
      if (this.calledFunctions.has(fn.declaration)) continue;
      const given = this.valuesFor(fn.declaration, scope, name);
      // `if (modelType === 'cnn') ... else if (modelType === 'rnn')` with no value given:
      // one run per name compared, so each architecture is a model of its own.
      const branch = this.branchParameter(fn.declaration, given);
      const sites = this.callSites[name] ?? [];
      // Calls in other files with constant arguments: one model per distinct argument list.
      const variants: { label: string; fill?: readonly [string, string]; args?: Value[] }[] = sites.length
        ? sites.map((args) => ({ label: `${name}(${args.map(formatArgument).join(', ')})`, args: args.map(fromConfigValue) }))
        : branch ? branch.values.map((value) => ({ label: `${name}[${value}]`, fill: [branch.parameter, value] as const })) : [{ label: name }];
      const runVariant = (variant: (typeof variants)[number]): { models: ModelValue[]; problems: ParseProblem[]; called: Set<TS.Node> } => {
        const called = new Set<TS.Node>();
        this.callsOfRun = called;
        const { models, problems } = this.speculate(() => {
          this.templateName = variant.label;
          this.builderName = name;
          this.templateHolder = this.rangeOf(this.annotationHolder(fn.declaration));
          try {
            this.templateValues = new Map(given);
            if (variant.fill) this.templateValues.set(variant.fill[0], variant.fill[1]);
            this.callFunction(fn, variant.args ?? [], fn.declaration, undefined, true);
          } finally {
            this.templateName = undefined;
            this.builderName = undefined;
            this.templateHolder = undefined;
            this.callsOfRun = undefined;
            this.templateValues = undefined;
          }
        });
        for (const model of models) model.template ??= variant.label;
        called.delete(fn.declaration);
        return { models, problems, called };
      };
      for (const variant of variants) {
        const flowBefore = this.flowHoles.length;
        const run = runVariant(variant);
        // An unknown string that picks the architecture, found while running (`switch (kind)` on
        // a destructured option, `args.model`, `process.argv[2]`): one model per string compared,
        // as for a string parameter, instead of the first branch with a hole.
        const split = variants.length === 1 && !sites.length ? this.stringSplit(this.flowHoles.slice(flowBefore), given) : undefined;
        if (!split) {
          runs.push({ fn, ...run });
          continue;
        }
        const dropped = new Set(run.models);
        this.models.splice(0, this.models.length, ...this.models.filter((m) => !dropped.has(m)));
        this.dropProblems(run.problems);
        this.flowHoles.splice(flowBefore);
        for (const value of split.values) runs.push({ fn, ...runVariant({ label: `${name}[${value}]`, fill: [split.name, value] }) });
      }
    }
    // A template that another template calls (`createModel` called by a class constructor) is
    // better read from its caller, with arguments bound: drop its own run.
    for (const run of runs) {
      if (!runs.some((other) => other !== run && other.models.length && other.called.has(run.fn.declaration))) continue;
      const dropped = new Set(run.models);
      const kept = this.models.filter((m) => !dropped.has(m));
      this.models.splice(0, this.models.length, ...kept);
      this.dropProblems(run.problems);
    }
  }

  /**
   * Values for a template's parameters: presets (`--set`, remembered values) overridden by the
   * function's annotation, a comment just above it: `// gradient-lens: inputShape=[13], units=64, modelType='cnn'`.
   * Values are constant expressions of the file (`[IMAGE_H, IMAGE_W, 1]` works).
   */
  private valuesFor(declaration: TS.Node, scope: Scope, builder: string): Map<string, Value> {
    const values = new Map<string, Value>();
    const given = { ...this.presets, ...(this.presetsFor[builder] ?? {}) };
    for (const entry of this.annotationEntries(Object.entries(given).map(([k, v]) => `${k}=${v}`).join(', '), declaration)) {
      values.set(entry.name, this.evalForeign(entry.expression, entry.file, scope));
    }
    for (const entry of this.annotationAbove(this.annotationHolder(declaration))) {
      values.set(entry.name, this.evalForeign(entry.expression, entry.file, scope));
    }
    return values;
  }

  /**
   * The parameter a function compares with string literals (`kind === 'cnn'`, `case 'rnn':`)
   * most often, when it has no given value and two or more names; those names in source order.
   */
  private branchParameter(declaration: FunctionValue["declaration"], given: ReadonlyMap<string, Value>): { parameter: string; values: string[] } | undefined {
    const ts = this.ts;
    const parameters = new Set<string>();
    for (const parameter of declaration.parameters) {
      if (ts.isIdentifier(parameter.name)) parameters.add(parameter.name.text);
      else for (const name of this.boundNames(parameter.name)) parameters.add(name);
    }
    for (const name of given.keys()) parameters.delete(name);
    if (!parameters.size) return undefined;
    const found = new Map<string, string[]>();
    const note = (name: TS.Node, literal: TS.Node): void => {
      if (!ts.isIdentifier(name) || !parameters.has(name.text) || !ts.isStringLiteralLike(literal)) return;
      const list = found.get(name.text) ?? [];
      if (!list.includes(literal.text)) list.push(literal.text);
      found.set(name.text, list);
    };
    const equality = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);
    const visit = (node: TS.Node): void => {
      if (ts.isBinaryExpression(node) && equality.has(node.operatorToken.kind)) {
        note(node.left, node.right);
        note(node.right, node.left);
      } else if (ts.isSwitchStatement(node)) {
        for (const clause of node.caseBlock.clauses) if (ts.isCaseClause(clause)) note(node.expression, clause.expression);
      }
      ts.forEachChild(node, visit);
    };
    if (declaration.body) visit(declaration.body);
    const best = [...found].sort((a, b) => b[1].length - a[1].length)[0];
    return best && best[1].length >= 2 ? { parameter: best[0], values: best[1] } : undefined;
  }

  /**
   * The first condition hole of a run that the file compares with two or more string literals,
   * with those literals in source order; undefined when there is none.
   */
  private stringSplit(holes: readonly FlowHole[], given: ReadonlyMap<string, Value>): { name: string; values: string[] } | undefined {
    const cases = this.fileStringCases();
    for (const hole of holes) {
      if (hole.role !== 'condition' || given.has(hole.name)) continue;
      // The compared name is filled (`rnnType` of `switch (rnnType)`): it is what the branches
      // read, wherever its unknown value came from.
      const bySubject = hole.subject !== undefined ? cases.get(hole.subject) : undefined;
      if (bySubject && bySubject.length >= 2 && !given.has(hole.subject!)) return { name: hole.subject!, values: bySubject };
      const values = cases.get(hole.name);
      if (values && values.length >= 2) return { name: hole.name, values };
    }
    return undefined;
  }

  /** Access chains compared with string literals in the file: `===`, `case`, `.includes('x')`, `.startsWith('x')`... */
  private fileStringCases(): Map<string, string[]> {
    this.stringCases ??= this.stringComparisons(this.file);
    return this.stringCases;
  }

  /** The access chains `node` compares with string literals, in source order. */
  private comparedChains(node: TS.Node): string[] {
    const ts = this.ts;
    // A switch's subject is its expression; an `if` condition is walked for comparisons.
    if (ts.isSwitchStatement(node.parent) && node.parent.expression === node) {
      const chain = accessChain(node.getText(this.file));
      return chain ? [chain] : [];
    }
    return [...this.stringComparisons(node).keys()];
  }

  private stringComparisons(root: TS.Node): Map<string, string[]> {
    const ts = this.ts;
    const found = new Map<string, string[]>();
    const file = this.file;
    const note = (subject: TS.Node, literal: TS.Node): void => {
      if (!ts.isStringLiteralLike(literal)) return;
      const chain = ts.isIdentifier(subject) || ts.isPropertyAccessExpression(subject) || ts.isElementAccessExpression(subject) ? accessChain(subject.getText(file)) : undefined;
      if (chain === undefined) return;
      const list = found.get(chain) ?? [];
      if (!list.includes(literal.text)) list.push(literal.text);
      found.set(chain, list);
    };
    const equality = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);
    const visit = (node: TS.Node): void => {
      if (ts.isBinaryExpression(node) && equality.has(node.operatorToken.kind)) {
        note(skipOuterExpressions(ts, node.left), node.right);
        note(skipOuterExpressions(ts, node.right), node.left);
      } else if (ts.isSwitchStatement(node)) {
        for (const clause of node.caseBlock.clauses) if (ts.isCaseClause(clause)) note(skipOuterExpressions(ts, node.expression), clause.expression);
      } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && STRING_TESTS.has(node.expression.name.text) && node.arguments[0]) {
        note(skipOuterExpressions(ts, node.expression.expression), node.arguments[0]);
      }
      ts.forEachChild(node, visit);
    };
    visit(root);
    return found;
  }

  /**
   * The string split of the file's top-level run (not of templates): a condition hole met
   * while the file's own statements ran, compared with two or more string literals.
   */
  topLevelSplit(): { name: string; values: string[] } | undefined {
    return this.stringSplit(this.flowHoles.slice(0, this.topLevelFlowHoles), new Map());
  }

  /** The default a JSDoc comment gives a parameter: `@param {number} [units=64]`, as an expression. */
  private jsDocDefault(declaration: TS.Node, name: string): { expression: TS.Expression; file: TS.SourceFile } | undefined {
    const ts = this.ts;
    const holder = this.annotationHolder(declaration);
    for (const comment of ts.getLeadingCommentRanges(this.file.text, holder.getFullStart()) ?? []) {
      const text = this.file.text.slice(comment.pos, comment.end);
      const escaped = name.replace(/[$]/g, '\\$');
      const match = new RegExp(`@param\\s+(?:\\{[^}]*\\}\\s*)?\\[\\s*${escaped}\\s*=\\s*([^\\]]+?)\\s*\\]`).exec(text);
      if (!match) continue;
      const file = ts.createSourceFile('jsdoc.ts', `(${match[1]})`, ts.ScriptTarget.Latest, true);
      const statement = file.statements[0];
      if (statement && ts.isExpressionStatement(statement)) return { expression: statement.expression, file };
    }
    return undefined;
  }

  /** The statement an annotation comment sits above (a `const f = () => ...` too). */
  private annotationHolder(declaration: TS.Node): TS.Node {
    const ts = this.ts;
    let holder: TS.Node = declaration;
    while (holder.parent && !ts.isSourceFile(holder.parent) && !ts.isClassLike(holder.parent) && !ts.isBlock(holder.parent)) holder = holder.parent;
    return holder;
  }

  private annotationAbove(holder: TS.Node): AnnotationEntry[] {
    const entries: AnnotationEntry[] = [];
    for (const comment of this.ts.getLeadingCommentRanges(this.file.text, holder.getFullStart()) ?? []) {
      const match = ANNOTATION.exec(this.file.text.slice(comment.pos, comment.end));
      if (match) entries.push(...this.annotationEntries(match[1]!, holder));
    }
    return entries;
  }

  /** `a=1, xTrain.shape[1]=13, shape=[28, 28, 1]` -> one parsed expression per name. */
  private annotationEntries(text: string, at: TS.Node): AnnotationEntry[] {
    const ts = this.ts;
    const entries: AnnotationEntry[] = [];
    const starts = [...text.matchAll(new RegExp(`(${HOLE_NAME})\\s*=(?!=)`, 'g'))];
    starts.forEach((match, i) => {
      const end = i + 1 < starts.length ? starts[i + 1]!.index! : text.length;
      const expression = text.slice(match.index! + match[0].length, end).trim().replace(/,\s*$/, '');
      const file = ts.createSourceFile('annotation.ts', `(${expression})`, ts.ScriptTarget.Latest, true);
      const statement = file.statements[0];
      if (!statement || !ts.isExpressionStatement(statement) || (file as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length) {
        this.problem(`Annotation value of \`${match[1]}\` is not an expression: ${expression}`, at, 'warning');
        return;
      }
      entries.push({ name: match[1]!, expression: statement.expression, file });
    });
    return entries;
  }

  /**
   * File-wide values: `--set` pairs and annotations above top-level statements that are not
   * functions (those belong to the function). Evaluated on first use, in the module scope.
   */
  private collectFileFills(): void {
    const ts = this.ts;
    // What the code says comes first: annotations, then values given from outside.
    const entries: AnnotationEntry[] = [];
    for (const statement of this.file.statements) {
      const isFunction =
        ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) ||
        (ts.isVariableStatement(statement) && statement.declarationList.declarations.some((d) => d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))));
      if (!isFunction) entries.push(...this.annotationAbove(statement));
    }
    entries.push(...this.annotationEntries(Object.entries(this.presets).map(([k, v]) => `${k}=${v}`).join(', '), this.file));
    for (const entry of entries) if (!this.fileFills.has(entry.name)) this.fileFills.set(entry.name, { entry });
  }

  private fillFor(chain: string): { found: true; value: Value } | { found: false } {
    if (this.templateValues?.has(chain)) return { found: true, value: this.templateValues.get(chain) };
    const fill = this.fileFills.get(chain);
    if (!fill || !this.moduleScope) return { found: false };
    if (!('value' in fill)) {
      // Mark first: an annotation that names itself (`n=n`) must not recurse.
      fill.value = new Unknown(chain, 'annotation refers to itself');
      fill.value = this.evalForeign(fill.entry.expression, fill.entry.file, this.moduleScope);
    }
    return { found: true, value: fill.value };
  }

  /** Evaluates an expression parsed from other text (an annotation) against this file's scope. */
  private evalForeign(expression: TS.Expression, file: TS.SourceFile, scope: Scope): Value {
    const saved = this.file;
    this.file = file;
    try {
      return this.eval(expression, scope);
    } finally {
      this.file = saved;
    }
  }

  /** Runs `body`; when it builds no model, it was not model code and its problems are dropped. */
  private speculate(body: () => void): { models: ModelValue[]; problems: ParseProblem[] } {
    const modelsBefore = this.models.length;
    const problemsBefore = this.problems.length;
    this.guarded(body);
    const models = this.models.slice(modelsBefore);
    const problems = this.problems.slice(problemsBefore);
    if (!models.length) this.dropProblems(problems);
    return { models, problems };
  }

  private dropProblems(problems: readonly ParseProblem[]): void {
    if (!problems.length) return;
    const dropped = new Set(problems);
    const kept = this.problems.filter((p) => !dropped.has(p));
    this.problems.splice(0, this.problems.length, ...kept);
    for (const p of problems) this.problemKeys.delete(`${p.range.start}:${p.range.end}:${p.message}`);
  }

  /**
   * Functions handed to code the parser cannot follow (`data.load().then(() => {...})`,
   * `button.addEventListener('click', async () => {...})`) often build the model: run them.
   */
  private runCallbacks(args: readonly Value[]): void {
    for (const arg of args) {
      if (!(arg instanceof FunctionValue) || this.calledFunctions.has(arg.declaration)) continue;
      const flowBefore = this.flowHoles.length;
      const first = this.speculate(() => void this.callFunction(arg, [], arg.declaration, undefined, true));
      // A string the callback compares to pick the architecture (a `<select>`'s value): one run per string.
      const saved = this.templateValues;
      const split = first.models.length ? this.stringSplit(this.flowHoles.slice(flowBefore), saved ?? new Map()) : undefined;
      if (!split) continue;
      const dropped = new Set(first.models);
      this.models.splice(0, this.models.length, ...this.models.filter((m) => !dropped.has(m)));
      this.dropProblems(first.problems);
      this.flowHoles.splice(flowBefore);
      for (const value of split.values) {
        this.templateValues = new Map([...(saved ?? []), [split.name, value]]);
        try {
          const run = this.speculate(() => void this.callFunction(arg, [], arg.declaration, undefined, true));
          for (const model of run.models) model.template = `${model.template ?? model.name ?? 'model'}[${value}]`;
        } finally {
          this.templateValues = saved;
        }
      }
    }
  }

  // ---------------------------------------------------------------- members and methods

  member(object: Value, key: string, site: TS.Node): Value {
    if (object instanceof Namespace) return object.child(key);
    if (object instanceof ObjectValue) {
      if (object.props.has(key)) return object.props.get(key);
      return undefined;
    }
    if (Array.isArray(object)) {
      if (key === 'length') return object.length;
      if (/^\d+$/.test(key)) return object[Number(key)];
      return undefined;
    }
    if (typeof object === 'string') {
      if (key === 'length') return object.length;
      if (/^\d+$/.test(key)) return object[Number(key)];
      return undefined;
    }
    // A member of a call's result (`loadCsv(f).columnCount`) is named by its own access chain.
    if (object instanceof Unknown) return new Unknown(this.text(site), object.reason, object.hole?.name.endsWith(')') ? undefined : object.hole);
    if (object instanceof SequentialModel && key === 'layers') return [...object.layers];
    if (object instanceof FunctionalModel && key === 'layers') return functionalNodes(object).map((n) => n.layer);
    // `encoder.inputs` / `.outputs`: the model's symbolic tensors, as tfjs gives them (lists).
    if (object instanceof FunctionalModel && (key === 'inputs' || key === 'outputs')) return [...object[key]];
    if (object instanceof TensorValue && key === 'shape') return new Unknown(this.text(site), 'symbolic tensor shapes are inferred later, not during parsing');
    return new Unknown(this.text(site), `property \`${key}\` is not known`);
  }

  /** Methods with behaviour: tfjs models and layers, arrays, strings. Undefined: not a method we handle. */
  private method(object: Value, key: string, site: TS.CallExpression, scope: Scope): { value: Value } | undefined {
    if (object instanceof LayerValue && key === 'apply') return { value: this.applyLayer(object, this.evalArgs(site.arguments, scope), site) };
    if (object instanceof SequentialModel && key === 'add') {
      const [layer] = this.evalArgs(site.arguments, scope);
      this.modelWork++;
      if (object.layers.length >= PARSE_LIMITS.maxLayersPerModel) {
        // Said once per model, at the first layer refused.
        if (this.overLimit.has(object)) return undefined;
        this.overLimit.add(object);
        throw new ParseLimitError(layerLimitMessage(), this.rangeOf(site), 'statement');
      }
      if (layer instanceof LayerValue) object.layers.push(layer);
      else if (isModel(layer)) this.addModelAsLayers(object, layer, site);
      else this.problem(`\`${this.text(site.arguments[0] ?? site)}\` is not a layer the parser could resolve; the model may be missing a layer here.`, site.arguments[0] ?? site);
      return { value: undefined };
    }
    if (isModel(object) && key === 'compile') {
      const [config] = this.evalArgs(site.arguments, scope);
      object.compile = { args: config instanceof ObjectValue ? config : undefined, range: this.rangeOf(site) };
      return { value: undefined };
    }
    if (isModel(object) && key === 'apply') return { value: this.applyModel(object, this.evalArgs(site.arguments, scope), site) };
    if (Array.isArray(object)) return ARRAY_METHODS.has(key) ? { value: this.arrayMethod(object, key, site, scope) } : undefined;
    if (typeof object === 'string') {
      // Results may be falsy (`null` from a match that fails, `false`, `-1`): they are results.
      const value = stringMethod(object, key, this.evalArgs(site.arguments, scope));
      return value === undefined ? undefined : { value };
    }
    if (object instanceof ArgParserValue) return this.argParserMethod(object, key, site, scope);
    if (object instanceof RegExpValue && key === 'test') {
      const [text] = this.evalArgs(site.arguments, scope);
      return { value: typeof text === 'string' ? object.regexp.test(text) : new Unknown(this.text(site), unknownReason(text, this.text(site)), text instanceof Unknown ? text.hole : undefined) };
    }
    return undefined;
  }

  /** `addArgument('--latentSize', {defaultValue: 100})` records a default; `parseArgs()` returns them. */
  private argParserMethod(parser: ArgParserValue, key: string, site: TS.CallExpression, scope: Scope): { value: Value } | undefined {
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

  private callback(fn: Value, args: readonly Value[], site: TS.Node): Value {
    return this.callValue(fn, args, site, undefined);
  }

  private mapWithIterations(items: readonly Value[], fn: Value, site: TS.Node, array: readonly Value[]): Value[] {
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

  private arrayMethod(array: Value[], key: string, site: TS.CallExpression, scope: Scope): Value | undefined {
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
  private flatten(items: readonly Value[], site: TS.Node): Value {
    let total = 0;
    for (const item of items) total += Array.isArray(item) ? item.length : 1;
    const refused = this.tooLong('list', total, site);
    if (refused) return refused;
    this.tick(total >> 6);
    return items.flatMap((v) => (Array.isArray(v) ? v : [v]));
  }

  private newArray(length: number): Value[] {
    if (!Number.isInteger(length) || length < 0 || length > MAX_LOOP_ITERATIONS) return [];
    return new Array<Value>(length).fill(undefined);
  }

  private arrayFrom(args: readonly Value[], site: TS.Node): Value {
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

  // ---------------------------------------------------------------- tfjs

  private callTf(callee: Namespace, args: readonly Value[], site: TS.Node): Value {
    const path = callee.path;
    const range = this.rangeOf(site);
    if (path.length === 2 && path[0] === 'layers' && path[1] !== 'input') {
      const type = path[1]!;
      const [config] = args;
      if (config !== undefined && !(config instanceof ObjectValue)) {
        if (config instanceof Unknown) {
          this.problem(`The config of \`${type}\` is not a constant object: ${config.reason}.`, site);
        }
      }
      const known = LAYER_FACTORIES.has(type);
      this.modelWork++;
      this.countLayer(site);
      return new LayerValue(type, known, config instanceof ObjectValue ? config : undefined, range, this.iterations.length ? [...this.iterations] : undefined);
    }
    if (path.length === 1 && path[0] === 'sequential') {
      const model = new SequentialModel(range);
      const [config] = args;
      if (config instanceof ObjectValue) {
        const layers = config.props.get('layers');
        if (Array.isArray(layers)) {
          if (layers.length > PARSE_LIMITS.maxLayersPerModel) throw new ParseLimitError(layerLimitMessage(), range, 'statement');
          for (const layer of layers) {
            if (layer instanceof LayerValue) model.layers.push(layer);
            else this.problem('An element of `layers` is not a layer the parser could resolve; the model may be missing a layer.', site);
          }
        } else if (layers !== undefined) {
          this.problem('`layers` is not a constant list of layers; the model may be missing layers.', site);
        }
        const name = config.props.get('name');
        if (typeof name === 'string') this.nameFromConfig(model, name);
      }
      return this.registerModel(model);
    }
    // `tf.layers.input` is tfjs' other spelling of `tf.input`.
    if ((path.length === 1 && path[0] === 'input') || (path.length === 2 && path[0] === 'layers' && path[1] === 'input')) {
      const [config] = args;
      const layer = new LayerValue('inputLayer', true, config instanceof ObjectValue ? config : undefined, range, this.iterations.length ? [...this.iterations] : undefined);
      return new TensorValue(this.node(layer, []));
    }
    if (path.length === 1 && path[0] === 'model') {
      const [config] = args;
      const tensors = (value: Value, role: string): TensorValue[] => {
        const list = Array.isArray(value) ? value : [value];
        const result = list.filter((v): v is TensorValue => v instanceof TensorValue);
        if (result.length !== list.length || list.length === 0) {
          this.problem(`\`${role}\` of the model is not made of symbolic tensors the parser could resolve.`, site);
        }
        return result;
      };
      if (!(config instanceof ObjectValue)) {
        this.problem('`tf.model` needs a constant `{inputs, outputs}` object.', site);
        return new Unknown(this.text(site), 'model config is not a constant object');
      }
      const model = new FunctionalModel(range, tensors(config.props.get('inputs'), 'inputs'), tensors(config.props.get('outputs'), 'outputs'));
      const name = config.props.get('name');
      if (typeof name === 'string') this.nameFromConfig(model, name);
      return this.registerModel(model);
    }
    return new FactoryCall(path.join('.'), args);
  }

  private nameFromConfig(model: ModelValue, name: string): void {
    // The variable name is what users search for; a config name only fills in when none binds it.
    model.name = name;
    model.nameDepth = Number.POSITIVE_INFINITY;
  }

  private registerModel(model: ModelValue): ModelValue {
    this.modelWork++;
    if (this.templateName) model.template = this.templateName;
    if (this.builderName) model.builder = this.builderName;
    if (this.templateHolder) model.annotationHolder = this.templateHolder;
    this.models.push(model);
    return model;
  }

  private node(layer: LayerValue, inbound: GraphNode[], inboundIndex?: readonly number[]): GraphNode {
    const indexed = inboundIndex?.some((i) => i !== 0);
    if (this.nodeOrder >= PARSE_LIMITS.maxLayersPerModel * 4) throw new ParseLimitError(layerLimitMessage(), layer.range, 'statement');
    return { layer, inbound, ...(indexed ? { inboundIndex } : {}), order: this.nodeOrder++ };
  }

  /**
   * A model used as a layer is read as its layers, inlined where it is used (marked `partOf`):
   * gradients flow through them exactly as through the nested model.
   */
  private addModelAsLayers(outer: SequentialModel, inner: ModelValue, site: TS.Node): void {
    const name = inner.name ?? 'model';
    if (inner === outer) {
      this.problem('A model cannot be added to itself.', site);
      return;
    }
    if (inner instanceof SequentialModel) {
      for (const layer of [...inner.layers]) {
        this.tick(); // inlining costs steps, so models nested in loops stay bounded
        if (outer.layers.length >= PARSE_LIMITS.maxLayersPerModel) throw new ParseLimitError(layerLimitMessage(), this.rangeOf(site), 'statement');
        if (layer.type !== 'inputLayer' || outer.layers.length === 0) outer.layers.push(layer.inlined(name, inner.trainable === false));
      }
      return;
    }
    // A functional model is a chain when every node has one input: then it reads as a list.
    const nodes = functionalNodes(inner);
    const chain = inner.inputs.length === 1 && inner.outputs.length === 1 && nodes.every((n) => n.inbound.length <= 1 && nodes.filter((m) => m.inbound.includes(n)).length <= 1);
    if (!chain) {
      this.problem(`\`${name}\` has branches; adding it to a sequential model is not read (apply it to a tensor in a functional model instead).`, site);
      return;
    }
    for (const node of nodes) {
      this.tick();
      if (outer.layers.length >= PARSE_LIMITS.maxLayersPerModel) throw new ParseLimitError(layerLimitMessage(), this.rangeOf(site), 'statement');
      if (node.layer.type !== 'inputLayer' || outer.layers.length === 0) outer.layers.push(node.layer.inlined(name, inner.trainable === false));
    }
  }

  private applyModel(model: ModelValue, args: readonly Value[], site: TS.Node): Value {
    const [input] = args;
    const given = Array.isArray(input) ? input : [input];
    if (!given.length || !given.every((v): v is TensorValue => v instanceof TensorValue)) {
      const unknown = given.find((v): v is Unknown => v instanceof Unknown);
      return new Unknown(this.text(site), unknown ? unknown.reason : 'model applied to a value that is not a symbolic tensor', unknown?.hole);
    }
    const name = model.name ?? 'model';
    this.modelWork++;
    if (model instanceof SequentialModel) {
      let current: TensorValue = given[0]!;
      for (const layer of [...model.layers]) {
        this.tick();
        if (layer.type === 'inputLayer') continue;
        current = new TensorValue(this.node(layer.inlined(name, model.trainable === false), [current.node], [current.index]));
      }
      return current;
    }
    if (given.length !== model.inputs.length) {
      this.problem(`\`${name}\` takes ${model.inputs.length} inputs but is applied to ${given.length}.`, site);
      return new Unknown(this.text(site), 'model applied to the wrong number of inputs');
    }
    const mapped = new Map<GraphNode, TensorValue>();
    model.inputs.forEach((tensor, i) => mapped.set(tensor.node, given[i]!));
    const copies = new Map<GraphNode, GraphNode>();
    const tensorFor = (node: GraphNode, index: number): TensorValue => {
      const input = mapped.get(node);
      return input ?? new TensorValue(copies.get(node)!, index);
    };
    for (const node of functionalNodes(model)) {
      this.tick();
      if (mapped.has(node)) continue;
      const inputs = node.inbound.map((n, i) => tensorFor(n, node.inboundIndex?.[i] ?? 0));
      copies.set(node, this.node(node.layer.inlined(name, model.trainable === false), inputs.map((t) => t.node), inputs.map((t) => t.index)));
    }
    const outputs = model.outputs.map((t) => tensorFor(t.node, t.index));
    return outputs.length === 1 ? outputs[0] : outputs;
  }

  private applyLayer(layer: LayerValue, args: readonly Value[], site: TS.Node): Value {
    const [input, kwargs] = args;
    let inputs = Array.isArray(input) ? input : [input];
    // `rnn.apply(x, {initialState: [h, c]})`: tfjs takes the states as extra inputs after `x`
    // (its RNN.apply does the same with `apply([x, h, c])`), so they are inbound edges.
    const states = kwargs instanceof ObjectValue ? kwargs.props.get('initialState') : undefined;
    if (states !== undefined && !MERGE_LAYERS.has(layer.type)) inputs = [...inputs, ...(Array.isArray(states) ? states : [states])];
    const tensors = inputs.filter((v): v is TensorValue => v instanceof TensorValue);
    if (tensors.length !== inputs.length || tensors.length === 0) {
      const unknown = inputs.find((v): v is Unknown => v instanceof Unknown);
      if (!unknown) this.problem(`\`${layer.type}.apply\` is given something that is not a symbolic tensor.`, site, 'info');
      return new Unknown(this.text(site), unknown ? unknown.reason : 'layer applied to a value that is not a symbolic tensor');
    }
    if (this.appliedLayers.has(layer)) {
      this.problem(
        `This \`${layer.type}\` layer object is applied more than once (shared weights); each use is listed as its own layer, so parameter counts may be too high.`,
        site,
        'info',
      );
    }
    this.appliedLayers.add(layer);
    if (MERGE_LAYERS.has(layer.type) && !Array.isArray(input)) {
      this.problem(`\`${layer.type}\` merges a list of tensors: write \`.apply([a, b])\`.`, site);
    }
    this.modelWork++;
    const node = this.node(layer, tensors.map((t) => t.node), tensors.map((t) => t.index));
    // `returnState: true`: [output, ...states], one state for simpleRNN/GRU, two for LSTM.
    if (['lstm', 'gru', 'simpleRNN'].includes(layer.type) && layer.config?.props.get('returnState') === true) {
      const states = layer.type === 'lstm' ? 2 : 1;
      return Array.from({ length: states + 1 }, (_, i) => new TensorValue(node, i));
    }
    return new TensorValue(node);
  }
}

// -------------------------------------------------------------------- helpers

/**
 * What may cross from an imported file: data only. Functions, layers and models would carry
 * ranges of the other file; that file's own analysis reports them.
 */
/** An argument as the model's name shows it: `createModel(13, 'relu')`. */
function formatArgument(value: ConfigValue): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 24 ? `${text.slice(0, 21)}...` : text.replace(/"/g, "'");
}

function shareable(value: Value, name: string, file: string): Value {
  if (value === undefined || value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Unknown || value instanceof Namespace || value instanceof FactoryCall) return value;
  if (Array.isArray(value)) return value.map((item) => shareable(item, name, file));
  if (value instanceof ObjectValue) {
    const copy = new ObjectValue();
    for (const [k, v] of value.props) copy.props.set(k, shareable(v, k, file));
    return copy;
  }
  const foreign = value instanceof FunctionValue ? { file, name: value.name } : undefined;
  return new Unknown(name, `\`${name}\` is a function or model of another file; it is analysed there`, undefined, foreign);
}

function copyProps(from: ObjectValue, to: ObjectValue): void {
  for (const [key, value] of from.props) {
    to.props.set(key, value);
    const range = from.ranges.get(key);
    if (range) to.ranges.set(key, range);
    else to.ranges.delete(key);
  }
}

function inferredFunctionName(ts: typeof TS, node: TS.Node): string {
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return 'anonymous';
}

function skipOuterExpressions(ts: typeof TS, node: TS.Expression): TS.Expression {
  let current = node;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isNonNullExpression(current) ||
    ts.isTypeAssertionExpression(current) ||
    ts.isSatisfiesExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

function isPrimitive(value: Value): value is number | string | boolean | null | undefined {
  return value === null || value === undefined || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean';
}

/** JS truthiness, or undefined when the value is not known. */
export function truthy(value: Value): boolean | undefined {
  if (value instanceof Unknown) return undefined;
  if (isPrimitive(value)) return Boolean(value);
  return true;
}

function toNumber(value: Value): Value {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return Number(value);
  return new Unknown('Number(...)', 'argument is not a constant');
}

function toPropertyKey(value: Value): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** `text` without spaces when it is a name or an access chain (`a.b[1].c`), else undefined. */
export function accessChain(text: string): string | undefined {
  const compact = text.replace(/\s+/g, '');
  return /^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*|\[\d+\])*$/.test(compact) ? compact.replace(/\?\./g, '.') : undefined;
}

function unknownReason(value: Value, text: string): string {
  return value instanceof Unknown ? value.reason : `\`${text}\` is not a constant`;
}

/** `require.main === module` and the ESM spellings of "this file is the program being run". */
function isRunGuard(text: string): boolean {
  return /require\.main\s*[!=]==?\s*module|module\s*[!=]==?\s*require\.main|import\.meta\.main|import\.meta\.url|process\.argv\[1\]/.test(text) && !/[!]==?/.test(text);
}

function strictEquals(a: Value, b: Value): boolean | undefined {
  if (a instanceof Unknown || b instanceof Unknown) return undefined;
  return a === b;
}

/** The array methods `arrayMethod` implements. */
const ARRAY_METHODS: ReadonlySet<string> = new Set([
  'push', 'unshift', 'pop', 'shift', 'map', 'forEach', 'flatMap', 'filter', 'reduce', 'fill', 'slice', 'concat', 'reverse', 'join',
  'includes', 'indexOf', 'at', 'keys', 'entries', 'flat', 'every', 'some',
]);

/** String methods that test a string against a literal (`kind.startsWith('bi')`). */
const STRING_TESTS: ReadonlySet<string> = new Set(['includes', 'startsWith', 'endsWith', 'match', 'indexOf', 'search']);

/** Methods whose result on an unknown string or list is decided by that value alone (its hole). */
const VALUE_METHODS: ReadonlySet<string> = new Set([
  'includes', 'startsWith', 'endsWith', 'match', 'indexOf', 'lastIndexOf', 'search', 'toLowerCase', 'toUpperCase',
  'trim', 'trimStart', 'trimEnd', 'split', 'slice', 'substring', 'substr', 'charAt', 'at', 'replace', 'concat', 'padStart', 'padEnd', 'localeCompare',
]);

function stringMethod(text: string, key: string, args: readonly Value[]): Value | undefined {
  const [a, b] = args;
  const pattern = typeof a === 'string' ? a : a instanceof RegExpValue ? a.regexp : undefined;
  switch (key) {
    case 'match': {
      if (pattern === undefined) return undefined;
      let found: RegExpMatchArray | null;
      try {
        found = text.match(pattern); // a string is read as a regular expression, as in JS
      } catch {
        return undefined;
      }
      return found ? [...found].map((m) => m ?? undefined) : null;
    }
    case 'search':
      try {
        return pattern === undefined ? undefined : text.search(pattern);
      } catch {
        return undefined;
      }
    case 'indexOf':
      return typeof a === 'string' ? text.indexOf(a, typeof b === 'number' ? b : undefined) : undefined;
    case 'lastIndexOf':
      return typeof a === 'string' ? text.lastIndexOf(a) : undefined;
    case 'replace':
    case 'replaceAll':
      return pattern !== undefined && typeof b === 'string' ? (key === 'replace' ? text.replace(pattern, b) : typeof pattern === 'string' ? text.split(pattern).join(b) : undefined) : undefined;
    case 'charAt':
      return text.charAt(typeof a === 'number' ? a : 0);
    case 'at':
      return typeof a === 'number' ? text.at(a) : undefined;
    case 'concat':
      return args.every(isPrimitive) ? text.concat(...args.map(String)) : undefined;
    case 'padStart':
    case 'padEnd':
      return typeof a === 'number' && a < 10_000 ? text[key](a, typeof b === 'string' ? b : undefined) : undefined;
    case 'trimStart':
      return text.trimStart();
    case 'trimEnd':
      return text.trimEnd();
    case 'localeCompare':
      return typeof a === 'string' ? (text < a ? -1 : text > a ? 1 : 0) : undefined;
    case 'substr':
      return text.substr(typeof a === 'number' ? a : 0, typeof b === 'number' ? b : undefined);
    case 'toUpperCase':
      return text.toUpperCase();
    case 'toLowerCase':
      return text.toLowerCase();
    case 'trim':
      return text.trim();
    case 'startsWith':
      return typeof a === 'string' ? text.startsWith(a) : undefined;
    case 'endsWith':
      return typeof a === 'string' ? text.endsWith(a) : undefined;
    case 'includes':
      return typeof a === 'string' ? text.includes(a) : undefined;
    case 'split':
      return typeof a === 'string' ? text.split(a) : undefined;
    case 'repeat':
      return typeof a === 'number' && a >= 0 && a < 10_000 && text.length * a <= PARSE_LIMITS.maxStringLength ? text.repeat(a) : undefined;
    case 'slice':
    case 'substring':
      return text[key](typeof a === 'number' ? a : 0, typeof b === 'number' ? b : undefined);
  }
  return undefined;
}

const NOT_CONSTANT = Symbol('not constant');

let compoundAssignments: Map<TS.SyntaxKind, TS.SyntaxKind> | undefined;
function COMPOUND_ASSIGNMENT(ts: typeof TS): Map<TS.SyntaxKind, TS.SyntaxKind> {
  const k = ts.SyntaxKind;
  compoundAssignments ??= new Map([
    [k.PlusEqualsToken, k.PlusToken],
    [k.MinusEqualsToken, k.MinusToken],
    [k.AsteriskEqualsToken, k.AsteriskToken],
    [k.SlashEqualsToken, k.SlashToken],
    [k.PercentEqualsToken, k.PercentToken],
    [k.AsteriskAsteriskEqualsToken, k.AsteriskAsteriskToken],
    [k.LessThanLessThanEqualsToken, k.LessThanLessThanToken],
    [k.GreaterThanGreaterThanEqualsToken, k.GreaterThanGreaterThanToken],
    [k.AmpersandEqualsToken, k.AmpersandToken],
    [k.BarEqualsToken, k.BarToken],
  ]);
  return compoundAssignments;
}

function binaryOp(ts: typeof TS, op: TS.SyntaxKind, left: Value, right: Value): Value | typeof NOT_CONSTANT {
  const k = ts.SyntaxKind;
  if (op === k.EqualsEqualsEqualsToken || op === k.ExclamationEqualsEqualsToken || op === k.EqualsEqualsToken || op === k.ExclamationEqualsToken) {
    const equal = strictEquals(left, right);
    if (equal === undefined) return NOT_CONSTANT;
    const loose = (op === k.EqualsEqualsToken || op === k.ExclamationEqualsToken) && isPrimitive(left) && isPrimitive(right) ? left == right : equal;
    return op === k.EqualsEqualsEqualsToken || op === k.EqualsEqualsToken ? loose : !loose;
  }
  if (op === k.PlusToken && (typeof left === 'string' || typeof right === 'string') && isPrimitive(left) && isPrimitive(right)) {
    return String(left) + String(right);
  }
  if (op === k.InstanceOfKeyword || op === k.InKeyword) {
    if (op === k.InKeyword && typeof left === 'string' && right instanceof ObjectValue) return right.props.has(left);
    return NOT_CONSTANT;
  }
  if (!isPrimitive(left) || !isPrimitive(right)) return NOT_CONSTANT;
  // An omitted argument is `undefined`: `undefined > 0` is false, as in JS. Arithmetic on it
  // stays unknown (NaN would only hide where the value went missing).
  const comparison = op === k.LessThanToken || op === k.LessThanEqualsToken || op === k.GreaterThanToken || op === k.GreaterThanEqualsToken;
  if ((left === undefined || right === undefined) && op !== k.PlusToken && !comparison) return NOT_CONSTANT;
  const a = Number(left);
  const b = Number(right);
  switch (op) {
    case k.PlusToken: return a + b;
    case k.MinusToken: return a - b;
    case k.AsteriskToken: return a * b;
    case k.SlashToken: return a / b;
    case k.PercentToken: return a % b;
    case k.AsteriskAsteriskToken: return a ** b;
    case k.LessThanToken: return a < b;
    case k.LessThanEqualsToken: return a <= b;
    case k.GreaterThanToken: return a > b;
    case k.GreaterThanEqualsToken: return a >= b;
    case k.LessThanLessThanToken: return a << b;
    case k.GreaterThanGreaterThanToken: return a >> b;
    case k.GreaterThanGreaterThanGreaterThanToken: return a >>> b;
    case k.AmpersandToken: return a & b;
    case k.BarToken: return a | b;
    case k.CaretToken: return a ^ b;
  }
  return NOT_CONSTANT;
}
