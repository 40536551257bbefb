/**
 * tfjs' `batchNormalization` layer with a closed-form gradient in training mode.
 *
 * tfjs 4.22 trains batch norm as `moments` + `FusedBatchNorm` and differentiates each op: the
 * backward pass is ~25 ops over the whole input (`Tile`, `Sum`, `Mean` gradients through the
 * batch statistics, each wasm reduction over the non-last axes a transpose first), measured at
 * 16-34% of a conv training step on wasm (issue 19). Here the whole training-mode normalization is
 * one `tf.customGrad` node whose gradient is the standard closed form (Ioffe & Szegedy 2015,
 * section 3), with x^ = (x - mean) / sqrt(var + eps), sums over every axis but the last, n their size:
 *   d beta = sum dy,   d gamma = sum dy * x^,
 *   dx = gamma / sqrt(var + eps) * (dy - d beta / n - x^ * d gamma / n),
 * which is the exact derivative of tfjs' forward (batch mean and biased batch variance, both
 * functions of x), so the gradients equal tfjs' own up to float rounding. The forward values, the
 * weights, their names and the moving-statistics update are tfjs' own.
 *
 * `center` or `scale` false (Keras' `BatchNormalization(scale=False)`, common before a ReLU) uses
 * a constant 0 / 1 for the missing beta / gamma: tfjs 4.22's own training call reads the absent
 * weight and fails ("Cannot read properties of undefined (reading 'read')").
 * Everything else (inference, an axis other than the last, rank above 4) is tfjs' own `call`.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL, hasFusedBatchNorm } from './fusedKernels';

type Tfjs = typeof tfjs;

/** What the layer uses of tfjs' `LayerVariable` (not exported as a type). */
interface LayerVariableLike {
  read(): tfjs.Variable;
  write(value: tfjs.Tensor): void;
}

/** The fields of tfjs' `BatchNormalization` layer that the training path reads. */
interface BatchNormFields {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma?: LayerVariableLike;
  beta?: LayerVariableLike;
  movingMean: LayerVariableLike;
  movingVariance: LayerVariableLike;
}

type Kwargs = Record<string, unknown>;
type LayerCall = (inputs: tfjs.Tensor | tfjs.Tensor[], kwargs: Kwargs) => tfjs.Tensor | tfjs.Tensor[];
type LayerClass = new (config: object) => tfjs.layers.Layer;

/** tfjs-layers' `batchNormalization` helper: the op of the input's rank (2 to 4). */
function batchNormOfRank(tf: Tfjs, x: tfjs.Tensor, mean: tfjs.Tensor, variance: tfjs.Tensor, beta: tfjs.Tensor, gamma: tfjs.Tensor, epsilon: number): tfjs.Tensor {
  if (x.rank === 2) return tf.batchNorm2d(x as tfjs.Tensor2D, mean as tfjs.Tensor1D, variance as tfjs.Tensor1D, beta as tfjs.Tensor1D, gamma as tfjs.Tensor1D, epsilon);
  if (x.rank === 3) return tf.batchNorm3d(x as tfjs.Tensor3D, mean as tfjs.Tensor1D, variance as tfjs.Tensor1D, beta as tfjs.Tensor1D, gamma as tfjs.Tensor1D, epsilon);
  return tf.batchNorm4d(x as tfjs.Tensor4D, mean as tfjs.Tensor1D, variance as tfjs.Tensor1D, beta as tfjs.Tensor1D, gamma as tfjs.Tensor1D, epsilon);
}

/**
 * Training-mode batch norm over the last axis of `x` (rank 2-4): [normalized x (x's shape),
 * batch mean [C], biased batch variance [C]]. The mean and variance are kept (the caller
 * disposes them) and carry no gradient; the normalized output's gradient with respect to x,
 * gamma and beta is the closed form of the module comment.
 */
