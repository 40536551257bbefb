/** Turns the interpreter's model values into the plain ModelGraph IR. */
import { chooseFreeLengths, declaredInputShape, layerIds, statefulBatch } from '../graph';
import { consumerType, holeRole, holeSuggestion, imageSideFor, inputShapeDecider, optimizerArgument } from '../holes';
import { LAYER_FACTORIES } from './tfjsApi';
import { unknownActivation } from '../activations';
import type {
  CompileInfo,
  Hole,
  ConfigObject,
  ConfigValue,
  LayerNode,
  ModelGraph,
  ParseProblem,
  PropertyRange,
  SourceRange,
} from '../ir';
import {
  FactoryCall,
  FunctionalModel,
  FunctionValue,
  type GraphNode,
  functionalNodes,
  LayerValue,
  type ModelValue,
  Namespace,
  NO_INPUT_SHAPE,
  NativeFunction,
  ObjectValue,
  TensorValue,
  Unknown,
  type Value,
  isModel,
} from './values';

type Report = (message: string, range: SourceRange, severity?: ParseProblem['severity']) => void;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Converts an interpreter value to a config value; unknowns are reported at `range` with `key`. */
export function toConfigValue(value: Value, key: string, range: SourceRange | undefined, report: Report): ConfigValue {
  if (value === undefined) return null;
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((item) => toConfigValue(item, key, range, report));
  if (value instanceof ObjectValue) return toConfigObject(value, report, range);
  if (value instanceof FactoryCall) {
    return { $call: value.callee, args: value.args.map((arg) => toConfigValue(arg, key, range, report)) };
  }
  if (value instanceof LayerValue) {
    return { $call: `layers.${value.type}`, args: value.config ? [toConfigObject(value.config, report)] : [] };
  }
  if (value instanceof Unknown) {
    // A named hole is shown where it comes from (and filled there); its uses are only noted.
    if (range && value.reason !== NO_INPUT_SHAPE) report(`${key}: \`${value.text}\` is not a constant (${value.reason}).`, range, value.hole ? 'info' : 'warning');
    return { $unknown: value.text, reason: value.reason, ...(value.hole ? { hole: value.hole.name } : {}) };
  }
  const what =
    value instanceof Namespace ? `tf.${value.path.join('.')}` :
    value instanceof FunctionValue || value instanceof NativeFunction ? 'a function' :
    value instanceof TensorValue ? 'a symbolic tensor' :
    isModel(value) ? 'a model' : 'a value';
  const reason = `${what} cannot be used as a config value here`;
  if (range) report(`${key}: ${reason}.`, range);
  return { $unknown: what, reason };
}

function toConfigObject(object: ObjectValue, report: Report, fallbackRange?: SourceRange): ConfigObject {
  const result: Record<string, ConfigValue> = {};
  for (const [key, value] of object.props) {
    if (value === undefined) continue;
    // A constant is itself (toConfigValue's first case): its range is looked up only for the rest.
    if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') result[key] = value;
    else result[key] = toConfigValue(value, key, object.ranges.get(key)?.value ?? fallbackRange, report);
  }
  return result;
}

function rangesOf(object: ObjectValue | undefined): Record<string, PropertyRange> {
  if (!object) return {};
  // A loop: `Object.fromEntries` of a Map was 4x slower (every layer of every model asks).
  const ranges: Record<string, PropertyRange> = {};
  for (const [key, range] of object.ranges) {
    // An own `__proto__` key, as `Object.fromEntries` defines it (an assignment would set the prototype).
    if (key === '__proto__') return Object.fromEntries(object.ranges);
    ranges[key] = range;
  }
  return ranges;
}



/** Layer names tfjs-layers accepts (`tensorNameRegex`, tfjs-layers src/common.ts). */
const TFJS_LAYER_NAME = /^[A-Za-z0-9][-A-Za-z0-9._/]*$/;

