/**
 * Kernels the tfjs 4.22 wasm backend lacks (or gets wrong) for training conv nets (dense,
 * recurrent and embedding kernels are in `wasmDenseKernels.ts`).
 *
 * Missing: `Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropInput`. Replaced: `MaxPoolGrad` (tfjs' wasm version routes the
 * gradient to the wrong cell for even pool sizes: 2x2 pools differ from the cpu backend by up to
 * 100%) and `Conv2DBackpropInput` (correct, but a naive loop about 10x slower than the forward
 * convolution; ours is a forward convolution and runs on XNNPACK).
 *
 * Each gradient is rewritten as forward ops the wasm backend runs fast:
 * - filter gradient = a convolution of the transposed input ([C, H, W, B], batch as channels)
 *   with the transposed output gradient ([oH, oW, B, O] as the filter); the forward stride
 *   becomes the dilation;
 * - input gradient = a convolution of the zero-stuffed, padded output gradient with the flipped
 *   filter (depthwise: one depthwise convolution, then a sum over the channel multiplier);
 * - depthwise filter gradient = the same transposed convolution as a depthwise one, with batch
 *   and channels side by side on its channel axis, then a sum over batch.
 */
import type * as tfjs from '@tensorflow/tfjs';

import { viaOps, type Attrs, type KernelArgs, type Tfjs, type WasmBackendLike } from './wasmKernelSupport';
import { denseKernels } from './wasmDenseKernels';
import { loopKernels } from './wasmLoopKernels';

type Tensor4D = tfjs.Tensor4D;
type Pair = [number, number];

/** The geometry of one 2-D convolution in NHWC, whatever padding and format it was given. */
interface Geometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  stride: Pair;
  dilation: Pair;
  top: number;
  left: number;
  channelsFirst: boolean;
}

function pair(value: unknown, fallback: number): Pair {
  if (value === undefined || value === null) return [fallback, fallback];
  if (typeof value === 'number') return [value, value];
  const [a, b] = value as number[];
  return [a ?? fallback, b ?? a ?? fallback];
}

/**
 * tfjs' own shape arithmetic (so 'same', 'valid', explicit padding and dimRoundingMode mean what
 * the forward op meant), with the input given in the attrs' data format.
 */
