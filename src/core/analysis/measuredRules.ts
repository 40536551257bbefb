/**
 * Measured rules: verdicts from a run's gradient statistics. One verdict per layer and per
 * model, in this priority: non-finite values, then dead units, then exploding, then vanishing,
 * then saturation. Each finding carries graded evidence: the first/last ratio, the attenuation
 * per layer in orders of magnitude, the distance to the threshold, and the rule that fired.
 *
 * Threshold defaults follow AutoTrainer (ICSE 2021): vanishing when the first/last kernel
 * gradient ratio is below 1e-3 and the first layer's norm below 1e-4; exploding above a ratio of
 * 70; dying ReLU at 70% dead units; saturation above 50% saturated units. DeepDiagnosis (ICSE
 * 2022, `callback/callbacks.py`, `threshold_VG = 0.0000001`) gives the absolute test: a kernel
 * gradient with mean |g| below 1e-7 is vanishing whatever the ratio. The rest is our measurement
 * (see each threshold).
 *
 * A run measures several initializations (`RunSummary.initializations`); each is judged alone,
 * then a finding holds (warning) when most initializations share its code, and says in how many
 * it held; one that only some share is an info "depends on the initialization".
 */
import type { LayerNode, ModelGraph } from '../ir';
import type { FixCode } from '../fixes/codes';
import { activationOf, RELU_FAMILY } from '../layerKinds';
import type { LayerGradients, RunSummary } from '../measurement';
import type { Finding } from './findings';
import { formatNumber } from '../../shared/format';
import { attributeCauses } from './causes';

export interface MeasuredThresholds {
  readonly vanishingRatio: number;
  readonly vanishingFirstNorm: number;
  readonly explodingRatio: number;
  /** Growth of a layer's gradient norm from initialization to the last epoch that is called exploding. */
  readonly explodingGrowth: number;
  readonly deadFraction: number;
  readonly saturatedFraction: number;
  readonly temporalRatio: number;
  /** Mean |g| of a kernel gradient below which it is vanishing, whatever the ratio (DeepDiagnosis' threshold_VG). */
  readonly vanishingMeanAbs: number;
  /**
   * A kernel gradient norm at the end of training above which growth is exploding (our
   * measurement: the healthy models of the corpus and examples end at most at 61, a residual net).
   */
  readonly explodingNorm: number;
  /** Growth of the loss over a run (last steps over first steps) that is called diverging. */
  readonly divergingLoss: number;
  /** A first/last ratio within this factor above `vanishingRatio` is reported as borderline (info). */
  readonly borderlineFactor: number;
}

export const DEFAULT_MEASURED_THRESHOLDS: MeasuredThresholds = {
  vanishingRatio: 1e-3,
  vanishingFirstNorm: 1e-4,
  explodingRatio: 70,
  explodingGrowth: 100,
  deadFraction: 0.7,
  saturatedFraction: 0.5,
  temporalRatio: 1e-3,
  vanishingMeanAbs: 1e-7,
  explodingNorm: 1000,
  divergingLoss: 100,
  borderlineFactor: 10,
};

/**
 * A model's or a layer's measured verdict. `constant-output`: every gradient is exactly zero
 * because the output (or the loss) cannot change, which the code shows (softmax over one unit,
 * cross-entropy over classes on one unit, a ReLU output dead for every sample): the cause is at the
 * output, not in dead hidden units, so it is not called `dead`.
 */
export type Verdict = 'constant-output' | 'non-finite' | 'dead' | 'exploding' | 'vanishing' | 'saturated' | 'healthy';

export interface MeasuredAnalysis {
  readonly verdicts: Readonly<Record<string, Verdict>>;
  readonly modelVerdict: Verdict;
  readonly findings: Finding[];
  /** First/last kernel gradient ratio the verdicts were judged on. */
  readonly ratio?: number;
  /**
   * Set on a first verdict (`firstInitializationAnalysis`): judged on the first initialization
   * only, of this many planned; the others are still being measured.
   */
  readonly firstOf?: number;
}

/** The product's one number format (src/shared/format.ts), so messages read like the panel. */
const fmt = formatNumber;