export function batchNormTraining(tf: Tfjs, x: tfjs.Tensor, gamma: tfjs.Tensor, beta: tfjs.Tensor, epsilon: number): [tfjs.Tensor, tfjs.Tensor, tfjs.Tensor] {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const n = x.size / x.shape[x.rank - 1]!;
  let stats: [tfjs.Tensor, tfjs.Tensor] | undefined;
  if (hasFusedBatchNorm(tf) && x.dtype === 'float32') {
    // The same closed form as two wasm kernels, two passes each way (fusedKernels.ts).
    const fused = tf.customGrad((...args: unknown[]) => {
      const [xt, g, b] = args as tfjs.Tensor[];
      const save = args[3] as tfjs.GradSaveFunc;
      const [value, mean, variance] = tf.engine().runKernel(BATCH_NORM_KERNEL, { x: xt!, gamma: g!, beta: b! }, { epsilon } as unknown as tfjs.NamedAttrMap) as tfjs.Tensor[];
      stats = [tf.keep(mean!), tf.keep(variance!)];
      save([xt!, g!, mean!, variance!]);
      return {
        value: value!,
        gradFunc: (dy: tfjs.Tensor, saved: tfjs.Tensor[]) => {
          const [xs, gs, m, v] = saved as [tfjs.Tensor, tfjs.Tensor, tfjs.Tensor, tfjs.Tensor];
          return tf.engine().runKernel(BATCH_NORM_GRAD_KERNEL, { dy, x: xs, gamma: gs, mean: m, variance: v }, { epsilon } as unknown as tfjs.NamedAttrMap) as tfjs.Tensor[];
        },
      };
    });
    const normed = fused(x, gamma, beta);
    return [normed, stats![0], stats![1]];
  }
  const op = tf.customGrad((...args: unknown[]) => {
    const [xt, g, b] = args as tfjs.Tensor[];
    const save = args[3] as tfjs.GradSaveFunc;
    const { mean, variance } = tf.moments(xt!, axes);
    stats = [tf.keep(mean), tf.keep(variance)];
    save([xt!, g!, mean, variance]);
    return {
      value: batchNormOfRank(tf, xt!, mean, variance, b!, g!, epsilon),
      gradFunc: (dy: tfjs.Tensor, saved: tfjs.Tensor[]) => {
        const [xs, gs, m, v] = saved as [tfjs.Tensor, tfjs.Tensor, tfjs.Tensor, tfjs.Tensor];
        const invStd = tf.rsqrt(tf.add(v, epsilon));
        const xHat = tf.mul(tf.sub(xs, m), invStd);
        const dBeta = tf.sum(dy, axes);
        const dGamma = tf.sum(tf.mul(dy, xHat), axes);
        const centered = tf.sub(tf.sub(dy, tf.div(dBeta, n)), tf.mul(xHat, tf.div(dGamma, n)));
        return [tf.mul(centered, tf.mul(gs, invStd)), dGamma, dBeta];
      },
    };
  });
  const normed = op(x, gamma, beta);
  return [normed, stats![0], stats![1]];
}

const classes = new WeakMap<Tfjs, LayerClass>();

/**
 * A `tf.layers.batchNormalization(config)` whose training-mode gradient is computed in closed
 * form (see the module comment); same class name, config, weights and weight names as tfjs'.
 */
export function fastBatchNormalization(tf: Tfjs, config: object): tfjs.layers.Layer {
  let FastBatchNormalization = classes.get(tf);
  if (!FastBatchNormalization) {
    // tfjs does not export the class; its constructor is reached through an instance.
    const Base = Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor as LayerClass;
    const baseCall = Base.prototype.call as LayerCall;
    FastBatchNormalization = class extends Base {
      override call(inputs: tfjs.Tensor | tfjs.Tensor[], kwargs: Kwargs): tfjs.Tensor | tfjs.Tensor[] {
        const self = this as unknown as BatchNormFields;
        const x = Array.isArray(inputs) && inputs.length === 1 ? inputs[0]! : inputs;
        const fused = kwargs.training === true && !Array.isArray(x) && x.rank >= 2 && x.rank <= 4 && (self.axis === -1 || self.axis === x.rank - 1) && (self.gamma || !self.scale) && (self.beta || !self.center);
        if (!fused) return baseCall.call(this, inputs, kwargs);
        return tf.tidy(() => {
          const gamma = self.scale ? self.gamma!.read() : tf.onesLike(self.movingVariance.read());
          const beta = self.center ? self.beta!.read() : tf.zerosLike(self.movingMean.read());
          const [normed, mean, variance] = batchNormTraining(tf, x, gamma, beta, self.epsilon);
          // tfjs' moving-average update, op for op.
          for (const [variable, value] of [[self.movingMean, mean], [self.movingVariance, variance]] as const) {
            tf.tidy(() => {
              const original = variable.read();
              variable.write(tf.sub(original, tf.mul(tf.sub(original, value), 1 - self.momentum)));
            });
          }
          tf.dispose([mean, variance]);
          return normed;
        });
      }
    };
    classes.set(tf, FastBatchNormalization);
  }
  return new FastBatchNormalization(config);
}
