/**
 * The measurement port: how the pipeline asks for a model to be trained and measured, without
 * knowing who does it. `training/session.ts` (a tfjs worker thread) implements it for the CLI and
 * the extension; tests may implement it with a fake that returns summaries.
 */
import type { ModelGraph } from '../ir';
import type { RunOptions, RunResult } from '../measurement';

export interface MeasurementPort<Event = unknown> {
  /**
   * Trains `graph` with `options` and measures its gradients. Never rejects for a model fault:
   * a model tfjs refuses, a budget stop or a worker crash is an `error` or partial `done` result.
   * `onEvent` receives the implementation's live progress (worker messages); `signal` cancels.
   */
  run(graph: ModelGraph, options: RunOptions, onEvent?: (event: Event) => void, signal?: AbortSignal): Promise<RunResult>;
}
