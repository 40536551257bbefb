/**
 * tfjs' `lstm`, `gru` and `simpleRNN` layers with the whole sequence as one `tf.customGrad` node.
 *
 * tfjs 4.22 runs a recurrent layer as one cell call per time step, each ~20 taped ops (matrix
 * products, split, activations, gates), and differentiates every op: an LSTM of 32 units over 300
 * steps makes ~42,000 kernel calls per training step, bound by per-op overhead, not arithmetic
 * (issue 19). Here, with the same weights and the same math:
 * - the input projection x_t W + b of every time step is one matrix product before the loop;
 * - per step, the recurrent product h_{t-1} U is one matrix product on the backend, and the gates
 *   are computed in a JS loop over the batch (a few thousand numbers);
 * - the backward pass is backpropagation through time written out (the derivative of each gate,
 *   then one product with U^T per step); the weight gradients are one product each over all
 *   steps: dW = X^T dZ, dU = H_{t-1}^T dZ, db = sum dZ, dX = dZ W^T (the first two computed
 *   as (dZ^T X)^T from a dZ^T the loop lays out, so that XNNPACK packs the small operand).
 * Gate order, activations and the state update are tfjs' (LSTM: i, f, c, o; GRU: z, r, h with the
 * reset gate applied before the recurrent product, `resetAfter` false). Values and gradients equal
 * tfjs' own layer up to float rounding (test/unit/fastLayers.test.ts checks against the cpu backend).
 *
 * tfjs' own `call` runs instead whenever this would not be the same computation: dropout or
 * recurrent dropout, a mask, an initial state, `stateful`, `returnState`, an activation outside
 * ACTIVATIONS, or an input that is not a float32 [batch, time, features] tensor.
 */
import type * as tfjs from '@tensorflow/tfjs';

type Tfjs = typeof tfjs;

/** An elementwise activation and its derivative, given the pre-activation x and the output y. */
interface Activation {
  readonly f: (x: number) => number;
  readonly d: (x: number, y: number) => number;
}

/** tfjs' activations by class name, with the derivatives tfjs' gradients compute. */
const ACTIVATIONS: Record<string, Activation> = {
  tanh: { f: Math.tanh, d: (_x, y) => 1 - y * y },
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), d: (_x, y) => y * (1 - y) },
  // tfjs: clip(0.2 x + 0.5, 0, 1); clipByValue passes the gradient at both ends inclusive.
  hardSigmoid: {
    f: (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5)),
    d: (x) => {
      const v = 0.2 * x + 0.5;
      return v >= 0 && v <= 1 ? 0.2 : 0;
    },
  },
  relu: { f: (x) => (x > 0 ? x : 0), d: (x) => (x > 0 ? 1 : 0) },
  linear: { f: (x) => x, d: () => 1 },
};

export type RecurrentKind = 'lstm' | 'gru' | 'simpleRNN';

/** Gate blocks of the kernel's last axis: LSTM i f c o, GRU z r h, SimpleRNN one. */
const GATES: Record<RecurrentKind, number> = { lstm: 4, gru: 3, simpleRNN: 1 };

export interface SequenceOptions {
  readonly kind: RecurrentKind;
  readonly units: number;
  /** Class names of tfjs' activations (`tanh`, `hardSigmoid`...): keys of ACTIVATIONS. */
  readonly activation: string;
  readonly recurrentActivation: string;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
}

/** True when `recurrentSequence` can compute a layer with these activations. */
export function supportsActivations(activation: string, recurrentActivation: string): boolean {
  return activation in ACTIVATIONS && recurrentActivation in ACTIVATIONS;
}

/**
 * The layer's output for x [B, T, F] from a zero state: [B, T, units] with `returnSequences`
 * (in processing order, reversed with `goBackwards`, as tfjs), else [B, units]. kernel
 * [F, G * units], recurrentKernel [units, G * units], bias [G * units] or null, G the gate count
 * of the kind. Differentiable with respect to x and every weight (one customGrad node).
 */