function geometry(tf: Tfjs, xShape: number[], filterShape: number[], attrs: Attrs, depthwise: boolean): Geometry {
  const dataFormat = tf.backend_util.convertConv2DDataFormat((attrs.dataFormat as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC');
  const channelsFirst = dataFormat === 'channelsFirst';
  const dilation = pair(attrs.dilations, 1);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    pair(attrs.strides, 1),
    dilation,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    depthwise,
    dataFormat,
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    stride: [info.strideHeight, info.strideWidth],
    dilation: [info.dilationHeight, info.dilationWidth],
    top: info.padInfo.top,
    left: info.padInfo.left,
    channelsFirst,
  };
}

/** Crops each axis where its amount is negative (positive amounts are left for `padOf`). */
function cropNegative(tf: Tfjs, x: tfjs.Tensor, amounts: Pair[]): tfjs.Tensor {
  if (!amounts.some(([before, after]) => before < 0 || after < 0)) return x;
  const begin = amounts.map(([before]) => Math.max(0, -before));
  const size = amounts.map(([before, after], axis) => x.shape[axis]! - Math.max(0, -before) - Math.max(0, -after));
  return tf.slice(x, begin, size);
}

/**
 * The positive amounts of an NHWC tensor's height and width as a convolution's explicit padding:
 * XNNPACK reads the zeros from its indirection buffer, where a `PadV2` would copy the whole
 * tensor first (1.5-2 ms per 2 MB here, about 20 ms of a ResNet-20 step).
 */
function padOf(amounts: Pair[]): [[0, 0], Pair, Pair, [0, 0]] {
  const positive = (axis: number): Pair => [Math.max(0, amounts[axis]![0]), Math.max(0, amounts[axis]![1])];
  return [[0, 0], positive(1), positive(2), [0, 0]];
}

/** Puts stride-1 zeros between rows and columns: the output gradient of a strided conv, seen at stride 1. */
function zeroStuff(tf: Tfjs, x: Tensor4D, [strideH, strideW]: Pair): Tensor4D {
  if (strideH === 1 && strideW === 1) return x;
  const [batch, height, width, channels] = x.shape;
  const spread = tf.pad(tf.reshape(x, [batch, height, 1, width, 1, channels]), [[0, 0], [0, 0], [0, strideH - 1], [0, 0], [0, strideW - 1], [0, 0]]);
  const flat: Tensor4D = tf.reshape(spread, [batch, height * strideH, width * strideW, channels]);
  return tf.slice(flat, [0, 0, 0, 0], [batch, (height - 1) * strideH + 1, (width - 1) * strideW + 1, channels]);
}

/**
 * The (zero-stuffed) output gradient, cropped where needed, and the padding that makes a valid,
 * stride-1 correlation with the flipped filter land exactly on the input positions:
 * dx[i] = sum_r dy'[i + top - r * dilation] * w[r].
 */
function inputGradientOperand(tf: Tfjs, dy: Tensor4D, g: Geometry): { input: Tensor4D; pad: [[0, 0], Pair, Pair, [0, 0]] } {
  const stuffed = zeroStuff(tf, dy, g.stride);
  const [, stuffedH, stuffedW] = stuffed.shape;
  const beforeH = (g.filterHeight - 1) * g.dilation[0] - g.top;
  const beforeW = (g.filterWidth - 1) * g.dilation[1] - g.left;
  const amounts: Pair[] = [[0, 0], [beforeH, g.inHeight + g.top - stuffedH], [beforeW, g.inWidth + g.left - stuffedW], [0, 0]];
  return { input: cropNegative(tf, stuffed, amounts) as Tensor4D, pad: padOf(amounts) };
}

/** The rows and columns of the padded input that the forward convolution read: cropped input and padding ([C, H, W, B] layout). */
function filterGradientOperand(tf: Tfjs, x: tfjs.Tensor, g: Geometry): { input: Tensor4D; pad: [[0, 0], Pair, Pair, [0, 0]] } {
  const usedH = (g.filterHeight - 1) * g.dilation[0] + (g.outHeight - 1) * g.stride[0] + 1;
  const usedW = (g.filterWidth - 1) * g.dilation[1] + (g.outWidth - 1) * g.stride[1] + 1;
  const amounts: Pair[] = [[0, 0], [g.top, usedH - g.inHeight - g.top], [g.left, usedW - g.inWidth - g.left], [0, 0]];
  return { input: cropNegative(tf, x, amounts) as Tensor4D, pad: padOf(amounts) };
}

/** `input` with `pad` applied as a copy (the per-tap depthwise filter gradient slices it). */
function padded<T extends tfjs.Tensor>(tf: Tfjs, { input, pad }: { input: T; pad: Pair[] }): T {
  return pad.some(([before, after]) => before > 0 || after > 0) ? tf.pad(input, pad) : input;
}

const toNhwc = (tf: Tfjs, t: Tensor4D, g: Geometry): Tensor4D => (g.channelsFirst ? tf.transpose(t, [0, 2, 3, 1]) : t);
const fromNhwc = (tf: Tfjs, t: Tensor4D, g: Geometry): Tensor4D => (g.channelsFirst ? tf.transpose(t, [0, 3, 1, 2]) : t);

/** dW[r, c, i, o] = sum over batch and positions of x[.., y * s + r * d - pad, i] * dy[.., y, o]. */
function conv2dFilterGradient(tf: Tfjs, x: Tensor4D, dy: Tensor4D, g: Geometry): Tensor4D {
  // Batch becomes the reduced channel axis: input [C, H, W, B], filter [oH, oW, B, O].
  const { input, pad } = filterGradientOperand(tf, tf.transpose(toNhwc(tf, x, g), [3, 1, 2, 0]), g);
  const filter = tf.transpose(toNhwc(tf, dy, g), [1, 2, 0, 3]) as Tensor4D;
  const [dilationH, dilationW] = g.dilation;
  // The forward stride is this convolution's dilation and the forward dilation its stride;
  // tfjs allows only one of the two above 1, so when both are, stride 1 and subsample after.
  const both = (dilationH > 1 || dilationW > 1) && (g.stride[0] > 1 || g.stride[1] > 1);
  let result = tf.conv2d(input, filter, both ? 1 : g.dilation, pad, 'NHWC', g.stride);
  if (both) {
    result = tf.stridedSlice(result, [0, 0, 0, 0], [g.inChannels, result.shape[1], result.shape[2], g.outChannels], [1, dilationH, dilationW, 1]) as Tensor4D;
  }
  return tf.transpose(result, [1, 2, 0, 3]);
}

/**
 * dX of conv2d: the padded output gradient correlated with the flipped, transposed filter. A
 * strided convolution's is split by output phase (below) rather than zero-stuffed, unless it is
 * also dilated (a kernel call tfjs' ops never make, kept on the zero-stuffed path).
 */
function conv2dInputGradient(tf: Tfjs, dy: Tensor4D, filter: Tensor4D, g: Geometry): Tensor4D {
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as Tensor4D;
  const dilated = g.dilation[0] > 1 || g.dilation[1] > 1;
  if ((g.stride[0] > 1 || g.stride[1] > 1) && !dilated) return fromNhwc(tf, stridedInputGradient(tf, toNhwc(tf, dy, g), flipped, g), g);
  const { input, pad } = inputGradientOperand(tf, toNhwc(tf, dy, g), g);
  const dx = tf.conv2d(input, flipped, 1, pad, 'NHWC', g.dilation);
  return fromNhwc(tf, dx, g);
}

/**
 * One phase of a strided convolution's input gradient along one axis (the forward stride s
 * above 1, so its dilation is 1): the inputs i = s * q + phase get
 *   dx[s * q + phase] = sum over k < taps of dy[q + offset - k] * w[first + s * k],
 * first = (phase + top) mod s, offset = floor((phase + top) / s), taps = ceil((F - first) / s):
 * a stride-1 correlation of dy with every s-th tap of the flipped filter (`start` in it), with
 * `before` rows of padding (cropping when negative) and `after` so it yields `rows` outputs.
 */
function phaseOf(phase: number, stride: number, top: number, filterSize: number, outSize: number, rows: number): { taps: number; start: number; before: number; after: number } {
  const first = (phase + top) % stride;
  const offset = Math.floor((phase + top) / stride);
  const taps = first < filterSize ? Math.ceil((filterSize - first) / stride) : 0;
  const before = taps - 1 - offset;
  const kept = outSize - Math.max(0, -before);
  return { taps, start: filterSize - 1 - first - stride * (taps - 1), before, after: Math.max(0, rows + taps - 1 - Math.max(0, before) - kept) };
}

/**
 * dX of a strided conv2d (NHWC) by output phase: for each of the stride[0] x stride[1] phases, a
 * stride-1 convolution of dy with the filter taps that reach it, then the phases interleaved by
 * stacking along inner axes (reshapes, no transpose). Zero-stuffing dy instead makes the
 * convolution 4x the work at stride 2 (18 ms against 3 ms forward for a [32, 32, 32, 16] input here).
 */
function stridedInputGradient(tf: Tfjs, dy: Tensor4D, flipped: Tensor4D, g: Geometry): Tensor4D {
  const [strideH, strideW] = g.stride;
  const rowsH = Math.ceil(g.inHeight / strideH);
  const rowsW = Math.ceil(g.inWidth / strideW);
  const byRow: Tensor4D[] = [];
  for (let ph = 0; ph < strideH; ph++) {
    const h = phaseOf(ph, strideH, g.top, g.filterHeight, g.outHeight, rowsH);
    const byColumn: Tensor4D[] = [];
    for (let pw = 0; pw < strideW; pw++) {
      const w = phaseOf(pw, strideW, g.left, g.filterWidth, g.outWidth, rowsW);
      if (h.taps === 0 || w.taps === 0 || g.outHeight - Math.max(0, -h.before) <= 0 || g.outWidth - Math.max(0, -w.before) <= 0) {
        byColumn.push(tf.zeros([g.batch, rowsH, rowsW, g.inChannels]));
        continue;
      }
      const taps = tf.stridedSlice(flipped, [h.start, w.start, 0, 0], [h.start + strideH * (h.taps - 1) + 1, w.start + strideW * (w.taps - 1) + 1, g.outChannels, g.inChannels], [strideH, strideW, 1, 1]) as Tensor4D;
      const input = cropNegative(tf, dy, [[0, 0], [h.before, 0], [w.before, 0], [0, 0]]) as Tensor4D;
      const pad: [[0, 0], Pair, Pair, [0, 0]] = [[0, 0], [Math.max(0, h.before), h.after], [Math.max(0, w.before), w.after], [0, 0]];
      const phase = tf.conv2d(input, taps, 1, pad, 'NHWC');
      byColumn.push(phase.shape[1] === rowsH && phase.shape[2] === rowsW ? phase : tf.slice(phase, [0, 0, 0, 0], [g.batch, rowsH, rowsW, g.inChannels]));
    }
    // [B, rowsH, rowsW, strideW, C] -> [B, rowsH, rowsW * strideW, C]: columns interleaved.
    byRow.push(tf.reshape(tf.stack(byColumn, 3), [g.batch, rowsH, rowsW * strideW, g.inChannels]));
  }
  const interleaved = tf.reshape(tf.stack(byRow, 2), [g.batch, rowsH * strideH, rowsW * strideW, g.inChannels]) as Tensor4D;
  const exact = interleaved.shape[1] === g.inHeight && interleaved.shape[2] === g.inWidth;
  return exact ? interleaved : tf.slice(interleaved, [0, 0, 0, 0], [g.batch, g.inHeight, g.inWidth, g.inChannels]);
}

/** dX of depthwise conv2d: one depthwise correlation over the C * multiplier channels, summed per input channel. */
function depthwiseInputGradient(tf: Tfjs, dy: Tensor4D, filter: Tensor4D, g: Geometry): Tensor4D {
  const multiplier = g.outChannels / g.inChannels;
  const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [g.filterHeight, g.filterWidth, g.outChannels, 1]) as Tensor4D;
  const { input, pad } = inputGradientOperand(tf, dy, g);
  const perOutput = tf.depthwiseConv2d(input, flipped, 1, pad, 'NHWC', g.dilation);
  if (multiplier === 1) return perOutput;
  return tf.sum(tf.reshape(perOutput, [g.batch, g.inHeight, g.inWidth, g.inChannels, multiplier]), 4);
}

