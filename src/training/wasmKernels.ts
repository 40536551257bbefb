/**
 * Kernels the tfjs 4.22 wasm backend lacks for training conv nets: the filter gradient of
 * conv2d and both gradients of depthwise conv2d (which separable conv2d uses too). Written as
 * plain loops over the backend's memory, the same arithmetic as tfjs' cpu kernels, so results
 * match it (a test checks to 1e-4 relative) while everything else stays on wasm.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tfjs } from './buildModel';

interface WasmBackendLike {
  readSync(dataId: unknown): tfjs.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tfjs.DataType): tfjs.TensorInfo;
  typedArrayFromHeap(info: tfjs.TensorInfo): tfjs.backend_util.TypedArray;
}

type ConvInfo = tfjs.backend_util.Conv2DInfo;

function values(backend: WasmBackendLike, info: tfjs.TensorInfo): Float32Array {
  return backend.readSync(info.dataId) as Float32Array;
}

function output(backend: WasmBackendLike, shape: number[]): { info: tfjs.TensorInfo; data: Float32Array } {
  const info = backend.makeOutput(shape, 'float32');
  const data = backend.typedArrayFromHeap(info) as Float32Array;
  data.fill(0);
  return { info, data };
}

/** dW[r, c, d1, d2] = sum over batch and output positions of x * dy (NHWC). */
function conv2dFilterGradient(x: Float32Array, dy: Float32Array, dw: Float32Array, info: ConvInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth, dilationHeight, dilationWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const dyOffset = ((b * outHeight + yR) * outWidth + yC) * outChannels;
        for (let wR = 0; wR < filterHeight; wR++) {
          const xR = yR * strideHeight + wR * dilationHeight - top;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = yC * strideWidth + wC * dilationWidth - left;
            if (xC < 0 || xC >= inWidth) continue;
            const xOffset = ((b * inHeight + xR) * inWidth + xC) * inChannels;
            const wOffset = (wR * filterWidth + wC) * inChannels * outChannels;
            for (let d1 = 0; d1 < inChannels; d1++) {
              const xv = x[xOffset + d1]!;
              if (xv === 0) continue;
              const row = wOffset + d1 * outChannels;
              for (let d2 = 0; d2 < outChannels; d2++) dw[row + d2]! += xv * dy[dyOffset + d2]!;
            }
          }
        }
      }
    }
  }
}

/** Depthwise: dW[r, c, d1, q] = sum x[.., d1] * dy[.., d1 * multiplier + q]; dX scatters back. */
function depthwiseGradients(x: Float32Array | undefined, filter: Float32Array | undefined, dy: Float32Array, dw: Float32Array | undefined, dx: Float32Array | undefined, info: ConvInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth, dilationHeight, dilationWidth, filterHeight, filterWidth } = info;
  const multiplier = outChannels / inChannels;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const dyOffset = ((b * outHeight + yR) * outWidth + yC) * outChannels;
        for (let wR = 0; wR < filterHeight; wR++) {
          const xR = yR * strideHeight + wR * dilationHeight - top;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = yC * strideWidth + wC * dilationWidth - left;
            if (xC < 0 || xC >= inWidth) continue;
            const xOffset = ((b * inHeight + xR) * inWidth + xC) * inChannels;
            const wOffset = (wR * filterWidth + wC) * outChannels;
            for (let d1 = 0; d1 < inChannels; d1++) {
              for (let q = 0; q < multiplier; q++) {
                const d2 = d1 * multiplier + q;
                const g = dy[dyOffset + d2]!;
                if (dw) dw[wOffset + d2]! += x![xOffset + d1]! * g;
                if (dx) dx[xOffset + d1]! += filter![wOffset + d2]! * g;
              }
            }
          }
        }
      }
    }
  }
}

/** dX of max pooling: each window's gradient goes to its first maximum, as the cpu backend does. */
function maxPoolGradient(x: Float32Array, dy: Float32Array, dx: Float32Array, info: ConvInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  for (let b = 0; b < batchSize; b++) {
    for (let d = 0; d < inChannels; d++) {
      for (let yR = 0; yR < outHeight; yR++) {
        const rStart = yR * strideHeight - top;
        for (let yC = 0; yC < outWidth; yC++) {
          const cStart = yC * strideWidth - left;
          let best = Number.NEGATIVE_INFINITY;
          let bestIndex = -1;
          for (let wR = 0; wR < effectiveFilterHeight; wR += dilationHeight) {
            const xR = rStart + wR;
            if (xR < 0 || xR >= inHeight) continue;
            for (let wC = 0; wC < effectiveFilterWidth; wC += dilationWidth) {
              const xC = cStart + wC;
              if (xC < 0 || xC >= inWidth) continue;
              const index = ((b * inHeight + xR) * inWidth + xC) * inChannels + d;
              if (x[index]! > best || bestIndex < 0) {
                best = x[index]!;
                bestIndex = index;
              }
            }
          }
          if (bestIndex >= 0) dx[bestIndex]! += dy[((b * outHeight + yR) * outWidth + yC) * inChannels + d]!;
        }
      }
    }
  }
}

