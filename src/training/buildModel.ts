/**
 * Builds the tfjs model a ModelGraph describes. Worker side: the only place besides the worker
 * that touches tfjs. Each tfjs layer is named after its IR id, so statistics map back to lines.
 */
import { multiHeadAttention } from './multiHeadAttention';
import type * as tfjs from '@tensorflow/tfjs';
import { ACTIVATION_STAND_INS } from '../core/activations';
import { declaredInputShape } from '../core/graph';
import { isCallValue, isConfigObject, isUnknownValue, type ConfigValue, type LayerNode, type ModelGraph } from '../core/ir';
import { fastBatchNormalization } from './fastBatchNorm';
import { fastBidirectional, fastRecurrent } from './fastRecurrent';
import { deriveSeed, seedInitializers, withSeededRandom } from './seeding';

export type Tfjs = typeof tfjs;

/** How layers are built. */
export interface BuildOptions {
  /**
   * Batch norm and recurrent layers as Gradient Lens' cheaper equivalents (fastBatchNorm.ts,
   * fastRecurrent.ts: same weights, names and gradients, fewer ops); false builds tfjs' own, for
   * the benchmarks and tests that compare the two. Default true.
   */
  readonly fastLayers?: boolean;
}

/** tfjs layer types built by Gradient Lens' own equivalents when `fastLayers` is on. */
const FAST_LAYERS: Record<string, (tf: Tfjs, config: object) => tfjs.layers.Layer> = {
  batchNormalization: fastBatchNormalization,
  lstm: (tf, config) => fastRecurrent(tf, 'lstm', config),
  gru: (tf, config) => fastRecurrent(tf, 'gru', config),
  simpleRNN: (tf, config) => fastRecurrent(tf, 'simpleRNN', config),
  bidirectional: fastBidirectional,
};

export class ModelBuildError extends Error {
  constructor(
    message: string,
    readonly layerId?: string,
  ) {
    super(message);
    this.name = 'ModelBuildError';
  }
}

type Plain = number | string | boolean | null | Plain[] | { [key: string]: unknown } | object;

/** A namespace of tfjs factories by name (`tf.initializers`, `tf.layers`...). */
function factory(tf: Tfjs, path: string): ((...args: unknown[]) => unknown) | undefined {
  const [namespace, name] = path.split('.');
  if (!namespace || !name) return undefined;
  const table = (tf as unknown as Record<string, Record<string, unknown> | undefined>)[namespace];
  const fn = table?.[name];
  return typeof fn === 'function' ? (fn as (...args: unknown[]) => unknown).bind(table) : undefined;
}

const CONFIG_NAMESPACES = new Set(['initializers', 'regularizers', 'constraints', 'layers']);

/** Turns a config value into what tfjs expects: factory calls are made, unknowns are errors. */
export function toTfjsValue(tf: Tfjs, value: ConfigValue, where: string, layerId?: string): Plain {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => toTfjsValue(tf, v, where, layerId));
  if (isUnknownValue(value)) {
    throw new ModelBuildError(`${where}: \`${value.$unknown}\` is not a constant (${value.reason}); give it a value to train this model.`, layerId);
  }
  if (isCallValue(value)) {
    const namespace = value.$call.split('.')[0]!;
    const fn = CONFIG_NAMESPACES.has(namespace) ? factory(tf, value.$call) : undefined;
    if (!fn) throw new ModelBuildError(`${where}: \`tf.${value.$call}(...)\` is not something Gradient Lens can build.`, layerId);
    return fn(...value.args.map((arg) => toTfjsValue(tf, arg, where, layerId))) as Plain;
  }
  if (isConfigObject(value)) {
    const result: Record<string, Plain> = {};
    for (const [key, v] of Object.entries(value)) result[key] = toTfjsValue(tf, v, `${where}.${key}`, layerId);
    return result;
  }
  return value;
}

function layerConfig(tf: Tfjs, layer: LayerNode): Record<string, unknown> {
  const config = toTfjsValue(tf, layer.config, `\`${layer.id}\``, layer.id) as Record<string, unknown>;
  return { ...config, name: layer.id };
}

/**
 * A custom layer of the user's code cannot run here: an identity (`linear` activation, no
 * weights) or a fixed, untrained linear projection stands in for it, as the parser declared.
 */
function standIn(tf: Tfjs, layer: LayerNode): tfjs.layers.Layer {
  const custom = layer.custom!;
  if (custom.output === 'same') {
    // Several inputs of which the output keeps the first's shape (`return inputShape[0];`, e.g. a
    // VAE's sampling layer on [zMean, zLogVar]): their sum, so every input branch gets a gradient.
    return layer.inbound.length > 1 ? tf.layers.add({ name: layer.id }) : tf.layers.activation({ activation: 'linear', name: layer.id });
  }
  if (custom.output === 'last' && custom.lastDim) return tf.layers.dense({ units: custom.lastDim, useBias: false, trainable: false, name: layer.id });
  throw new ModelBuildError(`\`${layer.id}\`: the output shape of the custom layer \`${custom.className}\` is not known, so no stand-in can replace it.`, layer.id);
}

