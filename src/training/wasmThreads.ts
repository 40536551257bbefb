/**
 * The threaded SIMD build of tfjs' wasm backend, started inside the training worker.
 *
 * tfjs-backend-wasm 4.22 never uses it on Node: its `WASM_HAS_MULTITHREAD_SUPPORT` flag is false
 * whenever `IS_NODE` (tfjs issue 3830), it hands emscripten the pthread worker script as a Blob
 * URL, which Node's `Worker` cannot load, and it sizes the pool from `os.cpus().length / 2`
 * (`emscripten_num_logical_cores() / 2`, then `min(.., 8)`, in its backend.cc), so a 2-core
 * machine gets 1 thread whatever `setThreadsCount` says. Three shims, all inside this worker
 * thread and only around the backend's start:
 * 1. the flag is set to true;
 * 2. `URL.createObjectURL` of the worker-script Blob (type `application/javascript`) returns our
 *    pthread script on disk (`PTHREAD_WORKER_SCRIPT`, written next to the worker bundle by
 *    scripts/build.mjs: emscripten's own worker script, which then loads `PTHREAD_MAIN_SCRIPT`,
 *    the threaded build's emscripten glue, from its folder instead of the Blob tfjs sends);
 * 3. `os.cpus()` reports twice the threads asked for while the module initializes, so the pool
 *    has the size we chose (`threads.ts`), not tfjs' half of the machine.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
// `import =`: the module object itself, whose `cpus` the wasm glue calls (a namespace import is a copy).
import os = require('node:os');
import type * as tfjs from '@tensorflow/tfjs';
import { formatBudget } from './budget';

export const THREADED_WASM = 'tfjs-backend-wasm-threaded-simd.wasm';
/** The pthread workers' entry (emscripten's worker script + our loader of the glue below). */
export const PTHREAD_WORKER_SCRIPT = 'tfjs-backend-wasm-threaded-simd.worker.js';
/** The threaded build's emscripten glue, evaluated by every pthread worker. */
export const PTHREAD_MAIN_SCRIPT = 'tfjs-backend-wasm-threaded-simd.js';

/** The files the threaded build needs in `dir` that are not there (empty: all present). */
export function missingThreadedFiles(dir: string): string[] {
  return [THREADED_WASM, PTHREAD_WORKER_SCRIPT, PTHREAD_MAIN_SCRIPT].filter((file) => !existsSync(join(dir, file)));
}

/**
 * Ends the pthread workers the pool did not take. emscripten pre-creates 8 (tfjs' build setting),
 * whatever the pool size; the pool's N - 1 (the worker's own thread is the N-th) were taken when
 * the backend started, so the others only hold memory (a V8 isolate and a wasm instance each,
 * ~9 MB). A pthread created later would get a fresh one (`getNewWorker`). No-op when the
 * emscripten module is not where tfjs 4.22 keeps it (`backend.wasm.PThread`).
 */
function releaseIdlePthreads(tf: typeof tfjs): void {
  const backend = tf.backend() as unknown as { wasm?: { PThread?: { unusedWorkers?: { terminate(): unknown }[] } } };
  const idle = backend.wasm?.PThread?.unusedWorkers;
  if (!Array.isArray(idle)) return;
  for (const worker of idle.splice(0)) void worker.terminate();
}

/** What tfjs-backend-wasm exports for its thread pool. */
export interface WasmThreadControls {
  setThreadsCount(threads: number): void;
  getThreadsCount(): number;
}

/**
 * Starts tfjs' wasm backend from its threaded SIMD build with a pool of `threads` (2-8; the
 * worker's own thread is one of them), the .wasm and pthread scripts in `dir` (already given to
 * `setWasmPaths`). Resolves with the pool size the backend reports.
 *
 * Rejects when the backend does not start or after `timeoutMs` (a pthread that never loads leaves
 * tfjs' start pending forever). After a rejection the tfjs engine's wasm start may still be
 * pending, so the caller must not start wasm again in this thread: the host replaces the worker
 * with a single-threaded one (session.ts). A pthread worker that throws ends this thread instead
 * (emscripten's Node glue rethrows from its own `uncaughtException` listener); the host sees the
 * worker die before it said `ready` and falls back the same way.
 */
export async function startThreadedWasm(tf: typeof tfjs, controls: WasmThreadControls, dir: string, threads: number, timeoutMs: number): Promise<number> {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  controls.setThreadsCount(threads);
  const workerScript = join(dir, PTHREAD_WORKER_SCRIPT);
  const createObjectURL = URL.createObjectURL.bind(URL);
  // Left in place after the start: a pthread worker created later (none is, with <= 8 threads)
  // would ask for the same script.
  URL.createObjectURL = (object: Blob): string => (object instanceof Blob && object.type === 'application/javascript' ? workerScript : createObjectURL(object));
  const cpus = os.cpus;
  const cpu: os.CpuInfo = cpus()[0] ?? { model: '', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } };
  os.cpus = () => Array.from({ length: 2 * threads }, () => cpu);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`it did not start within ${formatBudget(timeoutMs)}`)), timeoutMs);
    });
    const started = await Promise.race([tf.setBackend('wasm'), timeout]);
    if (!started) throw new Error('tfjs could not initialize it');
    await Promise.race([tf.ready(), timeout]);
    releaseIdlePthreads(tf);
    return controls.getThreadsCount();
  } finally {
    os.cpus = cpus;
    clearTimeout(timer);
  }
}
