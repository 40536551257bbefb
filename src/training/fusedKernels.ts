/**
 * Fused kernels for the wasm backend: one pass over a gradient where tfjs' ops take several
 * (issue 19). Measured on MLP 50x512 (13.1 M weights, one step on wasm, bench/README.md "Fused
 * kernels"): Adam's update as tfjs' 13 ops was about 45% of a step and the per-weight statistics
 * (square, sum, abs, sum, max) another 14%.
 *
 * The kernels are written in WebAssembly text (fusedKernels.wat, assembled by scripts/build.mjs
 * into gradient-lens-kernels[-shared].wasm beside the worker) and run on the backend's own memory,
 * so they read the tensors where tfjs keeps them. Registered as tfjs kernels of the wasm backend:
 * - `GradientLensGradientStats` (inputs `x`): a float32 [3] tensor [sum of x^2, sum of |x|,
 *   max |x|], sums accumulated in float64;
 * - `GradientLensAdam` (inputs `value`, `gradient`, `firstMoment`, `secondMoment`,
 *   `oneMinusAccBeta1`, `oneMinusAccBeta2`; attrs `beta1`, `beta2`, `epsilon`, `learningRate`):
 *   three outputs, the new value and moments, bit for bit tfjs 4.22's AdamOptimizer;
 * - `GradientLensBatchNormTraining` (inputs `x`, `gamma`, `beta`; attr `epsilon`): batch norm
 *   over the last axis in training mode, outputs [normalized x, batch mean, biased batch
 *   variance]; moments in float64, two passes (fastBatchNorm.ts);
 * - `GradientLensBatchNormGrad` (inputs `dy`, `x`, `gamma`, `mean`, `variance`; attr `epsilon`):
 *   its closed-form gradient, outputs [dx, dGamma, dBeta], channel sums in float64;
 * - tfjs' own `Sum` and `Mean`, replaced where they reduce leading axes (a bias's or batch
 *   norm's reduction over NHWC's [0, 1, 2]): a column sum without tfjs' transpose of the input;
 *   other reductions go to tfjs' kernels.
 * On any other backend, or when the module cannot start, the callers use tfjs' ops instead
 * (`gradientStatistics`, `makeFusedAdam`): same meaning, a few more passes.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { backendMemory, backendModule, kernelModule, type KernelArgs, type Tfjs, type WasmBackendLike } from './wasmKernelSupport';

export const GRADIENT_STATS_KERNEL = 'GradientLensGradientStats';
export const ADAM_KERNEL = 'GradientLensAdam';
export const BATCH_NORM_KERNEL = 'GradientLensBatchNormTraining';
export const BATCH_NORM_GRAD_KERNEL = 'GradientLensBatchNormGrad';

interface FusedExports {
  gradientStats(x: number, n: number, out: number): void;
  adam(
    w: number, g: number, m: number, v: number, wOut: number, mOut: number, vOut: number, n: number,
    beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, c1: number, c2: number, epsilon: number, negLr: number,
  ): void;
  columnSums(x: number, rows: number, cols: number, out: number, divide: number): void;
  channelMoments(x: number, rows: number, channels: number, acc: number, mean: number, variance: number): void;
  channelAffine(u: number, v: number, rows: number, channels: number, p: number, k: number, m: number, q: number, out: number): void;
  batchNormWeightGradients(dy: number, x: number, rows: number, channels: number, mean: number, invStd: number, acc: number, dBeta: number, dGamma: number): void;
}

/** Heap address (bytes) of a float32 tensor of the wasm backend. */
function address(backend: WasmBackendLike, info: tfjs.TensorInfo): number {
  return backend.typedArrayFromHeap(info).byteOffset;
}

/** One float32 scalar tensor's value, read from the heap. */
function scalarValue(backend: WasmBackendLike, info: tfjs.TensorInfo): number {
  return (backend.typedArrayFromHeap(info) as Float32Array)[0]!;
}

/** The tfjs instances given the fused kernels (registration is once per instance). */
const registeredBy = new WeakSet<object>();

/**
 * Starts the fused module on the current wasm backend's memory and registers its kernels. Call
 * after `registerMissingWasmKernels`, with the folder of the .wasm files. Returns why it could not
 * (the callers then keep tfjs' ops), or undefined when the kernels are registered.
 */
