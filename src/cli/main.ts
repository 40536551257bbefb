/**
 * `gradient-lens`: the terminal and CI front end over the same core as the extension.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_MEASURED_THRESHOLDS, type MeasuredThresholds } from '../core/analysis/measuredRules';
import { parseDataFile } from '../core/dataFile';
import type { FixCode } from '../core/fixes/index';
import { MeasureError, preflight } from '../training/measure';
import type { ModelGraph } from '../core/ir';
import { DEFAULT_RUN_OPTIONS, type RunOptions, type WorkerToHost } from '../training/protocol';
import { blockedRun, TrainingSession } from '../training/session';
import { applyFixes, isFixCode } from '../core/fixes/index';
import { boundedReader, readDataFile, readFileFromDisk } from '../core/nodeFiles';
import { isPythonFile, modelLibrary } from '../core/languages';
import { callSitesByTarget, callSitesFromImporters, type CallSites } from '../core/parse/callSites';
import type { ReadFile } from '../core/parse/modules';
import { decodeSource } from '../core/decode';
import { parseSource } from '../core/source';
import { measureEntry, readSource, sourceReport, verifyEntry, type ModelEntry, type ModelOutcome, type Refusal } from '../core/pipeline/index';
import { formatReport, type FileReport, type Report } from '../core/report';
import { parseArgs, USAGE, UsageError, type AnalyzeOptions, type FixOptions } from './args';
import { expandFileArgs, readErrorText } from './files';
import { displayPath } from './paths';
import { toSarif } from './sarif';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, exitStatus } from './status';


/** After a usage error: where the usage and the fix codes are listed. */
const HELP_HINT = 'Run `gradient-lens --help` for the usage, the fix codes and the exit statuses.';

