/** What the Gradient Lens wasm kernels share: the backend's shape, and running ops as a kernel. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';

export type Tfjs = typeof tfjs;
export type Attrs = Record<string, unknown>;
export type KernelArgs = { inputs: Record<string, tfjs.TensorInfo>; backend: unknown; attrs?: Attrs };
export type WasmKernelFunc = (args: KernelArgs) => tfjs.TensorInfo;

/** What the kernels use of the wasm backend object (it is not exported as a type). */
export interface WasmBackendLike {
  readSync(dataId: unknown): tfjs.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tfjs.DataType): tfjs.TensorInfo;
  typedArrayFromHeap(info: tfjs.TensorInfo): tfjs.backend_util.TypedArray;
  incRef(dataId: unknown): void;
  disposeData(dataId: unknown, force?: boolean): boolean;
}

/**
 * Runs ops on kernel inputs and hands the result to the engine as the kernel's output. Inputs
 * are wrapped as tensors holding their own backend reference (so disposing the wrappers leaves
 * the caller's data alone); the result keeps one reference, which the engine's output tensor
 * takes over. Everything in between is disposed by the tidy.
 */
export function viaOps<T extends tfjs.Tensor = tfjs.Tensor4D>(tf: Tfjs, backend: WasmBackendLike, inputs: tfjs.TensorInfo[], compute: (...tensors: T[]) => tfjs.Tensor): tfjs.TensorInfo {
  const result = tf.tidy(() => {
    const tensors = inputs.map((info) => {
      backend.incRef(info.dataId);
      return tf.engine().makeTensorFromTensorInfo(info) as T;
    });
    return compute(...tensors);
  });
  backend.incRef(result.dataId);
  const output: tfjs.TensorInfo = { dataId: result.dataId, shape: result.shape, dtype: result.dtype };
  result.dispose();
  return output;
}

/** The parts of the WebAssembly JS API used here (the project's `lib` has no DOM/WebAssembly typings). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WebAssemblyApi {
  readonly Memory: abstract new (...args: never[]) => WasmMemory;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: unknown };
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** What Gradient Lens uses of the emscripten module of tfjs' wasm backend. */
export interface EmscriptenModuleLike {
  readonly asm?: { readonly memory?: unknown };
  readonly wasmMemory?: unknown;
  _malloc?(bytes: number): number;
}

/** The emscripten module of the current backend (undefined off wasm). */
export function backendModule(tf: Tfjs): EmscriptenModuleLike | undefined {
  return (tf.backend() as { wasm?: EmscriptenModuleLike }).wasm;
}

/** The backend's memory (single-threaded build: `asm.memory`; threaded: `wasmMemory`), or undefined when this tfjs build does not expose it. */
export function backendMemory(module: EmscriptenModuleLike | undefined): WasmMemory | undefined {
  const memory = module?.wasmMemory ?? module?.asm?.memory;
  return memory instanceof webAssembly.Memory ? memory : undefined;
}

/** One instance of our module per memory and binary: the fused kernels and the Transpose share it. */
const instances = new WeakMap<WasmMemory, Map<string, unknown>>();

/**
 * Our kernel module (fusedKernels.wat, assembled into gradient-lens-kernels[-shared].wasm in
 * `wasmDir`) instantiated on `memory`, the shared-memory binary for a shared memory; instantiated
 * once per memory. Returns its exports, or why it could not start, as a string.
 */
export function kernelModule(memory: WasmMemory, wasmDir: string): unknown {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const file = join(wasmDir, shared ? 'gradient-lens-kernels-shared.wasm' : 'gradient-lens-kernels.wasm');
  const byFile = instances.get(memory) ?? new Map<string, unknown>();
  instances.set(memory, byFile);
  const cached = byFile.get(file);
  if (cached) return cached;
  if (!existsSync(file)) return `${file} is missing`;
  try {
    const exports = new webAssembly.Instance(new webAssembly.Module(readFileSync(file)), { env: { memory } }).exports;
    byFile.set(file, exports);
    return exports;
  } catch (error) {
    return `the module did not start (${error instanceof Error ? error.message : String(error)})`;
  }
}
