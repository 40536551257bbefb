/**
 * The training worker (worker_threads). The only entry point that loads tfjs: it builds the
 * model a graph describes, measures it, and streams plain-number statistics to its host.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { startBackend } from './backend';
import { measureWithFallback, MeasureError } from './measure';
import type { HostToWorker, RunSummary, WorkerOptions, WorkerToHost } from './protocol';
import { tfjsNamedGraph } from './tensorNames';

export type { WorkerOptions } from './protocol';

function postToHost(message: WorkerToHost): void {
  parentPort?.postMessage(message);
}

const options: WorkerOptions = (workerData as WorkerOptions | undefined) ?? { backend: 'wasm', threads: 1 };
const cancelled = new Set<number>();
let queue: Promise<void> = Promise.resolve();
// Never settles when the threaded start failed: the host terminates this worker and reposts the run.
const ready = startBackend(tf, options).then((started) => {
  if ('threadsFailed' in started) {
    postToHost({ type: 'threads-failed', reason: started.threadsFailed });
    return new Promise<never>(() => undefined);
  }
  postToHost({ type: 'ready', ...started });
  return started;
});

async function run(runId: number, message: Extract<HostToWorker, { type: 'start' }>): Promise<void> {
  const info = await ready;
  // Layer names tfjs refuses (Keras' `name='schicht_ä'`) are built under aliases; every message
  // of this run gives the user's names back.
  const names = tfjsNamedGraph(message.graph);
  const post = (reply: WorkerToHost): void => postToHost(names.restore(reply));
  // A start note (threads or wasm unavailable) is true of every run on this worker.
  const withStartNote = (summary: RunSummary): RunSummary => (info.note ? { ...summary, notes: [...(summary.notes ?? []), info.note] } : summary);
  try {
    const summary = await measureWithFallback(
      tf,
      names.graph,
      message.options,
      {
        started: ({ trainableLayers, totalSteps }) => post({ type: 'started', runId, backend: info.backend, trainableLayers, totalSteps }),
        probe: (probe) => post({ type: 'probe', runId, probe }),
        steps: (steps, activations) => post({ type: 'steps', runId, steps, ...(activations ? { activations } : {}) }),
        firstInitialization: (summary, planned) => post({ type: 'first-initialization', runId, summary: withStartNote(summary), planned }),
      },
      {
        cancelled: () => cancelled.has(runId),
        // Let the host's `cancel` in between steps.
        yieldToEvents: () => new Promise((resolve) => setImmediate(resolve)),
      },
    );
    const noted = withStartNote(summary);
    post(summary.stoppedBy === 'cancelled' ? { type: 'cancelled', runId, summary: noted } : { type: 'done', runId, summary: noted });
  } catch (error) {
    const layerId = error instanceof MeasureError ? error.layerId : undefined;
    // Only a MeasureError leaves the engine in a known state; anything else (a wasm abort, an
    // exception inside tfjs) may have left it broken, so the host starts a fresh worker.
    const fatal = !(error instanceof MeasureError) || error.fatal;
    const inCompile = error instanceof MeasureError && error.inCompile;
    post({ type: 'error', runId, message: error instanceof Error ? error.message : String(error), ...(layerId ? { layerId } : {}), ...(inCompile ? { inCompile } : {}), ...(fatal ? { fatal } : {}) });
  } finally {
    cancelled.delete(runId);
  }
}

parentPort?.on('message', (message: HostToWorker) => {
  if (message.type === 'cancel') {
    cancelled.add(message.runId);
    return;
  }
  // One run at a time: a worker has one tfjs engine.
  queue = queue.then(() => run(message.runId, message));
});
