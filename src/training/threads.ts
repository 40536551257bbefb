/**
 * How many threads the training worker's wasm backend uses. Host side (no tfjs): the extension
 * and the CLI resolve the setting (`gradientLens.wasmThreads`, `--threads`) here and start the
 * worker with the number (`WorkerOptions.threads`, protocol.ts).
 */

/**
 * Most threads a wasm pool can have: tfjs-backend-wasm 4.22's threaded build pre-creates 8
 * pthread workers and caps XNNPACK's pool at 8 (`max_num_threads`, tfjs-backend-wasm
 * src/cc/backend.cc). A 9th thread would be created while the pool's creator blocks waiting
 * for it, which the emscripten runtime cannot do on the thread that runs tfjs.
 */
export const MAX_WASM_THREADS = 8;

/**
 * The pool size for `auto` (setting 0): half the cores, shared among the workers that may run at
 * once, at most 8; single-threaded when that share is below 2 (so always on 1-2 cores). Why half:
 * - tfjs itself sizes its pool at half of `navigator.hardwareConcurrency` (logical CPUs): on SMT
 *   machines two logical CPUs share one core's SIMD units, which XNNPACK's matrix products fill,
 *   so a pool larger than the physical cores adds contention, not speed;
 * - the editor runs beside the worker (extension host, TypeScript server, renderer) and stays
 *   responsive with the other half;
 * - only the matrix products and convolutions gain from the pool, and they are 27-30% of a run
 *   of MLP 50x512 or ResNet-20 here (the rest: element-wise ops, transposes, our JS kernels,
 *   reading statistics, on the worker's one thread), so by Amdahl's law more threads give
 *   little: about 1.2-1.3x at 4 threads, at most 1.4x (bench/README.md, "Threads");
 * - each pool thread waits for work between products and every product waits for its slowest
 *   thread, so a thread the OS does not schedule at once stalls the product: on a busy machine
 *   a pool larger than the free cores is slower than one thread.
 * On 2 cores a second thread competes with the editor and the host for the only other core
 * (measured here at load 5-10: nothing dependable on big models, 3-7x slower on small ones), so auto stays
 * single-threaded there; `--threads 2` / the setting still turn it on.
 *
 * @param cores logical CPUs available to the process (`os.availableParallelism()`)
 * @param workers training workers that may run at once (`gradientLens.maxConcurrentRuns`), >= 1
 * @returns threads per worker, 1-8
 */
export function autoWasmThreads(cores: number, workers = 1): number {
  if (!(cores > 2)) return 1;
  const share = Math.floor(cores / 2 / Math.max(1, Math.floor(workers)));
  return share >= 2 ? Math.min(MAX_WASM_THREADS, share) : 1;
}

/**
 * The pool size for a setting: 0 (or unset) is `autoWasmThreads`; a positive number is that
 * many threads, capped at `MAX_WASM_THREADS`. Negative or fractional values are a caller's error
 * (the CLI and the settings schema refuse them) and throw a RangeError.
 */
export function resolveWasmThreads(setting: number | undefined, cores: number, workers = 1): number {
  if (setting === undefined || setting === 0) return autoWasmThreads(cores, workers);
  if (!Number.isInteger(setting) || setting < 0) throw new RangeError(`wasm threads must be a whole number >= 0 (0 = auto), not ${setting}`);
  return Math.min(MAX_WASM_THREADS, setting);
}