/**
 * dW of depthwise conv2d, like the conv2d filter gradient but without mixing channels: batch and
 * channels share the channel axis of one depthwise convolution ([1, H, W, B * C] input, the
 * output gradient as its [oH, oW, B * C, 1] filter, once per multiplier), then a sum over batch.
 */
function depthwiseFilterGradient(tf: Tfjs, x: Tensor4D, dy: Tensor4D, g: Geometry): Tensor4D {
  const multiplier = g.outChannels / g.inChannels;
  const strided = g.stride[0] > 1 || g.stride[1] > 1;
  const dilated = g.dilation[0] > 1 || g.dilation[1] > 1;
  if (strided && dilated) return depthwiseFilterGradientPerTap(tf, x, dy, g);
  // The padding is on height and width only, so it carries over the transpose and reshape.
  const { input: used, pad } = filterGradientOperand(tf, x, g);
  const [, usedH, usedW] = used.shape;
  const input = tf.reshape(tf.transpose(used, [1, 2, 0, 3]), [1, usedH!, usedW!, g.batch * g.inChannels]) as Tensor4D;
  const gradient = tf.transpose(tf.reshape(dy, [g.batch, g.outHeight, g.outWidth, g.inChannels, multiplier]), [4, 1, 2, 0, 3]);
  const perMultiplier: tfjs.Tensor[] = [];
  for (let q = 0; q < multiplier; q++) {
    const filter = tf.reshape(tf.slice(gradient, [q, 0, 0, 0, 0], [1, g.outHeight, g.outWidth, g.batch, g.inChannels]), [g.outHeight, g.outWidth, g.batch * g.inChannels, 1]) as Tensor4D;
    const perImage = tf.depthwiseConv2d(input, filter, g.dilation, pad, 'NHWC', g.stride);
    perMultiplier.push(tf.sum(tf.reshape(perImage, [g.filterHeight, g.filterWidth, g.batch, g.inChannels]), 2));
  }
  return tf.stack(perMultiplier, 3) as Tensor4D;
}