export function recurrentSequence(tf: Tfjs, x: tfjs.Tensor, kernel: tfjs.Tensor, recurrentKernel: tfjs.Tensor, bias: tfjs.Tensor | null, options: SequenceOptions): tfjs.Tensor {
  const { kind, units: u, returnSequences, goBackwards } = options;
  const act = ACTIVATIONS[options.activation]!;
  const rec = ACTIVATIONS[options.recurrentActivation]!;
  const [B, T, F] = x.shape as [number, number, number];
  const G = GATES[kind];
  const width = G * u;
  const bu = B * u;
  /** rows x cols (JS, row-major) times a [cols, n] tensor: the product's values. */
  const times = (a: Float32Array, rows: number, cols: number, m: tfjs.Tensor): Float32Array => {
    // Not tf.tidy(() => ...dataSync()): tidy walks a returned typed array element by element.
    const left = tf.tensor2d(a, [rows, cols]);
    const product = tf.matMul(left, m as tfjs.Tensor2D);
    const values = product.dataSync() as Float32Array;
    tf.dispose([left, product]);
    return values;
  };
  /** Time index of processing step k. */
  const timeOf = (k: number): number => (goBackwards ? T - 1 - k : k);

  const op = tf.customGrad((...args: unknown[]) => {
    const inputs = args.slice(0, bias ? 4 : 3) as tfjs.Tensor[];
    const save = args[inputs.length] as tfjs.GradSaveFunc;
    const [xt, W, U, b] = inputs as [tfjs.Tensor, tfjs.Tensor, tfjs.Tensor, tfjs.Tensor | undefined];
    save([xt, W, U]);
    // x_t W + b for every step, [B, T, width].
    const projected = tf.matMul(tf.reshape(xt, [B * T, F]) as tfjs.Tensor2D, W as tfjs.Tensor2D);
    const xp = (b ? tf.add(projected, b) : projected).dataSync() as Float32Array;
    // Per processing step k: pre-activations [B, width] at (k * B + b) * width; states after step k at (k + 1) * B * u.
    const pre = new Float32Array(T * B * width);
    const h = new Float32Array((T + 1) * bu);
    const c = kind === 'lstm' ? new Float32Array((T + 1) * bu) : undefined;
    // LSTM: the gates after their activations (as `pre`) and act(c) per step, so the backward
    // pass reads them instead of computing every activation again.
    const gates = kind === 'lstm' ? new Float32Array(T * B * width) : undefined;
    const cellOut = kind === 'lstm' ? new Float32Array(T * bu) : undefined;
    // GRU: r * h_{t-1} per step (the recurrent product's input).
    const rh = kind === 'gru' ? new Float32Array(T * bu) : undefined;
    const U1 = kind === 'gru' ? tf.slice(U, [0, 0], [u, 2 * u]) : U;
    const U2 = kind === 'gru' ? tf.slice(U, [0, 2 * u], [u, u]) : undefined;
    for (let k = 0; k < T; k++) {
      const t = timeOf(k);
      const hPrev = h.subarray(k * bu, (k + 1) * bu);
      // The zero initial state contributes nothing to the first product.
      const recurrentWidth = kind === 'gru' ? 2 * u : width;
      const hU = k === 0 ? undefined : times(hPrev, B, u, U1);
      for (let n = 0; n < B; n++) {
        const from = (n * T + t) * width;
        const to = (k * B + n) * width;
        for (let j = 0; j < width; j++) pre[to + j] = xp[from + j]! + (hU && j < recurrentWidth ? hU[n * recurrentWidth + j]! : 0);
      }
      const hNext = k + 1;
      if (kind === 'lstm') {
        for (let n = 0; n < B; n++) {
          const z = (k * B + n) * width;
          for (let j = 0; j < u; j++) {
            const i = (gates![z + j] = rec.f(pre[z + j]!));
            const f = (gates![z + u + j] = rec.f(pre[z + u + j]!));
            const g = (gates![z + 2 * u + j] = act.f(pre[z + 2 * u + j]!));
            const o = (gates![z + 3 * u + j] = rec.f(pre[z + 3 * u + j]!));
            const s = n * u + j;
            const cell = f * c![k * bu + s]! + i * g;
            c![hNext * bu + s] = cell;
            const ac = (cellOut![k * bu + s] = act.f(cell));
            h[hNext * bu + s] = o * ac;
          }
        }
      } else if (kind === 'simpleRNN') {
        for (let s = 0; s < bu; s++) h[hNext * bu + s] = act.f(pre[k * bu + s]!);
      } else {
        const rhStep = rh!.subarray(k * bu, (k + 1) * bu);
        for (let n = 0; n < B; n++) {
          const z = (k * B + n) * width;
          for (let j = 0; j < u; j++) rhStep[n * u + j] = rec.f(pre[z + u + j]!) * hPrev[n * u + j]!;
        }
        const recurrentH = k === 0 ? undefined : times(rhStep, B, u, U2!);
        for (let n = 0; n < B; n++) {
          const z = (k * B + n) * width;
          for (let j = 0; j < u; j++) {
            const s = n * u + j;
            const candidate = (pre[z + 2 * u + j] = pre[z + 2 * u + j]! + (recurrentH ? recurrentH[s]! : 0));
            const gate = rec.f(pre[z + j]!);
            h[hNext * bu + s] = gate * hPrev[s]! + (1 - gate) * act.f(candidate);
          }
        }
      }
    }
    let value: tfjs.Tensor;
    if (returnSequences) {
      const out = new Float32Array(B * T * u);
      for (let k = 0; k < T; k++) for (let n = 0; n < B; n++) out.set(h.subarray((k + 1) * bu + n * u, (k + 1) * bu + (n + 1) * u), (n * T + k) * u);
      value = tf.tensor3d(out, [B, T, u]);
    } else {
      value = tf.tensor2d(h.slice(T * bu), [B, u]);
    }

    const gradFunc = (dy: tfjs.Tensor, saved: tfjs.Tensor[]): tfjs.Tensor[] => {
      const [xs, Ws, Us] = saved as [tfjs.Tensor, tfjs.Tensor2D, tfjs.Tensor2D];
      const dyValues = dy.dataSync() as Float32Array;
      // dZ: the pre-activations' gradient, rows in x's order (n * T + t), for the weight products.
      const dZ = new Float32Array(B * T * width);
      // dZ transposed, [width, B * T], laid out here so that the weight gradients are plain
      // products whose second operand, the one XNNPACK packs on every call, is the small X or H
      // (X^T dZ packs or transposes all of dZ: 14-23 ms against 1.5-3 ms at B * T = 9,600, width 128).
      const rows = B * T;
      const dZColumns = new Float32Array(B * T * width);
      const dhNext = new Float32Array(bu);
      const dcNext = kind === 'lstm' ? new Float32Array(bu) : undefined;
      const recurrentT = tf.transpose(kind === 'gru' ? tf.slice(Us, [0, 0], [u, 2 * u]) : Us);
      const candidateT = kind === 'gru' ? tf.transpose(tf.slice(Us, [0, 2 * u], [u, u])) : undefined;
      for (let k = T - 1; k >= 0; k--) {
        const t = timeOf(k);
        const dh = new Float32Array(bu);
        for (let n = 0; n < B; n++) {
          for (let j = 0; j < u; j++) {
            const fromOutput = returnSequences ? dyValues[(n * T + k) * u + j]! : k === T - 1 ? dyValues[n * u + j]! : 0;
            dh[n * u + j] = dhNext[n * u + j]! + fromOutput;
          }
        }
        const dStep = new Float32Array(B * width);
        const hPrev = h.subarray(k * bu, (k + 1) * bu);
        if (kind === 'lstm') {
          for (let n = 0; n < B; n++) {
            const z = (k * B + n) * width;
            const d = n * width;
            for (let j = 0; j < u; j++) {
              const s = n * u + j;
              const zi = pre[z + j]!;
              const zf = pre[z + u + j]!;
              const zg = pre[z + 2 * u + j]!;
              const zo = pre[z + 3 * u + j]!;
              const i = gates![z + j]!;
              const f = gates![z + u + j]!;
              const g = gates![z + 2 * u + j]!;
              const o = gates![z + 3 * u + j]!;
              const cell = c![(k + 1) * bu + s]!;
              const ac = cellOut![k * bu + s]!;
              const dc = dcNext![s]! + dh[s]! * o * act.d(cell, ac);
              dcNext![s] = dc * f;
              dStep[d + j] = dc * g * rec.d(zi, i);
              dStep[d + u + j] = dc * c![k * bu + s]! * rec.d(zf, f);
              dStep[d + 2 * u + j] = dc * i * act.d(zg, g);
              dStep[d + 3 * u + j] = dh[s]! * ac * rec.d(zo, o);
            }
          }
        } else if (kind === 'simpleRNN') {
          for (let s = 0; s < bu; s++) {
            const z = pre[k * bu + s]!;
            dStep[s] = dh[s]! * act.d(z, act.f(z));
          }
        } else {
          const dCandidate = new Float32Array(bu);
          const direct = new Float32Array(bu);
          for (let n = 0; n < B; n++) {
            const z = (k * B + n) * width;
            const d = n * width;
            for (let j = 0; j < u; j++) {
              const s = n * u + j;
              const gate = rec.f(pre[z + j]!);
              const candidate = act.f(pre[z + 2 * u + j]!);
              dStep[d + j] = dh[s]! * (hPrev[s]! - candidate) * rec.d(pre[z + j]!, gate);
              dCandidate[s] = dh[s]! * (1 - gate) * act.d(pre[z + 2 * u + j]!, candidate);
              dStep[d + 2 * u + j] = dCandidate[s]!;
              direct[s] = dh[s]! * gate;
            }
          }
          // d(r * h_{t-1}) = d candidate U_h^T.
          const dRh = times(dCandidate, B, u, candidateT!);
          for (let n = 0; n < B; n++) {
            const z = (k * B + n) * width;
            for (let j = 0; j < u; j++) {
              const s = n * u + j;
              const reset = rec.f(pre[z + u + j]!);
              dStep[n * width + u + j] = dRh[s]! * hPrev[s]! * rec.d(pre[z + u + j]!, reset);
              direct[s] = direct[s]! + dRh[s]! * reset;
            }
          }
          dhNext.set(direct);
        }
        for (let n = 0; n < B; n++) {
          const row = n * T + t;
          dZ.set(dStep.subarray(n * width, (n + 1) * width), row * width);
          for (let j = 0; j < width; j++) dZColumns[j * rows + row] = dStep[n * width + j]!;
        }
        if (k > 0) {
          // dh_{t-1} through the recurrent product (GRU: its z and r blocks; the direct terms are in dhNext).
          const recurrentWidth = kind === 'gru' ? 2 * u : width;
          const dStepRecurrent = kind === 'gru' ? new Float32Array(B * recurrentWidth) : dStep;
          if (kind === 'gru') for (let n = 0; n < B; n++) dStepRecurrent.set(dStep.subarray(n * width, n * width + recurrentWidth), n * recurrentWidth);
          const through = times(dStepRecurrent, B, recurrentWidth, recurrentT);
          if (kind === 'gru') for (let s = 0; s < bu; s++) dhNext[s] = dhNext[s]! + through[s]!;
          else dhNext.set(through);
        }
      }
      // The recurrent product's inputs per row of dZ: h_{t-1} (GRU: also r * h_{t-1}).
      const previous = new Float32Array(B * T * u);
      const resetPrevious = kind === 'gru' ? new Float32Array(B * T * u) : undefined;
      for (let k = 0; k < T; k++) {
        const t = timeOf(k);
        for (let n = 0; n < B; n++) {
          previous.set(h.subarray(k * bu + n * u, k * bu + (n + 1) * u), (n * T + t) * u);
          resetPrevious?.set(rh!.subarray(k * bu + n * u, k * bu + (n + 1) * u), (n * T + t) * u);
        }
      }
      const dZt = tf.tensor2d(dZ, [rows, width]);
      const dZc = tf.tensor2d(dZColumns, [width, rows]);
      const dx = tf.reshape(tf.matMul(dZt, Ws, false, true), [B, T, F]);
      const dW = tf.transpose(tf.matMul(dZc, tf.reshape(xs, [rows, F]) as tfjs.Tensor2D));
      const previousT = tf.tensor2d(previous, [rows, u]);
      const dU =
        kind === 'gru'
          ? tf.transpose(tf.concat([tf.matMul(tf.slice(dZc, [0, 0], [2 * u, rows]), previousT), tf.matMul(tf.slice(dZc, [2 * u, 0], [u, rows]), tf.tensor2d(resetPrevious!, [rows, u]))], 0))
          : tf.transpose(tf.matMul(dZc, previousT));
      return bias ? [dx, dW, dU, tf.sum(dZc, 1)] : [dx, dW, dU];
    };
    return { value, gradFunc };
  });
  return bias ? op(x, kernel, recurrentKernel, bias) : op(x, kernel, recurrentKernel);
}

