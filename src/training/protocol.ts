/**
 * Messages between the extension host (or CLI) and the training worker. Numbers and plain
 * objects only: tensors never cross the boundary.
 */
import type { ModelGraph } from '../core/ir';

export * from '../core/measurement';
import type { RunOptions, ProbeResult, StepRecord, ActivationStats, RunSummary } from '../core/measurement';

/**
 * What the host starts a worker with (`workerData`): the engine is chosen once per worker, since
 * tfjs' backend and the wasm thread pool cannot change inside a running worker.
 */
export interface WorkerOptions {
  readonly backend: 'wasm' | 'cpu';
  /** Folder holding the tfjs-backend-wasm .wasm files and the threaded build's pthread scripts; next to the worker bundle by default. */
  readonly wasmDir?: string;
  /**
   * Threads of the wasm backend's pool (tfjs' XNNPACK matrix products and convolutions), the
   * worker's own thread included: 1 is the single-threaded SIMD build, 2-8 the threaded SIMD build
   * (tfjs' pool holds at most 8). Resolved by the host (`resolveWasmThreads`, threads.ts).
   */
  readonly threads: number;
  /** Set when an earlier worker's threaded start failed: why, said in each run's `notes`. */
  readonly threadsFallback?: string;
  /** How long the threaded build may take to start (ms; default 20 s, backend.ts). */
  readonly threadsStartTimeoutMs?: number;
}

export type HostToWorker =
  | { readonly type: 'start'; readonly runId: number; readonly graph: ModelGraph; readonly options: RunOptions }
  | { readonly type: 'cancel'; readonly runId: number };

export type WorkerToHost =
  /** The backend started; `threads`: the wasm pool's size (1 on cpu or single-threaded wasm). */
  | { readonly type: 'ready'; readonly backend: string; readonly threads: number; readonly note?: string }
  /** The threaded wasm build did not start (the reason); the host replaces this worker with a single-threaded one. */
  | { readonly type: 'threads-failed'; readonly reason: string }
  | { readonly type: 'started'; readonly runId: number; readonly backend: string; readonly trainableLayers: readonly string[]; readonly totalSteps: number }
  | { readonly type: 'probe'; readonly runId: number; readonly probe: ProbeResult }
  | { readonly type: 'steps'; readonly runId: number; readonly steps: readonly StepRecord[]; readonly activations?: { readonly step: number; readonly layers: Readonly<Record<string, ActivationStats>> } }
  /**
   * The first initialization is measured and `planned - 1` more follow: its summary, for a first
   * verdict (the final `done` summary, over all initializations, replaces it).
   */
  | { readonly type: 'first-initialization'; readonly runId: number; readonly summary: RunSummary; readonly planned: number }
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