function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** Kernel gradient norm per trainable layer: the last epoch's mean, or the probe's when nothing trained. */
function norms(summary: RunSummary): Map<string, number> {
  const result = new Map<string, number>();
  for (const id of summary.trainableLayers) {
    const trained = summary.layers[id]?.gradNorm;
    const probed = summary.probe?.layers[id]?.kernel?.norm;
    const value = trained ?? probed;
    if (value !== undefined && value !== null) result.set(id, value);
  }
  return result;
}

function probeNorm(stats: Readonly<Record<string, LayerGradients>> | undefined, id: string): number | undefined {
  return stats?.[id]?.kernel?.norm;
}

/**
 * Verdicts from a run: each initialization it measured is judged alone (`judgeInitialization`),
 * then combined (`combineInitializations`). Thresholds: see MeasuredThresholds.
 */
export function measuredFindings(graph: ModelGraph, summary: RunSummary, thresholds: MeasuredThresholds = DEFAULT_MEASURED_THRESHOLDS): MeasuredAnalysis {
  const judged = [summary, ...(summary.initializations ?? [])].map((run) => judgeInitialization(graph, run, thresholds));
  if (judged.length === 1) {
    const { verdictLists: _lists, ...single } = judged[0]!;
    return single;
  }
  return combineInitializations(judged);
}

/** One initialization's verdicts, with every verdict each layer got (the first one wins in `verdicts`). */
interface JudgedInitialization extends MeasuredAnalysis {
  readonly verdictLists: Readonly<Record<string, readonly Verdict[]>>;
}

const VERDICT_OF: Partial<Record<Finding['code'], Verdict>> = {
  'non-finite-gradient': 'non-finite',
  'dead-relu': 'dead',
  'exploding-gradient': 'exploding',
  'vanishing-gradient': 'vanishing',
  'long-sequence-rnn': 'vanishing',
  'saturating-activation': 'saturated',
};
// A constant output comes first: with no gradient at all, nothing else can be judged.
const VERDICT_ORDER: readonly Verdict[] = ['constant-output', 'non-finite', 'dead', 'exploding', 'vanishing', 'saturated', 'healthy'];

function label(code: Finding['code']): string {
  return code === 'long-sequence-rnn' ? 'vanishing through time' : (VERDICT_OF[code] ?? code);
}

/**
 * Combines the verdicts of several initializations of one model. A code (finding kind) holds when
 * a warning or error of that code is found in more than half of them: it keeps its severity and
 * says in how many ("dead in 2 of 3 initializations: depends on the initialization"); one found
 * in half or fewer becomes an info "Borderline". The numbers shown are the first (the run's own)
 * initialization's, or the first one that has the finding. The model verdict is the worst held
 * verdict, so it always agrees with the findings at warning or above.
 */
