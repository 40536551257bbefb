/**
 * The gradient of a dilated convolution. tfjs 4.22's `Conv2D` gradient refuses dilation rates
 * above 1 ("Error in gradient of conv2D: dilation rates greater than 1 are not yet supported in
 * gradients"), on every backend, so a Keras `Conv1D(..., dilation_rate=2)` (WaveNet, TCNs) or
 * `Conv2D(..., dilation_rate=2)` could not be trained. A convolution with dilation d equals an
 * undilated one whose filter has d - 1 zeros between taps, and tfjs' undilated gradients are
 * exact: the input gradient is that of the zero-stuffed filter, the filter gradient is the
 * zero-stuffed filter's gradient at the taps (every d-th element). Keras allows dilation only
 * with stride 1, which this needs (a stride above 1 keeps tfjs' own gradient and its error).
 */
import type * as tfjs from '@tensorflow/tfjs';

type Tfjs = typeof tfjs;
type Pair = [number, number];

const pair = (value: unknown): Pair => (Array.isArray(value) ? [Number(value[0]), Number(value[1])] : [Number(value ?? 1), Number(value ?? 1)]);

/** `filter` [h, w, in, out] with d - 1 zeros between taps: [(h-1)*dh+1, (w-1)*dw+1, in, out]. */
export function stuffFilter(tf: Tfjs, filter: tfjs.Tensor4D, [dh, dw]: Pair): tfjs.Tensor4D {
  const [h, w, c, o] = filter.shape;
  const spread = tf.pad(tf.reshape(filter, [h, 1, w, 1, c, o]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
  return tf.slice(tf.reshape(spread, [h * dh, w * dw, c, o]), [0, 0, 0, 0], [(h - 1) * dh + 1, (w - 1) * dw + 1, c, o]) as tfjs.Tensor4D;
}

/**
 * Replaces tfjs' `Conv2D` gradient with one that also handles dilation (the original serves every
 * undilated or strided convolution). Global to the tfjs instance; idempotent.
 */
export function registerDilatedConvGradient(tf: Tfjs): void {
  const original = tf.getGradient('Conv2D');
  if (!original || (original as { dilated?: boolean }).dilated) return;
  const config = {
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    dilated: true,
    gradFunc: (dy: tfjs.Tensor | tfjs.Tensor[], saved: tfjs.Tensor[], attrs: tfjs.NamedAttrMap) => {
      const dilations = pair(attrs.dilations);
      const strides = pair(attrs.strides);
      if ((dilations[0] === 1 && dilations[1] === 1) || strides[0] !== 1 || strides[1] !== 1) return original.gradFunc(dy, saved, attrs);
      const [x, filter] = saved as [tfjs.Tensor4D, tfjs.Tensor4D];
      const common = { strides, pad: attrs.pad, dataFormat: attrs.dataFormat, dimRoundingMode: attrs.dimRoundingMode };
      return {
        x: () => {
          const stuffed = stuffFilter(tf, filter, dilations);
          return tf.engine().runKernel('Conv2DBackpropInput', { dy: dy as tfjs.Tensor, filter: stuffed }, { ...common, inputShape: x.shape } as unknown as tfjs.NamedAttrMap) as tfjs.Tensor;
        },
        filter: () => {
          const [h, w, c, o] = filter.shape;
          const stuffedShape = [(h - 1) * dilations[0] + 1, (w - 1) * dilations[1] + 1, c, o];
          const grad = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dy as tfjs.Tensor }, { ...common, filterShape: stuffedShape } as unknown as tfjs.NamedAttrMap) as tfjs.Tensor4D;
          return tf.stridedSlice(grad, [0, 0, 0, 0], stuffedShape, [dilations[0], dilations[1], 1, 1]);
        },
      };
    },
  };
  tf.registerGradient(config as unknown as tfjs.GradConfig);
}
