/**
 * tfjs' `Transpose` on the wasm backend, replaced by our WebAssembly SIMD kernel (`transpose` in
 * fusedKernels.wat, issue 19). tfjs 4.22's wasm kernel moves about 1 GB/s (a [32, 32, 32, 16]
 * float32 tensor to [3, 1, 2, 0] in 2.4 ms) and a ResNet-20 training step calls it ~86 times:
 * our conv filter gradient transposes x, dy and the result, and the transposed matrix products
 * of dense and recurrent layers transpose explicitly (wasmKernels.ts, wasmDenseKernels.ts).
 *
 * The plan (`planTranspose`): drop size-1 axes, merge axes that stay adjacent and in order, and
 * the transpose is one 2-D move repeated over at most 4 outer axes: whole rows copied when the
 * innermost axis stays innermost, else a tiled matrix transpose of the input's innermost axis
 * and the output's. A copy, so bit for bit the cpu backend's (test/unit/wasmTranspose.test.ts).
 * A perm that only moves size-1 axes is a copy (a shared buffer under a new shape confuses
 * tfjs' per-tensor cache of packed product operands); the identity perm shares the data.
 * float32 and int32 only (4 bytes); bool (1 byte in tfjs' wasm memory), complex64, strings and
 * plans deeper than 4 outer axes (rank > 6 after merging) go to tfjs' own kernel.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { backendMemory, backendModule, kernelModule, type KernelArgs, type Tfjs, type WasmBackendLike, type WasmMemory } from './wasmKernelSupport';

/** Outer axes the wasm function loops over (its parameters n0..n3). */
const OUTER_AXES = 4;

/**
 * One transpose as the wasm function takes it, in elements (the caller scales to bytes).
 * `kind` 'rows': `rows` rows of `cols` contiguous elements, `srcRow` apart in the input and
 * `dstRow` in the output. 'tiles': a [rows, cols] input matrix (rows `srcRow` apart) written as
 * [cols, rows] (rows `dstRow` apart). `outer`: [count, input stride, output stride] per outer
 * axis, outermost first. 'identity': the data in the same order (a reshape).
 */
export type TransposePlan =
  | { readonly kind: 'identity' }
  | { readonly kind: 'rows' | 'tiles'; readonly rows: number; readonly cols: number; readonly srcRow: number; readonly dstRow: number; readonly outer: readonly (readonly [number, number, number])[] };

/**
 * The 2-D move and outer loops that transpose `shape` by `perm` (tfjs' Transpose: output axis i
 * is input axis perm[i]). Shapes without elements are the caller's (no plan needed).
 */
export function planTranspose(shape: readonly number[], perm: readonly number[]): TransposePlan {
  // Size-1 axes move nothing: drop them and renumber the rest in input order.
  const kept = shape.map((d, i) => (d === 1 ? -1 : i)).filter((i) => i >= 0);
  const rank = new Map(kept.map((axis, i) => [axis, i]));
  const reducedPerm = perm.filter((a) => shape[a] !== 1).map((a) => rank.get(a)!);
  const reducedShape = kept.map((a) => shape[a]!);
  // Output axes that are consecutive input axes in order move as one axis.
  const groups: number[][] = [];
  for (const axis of reducedPerm) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1]! + 1 === axis) last.push(axis);
    else groups.push([axis]);
  }
  // The merged axes in input order, each with its size; outPerm maps output to merged input axis.
  const byFirst = [...groups].sort((a, b) => a[0]! - b[0]!);
  const sizes = byFirst.map((g) => g.reduce((n, a) => n * reducedShape[a]!, 1));
  const outPerm = groups.map((g) => byFirst.indexOf(g));
  const r = sizes.length;
  if (outPerm.every((a, i) => a === i)) return { kind: 'identity' };
  const inStride = new Array<number>(r);
  for (let i = r - 1, s = 1; i >= 0; i--) {
    inStride[i] = s;
    s *= sizes[i]!;
  }
  const outStride = new Array<number>(r);
  for (let i = r - 1, s = 1; i >= 0; i--) {
    outStride[i] = s;
    s *= sizes[outPerm[i]!]!;
  }
  const outerOf = (skip: number[]) =>
    outPerm.flatMap((a, i) => (skip.includes(i) ? [] : [[sizes[a]!, inStride[a]!, outStride[i]!] as const]));
  if (outPerm[r - 1] === r - 1) {
    // Innermost stays innermost (merging left a different axis before it): copy rows.
    const a = outPerm[r - 2]!;
    return { kind: 'rows', rows: sizes[a]!, cols: sizes[r - 1]!, srcRow: inStride[a]!, dstRow: outStride[r - 2]!, outer: outerOf([r - 2, r - 1]) };
  }
  const q = outPerm[r - 1]!;
  const j = outPerm.indexOf(r - 1);
  return { kind: 'tiles', rows: sizes[q]!, cols: sizes[r - 1]!, srcRow: inStride[q]!, dstRow: outStride[j]!, outer: outerOf([j, r - 1]) };
}

interface TransposeExports {
  transpose(
    src: number, dst: number, scratch: number, kind: number, rows: number, cols: number, srcRow: number, dstRow: number,
    n0: number, s0: number, d0: number, n1: number, s1: number, d1: number,
    n2: number, s2: number, d2: number, n3: number, s3: number, d3: number,
  ): void;
}

/** The wasm function's arguments after src, dst and scratch (strides in bytes for 4-byte elements). */
type TransposeArgs = [kind: number, rows: number, cols: number, srcRow: number, dstRow: number, ...outer: [number, number, number, number, number, number, number, number, number, number, number, number]];

