/**
 * A small symbolic evaluator for the Python that builds Keras models. It never runs Python:
 * constants are JS values, Keras objects are the classes in values.ts, everything else is
 * `Unknown`. Layer configs are turned into the tfjs IR (ConfigValue) where the layer is created,
 * so problems point at the argument that caused them.
 *
 * This file is the top layer (see base.ts for the order): running a file, syntax errors,
 * annotations and fills, imports (the user's own modules are read by a nested evaluator), and
 * template runs of functions nobody calls (one run per string branch).
 */
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';
import { presetText, splitFills } from '../frontend/annotations';
import { nodesReaching } from '../graph';
import type { AnnotationSite, SourceRange } from '../ir';
import { BudgetExceeded, readStatements, timeLimitMessage } from '../limits';
import { KerasModelEvaluator } from './kerasModels';
import { withSelf } from './calls';
import { PURE_MODULES } from './pyLibraries';
import { ANNOTATION, FILL_NAME, hasError, isTrailingDotFloat, kids, parsePython, pyString, rangeOf } from './syntax';
import {
  ClassValue, LayerValue, MAX_STEPS, PyFunction, PyInstance, PyModule, PyModuleFile, Scope, SequentialModel, TensorValue, Unknown,
  type Args, type GraphNode, type ModelValue, type Value,
} from './values';

export class Evaluator extends KerasModelEvaluator {
  private readonly userModules = new Map<string, PyModuleFile | undefined>();
  /** Start offsets of the functions the file's own code called (template runs not counted). */
  calledOutsideTemplates: ReadonlySet<number> = new Set();
  /** True when a step or time budget ended the reading. */
  stopped = false;
  /** True when a top-level statement used up the reading's steps (the rest was read on a reserve): no extra readings. */
  stepLimited = false;

  // ----- entry

  run(): void {
    const { tree, cut } = parsePython(this.text);
    const top = tree.topNode;
    this.top = top;
    for (const range of cut) this.problem('This line nests brackets too deeply for Gradient Lens to read; it was skipped, the rest of the file is still read.', range, 'warning');
    this.reportSyntaxErrors(top);
    this.moduleScope = new Scope();
    this.moduleScope.vars.set('__name__', '__main__');
    try {
      // Fills from outside (`set`: a variant's value) are evaluated: they cost steps too.
      this.collectFileFills(top);
      // One statement that hits a limit is reported at its line; the next ones are still read.
      // One that uses up the steps is too, once: the rest of the file gets a reserve.
      readStatements(
        kids(top),
        this,
        (statement) => {
          this.statementModels = this.models.length;
          return !!this.guarded(() => this.execBlock([statement], this.moduleScope));
        },
        (statement, message) => this.problem(message, this.at ?? rangeOf(statement), 'warning'),
      );
      this.calledOutsideTemplates = new Set(this.calledFunctions);
      this.runTemplates(top);
    } catch (error) {
      if (!(error instanceof BudgetExceeded)) throw error;
      this.stopped = true;
      this.problem(
        error.kind === 'time' ? timeLimitMessage(this.budget.deadline.ms) : `Stopped reading this file here after ${MAX_STEPS.toLocaleString('en-US')} evaluation steps (Gradient Lens' limit; a very long loop?); models found so far are kept.`,
        this.at ?? { start: 0, end: 0 },
        'warning',
      );
    }
  }

  /** An empty error at the end of a file that ends in indented blank space (valid Python). */
  protected isIndentedEnd(from: number, to: number): boolean {
    if (from !== to || !/\n[ \t]+$/.test(this.text) || this.text.slice(from).trim() !== '') return false;
    return !hasError(parsePython(`${this.text.trimEnd()}\n`).tree.topNode);
  }

  protected reportSyntaxErrors(top: SyntaxNode): void {
    let count = 0;
    const cursor = top.cursor();
    do {
      // A file ending in indented blank space leaves an empty error at its end: not an error.
      if (cursor.type.isError && !isTrailingDotFloat(cursor.node) && !this.isIndentedEnd(cursor.from, cursor.to)) {
        this.syntaxErrorStarts.push(cursor.from);
        if (count >= 20) continue;
        count++;
        const end = Math.max(cursor.to, Math.min(cursor.from + 1, this.text.length));
        const atEnd = cursor.from >= this.text.trimEnd().length;
        this.problem(atEnd ? 'Syntax error: the file ends before this code is complete.' : 'Syntax error: the Python here could not be parsed; the rest of the file is still read.', { start: cursor.from, end }, 'error');
      }
    } while (cursor.next());
    this.reportArgumentOrder(top);
  }

