/**
 * Replacement for a tfjs 4.22 wasm gradient kernel that gives wrong results (found by
 * test/unit/wasmLayers.test.ts, which trains every layer type on wasm against the cpu backend, and
 * checked against the exact gradient by linearity): `Conv3DBackpropInputV2`, the input gradient
 * of `conv3d`, leaves some positions at zero (79-87% relative error on a [B, 4, 4, 4, 2] input
 * with a 2x2x2 filter, batch 1 to 4). Ours is the cpu backend's loop over the backend's memory:
 * conv3d is rare in the models Gradient Lens measures, so correctness matters more than speed.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { KernelArgs, Tfjs, WasmBackendLike, WasmKernelFunc } from './wasmKernelSupport';

/** dX of conv3d (dilation 1, as tfjs' conv3d gradient allows): the cpu backend's loop. */
function conv3dInputGradient(tf: Tfjs, args: KernelArgs): tfjs.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, filter } = args.inputs as { dy: tfjs.TensorInfo; filter: tfjs.TensorInfo };
  const attrs = args.attrs ?? {};
  const info = tf.backend_util.computeConv3DInfo(
    attrs.inputShape as [number, number, number, number, number],
    filter.shape as [number, number, number, number, number],
    attrs.strides as [number, number, number],
    1,
    attrs.pad as 'same' | 'valid',
  );
  const dyValues = backend.readSync(dy.dataId) as Float32Array;
  const weights = backend.readSync(filter.dataId) as Float32Array;
  const output = backend.makeOutput(info.inShape, 'float32');
  const dx = backend.typedArrayFromHeap(output) as Float32Array;
  const { batchSize, filterDepth, filterHeight, filterWidth, inChannels, inDepth, inHeight, inWidth, outChannels, outDepth, outHeight, outWidth, strideDepth, strideHeight, strideWidth } = info;
  const [dyS0, dyS1, dyS2, dyS3] = tf.util.computeStrides(dy.shape);
  const [fS0, fS1, fS2, fS3] = tf.util.computeStrides(filter.shape);
  const [dxS0, dxS1, dxS2, dxS3] = tf.util.computeStrides(info.inShape);
  const frontPad = filterDepth - 1 - info.padInfo.front;
  const topPad = filterHeight - 1 - info.padInfo.top;
  const leftPad = filterWidth - 1 - info.padInfo.left;
  for (let b = 0; b < batchSize; ++b) {
    for (let d1 = 0; d1 < inChannels; ++d1) {
      for (let xF = 0; xF < inDepth; ++xF) {
        const xFCorner = xF - frontPad;
        const yFMin = Math.max(0, Math.ceil(xFCorner / strideDepth));
        const yFMax = Math.min(outDepth, (filterDepth + xFCorner) / strideDepth);
        for (let xR = 0; xR < inHeight; ++xR) {
          const xRCorner = xR - topPad;
          const yRMin = Math.max(0, Math.ceil(xRCorner / strideHeight));
          const yRMax = Math.min(outHeight, (filterHeight + xRCorner) / strideHeight);
          for (let xC = 0; xC < inWidth; ++xC) {
            const xCCorner = xC - leftPad;
            const yCMin = Math.max(0, Math.ceil(xCCorner / strideWidth));
            const yCMax = Math.min(outWidth, (filterWidth + xCCorner) / strideWidth);
            let sum = 0;
            for (let yF = yFMin; yF < yFMax; ++yF) {
              const wF = yF * strideDepth - xFCorner;
              for (let yR = yRMin; yR < yRMax; ++yR) {
                const wR = yR * strideHeight - xRCorner;
                for (let yC = yCMin; yC < yCMax; ++yC) {
                  const wC = yC * strideWidth - xCCorner;
                  const dyOffset = dyS0! * b + dyS1! * yF + dyS2! * yR + dyS3! * yC;
                  const fOffset = fS0! * (filterDepth - 1 - wF) + fS1! * (filterHeight - 1 - wR) + fS2! * (filterWidth - 1 - wC) + fS3! * d1;
                  for (let d2 = 0; d2 < outChannels; ++d2) sum += dyValues[dyOffset + d2]! * weights[fOffset + d2]!;
                }
              }
            }
            dx[dxS0! * b + dxS1! * xF + dxS2! * xR + dxS3! * xC + d1] = sum;
          }
        }
      }
    }
  }
  return output;
}

/** The kernels above, for `registerMissingWasmKernels`. */
export function loopKernels(tf: Tfjs): [string, WasmKernelFunc][] {
  return [
    ['Conv3DBackpropInputV2', (args) => conv3dInputGradient(tf, args)],
  ];
}