/** The tool's version for SARIF, from package.json next to dist/ (the bundle) or the repository root. */
function toolVersion(): string {
  for (const path of [join(__dirname, '..', 'package.json'), join(__dirname, '..', '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'gradient-lens' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not there: try the next place
    }
  }
  return '0.0.0';
}

/** Why a model cannot be trained at all, read from its graph alone (what the session refuses before a run). */
function untrainable(model: ModelGraph): Refusal | undefined {
  const blocked = blockedRun(model);
  if (blocked) return blocked;
  try {
    preflight(model);
    return undefined;
  } catch (error) {
    if (error instanceof MeasureError) return error;
    throw error;
  }
}

/** Progress on stderr when it is a terminal: `model: epoch 1/3, step 12/24`. */
function progress(model: ModelGraph): (message: WorkerToHost) => void {
  if (!process.stderr.isTTY) return () => undefined;
  let total = 0;
  return (message) => {
    if (message.type === 'started') total = message.totalSteps;
    if (message.type === 'probe') process.stderr.write(`\r\x1b[K${model.name}: probed at initialization`);
    if (message.type === 'steps') {
      const last = message.steps[message.steps.length - 1];
      if (last) process.stderr.write(`\r\x1b[K${model.name}: epoch ${last.epoch + 1}, step ${last.step + 1}/${total}, loss ${last.loss.toPrecision(3)}`);
    }
    if (message.type === 'first-initialization') {
      process.stderr.write(`\r\x1b[K${model.name}: measured on the first initialization in ${(message.summary.elapsedMs / 1000).toFixed(1)} s; confirming on ${message.planned - 1} more`);
    }
    if (message.type === 'done' || message.type === 'error' || message.type === 'cancelled') process.stderr.write('\r\x1b[K');
  };
}

async function analyze(given: AnalyzeOptions): Promise<number> {
  // Directories and globs the shell left alone (quoted, or Windows' cmd) become their files.
  const expanded = expandFileArgs(given.files, process.cwd());
  if (expanded.errors.length) {
    for (const error of expanded.errors) process.stderr.write(`gradient-lens: ${error}\n`);
    return EXIT_USAGE;
  }
  const options: AnalyzeOptions = { ...given, files: expanded.files };
  const files: FileReport[] = [];
  let unreadable = false;
  const session = options.staticOnly
    ? undefined
    : new TrainingSession({ workerPath: join(__dirname, 'worker.js'), backend: options.backend ?? 'wasm', ...(options.threads !== undefined ? { threads: options.threads } : {}) });
  let data: RunOptions['data'];
  if (options.data) {
    try {
      data = parseDataFile(readDataFile(options.data), options.data);
    } catch (error) {
      process.stderr.write(`gradient-lens: cannot use data file ${options.data}: ${error instanceof Error ? error.message : String(error)}\n`);
      await session?.dispose();
      return EXIT_USAGE;
    }
  }
  const thresholds: MeasuredThresholds = { ...DEFAULT_MEASURED_THRESHOLDS, ...options.thresholds };
  const runOptions: RunOptions = {
    ...DEFAULT_RUN_OPTIONS,
    ...(data ? { data } : {}),
    ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.samples !== undefined ? { samples: options.samples } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.timeBudgetSeconds !== undefined ? { timeBudgetMs: Math.round(options.timeBudgetSeconds * 1000) } : {}),
    ...(options.seeds !== undefined ? { seeds: Math.max(1, Math.floor(options.seeds)) } : {}),
  };
  // Imports are read only under the directories of the files given (real paths, regular files).
  const readFile = boundedReader([...new Set(options.files.map((f) => dirname(resolve(f))))]);
  const callSiteIndex = new CallSiteIndex(options.files, readFile);
  try {
    for (const file of options.files) {
      const text = readSourceFile(file);
      if (text === undefined) {
        unreadable = true;
        continue;
      }
      const callSites = callSiteIndex.for(file);
      const source = readSource(text, file, { readFile, set: options.set, ...(callSites ? { callSites } : {}) });
      const outcomes = new Map<ModelEntry, ModelOutcome>();
      for (const entry of source.entries) {
        if (!session) {
          // --static trains nothing, but a model that could not train is still said (and exits 3).
          const ready = entry.measurable();
          const refusal = ready && untrainable(ready.graph);
          outcomes.set(entry, refusal ? { refusal } : {});
          continue;
        }
        const measured = await measureEntry(session, entry, runOptions, thresholds, progress(entry.model));
        const verification = options.verify && measured?.analysis ? await verifyEntry(session, source, entry, measured, runOptions, thresholds) : undefined;
        outcomes.set(entry, { ...(measured ? { measured } : {}), ...(verification ? { verification } : {}) });
      }
      files.push(sourceReport(displayPath(file, process.cwd()), source, (entry) => outcomes.get(entry) ?? {}));
    }
  } finally {
    await session?.dispose();
  }
  const report: Report = { files };
  const out =
    options.format === 'sarif' ? JSON.stringify(toSarif(report, toolVersion(), process.cwd()), null, 2) : options.format === 'json' ? JSON.stringify(report, null, 2) : formatReport(report);
  process.stdout.write(`${out}\n`);
  return exitStatus(report, unreadable);
}

function fix(options: FixOptions): number {
  const unknown = options.fixes.filter((code) => !isFixCode(code));
  if (unknown.length) {
    process.stderr.write(`gradient-lens: unknown fix code '${unknown[0]}'\n${HELP_HINT}\n`);
    return EXIT_USAGE;
  }
  const text = readSourceFile(options.file);
  if (text === undefined) return EXIT_USAGE;
  const readFile = boundedReader([dirname(resolve(options.file))]);
  const models = parseSource(text, options.file, { readFile, set: options.set }).models;
  const model = options.model === undefined ? models[0] : models.find((m) => m.name === options.model);
  if (!model) {
    const names = models.map((m) => m.name).join(', ') || 'none';
    process.stderr.write(`gradient-lens: ${options.model === undefined ? `no ${modelLibrary(options.file)} model` : `no model named '${options.model}'`} in ${options.file} (models: ${names})\n`);
    return EXIT_USAGE;
  }
  if (options.model === undefined && models.length > 1) {
    process.stderr.write(`gradient-lens: ${options.file} defines ${models.length} models; fixing '${model.name}' (choose with --model)\n`);
  }
  const result = applyFixes(text, options.file, model.name, options.fixes as FixCode[], { readFile, set: options.set });
  for (const skipped of result.skipped) process.stderr.write(`gradient-lens: ${skipped.code} not applied: ${skipped.reason}\n`);
  if (options.write) {
    if (result.text !== text) writeFileSync(options.file, result.text);
    process.stderr.write(`gradient-lens: applied ${result.applied.join(', ') || 'nothing'} to ${options.file}\n`);
  } else {
    process.stdout.write(result.text);
  }
  return result.applied.length ? EXIT_OK : EXIT_FINDINGS;
}

