/**
 * Builder functions: functions nobody in the file calls (`export function createModel()`) run
 * once as templates with unknown parameters, once per call site found in other files, or once
 * per string that picks the architecture; callbacks handed to unknown code are run too.
 */
import type * as TS from 'typescript';
import type { ConfigValue, ParseProblem, SourceRange } from '../../ir';
import { PARSE_LIMITS } from '../../limits';
import { BUILDER_CALL, fromConfigValue, FunctionalModel, functionalNodes, FunctionValue, type ModelValue, ObjectValue, type Scope, Unknown, type Value } from '../values';
import { toConfigValue } from '../toGraph';
import { skipOuterExpressions } from './jsSemantics';
import { Fills } from './fills';
import type { FlowHole } from './state';
import { chainsWithOtherSide, otherLabel, otherString, stringComparisons } from './stringCases';

/** An argument as the model's name shows it: `createModel(13, 'relu')`. */
function formatArgument(value: ConfigValue): string {
  // Another builder's model (callSites.ts): shown as the call, `encoder({...})`.
  const call = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Readonly<Record<string, ConfigValue>>) : undefined;
  if (call && typeof call[BUILDER_CALL] === 'string') {
    const args = Array.isArray(call.args) ? call.args : [];
    const full = `${call[BUILDER_CALL]}(${args.map(formatArgument).join(', ')})`;
    return full.length > 24 ? `${call[BUILDER_CALL]}(...)` : full;
  }
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 24 ? `${text.slice(0, 21)}...` : text.replace(/"/g, "'");
}

/** Text that may hold a string comparison (`===` `==` `!==` `!=`, `switch`, or an escaped keyword). */
const MAY_COMPARE = /==|!=|switch|\\/;

