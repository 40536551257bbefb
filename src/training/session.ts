/**
 * Host side of the training worker: a plain class (no vscode import) that the extension, the
 * CLI and tests share. Starts the worker, runs one model at a time, cancels, enforces the time
 * budget, and turns a worker that dies into an error result; the next run gets a fresh worker.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { trainingBlocker } from '../core/graph';
import { Worker } from 'node:worker_threads';
import type { ModelGraph } from '../core/ir';
import { formatBudget } from './budget';
import type { HostToWorker, LayerSummary, ProbeResult, RunOptions, RunResult, RunSummary, WorkerOptions, WorkerToHost } from './protocol';
import { resolveWasmThreads } from './threads';

export type { RunResult } from '../core/measurement';

export interface SessionOptions {
  /** The worker bundle; `worker.js` next to this bundle by default (dist/, dist-test/). */
  readonly workerPath?: string;
  readonly backend?: 'wasm' | 'cpu';
  readonly wasmDir?: string;
  /**
   * Threads of the wasm backend (`gradientLens.wasmThreads`, `--threads`): 0 or unset = auto
   * (`autoWasmThreads` in threads.ts: on with more than 2 cores), 1 = single-threaded, 2-8.
   */
  readonly threads?: number;
  /** Workers that may train at once (`gradientLens.maxConcurrentRuns`): auto shares the cores among them. */
  readonly concurrentWorkers?: number;
  /** How long a threaded start may take before the worker is replaced by a single-threaded one (ms; default 20 s). */
  readonly threadsStartTimeoutMs?: number;
  /** Where the worker's own console output and backend notes go. */
  readonly log?: (line: string) => void;
  /** Extra time after the budget before a stuck worker is terminated (ms). */
  readonly graceMs?: number;
}

type Listener = (message: WorkerToHost) => void;

interface ActiveRun {
  readonly runId: number;
  /** Kept to post the run again to a replacement worker (a threaded start that failed). */
  readonly graph: ModelGraph;
  readonly options: RunOptions;
  readonly listener: Listener;
  readonly resolve: (result: RunResult) => void;
  readonly timer: NodeJS.Timeout;
  readonly started: number;
  /** What the worker said so far: kept so a run stopped from here still reports its probe. */
  trainableLayers?: readonly string[];
  backend?: string;
  probe?: ProbeResult;
  steps: number;
  losses: number[];
}

