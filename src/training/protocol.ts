/**
 * Messages between the extension host (or CLI) and the training worker. Numbers and plain
 * objects only: tensors never cross the boundary.
 */
import type { ModelGraph } from '../core/ir';

export * from '../core/measurement';
import type { RunOptions, ProbeResult, StepRecord, ActivationStats, RunSummary } from '../core/measurement';

export type HostToWorker =
  | { readonly type: 'start'; readonly runId: number; readonly graph: ModelGraph; readonly options: RunOptions }
  | { readonly type: 'cancel'; readonly runId: number };

export type WorkerToHost =
  | { readonly type: 'ready'; readonly backend: string; readonly note?: string }
  | { readonly type: 'started'; readonly runId: number; readonly backend: string; readonly trainableLayers: readonly string[]; readonly totalSteps: number }
  | { readonly type: 'probe'; readonly runId: number; readonly probe: ProbeResult }
  | { readonly type: 'steps'; readonly runId: number; readonly steps: readonly StepRecord[]; readonly activations?: { readonly step: number; readonly layers: Readonly<Record<string, ActivationStats>> } }
  | { readonly type: 'done'; readonly runId: number; readonly summary: RunSummary }
  | { readonly type: 'cancelled'; readonly runId: number; readonly summary: RunSummary }
  | {
      readonly type: 'error';
      readonly runId: number;
      readonly message: string;
      readonly layerId?: string;
      /** The fault is in the `compile` call (optimizer, loss). */
      readonly inCompile?: boolean;
      /** The worker's state cannot be trusted after this error (wasm abort, out of memory, an unexpected exception): the host replaces the worker. */
      readonly fatal?: boolean;
    };
