/**
 * Keras' `MultiHeadAttention` (tfjs 4.22 has none), as a tfjs layer with Keras' weights and math
 * (Vaswani et al. 2017, section 3.2; keras.layers.MultiHeadAttention): per head h,
 *   Q_h = query W_q[h] + b_q[h],  K_h = key W_k[h] + b_k[h],  V_h = value W_v[h] + b_v[h],
 *   O_h = softmax(Q_h K_h^T / sqrt(key_dim)) V_h,   output = concat_h(O_h) W_o + b_o.
 * Shapes: query [batch, Tq, dq], value [batch, Tv, dv], key (default value) [batch, Tv, dk];
 * output [batch, Tq, output_shape or dq]. Given one input it is self-attention (value = key = query). Weights (Keras' order and sizes, so parameter counts
 * match): query/key/value kernels [d, heads * key_dim] (value: value_dim), their biases, the
 * output kernel [heads * value_dim, d_out] and bias. Attention dropout and masks are not applied
 * (training is measured without them; said by the parser). Inputs of rank 3 only.
 */
import type * as tfjs from '@tensorflow/tfjs';

type Tfjs = typeof tfjs;

export interface MultiHeadAttentionConfig {
  readonly name: string;
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim?: number;
  readonly useBias?: boolean;
  readonly attentionOutputShape?: number;
}

const classes = new WeakMap<Tfjs, new (config: MultiHeadAttentionConfig) => tfjs.layers.Layer>();

/** A fresh MultiHeadAttention layer of `tf` (its class is made once per tfjs instance). */
export function multiHeadAttention(tf: Tfjs, config: MultiHeadAttentionConfig): tfjs.layers.Layer {
  let MultiHeadAttention = classes.get(tf);
  if (!MultiHeadAttention) {
    type Weight = ReturnType<tfjs.layers.Layer['addWeight']>;
    MultiHeadAttention = class extends tf.layers.Layer {
      static readonly className = 'GradientLensMultiHeadAttention';
      // Seeded by the worker (seeding.ts seeds every `*Initializer` field of a layer).
      readonly kernelInitializer = tf.initializers.glorotUniform({});
      readonly biasInitializer = tf.initializers.zeros();
      private readonly heads: number;
      private readonly keyDim: number;
      private readonly valueDim: number;
      private readonly useBias: boolean;
      private readonly outDim: number | undefined;
      private w: Record<string, Weight> = {};

      constructor(c: MultiHeadAttentionConfig) {
        super({ name: c.name });
        this.heads = c.numHeads;
        this.keyDim = c.keyDim;
        this.valueDim = c.valueDim ?? c.keyDim;
        this.useBias = c.useBias ?? true;
        this.outDim = c.attentionOutputShape;
      }

      private shapes(inputShape: tfjs.Shape | tfjs.Shape[]): tfjs.Shape[] {
        const list = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as tfjs.Shape[];
        if (list.some((s) => s.length !== 3)) throw new Error('MultiHeadAttention is trained here on inputs of rank 3 ([batch, steps, features]) only');
        return list;
      }

      override build(inputShape: tfjs.Shape | tfjs.Shape[]): void {
        const list = this.shapes(inputShape);
        // One input is self-attention (value = key = query); two: key = value.
        const q = list[0]!;
        const v = list[1] ?? q;
        const k = list[2] ?? v;
        const dq = q![2]!;
        const add = (name: string, shape: number[], bias: boolean): void => {
          this.w[name] = this.addWeight(name, shape, 'float32', bias ? this.biasInitializer : this.kernelInitializer);
        };
        add('query/kernel', [dq, this.heads * this.keyDim], false);
        if (this.useBias) add('query/bias', [this.heads * this.keyDim], true);
        add('key/kernel', [k![2]!, this.heads * this.keyDim], false);
        if (this.useBias) add('key/bias', [this.heads * this.keyDim], true);
        add('value/kernel', [v![2]!, this.heads * this.valueDim], false);
        if (this.useBias) add('value/bias', [this.heads * this.valueDim], true);
        add('attention_output/kernel', [this.heads * this.valueDim, this.outDim ?? dq], false);
        if (this.useBias) add('attention_output/bias', [this.outDim ?? dq], true);
        this.built = true;
      }

      override computeOutputShape(inputShape: tfjs.Shape | tfjs.Shape[]): tfjs.Shape {
        const [q] = this.shapes(inputShape);
        return [q![0]!, q![1]!, this.outDim ?? q![2]!];
      }

      override call(inputs: tfjs.Tensor | tfjs.Tensor[]): tfjs.Tensor {
        {
          const list = Array.isArray(inputs) ? inputs : [inputs];
          const query = list[0]!;
          const value = list[1] ?? query;
          const key = list[2] ?? value;
          const project = (x: tfjs.Tensor, name: string, dim: number): tfjs.Tensor => {
            const [batch, steps, features] = x.shape as [number, number, number];
            let y = tf.matMul(x.reshape([batch * steps, features]), this.w[`${name}/kernel`]!.read());
            if (this.useBias) y = tf.add(y, this.w[`${name}/bias`]!.read());
            return y.reshape([batch, steps, this.heads, dim]).transpose([0, 2, 1, 3]);
          };
          const q = project(query, 'query', this.keyDim);
          const k = project(key, 'key', this.keyDim);
          const v = project(value, 'value', this.valueDim);
          const scores = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(this.keyDim)));
          const [batch, steps] = query.shape as [number, number];
          const heads = tf.matMul(scores, v).transpose([0, 2, 1, 3]).reshape([batch * steps, this.heads * this.valueDim]);
          let out = tf.matMul(heads, this.w['attention_output/kernel']!.read());
          if (this.useBias) out = tf.add(out, this.w['attention_output/bias']!.read());
          return out.reshape([batch, steps, out.shape[1]!]);
        }
      }
    };
    classes.set(tf, MultiHeadAttention);
  }
  return new MultiHeadAttention(config);
}
