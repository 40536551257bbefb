/**
 * Attribution of measured symptoms to their cause, after the measured rules ran: exactly-zero
 * gradients explained by the output (softmax over one unit, cross-entropy over classes on one
 * unit, a ReLU output that died), and divergence (non-finite values, gradients growing during
 * training, a growing loss) explained by a learning rate far above the optimizer's default. The
 * symptom finding that blamed hidden layers (`dead-relu` on every layer) gives way to a measured
 * finding of the cause, on the cause's line, with the cause's fix first.
 */
import type { ModelGraph } from '../ir';
import type { FixCode } from '../fixes/codes';
import type { Finding } from './findings';
import { DEFAULT_OUTPUT_THRESHOLDS, learningRate, outputFindings, outputHead } from './outputRules';
import { formatNumber } from '../../shared/format';
import { explodingInitializer, type InitScale } from './initScale';

/** A learning rate this many times the optimizer's default, with a measured divergence, is called the cause (our measurement, README). */
export const DIVERGENCE_LR_FACTOR = 10;
/**
 * A loss whose last steps average this many times its value at initialization has diverged (our
 * measurement on the root-cause corpus: the fixed twins end within 1.1x of their start, Adam at
 * 5.0 ends near 10x).
 */
export const DIVERGING_LOSS_FACTOR = 3;

/** The product's one number format (src/shared/format.ts). */
const fmt = formatNumber;

/**
 * What attribution reads of a run (the worker's RunSummary has these fields; declared here so
 * the pure core does not import the worker's protocol).
 */
export interface RunFacts {
  readonly trainableLayers: readonly string[];
  /** Loss per training step. */
  readonly losses: readonly number[];
  readonly probe?: {
    readonly loss: number;
    readonly layers: Readonly<Record<string, { readonly kernel?: { readonly norm: number } }>>;
    readonly activations?: Readonly<Record<string, { readonly dead?: number; readonly rms?: number }>>;
  };
  readonly nonFinite?: { readonly step: number };
}

/** A layer with less than this fraction of dead units at initialization was alive then (half of the dead-unit threshold, 0.7). */
const DIED_AT_INIT = 0.35;

const ZERO_RULES = new Set(['measured: all-zero gradients', 'measured: gradients collapsed to zero during training']);

/** What attribution made of a run's findings. */
export interface Attribution {
  /** The findings, rewritten: cause findings first, then the symptoms that remain. */
  readonly findings: Finding[];
  /**
   * Set when the exactly-zero gradients were explained by the output (softmax over one unit,
   * cross-entropy over classes on one unit, a dead ReLU output): the output, or the loss, is
   * constant, so no layer gets a gradient. Those layers are not dead units: the model verdict is
   * `constant-output`, not `dead`. Lists the layers that got exactly zero gradients.
   */
  readonly constantOutput?: readonly string[];
  /**
   * Set when the symptoms were explained by an over-scaled kernel initializer (initScale.ts): the
   * layers whose `dead` (exactly-zero gradients from a saturated output) or `vanishing` verdict
   * was that symptom. Their verdict is `exploding`: the signal grows layer by layer.
   */
  readonly explodingInit?: readonly string[];
}

/**
 * A ReLU layer's output RMS at initialization at or above this confirms, on the run's data, the
 * growth the initializers predict: He-initialized stacks keep it near 1 on unit-variance inputs
 * (He et al. 2015), so 10 is an order of magnitude of growth (our margin).
 */
export const GROWN_RMS = 10;

/** Rules of the measured symptoms an exploding initializer explains (measuredRules.ts). */
const TINY_RULE = 'measured: mean |g| below the absolute threshold in every layer';

/**
 * Rewrites the measured findings of `graph` so they name the cause. `findings` are the measured
 * rules' findings; the result replaces them (same order, cause findings first).
 */