  /**
   * `f(a=1, b)`: Python refuses the file before it runs ("positional argument follows keyword
   * argument"), though the grammar the parser uses accepts it. Most often a typo of `=` as `==`
   * (`Dense(16, kernel_regularizer=r, activation=='relu')`), which the message names.
   */
  protected reportArgumentOrder(top: SyntaxNode): void {
    const cursor = top.cursor();
    do {
      if (cursor.name !== 'ArgList') continue;
      const parts = kids(cursor.node).slice(1, -1);
      let keyword = false;
      for (let i = 0; i < parts.length; ) {
        let end = i;
        while (end < parts.length && parts[end]!.name !== ',') end++;
        const arg = parts.slice(i, end);
        i = end + 1;
        const first = arg[0];
        if (!first) continue;
        if (first.name === '**' || arg[1]?.name === 'AssignOp') keyword = true;
        else if (keyword && first.name !== '*' && !arg.some((n) => n.name === 'for')) {
          const text = this.text.slice(first.from, arg[arg.length - 1]!.to);
          const typo = /^\s*[A-Za-z_]\w*\s*==/.test(text) ? ` (\`${text}\`: \`==\` compares; a keyword argument takes one \`=\`)` : '';
          this.problem(`Syntax error: positional argument follows keyword argument${typo}; Python refuses to run this file.`, { start: first.from, end: arg[arg.length - 1]!.to }, 'error');
          break;
        }
      }
    } while (cursor.next());
  }

  // ----- annotations and fills

  /** `input_dim=13, model_type="cnn"` -> values, evaluated in the module scope. */
  protected override parseFills(entriesText: string, at: SourceRange): Map<string, Value> {
    const out = new Map<string, Value>();
    for (const { name, expression } of splitFills(entriesText, FILL_NAME)) {
      const value = this.evalForeign(expression);
      if (value === undefined) {
        this.problem(`Annotation value of \`${name}\` is not an expression: ${expression}`, at, 'warning');
        continue;
      }
      out.set(name.replace(/\s+/g, ''), value);
    }
    return out;
  }

