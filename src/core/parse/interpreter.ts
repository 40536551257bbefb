/**
 * Runs a file's model-building code symbolically, without executing it: constants are
 * evaluated, tfjs calls build layers, tensors and models, everything else is `Unknown`.
 * It never throws on user code; what it cannot resolve becomes a problem with a range.
 *
 * This class is the top layer: the file's top level, its imports and exports. The layers below
 * are in `./interpret/` (state, statements, expressions, builtins, calls, tfjsModels, fills,
 * builders); `interpret/state.ts` says how they fit together.
 */
import type * as TS from 'typescript';
import { BudgetExceeded, Deadline, readStatements, timeLimitMessage, type EvaluationBudget } from '../limits';
import { RefusedImport, type ModuleLoader } from './modules';
import { Builders } from './interpret/builders';
import { type InterpreterResult, MAX_STEPS } from './interpret/state';
import { FactoryCall, FunctionValue, Namespace, ObjectValue, Scope, Unknown, type Value } from './values';

export { MAX_IDLE_LOOP_ITERATIONS, MAX_LOOP_ITERATIONS, MAX_STEPS, type Assumption, type FlowHole, type InterpreterResult } from './interpret/state';
export { accessChain, truthy } from './interpret/jsSemantics';
export { ANNOTATION } from './interpret/fills';

export class Interpreter extends Builders {
  constructor(
    ts: typeof TS,
    /** The file being read; briefly an annotation's text while its values are evaluated. */
    file: TS.SourceFile,
    modules?: ModuleLoader,
    /** `name=value` pairs given from outside (the CLI's `--set`), for every template. */
    presets: Readonly<Record<string, string>> = {},
  ) {
    super(ts, file, modules, presets);
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
      this.stopped = true;
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

  /** Evaluation stops `ms` from now (a problem at the statement reached), whatever the steps left. */
  limitTime(ms: number): void {
    this.budget.deadline = new Deadline(ms);
  }

  /** Reads with `budget` (a child of the file's budget: readings and imports share its steps and deadline). */
  useBudget(budget: EvaluationBudget): this {
    this.budget = budget;
    return this;
  }

  run(): InterpreterResult {
    const scope = new Scope(this.globals);
    this.moduleScope = scope;
    try {
      this.collectFileFills();
      this.bindImports(this.file.statements, scope);
      this.hoistFunctions(this.file.statements, scope);
      // One statement that hits a limit is reported at its line; the next ones are still read.
      // One that uses up the steps is too, once: the rest of the file gets a reserve.
      readStatements(
        this.file.statements,
        this,
        (statement) => {
          this.statementModels = this.models.length;
          return this.guarded(() => this.exec(statement, scope))?.kind === 'return';
        },
        (statement, message) => this.problem(message, this.at ?? statement, 'warning'),
      );
      this.topLevelFlowHoles = this.flowHoles.length;
      this.runTemplates(scope);
    } catch (error) {
      if (!(error instanceof BudgetExceeded)) throw error;
      this.stopped = true;
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

  /** Imports are hoisted: bind every tfjs import before running the file. */
  protected bindImports(statements: readonly TS.Statement[], scope: Scope): void {
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
          // `import { default as tf } from '@tensorflow/tfjs-node'` is the whole namespace.
          scope.declare(element.name.text, fromTfjs ? new Namespace(name === 'default' ? [] : [name]) : member(name, element.name.text));
          tfBound ||= fromTfjs;
        }
      }
    }
    // Browser scripts use the global `tf` of a <script> tag.
    if (!tfBound) this.globals.declare('tf', new Namespace([]));
  }
}

/**
 * What may cross from an imported file: data only. Functions, layers and models would carry
 * ranges of the other file; that file's own analysis reports them.
 */
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