export class TrainingSession {
  private worker: Worker | undefined;
  private backend: string | undefined;
  private threads: number | undefined;
  /** Why the threaded build did not start in an earlier worker: later workers are single-threaded. */
  private threadsFallback: string | undefined;
  /** The current worker's threads, as asked; it has not yet said `ready`. */
  private spawnedThreads = 1;
  private nextRunId = 1;
  private active: ActiveRun | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly options: SessionOptions = {}) {}

  /** The backend the current worker runs on, once it said so. */
  get currentBackend(): string | undefined {
    return this.backend;
  }

  /** The wasm pool size of the current worker (1: single-threaded or cpu), once it said so. */
  get currentThreads(): number | undefined {
    return this.threads;
  }

  get busy(): boolean {
    return this.active !== undefined;
  }

  /**
   * Starts the worker (thread, tfjs and its backend) ahead of the first run, so that run's first
   * statistics do not wait for it. Harmless when it is already up; never throws.
   */
  warm(): void {
    if (this.disposed) return;
    try {
      this.spawn();
    } catch {
      // the first run reports why the worker cannot start
    }
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const backend = this.options.backend ?? 'wasm';
    const threads = backend === 'wasm' && !this.threadsFallback ? resolveWasmThreads(this.options.threads, availableParallelism(), this.options.concurrentWorkers) : 1;
    const workerData: WorkerOptions = {
      backend,
      threads,
      ...(this.options.wasmDir ? { wasmDir: this.options.wasmDir } : {}),
      ...(this.threadsFallback ? { threadsFallback: this.threadsFallback } : {}),
      ...(this.options.threadsStartTimeoutMs !== undefined ? { threadsStartTimeoutMs: this.options.threadsStartTimeoutMs } : {}),
    };
    this.spawnedThreads = threads;
    const worker = new Worker(this.options.workerPath ?? join(__dirname, 'worker.js'), {
      workerData,
      // tfjs prints to the console; keep that out of the CLI's JSON and the host's stdout.
      stdout: true,
      stderr: true,
    });
    const forward = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.options.log?.(line);
    };
    worker.stdout.on('data', forward);
    worker.stderr.on('data', forward);
    worker.on('message', (message: WorkerToHost) => this.onMessage(message, worker));
    worker.on('error', (error) => this.onDeath(worker, `The training worker crashed: ${error.message}`));
    worker.on('exit', (code) => this.onDeath(worker, `The training worker stopped (exit code ${code}).`));
    this.backend = undefined;
    this.threads = undefined;
    this.worker = worker;
    return worker;
  }

  private onMessage(message: WorkerToHost, from: Worker): void {
    // A worker already replaced (a threaded start that failed) may still say something: not ours.
    if ((message.type === 'ready' || message.type === 'threads-failed') && from !== this.worker) return;
    if (message.type === 'ready') {
      this.backend = message.backend;
      this.threads = message.threads;
      if (message.note) this.options.log?.(message.note);
      return;
    }
    if (message.type === 'threads-failed') {
      this.fallBackFromThreads(message.reason);
      return;
    }
    const run = this.active;
    if (!run || message.runId !== run.runId) return;
    if (message.type === 'started') {
      run.trainableLayers = message.trainableLayers;
      run.backend = message.backend;
    }
    if (message.type === 'probe') run.probe = message.probe;
    if (message.type === 'steps') {
      run.steps += message.steps.length;
      for (const step of message.steps) run.losses.push(step.loss);
    }
    run.listener(message);
    if (message.type === 'done') this.finish({ status: 'done', summary: message.summary, backend: message.summary.backend });
    else if (message.type === 'cancelled') this.finish({ status: 'cancelled', summary: message.summary, backend: message.summary.backend });
    else if (message.type === 'error') {
      if (message.fatal) this.replaceWorker();
      this.finish({ status: 'error', message: message.message, ...(message.layerId ? { layerId: message.layerId } : {}), ...(message.inCompile ? { inCompile: true } : {}), ...(this.backend ? { backend: this.backend } : {}) });
    }
  }

  /**
   * The threaded build did not start (the worker said why, or died before saying `ready`): this
   * worker is replaced by a single-threaded one, which says why in each run's notes, and the run
   * in progress is posted to it again (its budget keeps counting from the first post).
   */
  private fallBackFromThreads(reason: string): void {
    this.threadsFallback = `The threaded wasm build (${this.spawnedThreads} threads) did not start (${reason}); using the single-threaded build.`;
    this.options.log?.(this.threadsFallback);
    this.replaceWorker();
    const run = this.active;
    if (!run) return;
    try {
      this.spawn();
    } catch (error) {
      this.finish({ status: 'error', message: `The training worker could not start: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    this.post({ type: 'start', runId: run.runId, graph: run.graph, options: run.options });
  }

  /** A worker that dies mid-run ends that run with an error; the next run starts a new worker. */
  private onDeath(worker: Worker, reason: string): void {
    if (this.worker !== worker) return; // an old worker we replaced or terminated ourselves
    if (this.spawnedThreads > 1 && this.backend === undefined && !this.disposed) {
      this.fallBackFromThreads(reason.replace(/^The training worker /, 'the worker ').replace(/\.$/, ''));
      return;
    }
    this.worker = undefined;
    this.backend = undefined;
    if (this.active) this.finish({ status: 'error', message: reason });
  }

  /** Drops the current worker (its state is not trusted); the next run spawns a fresh one. */
  private replaceWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.backend = undefined;
    this.threads = undefined;
    void worker?.terminate();
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
    const blocked = blockedRun(graph);
    if (blocked) return Promise.resolve(blocked);
    try {
      this.spawn();
    } catch (error) {
      return Promise.resolve({ status: 'error', message: `The training worker could not start: ${error instanceof Error ? error.message : String(error)}` });
    }
    const runId = this.nextRunId++;
    return new Promise<RunResult>((resolve) => {
      // The worker stops itself at the budget; if it cannot (a single huge step), it is stopped here.
      const timer = setTimeout(() => {
        const run = this.active;
        if (run?.runId !== runId) return;
        // Dropped before it is terminated, so the next run cannot be posted to the dying worker.
        this.replaceWorker();
        this.finish(stoppedResult(run, options));
      }, options.timeBudgetMs + (this.options.graceMs ?? 10_000));
      this.active = { runId, graph, options, listener, resolve, timer, started: Date.now(), steps: 0, losses: [] };
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

/**
 * The product's own refusal of a model tfjs cannot build or train (`trainingBlocker`), as a run
 * result naming the layer at fault when the message starts with one, so the CLI and the editor
 * can put it on that layer's line.
 */
export function blockedRun(graph: ModelGraph): Extract<RunResult, { status: 'error' }> | undefined {
  const message = trainingBlocker(graph);
  if (!message) return undefined;
  const named = /^`([^`]+)`/.exec(message)?.[1];
  const layerId = named !== undefined && graph.layers.some((l) => l.id === named) ? named : undefined;
  return { status: 'error', message, ...(layerId ? { layerId } : {}) };
}

/**
 * A run the host had to stop because one step overran the budget: the probe the worker sent
 * (if it got that far) is the measurement, marked partial; with no probe nothing was measured.
 */
function stoppedResult(run: ActiveRun, options: RunOptions): RunResult {
  const budget = formatBudget(options.timeBudgetMs);
  if (!run.probe || !run.trainableLayers) {
    const phase = run.trainableLayers ? 'its first gradient steps (the probe at initialization) did not end' : 'building the model and its data, or timing its first step, did not end';
    return {
      status: 'error',
      message: `Nothing was measured within the ${budget} time budget: ${phase} (the worker was stopped and restarted). Give it a longer budget (--time-budget, gradientLens.timeBudgetSeconds), fewer samples or a smaller model.`,
    };
  }
  const probe = run.probe;
  const layers: Record<string, LayerSummary> = {};
  for (const id of run.trainableLayers) {
    const stats = probe.layers[id];
    layers[id] = {
      gradNorm: stats?.kernel?.norm ?? null,
      biasGradNorm: stats?.bias?.norm ?? null,
      meanAbs: stats?.kernel?.meanAbs ?? null,
      maxAbs: stats?.kernel?.maxAbs ?? null,
      updateRatio: stats?.updateRatio ?? null,
      ...(probe.activations[id] ? { activations: probe.activations[id] } : {}),
    };
  }
  const summary: RunSummary = {
    backend: run.backend ?? 'unknown',
    stoppedBy: 'budget',
    steps: run.steps,
    epochs: 0,
    elapsedMs: Date.now() - run.started,
    trainingMs: 0,
    losses: run.losses,
    layers,
    probe,
    trainableLayers: run.trainableLayers,
    partial: {
      reason: `the ${budget} time budget ran out and a step did not end, so the worker was stopped after ${run.steps} training steps; the statistics are the probe's at initialization`,
    },
  };
  return { status: 'done', summary, backend: summary.backend };
}
