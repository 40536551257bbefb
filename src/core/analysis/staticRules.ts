/**
 * Static rules: predictions from the code alone, run on every edit. Each is worded as a risk
 * and must not contradict measurement (tanh with Glorot init at 11 layers is not "vanishing").
 */
import { isCallValue, isConfigObject, type ConfigValue, type LayerNode, type ModelGraph } from '../ir';
import type { FixCode } from '../fixes/codes';
import { activationOf, KERNEL_LAYERS, RELU_FAMILY } from '../layerKinds';
import type { Finding } from './findings';
import { outputFindings } from './outputRules';

export interface StaticThresholds {
  /** Hidden sigmoid-like layers (sigmoid, hardSigmoid, softsign) in one model before vanishing is predicted. */
  readonly saturatingDepth: number;
  /** Time steps from which a simpleRNN is flagged. */
  readonly longSequenceSteps: number;
  /** Weight layers in a plain stack (no normalization, no skip path) before it is pointed out. */
  readonly plainDepth: number;
  /** Predicted growth of the signal through a stack (product of per-layer gains) that is called exploding. */
  readonly explodingGain: number;
  /** Predicted shrinkage through a ReLU stack that is called an initializer mismatch. */
  readonly shrinkingGain: number;
}

export const DEFAULT_STATIC_THRESHOLDS: StaticThresholds = {
  saturatingDepth: 4,
  longSequenceSteps: 100,
  plainDepth: 16,
  explodingGain: 100,
  shrinkingGain: 0.01,
};

const SIGMOID_LIKE = new Set(['sigmoid', 'hardSigmoid', 'softsign']);
const HE_INITIALIZERS = new Set(['heNormal', 'heUniform']);

interface GraphIndex {
  readonly byId: ReadonlyMap<string, LayerNode>;
  /** Layers reading each layer's output. */
  readonly consumers: ReadonlyMap<string, readonly LayerNode[]>;
}

/** Lookups by id built once per graph, so the rules stay linear in the layer count. */
const indexes = new WeakMap<ModelGraph, GraphIndex>();
function indexOf(graph: ModelGraph): GraphIndex {
  let index = indexes.get(graph);
  if (!index) {
    const byId = new Map<string, LayerNode>();
    const consumers = new Map<string, LayerNode[]>();
    for (const layer of graph.layers) {
      if (!byId.has(layer.id)) byId.set(layer.id, layer);
      for (const id of new Set(layer.inbound)) {
        const list = consumers.get(id);
        if (list) list.push(layer);
        else consumers.set(id, [layer]);
      }
    }
    index = { byId, consumers };
    indexes.set(graph, index);
  }
  return index;
}

function layerById(graph: ModelGraph, id: string | undefined): LayerNode | undefined {
  return id === undefined ? undefined : indexOf(graph).byId.get(id);
}

function isHidden(graph: ModelGraph, layer: LayerNode): boolean {
  return !graph.outputs.includes(layer.id);
}

