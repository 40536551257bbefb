/**
 * Root causes at the output of a model and in its compile call, predicted from the code: an
 * output activation that does not fit the loss or the labels, a loss that does not fit the
 * output, a layer placed after the output, a ReLU right before softmax, a learning rate far above
 * the optimizer's default. Each is put on the faulty line (the layer that applies the output
 * activation, the misplaced layer, or the loss / optimizer in the compile call) and lists the fix
 * for its cause first.
 *
 * Sources: Keras documentation (losses: `categorical_crossentropy` expects one-hot targets and a
 * probability distribution, `sparse_categorical_crossentropy` integer targets, `binary_crossentropy`
 * probabilities of one unit, `from_logits=True` for unnormalized outputs; softmax normalizes over
 * the last axis, so one unit always gives 1), and the fault classes of DeepDiagnosis (ICSE 2022)
 * and AutoTrainer (ICSE 2021), whose benchmark of Stack Overflow programs has these at the output.
 */
import type { ConfigValue, LabelFacts, LayerNode, ModelGraph, SourceRange } from '../ir';
import { isCallValue } from '../ir';
import type { FixCode } from '../fixes/codes';
import { activationOf, KERNEL_LAYERS } from '../layerKinds';
import type { Finding } from './findings';

/** Layers that change values after the output activation: misplaced there (DeepDiagnosis' "wrong layer order"). */
const VALUE_LAYERS_AFTER_OUTPUT: ReadonlySet<string> = new Set(['dropout', 'alphaDropout', 'gaussianDropout', 'gaussianNoise', 'spatialDropout1d', 'spatialDropout2d']);
const NORMALIZATION: ReadonlySet<string> = new Set(['batchNormalization', 'layerNormalization']);
/** Layers that only reshape: looked through when finding the output activation. */
const SHAPE_ONLY: ReadonlySet<string> = new Set(['flatten', 'reshape', 'permute']);
const ACTIVATION_LAYERS: ReadonlySet<string> = new Set(['activation', 'softmax', 'reLU', 'leakyReLU', 'elu', 'prelu', 'thresholdedReLU']);
const RELU_LIKE: ReadonlySet<string> = new Set(['relu', 'relu6', 'reLU']);

/** The end of a model: which layer applies the output activation, and what follows it. */
export interface OutputHead {
  /** The layer that applies the output activation: a weight layer with `activation`, or an activation layer. */
  readonly activationLayer: LayerNode;
  /** The output activation (`linear` when none). */
  readonly activation: string;
  /** Units of the output (last dimension), when known. */
  readonly units?: number;
  /** Layers after the output activation that change values (dropout, noise, normalization after softmax/sigmoid). */
  readonly after: readonly LayerNode[];
  /** For a softmax applied by its own layer: the ReLU that feeds it (a weight layer's `relu`, or a `reLU` layer). */
  readonly reluBeforeSoftmax?: LayerNode;
}

function byId(graph: ModelGraph, id: string | undefined): LayerNode | undefined {
  return id === undefined ? undefined : graph.layers.find((l) => l.id === id);
}

function lastDim(layer: LayerNode): number | undefined {
  const shape = layer.outputShape;
  const d = shape?.[shape.length - 1];
  if (typeof d === 'number') return d;
  return typeof layer.config.units === 'number' ? layer.config.units : undefined;
}

