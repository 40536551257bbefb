/**
 * Kernels for dense, recurrent and embedding layers on the tfjs 4.22 wasm backend.
 *
 * - `BatchMatMul` with a transposed input: tfjs' wasm kernel takes a slow path whenever
 *   `transposeA` or `transposeB` is set (measured 18-36 ms against 0.6-5 ms for the plain product
 *   at 32x512x512, see bench/README.md), and both gradient products of every dense and recurrent
 *   layer are transposed (dX = dY W^T, dW = X^T dY). Ours transposes explicitly and calls the
 *   plain product. XNNPACK repacks the product's second operand on every call (weights change
 *   every step), so of the two equivalent forms, op(A) op(B) and (op(B)^T op(A)^T)^T, the one
 *   that transposes and packs fewer elements is taken: dX = (W dY^T)^T packs the small dY.
 * - `_FusedMatMul` (a dense layer's forward x W + bias, activation): XNNPACK packs W on every
 *   call, because the weights change every step, and for a wide layer packing costs more than the
 *   product (3.4 ms against 1.7 ms at 32x512x512 here). Where the cost model says so, ours computes
 *   (W^T x^T)^T, which packs the small x^T, then adds the bias and applies the activation.
 * - `UnsortedSegmentSum` (missing): the gradient of `gather`, so of every `embedding` layer.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { viaOps, type KernelArgs, type Tfjs, type WasmBackendLike, type WasmKernelFunc } from './wasmKernelSupport';

/** Swaps the last two axes. */
function transposeLast(tf: Tfjs, t: tfjs.Tensor): tfjs.Tensor {
  const rank = t.rank;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return tf.transpose(t, perm);
}

/**
 * Elements transposed plus elements packed (the plain product's second operand) for C = op(A) op(B)
 * with op(A) m x k and op(B) k x n, computed directly (`swapped` false) or as (op(B)^T op(A)^T)^T.
 * Both costs are linear in elements and measured alike here (a 512x512 transpose 1.5-3 ms,
 * packing 4-5 ms), so they are simply added.
 */
export function matMulCost(m: number, k: number, n: number, transposeA: boolean, transposeB: boolean, swapped: boolean): number {
  if (!swapped) return (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + k * n;
  // First operand op(B)^T: B itself when transposeB, else B transposed; second op(A)^T likewise.
  return (transposeB ? 0 : k * n) + (transposeA ? 0 : m * k) + m * k + m * n;
}

/**
 * Relative costs (per element of a Transpose and of XNNPACK's packing of a product's second
 * operand, per multiply-add of the swapped product's extra) that decide when the forward is
 * computed swapped. Fitted to which form won per shape in bench/denseForward.bench.ts with our
 * Transpose (bench/README.md "Dense forward", 2026-12-01, quiet: swapped 0.3-0.9x on 7 shapes
 * from 4x2048x512 to 128x512x512, 2.2x on 32x128x10); the per-element parts timed alone there
 * did not predict the winners, so the constants follow the whole-product timings.
 */
export const DENSE_FORWARD_COSTS = { transposeNs: 1, packNs: 4, swappedProductNs: 0 };

/**
 * Whether x W (x m x k, W k x n, both plain) is cheaper as (W^T x^T)^T: packing W (k n elements)
 * against transposing W, x and the result, packing x^T, and the slower product. A model of
 * per-element costs only; `costs` defaults to the measured ones.
 */
export function forwardSwapPays(m: number, k: number, n: number, costs = DENSE_FORWARD_COSTS): boolean {
  const direct = costs.packNs * k * n;
  const swapped = costs.transposeNs * (k * n + m * k + m * n) + costs.packNs * m * k + costs.swappedProductNs * m * k * n;
  return swapped < 0.8 * direct;
}

/** The activation of tfjs' fused ops (`_FusedMatMul`'s `activation` attr) as ops, or undefined for one we do not apply. */
function activationOp(tf: Tfjs, name: unknown, alpha: unknown, preluWeights: tfjs.Tensor | undefined): ((x: tfjs.Tensor) => tfjs.Tensor) | undefined {
  switch (name ?? 'linear') {
    case 'linear': return (x) => x;
    case 'relu': return (x) => tf.relu(x);
    case 'relu6': return (x) => tf.relu6(x);
    case 'elu': return (x) => tf.elu(x);
    case 'sigmoid': return (x) => tf.sigmoid(x);
    case 'leakyrelu': return (x) => tf.leakyRelu(x, typeof alpha === 'number' ? alpha : 0.2);
    case 'prelu': return preluWeights ? (x) => tf.prelu(x, preluWeights) : undefined;
    default: return undefined;
  }
}

/**
 * `_FusedMatMul` computed swapped where `swapWhen(m, k, n)` says so, else by `original` (tfjs'
 * kernel). Exported for the benchmark, which forces either form.
 */
export function fusedMatMul(tf: Tfjs, original: WasmKernelFunc, swapWhen: (m: number, k: number, n: number) => boolean = forwardSwapPays): WasmKernelFunc {
  return (args) => {
    const attrs = args.attrs ?? {};
    const { a, b, bias, preluActivationWeights } = args.inputs as { a: tfjs.TensorInfo; b: tfjs.TensorInfo; bias?: tfjs.TensorInfo; preluActivationWeights?: tfjs.TensorInfo };
    // Rank 3 at the kernel ([batch, rows, cols]); one batch only, plain operands, float32.
    if (attrs.transposeA === true || attrs.transposeB === true || a.shape.length !== 3 || b.shape.length !== 3 || a.shape[0] !== 1 || b.shape[0] !== 1) return original(args);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || (bias && bias.shape.length !== 1)) return original(args);
    const [, m, k] = a.shape as [number, number, number];
    const n = b.shape[2]!;
    if (!swapWhen(m, k, n)) return original(args);
    const hasPrelu = attrs.activation === 'prelu';
    if (hasPrelu !== !!preluActivationWeights || !activationOp(tf, attrs.activation, attrs.leakyreluAlpha, undefined) && !hasPrelu) return original(args);
    const inputs = [a, b, ...(bias ? [bias] : []), ...(preluActivationWeights ? [preluActivationWeights] : [])];
    return viaOps<tfjs.Tensor>(tf, args.backend as WasmBackendLike, inputs, (at, bt, ...rest) => {
      const biasT = bias ? rest[0] : undefined;
      const prelu = preluActivationWeights ? rest[bias ? 1 : 0] : undefined;
      const product = tf.transpose(tf.matMul(tf.transpose(tf.reshape(bt!, [k, n])), tf.transpose(tf.reshape(at!, [m, k]))));
      const withBias = biasT ? tf.add(product, biasT) : product;
      return tf.reshape(activationOp(tf, attrs.activation, attrs.leakyreluAlpha, prelu)!(withBias), [1, m, n]);
    });
  };
}

