/**
 * Graph helpers both front ends share: the nodes of a functional model in order, the input
 * shape a first layer declares, and the shape checks that finish a parsed model.
 */
import { isUnknownValue, type ConfigValue, type LayerNode, type ModelGraph, type ParseProblem, type Shape, type SourceRange } from './ir';
import { unknownActivation } from './activations';
import { layerNameStem } from './parse/tfjsApi';
import { inferShapes } from './shapeInference';

/** Every node that reaches `outputs`, in creation order (a topological order). */
export function nodesReaching<N extends { readonly inbound: readonly N[]; readonly order: number }>(outputs: readonly N[]): N[] {
  const seen = new Set<N>();
  const stack = [...outputs];
  while (stack.length) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    stack.push(...node.inbound);
  }
  return [...seen].sort((a, b) => a.order - b.order);
}

function shapeOf(value: ConfigValue | undefined): Shape | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.every((d) => typeof d === 'number' || d === null) ? (value as (number | null)[]) : undefined;
}

/** The input shape (without batch) a layer config declares, as tfjs reads it. */
export function declaredInputShape(layer: LayerNode): Shape | undefined {
  const c = layer.config;
  if (layer.type === 'inputLayer') {
    return shapeOf(c.shape) ?? shapeOf(c.inputShape) ?? shapeOf(c.batchShape)?.slice(1) ?? shapeOf(c.batchInputShape)?.slice(1);
  }
  const direct = shapeOf(c.inputShape) ?? shapeOf(c.batchInputShape)?.slice(1);
  if (direct) return direct;
  if (typeof c.inputDim === 'number') {
    if (layer.type === 'embedding') return [typeof c.inputLength === 'number' ? c.inputLength : null];
    return [c.inputDim];
  }
  return undefined;
}