/** `plan`'s arguments for the wasm function; undefined when it needs more outer axes than the function has. */
export function transposeArgs(plan: Exclude<TransposePlan, { kind: 'identity' }>): TransposeArgs | undefined {
  if (plan.outer.length > OUTER_AXES) return undefined;
  const outer = [...Array<readonly [number, number, number]>(OUTER_AXES - plan.outer.length).fill([1, 0, 0]), ...plan.outer];
  const b = (elements: number) => elements * 4;
  return [plan.kind === 'tiles' ? 1 : 0, plan.rows, plan.cols, b(plan.srcRow), b(plan.dstRow), ...outer.flatMap(([n, s, d]) => [n, b(s), b(d)])] as TransposeArgs;
}

/**
 * Runs `plan` for 4-byte elements from byte address `src` to `dst`, with `scratch` the address
 * of 16 KiB the function may use (0 for none); false when it needs more outer axes than the
 * function has.
 */
export function runTransposePlan(exports: TransposeExports, plan: Exclude<TransposePlan, { kind: 'identity' }>, src: number, dst: number, scratch = 0): boolean {
  const args = transposeArgs(plan);
  if (args) exports.transpose(src, dst, scratch, ...args);
  return args !== undefined;
}

/** Bytes of the scratch buffer `transpose` stages small matrices in (fusedKernels.wat, $transposeTiles). */
export const TRANSPOSE_SCRATCH_BYTES = 16_384;

/**
 * Starts our module's `transpose` on `memory` from the binary in `wasmDir` (the shared-memory
 * binary for a shared memory). Returns why it could not, as a string.
 */
export function startTranspose(memory: WasmMemory, wasmDir: string): TransposeExports | string {
  const started = kernelModule(memory, wasmDir);
  if (typeof started === 'string') return started;
  return typeof (started as Partial<TransposeExports>).transpose === 'function' ? (started as TransposeExports) : `the kernel module in ${wasmDir} has no transpose`;
}

/** The tfjs instances given our Transpose (registration is once per instance). */
const registeredBy = new WeakSet<object>();

/**
 * Replaces tfjs' wasm `Transpose` with ours on this tfjs instance (current backend wasm, after
 * `tf.setBackend('wasm')`), `wasmDir` holding gradient-lens-kernels[-shared].wasm. Returns why
 * it could not (tfjs' kernel then stays), or undefined when ours is registered.
 */
export function registerWasmTranspose(tf: Tfjs, wasmDir: string): string | undefined {
  if (tf.getBackend() !== 'wasm') return 'the backend is not wasm';
  if (registeredBy.has(tf)) return undefined;
  const original = tf.getKernel('Transpose', 'wasm');
  if (!original) return "tfjs' wasm Transpose is not registered";
  const module = backendModule(tf);
  const memory = backendMemory(module);
  if (!memory) return "the wasm backend's memory is not reachable";
  const exports = startTranspose(memory, wasmDir);
  if (typeof exports === 'string') return exports;
  // Kept for the life of the backend (16 KiB; tfjs never sees it, so no tensor is counted).
  const scratch = (module?._malloc?.(TRANSPOSE_SCRATCH_BYTES) ?? 0) >>> 0;
  registeredBy.add(tf);
  const theirs = original.kernelFunc as unknown as (args: KernelArgs) => tfjs.TensorInfo;
  // Plans by shape and perm: a training step repeats the same few dozen transposes.
  const plans = new Map<string, TransposeArgs | 'identity' | 'theirs'>();
  const planFor = (shape: number[], perm: number[]): TransposeArgs | 'identity' | 'theirs' => {
    const key = `${shape.join(',')}|${perm.join(',')}`;
    let found = plans.get(key);
    if (found === undefined) {
      const plan = planTranspose(shape, perm);
      found = plan.kind === 'identity' ? 'identity' : transposeArgs(plan) ?? 'theirs';
      if (plans.size >= 1024) plans.clear();
      plans.set(key, found);
    }
    return found;
  };
  tf.unregisterKernel('Transpose', 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: ((args: KernelArgs) => {
      const x = args.inputs.x!;
      const perm = (args.attrs?.perm as number[] | undefined) ?? [];
      if ((x.dtype !== 'float32' && x.dtype !== 'int32') || perm.length !== x.shape.length) return theirs(args);
      const backend = args.backend as WasmBackendLike;
      const outShape = perm.map((a) => x.shape[a]!);
      if (tf.util.sizeFromShape(x.shape) === 0) return backend.makeOutput(outShape, x.dtype);
      const plan = planFor(x.shape, perm);
      if (plan === 'theirs') return theirs(args);
      if (plan === 'identity' && outShape.every((d, i) => d === x.shape[i])) {
        // The identity perm: share the data, as our Identity does (no kernel writes into its inputs).
        backend.incRef(x.dataId);
        return { dataId: x.dataId, shape: outShape, dtype: x.dtype };
      }
      // Output first: an allocation may grow the memory, which moves no tensor.
      const output = backend.makeOutput(outShape, x.dtype);
      const from = backend.typedArrayFromHeap(x).byteOffset;
      const to = backend.typedArrayFromHeap(output).byteOffset;
      // Only size-1 axes move: a copy, not a shared buffer. tfjs' wasm matrix products cache
      // XNNPACK's packed second operand by tensor id, so w [16, 1] shared as [1, 16] was
      // multiplied as packed for [16, 1] (NaN losses; test/unit/wasmTranspose.test.ts).
      if (plan === 'identity') exports.transpose(from, to, scratch, 0, 1, tf.util.sizeFromShape(x.shape), 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0);
      else exports.transpose(from, to, scratch, ...plan);
      return output;
    }) as unknown as tfjs.KernelFunc,
  });
  return undefined;
}
