/** Command-line arguments of `gradient-lens`, parsed without a dependency. */
import { DEFAULT_MEASURED_THRESHOLDS } from '../core/analysis/measuredRules';
import { FIX_CODES } from '../core/fixes/codes';
import { fillValueProblem } from '../core/frontend/fillValues';
import { HOLE_NAME } from '../core/holes';
import { isPythonFile } from '../core/languages';

export interface AnalyzeOptions {
  readonly command: 'analyze';
  readonly files: readonly string[];
  /** `--json` is `--format json`. */
  readonly json: boolean;
  readonly format: 'text' | 'json' | 'sarif';
  /** Wall-clock budget of each model's run, in seconds (`--time-budget`). */
  readonly timeBudgetSeconds?: number;
  readonly staticOnly: boolean;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly samples?: number;
  readonly seed?: number;
  /** Initializations each model is measured on; verdicts are decided over them (default 3). */
  readonly seeds?: number;
  readonly backend?: 'wasm' | 'cpu';
  /** Threads of the wasm backend (`--threads`): 0 = auto, 1 = single-threaded, up to 8. */
  readonly threads?: number;
  /** A CSV/JSON file of inputs and labels to train on instead of synthetic data. */
  readonly data?: string;
  /** Measure each finding's fixes on a patched copy and report before/after. */
  readonly verify: boolean;
  /** Overrides of the measured-rule thresholds, e.g. `vanishingRatio=1e-4`. */
  readonly thresholds: Readonly<Record<string, number>>;
  /** Values for template parameters, e.g. `inputShape=[13]` (like a `// gradient-lens:` annotation). */
  readonly set: Readonly<Record<string, string>>;
}

export interface FixOptions {
  readonly command: 'fix';
  readonly file: string;
  readonly fixes: readonly string[];
  readonly model?: string;
  readonly set: Readonly<Record<string, string>>;
  /** Write the file in place; otherwise print the fixed text on stdout. */
  readonly write: boolean;
}

export interface HelpOptions {
  readonly command: 'help';
}

export interface VersionOptions {
  readonly command: 'version';
}

export type CliOptions = AnalyzeOptions | FixOptions | HelpOptions | VersionOptions;

export class UsageError extends Error {}

/** Columns of `--help` (its widest prose line); generated lists are wrapped to it. */
export const HELP_WIDTH = 96;

/**
 * `head` then `items` joined with ", " and ended with ".", wrapped at spaces to `width` columns;
 * an item is never split (one longer than the width stands on its own line).
 */
