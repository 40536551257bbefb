/** What the Gradient Lens wasm kernels share: the backend's shape, and running ops as a kernel. */
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