export function attributeCauses(graph: ModelGraph, summary: RunFacts, findings: readonly Finding[]): Attribution {
  const base = { source: 'measured' as const, model: graph.name };
  const predicted = outputFindings(graph);
  const causes: Finding[] = [];
  let result = [...findings];
  let constantOutput: readonly string[] | undefined;

  // 1. Exactly-zero gradients explained by the output.
  const zero = result.find((f) => f.code === 'dead-relu' && ZERO_RULES.has(f.rule));
  const trainable = summary.trainableLayers.length;
  if (zero) {
    const explained = predicted.find((f) => f.code === 'softmax-one-unit') ?? predicted.find((f) => f.code === 'loss-mismatch' && f.rule.includes('on one unit'));
    const head = outputHead(graph);
    const deadOutput = head && ['relu', 'relu6', 'reLU'].includes(head.activation) && zero.layers.includes(head.activationLayer.id) ? head.activationLayer : undefined;
    const loss = summary.probe?.loss;
    const numbers = `measured: ${zero.layers.length} of ${trainable} trainable layers get exactly zero kernel gradients${loss !== undefined ? `, loss ${fmt(loss)} at initialization` : ''}`;
    if (explained) {
      causes.push({ ...explained, ...base, message: `${explained.message} (${numbers}.)`, rule: `${explained.rule}; ${numbers}`, evidence: { ...explained.evidence, zeroGradientLayers: zero.layers.length } });
      result = result.filter((f) => f !== zero);
      constantOutput = zero.layers;
    } else if (deadOutput) {
      causes.push({
        ...base,
        code: 'output-activation-mismatch',
        severity: 'error',
        layers: [deadOutput.id],
        rule: `measured: dead ReLU output; ${numbers}`,
        message: `The ReLU output \`${deadOutput.id}\` is 0 for every sample, so no gradient flows back from the loss and nothing learns (${numbers}). An output layer should not use ReLU: use a linear output for real-valued targets, sigmoid/softmax for classes.`,
        fixes: predicted.find((f) => f.layers.includes(deadOutput.id))?.fixes.filter((c) => c.startsWith('output-')) ?? ['output-linear'],
        evidence: { zeroGradientLayers: zero.layers.length },
      });
      result = result.filter((f) => f !== zero);
      constantOutput = zero.layers;
    }
  }

  // 1b. An initializer that explodes the signal (initScale.ts), confirmed by the run: the symptoms
  // (a saturated output's exactly-zero gradients, overflow, growth, tiny gradients behind a
  // saturated output, units killed by huge steps) are its doing, not dead units or the rate.
  const init = constantOutput ? undefined : explodingInitializer(graph);
  let explodingInit: string[] | undefined;
  let initCause = false;
  if (init) {
    const explained = explainByInitializer(graph, init, summary, result);
    if (explained) {
      causes.push(explained.cause);
      result = explained.findings;
      explodingInit = explained.symptomLayers;
      initCause = true;
    }
  }

  // 2. Divergence from a learning rate far above the default: the first fix is the rate.
  const lr = learningRate(graph);
  const losses = summary.losses.filter(Number.isFinite);
  // The loss at initialization (probe) against the mean of the last quarter of the steps (one noisy step does not decide).
  const startLoss = summary.probe && Number.isFinite(summary.probe.loss) ? summary.probe.loss : losses[0];
  const tail = losses.slice(-Math.max(1, Math.floor(losses.length / 4)));
  const endLoss = tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : undefined;
  const lossGrew = startLoss !== undefined && endLoss !== undefined && startLoss > 0 && losses.length > 1 && endLoss > startLoss * DIVERGING_LOSS_FACTOR;
  const initFinite = summary.probe ? Object.values(summary.probe.layers).every((l) => l.kernel === undefined || Number.isFinite(l.kernel.norm)) && Number.isFinite(summary.probe.loss) : true;
  // ReLU units alive at initialization that died in training: large steps push them negative.
  // Judged on the rules' own findings: the initializer's attribution above may have rewritten them.
  const died = findings.find((f) => f.code === 'dead-relu' && (f.rule === 'measured: gradients collapsed to zero during training' ||
    (f.rule === 'measured: dead units' && f.layers.some((id) => (summary.probe?.activations?.[id]?.dead ?? 0) < DIED_AT_INIT))));
  const diverged = (summary.nonFinite !== undefined && initFinite) || lossGrew || findings.some((f) => f.code === 'exploding-gradient' && f.rule.includes('growth')) || !!died;
  // With an over-scaled initializer the rate is named only when it is high enough to diverge by
  // itself (DEFAULT_OUTPUT_THRESHOLDS.learningRateFactor, 100x: SGD 1.0 and Adam 0.1 diverge on
  // well-initialized small nets); then it comes first, the initializer second (both must change).
  const lrAlone = !!lr && lr.rate >= lr.default * DEFAULT_OUTPUT_THRESHOLDS.learningRateFactor;
  if ((!initCause || lrAlone) && lr && diverged && lr.rate >= lr.default * DIVERGENCE_LR_FACTOR) {
    const site = graph.optimizerSite ?? graph.compile?.configRanges.optimizer?.value ?? graph.compile?.range;
    const what = summary.nonFinite ? `values became Infinity/NaN at step ${summary.nonFinite.step} while the initialization was finite`
      : lossGrew ? `the loss grew from ${fmt(startLoss!)} at initialization to ${fmt(endLoss!)} over the last steps`
      : died ? `${diedWhat(graph, died.layers)} (${died.layers.map((id) => `\`${id}\``).join(', ')})` : 'gradients grew during training';
    if (site) {
      causes.push({
        ...base,
        code: 'high-learning-rate',
        severity: summary.nonFinite ? 'error' : 'warning',
        layers: [],
        range: site,
        rule: 'measured: divergence with a learning rate far above the default',
        message: `Divergence from the learning rate: ${what}. The ${lr.optimizer} learning rate ${lr.rate} is ${fmt(lr.rate / lr.default)}x its default (${lr.default}), so each step overshoots. Lower it.`,
        fixes: ['lower-learning-rate', 'clip-gradients'],
        evidence: { learningRate: lr.rate, defaultLearningRate: lr.default, threshold: DIVERGENCE_LR_FACTOR, ...(summary.nonFinite ? { step: summary.nonFinite.step } : {}) },
      });
      // The symptoms keep their numbers; their first fix becomes the cause's.
      const first = (fixes: readonly FixCode[]): FixCode[] => ['lower-learning-rate', ...fixes.filter((c) => c !== 'lower-learning-rate')];
      result = result.map((f) => (f.code === 'non-finite-gradient' || f.code === 'exploding-gradient' || f === died ? { ...f, fixes: first(f.fixes) } : f));
    }
  }
  // The learning rate's finding first when it was named beside the initializer (see lrAlone).
  causes.sort((a, b) => Number(b.code === 'high-learning-rate') - Number(a.code === 'high-learning-rate'));
  return { findings: [...causes, ...result], ...(constantOutput ? { constantOutput } : {}), ...(explodingInit ? { explodingInit } : {}) };
}

/**
 * The over-scaled initializer as the cause of the run's symptoms, or undefined when the run shows
 * none of them, or shows ReLU outputs of normal size (the prediction is then not confirmed: the
 * parser may have misread a value). Symptoms: exactly-zero gradients reaching the output layer (its
 * softmax/sigmoid saturated, so the loss's clip passes nothing), non-finite values, an
 * exploding-gradient finding, tiny gradients in every layer, ReLU units that died in training.
 * The symptoms that named the wrong cause (dead units, vanishing) become infos; the rest keep their
 * numbers with He (or Glorot) init as their first fix.
 */
function explainByInitializer(graph: ModelGraph, init: InitScale, summary: RunFacts, findings: readonly Finding[]): { cause: Finding; findings: Finding[]; symptomLayers: string[] } | undefined {
  const activations = summary.probe?.activations ?? {};
  const reluRms = init.layers.filter((l) => l.relu).map((l) => ({ id: l.id, rms: activations[l.id]?.rms })).filter((l): l is { id: string; rms: number } => l.rms !== undefined);
  // Measured on the run's data when a ReLU layer's output was sampled; NaN counts as overflow.
  if (reluRms.length && !reluRms.some((l) => !(l.rms < GROWN_RMS))) return undefined;
  const zero = findings.find((f) => f.code === 'dead-relu' && ZERO_RULES.has(f.rule) && f.layers.includes(init.outputId));
  const tiny = findings.find((f) => f.code === 'vanishing-gradient' && f.rule === TINY_RULE);
  const exploding = findings.filter((f) => f.code === 'exploding-gradient');
  const died = findings.find((f) => f.code === 'dead-relu' && (f.rule === 'measured: gradients collapsed to zero during training' ||
    (f.rule === 'measured: dead units' && f.layers.some((id) => (activations[id]?.dead ?? 0) < DIED_AT_INIT))));
  if (!zero && !tiny && !exploding.length && !summary.nonFinite && !died) return undefined;

  const over = init.overscaled;
  const relu = over.some((l) => l.relu);
  const fixes: FixCode[] = relu ? ['init-he', 'init-glorot', 'insert-batch-norm', 'clip-gradients'] : ['init-glorot', 'insert-batch-norm', 'clip-gradients'];
  const worst = Math.max(...over.map((l) => l.factor));
  const names = [...new Set(over.map((l) => `\`${l.initializer}\``))].join(', ');
  const grown = reluRms.length ? reluRms.reduce((a, b) => (!(b.rms <= a.rms) ? b : a)) : undefined;
  const measured = grown
    ? ` Measured at initialization: the ReLU outputs' root mean square reaches ${fmt(grown.rms)} at \`${grown.id}\` (He initialization keeps it near the input's, about 1 for standardized data);`
    : ' In the run:';
  const trainable = summary.trainableLayers.length;
  const what = summary.nonFinite ? `values became Infinity/NaN at step ${summary.nonFinite.step}`
    : zero ? `the output saturates (probabilities of exactly 0 and 1), so no gradient passes the loss: ${zero.layers.length} of ${trainable} trainable layers get exactly zero kernel gradients. These are not dead ReLU units`
    : exploding.length ? 'the gradients explode'
    : tiny ? 'the output saturates, so every layer gets a tiny gradient'
    : 'ReLU units alive at initialization died from the huge updates';
  const lr = learningRate(graph);
  const rate = !lr || lr.rate < lr.default * DIVERGENCE_LR_FACTOR ? ''
    : lr.rate >= lr.default * DEFAULT_OUTPUT_THRESHOLDS.learningRateFactor ? ` The ${lr.optimizer} learning rate ${lr.rate} (${fmt(lr.rate / lr.default)}x its default) is a second cause: both must change.`
    : ` The ${lr.optimizer} learning rate ${lr.rate} (${fmt(lr.rate / lr.default)}x its default) adds to it, but the initializers alone make the signal this large.`;
  const spelled = relu ? 'Use He initialization (`heNormal`) in the ReLU layers' : 'Use Glorot initialization';
  const cause: Finding = {
    source: 'measured',
    model: graph.name,
    code: 'exploding-gradient',
    severity: summary.nonFinite ? 'error' : 'warning',
    layers: over.map((l) => l.id),
    rule: 'measured: over-scaled initializer',
    message:
      `Exploding signal from the initializer: ${names} on ${over.length === 1 ? `\`${over[0]!.id}\`` : `${over.length} layers`} scales the signal up to ${fmt(worst)}x per layer more than ${relu ? 'He initialization' : 'Glorot initialization'} would, ` +
      `so activations and gradients grow layer by layer (the output layer's logits come out about ${fmt(init.outputScale)}x the input's scale).${measured} ${what}.${rate} ` +
      `${spelled}${relu && over.some((l) => !l.relu) ? ', Glorot in the others' : ''}.`,
    fixes,
    evidence: { outputScale: init.outputScale, maxLayerFactor: worst, threshold: 100, ...(grown ? { reluRms: grown.rms } : {}), ...(summary.nonFinite ? { step: summary.nonFinite.step } : {}) },
  };
  const symptomLayers = new Set<string>();
  const secondary = (f: Finding): Finding => {
    for (const id of f.layers) symptomLayers.add(id);
    // The tiny-gradient message blames small initializers: the opposite of what happened here.
    const message = f.message.replace(/ The signal shrinks through the stack: the initializers are too small for these layers\./, '');
    return { ...f, severity: 'info', fixes: [], message: `Secondary to the over-scaled initializer: ${message}` };
  };
  const first = (list: readonly FixCode[]): FixCode[] => [...fixes.filter((c) => c !== 'clip-gradients' || list.includes(c)), ...list.filter((c) => !fixes.includes(c))];
  const rewritten = findings
    // The cause finding replaces the exploding symptoms (same code, the cause's numbers).
    .filter((f) => f.code !== 'exploding-gradient')
    .map((f) => (f === zero || f === tiny || f === died ? secondary(f) : f.code === 'non-finite-gradient' ? { ...f, fixes: first(f.fixes) } : f));
  return { cause, findings: rewritten, symptomLayers: [...symptomLayers] };
}

/**
 * What died, in words that fit the layers: "ReLU units" only when every layer is of the ReLU
 * family; a sigmoid or softmax stack whose gradients collapsed to zero saturated instead.
 */
function diedWhat(graph: ModelGraph, ids: readonly string[]): string {
  // Linear layers (an output, a projection) die with whatever feeds them: the nonlinear ones decide.
  const activations = ids.map((id) => graph.layers.find((l) => l.id === id)?.activation ?? 'linear').filter((a) => a !== 'linear');
  const relu = activations.length > 0 && activations.every((a) => a === 'relu' || a === 'relu6');
  return relu ? 'ReLU units that were alive at initialization died during training' : 'gradients that were non-zero at initialization collapsed to exactly zero during training';
}