async function main(argv: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // The message alone (the usage is 50 lines that would scroll it away), then where the usage is.
    process.stderr.write(`gradient-lens: ${error.message}\n${HELP_HINT}\n`);
    return EXIT_USAGE;
  }
  if (options.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (options.command === 'version') {
    process.stdout.write(`${toolVersion()}\n`);
    return EXIT_OK;
  }
  if (options.command === 'fix') return fix(options);
  return analyze(options);
}


/**
 * Calls of each file's builder functions with constant arguments in the other files given on
 * the command line (`analyze src/*.ts` binds `createModel` of model.ts from `createModel(13)` in
 * train.ts), as the extension does with the workspace. Each file is run once, on first need,
 * for the calls into every other file (500 files: 500 runs, not 250,000).
 */
class CallSiteIndex {
  private index: Map<string, CallSites> | undefined;
  constructor(
    private readonly files: readonly string[],
    private readonly readFile: ReadFile,
  ) {}

  /**
   * Calls of `file`'s builders with constant arguments in the other files given on the command
   * line and in the files of its project that import it (the folder of the nearest package.json,
   * else the file's own), as the extension does with the workspace: a file's models get the same
   * names in both (`analyze src/model.ts` binds `createModel` from `createModel(13)` in src/train.ts).
   */
  for(file: string): CallSites | undefined {
    if (isPythonFile(file)) return undefined;
    const given = new Set(this.files.map((f) => resolve(f)));
    const fromArgs = this.files.length >= 2 ? (this.index ??= this.build()).get(resolve(file)) ?? {} : {};
    const fromProject = callSitesFromImporters(file, projectSources(resolve(file)).filter((f) => !given.has(f)), this.readFile);
    const merged: CallSites = { ...fromProject };
    for (const [name, lists] of Object.entries(fromArgs)) {
      const into = (merged[name] = [...(merged[name] ?? [])]);
      for (const args of lists) if (!into.some((seen) => JSON.stringify(seen) === JSON.stringify(args))) into.push(args);
    }
    return Object.keys(merged).length ? merged : undefined;
  }

  private build(): Map<string, CallSites> {
    const index = new Map<string, CallSites>();
    for (const caller of new Set(this.files.map((f) => resolve(f)))) {
      if (isPythonFile(caller)) continue;
      const text = readFileFromDisk(caller);
      if (!text) continue;
      for (const [target, sites] of callSitesByTarget(text, caller, this.readFile)) {
        if (target === caller) continue;
        const merged = index.get(target) ?? {};
        for (const [name, lists] of Object.entries(sites)) {
          const into = (merged[name] ??= []);
          for (const args of lists) if (!into.some((seen) => JSON.stringify(seen) === JSON.stringify(args))) into.push(args);
        }
        index.set(target, merged);
      }
    }
    return index;
  }
}

/** A source file's text (UTF-8, or UTF-16 with a BOM), or undefined after saying why not on stderr. */
function readSourceFile(file: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    process.stderr.write(`gradient-lens: cannot read ${file}: ${readErrorText((error as NodeJS.ErrnoException).code, String(error))}\n`);
    return undefined;
  }
  const decoded = decodeSource(bytes);
  if ('error' in decoded) {
    process.stderr.write(`gradient-lens: cannot read ${file}: ${decoded.error}\n`);
    return undefined;
  }
  return decoded.text;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`gradient-lens: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = EXIT_USAGE;
  },
);

/** Most source files read when looking for importers (the extension's workspace scan has the same cap). */
const MAX_PROJECT_FILES = 500;

/** The TS/JS sources of the project holding `file`, outside node_modules and dot folders. */
function projectSources(file: string): string[] {
  let root = dirname(file);
  for (let dir = root; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      root = dir;
      break;
    }
    if (dirname(dir) === dir) break;
  }
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (out.length >= MAX_PROJECT_FILES) return;
      if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'dist') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|tsx|js|jsx|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
    }
  };
  walk(root);
  return out;
}
