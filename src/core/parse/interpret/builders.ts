/**
 * Builder functions: functions nobody in the file calls (`export function createModel()`) run
 * once as templates with unknown parameters, once per call site found in other files, or once
 * per string that picks the architecture; callbacks handed to unknown code are run too.
 */
import type * as TS from 'typescript';
import type { ConfigValue, ParseProblem } from '../../ir';
import { fromConfigValue, FunctionValue, type ModelValue, ObjectValue, type Scope, type Value } from '../values';
import { skipOuterExpressions } from './jsSemantics';
import { Fills } from './fills';
import type { FlowHole } from './state';
import { stringComparisons } from './stringCases';

/** An argument as the model's name shows it: `createModel(13, 'relu')`. */
function formatArgument(value: ConfigValue): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 24 ? `${text.slice(0, 21)}...` : text.replace(/"/g, "'");
}

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
        for (const model of models) {
          model.template ??= variant.label;
          // A constructor's object holds the model it gets from a builder (`this.model = build()`):
          // the class (`new Trainer()`) is what the code names, not the builder.
          if (ts.isConstructorDeclaration(fn.declaration)) model.returnedBy = undefined;
        }
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
   * The parameter a function compares with string literals (`kind === 'cnn'`, `case 'rnn':`)
   * most often, when it has no given value and two or more names; those names in source order.
   */
  protected branchParameter(declaration: FunctionValue["declaration"], given: ReadonlyMap<string, Value>): { parameter: string; values: string[] } | undefined {
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
  protected stringSplit(holes: readonly FlowHole[], given: ReadonlyMap<string, Value>): { name: string; values: string[] } | undefined {
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
  protected fileStringCases(): Map<string, string[]> {
    this.stringCases ??= stringComparisons(this.ts, this.file, this.file);
    return this.stringCases;
  }

  /**
   * The string split of the file's top-level run (not of templates): a condition hole met
   * while the file's own statements ran, compared with two or more string literals.
   */
  topLevelSplit(): { name: string; values: string[] } | undefined {
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
}
