/**
 * The scale the kernel initializers give a model's signal, predicted from the code: for inputs of
 * unit variance, the root mean square of each layer's pre-activation output at initialization.
 *
 * Why: an initializer far larger than the activation needs (ReLU with `RandomNormal(stddev=1)` or
 * `randomNormal({stddev: 10})`) multiplies the signal by about sqrt(fan-in x E[w^2] / 2) per ReLU
 * layer (He et al., "Delving Deep into Rectifiers", ICCV 2015, eq. 10: a ReLU layer keeps the
 * variance when fan-in x Var(w) / 2 = 1; a linear layer when fan-in x Var(w) = 1, LeCun / Glorot).
 * Activations and gradients then grow layer by layer (exploding). What the run shows depends on
 * the output: a linear output overflows to Infinity/NaN; a softmax over logits of size 1,000
 * gives probabilities of exactly 0 and 1, and tfjs' cross-entropy clips them to [1e-7, 1 - 1e-7]
 * (`tf.clipByValue`, whose gradient is 0 outside the range), so every gradient is exactly zero:
 * a symptom that looks like dead ReLU units, but whose cause is the initializer. This module
 * names that cause from the code, so the measured rules can attribute the symptom to it.
 *
 * Pure: reads the ModelGraph only.
 */
import { isCallValue, isConfigObject, type ConfigValue, type LayerNode, type ModelGraph } from '../ir';
import { activationOf, KERNEL_LAYERS, RELU_FAMILY } from '../layerKinds';

/**
 * A predicted root mean square of the output layer's pre-activation (logits) above this many
 * times the input's is an initializer that explodes the signal. The same 100x as the static
 * exploding rule (`StaticThresholds.explodingGain`, our choice): logits of size 100 saturate a
 * softmax or sigmoid completely in float32 (e^-100 is 0 next to 1), and a squared error on outputs
 * of size 100 is 1e4 times that of a well-scaled model.
 */
export const EXPLODING_OUTPUT_SCALE = 100;

/**
 * A layer whose initializer multiplies the signal's amplitude by this much or more than the
 * variance-preserving one (He for the ReLU family, LeCun for the rest) is over-scaled: 2x in
 * amplitude is 4x in variance, so He on a linear layer (2x in variance) is not over-scaled, nor
 * Glorot anywhere (at most 2x in variance). Our choice of margin.
 */
export const OVERSCALED_FACTOR = 2;

/** Activations whose output is bounded by about 1: the growth stops there. */
const BOUNDED = new Set(['sigmoid', 'tanh', 'hardSigmoid', 'softsign', 'softmax']);

export interface LayerScale {
  readonly id: string;
  /** The kernel initializer's name (tfjs spelling, `randomNormal`). */
  readonly initializer: string;
  /**
   * Amplitude factor of this layer's initializer over the variance-preserving one:
   * sqrt(fan-in x E[w^2] x c), c = 1/2 before a ReLU-family activation, 1 otherwise. 1 keeps the
   * scale; above 1 each such layer multiplies the signal (and the gradient) by this much.
   */
  readonly factor: number;
  /** Predicted RMS of the layer's pre-activation output for unit-variance inputs. */
  readonly preActivationRms: number;
  readonly relu: boolean;
}

export interface InitScale {
  /** Predicted RMS of the output layer's pre-activation (its logits) for unit-variance inputs. */
  readonly outputScale: number;
  /** The output layer whose scale is predicted (the first output). */
  readonly outputId: string;
  /** Weight layers whose initializer is over-scaled (factor >= OVERSCALED_FACTOR), in model order. */
  readonly overscaled: readonly LayerScale[];
  /** Every weight layer whose initializer's numbers are known, in model order. */
  readonly layers: readonly LayerScale[];
}

/** Layers by id, built once per graph (fan-ins stay linear in the layer count). */
const byIds = new WeakMap<ModelGraph, Map<string, LayerNode>>();
function byIdOf(graph: ModelGraph): Map<string, LayerNode> {
  let map = byIds.get(graph);
  if (!map) {
    map = new Map();
    for (const l of graph.layers) if (!map.has(l.id)) map.set(l.id, l);
    byIds.set(graph, map);
  }
  return map;
}