export abstract class Builders extends Fills {
  /**
   * Functions nobody in the file calls (`export function createModel() {...}`) are run once with
   * unknown parameters (defaults applied), so the models they build are found too.
   */
  protected runTemplates(scope: Scope): void {
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
    // Functions stored where outside code calls them (`window.onload = ...`, an `onClick`),
    // including those a template run stores: each runs once, after the file's own templates.
    const listed = new Set(candidates.map((c) => c.fn.declaration));
    const takeEscaped = (): void => {
      for (const escaped of this.escapedFunctions) {
        if (listed.has(escaped.fn.declaration)) continue;
        listed.add(escaped.fn.declaration);
        candidates.push(escaped);
      }
    };
    const runs: { fn: FunctionValue; models: ModelValue[]; problems: ParseProblem[]; called: Set<TS.Node> }[] = [];
    for (let index = 0; takeEscaped(), index < candidates.length; index++) {
      const { fn, name } = candidates[index];
      if (this.calledFunctions.has(fn.declaration)) continue;
      const given = this.valuesFor(fn.declaration, scope, name);
      // `if (modelType === 'cnn') ... else if (modelType === 'rnn')` with no value given:
      // one run per name compared, so each architecture is a model of its own.
      const branch = this.branchParameter(fn.declaration, given);
      const allSites = this.callSites[name] ?? [];
      // Each argument list is a run and a model: as many as a string's values, no more.
      const sites = allSites.slice(0, PARSE_LIMITS.maxBranchValues);
      if (allSites.length > sites.length) {
        this.problem(`\`${name}\` is called with ${allSites.length.toLocaleString('en-US')} different arguments in other files; Gradient Lens reads the first ${sites.length} (its limit), one model each.`, fn.declaration, 'info');
      }
      // Calls in other files with constant arguments: one model per distinct argument list.
      const variants: { label: string; fill?: readonly [string, string]; args?: Value[]; other?: true }[] = sites.length
        ? sites.map((args) => ({ label: `${name}(${args.map(formatArgument).join(', ')})`, args: args.map(fromConfigValue) }))
        : branch ? this.splitVariants(name, branch.parameter, branch) : [{ label: name }];
      const runVariant = (variant: (typeof variants)[number]): { models: ModelValue[]; problems: ParseProblem[]; called: Set<TS.Node> } => {
        const called = new Set<TS.Node>();
        this.callsOfRun = called;
        const made: ModelValue[] = [];
        const speculated = this.speculate(() => {
          this.templateName = variant.label;
          this.builderName = name;
          this.templateHolder = this.rangeOf(this.annotationHolder(fn.declaration));
          try {
            this.templateValues = new Map(given);
            if (variant.fill) this.templateValues.set(variant.fill[0], variant.fill[1]);
            const args = (variant.args ?? []).map((arg) => this.builderArgument(arg, scope, fn.declaration, made));
            this.callFunction(fn, args, fn.declaration, undefined, true);
          } finally {
            this.templateName = undefined;
            this.builderName = undefined;
            this.templateHolder = undefined;
            this.callsOfRun = undefined;
            this.templateValues = undefined;
          }
        });
        // Models built as arguments (`encoder()` of `vae(encoder(), decoder())`) are their own
        // builders' models, listed by those builders' runs: not models of this run.
        const { problems } = speculated;
        const models = speculated.models.filter((m) => !made.includes(m));
        if (made.length) this.models.splice(0, this.models.length, ...this.models.filter((m) => !made.includes(m)));
        this.argumentModels.push(...made);
        for (const model of models) {
          model.template ??= variant.label;
          // A constructor's object holds the model it gets from a builder (`this.model = build()`):
          // the class (`new Trainer()`) is what the code names, not the builder.
          if (ts.isConstructorDeclaration(fn.declaration)) model.returnedBy = undefined;
        }
        called.delete(fn.declaration);
        return { models, problems, called };
      };
      const siblings: ModelValue[] = [];
      for (const variant of variants) {
        const flowBefore = this.flowHoles.length;
        const thrown = this.thrown;
        let run = runVariant(variant);
        if (variant.other) run = this.pruneOtherRun(run, siblings, this.thrown > thrown);
        siblings.push(...run.models);
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
        this.dropFlowHoles(flowBefore);
        const branches: ModelValue[] = [];
        for (const branchVariant of this.splitVariants(name, split.name, split)) {
          const thrown = this.thrown;
          let branchRun = runVariant(branchVariant);
          if (branchVariant.other) branchRun = this.pruneOtherRun(branchRun, branches, this.thrown > thrown);
          branches.push(...branchRun.models);
          runs.push({ fn, ...branchRun });
        }
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

  /** Models built only to be passed to another builder (see `builderArgument`): named as their builder's own model. */
  readonly argumentModels: ModelValue[] = [];

  /**
   * A call-site argument `{$builder: 'encoder', args}` (callSites.ts) is the model this file's
   * `encoder` builds with those arguments: it is built here, for the builder taking it. The
   * call does not count as the file calling `encoder`, so `encoder`'s own run still happens.
   */
  private builderArgument(value: Value, scope: Scope, site: TS.Node, made: ModelValue[]): Value {
    if (Array.isArray(value)) return value.map((item) => this.builderArgument(item, scope, site, made));
    if (!(value instanceof ObjectValue)) return value;
    const name = value.props.get(BUILDER_CALL);
    if (typeof name !== 'string') {
      if (![...value.props.values()].some((v) => v instanceof ObjectValue || Array.isArray(v))) return value;
      const copy = new ObjectValue(value.literal);
      for (const [key, item] of value.props) copy.props.set(key, this.builderArgument(item, scope, site, made));
      return copy;
    }
    const fn = scope.lookup(name)?.value;
    if (!(fn instanceof FunctionValue)) return new Unknown(`${name}(...)`, `\`${name}\` is not a function of this file`);
    const given = value.props.get('args');
    const args = (Array.isArray(given) ? given : []).map((arg) => this.builderArgument(arg, scope, site, made));
    const calledBefore = new Set(this.calledFunctions);
    const callsOfRun = this.callsOfRun;
    const before = this.models.length;
    this.callsOfRun = undefined;
    try {
      return this.callFunction(fn, args, site, undefined, true);
    } finally {
      this.callsOfRun = callsOfRun;
      for (const declaration of [...this.calledFunctions]) if (!calledBefore.has(declaration)) this.calledFunctions.delete(declaration);
      made.push(...this.models.slice(before));
    }
  }

  /**
   * The parameter a function compares with string literals (`kind === 'cnn'`, `case 'rnn':`)
   * most often, when it has no given value and two or more names; those names in source order.
   */
  protected branchParameter(declaration: FunctionValue["declaration"], given: ReadonlyMap<string, Value>): { parameter: string; values: string[]; other?: string } | undefined {
    const ts = this.ts;
    const parameters = new Set<string>();
    for (const parameter of declaration.parameters) {
      if (ts.isIdentifier(parameter.name)) parameters.add(parameter.name.text);
      else for (const name of this.boundNames(parameter.name)) parameters.add(name);
    }
    for (const name of given.keys()) parameters.delete(name);
    if (!parameters.size) return undefined;
    // A body with no equality operator and no `switch` in its text compares nothing: not walked
    // (punctuators have no escaped spelling; a backslash may spell a keyword, so it is walked).
    const body = declaration.body;
    if (!body || !MAY_COMPARE.test(body.getSourceFile().text.slice(body.pos, body.end))) return undefined;
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
    if (!best || best[1].length < 2) return undefined;
    const values = this.capBranchValues(best[0], best[1], declaration);
    const other = values.length === best[1].length && declaration.body && chainsWithOtherSide(ts, this.file, declaration.body).has(best[0]) ? otherString(best[1]) : undefined;
    return { parameter: best[0], values, ...(other !== undefined ? { other } : {}) };
  }

  /**
   * One run per string compared, then one with a string none of them is (`other`), which reaches
   * the `else` / `default:` side: `build[a]`, `build[other than 'a']`.
   */
  private splitVariants(name: string, subject: string, split: { values: readonly string[]; other?: string }): { label: string; fill: readonly [string, string]; other?: true }[] {
    const variants: { label: string; fill: readonly [string, string]; other?: true }[] = split.values.map((value) => ({ label: `${name}[${value}]`, fill: [subject, value] as const }));
    if (split.other !== undefined) variants.push({ label: `${name}[${otherLabel(split.values)}]`, fill: [subject, split.other], other: true });
    return variants;
  }

  /**
   * The run with a string none of the literals is keeps only the models no literal's run built
   * (a `default: throw` or an `else` that builds what a case built adds nothing); a run left with
   * no model drops its problems too. A run that threw (`else throw new Error('unknown type')`)
   * is a string the code rejects: the model it began is no model.
   */
  private pruneOtherRun<R extends { models: ModelValue[]; problems: ParseProblem[] }>(run: R, siblings: readonly ModelValue[], threw: boolean): R {
    const seen = new Set(siblings.map((m) => this.modelSignature(m)));
    // A sequential left empty is the start of a model the other side threw out of.
    const fresh = threw ? [] : run.models.filter((m) => !seen.has(this.modelSignature(m)) && (m instanceof FunctionalModel || m.layers.length > 0));
    if (fresh.length !== run.models.length) {
      const dropped = new Set(run.models.filter((m) => !fresh.includes(m)));
      this.models.splice(0, this.models.length, ...this.models.filter((m) => !dropped.has(m)));
    }
    if (!fresh.length) this.dropProblems(run.problems);
    return { ...run, models: fresh };
  }

  /** What decides a model's architecture: each layer's type, place in the code, config and inputs. */
  modelSignature(model: ModelValue): string {
    const nodes = model instanceof FunctionalModel ? functionalNodes(model) : model.layers.map((layer, order) => ({ layer, inbound: [], order }));
    const order = new Map(nodes.map((n, i) => [n, i]));
    return JSON.stringify(nodes.map((n) => [n.layer.type, n.layer.range.start, n.layer.config ? toConfigValue(n.layer.config, '', undefined, () => undefined) : null, n.inbound.map((i) => order.get(i as never))]));
  }

  /**
   * The first condition hole of a run that the file compares with two or more string literals,
   * with those literals in source order; undefined when there is none.
   */
  protected stringSplit(holes: readonly FlowHole[], given: ReadonlyMap<string, Value>): { name: string; values: string[]; other?: string } | undefined {
    for (const hole of holes) {
      if (hole.role !== 'condition' || given.has(hole.name)) continue;
      // Asked only here: a file without an unknown condition (most) skips this walk of its whole tree.
      const cases = this.fileStringCases();
      // The compared name is filled (`rnnType` of `switch (rnnType)`): it is what the branches
      // read, wherever its unknown value came from.
      // One literal is enough when the test has an `else`: a string none of them is reaches it.
      const otherFor = (chain: string, values: readonly string[]): string | undefined => (this.fileOtherSides().has(chain) ? otherString(values) : undefined);
      const split = (chain: string | undefined): { name: string; values: string[]; other?: string } | undefined => {
        const all = chain !== undefined ? cases.get(chain) : undefined;
        if (chain === undefined || !all?.length) return undefined;
        const values = this.capBranchValues(chain, all, hole.range);
        // Past the limit the strings not read are the other side: no run of its own.
        const other = values.length === all.length ? otherFor(chain, values) : undefined;
        return values.length >= 2 || other !== undefined ? { name: chain, values, ...(other !== undefined ? { other } : {}) } : undefined;
      };
      const bySubject = hole.subject !== undefined && !given.has(hole.subject) ? split(hole.subject) : undefined;
      if (bySubject) return bySubject;
      const byName = split(hole.name);
      if (byName) return byName;
    }
    return undefined;
  }

  /**
   * The strings a split reads: the first `maxBranchValues` (one run and one model each), with an
   * information problem at `site` when there are more.
   */
  protected capBranchValues(chain: string, values: readonly string[], site: TS.Node | SourceRange): string[] {
    const max = PARSE_LIMITS.maxBranchValues;
    if (values.length <= max) return [...values];
    this.problem(`\`${chain}\` is compared with ${values.length.toLocaleString('en-US')} strings; Gradient Lens reads the first ${max} (its limit), one model each.`, site, 'info');
    return values.slice(0, max);
  }

  /** Access chains whose string test has an `else` / `default:` side that does something. */
  protected fileOtherSides(): Set<string> {
    this.otherSides ??= chainsWithOtherSide(this.ts, this.file, this.file);
    return this.otherSides;
  }
  private otherSides?: Set<string>;

  /** Access chains compared with string literals in the file: `===`, `case`, `.includes('x')`, `.startsWith('x')`... */
  protected fileStringCases(): Map<string, string[]> {
    this.stringCases ??= stringComparisons(this.ts, this.file, this.file);
    return this.stringCases;
  }

  /**
   * The string split of the file's top-level run (not of templates): a condition hole met
   * while the file's own statements ran, compared with two or more string literals.
   */
  topLevelSplit(): { name: string; values: string[]; other?: string } | undefined {
    return this.stringSplit(this.flowHoles.slice(0, this.topLevelFlowHoles), new Map());
  }

  /**
   * Functions handed to code the parser cannot follow (`data.load().then(() => {...})`,
   * `button.addEventListener('click', async () => {...})`) often build the model: run them.
   */
  protected runCallbacks(args: readonly Value[]): void {
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
      this.dropFlowHoles(flowBefore);
      const branches: ModelValue[] = [];
      const values = [...split.values.map((value) => ({ value, label: value, other: false })), ...(split.other !== undefined ? [{ value: split.other, label: otherLabel(split.values), other: true }] : [])];
      for (const { value, label, other } of values) {
        this.templateValues = new Map([...(saved ?? []), [split.name, value]]);
        try {
          const thrown = this.thrown;
          let run = this.speculate(() => void this.callFunction(arg, [], arg.declaration, undefined, true));
          if (other) run = this.pruneOtherRun(run, branches, this.thrown > thrown);
          branches.push(...run.models);
          for (const model of run.models) model.template = `${model.template ?? model.name ?? 'model'}[${label}]`;
        } finally {
          this.templateValues = saved;
        }
      }
    }
  }
}