function batchMatMul(tf: Tfjs, plain: WasmKernelFunc): WasmKernelFunc {
  return (args) => {
    const attrs = args.attrs ?? {};
    const transposeA = attrs.transposeA === true;
    const transposeB = attrs.transposeB === true;
    if (!transposeA && !transposeB) return plain(args);
    const { a, b } = args.inputs as { a: tfjs.TensorInfo; b: tfjs.TensorInfo };
    const m = a.shape[a.shape.length - (transposeA ? 1 : 2)]!;
    const k = a.shape[a.shape.length - (transposeA ? 2 : 1)]!;
    const n = b.shape[b.shape.length - (transposeB ? 2 : 1)]!;
    const swapped = matMulCost(m, k, n, transposeA, transposeB, true) < matMulCost(m, k, n, transposeA, transposeB, false);
    return viaOps<tfjs.Tensor>(tf, args.backend as WasmBackendLike, [a, b], (at, bt) => {
      // tf.matMul without transposes comes back to this kernel and goes to tfjs' own.
      if (!swapped) return tf.matMul(transposeA ? transposeLast(tf, at!) : at!, transposeB ? transposeLast(tf, bt!) : bt!);
      const first = transposeB ? bt! : transposeLast(tf, bt!);
      const second = transposeA ? at! : transposeLast(tf, at!);
      return transposeLast(tf, tf.matMul(first, second));
    });
  };
}

/**
 * out[s, ...] = sum of x[i, ...] over the i with segmentIds[i] = s (ids outside [0, numSegments)
 * are dropped, as in TensorFlow). segmentIds' shape is a prefix of x's. A loop over the backend's
 * memory: one pass, where tfjs' cpu version makes a masked copy of x per segment.
 */
function unsortedSegmentSum(args: KernelArgs): tfjs.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, segmentIds } = args.inputs as { x: tfjs.TensorInfo; segmentIds: tfjs.TensorInfo };
  const numSegments = args.attrs?.numSegments as number;
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;
  const values = backend.readSync(x.dataId) as Float32Array | Int32Array;
  const inner = ids.length ? values.length / ids.length : 0;
  const output = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const out = backend.typedArrayFromHeap(output) as Float32Array | Int32Array;
  out.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i]!;
    if (segment < 0 || segment >= numSegments) continue;
    const from = i * inner;
    const to = segment * inner;
    for (let j = 0; j < inner; j++) out[to + j]! += values[from + j]!;
  }
  return output;
}

/**
 * The kernels above, for `registerMissingWasmKernels`. `existing` looks up tfjs' own wasm
 * kernel of a name (the plain matrix product ours delegates to).
 */
export function denseKernels(tf: Tfjs, existing: (name: string) => WasmKernelFunc | undefined): [string, WasmKernelFunc][] {
  const kernels: [string, WasmKernelFunc][] = [['UnsortedSegmentSum', unsortedSegmentSum]];
  const plain = existing('BatchMatMul');
  if (plain) kernels.push(['BatchMatMul', batchMatMul(tf, plain)]);
  const fused = existing('_FusedMatMul');
  if (fused) kernels.push(['_FusedMatMul', fusedMatMul(tf, fused)]);
  return kernels;
}
