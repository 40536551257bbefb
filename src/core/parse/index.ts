/**
 * The model parser: TS/JS source text -> every tfjs model the file defines, plus problems.
 * Never runs user code and never throws on it.
 */
import type * as TS from 'typescript';
import { type ConfigValue, type Hole, type ModelGraph, type ParseProblem, type ParseResult } from '../ir';
import { finishGraph } from '../graph';
import { annotationSite, holeSuggestion, mergeHoles } from '../holes';
import { Interpreter, type FlowHole } from './interpreter';
import type { ModelValue } from './values';
import { ModuleLoader, type ReadFile } from './modules';
import { toModelGraph } from './toGraph';
import { createBoundedSourceFile } from './boundedSyntax';

let typescript: typeof TS | undefined;
/** The compiler is big; load it on first use, not when the extension activates. */
export function loadTypeScript(): typeof TS {
  // The bundled module exposes its API through getters; a plain copy makes the parser's
  // hot `ts.isX(node)` / `ts.SyntaxKind` lookups ordinary property reads (about 2x faster overall).
  typescript ??= { ...(require('typescript') as typeof TS) };
  return typescript;
}

export function scriptKind(ts: typeof TS, fileName: string): TS.ScriptKind {
  if (/\.tsx$/i.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.(jsx)$/i.test(fileName)) return ts.ScriptKind.JSX;
  if (/\.(js|mjs|cjs)$/i.test(fileName)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

export interface ParseOptions {
  /** Reads other files by absolute path, so relative imports of constants resolve. */
  readonly readFile?: ReadFile;
  /** Values for template parameters by name (`name -> expression text`), like `--set inputShape=[13]`. */
  readonly set?: Readonly<Record<string, string>>;
  /** Values for one builder function's parameters only, by function name (values remembered per model). */
  readonly setFor?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Argument lists of this file's builder functions from calls in other files (see callSites.ts). */
  readonly callSites?: Readonly<Record<string, readonly (readonly ConfigValue[])[]>>;
  /** Wall-clock limit of evaluating the file, in ms (default `PARSE_LIMITS.timeMs`); the editor uses less. */
  readonly timeMs?: number;
}

/** Parses `text` (the contents of `fileName`) and returns its models and problems. */
export function parseModels(text: string, fileName = 'model.ts', options: ParseOptions = {}): ParseResult {
  const ts = loadTypeScript();
  const problems: ParseProblem[] = [];
  let sourceFile: TS.SourceFile;
  try {
    const bounded = createBoundedSourceFile(ts, fileName, text, scriptKind(ts, fileName));
    sourceFile = bounded.file;
    problems.push(...bounded.problems);
  } catch (error) {
    return { models: [], problems: [{ message: `Could not parse the file: ${String(error)}`, range: { start: 0, end: 0 }, severity: 'error' }] };
  }
  const syntaxErrors = (sourceFile as unknown as { parseDiagnostics?: readonly TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  for (const diagnostic of syntaxErrors.slice(0, 20)) {
    problems.push({
      message: `Syntax error: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`,
      range: { start: diagnostic.start, end: diagnostic.start + diagnostic.length },
      severity: 'error',
    });
  }
  const loader = options.readFile
    ? new ModuleLoader(ts, options.readFile, (file, nested) => new Interpreter(ts, file, nested).runModule(), fileName)
    : undefined;
  const interpret = (set: Readonly<Record<string, string>> | undefined): { interpreter: Interpreter; models: ModelValue[] } => {
    const interpreter = new Interpreter(ts, sourceFile, loader, set);
    if (options.callSites) interpreter.callSites = options.callSites;
    if (options.setFor) interpreter.presetsFor = options.setFor;
    if (options.timeMs !== undefined) interpreter.limitTime(options.timeMs);
    let result;
    try {
      result = interpreter.run();
    } catch (error) {
      // A bug in the parser must not take the editor down: report it and keep what was found.
      problems.push({
        message: `Gradient Lens could not read this file (internal error: ${error instanceof Error ? error.message : String(error)}).`,
        range: { start: 0, end: 0 },
        severity: 'error',
      });
      result = { models: interpreter.models, problems: [] };
    }
    problems.push(...result.problems);
    return { interpreter, models: result.models };
  };
  const base = interpret(options.set);
  // A string the file's own statements compare to pick the architecture (`args.modelType`,
  // `process.argv[2]`, a UI getter): one reading of the file per string, one model per branch.
  const split = base.interpreter.topLevelSplit();
  const runs: { interpreter: Interpreter; models: ModelValue[]; branch?: string }[] = split
    ? split.values.map((value) => ({ ...interpret({ ...options.set, [split.name]: JSON.stringify(value) }), branch: value }))
    : [base];
  if (split) {
    // The base reading's problems are those of the first branch read blind: the branches' replace them.
    const baseProblems = new Set(base.interpreter.problemsOf());
    problems.splice(0, problems.length, ...problems.filter((p) => !baseProblems.has(p)));
  }

  const reported = new Set<string>();
  const deduped = problems.filter((p) => {
    const key = `${p.range.start}:${p.message}`;
    if (reported.has(key)) return false;
    reported.add(key);
    return true;
  });
  problems.splice(0, problems.length, ...deduped);
  const report = (message: string, range: ParseProblem['range'], severity: ParseProblem['severity'] = 'warning'): void => {
    const key = `${range.start}:${message}`;
    if (reported.has(key)) return;
    reported.add(key);
    problems.push({ message, range, severity });
  };
  const models: ModelGraph[] = [];
  const usedNames = new Map<string, number>();
  const signatures = new Set<string>();
  for (const run of runs) {
    const flowHoles = flowHolesByModel(run.interpreter.flowHoles);
    const perTitle = new Map<string, number>();
    for (const model of run.models) {
      const title = templateTitle(model);
      if (title) perTitle.set(title, (perTitle.get(title) ?? 0) + 1);
    }
    for (const model of run.models) {
      let name = model.name ?? 'model';
      const title = templateTitle(model);
      if (title && model.nameDepth > 0) {
        name = (perTitle.get(title) ?? 0) > 1 ? `${title}.${name}` : title;
      }
      if (run.branch !== undefined && !model.template) name = `${name}[${run.branch}]`;
      try {
        const holderStart = model.annotationHolder?.start ?? topLevelStatementStart(sourceFile, model.range.start);
        const built = toModelGraph(model, name, report);
        // Branches share the models they do not decide, and a builder reached twice the same way
        // (two listeners of one callback) gives the same model: keep one of each.
        const signature = JSON.stringify([name, model.range.start, built.layers.map((l) => [l.type, l.range.start, l.config, l.inbound])]);
        const branchSignature = JSON.stringify(built.layers.map((l) => [l.type, l.range.start, l.config, l.inbound]));
        if (signatures.has(signature) || (run.branch !== undefined && signatures.has(branchSignature))) continue;
        signatures.add(branchSignature);
        signatures.add(signature);
        const seen = usedNames.get(name) ?? 0;
        usedNames.set(name, seen + 1);
        const unique = seen ? `${name} (${seen + 1})` : name;
        const holes = mergeHoles([...(built.holes ?? []), ...(flowHoles.get(model) ?? [])]);
        const defaultsUsed = run.interpreter.assumptions
          .filter((a) => a.models.includes(model))
          .map((a) => ({ name: a.name, value: a.value, message: a.message, range: a.range }));
        const graph: ModelGraph = {
          ...built,
          name: unique,
          ...(holes.length ? { holes } : {}),
          ...(defaultsUsed.length ? { defaultsUsed } : {}),
          annotation: annotationSite(text, holderStart, '//'),
          ...(model.builder ? { builder: model.builder } : {}),
        };
        if (finishGraph(graph, report)) models.push(graph);
      } catch (error) {
        report(`Could not read model \`${name}\` (internal error: ${error instanceof Error ? error.message : String(error)}).`, model.range, 'error');
      }
    }
  }
  problems.sort((a, b) => a.range.start - b.range.start);
  return { models, problems };
}

/**
 * The title of a model found by running an uncalled function: that run's label (`createModel`,
 * `buildModel[cnn]`), or the builder it called when that builder, not the run's function, returned
 * the model (`train` calling `buildModel(xs)` gives `buildModel`; a branch label is kept).
 */
function templateTitle(model: ModelValue): string | undefined {
  const { template, builder, returnedBy } = model;
  if (!template || !builder || !returnedBy || returnedBy === builder || returnedBy === 'anonymous' || !template.startsWith(builder)) return template;
  const suffix = template.slice(builder.length);
  return suffix.startsWith('[') ? `${returnedBy}${suffix}` : returnedBy;
}

const FLOW_USE: Record<FlowHole['role'], string> = {
  'repeat count': 'how many layers a loop adds',
  condition: 'which layers are built',
  'layer sizes': 'the layers a loop adds',
};

/** Unknowns that steered the building of each model (a loop bound, a branch), as holes by model. */
function flowHolesByModel(all: readonly FlowHole[]): Map<ModelValue, Hole[]> {
  const byModel = new Map<ModelValue, Hole[]>();
  for (const hole of all) {
    for (const model of hole.models) {
      const list = byModel.get(model) ?? [];
      list.push({ name: hole.name, role: hole.role, range: hole.range, usedBy: [FLOW_USE[hole.role]], suggestion: holeSuggestion(hole.role, '') });
      byModel.set(model, list);
    }
  }
  return byModel;
}

/** The start of the top-level statement holding `position` (binary search: statements are in order). */
function topLevelStatementStart(file: TS.SourceFile, position: number): number {
  const statements = file.statements;
  let low = 0;
  let high = statements.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const statement = statements[middle]!;
    if (position < statement.pos) high = middle - 1;
    else if (position >= statement.end) low = middle + 1;
    else return statement.getStart(file);
  }
  return position;
}