function containsUnknown(value: ConfigValue): boolean {
  if (isUnknownValue(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  return false;
}

type Report = (message: string, range: SourceRange, severity?: ParseProblem['severity']) => void;

/**
 * Infers shapes and reports their problems; false (with a problem) when the model has no
 * layers, so the caller drops it. A layer whose config holds an unknown was reported already.
 */
export function finishGraph(graph: ModelGraph, report: Report): boolean {
  if (graph.layers.length === 0) {
    report(`Model \`${graph.name}\` has no layers the parser could find.`, graph.range, 'info');
    return false;
  }
  for (const problem of inferShapes(graph)) {
    const layer = graph.layers.find((l) => l.id === problem.layerId)!;
    if (Object.values(layer.config).some(containsUnknown)) continue;
    report(problem.message, layer.range, 'warning');
  }
  return true;
}

/**
 * Keras-style layer ids for one model: the config's `name` when it is free, else
 * `dense_1`, `dense_2`... per type, skipping ids already taken.
 */
export function layerIds(): (type: string, configName: unknown) => string {
  const counters = new Map<string, number>();
  const used = new Set<string>();
  return (type, configName) => {
    let id: string;
    if (typeof configName === 'string' && !used.has(configName)) {
      id = configName;
    } else {
      const stem = layerNameStem(type);
      do {
        const n = (counters.get(stem) ?? 0) + 1;
        counters.set(stem, n);
        id = `${stem}_${n}`;
      } while (used.has(id));
    }
    used.add(id);
    return id;
  };
}

/**
 * Why a model that parsed cannot be trained, in the product's words (tfjs would say it about
 * tensors): a dimension that is not a positive integer, or no trainable weight at all (a model
 * that is only an input). Undefined when nothing stands in the way.
 */
export function trainingBlocker(graph: ModelGraph): string | undefined {
  // A window that does not fit its input (tfjs would build a negative size: on wasm, "memory
  // access out of bounds"), found on a copy so the graph's shapes stay as they are.
  const misfit = inferShapes({ layers: graph.layers.map((l) => ({ ...l, config: { ...l.config } })) } as unknown as ModelGraph).find((p) => /does not fit the input/.test(p.message));
  if (misfit) return `${misfit.message.replace(/\.$/, '')}, so \`${graph.name}\` cannot be built or trained.`;
  for (const layer of graph.layers) {
    const shapes = [layer.outputShape, ...(Array.isArray(layer.config.inputShape) ? [[null, ...layer.config.inputShape]] : [])];
    for (const shape of shapes) {
      const bad = shape?.slice(1).find((d) => typeof d === 'number' && !(d > 0));
      if (bad !== undefined) return `\`${layer.id}\` has a dimension of ${bad}; every dimension must be a positive integer, so \`${graph.name}\` cannot be built or trained.`;
    }
    const activation = layer.custom ? undefined : unknownActivation(layer.config);
    if (activation) {
      return `\`${layer.id}\` has \`${activation.key}: '${activation.value}'\`, which tfjs does not know${activation.near ? ` (did you mean '${activation.near}'?)` : ''}, so \`${graph.name}\` cannot be built or trained.`;
    }
    for (const key of ['units', 'filters', 'kernelSize', 'poolSize', 'strides', 'rate', 'outputDim', 'inputDim']) {
      const value = layer.config[key];
      const values = Array.isArray(value) ? value : [value];
      if (key !== 'rate' && values.some((v) => typeof v === 'number' && !(v > 0))) {
        return `\`${layer.id}\` has \`${key}: ${JSON.stringify(value)}\`; it must be a positive integer, so \`${graph.name}\` cannot be built or trained.`;
      }
    }
  }
  if (graph.params === 0 || graph.layers.every((l) => l.type === 'inputLayer')) {
    return `\`${graph.name}\` has no trainable weights (${graph.layers.every((l) => l.type === 'inputLayer') ? 'it is only an input' : 'only weightless layers'}), so there is no gradient to measure.`;
  }
  return undefined;
}

/** Keys a layer declares its input with (Keras and tfjs spellings as the IR holds them). */
const FREE_LENGTH_INPUT_KEYS = ['inputShape', 'batchInputShape', 'inputDim', 'batchShape', 'shape'];

/** Steps a free time axis (`input_shape=(None, 3)`) runs with, and free image sides. */
const FREE_TIME_STEPS = 20;
const FREE_IMAGE_SIDE = 32;
/**
 * Longer lengths tried, in order, when the model's convolutions and pooling do not fit the
 * first (`Conv1D(128, 7, strides=3)` twice needs more than 20 steps): the shortest that fits.
 */
const LONGER_FREE_LENGTHS = [64, 128, 256, 512, 1024];

/**
 * True when a free length of `length` (time steps, or image sides) fits every convolution and
 * pooling window of `layers` (shape inference says no "does not fit" on a copy of the graph).
 */
function freeLengthFits(layer: LayerNode, layers: readonly LayerNode[], key: string, shape: readonly ConfigValue[], offset: number, freeLast: boolean, length: number): boolean {
  const dims = shape.slice(offset);
  const probe = { ...layer, config: { ...layer.config, [key]: [...shape.slice(0, offset), ...dims.map((d, i) => (d === null && (i < dims.length - 1 || freeLast) ? length : d))] } };
  const copies = layers.map((l) => (l.id === layer.id ? probe : { ...l, config: { ...l.config } }));
  if (!copies.includes(probe)) copies.unshift(probe);
  return !inferShapes({ layers: copies } as unknown as ModelGraph).some((p) => /does not fit the input/.test(p.message));
}

/**
 * A free dimension in a declared input shape (Keras `(None, 3)`, tfjs `[null, 3]`) trains with a
 * chosen length, said on the layer: the gradients of a recurrent or convolutional stack do not
 * depend on which length is picked beyond its size, and tfjs needs one to make data. The last
 * axis is the features' and stays as declared, except for an input of token ids (`shape=(None,)`
 * read by an `Embedding` among `layers`, Keras' variable-length text input): there it is the time axis.
 */
export function chooseFreeLengths(layer: LayerNode | undefined, report: Report, layers: readonly LayerNode[] = []): void {
  if (!layer) return;
  const tokenIds = layers.some((l) => l.type === 'embedding' && l.inbound.includes(layer.id));
  const config = layer.config as Record<string, ConfigValue>;
  for (const key of ['inputShape', 'shape', 'batchInputShape', 'batchShape']) {
    const shape = layer.config[key];
    if (!Array.isArray(shape)) continue;
    const offset = key.startsWith('batch') ? 1 : 0;
    const dims = shape.slice(offset);
    if (!dims.some((d) => d === null) || !dims.every((d) => d === null || typeof d === 'number')) continue;
    const image = dims.length === 3;
    const lastIsTime = tokenIds && dims.length === 1;
    const first = image ? FREE_IMAGE_SIDE : FREE_TIME_STEPS;
    const length = layers.length === 0 || freeLengthFits(layer, layers, key, shape, offset, lastIsTime, first)
      ? first
      : LONGER_FREE_LENGTHS.find((n) => n > first && freeLengthFits(layer, layers, key, shape, offset, lastIsTime, n)) ?? first;
    config[key] = [...shape.slice(0, offset), ...dims.map((d, i) => (d === null && (i < dims.length - 1 || lastIsTime) ? length : d))];
    if (String(config[key]!) !== shape.toString()) {
      report(`\`${layer.id}\`: the input's ${image ? 'height and width are' : 'time axis is'} free (\`None\` / \`null\`); the run uses ${length}${image ? `x${length}` : ' steps'}.`, layer.range, 'info');
    }
  }
  const declared = FREE_LENGTH_INPUT_KEYS.some((k) => k !== 'inputDim' && layer.config[k] !== undefined && layer.config[k] !== null);
  if (layer.type === 'embedding' && !declared && (layer.config.inputLength === null || layer.config.inputLength === undefined)) {
    config.inputLength = FREE_TIME_STEPS;
    report(`\`${layer.id}\`: \`input_length\` is free (None or not given); the run uses ${FREE_TIME_STEPS} steps.`, layer.range, 'info');
  }
}

/**
 * The layers as tfjs lists them (`model.layers`): a model used as a layer is ONE entry, named
 * after it (`partOf`), where the graph lists its layers one by one to measure each. Own layers
 * keep their ids; order is first appearance. `graph.layers.length` when nothing is nested.
 */
export function tfjsLayerNames(graph: { readonly layers: readonly { readonly id: string; readonly partOf?: string }[] }): string[] {
  const names: string[] = [];
  const nested = new Set<string>();
  for (const layer of graph.layers) {
    if (layer.partOf === undefined) names.push(layer.id);
    else if (!nested.has(layer.partOf)) {
      nested.add(layer.partOf);
      names.push(layer.partOf);
    }
  }
  return names;
}

/**
 * The batch a stateful RNN fixes (tfjs and Keras require it: `batchInputShape: [512, 60, 256]`
 * / `batch_input_shape=(50, 12, 1)` on the first layer, or `batchSize` / `batch_size=` /
 * `batch_shape=` on the input), which the run must use; undefined when no layer is stateful.
 */
export function statefulBatch(layers: readonly LayerNode[]): number | undefined {
  if (!layers.some((l) => l.config.stateful === true)) return undefined;
  for (const layer of layers) {
    if (layer.inbound.length) continue;
    const c = layer.config;
    const shape = Array.isArray(c.batchInputShape) ? c.batchInputShape : Array.isArray(c.batchShape) ? c.batchShape : undefined;
    const batch = shape?.[0] ?? c.batchSize;
    if (typeof batch === 'number' && batch > 0) return batch;
  }
  return undefined;
}