/** What the layer uses of tfjs' `LayerVariable`. */
interface LayerVariableLike {
  read(): tfjs.Variable;
}

/** The fields of tfjs' recurrent layer and cell that decide whether the fused path applies. */
interface RecurrentFields {
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  stateful: boolean;
  cell: {
    units: number;
    dropout: number;
    recurrentDropout: number;
    activation: { getClassName(): string };
    recurrentActivation?: { getClassName(): string };
    kernel: LayerVariableLike;
    recurrentKernel: LayerVariableLike;
    bias: LayerVariableLike | null;
  };
}

type Kwargs = Record<string, unknown>;
type LayerCall = (inputs: tfjs.Tensor | tfjs.Tensor[], kwargs: Kwargs) => tfjs.Tensor | tfjs.Tensor[];
type LayerClass = new (config: object) => tfjs.layers.Layer;

const classes = new WeakMap<Tfjs, Map<RecurrentKind, LayerClass>>();

/**
 * `tf.layers[kind](config)` computed as one fused sequence op where that is the same computation
 * (see the module comment); same class name, config, weights and weight names as tfjs' layer.
 */
export function fastRecurrent(tf: Tfjs, kind: RecurrentKind, config: object): tfjs.layers.Layer {
  const byKind = classes.get(tf) ?? new Map<RecurrentKind, LayerClass>();
  classes.set(tf, byKind);
  let Fast = byKind.get(kind);
  if (!Fast) {
    // tfjs does not export the classes; each constructor is reached through an instance.
    const Base = Object.getPrototypeOf(tf.layers[kind]({ units: 1 })).constructor as LayerClass;
    const baseCall = Base.prototype.call as LayerCall;
    Fast = class extends Base {
      override call(inputs: tfjs.Tensor | tfjs.Tensor[], kwargs: Kwargs): tfjs.Tensor | tfjs.Tensor[] {
        const self = this as unknown as RecurrentFields;
        const cell = self.cell;
        const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
        const activation = cell.activation.getClassName();
        const recurrentActivation = kind === 'simpleRNN' ? activation : (cell.recurrentActivation?.getClassName() ?? '');
        const fused =
          x !== undefined && x.rank === 3 && x.dtype === 'float32' && x.shape[1]! > 0 && kwargs.mask == null && kwargs.initialState == null &&
          !self.stateful && !self.returnState && cell.dropout === 0 && cell.recurrentDropout === 0 && supportsActivations(activation, recurrentActivation);
        if (!fused) return baseCall.call(this, inputs, kwargs);
        return tf.tidy(() =>
          recurrentSequence(tf, x, cell.kernel.read(), cell.recurrentKernel.read(), cell.bias ? cell.bias.read() : null, {
            kind,
            units: cell.units,
            activation,
            recurrentActivation,
            returnSequences: self.returnSequences,
            goBackwards: self.goBackwards,
          }),
        );
      }
    };
    byKind.set(kind, Fast);
  }
  return new Fast(config);
}