/** The same, per filter tap (strided input window times dy, summed): for a stride and a dilation both above 1. */
function depthwiseFilterGradientPerTap(tf: Tfjs, x: Tensor4D, dy: Tensor4D, g: Geometry): Tensor4D {
  const multiplier = g.outChannels / g.inChannels;
  const positions = g.batch * g.outHeight * g.outWidth;
  const input = padded(tf, filterGradientOperand(tf, x, g));
  const gradient = tf.reshape(dy, [positions, g.inChannels, multiplier]);
  const taps: tfjs.Tensor[] = [];
  for (let r = 0; r < g.filterHeight; r++) {
    for (let c = 0; c < g.filterWidth; c++) {
      const top = r * g.dilation[0];
      const left = c * g.dilation[1];
      const window = tf.stridedSlice(
        input,
        [0, top, left, 0],
        [g.batch, top + (g.outHeight - 1) * g.stride[0] + 1, left + (g.outWidth - 1) * g.stride[1] + 1, g.inChannels],
        [1, g.stride[0], g.stride[1], 1],
      );
      taps.push(tf.sum(tf.mul(tf.reshape(window, [positions, g.inChannels, 1]), gradient), 0));
    }
  }
  return tf.reshape(tf.stack(taps), [g.filterHeight, g.filterWidth, g.inChannels, multiplier]);
}