  /** Evaluates expression text from outside the file (an annotation, `set`). */
  protected evalForeign(expression: string): Value | undefined {
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
  protected annotationAbove(node: SyntaxNode): { entries: string; range: SourceRange } | undefined {
    for (let prev = node.prevSibling; prev && prev.name === 'Comment'; prev = prev.prevSibling) {
      const between = this.text.slice(prev.to, node.from);
      if ((between.match(/\n/g) ?? []).length > 1 && prev.nextSibling === node) return undefined;
      const match = ANNOTATION.exec(this.t(prev));
      if (match) return { entries: match[1]!, range: rangeOf(prev) };
    }
    return undefined;
  }

  protected collectFileFills(top: SyntaxNode): void {
    const set = presetText(this.options.set ?? {});
    for (const statement of kids(top)) {
      if (statement.name === 'FunctionDefinition' || statement.name === 'DecoratedStatement' || statement.name === 'ClassDefinition') continue;
      // Evaluated when the module reaches the statement, so constants above it are defined.
      const annotation = this.annotationAbove(statement);
      if (annotation) this.pendingFills.set(statement.from, annotation);
    }
    if (set) {
      for (const [k, v] of this.parseFills(set, { start: 0, end: 0 })) {
        this.fileFills.set(k, v);
        this.presetFillNames.add(k);
      }
    }
  }

  protected override execImport(node: SyntaxNode, scope: Scope): void {
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

  /**
   * A module of the user's (`from dl_builder_module import build`), read from the file beside
   * this one when the host can read files: its functions are called as this file's are, and the
   * models they build belong to the calling file (on the call's range).
   */
  protected userModule(from: readonly string[], relative: boolean): PyModuleFile | undefined {
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
      if (typeof text !== 'string') {
        this.problem(`Values imported from \`${from.join('.')}\` are unknown: ${text.reason}.`, this.at ?? { start: 0, end: 0 }, 'warning');
        return undefined;
      }
      const pool = this.options.importPool;
      const budget = pool?.child(Math.floor(pool.maxSteps / 2));
      const nested = new Evaluator(text, {
        fileName: path, readFile, importing: [...(this.options.importing ?? []), fileName],
        ...(this.options.timeMs !== undefined ? { timeMs: this.options.timeMs } : {}),
        ...(budget && pool ? { budget, importPool: pool } : {}),
      });
      nested.runModule();
      if (budget?.exceeded) {
        this.problem(`Values imported from \`${from.join('.')}\` are unknown: it takes more evaluation steps to read than Gradient Lens allows an imported file.`, this.at ?? { start: 0, end: 0 }, 'warning');
        return undefined;
      }
      const module = new PyModuleFile(from.join('.'), nested.moduleScope);
      this.userModules.set(key, module);
      return module;
    }
    return undefined;
  }

  /** Runs the file as an imported module: its top level only (`__name__` is not `__main__`). */
  runModule(): void {
    const top = parsePython(this.text).tree.topNode;
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
  protected override callForeign(fn: PyFunction, args: Args, site: SyntaxNode): Value {
    const owner = fn.owner as Evaluator;
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
      this.keepModel(model);
    }
    const file = owner.options.fileName?.split(/[\\/]/).pop() ?? 'the imported file';
    for (const p of owner.problems.slice(problemsBefore)) if (p.severity !== 'info') this.problem(`${p.message} (in \`${file}\`)`, at, p.severity, p.leftOut);
    if (result instanceof LayerValue) return rehome(result);
    if (result instanceof TensorValue) rehomeNodes([result.node]);
    return result;
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
  protected runTemplates(top: SyntaxNode): void {
    const candidates: { fn: PyFunction; statement: SyntaxNode }[] = [];
    for (const statement of kids(top)) {
      const def = statement.name === 'DecoratedStatement' ? kids(statement).find((n) => n.name === 'FunctionDefinition') : statement.name === 'FunctionDefinition' ? statement : undefined;
      if (!def) continue;
      const name = kids(def).find((n) => n.name === 'VariableName');
      const fn = name ? this.moduleScope.lookup(this.t(name))?.value : undefined;
      if (fn instanceof PyFunction && fn.node.from === def.from) candidates.push({ fn, statement });
    }
    // A plain class nobody in the file instantiates (`class WGAN: def __init__(self, input_dim,
    // ...): ... self._build_critic()`, used from a notebook): its `__init__` runs as a template
    // on a fresh instance, parameters unknown (holes) unless defaulted or filled, so the models
    // its methods build are found. Keras subclasses are not: layers are applied where used, and
    // subclassed models are not read.
    const classes: { fn: PyFunction; statement: SyntaxNode; cls: ClassValue }[] = [];
    for (const statement of kids(top)) {
      const def = statement.name === 'DecoratedStatement' ? kids(statement).find((n) => n.name === 'ClassDefinition') : statement.name === 'ClassDefinition' ? statement : undefined;
      const name = def ? kids(def).find((n) => n.name === 'VariableName') : undefined;
      const cls = name ? this.moduleScope.lookup(this.t(name))?.value : undefined;
      const init = cls instanceof ClassValue && !cls.keras ? cls.methods.get('__init__') : undefined;
      if (cls instanceof ClassValue && init) classes.push({ fn: init, statement, cls });
    }
    for (const { fn, statement } of [...candidates, ...classes]) {
      if (this.calledFunctions.has(fn.node.from)) continue;
      const cls = classes.find((c) => c.fn === fn)?.cls;
      const given = new Map<string, Value>(this.fileFills);
      const own = presetText(this.options.setFor?.[fn.name] ?? {});
      if (own) for (const [k, v] of this.parseFills(own, { start: 0, end: 0 })) given.set(k, v);
      const annotation = this.annotationAbove(statement);
      if (annotation) for (const [k, v] of this.parseFills(annotation.entries, annotation.range)) given.set(k, v);
      const branchParam = fn.params.find((p) => p.kind === 'normal' && !given.has(p.name) && this.stringCases(fn, p.name).length > 0);
      const branches = branchParam ? this.stringCases(fn, branchParam.name) : [undefined];
      for (const branch of branches) {
        const runGiven = new Map(given);
        if (branchParam && branch !== undefined) runGiven.set(branchParam.name, branch);
        this.runTemplate(fn, statement, runGiven, branch, cls);
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

  protected runTemplate(fn: PyFunction, statement: SyntaxNode, given: Map<string, Value>, branch: string | undefined, cls?: ClassValue): void {
    const modelsBefore = this.models.length;
    const problemsBefore = this.problems.length;
    const called = new Set<number>();
    this.callsOfRun = called;
    this.templateFills = given;
    try {
      const none = { positional: [], keywords: new Map() };
      this.guarded(() => this.callFunction(fn, cls ? withSelf(new PyInstance(cls), none) : none, fn.node, { given }));
    } finally {
      this.callsOfRun = undefined;
      this.templateFills = undefined;
    }
    called.delete(fn.node.from);
    const models = this.models.slice(modelsBefore);
    // A function that builds no model was not model code: its problems are noise.
    if (models.length === 0) this.dropProblemsFrom(problemsBefore);
    const title = cls ? cls.name : fn.name;
    for (const model of models) model.template = { fn: title, ...(branch !== undefined ? { branch } : {}), def: statement, start: fn.node.from };
    this.templateRuns.push({ def: fn.node, fn: title, models, called });
  }

  /** String literals a parameter is compared with (`p == "cnn"`, `"cnn" in p`), in order. */
  protected stringCases(fn: PyFunction, param: string): string[] {
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
}