/** tfjs' class names of the recurrent layers this module computes. */
const KIND_OF_CLASS: Record<string, RecurrentKind> = { LSTM: 'lstm', GRU: 'gru', SimpleRNN: 'simpleRNN' };

/**
 * `tf.layers.bidirectional(config)` whose forward and backward layers, when they are LSTM, GRU or
 * SimpleRNN, are ours: tfjs' wrapper rebuilds both from the given layer's config through its
 * class registry (so as tfjs' own classes); they are replaced here, before the wrapper is built,
 * by ours from the same configs and with the same names, so weights and their names are unchanged.
 */
export function fastBidirectional(tf: Tfjs, config: object): tfjs.layers.Layer {
  const wrapper = tf.layers.bidirectional(config as Parameters<Tfjs['layers']['bidirectional']>[0]);
  const sides = wrapper as unknown as Record<'forwardLayer' | 'backwardLayer', tfjs.layers.Layer>;
  for (const side of ['forwardLayer', 'backwardLayer'] as const) {
    const inner = sides[side];
    const kind = KIND_OF_CLASS[inner.getClassName()];
    if (!kind) continue;
    const fast = fastRecurrent(tf, kind, inner.getConfig());
    fast.name = inner.name;
    sides[side] = fast;
  }
  return wrapper;
}