/** The output head of output `index` of `graph`, or undefined when it ends in something else (a merge, a custom layer). */
export function outputHead(graph: ModelGraph, index = 0): OutputHead | undefined {
  let layer = byId(graph, graph.outputs[index]);
  const after: LayerNode[] = [];
  while (layer && (VALUE_LAYERS_AFTER_OUTPUT.has(layer.type) || NORMALIZATION.has(layer.type) || SHAPE_ONLY.has(layer.type))) {
    if (!SHAPE_ONLY.has(layer.type)) after.unshift(layer);
    layer = byId(graph, layer.inbound[0]);
  }
  if (!layer) return undefined;
  if (ACTIVATION_LAYERS.has(layer.type)) {
    const activation = layer.type === 'softmax' ? 'softmax' : activationOf(layer) ?? 'linear';
    let feeding = byId(graph, layer.inbound[0]);
    while (feeding && SHAPE_ONLY.has(feeding.type)) feeding = byId(graph, feeding.inbound[0]);
    const reluBefore = activation === 'softmax' && feeding && RELU_LIKE.has(activationOf(feeding) ?? '') ? feeding : undefined;
    // Shapes may be unknown (no input shape): the weight layer feeding the activation has the units.
    let source = feeding;
    while (source && !KERNEL_LAYERS.has(source.type) && ACTIVATION_LAYERS.has(source.type)) source = byId(graph, source.inbound[0]);
    const units = lastDim(layer) ?? (source && KERNEL_LAYERS.has(source.type) ? lastDim(source) : undefined);
    return { activationLayer: layer, activation, ...(units !== undefined ? { units } : {}), after: misplaced(after, activation), ...(reluBefore ? { reluBeforeSoftmax: reluBefore } : {}) };
  }
  if (!KERNEL_LAYERS.has(layer.type)) return undefined;
  const activation = layer.activation ?? (['lstm', 'gru', 'simpleRNN'].includes(layer.type) ? 'tanh' : 'linear');
  const units = lastDim(layer);
  return { activationLayer: layer, activation, ...(units !== undefined ? { units } : {}), after: misplaced(after, activation) };
}

/** Dropout and noise after the output are always misplaced; normalization only after softmax/sigmoid. */
function misplaced(after: readonly LayerNode[], activation: string): LayerNode[] {
  return after.filter((l) => VALUE_LAYERS_AFTER_OUTPUT.has(l.type) || ['softmax', 'sigmoid'].includes(activation));
}

export type LossFamily = 'binary' | 'categorical' | 'sparse' | 'regression' | 'other';

/** The loss of output `index` (a string loss applies to every output), as a family. */
export function lossFamily(loss: ConfigValue | undefined, index = 0): LossFamily | undefined {
  const value = Array.isArray(loss) ? loss[index] : loss;
  if (typeof value !== 'string') return undefined;
  const name = value.toLowerCase().replace(/_/g, '');
  if (name === 'binarycrossentropy') return 'binary';
  if (name === 'categoricalcrossentropy') return 'categorical';
  if (name === 'sparsecategoricalcrossentropy') return 'sparse';
  if (['meansquarederror', 'meanabsoluteerror', 'mse', 'mae', 'meansquaredlogarithmicerror', 'msle', 'meanabsolutepercentageerror', 'mape', 'huberloss', 'huber', 'logcosh'].includes(name)) return 'regression';
  return 'other';
}

/** Default learning rates of tfjs/Keras optimizers (Keras docs, tfjs `tf.train.*`); SGD's is Keras' 0.01. */
export const DEFAULT_LEARNING_RATES: Readonly<Record<string, number>> = {
  sgd: 0.01, momentum: 0.01, adam: 0.001, rmsprop: 0.001, adagrad: 0.01, adadelta: 0.001, adamax: 0.002, nadam: 0.001,
};

/** The optimizer's name and learning rate as compiled (`tf.train.sgd(50)`, Keras `SGD(lr=50)`); a string has the default rate. */
export function learningRate(graph: ModelGraph): { optimizer: string; rate: number; default: number } | undefined {
  const optimizer = graph.compile?.optimizer;
  if (isCallValue(optimizer)) {
    const name = optimizer.$call.replace(/^train\./, '').toLowerCase();
    // The clip-gradients helper wraps the optimizer: look inside.
    if (name.endsWith('withgradientclipping')) return learningRate({ ...graph, compile: { ...graph.compile!, optimizer: optimizer.args[0] ?? null } });
    const rate = optimizer.args[0];
    const fallback = DEFAULT_LEARNING_RATES[name];
    if (fallback === undefined) return undefined;
    return { optimizer: name, rate: typeof rate === 'number' ? rate : fallback, default: fallback };
  }
  if (typeof optimizer === 'string') {
    const fallback = DEFAULT_LEARNING_RATES[optimizer.toLowerCase()];
    return fallback === undefined ? undefined : { optimizer: optimizer.toLowerCase(), rate: fallback, default: fallback };
  }
  return undefined;
}

