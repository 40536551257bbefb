/**
 * Gradients tfjs 4.22 gets wrong on every backend, replaced before a run.
 *
 * `Unpack` (`tf.unstack`): with a single output the engine hands the gradient function one
 * tensor instead of a list, and `stack(dy)` throws "Argument tensors passed to stack must be a
 * `Tensor[]`". Every recurrent layer unstacks its input over time, so any RNN/LSTM/GRU reading
 * sequences of one time step (`input_shape=(1, n)`) could not be trained.
 */
import type * as tfjs from '@tensorflow/tfjs';

type Tfjs = typeof tfjs;

const fixed = new WeakSet<object>();

/** Registers the corrected gradients once per tfjs instance (gradients are global, not per backend). */
export function registerGradientFixes(tf: Tfjs): void {
  if (fixed.has(tf)) return;
  fixed.add(tf);
  tf.registerGradient({
    kernelName: 'Unpack',
    gradFunc: (dy: tfjs.Tensor | tfjs.Tensor[], _saved: tfjs.Tensor[], attrs: tfjs.NamedAttrMap) => {
      const axis = typeof attrs.axis === 'number' ? attrs.axis : 0;
      const parts = Array.isArray(dy) ? dy : [dy];
      return { value: () => tf.stack(parts, axis) };
    },
  });
}
