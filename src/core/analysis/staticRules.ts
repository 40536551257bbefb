/**
 * Static rules: predictions from the code alone, run on every edit. Each is worded as a risk
 * and must not contradict measurement (tanh with Glorot init at 11 layers is not "vanishing").
 */
import type { LayerNode, ModelGraph } from '../ir';
import type { FixCode } from '../fixes/codes';
import { activationOf, KERNEL_LAYERS, RELU_FAMILY } from '../layerKinds';
import type { Finding } from './findings';
import { formatNumber } from '../../shared/format';
import { outputFindings } from './outputRules';
import { explodingInitializer, fanIn, fanOut, kernelInitializer } from './initScale';

export { fanIn, kernelInitializer } from './initScale';

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

/** The product's one number format (src/shared/format.ts). */
const fmt = formatNumber;

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
  // Growth: the signal's scale propagated through every layer up to the output's logits (He et
  // al. 2015's recursion, initScale.ts), so two over-scaled hidden layers and an over-scaled
  // output count as much as a deep stack; normalization layers reset it on the way.
  const exploding = explodingInitializer(graph, thresholds.explodingGain);
  if (exploding) {
    const big = exploding.overscaled;
    const perLayer = Math.max(...big.map((l) => l.factor));
    findings.push({
      ...base,
      code: 'exploding-gradient',
      severity: 'warning',
      layers: big.map((l) => l.id),
      rule: 'static: initializer gain',
      message:
        `Predicted exploding gradient: the kernel initializer${big.length === 1 ? ` of \`${big[0]!.id}\`` : `s of ${big.length} layers`} (\`${big[0]!.initializer}\`) ` +
        `scale${big.length === 1 ? 's' : ''} the signal up to ${fmt(perLayer)}x per layer more than ${big.some((l) => l.relu) ? 'He initialization' : 'a variance-preserving one'} would, ` +
        `so the output layer's logits come out about ${fmt(exploding.outputScale)}x the input's scale (gradients grow the same way). Use He initialization, or clip gradients.`,
      fixes: big.some((l) => l.relu) ? ['init-he', 'init-glorot', 'clip-gradients', 'insert-batch-norm'] : ['init-glorot', 'clip-gradients', 'insert-batch-norm'],
      evidence: { stackGain: exploding.outputScale, layers: big.length, maxLayerFactor: perLayer, threshold: thresholds.explodingGain },
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