export interface OutputThresholds {
  /** A learning rate this many times the optimizer's default is predicted to diverge (our measurement: SGD 1.0 and Adam 0.1 diverge on small dense nets; see README). */
  readonly learningRateFactor: number;
}

export const DEFAULT_OUTPUT_THRESHOLDS: OutputThresholds = { learningRateFactor: 100 };

function describeLabels(labels: LabelFacts): string {
  const kind = labels.kind === 'one-hot' ? `one-hot labels${labels.classes ? ` over ${labels.classes} classes` : ''}`
    : labels.kind === 'class-ids' ? `integer class labels${labels.classes ? ` (${labels.classes} classes)` : ''}`
    : labels.kind === 'binary' ? '0/1 labels'
    : `real-valued targets${labels.min !== undefined && labels.max !== undefined ? ` in [${labels.min}, ${labels.max}]` : ''}`;
  return `${kind} (\`${labels.text}\`)`;
}

/** Whether regression targets fit in an activation's range, by what the code states. */
function targetsFit(activation: string, labels: LabelFacts | undefined): boolean | undefined {
  if (!labels) return undefined;
  if (labels.kind === 'binary') return ['sigmoid', 'relu', 'softplus', 'hardSigmoid', 'linear'].includes(activation) ? true : activation === 'tanh' ? true : undefined;
  if (labels.kind !== 'regression') return undefined;
  const { min, max } = labels;
  if (min === undefined || max === undefined) return false;
  if (activation === 'sigmoid' || activation === 'hardSigmoid') return min >= 0 && max <= 1;
  if (activation === 'tanh' || activation === 'softsign') return min >= -1 && max <= 1;
  if (RELU_LIKE.has(activation) || activation === 'softplus' || activation === 'elu') return min >= 0;
  return true;
}

const BOUNDED: ReadonlySet<string> = new Set(['sigmoid', 'tanh', 'softmax', 'hardSigmoid', 'softsign', 'relu', 'relu6', 'softplus', 'elu', 'selu']);

/**
 * Static findings about the output and the compile call of `graph`. Multi-output models are
 * judged output by output when the loss applies to each (a string, or a list in output order).
 */