type Attrs = Record<string, unknown>;

function convInfo(tf: Tfjs, xShape: number[], filterShape: number[], attrs: Attrs, depthwise: boolean): ConvInfo {
  const dataFormat = tf.backend_util.convertConv2DDataFormat((attrs.dataFormat as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC');
  if (dataFormat !== 'channelsLast') throw new Error('Gradient Lens: the wasm conv gradients support channelsLast (NHWC) data only.');
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number],
    (attrs.dilations as [number, number] | number | undefined) ?? 1,
    attrs.pad as 'same' | 'valid',
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    depthwise,
    dataFormat,
  );
}

/** Kernels of ours already registered, per tfjs instance, so registration is idempotent. */
const registeredBy = new WeakSet<object>();

/**
 * Registers what the wasm backend lacks, and replaces its MaxPoolGrad, which disagrees with the
 * cpu backend (up to 25% here on a 'same'-padded conv feeding a 2x2 pool). Returns the kernel
 * names it registered; a second call registers nothing.
 */
export function registerMissingWasmKernels(tf: Tfjs): string[] {
  if (registeredBy.has(tf)) return [];
  registeredBy.add(tf);
  const existing = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  const added: string[] = [];
  type Kernel = (args: { inputs: Record<string, tfjs.TensorInfo>; backend: unknown; attrs?: Attrs }) => tfjs.TensorInfo;
  const add = (kernelName: string, kernelFunc: Kernel, replace = false): void => {
    if (existing.has(kernelName)) {
      if (!replace) return;
      tf.unregisterKernel(kernelName, 'wasm');
    }
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tfjs.KernelFunc });
    added.push(kernelName);
  };
  add('MaxPoolGrad', ({ inputs, backend, attrs = {} }) => {
    const wasm = backend as WasmBackendLike;
    const { dy, input } = inputs as { dy: tfjs.TensorInfo; input: tfjs.TensorInfo };
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      attrs.filterSize as [number, number],
      attrs.strides as [number, number],
      1,
      attrs.pad as 'same' | 'valid',
      attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );
    const out = output(wasm, input.shape);
    maxPoolGradient(values(wasm, input), values(wasm, dy), out.data, info);
    return out.info;
  }, true);
  add('Conv2DBackpropFilter', ({ inputs, backend, attrs = {} }) => {
    const wasm = backend as WasmBackendLike;
    const { x, dy } = inputs as { x: tfjs.TensorInfo; dy: tfjs.TensorInfo };
    const filterShape = attrs.filterShape as number[];
    const info = convInfo(tf, x.shape, filterShape, attrs, false);
    const out = output(wasm, filterShape);
    conv2dFilterGradient(values(wasm, x), values(wasm, dy), out.data, info);
    return out.info;
  });
  add('DepthwiseConv2dNativeBackpropFilter', ({ inputs, backend, attrs = {} }) => {
    const wasm = backend as WasmBackendLike;
    const { x, dy } = inputs as { x: tfjs.TensorInfo; dy: tfjs.TensorInfo };
    const filterShape = attrs.filterShape as number[];
    const info = convInfo(tf, x.shape, filterShape, attrs, true);
    const out = output(wasm, filterShape);
    depthwiseGradients(values(wasm, x), undefined, values(wasm, dy), out.data, undefined, info);
    return out.info;
  });
  add('DepthwiseConv2dNativeBackpropInput', ({ inputs, backend, attrs = {} }) => {
    const wasm = backend as WasmBackendLike;
    const { dy, filter } = inputs as { dy: tfjs.TensorInfo; filter: tfjs.TensorInfo };
    const inputShape = attrs.inputShape as number[];
    const info = convInfo(tf, inputShape, filter.shape, attrs, true);
    const out = output(wasm, inputShape);
    depthwiseGradients(undefined, values(wasm, filter), values(wasm, dy), undefined, out.data, info);
    return out.info;
  });
  return added;
}
