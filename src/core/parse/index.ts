/**
 * The model parser: TS/JS source text -> every tfjs model the file defines, plus problems.
 * Never runs user code and never throws on it.
 */
import type * as TS from 'typescript';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { requireWithCodeCache, userCacheDir } from '../codeCache';
import { type ConfigValue, type DefaultUsed, type Hole, type LayerNode, type ModelGraph, type ParseProblem, type ParseResult } from '../ir';
import { finishGraph } from '../graph';
import { flowHole } from '../frontend/flowHoles';
import { runTitles, UniqueNames } from '../frontend/modelNames';
import { annotationSite, mergeHoles } from '../holes';
import { Interpreter, MAX_STEPS, type FlowHole } from './interpreter';
import { Deadline, EvaluationBudget, LIMIT_PROBLEM, PARSE_LIMITS } from '../limits';
import { FunctionalModel, type ModelValue, type Value } from './values';
import { ModuleLoader, type ReadFile } from './modules';
import { toConfigValue, toModelGraph } from './toGraph';
import { createBoundedSourceFile } from './boundedSyntax';
import { otherLabel } from './interpret/stringCases';

let typescript: typeof TS | undefined;
/** The compiler is big; load it on first use, not when the extension activates. */
export function loadTypeScript(): typeof TS {
  // The bundled module exposes its API through getters; a plain copy makes the parser's
  // hot `ts.isX(node)` / `ts.SyntaxKind` lookups ordinary property reads (about 2x faster overall).
  typescript ??= { ...(requireTypeScript() as typeof TS) };
  return typescript;
}

/**
 * The compiler: `dist/typescript.js` beside the bundle (scripts/build.mjs) through V8's code
 * cache in the user's cache folder (compiling it is most of a TS file's CLI start; see
 * codeCache.ts), else the `typescript` package (tests, benchmarks: run from node_modules).
 * The cache is written once the first file has been parsed, so the functions the parser
 * compiled lazily are in it too.
 */