export function wrapList(head: string, items: readonly string[], width = HELP_WIDTH): string {
  const words = `${head} ${items.join(', ')}.`.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

export const USAGE = `Usage:
  gradient-lens analyze <file>... [--json | --format text|json|sarif] [--static]
                                  [--time-budget SECONDS] [--epochs N] [--batch-size N]
                                  [--samples N] [--seed N] [--seeds N] [--backend wasm|cpu]
                                  [--threads N] [--data inputs.csv|.json] [--verify]
                                  [--threshold name=value]... [--set name=value]...
  gradient-lens fix <file> --apply <fix-code>[,<fix-code>...] [--model NAME]
                          [--write | --stdout] [--set name=value]...
  gradient-lens --version

A directory gives its .ts/.tsx/.js/.jsx/.mjs/.cjs/.py files (recursively, without dot folders,
node_modules, __pycache__, dist, build); a quoted glob ('src/**/*.py') is expanded here.
--set fills a value the parser cannot know (a parameter, or a data read such as
\`xTrain.shape[1]\`), as the annotation comment
\`// gradient-lens: inputShape=[13], units=64\` above the function does.

Reads the TensorFlow.js (.ts/.js) and Keras (.py) models each file defines (without running
the file), and measures their per-layer gradients by training them briefly on synthetic data
(unless --static).
--seed drives the weights, data, shuffling and dropout: the same command gives the same numbers.
--seeds N measures N initializations (default 3) and decides each verdict over them; when
they disagree, more are measured, one at a time, up to 15, until the majority is settled.
${wrapList('Thresholds:', Object.entries(DEFAULT_MEASURED_THRESHOLDS).map(([name, value]) => `${name} (${value})`))}
${wrapList(`Fix codes (${FIX_CODES.length}; README "Fixes" says what each writes):`, FIX_CODES)}
--time-budget caps each model's run (default 60 s); a run that reaches it reports what it
measured so far, marked partial. --format sarif writes SARIF 2.1.0 for code scanning.
--threads N: threads of the wasm backend's matrix products and convolutions (1-8; default 0 =
auto: half the cores, single-threaded on 2 cores or fewer). Same seed, same numbers at any N.

Exit status (the first that applies):
  2  usage error or unreadable file
  3  a model could not be measured: values the parser cannot know (unresolved), a failed or
     empty run, a file that builds a model (imports tfjs/Keras and calls a layer) in which no
     model was found or that has a parse error (a syntax error: part of it was not read), a
     model or layer left out ("leftOut" in JSON: a subclassed keras.Model, a Model(...) whose
     inputs the parser cannot follow), a loaded model (load_model) that is then trained.
     With --static: unresolved and untrainable models, files without a model, parse errors.
  1  findings of warning or worse
  0  every model was measured (or read, with --static) and is healthy`;

const THRESHOLD_NAMES = new Set(Object.keys(DEFAULT_MEASURED_THRESHOLDS));

const NUMERIC = new Map([
  ['--epochs', 'epochs'],
  ['--batch-size', 'batchSize'],
  ['--samples', 'samples'],
  ['--seed', 'seed'],
  ['--seeds', 'seeds'],
  ['--threads', 'threads'],
] as const);

/** Walks the arguments: each with its flag and a reader for the flag's value (`--x v` or `--x=v`). */
function* flags(rest: readonly string[]): Generator<{ arg: string; flag: string; value: () => string }> {
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const split = arg.startsWith('--') && arg.includes('=') ? arg.indexOf('=') : -1;
    const flag = split >= 0 ? arg.slice(0, split) : arg;
    const inline = split >= 0 ? arg.slice(split + 1) : undefined;
    yield {
      arg,
      flag,
      value: () => {
        const v = inline ?? rest[++i];
        if (v === undefined) throw new UsageError(`${flag} needs a value`);
        return v;
      },
    };
  }
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') return { command: 'help' };
  if (command === '--version' || command === '-V' || command === 'version') return { command: 'version' };
  // `gradient-lens analyze --help` asks for the usage, as with other CLIs (not an unknown option).
  if ((command === 'analyze' || command === 'fix') && rest.some((arg) => arg === '--help' || arg === '-h')) return { command: 'help' };
  if (command === 'fix') return parseFixArgs(rest);
  if (command !== 'analyze') throw new UsageError(`unknown command '${command}'`);
  const files: string[] = [];
  const numbers: { epochs?: number; batchSize?: number; samples?: number; seed?: number; seeds?: number; threads?: number } = {};
  let json = false;
  let format: AnalyzeOptions['format'] | undefined;
  let timeBudgetSeconds: number | undefined;
  let staticOnly = false;
  let backend: 'wasm' | 'cpu' | undefined;
  let data: string | undefined;
  let verify = false;
  const thresholds: Record<string, number> = {};
  const set: Record<string, string> = {};
  for (const { arg, flag, value } of flags(rest)) {
    if (flag === '--json') json = true;
    else if (flag === '--format') {
      const v = value();
      if (v !== 'text' && v !== 'json' && v !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not '${v}'`);
      format = v;
    } else if (flag === '--time-budget') {
      const v = value();
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0 || v.trim() === '') throw new UsageError(`--time-budget needs a number of seconds above 0, not '${v}'`);
      timeBudgetSeconds = n;
    }
    else if (flag === '--static') staticOnly = true;
    else if (flag === '--verify') verify = true;
    else if (flag === '--data') data = value();
    else if (flag === '--set') readSet(value(), set);
    else if (flag === '--threshold') {
      const [name, raw] = value().split('=');
      const n = Number(raw);
      if (!name || !THRESHOLD_NAMES.has(name) || !Number.isFinite(n) || n < 0) {
        throw new UsageError(`--threshold takes name=value with a name among ${[...THRESHOLD_NAMES].join(', ')}`);
      }
      thresholds[name] = n;
    }
    else if (flag === '--backend') {
      const v = value();
      if (v !== 'wasm' && v !== 'cpu') throw new UsageError(`--backend must be wasm or cpu, not '${v}'`);
      backend = v;
    } else if (NUMERIC.has(flag as never)) {
      const v = value();
      const n = Number(v);
      // --seed and --threads (0 = auto) may be 0.
      const zero = flag === '--seed' || flag === '--threads';
      if (!Number.isInteger(n) || n < 0 || (!zero && n === 0) || (flag === '--threads' && n > 8)) throw new UsageError(flag === '--threads' ? `--threads needs a whole number from 0 (auto) to 8, not '${v}'` : `${flag} needs a positive whole number, not '${v}'`);
      numbers[NUMERIC.get(flag as never)!] = n;
    } else if (flag.startsWith('-')) throw new UsageError(`unknown option '${flag}'`);
    else files.push(arg);
  }
  if (files.length === 0) throw new UsageError('analyze needs at least one file');
  if (verify && staticOnly) throw new UsageError('--verify measures fixes, so it cannot be combined with --static');
  if (json && format && format !== 'json') throw new UsageError(`--json and --format ${format} contradict each other`);
  checkSetValues(set, files);
  const chosen = format ?? (json ? 'json' : 'text');
  return {
    command: 'analyze',
    files,
    json: chosen === 'json',
    format: chosen,
    ...(timeBudgetSeconds !== undefined ? { timeBudgetSeconds } : {}),
    staticOnly, verify, thresholds, set, ...numbers, ...(backend ? { backend } : {}), ...(data ? { data } : {}) };
}

function parseFixArgs(rest: readonly string[]): FixOptions {
  const files: string[] = [];
  let fixes: string[] | undefined;
  let model: string | undefined;
  let write = false;
  const set: Record<string, string> = {};
  for (const { arg, flag, value } of flags(rest)) {
    if (flag === '--apply') fixes = value().split(',').map((f) => f.trim()).filter(Boolean);
    else if (flag === '--model') model = value();
    else if (flag === '--set') readSet(value(), set);
    else if (flag === '--write') write = true;
    else if (flag === '--stdout') write = false;
    else if (flag.startsWith('-')) throw new UsageError(`unknown option '${flag}'`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError('fix needs exactly one file');
  if (!fixes?.length) throw new UsageError('fix needs --apply <fix-code>[,<fix-code>...]');
  checkSetValues(set, files);
  return { command: 'fix', file: files[0]!, fixes, write, set, ...(model !== undefined ? { model } : {}) };
}

function readSet(text: string, into: Record<string, string>): void {
  const at = text.indexOf('=');
  const name = at > 0 ? text.slice(0, at).trim() : '';
  if (!new RegExp(`^${HOLE_NAME}$`).test(name) || !text.slice(at + 1).trim()) {
    throw new UsageError(`--set takes name=value (a name such as units or xTrain.shape[1], then a value), not '${text}'`);
  }
  into[name] = text.slice(at + 1).trim();
}

/**
 * Each `--set` value must be one complete expression in the language of every file it may fill
 * (TS/JS or Python), checked before anything is read: a malformed value is a usage error (exit
 * 2) naming the flag and the value, not a problem on line 1 of a file that never contained it.
 */
function checkSetValues(set: Readonly<Record<string, string>>, files: readonly string[]): void {
  const languages = new Map<'ts' | 'py', string>();
  for (const file of files) {
    const language = isPythonFile(file) ? 'py' : 'ts';
    if (!languages.has(language)) languages.set(language, file);
  }
  for (const [name, value] of Object.entries(set)) {
    for (const [language, file] of languages) {
      const problem = fillValueProblem(name, value, language);
      if (problem) throw new UsageError(`--set '${name}=${value}': ${problem}${files.length > 1 ? ` (for ${file})` : ''}`);
    }
  }
}
