/**
 * The training worker's tfjs backend: wasm (threaded or not) or cpu, chosen once when the worker
 * starts (`WorkerOptions`, protocol.ts). Used by the worker and by the thread benchmark.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Tfjs } from './buildModel';
import type { WorkerOptions } from './protocol';
import { registerDilatedConvGradient } from './dilatedConvGradient';
import { registerMissingWasmKernels } from './wasmKernels';
import { registerFusedKernels } from './fusedKernels';
import { registerWasmTranspose } from './wasmTranspose';
import { missingThreadedFiles, startThreadedWasm } from './wasmThreads';

/**
 * How long the threaded build may take to start (its 8 pthread workers each load the glue and
 * the module): 0.14 s on a quiet 2-core machine; 20 s leaves room for a machine at load 30.
 */
const THREADED_START_TIMEOUT_MS = 20_000;

function findWasmDir(explicit: string | undefined): string | undefined {
  const candidates = [explicit, __dirname];
  try {
    candidates.push(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')));
  } catch {
    // not installed as a package (the bundled extension): the bundle's folder is the place
  }
  return candidates.find((dir): dir is string => !!dir && existsSync(join(dir, 'tfjs-backend-wasm.wasm')));
}

/** Registers the fused kernels (fusedKernels.ts) and our Transpose (wasmTranspose.ts); a note for what could not start (tfjs' ops or kernel do its work then). */
function fusedKernelsNote(tf: Tfjs, dir: string): string | undefined {
  const failed = registerFusedKernels(tf, dir);
  const transposeFailed = registerWasmTranspose(tf, dir);
  const notes = [
    failed ? `Gradient statistics and Adam run as tfjs ops, slower: ${failed}.` : '',
    transposeFailed ? `Transposes run as tfjs' kernel, slower: ${transposeFailed}.` : '',
  ].filter(Boolean);
  return notes.length ? notes.join(' ') : undefined;
}

export interface BackendInfo {
  readonly backend: string;
  readonly threads: number;
  readonly note?: string;
}

/**
 * wasm when it starts (about 3x faster than cpu here), else cpu, saying why; on wasm, the
 * threaded build when `options.threads` > 1 and its files are next to the .wasm files, else the
 * single-threaded one with a note. A threaded build that fails to start is returned as
 * `threadsFailed` (why): the worker tells the host, which replaces it, since tfjs' pending start
 * cannot be undone in this thread.
 */
export async function startBackend(tf: Tfjs, options: WorkerOptions): Promise<BackendInfo | { readonly threadsFailed: string }> {
  // Gradients are the same on every backend: registered once, whichever starts.
  registerDilatedConvGradient(tf);
  if (options.backend !== 'wasm') {
    await tf.setBackend('cpu');
    return { backend: 'cpu', threads: 1 };
  }
  const dir = findWasmDir(options.wasmDir);
  if (!dir) {
    await tf.setBackend('cpu');
    return { backend: 'cpu', threads: 1, note: 'The wasm backend files were not found; using the slower cpu backend.' };
  }
  setWasmPaths(`${dir}/`);
  let note = options.threadsFallback;
  if (options.threads > 1) {
    const missing = missingThreadedFiles(dir);
    if (missing.length === 0) {
      try {
        const timeoutMs = options.threadsStartTimeoutMs ?? THREADED_START_TIMEOUT_MS;
        const threads = await startThreadedWasm(tf, { setThreadsCount, getThreadsCount }, dir, options.threads, timeoutMs);
        registerMissingWasmKernels(tf);
        const fusedNote = fusedKernelsNote(tf, dir);
        return { backend: 'wasm', threads, ...(fusedNote ? { note: fusedNote } : {}) };
      } catch (error) {
        return { threadsFailed: error instanceof Error ? error.message : String(error) };
      }
    }
    note = `The threaded wasm build's files (${missing.join(', ')}) are not in ${dir}; using the single-threaded build.`;
  }
  try {
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      registerMissingWasmKernels(tf);
      const fusedNote = fusedKernelsNote(tf, dir);
      const notes = [note, fusedNote].filter(Boolean).join(' ');
      return { backend: 'wasm', threads: 1, ...(notes ? { note: notes } : {}) };
    }
  } catch (error) {
    await tf.setBackend('cpu');
    return { backend: 'cpu', threads: 1, note: `The wasm backend did not start (${error instanceof Error ? error.message : String(error)}); using the slower cpu backend.` };
  }
  await tf.setBackend('cpu');
  return { backend: 'cpu', threads: 1, note: 'The wasm backend did not start; using the slower cpu backend.' };
}

