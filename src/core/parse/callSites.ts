/**
 * Call sites of a file's builder functions in other files: `createModel(13)` in `train.ts`
 * gives `createModel` of `model.ts` the arguments `[13]`. Found by running the calling file
 * symbolically (never for real) and keeping calls whose arguments are all constants.
 */
import type * as TS from 'typescript';
import { basename, extname, resolve } from 'node:path';
import { isUnknownValue, type ConfigValue } from '../ir';
import { loadTypeScript, scriptKind } from './index';
import { Interpreter, MAX_STEPS } from './interpreter';
import { Deadline, EvaluationBudget } from '../limits';
import { ModuleLoader, type ReadFile } from './modules';
import { toConfigValue } from './toGraph';
import { BUILDER_CALL, ObjectValue, Unknown, type Value } from './values';
import { createBoundedSourceFile } from './boundedSyntax';

/** Argument lists by function name, distinct, in source order. */
export type CallSites = Record<string, ConfigValue[][]>;

function isConstant(value: ConfigValue): boolean {
  if (isUnknownValue(value)) return false;
  if (Array.isArray(value)) return value.every(isConstant);
  if (value !== null && typeof value === 'object') return Object.values(value).every((v) => isConstant(v as ConfigValue));
  return true;
}

/**
 * A call-site argument as a config value. The result of calling another builder of the same
 * target file (`vae(encoder(opts), decoder(opts))`) is `{$builder: 'encoder', args: [...]}`:
 * the target runs that builder to get the model (builders.ts), so a builder whose parameters
 * are models is read with those models.
 */
function argumentValue(value: Value, target: string): ConfigValue {
  if (value instanceof Unknown && value.call && resolve(value.call.file) === target) {
    return { [BUILDER_CALL]: value.call.name, args: value.call.args.map((arg) => argumentValue(arg, target)) };
  }
  if (Array.isArray(value)) return value.map((item) => argumentValue(item, target));
  if (value instanceof ObjectValue) {
    const object: Record<string, ConfigValue> = {};
    for (const [key, item] of value.props) if (item !== undefined) object[key] = argumentValue(item, target);
    return object;
  }
  return toConfigValue(value, 'argument', undefined, () => undefined);
}

/** Command-line options with `choices` read once per choice, and the most readings of a calling file for them. */
const MAX_CHOICE_OPTIONS = 2;
const MAX_CHOICE_RUNS = 8;

/** Calls in `text` (the file `fileName`) of functions exported by `target`, with constant arguments. */
export function callSitesIn(text: string, fileName: string, target: string, readFile: ReadFile): CallSites {
  return callSitesByTarget(text, fileName, readFile, resolve(target)).get(resolve(target)) ?? {};
}

/**
 * Every call in `text` of a function another file exports, with constant arguments, by the
 * absolute path of that file: one run of the calling file serves every target (the CLI indexes
 * N files in N runs, not N^2). `only` keeps one target.
 */
export function callSitesByTarget(text: string, fileName: string, readFile: ReadFile, only?: string): Map<string, CallSites> {
  const ts = loadTypeScript();
  const byTarget = new Map<string, CallSites>();
  let file: TS.SourceFile;
  try {
    file = createBoundedSourceFile(ts, fileName, text, scriptKind(ts, fileName)).file;
  } catch {
    return byTarget;
  }
  // Call sites are a bonus read from many files: each file gets a short time limit, shared (with
  // its steps) by its readings and the files it imports, as in `parseModels`.
  const fileBudget = new EvaluationBudget(2 * MAX_STEPS, new Deadline(1_000));
  const loader = new ModuleLoader(ts, readFile, (imported, nested, budget) => { const i = new Interpreter(ts, imported, nested); if (budget) i.useBudget(budget); return i.runModule(); }, fileName, [], fileBudget.child(MAX_STEPS / 2));
  const run = (overrides?: ReadonlyMap<string, Value>): Interpreter | undefined => {
    const interpreter = new Interpreter(ts, file, loader).useBudget(fileBudget.child(MAX_STEPS));
    if (overrides) interpreter.argumentOverrides = overrides;
    interpreter.onForeignCall = (callee, args) => {
      const target = resolve(callee.file);
      if (only !== undefined && target !== only) return;
      const values = args.map((arg) => argumentValue(arg, target));
      if (!values.every(isConstant)) return;
      let sites = byTarget.get(target);
      if (!sites) byTarget.set(target, (sites = {}));
      const list = (sites[callee.name] ??= []);
      if (!list.some((seen) => JSON.stringify(seen) === JSON.stringify(values))) list.push(values);
    };
    try {
      interpreter.run();
      return interpreter;
    } catch {
      // A file the interpreter cannot read gives no call sites; its own analysis reports why.
      return undefined;
    }
  };
  const first = run();
  // `addArgument('--modelType', {choices: [...], defaultValue: ...})`: `node train.js` runs the
  // default, but each choice is a model the script builds; read the file once per other choice
  // (the first MAX_CHOICE_OPTIONS options, MAX_CHOICE_RUNS readings at most).
  let runs = 0;
  for (const option of first?.argumentChoices.slice(0, MAX_CHOICE_OPTIONS) ?? []) {
    for (const choice of option.choices) {
      if (choice === option.defaultValue || runs >= MAX_CHOICE_RUNS) continue;
      runs++;
      run(new Map([[option.dest, choice]]));
    }
  }
  return byTarget;
}

/** Test files (`*_test.js`, `*.spec.ts`, `__tests__/`): their calls also try invalid arguments. */
const TEST_FILE = /(^|[\\/])(__tests__|tests?)[\\/]|[._-](test|spec)\.[cm]?[jt]sx?$/;

/**
 * Call sites of `target`'s builders in `candidates`, merged: only files that import something
 * named like `target` are read. Calls in test files count only when no other file calls the
 * builder with constants (tests also call builders with invalid values on purpose). The CLI and
 * the extension both use this, so a file's models get the same names in both.
 */
export function callSitesFromImporters(target: string, candidates: Iterable<string>, readFile: ReadFile): CallSites {
  const stem = basename(target, extname(target));
  const imports = new RegExp(`(from\\s*|require\\(\\s*)['"][^'"]*\\b${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\.[cm]?[jt]sx?)?['"]`);
  const merged: CallSites = {};
  const fromTests: CallSites = {};
  const targetPath = resolve(target);
  for (const file of candidates) {
    if (resolve(file) === targetPath) continue;
    const text = readFile(resolve(file));
    if (typeof text !== 'string' || !imports.test(text)) continue;
    const into = TEST_FILE.test(file) ? fromTests : merged;
    for (const [name, lists] of Object.entries(callSitesIn(text, resolve(file), targetPath, readFile))) {
      const list = (into[name] ??= []);
      for (const args of lists) if (!list.some((seen) => JSON.stringify(seen) === JSON.stringify(args))) list.push(args);
    }
  }
  for (const [name, lists] of Object.entries(fromTests)) if (!merged[name]?.length) merged[name] = lists;
  return merged;
}