const activationLayers = new WeakMap<Tfjs, (activation: string, name: string) => tfjs.layers.Layer>();

/** A weightless layer applying an activation tfjs has no name for (see ACTIVATION_STAND_INS). */
function activationStandIn(tf: Tfjs, activation: string, name: string): tfjs.layers.Layer {
  let make = activationLayers.get(tf);
  if (!make) {
    class StandInActivation extends tf.layers.Layer {
      static readonly className = 'GradientLensStandInActivation';
      constructor(private readonly fn: string, config: { name: string }) {
        super(config);
      }
      override call(inputs: tfjs.Tensor | tfjs.Tensor[]): tfjs.Tensor {
        const x = Array.isArray(inputs) ? inputs[0]! : inputs;
        if (this.fn === 'exponential') return tf.exp(x);
        throw new Error(`no stand-in for the activation ${this.fn}`);
      }
    }
    make = (fn, layerName) => new StandInActivation(fn, { name: layerName });
    activationLayers.set(tf, make);
  }
  return make(activation, name);
}

/** True when `layer` reads a flat `[batch, n]` input (from the IR's inferred shapes). */
function readsFlatInput(graph: ModelGraph, layer: LayerNode): boolean {
  const from = layer.inbound[0];
  if (from === undefined) return declaredInputShape(layer)?.length === 1;
  return graph.layers.find((l) => l.id === from)?.outputShape?.length === 2;
}

/**
 * Batch norm as tfjs 4.22 can train it: over the last axis of an input of rank <= 4 (another
 * axis fails in its broadcast path; rank 5 is "not implemented"). The normalized axis is moved
 * last, higher ranks are folded into rank 4, then both are undone: same weights, same statistics
 * (the mean and variance are over every axis but the normalized one either way).
 */
function batchNormLayers(tf: Tfjs, layer: LayerNode, options: BuildOptions): tfjs.layers.Layer[] | undefined {
  const shape = layer.outputShape;
  const rank = shape?.length;
  if (layer.type !== 'batchNormalization' || !shape || !rank || rank <= 2) return undefined;
  const axis = ((typeof layer.config.axis === 'number' ? layer.config.axis : -1) + rank) % rank;
  const move = axis !== rank - 1 && axis > 0;
  const fold = rank > 4;
  if (!move && !fold) return undefined;
  const toLast = [...Array.from({ length: rank - 1 }, (_, i) => i + 1).filter((d) => d !== axis), axis];
  const back = Array.from({ length: rank - 1 }, (_, i) => toLast.indexOf(i + 1) + 1);
  const moved = toLast.map((d) => shape[d]);
  if (fold && moved.some((d) => typeof d !== 'number')) return undefined;
  const { inputShape, batchInputShape } = layer.config;
  const declared = toTfjsValue(tf, { ...(inputShape !== undefined ? { inputShape } : {}), ...(batchInputShape !== undefined ? { batchInputShape } : {}) }, `\`${layer.id}\``, layer.id) as object;
  const layers: tfjs.layers.Layer[] = [];
  const first = (): object => (layers.length ? {} : declared);
  if (move) layers.push(tf.layers.permute({ ...first(), dims: toLast, name: `${layer.id}_axis_last` }));
  const dims = moved as number[];
  if (fold) layers.push(tf.layers.reshape({ ...first(), targetShape: [dims.slice(0, -2).reduce((a, b) => a * b, 1), dims[dims.length - 2]!, dims[dims.length - 1]!], name: `${layer.id}_fold` }));
  layers.push(makeLayer(tf, { ...layer, config: { ...layer.config, axis: -1, inputShape: null, batchInputShape: null } }, options));
  if (fold) layers.push(tf.layers.reshape({ targetShape: dims, name: `${layer.id}_unfold` }));
  if (move) layers.push(tf.layers.permute({ dims: back, name: `${layer.id}_axis_back` }));
  return layers;
}

/** A size given as `n` or `[n]` (Keras/tfjs `kernelSize`, `dilationRate`), or undefined. */
function firstSize(value: ConfigValue | undefined, fallback?: number): number | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'number' ? first : value === undefined || value === null ? fallback : undefined;
}