export function registerFusedKernels(tf: Tfjs, wasmDir: string): string | undefined {
  if (tf.getBackend() !== 'wasm') return 'the backend is not wasm';
  if (registeredBy.has(tf)) return undefined;
  const memory = backendMemory(backendModule(tf));
  if (!memory) return "the wasm backend's memory is not reachable";
  const started = kernelModule(memory, wasmDir);
  if (typeof started === 'string') return `the fused kernels did not start: ${started}`;
  const exports = started as FusedExports;
  registeredBy.add(tf);
  tf.registerKernel({
    kernelName: GRADIENT_STATS_KERNEL,
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const backend = args.backend as WasmBackendLike;
      const x = args.inputs.x!;
      const output = backend.makeOutput([3], 'float32');
      exports.gradientStats(address(backend, x), tf.util.sizeFromShape(x.shape), address(backend, output));
      return output;
    }) as unknown as tfjs.KernelFunc,
  });
  tf.registerKernel({
    kernelName: ADAM_KERNEL,
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const backend = args.backend as WasmBackendLike;
      const { value, gradient, firstMoment, secondMoment, oneMinusAccBeta1, oneMinusAccBeta2 } = args.inputs as Record<string, tfjs.TensorInfo>;
      const attrs = args.attrs as { beta1: number; beta2: number; epsilon: number; learningRate: number };
      // Outputs first: an allocation may grow the memory, which moves no tensor but detaches views.
      const outputs = [value!, firstMoment!, secondMoment!].map((t) => backend.makeOutput(t.shape, 'float32'));
      const n = tf.util.sizeFromShape(value!.shape);
      if (n > 0) {
        // The scalars as tfjs makes them: float32 tensors of the JS numbers (`mul(g, 1 - beta1)`).
        const f = Math.fround;
        exports.adam(
          address(backend, value!), address(backend, gradient!), address(backend, firstMoment!), address(backend, secondMoment!),
          address(backend, outputs[0]!), address(backend, outputs[1]!), address(backend, outputs[2]!), n,
          f(attrs.beta1), f(1 - attrs.beta1), f(attrs.beta2), f(1 - attrs.beta2),
          scalarValue(backend, oneMinusAccBeta1!), scalarValue(backend, oneMinusAccBeta2!), f(attrs.epsilon), f(-attrs.learningRate),
        );
      }
      return outputs;
    }) as unknown as tfjs.KernelFunc,
  });
  registerBatchNormKernels(tf, exports);
  for (const [kernelName, divide] of [['Sum', 0], ['Mean', 1]] as const) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (!original) continue;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      ...original,
      kernelFunc: ((args: KernelArgs) => {
        const x = args.inputs.x!;
        const attrs = args.attrs as { axis: number | number[]; keepDims: boolean };
        const split = leadingReduction(tf, x, attrs.axis);
        if (!split) return original.kernelFunc(args as unknown as Parameters<tfjs.KernelFunc>[0]);
        const backend = args.backend as WasmBackendLike;
        const shape = attrs.keepDims ? x.shape.map((d, i) => (i < split.axes ? 1 : d)) : x.shape.slice(split.axes);
        const output = backend.makeOutput(shape, 'float32');
        exports.columnSums(address(backend, x), split.rows, split.cols, address(backend, output), divide);
        return output;
      }) as unknown as tfjs.KernelFunc,
    });
  }
  return undefined;
}

/** [rows, channels] of a batch norm input normalized over its last axis. */
function rowsAndChannels(tf: Tfjs, x: tfjs.TensorInfo): { rows: number; channels: number } {
  const channels = x.shape[x.shape.length - 1]!;
  return { rows: channels > 0 ? tf.util.sizeFromShape(x.shape) / channels : 0, channels };
}

/**
 * The two batch norm kernels (see the module comment). Per-channel coefficients (C floats) are
 * computed here in float32 and handed to `channelAffine` in a scratch buffer of 5 * C floats,
 * whose first 4 * C also hold the 2 * C float64 accumulators before that.
 */