/**
 * dX of max pooling: each window's gradient goes to its first maximum in row-major order, as the
 * cpu backend does (which matters for ties). A plain loop over the backend's memory: pooling
 * gradients cost little, and the first-maximum rule has no cheap formulation as ops.
 */
function maxPoolGradient(x: Float32Array, dy: Float32Array, dx: Float32Array, info: tfjs.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      const rowStart = yR * strideHeight - top;
      for (let yC = 0; yC < outWidth; yC++) {
        const colStart = yC * strideWidth - left;
        const dyOffset = ((b * outHeight + yR) * outWidth + yC) * inChannels;
        for (let d = 0; d < inChannels; d++) {
          let best = Number.NEGATIVE_INFINITY;
          let bestIndex = -1;
          for (let wR = 0; wR < effectiveFilterHeight; wR += dilationHeight) {
            const xR = rowStart + wR;
            if (xR < 0 || xR >= inHeight) continue;
            for (let wC = 0; wC < effectiveFilterWidth; wC += dilationWidth) {
              const xC = colStart + wC;
              if (xC < 0 || xC >= inWidth) continue;
              const index = ((b * inHeight + xR) * inWidth + xC) * inChannels + d;
              if (bestIndex < 0 || x[index]! > best) {
                best = x[index]!;
                bestIndex = index;
              }
            }
          }
          if (bestIndex >= 0) dx[bestIndex]! += dy[dyOffset + d]!;
        }
      }
    }
  }
}

/** The tfjs instances already given our kernels, so registration is idempotent. */
const registeredBy = new WeakSet<object>();

/**
 * Registers, for the wasm backend of this tfjs instance, the conv gradient kernels it lacks and
 * our replacements for its wrong MaxPoolGrad and slow Conv2DBackpropInput, plus the dense and
 * embedding kernels of `wasmDenseKernels.ts` (transposed BatchMatMul, UnsortedSegmentSum) and the
 * loop of `wasmLoopKernels.ts` (Conv3DBackpropInputV2), and an Identity (and a Cast to the same
 * dtype) that shares the data instead of copying it. Call it after
 * `await tf.setBackend('wasm')`. Returns the kernel names it registered; later calls return [].
 */
