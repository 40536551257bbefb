/**
 * Call sites of a file's builder functions in other files: `createModel(13)` in `train.ts`
 * gives `createModel` of `model.ts` the arguments `[13]`. Found by running the calling file
 * symbolically (never for real) and keeping calls whose arguments are all constants.
 */
import { resolve } from 'node:path';
import { isUnknownValue, type ConfigValue } from '../ir';
import { loadTypeScript, scriptKind } from './index';
import { Interpreter } from './interpreter';
import { ModuleLoader, type ReadFile } from './modules';
import { toConfigValue } from './toGraph';
import { createBoundedSourceFile } from './boundedSyntax';

/** Argument lists by function name, distinct, in source order. */
export type CallSites = Record<string, ConfigValue[][]>;

function isConstant(value: ConfigValue): boolean {
  if (isUnknownValue(value)) return false;
  if (Array.isArray(value)) return value.every(isConstant);
  if (value !== null && typeof value === 'object') return Object.values(value).every((v) => isConstant(v as ConfigValue));
  return true;
}

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
  try {
    const file = createBoundedSourceFile(ts, fileName, text, scriptKind(ts, fileName)).file;
    const loader = new ModuleLoader(ts, readFile, (imported, nested) => new Interpreter(ts, imported, nested).runModule(), fileName);
    const interpreter = new Interpreter(ts, file, loader);
    // Call sites are a bonus read from many files: each gets a short time limit.
    interpreter.limitTime(1_000);
    interpreter.onForeignCall = (callee, args) => {
      const target = resolve(callee.file);
      if (only !== undefined && target !== only) return;
      const values = args.map((arg) => toConfigValue(arg, 'argument', undefined, () => undefined));
      if (!values.every(isConstant)) return;
      let sites = byTarget.get(target);
      if (!sites) byTarget.set(target, (sites = {}));
      const list = (sites[callee.name] ??= []);
      if (!list.some((seen) => JSON.stringify(seen) === JSON.stringify(values))) list.push(values);
    };
    interpreter.run();
  } catch {
    // A file the interpreter cannot read gives no call sites; its own analysis reports why.
  }
  return byTarget;
}
