import * as vscode from 'vscode';
import { DEFAULT_MEASURED_THRESHOLDS, type MeasuredThresholds } from '../core/analysis/measuredRules';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../training/protocol';

/** Typed mirror of the `gradientLens.*` settings in package.json. */
export interface Settings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly samples: number;
  readonly seed: number;
  readonly seeds: number;
  readonly timeBudgetSeconds: number;
  readonly backend: 'wasm' | 'cpu';
  /** Threads of the wasm backend: 0 = auto (`autoWasmThreads`, src/training/threads.ts), 1-8. */
  readonly wasmThreads: number;
  readonly analyzeOnSave: boolean;
  readonly dataFile: string;
  readonly thresholds: MeasuredThresholds;
  readonly maxConcurrentRuns: number;
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration('gradientLens', scope);
  const thresholds = c.get<Partial<MeasuredThresholds>>('thresholds') ?? {};
  return {
    epochs: c.get('epochs', DEFAULT_RUN_OPTIONS.epochs),
    batchSize: c.get('batchSize', DEFAULT_RUN_OPTIONS.batchSize),
    samples: c.get('samples', DEFAULT_RUN_OPTIONS.samples),
    seed: c.get('seed', DEFAULT_RUN_OPTIONS.seed),
    seeds: c.get('seeds', DEFAULT_RUN_OPTIONS.seeds ?? 3),
    timeBudgetSeconds: c.get('timeBudgetSeconds', DEFAULT_RUN_OPTIONS.timeBudgetMs / 1000),
    backend: c.get<'wasm' | 'cpu'>('backend', 'wasm'),
    wasmThreads: wholeInRange(c.get<number>('wasmThreads', 0), 0, 8),
    analyzeOnSave: c.get('analyzeOnSave', false),
    dataFile: c.get('dataFile', ''),
    thresholds: { ...DEFAULT_MEASURED_THRESHOLDS, ...thresholds },
    maxConcurrentRuns: Math.max(1, Math.min(4, c.get('maxConcurrentRuns', 1))),
  };
}

/** A setting's number as a whole number inside [min, max]; anything else (a hand-edited string) is `min`. */
function wholeInRange(value: unknown, min: number, max: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(min, Math.min(max, Math.floor(value))) : min;
}

export function runOptions(settings: Settings): RunOptions {
  return {
    ...DEFAULT_RUN_OPTIONS,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    samples: settings.samples,
    seed: settings.seed,
    seeds: settings.seeds,
    timeBudgetMs: settings.timeBudgetSeconds * 1000,
  };
}
