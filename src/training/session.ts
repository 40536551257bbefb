/**
 * Host side of the training worker: a plain class (no vscode import) that the extension, the
 * CLI and tests share. Starts the worker, runs one model at a time, cancels, enforces the time
 * budget, and turns a worker that dies into an error result; the next run gets a fresh worker.
 */
import { join } from 'node:path';
import { trainingBlocker } from '../core/graph';
import { Worker } from 'node:worker_threads';
import type { ModelGraph } from '../core/ir';
import type { HostToWorker, RunOptions, RunSummary, WorkerToHost } from './protocol';

export type RunResult =
  | { readonly status: 'done'; readonly summary: RunSummary; readonly backend: string }
  | { readonly status: 'cancelled'; readonly summary?: RunSummary; readonly backend: string }
  | { readonly status: 'error'; readonly message: string; readonly layerId?: string; readonly backend?: string };

export interface SessionOptions {
  /** The worker bundle; `worker.js` next to this bundle by default (dist/, dist-test/). */
  readonly workerPath?: string;
  readonly backend?: 'wasm' | 'cpu';
  readonly wasmDir?: string;
  /** Where the worker's own console output and backend notes go. */
  readonly log?: (line: string) => void;
  /** Extra time after the budget before a stuck worker is terminated (ms). */
  readonly graceMs?: number;
}

type Listener = (message: WorkerToHost) => void;

interface ActiveRun {
  readonly runId: number;
  readonly listener: Listener;
  readonly resolve: (result: RunResult) => void;
  readonly timer: NodeJS.Timeout;
}

export class TrainingSession {
  private worker: Worker | undefined;
  private backend: string | undefined;
  private nextRunId = 1;
  private active: ActiveRun | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly options: SessionOptions = {}) {}

  /** The backend the current worker runs on, once it said so. */
  get currentBackend(): string | undefined {
    return this.backend;
  }

  get busy(): boolean {
    return this.active !== undefined;
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.workerPath ?? join(__dirname, 'worker.js'), {
      workerData: { backend: this.options.backend ?? 'wasm', ...(this.options.wasmDir ? { wasmDir: this.options.wasmDir } : {}) },
      // tfjs prints to the console; keep that out of the CLI's JSON and the host's stdout.
      stdout: true,
      stderr: true,
    });
    const forward = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.options.log?.(line);
    };
    worker.stdout.on('data', forward);
    worker.stderr.on('data', forward);
    worker.on('message', (message: WorkerToHost) => this.onMessage(message));
    worker.on('error', (error) => this.onDeath(worker, `The training worker crashed: ${error.message}`));
    worker.on('exit', (code) => this.onDeath(worker, `The training worker stopped (exit code ${code}).`));
    this.worker = worker;
    return worker;
  }

  private onMessage(message: WorkerToHost): void {
    if (message.type === 'ready') {
      this.backend = message.backend;
      if (message.note) this.options.log?.(message.note);
      return;
    }
    const run = this.active;
    if (!run || message.runId !== run.runId) return;
    run.listener(message);
    if (message.type === 'done') this.finish({ status: 'done', summary: message.summary, backend: message.summary.backend });
    else if (message.type === 'cancelled') this.finish({ status: 'cancelled', summary: message.summary, backend: message.summary.backend });
    else if (message.type === 'error') {
      this.finish({ status: 'error', message: message.message, ...(message.layerId ? { layerId: message.layerId } : {}), ...(this.backend ? { backend: this.backend } : {}) });
    }
  }

  /** A worker that dies mid-run ends that run with an error; the next run starts a new worker. */
  private onDeath(worker: Worker, reason: string): void {
    if (this.worker !== worker) return; // an old worker we replaced or terminated ourselves
    this.worker = undefined;
    this.backend = undefined;
    if (this.active) this.finish({ status: 'error', message: reason });
  }

  private finish(result: RunResult): void {
    const run = this.active;
    if (!run) return;
    clearTimeout(run.timer);
    this.active = undefined;
    run.resolve(result);
  }

  private post(message: HostToWorker): void {
    this.worker?.postMessage(message);
  }

  /**
   * Trains and measures `graph`. Events stream to `listener`; the promise settles with the
   * summary, a cancellation (with what was measured so far) or an error. Never rejects.
   */
  run(graph: ModelGraph, options: RunOptions, listener: Listener = () => undefined, signal?: AbortSignal): Promise<RunResult> {
    const next = this.queue.then(() => this.runNow(graph, options, listener, signal));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private runNow(graph: ModelGraph, options: RunOptions, listener: Listener, signal?: AbortSignal): Promise<RunResult> {
    if (this.disposed) return Promise.resolve({ status: 'error', message: 'The training session was closed.' });
    if (signal?.aborted) return Promise.resolve({ status: 'cancelled', backend: this.backend ?? 'none' });
    if (options.timeBudgetMs <= 0) return Promise.resolve({ status: 'error', message: 'The time budget is 0: nothing was measured. Give the run at least a few seconds.' });
    // Odd but valid code (only an input, `inputShape: [0]`, `units: -1`): the product's own message, not tfjs'.
    const blocked = trainingBlocker(graph);
    if (blocked) return Promise.resolve({ status: 'error', message: blocked });
    let worker: Worker;
    try {
      worker = this.spawn();
    } catch (error) {
      return Promise.resolve({ status: 'error', message: `The training worker could not start: ${error instanceof Error ? error.message : String(error)}` });
    }
    const runId = this.nextRunId++;
    return new Promise<RunResult>((resolve) => {
      // The worker stops itself at the budget; if it cannot (a single huge step), it is stopped here.
      const timer = setTimeout(() => {
        if (this.active?.runId !== runId) return;
        this.finish({ status: 'error', message: `The run did not stop within its ${Math.round(options.timeBudgetMs / 1000)} s budget; the worker was restarted.` });
        void worker.terminate();
      }, options.timeBudgetMs + (this.options.graceMs ?? 10_000));
      this.active = { runId, listener, resolve, timer };
      signal?.addEventListener('abort', () => this.cancel(runId), { once: true });
      this.post({ type: 'start', runId, graph, options });
    });
  }

  /** Cancels the run in progress (or a given one); it ends with a `cancelled` result. */
  cancel(runId = this.active?.runId): void {
    if (runId !== undefined && this.active?.runId === runId) this.post({ type: 'cancel', runId });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.active) this.finish({ status: 'cancelled', backend: this.backend ?? 'none' });
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