function registerBatchNormKernels(tf: Tfjs, exports: FusedExports): void {
  const f = Math.fround;
  tf.registerKernel({
    kernelName: BATCH_NORM_KERNEL,
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const backend = args.backend as WasmBackendLike;
      const { x, gamma, beta } = args.inputs as Record<string, tfjs.TensorInfo>;
      const epsilon = (args.attrs as { epsilon: number }).epsilon;
      const { rows, channels } = rowsAndChannels(tf, x!);
      // Every allocation first: one may grow the memory, which detaches earlier views.
      const outputs = [backend.makeOutput(x!.shape, 'float32'), backend.makeOutput([channels], 'float32'), backend.makeOutput([channels], 'float32')];
      const scratch = backend.makeOutput([5 * channels], 'float32');
      if (rows > 0) {
        const [y, mean, variance] = outputs as [tfjs.TensorInfo, tfjs.TensorInfo, tfjs.TensorInfo];
        exports.channelMoments(address(backend, x!), rows, channels, address(backend, scratch), address(backend, mean), address(backend, variance));
        const v = backend.typedArrayFromHeap(variance) as Float32Array;
        const g = backend.typedArrayFromHeap(gamma!) as Float32Array;
        const k = backend.typedArrayFromHeap(scratch) as Float32Array;
        for (let c = 0; c < channels; c++) k[c] = f(g[c]!) * f(1 / Math.sqrt(f(v[c]! + f(epsilon))));
        const at = address(backend, scratch);
        exports.channelAffine(address(backend, x!), 0, rows, channels, address(backend, mean), at, 0, address(backend, beta!), address(backend, y));
      } else {
        for (const output of outputs.slice(1)) (backend.typedArrayFromHeap(output) as Float32Array).fill(Number.NaN);
      }
      backend.disposeData(scratch.dataId, true);
      return outputs;
    }) as unknown as tfjs.KernelFunc,
  });
  tf.registerKernel({
    kernelName: BATCH_NORM_GRAD_KERNEL,
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const backend = args.backend as WasmBackendLike;
      const { dy, x, gamma, mean, variance } = args.inputs as Record<string, tfjs.TensorInfo>;
      const epsilon = (args.attrs as { epsilon: number }).epsilon;
      const { rows, channels } = rowsAndChannels(tf, x!);
      const outputs = [backend.makeOutput(x!.shape, 'float32'), backend.makeOutput([channels], 'float32'), backend.makeOutput([channels], 'float32')];
      const scratch = backend.makeOutput([5 * channels], 'float32');
      const [dx, dGamma, dBeta] = outputs as [tfjs.TensorInfo, tfjs.TensorInfo, tfjs.TensorInfo];
      if (rows > 0) {
        const at = address(backend, scratch);
        const coefficients = backend.typedArrayFromHeap(scratch) as Float32Array;
        const v = backend.typedArrayFromHeap(variance!) as Float32Array;
        // invStd after the float64 accumulators (the first 4 * C floats).
        for (let c = 0; c < channels; c++) coefficients[4 * channels + c] = f(1 / Math.sqrt(f(v[c]! + f(epsilon))));
        const invStdAt = at + 16 * channels;
        exports.batchNormWeightGradients(address(backend, dy!), address(backend, x!), rows, channels, address(backend, mean!), invStdAt, at, address(backend, dBeta), address(backend, dGamma));
        const g = backend.typedArrayFromHeap(gamma!) as Float32Array;
        const sumDy = backend.typedArrayFromHeap(dBeta) as Float32Array;
        const sumDyXHat = backend.typedArrayFromHeap(dGamma) as Float32Array;
        // dx = (dy - dBeta / n) * k - (x - mean) * q, k = gamma * invStd, q = k * invStd * dGamma / n.
        for (let c = 0; c < channels; c++) {
          const invStd = coefficients[4 * channels + c]!;
          const k = f(f(g[c]!) * invStd);
          coefficients[c] = f(sumDy[c]! / rows);
          coefficients[channels + c] = k;
          coefficients[2 * channels + c] = f(f(k * invStd) * f(sumDyXHat[c]! / rows));
        }
        exports.channelAffine(address(backend, dy!), address(backend, x!), rows, channels, at, at + 4 * channels, address(backend, mean!), at + 8 * channels, address(backend, dx));
      } else {
        // No rows: the weight gradients are sums over nothing.
        for (const output of [dGamma, dBeta]) (backend.typedArrayFromHeap(output) as Float32Array).fill(0);
      }
      backend.disposeData(scratch.dataId, true);
      return outputs;
    }) as unknown as tfjs.KernelFunc,
  });
}