export function registerMissingWasmKernels(tf: Tfjs): string[] {
  if (registeredBy.has(tf)) return [];
  registeredBy.add(tf);
  const existing = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  const added: string[] = [];
  const register = (kernelName: string, kernelFunc: (args: KernelArgs) => tfjs.TensorInfo): void => {
    if (existing.has(kernelName)) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tfjs.KernelFunc });
    added.push(kernelName);
  };
  const attrsOf = (args: KernelArgs): Attrs => args.attrs ?? {};
  const original = (name: string) => tf.getKernel(name, 'wasm')?.kernelFunc as unknown as ((args: KernelArgs) => tfjs.TensorInfo) | undefined;
  for (const [name, kernelFunc] of [...denseKernels(tf, original), ...loopKernels(tf)]) register(name, kernelFunc);

  register('Conv2DBackpropFilter', (args) => {
    const { x, dy } = args.inputs as { x: tfjs.TensorInfo; dy: tfjs.TensorInfo };
    const attrs = attrsOf(args);
    const g = geometry(tf, x.shape, attrs.filterShape as number[], attrs, false);
    return viaOps(tf, args.backend as WasmBackendLike, [x, dy], (xt, dyt) => conv2dFilterGradient(tf, xt!, dyt!, g));
  });
  register('Conv2DBackpropInput', (args) => {
    const { dy, filter } = args.inputs as { dy: tfjs.TensorInfo; filter: tfjs.TensorInfo };
    const attrs = attrsOf(args);
    const g = geometry(tf, attrs.inputShape as number[], filter.shape, attrs, false);
    return viaOps(tf, args.backend as WasmBackendLike, [dy, filter], (dyt, ft) => conv2dInputGradient(tf, dyt!, ft!, g));
  });
  register('DepthwiseConv2dNativeBackpropFilter', (args) => {
    const { x, dy } = args.inputs as { x: tfjs.TensorInfo; dy: tfjs.TensorInfo };
    const attrs = attrsOf(args);
    const g = geometry(tf, x.shape, attrs.filterShape as number[], { ...attrs, dataFormat: 'NHWC' }, true);
    return viaOps(tf, args.backend as WasmBackendLike, [x, dy], (xt, dyt) => depthwiseFilterGradient(tf, xt!, dyt!, g));
  });
  register('DepthwiseConv2dNativeBackpropInput', (args) => {
    const { dy, filter } = args.inputs as { dy: tfjs.TensorInfo; filter: tfjs.TensorInfo };
    const attrs = attrsOf(args);
    const g = geometry(tf, attrs.inputShape as number[], filter.shape, { ...attrs, dataFormat: 'NHWC' }, true);
    return viaOps(tf, args.backend as WasmBackendLike, [dy, filter], (dyt, ft) => depthwiseInputGradient(tf, dyt!, ft!, g));
  });
  // tfjs' wasm Identity copies the data. The engine clones every tensor a kernel keeps for its
  // gradient (saveTensorsForBackwardMode), so each training step copied every layer's input and
  // kernel: 3% of a ResNet-20 run, 2% of MLP 50x512 (profiles, bench/README.md "Fused kernels").
  // Sharing the data with a reference, as tfjs' own wasm Reshape does, is safe: no wasm kernel
  // writes into its inputs (only non-max suppression places outputs at given addresses).
  const copyingIdentity = original('Identity');
  register('Identity', (args) => {
    const x = args.inputs.x!;
    if (x.dtype === 'string' && copyingIdentity) return copyingIdentity(args);
    (args.backend as WasmBackendLike).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
  // A cast to the dtype a tensor already has copies it too (relu's gradient is dy * cast(step(x),
  // 'float32'), a copy per ReLU layer and step); it shares the data the same way.
  const copyingCast = original('Cast');
  if (copyingCast) {
    register('Cast', (args) => {
      const x = args.inputs.x!;
      if (x.dtype === 'string' || x.dtype !== attrsOf(args).dtype) return copyingCast(args);
      (args.backend as WasmBackendLike).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    });
  }
  register('MaxPoolGrad', (args) => {
    const backend = args.backend as WasmBackendLike;
    const { dy, input } = args.inputs as { dy: tfjs.TensorInfo; input: tfjs.TensorInfo };
    const attrs = attrsOf(args);
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      pair(attrs.filterSize, 1),
      pair(attrs.strides, 1),
      1,
      attrs.pad as 'same' | 'valid' | number,
      attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );
    const output = backend.makeOutput(input.shape, 'float32');
    const dx = backend.typedArrayFromHeap(output) as Float32Array;
    dx.fill(0);
    maxPoolGradient(backend.readSync(input.dataId) as Float32Array, backend.readSync(dy.dataId) as Float32Array, dx, info);
    return output;
  });
  return added;
}