/** Input width of a layer: the last dim of its inbound layer's output, or what its config declares. */
export function fanIn(graph: ModelGraph, layer: LayerNode): number | undefined {
  const inboundId = layer.inbound[0];
  const inbound = inboundId === undefined ? undefined : byIdOf(graph).get(inboundId);
  const fromShape = inbound?.outputShape?.[inbound.outputShape.length - 1];
  if (typeof fromShape === 'number') {
    if (layer.type.startsWith('conv')) {
      const kernel = layer.config.kernelSize;
      const size = typeof kernel === 'number' ? kernel ** (layer.type.includes('1d') ? 1 : 2) : Array.isArray(kernel) ? kernel.reduce<number>((p, k) => p * (typeof k === 'number' ? k : 1), 1) : 1;
      return fromShape * size;
    }
    return fromShape;
  }
  const declared = layer.config.inputShape;
  if (Array.isArray(declared)) {
    const last = declared[declared.length - 1];
    if (typeof last === 'number') return last;
  }
  if (typeof layer.config.inputDim === 'number') return layer.config.inputDim;
  const units = inbound?.config.units;
  return typeof units === 'number' ? units : undefined;
}

/** Output width of a weight layer (units or filters). */
export function fanOut(layer: LayerNode): number | undefined {
  const units = layer.config.units ?? layer.config.filters;
  return typeof units === 'number' ? units : undefined;
}

interface InitializerInfo {
  readonly name: string;
  /** Weight variance for the given fans, when the initializer's numbers are known. */
  readonly variance?: number;
}

function numberArg(value: ConfigValue | undefined, key: string): number | undefined {
  if (!isCallValue(value)) return undefined;
  const arg = value.args[0];
  if (!isConfigObject(arg)) return undefined;
  const v = arg[key];
  return typeof v === 'number' ? v : undefined;
}

/** The kernel initializer of a layer (tfjs default glorotUniform) and the variance it draws with. */
export function kernelInitializer(layer: LayerNode, fanInValue: number | undefined, fanOutValue: number | undefined): InitializerInfo {
  const value = layer.config.kernelInitializer;
  const name = typeof value === 'string' ? value : isCallValue(value) ? value.$call.replace(/^initializers\./, '') : 'glorotUniform';
  const n = fanInValue;
  const m = fanOutValue;
  switch (name) {
    case 'glorotUniform':
    case 'glorotNormal':
      return { name, ...(n && m ? { variance: 2 / (n + m) } : {}) };
    case 'heNormal':
    case 'heUniform':
      return { name, ...(n ? { variance: 2 / n } : {}) };
    case 'leCunNormal':
    case 'leCunUniform':
      return { name, ...(n ? { variance: 1 / n } : {}) };
    case 'randomNormal':
    case 'truncatedNormal': {
      const stddev = numberArg(value, 'stddev') ?? 0.05;
      return { name, variance: stddev ** 2 };
    }
    case 'randomUniform': {
      const min = numberArg(value, 'minval') ?? -0.05;
      const max = numberArg(value, 'maxval') ?? 0.05;
      return { name, variance: (max - min) ** 2 / 12 };
    }
    case 'varianceScaling': {
      const scale = numberArg(value, 'scale') ?? 1;
      const mode = isCallValue(value) && isConfigObject(value.args[0]) ? value.args[0].mode : undefined;
      const fans = mode === 'fanOut' ? m : mode === 'fanAvg' ? (n && m ? (n + m) / 2 : undefined) : n;
      return { name, ...(fans ? { variance: scale / fans } : {}) };
    }
    default:
      return { name };
  }
}

/** The second moment E[w^2] of a kernel initializer's draws, when the code gives its numbers. */
function secondMoment(layer: LayerNode, n: number | undefined, m: number | undefined): { name: string; moment?: number } {
  const value: ConfigValue | undefined = layer.config.kernelInitializer;
  const info = kernelInitializer(layer, n, m);
  const config = isCallValue(value) && isConfigObject(value.args[0]) ? value.args[0] : undefined;
  const mean = typeof config?.mean === 'number' ? config.mean : 0;
  switch (info.name) {
    case 'zeros':
      return { name: info.name, moment: 0 };
    case 'ones':
      return { name: info.name, moment: 1 };
    case 'constant': {
      const c = config?.value;
      return typeof c === 'number' ? { name: info.name, moment: c * c } : { name: info.name };
    }
    default:
      return info.variance === undefined ? { name: info.name } : { name: info.name, moment: info.variance + mean * mean };
  }
}