/** Input width of a layer: the last dim of its inbound layer's output, or what its config declares. */
export function fanIn(graph: ModelGraph, layer: LayerNode): number | undefined {
  const inbound = layerById(graph, layer.inbound[0]);
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

function fanOut(layer: LayerNode): number | undefined {
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

function fmt(value: number): string {
  if (value >= 1e4 || value < 1e-2) return value.toExponential(1);
  return Number(value.toPrecision(2)).toString();
}

function idsOf(layers: readonly LayerNode[]): string[] {
  return layers.map((l) => l.id);
}

export function staticFindings(graph: ModelGraph, thresholds: StaticThresholds = DEFAULT_STATIC_THRESHOLDS): Finding[] {
  const findings: Finding[] = [];
  const base = { source: 'static' as const, model: graph.name };
  const weightLayers = graph.layers.filter((l) => KERNEL_LAYERS.has(l.type));
  const output = layerById(graph, graph.outputs[0]);

  // 1. Saturating activations stacked deep.
  const sigmoidLayers = graph.layers.filter((l) => isHidden(graph, l) && SIGMOID_LIKE.has(activationOf(l) ?? ''));
  if (sigmoidLayers.length >= thresholds.saturatingDepth) {
    const n = sigmoidLayers.length;
    // No He init here: it is scaled for ReLU and saturates sigmoid units (it follows activation-relu).
    const fixes: FixCode[] = ['activation-relu', 'insert-batch-norm', 'add-residual'];
    findings.push({
      ...base,
      code: 'vanishing-gradient',
      severity: 'warning',
      layers: idsOf(sigmoidLayers),
      rule: 'static: saturating stack',
      message:
        `Predicted vanishing gradient: ${n} hidden layers use ${activationOf(sigmoidLayers[0]!)}-like activations. ` +
        `Their derivative is at most 0.25, so the gradient reaching \`${sigmoidLayers[0]!.id}\` can be up to ` +
        `${fmt(4 ** n)}x smaller than at the output. Run Analyze Gradients to measure it.`,
      fixes,
      evidence: { saturatingLayers: n, threshold: thresholds.saturatingDepth, worstCaseFactor: 0.25 ** n },
      ...(output ? { relatedLayer: output.id } : {}),
    });
  }

  // 2. Initializers that fit no activation, and the gain they give a stack.
  const reluLayers = weightLayers.filter((l) => isHidden(graph, l) && RELU_FAMILY.has(activationOf(l) ?? nextActivation(graph, l) ?? ''));
  const linearish = weightLayers.filter((l) => isHidden(graph, l) && (RELU_FAMILY.has(activationOf(l) ?? nextActivation(graph, l) ?? '') || !activationOf(l)));
  let stackGain = 1;
  const gains: LayerNode[] = [];
  for (const layer of linearish) {
    const n = fanIn(graph, layer);
    const init = kernelInitializer(layer, n, fanOut(layer));
    if (init.variance === undefined || n === undefined) continue;
    const relu = RELU_FAMILY.has(activationOf(layer) ?? nextActivation(graph, layer) ?? '');
    stackGain *= Math.sqrt(n * init.variance * (relu ? 0.5 : 1));
    gains.push(layer);
  }
  const hasNormalization = graph.layers.some((l) => l.type === 'batchNormalization' || l.type === 'layerNormalization');
  if (gains.length >= 3 && stackGain > thresholds.explodingGain && !hasNormalization) {
    const big = gains.filter((l) => {
      const init = kernelInitializer(l, fanIn(graph, l), fanOut(l));
      return init.name !== 'heNormal' && init.name !== 'heUniform';
    });
    findings.push({
      ...base,
      code: 'exploding-gradient',
      severity: 'warning',
      layers: idsOf(big.length ? big : gains),
      rule: 'static: initializer gain',
      message:
        `Predicted exploding gradient: with these kernel initializers each of ${gains.length} layers scales the signal up, ` +
        `about ${fmt(stackGain)}x over the stack (gradients grow the same way). Use He initialization, or clip gradients.`,
      fixes: ['init-he', 'clip-gradients', 'insert-batch-norm'],
      evidence: { stackGain, layers: gains.length, threshold: thresholds.explodingGain },
    });
  } else if (reluLayers.length >= 4 && stackGain < thresholds.shrinkingGain && !hasNormalization) {
    const notHe = reluLayers.filter((l) => !HE_INITIALIZERS.has(kernelInitializer(l, undefined, undefined).name));
    if (notHe.length) {
      findings.push({
        ...base,
        code: 'init-mismatch',
        severity: 'info',
        layers: idsOf(notHe),
        rule: 'static: ReLU without He init',
        message:
          `${notHe.length} ReLU-family layers use \`${kernelInitializer(notHe[0]!, undefined, undefined).name}\` initialization: ` +
          `the signal shrinks to about ${fmt(stackGain)}x over the stack. He initialization keeps its scale.`,
        fixes: ['init-he', 'insert-batch-norm'],
        evidence: { stackGain, layers: gains.length, threshold: thresholds.shrinkingGain },
      });
    }
  }
  const saturatingWithHe = graph.layers.filter(
    (l) => KERNEL_LAYERS.has(l.type) && (SIGMOID_LIKE.has(activationOf(l) ?? '') || activationOf(l) === 'tanh') && HE_INITIALIZERS.has(kernelInitializer(l, undefined, undefined).name),
  );
  if (saturatingWithHe.length) {
    findings.push({
      ...base,
      code: 'init-mismatch',
      severity: 'info',
      layers: idsOf(saturatingWithHe),
      rule: 'static: saturating activation with He init',
      message: `${saturatingWithHe.length} sigmoid/tanh layers use He initialization, which is scaled for ReLU and pushes these units into saturation. Glorot initialization fits them.`,
      fixes: ['init-glorot', 'activation-relu'],
    });
  }

  // 3. simpleRNN over long sequences.
  for (const layer of graph.layers.filter((l) => l.type === 'simpleRNN')) {
    const steps = timeSteps(graph, layer);
    if (steps !== undefined && steps >= thresholds.longSequenceSteps) {
      findings.push({
        ...base,
        code: 'long-sequence-rnn',
        severity: 'warning',
        layers: [layer.id],
        rule: 'static: simpleRNN sequence length',
        message:
          `Predicted vanishing gradient through time: \`${layer.id}\` is a simpleRNN over ${steps} time steps; ` +
          `the gradient from the last step rarely reaches the first ones. LSTM or GRU layers learn long dependencies better ` +
          `(at initialization they look the same; the gain shows as they learn).`,
        fixes: ['rnn-lstm', 'rnn-gru'],
        evidence: { timeSteps: steps, threshold: thresholds.longSequenceSteps },
      });
    }
  }

  // 4. Deep plain stacks: no normalization and no skip path.
  const hasMerge = graph.layers.some((l) => ['add', 'concatenate', 'average', 'multiply'].includes(l.type));
  if (weightLayers.length >= thresholds.plainDepth && !hasNormalization && !hasMerge && findings.length === 0) {
    findings.push({
      ...base,
      code: 'missing-normalization',
      severity: 'info',
      layers: idsOf(weightLayers.filter((l) => isHidden(graph, l))),
      rule: 'static: deep plain stack',
      message: `${weightLayers.length} weight layers in a plain stack, with no normalization and no skip connection: gradients depend on every layer's scale. Batch normalization or residual connections make depth safer.`,
      fixes: ['insert-batch-norm', 'add-residual'],
      evidence: { weightLayers: weightLayers.length, threshold: thresholds.plainDepth },
    });
  }
  // 5. Causes at the output and in the compile call (loss, labels, layer order, learning rate).
  findings.push(...outputFindings(graph));
  return findings;
}

function nextActivation(graph: ModelGraph, layer: LayerNode): string | undefined {
  const next = indexOf(graph).consumers.get(layer.id) ?? [];
  return next.length === 1 && !KERNEL_LAYERS.has(next[0]!.type) ? activationOf(next[0]!) : undefined;
}

/** Time steps an RNN layer reads: from its input shape [steps, features]. */
function timeSteps(graph: ModelGraph, layer: LayerNode): number | undefined {
  const inbound = layerById(graph, layer.inbound[0]);
  const shape = inbound?.outputShape;
  if (shape && shape.length === 3 && typeof shape[1] === 'number') return shape[1];
  const declared = layer.config.inputShape;
  if (Array.isArray(declared) && typeof declared[0] === 'number') return declared[0];
  const batch = layer.config.batchInputShape;
  if (Array.isArray(batch) && typeof batch[1] === 'number') return batch[1];
  return undefined;
}
