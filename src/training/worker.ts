/**
 * The training worker (worker_threads). The only entry point that loads tfjs: it builds the
 * model a graph describes, measures it, and streams plain-number statistics to its host.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { measureWithFallback, MeasureError } from './measure';
import type { HostToWorker, WorkerToHost } from './protocol';
import { registerMissingWasmKernels } from './wasmKernels';

export interface WorkerOptions {
  readonly backend: 'wasm' | 'cpu';
  /** Folder holding the tfjs-backend-wasm .wasm files; found next to this bundle or in node_modules by default. */
  readonly wasmDir?: string;
}

function post(message: WorkerToHost): void {
  parentPort?.postMessage(message);
}

function findWasmDir(explicit: string | undefined): string | undefined {
  const candidates = [explicit, __dirname];
  try {
    candidates.push(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')));
  } catch {
    // not installed as a package (the bundled extension): the bundle's folder is the place
  }
  return candidates.find((dir): dir is string => !!dir && existsSync(join(dir, 'tfjs-backend-wasm.wasm')));
}

/** wasm when it starts (about 3x faster than cpu here), else cpu, saying why. */
async function startBackend(options: WorkerOptions): Promise<{ backend: string; note?: string }> {
  if (options.backend === 'wasm') {
    const dir = findWasmDir(options.wasmDir);
    if (dir) {
      setWasmPaths(`${dir}/`);
      try {
        if (await tf.setBackend('wasm')) {
          await tf.ready();
          registerMissingWasmKernels(tf);
          return { backend: 'wasm' };
        }
      } catch (error) {
        await tf.setBackend('cpu');
        return { backend: 'cpu', note: `The wasm backend did not start (${error instanceof Error ? error.message : String(error)}); using the slower cpu backend.` };
      }
    }
    await tf.setBackend('cpu');
    return { backend: 'cpu', note: 'The wasm backend files were not found; using the slower cpu backend.' };
  }
  await tf.setBackend('cpu');
  return { backend: 'cpu' };
}

const options = (workerData ?? { backend: 'wasm' }) as WorkerOptions;
const cancelled = new Set<number>();
let queue: Promise<void> = Promise.resolve();
const ready = startBackend(options).then((info) => {
  post({ type: 'ready', ...info });
  return info;
});

async function run(runId: number, message: Extract<HostToWorker, { type: 'start' }>): Promise<void> {
  const info = await ready;
  try {
    const summary = await measureWithFallback(
      tf,
      message.graph,
      message.options,
      {
        started: ({ trainableLayers, totalSteps }) => post({ type: 'started', runId, backend: info.backend, trainableLayers, totalSteps }),
        probe: (probe) => post({ type: 'probe', runId, probe }),
        steps: (steps, activations) => post({ type: 'steps', runId, steps, ...(activations ? { activations } : {}) }),
      },
      {
        cancelled: () => cancelled.has(runId),
        // Let the host's `cancel` in between steps.
        yieldToEvents: () => new Promise((resolve) => setImmediate(resolve)),
      },
    );
    post(summary.stoppedBy === 'cancelled' ? { type: 'cancelled', runId, summary } : { type: 'done', runId, summary });
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