/** True when batch norm's fused kernels run on the current backend (wasm with the module started). */
export function hasFusedBatchNorm(tf: Tfjs): boolean {
  return hasKernel(tf, BATCH_NORM_KERNEL);
}

/**
 * A float32 reduction over the leading `axes` axes (and not all of them): the shape as [rows,
 * cols], where tfjs' wasm Sum/Mean would transpose the input first. Undefined otherwise.
 */
function leadingReduction(tf: Tfjs, x: tfjs.TensorInfo, axis: number | number[]): { axes: number; rows: number; cols: number } | undefined {
  if (x.dtype !== 'float32') return undefined;
  const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= x.shape.length || !axes.every((a, i) => a === i)) return undefined;
  const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
  const cols = tf.util.sizeFromShape(x.shape.slice(axes.length));
  return rows > 0 && cols > 0 ? { axes: axes.length, rows, cols } : undefined;
}

/** True when the current backend has `kernelName` (the fused kernels exist on wasm only). */
function hasKernel(tf: Tfjs, kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

/**
 * [sum of g^2, sum of |g|, max |g|] of a gradient, shape [3]: the fused kernel on wasm, tfjs'
 * ops elsewhere. Call inside a tidy.
 */
export function gradientStatistics(tf: Tfjs, gradient: tfjs.Tensor): tfjs.Tensor1D {
  if (hasKernel(tf, GRADIENT_STATS_KERNEL)) return tf.engine().runKernel(GRADIENT_STATS_KERNEL, { x: gradient }) as tfjs.Tensor1D;
  const a = tf.abs(gradient);
  return tf.stack([tf.sum(tf.square(gradient)), tf.sum(a), tf.max(a)]) as tfjs.Tensor1D;
}

/**
 * tfjs' Adam with each weight's update as one `GradientLensAdam` kernel when the backend has it
 * (the same numbers, bit for bit: test/unit/fusedKernels.test.ts), else tfjs' own update. The
 * moments are the inherited `accumulatedFirstMoment`/`accumulatedSecondMoment` variables, so the
 * optimizer's weights and `dispose` are tfjs' own.
 */
export function makeFusedAdam(tf: Tfjs, learningRate: number, beta1: number, beta2: number, epsilon?: number): tfjs.AdamOptimizer {
  class FusedAdamOptimizer extends tf.AdamOptimizer {
    override applyGradients(variableGradients: tfjs.NamedTensorMap | { name: string; tensor: tfjs.Tensor }[]): void {
      if (!hasKernel(tf, ADAM_KERNEL)) return super.applyGradients(variableGradients as Parameters<tfjs.AdamOptimizer['applyGradients']>[0]);
      const self = this as unknown as AdamInternals;
      const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
      tf.tidy(() => {
        const oneMinusAccBeta1 = tf.sub(1, self.accBeta1);
        const oneMinusAccBeta2 = tf.sub(1, self.accBeta2);
        names.forEach((name, i) => {
          const value = tf.engine().registeredVariables[name]!;
          self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
          self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
          const gradient = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
          if (gradient == null) return;
          const firstMoment = self.accumulatedFirstMoment[i]!.variable;
          const secondMoment = self.accumulatedSecondMoment[i]!.variable;
          const [newValue, newFirstMoment, newSecondMoment] = tf.engine().runKernel(
            ADAM_KERNEL,
            { value, gradient, firstMoment, secondMoment, oneMinusAccBeta1, oneMinusAccBeta2 },
            { beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon, learningRate: self.learningRate } as unknown as tfjs.NamedAttrMap,
          ) as tfjs.Tensor[];
          firstMoment.assign(newFirstMoment!);
          secondMoment.assign(newSecondMoment!);
          value.assign(newValue!);
        });
        self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
        self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
      });
      self.incrementIterations();
    }
  }
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}

/** The fields of tfjs 4.22's AdamOptimizer the fused update shares (protected in its typings). */
interface AdamInternals {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly accBeta1: tfjs.Variable;
  readonly accBeta2: tfjs.Variable;
  readonly accumulatedFirstMoment: { originalName: string; variable: tfjs.Variable }[];
  readonly accumulatedSecondMoment: { originalName: string; variable: tfjs.Variable }[];
  incrementIterations(): void;
}