function requireTypeScript(): unknown {
  const beside = join(__dirname, 'typescript.js');
  if (existsSync(beside)) {
    try {
      const loaded = requireWithCodeCache(beside, userCacheDir());
      if (loaded.status === 'miss' || loaded.status === 'rejected') {
        setImmediate(loaded.flush).unref();
        process.once('exit', loaded.flush);
      }
      return loaded.exports;
    } catch {
      // The file itself failed (unreadable, not the compiler): what `require` says about it below.
    }
  }
  return require('typescript');
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
  const end = text.trimEnd().length;
  for (const diagnostic of syntaxErrors.slice(0, 20)) {
    problems.push({
      message: `Syntax error: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}${diagnostic.start >= end ? ' The file ends before this code is complete.' : ''}`,
      range: { start: diagnostic.start, end: diagnostic.start + diagnostic.length },
      severity: 'error',
    });
  }
  // One budget for the file: every reading (branches, choices) and every imported file share
  // its steps (two readings' worth) and its deadline, so no number of them can multiply the cost.
  const fileBudget = new EvaluationBudget(2 * MAX_STEPS, new Deadline(options.timeMs ?? PARSE_LIMITS.timeMs));
  const loader = options.readFile
    ? new ModuleLoader(ts, options.readFile, (file, nested, budget) => { const i = new Interpreter(ts, file, nested); if (budget) i.useBudget(budget); return i.runModule(); }, fileName, [], fileBudget.child(MAX_STEPS / 2))
    : undefined;
  const interpret = (set: Readonly<Record<string, string>> | undefined, overrides?: ReadonlyMap<string, Value>): { interpreter: Interpreter; models: ModelValue[] } => {
    const interpreter = new Interpreter(ts, sourceFile, loader, set).useBudget(fileBudget.child(MAX_STEPS));
    if (overrides) interpreter.argumentOverrides = overrides;
    if (options.callSites) interpreter.callSites = options.callSites;
    if (options.setFor) interpreter.presetsFor = options.setFor;
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
  const noted = base.interpreter.problemsOf().length;
  // A reading that ran out of steps would run out again in every extra reading: none then.
  const heavy = base.interpreter.stopped || base.interpreter.stepLimited;
  const split = heavy ? undefined : base.interpreter.topLevelSplit();
  // What the split itself says (strings past the limit): kept when the base reading's problems go.
  const splitNotes = base.interpreter.problemsOf().slice(noted);
  // Each reading with what it was read with (`set`, `overrides`), so a default can be tried in it.
  type Run = { interpreter: Interpreter; models: ModelValue[]; branch?: string; set?: Readonly<Record<string, string>>; overrides?: ReadonlyMap<string, Value> };
  const runs: Run[] = split ? [] : [base];
  // A reading the file's budget stopped is partial: dropped, with one note of what was not read.
  const unread: string[] = [];
  const partial = (reading: { interpreter: Interpreter }, before: number, value: string): boolean => {
    if (!reading.interpreter.stopped || reading.interpreter === base.interpreter || (split && !runs.length)) return false;
    problems.splice(before);
    unread.push(`'${value}'`);
    return true;
  };
  for (const value of split?.values ?? []) {
    const before = problems.length;
    const set = { ...options.set, [split!.name]: JSON.stringify(value) };
    const reading = interpret(set);
    if (!partial(reading, before, value)) runs.push({ ...reading, branch: value, set });
  }
  if (split?.other !== undefined && !unread.length) {
    // A string none of the literals is reaches the `else` / `default:` side; its models that a
    // literal's reading also gave are dropped below, and a reading that built nothing new (a
    // `default: throw`) leaves no problems.
    const before = problems.length;
    const otherSet = { ...options.set, [split.name]: JSON.stringify(split.other) };
    const read = { ...interpret(otherSet), set: otherSet };
    if (read.interpreter.stopped) {
      problems.splice(before);
      unread.push(otherLabel(split.values));
    }
    // A sequential left empty is the start of a model the other side threw out of.
    // A reading that threw more than the first is a string the code rejects: no model.
    const rejected = read.interpreter.thrown > base.interpreter.thrown;
    const other = { ...read, models: rejected || read.interpreter.stopped ? [] : read.models.filter((m) => m instanceof FunctionalModel || m.layers.length > 0), branch: otherLabel(split.values) };
    if (!other.models.length) problems.splice(before);
    runs.push(other);
  }
  const defaultBranch = new Map<ModelValue, string>();
  if (!split && !heavy) {
    // A command-line option with `choices` (`addArgument('--arch', {choices: ['cnn', 'rnn'],
    // defaultValue: 'cnn'})`): `node script.js` builds the default, but every choice is a model
    // the script builds. One more reading per other choice; its models the default's reading also
    // gave are dropped below (branch signatures), so only the choices that change a model add one.
    let readings = 0;
    for (const option of base.interpreter.argumentChoices.slice(0, 2)) {
      for (const choice of option.choices) {
        if (choice === option.defaultValue || readings >= 8) continue;
        readings++;
        const before = problems.length;
        const overrides = new Map<string, Value>([[option.dest, choice]]);
        const reading = { ...interpret(options.set, overrides), branch: choice, overrides };
        if (partial(reading, before, choice)) continue;
        // The default's model that this choice changes is the default's branch: `model[mlp]`.
        for (const model of base.models) {
          const twin = reading.models.find((m) => m.name === model.name && m.range.start === model.range.start && !m.template);
          if (twin && reading.interpreter.modelSignature(twin) !== base.interpreter.modelSignature(model) && typeof option.defaultValue === 'string') defaultBranch.set(model, option.defaultValue);
        }
        // A reading that adds no model adds no problem (the default's reading said the rest;
        // repeated ones are dropped below).
        const seen = new Set(base.models.map((m) => base.interpreter.modelSignature(m)));
        if (reading.models.every((m) => seen.has(reading.interpreter.modelSignature(m)))) problems.splice(before);
        runs.push(reading);
      }
    }
  }
  // argparse options without `choices`: `node script.js` builds with their defaults. A default
  // that decides a model (another value changes its layers or compile call: one more reading per
  // option, the first MAX_DEFAULT_READINGS) is a default used, said with the model as Python
  // files say theirs.
  const argumentDefaultsUsed = new Map<ModelValue, DefaultUsed[]>();
  {
    const decided = (interpreter: Interpreter, model: ModelValue): string =>
      interpreter.modelSignature(model) + JSON.stringify(model.compile ? toConfigValue(model.compile.args, '', undefined, () => undefined) : null);
    // Options first, then the readings: each option is tried in every branch, the first
    // options first, within MAX_DEFAULT_READINGS readings (a count, not a time: the same file
    // gives the same notes on any machine).
    const optionNames = [...new Set(runs.flatMap((run) => run.interpreter.argumentDefaults.map((d) => d.dest)))];
    let readings = 0;
    for (const dest of optionNames) {
      for (const run of runs) {
        const option = run.interpreter.argumentDefaults.find((d) => d.dest === dest);
        if (!option || !run.models.length || run.overrides?.has(dest) || run.interpreter.argumentChoices.some((c) => c.dest === dest)) continue;
        if (readings >= MAX_DEFAULT_READINGS) break;
        readings++;
        const before = problems.length;
        const reading = interpret(run.set ?? options.set, new Map([...(run.overrides ?? []), [dest, otherValue(option.value)]]));
        problems.splice(before);
        // A reading the file's budget stopped is partial: it cannot tell whether the default decides.
        if (reading.interpreter.stopped) continue;
        for (const model of run.models) {
          const twin = reading.models.find((m) => m.name === model.name && m.range.start === model.range.start && m.template === model.template);
          if (twin && decided(reading.interpreter, twin) === decided(run.interpreter, model)) continue;
          const shown = typeof option.value === 'string' ? JSON.stringify(option.value) : String(option.value);
          const list = argumentDefaultsUsed.get(model) ?? [];
          list.push({ name: option.flag, value: shown, message: `command-line option \`${option.flag}\` not given: used its default, ${shown}`, range: option.range });
          argumentDefaultsUsed.set(model, list);
        }
      }
    }
  }
  if (split) {
    // The base reading's problems are those of the first branch read blind: the branches' replace them.
    const baseProblems = new Set(base.interpreter.problemsOf());
    problems.splice(0, problems.length, ...problems.filter((p) => !baseProblems.has(p)), ...splitNotes);
  }
  if (unread.length) {
    problems.push({
      message: `Gradient Lens' step limit for this file ran out before every value that picks the architecture was read: no model for ${unread.join(', ')}.`,
      range: (split && base.interpreter.flowHoles.find((h) => h.name === split.name || h.subject === split.name)?.range) ?? { start: 0, end: 0 },
      severity: 'warning',
    });
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
  const usedNames = new UniqueNames();
  const signatures = new Set<string>();
  // Without branch readings, the models listed so far by name and start (see `byHead` below).
  const branched = runs.some((run) => run.branch !== undefined);
  const byHead = new Map<string, { readonly layers: readonly LayerNode[]; signature?: string; readonly unique: string }[]>();
  // The name each model value got in the list (a dropped copy: the kept one's), so a layer's
  // `partOf` names its model exactly as the model list does (`cnn (2)`, not `cnn`).
  const listedName = new Map<ModelValue, string>();
  const nameBySignature = new Map<string, string>();
  // Graphs are built in list order, but a nested model may be listed after the model that uses
  // it: layers first get a stand-in per model value, replaced once every name is known.
  const standIns = new Map<ModelValue, string>();
  const nameOf = (model: ModelValue): string => {
    let token = standIns.get(model);
    if (token === undefined) standIns.set(model, (token = `\u0000${standIns.size}`));
    return token;
  };
  for (const run of runs) {
    const flowHoles = flowHolesByModel(run.interpreter.flowHoles);
    const titled = runTitles(run.models, templateTitle);
    for (const model of run.models) {
      let name = model.name ?? 'model';
      if (model.nameDepth > 0) name = titled(model, name);
      if (run.branch !== undefined && !model.template) name = `${name}[${run.branch}]`;
      else if (defaultBranch.has(model)) name = `${name}[${defaultBranch.get(model)}]`;
      try {
        const holderStart = model.annotationHolder?.start ?? topLevelStatementStart(sourceFile, model.range.start);
        const built = toModelGraph(model, name, report, nameOf);
        // Branches share the models they do not decide, and a builder reached twice the same way
        // (two listeners of one callback) gives the same model: keep one of each.
        const head = JSON.stringify([name, model.range.start]);
        let unique: string;
        if (branched) {
          // The layers' part serialized once (the largest part of both keys; about a tenth of a warm parse when done twice).
          const branchSignature = layersSignature(built.layers);
          const signature = `${head}${branchSignature}`;
          if (signatures.has(signature) || (run.branch !== undefined && signatures.has(branchSignature))) {
            const kept = nameBySignature.get(signature) ?? nameBySignature.get(branchSignature);
            if (kept !== undefined) listedName.set(model, kept);
            continue;
          }
          signatures.add(branchSignature);
          signatures.add(signature);
          unique = usedNames.take(name);
          if (!nameBySignature.has(signature)) nameBySignature.set(signature, unique);
          if (!nameBySignature.has(branchSignature)) nameBySignature.set(branchSignature, unique);
        } else {
          // No branch: a copy has the same name and start, so the layers are serialized only
          // when another model has them too (the same keys as above, compared lazily).
          const same = byHead.get(head);
          if (same) {
            const signature = layersSignature(built.layers);
            const twin = same.find((listed) => (listed.signature ??= layersSignature(listed.layers)) === signature);
            if (twin) {
              listedName.set(model, twin.unique);
              continue;
            }
            unique = usedNames.take(name);
            same.push({ layers: built.layers, signature, unique });
          } else {
            unique = usedNames.take(name);
            byHead.set(head, [{ layers: built.layers, unique }]);
          }
        }
        listedName.set(model, unique);
        const holes = mergeHoles([...(built.holes ?? []), ...(flowHoles.get(model) ?? [])]);
        const defaultsUsed = [
          ...run.interpreter.assumptions.filter((a) => a.models.includes(model)).map((a) => ({ name: a.name, value: a.value, message: a.message, range: a.range })),
          ...(argumentDefaultsUsed.get(model) ?? []),
        ];
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
  if (standIns.size) {
    const listed = [...listedName.keys()];
    const finalName = new Map<string, string>();
    for (const [model, token] of standIns) {
      // A model built only as another builder's argument is that builder's listed model.
      const owner = runs.find((r) => r.models.includes(model) || r.interpreter.argumentModels.includes(model))?.interpreter ?? base.interpreter;
      const same = listedName.has(model) ? undefined : listed.find((k) => owner.modelSignature(k) === owner.modelSignature(model));
      finalName.set(token, listedName.get(model) ?? (same && listedName.get(same)) ?? model.name ?? 'model');
    }
    const rename = (name: string): string => finalName.get(name) ?? name;
    models.forEach((graph, i) => {
      if (!graph.layers.some((l) => l.partOf !== undefined)) return;
      models[i] = { ...graph, layers: graph.layers.map((l) => (l.partOf === undefined ? l : { ...l, partOf: rename(l.partOf), ...(l.partOfPath ? { partOfPath: l.partOfPath.map(rename) } : {}) })) };
    });
  }
  problems.sort((a, b) => a.range.start - b.range.start);
  return { models, problems: withoutNoiseOfSyntaxErrors(problems, sourceFile, syntaxErrors) };
}

/**
 * The parser's recovery from a syntax error reads the rest of the line as something it is not
 * (the next `model.add(...)` as a property of an unclosed object): a warning or note on a line
 * with a syntax error describes that misreading, not the code. The error says what is wrong;
 * a name cut short by it (`activ` where the file stops) is still said.
 */
function withoutNoiseOfSyntaxErrors(problems: ParseProblem[], file: TS.SourceFile, syntaxErrors: readonly TS.DiagnosticWithLocation[]): ParseProblem[] {
  if (!syntaxErrors.length) return problems;
  const lineOf = (offset: number): number => file.getLineAndCharacterOfPosition(Math.min(offset, file.text.length)).line;
  const broken = new Set(syntaxErrors.map((d) => lineOf(d.start)));
  // A limit's problem is said where it was hit, syntax error or not (a cut can leave one behind).
  return problems.filter((p) => p.severity === 'error' || /^`[^`]*` is cut short:/.test(p.message) || LIMIT_PROBLEM.test(p.message) || !broken.has(lineOf(p.range.start)));
}

/**
 * Readings of a file that try an argparse default against another value (each one is a full
 * reading: the tfjs-examples scripts take 20-60 ms each; sentiment/train.js, 6 branches x 4
 * options, reads in 1.4 s instead of 1.1 s).
 */
const MAX_DEFAULT_READINGS = 24;

/** A value other than `value` of the same type, to see whether `value` decides anything. */
function otherValue(value: string | number | boolean): string | number | boolean {
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') return value === 0 ? 1 : Number.isInteger(value) ? value + 1 : value * 2;
  return `${value}_`;
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

/** Unknowns that steered the building of each model (a loop bound, a branch), as holes by model. */
function flowHolesByModel(all: readonly FlowHole[]): Map<ModelValue, Hole[]> {
  const byModel = new Map<ModelValue, Hole[]>();
  for (const hole of all) {
    for (const model of hole.models) {
      const list = byModel.get(model) ?? [];
      // A string compared with literals is filled with one of them, not `true`.
      const literal = hole.strings?.length && hole.subject === hole.name ? `'${hole.strings[0]!.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : undefined;
      list.push(flowHole(hole.name, hole.role, hole.range, 'ts', literal));
      byModel.set(model, list);
    }
  }
  return byModel;
}

/** What decides a listed model's architecture: each layer's type, place, config and inputs, as JSON. */
function layersSignature(layers: readonly LayerNode[]): string {
  return JSON.stringify(layers.map((l) => [l.type, l.range.start, l.config, l.inbound]));
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