/** The activation that follows a weight layer: its own, or that of a lone activation layer after it. */
function followingActivation(layer: LayerNode, consumers: ReadonlyMap<string, readonly LayerNode[]>): string | undefined {
  const own = activationOf(layer);
  if (own && own !== 'linear') return own;
  const next = consumers.get(layer.id) ?? [];
  return next.length === 1 && !KERNEL_LAYERS.has(next[0]!.type) ? activationOf(next[0]!) : own;
}

/** Second moment of an activation's output for a zero-mean pre-activation of second moment `v`. */
function afterActivation(activation: string | undefined, v: number): number {
  if (!activation || activation === 'linear') return v;
  if (RELU_FAMILY.has(activation)) return v / 2;
  if (BOUNDED.has(activation)) return Math.min(v, 1);
  return v;
}

/**
 * Propagates the signal's second moment through `graph` from unit-variance inputs, using each
 * kernel initializer's E[w^2] and fan-in (He et al. 2015's recursion). Normalization layers reset
 * it to 1; recurrent layers and bounded activations (sigmoid, tanh, softmax) cap it at 1; a layer
 * whose initializer or fan-in is unknown keeps it (counted as variance-preserving). Returns
 * undefined when the graph has no weight layer with a known initializer on the way to its output.
 */
export function initializerScale(graph: ModelGraph): InitScale | undefined {
  const consumers = new Map<string, LayerNode[]>();
  for (const layer of graph.layers) {
    for (const id of new Set(layer.inbound)) {
      const list = consumers.get(id);
      if (list) list.push(layer);
      else consumers.set(id, [layer]);
    }
  }
  /** Second moment of each layer's output. */
  const q = new Map<string, number>();
  const scales: LayerScale[] = [];
  const preActivation = new Map<string, number>();
  for (const layer of graph.layers) {
    const inbound = layer.inbound.map((id) => q.get(id) ?? 1);
    const input = inbound.length === 0 ? 1 : layer.type === 'add' ? inbound.reduce((a, b) => a + b, 0) : Math.max(...inbound);
    if (layer.type === 'inputLayer' || layer.type === 'embedding' || layer.type === 'batchNormalization' || layer.type === 'layerNormalization') {
      q.set(layer.id, 1);
      continue;
    }
    if (['simpleRNN', 'lstm', 'gru', 'bidirectional', 'timeDistributed'].includes(layer.type)) {
      q.set(layer.id, Math.min(input, 1));
      continue;
    }
    if (KERNEL_LAYERS.has(layer.type)) {
      const n = fanIn(graph, layer);
      const units = layer.config.units ?? layer.config.filters;
      const { name, moment } = secondMoment(layer, n, typeof units === 'number' ? units : undefined);
      const activation = followingActivation(layer, consumers);
      const relu = RELU_FAMILY.has(activation ?? '');
      if (moment === undefined || n === undefined) {
        // Unknown numbers: counted as keeping the scale.
        preActivation.set(layer.id, input);
        q.set(layer.id, afterActivation(activationOf(layer), input));
        continue;
      }
      const v = n * moment * input;
      preActivation.set(layer.id, v);
      scales.push({ id: layer.id, initializer: name, factor: Math.sqrt(n * moment * (relu ? 0.5 : 1)), preActivationRms: Math.sqrt(v), relu });
      q.set(layer.id, afterActivation(activationOf(layer), v));
      continue;
    }
    q.set(layer.id, afterActivation(activationOf(layer), input));
  }
  const outputId = graph.outputs[0];
  if (outputId === undefined || scales.length === 0) return undefined;
  // The output's logits: the pre-activation of the last weight layer on the way to the output.
  let id: string | undefined = outputId;
  const byId = byIdOf(graph);
  while (id !== undefined && !preActivation.has(id)) id = byId.get(id)?.inbound[0];
  if (id === undefined) return undefined;
  const outputScale = Math.sqrt(preActivation.get(id)!);
  return { outputScale, outputId: id, overscaled: scales.filter((s) => s.factor >= OVERSCALED_FACTOR), layers: scales };
}

/**
 * The initializers explode the signal: the predicted output scale is above `threshold` (default
 * EXPLODING_OUTPUT_SCALE) and at least one layer's initializer is over-scaled. Undefined otherwise.
 */
export function explodingInitializer(graph: ModelGraph, threshold: number = EXPLODING_OUTPUT_SCALE): InitScale | undefined {
  const scale = initializerScale(graph);
  return scale && !Number.isNaN(scale.outputScale) && scale.outputScale > threshold && scale.overscaled.length > 0 ? scale : undefined;
}