/** Builds the IR for one model. Layer ids are Keras-style names, unique within the model. */
export function toModelGraph(model: ModelValue, name: string, report: Report, nameOf: (model: ModelValue) => string = (m) => m.name ?? 'model'): ModelGraph {
  const nodes = model instanceof FunctionalModel ? functionalNodes(model) : sequentialNodes(model.layers);
  const nextId = layerIds();
  const ids = new Map<GraphNode, string>();
  const layers: LayerNode[] = [];
  for (const node of nodes) {
    const layer = node.layer;
    const id = nextId(layer.type, layer.config?.props.get('name'));
    ids.set(node, id);
    if (id === layer.config?.props.get('name') && !TFJS_LAYER_NAME.test(id)) {
      // tfjs-layers' `isValidTensorName`; the worker measures such a layer under an alias (tensorNames.ts).
      report(`tfjs refuses the layer name \`${id}\` (it allows ${TFJS_LAYER_NAME.source}): your code throws "Not a valid tensor name" when it builds this model; Gradient Lens measures it under another name.`, layer.config.ranges.get('name')?.value ?? layer.range, 'warning');
    }
    if (layer.custom) {
      const standIn =
        layer.custom.output === 'same' ? 'an identity stand-in (no weights; the sum of its inputs when it takes several)' :
        layer.custom.output === 'last' ? `a fixed linear projection to ${layer.custom.lastDim} (not trained)` : undefined;
      report(
        standIn
          ? `\`${layer.type}\` is a custom layer: the parser does not read its \`call\`; training measures the model with ${standIn} in its place.`
          : `\`${layer.type}\` is a custom layer whose \`computeOutputShape\` the parser cannot read; write it as \`return inputShape;\` or \`return [inputShape[0], N];\` to train the model.`,
        layer.range,
        standIn ? 'info' : 'warning',
      );
    } else if (!layer.known) {
      const near = nearestLayerName(layer.type);
      report(`\`layers.${layer.type}\` is not a tfjs layer the parser knows${near ? ` (a typo for \`layers.${near}\`?)` : ''}; it is kept as an opaque layer.`, layer.range, 'warning');
    }
    const read = layer.config ? toConfigObject(layer.config, report, layer.range) : {};
    // `read` is this layer's own new object: kept as it is, unless a `__proto__` key gave it
    // another prototype (then a plain copy, as every config was copied before).
    const config: Record<string, ConfigValue> = Object.getPrototypeOf(read) === Object.prototype ? read : { ...read };
    // tfjs prepends the batch with `[null].concat(inputShape)`, so `inputShape: 2` is [2] there:
    // the model trains as written, and is read so.
    const { inputShape, shape } = read;
    if (typeof inputShape === 'number') config.inputShape = [inputShape];
    if (typeof shape === 'number') config.shape = [shape];
    const activation = typeof config.activation === 'string' ? config.activation : undefined;
    const unknown = layer.custom ? undefined : unknownActivation(config);
    if (unknown) {
      // tfjs throws "Unknown activation" when this layer is built: said where it is written.
      report(`tfjs has no \`${unknown.value}\` activation${unknown.near ? ` (did you mean \`${unknown.near}\`?)` : ''}; the layer cannot be built as written.`, layer.config?.ranges.get(unknown.key)?.value ?? layer.range, 'warning');
    }
    // Keys set in this order, each optional one only when present (as the IR's JSON has them);
    // assignments, not spreads of small objects (a copy each, for every layer of every model).
    // (`range` and `inbound`, required, are set below in their places.)
    const entry = { id, type: layer.type, known: layer.known, config, configRanges: rangesOf(layer.config) } as Mutable<LayerNode>;
    if (layer.config?.literal) entry.configRange = layer.config.literal;
    entry.range = layer.range;
    if (layer.iteration) entry.iteration = layer.iteration;
    entry.inbound = node.inbound.map((inbound) => ids.get(inbound)!);
    if (node.inboundIndex) entry.inboundOutputs = node.inboundIndex;
    if (layer.partOf?.length) entry.partOf = nameOf(layer.partOf[0]!);
    if (layer.partOf && layer.partOf.length > 1) entry.partOfPath = layer.partOf.map(nameOf);
    if (layer.custom) entry.custom = layer.custom;
    if (activation !== undefined) entry.activation = activation;
    layers.push(entry);
  }
  const idOf = (tensor: TensorValue): string | undefined => (tensor.index === 0 ? ids.get(tensor.node) : undefined);
  const inputs =
    model instanceof FunctionalModel
      ? model.inputs.map(idOf).filter((id): id is string => !!id)
      : layers.length ? [layers[0]!.id] : [];
  const outputs =
    model instanceof FunctionalModel
      ? model.outputs.map(idOf).filter((id): id is string => !!id)
      : layers.length ? [layers[layers.length - 1]!.id] : [];
  const holes: Hole[] = [];
  for (const node of nodes) {
    const id = ids.get(node)!;
    // An input layer's shape is judged by the layer that reads it (an image shape for a conv2d).
    const type = node.layer.type === 'inputLayer' ? consumerType({ layers }, id) ?? 'inputLayer' : node.layer.type;
    // A Sequential's first layer that keeps shapes (a dropout) leaves the input's rank to the next.
    const shapeType = model instanceof FunctionalModel || node !== nodes[0] ? type : inputShapeDecider(layers) ?? type;
    if (node.layer.config) collectHoles(node.layer.config, type, id, holes, shapeType);
  }
  if (model.compile?.args) collectHoles(model.compile.args, 'compile', 'compile', holes);
  // MNIST's 28 for an image size is too small for a deep conv stack (five 2x2 poolings need 32).
  const side = holes.some((h) => h.suggestion === '28' || h.suggestion === '[28, 28, 1]') ? imageSideFor(layers) : 28;
  if (side !== 28) {
    for (const [i, hole] of holes.entries()) {
      if (hole.suggestion === '28') holes[i] = { ...hole, suggestion: String(side) };
      else if (hole.suggestion === '[28, 28, 1]') holes[i] = { ...hole, suggestion: `[${side}, ${side}, 1]` };
    }
  }
  for (const id of inputs) chooseFreeLengths(layers.find((l) => l.id === id), report, layers);
  const firstInput = layers.find((layer) => layer.id === inputs[0]);
  const inputShape = firstInput ? declaredInputShape(firstInput) : undefined;
  const batchSize = statefulBatch(layers);
  if (batchSize) report(`A stateful recurrent layer fixes the batch: the run uses batches of ${batchSize}, as the model declares.`, model.range, 'info');
  return {
    name,
    kind: model instanceof FunctionalModel ? 'functional' : 'sequential',
    range: model.range,
    layers,
    inputs,
    outputs,
    ...(inputShape ? { inputShape } : {}),
    ...(model.compile ? { compile: toCompileInfo(model.compile.args, model.compile.range, report) } : {}),
    ...(holes.length ? { holes } : {}),
    ...(batchSize !== undefined ? { batchSize } : {}),
  };
}

/** Every named unknown in a config, with the role its place gives it. */
function collectHoles(config: ObjectValue, layerType: string, owner: string, into: Hole[], shapeType = layerType): void {
  // `roleKey` is the innermost key: `stddev` inside `kernelInitializer: randomNormal({stddev})`.
  const visit = (value: Value, key: string, roleKey: string, index?: number, length?: number): void => {
    if (value instanceof Unknown) {
      if (!value.hole) return;
      const role = holeRole(layerType, roleKey, index, length);
      into.push({ name: value.hole.name, role, range: value.hole.range, usedBy: [`${owner}.${key}`], suggestion: holeSuggestion(role, role === 'input shape' || role === 'input dim' ? shapeType : layerType) });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, key, roleKey, i, value.length));
    } else if (value instanceof FactoryCall) {
      value.args.forEach((arg, i) => {
        // `tf.train.adam(lr, beta1)`: each argument's role and default come from the optimizer.
        const optimizer = optimizerArgument(value.callee, i);
        if (optimizer && arg instanceof Unknown && arg.hole) {
          into.push({ name: arg.hole.name, role: optimizer.role, range: arg.hole.range, usedBy: [`${owner}.${key}`], suggestion: optimizer.suggestion, defaultOf: optimizer.defaultOf });
        } else {
          visit(arg, key, '');
        }
      });
    } else if (value instanceof ObjectValue) {
      for (const [inner, item] of value.props) visit(item, key, inner);
    } else if (value instanceof LayerValue && value.config) {
      // A wrapper's inner layer (`timeDistributed({layer: dense({units: n})})`): its holes have
      // the inner layer's roles (`n` is a dense's units), used by `wrapper.layer.units`.
      collectHoles(value.config, value.type, `${owner}.${key}`, into);
    }
  };
  for (const [key, value] of config.props) visit(value, key, key);
}

/**
 * tfjs loss functions passed by reference (`loss: tf.losses.meanSquaredError`, as in the tfjs
 * "2D data" tutorial, or `tf.metrics.binaryCrossentropy`) -> the loss string `compile` takes for
 * the same computation. `softmaxCrossEntropy` / `sigmoidCrossEntropy` take logits, which
 * `lossFromLogits` (labels.ts) reads from the written text. Others (`huberLoss`,
 * `cosineDistance`, which needs an axis) have no string twin: they are custom losses here.
 */
const TFJS_LOSS_FUNCTIONS: Readonly<Record<string, string>> = {
  'losses.meanSquaredError': 'meanSquaredError',
  'losses.absoluteDifference': 'meanAbsoluteError',
  'losses.logLoss': 'binaryCrossentropy',
  'losses.sigmoidCrossEntropy': 'binaryCrossentropy',
  'losses.softmaxCrossEntropy': 'categoricalCrossentropy',
  'losses.hingeLoss': 'hinge',
  'metrics.meanSquaredError': 'meanSquaredError',
  'metrics.MSE': 'meanSquaredError',
  'metrics.mse': 'meanSquaredError',
  'metrics.meanAbsoluteError': 'meanAbsoluteError',
  'metrics.MAE': 'meanAbsoluteError',
  'metrics.mae': 'meanAbsoluteError',
  'metrics.meanAbsolutePercentageError': 'meanAbsolutePercentageError',
  'metrics.MAPE': 'meanAbsolutePercentageError',
  'metrics.mape': 'meanAbsolutePercentageError',
  'metrics.binaryCrossentropy': 'binaryCrossentropy',
  'metrics.categoricalCrossentropy': 'categoricalCrossentropy',
  'metrics.sparseCategoricalCrossentropy': 'sparseCategoricalCrossentropy',
  'metrics.cosineProximity': 'cosineProximity',
};

/**
 * The compile call's `loss` (one value or a list, one per output): tfjs loss functions become
 * their loss strings; a function of the user's code (or a tfjs one without a string twin) is
 * said to be replaced by mean squared error, which the run then uses (measure.ts `lossNames`).
 */
function toLossValue(value: Value, range: SourceRange, report: Report): ConfigValue {
  if (Array.isArray(value)) return value.map((item) => toLossValue(item, range, report));
  if (value instanceof Namespace) {
    const known = TFJS_LOSS_FUNCTIONS[value.path.join('.')];
    if (known) return known;
  }
  if (value instanceof FunctionValue || value instanceof NativeFunction || value instanceof Namespace) {
    // A function written in the compile call itself has only the property's name: say "function".
    const inline = value instanceof FunctionValue && value.declaration.getStart() >= range.start && value.declaration.end <= range.end;
    const name = value instanceof Namespace ? `tf.${value.path.join('.')}` : inline || !value.name ? '' : value.name;
    const reason = 'custom loss functions are not evaluated';
    report(`Custom loss ${name ? `\`${name}\`` : 'function'} is not evaluated; training uses mean squared error instead.`, range, 'warning');
    return { $unknown: name || 'a function', reason };
  }
  return toConfigValue(value, 'loss', range, report);
}

function toCompileInfo(args: ObjectValue | undefined, range: SourceRange, report: Report): CompileInfo {
  const value = (key: string): ConfigValue | undefined =>
    args?.props.has(key) ? toConfigValue(args.props.get(key), key, args.ranges.get(key)?.value ?? range, report) : undefined;
  const optimizer = value('optimizer');
  const loss = args?.props.has('loss') ? toLossValue(args.props.get('loss'), args.ranges.get('loss')?.value ?? range, report) : undefined;
  const metrics = value('metrics');
  return {
    range,
    configRanges: rangesOf(args),
    ...(args?.literal ? { configRange: args.literal } : {}),
    ...(optimizer !== undefined ? { optimizer } : {}),
    ...(loss !== undefined ? { loss } : {}),
    ...(metrics !== undefined ? { metrics } : {}),
  };
}

function sequentialNodes(layers: readonly LayerValue[]): GraphNode[] {
  const nodes: GraphNode[] = [];
  layers.forEach((layer, order) => {
    nodes.push({ layer, inbound: nodes.length ? [nodes[nodes.length - 1]!] : [], order });
  });
  return nodes;
}

/**
 * The tfjs layer factory `type` is most likely a typo of (`fatten` -> `flatten`, `Dense` ->
 * `dense`): case aside, at most 1 edit (2 for names of 6 letters or more; Levenshtein) away and closer than any other; undefined
 * when there is none or a tie.
 */
export function nearestLayerName(type: string): string | undefined {
  const wanted = type.toLowerCase();
  // Short names are a few edits from many others: one edit for them, two from 6 letters.
  const allowed = wanted.length >= 6 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = 3;
  let tie = false;
  for (const name of LAYER_FACTORIES) {
    // Capped one past the best so far: a tie is told from "no closer".
    const distance = editDistance(wanted, name.toLowerCase(), bestDistance + 1);
    if (distance > allowed) continue;
    if (distance < bestDistance) [best, bestDistance, tie] = [name, distance, false];
    else if (distance === bestDistance && best !== undefined) tie = true;
  }
  return tie ? undefined : best;
}

/** Levenshtein distance of `a` and `b`, or `limit` when it is `limit` or more. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    if (Math.min(...current) >= limit) return limit;
    previous = current;
  }
  return Math.min(previous[b.length]!, limit);
}