export function combineInitializations(judged: readonly JudgedInitialization[]): MeasuredAnalysis {
  const n = judged.length;
  const held = (code: Finding['code']): number => judged.filter((j) => j.findings.some((f) => f.code === code && f.severity !== 'info')).length;
  const codes: Finding['code'][] = [];
  for (const j of judged) for (const f of j.findings) if (f.severity !== 'info' && !codes.includes(f.code)) codes.push(f.code);
  const findings: Finding[] = [];
  const phrase = (code: Finding['code'], k: number): string => `${label(code)} in ${k} of ${n} initializations${k < n ? ': depends on the initialization' : ''}`;
  const restate = (finding: Finding, k: number, from: number): Finding => {
    const evidence = { ...finding.evidence, seeds: n, seedsAgreeing: k };
    const where = from === 0 ? '' : ` (numbers from initialization ${from + 1})`;
    if (k * 2 > n) {
      return k === n && from === 0
        ? { ...finding, evidence, message: `${finding.message} Same in ${n} of ${n} initializations.` }
        : { ...finding, evidence, message: `${capitalize(phrase(finding.code, k))}${where}. ${finding.message}` };
    }
    return { ...finding, severity: 'info', evidence, message: `Borderline: ${phrase(finding.code, k)}${where}. ${finding.message}` };
  };
  const primary = judged[0]!;
  for (const finding of primary.findings) findings.push(finding.severity === 'info' ? finding : restate(finding, held(finding.code), 0));
  for (const code of codes) {
    if (primary.findings.some((f) => f.code === code && f.severity !== 'info')) continue;
    const from = judged.findIndex((j) => j.findings.some((f) => f.code === code && f.severity !== 'info'));
    const finding = judged[from]!.findings.find((f) => f.code === code && f.severity !== 'info')!;
    // The run's own info of the same code (a borderline ratio) gives way to the counted one.
    const own = findings.findIndex((f) => f.code === code && f.severity === 'info');
    if (own >= 0) findings.splice(own, 1);
    findings.push(restate(finding, held(code), from));
  }
  const confirmed = new Set(findings.filter((f) => f.severity !== 'info').map((f) => VERDICT_OF[f.code]).filter((v): v is Verdict => !!v));
  // A held cause finding (the output, the learning rate) replaced its symptom: the symptom's
  // verdict, when most initializations reached it, still holds.
  if (findings.some((f) => f.severity !== 'info' && !VERDICT_OF[f.code])) {
    for (const v of VERDICT_ORDER) if (v !== 'healthy' && judged.filter((j) => j.modelVerdict === v).length * 2 > n) confirmed.add(v);
  }
  const verdicts: Record<string, Verdict> = {};
  for (const [id, list] of Object.entries(primary.verdictLists)) verdicts[id] = list.find((v) => confirmed.has(v)) ?? 'healthy';
  const modelVerdict = VERDICT_ORDER.find((v) => confirmed.has(v)) ?? 'healthy';
  return { verdicts, modelVerdict, findings, ...(primary.ratio !== undefined ? { ratio: primary.ratio } : {}) };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The rules on one initialization's run. */
export function judgeInitialization(graph: ModelGraph, summary: RunSummary, thresholds: MeasuredThresholds = DEFAULT_MEASURED_THRESHOLDS): JudgedInitialization {
  const findings: Finding[] = [];
  const verdicts: Record<string, Verdict> = {};
  const verdictLists: Record<string, Verdict[]> = {};
  const base = { source: 'measured' as const, model: graph.name };
  const layer = (id: string): LayerNode | undefined => graph.layers.find((l) => l.id === id);
  const trainable = summary.trainableLayers.filter((id) => layer(id));
  const byNorm = norms(summary);
  const firstId = trainable[0];
  const lastId = trainable[trainable.length - 1];
  const first = firstId ? byNorm.get(firstId) : undefined;
  const last = lastId ? byNorm.get(lastId) : undefined;
  const ratio = first !== undefined && last !== undefined && last > 0 ? first / last : undefined;
  const depth = Math.max(1, trainable.length - 1);
  /** The latest measured fraction of dead or saturated units of a layer (training, else probe). */
  const fraction = (id: string, kind: 'dead' | 'saturated'): number | undefined =>
    summary.layers[id]?.activations?.[kind] ?? summary.probe?.activations[id]?.[kind];
  const setVerdict = (id: string, verdict: Verdict): void => {
    verdicts[id] ??= verdict;
    (verdictLists[id] ??= []).push(verdict);
  };
  // Network-wide tiny gradients (DeepDiagnosis' absolute test): at initialization every layer's
  // kernel gradient has mean |g| below the threshold, so the first/last ratio looks normal, and
  // training did not lift the first layer above it (it may even have collapsed to zero).
  const meanAbsAtInit = (id: string): number | undefined => summary.probe?.layers[id]?.kernel?.meanAbs;
  const meanAbsAtEnd = (id: string): number | undefined => summary.layers[id]?.meanAbs ?? meanAbsAtInit(id);
  const initMeanAbs = trainable.map(meanAbsAtInit);
  const firstEndMeanAbs = firstId ? meanAbsAtEnd(firstId) : undefined;
  const tinyEverywhere =
    !summary.nonFinite &&
    trainable.length > 0 &&
    initMeanAbs.every((v) => v !== undefined && v > 0 && v < thresholds.vanishingMeanAbs) &&
    firstEndMeanAbs !== undefined &&
    firstEndMeanAbs < thresholds.vanishingMeanAbs;

  // 1. Non-finite values.
  if (summary.nonFinite) {
    const where = summary.nonFinite.layerId ?? firstId;
    const layers = where ? [where] : [];
    for (const id of trainable) setVerdict(id, 'non-finite');
    findings.push({
      ...base,
      code: 'non-finite-gradient',
      severity: 'error',
      layers,
      rule: 'measured: non-finite value',
      message: `The ${summary.nonFinite.what}${summary.nonFinite.layerId ? ` of \`${summary.nonFinite.layerId}\`` : ''} became Infinity or NaN at step ${summary.nonFinite.step}; training cannot go on from there.`,
      fixes: ['clip-gradients', 'init-he', 'insert-batch-norm'],
      evidence: { step: summary.nonFinite.step },
    });
    const grownLayers = trainable.filter((id) => {
      const p = probeNorm(summary.probe?.layers, id);
      return p === undefined || !Number.isFinite(p) || p > 1e3;
    });
    findings.push({
      ...base,
      code: 'exploding-gradient',
      severity: 'error',
      layers: grownLayers.length ? grownLayers : trainable,
      rule: 'measured: non-finite',
      message:
        `Exploding gradients: values overflow to Infinity/NaN by step ${summary.nonFinite.step}` +
        (ratio !== undefined && Number.isFinite(ratio) ? ` (first/last gradient ratio ${fmt(ratio)})` : '') +
        '. Scale the initializers down (He), normalize, or clip gradients.',
      fixes: ['init-he', 'clip-gradients', 'insert-batch-norm'],
      evidence: { step: summary.nonFinite.step, ...(ratio !== undefined && Number.isFinite(ratio) ? { ratio } : {}) },
      ...(lastId ? { relatedLayer: lastId } : {}),
    });
  }

  // All-zero kernel gradients mean a layer learns nothing: from the start (probe and after one
  // update), or since training made them collapse (the last epoch's mean is exactly zero).
  const zeroFromStart = (id: string): boolean => {
    const values = [probeNorm(summary.probe?.layers, id), probeNorm(summary.probe?.afterFirstUpdate, id), summary.layers[id]?.gradNorm ?? undefined];
    return values.every((v) => v === 0 || v === undefined) && values.some((v) => v === 0);
  };
  const collapsed = (id: string): boolean => summary.steps > 0 && summary.layers[id]?.gradNorm === 0 && !zeroFromStart(id);
  // Gradients that collapse during training after starting tiny everywhere are the end of a
  // vanishing signal (judged below), not a separate dead path.
  const zeroGradient = summary.nonFinite ? [] : trainable.filter((id) => zeroFromStart(id) || (collapsed(id) && !tinyEverywhere));
  if (zeroGradient.length) {
    for (const id of zeroGradient) setVerdict(id, 'dead');
    const during = zeroGradient.some(collapsed);
    const subject = zeroGradient.length === 1 ? `\`${zeroGradient[0]}\` gets` : `${zeroGradient.length} layers get`;
    findings.push({
      ...base,
      code: 'dead-relu',
      severity: 'warning',
      layers: zeroGradient,
      rule: during ? 'measured: gradients collapsed to zero during training' : 'measured: all-zero gradients',
      message: during
        ? `${subject} exactly zero kernel gradients by the end of training (they were not zero at initialization): learning has stopped there, often from saturated outputs or dead units.`
        : `${subject} exactly zero kernel gradients, at initialization and after updates: nothing flows back to ${zeroGradient.length === 1 ? 'it' : 'them'} (dead units or a blocked path).`,
      fixes: ['activation-leaky-relu', 'init-he', 'activation-elu'],
      evidence: { layers: zeroGradient.length },
    });
  }
  // 2. Dead units (ReLU family): a different problem from tiny gradients, with other fixes.
  // Once values are non-finite, activations say nothing more: the rules below are skipped.
  const dead = summary.nonFinite ? [] : graph.layers.filter((l) => {
    const value = fraction(l.id, 'dead');
    return value !== undefined && value >= thresholds.deadFraction && RELU_FAMILY.has(activationOf(l) ?? 'relu') && !zeroGradient.includes(l.id);
  });
  if (dead.length) {
    const fractions = dead.map((l) => fraction(l.id, 'dead') ?? 0);
    // When every gradient is tiny, dead units are not what stops learning: with zero biases a
    // ReLU stack's dead pattern does not depend on the weights' scale, the tiny scale does (the
    // vanishing finding below); leaky ReLU would keep the tiny scale. So they are an info then.
    if (!tinyEverywhere) for (const l of dead) setVerdict(l.id, 'dead');
    findings.push({
      ...base,
      code: 'dead-relu',
      severity: tinyEverywhere ? 'info' : 'warning',
      layers: dead.map((l) => l.id),
      rule: 'measured: dead units',
      message: `${tinyEverywhere ? 'Secondary to the tiny gradients everywhere: ' : ''}${dead.length === 1 ? `\`${dead[0]!.id}\` has` : `${dead.length} layers have`} ${percent(Math.max(...fractions))} of units that output zero for every sample: they get no gradient and stop learning (dying ReLU).`,
      fixes: ['activation-leaky-relu', 'init-he', 'activation-elu'],
      evidence: { deadFraction: Math.max(...fractions), threshold: thresholds.deadFraction },
    });
  }

  // 3. Exploding (finite): the first layers get far larger gradients than the last.
  if (!summary.nonFinite && ratio !== undefined && ratio > thresholds.explodingRatio) {
    const grown = trainable.filter((id) => (byNorm.get(id) ?? 0) > (last ?? 0) * thresholds.explodingRatio);
    for (const id of grown) setVerdict(id, 'exploding');
    findings.push({
      ...base,
      code: 'exploding-gradient',
      severity: 'warning',
      layers: grown.length ? grown : [firstId!],
      rule: 'measured: first/last ratio above threshold',
      message: `Exploding gradients: \`${firstId}\` gets a kernel gradient ${fmt(ratio)}x larger than the output layer \`${lastId}\` (threshold ${thresholds.explodingRatio}), about ${fmt(Math.log10(ratio) / depth)} orders of magnitude more per layer.`,
      fixes: ['init-he', 'clip-gradients', 'insert-batch-norm'],
      evidence: { ratio, firstNorm: first!, lastNorm: last!, ordersPerLayer: Math.log10(ratio) / depth, threshold: thresholds.explodingRatio },
      ...(lastId ? { relatedLayer: lastId } : {}),
    });
  }

  // 3b. Exploding by growth: gradients that grow during training even if the ratio looks fine.
  if (!summary.nonFinite && summary.steps > 0 && !findings.some((f) => f.code === 'exploding-gradient')) {
    const growth = trainable
      .map((id) => ({ id, start: probeNorm(summary.probe?.layers, id), end: summary.layers[id]?.gradNorm ?? undefined }))
      // Growth alone is not exploding: a gradient recovering from near zero (1e-3 -> 0.12) grows
      // 100x too. It must also end large.
      .filter((g): g is { id: string; start: number; end: number } => g.start !== undefined && g.end !== undefined && g.start > 0 && g.end / g.start > thresholds.explodingGrowth && g.end > thresholds.explodingNorm);
    if (growth.length) {
      const worst = growth.reduce((a, b) => (b.end / b.start > a.end / a.start ? b : a));
      for (const g of growth) setVerdict(g.id, 'exploding');
      findings.push({
        ...base,
        code: 'exploding-gradient',
        severity: 'warning',
        layers: growth.map((g) => g.id),
        rule: 'measured: gradient growth during training',
        message: `Exploding gradients: the kernel gradient of \`${worst.id}\` grew ${fmt(worst.end / worst.start)}x during ${summary.steps} training steps (from ${fmt(worst.start)} to ${fmt(worst.end)}; thresholds ${thresholds.explodingGrowth}x and a norm of ${thresholds.explodingNorm}).`,
        fixes: ['clip-gradients', 'init-he', 'insert-batch-norm'],
        evidence: { growth: worst.end / worst.start, threshold: thresholds.explodingGrowth, endNorm: worst.end, normThreshold: thresholds.explodingNorm },
      });
    }
  }

  // 3c. A diverging loss: it grows by orders of magnitude within the run, before (or without)
  // overflowing. Compared: the median of the first and of the last steps (one each in runs under 12
  // steps, up to 3 in longer ones), so one noisy batch does not decide.
  if (!summary.nonFinite && !findings.some((f) => f.code === 'exploding-gradient')) {
    const losses = summary.losses.filter((l) => Number.isFinite(l));
    if (losses.length >= 3) {
      const k = Math.max(1, Math.min(3, Math.floor(losses.length / 6)));
      const head = median(losses.slice(0, k));
      const tail = median(losses.slice(-k));
      if (head > 0 && tail / head > thresholds.divergingLoss) {
        for (const id of trainable) setVerdict(id, 'exploding');
        findings.push({
          ...base,
          code: 'exploding-gradient',
          severity: 'warning',
          layers: firstId ? [firstId] : [],
          rule: 'measured: diverging loss',
          message: `The loss diverges: from ${fmt(head)} to ${fmt(tail)} in ${losses.length} training steps (${fmt(tail / head)}x; threshold ${thresholds.divergingLoss}x). Each update makes it worse: lower the learning rate or clip gradients.`,
          fixes: ['clip-gradients', 'insert-batch-norm', 'init-he'],
          evidence: { lossGrowth: tail / head, firstLoss: head, lastLoss: tail, threshold: thresholds.divergingLoss },
        });
      }
    }
  }

  // 4a. Vanishing everywhere (absolute test): the ratio cannot see it.
  if (tinyEverywhere && !zeroGradient.includes(firstId!)) {
    const tiny = trainable.filter((id) => !zeroGradient.includes(id));
    for (const id of tiny) setVerdict(id, 'vanishing');
    const largest = Math.max(...initMeanAbs.map((v) => v ?? 0));
    findings.push({
      ...base,
      code: 'vanishing-gradient',
      severity: 'warning',
      layers: tiny,
      rule: 'measured: mean |g| below the absolute threshold in every layer',
      message:
        `Vanishing gradients in every layer: at initialization the kernel gradients' mean |g| is at most ${fmt(largest)} ` +
        `in all ${trainable.length} trainable layers (threshold ${fmt(thresholds.vanishingMeanAbs)}, DeepDiagnosis), ` +
        `and \`${firstId}\` is still at ${fmt(firstEndMeanAbs!)} after ${summary.steps} steps. ` +
        `${ratio !== undefined && Number.isFinite(ratio) ? `The first/last ratio (${fmt(ratio)}) does not show it: the output layer's gradient is tiny too. ` : ''}` +
        'The signal shrinks through the stack: the initializers are too small for these layers.',
      fixes: fixesForVanishing(graph, tiny),
      evidence: {
        maxMeanAbs: largest,
        firstMeanAbsEnd: firstEndMeanAbs!,
        threshold: thresholds.vanishingMeanAbs,
        ...(ratio !== undefined && Number.isFinite(ratio) ? { ratio } : {}),
      },
      ...(lastId ? { relatedLayer: lastId } : {}),
    });
  }

  // 4b. Vanishing: tiny first-layer gradients, unless one update already fixes them (zero init).
  if (!tinyEverywhere && !summary.nonFinite && ratio !== undefined && first !== undefined && ratio < thresholds.vanishingRatio && first < thresholds.vanishingFirstNorm && !zeroGradient.includes(firstId!)) {
    const afterFirst = firstId ? probeNorm(summary.probe?.afterFirstUpdate, firstId) : undefined;
    const afterLast = lastId ? probeNorm(summary.probe?.afterFirstUpdate, lastId) : undefined;
    const recovers = afterFirst !== undefined && afterLast !== undefined && afterLast > 0 && afterFirst / afterLast >= thresholds.vanishingRatio && summary.steps === 0;
    if (!recovers) {
      // The layers two orders of magnitude or more below the output are the ones that stop learning.
      const faint = trainable.filter((id) => id !== lastId && !zeroGradient.includes(id) && (byNorm.get(id) ?? Infinity) < (last ?? 0) * 1e-2);
      for (const id of faint) setVerdict(id, 'vanishing');
      const ordersPerLayer = -Math.log10(ratio) / depth;
      findings.push({
        ...base,
        code: 'vanishing-gradient',
        severity: 'warning',
        layers: faint.length ? faint : [firstId!],
        rule: 'measured: first/last ratio and first-layer norm below thresholds',
        message:
          `Vanishing gradients: \`${firstId}\` gets a kernel gradient norm of ${fmt(first)}, ` +
          `${fmt(-Math.log10(ratio))} orders of magnitude below the output layer \`${lastId}\` (${fmt(last!)}); ` +
          `about ${fmt(ordersPerLayer)} orders lost per layer. The first layers barely learn.`,
        fixes: fixesForVanishing(graph, faint.length ? faint : [firstId!]),
        evidence: {
          ratio,
          firstNorm: first,
          lastNorm: last!,
          ordersPerLayer,
          ordersBelowThreshold: Math.log10(thresholds.vanishingRatio / ratio),
          threshold: thresholds.vanishingRatio,
        },
        ...(lastId ? { relatedLayer: lastId } : {}),
      });
    }
  }

  // 4c. Near the vanishing threshold (within `borderlineFactor`): an info with the numbers, so a
  // stack that loses nearly as much as a vanishing one is not called healthy without a word.
  if (!summary.nonFinite && !findings.some((f) => f.code === 'vanishing-gradient') && ratio !== undefined && first !== undefined && last !== undefined && ratio > 0 && firstId && !zeroGradient.includes(firstId)) {
    const f = thresholds.borderlineFactor;
    const nearRatio = ratio >= thresholds.vanishingRatio && ratio < thresholds.vanishingRatio * f;
    const nearNorm = ratio < thresholds.vanishingRatio && first >= thresholds.vanishingFirstNorm && first < thresholds.vanishingFirstNorm * f;
    if (nearRatio || nearNorm) {
      findings.push({
        ...base,
        code: 'vanishing-gradient',
        severity: 'info',
        layers: [firstId],
        rule: 'measured: near the vanishing thresholds',
        message:
          `Borderline: \`${firstId}\` gets a kernel gradient norm of ${fmt(first)}, ${fmt(ratio)} of the output layer \`${lastId}\`'s (${fmt(last)}); ` +
          `about ${fmt(-Math.log10(ratio) / depth)} orders lost per layer. Vanishing needs a ratio below ${fmt(thresholds.vanishingRatio)} and a norm below ${fmt(thresholds.vanishingFirstNorm)} (AutoTrainer): ` +
          `${nearRatio ? `the ratio is within ${f}x of it` : `the norm is within ${f}x of it`}. Not vanishing yet; a deeper stack would be.`,
        fixes: fixesForVanishing(graph, [firstId]),
        evidence: { ratio, firstNorm: first, lastNorm: last, threshold: thresholds.vanishingRatio, normThreshold: thresholds.vanishingFirstNorm },
        ...(lastId ? { relatedLayer: lastId } : {}),
      });
    }
  }

  // 5. Saturation.
  // Hidden layers only: a saturated sigmoid output is a confident prediction, not a blocked path.
  const saturated = summary.nonFinite ? [] : graph.layers.filter((l) => {
    if (graph.outputs.includes(l.id)) return false;
    const value = fraction(l.id, 'saturated');
    return value !== undefined && value > thresholds.saturatedFraction;
  });
  if (saturated.length) {
    const fractions = saturated.map((l) => fraction(l.id, 'saturated') ?? 0);
    for (const l of saturated) setVerdict(l.id, 'saturated');
    findings.push({
      ...base,
      code: 'saturating-activation',
      severity: 'warning',
      layers: saturated.map((l) => l.id),
      rule: 'measured: saturated units',
      message: `${saturated.length === 1 ? `\`${saturated[0]!.id}\` has` : `${saturated.length} layers have`} up to ${percent(Math.max(...fractions))} of units in saturation, where the activation's slope is almost zero.`,
      fixes: ['activation-relu', 'init-glorot', 'insert-batch-norm'],
      evidence: { saturatedFraction: Math.max(...fractions), threshold: thresholds.saturatedFraction },
    });
  }

  // Recurrent layers: the gradient through time. Only plain simpleRNNs are judged: at
  // initialization LSTM/GRU look like them, and their gates only help as they learn.
  for (const temporal of summary.probe?.temporal ?? []) {
    if (layer(temporal.layerId)?.type !== 'simpleRNN') continue;
    const steps = temporal.perTimeStep;
    const firstStep = steps[0];
    const lastStep = steps[steps.length - 1];
    if (firstStep === undefined || lastStep === undefined || lastStep <= 0) continue;
    const temporalRatio = firstStep / lastStep;
    if (temporalRatio >= thresholds.temporalRatio) continue;
    setVerdict(temporal.layerId, 'vanishing');
    findings.push({
      ...base,
      code: 'long-sequence-rnn',
      severity: 'warning',
      layers: [temporal.layerId],
      rule: 'measured: gradient per time step',
      message:
        `The gradient reaching the first of ${steps.length} time steps of \`${temporal.layerId}\` is ${fmt(firstStep)}, ` +
        `against ${fmt(lastStep)} at the last: early inputs barely affect learning. ` +
        'LSTM/GRU layers keep gradients through time better as they learn (at initialization they look alike).',
      fixes: ['rnn-lstm', 'rnn-gru'],
      evidence: { ratio: temporalRatio, firstStep, lastStep, timeSteps: steps.length, threshold: thresholds.temporalRatio },
    });
  }

  for (const id of trainable) setVerdict(id, 'healthy');
  // Symptoms explained by a cause in the code (the output, the learning rate) are named by it.
  const attribution = attributeCauses(graph, summary, findings);
  let result = attribution.findings;
  if (attribution.constantOutput) {
    // Zero gradients from a constant output are not dead units: those layers' verdict says so, and
    // what else was seen in them (saturated units) cannot be what stops learning: an info, no fix.
    const zero = new Set(attribution.constantOutput);
    const everywhere = trainable.every((id) => zero.has(id));
    for (const id of everywhere ? Object.keys(verdictLists) : zero) {
      verdictLists[id] = ['constant-output'];
      verdicts[id] = 'constant-output';
    }
    result = result.map((f) =>
      VERDICT_OF[f.code] && f.severity !== 'info' && (everywhere || (f.layers.length && f.layers.every((id) => zero.has(id))))
        ? { ...f, severity: 'info', fixes: [], message: `Secondary to the constant output (no gradient reaches these layers): ${f.message}` }
        : f,
    );
  }
  if (attribution.explodingInit) {
    // Symptoms of an over-scaled initializer (a saturated output's zero gradients, tiny gradients
    // behind it) are exploding, not dead or vanishing, in those layers and in the over-scaled ones.
    const cause = result.find((f) => f.rule === 'measured: over-scaled initializer');
    for (const id of new Set([...attribution.explodingInit, ...(cause?.layers ?? [])])) {
      const list = [...(verdictLists[id] ?? []).filter((v) => v !== 'dead' && v !== 'vanishing' && v !== 'exploding' && v !== 'healthy'), 'exploding' as const]
        .sort((a, b) => VERDICT_ORDER.indexOf(a) - VERDICT_ORDER.indexOf(b));
      verdictLists[id] = list;
      verdicts[id] = list[0]!;
    }
  }
  const modelVerdict = VERDICT_ORDER.find((v) => Object.values(verdicts).includes(v)) ?? 'healthy';
  return { verdicts, verdictLists, modelVerdict, findings: result, ...(ratio !== undefined ? { ratio } : {}) };
}

/** Fixes for vanishing, ranked by cause: saturating activations first, then depth. */
function fixesForVanishing(graph: ModelGraph, ids: readonly string[]): FixCode[] {
  const layers = graph.layers.filter((l) => ids.includes(l.id));
  const saturating = layers.some((l) => ['sigmoid', 'tanh', 'hardSigmoid', 'softsign'].includes(activationOf(l) ?? ''));
  // He init fits ReLU layers only: never offered for a saturating stack.
  const fixes: FixCode[] = saturating ? ['activation-relu', 'insert-batch-norm', 'add-residual'] : ['init-he', 'insert-batch-norm', 'add-residual'];
  if (layers.some((l) => l.type === 'simpleRNN')) fixes.push('rnn-lstm', 'rnn-gru');
  return fixes;
}