export function outputFindings(graph: ModelGraph, thresholds: OutputThresholds = DEFAULT_OUTPUT_THRESHOLDS): Finding[] {
  const findings: Finding[] = [];
  const base = { source: 'static' as const, model: graph.name };
  const compileSite = (key: 'loss' | 'optimizer'): SourceRange | undefined => graph.compile?.configRanges[key]?.value ?? graph.compile?.range;
  const labels = graph.labels;
  const singleOutput = graph.outputs.length === 1;
  graph.outputs.forEach((_, index) => {
    const head = outputHead(graph, index);
    if (!head) return;
    const { activationLayer: out, activation, units } = head;
    const loss = lossFamily(graph.compile?.loss, index);
    const facts = singleOutput ? labels : undefined;
    const logits = graph.lossFromLogits === true;
    const lossSite = compileSite('loss');
    const classes = facts && (facts.kind === 'one-hot' || facts.kind === 'class-ids') ? facts.classes : undefined;

    // 1. Softmax over one unit: always 1, so the loss is constant and every gradient is exactly 0.
    if (activation === 'softmax' && units === 1) {
      const regression = loss === 'regression' && (!facts || facts.kind === 'regression');
      const fixes: FixCode[] = classes !== undefined && classes > 2 ? ['output-units', 'output-sigmoid'] : regression ? ['output-linear', 'output-sigmoid'] : ['output-sigmoid'];
      if (loss === 'categorical' || loss === 'sparse') fixes.push(classes !== undefined && classes > 2 ? 'loss-categorical-crossentropy' : 'loss-binary-crossentropy');
      findings.push({
        ...base,
        code: 'softmax-one-unit',
        severity: 'error',
        layers: [out.id],
        rule: 'static: softmax over a single unit',
        message:
          `\`${out.id}\` applies softmax over a single unit: softmax normalizes over the units, so the output is always exactly 1, ` +
          `the loss never changes and every gradient is exactly 0 (nothing learns). ` +
          (classes !== undefined && classes > 2
            ? `The labels have ${classes} classes (${describeLabels(facts!)}): give the output ${classes} units.`
            : regression ? 'For a real-valued target use a linear output.' : 'For two classes use one sigmoid unit (with binary cross-entropy), or two softmax units.'),
        fixes,
        evidence: { units: 1 },
      });
    }

    // 2. Cross-entropy over classes on a one-unit output: the normalized prediction is 1, loss 0.
    if ((loss === 'categorical' || loss === 'sparse') && units === 1 && lossSite) {
      const manyClasses = classes !== undefined && classes > 2;
      findings.push({
        ...base,
        code: 'loss-mismatch',
        severity: 'error',
        layers: [out.id],
        range: lossSite,
        rule: `static: ${loss === 'sparse' ? 'sparse ' : ''}categorical cross-entropy on one unit`,
        message:
          `${loss === 'sparse' ? 'Sparse categorical' : 'Categorical'} cross-entropy on the one-unit output \`${out.id}\`: it normalizes the prediction over the units, ` +
          `so with one unit the loss is always 0 and no gradient flows. ` +
          (manyClasses ? `The labels have ${classes} classes: give the output ${classes} softmax units.` : 'For two classes use binary cross-entropy with one sigmoid unit.'),
        fixes: manyClasses ? ['output-units', 'loss-binary-crossentropy'] : activation === 'sigmoid' ? ['loss-binary-crossentropy'] : ['loss-binary-crossentropy', 'output-sigmoid'],
        evidence: { units: 1 },
      });
    }

    // 3. Cross-entropy needs probabilities: a linear, ReLU or tanh output gives values outside [0, 1].
    if ((loss === 'binary' || loss === 'categorical' || loss === 'sparse') && !logits && activation !== 'softmax' && activation !== 'sigmoid' && !(units === 1 && loss !== 'binary')) {
      const wanted: FixCode = loss === 'binary' ? (units !== undefined && units > 1 && facts?.kind === 'one-hot' ? 'output-softmax' : 'output-sigmoid') : 'output-softmax';
      findings.push({
        ...base,
        code: 'output-activation-mismatch',
        severity: 'warning',
        layers: [out.id],
        rule: `static: ${activation} output with ${loss === 'binary' ? 'binary' : loss === 'sparse' ? 'sparse categorical' : 'categorical'} cross-entropy`,
        message:
          `\`${out.id}\` has a ${activation} output but the loss is ${loss === 'binary' ? 'binary' : loss === 'sparse' ? 'sparse categorical' : 'categorical'} cross-entropy, which expects probabilities: ` +
          `outputs outside [0, 1] are clipped, and clipped outputs get no gradient` +
          `${RELU_LIKE.has(activation) ? ' (a ReLU output that goes negative is 0 and stops learning)' : ''}. ` +
          `Use ${wanted === 'output-sigmoid' ? 'a sigmoid' : 'a softmax'} output (or \`from_logits=True\` / \`fromLogits\` when the outputs are meant as logits).`,
        fixes: [wanted],
      });
    }

    // 4. Sigmoid outputs with a loss over mutually exclusive classes.
    if ((loss === 'categorical' || loss === 'sparse') && activation === 'sigmoid' && units !== undefined && units > 1 && !logits) {
      findings.push({
        ...base,
        code: 'output-activation-mismatch',
        severity: 'warning',
        layers: [out.id],
        rule: `static: sigmoid output with ${loss === 'sparse' ? 'sparse ' : ''}categorical cross-entropy`,
        message:
          `\`${out.id}\` has ${units} independent sigmoid outputs but the loss is ${loss === 'sparse' ? 'sparse ' : ''}categorical cross-entropy, which treats them as one probability distribution over classes: ` +
          `the outputs do not sum to 1, so the loss and its gradient are distorted. Use softmax over the ${units} units (or binary cross-entropy for independent labels).`,
        fixes: ['output-softmax', 'loss-binary-crossentropy'],
        evidence: { units },
      });
    }

    // 5. A regression loss: MSE on a softmax classifier, or a bounded output for real-valued targets.
    if (loss === 'regression' && lossSite) {
      const classifier = activation === 'softmax' && units !== undefined && units > 1;
      if (classifier && (!facts || facts.kind !== 'regression')) {
        const sparseLabels = facts?.kind === 'class-ids';
        findings.push({
          ...base,
          code: 'loss-mismatch',
          severity: 'warning',
          layers: [out.id],
          range: lossSite,
          rule: 'static: mean squared/absolute error on a softmax classifier',
          message:
            `\`${out.id}\` is a softmax classifier trained with a regression loss (mean squared/absolute error): its gradient through softmax is small and shrinks as outputs saturate, so it learns slowly or stalls. ` +
            `Use ${sparseLabels ? 'sparse categorical' : 'categorical'} cross-entropy${facts ? ` for ${describeLabels(facts)}` : ''}.`,
          fixes: [sparseLabels ? 'loss-sparse-categorical-crossentropy' : 'loss-categorical-crossentropy'],
        });
      } else if (!classifier && BOUNDED.has(activation) && activation !== 'softmax') {
        const fit = targetsFit(activation, facts);
        if (fit === false) {
          findings.push({
            ...base,
            code: 'output-activation-mismatch',
            severity: 'warning',
            layers: [out.id],
            rule: `static: ${activation} output on a regression target`,
            message:
              `\`${out.id}\` has a ${activation} output, but the targets are ${describeLabels(facts!)}: the output cannot reach them, ` +
              `so it saturates where ${RELU_LIKE.has(activation) ? 'a negative pre-activation gives 0 and no gradient' : 'its slope is almost 0'} and stops learning. Use a linear output for regression.`,
            fixes: ['output-linear'],
          });
        } else if (fit === undefined && facts?.kind !== 'binary' && !RELU_LIKE.has(activation)) {
          findings.push({
            ...base,
            code: 'output-activation-mismatch',
            severity: 'info',
            layers: [out.id],
            rule: `static: ${activation} output with a regression loss`,
            message: `\`${out.id}\` has a ${activation} output with a regression loss: fine if the targets lie in its range, otherwise the output saturates and stops learning. The code does not say what the targets are.`,
            fixes: ['output-linear'],
          });
        }
      } else if (activation === 'softmax' && units !== undefined && units > 1 && facts?.kind === 'regression') {
        findings.push({
          ...base,
          code: 'output-activation-mismatch',
          severity: 'warning',
          layers: [out.id],
          rule: 'static: softmax output on a regression target',
          message: `\`${out.id}\` has a softmax output (its ${units} outputs sum to 1), but the targets are ${describeLabels(facts)}. Use a linear output for regression.`,
          fixes: ['output-linear'],
        });
      }
    }

    // 5b. Label encoding against the loss (Keras docs: categorical cross-entropy takes one-hot
    // rows, the sparse one integer ids): Keras stops at `fit` with a shape error; tfjs trains on
    // what it gets.
    if (facts && lossSite && units !== undefined && units > 1) {
      const wanted = loss === 'categorical' && facts.kind === 'class-ids' ? 'loss-sparse-categorical-crossentropy' as const
        : loss === 'sparse' && facts.kind === 'one-hot' ? 'loss-categorical-crossentropy' as const : undefined;
      if (wanted) {
        findings.push({
          ...base,
          code: 'loss-mismatch',
          severity: 'error',
          layers: [out.id],
          range: lossSite,
          rule: `static: ${loss === 'sparse' ? 'sparse categorical cross-entropy on one-hot labels' : 'categorical cross-entropy on integer class labels'}`,
          message: loss === 'sparse'
            ? `The loss is sparse categorical cross-entropy, which takes integer class ids, but the labels are ${describeLabels(facts)}. Use categorical cross-entropy for one-hot labels.`
            : `The loss is categorical cross-entropy, which takes one-hot rows, but the labels are ${describeLabels(facts)}. Use sparse categorical cross-entropy for integer labels (or one-hot encode them).`,
          fixes: [wanted],
        });
      }
    }

    // 6. Layers after the output activation. An uncompiled model ending in a hidden-style
    // activation + dropout is a feature extractor used inside another model (tfjs-examples' GAN).
    if (head.after.length && (graph.compile || activation === 'softmax' || activation === 'sigmoid')) {
      const [first] = head.after;
      findings.push({
        ...base,
        code: 'layer-after-output',
        severity: 'warning',
        layers: head.after.map((l) => l.id),
        rule: 'static: layer after the output layer',
        message:
          `\`${first!.id}\` (${first!.type}) comes after the output layer \`${out.id}\` (${activation}): during training it ` +
          `${VALUE_LAYERS_AFTER_OUTPUT.has(first!.type) ? 'zeroes random outputs and rescales the rest' : 'rescales the outputs'}, so the loss sees values that are not the model's predictions` +
          `${activation === 'softmax' || activation === 'sigmoid' ? ' (no longer probabilities)' : ''}. Put it before the output layer, or remove it.`,
        fixes: ['move-before-output', 'remove-layer'],
        relatedLayer: out.id,
      });
    }

    // 7. A ReLU right before softmax: negative logits become 0, ties and dead logits get no gradient.
    if (head.reluBeforeSoftmax) {
      const relu = head.reluBeforeSoftmax;
      findings.push({
        ...base,
        code: 'relu-before-softmax',
        severity: 'warning',
        layers: [relu.id],
        rule: 'static: ReLU right before softmax',
        message:
          `\`${relu.id}\` applies ReLU to the logits of the softmax \`${out.id}\`: every negative logit becomes 0, so those classes share one ` +
          `probability and get no gradient through the ReLU (dead logits). Softmax needs unbounded logits: make \`${relu.id}\` linear.`,
        fixes: relu.type === 'reLU' ? ['remove-layer'] : ['linear-before-softmax'],
        relatedLayer: out.id,
      });
    }
  });

  // 8. A learning rate far above the optimizer's default: predicted divergence.
  const lr = learningRate(graph);
  const optimizerSite = graph.optimizerSite ?? compileSite('optimizer');
  if (lr && optimizerSite && lr.rate >= lr.default * thresholds.learningRateFactor) {
    findings.push({
      ...base,
      code: 'high-learning-rate',
      severity: 'warning',
      layers: [],
      range: optimizerSite,
      rule: 'static: learning rate far above the default',
      message:
        `Predicted divergence: the ${lr.optimizer} learning rate ${lr.rate} is ${Math.round(lr.rate / lr.default)}x its default (${lr.default}); ` +
        `steps that large overshoot, so the loss grows and gradients explode to Infinity/NaN. Run Analyze Gradients to measure it.`,
      fixes: ['lower-learning-rate', 'clip-gradients'],
      evidence: { learningRate: lr.rate, defaultLearningRate: lr.default, threshold: thresholds.learningRateFactor },
    });
  }
  return findings;
}