/**
 * Keras' causal Conv1D (`padding='causal'`: WaveNet, the TF time-series course) as tfjs 4.22 can
 * run it: its conv1dWithBias throws "The support for CAUSAL padding mode ... is not implemented
 * yet" at the first step. Keras defines causal padding as (kernel size - 1) * dilation zeros
 * before the first time step, then a valid convolution (`Conv._compute_causal_padding`); tfjs has
 * no 1-D zero padding, so the sequence is padded as a [steps, 1, channels] image. Same weights,
 * same outputs; the convolution keeps the layer's name (its statistics are the layer's).
 */
function causalConv1dLayers(tf: Tfjs, layer: LayerNode, graph: ModelGraph, options: BuildOptions): tfjs.layers.Layer[] | undefined {
  if (layer.type !== 'conv1d' || layer.config.padding !== 'causal' || layer.config.dataFormat === 'channelsFirst') return undefined;
  const kernel = firstSize(layer.config.kernelSize);
  const dilation = firstSize(layer.config.dilationRate, 1);
  const from = layer.inbound[0];
  const inputShape = from === undefined ? declaredInputShape(layer) : graph.layers.find((l) => l.id === from)?.outputShape?.slice(1);
  const channels = inputShape?.[inputShape.length - 1];
  if (kernel === undefined || dilation === undefined || typeof channels !== 'number') return undefined;
  const { inputShape: declaredShape, batchInputShape } = layer.config;
  const declared = toTfjsValue(tf, { ...(declaredShape !== undefined ? { inputShape: declaredShape } : {}), ...(batchInputShape !== undefined ? { batchInputShape } : {}) }, `\`${layer.id}\``, layer.id) as object;
  return [
    tf.layers.reshape({ ...declared, targetShape: [-1, 1, channels], name: `${layer.id}_causal_2d` }),
    tf.layers.zeroPadding2d({ padding: [[(kernel - 1) * dilation, 0], [0, 0]], name: `${layer.id}_causal_pad` }),
    tf.layers.reshape({ targetShape: [-1, channels], name: `${layer.id}_causal_1d` }),
    makeLayer(tf, { ...layer, config: { ...layer.config, padding: 'valid', inputShape: null, batchInputShape: null } }, options),
  ];
}

/**
 * The layer, and the stand-in that applies its activation when tfjs has none of that name (or the
 * layers that stand for a batch norm / Flatten tfjs cannot train as written). With a seed, the
 * layer's random initializers get seeds derived from it and the layer's index.
 */
function makeLayers(tf: Tfjs, layer: LayerNode, graph: ModelGraph, index: number, seed: number | undefined, options: BuildOptions): tfjs.layers.Layer[] {
  const norm = batchNormLayers(tf, layer, options);
  if (norm) return norm;
  const causal = causalConv1dLayers(tf, layer, graph, options);
  if (causal) {
    if (seed !== undefined) seedInitializers(causal[causal.length - 1]!, deriveSeed(seed, index));
    return causal;
  }
  if (layer.type === 'flatten' && readsFlatInput(graph, layer)) {
    // Keras' Flatten on a flat input is a no-op; tfjs' rejects inputs under 3-D: an identity stands in.
    const { inputShape, batchInputShape } = layer.config;
    const declared = toTfjsValue(tf, { ...(inputShape !== undefined ? { inputShape } : {}), ...(batchInputShape !== undefined ? { batchInputShape } : {}) }, `\`${layer.id}\``, layer.id) as object;
    return [tf.layers.activation({ ...declared, activation: 'linear', name: layer.id })];
  }
  const activation = layer.activation;
  const made: tfjs.layers.Layer[] =
    activation && ACTIVATION_STAND_INS.has(activation) && !layer.custom
      ? [makeLayer(tf, { ...layer, config: { ...layer.config, activation: 'linear' } }, options), activationStandIn(tf, activation, `${layer.id}_${activation}`)]
      : [makeLayer(tf, layer, options)];
  if (seed !== undefined) seedInitializers(made[0]!, deriveSeed(seed, index));
  return made;
}

/**
 * The first line of a tfjs error: some run on with numbered hints about Python ports and
 * `registerClass` ("Unknown activation: re. This may be due to ...") that break the report's
 * one-line messages and do not apply to code read by the parser.
 */
function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/\s*This may be due to one of the following reasons:?\s*$/, '').trim();
}

function makeLayer(tf: Tfjs, layer: LayerNode, options: BuildOptions): tfjs.layers.Layer {
  if (layer.custom) return standIn(tf, layer);
  if (layer.type === 'multiHeadAttention') {
    // tfjs has none: Keras' math and weights (multiHeadAttention.ts).
    const c = layer.config;
    const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
    if (num(c.numHeads) === undefined || num(c.keyDim) === undefined) throw new ModelBuildError(`\`${layer.id}\`: \`num_heads\` and \`key_dim\` must be known to train MultiHeadAttention.`, layer.id);
    return multiHeadAttention(tf, {
      name: layer.id, numHeads: num(c.numHeads)!, keyDim: num(c.keyDim)!,
      ...(num(c.valueDim) !== undefined ? { valueDim: num(c.valueDim)! } : {}),
      ...(typeof c.useBias === 'boolean' ? { useBias: c.useBias } : {}),
      ...(num(c.attentionOutputShape) !== undefined ? { attentionOutputShape: num(c.attentionOutputShape)! } : {}),
    });
  }
  const fast = options.fastLayers !== false && layer.known ? FAST_LAYERS[layer.type] : undefined;
  const make = fast ? (config: unknown) => fast(tf, config as object) : layer.known ? factory(tf, `layers.${layer.type}`) : undefined;
  if (!make) throw new ModelBuildError(`\`${layer.id}\`: \`tf.layers.${layer.type}\` is not a tfjs layer, so the model cannot be trained here.`, layer.id);
  try {
    return make(layerConfig(tf, layer)) as tfjs.layers.Layer;
  } catch (error) {
    if (error instanceof ModelBuildError) throw error;
    throw new ModelBuildError(`\`${layer.id}\`: tfjs rejected the config: ${firstLine(error instanceof Error ? error.message : String(error))}`, layer.id);
  }
}

/**
 * Builds a fresh, uncompiled tfjs model for `graph`. Throws ModelBuildError with the layer at
 * fault. With `seed`, the weights are the same on every build with that seed: each layer's
 * random initializers are seeded from (seed, layer index), and any draw tfjs makes without a
 * seed while building comes from a generator seeded the same way (see seeding.ts).
 */
export function buildModel(tf: Tfjs, graph: ModelGraph, seed?: number, options: BuildOptions = {}): tfjs.LayersModel {
  return seed === undefined ? buildUnseeded(tf, graph, undefined, options) : withSeededRandom(deriveSeed(seed, 0x5eed), () => buildUnseeded(tf, graph, seed, options));
}

function buildUnseeded(tf: Tfjs, graph: ModelGraph, seed: number | undefined, options: BuildOptions): tfjs.LayersModel {
  if (graph.kind === 'sequential') {
    const model = tf.sequential({ name: 'model' });
    for (const [index, layer] of graph.layers.entries()) {
      const built = makeLayers(tf, layer, graph, index, seed, options);
      try {
        for (const part of built) model.add(part);
      } catch (error) {
        throw new ModelBuildError(`\`${layer.id}\`: ${error instanceof Error ? error.message : String(error)}`, layer.id);
      }
    }
    return model;
  }
  // A layer's outputs: one tensor, or several for an RNN with `returnState` (output, states...).
  const tensors = new Map<string, tfjs.SymbolicTensor | tfjs.SymbolicTensor[]>();
  const output = (id: string, index = 0): tfjs.SymbolicTensor | undefined => {
    const value = tensors.get(id);
    return Array.isArray(value) ? value[index] : index === 0 ? value : undefined;
  };
  for (const [index, layer] of graph.layers.entries()) {
    if (layer.type === 'inputLayer') {
      const config = layerConfig(tf, layer);
      const shape = config.shape ?? config.inputShape;
      tensors.set(layer.id, tf.input({ ...(config as object), ...(shape ? { shape: shape as number[] } : {}), name: layer.id } as Parameters<Tfjs['input']>[0]));
      continue;
    }
    const inbound = layer.inbound.map((id, i) => output(id, layer.inboundOutputs?.[i] ?? 0));
    if (inbound.some((t) => !t)) throw new ModelBuildError(`\`${layer.id}\`: an input of this layer could not be built.`, layer.id);
    const [built, ...after] = makeLayers(tf, layer, graph, index, seed, options);
    try {
      const input = inbound.length === 1 && layer.type !== 'multiHeadAttention' && !['add', 'concatenate', 'multiply', 'average', 'maximum', 'minimum', 'dot'].includes(layer.type) ? inbound[0]! : (inbound as tfjs.SymbolicTensor[]);
      let applied = built!.apply(input) as tfjs.SymbolicTensor | tfjs.SymbolicTensor[];
      for (const part of after) applied = part.apply(applied) as tfjs.SymbolicTensor;
      tensors.set(layer.id, applied);
    } catch (error) {
      throw new ModelBuildError(`\`${layer.id}\`: ${error instanceof Error ? error.message : String(error)}`, layer.id);
    }
  }
  const pick = (ids: readonly string[]): tfjs.SymbolicTensor[] => ids.map((id) => output(id)!).filter(Boolean);
  try {
    return tf.model({ inputs: pick(graph.inputs), outputs: pick(graph.outputs), name: 'model' });
  } catch (error) {
    throw new ModelBuildError(`The model could not be assembled: ${error instanceof Error ? error.message : String(error)}`);
  }
}
